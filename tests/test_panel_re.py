"""Random-effects spatial panels (``sc.spillover_panel(..., effects="random")``) and the Hausman test.

References, with tolerances:

* spreg's ``Panel_RE_Lag`` (Munnell's Produc panel with splm's row-standardised ``usaww``, see
  ../shared/data/reference/PROVENANCE.md) and ``Panel_RE_Error`` (a simulated panel on a rook torus,
  whose row-standardised W is symmetric: spreg's error model takes the eigenvectors of the symmetrised
  W but the lags of W itself, so it is only exact there), both called in the test: estimates 1e-6.
* An independent dense likelihood with the explicit covariance ``Omega = sigma_u^2 (1 1' kron I_N) +
  sigma^2 (I_T kron (B'B)^-1)`` (Elhorst 2003): equal log-likelihood at our estimates (1e-9 relative)
  and a zero gradient there (every coordinate's central difference times its standard error < 1e-3),
  on Munnell's data for both models.
* Standard errors (observed information): a Monte Carlo of 60 simulated RE-lag panels, the mean standard
  error of rho within 20 % of the standard deviation of the estimates.
"""

from __future__ import annotations

import warnings

import libpysal
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import spreg
from libpysal.graph import Graph
from models_fixtures import lattice_graph
from test_panel_splm import X, produc  # noqa: F401  (Munnell panel and splm usaww weights)

import spatialcluster as sc
from spatialcluster._errors import InputError
from spatialcluster.models.panel_re import panel_hausman


def spreg_fit(cls, g, y, x):
    """spreg on arrays stacked period by period (N rows per period, in ``g.unique_ids`` order)."""
    w = libpysal.weights.WSP(sp.csr_matrix(g.sparse)).to_W(silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls(y.reshape(-1, 1), x.reshape(y.size, -1), w)


def wide(df, g, cols, id, time):
    ids = [str(i) for i in g.unique_ids]
    return np.stack([df.pivot(index=time, columns=id, values=c)[ids].to_numpy() for c in cols], axis=2)


def test_re_lag_matches_spreg(produc):
    p, g = produc
    res = sc.spillover_panel(p, "log_gsp", X, g, id="state", time="year", model="sar", effects="random", draws=0)
    Y, Xw = wide(p, g, ["log_gsp"], "state", "year")[:, :, 0], wide(p, g, X, "state", "year")
    ref = np.ravel(spreg_fit(spreg.Panel_RE_Lag, g, Y, Xw).betas)  # const, x, rho, phi
    np.testing.assert_allclose(res.params[["const", *X, "rho"]], ref[:-1], rtol=0, atol=1e-6)
    assert res.extra["phi"] == pytest.approx(ref[-1], abs=1e-6)


def test_re_error_matches_spreg_on_symmetric_weights():
    W, ids, g = lattice_graph(6, torus=True)
    N, T = len(ids), 6
    rng = np.random.default_rng(2)
    B = np.eye(N) - 0.5 * W.toarray()
    mu, x = rng.normal(size=N), rng.normal(size=(T, N, 2))
    y = np.array([1 + x[t] @ [1.0, -0.5] + mu + np.linalg.solve(B, rng.normal(size=N)) for t in range(T)])
    df = pd.DataFrame({"code": np.tile(ids, T), "year": np.repeat(np.arange(T), N), "y": y.ravel(),
                       "x1": x[:, :, 0].ravel(), "x2": x[:, :, 1].ravel()})
    res = sc.spillover_panel(df, "y", ["x1", "x2"], g, model="sem", effects="random", draws=0)
    ref = np.ravel(spreg_fit(spreg.Panel_RE_Error, g, y, x).betas)  # const, x, lambda, sig2_u
    np.testing.assert_allclose(res.params.to_numpy(), ref[:-1], rtol=0, atol=1e-6)
    assert res.extra["sigma2_u"] == pytest.approx(ref[-1], abs=1e-6)


def dense_loglik(Y, Xc, Wd, model, beta, spatial, s2u, s2):
    """Gaussian log-likelihood of the stacked panel with the explicit N T x N T covariance."""
    T, N = Y.shape
    A = np.eye(N) - spatial * Wd
    if model == "sar":
        u = (Y @ A.T - Xc @ beta).ravel()
        cov_e, jac = np.eye(N), T * np.linalg.slogdet(A)[1]
    else:
        u = (Y - Xc @ beta).ravel()
        cov_e, jac = np.linalg.inv(A.T @ A), 0.0
    omega = s2u * np.kron(np.ones((T, T)), np.eye(N)) + s2 * np.kron(np.eye(T), cov_e)
    sign, logdet = np.linalg.slogdet(omega)
    return -0.5 * (N * T * np.log(2 * np.pi) + logdet + u @ np.linalg.solve(omega, u)) + jac


@pytest.mark.parametrize("model", ["sar", "sem"])
def test_re_likelihood_and_maximum_match_dense(produc, model):
    p, g = produc
    res = sc.spillover_panel(p, "log_gsp", X, g, id="state", time="year", model=model, effects="random", draws=0)
    Y = wide(p, g, ["log_gsp"], "state", "year")[:, :, 0]
    Xc = np.concatenate([np.ones(Y.shape + (1,)), wide(p, g, X, "state", "year")], axis=2)
    Wd = g.sparse.toarray()
    spatial = "rho" if model == "sar" else "lambda"
    theta = np.r_[res.params[["const", *X]].to_numpy(), res.params[spatial], res.extra["sigma2_u"], res.sigma2]
    k = Xc.shape[2]

    def f(t):
        return dense_loglik(Y, Xc, Wd, model, t[:k], t[k], t[k + 1], t[k + 2])

    assert f(theta) == pytest.approx(res.loglik, rel=1e-9)
    scale = np.r_[res.std_err.to_numpy(), 0.1 * theta[k + 1:]]  # sigma's: a tenth of their value
    for i in range(len(theta)):
        h = 1e-3 * scale[i]
        step = np.zeros_like(theta)
        step[i] = h
        grad = (f(theta + step) - f(theta - step)) / (2 * h)
        assert abs(grad * scale[i]) < 1e-3, (i, grad * scale[i])


def test_re_standard_errors_monte_carlo():
    """The observed-information standard error of rho matches the spread of the estimates (60 panels)."""
    W, ids, g = lattice_graph(5)
    N, T = len(ids), 6
    S_inv = np.linalg.inv(np.eye(N) - 0.4 * W.toarray())
    rng = np.random.default_rng(5)
    est, se = [], []
    for _ in range(60):
        mu, x = 2.0 * rng.normal(size=N), rng.normal(size=(T, N))
        y = np.array([S_inv @ (1 + x[t] + mu + rng.normal(size=N)) for t in range(T)])
        df = pd.DataFrame({"code": np.tile(ids, T), "year": np.repeat(np.arange(T), N), "y": y.ravel(), "x": x.ravel()})
        res = sc.spillover_panel(df, "y", ["x"], g, model="sar", effects="random", draws=0)
        est.append(res.params["rho"])
        se.append(res.std_err["rho"])
    assert np.mean(se) == pytest.approx(np.std(est), rel=0.2)


def test_hausman(produc):
    p, g = produc
    kw = dict(id="state", time="year", draws=0)
    out = {}
    for model in ("sar", "sem"):
        fe = sc.spillover_panel(p, "log_gsp", X, g, model=model, effects="region", bias_correction=False, **kw)
        re = sc.spillover_panel(p, "log_gsp", X, g, model=model, effects="random", **kw)
        h = out[model] = panel_hausman(fe, re)
        names = [*X, "rho" if model == "sar" else "lambda"]
        d = fe.params[names] - re.params[names]
        Vd = fe.vcov.loc[names, names] - re.vcov.loc[names, names]
        assert h.statistic == pytest.approx(float(d @ np.linalg.pinv(Vd.to_numpy()) @ d), rel=1e-10)
        assert h.df == 5 and set(h.to_record()) >= {"statistic", "p_value"}
    # on Munnell's data V_FE - V_RE is not positive definite for either model (as often in practice):
    # SEM still gives a positive statistic that rejects RE, SAR a negative one without a p-value
    assert out["sem"].statistic > 0 and out["sem"].p_value < 1e-3
    assert out["sar"].statistic < 0 and np.isnan(out["sar"].p_value)
    assert "not positive definite" in out["sar"].summary() and "negative" in out["sar"].summary()
    with pytest.raises(InputError, match="fixed-effects fit"):
        panel_hausman(re, fe)


def test_bad_inputs(produc):
    p, g = produc
    with pytest.raises(InputError, match="lag .*'sar'.* or error"):
        sc.spillover_panel(p, "log_gsp", X, g, id="state", time="year", model="sdm", effects="random")
    with pytest.raises(InputError, match="at least two periods"):
        sc.spillover_panel(p[p.year == 1970], "log_gsp", X, g, id="state", time="year", model="sar",
                           effects="random")
