"""Random-effects spatial lag and error panels by maximum likelihood, and the Hausman test against FE.

Models (Elhorst 2003; 2014, ch. 3), with region effects ``mu_i ~ N(0, sigma_u^2)`` independent of X:

.. code-block:: text

    lag    y_t = rho W y_t + c + X_t beta + mu + e_t
    error  y_t = c + X_t beta + mu + u_t,   u_t = lambda W u_t + e_t,    e_t ~ N(0, sigma^2 I)

Lag model
---------
With ``phi^2 = sigma^2 / (T sigma_u^2 + sigma^2)`` the quasi-demeaned data ``a* = a - (1 - phi) a_i.``
(the constant becomes ``phi``) give the log-likelihood

.. code-block:: text

    log L = -NT/2 log(2 pi sigma^2) + N log phi + T log|I - rho W| - e'e / (2 sigma^2),
    e = y* - rho W y* - X* beta,

maximised jointly: ``beta`` and ``sigma^2`` in closed form, ``rho`` by Brent's method for each ``phi``
and ``phi`` by Brent's method on that profile. spreg's ``Panel_RE_Lag`` reaches the same maximum by
alternating the two one-dimensional searches; its reported ``logll`` leaves out ``N log phi``.

Error model
-----------
With ``B = I - lambda W``, ``M = B'B = V diag(m) V'`` and ``theta = sigma_u^2 / sigma^2``, the GLS
quadratic form splits into within and between parts (Baltagi, Song and Koh 2003; Elhorst 2003):

.. code-block:: text

    log L = -NT/2 log(2 pi sigma^2) - 1/2 sum log(1 + T theta m_i) + T/2 sum log m_i - Q / (2 sigma^2)
    Q = sum_t (u_t - u.)' M (u_t - u.) + T u.' M (I + T theta M)^-1 u.,     u = y - c - X beta

For symmetric W, ``V`` are W's eigenvectors and ``m = (1 - lambda w)^2`` (spreg's ``Panel_RE_Error``);
otherwise ``M`` is decomposed for each lambda (dense, hence the N limit :data:`DENSE_MAX_N`). spreg
always takes the eigenvectors of the symmetrised weights but the spatial lags of the original ones,
so the two agree only when the (row-standardised) W is symmetric.

Standard errors
---------------
Inverse of the observed information: the numerical Hessian (central differences) of the full
log-likelihood in ``(beta, rho | lambda, phi | theta, sigma^2)``. spreg uses Elhorst's expected
information; its ``phi``/``sigma^2`` entries are not symmetric, so its standard errors differ slightly.

Hausman test
------------
``H = d' (V_FE - V_RE)^-1 d`` with ``d`` the difference of the FE and RE estimates of ``beta`` and the
spatial parameter, chi-squared with ``len(d)`` degrees of freedom under H0 (random effects consistent;
Hausman 1978; Elhorst 2014, sec. 3.4). A difference matrix that is not positive definite is reported.

References
----------
Elhorst, J. P. (2003). Specification and estimation of spatial panel data models. *International
Regional Science Review* 26, 244-268.
Elhorst, J. P. (2014). *Spatial Econometrics*, ch. 3. Springer.
Baltagi, B. H., Song, S. H. and Koh, W. (2003). Testing panel data regression models with spatial error
correlation. *Journal of Econometrics* 117, 123-150.
Hausman, J. A. (1978). Specification tests in econometrics. *Econometrica* 46, 1251-1271.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import minimize_scalar

from .._errors import InputError
from .._progress import progress_bar
from .._result import Result
from .._validate import _names, sparse_weights
from ._logdet import logdet as _make_logdet
from ._result import SpatialModelResult
from .cross_section import check_dof
from .effects import effects_table
from .panel import _lag, _maximise, _panel_arrays

#: Largest N for the error model with non-symmetric W (a dense eigen-decomposition per lambda).
DENSE_MAX_N = 2000
#: The random-effects models: spatial lag and spatial error (Elhorst 2003).
MODELS = ("sar", "sem")


def _brent(f, lo, hi):
    return float(minimize_scalar(f, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10, "maxiter": 500}).x)


def _hessian(f, x):
    """Central-difference Hessian of ``f`` at ``x`` (steps scaled to each parameter)."""
    k = len(x)
    h = 1e-4 * np.maximum(np.abs(x), 1e-2)
    H = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            def at(si, sj):
                z = x.copy()
                z[i] += si * h[i]
                z[j] += sj * h[j]
                return f(z)
            H[i, j] = H[j, i] = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h[i] * h[j])
    return H


def _re_lag(Y, X, W, ld):
    """Joint ML of (beta, rho, phi, sigma2); returns estimates, the full log-likelihood function and logL."""
    T, N, k = X.shape
    WY = _lag(W, Y)
    means = [a.mean(axis=0) for a in (Y, WY, X)]

    def star(phi):
        return [(a - (1.0 - phi) * m) for a, m in zip((Y, WY, X), means)]

    def profile(phi):
        ys, wys, Xs = star(phi)
        Xs = Xs.reshape(T * N, k)
        coef, *_ = np.linalg.lstsq(Xs, np.column_stack([ys.ravel(), wys.ravel()]), rcond=None)
        e0, ed = ys.ravel() - Xs @ coef[:, 0], wys.ravel() - Xs @ coef[:, 1]
        q = (e0 @ e0, e0 @ ed, ed @ ed)

        def negll(r):
            return 0.5 * N * T * np.log((q[0] - 2 * r * q[1] + r * r * q[2]) / (N * T)) - T * ld(r)

        rho = _maximise(negll, ld.bounds)
        return negll(rho) - N * np.log(phi), rho, coef[:, 0] - rho * coef[:, 1]

    phi = _brent(lambda p: profile(p)[0], 1e-6, 1.0)
    _, rho, beta = profile(phi)
    ys, wys, Xs = star(phi)
    e = (ys - rho * wys - Xs @ beta).ravel()
    sig2 = float(e @ e) / (N * T)

    def loglik(p):
        b, r, ph, s2 = p[:k], p[k], p[k + 1], p[k + 2]
        ys_, wys_, Xs_ = star(ph)
        ee = (ys_ - r * wys_ - Xs_ @ b).ravel()
        return (-0.5 * N * T * np.log(2 * np.pi * s2) + N * np.log(ph) + T * ld(r) - ee @ ee / (2 * s2))

    est = np.concatenate([beta, [rho, phi, sig2]])
    return est, loglik, e, {"phi": phi, "theta": (1.0 / phi**2 - 1.0) / T, "sigma2": sig2}


def _re_error(Y, X, W, ld):
    """Joint ML of (beta, lambda, theta, sigma2) for the random-effects spatial error model."""
    T, N, k = X.shape
    Wd = W.toarray()
    symmetric = np.allclose(Wd, Wd.T, rtol=0, atol=1e-12)
    if symmetric:
        w_eig, V0 = np.linalg.eigh(Wd)
    elif N > DENSE_MAX_N:
        raise InputError(f"the random-effects error model with non-symmetric weights decomposes B'B densely; "
                         f"N = {N} exceeds {DENSE_MAX_N}: use symmetric weights or the fixed-effects model")

    def basis(lam):
        if symmetric:
            return (1.0 - lam * w_eig) ** 2, V0
        B = np.eye(N) - lam * Wd
        return np.linalg.eigh(B.T @ B)

    def parts(lam):
        m, V = basis(lam)
        Yv, Xv = Y @ V, np.einsum("tnk,nm->tmk", X, V)
        ybar, xbar = Yv.mean(axis=0), Xv.mean(axis=0)
        return m, Yv - ybar, Xv - xbar, ybar, xbar

    def gls(theta, m, yt, xt, yb, xb):
        wb = T * m / (1.0 + T * theta * m)
        A = np.einsum("tnk,n,tnl->kl", xt, m, xt) + np.einsum("nk,n,nl->kl", xb, wb, xb)
        c = np.einsum("tnk,n,tn->k", xt, m, yt) + np.einsum("nk,n,n->k", xb, wb, yb)
        beta = np.linalg.solve(A, c)
        rt, rb = yt - xt @ beta, yb - xb @ beta
        return beta, float(np.einsum("tn,n,tn->", rt, m, rt) + rb @ (wb * rb))

    def nll(theta, lam, pre):
        m = pre[0]
        _, q = gls(theta, *pre)
        return 0.5 * N * T * np.log(q / (N * T)) + 0.5 * np.sum(np.log1p(T * theta * m)) - 0.5 * T * np.sum(np.log(m))

    def inner(lam):
        pre = parts(lam)
        s = _brent(lambda s_: nll(np.exp(s_), lam, pre), -25.0, 12.0)
        return nll(np.exp(s), lam, pre), np.exp(s), pre

    lam = _maximise(lambda r: inner(r)[0], ld.bounds)
    _, theta, pre = inner(lam)
    beta, q = gls(theta, *pre)
    sig2 = q / (N * T)

    def loglik(p):
        b, r, th, s2 = p[:k], p[k], p[k + 1], p[k + 2]
        m, yt, xt, yb, xb = parts(r)
        rt, rb = yt - xt @ b, yb - xb @ b
        quad = np.einsum("tn,n,tn->", rt, m, rt) + rb @ (T * m / (1.0 + T * th * m) * rb)
        return (-0.5 * N * T * np.log(2 * np.pi * s2) - 0.5 * np.sum(np.log1p(T * th * m))
                + 0.5 * T * np.sum(np.log(m)) - quad / (2 * s2))

    u = Y - X @ beta
    e = (u - lam * _lag(W, u)).ravel()  # spatially filtered residuals (still containing mu)
    est = np.concatenate([beta, [lam, theta, sig2]])
    phi = np.sqrt(1.0 / (1.0 + T * theta))
    return est, loglik, e, {"phi": phi, "theta": theta, "sigma2": sig2}


def spillover_panel_re(long_df, y, x, w, id="code", time="year", model="sar", draws=1000, seed=0, logdet="auto",
                       progress=None) -> SpatialModelResult:
    """Random-effects spatial lag (``model="sar"``) or error (``"sem"``) panel by maximum likelihood.

    Called by :func:`spatialcluster.spillover_panel` with ``effects="random"``; see the module
    docstring for the likelihoods (Elhorst 2003) and the standard errors.

    Returns
    -------
    SpatialModelResult
        ``params`` (``const``, regressors, ``rho`` or ``lambda``), ``std_err``, ``vcov``, ``loglik`` (the
        full log-likelihood), ``sigma2``, ``effects`` (lag model), and ``extra`` with ``phi``
        (``sigma / sqrt(T sigma_u^2 + sigma^2)``), ``theta`` (``sigma_u^2 / sigma^2``), ``sigma2_u``, N, T.
    """
    if model not in MODELS:
        raise InputError(f"random-effects panels are spatial lag ('sar') or error ('sem') models, not {model!r}")
    with progress_bar(f"random-effects spatial panel {model.upper()}", 3, progress) as advance:
        ids, periods, Y, X = _panel_arrays(long_df, y, x, w, id, time)
        T, N = Y.shape
        if T < 2:
            raise InputError(f"random effects need at least two periods; the panel has {T}: {_names(list(periods))}")
        X = np.concatenate([np.ones((T, N, 1)), X], axis=2)
        names = ["const", *x]
        check_dof(N * T, X.shape[2], 2, f"random-effects panel {model.upper()}", fix="use fewer regressors")
        if np.linalg.matrix_rank(X.reshape(T * N, -1)) < X.shape[2]:
            raise InputError(f"the regressors {_names(list(x))} are collinear with each other or the constant")
        W = sparse_weights(w)
        ld = _make_logdet(W, logdet)
        advance()
        est, loglik_f, e, extra = (_re_lag if model == "sar" else _re_error)(Y, X, W, ld)
        advance()
        k = X.shape[2]
        V = np.linalg.inv(-_hessian(loglik_f, est))
        spatial = "rho" if model == "sar" else "lambda"
        labels = names + [spatial]
        params = pd.Series(est[: k + 1], index=labels, name="estimate")
        vcov = pd.DataFrame(V[: k + 1, : k + 1], index=labels, columns=labels)
        eff = None
        if model == "sar":
            eff = effects_table(W, float(params["rho"]), params[list(x)], None, vcov, draws=draws, seed=seed)
        advance()
    index = pd.MultiIndex.from_product([list(periods), list(ids)], names=[time, id])
    resid = pd.Series(e, index=index, name="residual")
    sig2 = extra["sigma2"]
    tss = float(np.sum((Y - Y.mean()) ** 2))
    return SpatialModelResult(
        params=params, std_err=pd.Series(np.sqrt(np.diag(V[: k + 1, : k + 1])), index=labels), vcov=vcov,
        loglik=loglik_f(est), n=N * T, k=len(labels) + 2, model=model, method="ml", logdet_method=ld.method,
        se_method="observed information (numerical Hessian)", sigma2=sig2, r2=1.0 - float(e @ e) / tss, effects=eff,
        residuals=resid, fitted=pd.Series(Y.ravel(), index=index) - resid, y=y, x=list(x),
        notes=[f"Random region effects (ML, Elhorst 2003); N = {N} regions, T = {T} periods; "
               f"phi = {extra['phi']:.6g}, sigma2_u = {extra['theta'] * sig2:.6g}."],
        extra={"N": N, "T": T, "effects": "random", "periods": list(periods), **extra,
               "sigma2_u": extra["theta"] * sig2},
    )


class HausmanTest(Result):
    """Hausman test of random against fixed effects (:func:`panel_hausman`).

    Attributes
    ----------
    statistic, df, p_value : float, int, float
    table : DataFrame
        Per parameter: ``fe``, ``re``, ``difference`` and the variance of the difference.
    positive_definite : bool
        Whether ``V_FE - V_RE`` is positive definite (when not, the statistic uses its pseudo-inverse, as
        Stata's ``hausman`` does, and ``p_value`` is NaN when the statistic is negative).
    """

    def __init__(self, statistic, df, p_value, table, positive_definite):
        self.statistic, self.df, self.p_value = float(statistic), int(df), float(p_value)
        self.table, self.positive_definite = table, bool(positive_definite)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        verdict = ("negative: not a valid chi-squared statistic" if np.isnan(self.p_value) else
                   "reject random effects (use fixed effects)" if self.p_value < 0.05 else
                   "random effects not rejected at 5 %")
        lines = [f"Hausman test, RE vs FE: H = {self.statistic:.4f}, df = {self.df}, p = {self.p_value:.4g}: {verdict}",
                 self.table.to_string(float_format=lambda v: f"{v: .6g}")]
        if not self.positive_definite:
            lines.append("V_FE - V_RE is not positive definite (random effects are not more efficient for every "
                         "parameter): the statistic uses its pseudo-inverse; read it with care (Hausman 1978).")
        return "\n".join(lines)

    def to_record(self) -> dict:
        return {"statistic": self.statistic, "df": self.df,
                "p_value": None if np.isnan(self.p_value) else self.p_value,
                "positive_definite": self.positive_definite}

    def plot(self, ax=None, **kwargs):
        """FE and RE estimates side by side (:func:`spatialcluster.plot.panels.estimates_comparison_plot`)."""
        from ..plot.panels import estimates_comparison_plot

        kwargs.setdefault("title", f"Hausman test: H = {self.statistic:.2f}, p = {self.p_value:.3g}")
        return estimates_comparison_plot(self.table[["fe", "re"]], ax=ax, **kwargs)


def panel_hausman(fe: SpatialModelResult, re: SpatialModelResult) -> HausmanTest:
    """Hausman (1978) test of a random-effects spatial panel against the fixed-effects one.

    Parameters
    ----------
    fe : SpatialModelResult
        ``sc.spillover_panel(..., effects="region", bias_correction=False)`` (SAR or SEM).
    re : SpatialModelResult
        ``sc.spillover_panel(..., effects="random")`` of the same model and data.

    Returns
    -------
    HausmanTest
        ``H = d' (V_FE - V_RE)^-1 d`` over the regressors and rho (lambda), chi-squared with ``len(d)``
        degrees of freedom (Elhorst 2014, sec. 3.4).
    """
    if fe.extra.get("effects") not in ("region", "twoway") or re.extra.get("effects") != "random":
        raise InputError("panel_hausman(fe, re) needs a fixed-effects fit (effects='region') and a random-effects "
                         "fit (effects='random'), in that order")
    if fe.model != re.model or list(fe.x) != list(re.x):
        raise InputError(f"the two fits differ: FE is {fe.model} on {fe.x}, RE is {re.model} on {re.x}")
    names = list(fe.x) + ["rho" if fe.model == "sar" else "lambda"]
    d = fe.params[names].to_numpy() - re.params[names].to_numpy()
    Vd = fe.vcov.loc[names, names].to_numpy() - re.vcov.loc[names, names].to_numpy()
    pd_ok = bool(np.all(np.linalg.eigvalsh((Vd + Vd.T) / 2) > 0))
    H = float(d @ np.linalg.pinv(Vd) @ d)
    table = pd.DataFrame({"fe": fe.params[names], "re": re.params[names], "difference": d,
                          "var_difference": np.diag(Vd)}, index=pd.Index(names, name="parameter"))
    # as Stata's hausman: a p-value whenever H >= 0, with a note when V_FE - V_RE is not positive definite
    p = stats.chi2.sf(H, len(names)) if H >= 0 else np.nan
    return HausmanTest(H, len(names), p, table, pd_ok)
