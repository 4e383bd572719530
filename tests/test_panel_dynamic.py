"""Validation of the dynamic spatial panels (``sc.spillover_panel(..., dynamic=...)``).

References, with tolerances:

* SDPDmod's vignette (CRAN SDPDmod 0.0.6, ``inst/doc/spatial_model.html``, "Spatial dynamic panel data
  modeling"; numbers unchanged since 0.0.2) on Baltagi's cigarette panel with the row-standardised
  ``usa46`` contiguity, ``logc ~ logp + logy``, ``effect = "individual"``:

  - ``mod2`` (``dynamic = T, tl = T, stl = T, LYtrans = F``): rho 0.305592 (0.031396), logc(t-1)
    0.8697327 (0.0130098), W*logc(t-1) -0.2796636 (0.0336333), logp -0.1147081 (0.0138649),
    logy -0.0206479 (0.0079911);
  - ``mod3`` (same with ``LYtrans = T``, the Yu-de Jong-Lee correction): rho 0.310875 (0.031508),
    logc(t-1) 0.9287971 (0.0132188), W*logc(t-1) -0.3030634 (0.0350687), logp -0.0864323 (0.0138446),
    logy -0.0217271 (0.0081269);
  - ``mod4`` (``tl = T, stl = F, LYtrans = T``): rho 0.095318 (0.016432), logc(t-1) 0.920917 (0.013658),
    logp -0.051035 (0.014055), logy -0.031962 (0.008385).

  SDPDmod looks log|I - rho W| up on a 0.001 grid of rho, so rho agrees to 4e-3 and tau to 1e-3; eta and
  the betas move with rho (4e-3); standard errors 1 % (relative).
* An independent dense brute-force ML fit (full likelihood with one dummy per region, every parameter
  maximised by scipy.optimize with dense ``slogdet``): coefficients 1e-4, log-likelihood 1e-6 (relative).
* A dense re-computation of the bias correction written from Yu, de Jong and Lee (2008, Theorem 3) and
  Lee and Yu (2010a, sec. 4) with explicit matrices (``F_{N,N-1}`` built from eigenvectors, dense
  inverses, ``A = S^-1 (tau I + eta W)``): 1e-6.
* Long-run effects against the dense inverse of ``(1 - tau) I - (rho + eta) W`` (Debarsy, Ertur and
  LeSage 2012): 1e-10.
* The bias correction against the truth: a Monte Carlo of 40 simulated panels (25 regions, T = 10), where
  the uncorrected tau is biased down (measured -0.032; the O(1/T) bias of Yu, de Jong and Lee 2008) and
  the corrected one is not (measured -0.002; bound 0.015, three standard errors of the Monte Carlo mean).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from libpysal.graph import Graph
from models_fixtures import brute_force_ml, lattice_graph
from test_panel_models import cig  # noqa: F401  (the cigarette panel and usa46 weights)
from scipy.optimize import minimize_scalar

import spatialcluster as sc
from spatialcluster._errors import InputError, SpatialClusterWarning, WeightsError
from spatialcluster.models import panel_dynamic

X_NAMES = ["logp", "logy"]
# name: (dynamic, bias_correction, {param: (estimate, se)})
SDPDMOD = {
    "mod2": ("spacetime", False, {"rho": (0.305592, 0.031396), "tau": (0.8697327, 0.0130098),
                                  "eta": (-0.2796636, 0.0336333), "logp": (-0.1147081, 0.0138649),
                                  "logy": (-0.0206479, 0.0079911)}),
    "mod3": ("spacetime", True, {"rho": (0.310875, 0.031508), "tau": (0.9287971, 0.0132188),
                                 "eta": (-0.3030634, 0.0350687), "logp": (-0.0864323, 0.0138446),
                                 "logy": (-0.0217271, 0.0081269)}),
    "mod4": ("time", True, {"rho": (0.095318, 0.016432), "tau": (0.920917, 0.013658),
                            "logp": (-0.051035, 0.014055), "logy": (-0.031962, 0.008385)}),
}


def simulate(k=4, T=8, tau=0.4, eta=0.1, rho=0.3, beta=1.0, theta=0.5, seed=1):
    """A dynamic SDM panel on a k x k rook lattice with region effects (and small time effects)."""
    W, ids, g = lattice_graph(k)
    Wd = W.toarray()
    N = len(ids)
    rng = np.random.default_rng(seed)
    mu, alpha = rng.normal(size=N), 0.3 * rng.normal(size=T)
    x = rng.normal(size=(T, N)) + 0.5 * mu
    S_inv = np.linalg.inv(np.eye(N) - rho * Wd)
    y = np.zeros((T, N))
    prev = rng.normal(size=N)
    for t in range(T):
        y[t] = S_inv @ (tau * prev + eta * Wd @ prev + beta * x[t] + theta * Wd @ x[t] + mu + alpha[t]
                        + 0.5 * rng.normal(size=N))
        prev = y[t]
    df = pd.DataFrame({"code": np.tile(ids, T), "year": np.repeat(np.arange(2000, 2000 + T), N),
                       "y": y.ravel(), "x": x.ravel()})
    return df, g, Wd, y, x


@pytest.mark.parametrize("name", list(SDPDMOD))
def test_reproduces_sdpdmod_vignette(cig, name):
    """SDPDmod vignette mod2 / mod3 / mod4 (see the module docstring for the printed numbers)."""
    d, g, _ = cig
    dynamic, bc, ref = SDPDMOD[name]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sc.spillover_panel(d, "logc", X_NAMES, g, id="name", time="year", model="sar", effects="region",
                                 dynamic=dynamic, bias_correction=bc, draws=0)
    for par, (est, se) in ref.items():
        tol = 1e-3 if par == "tau" else 4e-3
        assert res.params[par] == pytest.approx(est, abs=tol), par
        assert res.std_err[par] == pytest.approx(se, rel=0.01), par
    assert res.extra["T"] == 29 and res.n == 46 * 29
    # mod4's bias-corrected tau + rho exceeds one: cigarette sales are near a unit root there
    unstable = [w for w in caught if issubclass(w.category, SpatialClusterWarning)]
    assert bool(unstable) == (name == "mod4") == (not res.extra["stability"]["stable"])
    if name == "mod4":
        assert "tau + rho + eta" in str(unstable[0].message)
        assert res.effects_long[["direct", "indirect", "total"]].isna().all().all()


def test_exact_ml_matches_dense_brute_force():
    """Uncorrected dynamic SDM with region effects = full ML with region dummies (dense, scipy.optimize)."""
    df, g, Wd, y, x = simulate(k=4, T=6)
    res = sc.spillover_panel(df, "y", ["x"], g, model="sdm", effects="region", dynamic="spacetime",
                             bias_correction=False, draws=0)
    T1, N = y.shape[0] - 1, y.shape[1]
    Z = np.column_stack([x[1:].ravel(), (x[1:] @ Wd.T).ravel(), y[:-1].ravel(), (y[:-1] @ Wd.T).ravel(),
                         np.tile(np.eye(N), (T1, 1))])
    est, loglik = brute_force_ml(y[1:].ravel(), Z, np.kron(np.eye(T1), Wd), "sar")
    np.testing.assert_allclose(res.params[["x", "W_x", "tau", "eta"]], est[:4], atol=1e-4)
    assert res.params["rho"] == pytest.approx(est[-1], abs=1e-4)
    assert res.loglik == pytest.approx(loglik, rel=1e-6)


def dense_reference(Wd, y, x, effects, bias_correction):
    """Dynamic SDM (spacetime) written densely from the papers: explicit F_{N,N-1} for time effects,
    concentrated ML on dense eigenvalues, and the Yu-de Jong-Lee bias ``n I^-1 b`` with dense inverses
    (region effects only: without them there is no incidental-parameter bias to correct)."""
    N = Wd.shape[0]
    Z = np.stack([x[1:], x[1:] @ Wd.T, y[:-1], y[:-1] @ Wd.T], axis=2)
    yy, WW, wy = y[1:], Wd, None
    if effects != "region" and bias_correction:
        vals, vecs = np.linalg.eigh(np.eye(N) - np.ones((N, N)) / N)
        F = vecs[:, vals > 0.5]
        yy, Z, WW = yy @ F, np.einsum("nm,tnk->tmk", F, Z), F.T @ Wd @ F
    elif effects != "region":  # plain demeaning over regions; W y lagged before demeaning
        Z = Z - Z.mean(axis=1, keepdims=True)
        yy = yy - yy.mean(axis=1, keepdims=True)
        wy = y[1:] @ Wd.T
        wy = wy - wy.mean(axis=1, keepdims=True)
    if effects != "time":
        Z, yy = Z - Z.mean(axis=0), yy - yy.mean(axis=0)
        wy = None if wy is None else wy - wy.mean(axis=0)
    Z = Z.reshape(-1, 4)
    wy = (yy @ WW.T).ravel() if wy is None else wy.ravel()
    n, t = WW.shape[0], yy.shape[0]
    yv = yy.ravel()
    lam = np.linalg.eigvals(WW).real
    b0, bd = (np.linalg.lstsq(Z, v, rcond=None)[0] for v in (yv, wy))

    def negll(r):
        e = yv - r * wy - Z @ (b0 - r * bd)
        return 0.5 * n * t * np.log(e @ e) - t * np.sum(np.log(1 - r * lam))

    rho = minimize_scalar(negll, bounds=(-0.99, 0.99), method="bounded", options={"xatol": 1e-11}).x
    b = b0 - rho * bd
    e = yv - rho * wy - Z @ b
    s2 = e @ e / (n * t)
    if not bias_correction or effects == "time":
        return np.r_[b, rho]
    S_inv = np.linalg.inv(np.eye(n) - rho * WW)
    G = WW @ S_inv
    Gt = np.kron(np.eye(t), G)
    h = Gt @ Z @ b
    info = np.zeros((6, 6))
    info[:4, :4] = Z.T @ Z / s2
    info[:4, 4] = info[4, :4] = Z.T @ h / s2
    info[4, 4] = h @ h / s2 + t * np.trace(G @ G + G @ G.T)
    info[4, 5] = info[5, 4] = t * np.trace(G) / s2
    info[5, 5] = n * t / (2 * s2**2)
    A = S_inv @ (b[2] * np.eye(n) + b[3] * WW)
    M = np.linalg.inv(np.eye(n) - A) @ S_inv
    grad = np.zeros(6)
    grad[2], grad[3] = np.trace(M) / n, np.trace(WW @ M) / n
    grad[4] = b[2] * np.trace(G @ M) / n + b[3] * np.trace(G @ WW @ M) / n + np.trace(G) / n
    grad[5] = 1 / (2 * s2)
    return (np.r_[b, rho, s2] + n * np.linalg.solve(info, grad))[:5]


@pytest.mark.parametrize("effects,bc", [("region", True), ("twoway", True), ("twoway", False), ("time", True),
                                        ("time", False)])
def test_matches_dense_computation(effects, bc):
    """Transformation, concentrated ML and bias correction against :func:`dense_reference` (1e-6)."""
    df, g, Wd, y, x = simulate(k=5, T=7)
    res = sc.spillover_panel(df, "y", ["x"], g, model="sdm", effects=effects, dynamic="spacetime",
                             bias_correction=bc, draws=0)
    ref = dense_reference(Wd, y, x, effects, bc)
    np.testing.assert_allclose(res.params[["x", "W_x", "tau", "eta", "rho"]], ref, atol=1e-6)


def test_long_run_effects_equal_dense_inverse():
    """Long run = ((1 - tau) I - (rho + eta) W)^-1 (beta I + theta W); short run = (I - rho W)^-1 (...)."""
    df, g, Wd, *_ = simulate()
    res = sc.spillover_panel(df, "y", ["x"], g, model="sdm", effects="twoway", dynamic="spacetime", draws=0)
    p = res.params
    N = Wd.shape[0]
    C = p["x"] * np.eye(N) + p["W_x"] * Wd
    for table, M in ((res.effects_long, (1 - p["tau"]) * np.eye(N) - (p["rho"] + p["eta"]) * Wd),
                     (res.effects_short, np.eye(N) - p["rho"] * Wd)):
        S = np.linalg.solve(M, C)
        direct, total = np.trace(S) / N, S.sum() / N
        assert table.loc["x", "direct"] == pytest.approx(direct, abs=1e-10)
        assert table.loc["x", "total"] == pytest.approx(total, abs=1e-10)
        assert table.loc["x", "indirect"] == pytest.approx(total - direct, abs=1e-10)
    assert res.effects is res.effects_short


def test_effects_inference_is_seeded_and_consistent():
    df, g, *_ = simulate()
    fit = [sc.spillover_panel(df, "y", ["x"], g, model="sdm", effects="region", dynamic="spacetime", draws=300,
                              seed=s) for s in (3, 3, 4)]
    pd.testing.assert_frame_equal(fit[0].effects_long, fit[1].effects_long)
    assert not fit[0].effects_long.equals(fit[2].effects_long)
    lr = fit[0].effects_long
    for kind in ("direct", "indirect", "total"):
        assert (lr[f"{kind}_lo"] <= lr[kind]).all() and (lr[kind] <= lr[f"{kind}_hi"]).all()
        assert (lr[f"{kind}_se"] > 0).all()
    st = fit[0].extra["stability"]
    assert st["stable"] and st["tau+rho+eta"] == pytest.approx(
        fit[0].params[["tau", "rho", "eta"]].sum(), abs=1e-12)


def test_bias_correction_removes_the_bias_of_tau():
    bias = {True: [], False: []}
    for rep in range(40):
        df, g, *_ = simulate(k=5, T=11, seed=100 + rep)
        for bc in (True, False):
            res = sc.spillover_panel(df, "y", ["x"], g, model="sdm", effects="twoway", dynamic="spacetime",
                                     bias_correction=bc, draws=0)
            bias[bc].append(res.params["tau"] - 0.4)
    assert np.mean(bias[False]) < -0.02
    assert abs(np.mean(bias[True])) < 0.015


def test_hutchinson_traces_close_to_exact(monkeypatch):
    """Beyond EXACT_TRACE_MAX_N the bias traces are Hutchinson estimates: the corrected estimates move by
    far less than their standard errors (here < 2 % of one standard error)."""
    df, g, *_ = simulate(k=6, T=10)
    kw = dict(model="sdm", effects="region", dynamic="spacetime", draws=0)
    exact = sc.spillover_panel(df, "y", ["x"], g, **kw)
    monkeypatch.setattr(panel_dynamic, "EXACT_TRACE_MAX_N", 0)
    approx = sc.spillover_panel(df, "y", ["x"], g, **kw)
    assert "hutchinson" in approx.se_method and "hutchinson" not in exact.se_method
    assert np.all(np.abs(approx.params - exact.params) < 0.02 * exact.std_err)


def test_bad_inputs():
    df, g, *_ = simulate(T=4)
    with pytest.raises(InputError, match="at least 3 periods.*has 2"):
        sc.spillover_panel(df[df.year < 2002], "y", ["x"], g, model="sar", effects="region", dynamic="time")
    with pytest.raises(InputError, match="'lagged' is not one of"):
        sc.spillover_panel(df, "y", ["x"], g, model="sar", effects="region", dynamic="lagged")
    with pytest.raises(InputError, match="SAR or SDM"):
        sc.spillover_panel(df, "y", ["x"], g, model="sem", effects="region", dynamic="time")
    with pytest.raises(InputError, match="unbalanced panel.*c00003 2001"):
        sc.spillover_panel(df.drop(index=19), "y", ["x"], g, model="sar", effects="region", dynamic="time")
    tiny = df[df.code.isin(["c00000", "c00001", "c00004"]) & (df.year < 2003)]
    sub = Graph.from_sparse(sp.csr_matrix(np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0.0]])),
                            ids=["c00000", "c00001", "c00004"]).transform("r")
    with pytest.raises(InputError, match="no degrees of freedom.*at least 7 regions"):
        sc.spillover_panel(tiny, "y", ["x"], sub, model="sdm", effects="region", dynamic="spacetime")
    rng, path = np.random.default_rng(0), []
    prev = 5 * rng.normal(size=16)
    for _ in range(4):  # y_t = 1.3 y_(t-1) + e_t: explosive
        prev = 1.3 * prev + 0.1 * rng.normal(size=16)
        path.append(prev)
    with pytest.raises(InputError, match="tau .* is 1.29.* explosive or has a unit root"):
        sc.spillover_panel(df.assign(y=np.ravel(path)), "y", ["x"], g, model="sar", effects="time", dynamic="time",
                           bias_correction=False)
    binary = Graph.from_sparse(sp.csr_matrix((g.sparse > 0).astype(float)), ids=g.unique_ids)
    with pytest.raises(WeightsError, match="row-standardised"):
        sc.spillover_panel(df, "y", ["x"], binary, model="sar", effects="twoway", dynamic="time")
