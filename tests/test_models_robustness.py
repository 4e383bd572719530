"""sc.spillover_by_weights: one model under several weights, one table.

Reference: each column must be *exactly* (==, no tolerance) the single fit
``sc.spillover(data, y, x, w, model=..., **same kwargs)`` (issue 13: "the robustness table
reproduces each single-weights fit exactly"); the data are libpysal's bundled Columbus
(Anselin 1988), weights built by sc.build_weights.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from libpysal import examples

import spatialcluster as sc

Y, X = "CRIME", ["INC", "HOVAL"]
FIT = {"draws": 200, "seed": 7, "progress": False}


@pytest.fixture(scope="module")
def columbus():
    df = gpd.read_file(examples.get_path("columbus.shp"))
    df.index = pd.Index(df["POLYID"].astype(int).astype(str))
    weights = {
        "geographic": sc.build_weights(df, "queen"),
        "economic": sc.build_weights(df, "economic", variable="INC"),
        "nested": sc.build_weights(df, "nested", variable="INC"),
    }
    return df, weights


@pytest.fixture(scope="module")
def table(columbus):
    df, weights = columbus
    return sc.spillover_by_weights(df, Y, X, weights=weights, model="sdm", **FIT)


def test_columns_reproduce_the_single_fits_exactly(columbus, table):
    df, weights = columbus
    frame = table.to_frame()
    assert list(frame.columns) == ["geographic", "economic", "nested"]
    for name, w in weights.items():
        single = sc.spillover(df, Y, X, w, model="sdm", **FIT)
        col = frame[name]
        for term in single.params.index:
            assert col[("coefficient", term, "estimate")] == single.params[term]
            assert col[("coefficient", term, "std_err")] == single.std_err[term]
            assert col[("coefficient", term, "p")] == single.p[term]
        for kind in ("direct", "indirect", "total"):
            for term in X:
                assert col[(kind, term, "estimate")] == single.effects.loc[term, kind]
                assert col[(kind, term, "std_err")] == single.effects.loc[term, f"{kind}_se"]
                assert col[(kind, term, "p")] == single.effects.loc[term, f"{kind}_p"]
        assert col[("fit", "loglik", "estimate")] == single.loglik
        assert col[("fit", "aic", "estimate")] == single.aic
        assert col[("fit", "n", "estimate")] == 49
    assert ("coefficient", "rho", "estimate") in frame.index
    assert frame.loc[("coefficient", "rho", "estimate"), "geographic"] != frame.loc[("coefficient", "rho", "estimate"), "economic"]


def test_exports(table, tmp_path):
    frame = table.to_frame()
    rho = frame.loc[("coefficient", "rho", "estimate"), "nested"]
    md = table.to_markdown()
    assert md.startswith("| | geographic | economic | nested |")
    assert f"{rho:.3f}" in md and "direct: INC" in md and "Log-likelihood" in md and "AIC" in md
    tex = table.to_latex()
    assert tex.count("\\midrule") == 2 and "\\midrule\nN & 49" in tex
    assert "\\toprule" in tex and "\\bottomrule" in tex and "indirect: HOVAL" in tex and f"{rho:.3f}" in tex
    path = table.to_csv(tmp_path / "robustness.csv")
    back = pd.read_csv(path, index_col=[0, 1, 2])
    np.testing.assert_array_equal(back.to_numpy(), frame.to_numpy())  # full precision round trip
    with pytest.raises(sc.ConfigError, match="is a folder"):
        table.to_csv(tmp_path)
    record = table.to_record()
    assert set(record["weights"]) == {"geographic", "economic", "nested"}
    assert record["weights"]["geographic"]["rho"] == frame.loc[("coefficient", "rho", "estimate"), "geographic"]
    assert "SDM (spatial Durbin) of CRIME under 3 weights matrices" in table.summary()


def test_plot(table):
    import matplotlib

    matplotlib.use("Agg")
    ax = table.plot()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "INC [economic]" in labels and len(labels) == 6


def test_bad_weights(columbus):
    df, weights = columbus
    with pytest.raises(sc.ConfigError, match="non-empty dict of names"):
        sc.spillover_by_weights(df, Y, X, weights=[weights["geographic"]])
    with pytest.raises(sc.ConfigError, match=r"weights\['economic'\] is a DataFrame, not a libpysal Graph"):
        sc.spillover_by_weights(df, Y, X, weights={"economic": pd.DataFrame()})
    small = sc.build_weights(df.iloc[:10], "economic", variable="INC")
    with pytest.raises(sc.SpatialClusterError, match=r"^weights 'small': "):
        sc.spillover_by_weights(df, Y, X, weights={"small": small}, **FIT)
