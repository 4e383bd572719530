"""Reading indicator tables: CSV, Excel and the data.stats.gov.cn export layout.

Tables are read cell by cell as text (never through a type guesser that would turn the
code 110000 into 110000.0 or drop the leading zero of a FIPS code) and then converted
column by column with one set of rules:

* key columns (names such as ``code``, ``adcode``, ``id``, ``地区``, ``代码``) and digit strings
  with a leading zero or shaped like 6-digit administrative codes stay strings;
* numbers stored as text are converted: thousands separators, full-width digits and
  punctuation, and one trailing unit (Chinese units such as ``万人``, ``亿元``, ``元/人``,
  ``%``, ``‰``, a few Latin ones such as ``km2``) are accepted; the unit is recorded in
  ``table.attrs["units"]`` and is never used to rescale;
* the placeholders in :data:`PLACEHOLDERS` become missing values, deliberately;
* a column that is mostly numbers but has other text is an error listing those cells.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from numbers import Real
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import InputError
from .names import _PREFIXES

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


def _show(cells: list[tuple[int, str, str]], limit: int = 20) -> str:
    shown = "; ".join(f"row {r}, column {c!r}: {t!r}" for r, c, t in cells[:limit])
    return shown + (f"; ... and {len(cells) - limit} more" if len(cells) > limit else "")


def parse_number(cell) -> tuple[float, str]:
    """Parse one cell into ``(value, unit)``; placeholders give ``(nan, "")``.

    Raises
    ------
    ValueError
        When the cell is text that is neither a number (with an optional trailing unit)
        nor a placeholder.

    Examples
    --------
    >>> parse_number("1,234.5万人"), parse_number("１２％"), parse_number("—")
    ((1234.5, '万人'), (12.0, '%'), (nan, ''))
    """
    if cell is None:
        return math.nan, ""
    if isinstance(cell, Real) and not isinstance(cell, bool):
        return float(cell), ""
    text = unicodedata.normalize("NFKC", str(cell)).strip().replace("\u2212", "-")
    if text in _PLACEHOLDERS_NFKC:
        return math.nan, ""
    match = _NUMBER.fullmatch(text)
    if not match:
        raise ValueError(text)
    return float(match["num"].replace(",", "")), match["unit"] or ""


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


def _convert(name: str, cells: list, rows: list[int], keys: frozenset, na: frozenset):
    """Convert one column; returns (series values, unit, bad cells)."""
    cells = [None if isinstance(c, str) and c.strip() in na else c for c in cells]
    texts = [k for k in map(_as_key, cells) if k is not None]
    if str(name).strip().lower() in keys or _looks_like_codes(texts):
        return pd.Series([_as_key(c) for c in cells], dtype="str"), "", []
    values, units, bad = [], {}, []
    for cell, row in zip(cells, rows):
        try:
            value, unit = parse_number(cell)
        except ValueError:
            bad.append((row, str(name), str(cell)))
            value, unit = math.nan, ""
        values.append(value)
        if unit:
            units.setdefault(unit, []).append((row, str(name), str(cell)))
    parsed = sum(not math.isnan(v) for v in values)
    if bad and parsed < len(bad):  # mostly text: a label column, not a damaged number column
        return pd.Series([_as_key(c) for c in cells], dtype="str"), "", []
    if len(units) > 1:
        mixed = [cell for group in units.values() for cell in group]
        raise InputError(
            f"column {name!r} mixes units {sorted(units)}: {_show(mixed)}. Convert the cells to one "
            "unit in the file; the package never rescales numbers by their unit."
        )
    array = np.asarray(values, dtype=float)
    if len(array) and not np.isnan(array).any() and np.all(array == np.round(array)) and np.all(
        np.abs(array) < 2**53
    ):
        return pd.Series(array.astype(np.int64)), next(iter(units), ""), bad
    return pd.Series(array), next(iter(units), ""), bad


def _frame(header: list, body: list[list], rows: list[int], keys, na) -> pd.DataFrame:
    names = []
    for i, h in enumerate(header):
        label = _as_key(h) or f"unnamed_{i + 1}"
        names.append(label)
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(f"the header repeats the column name(s) {dup}; give every column a distinct name.")
    columns, units, bad = {}, {}, []
    for j, name in enumerate(names):
        series, unit, column_bad = _convert(name, [r[j] for r in body], rows, keys, na)
        columns[name] = series
        bad += column_bad
        if unit:
            units[name] = unit
    if bad:
        raise InputError(
            f"{len(bad)} cell(s) are neither numbers nor missing-value placeholders: {_show(bad)}. "
            f"Correct them, or pass na_values=[...] if they mean 'missing' "
            f"(already treated as missing: {sorted(PLACEHOLDERS - {''})} and empty cells)."
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
    records, bad, notes = [], [], []
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
                value, _unit = parse_number(cell)
            except ValueError:
                bad.append((num, header[j], str(cell)))
                value = math.nan
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
    out.attrs.update({"layout": "nbs", "meta": meta, "notes": [n for n in notes if n]})
    return out.reset_index(drop=True)


def _decode(raw: bytes, encoding: str | None, path: Path) -> tuple[str, str]:
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(f"{path}: cannot be decoded as {encoding!r} ({exc}).") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    for candidate in ("utf-8", "gb18030"):
        try:
            return raw.decode(candidate), candidate
        except UnicodeDecodeError:
            pass
    raise InputError(f"{path}: neither UTF-8 nor GB18030 text; pass encoding='...' (the file's encoding).")


def _csv_grid(path: Path, encoding: str | None, sep: str | None) -> tuple[list[list], str]:
    text, used = _decode(path.read_bytes(), encoding, path)
    lines = text.splitlines()
    if sep is None:
        counts = {s: sum(s in line for line in lines) for s in (",", "\t", ";")}
        sep = max(counts, key=counts.get)
    return list(csv.reader(io.StringIO(text), delimiter=sep)), used


def _excel_grid(path: Path, sheet) -> list[list]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for damaged files
        raise InputError(f"{path}: not a readable .xlsx workbook ({exc}).") from None
    try:
        grids = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    finally:
        book.close()
    filled = [t for t, g in grids.items() if any(c not in (None, "") for r in g for c in r)]
    if sheet is None:
        if len(filled) != 1:
            raise InputError(
                f"{path}: {len(filled)} non-empty sheets {filled}; choose one with sheet='<name>'."
            )
        sheet = filled[0]
    if isinstance(sheet, int):
        sheet = list(grids)[sheet]
    if sheet not in grids:
        raise InputError(f"{path}: no sheet {sheet!r}; sheets are {list(grids)}.")
    return grids[sheet]


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def read_table(path, *, sheet=None, encoding=None, sep=None, keys=(), na_values=()) -> pd.DataFrame:
    """Read an indicator table from CSV, Excel (.xlsx) or a data.stats.gov.cn export.

    Parameters
    ----------
    path : str or Path
        ``.csv``/``.txt``/``.tsv`` or ``.xlsx``. A file whose first line is ``数据库：…`` is
        read as the export of the National Bureau of Statistics' database
        (https://data.stats.gov.cn, e.g. "分省年度数据"): metadata lines ``指标：…`` and
        ``时间：…``, a header ``地区,2022年,2021年,…``, one row per province, then footnotes
        (``注：…``, ``数据来源：国家统计局``). It becomes a long table with columns ``region``,
        ``year`` and one value column named after the indicator (e.g. ``地区生产总值(亿元)``);
        the metadata and footnotes are kept in ``table.attrs``.
    sheet : str or int, optional
        Excel sheet; required when the workbook has several non-empty sheets.
    encoding : str, optional
        Text encoding of a CSV file. By default a UTF-8 byte-order mark is honoured, then
        UTF-8 and GB18030 are tried in turn; the one used is in ``table.attrs["encoding"]``.
    sep : str, optional
        CSV delimiter; by default the most frequent of comma, tab and semicolon.
    keys : sequence of str
        Further columns to keep as text (identifiers), in addition to the recognised ones.
    na_values : sequence of str
        Further cell texts meaning "missing", in addition to :data:`PLACEHOLDERS`.

    Returns
    -------
    pandas.DataFrame
        Numbers as int64/float64 columns, identifiers and labels as strings.

    Raises
    ------
    InputError
        Missing file, unsupported extension, undecodable text, or cells that are neither
        numbers nor placeholders (each listed by row, column and text).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"table file not found: {path} (absolute: {path.resolve()}).")
    suffix = path.suffix.lower()
    used = None
    if suffix in {".csv", ".txt", ".tsv"}:
        grid, used = _csv_grid(path, encoding, "\t" if suffix == ".tsv" and sep is None else sep)
    elif suffix in {".xlsx", ".xlsm"}:
        grid = _excel_grid(path, sheet)
    elif suffix == ".xls":
        raise InputError(f"{path}: legacy .xls workbooks are not supported; save the sheet as .xlsx or .csv.")
    else:
        raise InputError(f"{path}: unsupported table format {suffix!r}; use .csv, .tsv, .txt or .xlsx.")
    numbered = [(i + 1, r) for i, r in enumerate(grid) if not all(_blank(c) for c in r)]
    if not numbered:
        raise InputError(f"{path}: the table is empty.")
    rownums, grid = [n for n, _ in numbered], [r for _, r in numbered]
    width = max(len(r) for r in grid)
    grid = [[None if _blank(c) else c for c in r] + [None] * (width - len(r)) for r in grid]
    na = PLACEHOLDERS | frozenset(na_values)
    if _META.match(str(grid[0][0] or "").strip()) and str(grid[0][0]).lstrip().startswith("数据库"):
        table = _nbs(grid, rownums, na)
    else:
        # columns empty from top to bottom are trailing separators, not data
        used_cols = [j for j in range(width) if any(r[j] is not None for r in grid)]
        grid = [[r[j] for j in used_cols] for r in grid]
        keys = KEY_NAMES | {str(k).strip().lower() for k in keys}
        table = _frame(grid[0], grid[1:], rownums[1:], keys, na)
    table.attrs.update({"source": str(path), "encoding": used})
    return table
