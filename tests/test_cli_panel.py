"""The ``panel`` command and ``regress`` with several ``--weights`` (a robustness table).

The numbers the commands print or write are those of the direct API calls on the same files
(:func:`sc.spillover_panel`, :func:`sc.panel_hausman`, :func:`sc.spillover_by_weights`); the
estimators themselves are validated in tests/test_panel_dynamic.py, test_panel_re.py and test_robustness.py.
"""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

import spatialcluster as sc
from spatialcluster.cli import app
from test_pipeline_panel_dynamic import _api_inputs, project  # noqa: F401  (the 5 x 5 lattice and its panel)

runner = CliRunner()


def _invoke(*args, code=0):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, (result.output, result.exception)
    return result


def _panel(project, *options, code=0):
    return _invoke("panel", project / "grid.gpkg", project / "panel.csv", "--on", "code", "--id", "code",
                   "--y", "y", "--x", "x", "--weights", "rook", *options, code=code)


def test_panel_dynamic_prints_the_api_estimates(project):
    result = _panel(project, "--model", "sdm", "--effects", "region", "--dynamic", "spacetime", "--lm-tests")
    panel, w = _api_inputs(project)
    api = sc.spillover_panel(panel, "y", ["x"], w, id="code", time="year", model="sdm", effects="region",
                             dynamic="spacetime")
    out = result.stdout
    for title in ("Coefficients", "Short-run direct", "Long-run direct", "Stability", "Panel LM tests"):
        assert title in out
    # the printed estimates are the API's, to the 4 significant digits shown
    for term in ("tau", "eta", "rho"):
        assert f"{api.params[term]:.4g}" in out
    assert f"{api.effects_long.loc['x', 'total']:.4g}" in out


def test_panel_no_bias_correction_and_random_effects_with_hausman(project):
    panel, w = _api_inputs(project)
    kw = dict(id="code", time="year")
    out = _panel(project, "--model", "sar", "--effects", "region", "--dynamic", "time", "--no-bias-correction").stdout
    api = sc.spillover_panel(panel, "y", ["x"], w, model="sar", effects="region", dynamic="time",
                             bias_correction=False, **kw)
    assert f"{api.params['tau']:.4g}" in out
    out = _panel(project, "--model", "sem", "--effects", "random", "--hausman").stdout
    re = sc.spillover_panel(panel, "y", ["x"], w, model="sem", effects="random", **kw)
    fe = sc.spillover_panel(panel, "y", ["x"], w, model="sem", effects="region", bias_correction=False, **kw)
    h = sc.panel_hausman(fe, re)
    assert f"{re.params['lambda']:.4g}" in out and f"H = {h.statistic:.4f}" in out


@pytest.mark.parametrize("options, words", [
    (("--model", "sar", "--effects", "random", "--dynamic", "time"), "random effects are static"),
    (("--dynamic", "both"), "--dynamic 'both' is not one of none, time, spacetime"),
    (("--model", "sdm", "--hausman"), "static random- and fixed-effects panels of --model sar or --model sem"),
])
def test_panel_bad_options_exit_1_with_the_fix(project, options, words):
    result = _panel(project, *options, code=1)
    assert words in result.stderr


def test_panel_unbalanced_names_the_region_periods(project):
    rows = pd.read_csv(project / "panel.csv")
    rows[~((rows.code == "r03") & (rows.year == 2012))].to_csv(project / "panel.csv", index=False)
    assert "r03 2012" in _panel(project, code=1).stderr


def _cross(project):
    """The lattice's cross-section variables as a table file."""
    regions = sc.read_regions(project / "grid.gpkg", id="code")
    regions[["g", "h"]].reset_index().to_csv(project / "cross.csv", index=False)
    return project / "cross.csv"


def test_regress_several_weights_writes_the_robustness_table(project, tmp_path):
    target = tmp_path / "robust.csv"
    result = _invoke("regress", project / "grid.gpkg", _cross(project), "--on", "code", "--id", "code",
                     "--y", "g", "--x", "h", "--model", "sdm", "--weights", "rook", "--weights", "knn:k=6",
                     "--robustness-table", target)
    data = sc.read_regions(project / "grid.gpkg", id="code")
    rob = sc.spillover_by_weights(data, "g", ["h"], {"rook": sc.build_weights(data, kind="rook"),
                                                     "knn:k=6": sc.build_weights(data, kind="knn", k=6)}, model="sdm")
    written = pd.read_csv(target, index_col=[0, 1, 2])
    pd.testing.assert_frame_equal(written, rob.to_frame(), check_exact=True)
    assert "knn:k=6" in result.stdout and "Log-likelihood" in result.stdout
    tex = tmp_path / "robust.tex"
    _invoke("regress", project / "grid.gpkg", _cross(project), "--on", "code", "--id", "code", "--y", "g",
            "--x", "h", "--model", "sdm", "-w", "rook", "-w", "knn:k=6", "--robustness-table", tex)
    assert tex.read_text(encoding="utf-8") == rob.to_latex()


@pytest.mark.parametrize("options, words", [
    (("-w", "knn:k"), "kind:key=value"),
    (("-w", "rook", "-w", "rook"), "repeats rook"),
    (("-w", "rook", "--robustness-table", "t.xlsx"), "at least two --weights"),
])
def test_regress_weights_options_are_checked(project, options, words):
    result = _invoke("regress", project / "grid.gpkg", _cross(project), "--on", "code", "--id", "code",
                     "--y", "g", "--x", "h", "--model", "sar", *options, code=1)
    assert words in result.stderr
