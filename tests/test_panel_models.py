"""Validation of sc.spillover_panel on Baltagi's cigarette panel (46 US states, 1963-1992).

References used, with tolerances:

* spreg 1.9 ``ML_LagFE`` (SAR, and SDM via ``slx_lags=1``) and ``ML_ErrorFE`` (SEM): region fixed
  effects, no bias correction (what spreg estimates). Coefficients 1e-5, standard errors 1e-4
  (relative), log-likelihood 1e-5.
* An independent brute-force ML fit in this file: dense, slow and obviously correct. Without bias
  correction the full likelihood with one dummy per fixed effect; with it the Lee-Yu transformed
  likelihood built from explicit orthonormal matrices ``F_{T,T-1}``, ``F_{N,N-1}``. All parameters
  (dummies included) are maximised jointly by scipy.optimize with dense log-determinants, and the
  variance is the inverse of the dense expected information matrix of that likelihood.
  Coefficients 1e-4 (absolute), sigma2 and log-likelihood 1e-6 (relative), standard errors 1e-4
  (relative).
* SDPDmod 0.0.5's vignette (CRAN, ``inst/doc/spatial_model.html``, ``mod1``: SAR, individual effects,
  no Lee-Yu transformation): rho 0.297576 (s.e. 0.028444), logp -0.5320053 (0.0254445), logy -0.0007088
  (0.0152139), sige 0.006667779, R2 0.8677243. SDPDmod maximises over a 0.001 grid of log-determinants
  with R's ``optimize`` (tolerance 1.2e-4), so its printed digits are only good to about 1e-3:
  coefficients are compared at 1e-3 absolute, standard errors and sigma2 at 1e-3 relative, R2 at 1e-4.

Data: logc = log(sales), logp = log(price / cpi), logy = log(ndi / cpi), as in Elhorst's demo and the
SDPDmod vignette; W = row-standardised binary contiguity (Elhorst's spat-sym-us).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from conftest import need_shared
from libpysal.graph import Graph
from scipy.optimize import minimize

import spatialcluster as sc
from spatialcluster.models import panel as P

X_NAMES = ["logp", "logy"]


@pytest.fixture(scope="module")
def cig():
    ref = need_shared("data", "reference")
    d = pd.read_csv(ref / "cigarettes_baltagi_46states_1963_1992.csv")
    d["logc"] = np.log(d["sales"])
    d["logp"] = np.log(d["price"] / d["cpi"])
    d["logy"] = np.log(d["ndi"] / d["cpi"])
    wm = pd.read_csv(ref / "usa46_binary_contiguity.csv", index_col=0)
    g = Graph.from_sparse(sp.csr_matrix(wm.to_numpy()), ids=list(wm.index)).transform("r")
    return d, g, wm


def fit(cig, model, effects, bc, **kw):
    d, g, _ = cig
    kw.setdefault("draws", 0)
    return sc.spillover_panel(d, "logc", X_NAMES, g, id="name", time="year", model=model, effects=effects,
                              bias_correction=bc, **kw)


# ---------------------------------------------------------------------------------------------
# brute force: dense matrices, all parameters by scipy.optimize
# ---------------------------------------------------------------------------------------------


def _arrays(cig, model):
    """Y (T, N) and X (T, N, k), regions in matrix order, and the dense row-standardised W."""
    d, _, wm = cig
    ids = list(wm.index)
    wide = d.set_index(["year", "name"]).sort_index()
    Y = wide["logc"].unstack("name")[ids].to_numpy()
    X = np.stack([wide[c].unstack("name")[ids].to_numpy() for c in X_NAMES], axis=2)
    W = wm.to_numpy() / wm.to_numpy().sum(axis=1, keepdims=True)
    if model == "sdm":
        X = np.concatenate([X, np.einsum("ij,tjk->tik", W, X)], axis=2)
    return Y, X, W


def _orthonormal_demeaner(n):
    """F_{n,n-1}: orthonormal eigenvectors of I - J/n for the eigenvalue one (Lee and Yu 2010)."""
    vals, vecs = np.linalg.eigh(np.eye(n) - np.full((n, n), 1.0 / n))
    return vecs[:, vals > 0.5]


def _brute_force(Y, X, W, model, effects, bc):
    """ML by brute force. Returns (params [beta..., rho], se, sigma2, loglik, dummy coefficients)."""
    T, N = Y.shape
    k = X.shape[2]
    Wm, Tm = W, T
    if bc:  # Lee-Yu: transform by explicit F matrices, no dummies left
        if effects in ("region", "twoway"):
            FT = _orthonormal_demeaner(T)
            Y, X, Tm = FT.T @ Y, np.einsum("ts,tik->sik", FT, X), T - 1
        if effects in ("time", "twoway"):
            FN = _orthonormal_demeaner(N)
            Y, X, Wm = Y @ FN, np.einsum("tik,ij->tjk", X, FN), FN.T @ W @ FN
        D = np.zeros((Y.size, 0))
    else:  # direct approach: one dummy per region and per period (one period dropped if both)
        D = []
        if effects in ("region", "twoway"):
            D.append(np.tile(np.eye(N), (T, 1)))
        if effects in ("time", "twoway"):
            Dt = np.kron(np.eye(T), np.ones((N, 1)))
            D.append(Dt[:, 1:] if effects == "twoway" else Dt)
        D = np.hstack(D)
    n_obs = Y.size
    Nm = Wm.shape[0]
    y = Y.ravel()
    Z = np.hstack([X.reshape(n_obs, k), D])
    Wbig = np.kron(np.eye(Tm), Wm)
    wy, wZ = Wbig @ y, Wbig @ Z
    I = np.eye(Nm)

    def nll(p):
        g, r, ls2 = p[:-2], p[-2], p[-1]
        s2 = np.exp(ls2)
        A = I - r * Wm
        _, logdet = np.linalg.slogdet(A)
        trG = np.trace(np.linalg.solve(A, Wm))
        if model == "sem":
            u, wu = y - Z @ g, wy - wZ @ g  # W u without re-multiplying the big W
            e = u - r * wu
            gg = -(Z - r * wZ).T @ e / s2
            gr = Tm * trG - wu @ e / s2
        else:
            e = y - r * wy - Z @ g
            gg = -Z.T @ e / s2
            gr = Tm * trG - wy @ e / s2
        val = 0.5 * n_obs * np.log(2 * np.pi * s2) - Tm * logdet + e @ e / (2 * s2)
        return val, np.concatenate([gg, [gr, 0.5 * n_obs - e @ e / (2 * s2)]])

    g0 = np.linalg.lstsq(Z, y, rcond=None)[0]
    s20 = np.mean((y - Z @ g0) ** 2)
    p0 = np.concatenate([g0, [0.0, np.log(s20)]])
    # BFGS on standardised parameters (unit curvature scale), so it converges to full precision
    scale = np.sqrt(np.concatenate([s20 / np.sum(Z**2, axis=0), [s20 / (wy @ wy), 2.0 / n_obs]]))

    def scaled(q):
        val, grad = nll(p0 + scale * q)
        return val, grad * scale

    res = minimize(scaled, np.zeros_like(p0), jac=True, method="BFGS", options={"gtol": 1e-8, "maxiter": 20000})
    assert np.max(np.abs(res.jac)) < 1e-5, res.message
    p = p0 + scale * res.x
    g, r, s2 = p[:-2], p[-2], np.exp(p[-1])

    # expected information of the same likelihood, dense, then the (beta, rho) block of its inverse
    Gs = Wm @ np.linalg.inv(I - r * Wm)  # one period's block of G = (I_T kron W)(I - r I_T kron W)^-1
    G = np.kron(np.eye(Tm), Gs)
    m = Z.shape[1]
    info = np.zeros((m + 2, m + 2))
    if model == "sem":
        Zf = Z - r * wZ
        info[:m, :m] = Zf.T @ Zf / s2
    else:
        Gz = G @ (Z @ g)
        info[:m, :m] = Z.T @ Z / s2
        info[:m, m] = info[m, :m] = Z.T @ Gz / s2
        info[m, m] = Gz @ Gz / s2
    info[m, m] += Tm * (np.trace(Gs @ Gs) + np.trace(Gs.T @ Gs))
    info[m, m + 1] = info[m + 1, m] = Tm * np.trace(Gs) / s2
    info[m + 1, m + 1] = n_obs / (2 * s2**2)
    V = np.linalg.inv(info)
    keep = list(range(k)) + [m]
    return np.append(g[:k], r), np.sqrt(np.diag(V)[keep]), s2, -nll(p)[0], g[k:]


CASES = [(m, e, bc) for bc in (False, True) for e in ("region", "time", "twoway") for m in ("sar", "sdm", "sem")]


@pytest.mark.parametrize("model,effects,bc", CASES)
def test_against_brute_force(cig, model, effects, bc):
    res = fit(cig, model, effects, bc)
    Y, X, W = _arrays(cig, model)
    est, se, s2, ll, dummies = _brute_force(Y, X, W, model, effects, bc)
    np.testing.assert_allclose(res.params.to_numpy(), est, rtol=0, atol=1e-4)
    np.testing.assert_allclose(res.std_err.to_numpy(), se, rtol=1e-4)
    assert res.sigma2 == pytest.approx(s2, rel=1e-6)
    assert res.loglik == pytest.approx(ll, rel=1e-6)
    if not bc:  # the fixed effects are the dummies' coefficients (up to the normalisation)
        T, N = Y.shape
        fe = res.extra
        if effects == "region":
            np.testing.assert_allclose(fe["region_effects"], dummies, atol=1e-4)
        elif effects == "time":
            np.testing.assert_allclose(fe["time_effects"], dummies, atol=1e-4)
        else:  # region dummies = c + mu_i + alpha_1, time dummies (t > 1) = alpha_t - alpha_1
            a = fe["time_effects"].to_numpy()
            np.testing.assert_allclose(fe["intercept"] + fe["region_effects"] + a[0], dummies[:N], atol=1e-4)
            np.testing.assert_allclose(a[1:] - a[0], dummies[N:], atol=1e-4)
            assert abs(fe["region_effects"].sum()) < 1e-9 and abs(a.sum()) < 1e-9


def test_parameter_names(cig):
    res = fit(cig, "sdm", "twoway", True)
    assert list(res.params.index) == ["logp", "logy", "W_logp", "W_logy", "rho"]
    assert list(fit(cig, "sem", "region", False).params.index) == ["logp", "logy", "lambda"]
    assert res.n == 46 * 30 and res.extra["df"] == 45 * 29 and res.method == "ml"


# ---------------------------------------------------------------------------------------------
# spreg (region fixed effects, no bias correction)
# ---------------------------------------------------------------------------------------------


def _spreg_inputs(cig):
    import libpysal

    d, _, wm = cig
    ids = list(wm.index)
    w = libpysal.weights.full2W(wm.to_numpy(), ids=ids)
    w.transform = "r"
    dd = d.assign(name=pd.Categorical(d["name"], categories=ids)).sort_values(["year", "name"])
    return dd["logc"].to_numpy()[:, None], dd[X_NAMES].to_numpy(), w


@pytest.mark.parametrize("model", ["sar", "sdm", "sem"])
def test_against_spreg_region_effects(cig, model):
    import spreg

    y, X, w = _spreg_inputs(cig)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if model == "sem":
            ref = spreg.ML_ErrorFE(y, X, w)
        else:
            ref = spreg.ML_LagFE(y, X, w, slx_lags=1 if model == "sdm" else 0)
    res = fit(cig, model, "region", False)
    # spreg orders [x, W_x, rho] for lags and [x, lambda] for SEM, as we do
    np.testing.assert_allclose(res.params.to_numpy(), ref.betas.ravel(), rtol=0, atol=1e-5)
    np.testing.assert_allclose(res.std_err.to_numpy(), np.asarray(ref.std_err).ravel(), rtol=1e-4)
    assert res.loglik == pytest.approx(float(ref.logll), abs=1e-5)


# ---------------------------------------------------------------------------------------------
# published values: SDPDmod vignette (static SAR, individual effects)
# ---------------------------------------------------------------------------------------------


def test_against_sdpdmod_vignette(cig):
    res = fit(cig, "sar", "region", False)
    np.testing.assert_allclose(res.params[["logp", "logy", "rho"]], [-0.5320053, -0.0007088, 0.297576], atol=1e-3)
    np.testing.assert_allclose(res.std_err[["logp", "logy", "rho"]], [0.0254445, 0.0152139, 0.028444], rtol=1e-3)
    assert res.sigma2 == pytest.approx(0.006667779, rel=1e-3)
    assert res.r2 == pytest.approx(0.8677243, abs=1e-4)


# ---------------------------------------------------------------------------------------------
# the bias correction
# ---------------------------------------------------------------------------------------------


def test_region_correction_only_rescales_sigma2(cig):
    """Region effects: the Lee-Yu transformation leaves rho and beta and multiplies sigma2 by T/(T-1)."""
    for model in ("sar", "sdm", "sem"):
        a, b = fit(cig, model, "region", False), fit(cig, model, "region", True)
        np.testing.assert_allclose(b.params, a.params, atol=1e-7)
        assert b.sigma2 == pytest.approx(a.sigma2 * 30 / 29, rel=1e-6)  # the factor is 1.0345


def test_twoway_transformation_agrees_with_analytic_correction(cig):
    """Lee and Yu (2010) show the transformation estimator and the analytically bias-corrected direct
    estimator (Elhorst's sar_panel_FE, SDPDmod: theta + T V a with a = (0, 1/(1-rho), 1/(2 sigma2)),
    then sigma2 * T/(T-1)) are asymptotically equivalent: they must agree within a fraction of a
    standard error (here 0.25 s.e.) and both move rho the same way from the uncorrected estimate."""
    for model in ("sar", "sdm"):
        Y, X, W = _arrays(cig, model)
        T, N = Y.shape
        k = X.shape[2]
        direct = fit(cig, model, "twoway", False)
        corrected = fit(cig, model, "twoway", True)
        rho, s2 = direct.params["rho"], direct.sigma2
        Xd = P._demean(X, "twoway").reshape(T * N, k)
        beta = direct.params.to_numpy()[:k]
        G = np.linalg.solve(np.eye(N) - rho * W, W)
        h = P._demean((G @ (Xd @ beta).reshape(T, N).T).T, "twoway").ravel()
        info = np.zeros((k + 2, k + 2))
        info[:k, :k] = Xd.T @ Xd / s2
        info[:k, k] = info[k, :k] = Xd.T @ h / s2
        info[k, k] = h @ h / s2 + T * (np.trace(G @ G) + np.trace(G.T @ G))
        info[k, k + 1] = info[k + 1, k] = T * np.trace(G) / s2
        info[k + 1, k + 1] = N * T / (2 * s2**2)
        a = np.r_[np.zeros(k), 1 / (1 - rho), 1 / (2 * s2)]
        analytic = np.r_[direct.params.to_numpy(), s2] + T * np.linalg.solve(info, a)
        diff = np.abs(corrected.params.to_numpy() - analytic[:-1]) / corrected.std_err.to_numpy()
        assert diff.max() < 0.25
        assert analytic[-1] * T / (T - 1) == pytest.approx(corrected.sigma2, rel=0.02)
        assert corrected.params["rho"] > direct.params["rho"] and analytic[k] > direct.params["rho"]


# ---------------------------------------------------------------------------------------------
# effects, log-determinant methods, large-N traces
# ---------------------------------------------------------------------------------------------


def test_effects_match_dense_formula(cig):
    res = fit(cig, "sdm", "twoway", True, draws=300, seed=3)
    _, _, W = _arrays(cig, "sar")
    N = W.shape[0]
    S = np.linalg.inv(np.eye(N) - res.params["rho"] * W)
    for v in X_NAMES:
        M = S @ (res.params[v] * np.eye(N) + res.params[f"W_{v}"] * W)
        assert res.effects.loc[v, "direct"] == pytest.approx(np.trace(M) / N, abs=1e-10)
        assert res.effects.loc[v, "total"] == pytest.approx(M.sum() / N, abs=1e-10)
        assert res.effects.loc[v, "direct_lo"] < res.effects.loc[v, "direct"] < res.effects.loc[v, "direct_hi"]
    again = fit(cig, "sdm", "twoway", True, draws=300, seed=3)
    pd.testing.assert_frame_equal(res.effects, again.effects)
    sem = fit(cig, "sem", "twoway", True)
    np.testing.assert_allclose(sem.effects["direct"], sem.params[X_NAMES], atol=1e-12)
    np.testing.assert_allclose(sem.effects["indirect"], 0.0, atol=1e-12)
    np.testing.assert_allclose(sem.effects["direct_se"], sem.std_err[X_NAMES], rtol=1e-10)


def test_lu_logdet_gives_the_same_fit(cig):
    a = fit(cig, "sdm", "twoway", True)
    b = fit(cig, "sdm", "twoway", True, logdet="lu")
    assert a.logdet_method == "eigen" and b.logdet_method == "lu"
    np.testing.assert_allclose(a.params, b.params, atol=1e-7)
    assert a.loglik == pytest.approx(b.loglik, abs=1e-6)


def test_hutchinson_traces_close_to_dense(cig, monkeypatch):
    """Beyond EXACT_TRACE_MAX_N the variance uses probe estimates of the traces: within 5 % here."""
    exact = fit(cig, "sdm", "twoway", True)
    monkeypatch.setattr(P, "EXACT_TRACE_MAX_N", 10)
    approx = fit(cig, "sdm", "twoway", True)
    assert approx.se_method.startswith("hutchinson") and exact.se_method == "dense"
    np.testing.assert_allclose(approx.params, exact.params, atol=1e-12)
    np.testing.assert_allclose(approx.std_err, exact.std_err, rtol=0.05)


def test_result_tables(cig):
    res = fit(cig, "sdm", "twoway", True, draws=100)
    text = res.summary()
    assert "Lee-Yu" in text and "rho" in text
    assert "W\\_logp" in res.to_latex() and "\\toprule" in res.to_latex()
    assert res.residuals.index.names == ["year", "name"] and len(res.residuals) == 1380
    np.testing.assert_allclose(res.fitted + res.residuals, res.residuals.index.map(
        cig[0].set_index(["year", "name"])["logc"]).to_numpy(), atol=1e-12)
