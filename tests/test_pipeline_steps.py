"""The pipeline's typed settings, its step registry and the ``[data] missing`` rule."""

from __future__ import annotations

import dataclasses
import importlib
import json

import numpy as np
import pandas as pd
import pytest

import spatialcluster as sc
from spatialcluster import pipeline
from spatialcluster.pipeline import schema, settings
from spatialcluster.pipeline.context import Section
from spatialcluster.pipeline.schema import SCHEMA, Table
from spatialcluster.pipeline.steps import STEPS, Step

DEMO = pipeline.demo_config_path().read_text(encoding="utf-8")


def _error(source, **kw) -> str:
    with pytest.raises(sc.ConfigError) as info:
        pipeline.parse_config(source, name="a.toml", **kw)
    return str(info.value)


@pytest.fixture
def project(tmp_path):
    """A 4 x 4 grid of regions (``v`` with a gap in r5) and a 4-year panel (``y`` missing for r2 in 2019)."""
    import geopandas as gpd
    from shapely.geometry import box

    ids = [f"r{i}" for i in range(16)]
    rng = np.random.default_rng(7)
    v = rng.normal(size=16) + np.arange(16) % 4
    v[5] = np.nan
    gpd.GeoDataFrame({"code": ids, "v": v, "u": rng.normal(size=16)},
                     geometry=[box(i % 4, i // 4, i % 4 + 1, i // 4 + 1) for i in range(16)],
                     crs="EPSG:3857").to_file(tmp_path / "grid.gpkg", engine="pyogrio")
    rows = pd.DataFrame([{"code": c, "year": y, "y": rng.normal() + i % 4} for i, c in enumerate(ids)
                         for y in (2018, 2019, 2020, 2021)])
    rows.loc[(rows.code == "r2") & (rows.year == 2019), "y"] = np.nan
    rows.to_csv(tmp_path / "panel.csv", index=False)
    return tmp_path


# an inline table: the checker reads it as the [[inputs.tables]] form
HEAD = """
inputs = { regions = "grid.gpkg", id = "code", tables = [{ path = "panel.csv", on = "code", time = "year" }] }
[[weights]]
kind = "rook"
"""


def _run(project, text, name="out"):
    (project / "a.toml").write_text(HEAD + text, encoding="utf-8")
    return pipeline.run(pipeline.load_config(project / "a.toml"), project / name, quiet=True)


# --------------------------------------------------------------------------- typed settings
def _keys(table: Table) -> set:
    return {k.rstrip("_") for k in table.keys}


def test_every_schema_key_is_a_settings_field_and_back():
    """The dataclasses and the schema cannot drift apart: one field per key, section by section."""
    pairs = [
        (settings.Project, SCHEMA.keys["project"]),
        (settings.Inputs, SCHEMA.keys["inputs"]),
        (settings.TableInput, SCHEMA.keys["inputs"].keys["tables"]),
        (settings.ReadOptions, SCHEMA.keys["inputs"].keys["tables"].keys["read"]),
        (settings.DataRules, SCHEMA.keys["data"]),
        (settings.Derived, SCHEMA.keys["variables"].keys["derived"]),
        (settings.Weights, SCHEMA.keys["weights"]),
        (settings.Statistics, SCHEMA.keys["statistics"]),
        (settings.ByYear, SCHEMA.keys["statistics"].keys["by_year"]),
        (settings.Models, SCHEMA.keys["models"]),
        (settings.PanelModel, SCHEMA.keys["models"].keys["panel"]),
        (settings.Outputs, SCHEMA.keys["outputs"]),
    ]
    for cls, table in pairs:
        fields = {f.name.rstrip("_") for f in dataclasses.fields(cls)}
        if cls is settings.Derived:  # the name is the table's: [variables.derived.<name>]
            fields.remove("name")
        assert fields == _keys(table), cls.__name__
    top = {f.name for f in dataclasses.fields(settings.Settings)}
    assert top == (set(SCHEMA.keys) - {"variables"}) | {"derived"}


def test_settings_are_frozen_and_typed():
    s = pipeline.parse_config(DEMO).settings
    assert s.primary_weights == "queen" and s.weights[1].k == 4 and s.weights[1].transform == "r"
    assert s.statistics.global_ == ("urban_rate_2011_yearend", "lq_gdp_pop_2020", "pop_growth_2010_2020")
    assert s.inputs.table("panel").time == "year" and s.data is None and s.models.panel.table == "panel"
    assert [d.name for d in s.derived] == ["pop_growth_2010_2020", "lq_gdp_pop_2020", "urbanization", "lq_secondary",
                                          "gdp_per_head"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.statistics.alpha = 0.1


def test_allowed_values_are_the_owning_modules():
    """One source of truth: what the library accepts is what the config accepts."""
    from spatialcluster.io.missing import MISSING
    from spatialcluster.models.cross_section import MODELS
    from spatialcluster.plot._classify import SCHEMES
    from spatialcluster.stats.multitest import CORRECTIONS
    from spatialcluster.weights._build import ISLAND_POLICIES, KINDS, TRANSFORMS

    keys = SCHEMA.keys
    assert set(keys["weights"].keys["transform"].choices) == set(TRANSFORMS)
    assert set(keys["weights"].keys["kind"].choices) == set(KINDS.values())
    assert keys["weights"].keys["islands"].choices == ISLAND_POLICIES
    assert {None if c == "none" else c for c in keys["statistics"].keys["correction"].choices} == set(CORRECTIONS)
    assert keys["models"].keys["cross_section"].choices == MODELS
    assert set(keys["outputs"].keys["scheme"].choices) == set(SCHEMES)
    assert keys["data"].keys["missing"].choices == MISSING


def test_transform_o_is_accepted_like_build_weights(project):
    """transform = "o" (the weights as built) was refused by the config though build_weights accepts it."""
    res = _run(project, """transform = "o"
[statistics]
permutations = 9
global = ["u"]
[outputs]
maps = false
report = false
gpkg = false
""")
    assert res.manifest["weights"]["rook"]["transform"] == "O"
    data = sc.read_regions(project / "grid.gpkg", id="code")
    expected = sc.moran(data, "u", sc.build_weights(data, kind="rook", transform="o"), permutations=0).I
    assert pd.read_csv(project / "out" / "tables" / "moran.csv")["I"].iloc[0] == pytest.approx(expected, rel=1e-12)


def test_user_defined_scheme_needs_bins_and_uses_them(project):
    msg = _error(DEMO.replace('scheme = "quantiles"', 'scheme = "user_defined"'))
    assert '[outputs] key "scheme"' in msg and "add bins = [...]" in msg
    msg = _error(DEMO.replace('classes = 5', 'classes = 5\nbins = [1, 2]'))
    assert '[outputs] key "bins"' in msg and "only read with scheme = 'user_defined'" in msg
    msg = _error(DEMO.replace('scheme = "quantiles"', 'scheme = "user_defined"\nbins = [3, 1]'))
    assert "must increase strictly" in msg
    assert "a list of numbers" in _error(DEMO.replace('classes = 5', 'classes = 5\nbins = ["a"]'))
    res = _run(project, """[outputs]
choropleths = ["u"]
scheme = "user_defined"
bins = [-1, 0, 1, 10]
report = false
""")
    assert res.manifest["config"]["outputs"]["bins"] == [-1.0, 0.0, 1.0, 10.0]
    import sqlite3

    with sqlite3.connect(project / "out" / "results.gpkg") as con:
        qml = con.execute("select styleQML from layer_styles where f_table_name = 'regions'").fetchone()[0]
    # the QGIS style's class bounds are the given bins (mapclassify user_defined)
    import re

    assert [float(u) for u in re.findall(r'<range [^>]*upper="([^"]+)"', qml)] == [-1.0, 0.0, 1.0, 10.0]


def test_weights_kinds_without_a_config_form_are_refused_clearly():
    msg = _error(DEMO.replace('kind = "knn"\nk = 4', 'kind = "economic"'))
    assert "kind 'economic'" in msg and "build them in Python" in msg


# --------------------------------------------------------------------------- the registry
def test_steps_are_registered_in_order_with_unique_names():
    names = [s.name for s in STEPS]
    assert names[:2] == ["missing", "weights"] and len(set(names)) == len(names)
    assert {"choropleths", "global_moran", "lisa", "gistar", "global_geary", "local_geary", "by_year", "models",
            "panel_model"} <= set(names)


def test_a_registered_step_runs_and_gives_the_report_its_section(project, monkeypatch):
    """Adding a step is one object in the registry: it is checked, runs, writes, and its section is in the report."""
    class Extra(Step):
        name = "extra"

        def variables(self, s):
            return [pipeline.steps.Variable(("statistics", "global", 0), "u")]

        def run(self, ctx):
            ctx.wr.table("extra", ctx.data[["u"]].describe())
            return Section("An extra step", "made by a test")

    run_module = importlib.import_module("spatialcluster.pipeline.run")
    monkeypatch.setattr(run_module, "STEPS", (*STEPS, Extra()))
    res = _run(project, "[outputs]\nmaps = false\ngpkg = false\n")
    assert "tables/extra.csv" in res.files
    html = (project / "out" / "report.html").read_text(encoding="utf-8")
    assert "An extra step" in html and "made by a test" in html


def test_correction_none_is_the_library_none(project):
    res = _run(project, """[statistics]
permutations = 99
correction = "none"
local = ["u"]
[outputs]
maps = false
report = false
gpkg = false
""")
    assert "tables/lisa_u.csv" in res.files
    data = sc.read_regions(project / "grid.gpkg", id="code")
    direct = sc.local_moran(data, "u", sc.build_weights(data, kind="rook"), permutations=99, seed=0, correction=None)
    table = pd.read_csv(project / "out" / "tables" / "lisa_u.csv", index_col=0)
    expected = direct.to_frame().loc[table.index]
    assert table["cluster"].tolist() == expected["cluster"].tolist()
    np.testing.assert_allclose(table["p_sim"], expected["p_sim"], rtol=0, atol=0)


# --------------------------------------------------------------------------- [data] missing
def test_without_a_rule_a_gap_still_stops_where_it_did(project):
    with pytest.raises(sc.InputError):
        _run(project, "[statistics]\npermutations = 9\nglobal = [\"v\"]\n[outputs]\nmaps = false\nreport = false\n")


def test_missing_error_names_the_cell(project):
    with pytest.raises(sc.InputError, match=r"'v' for r5"):
        _run(project, '[data]\nmissing = "error"\n[statistics]\npermutations = 9\nglobal = ["v"]\n')


def test_missing_drop_region_drops_it_everywhere_and_says_so(project):
    res = _run(project, """[data]
missing = "drop-region"
[statistics]
permutations = 9
global = ["v"]
local = ["v"]
[statistics.by_year]
table = "panel"
columns = ["y"]
[outputs]
choropleths = ["v"]
""")
    dropped = res.manifest["missing"]
    assert dropped["regions"]["dropped_regions"] == ["r5"]
    assert dropped["panel"]["dropped_regions"] == ["r2"] and dropped["panel"]["missing_cells"][0]["period"] == "2019"
    assert sorted(set(map(str, range(16))) - {s.removeprefix("r") for s in res.data.index}) == ["2", "5"]
    lisa = pd.read_csv(project / "out" / "tables" / "lisa_v.csv", index_col=0)
    assert len(lisa) == 14 and "r5" not in lisa.index
    # the statistic is the API's on the regions that remain
    data = sc.read_regions(project / "grid.gpkg", id="code").drop(index=["r2", "r5"])
    expected = sc.moran(data, "v", sc.build_weights(data, kind="rook"), permutations=0).I
    assert pd.read_csv(project / "out" / "tables" / "moran.csv")["I"].iloc[0] == pytest.approx(expected, rel=1e-12)
    by_year = pd.read_csv(project / "out" / "tables" / "moran_by_year_y.csv", index_col=0)
    assert list(by_year.index) == [2018, 2019, 2020, 2021]
    html = (project / "out" / "report.html").read_text(encoding="utf-8")
    assert "Missing values" in html and "drop-region" in html
    notes = json.loads((project / "out" / "manifest.json").read_text())["notes"]
    assert any('missing = "drop-region"' in n["message"] for n in notes)


def test_missing_drop_period_drops_the_year_of_the_panel_only(project):
    res = _run(project, """[data]
missing = "drop-period"
[statistics]
permutations = 9
[statistics.by_year]
table = "panel"
columns = ["y"]
[outputs]
report = false
maps = false
""")
    assert res.manifest["missing"]["panel"]["dropped_periods"] == [2019]
    by_year = pd.read_csv(project / "out" / "tables" / "moran_by_year_y.csv", index_col=0)
    assert list(by_year.index) == [2018, 2020, 2021] and len(res.data) == 16
    # a cross-section has no periods: its gaps stop the run, named
    with pytest.raises(sc.InputError, match="r5"):
        _run(project, '[data]\nmissing = "drop-period"\n[statistics]\npermutations = 9\nglobal = ["v"]\n', "out2")


def test_data_table_needs_its_rule():
    msg = _error(DEMO + '\n[data]\n')
    assert "required key 'missing' is missing" in msg
    assert "Did you mean 'drop-region'?" in _error(DEMO + '\n[data]\nmissing = "drop-regions"\n')


# --------------------------------------------------------------------------- the Geary steps
def test_geary_steps_write_the_apis_numbers_and_a_geary_style(project):
    """[statistics] geary: one table of global Geary's C per weights (C checked against esda.Geary,
    Geary 1954), local Geary tables, maps and layers styled with the local Geary categories."""
    import re
    import sqlite3

    import esda

    res = _run(project, """[[weights]]
kind = "queen"
[statistics]
permutations = 99
geary = ["u"]
[outputs]
report = true
""")
    assert {"tables/geary.csv", "tables/local_geary_u.csv", "maps/local_geary_map_u.png"} <= set(res.files)
    data = sc.read_regions(project / "grid.gpkg", id="code").sort_index()
    rook = sc.build_weights(data, kind="rook")
    table = pd.read_csv(project / "out" / "tables" / "geary.csv").set_index("weights")
    assert list(table.index) == ["rook", "queen"]
    api = sc.geary(data, "u", rook, permutations=99, seed=0)
    assert table.loc["rook", "C"] == pytest.approx(api.C, rel=1e-12)
    assert table.loc["rook", "p_sim"] == pytest.approx(api.p_sim, rel=1e-12)
    ref = esda.Geary(data["u"].to_numpy(), rook.to_W(), permutations=0)  # esda row-standardises too
    assert table.loc["rook", "C"] == pytest.approx(ref.C, rel=1e-9)
    local = pd.read_csv(project / "out" / "tables" / "local_geary_u.csv", index_col=0)
    direct = sc.local_geary(data, "u", rook, permutations=99, seed=0).to_frame().loc[local.index]
    np.testing.assert_allclose(local["C"], direct["C"], rtol=1e-12)
    assert local["cluster"].tolist() == direct["cluster"].tolist()
    with sqlite3.connect(project / "out" / "results.gpkg") as con:
        qml = con.execute("select styleQML from layer_styles where f_table_name = 'local_geary_u'").fetchone()[0]
    assert re.findall(r'<category [^>]*value="([^"]*)"', qml) == ["ns", "High-High", "Low-Low", "Other positive", "Positive",
                                                              "Negative", "island", ""]
    assert "Local clusters (local Geary)" in (project / "out" / "report.html").read_text(encoding="utf-8")


def test_qgis_style_recognises_local_geary_labels():
    from spatialcluster.export.qml import layer_style

    frame = pd.DataFrame({"cluster": ["High-High", "ns", "Negative", None]})
    assert "Local Geary" in layer_style(frame).description
    assert "LISA" in layer_style(pd.DataFrame({"cluster": ["HH", "ns"]})).description
    with pytest.raises(sc.InputError, match="not local Geary clusters"):
        layer_style(pd.DataFrame({"cluster": ["HH", "Negative"]}), kind="geary")
