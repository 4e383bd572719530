"""Local Moran's I: values against esda and pygeoda, the permutation null against exact moments."""

from __future__ import annotations

import itertools

import numba
import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph
from scipy import stats
from stats_fixtures import anselin_columbus, grid_graph, queen_columbus, with_island

import spatialcluster as sc
from spatialcluster import InputError


@pytest.fixture(scope="module")
def queen():
    """libpysal polygon queen Columbus (236 links), row-standardised."""
    return queen_columbus("r")


def test_values_and_quadrants_match_esda(queen):
    esda = pytest.importorskip("esda")
    gdf, w = queen
    ref = esda.Moran_Local(gdf["CRIME"].to_numpy(), w, permutations=0)
    res = sc.local_moran(gdf, "CRIME", w, permutations=99, seed=0)
    np.testing.assert_allclose(res.frame["I"], ref.Is, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(res.frame["q"], ref.q)
    np.testing.assert_allclose(res.frame["value_std"], ref.z, atol=1e-12)


def test_values_match_pygeoda(queen):
    pygeoda = pytest.importorskip("pygeoda")
    gdf, w = queen
    gda = pygeoda.open(gdf.reset_index(drop=True))
    ref = pygeoda.local_moran(pygeoda.queen_weights(gda), gda["CRIME"], permutations=99)
    res = sc.local_moran(gdf, "CRIME", w, permutations=99, seed=0)
    np.testing.assert_allclose(res.frame["I"], np.asarray(ref.lisa_values()), atol=1e-10)


def test_bivariate_values_match_esda(queen):
    esda = pytest.importorskip("esda")
    gdf, w = queen
    ref = esda.Moran_Local_BV(gdf["INC"].to_numpy(), gdf["CRIME"].to_numpy(), w, permutations=0)
    res = sc.local_moran_bv(gdf, "INC", "CRIME", w, permutations=99, seed=0)
    np.testing.assert_allclose(res.frame["I"], ref.Is, atol=1e-10)
    np.testing.assert_array_equal(res.frame["q"], ref.q)


def test_permutation_null_has_the_exact_conditional_moments(queen):
    """Conditional permutation draws k_i values without replacement from the other n - 1.

    Mean and variance of the permuted I_i therefore follow from finite-population sampling;
    with R = 9999 draws E_sim must lie within 4.5 standard errors and the variance within
    10 % (about 5 * sqrt(2 / R) for these near-normal sums) at every region.
    """
    gdf, w = queen
    r = 9999
    res = sc.local_moran(gdf, "CRIME", w, permutations=r, seed=42)
    z = res.frame["value_std"].to_numpy()
    n = len(z)
    W = w.sparse.toarray()
    for i in range(n):
        wi = W[i][np.arange(n) != i]
        wi = wi[wi != 0]
        others = np.delete(z, i)
        c = (n - 1) * z[i] / (z @ z)
        mu, s2, N = others.mean(), others.var(), n - 1
        mean = c * wi.sum() * mu
        var = c**2 * s2 * N / (N - 1) * ((wi**2).sum() - wi.sum() ** 2 / N)
        assert abs(res.frame["E_sim"].iloc[i] - mean) < 4.5 * np.sqrt(var / r)
        assert res.frame["sd_sim"].iloc[i] ** 2 == pytest.approx(var, rel=0.10)


def test_permutation_null_matches_exact_enumeration():
    """n = 7; region "0" has two neighbours with weights 1 and 2: 6 * 5 = 30 equally likely
    ordered draws. Chi-square of 30,000 permuted lags against that law, p > 1e-4."""
    values = np.array([0.0, 1.0, 3.0, 7.0, 15.0, 31.0, 63.0])
    focal = ["0", "0", "1", "2", "3", "4", "5", "6", "1", "2", "3", "4", "5", "6"]
    neigh = ["1", "2", "2", "3", "4", "5", "6", "0", "0", "1", "2", "3", "4", "5"]
    weight = [1.0, 2.0] + [1.0] * 12
    w = Graph.from_arrays(focal, neigh, weight)
    data = pd.DataFrame({"v": values}, index=[str(i) for i in range(7)]).loc[w.unique_ids]
    r = 30000
    res = sc.local_moran(data, "v", w, permutations=r, seed=9, keep_simulations=True)
    z = res.frame["value_std"].to_numpy()
    i = list(w.unique_ids).index("0")
    c = (len(z) - 1) * z[i] / (z @ z)
    others = [j for j in range(len(z)) if j != i]
    exact = np.array([c * (1.0 * z[a] + 2.0 * z[b]) for a, b in itertools.permutations(others, 2)])
    sims = res.sims[i]
    keys, multiplicity = np.unique(np.round(exact, 9), return_counts=True)
    assert len(keys) >= 20
    observed = np.array([(np.round(sims, 9) == k).sum() for k in keys])
    assert observed.sum() == r  # every draw is one of the exact outcomes
    expected = r * multiplicity / 30
    chi2 = ((observed - expected) ** 2 / expected).sum()
    assert stats.chi2.sf(chi2, df=len(keys) - 1) > 1e-4


def test_permutation_null_uniform_and_never_self_beyond_the_first_block():
    """n = 100 on a ring; region 70 (second draw block) links only to region 71. Its permuted
    lag must be the value of a uniformly drawn *other* region: chi-square over the 99 others
    (20,000 draws, p > 1e-4) and never its own value. A region of block 0 with the same
    structure must get different draws (blocks do not share tables)."""
    n = 100
    # id order: "5" first (block 0), "70" last (block 1, rows 64-99)
    focal = ["5"] + [str(i) for i in range(n) if i not in (5, 70)] + ["70"]
    neigh = ["6"] + [str((i + 1) % n) for i in range(n) if i not in (5, 70)] + ["71"]
    w = Graph.from_arrays(focal, neigh, np.ones(n))
    data = pd.DataFrame({"v": np.arange(n, dtype=float) ** 1.5}, index=[str(i) for i in range(n)])
    data = data.loc[w.unique_ids]
    r = 20000
    res = sc.local_moran(data, "v", w, permutations=r, seed=3, keep_simulations=True)
    ids = list(w.unique_ids)
    z = res.frame["value_std"].to_numpy()
    i = ids.index("70")
    c = (n - 1) * z[i] / (z @ z)
    lags = res.sims[i] / c
    own = np.isclose(lags, z[i], rtol=0, atol=1e-9)
    assert not own.any()
    others = np.delete(z, i)
    counts = np.array([np.isclose(lags, v, rtol=0, atol=1e-9).sum() for v in others])
    assert counts.sum() == r
    assert stats.chisquare(counts).pvalue > 1e-4
    j = ids.index("5")
    assert (j, i) == (0, n - 1)
    lags_j = res.sims[j] / ((n - 1) * z[j] / (z @ z))
    assert np.isclose(lags_j, lags, rtol=0, atol=1e-9).mean() < 0.05


def _agree_within_monte_carlo_error(p_ours, p_theirs, r):
    """Two pseudo p-values from R draws each estimate the same probability: they differ by less
    than 4.5 binomial standard errors of the difference (plus the 1 / (R + 1) granularity)."""
    p = (p_ours + p_theirs) / 2
    tol = 4.5 * np.sqrt(2 * p * (1 - p) / r) + 2 / (r + 1)
    assert np.all(np.abs(p_ours - p_theirs) <= tol)


@pytest.mark.slow
def test_p_values_agree_with_esda_within_monte_carlo_error(queen):
    """Same convention ("directed", esda's) and R = 9999 on both sides (slow: esda compiles its
    numba kernels in every new process, about a minute here)."""
    esda = pytest.importorskip("esda")
    gdf, w = queen
    r = 9999
    ref = esda.Moran_Local(gdf["CRIME"].to_numpy(), w, permutations=r, seed=1, keep_simulations=False)
    res = sc.local_moran(gdf, "CRIME", w, permutations=r, seed=1, alternative="directed")
    _agree_within_monte_carlo_error(res.frame["p_sim"].to_numpy(), ref.p_sim, r)


def test_p_values_agree_with_an_independent_numpy_permutation(queen):
    """Brute-force conditional permutation in numpy (argsort of uniforms, 20,000 draws) for a few
    regions against ours with R = 9999, both "directed" (esda's / GeoDa's convention).

    pygeoda is not used here: its pseudo p-values differ from both (e.g. 0.214 against 0.244 for
    region 3 with 10^5 draws), so its permutation null is not the conditional one.
    """
    gdf, w = queen
    r = 9999
    res = sc.local_moran(gdf, "CRIME", w, permutations=r, seed=1, alternative="directed")
    W = w.sparse.toarray()
    z = res.frame["value_std"].to_numpy()
    rng = np.random.default_rng(0)
    draws = 20000
    for i in (2, 8, 9, 20, 33):
        nb = np.nonzero(W[i])[0]
        others = np.delete(z, i)
        idx = np.argsort(rng.random((draws, len(others))), axis=1)[:, : len(nb)]
        sims = z[i] * (others[idx] * W[i, nb]).sum(axis=1)
        ge = (sims >= z[i] * (W[i] @ z)).mean()
        p_ref = min(ge, 1 - ge)
        p = res.frame["p_sim"].iloc[i]
        assert abs(p - p_ref) < 4.5 * np.sqrt(p_ref * (1 - p_ref) * (1 / r + 1 / draws)) + 2 / r


def test_null_calibration_on_a_lattice():
    """i.i.d. values on a 50 x 50 queen lattice: about 5 % of regions have p_sim <= 0.05."""
    w = grid_graph(50, 50)
    data = pd.DataFrame({"y": np.random.default_rng(7).normal(size=2500)}, index=w.unique_ids)
    res = sc.local_moran(data, "y", w, permutations=199, seed=3, correction=None)
    share = (res.frame["p_sim"] <= 0.05).mean()
    assert abs(share - 0.05) < 0.025


def test_same_seed_identical_whatever_threads_and_slicing():
    w = grid_graph(30, 30)
    data = pd.DataFrame({"y": np.random.default_rng(1).normal(size=900)}, index=w.unique_ids)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = sc.local_moran(data, "y", w, permutations=199, seed=77)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = sc.local_moran(data, "y", w, permutations=199, seed=77)
    finally:
        numba.set_num_threads(threads)
    sliced = sc.local_moran(data, "y", w, permutations=199, seed=77, progress=True)
    other = sc.local_moran(data, "y", w, permutations=199, seed=78)
    pd.testing.assert_frame_equal(one.frame, many.frame)
    pd.testing.assert_frame_equal(one.frame, sliced.frame)
    assert not one.frame["p_sim"].equals(other.frame["p_sim"])
    assert one.seed == 77


def test_islands_get_nan_and_their_own_label(columbus_old):
    """Weights: Anselin's COL.nb with region 1005 cut off."""
    data, w = anselin_columbus(columbus_old, "r")
    res = sc.local_moran(data, "CRIME", with_island(w, "1005"), permutations=199, seed=0)
    row = res.frame.loc["1005"]
    assert np.isnan(row["I"]) and np.isnan(row["p_sim"]) and row["cluster"] == "island"
    assert res.n_islands == 1 and res.island_ids == ["1005"]
    assert res.counts()["island"] == 1
    # the island is not a test: BH runs over the other 48
    p = res.frame["p_sim"].drop("1005")
    np.testing.assert_allclose(res.frame["p_adjusted"].drop("1005"), stats.false_discovery_control(p))


def test_corrections_and_labels(queen):
    gdf, w = queen
    base = sc.local_moran(gdf, "CRIME", w, permutations=999, seed=5, correction=None)
    assert (base.frame["cluster"] == base.frame["cluster_uncorrected"]).all()
    p = base.frame["p_sim"].to_numpy()
    bonf = sc.local_moran(gdf, "CRIME", w, permutations=999, seed=5, correction="bonferroni")
    np.testing.assert_allclose(bonf.frame["p_adjusted"], np.minimum(1, p * len(p)))
    fdr = sc.local_moran(gdf, "CRIME", w, permutations=999, seed=5, correction="fdr")
    np.testing.assert_allclose(fdr.frame["p_adjusted"], stats.false_discovery_control(p))
    sig = fdr.frame["p_adjusted"] <= 0.05
    quad = fdr.frame["q"].map({1: "HH", 2: "LH", 3: "LL", 4: "HL"})
    assert (fdr.frame["cluster"] == quad.where(sig, "ns")).all()
    esda = pytest.importorskip("esda")
    bound = sc.local_moran(gdf, "CRIME", w, permutations=999, seed=5, correction="fdr_bound")
    assert bound.threshold == pytest.approx(esda.fdr(p, 0.05))
    # corrected significance can only remove regions
    assert (fdr.counts()[["HH", "LL", "LH", "HL"]] <= base.counts()[["HH", "LL", "LH", "HL"]]).all()
    text = fdr.summary()
    assert "uncorrected" in text and "corrected" in text and "fdr" in text


def test_kept_simulations_reproduce_p_sim(queen):
    gdf, w = queen
    res = sc.local_moran(gdf, "CRIME", w, permutations=499, seed=8, keep_simulations=True)
    assert res.sims.shape == (len(gdf), 499)
    obs = res.frame["I"].to_numpy()[:, None]
    ge, le = (res.sims >= obs).sum(1), (res.sims <= obs).sum(1)
    np.testing.assert_allclose(res.frame["p_sim"], np.minimum(1, 2 * (np.minimum(ge, le) + 1) / 500))
    np.testing.assert_allclose(res.frame["E_sim"], res.sims.mean(1), rtol=1e-9)
    assert sc.local_moran(gdf, "CRIME", w, permutations=49, seed=8).sims is None


def test_to_frame_keeps_geometry_only_when_given(queen, columbus_old):
    gdf, w = queen
    out = sc.local_moran(gdf, "CRIME", w, permutations=99, seed=0).to_frame()
    assert out.geometry.equals(gdf.geometry) and out.crs == gdf.crs
    data, wa = anselin_columbus(columbus_old, "r")
    plain = sc.local_moran(data, "CRIME", wa, permutations=99, seed=0).to_frame()
    assert "geometry" not in plain.columns and list(plain.index) == list(data.index)


def test_bad_arguments(queen):
    gdf, w = queen
    with pytest.raises(InputError, match="permutations"):
        sc.local_moran(gdf, "CRIME", w, permutations=0)
    with pytest.raises(InputError, match="correction"):
        sc.local_moran(gdf, "CRIME", w, correction="holm")
    with pytest.raises(InputError, match="alpha"):
        sc.local_moran(gdf, "CRIME", w, alpha=5)
