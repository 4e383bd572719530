"""Global Moran's I against R spdep's documented output, esda, spreg and numpy by hand."""

from __future__ import annotations

import warnings

import numba
import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph
from stats_fixtures import anselin_columbus, queen_columbus, with_island

import spatialcluster as sc
from spatialcluster import InputError, WeightsError


def _dense_moments(W, y):
    """I, E, Var_norm, Var_rand from the definitions with explicit double sums (no shortcuts)."""
    n = len(y)
    z = y - y.mean()
    s0 = W.sum()
    s1 = 0.5 * sum((W[i, j] + W[j, i]) ** 2 for i in range(n) for j in range(n))
    s2 = sum((W[i, :].sum() + W[:, i].sum()) ** 2 for i in range(n))
    I = n / s0 * sum(W[i, j] * z[i] * z[j] for i in range(n) for j in range(n)) / (z @ z)
    e = -1 / (n - 1)
    vn = (n**2 * s1 - n * s2 + 3 * s0**2) / (s0**2 * (n**2 - 1)) - e**2
    k = (np.sum(z**4) / n) / (np.sum(z**2) / n) ** 2
    vr = (n * ((n**2 - 3 * n + 3) * s1 - n * s2 + 3 * s0**2) - k * (n * (n - 1) * s1 - 2 * n * s2 + 6 * s0**2)) / (
        (n - 1) * (n - 2) * (n - 3) * s0**2
    ) - e**2
    return I, e, vn, vr


# spdep moran.test examples (r-spatial/spdep man page output, data(oldcol), Anselin's COL.nb).
SPDEP = {
    # style: (I, E, var_rand, z_rand, p_greater_rand, var_norm, z_norm, p_greater_norm)
    "r": (0.510951264, -0.020833333, 0.008908762, 5.6341, 8.797e-09, 0.008779831, 5.6754, 6.92e-09),
    "b": (0.52063815, -0.02083333, 0.00759872, 6.2116, 2.622e-10, None, None, None),
}


@pytest.mark.parametrize("style", ["r", "b"])
def test_moran_matches_spdep_documented_output(columbus_old, style):
    """Weights: Anselin's 232-link COL.nb, spdep style W ("r") and B ("b")."""
    data, w = anselin_columbus(columbus_old, style)
    res = sc.moran(data, "CRIME", w, permutations=0, alternative="greater")
    I, e, vr, zr, pr, vn, zn, pn = SPDEP[style]
    # spdep prints 9 (I, E, var) / 5 (z) / 4 (p) significant digits: half a unit in the last one
    assert res.I == pytest.approx(I, abs=5e-9 if style == "r" else 5e-8)
    assert res.expected == pytest.approx(e, abs=5e-9)
    assert res.variance_rand == pytest.approx(vr, abs=5e-10 if style == "r" else 5e-9)
    assert res.z_rand == pytest.approx(zr, abs=5e-5)
    assert res.p_rand == pytest.approx(pr, rel=1e-3)
    if vn is not None:
        assert res.variance_norm == pytest.approx(vn, abs=5e-10)
        assert res.z_norm == pytest.approx(zn, abs=5e-5)
        assert res.p_norm == pytest.approx(pn, rel=1e-3)


def test_moran_matches_explicit_double_sums(columbus_old):
    """Weights: COL.nb row-standardised; every moment recomputed from its definition."""
    data, w = anselin_columbus(columbus_old, "r")
    W = w.sparse.toarray()
    I, e, vn, vr = _dense_moments(W, data["CRIME"].to_numpy())
    res = sc.moran(data, "CRIME", w, permutations=0)
    assert res.I == pytest.approx(I, rel=1e-12)
    assert res.expected == pytest.approx(e, rel=1e-12)
    assert res.variance_norm == pytest.approx(vn, rel=1e-10)
    assert res.variance_rand == pytest.approx(vr, rel=1e-10)


@pytest.mark.parametrize("style", ["r", "b"])
def test_moran_matches_esda_on_queen_columbus(style):
    """Weights: libpysal polygon queen (236 links)."""
    esda = pytest.importorskip("esda")
    gdf, w = queen_columbus(style)
    ref = esda.Moran(gdf["CRIME"].to_numpy(), w, transformation=style, permutations=0)
    res = sc.moran(gdf, "CRIME", w, permutations=0)
    for ours, theirs in [(res.I, ref.I), (res.expected, ref.EI), (res.variance_norm, ref.VI_norm),
                         (res.variance_rand, ref.VI_rand), (res.z_norm, ref.z_norm), (res.z_rand, ref.z_rand),
                         (res.p_norm, ref.p_norm), (res.p_rand, ref.p_rand)]:
        assert ours == pytest.approx(theirs, rel=1e-10, abs=1e-14)


def test_permutation_distribution_has_the_randomisation_moments(columbus_old):
    """Weights: COL.nb "r". Total permutation has mean E[I] and variance Var_rand exactly.

    With R = 4999 draws the mean is within 4 standard errors and the variance within
    4 * sqrt(2 / R) (relative) of the analytic values.
    """
    data, w = anselin_columbus(columbus_old, "r")
    res = sc.moran(data, "CRIME", w, permutations=4999, seed=11)
    r = res.permutations
    assert abs(res.sim.mean() - res.expected) < 4 * np.sqrt(res.variance_rand / r)
    assert res.sim.var() == pytest.approx(res.variance_rand, rel=4 * np.sqrt(2 / r))
    # CRIME is strongly clustered (z ~ 5.6): no permutation reaches it
    assert res.p_sim == pytest.approx(2 / (r + 1))
    assert res.z_sim > 4


def test_pseudo_p_conventions_recount_from_simulations(columbus_old):
    """Weights: COL.nb "r"; p_sim for each alternative recounted from the kept draws."""
    data, w = anselin_columbus(columbus_old, "r")
    data = data.assign(noise=np.random.default_rng(3).normal(size=len(data)))
    r = 999
    for alternative in ["two-sided", "greater", "less", "directed"]:
        res = sc.moran(data, "noise", w, permutations=r, seed=5, alternative=alternative)
        ge, le = (res.sim >= res.I).sum(), (res.sim <= res.I).sum()
        expected = {
            "greater": (ge + 1) / (r + 1),
            "less": (le + 1) / (r + 1),
            "two-sided": min(1.0, 2 * (min(ge, le) + 1) / (r + 1)),
            "directed": (min(ge, r - ge) + 1) / (r + 1),
        }[alternative]
        assert res.p_sim == pytest.approx(expected)


def test_seed_reproducible_and_thread_count_invariant(columbus_old):
    data, w = anselin_columbus(columbus_old, "r")
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = sc.moran(data, "CRIME", w, permutations=999, seed=123)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = sc.moran(data, "CRIME", w, permutations=999, seed=123)
    finally:
        numba.set_num_threads(threads)
    again = sc.moran(data, "CRIME", w, permutations=999, seed=123)
    other = sc.moran(data, "CRIME", w, permutations=999, seed=124)
    assert np.array_equal(one.sim, many.sim) and np.array_equal(one.sim, again.sim)
    assert not np.array_equal(one.sim, other.sim)
    # progress slicing must not change the draws
    sliced = sc.moran(data, "CRIME", w, permutations=999, seed=123, progress=True)
    assert np.array_equal(one.sim, sliced.sim)


def test_moran_bv_matches_esda_and_permutes_y(columbus_old):
    """Weights: libpysal queen (236 links), row-standardised (where our I equals esda's)."""
    esda = pytest.importorskip("esda")
    gdf, w = queen_columbus("r")
    ref = esda.Moran_BV(gdf["INC"].to_numpy(), gdf["CRIME"].to_numpy(), w, permutations=0)
    res = sc.moran_bv(gdf, "INC", "CRIME", w, permutations=1999, seed=2)
    assert res.I == pytest.approx(ref.I, rel=1e-12)
    # permuting y gives mean exactly 0: check within 4 standard errors
    assert abs(res.sim.mean()) < 4 * res.sim.std() / np.sqrt(res.permutations)
    assert res.p_sim < 0.01 and np.isnan(res.z_norm)


def test_moran_residuals_matches_spreg_and_dense_cliff_ord(columbus_old):
    """Weights: COL.nb "r"; OLS CRIME ~ INC + HOVAL.

    Checked against spreg's MoranRes (I, z) and against the moments computed with the dense
    n x n matrix M = I - X (X'X)^-1 X' (Cliff & Ord 1981, eqs. 8.20-8.21).
    """
    spreg = pytest.importorskip("spreg")
    data, w = anselin_columbus(columbus_old, "r")
    y = data["CRIME"].to_numpy()
    X = np.column_stack([np.ones(len(y)), data[["INC", "HOVAL"]].to_numpy()])
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    e = pd.Series(y - X @ beta, index=data.index)
    res = sc.moran_residuals(e, w, X=X, alternative="two-sided")

    W = w.sparse.toarray()
    n, k = X.shape
    M = np.eye(n) - X @ np.linalg.inv(X.T @ X) @ X.T
    MW = M @ W
    ei = n / W.sum() * np.trace(MW) / (n - k)
    vi = (n / W.sum()) ** 2 * (np.trace(MW @ M @ W.T) + np.trace(MW @ MW) + np.trace(MW) ** 2) / (
        (n - k) * (n - k + 2)) - ei**2
    assert res.expected == pytest.approx(ei, rel=1e-10)
    assert res.variance_norm == pytest.approx(vi, rel=1e-10)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wl = w.to_W()
        ols = spreg.OLS(y[:, None], X[:, 1:], w=wl, spat_diag=True, moran=True)
    assert res.I == pytest.approx(ols.moran_res[0], rel=1e-10)
    assert res.z_norm == pytest.approx(ols.moran_res[1], rel=1e-8)
    assert res.p_norm == pytest.approx(ols.moran_res[2], rel=1e-6)


def test_islands_are_counted_not_fatal(columbus_old):
    """Weights: COL.nb "r" with region 1005 cut off; I by hand with a zero lag for it."""
    data, w = anselin_columbus(columbus_old, "r")
    wi = with_island(w, "1005")
    res = sc.moran(data, "CRIME", wi, permutations=99, seed=1)
    assert res.n_islands == 1 and res.n == 49
    W = wi.sparse.toarray()
    z = data["CRIME"].to_numpy() - data["CRIME"].mean()
    assert res.I == pytest.approx(len(z) / W.sum() * z @ W @ z / (z @ z), rel=1e-12)


def test_result_frame_summary_and_scatter_axes(columbus_old):
    data, w = anselin_columbus(columbus_old, "r")
    res = sc.moran(data, "CRIME", w, permutations=99, seed=1)
    frame = res.to_frame()
    assert frame.index.tolist() == ["CRIME"]
    assert {"I", "expected", "z_norm", "z_rand", "p_norm", "p_rand", "p_sim", "z_sim"} <= set(frame.columns)
    text = res.summary()
    assert "(M + 1) / (R + 1)" in text and "two-sided" in text
    # scatter axes: slope of lag on z is I for row-standardised weights
    slope = np.polyfit(res.z, res.lag, 1)[0]
    assert slope == pytest.approx(res.I, rel=1e-10)
    assert list(res.ids) == list(w.unique_ids)


def test_bad_inputs_name_the_problem(columbus_old):
    data, w = anselin_columbus(columbus_old, "r")
    with pytest.raises(InputError, match="CRIMEE"):
        sc.moran(data, "CRIMEE", w)
    with pytest.raises(WeightsError, match="1049"):
        sc.moran(data.drop(index="1049"), "CRIME", w)
    with pytest.raises(InputError, match="alternative"):
        sc.moran(data, "CRIME", w, alternative="both")
    with pytest.raises(InputError, match="seed"):
        sc.moran(data, "CRIME", w, seed=1.5)
    with pytest.raises(WeightsError, match="Graph"):
        sc.moran(data, "CRIME", w.sparse)
    lonely = Graph.from_dicts({i: [] for i in data.index[:5]})
    with pytest.raises(WeightsError, match="no links"):
        sc.moran(data.iloc[:5], "CRIME", lonely)
    with pytest.raises(InputError, match="at least 4"):
        sc.local_moran(data.iloc[:3], "CRIME", Graph.from_dicts({"1001": ["1002"], "1002": ["1001", "1003"], "1003": ["1002"]}))


@pytest.mark.parametrize("same", [True, False])
def test_kernel_equals_each_permutation_recomputed_with_scipy(same):
    """The kernel's rewritten forms (symmetric upper triangle, W' x) against x' W y_p by scipy.

    W is asymmetric (row-standardised k-nearest neighbours) with a nonzero diagonal, so neither
    form is exact by accident; y_p is rebuilt from stream (seed, p) with the kernel's shuffle, for
    slices of the permutations that do not start or end on a group of four.
    """
    import scipy.sparse as sp

    from spatialcluster.stats._kernels import _shuffle, global_form, global_permutation

    rng = np.random.default_rng(4)
    n = 203
    pts = rng.uniform(size=(n, 2))
    d = ((pts[:, None] - pts[None]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    nbrs = np.argsort(d, axis=1)[:, :5]
    W = sp.csr_matrix((np.full(n * 5, 0.2), (np.repeat(np.arange(n), 5), nbrs.ravel())), shape=(n, n))
    W = (W + sp.diags(rng.uniform(0, 0.3, n))).tocsr()
    x, y = rng.normal(size=n), rng.normal(size=n)
    left = y if same else x
    form = global_form(W, left, same)
    seed = np.uint64(77)
    for start, stop in [(0, 13), (3, 10), (5, 6)]:
        got = global_permutation(form, y, seed, start=start, stop=stop)
        want = []
        for p in range(start, stop):
            yp = np.empty(n)
            _shuffle(yp, y, seed, p)
            assert sorted(yp) == sorted(y)
            want.append((yp if same else x) @ (W @ yp))
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
