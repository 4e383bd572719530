"""Convergence: sigma (dispersion over time) and beta (growth on initial level), with spatial models."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._errors import InputError
from .._result import Result
from .._validate import _names
from . import _panel
from .emerging import mann_kendall

LN2 = np.log(2.0)


@dataclass(repr=False)
class SigmaResult(Result):
    """Dispersion of a variable by period and its trend.

    Attributes
    ----------
    frame : pandas.DataFrame
        Per period: ``mean``, ``sd`` (ddof 0), ``sd_log`` (of the logs, the classic sigma),
        ``cv``, ``gini``, ``theil``.
    trend : pandas.DataFrame
        Per measure: OLS ``slope`` on time with its ``slope_p``, and the Mann-Kendall ``tau`` and
        ``mk_p``; ``converging`` when the slope is negative and significant at ``alpha``.
    """

    frame: pd.DataFrame
    trend: pd.DataFrame
    variable: str
    alpha: float

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def summary(self) -> str:
        return "\n".join([
            f"Sigma convergence: {self.variable}  ({len(self.frame)} periods)",
            *("  " + s for s in self.frame.to_string(float_format=lambda v: f"{v:.4f}").splitlines()),
            f"  trends (OLS slope on time; Mann-Kendall), converging = slope < 0 at {self.alpha:g}:",
            *("  " + s for s in self.trend.to_string(float_format=lambda v: f"{v:.4g}").splitlines()),
        ])

    def plot(self, ax=None, measures=("cv", "gini", "theil", "sd_log"), **kwargs):
        """Measures over time, each relative to its first period."""
        from ..plot.dynamics import sigma_plot

        return sigma_plot(self, ax=ax, measures=measures, **kwargs)

    def to_record(self) -> dict:
        trend = {m: {k: (bool(v) if k == "converging" else float(v)) for k, v in row.items()}
                 for m, row in self.trend.iterrows()}
        return _panel.jsonable({"method": "sigma convergence", "variable": self.variable, "trend": trend})


def sigma_convergence(long_df, column, id="code", time="year", alpha=0.05, balance=False):
    """Sigma convergence: is the cross-regional dispersion shrinking? (Sala-i-Martin 1996).

    CV, Gini and Theil come from :func:`spatialcluster.inequality`; the standard deviation of
    the logs is the classic sigma. Each measure's trend is tested by the OLS slope on time
    (t test) and by Mann-Kendall (:func:`spatialcluster.dynamics.mann_kendall`).

    References
    ----------
    Sala-i-Martin, X. (1996). The classical approach to convergence analysis. The Economic
    Journal 106(437), 1019-1036.
    """
    from ..indicators import inequality

    p = _panel.panel(long_df, column, id, time, balance=balance, min_periods=3, what="a trend test")
    _positive(p.values, p, "the standard deviation of logs")
    long = pd.DataFrame({"id": np.repeat(p.ids.to_numpy(), p.t), "t": np.tile(np.arange(p.t), p.n),
                         "v": p.values.ravel()})
    ineq = inequality(long, "v", time="t", id="id").frame
    frame = pd.DataFrame({"mean": p.values.mean(axis=0), "sd": p.values.std(axis=0),
                          "sd_log": np.log(p.values).std(axis=0), "cv": ineq["cv"].to_numpy(),
                          "gini": ineq["gini"].to_numpy(), "theil": ineq["theil"].to_numpy()},
                         index=pd.Index(p.periods, name=time))
    x = _numeric_periods(p.periods)
    rows = {}
    mk = mann_kendall(frame.T.to_numpy())
    for i, m in enumerate(frame.columns):
        fit = stats.linregress(x, frame[m].to_numpy())
        rows[m] = {"slope": fit.slope, "slope_p": fit.pvalue, "tau": mk["tau"][i], "mk_p": mk["p"][i],
                   "converging": bool(fit.slope < 0 and fit.pvalue <= alpha)}
    return SigmaResult(frame=frame, trend=pd.DataFrame.from_dict(rows, orient="index"), variable=p.variable,
                       alpha=float(alpha))


def _numeric_periods(periods):
    try:
        return np.asarray(periods, dtype=float)
    except (TypeError, ValueError):
        return np.arange(len(periods), dtype=float)


def _positive(values, p, why, columns=None):
    bad = ~(values > 0)
    if bad.any():
        rows, cols = np.nonzero(bad)
        periods = p.periods if columns is None else columns
        pairs = [f"{p.ids[r]}/{periods[c]}" for r, c in zip(rows[:20], cols[:20])]
        raise InputError(f"{p.variable!r} must be positive for {why}: not so for region/period {_names(pairs)}"
                         f"{' ...' if len(rows) > 20 else ''}. Use a positive level (e.g. per-capita GDP), not a rate "
                         "that can be zero or negative.")


@dataclass(repr=False)
class ConvergenceResult(Result):
    """Beta convergence: growth regressed on the log initial level.

    Attributes
    ----------
    beta, beta_se : float
        Coefficient of the log initial level and its standard error.
    speed, speed_se : float
        Convergence speed ``-ln(1 + beta) / T`` per period unit and its delta-method SE
        ``se_beta / (T (1 + beta))``.
    half_life, half_life_se : float
        ``ln 2 / speed`` and its delta-method SE ``ln 2 se_speed / speed**2`` (NaN unless
        converging, i.e. -1 < beta < 0).
    model : SpatialModelResult
        The regression (``params``, ``std_err``, ``loglik``, ...), as :func:`spatialcluster.spillover`.
    data : pandas.DataFrame
        The regression data (``growth``, ``log_initial`` and controls).
    """

    beta: float
    beta_se: float
    T: float
    model: object
    data: pd.DataFrame
    variable: str
    kind: str
    design: str

    def __post_init__(self):
        b, se, T = self.beta, self.beta_se, self.T
        if -1 < b < 0:
            self.speed = -np.log1p(b) / T
            self.speed_se = se / (T * (1 + b))
            self.half_life = LN2 / self.speed
            self.half_life_se = LN2 * self.speed_se / self.speed**2
        else:
            self.speed = -np.log1p(b) / T if b > -1 else np.nan
            self.speed_se = se / (T * (1 + b)) if b > -1 else np.nan
            self.half_life = self.half_life_se = np.nan

    @property
    def converging(self) -> bool:
        return bool(-1 < self.beta < 0 and self.model.p["log_initial"] <= 0.05)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"estimate": [self.beta, self.speed, self.half_life],
                             "std_err": [self.beta_se, self.speed_se, self.half_life_se]},
                            index=["beta", "speed", "half_life"])

    def summary(self) -> str:
        verdict = "converging" if self.converging else "no significant convergence"
        return "\n".join([
            f"{self.kind.capitalize()} beta convergence of {self.variable} ({self.design}, model '{self.model.model}', "
            f"n = {self.model.n}, T = {self.T:g})",
            *("  " + s for s in self.to_frame().to_string(float_format=lambda v: f"{v:.6g}").splitlines()),
            f"  {verdict}; speed = -ln(1 + beta) / T, half-life = ln 2 / speed, SEs by the delta method.",
            "  regression:", *("    " + s for s in self.model.to_frame().to_string(
                float_format=lambda v: f"{v: .6g}").splitlines()),
        ])

    def plot(self, ax=None, **kwargs):
        """Growth against the log initial level, with the fitted slope."""
        from ..plot.dynamics import convergence_plot

        return convergence_plot(self, ax=ax, **kwargs)

    def to_record(self) -> dict:
        f = self.to_frame()
        rec = {"method": f"{self.kind} beta convergence", "variable": self.variable, "model": self.model.model,
               "design": self.design, "T": float(self.T), "converging": self.converging}
        for name, row in f.iterrows():
            rec[name] = None if not np.isfinite(row["estimate"]) else float(row["estimate"])
            rec[f"{name}_se"] = None if not np.isfinite(row["std_err"]) else float(row["std_err"])
        return _panel.jsonable(rec)


def convergence(long_df, column, id="code", time="year", start=None, end=None, model="ols", w=None, controls=None,
                period_length=None, effects="region", balance=False, **model_kwargs):
    """Beta convergence, absolute or conditional, in a cross-section or a panel of sub-periods.

    Cross-section (default): ``ln(y_end / y_start) = a + beta ln y_start (+ controls at start) + e``
    fitted by :func:`spatialcluster.spillover` (``model`` "ols", "sar", "sem" or "sdm"). With
    ``period_length`` = tau: growth over consecutive sub-periods of tau, on the initial level of
    each sub-period, with fixed effects (``effects``: "region" or "twoway"); OLS on the
    within-transformed data, spatial models by :func:`spatialcluster.spillover_panel`. Then T = tau.

    ``speed = -ln(1 + beta) / T``, ``half_life = ln 2 / speed`` (Barro & Sala-i-Martin 1992), with
    delta-method standard errors.

    Parameters
    ----------
    long_df : pandas.DataFrame
    column, id, time : str
        A positive level variable (logs are taken); periods must be numbers (years).
    start, end : optional
        First and last period (default: the panel's).
    model : {"ols", "sar", "sem", "sdm"}
    w : libpysal.graph.Graph, optional
        Needed for the spatial models.
    controls : list of str, optional
        Columns taken at the start period (conditional convergence); their spatial lags enter
        an SDM as well.
    period_length : int, optional
        Sub-period length for the panel design.
    effects : {"region", "twoway"}
        Fixed effects of the panel design.
    **model_kwargs
        Passed to ``spillover`` / ``spillover_panel`` (e.g. ``draws``); ``draws`` defaults to 0.

    Returns
    -------
    ConvergenceResult

    References
    ----------
    Barro, R. J., Sala-i-Martin, X. (1992). Convergence. Journal of Political Economy 100(2),
    223-251.
    Rey, S. J., Montouri, B. D. (1999). US regional income convergence: a spatial econometric
    perspective. Regional Studies 33(2), 143-156.
    """
    model = str(model).lower()
    if model not in ("ols", "sar", "sem", "sdm"):
        raise InputError(f"model must be 'ols', 'sar', 'sem' or 'sdm', got {model!r}")
    if model != "ols" and w is None:
        raise InputError(f"model {model!r} needs spatial weights w=")
    controls = [controls] if isinstance(controls, str) else list(controls or [])
    model_kwargs.setdefault("draws", 0)
    p = _panel.panel(long_df, column, id, time, balance=balance, what="beta convergence")
    x = _numeric_periods(p.periods)
    start = p.periods[0] if start is None else start
    end = p.periods[-1] if end is None else end
    text = [str(q) for q in p.periods]  # 1940 and "1940" name the same period
    for label, value in (("start", start), ("end", end)):
        if str(value) not in text:
            raise InputError(f"{label}={value!r} is not a period of the panel ({_names(p.periods, 8)})")
    i0, i1 = text.index(str(start)), text.index(str(end))
    if i1 <= i0:
        raise InputError(f"end ({end}) must come after start ({start})")
    kind = "conditional" if controls else "absolute"
    if w is not None:
        p, _, w = _panel.with_weights(p, w, None)
    if period_length is None:
        return _cross_section(long_df, p, i0, i1, x, model, w, controls, id, time, kind, model_kwargs)
    return _sub_periods(long_df, p, i0, i1, x, int(period_length), model, w, controls, id, time, effects, kind,
                        model_kwargs)


def _controls_at(long_df, controls, id, time, period, ids):
    frame = long_df.reset_index() if id not in long_df.columns else long_df
    part = frame[frame[time] == period].set_index(frame[frame[time] == period][id].astype(str))
    missing = [c for c in controls if c not in part.columns]
    if missing:
        raise InputError(f"control column(s) {_names(missing)} are not in the panel")
    return part.reindex(ids)[controls]


def _cross_section(long_df, p, i0, i1, x, model, w, controls, id, time, kind, kwargs):
    from ..models import spillover

    y0, y1 = p.values[:, i0], p.values[:, i1]
    _positive(np.column_stack([y0, y1]), p, "log growth", columns=[p.periods[i0], p.periods[i1]])
    data = pd.DataFrame({"growth": np.log(y1) - np.log(y0), "log_initial": np.log(y0)}, index=p.ids)
    if controls:
        data = data.join(_controls_at(long_df, controls, id, time, p.periods[i0], p.ids))
    if w is not None:  # the graph's own ids (they may be integers), in the graph's order
        data.index = pd.Index(w.unique_ids)
    xs = ["log_initial", *controls]
    if w is None:  # sc.spillover needs weights even for OLS
        X = np.column_stack([np.ones(len(data)), data[xs].to_numpy(dtype=float)])
        res = _ols(data["growth"].to_numpy(dtype=float), X, ["const", *xs], len(data) - X.shape[1], "OLS")
    else:
        res = spillover(data, y="growth", x=xs, w=w, model=model, **kwargs)
    T = x[i1] - x[i0]
    return ConvergenceResult(beta=float(res.params["log_initial"]), beta_se=float(res.std_err["log_initial"]), T=T,
                             model=res, data=data, variable=p.variable, kind=kind,
                             design=f"cross-section {p.periods[i0]}-{p.periods[i1]}")


def _sub_periods(long_df, p, i0, i1, x, tau, model, w, controls, id, time, effects, kind, kwargs):
    if effects not in ("region", "twoway"):
        raise InputError(f"effects must be 'region' or 'twoway', got {effects!r}")
    starts = [i for i in range(i0, i1) if x[i] + tau in set(x[i0:i1 + 1])]
    if len(starts) < 2:
        raise InputError(f"period_length={tau} gives {len(starts)} sub-period(s) between {p.periods[i0]} and "
                         f"{p.periods[i1]}; a fixed-effects panel needs at least 2")
    ends = [int(np.flatnonzero(x == x[i] + tau)[0]) for i in starts]
    _positive(p.values[:, sorted(set(starts) | set(ends))], p, "log growth",
              columns=[p.periods[i] for i in sorted(set(starts) | set(ends))])
    rows = []
    for a, b in zip(starts, ends):
        frame = pd.DataFrame({id: p.ids, time: p.periods[a], "growth": np.log(p.values[:, b] / p.values[:, a]),
                              "log_initial": np.log(p.values[:, a])})
        if controls:
            frame = frame.join(_controls_at(long_df, controls, id, time, p.periods[a], p.ids).reset_index(drop=True)
                               .set_index(frame.index))
        rows.append(frame)
    data = pd.concat(rows, ignore_index=True)
    xs = ["log_initial", *controls]
    if model == "ols":
        res = _within_ols(data, xs, id, time, effects)
    else:
        from ..models import spillover_panel

        res = spillover_panel(data, y="growth", x=xs, w=w, id=id, time=time, model=model, effects=effects, **kwargs)
    return ConvergenceResult(beta=float(res.params["log_initial"]), beta_se=float(res.std_err["log_initial"]),
                             T=float(tau), model=res, data=data, variable=p.variable, kind=kind,
                             design=f"panel of {len(starts)} sub-periods of {tau}, {effects} fixed effects")


def _within_ols(data, xs, id, time, effects):
    """Fixed-effects OLS on a balanced panel: the within transformation, then :func:`_ols` with
    s2 = SSE / (NT - N [- T + 1] - k) (the package's spatial panels have no OLS)."""

    def demean(col):
        v = data[col].to_numpy(dtype=float)
        out = v - data.groupby(id)[col].transform("mean").to_numpy()
        if effects == "twoway":
            out = out - data.groupby(time)[col].transform("mean").to_numpy() + v.mean()
        return out

    X = np.column_stack([demean(c) for c in xs])
    n_obs, N, T = len(data), data[id].nunique(), data[time].nunique()
    dof = n_obs - N - (T - 1 if effects == "twoway" else 0) - X.shape[1]
    if dof <= 0:
        raise InputError(f"too few observations ({n_obs}) for {N} region effects and {X.shape[1]} regressors")
    return _ols(demean("growth"), X, xs, dof, f"within ({effects} fixed effects) OLS")


def _ols(y, X, names, dof, what):
    """Least squares with the classical covariance s2 (X'X)^-1, s2 = SSE / dof, as a SpatialModelResult."""
    from ..models._result import SpatialModelResult

    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    sse = resid @ resid
    vcov = sse / dof * np.linalg.inv(X.T @ X)
    n = len(y)
    loglik = -0.5 * n * (np.log(2 * np.pi) + np.log(sse / n) + 1)
    return SpatialModelResult(params=pd.Series(beta, index=names),
                              std_err=pd.Series(np.sqrt(np.diag(vcov)), index=names),
                              vcov=pd.DataFrame(vcov, index=names, columns=names), loglik=loglik, n=n,
                              k=len(names) + 1, model="ols", method="ols", sigma2=sse / dof,
                              r2=1 - sse / ((y - y.mean()) @ (y - y.mean())), y="growth", x=list(names),
                              notes=[f"{what}; s2 = SSE / {dof}"])
