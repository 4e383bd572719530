"""The indicator commands: what they print and write is the direct API call on the same files.

``geodetector``, ``agglomeration``, ``composite``, ``ellipse``, ``join-counts`` and ``regionalize`` are
compared with :func:`sc.geodetector`, :func:`sc.agglomeration`, :func:`sc.composite_index`,
:func:`sc.standard_ellipse`, :func:`sc.local_join_counts` and :func:`sc.regionalize` on the files read
as an API user would; the methods themselves are validated (R's GD, esda, spopt, hand cases) in
tests/test_geodetector*.py, test_agglomeration*.py, test_composite*.py, test_centrography*.py,
test_join_counts*.py and test_regions*.py.
"""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import spatialcluster as sc
from _catalogue import one_clear_line
from spatialcluster.cli import app
from test_pipeline_panel_dynamic import project  # noqa: F401  (the 5 x 5 lattice)

runner = CliRunner()


@pytest.fixture
def files(project):  # noqa: F811
    """A cross-section table for the lattice and a long region x industry employment table."""
    rng = np.random.default_rng(7)
    codes = sc.read_regions(project / "grid.gpkg", id="code").index
    t = pd.DataFrame({"code": codes, "a": rng.normal(size=25), "b": rng.gamma(2.0, size=25),
                      "c": rng.uniform(size=25), "pop": rng.integers(1, 10, 25),
                      "zone": (rng.uniform(size=25) < 0.4).astype(int), "f1": rng.integers(0, 3, 25)})
    t["yv"] = t["a"] + t["f1"] + rng.normal(scale=0.3, size=25)
    t.to_csv(project / "cross.csv", index=False)
    pd.DataFrame([{"code": c, "industry": i, "jobs": int(rng.integers(1, 100))} for c in codes for i in "ABC"]
                 ).to_csv(project / "emp.csv", index=False)
    return project


def _data(project):
    regions = sc.read_regions(project / "grid.gpkg", id="code")
    return sc.join(regions, pd.read_csv(project / "cross.csv"), on="code")


def _run(project, command, *options, table="cross.csv", code=0):
    args = [command, project / "grid.gpkg", project / table, "--on", "code", "--id", "code", *options]
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, (result.output, result.exception)
    return result


def _style(gpkg, layer):
    with sqlite3.connect(gpkg) as con:
        return con.execute("select styleQML from layer_styles where f_table_name = ?", (layer,)).fetchone()[0]


def test_geodetector_prints_the_api_q(files):
    out = _run(files, "geodetector", "--y", "yv", "--factor", "f1", "--factor", "a", "--classes", "3",
               "--classes", "4", "--csv", files / "gd.csv").stdout
    api = sc.geodetector(_data(files), "yv", ["f1", "a"], k=[3, 4])
    assert api.summary() in out
    written = pd.read_csv(files / "gd.csv", index_col=0)
    np.testing.assert_array_equal(written["q"].to_numpy(), api.factors["q"].to_numpy())


def test_agglomeration_prints_the_api_indices_and_maps_specialisation(files):
    out = _run(files, "agglomeration", "--industry", "industry", "--value", "jobs", "--gpkg", files / "ag.gpkg",
               table="emp.csv").stdout
    api = sc.agglomeration(pd.read_csv(files / "emp.csv"), region="code", industry="industry", value="jobs")
    assert api.summary() in out
    layer = sc.read_regions(files / "ag.gpkg", layer="specialisation", id="code")
    np.testing.assert_allclose(layer["krugman_nation"].sort_index().to_numpy(),
                               api.regions["krugman_nation"].sort_index().to_numpy(), rtol=0, atol=0)


def test_composite_prints_the_api_weights_and_writes_scores(files):
    out = _run(files, "composite", "--indicator", "a", "--indicator", "b", "--indicator", "c", "--negative", "c",
               "--method", "topsis", "--gpkg", files / "co.gpkg").stdout
    api = sc.composite_index(_data(files), ["a", "b", "c"], negative=["c"], method="topsis")
    assert api.summary() in out
    layer = sc.read_regions(files / "co.gpkg", layer="composite_index", id="code")
    np.testing.assert_allclose(layer["score"].sort_index(), api.frame["score"].sort_index(), rtol=0, atol=0)
    assert "score" in _style(files / "co.gpkg", "composite_index")


def test_ellipse_equals_the_api_in_a_projected_crs(files):
    out = _run(files, "ellipse", "--weight", "pop", "--gpkg", files / "el.gpkg").stdout
    data = _data(files)
    crs, _ = sc.weights.projected_crs(data)
    projected = data.to_crs(crs)
    long = projected.assign(period="pop", _weight=projected["pop"])
    api = sc.standard_ellipse(long, weights="_weight", time="period")
    assert api.summary() in out
    assert sc.standard_ellipse(projected).summary() in _run(files, "ellipse").stdout
    assert len(sc.read_regions(files / "el.gpkg", layer="ellipse", id="period")) == 1


def test_ellipse_keeps_the_order_of_the_weight_columns(files):
    """--weight pop --weight b: the ellipses, the centre's shift and the layer follow that order, not the
    alphabet (b would come first)."""
    _run(files, "ellipse", "--weight", "pop", "--weight", "b", "--csv", files / "el.csv", "--gpkg", files / "el.gpkg")
    frame = pd.read_csv(files / "el.csv", index_col=0)
    assert list(frame.index) == ["pop", "b"]
    assert np.isnan(frame.loc["pop", "shift"]) and np.isfinite(frame.loc["b", "shift"])
    import pyogrio

    assert list(pyogrio.read_dataframe(files / "el.gpkg", layer="ellipse")["period"]) == ["pop", "b"]


def test_join_counts_and_regionalize_equal_the_api(files):
    data = _data(files)
    w = sc.build_weights(data, kind="rook")
    out = _run(files, "join-counts", "--column", "zone", "-w", "rook", "--gpkg", files / "jc.gpkg").stdout
    api = sc.local_join_counts(data, "zone", w)
    assert api.summary() in out
    layer = sc.read_regions(files / "jc.gpkg", layer="join_counts_zone", id="code")
    np.testing.assert_array_equal(layer["LJC"].sort_index().to_numpy(), api.to_frame()["LJC"].sort_index().to_numpy())
    pytest.importorskip("spopt")
    out = _run(files, "regionalize", "-c", "a", "-c", "b", "--method", "skater", "--n-regions", "4", "-w", "rook",
               "--csv", files / "rg.csv").stdout
    res = sc.regionalize(data, ["a", "b"], w, method="skater", n_regions=4)
    assert res.summary() in out
    written = pd.read_csv(files / "rg.csv", index_col=0)
    np.testing.assert_array_equal(written["label"].to_numpy(), res.frame["label"].to_numpy())


@pytest.mark.parametrize("command, options, code, words", [
    ("regionalize", ("-c", "a"), 1, "--method maxp needs --threshold-column and --threshold-value"),
    ("regionalize", ("-c", "a", "--method", "skater"), 1, "--method skater needs --n-regions"),
    ("geodetector", ("--y", "yv"), 2, "--factor"),
    ("composite", ("--indicator", "nope"), 1, "nope"),
    ("ellipse", ("--weight", "nope"), 1, "--weight nope: not a column of the table"),
    ("join-counts", ("--column", "zone", "--gpkg", "cross.csv"), 1, "is an input of this command"),
    ("join-counts", ("--column", "zone", "--permutations", "0"), 2, "--permutations"),
])
def test_bad_options_give_one_clear_line(files, command, options, code, words):
    options = [str(files / o) if o == "cross.csv" else o for o in options]
    one_clear_line(_run(files, command, *options, code=code), words, code)
