"""Multiple-testing corrections against scipy and esda (no statsmodels)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from spatialcluster import InputError
from spatialcluster.stats import multitest


@pytest.fixture
def pvalues():
    rng = np.random.default_rng(12)
    p = np.r_[rng.uniform(size=80), rng.uniform(0, 0.01, size=20)]
    p[:5] = p[5]  # ties, as pseudo p-values have
    return np.round(p, 3)


def test_bh_equals_scipy(pvalues):
    np.testing.assert_allclose(multitest.bh_adjust(pvalues), stats.false_discovery_control(pvalues), rtol=1e-12)


def test_bh_by_hand_step_up():
    p = np.array([0.01, 0.04, 0.03, 0.20])
    # sorted 0.01, 0.03, 0.04, 0.20 -> 0.04, 0.06, 0.0533, 0.20 -> step-up min from the top
    np.testing.assert_allclose(multitest.bh_adjust(p), [0.04, 0.05333333333, 0.05333333333, 0.20])


def test_nan_are_not_tests(pvalues):
    p = pvalues.copy()
    p[[3, 50]] = np.nan
    ok = ~np.isnan(p)
    adj = multitest.bh_adjust(p)
    assert np.isnan(adj[[3, 50]]).all()
    np.testing.assert_allclose(adj[ok], stats.false_discovery_control(p[ok]))
    np.testing.assert_allclose(multitest.bonferroni_adjust(p)[ok], np.minimum(1, p[ok] * ok.sum()))
    assert not multitest.significant(p, "fdr", 0.05)[[3, 50]].any()


def test_fdr_bound_equals_esda(pvalues):
    esda = pytest.importorskip("esda")
    for alpha in (0.01, 0.05, 0.1):
        assert multitest.fdr_bound(pvalues, alpha) == pytest.approx(esda.fdr(pvalues, alpha))
    none = np.linspace(0.5, 1, 10)
    assert multitest.fdr_bound(none, 0.05) == pytest.approx(esda.fdr(none, 0.05)) == pytest.approx(0.005)


def test_fdr_bound_and_bh_reject_the_same_continuous_p():
    p = np.random.default_rng(3).beta(0.3, 4, size=500)
    for alpha in (0.05, 0.1):
        np.testing.assert_array_equal(multitest.significant(p, "fdr", alpha),
                                      multitest.significant(p, "fdr_bound", alpha))


def test_unknown_correction():
    with pytest.raises(InputError, match="holm"):
        multitest.adjust([0.1], "holm", 0.05)
    assert multitest.check_correction("none") is None
