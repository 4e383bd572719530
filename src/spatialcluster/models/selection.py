"""Model selection: OLS diagnostics, the spatial Durbin model and its restrictions (Elhorst 2010).

Specific-to-general first: OLS with Moran's I of its residuals and the Lagrange multiplier tests for a
spatial lag and a spatial error, their robust forms and the joint SARMA test (Anselin 1988; Anselin,
Bera, Florax and Yoon 1996). Then general-to-specific: the spatial Durbin model (SDM) is estimated and
tested against its restrictions with likelihood-ratio and Wald tests: SAR (theta = 0), SEM (the common
factor restriction theta = -rho beta) and SLX (rho = 0) (Elhorst 2010; LeSage and Pace 2009, ch. 6).

The LM statistics are computed here (closed forms, sparse traces, no dense N x N matrix) and tested
against R spdep's ``lm.RStests`` and spreg's ``LMtests``.

References
----------
Anselin, L. (1988). Spatial Econometrics: Methods and Models. Kluwer.
Anselin, L., Bera, A. K., Florax, R. and Yoon, M. J. (1996). Simple diagnostic tests for spatial
dependence. Regional Science and Urban Economics 26, 77-104.
Elhorst, J. P. (2010). Applied spatial econometrics: raising the bar. Spatial Economic Analysis 5, 9-28.
Cliff, A. D. and Ord, J. K. (1981). Spatial Processes. Pion (Moran's I of regression residuals).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from .._errors import ConfigError
from .._result import Result
from .cross_section import prepare, spillover


@dataclass
class _Moran:
    I: float
    expected: float
    variance: float
    z_norm: float
    p_norm: float


def _moran_residuals(e: np.ndarray, W: sp.csr_matrix, X: np.ndarray) -> _Moran:
    """Moran's I of OLS residuals with its exact mean and variance under normality (Cliff and Ord 1981).

    The traces of ``M W`` (``M = I - X (X'X)^-1 X'``) are expanded so that only k x k matrices appear.
    One-sided p-value (positive autocorrelation), as spdep's ``lm.morantest``.
    """
    n, k = X.shape
    S0 = W.sum()
    I = n / S0 * (e @ (W @ e)) / (e @ e)
    G = np.linalg.inv(X.T @ X)
    WX = W @ X
    WtX = W.T @ X
    A1 = X.T @ WX
    tr_W = W.diagonal().sum()
    tr_WW = W.multiply(W.T).sum()
    tr_WWt = W.multiply(W).sum()
    tr_MW = tr_W - np.trace(G @ A1)
    tr_MWMWt = tr_WWt - np.trace(G @ (WtX.T @ WtX)) - np.trace(G @ (WX.T @ WX)) + np.trace(G @ A1 @ G @ A1.T)
    tr_MWMW = tr_WW - 2 * np.trace(G @ (X.T @ (W @ WX))) + np.trace(G @ A1 @ G @ A1)
    E = n / S0 * tr_MW / (n - k)
    V = (n / S0) ** 2 * (tr_MWMWt + tr_MWMW + tr_MW**2) / ((n - k) * (n - k + 2)) - E**2
    z = (I - E) / np.sqrt(V)
    return _Moran(I=float(I), expected=float(E), variance=float(V), z_norm=float(z), p_norm=float(stats.norm.sf(z)))


def moran_of_residuals(e, W, X, ids=None, graph=None):
    """Moran's I of OLS residuals, one-sided (greater) as spdep's ``lm.morantest``.

    Uses the package's ``spatialcluster.stats.moran_residuals``; :func:`_moran_residuals` is the
    independent check of it in the tests and the fallback when the statistics module is unavailable.
    """
    try:
        from ..stats import moran_residuals

        res = moran_residuals(pd.Series(e, index=ids), graph, X=X, alternative="greater")
        return _Moran(I=float(res.I), expected=float(res.expected), variance=float(res.variance_norm),
                      z_norm=float(res.z_norm), p_norm=float(res.p_norm))
    except (NotImplementedError, ImportError):  # pragma: no cover - stats module missing
        return _moran_residuals(e, W, X)


def lm_tests(y: np.ndarray, X: np.ndarray, W: sp.csr_matrix) -> pd.DataFrame:
    """LM-lag, LM-error, their robust forms and SARMA from OLS (Anselin et al. 1996).

    With OLS residuals e, ``s2 = e'e/n``, ``T = tr(W'W + W^2)`` and
    ``nJ = [(WXb)' M (WXb) + T s2] / s2``: LM-error = ``(e'We/s2)^2 / T``, LM-lag = ``(e'Wy/s2)^2 / nJ``,
    robust LM-lag = ``(e'Wy/s2 - e'We/s2)^2 / (nJ - T)``, robust LM-error =
    ``(e'We/s2 - T/nJ e'Wy/s2)^2 / (T (1 - T/nJ))``, SARMA = robust LM-lag + LM-error (2 df).
    """
    n = len(y)
    b, *_ = np.linalg.lstsq(X, y, rcond=None)
    e = y - X @ b
    s2 = e @ e / n
    T = W.multiply(W).sum() + W.multiply(W.T).sum()
    wxb = W @ (X @ b)
    g, *_ = np.linalg.lstsq(X, wxb, rcond=None)
    mwxb = wxb - X @ g
    nJ = (mwxb @ mwxb + T * s2) / s2
    d_lag = e @ (W @ y) / s2
    d_err = e @ (W @ e) / s2
    rows = {
        "LM-lag": (d_lag**2 / nJ, 1),
        "LM-error": (d_err**2 / T, 1),
        "Robust LM-lag": ((d_lag - d_err) ** 2 / (nJ - T), 1),
        "Robust LM-error": ((d_err - T / nJ * d_lag) ** 2 / (T * (1 - T / nJ)), 1),
        "SARMA": ((d_lag - d_err) ** 2 / (nJ - T) + d_err**2 / T, 2),
    }
    return pd.DataFrame(
        [(name, float(v), df, float(stats.chi2.sf(v, df))) for name, (v, df) in rows.items()],
        columns=["test", "statistic", "df", "p_value"],
    )


def _lr(ll_general, ll_restricted, df):
    lr = 2.0 * (ll_general - ll_restricted)
    return float(lr), df, float(stats.chi2.sf(max(lr, 0.0), df))


def _wald(g, J, V):
    """Wald statistic g' (J V J')^-1 g for restrictions g(params) = 0 with Jacobian J."""
    g = np.atleast_1d(g)
    C = J @ V @ J.T
    w = float(g @ np.linalg.solve(C, g))
    return w, len(g), float(stats.chi2.sf(w, len(g)))


class ModelSelection(Result):
    """Outcome of :func:`select_model`.

    Attributes
    ----------
    tests : DataFrame
        One row per test: ``test``, ``statistic``, ``df``, ``p_value``.
    recommended : str
        One of ``"ols", "slx", "sar", "sem", "sdm", "sdem", "sac"``.
    log : list of str
        The reasoning, one sentence per decision.
    models : dict
        The fitted models (``"ols"``, ``"slx"``, ``"sar"``, ``"sem"``, ``"sdm"``) as
        :class:`SpatialModelResult`.
    alpha : float
        Significance level used for the decisions.
    """

    def __init__(self, tests, recommended, log, models, alpha):
        self.tests = tests
        self.recommended = recommended
        self.log = log
        self.models = models
        self.alpha = alpha

    def to_frame(self) -> pd.DataFrame:
        return self.tests.copy()

    def summary(self) -> str:
        head = f"Spatial model selection (alpha = {self.alpha}): recommended {self.recommended.upper()}"
        tab = self.tests.to_string(index=False, float_format=lambda v: f"{v:.6g}")
        return "\n".join([head, "=" * len(head), tab, "", *[f"- {s}" for s in self.log]])

    def plot(self, ax=None, **kwargs):
        """The tests' p-values against alpha (:func:`~spatialcluster.plot.p_value_bars`)."""
        from ..plot import p_value_bars

        return p_value_bars(self.tests, self.alpha, ax=ax, **kwargs)

    def to_record(self) -> dict:
        """The recommended model, alpha, the reasoning and every test's statistic and p-value."""
        tests = [{k: (None if isinstance(v, float) and not np.isfinite(v) else v.item() if isinstance(v, np.generic)
                      else v) for k, v in row.items()} for row in self.tests.to_dict("records")]
        return {"recommended": self.recommended, "alpha": float(self.alpha), "log": list(self.log), "tests": tests}


def select_model(data: pd.DataFrame, y: str, x, w, alpha: float = 0.05, logdet: str = "auto",
                 islands: str = "error", progress: bool | None = None) -> ModelSelection:
    """Choose among OLS, SLX, SAR, SEM and SDM by the Elhorst (2010) testing sequence.

    Parameters
    ----------
    data : DataFrame or GeoDataFrame
        Indexed by region id.
    y : str
        Dependent variable.
    x : str or list of str
        Regressors.
    w : libpysal.graph.Graph
        Spatial weights.
    alpha : float
        Significance level of every decision.
    logdet, islands, progress
        As in :func:`spillover`.

    Returns
    -------
    ModelSelection
        ``tests``, ``recommended``, ``log``, ``models``.

    Notes
    -----
    1. OLS: Moran's I of the residuals, LM-lag, LM-error, robust LM-lag, robust LM-error, SARMA.
    2. SDM by ML, with LR and Wald tests of theta = 0 (SAR), theta = -rho beta (SEM) and rho = 0 (SLX).
    3. Both SAR and SEM restrictions rejected: SDM (or SLX if rho = 0 is not rejected either).
       Only one rejected: the other model, if its spatial parameter is significant (else OLS).
       Neither rejected: the robust LM tests decide between SAR and SEM; if they point both ways,
       the SDM is kept as it nests both (Elhorst 2010).
    """
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha must be in (0, 1), got {alpha}")
    d = prepare(data, y, x, w, islands_policy=islands, model="sdm")  # the largest model of the sequence
    kw = dict(draws=0, logdet=logdet, islands=islands, progress=progress)
    models = {m: spillover(data, y, x, w, model=m, **kw) for m in ("ols", "slx", "sar", "sem", "sdm")}
    rows = []
    mi = moran_of_residuals(models["ols"].residuals.to_numpy(), d.W, d.X, ids=d.ids, graph=w)
    rows.append(("Moran's I (OLS residuals)", mi.I, np.nan, mi.p_norm))
    lm = lm_tests(d.y, d.X, d.W)
    rows += list(lm.itertuples(index=False, name=None))

    sdm = models["sdm"]
    pairs = [(nm, f"W_{nm}") for nm in sdm.params.index if f"W_{nm}" in sdm.params.index]
    thetas = [t for _, t in pairs]
    k = len(thetas)
    V = sdm.vcov.to_numpy()
    pos = {nm: i for i, nm in enumerate(sdm.params.index)}
    rho = sdm.params["rho"]
    # theta = 0
    J = np.zeros((k, len(pos)))
    for i, t in enumerate(thetas):
        J[i, pos[t]] = 1.0
    wald_sar = _wald(sdm.params[thetas].to_numpy(), J, V)
    # theta + rho beta = 0 (common factor)
    g = np.array([sdm.params[t] + rho * sdm.params[b] for b, t in pairs])
    J = np.zeros((k, len(pos)))
    for i, (b, t) in enumerate(pairs):
        J[i, pos[t]] = 1.0
        J[i, pos[b]] = rho
        J[i, pos["rho"]] = sdm.params[b]
    wald_sem = _wald(g, J, V)
    wald_slx = _wald(np.array([rho]), np.eye(len(pos))[[pos["rho"]]], V)
    lr_sar = _lr(sdm.loglik, models["sar"].loglik, k)
    lr_sem = _lr(sdm.loglik, models["sem"].loglik, k)
    lr_slx = _lr(sdm.loglik, models["slx"].loglik, 1)
    lr_rho = _lr(models["sar"].loglik, models["ols"].loglik, 1)
    lr_lam = _lr(models["sem"].loglik, models["ols"].loglik, 1)
    for name, res in (
        ("LR SDM vs SAR (theta = 0)", lr_sar), ("Wald SDM vs SAR (theta = 0)", wald_sar),
        ("LR SDM vs SEM (theta = -rho beta)", lr_sem), ("Wald SDM vs SEM (theta = -rho beta)", wald_sem),
        ("LR SDM vs SLX (rho = 0)", lr_slx), ("Wald SDM vs SLX (rho = 0)", wald_slx),
        ("LR SAR vs OLS (rho = 0)", lr_rho), ("LR SEM vs OLS (lambda = 0)", lr_lam),
    ):
        rows.append((name, *res))
    tests = pd.DataFrame(rows, columns=["test", "statistic", "df", "p_value"])
    recommended, log = _decide(tests.set_index("test")["p_value"], alpha, models)
    return ModelSelection(tests, recommended, log, models, alpha)


def _decide(p: pd.Series, alpha: float, models) -> tuple[str, list[str]]:
    def sig(name):
        return p[name] < alpha

    def fmt(name):
        return f"p = {p[name]:.3g}"

    log = []
    lag, err = sig("LM-lag"), sig("LM-error")
    rlag, rerr = sig("Robust LM-lag"), sig("Robust LM-error")
    if lag or err:
        log.append(
            f"OLS residuals are spatially dependent: LM-lag {fmt('LM-lag')}, LM-error {fmt('LM-error')} "
            f"(robust: lag {fmt('Robust LM-lag')}, error {fmt('Robust LM-error')}); OLS is rejected "
            "and the spatial Durbin model is estimated (Elhorst 2010)."
        )
    else:
        log.append(
            f"Neither LM-lag ({fmt('LM-lag')}) nor LM-error ({fmt('LM-error')}) rejects OLS; the spatial "
            "Durbin model is still estimated, since these tests ignore spatially lagged regressors."
        )
    rej_sar = sig("LR SDM vs SAR (theta = 0)")
    rej_sem = sig("LR SDM vs SEM (theta = -rho beta)")
    rej_slx = sig("LR SDM vs SLX (rho = 0)")
    log.append(
        f"SDM against SAR (theta = 0): LR {fmt('LR SDM vs SAR (theta = 0)')}, Wald "
        f"{fmt('Wald SDM vs SAR (theta = 0)')}; against SEM (theta = -rho beta): LR "
        f"{fmt('LR SDM vs SEM (theta = -rho beta)')}, Wald {fmt('Wald SDM vs SEM (theta = -rho beta)')}; "
        f"against SLX (rho = 0): LR {fmt('LR SDM vs SLX (rho = 0)')}."
    )
    if rej_sar and rej_sem:
        if rej_slx:
            log.append("Both the SAR and the SEM restrictions are rejected and rho is significant: the SDM "
                       "describes the data best.")
            return "sdm", log
        log.append("Both the SAR and the SEM restrictions are rejected but rho = 0 is not: the spatially "
                   "lagged regressors matter and the lag of y does not, so the SLX model is chosen.")
        return "slx", log
    if not rej_sar and rej_sem:
        if sig("LR SAR vs OLS (rho = 0)"):
            log.append("theta = 0 is not rejected while the common factor restriction is: the SDM "
                       f"simplifies to the SAR model, whose rho is significant ({fmt('LR SAR vs OLS (rho = 0)')}).")
            return "sar", log
        log.append("The SDM simplifies to SAR, but rho is not significant in it: OLS suffices.")
        return "ols", log
    if rej_sar and not rej_sem:
        if sig("LR SEM vs OLS (lambda = 0)"):
            log.append("The common factor restriction is not rejected while theta = 0 is: the SDM simplifies "
                       f"to the SEM, whose lambda is significant ({fmt('LR SEM vs OLS (lambda = 0)')}).")
            return "sem", log
        log.append("The SDM simplifies to SEM, but lambda is not significant in it: OLS suffices.")
        return "ols", log
    log.append("Neither restriction is rejected, so the SDM may simplify to SAR or SEM; the robust LM tests "
               "from OLS decide.")
    if rlag and not rerr:
        log.append(f"Robust LM-lag is significant ({fmt('Robust LM-lag')}) and robust LM-error is not: SAR.")
        return "sar", log
    if rerr and not rlag:
        log.append(f"Robust LM-error is significant ({fmt('Robust LM-error')}) and robust LM-lag is not: SEM.")
        return "sem", log
    if rlag and rerr:
        log.append("Both robust LM tests are significant: the evidence points both ways, so the SDM, which "
                   "nests SAR and SEM, is kept (Elhorst 2010).")
        return "sdm", log
    if lag or err:
        better = "sar" if models["sar"].loglik >= models["sem"].loglik else "sem"
        log.append("Neither robust LM test is significant although a plain one is: the model with the higher "
                   f"log-likelihood among SAR ({models['sar'].loglik:.3f}) and SEM "
                   f"({models['sem'].loglik:.3f}) is chosen: {better.upper()}.")
        return better, log
    log.append("No test finds spatial dependence: OLS.")
    return "ols", log
