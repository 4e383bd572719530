"""Reading indicator tables: CSV, Excel and the data.stats.gov.cn export layout.

Tables are read cell by cell as text (never through a type guesser that would turn the
code 110000 into 110000.0 or drop the leading zero of a FIPS code) and then converted
column by column with one set of rules:

* key columns (names such as ``code``, ``adcode``, ``id``, ``地区``, ``代码``) and digit strings
  with a leading zero or shaped like 6-digit administrative codes stay strings;
* numbers stored as text are converted: thousands separators, full-width digits and
  punctuation, and one trailing unit (Chinese units such as ``万人``, ``亿元``, ``元/人``,
  ``%``, ``‰``, a few Latin ones such as ``km2``) are accepted; the unit is recorded in
  ``table.attrs["units"]`` and used to rescale only when ``convert_units=True``;
* the placeholders in :data:`PLACEHOLDERS` become missing values, deliberately;
* a column that is mostly numbers but has other text is an error listing those cells;
* footnote markers after a value (``2189①``, ``7464³``, ``12.5*``, ``88a)``) are cut off into a note
  before normalising: NFKC would otherwise turn ``①`` and ``³`` into digits (``21891``);
* a column mixing a scaled unit (``万人``, ``亿元``, ``%``, ``‰``) with bare numbers or with another
  unit is refused (``86.6%`` next to ``0.848`` has no safe reading); ``convert_units=True`` rescales
  ``万``/``亿`` units to their base unit (``万人`` -> persons) and keeps ``%`` as ``%``;
* a ``;``-separated CSV whose numbers use decimal commas (``0,848``, ``86,6``) is read with
  ``decimal=","``; when every comma could also be a thousands separator (``86,600``) the read is
  refused with the column named, until ``decimal=`` says which.

Statistical-yearbook sheets (title, unit row, two-row header, national and footnote rows) are
laid out by :mod:`spatialcluster.io.yearbook`.
"""

from __future__ import annotations

import math
import re
import unicodedata
import warnings
from collections import Counter
from dataclasses import dataclass, field
from numbers import Real
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import InputError, SpatialClusterWarning
from . import yearbook
from .grids import csv_grid, excel_grid
from .names import _PREFIXES, clean_name

#: Cell texts that mean "no value" in statistical tables (NBS yearbooks print "—" and "…").
PLACEHOLDERS = frozenset(
    {"", "—", "——", "…", "……", "...", "-", "--", "–", "NA", "N/A", "n/a", "NaN", "nan", "null", "#N/A"}
)
_PLACEHOLDERS_NFKC = frozenset(unicodedata.normalize("NFKC", p) for p in PLACEHOLDERS)
KEY_NAMES = frozenset(
    {"id", "code", "adcode", "gb", "gbcode", "fips", "geoid", "region", "province", "name",
     "name_zh", "name_en", "地区", "省份", "省", "地区名称", "代码", "区划代码", "行政区划代码"}
)
_NUMBER = re.compile(
    r"(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)"
    r"\s*(?P<unit>[%‰]|[\u4e00-\u9fff]+(?:/[\u4e00-\u9fff]+)?|(?i:km2|km|m2|kg|ha|kwh|usd|cny|rmb|yuan))?"
)
_META = re.compile(r"^(?P<key>数据库|指标|时间|地区)\s*[：:]\s*(?P<value>.*)$")
_NOTE = re.compile(r"^(注|数据来源|资料来源)\s*[：:]")
_YEAR = re.compile(r"^(?P<year>\d{4})\s*年?$")
# Footnote markers after a value or a name. NFKC turns ① into 1 and ³ into 3 (2189① -> 21891),
# so they are cut off before normalising.
_MARK_SYMBOLS = "\u00b9\u00b2\u00b3\u2070-\u2079\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf*\uff0a\u2020\u2021\u00a7#"
_MARKER = re.compile(rf"(?:[{_MARK_SYMBOLS}]+|\s*[(（]?[a-zA-Z][)）]|\s*\[\w{{1,2}}\])$")
_SYMBOL_MARKER = re.compile(rf"[{_MARK_SYMBOLS}]+$")
_SWAP = str.maketrans(",.", ".,")
# Units whose number is a multiple of a base unit; a bare number beside them has no safe reading.
SCALES = {"亿": 1e8, "万": 1e4}
_RATIO_UNITS = frozenset({"%", "‰"})


def _show(cells: list[tuple[int, str, str]], limit: int = 20) -> str:
    shown = "; ".join(f"row {r}, column {c!r}: {t!r}" for r, c, t in cells[:limit])
    return shown + (f"; ... and {len(cells) - limit} more" if len(cells) > limit else "")


def _split_marker(text: str, pattern=_MARKER) -> tuple[str, str]:
    """``"2189①"`` -> ``("2189", "①")``; ``"100km²"`` keeps its exponent."""
    match = pattern.search(text)
    if not match or match.start() == 0:
        return text, ""
    rest = text[: match.start()].rstrip()
    marker = match.group(0).strip()
    if marker[0] in "\u00b2\u00b3" and rest[-1:].isascii() and rest[-1:].isalpha():
        return text, ""  # km², m³: an exponent of the unit, not a footnote
    return rest, marker


def _parse(cell, decimal: str = ".") -> tuple[float, str, str]:
    """``(value, unit, footnote marker)`` of one cell; see :func:`parse_number`."""
    if cell is None:
        return math.nan, "", ""
    if isinstance(cell, Real) and not isinstance(cell, bool):
        return float(cell), "", ""
    raw = str(cell).strip()
    if raw.isascii():  # the common case, kept fast: NFKC changes no ASCII text
        if raw in _PLACEHOLDERS_NFKC:
            return math.nan, "", ""
        rest, marker = _split_marker(raw) if raw[-1:] in "*#)]" else (raw, "")
        text = rest
    else:
        if unicodedata.normalize("NFKC", raw).strip() in _PLACEHOLDERS_NFKC:
            return math.nan, "", ""
        rest, marker = _split_marker(raw)
        text = unicodedata.normalize("NFKC", rest).strip().replace("\u2212", "-")
    if decimal == ",":
        text = text.translate(_SWAP)
    match = _NUMBER.fullmatch(text)
    if not match:
        raise ValueError(raw)
    return float(match["num"].replace(",", "")), match["unit"] or "", marker


def parse_number(cell, decimal: str = ".") -> tuple[float, str]:
    """Parse one cell into ``(value, unit)``; placeholders give ``(nan, "")``.

    Parameters
    ----------
    cell : str, number or None
    decimal : {".", ","}
        The decimal mark; with ``","`` a dot separates thousands (``1.234,5``).

    Raises
    ------
    ValueError
        When the cell is text that is neither a number (with an optional trailing unit)
        nor a placeholder, or carries a footnote marker (``2189①``): :func:`read_table`
        strips such markers into a note, a single cell has nowhere to put it.

    Examples
    --------
    >>> parse_number("1,234.5万人"), parse_number("１２％"), parse_number("—")
    ((1234.5, '万人'), (12.0, '%'), (nan, ''))
    """
    value, unit, marker = _parse(cell, decimal)
    if marker:
        raise ValueError(f"{cell!r} carries the footnote marker {marker!r}")
    return value, unit


def _as_key(cell) -> str | None:
    """A cell as an identifier string: 110000.0 -> "110000", blanks -> None."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return None
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    text = str(cell).strip()
    return text or None


def _looks_like_codes(texts: list[str]) -> bool:
    """Identifiers that a number would damage: leading zeros, or 6-digit admin codes."""
    if not texts or not all(t.isdigit() for t in texts):
        return False
    if any(len(t) > 1 and t.startswith("0") for t in texts):
        return True
    return all(len(t) == 6 and t[:2] in _PREFIXES and t.endswith("00") for t in texts)


@dataclass
class _Rules:
    """How the cells of one table are read, and where the notes about it go."""

    keys: frozenset
    na: frozenset
    decimal: str = "."
    convert_units: bool = False
    units: dict = field(default_factory=dict)  # column -> unit given by a unit row or the header
    notes: list = field(default_factory=list)


def _key_column(name, cells, rows, rules: _Rules) -> pd.Series:
    """Identifiers and labels as text; full-width padding (北　京) and footnote markers removed."""
    out = []
    for cell, row in zip(cells, rows):
        key = _as_key(cell)
        if key is not None and not (key.isascii() and key[-1] not in "*#"):
            key, marker = _split_marker(clean_name(key), _SYMBOL_MARKER)
            if marker:
                rules.notes.append(f"footnote marker {marker!r} removed from {key!r} in column {name!r}, row {row}")
        out.append(key)
    return pd.Series(out, dtype="str")


def _base(unit: str) -> tuple[str, float]:
    """``"万人"`` -> ``("人", 1e4)``; units without a 万/亿 prefix are their own base."""
    for prefix, scale in SCALES.items():
        if unit.startswith(prefix) and len(unit) > 1:
            return unit[len(prefix):], scale
    return unit, 1.0


def _units(name, values, cell_units, cells, rows, rules: _Rules):
    """One unit for a column: refuse ambiguous mixes, rescale 万/亿 when asked."""
    hint = rules.units.get(str(name), "")
    numeric = [i for i, v in enumerate(values) if not math.isnan(v)]
    units = [cell_units[i] or hint for i in numeric]
    found = sorted(set(units) - {""})
    if not found:
        return values, ""

    def show(unit):
        return _show([(rows[i], str(name), str(cells[i])) for i, u in zip(numeric, units) if u == unit], 5)

    scaled = [u for u in found if u in _RATIO_UNITS or _base(u)[1] != 1.0]
    if "" in units and scaled:
        raise InputError(
            f"column {name!r} mixes units: numbers in {scaled[0]} ({show(scaled[0])}) and numbers without a "
            f"unit ({show('')}); the bare numbers could be in {scaled[0]} or not, so the column has no safe "
            "reading. Write the unit in every cell (or give it once in a unit row such as '单位：万人'), or "
            "convert the column to one unit in the file."
        )
    if len(found) > 1 and not (rules.convert_units and len({_base(u)[0] for u in found}) == 1 and not any(
        u in _RATIO_UNITS for u in found
    )):
        mixed = "; ".join(f"{u}: {show(u)}" for u in found)
        raise InputError(
            f"column {name!r} mixes units {found} ({mixed}). Convert the cells to one unit in the file"
            + ("; or pass convert_units=True to rescale 万 and 亿 to the base unit." if len(
                {_base(u)[0] for u in found}) == 1 and not any(u in _RATIO_UNITS for u in found) else ".")
        )
    unit = found[0]
    if not rules.convert_units or all(_base(u)[1] == 1.0 for u in found):
        return values, unit
    out = list(values)
    for i, u in zip(numeric, units):
        out[i] = round(values[i] * _base(u or unit)[1], 6)
    base = _base(unit)[0]
    rules.notes.append(f"column {name!r} converted from {', '.join(found)} to {base} (convert_units=True)")
    return out, base


def _convert(name: str, cells: list, rows: list[int], rules: _Rules):
    """Convert one column; returns (series values, unit, bad cells)."""
    cells = [None if isinstance(c, str) and c.strip() in rules.na else c for c in cells]
    texts = [k for k in map(_as_key, cells) if k is not None]
    if str(name).strip().lower() in rules.keys or _looks_like_codes(texts):
        return _key_column(name, cells, rows, rules), "", []
    values, cell_units, bad, marks = [], [], [], []
    for cell, row in zip(cells, rows):
        try:
            value, unit, marker = _parse(cell, rules.decimal)
        except ValueError:
            bad.append((row, str(name), str(cell)))
            value, unit, marker = math.nan, "", ""
        values.append(value)
        cell_units.append(unit)
        if marker:
            marks.append(f"footnote marker {marker!r} in column {name!r}, row {row} ({str(cell).strip()!r} read as {value:g})")
    parsed = sum(not math.isnan(v) for v in values)
    if bad and parsed < len(bad):  # mostly text: a label column, not a damaged number column
        return _key_column(name, cells, rows, rules), "", []
    rules.notes.extend(marks)
    values, unit = _units(name, values, cell_units, cells, rows, rules)
    array = np.asarray(values, dtype=float)
    if len(array) and not np.isnan(array).any() and np.all(array == np.round(array)) and np.all(
        np.abs(array) < 2**53
    ):
        return pd.Series(array.astype(np.int64)), unit, bad
    return pd.Series(array), unit, bad


def _frame(header: list, body: list[list], rows: list[int], rules: _Rules) -> pd.DataFrame:
    names = []
    for i, h in enumerate(header):
        label = _as_key(h) or f"unnamed_{i + 1}"
        names.append(label)
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(f"the header repeats the column name(s) {dup}; give every column a distinct name.")
    columns, units, bad = {}, {}, []
    for j, name in enumerate(names):
        series, unit, column_bad = _convert(name, [r[j] for r in body], rows, rules)
        columns[name] = series
        bad += column_bad
        if unit:
            units[name] = unit
    if bad:
        per_row = Counter(r for r, _, _ in bad)
        texty = [r for r, n in per_row.items() if n >= 2 and n == max(per_row.values())][:5]
        hint = (f" Rows {texty} are text across the number columns: if they are a title, unit or second "
                "header row, pass header=<0-based row of the header> or skiprows=<rows to skip>." if texty else "")
        raise InputError(
            f"{len(bad)} cell(s) are neither numbers nor missing-value placeholders: {_show(bad)}. "
            f"Correct them, or pass na_values=[...] if they mean 'missing' "
            f"(already treated as missing: {sorted(PLACEHOLDERS - {''})} and empty cells).{hint}"
        )
    frame = pd.DataFrame(columns)
    frame.attrs["units"] = units
    return frame


def _nbs(grid: list[list], rownums: list[int], na) -> pd.DataFrame:
    """The data.stats.gov.cn export ('分省年度数据') as a long table (region, year, indicator...)."""
    meta, i = {}, 0
    while i < len(grid) and (m := _META.match(str(grid[i][0] or "").strip())):
        meta[m["key"]] = m["value"].strip()
        i += 1
    if i == len(grid):
        raise InputError("the NBS export has metadata lines but no table: expected a header such as 地区,2022年,2021年")
    header = [_as_key(h) or "" for h in grid[i]]
    kind = header[0]
    if kind not in {"地区", "指标"}:
        raise InputError(
            f"the NBS export's header starts with {kind!r}; supported layouts put 地区 (regions as rows, "
            "one 指标) or 指标 (indicators as rows, one 地区) in the first column, years in the others."
        )
    years = {}
    for j, h in enumerate(header[1:], start=1):
        if h and (m := _YEAR.match(h)):
            years[j] = int(m["year"])
        elif h:
            raise InputError(f"NBS export: column header {h!r} (row {rownums[i]}) is not a year such as '2022年'.")
    records, bad, notes, marks = [], [], [], []
    for row, num in zip(grid[i + 1 :], rownums[i + 1 :]):
        label = _as_key(row[0])
        if notes or (label and _NOTE.match(label)):
            notes.append(" ".join(str(c) for c in row if c is not None).strip())
            continue
        if label is None:
            continue
        for j, year in years.items():
            cell = row[j] if j < len(row) else None
            cell = None if isinstance(cell, str) and cell.strip() in na else cell
            try:
                value, _unit, marker = _parse(cell)
            except ValueError:
                bad.append((num, header[j], str(cell)))
                value, marker = math.nan, ""
            if marker:
                marks.append(f"footnote marker {marker!r} in column {header[j]!r}, row {num}")
            records.append((label, year, value))
    if bad:
        raise InputError(f"NBS export: {len(bad)} cell(s) are not numbers: {_show(bad)}. Correct them in the file.")
    long = pd.DataFrame(records, columns=["label", "year", "value"])
    if kind == "地区":
        name = meta.get("指标") or "value"
        out = long.rename(columns={"label": "region", "value": name})
    else:
        if "地区" not in meta:
            raise InputError("NBS export with indicators as rows needs a '地区：<region>' line above the table.")
        out = long.pivot(index="year", columns="label", values="value").reset_index()
        out.columns.name = None
        out.insert(0, "region", meta["地区"])
    out["region"] = out["region"].astype("str")
    out.attrs.update({"layout": "nbs", "meta": meta, "notes": [n for n in notes if n] + marks})
    return out.reset_index(drop=True)


def _value_or_text(cell, decimal):
    """A number where the cell reads as one (markers dropped), else the cell as given."""
    try:
        value = _parse(cell, decimal)[0]
    except ValueError:
        return cell
    return int(value) if value.is_integer() else value


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


_COMMA_DECIMAL = re.compile(r"[+-]?(?:0,\d+|\d+,(?:\d{1,2}|\d{4,})|\d{1,3}(?:\.\d{3})+,\d+)")
_DOT_DECIMAL = re.compile(r"[+-]?(?:0?\.\d+|\d*\.(?:\d{1,2}|\d{4,})|\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?|\d{1,3}(?:,\d{3})+\.\d+)")
_EITHER = re.compile(r"[+-]?[1-9]\d{0,2},\d{3}")


def _guess_decimal(names: list, body: list[list], rows: list[int], path: Path) -> str:
    """The decimal mark of a ';'-separated file, from cells only one reading fits (0,848; 1.234,5 / 1.5;
    1,234,567): Excel in much of Europe writes ';' with decimal commas."""
    evidence = {",": [], ".": [], "?": []}
    for row, cells in zip(rows, body):
        for name, cell in zip(names, cells):
            if not isinstance(cell, str):
                continue
            text = unicodedata.normalize("NFKC", _split_marker(cell.strip())[0])
            number = re.match(r"[+-]?[\d.,]+", text)
            if not number:
                continue
            for mark, pattern in ((",", _COMMA_DECIMAL), (".", _DOT_DECIMAL), ("?", _EITHER)):
                if pattern.fullmatch(number.group(0)):
                    evidence[mark].append((row, str(name), cell))
                    break
    if evidence[","] and evidence["."]:
        raise InputError(
            f"{path}: some numbers use a decimal comma ({_show(evidence[','], 3)}) and others a decimal point "
            f"({_show(evidence['.'], 3)}); write them one way, or pass decimal=',' or decimal='.'."
        )
    if evidence[","]:
        return ","
    if evidence["?"] and not evidence["."]:
        columns = sorted({c for _, c, _ in evidence["?"]})
        raise InputError(
            f"{path}: ';'-separated, and the numbers in column(s) {columns} ({_show(evidence['?'], 3)}) read "
            "either with a decimal comma (86,600 = 86.6) or with a thousands separator (86,600 = 86600). "
            "Pass decimal=',' or decimal='.' to say which."
        )
    return "."


def _header_rows(header, skiprows) -> list[int] | None:
    """``header=`` (0-based, after ``skiprows``) as 1-based row numbers of the file."""
    if header is None:
        return None
    rows = [header] if isinstance(header, int) and not isinstance(header, bool) else header
    if (not isinstance(rows, (list, tuple)) or not 1 <= len(rows) <= 2
            or not all(isinstance(r, int) and not isinstance(r, bool) and r >= 0 for r in rows)):
        raise InputError(f"header={header!r}: give the 0-based row of the header (e.g. header=2), or two "
                         "consecutive rows for a two-row header (e.g. header=[2, 3]).")
    if len(rows) == 2 and rows[1] != rows[0] + 1:
        raise InputError(f"header={header!r}: the two header rows must be consecutive.")
    return [skiprows + r + 1 for r in rows]


def _check_options(decimal, national, skiprows, convert_units):
    if decimal not in (None, ".", ","):
        raise InputError(f"decimal={decimal!r}: use decimal='.' or decimal=',' (or leave it out to detect it).")
    if national not in ("drop", "keep"):
        raise InputError(f"national={national!r}: use national='drop' (the default) or national='keep'.")
    if not isinstance(skiprows, int) or isinstance(skiprows, bool) or skiprows < 0:
        raise InputError(f"skiprows={skiprows!r}: give the number of leading rows to skip (0 or more).")
    if not isinstance(convert_units, bool):
        raise InputError(f"convert_units={convert_units!r}: use True or False.")


def _report(table: pd.DataFrame, path: Path) -> None:
    """One warning listing what was set aside or changed while reading (also kept in ``table.attrs``)."""
    dropped = table.attrs.get("dropped_rows", [])
    changes = [n for n in table.attrs.get("notes", []) if n.startswith(("footnote marker", "column", "UTF-16"))]
    if not dropped and not changes:
        return
    parts = [f"row {r} ({why}): {t[:40]!r}" for r, t, why in dropped[:8]]
    parts += [f"... and {len(dropped) - 8} more rows" for _ in [0] if len(dropped) > 8]
    parts += changes[:8] + [f"... and {len(changes) - 8} more notes" for _ in [0] if len(changes) > 8]
    warnings.warn(f"read_table({path.name}): " + "; ".join(parts) + " (all listed in table.attrs).",
                  SpatialClusterWarning, stacklevel=3)


def read_table(path, *, sheet=None, encoding=None, sep=None, keys=(), na_values=(), header=None, skiprows=0,
               decimal=None, convert_units=False, national="drop") -> pd.DataFrame:
    """Read an indicator table from CSV, Excel (.xlsx), a yearbook sheet or a data.stats.gov.cn export.

    Parameters
    ----------
    path : str or Path
        ``.csv``/``.txt``/``.tsv`` or ``.xlsx``. A file whose first line is ``数据库：…`` is
        read as the export of the National Bureau of Statistics' database
        (https://data.stats.gov.cn, e.g. "分省年度数据"): metadata lines ``指标：…`` and
        ``时间：…``, a header ``地区,2022年,2021年,…``, one row per province, then footnotes
        (``注：…``, ``数据来源：国家统计局``). It becomes a long table with columns ``region``,
        ``year`` and one value column named after the indicator (e.g. ``地区生产总值(亿元)``);
        the metadata and footnotes are kept in ``table.attrs``. A sheet as exported from a
        statistical yearbook (title and unit rows above the header, a two-row header of
        indicators over years, a national row, footnote rows) is laid out by
        :mod:`spatialcluster.io.yearbook`: a two-row header with years below becomes a long
        table (``year`` column, one column per indicator), any other two-row header gives
        ``indicator_sub`` names.
    sheet : str or int, optional
        Excel sheet (name, or 0-based position); required when the workbook has several
        non-empty sheets.
    encoding : str, optional
        Text encoding of a CSV file. By default a UTF-8 byte-order mark is honoured, UTF-16
        is recognised with or without its mark, then UTF-8 and GB18030 are tried in turn; the
        one used is in ``table.attrs["encoding"]``.
    sep : str, optional
        CSV delimiter; by default the most frequent of comma, tab and semicolon.
    keys : sequence of str
        Further columns to keep as text (identifiers), in addition to the recognised ones.
    na_values : sequence of str
        Further cell texts meaning "missing", in addition to :data:`PLACEHOLDERS`.
    header : int or list of two int, optional
        0-based row of the header (counting blank rows, after ``skiprows``), or two consecutive
        rows of a two-row header; by default the header is found below any title and unit rows.
    skiprows : int
        Rows at the top of the file to ignore.
    decimal : {None, ".", ","}
        Decimal mark. By default ``","`` for a ``;``-separated CSV whose numbers only read with
        a decimal comma (``0,848``, ``1.234,5``), else ``"."``; a ``;``-separated file whose
        every comma could be either (``86,600``) is refused until ``decimal`` says which.
    convert_units : bool
        Rescale ``万`` and ``亿`` units to their base unit (``万人`` -> persons, ``亿元`` -> yuan);
        ``%`` stays ``%``. Units (from the cells, a unit row ``单位：万人`` or the header
        ``地区生产总值（亿元）``) are recorded in ``table.attrs["units"]`` either way.
    national : {"drop", "keep"}
        The row of national totals (``全国``, ``全　国``) is dropped by default, with a warning;
        its values stay in ``table.attrs["national"]``.

    Returns
    -------
    pandas.DataFrame
        Numbers as int64/float64 columns, identifiers and labels as strings. ``attrs`` holds
        ``units``, ``notes`` (footnotes, removed footnote markers, conversions), ``dropped_rows``
        (row number, text, why), ``title``, ``national``, ``encoding``, ``decimal``, ``source``.

    Warns
    -----
    SpatialClusterWarning
        When rows were dropped (national, footnotes) or cells changed (footnote markers removed,
        units converted); the same list is in ``table.attrs``.

    Raises
    ------
    InputError
        Missing file, unsupported extension, undecodable text, formula cells without stored
        values, ambiguous decimal marks or units, or cells that are neither numbers nor
        placeholders (each listed by row, column and text).
    """
    path = Path(path)
    _check_options(decimal, national, skiprows, convert_units)
    header_rows = _header_rows(header, skiprows)
    if not path.exists():
        raise InputError(f"table file not found: {path} (absolute: {path.resolve()}).")
    suffix = path.suffix.lower()
    used, used_sep = None, None
    if suffix in {".csv", ".txt", ".tsv"}:
        grid, used, used_sep = csv_grid(path, encoding, "\t" if suffix == ".tsv" and sep is None else sep)
    elif suffix in {".xlsx", ".xlsm"}:
        grid = excel_grid(path, sheet)
    elif suffix == ".xls":
        raise InputError(f"{path}: legacy .xls workbooks are not supported; save the sheet as .xlsx or .csv.")
    else:
        raise InputError(f"{path}: unsupported table format {suffix!r}; use .csv, .tsv, .txt or .xlsx.")
    numbered = [(i + 1, r) for i, r in enumerate(grid) if i >= skiprows and not all(_blank(c) for c in r)]
    if not numbered:
        raise InputError(f"{path}: the table is empty" + (f" after skipping {skiprows} rows." if skiprows else "."))
    rownums, grid = [n for n, _ in numbered], [r for _, r in numbered]
    width = max(len(r) for r in grid)
    grid = [[None if _blank(c) else c for c in r] + [None] * (width - len(r)) for r in grid]
    na = PLACEHOLDERS | frozenset(na_values)
    if header_rows is None and _META.match(str(grid[0][0] or "").strip()) and str(grid[0][0]).lstrip().startswith("数据库"):
        table = _nbs(grid, rownums, na)
    else:
        # columns empty from top to bottom are trailing separators, not data
        used_cols = [j for j in range(width) if any(r[j] is not None for r in grid)]
        grid = [[r[j] for j in used_cols] for r in grid]
        keys = KEY_NAMES | {str(k).strip().lower() for k in keys}
        layout = yearbook.split(grid, rownums, keys=keys, header=header_rows, national=national)
        if decimal is None:
            decimal = _guess_decimal(layout.names, layout.body, layout.rows, path) if used_sep == ";" else "."
        rules = _Rules(keys=keys, na=na, decimal=decimal, convert_units=convert_units, units=layout.units,
                       notes=list(layout.notes))
        table = _frame(layout.names, layout.body, layout.rows, rules)
        national_row = None if layout.national is None else {
            name: _value_or_text(cell, decimal) for name, cell in layout.national.items()}
        table.attrs.update({"notes": rules.notes, "dropped_rows": layout.dropped, "title": layout.title,
                            "national": national_row, "decimal": decimal})
        if layout.years:
            table = yearbook.to_long(table, layout.years)
        if convert_units:
            table = yearbook.rename_converted(table)
    if used and used.startswith("utf-16-"):
        table.attrs.setdefault("notes", []).append(f"UTF-16 text without a byte-order mark, read as {used}")
    table.attrs.update({"source": str(path), "encoding": used})
    _report(table, path)
    return table
