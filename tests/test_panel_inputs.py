"""sc.spillover_panel refuses bad panels with messages that name the offending region-periods."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph

import spatialcluster as sc
from spatialcluster import InputError, WeightsError


def _grid_graph(n_side=4, transform="r"):
    import libpysal

    w = libpysal.weights.lat2W(n_side, n_side, rook=True)
    ids = [f"R{i:02d}" for i in range(n_side * n_side)]
    w = libpysal.weights.W({ids[k]: [ids[j] for j in v] for k, v in w.neighbors.items()})
    return Graph.from_W(w).transform(transform), ids


@pytest.fixture
def panel():
    g, ids = _grid_graph()
    rng = np.random.default_rng(1)
    years = range(2001, 2007)
    df = pd.DataFrame([(i, t) for i in ids for t in years], columns=["code", "year"])
    df["x"] = rng.normal(size=len(df))
    df["z"] = rng.normal(size=len(df))
    df["y"] = 0.5 * df["x"] + rng.normal(size=len(df))
    return df, g


def call(df, g, **kw):
    kw.setdefault("draws", 0)
    return sc.spillover_panel(df, "y", ["x", "z"], g, **kw)


def test_clean_panel_fits(panel):
    df, g = panel
    res = call(df.sample(frac=1, random_state=0), g)  # row order does not matter
    ref = call(df, g)
    pd.testing.assert_series_equal(res.params, ref.params)


def test_duplicate_region_years_listed(panel):
    df, g = panel
    bad = pd.concat([df, df.iloc[[3]]])
    with pytest.raises(InputError, match=r"duplicate region-periods.*R00 2004"):
        call(bad, g)


def test_unbalanced_panel_lists_missing_region_years(panel):
    df, g = panel
    bad = df.drop(index=df.index[(df.code == "R05") & (df.year == 2003)])
    with pytest.raises(InputError, match=r"unbalanced panel: 1 region-period.*R05 2003"):
        call(bad, g)


def test_static_model_takes_periods_with_gaps(panel):
    """A static panel only needs each period's cross-section: years 2001-2003, 2005-2006 give the
    same estimates as the same rows relabelled 1..5 (the labels only name the time effects)."""
    df, g = panel
    gappy = df[df.year != 2004]
    relabelled = gappy.assign(year=gappy.year.map({2001: 1, 2002: 2, 2003: 3, 2005: 4, 2006: 5}))
    for effects in ("region", "twoway"):
        pd.testing.assert_series_equal(call(gappy, g, effects=effects).params, call(relabelled, g, effects=effects).params)


def test_dynamic_model_refuses_gaps(panel):
    """The lag of a dynamic model must be the previous period: a gap is refused, with the fix."""
    df, g = panel
    with pytest.raises(InputError, match=r"gaps: 2004 missing.*adjacent periods"):
        call(df[df.year != 2004], g, effects="region", dynamic="time", model="sar")
    decades = df.assign(year=1940 + 10 * (df.year - 2001))
    with pytest.raises(InputError, match=r"gaps: 1970 missing .*every 10"):
        call(decades[decades.year != 1970], g, effects="region", dynamic="time", model="sar")


def test_evenly_spaced_periods_are_not_gaps(panel):
    df, g = panel
    decades = df.assign(year=1940 + 10 * (df.year - 2001))
    relabelled = call(decades, g)
    pd.testing.assert_series_equal(relabelled.params, call(df, g).params)


def test_missing_values_listed(panel):
    df, g = panel
    bad = df.copy()
    bad.loc[(bad.code == "R07") & (bad.year == 2002), "x"] = np.nan
    with pytest.raises(InputError, match=r"'x' is missing at 1 region-period\(s\): R07 2002"):
        call(bad, g)
    bad = df.astype({"z": object})
    bad.loc[(bad.code == "R01") & (bad.year == 2006), "z"] = "n/a"
    with pytest.raises(InputError, match=r"'z' has non-numeric values at R01 2006"):
        call(bad, g)


def test_regions_missing_from_weights_listed(panel):
    df, g = panel
    extra = df[df.code == "R00"].assign(code="R99")
    with pytest.raises(WeightsError, match=r"in the data but not in the weights: R99"):
        call(pd.concat([df, extra]), g)
    with pytest.raises(WeightsError, match=r"in the weights but not in the data: R15"):
        call(df[df.code != "R15"], g)


def test_missing_column_suggests(panel):
    df, g = panel
    with pytest.raises(InputError, match=r"'yr'.*did you mean 'year'"):
        sc.spillover_panel(df, "y", ["x"], g, time="yr", draws=0)


def test_bad_model_and_effects(panel):
    df, g = panel
    with pytest.raises(InputError, match="model 'sac'"):
        call(df, g, model="sac")
    with pytest.raises(InputError, match="effects 'both ways'"):
        call(df, g, effects="both ways")
    assert call(df, g, effects="individual").extra["effects"] == "region"  # splm/SDPDmod spelling


def test_time_invariant_regressor_absorbed(panel):
    df, g = panel
    df = df.assign(area=df.code.str[1:].astype(float))
    with pytest.raises(InputError, match=r"'?area'? do not vary once the region and time"):
        sc.spillover_panel(df, "y", ["x", "area"], g, draws=0)
    sc.spillover_panel(df, "y", ["x", "area"], g, effects="time", draws=0)  # fine without region effects


def test_time_effects_need_row_standardised_weights(panel):
    df, _ = panel
    g, _ = _grid_graph(transform="b")
    with pytest.raises(WeightsError, match="row-standardised"):
        call(df, g, effects="twoway")
    with pytest.raises(WeightsError, match="SEM with time effects"):
        call(df, g, effects="time", model="sem", bias_correction=False)
    res = call(df, g, effects="twoway", bias_correction=False)  # the direct SAR/SDM needs no W 1 = 1
    assert np.isfinite(res.params).all()
    call(df, g, effects="region", model="sem")


def test_integer_ids_match_string_graph_ids():
    """Region codes read as integers match the graph's string ids (ids are compared as strings)."""
    import libpysal

    w = libpysal.weights.lat2W(3, 3)
    g = Graph.from_W(libpysal.weights.W({str(k): [str(j) for j in v] for k, v in w.neighbors.items()})).transform("r")
    rng = np.random.default_rng(2)
    df = pd.DataFrame([(i, t) for i in range(9) for t in range(5)], columns=["code", "year"])
    df["x"], df["y"] = rng.normal(size=len(df)), rng.normal(size=len(df))
    res = sc.spillover_panel(df, "y", "x", g, draws=0)
    assert list(res.params.index) == ["x", "W_x", "rho"]
    assert res.residuals.index.get_level_values("code")[:9].tolist() == [str(i) for i in range(9)]
