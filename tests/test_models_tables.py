"""Publication tables (Markdown, LaTeX booktabs) and the effects plot of spatial model results."""

from __future__ import annotations

import re

import pytest
from models_fixtures import columbus_old_data, single_thread_blas  # noqa: F401 (autouse fixture)

import spatialcluster as sc
from spatialcluster import ConfigError
from spatialcluster.models import regression_table
from spatialcluster.models._result import stars


@pytest.fixture(scope="module")
def fits(columbus_old):
    df, g = columbus_old_data(columbus_old)
    return [sc.spillover(df, "CRIME", ["INC", "HOVAL"], g, model=m, draws=200) for m in ("ols", "sar", "sdm")]


def test_stars():
    assert [stars(p) for p in (0.001, 0.02, 0.07, 0.2, float("nan"))] == ["***", "**", "*", "", ""]


def test_markdown_single(fits):
    sar = fits[1]
    md = sar.to_markdown()
    lines = md.splitlines()
    assert lines[0] == "| | SAR |"
    # estimate with stars, then the standard error in parentheses on the next row
    i = next(k for k, ln in enumerate(lines) if ln.startswith("| rho |"))
    assert f"{sar.params['rho']:.3f}\\*\\*\\*" in lines[i]
    assert f"({sar.std_err['rho']:.3f})" in lines[i + 1]
    assert "| N | 49 |" in md and "-182.39" in md


def test_latex_three_line_side_by_side(fits):
    tex = regression_table(fits, format="latex", names=["OLS", "SAR", "SDM"])
    assert tex.count("\\toprule") == 1 and tex.count("\\bottomrule") == 1
    assert "\\begin{tabular}{lccc}" in tex
    assert "W\\_INC" in tex  # escaped underscore
    # rows present in only some models leave the other cells empty
    w_inc = next(ln for ln in tex.splitlines() if ln.startswith("W\\_INC"))
    assert w_inc.split("&")[1].strip() == "" and w_inc.split("&")[2].strip() == ""
    assert re.search(r"\$\^\{\*\*\*\}\$", tex)
    assert fits[2].to_latex().startswith("\\begin{tabular}{lc}")


def test_effects_table_and_errors(fits):
    md = regression_table(fits[1:], effects=True)
    assert "direct: INC" in md and "indirect: HOVAL" in md
    with pytest.raises(ConfigError, match="format"):
        regression_table(fits, format="html")


def test_plot_effects(fits):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    out = fits[2].plot_effects(ax=ax)
    assert out is not None
    plt.close(fig)
