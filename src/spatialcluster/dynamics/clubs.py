"""Club convergence: Phillips & Sul's (2007) log t test and club clustering algorithm."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._errors import InputError
from .._result import Result
from . import _panel
from .convergence import _positive

CRITICAL = -1.65  # one-sided 5 % level of the log t test


def hp_trend(X, lam):
    """Hodrick-Prescott trend of every row of ``X`` (regions x periods): solve (I + lam D'D) tau = x."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import splu

    T = X.shape[1]
    D = sp.diags([1.0, -2.0, 1.0], [0, 1, 2], shape=(T - 2, T))
    lu = splu((sp.eye(T) + lam * (D.T @ D)).tocsc())
    return lu.solve(np.ascontiguousarray(X.T)).T


def log_t(X, trim=0.3):
    """Phillips & Sul's (2007) log t regression on a group's (log) series ``X`` (members x periods).

    ``h_it = X_it / mean_i X_it``, ``H_t = mean_i (h_it - 1)**2`` and
    ``log(H_1 / H_t) - 2 log(log t) = a + b log t + u_t`` for ``t = [trim T], ..., T`` (t >= 2).
    The standard error of b is Newey-West (Bartlett kernel, ``floor(4 (m / 100)**(2/9))`` lags for
    m observations). Convergence is rejected when ``t_b < -1.65``. Returns (b, se, t_b).
    """
    n, T = X.shape
    h = X / X.mean(axis=0)
    H = ((h - 1.0) ** 2).mean(axis=0)
    t = np.arange(max(int(np.floor(trim * T)), 2), T + 1)
    if t.size < 3:
        raise InputError(f"the log t test needs at least 3 periods after trimming {trim:g} of {T}")
    with np.errstate(divide="ignore"):
        y = np.log(H[0] / H[t - 1]) - 2 * np.log(np.log(t))
    if not np.isfinite(y).all():
        return np.inf, 0.0, np.inf  # identical members (H_t = 0): perfectly converged
    Z = np.column_stack([np.ones(t.size), np.log(t)])
    coef, *_ = np.linalg.lstsq(Z, y, rcond=None)
    u = y - Z @ coef
    m = t.size
    lags = int(np.floor(4 * (m / 100) ** (2 / 9)))
    S = (Z * u[:, None]).T @ (Z * u[:, None])
    for lag in range(1, lags + 1):
        G = (Z[lag:] * u[lag:, None]).T @ (Z[:-lag] * u[:-lag, None])
        S += (1 - lag / (lags + 1)) * (G + G.T)
    ZZ = np.linalg.inv(Z.T @ Z)
    se = float(np.sqrt((ZZ @ S @ ZZ)[1, 1]))
    return float(coef[1]), se, float(coef[1] / se) if se > 0 else np.inf


def _core(X, order, trim):
    """Core group (Step 2): the first pair with t > -1.65, grown while t stays above it; max t wins."""
    for start in range(len(order) - 1):
        if log_t(X[order[start:start + 2]], trim)[2] > CRITICAL:
            best, best_t = 2, -np.inf
            for k in range(2, len(order) - start + 1):
                tk = log_t(X[order[start:start + k]], trim)[2]
                if tk <= CRITICAL:
                    break
                if tk > best_t:
                    best, best_t = k, tk
            return list(order[start:start + best])
    return None


def _clubs(X, order, trim, c_star):
    """Steps 2-4 of Phillips & Sul (2007, sec. 4.2), recursively on what remains."""
    clubs = []
    rest = list(order)
    while len(rest) >= 2:
        if log_t(X[rest], trim)[2] > CRITICAL:
            clubs.append(rest)
            return clubs, []
        core = _core(X, np.array(rest), trim)
        if core is None:
            break
        others = [i for i in rest if i not in core]
        c = c_star
        while True:  # Step 3: sieve, raising the criterion until the whole club passes
            members = core + [i for i in others if log_t(X[core + [i]], trim)[2] > c]
            if len(members) == len(core) or log_t(X[members], trim)[2] > CRITICAL:
                break
            c += 0.5
        clubs.append(members)
        rest = [i for i in rest if i not in members]
    return clubs, rest


def _merge(X, clubs, trim):
    """Phillips & Sul (2009): merge adjacent clubs while the merged group passes the log t test."""
    merged = True
    while merged and len(clubs) > 1:
        merged = False
        for j in range(len(clubs) - 1):
            if log_t(X[clubs[j] + clubs[j + 1]], trim)[2] > CRITICAL:
                clubs = clubs[:j] + [clubs[j] + clubs[j + 1]] + clubs[j + 2:]
                merged = True
                break
    return clubs


@dataclass(repr=False)
class ClubResult(Result):
    """Convergence clubs.

    Attributes
    ----------
    frame : pandas.DataFrame
        Index = region id: ``club`` (1, 2, ... from the highest final level; 0 = divergent).
    overall : pandas.Series
        ``b``, ``se``, ``t`` of the log t test on all regions (``t < -1.65`` rejects overall
        convergence).
    tests : pandas.DataFrame
        The same test per club, with the number of members.
    paths : pandas.DataFrame
        Relative transition paths h_it (regions x periods).
    """

    frame: pd.DataFrame
    overall: pd.Series
    tests: pd.DataFrame
    paths: pd.DataFrame
    variable: str

    def counts(self) -> pd.Series:
        return self.frame["club"].value_counts().sort_index().rename("regions")

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def summary(self) -> str:
        o = self.overall
        verdict = "rejected" if o["t"] < CRITICAL else "not rejected"
        return "\n".join([
            f"Club convergence (Phillips & Sul 2007): {self.variable}  ({len(self.frame)} regions, "
            f"{self.paths.shape[1]} periods)",
            f"  overall log t: b = {o['b']:.4f}, t = {o['t']:.3f}; convergence of all regions {verdict} at 5 %",
            *("  " + s for s in self.tests.to_string(float_format=lambda v: f"{v:.4f}").splitlines()),
            "  club 0 = divergent regions; clubs numbered from the highest final level.",
        ])

    def plot(self, ax=None, **kwargs):
        """Mean relative transition path of each club."""
        from ..plot.dynamics import club_paths_plot

        return club_paths_plot(self, ax=ax, **kwargs)

    def to_record(self) -> dict:
        return _panel.jsonable({"method": "club convergence", "variable": self.variable,
                                "overall_t": float(self.overall["t"]),
                                "clubs": {str(k): int(v) for k, v in self.counts().items()}})


def club_convergence(long_df, column, id="code", time="year", log=True, hp_lambda=None, trim=0.3, c_star=0.0,
                     merge=True, balance=False):
    """Phillips & Sul's (2007) log t convergence test and club clustering.

    Parameters
    ----------
    long_df, column, id, time, balance
        As in :func:`markov`; at least 5 periods (the test runs on the last 70 %).
    log : bool, default True
        Take logs first (the usual input is log per-capita income; values must be positive).
    hp_lambda : float, optional
        Smooth each region's series with the Hodrick-Prescott filter first (e.g. 400 for annual
        data, as Phillips & Sul 2007), removing the business cycle.
    trim : float, default 0.3
        Share of the first periods left out of the regression (Phillips & Sul's r).
    c_star : float, default 0
        Sieve criterion of Step 3 (raised by 0.5 until the club passes).
    merge : bool, default True
        Merge adjacent clubs that jointly pass the test (Phillips & Sul 2009).

    Returns
    -------
    ClubResult

    References
    ----------
    Phillips, P. C. B., Sul, D. (2007). Transition modeling and econometric convergence tests.
    Econometrica 75(6), 1771-1855.
    Phillips, P. C. B., Sul, D. (2009). Economic transition and growth. Journal of Applied
    Econometrics 24(7), 1153-1185.
    """
    p = _panel.panel(long_df, column, id, time, balance=balance, min_periods=5, adjacent=True, what="the log t test")
    X = p.values
    if log:
        _positive(X, p, "the logs of the log t test")
        X = np.log(X)
    if hp_lambda is not None:
        X = hp_trend(X, float(hp_lambda))
    if np.any(np.abs(X.mean(axis=0)) < 1e-12):
        raise InputError(f"the cross-section mean of {column!r} is zero in some period: relative paths undefined")
    order = np.argsort(-X[:, -1], kind="stable")
    b, se, t = log_t(X, trim)
    clubs, rest = _clubs(X, order, trim, c_star)
    if merge:
        clubs = _merge(X, clubs, trim)
    club = np.zeros(p.n, dtype=int)
    rows = {}
    for j, members in enumerate(clubs, start=1):
        club[members] = j
        cb, cse, ct = log_t(X[members], trim) if len(members) > 1 else (np.nan, np.nan, np.nan)
        rows[j] = {"n": len(members), "b": cb, "se": cse, "t": ct}
    if rest:
        rows[0] = {"n": len(rest), "b": np.nan, "se": np.nan, "t": np.nan}
    paths = pd.DataFrame(X / X.mean(axis=0), index=p.ids, columns=pd.Index(p.periods, name="period"))
    return ClubResult(frame=pd.DataFrame({"club": club}, index=p.ids),
                      overall=pd.Series({"b": b, "se": se, "t": t}),
                      tests=pd.DataFrame.from_dict(rows, orient="index").rename_axis("club"), paths=paths,
                      variable=p.variable)
