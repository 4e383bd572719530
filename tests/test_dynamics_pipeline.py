"""The ``[dynamics]`` pipeline step: config keys, outputs, the styled emerging hot-spot layer, the report.

The numbers are the library's (validated in the other test_dynamics_* files); here the step must
call them on the configured panel and write what it promises.
"""

from __future__ import annotations

import dataclasses
import sqlite3

import pandas as pd
import pytest

import spatialcluster as sc
from spatialcluster import pipeline
from spatialcluster.pipeline import settings
from spatialcluster.pipeline.schema import SCHEMA

MEXICO = (pipeline.demo_config_path().parent / "mexico_panel.toml").read_text(encoding="utf-8")


def test_dynamics_settings_match_the_schema():
    fields = {f.name for f in dataclasses.fields(settings.Dynamics)}
    assert fields == set(SCHEMA.keys["dynamics"].keys)
    s = pipeline.parse_config(MEXICO).settings
    assert s.dynamics.table == "gdp" and s.dynamics.columns == ("pcgdp",) and s.dynamics.model == "sar"


def test_dynamics_table_must_be_a_panel():
    with pytest.raises(sc.ConfigError, match=r"\[dynamics\] key \"table\".*'nope' is not a panel table"):
        pipeline.parse_config(MEXICO.replace('[dynamics]\ntable = "gdp"', '[dynamics]\ntable = "nope"'), name="a.toml")


def test_dynamics_step_on_mexico(tmp_path):
    """Tables, the emerging hot-spot layer with its QGIS style, figures and the report section."""
    text = MEXICO.replace("permutations = 999", "permutations = 49")
    (tmp_path / "mx.toml").write_text(text, encoding="utf-8")
    pipeline.run(pipeline.load_config(tmp_path / "mx.toml"), tmp_path / "out", quiet=True)
    out = tmp_path / "out"
    p = pd.read_csv(out / "tables" / "markov_pcgdp.csv", index_col=0)
    ref = sc.markov(sc.datasets.mexico_gdp_panel(), "pcgdp", id="state", time="year", k=4)
    assert abs(p.to_numpy() - ref.p.to_numpy()).max() < 1e-12
    ehs = pd.read_csv(out / "tables" / "emerging_hotspots_pcgdp.csv")
    assert len(ehs) == 32 and set(ehs["category"]) <= set(sc.dynamics.emerging.CATEGORIES)
    for name in ("dagum_pcgdp", "sigma_convergence_pcgdp", "beta_convergence_pcgdp", "lisa_markov_pcgdp"):
        assert (out / "tables" / f"{name}.csv").exists(), name
    gpkg = next(out.glob("*.gpkg"))
    with sqlite3.connect(gpkg) as con:
        styles = dict(con.execute("select f_table_name, styleQML from layer_styles"))
    assert "emerging_pcgdp" in styles and "Intensifying hot spot" in styles["emerging_pcgdp"]
    assert (out / "maps" / "emerging_map_pcgdp.png").exists()
    report = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert "Change over time: pcgdp" in report


def _gdp_per_head_panel():
    """GDP per head (yuan) of the bundled panel 2005-2019, computed here from its gdp and pop columns."""
    p = sc.datasets.china_provinces_panel()
    p = p[p["year"].between(2005, 2019)].copy()
    p["gdp_per_head"] = 1e4 * p["gdp"] / p["pop"]
    return p.sort_values(["code", "year"]).reset_index(drop=True)


def _longest_complete_run(panel, column):
    """The longest run of consecutive years in which all 31 provinces have ``column`` (years minus their rank
    are constant within a run of consecutive years)."""
    counts = panel.groupby("year")[column].count()
    years = [y for y, n in counts.items() if n == 31]
    runs = pd.Series(years).groupby([y - i for i, y in enumerate(years)]).agg(list)
    return max(runs, key=len)


@pytest.fixture(scope="module")
def china_demo(tmp_path_factory):
    """The shipped demo with its [dynamics] section only (few permutations, no maps)."""
    demo = pipeline.demo_config_path().read_text(encoding="utf-8")
    start, end = demo.index("\n[statistics]") + 1, demo.index("\n[dynamics]") + 1
    light = demo[:start] + "[statistics]\npermutations = 99\n\n" + demo[end:]
    light = light.replace("maps = true", "maps = false")
    tmp = tmp_path_factory.mktemp("cn")
    (tmp / "cn.toml").write_text(light, encoding="utf-8")
    pipeline.run(pipeline.load_config(tmp / "cn.toml"), tmp / "out", quiet=True)
    return tmp / "out", pipeline.load_config(tmp / "cn.toml").settings


def test_dynamics_step_on_the_china_demo_panel(china_demo):
    """GDP per head 2005-2019: every method of the step runs (15 periods), and its Markov chain, beta and sigma
    convergence, Dagum Gini by the NBS regions and emerging hot spots equal the library called directly on GDP
    per head computed here from the bundled gdp and pop (Rey 2001; Barro and Sala-i-Martin 1992; Dagum 1997)."""
    out, s = china_demo
    panel = _gdp_per_head_panel()
    frame = panel[["code", "year", "gdp_per_head"]]
    kw = dict(id="code", time="year")
    mk = sc.markov(frame, "gdp_per_head", k=4, **kw)
    got = pd.read_csv(out / "tables" / "markov_gdp_per_head.csv", index_col=0)
    assert abs(got.to_numpy() - mk.p.to_numpy()).max() < 1e-12
    cv = sc.convergence(frame, "gdp_per_head", model="ols", **kw)
    beta = pd.read_csv(out / "tables" / "beta_convergence_gdp_per_head.csv", index_col=0)
    assert beta.loc["beta", "estimate"] == pytest.approx(cv.to_frame().loc["beta", "estimate"], rel=1e-10)
    assert beta.loc["beta", "estimate"] < 0  # poorer provinces grew faster over 2005-2019
    sigma = pd.read_csv(out / "tables" / "sigma_convergence_gdp_per_head.csv", index_col=0)
    ref = sc.sigma_convergence(frame, "gdp_per_head", **kw).to_frame()
    assert list(sigma.index) == list(range(2005, 2020))
    assert abs(sigma["cv"].to_numpy() - ref["cv"].to_numpy()).max() < 1e-12
    groups = sc.datasets.china_provinces()["group"]
    dg = sc.dagum_gini(frame.assign(g=frame["code"].map(groups)), "gdp_per_head", group="g", **kw)
    dagum = pd.read_csv(out / "tables" / "dagum_gdp_per_head.csv", index_col=0)
    assert list(dagum.index) == list(range(2005, 2020))
    assert abs(dagum["total"].to_numpy() - dg.to_frame()["total"].to_numpy()).max() < 1e-12
    with pytest.warns(sc.SpatialClusterWarning, match="460000"):
        w = sc.build_weights(sc.datasets.china_provinces(), kind="queen", islands="nearest")
    ehs = sc.emerging_hotspots(frame, "gdp_per_head", w, permutations=s.statistics.permutations, seed=s.project.seed, **kw)
    got = pd.read_csv(out / "tables" / "emerging_hotspots_gdp_per_head.csv", dtype={"code": str}).set_index("code")
    ref = ehs.to_frame()
    assert list(got["category"]) == list(ref.loc[got.index, "category"])
    assert abs(got["trend_tau"].to_numpy() - ref.loc[got.index, "trend_tau"].to_numpy()).max() < 1e-12


def test_dynamics_china_demo_urbanization_from_the_revised_counts(china_demo):
    """Urbanization of the demo is urban over resident population of the release after the 2020 census
    (``urban_pop_rev / pop_rev``), complete for all 31 provinces over 2005-2019: its Markov chain and Dagum
    Gini equal the library on the ratio computed here, and the report names the run of years kept."""
    out, _ = china_demo
    panel = sc.datasets.china_provinces_panel()
    panel = panel[panel["year"].between(2005, 2019)].assign(urbanization=lambda d: 100 * d["urban_pop_rev"] / d["pop_rev"])
    years = _longest_complete_run(panel, "urbanization")
    assert years == list(range(2005, 2020))
    frame = panel[["code", "year", "urbanization"]]
    mk = sc.markov(frame, "urbanization", id="code", time="year", k=4)
    got = pd.read_csv(out / "tables" / "markov_urbanization.csv", index_col=0)
    assert abs(got.to_numpy() - mk.p.to_numpy()).max() < 1e-12
    groups = sc.datasets.china_provinces()["group"]
    dg = sc.dagum_gini(frame, "urbanization", groups, id="code", time="year")
    dagum = pd.read_csv(out / "tables" / "dagum_urbanization.csv", index_col=0)
    assert list(dagum.index) == years
    assert abs(dagum["total"].to_numpy() - dg.to_frame()["total"].to_numpy()).max() < 1e-12
    assert (out / "tables" / "emerging_hotspots_urbanization.csv").exists()
    report = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert "urbanization: periods 2005-2019, the longest run" in report


def test_complete_run_needs_two_consecutive_complete_periods():
    from spatialcluster.pipeline.steps.dynamics import complete_run

    panel = pd.DataFrame({"id": ["a", "b"] * 3, "t": [1, 1, 2, 2, 3, 3], "x": [1.0, 2.0, None, 1.0, 3.0, 4.0]})
    with pytest.raises(sc.InputError, match=r"column 'x' of panel table 'p'.*complete periods: 1, 3"):
        complete_run(panel, "id", "t", "x", "p")
    kept, note = complete_run(panel.fillna({"x": 0.5}).iloc[:4], "id", "t", "x", "p")
    assert sorted(kept["t"].unique()) == [1, 2] and "left out" not in note
