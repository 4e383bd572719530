"""Emerging hot spots: Mann-Kendall (vs scipy.stats.kendalltau), ArcGIS categories on hand-built series
(rules of ArcGIS Pro's "How Emerging Hot Spot Analysis works"), and G_i* per period (vs sc.getis_ord)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import spatialcluster as sc
from spatialcluster import InputError
from spatialcluster.dynamics import categorize

from dynamics_fixtures import lattice_panel


def test_mann_kendall_equals_kendalltau_with_ties():
    """tau (tau-b) and p equal scipy.stats.kendalltau of each series against time 1..T: the tie-corrected
    variance [T(T-1)(2T+5) - sum t(t-1)(2t+5)] / 18, no continuity correction (scipy's asymptotic
    p-value; for short series without ties scipy's default is the exact p)."""
    rng = np.random.default_rng(0)
    Y = np.vstack([rng.integers(0, 4, size=(40, 9)).astype(float), rng.normal(size=(10, 9))])
    mk = sc.mann_kendall(Y)
    for row, tau, p in zip(Y, mk["tau"], mk["p"]):
        ref = stats.kendalltau(np.arange(9), row, method="asymptotic")
        if np.isnan(ref.statistic):
            continue
        assert tau == pytest.approx(ref.statistic, abs=1e-14)
        assert p == pytest.approx(ref.pvalue, abs=1e-14)
    # S and its variance for one tied series by hand: y = [1, 1, 2, 3], ties t = 2
    one = sc.mann_kendall(np.array([[1.0, 1.0, 2.0, 3.0]]))
    assert one["S"][0] == 5 and one["var_S"][0] == pytest.approx((4 * 3 * 13 - 2 * 1 * 9) / 18)
    with pytest.raises(InputError, match="at least 3 periods"):
        sc.mann_kendall(np.ones((2, 2)))


T10 = 10
UP, DOWN, FLAT = (3.0, 0.001), (-3.0, 0.001), (0.5, 0.6)


def _series(hot=(), cold=()):
    h, c = np.zeros(T10, bool), np.zeros(T10, bool)
    h[list(hot)] = True
    c[list(cold)] = True
    return h, c


CASES = {
    "new hot spot": (_series(hot=[9]), FLAT),
    "consecutive hot spot": (_series(hot=[7, 8, 9]), FLAT),
    "intensifying hot spot": (_series(hot=range(10)), UP),
    "persistent hot spot": (_series(hot=range(10)), FLAT),
    "diminishing hot spot": (_series(hot=range(10)), DOWN),
    "sporadic hot spot": (_series(hot=[0, 2, 5, 9]), FLAT),
    "oscillating hot spot": (_series(hot=[0, 5, 9], cold=[2]), FLAT),
    "historical hot spot": (_series(hot=range(9)), FLAT),
    "new cold spot": (_series(cold=[9]), FLAT),
    "consecutive cold spot": (_series(cold=[8, 9]), FLAT),
    "intensifying cold spot": (_series(cold=range(10)), DOWN),
    "persistent cold spot": (_series(cold=range(10)), FLAT),
    "diminishing cold spot": (_series(cold=range(10)), UP),
    "sporadic cold spot": (_series(cold=[1, 4, 9]), FLAT),
    "oscillating cold spot": (_series(cold=[3, 9], hot=[5]), FLAT),
    "historical cold spot": (_series(cold=[0, 1, 2, 3, 4, 5, 6, 7, 8]), UP),
    "no pattern detected": (_series(hot=[1, 4], cold=[6]), FLAT),
}


@pytest.mark.parametrize("expected", list(CASES))
def test_category_rules(expected):
    """One hand-built series per category (T = 10, so 90 % = 9 periods)."""
    (hot, cold), (z, p) = CASES[expected]
    got = categorize(hot[None], cold[None], np.array([z]), np.array([p]))
    assert got[0] == expected


def test_category_edge_cases():
    """A final run after earlier hot periods is sporadic, not consecutive; 9 of 10 hot periods with a cold
    one and the final hot is persistent (the 90 % rule wins over oscillating)."""
    (h, c) = _series(hot=[0, 7, 8, 9])
    assert categorize(h[None], c[None], np.array([0.0]), np.array([1.0]))[0] == "sporadic hot spot"
    (h, c) = _series(hot=[0, 1, 2, 3, 4, 6, 7, 8, 9], cold=[5])
    assert categorize(h[None], c[None], np.array([0.0]), np.array([1.0]))[0] == "persistent hot spot"


def test_emerging_hotspots_uses_getis_ord():
    """z per period is sc.getis_ord's analytic z; without permutations the bins use its p_norm."""
    rise = np.zeros((64, 6))
    rise[:12] = np.linspace(0, 6, 6)
    long, X, g = lattice_panel(T=6, seed=1, trend=rise)
    res = sc.emerging_hotspots(long, "v", g, permutations=0)
    for t, year in enumerate(range(2000, 2006)):
        part = long[long["year"] == year].set_index("code")
        ref = sc.getis_ord(part, "v", g, permutations=0)
        np.testing.assert_allclose(res.z[year].to_numpy(), ref.frame["z"].reindex(res.z.index).to_numpy(),
                                   rtol=1e-12)
        np.testing.assert_allclose(res.p[year].to_numpy(), ref.frame["p_norm"].reindex(res.z.index).to_numpy(),
                                   rtol=1e-12)
    bins = res.bins.to_numpy()
    mk = sc.mann_kendall(res.z.to_numpy())
    expected = categorize(bins == 1, bins == -1, mk["z"], mk["p"])
    assert (res.frame["category"].to_numpy() == expected).all()
    assert res.counts().sum() == 64


def test_emerging_hotspots_permutation_reproducible():
    """Seeded permutation p-values are reproducible, independent of the row order, and close to
    sc.getis_ord's own permutation p-values (another draw of the same conditional test: with 9,999
    draws the Monte Carlo SD of a p-value is at most 0.01, so no difference above 0.05 and no bias)."""
    long, X, g = lattice_panel(side=12, T=4, seed=2)
    a = sc.emerging_hotspots(long, "v", g, permutations=9999, seed=11)
    b = sc.emerging_hotspots(long.sample(frac=1.0, random_state=3), "v", g, permutations=9999, seed=11)
    pd.testing.assert_frame_equal(a.p, b.p.loc[a.p.index])
    part = long[long["year"] == 2001].set_index("code")
    ref = sc.getis_ord(part, "v", g, permutations=9999, seed=5).frame["p_sim"].reindex(a.p.index).to_numpy()
    diff = a.p[2001].to_numpy() - ref
    assert np.abs(diff).max() < 0.05 and abs(diff.mean()) < 0.005
    assert ((a.p.to_numpy() >= 1 / 10000) & (a.p.to_numpy() <= 1)).all()


def test_emerging_hotspots_errors_and_protocol():
    import json

    long, X, g = lattice_panel(T=3, seed=4)
    with pytest.raises(InputError, match="at least 3 periods"):
        sc.emerging_hotspots(long[long["year"] < 2002], "v", g)
    res = sc.emerging_hotspots(long, "v", g, permutations=99, seed=1)
    json.dumps(res.to_record())
    assert "Emerging hot spots" in res.summary()
    assert res.to_frame().shape[0] == 64


def test_emerging_map_mexico():
    """The category map draws on real boundaries (Mexico's states)."""
    panel = sc.datasets.mexico_gdp_panel()
    states = sc.datasets.mexico_states()
    w = sc.build_weights(states, kind="queen")
    res = sc.emerging_hotspots(panel, "pcgdp", w, id="state", permutations=99, seed=0, regions=states)
    ax = res.plot()
    assert ax.get_legend() is not None
    assert res.to_frame().geometry.notna().all()
