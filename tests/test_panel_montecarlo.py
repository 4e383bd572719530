"""Small Monte Carlo: a known two-way fixed-effects SDM panel is recovered (fixed seed, 25 replications).

DGP on a 12 x 12 rook lattice (N = 144, row-standardised), T = 8:
``y_t = (I - rho W)^-1 (X_t beta + W X_t theta + mu + alpha_t + e_t)`` with rho = 0.4,
beta = (1, -0.5), theta = (0.5, 0.3), sigma2 = 1, and regressors correlated with both sets of fixed
effects (so ignoring them would bias the estimates). The larger study is ``benchmarks/bench_panel.py``.

Checked: mean estimates within 3 Monte Carlo standard errors (plus 0.01) of the truth; the Lee-Yu
corrected sigma2 unbiased while the uncorrected one is off by the factor (N-1)(T-1)/(NT) that the
correction removes; 95 % intervals for rho and for the total effect of x1 cover the truth in at least
21 of 25 replications (a Binomial(25, 0.95) count falls below 21 with probability 3.4 %).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph

import spatialcluster as sc

RHO, BETA, THETA, SIGMA2 = 0.4, np.array([1.0, -0.5]), np.array([0.5, 0.3]), 1.0
SIDE, T, REPS = 12, 8, 25


@pytest.fixture(scope="module")
def study():
    import libpysal

    w = libpysal.weights.lat2W(SIDE, SIDE, rook=True)
    ids = [f"{i:03d}" for i in range(SIDE * SIDE)]
    g = Graph.from_W(libpysal.weights.W({ids[k]: [ids[j] for j in v] for k, v in w.neighbors.items()})).transform("r")
    W = g.sparse.toarray()
    N = W.shape[0]
    A_inv = np.linalg.inv(np.eye(N) - RHO * W)
    rng = np.random.default_rng(20240601)
    rows = []
    for rep in range(REPS):
        mu = rng.normal(size=N)
        alpha = rng.normal(size=T)
        X = rng.normal(size=(T, N, 2)) + 0.5 * mu[None, :, None] + 0.5 * alpha[:, None, None]
        Y = np.empty((T, N))
        for t in range(T):
            Y[t] = A_inv @ (X[t] @ BETA + W @ X[t] @ THETA + mu + alpha[t] + rng.normal(scale=np.sqrt(SIGMA2), size=N))
        df = pd.DataFrame({"code": np.tile(ids, T), "year": np.repeat(np.arange(2000, 2000 + T), N),
                           "y": Y.ravel(), "x1": X[:, :, 0].ravel(), "x2": X[:, :, 1].ravel()})
        fits = {bc: sc.spillover_panel(df, "y", ["x1", "x2"], g, model="sdm", effects="twoway",
                                       bias_correction=bc, draws=200, seed=rep) for bc in (True, False)}
        rows.append(fits)
    true_total = (BETA[0] + THETA[0]) / (1 - RHO)  # row-standardised W: mean row sum of S_r(W)
    return rows, N, true_total


def test_estimates_unbiased(study):
    rows, _, _ = study
    est = np.array([r[True].params.to_numpy() for r in rows])
    truth = np.r_[BETA, THETA, RHO]
    mc_se = est.std(axis=0, ddof=1) / np.sqrt(REPS)
    assert np.all(np.abs(est.mean(axis=0) - truth) < 3 * mc_se + 0.01), (est.mean(axis=0), truth, mc_se)


def test_bias_correction_removes_sigma2_bias(study):
    rows, N, _ = study
    s_bc = np.array([r[True].sigma2 for r in rows])
    s_raw = np.array([r[False].sigma2 for r in rows])
    factor = (N - 1) * (T - 1) / (N * T)
    se = s_bc.std(ddof=1) / np.sqrt(REPS)
    assert abs(s_bc.mean() - SIGMA2) < 3 * se + 0.005
    assert abs(s_raw.mean() - factor * SIGMA2) < 3 * se + 0.005
    assert abs(s_raw.mean() - SIGMA2) > 0.1  # the uncorrected estimator really is biased here


def test_interval_coverage(study):
    rows, _, true_total = study
    z = 1.959963984540054
    cover_rho = sum(abs(r[True].params["rho"] - RHO) < z * r[True].std_err["rho"] for r in rows)
    cover_total = sum(r[True].effects.loc["x1", "total_lo"] < true_total < r[True].effects.loc["x1", "total_hi"]
                      for r in rows)
    assert cover_rho >= 21 and cover_total >= 21, (cover_rho, cover_total)
