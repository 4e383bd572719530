"""Getis-Ord G_i / G_i*: values against esda and pygeoda, z against the Ord-Getis formula."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from stats_fixtures import anselin_columbus, queen_columbus, with_island

import spatialcluster as sc
from spatialcluster import InputError


@pytest.fixture(scope="module")
def queen():
    """libpysal polygon queen Columbus (236 links), row-standardised."""
    return queen_columbus("r")


@pytest.mark.filterwarnings("ignore:Gi\\* requested:UserWarning")
@pytest.mark.parametrize("star", [True, False])
def test_G_matches_esda_and_z_matches_the_binary_form(queen, star):
    """G equals esda.G_Local (transform R) to 1e-10. z equals esda with transform B: for binary
    weights esda's variance is Ord & Getis's (1995); ours is the general-weights form, so it is
    also the same for row-standardised weights, where esda's is not."""
    esda = pytest.importorskip("esda")
    gdf, w = queen
    y = gdf["HOVAL"].to_numpy()
    ref_r = esda.G_Local(y, w, transform="R", star=star, permutations=0)
    ref_b = esda.G_Local(y, w, transform="B", star=star, permutations=0)
    res = sc.getis_ord(gdf, "HOVAL", w, star=star, permutations=0)
    np.testing.assert_allclose(res.frame["G"], ref_r.Gs, atol=1e-10)
    np.testing.assert_allclose(res.frame["z"], ref_b.Zs, atol=1e-10)
    binary = sc.getis_ord(gdf, "HOVAL", w, star=star, permutations=0, transform="b")
    np.testing.assert_allclose(binary.frame["G"], ref_b.Gs, atol=1e-10)
    np.testing.assert_allclose(binary.frame["z"], res.frame["z"], atol=1e-10)


def test_z_by_the_ord_getis_formula(queen):
    """G_i* z-score written out (Ord & Getis 1995, eq. 9) with general weights, region by region."""
    gdf, w = queen
    res = sc.getis_ord(gdf, "CRIME", w, star=True, permutations=0)
    x = gdf["CRIME"].to_numpy()
    n = len(x)
    W = w.sparse.toarray()
    np.fill_diagonal(W, W.max(axis=1))
    W = W / W.sum(axis=1, keepdims=True)
    xbar, s = x.mean(), np.sqrt((x**2).mean() - x.mean() ** 2)
    for i in range(n):
        wi = W[i]
        num = wi @ x - wi.sum() * xbar
        den = s * np.sqrt((n * (wi**2).sum() - wi.sum() ** 2) / (n - 1))
        assert res.frame["z"].iloc[i] == pytest.approx(num / den, abs=1e-10)


def test_G_star_matches_pygeoda(queen):
    pygeoda = pytest.importorskip("pygeoda")
    gdf, w = queen
    gda = pygeoda.open(gdf.reset_index(drop=True))
    ref = pygeoda.local_gstar(pygeoda.queen_weights(gda), gda["CRIME"], permutations=99)
    res = sc.getis_ord(gdf, "CRIME", w, permutations=99, seed=0)
    np.testing.assert_allclose(res.frame["G"], np.asarray(ref.lisa_values()), atol=1e-10)


def test_permutation_null_moments_of_G_star(queen):
    """The self-weight is held fixed and the k_i neighbours drawn without replacement, so
    E and Var of the permuted G_i* follow from finite-population sampling (R = 9999)."""
    gdf, w = queen
    r = 9999
    res = sc.getis_ord(gdf, "CRIME", w, permutations=r, seed=3, keep_simulations=True)
    x = gdf["CRIME"].to_numpy()
    n = len(x)
    W = w.sparse.toarray()
    np.fill_diagonal(W, W.max(axis=1))
    W = W / W.sum(axis=1, keepdims=True)
    for i in range(n):
        wi = np.delete(W[i], i)
        wi = wi[wi != 0]
        others = np.delete(x, i)
        N = n - 1
        mean = (W[i, i] * x[i] + wi.sum() * others.mean()) / x.sum()
        var = others.var() * N / (N - 1) * ((wi**2).sum() - wi.sum() ** 2 / N) / x.sum() ** 2
        assert abs(res.sims[i].mean() - mean) < 4.5 * np.sqrt(var / r)
        assert res.sims[i].var() == pytest.approx(var, rel=0.10)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Gi\\* requested:UserWarning")
def test_p_sim_agrees_with_esda_within_monte_carlo_error(queen):
    """esda's G_Local p_sim is the "directed" convention; R = 9999 on both sides (slow: esda
    compiles its numba kernels in every new process)."""
    esda = pytest.importorskip("esda")
    gdf, w = queen
    r = 9999
    ref = esda.G_Local(gdf["CRIME"].to_numpy(), w, star=True, permutations=r, seed=2, keep_simulations=False)
    res = sc.getis_ord(gdf, "CRIME", w, permutations=r, seed=2, alternative="directed")
    p_ours, p_theirs = res.frame["p_sim"].to_numpy(), np.asarray(ref.p_sim)
    p = (p_ours + p_theirs) / 2
    assert np.all(np.abs(p_ours - p_theirs) <= 4.5 * np.sqrt(2 * p * (1 - p) / r) + 2 / (r + 1))


def test_bins_follow_the_arcgis_convention(queen):
    gdf, w = queen
    res = sc.getis_ord(gdf, "CRIME", w, permutations=999, seed=4)
    f = res.frame
    level = (f["p_sim"] <= 0.10).astype(int) + (f["p_sim"] <= 0.05) + (f["p_sim"] <= 0.01)
    np.testing.assert_array_equal(f["bin"], np.sign(f["z"]) * level)
    assert set(f["bin"]) <= set(range(-3, 4)) and (f["bin"] == f["bin_uncorrected"]).all()
    assert (f.loc[f["bin"] > 0, "z"] > 0).all() and (f.loc[f["bin"] < 0, "z"] < 0).all()
    norm = sc.getis_ord(gdf, "CRIME", w, permutations=0)
    assert norm.inference == "norm"
    lvl = (norm.frame["p_norm"] <= 0.10).astype(int) + (norm.frame["p_norm"] <= 0.05) + (norm.frame["p_norm"] <= 0.01)
    np.testing.assert_array_equal(norm.frame["bin"], np.sign(norm.frame["z"]) * lvl)
    # FDR per confidence level removes (never adds) significant bins
    fdr = sc.getis_ord(gdf, "CRIME", w, permutations=999, seed=4, correction="fdr")
    assert (fdr.frame["bin"].abs() <= f["bin"].abs()).all()
    assert "hot 99%" in fdr.summary() and fdr.counts().sum() == len(gdf)


def test_islands_seed_and_frame(columbus_old):
    """Weights: Anselin's COL.nb with region 1005 cut off."""
    data, w = anselin_columbus(columbus_old, "r")
    wi = with_island(w, "1005")
    a = sc.getis_ord(data, "CRIME", wi, permutations=199, seed=1)
    b = sc.getis_ord(data, "CRIME", wi, permutations=199, seed=1)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    row = a.frame.loc["1005"]
    assert np.isnan(row["G"]) and row["label"] == "island" and row["bin"] == 0
    assert a.n_islands == 1 and "1005" in a.summary()
    assert "geometry" not in a.to_frame().columns


def test_zero_total_is_refused(columbus_old):
    data, w = anselin_columbus(columbus_old, "r")
    centred = data.assign(c=data["CRIME"] - data["CRIME"].mean())
    with pytest.raises(InputError, match="sums to"):
        sc.getis_ord(centred, "c", w, permutations=0)
    with pytest.raises(InputError, match="transform"):
        sc.getis_ord(data, "CRIME", w, transform="v")
