"""The bad-input catalogue of the second-wave methods: panels, change over time, GWR, spatial
panels, cluster indicators and the publication outputs.

As in ``test_bad_inputs.py``, each case feeds one awkward input and asserts the package's own
error type and the words of its message that name the offending regions, periods or columns and
the fix; accepted inputs assert the result and the warning that says what was done.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

import spatialcluster as sc
from _catalogue import CODES, Catalogue, cli_fails, grid, raises, warns, write_csv, write_regions

CASES = Catalogue()
case = CASES.case
YEARS = [2005, 2006, 2007, 2008, 2009]


def long_panel(ids=CODES, years=YEARS, seed=3) -> pd.DataFrame:
    """A balanced long panel on the grid's regions: a positive income-like column and a second regressor."""
    rng = np.random.default_rng(seed)
    rows = [(c, t) for c in ids for t in years]
    out = pd.DataFrame(rows, columns=["code", "year"])
    out["income"] = np.exp(rng.normal(10, 0.3, len(out)))
    out["urban"] = rng.uniform(30, 80, len(out))
    out["growth"] = rng.normal(108, 2, len(out))
    return out


def queen():
    return sc.build_weights(grid(), kind="queen")


# =========================================================================== panels
@case("panels")
def duplicate_region_period(tmp_path):
    p = long_panel()
    with raises(sc.InputError, "duplicate region-periods", "110000 2005", "exactly one row"):
        sc.Panel.from_long(pd.concat([p, p.iloc[[0]]]), id="code", time="year")


@case("panels")
def id_column_typo(tmp_path):
    with raises(sc.InputError, "'adcode'", "did you mean 'code'"):
        sc.Panel.from_long(long_panel(), id="adcode", time="year")


@case("panels")
def region_period_without_a_row(tmp_path):
    p = long_panel()
    p = p[~((p["code"] == "110000") & (p["year"] == 2007))]
    with raises(sc.InputError, "unbalanced panel", "110000 2007", "drop-region"):
        sc.spillover_panel(p, "growth", ["urban"], queen(), model="sar", effects="twoway")


# =========================================================================== change over time
@case("dynamics")
def markov_one_class(tmp_path):
    with raises(sc.InputError, "k (number of classes)", ">= 2", "got 1"):
        sc.markov(long_panel(), "income", id="code", time="year", k=1)


@case("dynamics")
def markov_constant_column(tmp_path):
    with raises(sc.InputError, "no observations", "fewer classes"):
        sc.markov(long_panel().assign(income=5.0), "income", id="code", time="year", k=3)


@case("dynamics")
def markov_gap_names_region_and_period(tmp_path):
    p = long_panel()
    p.loc[(p["code"] == "130000") & (p["year"] == 2008), "income"] = np.nan
    with raises(sc.InputError, "unbalanced panel", "130000: 2008", "balance=True"):
        sc.markov(p, "income", id="code", time="year", k=2)


@case("dynamics")
def markov_balance_drops_and_names_the_region(tmp_path):
    p = long_panel()
    p.loc[(p["code"] == "130000") & (p["year"] == 2008), "income"] = np.nan
    with warns("dropped 1 region", "130000: 2008"):
        result = sc.markov(p, "income", id="code", time="year", k=2, balance=True)
    assert result.transitions.to_numpy().sum() == 5 * (len(YEARS) - 1)


@case("dynamics")
def markov_over_a_gap_in_the_years(tmp_path):
    """2005, 2006, 2009: a chain would pool one- and three-year transitions."""
    p = long_panel()
    with raises(sc.InputError, "gaps", "2007, 2008 missing", "adjacent periods"):
        sc.markov(p[~p["year"].isin([2007, 2008])], "income", id="code", time="year", k=2)


@case("dynamics")
def rank_mobility_over_a_gap_in_the_years(tmp_path):
    p = long_panel()
    with raises(sc.InputError, "gaps", "2006 missing"):
        sc.rank_mobility(p[p["year"] != 2006], "income", id="code", time="year")


@case("dynamics")
def sigma_convergence_takes_years_with_a_gap(tmp_path):
    """Dispersion per year and its trend need no adjacent years: the gap is accepted, each year's
    standard deviation of logs is the one computed directly."""
    p = long_panel()
    p = p[p["year"] != 2006]
    result = sc.sigma_convergence(p, "income", id="code", time="year")
    direct = np.log(p["income"]).groupby(p["year"]).std(ddof=0)
    got = result.to_frame().filter(like="sd_log").iloc[:, 0]
    np.testing.assert_allclose(got.to_numpy(), direct.to_numpy(), rtol=1e-12)


@case("dynamics")
def spatial_markov_weights_of_other_regions(tmp_path):
    p = long_panel()
    with raises(sc.WeightsError, "in the weights but not in the panel", "110000", "same regions"):
        sc.spatial_markov(p[p["code"] != "110000"], "income", queen(), id="code", time="year", k=2, m=2)


@case("dynamics")
def emerging_hotspots_two_periods(tmp_path):
    p = long_panel(years=[2005, 2006])
    with raises(sc.InputError, "at least 3 periods", "2005, 2006"):
        sc.emerging_hotspots(p, "income", queen(), id="code", time="year", permutations=9, seed=1)


@case("dynamics")
def mann_kendall_two_periods(tmp_path):
    with raises(sc.InputError, "at least 3 periods", "got 2"):
        sc.mann_kendall(np.ones((5, 2)))


@case("dynamics")
def sigma_convergence_of_non_positive_values(tmp_path):
    p = long_panel()
    p.loc[(p["code"] == "120000") & (p["year"] == 2006), "income"] = 0.0
    with raises(sc.InputError, "must be positive", "120000/2006"):
        sc.sigma_convergence(p, "income", id="code", time="year")


@case("dynamics")
def beta_convergence_of_negative_values(tmp_path):
    p = long_panel()
    p.loc[(p["code"] == "140000") & (p["year"] == 2005), "income"] = -1.0
    with raises(sc.InputError, "must be positive", "log growth", "140000/2005"):
        sc.convergence(p, "income", id="code", time="year")


@case("dynamics")
def dagum_group_missing_names_each_region_once(tmp_path):
    p = long_panel().assign(region=lambda d: np.where(d["code"] < "140000", "east", "west"))
    p.loc[p["code"] == "110000", "region"] = None
    with raises(sc.InputError, "group column 'region' is missing", "110000: 2005, 2006, 2007, 2008, 2009") as info:
        sc.dagum_gini(p, "income", "region", id="code", time="year")
    assert str(info.value).count("110000") == 1


@case("dynamics")
def dagum_single_group(tmp_path):
    with raises(sc.InputError, "at least 2 groups", "'east'"):
        sc.dagum_gini(long_panel().assign(region="east"), "income", "region", id="code", time="year")


@case("dynamics")
def dagum_negative_values(tmp_path):
    p = long_panel().assign(region=lambda d: np.where(d["code"] < "140000", "east", "west"))
    p.loc[(p["code"] == "210000") & (p["year"] == 2009), "income"] = -3.0
    with raises(sc.InputError, "non-negative", "210000: 2009"):
        sc.dagum_gini(p, "income", "region", id="code", time="year")


# =========================================================================== local regressions
def gwr_data(n=40, seed=5):
    """n regions on a projected grid with a smooth x and y (GWR needs more regions than the 6-square grid)."""
    size = 100_000.0
    squares = [box((i % 8) * size, (i // 8) * size, (i % 8 + 1) * size, (i // 8 + 1) * size) for i in range(n)]
    g = gpd.GeoDataFrame(geometry=squares, crs="EPSG:3857", index=pd.Index([f"{110000 + i}" for i in range(n)], name="code"))
    rng = np.random.default_rng(seed)
    g["x"] = rng.normal(size=n)
    g["y"] = 1 + 2 * g["x"] + rng.normal(scale=0.3, size=n)
    return g


@case("gwr")
def gwr_constant_regressor(tmp_path):
    with raises(sc.InputError, "'c'", "constant"):
        sc.gwr(gwr_data().assign(c=1.0), "y", ["c"])


@case("gwr")
def gwr_missing_values_named(tmp_path):
    g = gwr_data()
    g.loc["110003", "x"] = np.nan
    with raises(sc.InputError, "'x' is missing", "110003", "dropna"):
        sc.gwr(g, "y", ["x"])


@case("gwr")
def gwr_more_parameters_than_regions_allow(tmp_path):
    g = gwr_data(n=6)
    for k in range(3):
        g[f"z{k}"] = np.random.default_rng(k).normal(size=6)
    with raises(sc.InputError, "too few observations", "fewer regressors"):
        sc.gwr(g, "y", ["x", "z0", "z1", "z2"])


# =========================================================================== spatial panels
@case("spatial panels")
def panel_regressor_with_gaps(tmp_path):
    p = long_panel()
    p.loc[(p["code"] == "150000") & (p["year"].isin([2006, 2007])), "urban"] = np.nan
    with raises(sc.InputError, "'urban' is missing", "150000 2006", "150000 2007"):
        sc.spillover_panel(p, "growth", ["urban"], queen(), model="sar", effects="twoway")


@case("spatial panels")
def panel_regressor_absorbed_by_fixed_effects(tmp_path):
    p = long_panel().assign(coastal=lambda d: (d["code"] < "140000").astype(float))
    with raises(sc.InputError, "coastal", "do not vary", "choose other effects"):
        sc.spillover_panel(p, "growth", ["coastal", "urban"], queen(), model="sar", effects="region")


@case("spatial panels")
def panel_with_one_period(tmp_path):
    with raises(sc.InputError, "at least two periods", "has 1"):
        sc.spillover_panel(long_panel(years=[2010]), "growth", ["urban"], queen(), model="sar", effects="region")


@case("spatial panels")
def panel_dynamic_spelled_wrong(tmp_path):
    with raises(sc.InputError, "dynamic", "'time'", "'spacetime'"):
        sc.spillover_panel(long_panel(), "growth", ["urban"], queen(), model="sar", effects="region", dynamic="lag")


# =========================================================================== cluster indicators
@case("indicators")
def geodetector_single_stratum(tmp_path):
    g = gwr_data().assign(f="a")
    with raises(sc.InputError, "'f'", "single stratum", "discretise"):
        sc.geodetector(g, "y", ["f"])


@case("indicators")
def agglomeration_negative_employment(tmp_path):
    t = pd.DataFrame({"r": ["a", "a", "b", "b"], "i": ["x", "y", "x", "y"], "e": [1, -2, 3, 4]})
    with raises(sc.InputError, "'e' is negative", "a / y", "non-negative"):
        sc.agglomeration(t, region="r", industry="i", value="e")


@case("indicators")
def location_quotient_region_without_activity(tmp_path):
    t = pd.DataFrame({"r": ["a", "a", "b", "b"], "i": ["x", "y", "x", "y"], "e": [0, 0, 3, 4]})
    with raises(sc.InputError, "zero total", "a", "drop them"):
        sc.location_quotient(t, region="r", industry="i", value="e")


@case("indicators")
def composite_constant_indicator(tmp_path):
    with raises(sc.InputError, "constant", "c", "drop them"):
        sc.composite_index(gwr_data().assign(c=1.0), ["c", "x"])


@case("indicators")
def ellipse_in_degrees(tmp_path):
    g = grid(crs="EPSG:4326", size=1.0).assign(pop=1.0)
    with raises(sc.InputError, "geographic coordinates", "to_crs"):
        sc.standard_ellipse(g, weights="pop")


@case("indicators")
def join_counts_of_a_non_binary_column(tmp_path):
    g = grid().assign(v=[0, 1, 2, 0, 1, 0])
    with raises(sc.InputError, "must be binary", "130000", "(data[col] > cut)"):
        sc.local_join_counts(g, "v", queen())


# =========================================================================== outputs and data
@case("outputs")
def unknown_language(tmp_path):
    with raises(sc.ConfigError, "'en' or 'zh'", "'fr'"):
        sc.set_language("fr")


@case("outputs")
def with_names_of_an_unknown_code(tmp_path):
    frame = pd.DataFrame({"x": [1, 2]}, index=["999999", "110000"])
    with warns("no name", "999999", "names="):
        out = sc.with_names(frame)
    assert out["name"].isna().tolist() == [True, False]


@case("outputs")
def interpolate_a_census_column(tmp_path):
    with raises(sc.InputError, "pop_census", "cannot be interpolated", "urban_rate"):
        sc.datasets.china_provinces_panel(interpolate=["pop_census"])


# =========================================================================== command line
@case("cli")
def markov_column_typo(tmp_path):
    regions = write_regions(tmp_path, grid())
    table = long_panel().rename(columns={"code": "adcode"})
    path = write_csv(tmp_path, table.to_csv(index=False))
    cli_fails(["dynamics", "markov", regions, path, "--on", "adcode", "--column", "incme"], "'incme'", "income")


@case("cli")
def gwr_too_few_regions(tmp_path):
    regions = write_regions(tmp_path, grid())
    table = pd.DataFrame({"code": CODES, "y": [1.0, 2, 3, 4, 5, 7], "x": [2.0, 1, 4, 3, 6, 5], "z": [1.0, 0, 2, 1, 3, 1],
                          "u": [0.0, 1, 1, 2, 0, 3], "v": [5.0, 3, 4, 1, 2, 2]})
    path = write_csv(tmp_path, table.to_csv(index=False))
    cli_fails(["gwr", regions, path, "--on", "code", "--y", "y", "--x", "x", "--x", "z", "--x", "u", "--x", "v"], "too few observations")


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(name, tmp_path):
    CASES[name](tmp_path)


def test_catalogue_covers_every_second_wave_stage():
    stages = {name.split(":")[0] for name in CASES}
    assert stages >= {"panels", "dynamics", "gwr", "spatial panels", "indicators", "outputs", "cli"}
    assert len(CASES) >= 30
