"""Panel LM tests for a spatial lag and a spatial error, and balancing unbalanced panels.

LM tests (Anselin, Le Gallo and Jayet 2008; Debarsy and Ertur 2010; Elhorst 2014, sec. 3.5)
--------------------------------------------------------------------------------------------
On the residuals ``e`` of the (pooled, or fixed-effects demeaned) OLS regression, with
``sigma^2 = e'e / NT``, ``W_NT = I_T kron W``, ``T_W = tr(W W + W'W)`` and
``J = [(W_NT X b)' M (W_NT X b) + T T_W sigma^2] / sigma^2`` (``M`` the OLS residual maker):

.. code-block:: text

    LM_lag          = (e' W_NT y / sigma^2)^2 / J
    LM_error        = (e' W_NT e / sigma^2)^2 / (T T_W)
    robust LM_lag   = (e' W_NT y / sigma^2 - e' W_NT e / sigma^2)^2 / (J - T T_W)
    robust LM_error = (e' W_NT e / sigma^2 - T T_W / J  e' W_NT y / sigma^2)^2 / (T T_W (1 - T T_W / J))

each chi-squared(1) under H0. With fixed effects the data are demeaned first (spatial lags taken
before demeaning, as in :func:`spillover_panel`). ``T_W`` uses the elementwise products
``sum(W o W') + sum(W o W)``, exact without any dense matrix.
spreg's ``panel_LMlag`` squares ``T_W`` where ``T T_W`` belongs (its robust tests have ``T T_W``);
ours follows the formula above.

Balancing
---------
:func:`balance_panel` keeps the regions observed in every period (``how="regions"``), the periods in
which every region is observed (``"periods"``), or (``"both"``) first drops the periods observed for
fewer regions than the best-covered period and then the regions still incomplete; a row with a
missing value in ``columns`` counts as absent. It reports what it dropped and, given weights, returns
them restricted to the kept regions (re-row-standardised when they were; a region left without
neighbours keeps an empty row).

References
----------
Anselin, L., Le Gallo, J. and Jayet, H. (2008). Spatial panel econometrics. In Matyas and Sevestre
(eds.), *The Econometrics of Panel Data*, 625-660. Springer.
Debarsy, N. and Ertur, C. (2010). Testing for spatial autocorrelation in a fixed effects panel data
model. *Regional Science and Urban Economics* 40, 453-470.
Elhorst, J. P. (2014). *Spatial Econometrics*, sec. 3.5. Springer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from .._errors import InputError
from .._result import Result
from .._validate import _names, sparse_weights
from ..panels import BalanceReport, to_drop
from ._logdet import is_row_standardised
from .panel import _demean, _lag, _panel_arrays

_LM_EFFECTS = ("none", "region", "time", "twoway")


class PanelLMTests(Result):
    """LM tests of :func:`panel_lm_tests`.

    Attributes
    ----------
    tests : DataFrame
        Rows ``LM_lag``, ``LM_error``, ``robust_LM_lag``, ``robust_LM_error``; columns ``statistic``,
        ``df`` and ``p_value``.
    effects : str
        Fixed effects removed before the OLS fit.
    """

    def __init__(self, tests: pd.DataFrame, effects: str, n: int):
        self.tests, self.effects, self.n = tests, effects, int(n)

    def to_frame(self) -> pd.DataFrame:
        return self.tests.copy()

    def summary(self) -> str:
        head = f"Panel LM tests ({self.effects} effects, n = {self.n})"
        return "\n".join([head, "=" * len(head), self.tests.to_string(float_format=lambda v: f"{v:.6g}")])

    def to_record(self) -> dict:
        return {"effects": self.effects, **{k: {"statistic": float(r.statistic), "p_value": float(r.p_value)}
                                            for k, r in self.tests.iterrows()}}

    def plot(self, ax=None, **kwargs):
        """The statistics against the 5 % critical value (:func:`spatialcluster.plot.panels.lm_tests_plot`)."""
        from ..plot.panels import lm_tests_plot

        kwargs.setdefault("title", f"Panel LM tests ({self.effects} effects)")
        return lm_tests_plot(self.tests, ax=ax, **kwargs)


def panel_lm_tests(long_df, y: str, x: Sequence[str] | str, w, id: str = "code", time: str = "year",
                   effects: str = "region") -> PanelLMTests:
    """LM, and robust LM, tests for a spatial lag and a spatial error in a panel regression.

    Parameters
    ----------
    long_df, y, x, w, id, time
        As in :func:`spatialcluster.spillover_panel` (balanced panel).
    effects : {"region", "twoway", "time", "none"}
        Fixed effects removed before the OLS fit (``"none"``: pooled OLS with a constant).

    Returns
    -------
    PanelLMTests
        ``tests`` with the statistics and chi-squared(1) p-values (see the module docstring; Elhorst
        2014, sec. 3.5).
    """
    effects = {"individual": "region", "twoways": "twoway", "pooled": "none"}.get(str(effects).lower(),
                                                                              str(effects).lower())
    if effects not in _LM_EFFECTS:
        raise InputError(f"effects {effects!r} is not one of {', '.join(map(repr, _LM_EFFECTS))}")
    x = [x] if isinstance(x, str) else list(x)
    _, _, Y, X = _panel_arrays(long_df, y, x, w, id, time)
    T, N = Y.shape
    W = sparse_weights(w)
    WY = _lag(W, Y)
    if effects == "none":
        X = np.concatenate([np.ones((T, N, 1)), X], axis=2)
        yv, wyv, Xv = Y.ravel(), WY.ravel(), X.reshape(T * N, -1)
    else:
        yv, wyv = _demean(Y, effects).ravel(), _demean(WY, effects).ravel()
        Xv = _demean(X, effects).reshape(T * N, -1)
    if np.linalg.matrix_rank(Xv) < Xv.shape[1]:
        raise InputError(f"the regressors {_names(x)} are collinear (or absorbed by the {effects} effects)")
    beta, *_ = np.linalg.lstsq(Xv, yv, rcond=None)
    e = yv - Xv @ beta
    s2 = float(e @ e) / (N * T)
    We = _lag(W, e.reshape(T, N)).ravel()
    if effects != "none":
        We = _demean(We.reshape(T, N), effects).ravel()
    xb = (Xv @ beta).reshape(T, N)
    wxb = _lag(W, xb).ravel() if effects in ("none", "region") else _demean(_lag(W, xb), effects).ravel()
    coef, *_ = np.linalg.lstsq(Xv, wxb, rcond=None)
    mw = wxb - Xv @ coef  # M (W X b)
    tw = float(W.multiply(W.T).sum() + W.multiply(W).sum())
    J = (mw @ mw + T * tw * s2) / s2
    lag_s, err_s = float(e @ wyv) / s2, float(e @ We) / s2
    stat = {
        "LM_lag": lag_s**2 / J,
        "LM_error": err_s**2 / (T * tw),
        "robust_LM_lag": (lag_s - err_s) ** 2 / (J - T * tw),
        "robust_LM_error": (err_s - T * tw / J * lag_s) ** 2 / (T * tw * (1.0 - T * tw / J)),
    }
    tests = pd.DataFrame({"statistic": stat, "df": 1})
    tests["p_value"] = stats.chi2.sf(tests["statistic"], 1)
    tests.index.name = "test"
    return PanelLMTests(tests, effects, N * T)


class BalancedPanel(Result):
    """Outcome of :func:`balance_panel`.

    Attributes
    ----------
    data : DataFrame
        The balanced long panel.
    w : libpysal.graph.Graph or None
        The weights restricted to the kept regions (when weights were given).
    report : spatialcluster.panels.BalanceReport
        The region-periods without a complete row and what was dropped (the report of
        :meth:`spatialcluster.Panel.from_long`), with ``coverage`` (periods observed per region
        before balancing).
    dropped_regions, dropped_periods : list
        ``report.dropped_regions`` and ``report.dropped_periods``.
    """

    def __init__(self, data, w, report, coverage, how):
        self.data, self.w, self.report, self.coverage, self.how = data, w, report, coverage, how

    @property
    def dropped_regions(self) -> list:
        return self.report.dropped_regions

    @property
    def dropped_periods(self) -> list:
        return self.report.dropped_periods

    def to_frame(self) -> pd.DataFrame:
        return self.coverage.to_frame("periods_observed").assign(kept=lambda d: ~d.index.isin(self.dropped_regions))

    def summary(self) -> str:
        n_reg = self.data.iloc[:, 0].nunique() if len(self.data) else 0
        lines = [f"Balanced panel ({self.how}): {len(self.data)} rows, {n_reg} regions"]
        if self.dropped_regions:
            lines.append(f"dropped {len(self.dropped_regions)} region(s) with gaps: {_names(self.dropped_regions)}")
        if self.dropped_periods:
            lines.append(f"dropped {len(self.dropped_periods)} period(s) with gaps: {_names(self.dropped_periods)}")
        if not (self.dropped_regions or self.dropped_periods):
            lines.append("the panel was already balanced")
        return "\n".join(lines)

    def to_record(self) -> dict:
        return {"how": self.how, "rows": len(self.data), "dropped_regions": [str(r) for r in self.dropped_regions],
                "dropped_periods": [p.item() if hasattr(p, "item") else p for p in self.dropped_periods]}

    def plot(self, ax=None, **kwargs):
        """Periods observed per region, dropped regions marked (:func:`spatialcluster.plot.panels.coverage_plot`)."""
        from ..plot.panels import coverage_plot

        frame = self.to_frame()
        return coverage_plot(frame["periods_observed"], frame["kept"], ax=ax, **kwargs)


#: ``how`` of :func:`balance_panel` -> the rule of :func:`spatialcluster.panels.to_drop`
HOW = {"regions": "drop-region", "periods": "drop-period", "both": "drop-both"}


def balance_panel(long_df: pd.DataFrame, id: str = "code", time: str = "year", columns: Sequence[str] = (),
                  how: str = "regions", w=None) -> BalancedPanel:
    """Make an unbalanced long panel balanced, reporting what was dropped.

    Parameters
    ----------
    long_df : DataFrame
        One row per region and period (duplicates are refused).
    id, time : str
        Region-id and period columns.
    columns : sequence of str
        Columns that must be present: a row with a missing value in any of them counts as absent.
    how : {"regions", "periods", "both"}
        Drop the regions with gaps, the periods with gaps, or first the least-covered periods and then
        the regions still incomplete (see the module docstring).
    w : libpysal.graph.Graph, optional
        Weights to restrict to the kept regions (re-row-standardised when they were row-standardised).

    Returns
    -------
    BalancedPanel
        ``data``, ``w``, ``dropped_regions``, ``dropped_periods``, ``coverage``; ``summary()`` is the report.
    """
    if how not in HOW:
        raise InputError(f"how {how!r} is not one of 'regions', 'periods', 'both'")
    columns = [columns] if isinstance(columns, str) else list(columns)
    absent = [c for c in [id, time, *columns] if c not in long_df.columns]
    if absent:
        raise InputError(f"column(s) {_names(absent)} not in the panel; columns are {_names(long_df.columns)}")
    df = long_df.copy()
    df[id] = df[id].astype(str)
    dup = df.duplicated([id, time], keep=False)
    if dup.any():
        pairs = df.loc[dup, [id, time]].drop_duplicates()
        raise InputError(f"duplicate region-periods: {_names([f'{r} {t}' for r, t in zip(pairs[id], pairs[time])])}; "
                         "aggregate or drop them before balancing")
    present = df.dropna(subset=columns) if columns else df
    regions = list(w.unique_ids.astype(str)) if w is not None else sorted(df[id].unique())
    periods = sorted(df[time].unique())
    have = pd.crosstab(present[id], present[time]).reindex(index=regions, columns=periods, fill_value=0) > 0
    coverage = have.sum(axis=1)
    grid = have.to_numpy()
    rule = HOW[how]
    drop_rows, drop_cols = to_drop(grid, rule)
    rows, cols = np.nonzero(~grid)
    report = BalanceReport(rule, [[regions[r], periods[c]] for r, c in zip(rows, cols)],
                           dropped_regions=[r for r, d in zip(regions, drop_rows) if d],
                           dropped_periods=[p for p, d in zip(periods, drop_cols) if d])
    keep_r = [r for r, d in zip(regions, drop_rows) if not d]
    keep_p = [p for p, d in zip(periods, drop_cols) if not d]
    if not keep_r or not keep_p:
        raise InputError(f"balancing by {how!r} leaves nothing: no region is observed in every period. "
                         "Try how='periods' or how='both', or fill the gaps")
    out = present[present[id].isin(keep_r) & present[time].isin(keep_p)].sort_values([id, time])
    w_out = None
    if w is not None:
        W = sparse_weights(w)
        idx = [regions.index(r) for r in keep_r]
        sub = sp.csr_matrix(W[idx][:, idx])
        if is_row_standardised(W):
            rs = np.asarray(sub.sum(axis=1)).ravel()
            sub = sp.diags(np.divide(1.0, rs, out=np.zeros_like(rs), where=rs > 0)) @ sub
        from libpysal.graph import Graph

        w_out = Graph.from_sparse(sp.csr_matrix(sub), ids=keep_r)
    return BalancedPanel(out.reset_index(drop=True), w_out, report, coverage, how)
