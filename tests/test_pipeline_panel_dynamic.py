"""``[models.panel]`` through the config: dynamic and random-effects panels, panel LM and Hausman tests,
unbalanced panels under ``[data] missing``, and the robustness table across ``[[weights]]``.

Every number the pipeline writes is checked against the direct API call on the same data
(:func:`sc.spillover_panel`, :func:`sc.panel_lm_tests`, :func:`sc.panel_hausman`,
:func:`sc.spillover_by_weights`), exactly: the step must add nothing and lose nothing. The estimators
themselves are validated against SDPDmod and spreg in tests/test_panel_dynamic.py and test_panel_re.py.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import spatialcluster as sc
from spatialcluster import pipeline

SIDE, YEARS = 5, list(range(2011, 2019))


def _ids():
    return [f"r{i:02d}" for i in range(SIDE * SIDE)]


@pytest.fixture
def project(tmp_path):
    """A 5 x 5 lattice of regions and an 8-year panel drawn from a dynamic spatial Durbin process
    (tau 0.4, eta 0.1, rho 0.3 on rook weights), so that every model has something to find."""
    import geopandas as gpd
    from shapely.geometry import box

    ids = _ids()
    rng = np.random.default_rng(13)
    regions = gpd.GeoDataFrame({"code": ids, "g": rng.normal(size=len(ids)), "h": rng.normal(size=len(ids))},
                               geometry=[box(i % SIDE, i // SIDE, i % SIDE + 1, i // SIDE + 1) for i in range(len(ids))],
                               crs="EPSG:3857")
    regions.to_file(tmp_path / "grid.gpkg", engine="pyogrio")
    W = sc.build_weights(regions.set_index("code"), kind="rook").sparse.toarray()
    n = len(ids)
    mu = rng.normal(size=n)
    A = np.linalg.inv(np.eye(n) - 0.3 * W)
    y_prev, rows = rng.normal(size=n), []
    for year in YEARS:
        x = rng.normal(size=n)
        y = A @ (0.4 * y_prev + 0.1 * W @ y_prev + 1.0 * x + 0.5 * W @ x + mu + rng.normal(scale=0.5, size=n))
        rows += [{"code": c, "year": year, "y": y[i], "x": x[i]} for i, c in enumerate(ids)]
        y_prev = y
    pd.DataFrame(rows).to_csv(tmp_path / "panel.csv", index=False)
    return tmp_path


HEAD = """
inputs = { regions = "grid.gpkg", id = "code", tables = [{ path = "panel.csv", on = "code", time = "year" }] }
[[weights]]
kind = "rook"
[outputs]
maps = false
gpkg = false
"""


def _run(project, text, name="out"):
    (project / "a.toml").write_text(HEAD + text, encoding="utf-8")
    return pipeline.run(pipeline.load_config(project / "a.toml"), project / name, quiet=True)


def _api_inputs(project, drop=()):
    """The panel and the rook weights as a user would build them for the API."""
    panel = pd.read_csv(project / "panel.csv", dtype={"code": str})
    regions = sc.read_regions(project / "grid.gpkg", id="code").drop(index=list(drop))
    panel = panel[~panel.code.isin(drop)]
    return panel, sc.build_weights(regions, kind="rook")


def _table(project, name, out="out"):
    return pd.read_csv(project / out / "tables" / f"{name}.csv", index_col=0)


def _same(written: pd.DataFrame, expected: pd.DataFrame):
    expected = expected.copy()
    expected.index = expected.index.astype(written.index.dtype)
    expected.columns = expected.columns.astype(str)
    pd.testing.assert_frame_equal(written, expected, check_names=False, check_dtype=False, check_exact=True)


PANEL = """[models.panel]
table = "panel"
y = "y"
x = ["x"]
"""


def test_dynamic_sdm_step_equals_the_api(project):
    res = _run(project, PANEL + 'model = "sdm"\neffects = "region"\ndynamic = "spacetime"\nlm_tests = true\n')
    panel, w = _api_inputs(project)
    api = sc.spillover_panel(panel, "y", ["x"], w, id="code", time="year", model="sdm", effects="region",
                             dynamic="spacetime", bias_correction=True, seed=0)
    coef = _table(project, "panel_sdm")
    assert list(coef.index) == ["x", "W_x", "tau", "eta", "rho"]
    _same(coef, sc.pipeline.context.result_frame(api))
    _same(_table(project, "panel_effects_short_sdm"), api.effects_short)
    _same(_table(project, "panel_effects_long_sdm"), api.effects_long)
    stability = _table(project, "panel_stability_sdm")
    assert stability.loc["sdm", "tau+rho+eta"] == api.extra["stability"]["tau+rho+eta"]
    assert bool(stability.loc["sdm", "stable"]) is api.extra["stability"]["stable"] is True
    lm = sc.panel_lm_tests(panel, "y", ["x"], w, id="code", time="year", effects="region")
    _same(_table(project, "panel_lm_tests"), lm.to_frame())
    record = json.loads((project / "out" / "manifest.json").read_text())["results"]["panel_model"]
    assert record["model"]["params"]["tau"] == api.params["tau"]
    assert record["model"]["stability"]["stable"] is True and record["model"]["dynamic"] == "spacetime"
    assert record["lm_tests"]["LM_lag"]["statistic"] == lm.tests.loc["LM_lag", "statistic"]
    html = (project / "out" / "report.html").read_text(encoding="utf-8")
    assert "Long-run direct, indirect and total effects" in html and "Yu, J., de Jong" in html
    assert "long-run effects ((1 - tau) I - (rho + eta) W)^-1" in html
    assert res.manifest["results"]["panel_model"]["model"]["loglik"] == api.loglik


def test_dynamic_without_bias_correction_is_the_api_without_it(project):
    _run(project, PANEL + 'model = "sar"\neffects = "twoway"\ndynamic = "time"\nbias_correction = false\n')
    panel, w = _api_inputs(project)
    api = sc.spillover_panel(panel, "y", ["x"], w, id="code", time="year", model="sar", effects="twoway",
                             dynamic="time", bias_correction=False)
    _same(_table(project, "panel_sar"), sc.pipeline.context.result_frame(api))
    assert not (api.extra["bias"] != 0).any()


def test_random_effects_with_hausman_equals_the_api(project):
    _run(project, PANEL + 'model = "sar"\neffects = "random"\nhausman = true\nlm_tests = true\n')
    panel, w = _api_inputs(project)
    kw = dict(id="code", time="year", model="sar", seed=0)
    re = sc.spillover_panel(panel, "y", ["x"], w, effects="random", **kw)
    fe = sc.spillover_panel(panel, "y", ["x"], w, effects="region", bias_correction=False, **kw)
    h = sc.panel_hausman(fe, re)
    _same(_table(project, "panel_sar"), sc.pipeline.context.result_frame(re))
    _same(_table(project, "panel_hausman"), h.to_frame())
    test = _table(project, "panel_hausman_test")
    assert test.loc["hausman", "statistic"] == h.statistic and test.loc["hausman", "df"] == 2
    lm = sc.panel_lm_tests(panel, "y", ["x"], w, id="code", time="year", effects="none")
    _same(_table(project, "panel_lm_tests"), lm.to_frame())
    record = json.loads((project / "out" / "manifest.json").read_text())["results"]["panel_model"]
    assert record["hausman"]["statistic"] == h.statistic and "const" in record["model"]["params"]


@pytest.mark.parametrize("keys, where, words", [
    ('model = "sar"\neffects = "random"\ndynamic = "time"', '"dynamic"', "has fixed effects"),
    ('effects = "random"', '"effects"', "random effects needs model = 'sar' or 'sem'"),
    ('model = "sem"\ndynamic = "time"', '"dynamic"', "dynamic panels are 'sar' or 'sdm' models"),
    ('model = "sar"\ndynamic = "spacetime"\nhausman = true', '"hausman"', "compares static panels"),
    ('model = "sdm"\nhausman = true', '"hausman"', "the Hausman test"),
    ('dynamic = "both"', '"dynamic"', "not one of none, time, spacetime"),
])
def test_panel_config_errors_name_the_key_and_the_fix(project, keys, where, words):
    with pytest.raises(sc.ConfigError) as info:
        pipeline.parse_config(HEAD + PANEL + keys + "\n", name="a.toml", base=project)
    assert f"key {where}" in str(info.value) and words in str(info.value)


def test_unbalanced_panel_is_refused_with_names_or_balanced_by_the_rule(project):
    panel = pd.read_csv(project / "panel.csv")
    panel[~((panel.code == "r07") & (panel.year == 2018))].to_csv(project / "panel.csv", index=False)
    with pytest.raises(sc.InputError, match=r"r07 2018.*Set \[data\] missing = \"drop-region\""):
        _run(project, PANEL + 'effects = "region"\n')
    res = _run(project, '[data]\nmissing = "drop-region"\n' + PANEL + 'effects = "region"\n', "out2")
    balance = res.manifest["missing"]["panel"]["balance"]
    assert balance["dropped_regions"] == ["r07"] and balance["how"] == "regions"
    assert "r07" not in res.data.index
    panel, w = _api_inputs(project, drop=["r07"])
    api = sc.spillover_panel(panel, "y", ["x"], w, id="code", time="year", model="sdm", effects="region")
    _same(_table(project, "panel_sdm", "out2"), sc.pipeline.context.result_frame(api))
    res = _run(project, '[data]\nmissing = "drop-period"\n' + PANEL + 'effects = "region"\n', "out3")
    assert res.manifest["missing"]["panel"]["balance"]["dropped_periods"] == [2018] and len(res.data) == 25


ROBUST = """[[weights]]
name = "knn6"
kind = "knn"
k = 6
[models]
y = "g"
x = ["h"]
selection = false
cross_section = ["sar", "sdm"]
robustness = true
"""


def test_robustness_table_is_spillover_by_weights(project):
    _run(project, ROBUST)
    data = sc.read_regions(project / "grid.gpkg", id="code")
    weights = {"rook": sc.build_weights(data, kind="rook"), "knn6": sc.build_weights(data, kind="knn", k=6)}
    for model in ("sar", "sdm"):
        api = sc.spillover_by_weights(data, "g", ["h"], weights, model=model, seed=0)
        written = pd.read_csv(project / "out" / "tables" / f"robustness_{model}.csv", index_col=[0, 1, 2])
        pd.testing.assert_frame_equal(written, api.to_frame(), check_exact=True)
        tables = project / "out" / "tables"
        assert (tables / f"robustness_{model}_journal.md").read_text(encoding="utf-8").strip() == api.to_markdown().strip()
        assert (tables / f"robustness_{model}.tex").read_text(encoding="utf-8").strip() == api.to_latex().strip()
    # the existing effects-by-weights table is unchanged: the same fits, one row per model, variable, weights
    effects = pd.read_csv(project / "out" / "tables" / "effects_by_weights.csv", index_col=[0, 1, 2])
    assert effects.loc[("sdm", "h", "knn6"), "total"] == pytest.approx(
        sc.spillover(data, "g", ["h"], weights["knn6"], model="sdm", seed=0).effects.loc["h", "total"], rel=1e-12)
    html = (project / "out" / "report.html").read_text(encoding="utf-8")
    assert "under every weights specification" in html and "knn6" in html


def test_robustness_needs_two_weights(project):
    with pytest.raises(sc.ConfigError, match="at least two"):
        pipeline.parse_config(HEAD + ROBUST[ROBUST.index("[models]"):], name="a.toml", base=project)


def test_cigarette_panel_through_the_config_reproduces_sdpdmod(tmp_path):
    """Baltagi's cigarette panel with the usa46 contiguity read by ``kind = "matrix"`` from
    ../shared/data/reference (in place): the config's dynamic SAR (region effects, y and W y of t-1,
    Yu-de Jong-Lee correction) is the API's fit exactly, and SDPDmod's vignette ``mod3`` (CRAN SDPDmod
    0.0.6, ``inst/doc/spatial_model.html``): rho 0.310875, logc(t-1) 0.9287971, W*logc(t-1) -0.3030634,
    logp -0.0864323, logy -0.0217271; rho, eta and betas within 4e-3 and tau within 1e-3 (SDPDmod looks
    log|I - rho W| up on a 0.001 grid; see tests/test_panel_dynamic.py)."""
    import geopandas as gpd
    from libpysal.graph import Graph
    from scipy import sparse

    from conftest import need_shared

    ref = need_shared("data", "reference")
    d = pd.read_csv(ref / "cigarettes_baltagi_46states_1963_1992.csv")
    d["logc"], d["logp"], d["logy"] = np.log(d["sales"]), np.log(d["price"] / d["cpi"]), np.log(d["ndi"] / d["cpi"])
    d[["name", "year", "logc", "logp", "logy"]].to_csv(tmp_path / "cigarettes.csv", index=False)
    states = d.drop_duplicates("name")
    gpd.GeoDataFrame({"name": states["name"]}, geometry=gpd.points_from_xy(states.longitude, states.latitude),
                     crs="EPSG:4326").to_file(tmp_path / "states.gpkg", engine="pyogrio")
    (tmp_path / "a.toml").write_text(f"""
inputs = {{ regions = "states.gpkg", id = "name", tables = [{{ path = "cigarettes.csv", on = "name", time = "year" }}] }}
[[weights]]
name = "usa46"
kind = "matrix"
path = "{ref / 'usa46_binary_contiguity.csv'}"
[models.panel]
table = "cigarettes"
y = "logc"
x = ["logp", "logy"]
model = "sar"
effects = "region"
dynamic = "spacetime"
[outputs]
maps = false
gpkg = false
report = false
""", encoding="utf-8")
    pipeline.run(pipeline.load_config(tmp_path / "a.toml"), tmp_path / "out", quiet=True)
    coef = _table(tmp_path, "panel_sar")
    wm = pd.read_csv(ref / "usa46_binary_contiguity.csv", index_col=0)
    w = Graph.from_sparse(sparse.csr_matrix(wm.to_numpy()), ids=list(wm.index)).transform("r")
    api = sc.spillover_panel(d, "logc", ["logp", "logy"], w, id="name", time="year", model="sar", effects="region",
                             dynamic="spacetime", bias_correction=True, seed=0)
    _same(coef, sc.pipeline.context.result_frame(api))
    mod3 = {"rho": 0.310875, "tau": 0.9287971, "eta": -0.3030634, "logp": -0.0864323, "logy": -0.0217271}
    for term, value in mod3.items():
        assert coef.loc[term, "estimate"] == pytest.approx(value, abs=1e-3 if term == "tau" else 4e-3), term
