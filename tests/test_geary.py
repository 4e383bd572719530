"""Geary's C, global and local (uni- and multivariate): values against esda, the permutation null
against exact moments and exhaustive enumeration, ties, row order, labels and bad input.

Data: libpysal's bundled St. Louis homicides (``stl_hom.shp``, 78 counties; available offline in
the wheel), polygon queen contiguity, row-standardised (esda row-standardises local Geary's
weights itself).
"""

from __future__ import annotations

import itertools
import json
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from libpysal.graph import Graph
from scipy import stats
from stats_fixtures import grid_graph, with_island

import spatialcluster as sc
from spatialcluster import InputError

MV = ["HR8893", "HR7984", "PE87"]


@pytest.fixture(scope="module")
def stl():
    """(GeoDataFrame indexed by FIPS, sorted, queen Graph "r"). Sorted because esda's
    ``Geary_Local`` with a Graph returns its values in sorted-id order (a groupby), not the
    Graph's order."""
    import geopandas as gpd
    import libpysal

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf = gpd.read_file(libpysal.examples.get_path("stl_hom.shp"))
    gdf.index = pd.Index(gdf["FIPSNO"].astype(int).astype(str), name="id")
    gdf = gdf.sort_index()
    return gdf, Graph.build_contiguity(gdf, rook=False).transform("r")


def test_global_geary_matches_esda(stl):
    """esda.Geary (2.9): C, both variances, z and one-tailed p equal ours ("directed") to 1e-10."""
    esda = pytest.importorskip("esda")
    gdf, w = stl
    for col in ("HR8893", "PE87"):
        ref = esda.Geary(gdf[col].to_numpy(), w, permutations=0)
        res = sc.geary(gdf, col, w, permutations=0, alternative="directed")
        for ours, theirs in [(res.C, ref.C), (res.variance_norm, ref.VC_norm), (res.variance_rand, ref.VC_rand),
                             (res.z_norm, ref.z_norm), (res.z_rand, ref.z_rand), (res.p_norm, ref.p_norm),
                             (res.p_rand, ref.p_rand)]:
            assert ours == pytest.approx(theirs, rel=1e-10, abs=1e-10)
    assert res.expected == 1.0 and res.seed is None and np.isnan(res.p_sim)


def test_global_permutation_null_has_the_randomisation_moments(stl):
    """Under total permutation E[C] = 1 and Var[C] = Var_rand (Cliff & Ord 1981, eq. 1.39: the
    randomisation variance is the exact permutation variance). R = 9999: the mean of the permuted
    Cs within 4.5 standard errors of 1, their variance within 10 % of Var_rand."""
    gdf, w = stl
    r = 9999
    res = sc.geary(gdf, "HR8893", w, permutations=r, seed=2)
    assert abs(res.sim.mean() - 1.0) < 4.5 * np.sqrt(res.variance_rand / r)
    assert res.sim.var() == pytest.approx(res.variance_rand, rel=0.10)
    # C < 1 here: the two-sided p is twice the lower tail of the kept permuted values
    assert res.C < 1 and res.p_sim == pytest.approx(2 * ((res.sim <= res.C).sum() + 1) / (r + 1))


def test_global_ties_agree_with_exact_enumeration():
    """0/1 data, n = 10 (4 ones), 2 x 5 queen lattice, binary weights: all C(10, 4) = 210
    arrangements equally likely. Exact p = share with C >= (<=) the observed one (1e-9 apart =
    the same value; distinct Cs differ by > 1e-3). R = 9999, within 4 binomial SDs."""
    w = grid_graph(2, 5, style="b")
    W = w.sparse.toarray()
    arrangements = np.zeros((210, 10))
    for row, ones in zip(arrangements, itertools.combinations(range(10), 4)):
        row[list(ones)] = 1.0
    # C of every arrangement at once: the 0/1 values differ across a link iff exactly one is 1
    cut = np.einsum("ij,ai,aj->a", W, arrangements, 1 - arrangements) * 2
    every_c = 9 * cut / (2 * W.sum() * 10 * 0.4 * 0.6)
    x = arrangements[17]
    data = pd.DataFrame({"x": x}, index=pd.Index(list(w.unique_ids), name="id"))
    r = 9999
    for alternative, tail in (("greater", every_c >= every_c[17] - 1e-9), ("less", every_c <= every_c[17] + 1e-9)):
        res = sc.geary(data, "x", w, permutations=r, seed=5, alternative=alternative)
        assert res.C == pytest.approx(every_c[17], abs=1e-12)
        exact = tail.mean()
        assert abs(res.p_sim - (r * exact + 1) / (r + 1)) <= 4 * np.sqrt(r * exact * (1 - exact)) / (r + 1)


@pytest.mark.parametrize("columns", ["HR8893", MV])
def test_local_geary_values_match_esda(stl, columns):
    """esda.Geary_Local (one variable) and Geary_Local_MV (three): local c equal to 1e-10."""
    esda = pytest.importorskip("esda")
    gdf, w = stl
    if isinstance(columns, str):
        ref = esda.Geary_Local(connectivity=w, permutations=0).fit(gdf[columns].to_numpy()).localG
    else:
        ref = esda.Geary_Local_MV(connectivity=w, permutations=0).fit([gdf[c].to_numpy() for c in columns]).localG
    res = sc.local_geary(gdf, columns, w, permutations=9, seed=0)
    np.testing.assert_allclose(res.frame["C"], ref, rtol=0, atol=1e-10)


@pytest.mark.parametrize("columns", ["HR8893", MV])
def test_local_null_has_the_exact_conditional_moments(stl, columns):
    """Conditional permutation draws k_i of the other n - 1 regions without replacement, so the
    permuted c_i is a weighted sample sum of u_j = mean over variables of (z_i - z_j)^2: its mean
    is sum_j w_ij * mean(u) (= the reported E_C) and its variance follows from finite-population
    sampling. R = 9999: E_sim within 4.5 SE of E_C and sd_sim^2 within 10 % at every region."""
    gdf, w = stl
    r = 9999
    res = sc.local_geary(gdf, columns, w, permutations=r, seed=4)
    names = [columns] if isinstance(columns, str) else columns
    Z = np.column_stack([stats.zscore(gdf[c].to_numpy()) for c in names])
    W = w.sparse.toarray()
    n = len(Z)
    for i in range(n):
        nb = np.flatnonzero(W[i])
        wi = W[i, nb]
        u = np.delete(((Z[i] - Z) ** 2).mean(axis=1), i)
        N = n - 1
        mean = wi.sum() * u.mean()
        var = u.var() * N / (N - 1) * ((wi**2).sum() - wi.sum() ** 2 / N)
        assert res.frame["E_C"].iloc[i] == pytest.approx(mean, rel=1e-10)
        assert abs(res.frame["E_sim"].iloc[i] - mean) < 4.5 * np.sqrt(var / r)
        assert res.frame["sd_sim"].iloc[i] ** 2 == pytest.approx(var, rel=0.10)


def test_local_null_matches_exact_enumeration():
    """n = 7; region "0" has two neighbours with weights 1 and 2: 6 * 5 = 30 equally likely
    ordered draws of (z_a, z_b), c_0 = 1 (z_0 - z_a)^2 + 2 (z_0 - z_b)^2. Chi-square of 30,000
    permuted values against that law, p > 1e-4 (as the local Moran test)."""
    values = np.array([0.0, 1.0, 3.0, 7.0, 15.0, 31.0, 63.0])
    focal = ["0", "0", "1", "2", "3", "4", "5", "6", "1", "2", "3", "4", "5", "6"]
    neigh = ["1", "2", "2", "3", "4", "5", "6", "0", "0", "1", "2", "3", "4", "5"]
    w = Graph.from_arrays(focal, neigh, [1.0, 2.0] + [1.0] * 12)
    data = pd.DataFrame({"v": values}, index=[str(i) for i in range(7)]).loc[w.unique_ids]
    res = sc.local_geary(data, "v", w, permutations=30000, seed=9, keep_simulations=True)
    z = res.frame["value_std"].to_numpy()
    i = list(w.unique_ids).index("0")
    pairs = np.array(list(itertools.permutations([j for j in range(len(z)) if j != i], 2)))
    exact = np.round((z[i] - z[pairs[:, 0]]) ** 2 + 2 * (z[i] - z[pairs[:, 1]]) ** 2, 9)
    keys, inverse = np.unique(exact, return_inverse=True)
    assert len(keys) >= 20
    # every draw is one of the exact outcomes; tally them against the law of the 30 pairs
    position = np.searchsorted(keys, np.round(res.sims[i], 9))
    assert (keys[np.minimum(position, len(keys) - 1)] == np.round(res.sims[i], 9)).all()
    table = np.bincount(position, minlength=len(keys))
    law = np.bincount(inverse, minlength=len(keys)) / len(pairs)
    assert stats.chisquare(table, 30000 * law).pvalue > 1e-4


@pytest.mark.parametrize("alternative", ["greater", "less"])
def test_local_ties_agree_with_exact_enumeration(alternative):
    """0/1 data on a 3 x 4 rook lattice, row-standardised: c_i depends only on how many of the
    k_i drawn neighbours differ from x_i. Exact p from all C(n - 1, k_i) subsets; the pseudo p
    (R = 4999) within 4 binomial SDs of (R p + 1) / (R + 1) at every region."""
    w = grid_graph(3, 4, rook=True)
    x = (np.random.default_rng(4).random(12) < 0.4).astype(float)
    data = pd.DataFrame({"x": x}, index=pd.Index(list(w.unique_ids), name="id"))
    r = 4999
    res = sc.local_geary(data, "x", w, permutations=r, seed=11, alternative=alternative)
    W = w.sparse.toarray()
    exact = np.empty(12)
    for i in range(12):
        nb = np.flatnonzero(W[i])
        obs = (x[nb] != x[i]).sum()
        others = np.delete(x, i)
        diff = np.array([(others[list(s)] != x[i]).sum() for s in itertools.combinations(range(11), len(nb))])
        exact[i] = np.mean(diff >= obs) if alternative == "greater" else np.mean(diff <= obs)
    pseudo = res.frame["p_sim"].to_numpy()
    sd = np.sqrt(r * exact * (1 - exact)) / (r + 1)
    assert (np.abs(pseudo - (r * exact + 1) / (r + 1)) <= 4 * sd + 1e-12).all()


def test_local_p_values_agree_with_an_independent_numpy_permutation(stl):
    """Brute-force conditional permutation in numpy (rows of the other n - 1 values shuffled,
    20,000 draws) for a few counties against ours (R = 9999), both "directed" (esda's convention
    for Geary_Local)."""
    gdf, w = stl
    W, rng = w.sparse.toarray(), np.random.default_rng(0)
    r, draws = 9999, 20000
    res = sc.local_geary(gdf, "HR8893", w, permutations=r, seed=1, alternative="directed")
    z = res.frame["value_std"].to_numpy()
    for i in (0, 7, 20, 41, 77):
        nb = np.flatnonzero(W[i])
        pool = rng.permuted(np.tile(np.delete(z, i), (draws, 1)), axis=1)[:, : nb.size]  # k of the n - 1
        share_above = (((z[i] - pool) ** 2 @ W[i, nb]) >= res.frame["C"].iloc[i]).mean()
        p_ref = min(share_above, 1 - share_above)
        se = np.sqrt(p_ref * (1 - p_ref) * (1 / r + 1 / draws))
        assert abs(res.frame["p_sim"].iloc[i] - p_ref) < 4.5 * se + 2 / r


@pytest.mark.slow
def test_local_p_values_agree_with_esda_within_monte_carlo_error(stl):
    """esda.Geary_Local's folded p ("directed" here), R = 9999 both: within 4.5 binomial SEs of
    the difference (slow: esda compiles its numba kernels in every new process)."""
    esda = pytest.importorskip("esda")
    gdf, w = stl
    r = 9999
    ref = esda.Geary_Local(connectivity=w, permutations=r, seed=1, keep_simulations=False).fit(gdf["HR8893"])
    res = sc.local_geary(gdf, "HR8893", w, permutations=r, seed=1, alternative="directed")
    p_ours, p_theirs = res.frame["p_sim"].to_numpy(), ref.p_sim
    p = (p_ours + p_theirs) / 2
    assert np.all(np.abs(p_ours - p_theirs) <= 4.5 * np.sqrt(2 * p * (1 - p) / r) + 2 / (r + 1))


def _shuffled(data, w, seed):
    order = np.random.default_rng(seed).permutation(len(data))
    ids = np.asarray(w.unique_ids)[order]
    return data.loc[ids], Graph.from_sparse(sp.csr_matrix(w.sparse.tocsr()[order][:, order]), ids=list(ids))


def test_p_sim_does_not_depend_on_row_order(stl):
    """Same seed, rows and weights' ids shuffled: identical p_sim (exact equality)."""
    gdf, w = stl
    data = pd.DataFrame(gdf[MV])
    ref_local = sc.local_geary(data, MV, w, permutations=199, seed=7).frame["p_sim"]
    ref_global = sc.geary(data, "HR8893", w, permutations=199, seed=7)
    for s in (1, 2):
        d, g = _shuffled(data, w, s)
        pd.testing.assert_series_equal(sc.local_geary(d, MV, g, permutations=199, seed=7).frame["p_sim"]
                                       .loc[ref_local.index], ref_local)
        assert sc.geary(d, "HR8893", g, permutations=199, seed=7).p_sim == ref_global.p_sim


def test_labels_follow_geodas_categories(stl):
    """Positive association (c_i <= E_C) splits by the signs of z_i and its lag (High-High,
    Low-Low, Other positive); c_i > E_C is Negative; p_sim > alpha is "ns" (GeoDa's UniGeary)."""
    gdf, w = stl
    res = sc.local_geary(gdf, "HR8893", w, permutations=999, seed=3, correction=None, alpha=0.2)
    f = res.frame
    pos = f["C"] <= f["E_C"]
    want = np.select(
        [f["p_sim"] > 0.2, ~pos, (f["value_std"] > 0) & (f["lag_std"] > 0), (f["value_std"] < 0) & (f["lag_std"] < 0)],
        ["ns", "Negative", "High-High", "Low-Low"], "Other positive")
    assert (f["cluster"] == want).all()
    assert set(want) - {"ns"}  # the test sees some clusters
    mv = sc.local_geary(gdf, MV, w, permutations=999, seed=3, correction=None, alpha=0.2)
    assert set(mv.frame["cluster"]) <= {"Positive", "Negative", "ns"}
    assert list(mv.counts().index) == ["Positive", "Negative", "ns", "island"]


def test_islands_get_nan_and_their_own_label(columbus_old):
    from stats_fixtures import anselin_columbus

    data, w = anselin_columbus(columbus_old, "r")
    res = sc.local_geary(data, "CRIME", with_island(w, "1005"), permutations=99, seed=0)
    row = res.frame.loc["1005"]
    assert np.isnan(row["C"]) and np.isnan(row["p_sim"]) and row["cluster"] == "island"
    assert res.n_islands == 1 and res.counts()["island"] == 1


def test_results_follow_the_protocol(stl, tmp_path):
    import matplotlib.pyplot as plt

    gdf, w = stl
    for res in (sc.geary(gdf, "HR8893", w, permutations=99, seed=1),
                sc.local_geary(gdf, "HR8893", w, permutations=99, seed=1),
                sc.local_geary(gdf, MV, w, permutations=99, seed=1)):
        json.dumps(res.to_record())
        assert isinstance(res.to_frame(), pd.DataFrame) and res.summary()
        ax = res.plot()
        assert ax.figure is not None
        plt.close("all")
    with pytest.raises(InputError, match="permutations > 0"):
        sc.geary(gdf, "HR8893", w, permutations=0).plot()


def test_bad_input_is_refused(stl):
    gdf, w = stl
    data = pd.DataFrame(gdf[["HR8893"]]).assign(flat=1.0)
    with pytest.raises(InputError, match="flat"):
        sc.local_geary(data, ["HR8893", "flat"], w, permutations=9)
    with pytest.raises(InputError, match="distinct"):
        sc.local_geary(data, ["HR8893", "HR8893"], w, permutations=9)
    with pytest.raises(InputError, match="permutations"):
        sc.geary(data, "HR8893", w, permutations=10**8)
