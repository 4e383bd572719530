"""Effects (LeSage-Pace direct / indirect / total) against R spatialreg's impacts() and dense algebra.

R targets: spatialreg docs/reference/ML_models.md (``impacts(COL.lag.M, listw=listw)``, COL.OLD with
COL.nb) and docs/reference/impacts.md (spData's columbus with the 230-link columbus.gal,
``log(CRIME) ~ INC + HOVAL + fDISCBD + fEW``). The factor coding of fDISCBD does not change the
INC and HOVAL coefficients or effects (same column space), so treatment dummies are used here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from models_fixtures import (  # noqa: F401 (single_thread_blas is an autouse fixture)
    columbus_old_data,
    lattice,
    single_thread_blas,
    spdata_columbus,
    torus_eigenvalues,
)

import spatialcluster as sc
from spatialcluster import InputError
from spatialcluster.models.effects import EFFECT_COLUMNS, ImpactKernel, effects_table

XS = ["INC", "HOVAL", "DISCBD2", "DISCBD3", "DISCBD4", "EW1"]


def dense_effects(W, rho, beta, theta):
    """Mean diagonal and mean row sum of (I - rho W)^-1 (beta I + theta W), by explicit inversion."""
    W = W.toarray() if sp.issparse(W) else W
    Ainv = np.linalg.inv(np.eye(len(W)) - rho * W)
    out = []
    for b, t in zip(beta, theta):
        S = Ainv @ (b * np.eye(len(W)) + t * W)
        d, tot = np.trace(S) / len(W), S.sum() / len(W)
        out.append((d, tot - d, tot))
    return np.array(out)


@pytest.fixture(scope="module")
def spdata(reference_dir):
    return spdata_columbus(reference_dir)


def test_lag_impacts_columbus_old(columbus_old):
    df, g = columbus_old_data(columbus_old)
    res = sc.spillover(df, "CRIME", ["INC", "HOVAL"], g, model="sar", draws=0)
    # impacts(COL.lag.M, listw=listw): exact
    ref = {"INC": (-1.0860220, -0.7270849, -1.8131068), "HOVAL": (-0.2799509, -0.1874254, -0.4673763)}
    for name, vals in ref.items():
        np.testing.assert_allclose(res.effects.loc[name, ["direct", "indirect", "total"]], vals, atol=1.5e-7)
    assert res.effects.attrs["method"] == "exact"


@pytest.mark.parametrize(
    "model,kw,ref,loglik,spatial",
    [
        ("sar", {}, {"INC": (-0.05306202, 0.013039791, -0.04002223),
                     "HOVAL": (-0.02965119, 0.007286669, -0.02236453)}, -60.69996, ("rho", -0.30114)),
        ("sdm", {}, {"INC": (-0.05007460, -0.009198133, -0.05927273),
                     "HOVAL": (-0.02902104, 0.005295429, -0.02372561)}, -58.21561, ("rho", -0.43661)),
        ("sdm", {"durbin": ["INC", "HOVAL"]}, {"INC": (-0.05137786, 0.001294350, -0.05008351),
                                               "HOVAL": (-0.02990055, 0.005392585, -0.02450797)},
         -60.61159, ("rho", -0.35002)),
    ],
    ids=["lag", "durbin", "durbin-subset"],
)
def test_impacts_against_r(spdata, model, kw, ref, loglik, spatial):
    df, g = spdata
    res = sc.spillover(df, "logCRIME", XS, g, model=model, draws=0, **kw)
    assert res.loglik == pytest.approx(loglik, abs=5e-6)
    assert res.params[spatial[0]] == pytest.approx(spatial[1], abs=5e-6)
    for name, vals in ref.items():
        # R prints 7 significant digits; our estimates differ from R's by its optimiser tolerance
        np.testing.assert_allclose(res.effects.loc[name, ["direct", "indirect", "total"]], vals,
                                   rtol=2e-6, atol=2e-9)


@pytest.mark.parametrize(
    "model,ref",
    [
        # summary(impacts(lmSLX(f, columbus, listw))): estimates and standard errors (n - k)
        ("slx", {"INC": ((-0.05127030, -0.01300677, -0.06427708), (0.039113827, 0.07595938, 0.08320131)),
                 "HOVAL": ((-0.02823116, 0.00776633, -0.02046483), (0.009684776, 0.02041006, 0.01996799))}),
        # summary(impacts(errorsarlm(f, columbus, listw, etype="emixed")), adjust_k=TRUE)
        ("sdem", {"INC": ((-0.05700667, -0.014643459, -0.07165013), (0.033522267, 0.05500753, 0.05177221)),
                  "HOVAL": ((-0.02851468, 0.002480578, -0.02603410), (0.008460333, 0.01570895, 0.01266713))}),
    ],
)
def test_analytic_impacts_against_r(spdata, model, ref):
    df, g = spdata
    res = sc.spillover(df, "logCRIME", XS, g, model=model, draws=0)
    for name, (est, se) in ref.items():
        np.testing.assert_allclose(res.effects.loc[name, ["direct", "indirect", "total"]], est, rtol=5e-6)
        np.testing.assert_allclose(res.effects.loc[name, ["direct_se", "indirect_se", "total_se"]], se,
                                   rtol=5e-6)
    assert res.effects.attrs["method"] == "analytic"


def test_simulated_inference_against_r(spdata):
    """R: impacts(lobj, tr=trMatc, R=200) simulated s.e.; ours with more draws, within Monte Carlo error."""
    df, g = spdata
    res = sc.spillover(df, "logCRIME", XS, g, model="sar", draws=4000, seed=1)
    ref = {"INC": (0.032198021, 0.010586529, 0.027343925), "HOVAL": (0.008536286, 0.004965342, 0.007295719)}
    for name, se in ref.items():
        # R's 200 draws carry about 5 % Monte Carlo error in a standard deviation
        np.testing.assert_allclose(res.effects.loc[name, ["direct_se", "indirect_se", "total_se"]], se, rtol=0.15)


def test_dense_algebra_general_weights(columbus_old):
    """Non-row-standardised W and W with an island: the eigenvector route equals explicit inversion."""
    df, g = columbus_old_data(columbus_old)
    from spatialcluster._validate import sparse_weights

    C = sparse_weights(columbus_old_data(columbus_old, transform=None)[1])
    Wr = sparse_weights(g).tolil()
    Wr[0, :] = 0.0  # an island
    for W, rho in ((C, 0.08), (Wr.tocsr(), 0.5)):
        beta, theta = np.array([1.5, -0.7]), np.array([0.4, 0.9])
        k = ImpactKernel(W, "exact")
        d, ind, tot = k.effects(np.array([rho]), beta[None, :], theta[None, :])
        np.testing.assert_allclose(np.column_stack([d[0], ind[0], tot[0]]), dense_effects(W, rho, beta, theta),
                                   rtol=1e-10)


def test_trace_approximation_error_n10000():
    """Trace (Monte Carlo power series) effects at N = 10,000 against exact ones from analytic eigenvalues.

    Row-standardised rook torus 100 x 100: eigenvalues (cos(2 pi i/k) + cos(2 pi j/k)) / 2, so
    mean diag (I - rho W)^-1 = mean 1/(1 - rho lambda) is exact without any dense matrix.
    """
    k = 100
    W = lattice(k, torus=True)
    lam = torus_eigenvalues(k)
    kern = ImpactKernel(W, "trace", seed=0)
    rho = np.array([-0.4, 0.2, 0.5, 0.8])
    t0, t1 = kern.diag_means(rho)
    e0 = np.mean(1 / (1 - rho[:, None] * lam), axis=1)
    e1 = np.mean(lam / (1 - rho[:, None] * lam), axis=1)
    err0 = np.abs(t0 - e0) / e0
    err1 = np.abs(t1 - e1)
    # measured (32 probes, seed 0): relative error of tr(A^-1)/n 6e-6 .. 4.3e-4 (largest at rho = 0.8)
    assert err0.max() < 1e-3, err0
    assert err1.max() < 2e-3, err1
    s0, s1 = kern.row_means(rho)
    np.testing.assert_allclose(s0, 1 / (1 - rho), rtol=1e-12)


def test_trace_and_exact_agree_moderate_n():
    W = lattice(30)
    beta, theta = pd.Series({"a": 1.0, "b": -0.5}), pd.Series({"W_a": 0.3, "W_b": 0.2})
    names = ["rho", "a", "b", "W_a", "W_b"]
    V = pd.DataFrame(np.diag([1e-3, 1e-3, 1e-3, 2e-3, 2e-3]), index=names, columns=names)
    ex = effects_table(W, 0.6, beta, theta, V, draws=500, seed=3, method="exact")
    tr = effects_table(W, 0.6, beta, theta, V, draws=500, seed=3, method="trace")
    assert list(ex.columns) == EFFECT_COLUMNS
    np.testing.assert_allclose(tr[["direct", "indirect", "total"]], ex[["direct", "indirect", "total"]],
                               rtol=2e-3, atol=2e-3)
    np.testing.assert_allclose(dense_effects(W, 0.6, beta.to_numpy(), theta.to_numpy()),
                               ex[["direct", "indirect", "total"]].to_numpy(), rtol=1e-10)


def test_draws_seeded_and_intervals(columbus_old):
    df, g = columbus_old_data(columbus_old)
    a = sc.spillover(df, "CRIME", ["INC", "HOVAL"], g, model="sdm", draws=300, seed=5)
    b = sc.spillover(df, "CRIME", ["INC", "HOVAL"], g, model="sdm", draws=300, seed=5)
    c = sc.spillover(df, "CRIME", ["INC", "HOVAL"], g, model="sdm", draws=300, seed=6)
    pd.testing.assert_frame_equal(a.effects, b.effects)
    assert not np.allclose(a.effects["indirect_se"], c.effects["indirect_se"])
    e = a.effects
    for kind in ("direct", "indirect", "total"):
        assert (e[f"{kind}_lo"] < e[f"{kind}_hi"]).all()
        assert ((e[f"{kind}_p"] >= 0) & (e[f"{kind}_p"] <= 1)).all()


def test_delta_method_agreement(columbus_old):
    """Simulated s.e. of the SAR total effect beta/(1 - rho) near its delta-method value."""
    df, g = columbus_old_data(columbus_old)
    res = sc.spillover(df, "CRIME", ["INC", "HOVAL"], g, model="sar", draws=20000, seed=0)
    b, r = res.params["HOVAL"], res.params["rho"]
    grad = np.array([1 / (1 - r), b / (1 - r) ** 2])
    V = res.vcov.loc[["HOVAL", "rho"], ["HOVAL", "rho"]].to_numpy()
    delta = np.sqrt(grad @ V @ grad)
    # the ratio is nonlinear in rho (heavier right tail), so allow 15 %
    assert res.effects.loc["HOVAL", "total_se"] == pytest.approx(delta, rel=0.15)


def test_no_rho_models_and_errors(columbus_old):
    df, g = columbus_old_data(columbus_old)
    sem = sc.spillover(df, "CRIME", ["INC", "HOVAL"], g, model="sem", draws=0)
    np.testing.assert_allclose(sem.effects["direct"], sem.params[["INC", "HOVAL"]])
    np.testing.assert_allclose(sem.effects["direct_se"], sem.std_err[["INC", "HOVAL"]])
    assert (sem.effects["indirect"] == 0).all()
    from spatialcluster._validate import sparse_weights

    W = sparse_weights(g)
    V = pd.DataFrame(np.eye(2), index=["rho", "INC"], columns=["rho", "INC"])
    with pytest.raises(InputError, match="HOVAL"):
        effects_table(W, 0.3, pd.Series({"INC": 1.0, "HOVAL": 1.0}), None, V, draws=10)
    with pytest.raises(InputError, match="W_OPEN"):
        effects_table(W, 0.3, pd.Series({"INC": 1.0}), pd.Series({"W_OPEN": 1.0}), V, draws=10)
