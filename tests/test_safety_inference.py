"""Issue 10, section 2: never report a number the data cannot support.

Ties in permutation tests (against exact enumeration), row-order invariance of the random
streams, refused non-finite / overflowing / constant columns, permutation bounds, degrees of
freedom of the models, self-consistent effects inference and Gi* with non-binary weights.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from libpysal.graph import Graph
from stats_fixtures import grid_graph

import spatialcluster as sc
from spatialcluster import InputError


def _binary_data(graph, seed=1, share=0.4):
    ids = list(graph.unique_ids)
    rng = np.random.default_rng(seed)
    x = (rng.random(len(ids)) < share).astype(float)
    return pd.DataFrame({"x": x}, index=pd.Index(ids, name="id"))


def _mc_close(pseudo, exact, r):
    """|pseudo - E[pseudo]| <= 4 binomial SDs, E[(M + 1) / (R + 1)] = (R p + 1) / (R + 1)."""
    expected = (r * exact + 1) / (r + 1)
    sd = np.sqrt(r * exact * (1 - exact)) / (r + 1)
    return np.abs(pseudo - expected) <= 4 * sd + 1e-12


@pytest.mark.parametrize("alternative", ["greater", "less"])
@pytest.mark.parametrize("kind", ["local_moran", "gi_star"])
def test_local_ties_agree_with_exact_enumeration(kind, alternative):
    """0/1 data on a 3 x 4 rook lattice (row-standardised: equal weights within a row), R = 4999.

    Under conditional permutation the neighbours' values are a uniform k_i-subset of the other
    n - 1 values, so the statistic depends only on the number of ones c among them; the exact
    p-value is the share of all C(n - 1, k_i) subsets (itertools.combinations) whose statistic is
    at least as extreme (c >= or <= the observed count, on the side the statistic's sign gives).
    The pseudo p must lie within 4 binomial SDs of (R p + 1) / (R + 1) at every region. Before
    ties were counted on both sides, 1-ulp differences put many draws on the wrong side.
    """
    w = grid_graph(3, 4, rook=True)
    data = _binary_data(w, seed=4)
    r = 4999
    if kind == "local_moran":
        res = sc.local_moran(data, "x", w, permutations=r, seed=11, alternative=alternative)
        sign = np.sign(res.frame["value_std"].to_numpy())
    else:
        res = sc.getis_ord(data, "x", w, permutations=r, seed=11, alternative=alternative)
        sign = np.ones(len(data))
    x = data["x"].to_numpy()
    W = w.sparse.toarray()
    exact = np.empty(len(x))
    for i in range(len(x)):
        nb = np.flatnonzero(W[i])
        c_obs = x[nb].sum()
        others = np.delete(x, i)
        counts = np.array([others[list(s)].sum() for s in itertools.combinations(range(len(others)), len(nb))])
        up = (alternative == "greater") == (sign[i] > 0)
        exact[i] = np.mean(counts >= c_obs) if up else np.mean(counts <= c_obs)
    pseudo = res.frame["p_sim"].to_numpy()
    ok = _mc_close(pseudo, exact, r) | (sign == 0)
    assert ok.all(), list(zip(pseudo[~ok], exact[~ok]))


@pytest.mark.parametrize("alternative", ["greater", "less", "two-sided"])
def test_global_moran_ties_agree_with_exact_enumeration(alternative):
    """0/1 data, n = 10 (4 ones) on a 2 x 5 queen lattice, binary weights: all C(10, 4) = 210
    arrangements are equally likely under total permutation. The exact p is the share of
    arrangements whose I is >= (<=) the observed I (values closer than 1e-9 are the same value:
    distinct values of I here differ by more than 1e-3). R = 9999, 4 binomial SDs."""
    w = grid_graph(2, 5, style="b")
    ids = list(w.unique_ids)
    x = np.zeros(10)
    x[[0, 1, 5, 9]] = 1.0
    data = pd.DataFrame({"x": x}, index=pd.Index(ids, name="id"))
    W = w.sparse.toarray()

    def moran_i(v):
        z = v - v.mean()
        return len(v) / W.sum() * (z @ W @ z) / (z @ z)

    obs = moran_i(x)
    perms = []
    for ones in itertools.combinations(range(10), 4):
        v = np.zeros(10)
        v[list(ones)] = 1.0
        perms.append(moran_i(v))
    perms = np.array(perms)
    ge, le = np.mean(perms >= obs - 1e-9), np.mean(perms <= obs + 1e-9)
    r = 9999
    res = sc.moran(data, "x", w, permutations=r, seed=5, alternative=alternative)
    if alternative == "two-sided":
        # E of 2 (min(M_ge, M_le) + 1) / (R + 1) when one tail is clearly the smaller one
        exact = min(ge, le)
        assert abs(res.p_sim / 2 - (r * exact + 1) / (r + 1)) <= 4 * np.sqrt(r * exact * (1 - exact)) / (r + 1)
    else:
        assert _mc_close(res.p_sim, ge if alternative == "greater" else le, r)


def _shuffled(data, w, seed):
    """The same regions with rows and weights' ids in a random order."""
    order = np.random.default_rng(seed).permutation(len(data))
    ids = np.asarray(w.unique_ids)[order]
    m = w.sparse.tocsr()[order][:, order]
    return data.loc[ids], Graph.from_sparse(sp.csr_matrix(m), ids=list(ids))


@pytest.fixture(scope="module")
def lattice():
    w = grid_graph(10, 13)  # 130 regions: three draw blocks of 64
    rng = np.random.default_rng(0)
    data = pd.DataFrame({"x": rng.normal(size=130).cumsum(), "y": rng.gamma(2.0, size=130)},
                        index=pd.Index(list(w.unique_ids), name="id"))
    return data, w


@pytest.mark.parametrize("stat", ["local_moran", "local_moran_bv", "getis_ord"])
def test_local_p_sim_does_not_depend_on_row_order(lattice, stat):
    """Same seed, rows and weights shuffled: identical p_sim per region (exact equality)."""
    data, w = lattice
    call = {
        "local_moran": lambda d, g: sc.local_moran(d, "x", g, permutations=199, seed=7),
        "local_moran_bv": lambda d, g: sc.local_moran_bv(d, "x", "y", g, permutations=199, seed=7),
        "getis_ord": lambda d, g: sc.getis_ord(d, "y", g, permutations=199, seed=7),
    }[stat]
    ref = call(data, w).frame["p_sim"]
    for s in (1, 2):
        got = call(*_shuffled(data, w, s)).frame["p_sim"]
        pd.testing.assert_series_equal(got.loc[ref.index], ref, check_exact=True)


def test_moran_p_sim_does_not_depend_on_row_order(lattice):
    """Global Moran's I and its bivariate form: identical p_sim after shuffling, same seed."""
    data, w = lattice
    ref = sc.moran(data, "x", w, permutations=499, seed=3, alternative="greater")
    ref_bv = sc.moran_bv(data, "x", "y", w, permutations=499, seed=3)
    for s in (1, 2):
        d, g = _shuffled(data, w, s)
        assert sc.moran(d, "x", g, permutations=499, seed=3, alternative="greater").p_sim == ref.p_sim
        assert sc.moran_bv(d, "x", "y", g, permutations=499, seed=3).p_sim == ref_bv.p_sim


def test_thread_count_and_row_order_together(lattice):
    """numba on 1 and on 2 threads, rows shuffled: the same p_sim per region."""
    import numba

    data, w = lattice
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = sc.local_moran(data, "x", w, permutations=199, seed=7).frame["p_sim"]
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        d, g = _shuffled(data, w, 3)
        two = sc.local_moran(d, "x", g, permutations=199, seed=7).frame["p_sim"]
    finally:
        numba.set_num_threads(before)
    pd.testing.assert_series_equal(two.loc[one.index], one, check_exact=True)


# --- values the statistics cannot use --------------------------------------------------------

@pytest.fixture
def small():
    w = grid_graph(3, 4)
    x = np.arange(12, dtype=float) ** 1.3
    return pd.DataFrame({"x": x, "y": x[::-1].copy()}, index=pd.Index(list(w.unique_ids), name="id")), w


STATS = {
    "moran": lambda d, w, c: sc.moran(d, c, w, permutations=9, seed=0),
    "moran_bv": lambda d, w, c: sc.moran_bv(d, "y", c, w, permutations=9, seed=0),
    "local_moran": lambda d, w, c: sc.local_moran(d, c, w, permutations=9, seed=0),
    "local_moran_bv": lambda d, w, c: sc.local_moran_bv(d, c, "y", w, permutations=9, seed=0),
    "getis_ord": lambda d, w, c: sc.getis_ord(d, c, w, permutations=9, seed=0),
}


@pytest.mark.parametrize("stat", list(STATS))
@pytest.mark.parametrize("bad,pattern", [
    (np.inf, r"column 'x' has infinite values for regions 3, 7; replace them"),
    (-np.inf, r"column 'x' has infinite values for regions 3, 7; replace them"),
    (1e300, r"column 'x' has values too large for the sums of their powers to stay finite "
            r"\(\|value\| > .*\) for regions 3, 7; rescale the column"),
])
def test_infinite_and_overflowing_values_are_refused(small, stat, bad, pattern):
    """Before: NaN statistics next to 'significant' p-values, every region labelled LL."""
    data, w = small
    data.loc[["3", "7"], "x"] = bad
    with pytest.raises(InputError, match=pattern):
        STATS[stat](data, w, "x")


@pytest.mark.parametrize("stat", list(STATS))
def test_constant_to_precision_is_refused(small, stat):
    data, w = small
    data["x"] = 1000.0 * (1 + 1e-14 * np.arange(12))
    with pytest.raises(InputError, match=r"column 'x' is constant to floating-point precision .* no spatial "
                                         r"pattern to test"):
        STATS[stat](data, w, "x")


def test_by_year_variants_name_the_year(small):
    data, w = small
    long = pd.concat([data.assign(year=2020), data.assign(year=2021)]).rename_axis("code").reset_index()
    long.loc[(long.year == 2021) & (long.code == "5"), "x"] = np.inf
    for f in (sc.moran_by_year, sc.lisa_by_year):
        with pytest.raises(InputError, match=r"^year 2021: column 'x' has infinite values for regions 5"):
            f(long, "x", w, permutations=9, seed=0)


def test_permutations_have_an_upper_bound(small):
    """Before: MemoryError ("probably a bug") for 100000000000000 permutations."""
    data, w = small
    msg = r"permutations=100000000000000 is more than the maximum of 10,000,000: .* resolution"
    for call in (lambda: sc.moran(data, "x", w, permutations=10**14),
                 lambda: sc.local_moran(data, "x", w, permutations=10**14),
                 lambda: sc.getis_ord(data, "x", w, permutations=10**14)):
        with pytest.raises(InputError, match=msg):
            call()


# --- degrees of freedom of the models -------------------------------------------------------

@pytest.fixture
def nine():
    w = grid_graph(3, 3)
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(9, 5)), columns=["y", "a", "b", "c", "d"], index=list(w.unique_ids))
    return df, w


def test_sdm_with_more_parameters_than_regions_is_refused(nine):
    """Before: 10 coefficients on 9 regions, every one printed with SE 0.000 and ***."""
    df, w = nine
    with pytest.raises(InputError, match=r"the SDM model estimates 11 parameters \(9 coefficients, 1 spatial "
                                         r"parameter and the error variance\) from 9 observations.*"
                                         r"needs at least 12 regions"):
        sc.spillover(df, "y", ["a", "b", "c", "d"], w, model="sdm")
    with pytest.raises(InputError, match=r"the OLS model estimates 6 parameters.*needs at least 7 regions"):
        sc.spillover(df.iloc[:5], "y", ["a", "b", "c", "d"], Graph.from_dicts(
            {i: [j for j in df.index[:5] if j != i] for i in df.index[:5]}).transform("r"), model="ols")
    sc.spillover(df, "y", ["a", "b"], w, model="sdm", draws=0)  # 7 parameters: fits


def test_select_model_on_nine_regions(nine):
    """Before: ZeroDivisionError ("probably a bug") with four regressors on 9 regions."""
    df, w = nine
    with pytest.raises(InputError, match=r"the SDM model estimates 11 parameters .* needs at least 12 regions"):
        sc.select_model(df, "y", ["a", "b", "c", "d"], w)
    assert sc.select_model(df, "y", ["a"], w).recommended in ("ols", "slx", "sar", "sem", "sdm")


def test_panel_without_degrees_of_freedom_is_refused():
    """3 regions x 2 years with region effects leave 3 observations for 6 parameters."""
    w = Graph.from_dicts({"A": ["B"], "B": ["A", "C"], "C": ["B"]}).transform("r")
    rng = np.random.default_rng(2)
    df = pd.DataFrame([(i, t) for i in "ABC" for t in (2001, 2002)], columns=["code", "year"])
    df[["y", "x", "z"]] = rng.normal(size=(6, 3))
    with pytest.raises(InputError, match=r"the panel SDM \(region effects, 2 periods\) model estimates 6 "
                                         r"parameters .* from 3 observations.*needs at least 7 regions"):
        sc.spillover_panel(df, "y", ["x", "z"], w, model="sdm", effects="region", draws=0)


# --- effects inference ------------------------------------------------------------------------

def _heavy_tailed(draws, seed):
    """SDM effects with rho = 0.85 (sd 0.06) on a row-standardised 6 x 6 lattice: 1 / (1 - rho)
    makes the draws heavy-tailed (the case of issue 10)."""
    from spatialcluster.models.effects import effects_table

    W = grid_graph(6, 6).sparse
    names = ["rho", "a", "W_a"]
    V = pd.DataFrame(np.diag([0.06**2, 0.3**2, 0.5**2]), index=names, columns=names)
    return effects_table(W, 0.85, pd.Series({"a": 1.0}), pd.Series({"W_a": 0.4}), V, draws=draws, seed=seed)


def test_effects_p_value_agrees_with_the_interval(columbus_old):
    """For every effect: p < 0.05 exactly when the 95 % interval excludes 0. Before: indirect
    p = 0.86 (normal theory on a heavy-tailed sd) with the interval [0.80, 37.5]."""
    from stats_fixtures import anselin_columbus

    tables = [_heavy_tailed(d, s) for d in (1000, 2000) for s in (0, 1)]
    data, g = anselin_columbus(columbus_old)
    tables.append(sc.spillover(data, "CRIME", ["INC", "HOVAL"], g, model="sdm", draws=1000, seed=4).effects)
    for e in tables:
        for kind in ("direct", "indirect", "total"):
            excludes = (e[f"{kind}_lo"] > 0) | (e[f"{kind}_hi"] < 0)
            assert ((e[f"{kind}_p"] < 0.05) == excludes).all(), e
    assert (tables[0]["indirect_p"] < 0.05).all()  # 97 % of the draws are above 0


def test_effects_se_is_stable_as_draws_grow():
    """SE at 1,000 and 4,000 draws within 10 % for every effect (robust MAD scale). The draws'
    sd, kept as *_sd_draws, moved from 71 to 40 here."""
    a, b = _heavy_tailed(1000, 0), _heavy_tailed(4000, 0)
    for kind in ("direct", "indirect", "total"):
        np.testing.assert_allclose(a[f"{kind}_se"], b[f"{kind}_se"], rtol=0.10)


# --- Getis-Ord with graded weights ------------------------------------------------------------

@pytest.fixture(scope="module")
def inverse_distance():
    """Columbus polygons, inverse-distance weights (alpha = -1) within 1.5 units of the centroids."""
    from stats_fixtures import queen_columbus

    gdf, _ = queen_columbus()
    g = Graph.build_distance_band(gdf.centroid, 1.5, binary=False, alpha=-1.0)
    return gdf, g


def test_getis_ord_uses_graded_weights_as_given(inverse_distance):
    """G and E[G] equal esda.G_Local(star=True, transform='R') on the same inverse-distance graph
    (self-weight = row maximum in both), to 1e-12. z equals Ord & Getis (1995, eq. 9) computed here
    on the *untransformed* weights (so it does not depend on the transform); esda's own z uses the
    binary-only variance W_i (N - W_i) / (N - 1) and is not compared."""
    esda = pytest.importorskip("esda")
    gdf, g = inverse_distance
    x = gdf["HOVAL"].to_numpy()
    with pytest.warns(UserWarning):
        ref = esda.G_Local(x, g, star=True, transform="R", permutations=0)
    res = sc.getis_ord(gdf, "HOVAL", g, star=True, permutations=0)
    np.testing.assert_allclose(res.frame["G"], ref.Gs, rtol=1e-12)
    np.testing.assert_allclose(res.frame["E_G"], ref.EGs, rtol=1e-12)
    W = g.sparse.toarray()
    W = W + np.diag(W.max(axis=1))
    n = len(x)
    wi, s1 = W.sum(axis=1), (W**2).sum(axis=1)
    var = (x**2).mean() - x.mean() ** 2
    z = (W @ x / x.sum() - wi / n) / np.sqrt((n * s1 - wi**2) / (n - 1) / n**2 * var / x.mean() ** 2)
    np.testing.assert_allclose(res.frame["z"], z, rtol=1e-10)


def test_getis_ord_refuses_binarising_graded_weights(inverse_distance):
    """Before: transform='b' replaced the inverse distances by 1 silently (and changed z)."""
    gdf, g = inverse_distance
    with pytest.raises(InputError, match=r"transform='b' would replace graded weights by 1: the weights differ "
                                         r"within the rows of \d+ region\(s\) \(.*\).*Use transform='r'"):
        sc.getis_ord(gdf, "HOVAL", g, transform="b", permutations=0)
    # row-standardised contiguity is binary up to a factor per row: 'b' is fine and z is unchanged
    from stats_fixtures import queen_columbus

    gdf, q = queen_columbus()
    r = sc.getis_ord(gdf, "HOVAL", q, transform="r", permutations=0).frame["z"]
    b = sc.getis_ord(gdf, "HOVAL", q, transform="b", permutations=0).frame["z"]
    np.testing.assert_allclose(r, b, rtol=1e-10)


def test_dask_path_follows_region_ids(lattice):
    """engine='dask' (2-worker LocalCluster, chunks of 64) on shuffled rows: the p_sim of the
    single-machine run on the original rows, region by region, and the same global p_sim."""
    distributed = pytest.importorskip("distributed")
    data, w = lattice
    ref = sc.local_moran(data, "x", w, permutations=199, seed=7).frame["p_sim"]
    ref_g = sc.moran(data, "x", w, permutations=199, seed=7).p_sim
    d, g = _shuffled(data, w, 4)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        got = sc.local_moran(d, "x", g, permutations=199, seed=7, client=client).frame["p_sim"]
        got_g = sc.moran(d, "x", g, permutations=199, seed=7, client=client).p_sim
    pd.testing.assert_series_equal(got.loc[ref.index], ref, check_exact=True)
    assert got_g == ref_g
