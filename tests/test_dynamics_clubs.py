"""Club convergence: Phillips & Sul's (2007) log t test and club clustering.

Checked on panels simulated from their transition model log y_it = delta_it mu_t with
delta_it = delta_i + sigma_i xi_it / (L(t) t**alpha) (their eq. 6): a group with a common delta
converges (t_b > -1.65), groups with different deltas do not, and the algorithm recovers the
simulated clubs. The regression is checked against numpy's least squares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import spatialcluster as sc
from spatialcluster import InputError
from spatialcluster.dynamics import log_t


def simulate(deltas, T=40, alpha=0.6, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(1, T + 1)
    mu = 10.0 * np.exp(0.02 * t)
    n = len(deltas)
    decay = 1.0 / (np.log(t + 1) * t**alpha)
    delta = np.asarray(deltas)[:, None] + 0.3 * rng.normal(size=(n, T)) * decay
    return delta * mu


def long_frame(Y):
    n, T = Y.shape
    ids = [f"r{i:02d}" for i in range(n)]
    return pd.DataFrame({"code": np.repeat(ids, T), "year": np.tile(np.arange(1990, 1990 + T), n),
                         "y": Y.ravel()})


def test_log_t_regression_coefficients():
    """b is the OLS slope of log(H_1/H_t) - 2 log log t on log t over t = [0.3 T], ..., T (numpy lstsq)."""
    X = np.log(simulate([1.0] * 10 + [1.3] * 10, seed=1))
    b, se, t = log_t(X)
    h = X / X.mean(axis=0)
    H = ((h - 1) ** 2).mean(axis=0)
    tt = np.arange(12, 41)
    y = np.log(H[0] / H[tt - 1]) - 2 * np.log(np.log(tt))
    ref = np.polyfit(np.log(tt), y, 1)[0]
    assert b == pytest.approx(ref, rel=1e-10)
    assert se > 0 and t == pytest.approx(b / se)


def test_log_t_converging_and_diverging():
    """One common limit: convergence not rejected; two limits: rejected."""
    one = np.log(simulate([1.0] * 20, seed=2))
    two = np.log(simulate([1.0] * 10 + [1.4] * 10, seed=2))
    assert log_t(one)[2] > -1.65
    assert log_t(two)[2] < -1.65


def test_clubs_recovered():
    """Two simulated clubs (ten regions each) are found, the richer one numbered 1."""
    Y = simulate([1.4] * 10 + [1.0] * 10, seed=3)
    res = sc.club_convergence(long_frame(Y), "y", id="code", time="year")
    assert res.overall["t"] < -1.65
    clubs = res.frame["club"].to_numpy()
    assert (clubs[:10] == 1).all() and (clubs[10:] == 2).all()
    assert (res.tests.loc[[1, 2], "t"] > -1.65).all()
    assert res.counts().to_dict() == {1: 10, 2: 10}
    assert "Phillips & Sul" in res.summary() and res.plot() is not None


def test_clubs_hp_filter_and_errors():
    """The HP trend equals the solution of (I + lambda D'D) tau = x (checked on the normal equations)."""
    from spatialcluster.dynamics.clubs import hp_trend

    x = np.cumsum(np.random.default_rng(4).normal(size=(2, 30)), axis=1)
    tau = hp_trend(x, 400.0)
    D = np.diff(np.eye(30), 2, axis=0)
    np.testing.assert_allclose((np.eye(30) + 400.0 * D.T @ D) @ tau[0], x[0], atol=1e-9)
    Y = simulate([1.0] * 6, T=4)
    with pytest.raises(InputError, match="at least 5 periods"):
        sc.club_convergence(long_frame(Y), "y", id="code", time="year")
    bad = long_frame(simulate([1.0] * 6, T=10))
    bad.loc[3, "y"] = -1.0
    with pytest.raises(InputError, match="must be positive"):
        sc.club_convergence(bad, "y", id="code", time="year")
