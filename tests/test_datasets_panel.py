"""Consistency tests of the bundled province panel ``sc.datasets.china_provinces_panel()``.

References: the China Statistical Yearbooks 2009 (table 3-4), 2012 (3-5) and 2016 (2-8) and the
facts table, all cited in ``src/spatialcluster/datasets/data/SOURCES.md``; the tests also keep
that file's coverage and outlier tables in step with the data.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import spatialcluster as sc
from spatialcluster._errors import InputError
from spatialcluster.datasets._panel import DATA, INTERPOLABLE, PANEL_COLUMNS

SOURCES = (DATA / "SOURCES.md").read_text(encoding="utf-8")
PANEL_DOC = SOURCES[SOURCES.index("# Sources for `china_provinces_panel.csv`") :]

# Which source keys each column may draw on: one release per column (SOURCES.md, "One release").
ALLOWED = {
    "urban_rate": {"NBSDB-pop", "CSY2012-3-5", "CSY2016-2-8", "SN-STATS-2017", "SX-2019", "AH-2019", "QH-2019",
                   "BJ-2019", "TJ-2019", "HE-2019", "NM-2019", "LN-2019", "JL-2019", "HL-2019", "JS-2019", "FJ-2019",
                   "SD-2019", "HN-2019", "GD-2019", "CQ-2019", "SC-2019", "SN-2019", "JX-2019", "HI-2019",
                   "GS-2019", "XJ-2019", "NX-2019", "CSY2009-3-4", "BJ-2010", "QH-STATS-2013", "SN-NBSSO-2015",
                   "XZ-2019", "YN-2019", "GX-2019", "HA-2019", "HB-2019"},
    "urban_pop": {"NBSDB-pop"},
    "pop": {"NBSDB-pop"},
    "gdp": {"NBSDB-gdp"},
    "va_primary": {"NBSDB-gdp"},
    "va_secondary": {"NBSDB-gdp"},
    "va_tertiary": {"NBSDB-gdp"},
    "gdp_index": {"NBSDB-gdpi"},
    "urban_rate_rev": {"NXYB2023-4-2", "HLJYB2021", "CENSUS2020-prov", "JS-2021", "AH-2021", "AH-2022", "SD-2022", "GD-2022",
                       "BJ-2021", "NM-2021", "GX-2021", "GX-2022", "XJ-2021", "NX-2021", "NX-2022", "GS-2022",
                       "CQ-2022", "ZJ-2021", "SN-2021", "SN-2022", "SC-2021", "GZ-2021", "GZ-2022", "HI-2021",
                       "JS-2022", "JX-2022", "BJ-2022", "HE-2022", "SX-2022", "NM-2022", "HL-2022", "ZJ-2022",
                       "HA-2022", "HN-2022", "SC-2022", "XZ-2022", "QH-2022"},
    "urban_pop_rev": {"NBSDB2023-pop"},
    "pop_rev": {"NBSDB2024-pop"},
    "pop_census": {"CENSUS2010-NBS", "CENSUS2020-NBS"},
    "gdp_first_release": {"GDP2020-first"},
    "gdp_index_first_release": {"GDP2020-first"},
}


@pytest.fixture(scope="module")
def panel():
    return sc.datasets.china_provinces_panel()


@pytest.fixture(scope="module")
def facts():
    return sc.datasets.china_facts()


def _md_table(title: str) -> list[list[str]]:
    """Body rows of the first Markdown table after the heading ``title`` in the panel section."""
    block = PANEL_DOC[PANEL_DOC.index(title) :].split("\n\n|", 1)[1]
    lines = ("|" + block).split("\n\n")[0].splitlines()
    return [[c.strip() for c in line.strip("|").split("|")] for line in lines[2:]]


def _sources(panel: pd.DataFrame) -> pd.DataFrame:
    """The ``source`` column as one row per (code, year, column, key)."""
    rows = []
    for r in panel.itertuples():
        for part in r.source.split("; "):
            cols, key = part.split("=")
            rows += [(r.code, r.year, c, key) for c in cols.split(",")]
    return pd.DataFrame(rows, columns=["code", "year", "column", "key"])


def test_layout(panel, facts):
    assert list(panel.columns) == ["code", "year", *PANEL_COLUMNS, "source"]
    assert panel["code"].map(type).eq(str).all() and panel["code"].str.fullmatch(r"\d{6}").all()
    assert panel["year"].dtype.kind == "i" and panel["year"].between(2005, 2022).all()
    assert not panel.duplicated(["code", "year"]).any()
    assert set(panel["code"]) == set(facts.index)
    assert panel[list(PANEL_COLUMNS)].notna().any(axis=1).all()


def test_every_value_has_one_source_of_its_release(panel):
    src = _sources(panel)
    assert not src.duplicated(["code", "year", "column"]).any()
    for col in PANEL_COLUMNS:
        has = set(map(tuple, panel.loc[panel[col].notna(), ["code", "year"]].to_numpy()))
        named = src[src["column"] == col]
        assert has == set(zip(named["code"], named["year"])), col
        assert set(named["key"]) <= ALLOWED[col], (col, set(named["key"]) - ALLOWED[col])
    documented = {row[0] for row in _md_table("## Source keys")}
    for key in set(src["key"]):
        assert any(key in cell for cell in documented), f"source key {key} missing from SOURCES.md"


def test_no_release_mixing_over_time(panel):
    # The pre-census urban_rate stops before the census year; the revised one never uses a
    # first-release table; GDP of the revised release stops where the first release begins.
    assert panel.loc[panel["urban_rate"].notna(), "year"].max() <= 2019
    assert panel.loc[panel["gdp"].notna(), "year"].max() <= 2019
    # urban_pop_rev is one database export (2005-2021); no 2022 first release is mixed in
    assert panel.loc[panel["urban_pop_rev"].notna(), "year"].max() <= 2021
    both = panel.dropna(subset=["urban_rate", "urban_rate_rev"])
    assert (both["urban_rate"] != both["urban_rate_rev"]).all()  # e.g. Ningxia 2012: 50.67 vs 51.15


def test_urban_rate_is_urban_over_total_population(panel):
    both = panel.dropna(subset=["urban_rate", "urban_pop", "pop"])
    assert len(both) > 400
    ratio = both["urban_pop"] / both["pop"] * 100
    # Bound from the rounding of the printed numbers: the rate to half its last decimal (some
    # provincial releases print one decimal), each whole-number count to 0.5.
    one_decimal = (both["urban_rate"] * 10 - (both["urban_rate"] * 10).round()).abs() < 1e-9
    rate_half = np.where(one_decimal, 0.05, 0.005)
    half = both["urban_pop"].map(lambda v: 0.5 if float(v).is_integer() else 0.0)
    tol = rate_half + 100 * (half / both["pop"] + half * both["urban_pop"] / both["pop"] ** 2) + 1e-9
    bad = both[(both["urban_rate"] - ratio).abs() > tol]
    assert bad.empty, bad[["code", "year", "urban_rate", "urban_pop", "pop"]]
    # Where the rate was read back from the database, it is exact.
    nbs = both[both["source"].str.contains("urban_rate,urban_pop,pop=NBSDB-pop")]
    np.testing.assert_allclose(nbs["urban_rate"], nbs["urban_pop"] / nbs["pop"] * 100, atol=1e-6)


def test_population_releases_differ_only_where_revised(panel):
    """pop_rev (after the 2020 census) equals pop rounded before 2011 and departs from it 2011-2019."""
    both = panel.dropna(subset=["pop", "pop_rev"])
    early = both[both["year"] <= 2010]
    np.testing.assert_array_equal(early["pop_rev"], np.floor(early["pop"] + 0.5))
    late = both[both["year"].between(2011, 2019)]
    assert (late["pop_rev"] != np.floor(late["pop"] + 0.5)).mean() > 0.9
    # year-end 2020 vs the census two months earlier: within 1 %
    y2020 = panel[panel["year"] == 2020]
    assert ((y2020["pop_rev"] / y2020["pop_census"] - 1).abs() < 0.01).all()


def _count_rounding(urban, pop):
    """Largest |u/p - U/P| * 100 (pp) when the true U, P lie within 0.5 of the printed whole numbers u, p.

    The extremes are (u + 0.5) / (p - 0.5) and (u - 0.5) / (p + 0.5); the first is the farther:
    (u + 0.5) / (p - 0.5) - u / p = 0.5 (u + p) / (p (p - 0.5)).
    """
    return 50 * (urban + pop) / (pop * (pop - 0.5))


def test_count_rounding_bound_is_the_worst_corner():
    """The closed form equals a brute-force maximum over true values within 0.5 of the printed counts."""
    for urban, pop in [(131, 366), (468, 721), (9361, 12624), (1, 3)]:
        du, dp = np.meshgrid(np.linspace(-0.5, 0.5, 101), np.linspace(-0.5, 0.5, 101))
        worst = np.abs((urban + du) / (pop + dp) - urban / pop).max() * 100
        np.testing.assert_allclose(_count_rounding(urban, pop), worst, rtol=1e-12)


def _half_last_digit(rate):
    """Half a unit of the last printed decimal of a rate (one- or two-decimal releases)."""
    return np.where(np.abs(rate * 10 - np.round(rate * 10)) < 1e-9, 0.05, 0.005)


def test_revised_urban_population_is_one_release_with_pop_rev(panel, facts):
    """urban_pop_rev / pop_rev reproduces every published post-census rate within rounding.

    References: the 2020 census shares (facts ``urban_rate_2020``, 25 provinces), the revised Ningxia
    2010-2015 (宁夏统计年鉴2023 t4-2) and Heilongjiang 2015 (黑龙江统计年鉴2021) values and the provinces'
    2021 releases, all in ``urban_rate_rev`` (keys in SOURCES.md).
    """
    rev = panel.dropna(subset=["urban_pop_rev"])
    assert rev["year"].between(2005, 2021).all() and len(rev) == 31 * 17
    assert rev["pop_rev"].notna().all() and (rev["urban_pop_rev"] % 1 == 0).all()
    ratio = rev["urban_pop_rev"] / rev["pop_rev"] * 100
    bound = _count_rounding(rev["urban_pop_rev"], rev["pop_rev"])
    assert bound.max() < 0.22  # Tibet; provinces above 50 million: < 0.02 pp
    y2020 = rev[rev["year"] == 2020].set_index("code")
    census = facts["urban_rate_2020"].dropna()
    gap = (y2020["urban_pop_rev"] / y2020["pop_rev"] * 100).reindex(census.index) - census
    tol = bound[rev["year"] == 2020].set_axis(y2020.index).reindex(census.index) + _half_last_digit(census)
    assert len(census) == 25 and (gap.abs() <= tol).all(), gap[gap.abs() > tol]
    both = rev.dropna(subset=["urban_rate_rev"])
    assert len(both) == 25 + 12 + 7  # census 2020, 2021 releases, Ningxia 2010-2015 and Heilongjiang 2015
    gap = ratio[both.index] - both["urban_rate_rev"]
    assert (gap.abs() <= bound[both.index] + _half_last_digit(both["urban_rate_rev"])).all()
    # unrevised 2005-2010: the pre-census urban_pop rounded; revised 2011-2019: different
    early = rev[rev["year"] <= 2010]
    np.testing.assert_array_equal(early["urban_pop_rev"], np.floor(early["urban_pop"] + 0.5))
    late = rev[rev["year"].between(2011, 2019)]
    assert (late["urban_pop_rev"] != np.floor(late["urban_pop"] + 0.5)).mean() > 0.99


# The export's own 年末常住人口 (data/分省常住人口.csv, same commit as urban_pop_rev) equals pop_rev in all
# 527 province-years 2005-2021 (checked by /work/notes/add_rev_columns.py before writing); a few of them
# with the export's 城镇人口 as printed (GitHub lemon1022/BirthTrends@3dd7633 data/分省城镇人口.csv).
EXPORT = {  # (code, year): (城镇人口, 年末常住人口)
    ("110000", 2005): (1286, 1538), ("110000", 2011): (1745, 2024), ("110000", 2019): (1913, 2190),
    ("110000", 2021): (1916, 2189), ("230000", 2015): (2134, 3529), ("440000", 2019): (9073, 12489),
    ("540000", 2012): (72, 315), ("640000", 2021): (479, 725),
}  # fmt: skip


def test_revised_urban_population_equals_the_export(panel):
    p = panel.set_index(["code", "year"])
    for (code, year), (urban, pop) in EXPORT.items():
        assert (p.loc[(code, year), "urban_pop_rev"], p.loc[(code, year), "pop_rev"]) == (urban, pop), (code, year)


# urban_rate_rev 2022 from the provinces' own releases (pages in SOURCES.md): key, rate as printed,
# population and urban population as printed (10,000 persons) and half a unit of their last digit.
RELEASES_2022 = {
    "110000": ("BJ-2022", "87.6", 2184.3, 1912.8, 0.05), "130000": ("HE-2022", "61.65", 7420, 4575, 0.5),
    "140000": ("SX-2022", "63.96", 3481.35, 2226.50, 0.005), "150000": ("NM-2022", "68.60", 2401.17, 1647.20, 0.005),
    "230000": ("HL-2022", "66.2", 3099, 2052, 0.5), "330000": ("ZJ-2022", "73.4", 6577, 4826, 0.5),
    "410000": ("HA-2022", "57.07", 9872, 5633, 0.5), "430000": ("HN-2022", "60.31", 6604.0, 3983.0, 0.05),
    "510000": ("SC-2022", "58.35", 8374, 4886.2, 0.05), "540000": ("XZ-2022", "37.36", 364, 136, 0.5),
    "630000": ("QH-2022", "61.43", 595, 366, 0.5),
}  # fmt: skip


def test_2022_releases_equal_the_printed_figures_and_pop_rev(panel):
    """Each 2022 rate is the printed one; the page's population is the database's pop_rev (whole 10,000s)
    and its urban / total population gives the rate within the rounding of the printed numbers."""
    p = panel.set_index(["code", "year"])
    keys = _sources(panel).set_index(["code", "year", "column"])["key"]
    for code, (key, printed, pop, urban, half) in RELEASES_2022.items():
        rate = float(printed)
        assert keys[code, 2022, "urban_rate_rev"] == key and p.loc[(code, 2022), "urban_rate_rev"] == rate, code
        assert abs(pop - p.loc[(code, 2022), "pop_rev"]) <= 0.5, code
        tol = 0.5 * 10.0 ** -len(printed.split(".")[1]) + 100 * (half / pop + half * urban / pop**2)
        assert abs(urban / pop * 100 - rate) <= tol, code
    assert panel.loc[panel["year"] == 2022, "urban_rate_rev"].notna().sum() == 22


# pop_rev against two independent exports of the same database (SOURCES.md, "Cross-checks"):
# 1lmq/FYP_QMM2_Chinese_Railways@ad20598 分省年度数据.csv (2015-2024; 248 overlapping cells, all equal) and
# yinthan/ECON323-China-Polulation@9b54a5d AnnualbyProvince.csv (2000-2020; 496 overlapping cells, all equal).
POP_REV_COPIES = {
    ("110000", 2015): 2188, ("110000", 2022): 2184, ("130000", 2022): 7420, ("440000", 2021): 12684,
    ("540000", 2022): 364, ("650000", 2022): 2587,  # 1lmq
    ("110000", 2011): 2024, ("230000", 2010): 3833, ("440000", 2005): 9194, ("540000", 2014): 325,
    ("640000", 2016): 695, ("230000", 2020): 3171,  # yinthan
}  # fmt: skip


def test_pop_rev_equals_independent_copies(panel):
    p = panel.set_index(["code", "year"])["pop_rev"]
    for (code, year), value in POP_REV_COPIES.items():
        assert p[code, year] == value, (code, year)
    assert "248" in PANEL_DOC and "496" in PANEL_DOC


def test_sector_value_added_sums_to_gdp(panel):
    g = panel.dropna(subset=["gdp"])
    total = g["va_primary"] + g["va_secondary"] + g["va_tertiary"]
    # three one-decimal roundings: at most 0.15 apart; observed at most 0.1
    assert (total - g["gdp"]).abs().max() <= 0.15 + 1e-9


def test_2020_and_census_figures_equal_the_facts_table(panel, facts):
    p = panel.set_index(["code", "year"])
    y2020 = p.xs(2020, level="year").reindex(facts.index)
    np.testing.assert_array_equal(y2020["urban_rate_rev"], facts["urban_rate_2020"])
    np.testing.assert_allclose(y2020["pop_census"] * 1e4, facts["pop_2020"], rtol=0, atol=0.5)
    np.testing.assert_array_equal(y2020["gdp_first_release"], facts["gdp_2020"])
    np.testing.assert_allclose(y2020["gdp_index_first_release"], 100 + facts["gdp_real_growth_2020"], atol=1e-9)
    y2019 = p.xs(2019, level="year").reindex(facts.index)
    np.testing.assert_array_equal(y2019["gdp_first_release"], facts["gdp_2019"])
    y2010 = p.xs(2010, level="year").reindex(facts.index)
    np.testing.assert_allclose(y2010["pop_census"] * 1e4, facts["pop_2010"], rtol=0, atol=0.5)


def test_urban_rate_equals_the_yearbook_tables(panel, facts):
    """CSY2012 t3-5 (2011, all 31) and CSY2016 t2-8 (2015, 27) and the provincial first releases."""
    p = panel.set_index(["code", "year"])["urban_rate"]
    np.testing.assert_array_equal(p.xs(2011, level="year").reindex(facts.index), facts["urban_rate_2011_yearend"])
    old = sc.datasets.china_urbanization_panel()
    first = old[old["source_table"].str.contains("CSY|first vintage") & (old["year"] < 2020)]
    ours = p.reindex(list(zip(first["code"], first["year"])))
    # exact, except the 1-decimal Jiangsu yearbook (68.8, 69.6 for 68.76, 69.61)
    tol = np.where(first["source_table"].str.contains("Jiangsu"), 0.05 + 1e-9, 1e-9)
    assert (np.abs(ours.to_numpy() - first["urban_rate"].to_numpy()) <= tol).all()
    assert len(first) >= 70


# CSY2009 table 3-4, year-end 2008 (http://www.stats.gov.cn/tjsj/ndsj/2009/html/D0304e.htm)
CSY2009_URBAN_2008 = {
    "110000": 84.90, "120000": 77.23, "130000": 41.90, "140000": 45.11, "150000": 51.71, "210000": 60.05,
    "220000": 53.21, "230000": 55.40, "310000": 88.60, "320000": 54.30, "330000": 57.60, "340000": 40.50, "350000": 49.90, "360000": 41.36,
    "370000": 47.60, "410000": 36.03, "420000": 45.20, "430000": 42.15, "440000": 63.37, "450000": 38.16,
    "460000": 48.00, "500000": 49.99, "510000": 37.40, "520000": 29.11, "530000": 33.00, "540000": 22.61,
    "610000": 42.10, "620000": 32.15,
}  # fmt: skip


def test_2008_against_csy2009_with_the_documented_revisions(panel):
    p = panel[panel["year"] == 2008].set_index("code")["urban_rate"]
    differ = {c for c, v in CSY2009_URBAN_2008.items() if abs(p[c] - v) > 1e-9}
    assert differ == {"350000", "540000", "620000"}  # Fujian, Tibet, Gansu: listed in SOURCES.md
    for c in differ:
        assert f"{p[c]:g}" in PANEL_DOC and f"{CSY2009_URBAN_2008[c]:.2f}" in PANEL_DOC


# urban_rate cells the database leaves without a printed rate, filled from a first release of the
# same year (SOURCES.md, "How `urban_rate` is read"): key, rate as printed, and where the page prints
# them the urban and total population (10,000 persons) with half a unit of their last digit.
QUOTED = {
    ("130000", 2008): ("CSY2009-3-4", "41.90", (2928, 6989, 0.5)),
    ("140000", 2008): ("CSY2009-3-4", "45.11", (1539, 3411, 0.5)),
    ("110000", 2010): ("BJ-2010", "85.96", (1686.4, 1961.9, 0.05)),
    ("610000", 2013): ("QH-STATS-2013", "51.31", None),
    ("610000", 2014): ("SN-NBSSO-2015", "52.6", None),  # printed with one decimal
    ("540000", 2019): ("XZ-2019", "31.5", (110.57, 350.56, 0.005)),  # one decimal
    ("530000", 2019): ("YN-2019", "48.91", None),
    ("450000", 2019): ("GX-2019", "51.09", None),
    ("410000", 2019): ("HA-2019", "53.21", None),
    ("420000", 2019): ("HB-2019", "61", (3615.47, 5927, 0.5)),  # printed as a whole number
}
# Other rates the same pages quote, equal to bundled values of other sources: the Qinghai release on
# 2013 (its Gansu figure, 41.3, is not the bundled 40.13: see SOURCES.md) and the Yicai 2019 list.
PAGE_OTHERS = {
    "QH-STATS-2013": (2013, {"630000": 48.51, "640000": 52.01, "650000": 44.47}),
    "GX-2019": (2019, {"340000": 55.81, "430000": 57.22}),
}
# The Yicai list's rural population 2019 (million, as printed) against the database's pop - urban_pop
YICAI_2019_RURAL = {"410000": "45.11", "420000": "23.12", "450000": "24.26", "530000": "24.82", "340000": "28.13",
                    "430000": "29.6"}


def test_first_release_fills_equal_the_quoted_figures(panel):
    """Each filled rate is the printed one, under its key; the page's own urban / total population agrees.

    References: CSY2009 table 3-4, Beijing 2010 (SSAP Beijing blue book quoting the municipal yearbook),
    Qinghai statistics bureau 2013 release, NBS Shaanxi survey team 2015, the Tibet 2019 communiqué, the
    Yunnan 2020-12-22 press conference and the Yicai 2019 list (URLs in SOURCES.md). The
    agreement with the database's urban_pop / pop is checked for every row by
    ``test_urban_rate_is_urban_over_total_population``.
    """
    p = panel.set_index(["code", "year"])["urban_rate"]
    keys = _sources(panel).set_index(["code", "year", "column"])["key"]
    for (code, year), (key, printed, counts) in QUOTED.items():
        rate = float(printed)
        assert keys[code, year, "urban_rate"] == key and p[code, year] == rate, (code, year)
        assert key in PANEL_DOC
        if counts is not None:
            urban, total, half = counts
            rate_half = 0.5 * 10.0 ** -len(printed.partition(".")[2])
            tol = rate_half + 100 * (half / total + half * urban / total**2)  # rate and both counts rounded
            assert abs(urban / total * 100 - rate) <= tol, (code, year)
    # the pages quote the same release as the bundled neighbours
    for year, others in PAGE_OTHERS.values():
        for code, rate in others.items():
            assert p[code, year] == rate, (code, year)
    y2019 = panel[panel["year"] == 2019].set_index("code")
    for code, printed in YICAI_2019_RURAL.items():
        rural = y2019.loc[code, "pop"] - y2019.loc[code, "urban_pop"]  # whole 10,000s in 2019
        tol = 100 * 0.5 * 10.0 ** -len(printed.partition(".")[2]) + 1.0
        assert abs(100 * float(printed) - rural) <= tol, code

def _outliers(panel: pd.DataFrame) -> set[tuple[str, str, int]]:
    """Year-to-year changes outside the documented plausibility rules (SOURCES.md)."""
    p = panel.sort_values(["code", "year"])
    g = p.groupby("code")
    consecutive = (p["year"] - g["year"].shift()) == 1
    change = {
        "urban_rate": (g["urban_rate"].diff(), -0.5, 3.5),
        "urban_rate_rev": (g["urban_rate_rev"].diff(), -0.5, 3.5),
        "pop": (g["pop"].pct_change(fill_method=None), -0.04, 0.04),
        "pop_rev": (g["pop_rev"].pct_change(fill_method=None), -0.04, 0.04),
        # the revised urban share, derived here only (the file bundles no rate from these counts)
        "urban_pop_rev/pop_rev": ((p["urban_pop_rev"] / p["pop_rev"] * 100).groupby(p["code"]).diff(), -0.5, 3.5),
        "gdp": (g["gdp"].pct_change(fill_method=None), -0.10, 0.30),
        "deflator": ((1 + g["gdp"].pct_change(fill_method=None)) / (p["gdp_index"] / 100), 0.90, 1.15),
    }
    for col in ("va_primary", "va_secondary", "va_tertiary"):
        change[col] = (g[col].pct_change(fill_method=None), -0.20, 0.40)
    found = set()
    for col, (value, lo, hi) in change.items():
        flag = consecutive & ((value < lo) | (value > hi))
        found |= {(col, c, int(y)) for c, y in zip(p.loc[flag, "code"], p.loc[flag, "year"])}
    return found


def test_year_to_year_changes_are_plausible_or_documented(panel):
    documented = {(r[0], r[1], int(r[2])) for r in _md_table("## Year-to-year outliers")}
    assert _outliers(panel) == documented


def test_coverage_table_in_sources_is_current(panel):
    cov = sc.datasets.panel_coverage(panel)
    rows = _md_table("## Coverage")
    doc = pd.DataFrame([[0 if v == "·" else int(v) for v in r[1:]] for r in rows], index=[r[0] for r in rows])
    doc.columns = range(2005, 2005 + doc.shape[1])
    pd.testing.assert_frame_equal(cov.reindex(columns=doc.columns, fill_value=0), doc, check_names=False,
                                  check_dtype=False)
    # GDP, sectors, index and population complete 2005-2019 (15 consecutive years)
    for col in ("gdp", "va_primary", "va_secondary", "va_tertiary", "gdp_index", "pop"):
        assert (cov.loc[col, 2005:2019] == 31).all(), col
    assert (cov.loc["pop_rev"] == 31).all()


def test_interpolation_is_explicit_and_reported(panel):
    with pytest.warns(sc.SpatialClusterWarning, match=r"12 province-years interpolated") as rec:
        filled = sc.datasets.china_provinces_panel(interpolate=["urban_rate"])
    assert "110000 2009: urban_rate" in str(rec[0].message)
    merged = filled.merge(panel, on=["code", "year"], how="left", suffixes=("", "_raw"))
    new = merged["urban_rate"].notna() & merged["urban_rate_raw"].isna()
    assert (merged.loc[new, "interpolated"] == "urban_rate").all() and new.sum() == 12
    kept = merged["urban_rate_raw"].notna()
    np.testing.assert_array_equal(merged.loc[kept, "urban_rate"], merged.loc[kept, "urban_rate_raw"])
    # linear in the year: Hebei 2009-2010 between 2008 (41.90, CSY2009) and 2011 (45.60, CSY2012)
    sx = filled.set_index(["code", "year"])["urban_rate"]
    np.testing.assert_allclose([sx["130000", 2009], sx["130000", 2010]], [41.9 + 3.7 / 3, 41.9 + 7.4 / 3], atol=1e-9)
    assert np.isnan(sx["130000", 2007])  # before the first sourced year: stays missing
    assert "interpolated" not in panel.columns


def test_bad_arguments_name_the_fix(panel):
    with pytest.raises(InputError, match="urban_rate_rev.*cannot be interpolated"):
        sc.datasets.china_provinces_panel(interpolate=["urban_rate_rev"])
    with pytest.raises(InputError, match=r"\['nope'\] not in the panel"):
        sc.datasets.panel_coverage(panel, ["nope"])
    assert set(INTERPOLABLE) < set(PANEL_COLUMNS)


def test_vintages_documented():
    for col in PANEL_COLUMNS:
        assert col in sc.datasets.VINTAGES and re.search(rf"`{col}`", PANEL_DOC), col


def test_demo_panel_section_derives_the_lq_year_by_year():
    """The demo's panel table: 2005-2019, complete for all 31 provinces in what the panel models and the change
    over time use; the derived urbanization, GDP per head and the secondary sector's LQ per year.

    Reference: sc.location_quotient on each year's cross-section (ratio layout, Isserman 1977); GDP per head
    computed here as 10,000 * gdp (100 million yuan) / pop (10,000 persons), in yuan; urbanization as
    100 * urban_pop_rev / pop_rev (both 10,000 persons, the release after the 2020 census).
    """
    from spatialcluster import pipeline
    from spatialcluster.pipeline.derive import derive_panels

    cfg = pipeline.load_config(pipeline.demo_config_path())
    spec = cfg.settings.inputs.table("panel")
    assert spec.dataset == "china_provinces_panel" and spec.years == (2005, 2019)
    full = sc.datasets.china_provinces_panel()
    panel = full[full["year"].between(*spec.years)].reset_index(drop=True)
    used = ["urban_pop_rev", "pop_rev", "gdp_index", "va_secondary", "gdp", "pop"]
    assert panel[used].notna().all().all() and len(panel) == 15 * 31
    out, notes = derive_panels({"panel": panel}, cfg.data["variables"]["derived"], {"panel": "year"}, cfg)
    assert {"lq_secondary", "gdp_per_head", "urbanization"} <= set(notes)
    got = out["panel"]
    np.testing.assert_allclose(got["gdp_per_head"], 1e4 * panel["gdp"] / panel["pop"], rtol=1e-12)
    np.testing.assert_allclose(got["urbanization"], 100 * panel["urban_pop_rev"] / panel["pop_rev"], rtol=1e-12)
    for year, part in got.groupby("year"):
        ref = sc.location_quotient(part.set_index("code")[["va_secondary", "gdp"]], numerator="va_secondary",
                                   denominator="gdp").lq
        np.testing.assert_allclose(part.set_index("code")["lq_secondary"], ref.reindex(part["code"]), rtol=1e-12)


def test_panel_years_and_table_are_checked():
    from spatialcluster import pipeline
    from spatialcluster.pipeline.config import ConfigError

    text = pipeline.demo_config_path().read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match="first and the last period"):
        pipeline.parse_config(text.replace("years = [2005, 2019]", "years = [2019, 2005]"))
    with pytest.raises(ConfigError, match="'panl' is not a panel table.*'panel'"):
        pipeline.parse_config(text.replace('table = "panel"\ndescription', 'table = "panl"\ndescription'))
