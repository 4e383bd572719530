"""China's provinces as a yearly panel of official statistics (``china_provinces_panel``).

The values and the table each one comes from are listed in ``data/SOURCES.md`` (section
"china_provinces_panel.csv"). The bundled file is never filled in: a value without an official
source is missing. Interpolation exists only as an explicit, reported option of the loader.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from .._errors import InputError, SpatialClusterWarning

DATA = Path(__file__).resolve().parent / "data"
PANEL_FILE = DATA / "china_provinces_panel.csv"

#: Columns of one vintage each (see ``VINTAGES``), in the order they are returned.
PANEL_COLUMNS = (
    "urban_rate",
    "urban_pop",
    "pop",
    "gdp",
    "gdp_index",
    "va_primary",
    "va_secondary",
    "va_tertiary",
    "urban_rate_rev",
    "urban_pop_rev",
    "pop_rev",
    "pop_census",
    "gdp_first_release",
    "gdp_index_first_release",
)

#: The vintage (release) each column holds; two vintages of one quantity never share a column.
VINTAGES = {
    "urban_rate": "year-end %, NBS provincial database before the 2020-census revision (2011-2018 "
    "equal the first-release yearbook tables); where the database prints no rate, the first release of "
    "the same year (keys in data/SOURCES.md)",
    "urban_pop": "year-end urban population, 10,000 persons, same release as urban_rate",
    "pop": "year-end resident population, 10,000 persons, same release as urban_rate",
    "gdp": "GDP at current prices, 100 million yuan, NBS provincial database as revised after the "
    "4th economic census (2018)",
    "gdp_index": "real GDP index, previous year = 100, same release as gdp",
    "va_primary": "value added of the primary sector, same release as gdp",
    "va_secondary": "value added of the secondary sector, same release as gdp",
    "va_tertiary": "value added of the tertiary sector, same release as gdp",
    "urban_rate_rev": "urbanization %, release after the 2020 census: 2020 census values, revised "
    "2010-2019 year-end values, 2021-2022 year-end values",
    "urban_pop_rev": "year-end urban population, 10,000 persons (whole numbers), NBS provincial database after "
    "the 2020-census revision, 2005-2021 (2011-2019 revised; 2005-2010 equal urban_pop rounded); no rate is "
    "bundled from it: derive urban_pop_rev / pop_rev * 100 yourself (whole-10,000 rounding, up to 0.2 pp)",
    "pop_rev": "year-end resident population, 10,000 persons (whole numbers), NBS provincial database after "
    "the 2020-census revision (2011-2019 revised; 2005-2010 equal pop rounded)",
    "pop_census": "census resident population (2010, 2020), 10,000 persons",
    "gdp_first_release": "GDP at current prices as first released (early 2021), 100 million yuan",
    "gdp_index_first_release": "real GDP index as first released (early 2021), previous year = 100",
}

#: Columns the ``interpolate`` option may fill (the main, yearly series).
INTERPOLABLE = ("urban_rate", "urban_pop", "pop", "gdp", "gdp_index", "va_primary", "va_secondary", "va_tertiary",
                "urban_pop_rev", "pop_rev")


def china_provinces_panel(interpolate: bool | list[str] = False) -> pd.DataFrame:
    """Official yearly statistics of China's 31 provinces, 2005-2022, as a long table.

    Parameters
    ----------
    interpolate : bool or list of str
        ``False`` (default): only sourced values, gaps stay missing. ``True`` or a list of
        columns (from ``INTERPOLABLE``: ``urban_rate``, ``urban_pop``, ``pop``, ``gdp``, ``gdp_index``,
        ``va_*``, ``urban_pop_rev``, ``pop_rev``): fill gaps *between* two sourced years of a province linearly in the year;
        leading and trailing gaps stay missing. Filled cells are named in the column
        ``interpolated`` and reported by a :class:`~spatialcluster.SpatialClusterWarning`.

    Returns
    -------
    pandas.DataFrame
        One row per province and year with at least one value: ``code`` (6-digit string),
        ``year`` (int), the columns of ``PANEL_COLUMNS`` and ``source`` (which table each
        value comes from, ``column=KEY`` pairs; the keys are listed in ``data/SOURCES.md``).
        Units and the release (vintage) of every column are in ``VINTAGES``: the revised and
        the first-release series of a quantity are separate columns, never mixed.

    Notes
    -----
    Urbanization, population and GDP come from the NBS provincial annual database
    (国家数据, 分省年度数据) and are checked against the China Statistical Yearbook tables
    (editions 2009, 2012, 2016) and provincial releases. The 2020 columns equal
    :func:`china_facts`. See ``data/SOURCES.md`` for coverage and year-to-year outliers.

    The revised (post-census) urbanization rate for 2011-2019 is not bundled: no printed table
    of it was found, and the file holds no derived values. ``urban_pop_rev`` and ``pop_rev``
    (one release, whole 10,000s) give it as ``urban_pop_rev / pop_rev * 100``, which you derive
    explicitly; it matches the published rates to the rounding of the counts (at most
    ``50 * (urban + pop) / (pop * (pop - 0.5))`` pp, about 0.2 pp for Tibet, below 0.02 pp for
    provinces above 5,000 × 10,000 persons).
    """
    panel = pd.read_csv(PANEL_FILE, dtype={"code": str, "source": str}, encoding="utf-8")
    panel["year"] = panel["year"].astype(int)
    panel = panel.sort_values(["code", "year"], ignore_index=True)[["code", "year", *PANEL_COLUMNS, "source"]]
    if interpolate is False:
        return panel
    columns = list(INTERPOLABLE) if interpolate is True else list(interpolate)
    unknown = [c for c in columns if c not in INTERPOLABLE]
    if unknown:
        raise InputError(
            f"interpolate: {unknown} cannot be interpolated; choose from {list(INTERPOLABLE)} (the other "
            "columns hold single census or release years)"
        )
    return _interpolate(panel, columns)


def _interpolate(panel: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    # Rows for every year between a province's first and last row, so that a year missing
    # from the file altogether is filled too.
    years = range(panel["year"].min(), panel["year"].max() + 1)
    full = pd.MultiIndex.from_product([sorted(panel["code"].unique()), years], names=["code", "year"])
    out = panel.set_index(["code", "year"]).reindex(full)
    filled = pd.Series([[] for _ in range(len(out))], index=out.index)
    for col in columns:
        # Years are consecutive after the reindex, so position-linear is year-linear.
        series = out[col].groupby(level="code").transform(lambda s: s.interpolate(limit_area="inside"))
        new = series.notna() & out[col].isna()
        for key in out.index[new]:
            filled[key].append(col)
        out[col] = series
    out["interpolated"] = filled.map(", ".join)
    out = out[out[list(PANEL_COLUMNS)].notna().any(axis=1)].reset_index()
    done = out[out["interpolated"] != ""]
    if len(done):
        cells = "; ".join(f"{r.code} {r.year}: {r.interpolated}" for r in done.itertuples())
        warnings.warn(
            f"china_provinces_panel: {len(done)} province-years interpolated linearly (not official values): {cells}",
            SpatialClusterWarning,
            stacklevel=3,
        )
    return out


def panel_coverage(panel: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Number of provinces with a value, per column (rows) and year (columns).

    Parameters
    ----------
    panel : pandas.DataFrame
        A long table with ``year`` and the value columns, e.g. :func:`china_provinces_panel`.
    columns : list of str, optional
        Value columns to count; default ``PANEL_COLUMNS`` present in ``panel``.
    """
    missing = [c for c in ("year", *(columns or [])) if c not in panel.columns]
    if missing:
        raise InputError(f"panel_coverage: column(s) {missing} not in the panel; it has {list(panel.columns)}")
    cols = list(columns) if columns else [c for c in PANEL_COLUMNS if c in panel.columns]
    table = panel.groupby("year")[cols].count().T
    table.columns.name = "year"
    return table
