"""The ``dynamics`` subcommands: what they print and write is the direct API call on the same files.

Each test reads the files as a user of the API would (pandas, ``sc.read_regions``, ``sc.build_weights``)
and compares the command's printed ``summary()`` (its numbers at the printed precision) and its
``--csv`` (full precision) with the result of :func:`sc.markov`, :func:`sc.spatial_markov`,
:func:`sc.lisa_markov`, :func:`sc.sigma_convergence`, :func:`sc.convergence`, :func:`sc.dagum_gini`,
:func:`sc.emerging_hotspots`, :func:`sc.rank_mobility`, :func:`sc.club_convergence`, :func:`sc.lisa_paths`
and :func:`sc.kernel_density`; the methods themselves are validated against giddy, spreg and scipy in
tests/test_markov*.py, test_convergence*.py, test_dagum*.py and test_emerging*.py.
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
from test_pipeline_panel_dynamic import project  # noqa: F401  (the 5 x 5 lattice and its 8-year panel)

runner = CliRunner()
KW = dict(id="code", time="year")


@pytest.fixture
def files(project):  # noqa: F811
    """The lattice's panel with a positive level (for logs) and a two-group column (for Dagum)."""
    rows = pd.read_csv(project / "panel.csv", dtype={"code": str})
    rows["level"] = np.exp(rows["y"] / 4)
    rows["grp"] = np.where(rows["code"].str[-1].astype(int) % 2 == 0, "even", "odd")
    rows.to_csv(project / "panel.csv", index=False)
    return project


def _api(project):
    rows = pd.read_csv(project / "panel.csv", dtype={"code": str})
    return rows, sc.build_weights(sc.read_regions(project / "grid.gpkg", id="code"), kind="rook")


def _dyn(project, command, *options, code=0):
    args = ["dynamics", command, project / "grid.gpkg", project / "panel.csv", "--on", "code", "--id", "code",
            "--column", "level", *options]
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, (result.output, result.exception)
    return result


def test_markov_prints_and_writes_the_api_chain(files):
    rows, _ = _api(files)
    out = _dyn(files, "markov", "--n-classes", "5", "--csv", files / "m.csv").stdout
    api = sc.markov(rows, "level", k=5, **KW)
    assert api.summary() in out
    written = pd.read_csv(files / "m.csv", index_col=0, dtype={"code": str})
    expected = api.to_frame()
    assert (written.to_numpy() == expected.to_numpy()).all()
    cut = _dyn(files, "markov", "--classes", "0.8,1,1.2").stdout
    assert sc.markov(rows, "level", classes=[0.8, 1.0, 1.2], **KW).summary() in cut


def test_spatial_and_lisa_markov_equal_the_api(files):
    rows, w = _api(files)
    out = _dyn(files, "spatial-markov", "-w", "rook", "--n-classes", "3", "--lag-classes", "3").stdout
    api = sc.spatial_markov(rows, "level", w, k=3, m=3, **KW)
    assert api.summary() in out
    assert f"Q = {api.homogeneity['Q']:.3f}" in out
    out = _dyn(files, "lisa-markov", "-w", "rook").stdout
    assert sc.lisa_markov(rows, "level", w, **KW).summary() in out


def test_sigma_beta_and_dagum_equal_the_api(files):
    rows, w = _api(files)
    assert sc.sigma_convergence(rows, "level", **KW).summary() in _dyn(files, "sigma").stdout
    out = _dyn(files, "convergence", "--csv", files / "b.csv").stdout
    api = sc.convergence(rows, "level", **KW)
    assert api.summary() in out
    written = pd.read_csv(files / "b.csv", index_col=0)
    np.testing.assert_array_equal(written.to_numpy(), api.to_frame().to_numpy())
    sar = sc.convergence(rows, "level", model="sar", w=w, **KW)
    assert sar.summary() in _dyn(files, "convergence", "--model", "sar", "-w", "rook").stdout
    short = sc.convergence(rows, "level", start=2012, end=2016, **KW)
    assert short.summary() in _dyn(files, "convergence", "--start", "2012", "--end", "2016").stdout
    dagum = sc.dagum_gini(rows, "level", group="grp", **KW)
    assert dagum.summary() in _dyn(files, "dagum", "--group", "grp").stdout


def test_emerging_hotspots_prints_and_writes_the_styled_layer(files):
    rows, w = _api(files)
    target = files / "ehs.gpkg"
    out = _dyn(files, "emerging-hotspots", "-w", "rook", "--permutations", "99", "--seed", "3",
               "--gpkg", target).stdout
    api = sc.emerging_hotspots(rows, "level", w, permutations=99, seed=3, **KW)
    assert api.summary() in out
    layer = sc.read_regions(target, layer="emerging_level", id="code")
    pd.testing.assert_series_equal(layer["category"].sort_index(), api.frame["category"].sort_index(),
                                   check_names=False, check_index_type=False)
    with sqlite3.connect(target) as con:
        qml = con.execute("select styleQML from layer_styles where f_table_name = 'emerging_level'").fetchone()[0]
    assert "new hot spot" in qml


def test_rank_mobility_and_clubs_equal_the_api(files):
    rows, w = _api(files)
    out = _dyn(files, "rank-mobility", "-w", "rook", "--regime", "grp", "--permutations", "19", "--seed", "2").stdout
    api = sc.rank_mobility(rows, "level", w, regime="grp", permutations=19, seed=2, **KW)
    assert api.summary() in out
    out = _dyn(files, "clubs", "--gpkg", files / "clubs.gpkg").stdout
    clubs = sc.club_convergence(rows, "level", **KW)
    assert clubs.summary() in out
    layer = sc.read_regions(files / "clubs.gpkg", layer="clubs_level", id="code")
    assert (layer["club"].sort_index().to_numpy() == clubs.frame["club"].sort_index().to_numpy()).all()


def test_lisa_paths_and_density_equal_the_api(files):
    rows, w = _api(files)
    out = _dyn(files, "lisa-paths", "-w", "rook", "--gpkg", files / "paths.gpkg").stdout
    paths = sc.lisa_paths(rows, "level", w, **KW)
    assert paths.summary() in out
    layer = sc.read_regions(files / "paths.gpkg", layer="lisa_paths_level", id="code")
    np.testing.assert_array_equal(layer["length"].sort_index().to_numpy(),
                                  paths.frame["length"].sort_index().to_numpy())
    out = _dyn(files, "density", "--bandwidth", "0.5", "--csv", files / "kde.csv").stdout
    kde = sc.kernel_density(rows, "level", time="year", bandwidth=0.5)
    assert kde.summary() in out
    written = pd.read_csv(files / "kde.csv", index_col=0)
    np.testing.assert_array_equal(written.to_numpy(), kde.density.to_numpy())


@pytest.mark.parametrize("command, options, code, words", [
    ("markov", ("--classes", "low,high"), 1, "--classes 'low,high'"),
    ("markov", ("--n-classes", "1"), 2, "--n-classes"),
    ("convergence", ("--model", "sar", "-w", "knn:k"), 1, "kind:key=value"),
    ("dagum", ("--group", "nope"), 1, "nope"),
    ("lisa-markov", ("--csv", "grid.gpkg"), 1, "--csv"),
])
def test_bad_options_give_one_clear_line(files, command, options, code, words):
    options = [str(files / o) if o == "grid.gpkg" else o for o in options]
    one_clear_line(_dyn(files, command, *options, code=code), words, code)


def test_unbalanced_panel_names_the_region_periods(files):
    rows = pd.read_csv(files / "panel.csv")
    rows[~((rows.code == "r03") & (rows.year == 2012))].to_csv(files / "panel.csv", index=False)
    result = _dyn(files, "markov", code=1)
    assert "r03" in result.stderr and "--balance" in result.stderr
    assert "r03" in _dyn(files, "markov", "--balance").stderr  # dropped, with a note naming it
