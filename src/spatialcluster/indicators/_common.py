"""Validation shared by the indicators: non-negative columns, region x industry tables."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._errors import InputError
from .._validate import _names
from .._validate import column as _column


def plain(data: pd.DataFrame) -> pd.DataFrame:
    """``data`` without its geometry column (a plain DataFrame is returned as is)."""
    return data.drop(columns=[data.geometry.name]) if hasattr(data, "geometry") else data


def numeric(data: pd.DataFrame, name: str, *, nonnegative: bool = True) -> pd.Series:
    """One complete numeric column (shared validation), refusing negatives by region."""
    values = pd.Series(_column(data, name, allow_constant=True), index=data.index)
    if nonnegative and (values < 0).any():
        raise InputError(
            f"column {name!r} is negative for regions {_names(data.index[values < 0])}; "
            "this indicator is defined for non-negative quantities (employment, output, population, income)."
        )
    return values


def require_columns(table: pd.DataFrame, names: Sequence[str]) -> None:
    for name in names:
        if name not in table.columns:
            raise InputError(f"column {name!r} is not in the table; columns are {list(table.columns)}.")


def long_to_wide(table: pd.DataFrame, region: str, industry: str, value: str) -> pd.DataFrame:
    """Long region x industry rows -> a region x industry table (absent combinations count as zero)."""
    require_columns(table, (region, industry))
    r_codes, regions = pd.factorize(table[region].astype(str), sort=True)
    i_codes, industries = pd.factorize(table[industry].astype(str), sort=True)

    def labels() -> pd.Index:  # "region / industry", built only for an error message
        return pd.Index(table[region].astype(str) + " / " + table[industry].astype(str))

    vals = pd.to_numeric(table[value], errors="coerce") if value in table.columns else None
    if vals is None or vals.isna().any() or (vals < 0).any():
        numeric(table.set_index(labels()), value)  # raises, naming the rows
    key = r_codes.astype(np.int64) * len(industries) + i_codes
    dup = pd.Series(key).duplicated(keep=False).to_numpy()
    if dup.any():
        raise InputError(
            f"duplicate region x industry rows: {_names(labels()[dup].unique())}; "
            "aggregate them first (e.g. table.groupby([region, industry]).sum())."
        )
    wide = np.zeros((len(regions), len(industries)))
    wide[r_codes, i_codes] = vals.to_numpy(dtype=np.float64)
    return pd.DataFrame(wide, index=pd.Index(regions), columns=pd.Index(industries))


def industry_matrix(
    table: pd.DataFrame,
    region: str | None = None,
    industry: str | None = None,
    value: str | None = None,
    industries: Sequence[str] | None = None,
) -> pd.DataFrame:
    """A region x industry table of non-negative values from the long or the wide layout.

    Long: ``region``, ``industry`` and ``value`` columns, one row per region and industry. Wide:
    indexed by region, one column per industry (or the ``industries`` named). Regions and
    industries whose total is zero are refused by name: every share would be undefined.
    """
    if region is not None or industry is not None or value is not None:
        if None in (region, industry, value):
            raise InputError("the long form needs region=, industry= and value= (column names).")
        wide = long_to_wide(table, region, industry, value)
    else:
        frame = plain(table)
        cols = list(industries) if industries is not None else list(frame.columns)
        if not cols:
            raise InputError("no industry columns: pass a region x industry table or industries=[...].")
        wide = pd.DataFrame({c: numeric(frame, c) for c in cols}, index=frame.index)
        wide.index = wide.index.astype(str)
    wide.index.name, wide.columns.name = "region", "industry"
    region_tot, industry_tot = wide.sum(axis=1), wide.sum(axis=0)
    if (region_tot == 0).any():
        raise InputError(
            f"regions with zero total across industries: {_names(wide.index[region_tot == 0])}; "
            "their shares are undefined, drop them."
        )
    if (industry_tot == 0).any():
        raise InputError(
            f"industries with zero total across regions: {_names(wide.columns[industry_tot == 0])}; "
            "their shares are undefined, drop them."
        )
    return wide


def frame_record(frame: pd.DataFrame, columns: Sequence[str], digits: int = 6) -> dict:
    """``{row: {column: value}}`` of a small table as plain JSON-able floats (NaN -> None)."""
    out = {}
    for idx, row in frame[list(columns)].iterrows():
        out[str(idx)] = {c: (None if pd.isna(v) else (round(float(v), digits) if isinstance(v, (float, np.floating))
                                                     else v.item() if hasattr(v, "item") else v))
                         for c, v in row.items()}
    return out


def panel_index(data: pd.DataFrame, time: str | None, id: str | None) -> tuple[pd.Index, pd.DataFrame]:
    """The result index (region ids, or (region, period) for a long panel) and ``data`` relabelled
    ``"region @ period"`` so that error messages name region and period; duplicates are refused."""
    if time is None:
        index, work = data.index, data
    else:
        if time not in data.columns:
            raise InputError(f"time column {time!r} is not in the data.")
        ids = data[id] if id is not None else data.index.to_series()
        index = pd.MultiIndex.from_arrays([ids.astype(str).to_numpy(), data[time].to_numpy()],
                                          names=[id or data.index.name or "region", time])
        work = data.set_index(pd.Index([f"{r} @ {t}" for r, t in index]))
    if work.index.has_duplicates:
        raise InputError(f"duplicate region ids{'' if time is None else ' x periods'}: "
                         f"{_names(work.index[work.index.duplicated()].unique())}.")
    return index, work
