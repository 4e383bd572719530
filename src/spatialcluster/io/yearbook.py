"""Statistical-yearbook sheets as they are exported, read without hand edits.

A provincial table from the China Statistical Yearbook or a provincial yearbook, saved as CSV or
.xlsx, typically looks like this::

    2-8 各地区年末常住人口                      <- title row
                                单位：万人       <- unit row
    地区       年末常住人口                     <- two-row header: indicator ...
               2020     2021     2022         <- ... over year (merged cells)
    全　国     141212   141260   141175       <- national row
    北　京     2189     2189①    2184         <- names padded with full-width spaces, footnote markers
    ...
    注：①为修订数。                              <- footnote rows
    数据来源：国家统计局

:func:`split` finds the header below the title and unit rows, joins a two-row header, takes the
unit from the unit row or from the header (``地区生产总值（亿元）``), and sets the national and
footnote rows aside; :func:`spatialcluster.read_table` converts the cells and, when the lower
header row holds years, reshapes the table to long (one row per region and year, a ``year``
column and one column per indicator), the layout :func:`spatialcluster.join` takes as a panel.
A lower header row that is not years gives flat names ``indicator_sub``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from .._errors import InputError
from .names import clean_name

_UNIT = r"[%‰]|[\u4e00-\u9fff]+(?:/[\u4e00-\u9fff]+)?|(?i:km2|km|m2|kg|ha|kwh|usd|cny|rmb|yuan)"
_UNIT_ROW = re.compile(r"^[(（]?\s*(?:计量)?单位\s*[：:]\s*(?P<unit>" + _UNIT + r")\s*[)）]?$")
_HEADER_UNIT = re.compile(r"[(（]\s*(?P<unit>" + _UNIT + r")\s*[)）]\s*$")
_NOTE = re.compile(r"^(?:注|数据来源|资料来源|说明|备注|附注)\s*\d*\s*[：:]|^[\u2460-\u2473*＊†‡]")
_YEAR = re.compile(r"^(?P<year>(?:19|20)\d{2})\s*年?$")
_NUMBERISH = re.compile(r"^[+-]?[\d.,\s%‰]+$")
#: First-column labels of the row of national totals (compared without spaces, case-folded).
NATIONAL = frozenset({"全国", "全国合计", "全国总计", "national", "nationaltotal", "nationwide", "china total"})
_NATIONAL_FIRST = frozenset(w[0] for w in NATIONAL) | {"\uff4e", "\uff43"}  # also full-width n, c
_SCAN = 12  # title, unit and note rows sit in the first few rows


@dataclass
class Layout:
    """Where a yearbook sheet's parts are; rows are 1-based row numbers of the file."""

    names: list
    body: list
    rows: list
    units: dict = field(default_factory=dict)
    title: str | None = None
    notes: list = field(default_factory=list)
    dropped: list = field(default_factory=list)  # (row, text, why)
    national: dict | None = None
    years: dict | None = None  # wide column -> (indicator, year), for the reshape to long


def _text(cell) -> str:
    """A cell as the user wrote it (names and notes keep full-width brackets)."""
    return "" if cell is None else str(cell).strip()


def _norm(cell) -> str:
    """A cell for pattern matching: full-width forms folded (NFKC)."""
    return unicodedata.normalize("NFKC", _text(cell))


def _is_national(cell) -> bool:
    if not isinstance(cell, str) or cell.strip()[:1].lower() not in _NATIONAL_FIRST:
        return False  # the quick test for the many rows that are regions
    text = re.sub(r"\s+", "", _norm(cell)).lower()
    return text in NATIONAL or re.sub(r"[^a-z]", "", text) in NATIONAL


def _preamble(row, keys) -> tuple[str | None, str | None] | None:
    """(title, unit) when the row is a title, unit or caption row above the header; else None."""
    cells = [(j, c) for j, c in enumerate(row) if c is not None]
    units = [m["unit"] for _, c in cells if (m := _UNIT_ROW.match(_norm(c)))]
    other = [(j, c) for j, c in cells if not _UNIT_ROW.match(_norm(c))]
    if len(other) > 1 or not (units or other):
        return None
    if other:
        j, cell = other[0]
        text = _text(cell)
        # a lone first-column label that is a column name ("name", "code") or a number is data or header
        if j != 0 or not isinstance(cell, str) or text.lower() in keys or _NUMBERISH.match(_norm(text)):
            return None
        return text, units[0] if units else None
    return None, units[0]


def _find_header(grid, keys) -> tuple[int, str | None, str | None, list]:
    """Index of the header row below title/unit rows (0 when there are none or the guess is unsafe)."""
    if len(grid[0]) < 2:
        return 0, None, None, []
    title, unit, captions = None, None, []
    for i, row in enumerate(grid[:_SCAN]):
        found = _preamble(row, keys)
        if found is None:
            cells = [_norm(c) for c in row if c is not None]
            if i == 0 or all(_NUMBERISH.match(c) for c in cells):
                return 0, None, None, []  # no preamble, or the row below it is data: keep row 1 as header
            return i, title, unit, captions
        text, row_unit = found
        if text and title:
            captions.append(text)
        title = title or text
        unit = row_unit or unit
    return 0, None, None, []


def _lower_header(upper, lower) -> str | None:
    """What the row under the header is: 'units' (万人, 亿元 per column), 'two-row' (merged cells), or None."""
    if lower[0] is not None or all(c is None for c in lower[1:]):
        return None
    filled = [_norm(c) for c in lower[1:] if c is not None]
    if all(re.fullmatch(_UNIT, c) for c in filled) and not all(_YEAR.match(c) for c in filled):
        return "units"
    if any(upper[j] is None and lower[j] is not None for j in range(1, len(upper))):
        return "two-row"
    return None


def _names(upper, lower):
    """Flatten a two-row header: the upper label spans the blank cells to its right.

    Returns the names, the upper label of each, and {name: (indicator, year)} when every lower
    label is a year (else None).
    """
    names, uppers, years, current = [], [], {}, None
    for j, (up, lo) in enumerate(zip(upper, lower)):
        if j and up is None:
            up = current
        current = up if up is not None else current
        up, lo = clean_name(_text(up)), clean_name(_text(lo))
        name = f"{up}_{lo}" if up and lo else (up or lo)
        names.append(name)
        uppers.append(up)
        if j and lo:
            years[name] = (up, int(m["year"])) if (m := _YEAR.match(_norm(lo))) else None
    if years and all(v is not None for v in years.values()):
        return names, uppers, years
    return names, uppers, None


def split(grid: list[list], rownums: list[int], *, keys=frozenset(), header=None, national="drop") -> Layout:
    """Find the header, units, national row and footnotes of a sheet (see the module docstring).

    Parameters
    ----------
    grid, rownums
        The sheet's non-blank rows (cells None when blank) and their 1-based row numbers.
    keys : set of str
        Lower-case column names that are identifiers (never taken for a title).
    header : list of int, optional
        Row numbers (1-based) of a one- or two-row header, overriding the guess.
    national : {"drop", "keep"}
        Whether the national row (全国) is set aside (its values go to ``Layout.national``).
    """
    title, unit, captions = None, None, []
    if header is None:
        h, title, unit, captions = _find_header(grid, keys)
        lower = grid[h + 1] if h + 1 < len(grid) else None
        kind = _lower_header(grid[h], lower) if lower is not None else None
        span = 2 if kind else 1
    else:
        missing = [r for r in header if r not in rownums]
        if missing:
            raise InputError(f"header row {missing[0]} is blank or was skipped (skiprows); count rows from 1 = 0.")
        h, span = rownums.index(header[0]), len(header)
        kind = "two-row" if span == 2 else None
        for row in grid[:h]:
            if (found := _preamble(row, keys)) is not None:
                title, unit = title or found[0], unit or found[1]
    upper = grid[h]
    units, years = {}, None
    if kind == "two-row":
        names, labels, years = _names(upper, grid[h + 1])
    else:
        names = labels = [clean_name(_text(c)) or None for c in upper]
        if kind == "units":
            units = {n: _norm(u) for n, u in zip(names, grid[h + 1]) if n and u is not None}
    for name, label in zip(names, labels):
        if label and (m := _HEADER_UNIT.search(_norm(label))):
            units[name] = m["unit"]
        elif name and unit and name not in units:
            units[name] = unit
    layout = Layout(names=names, body=[], rows=[], units=units, title=title, years=years)
    layout.notes += [f"caption row: {c}" for c in captions]
    in_notes = False
    for row, num in zip(grid[h + span :], rownums[h + span :]):
        filled = [c for c in row if c is not None]
        first = _text(filled[0]) if filled else ""
        if len(filled) == 1 and (in_notes or _NOTE.match(_norm(first))):
            in_notes = True
            layout.notes.append(first)
            layout.dropped.append((num, first, "footnote row"))
            continue
        if national == "drop" and _is_national(row[0]):
            layout.national = {n: c for n, c in zip(names, row) if n}
            layout.dropped.append((num, clean_name(_text(row[0])), "national row"))
            continue
        layout.body.append(row)
        layout.rows.append(num)
    return layout


def rename_converted(table: pd.DataFrame) -> pd.DataFrame:
    """After ``convert_units``, a header naming the old unit (``人口（万人）``) names the new one (``人口（人）``)."""
    units = table.attrs.get("units", {})
    renames = {}
    for column, unit in units.items():
        m = _HEADER_UNIT.search(unicodedata.normalize("NFKC", str(column)))
        if m and m["unit"] != unit:
            bracket = "（" if "（" in str(column) else "("
            renames[column] = f"{str(column)[: m.start()]}{bracket}{unit}{')' if bracket == '(' else '）'}"
    if renames:
        attrs = dict(table.attrs)
        table = table.rename(columns=renames)
        attrs["units"] = {renames.get(c, c): u for c, u in units.items()}
        table.attrs = attrs
    return table


def to_long(table: pd.DataFrame, years: dict) -> pd.DataFrame:
    """Wide ``indicator_year`` columns to one row per region and year (``year`` column, int)."""
    ids = [c for c in table.columns if c not in years]
    units = table.attrs.get("units", {})
    parts = []
    for year in sorted({y for _, y in years.values()}):
        columns = {c: ind for c, (ind, y) in years.items() if y == year}
        part = table[ids + list(columns)].rename(columns=columns)
        part.insert(len(ids), "year", year)
        part["__row"] = range(len(part))
        parts.append(part)
    # regions in the sheet's order, years ascending within each region
    long = pd.concat(parts, ignore_index=True).sort_values(["__row", "year"], kind="stable")
    indicators = list(dict.fromkeys(ind for ind, _ in years.values()))
    long = long[ids + ["year"] + indicators].reset_index(drop=True)
    long.attrs = dict(table.attrs)
    long.attrs["units"] = {ind: units[c] for c, (ind, _) in years.items() if c in units}
    return long
