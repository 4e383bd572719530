"""Spatial panel regressions with fixed effects: SAR, SEM and SDM by maximum likelihood.

For N regions observed in T periods the models are (Elhorst 2014, ch. 3)

.. code-block:: text

    SAR  y_t = rho W y_t + X_t beta                + mu + alpha_t 1 + e_t
    SDM  y_t = rho W y_t + X_t beta + W X_t theta  + mu + alpha_t 1 + e_t
    SEM  y_t =             X_t beta                + mu + alpha_t 1 + u_t,   u_t = lambda W u_t + e_t

with region effects ``mu`` (``effects="region"``), time effects ``alpha_t`` (``"time"``) or both
(``"twoway"``), and ``e_t ~ N(0, sigma^2 I)``.

Estimation (Elhorst 2014, ch. 3)
--------------------------------
The fixed effects are concentrated out by demeaning: over time within each region (region effects),
over regions within each period (time effects), or both (``a_it - a_i. - a_.t + a_..``). Spatial lags
are taken *before* demeaning (the demeaned equation holds for ``Q (W y)``, not for ``W (Q y)``). The
log-likelihood of the demeaned data is

.. code-block:: text

    log L = -n*/2 log(2 pi sigma^2) + T* [log|I - rho W| - c log(1 - rho)] - e'e / (2 sigma^2)

and is concentrated in ``rho`` (``lambda``): ``beta(rho)`` and ``sigma^2(rho) = e'e / n*`` are
closed-form, and the one-dimensional profile is maximised over the stationary interval given by the
eigenvalues of W. The log-determinant comes from :func:`spatialcluster.models._logdet.logdet` (dense
eigenvalues for small N, sparse LU, or Chebyshev for very large N).

Without bias correction (the "direct approach" of Lee and Yu 2010, which is ML with one dummy per
fixed effect): ``n* = N T``, ``T* = T``, ``c = 0``.

Lee and Yu (2010) bias correction
---------------------------------
With region effects the direct approach estimates ``sigma^2`` inconsistently for fixed T (it divides
by ``N T`` although ``N`` means were estimated); with time effects ``rho``, ``beta`` and ``sigma^2``
carry an ``O(1/N)`` bias. Lee and Yu (2010, secs. 3-4) remove both by their *transformation approach*:
the data are premultiplied by ``F_{T,T-1}'`` (and/or ``F_{N,N-1}'``), the orthonormal eigenvectors of
the demeaning matrices, which drops exactly one period (region) of information per set of effects.
For row-standardised W (``W 1 = 1``) the transformed likelihood is the one above with

====================  =============  =======  ===
effects               n*             T*       c
====================  =============  =======  ===
region                N (T - 1)      T - 1    0
time                  (N - 1) T      T        1
twoway                (N - 1)(T - 1) T - 1    1
====================  =============  =======  ===

(``log|I - rho W*| = log|I - rho W| - log(1 - rho)`` for ``W* = F' W F`` removes W's unit eigenvalue.)
Consequences (Lee and Yu 2010, secs. 3-4; Elhorst 2014, ch. 3): with region effects only,
``rho`` and ``beta`` are unchanged and ``sigma^2_BC = T / (T - 1) sigma^2``; with time effects,
``rho`` is re-estimated from the corrected profile and ``sigma^2`` is divided by the corrected count.
The estimator is the one in SDPDmod's ``SDPDm(LYtrans = TRUE)`` and xsmle's ``type(both, leeyu)``.

Variance
--------
The inverse of the information matrix of the (transformed) likelihood (Elhorst 2014, ch. 3; Lee
and Yu 2010, sec. 3), for the lag models with ``G = W (I - rho W)^{-1}`` and ``h = Q (G X beta)``:

.. code-block:: text

    [ X'X / s2      X'h / s2                             0            ]
    [ .             h'h / s2 + T* tr(G*G* + G*'G*)       T* tr(G*)/s2 ]
    [ .             .                                    n*/(2 s2^2)  ]

and for SEM the block-diagonal ``X_f'X_f / s2`` with ``X_f = Q (I - lambda W) X`` and the
``(lambda, sigma^2)`` block with ``H = W (I - lambda W)^{-1}`` in place of G. The starred traces drop
W's unit eigenvalue when time effects are transformed away: ``tr(G*) = tr(G) - 1/(1-rho)``,
``tr(G*G*) = tr(GG) - 1/(1-rho)^2``, ``tr(G*'G*) = tr(G'G) - |G'1|^2 / N``. The traces are exact
(dense) up to :data:`EXACT_TRACE_MAX_N` regions and Hutchinson estimates from sparse LU solves beyond.

References
----------
Elhorst, J. P. (2014). *Spatial Econometrics: From Cross-Sectional Data to Spatial Panels*.
SpringerBriefs in Regional Science, Springer, ch. 3.
Lee, L.-F. and Yu, J. (2010). Estimation of spatial autoregressive panel data models with fixed
effects. *Journal of Econometrics* 154(2), 165-185.
LeSage, J. and Pace, R. K. (2009). *Introduction to Spatial Econometrics*. CRC Press (effects).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import minimize_scalar

from .._errors import InputError, WeightsError
from .._progress import progress_bar
from .._validate import _names, sparse_weights
from ..panels import Panel
from ._logdet import is_row_standardised, logdet as _make_logdet
from ._result import SpatialModelResult
from .cross_section import check_dof
from .effects import ImpactKernel, effects_table

#: Largest N for which the information-matrix traces are computed from a dense inverse.
EXACT_TRACE_MAX_N = 3000
#: Rademacher probes for the Hutchinson trace estimates beyond that.
TRACE_PROBES = 200

_MODELS = ("sar", "sem", "sdm")
_EFFECTS = ("region", "time", "twoway")
_EFFECT_WORDS = {"region": "region", "time": "time", "twoway": "region and time"}


# ---------------------------------------------------------------------------------------------
# input checks and reshaping
# ---------------------------------------------------------------------------------------------


def _panel_arrays(long_df, y, x, w, id, time, regular=False):
    """Validate a long panel (:meth:`Panel.from_long`) and return ``(ids, periods, Y (T, N), X (T, N, k))``
    in ``w`` order. ``regular``: refuse gaps between periods (a dynamic model's lag must be the previous
    period; a static model only needs each period's cross-section, so 2012, 2013, 2016 is fine)."""
    if not isinstance(long_df, pd.DataFrame):
        raise InputError(f"the panel must be a pandas DataFrame (one row per region and period), got {type(long_df).__name__}")
    if not hasattr(w, "unique_ids") or not hasattr(w, "sparse"):
        raise WeightsError("w must be a libpysal.graph.Graph (build it with sc.build_weights)")
    if y in x:
        raise InputError(f"{y!r} is both the dependent variable and a regressor")
    if len(set(x)) != len(x):
        raise InputError(f"regressors listed twice: {_names(sorted({v for v in x if x.count(v) > 1}))}")
    panel = Panel.from_long(long_df, id=id, time=time, columns=[y, *x], regular=regular)
    ids = panel.in_order(w)
    Y = panel.wide(y, ids)
    X = np.stack([panel.wide(c, ids) for c in x], axis=2)
    return ids, pd.Index(panel.periods.to_list()), Y, X


# ---------------------------------------------------------------------------------------------
# transformations
# ---------------------------------------------------------------------------------------------


def _demean(a: np.ndarray, effects: str) -> np.ndarray:
    """Within transformation of ``a`` shaped (T, N) or (T, N, k): region, time or two-way."""
    if effects == "region":
        return a - a.mean(axis=0, keepdims=True)
    if effects == "time":
        return a - a.mean(axis=1, keepdims=True)
    return a - a.mean(axis=0, keepdims=True) - a.mean(axis=1, keepdims=True) + a.mean(axis=(0, 1), keepdims=True)


def _lag(W: sp.csr_matrix, a: np.ndarray) -> np.ndarray:
    """``W a_t`` for every period of ``a`` shaped (T, N) or (T, N, k)."""
    T, N = a.shape[:2]
    flat = np.moveaxis(a, 1, 0).reshape(N, -1)  # (N, T*k)
    return np.moveaxis((W @ flat).reshape((N, T) + a.shape[2:]), 0, 1)


def _sizes(N: int, T: int, effects: str, bias_correction: bool) -> tuple[int, int, int]:
    """``(n*, T*, c)`` of the (transformed) likelihood; see the module docstring's table."""
    if not bias_correction:
        return N * T, T, 0
    if effects == "region":
        return N * (T - 1), T - 1, 0
    if effects == "time":
        return (N - 1) * T, T, 1
    return (N - 1) * (T - 1), T - 1, 1


def _g_traces(W: sp.csr_matrix, rho: float, ld, c: int, seed: int) -> tuple[float, float, float, str]:
    """``tr(G*), tr(G*G*), tr(G*'G*)`` for ``G = W (I - rho W)^{-1}`` and how they were computed.

    Exact from the dense inverse up to :data:`EXACT_TRACE_MAX_N` regions; beyond, Hutchinson's
    estimator ``mean(z' M z)`` over Rademacher probes with sparse LU solves (nothing dense N x N).
    """
    N = W.shape[0]
    if N <= EXACT_TRACE_MAX_N:
        # (I - rho W)^{-1} W = W (I - rho W)^{-1}, by the sparse LU: half the time of a dense solve
        G = ld.factor(rho).solve(W.toarray())
        tr_g, tr_gg, tr_gtg = np.trace(G), float(np.sum(G * G.T)), float(np.sum(G * G))
        colsum = G.sum(axis=0)
        how = "dense"
    else:
        lu = ld.factor(rho)
        rng = np.random.default_rng(seed)
        Z = rng.choice(np.array([-1.0, 1.0]), size=(N, TRACE_PROBES))
        GZ = W @ lu.solve(Z)  # G z
        GtZ = lu.solve(np.asarray(W.T @ Z), trans="T")  # G' z
        tr_g = float(np.einsum("ij,ij->", Z, GZ)) / TRACE_PROBES
        tr_gg = float(np.einsum("ij,ij->", GtZ, GZ)) / TRACE_PROBES
        tr_gtg = float(np.einsum("ij,ij->", GZ, GZ)) / TRACE_PROBES
        colsum = lu.solve(np.asarray(W.T @ np.ones(N)), trans="T") if c else None
        how = f"hutchinson({TRACE_PROBES})"
    if c:
        tr_g -= 1.0 / (1.0 - rho)
        tr_gg -= 1.0 / (1.0 - rho) ** 2
        tr_gtg -= float(colsum @ colsum) / N
    return float(tr_g), float(tr_gg), float(tr_gtg), how


def _maximise(negll, bounds: tuple[float, float]) -> float:
    """Bounded Brent search of the concentrated likelihood over the open parameter interval."""
    lo, hi = bounds
    if not np.isfinite(lo):  # W without negative eigenvalues: mirror the upper bound
        lo = -hi
    eps = 1e-7
    res = minimize_scalar(negll, bounds=(lo + eps, hi - eps), method="bounded", options={"xatol": 1e-10, "maxiter": 500})
    return float(res.x)


# ---------------------------------------------------------------------------------------------
# the estimators
# ---------------------------------------------------------------------------------------------


def _fit_lag(yd, wyd, Xd, W, ld, sizes, effects, T, N, seed):
    """Concentrated ML for SAR/SDM on demeaned data; returns estimates and their variance."""
    n_star, t_star, c = sizes
    coef, *_ = np.linalg.lstsq(Xd, np.column_stack([yd, wyd]), rcond=None)
    b0, bd = coef[:, 0], coef[:, 1]
    e0, ed = yd - Xd @ b0, wyd - Xd @ bd
    s00, s0d, sdd = e0 @ e0, e0 @ ed, ed @ ed

    def negll(r):
        ssr = s00 - 2.0 * r * s0d + r * r * sdd
        return 0.5 * n_star * np.log(ssr / n_star) - t_star * (ld(r) - c * np.log1p(-r))

    rho = _maximise(negll, ld.bounds)
    beta = b0 - rho * bd
    e = e0 - rho * ed
    sig2 = float(e @ e) / n_star
    loglik = -0.5 * n_star * (np.log(2.0 * np.pi * sig2) + 1.0) + t_star * (ld(rho) - c * np.log1p(-rho))

    info, how = _lag_information(Xd, beta, rho, sig2, W, ld, sizes, effects, T, N, seed)
    k = Xd.shape[1]
    vcov = np.linalg.inv(info)[: k + 1, : k + 1]
    return np.append(beta, rho), vcov, sig2, loglik, e, how


def _lag_information(Xd, beta, rho, sig2, W, ld, sizes, effects, T, N, seed):
    """Information matrix of ``(beta, rho, sigma2)`` of the lag models (module docstring) and how its
    traces were computed; also used by the dynamic panels (:mod:`.panel_dynamic`)."""
    n_star, t_star, c = sizes
    # h = Q (G X beta): G applied to each period's X beta through one sparse solve, then demeaned
    xb = (Xd @ beta).reshape(T, N)
    lu = ld.factor(rho)
    h = _demean((W @ lu.solve(xb.T)).T, effects).ravel()
    tr_g, tr_gg, tr_gtg, how = _g_traces(W, rho, ld, c, seed)
    k = Xd.shape[1]
    info = np.zeros((k + 2, k + 2))
    info[:k, :k] = Xd.T @ Xd / sig2
    info[:k, k] = info[k, :k] = Xd.T @ h / sig2
    info[k, k] = h @ h / sig2 + t_star * (tr_gg + tr_gtg)
    info[k, k + 1] = info[k + 1, k] = t_star * tr_g / sig2
    info[k + 1, k + 1] = n_star / (2.0 * sig2**2)
    return info, how


def _fit_error(yd, Xd, W, ld, sizes, effects, T, N, seed):
    """Concentrated ML for SEM on demeaned data: ``e = Q (I - lambda W)(y - X beta)``."""
    n_star, t_star, c = sizes
    k = Xd.shape[1]
    wy = _demean(_lag(W, yd.reshape(T, N)), effects).ravel()
    wX = _demean(_lag(W, Xd.reshape(T, N, k)), effects).reshape(T * N, k)
    # moments of the filtered data are quadratics in lambda: precompute their pieces once
    yy, ywy, wywy = yd @ yd, yd @ wy, wy @ wy
    XX, XwX, wXwX = Xd.T @ Xd, Xd.T @ wX, wX.T @ wX
    Xy, Xwy, wXy, wXwy = Xd.T @ yd, Xd.T @ wy, wX.T @ yd, wX.T @ wy

    def pieces(lam):
        xs_xs = XX - lam * (XwX + XwX.T) + lam * lam * wXwX
        xs_ys = Xy - lam * (Xwy + wXy) + lam * lam * wXwy
        ys_ys = yy - 2.0 * lam * ywy + lam * lam * wywy
        beta = np.linalg.solve(xs_xs, xs_ys)
        return beta, ys_ys - xs_ys @ beta, xs_xs

    def negll(lam):
        _, ssr, _ = pieces(lam)
        return 0.5 * n_star * np.log(ssr / n_star) - t_star * (ld(lam) - c * np.log1p(-lam))

    lam = _maximise(negll, ld.bounds)
    beta, ssr, xs_xs = pieces(lam)
    sig2 = float(ssr) / n_star
    loglik = -0.5 * n_star * (np.log(2.0 * np.pi * sig2) + 1.0) + t_star * (ld(lam) - c * np.log1p(-lam))
    e = (yd - lam * wy) - (Xd - lam * wX) @ beta
    tr_h, tr_hh, tr_hth, how = _g_traces(W, lam, ld, c, seed)
    ls = np.array([[t_star * (tr_hh + tr_hth), t_star * tr_h / sig2], [t_star * tr_h / sig2, n_star / (2.0 * sig2**2)]])
    vcov = np.zeros((k + 1, k + 1))
    vcov[:k, :k] = sig2 * np.linalg.inv(xs_xs)
    vcov[k, k] = np.linalg.inv(ls)[0, 0]
    return np.append(beta, lam), vcov, sig2, loglik, e, how


def _fixed_effects(Y, X, W, est, model, effects, ids, periods) -> dict:
    """The fixed effects implied by the estimates (Elhorst 2014, ch. 3), as ML with dummies gives them.

    With ``r = y - rho W y - X beta``: region effects are the regions' means of r, time effects the
    periods' means. For SEM the time effects are GLS means, ``1'(I - lambda W) r_t / (N (1 - lambda))``
    (the dummy ``alpha_t 1`` passes the spatial filter as ``(1 - lambda) alpha_t 1`` for row-standardised
    W). Two-way effects are deviations from the common ``intercept``.
    """
    k = X.shape[2]
    r = Y - X @ est[:k]
    if model != "sem":
        r = r - est[k] * _lag(W, Y)
    rbar = r.mean(axis=0)
    if effects == "region":
        return {"region_effects": pd.Series(rbar, index=ids)}
    rt = r - rbar if effects == "twoway" else r
    if model == "sem":
        lam = est[k]
        alpha = (rt - lam * _lag(W, rt)).mean(axis=1) / (1.0 - lam)
    else:
        alpha = rt.mean(axis=1)
    alpha = pd.Series(alpha, index=periods)
    if effects == "time":
        return {"time_effects": alpha}
    c = float(r.mean())
    return {"intercept": c, "region_effects": pd.Series(rbar - c, index=ids), "time_effects": alpha}


# ---------------------------------------------------------------------------------------------
# public entry point
# ---------------------------------------------------------------------------------------------


def spillover_panel(long_df: pd.DataFrame, y: str, x: Sequence[str] | str, w, id: str = "code", time: str = "year",
                    model: str = "sdm", effects: str = "twoway", bias_correction: bool = True, draws: int = 1000,
                    seed: int = 0, logdet: str = "auto", progress: bool | None = None):
    """Spatial panel regression (SAR, SEM or SDM) with region, time or two-way fixed effects.

    Maximum likelihood on the within-transformed data (Elhorst 2014, ch. 3) with the Lee and Yu (2010)
    bias correction, and direct / indirect / total effects with simulated inference (LeSage and Pace
    2009). See the module docstring for the likelihood, the correction and the variance formulas.

    Parameters
    ----------
    long_df : DataFrame
        Long (tidy) balanced panel: one row per region and period, with columns ``id``, ``time``,
        ``y`` and ``x``. Every region in ``w`` needs a row for every period.
    y : str
        Dependent variable.
    x : str or list of str
        Regressors (no constant: it is absorbed by the fixed effects; time-invariant regressors are
        absorbed by region effects and refused).
    w : libpysal.graph.Graph
        Spatial weights whose ``unique_ids`` are the region ids (as strings). Row-standardise them
        (``transform="r"``) for time or two-way effects with bias correction, and for SEM with time effects.
    id, time : str
        Region-id and period columns.
    model : {"sdm", "sar", "sem"}
        Spatial Durbin, spatial lag or spatial error model.
    effects : {"twoway", "region", "time"}
        Which fixed effects.
    bias_correction : bool
        Lee and Yu (2010) transformation approach (default). False gives the uncorrected "direct"
        ML estimator (what spreg's ``Panel_FE_Lag`` / Elhorst's ``sar_panel_FE`` report).
    draws : int
        Simulation draws for the effects' inference (0: point estimates only).
    seed : int
        Seed for the effects' draws (and trace probes for very large N).
    logdet : {"auto", "eigen", "lu", "chebyshev", "mc"}
        Log-determinant method (see :func:`spatialcluster.models._logdet.logdet`).
    progress : bool, optional
        Show a progress bar (default: only in terminals).

    Returns
    -------
    SpatialModelResult
        ``params`` (regressors, ``W_<x>`` for SDM, then ``rho`` or ``lambda``), ``std_err``, ``z``,
        ``p``, ``vcov``, ``loglik`` (of the transformed likelihood when bias-corrected), ``aic``,
        ``schwarz``, ``r2`` (``1 - e'e / sum (y - mean y)^2``, Elhorst's R-squared), ``sigma2``,
        ``effects``, ``residuals`` (the innovations ``e``, for SEM after the spatial filter; indexed by
        period and region) and ``fitted`` (``y - residuals``), ``se_method`` (how the
        information-matrix traces were computed) and ``extra`` (N, T, effects, the correction, the
        degrees of freedom ``n*``, and the estimated ``region_effects`` / ``time_effects``, for
        two-way effects as deviations from ``intercept``).

    Raises
    ------
    InputError
        Missing columns, duplicate region-periods, missing or non-numeric values (listed by region and
        period), an unbalanced panel or gaps in the periods, regressors absorbed by the fixed effects.
    WeightsError
        Regions in the panel but not in ``w`` or the reverse (listed); weights that are not
        row-standardised where the estimator needs them.

    References
    ----------
    Elhorst (2014), *Spatial Econometrics: From Cross-Sectional Data to Spatial Panels*, ch. 3.
    Lee and Yu (2010), *Journal of Econometrics* 154, 165-185.
    LeSage and Pace (2009), *Introduction to Spatial Econometrics*, ch. 2.7.

    Examples
    --------
    >>> res = sc.spillover_panel(panel, y="gdp_growth", x=["urbanization"], w=w,
    ...                          id="code", time="year", model="sdm", effects="twoway")  # doctest: +SKIP
    >>> res.effects[["direct", "indirect", "total", "indirect_p"]]                       # doctest: +SKIP
    """
    model = str(model).lower()
    effects = {"individual": "region", "twoways": "twoway", "both": "twoway"}.get(str(effects).lower(), str(effects).lower())
    if model not in _MODELS:
        raise InputError(f"model {model!r} is not one of {', '.join(map(repr, _MODELS))} for panels")
    if effects not in _EFFECTS:
        raise InputError(f"effects {effects!r} is not one of {', '.join(map(repr, _EFFECTS))}")
    x = [x] if isinstance(x, str) else list(x)
    if not x:
        raise InputError("give at least one regressor in x")

    with progress_bar(f"spatial panel {model.upper()} ({effects} effects)", 4, progress) as advance:
        ids, periods, Y, X = _panel_arrays(long_df, y, x, w, id, time)
        T, N = Y.shape
        if T < 2 and effects != "time":
            raise InputError(f"region fixed effects need at least two periods; the panel has {T}")
        if N < 2:
            raise InputError("a spatial panel needs at least two regions")
        W = sparse_weights(w)
        row_std = is_row_standardised(W) and np.all(np.diff(W.indptr) > 0)
        if effects != "region" and (bias_correction or model == "sem") and not row_std:
            why = "the Lee-Yu transformation of time effects" if bias_correction else "SEM with time effects"
            raise WeightsError(
                f"{why} needs row-standardised weights without islands (every row of W sums to one). "
                "Build them with transform='r' and no islands"
                + (", or pass bias_correction=False." if bias_correction and model != "sem" else ".")
            )

        names = list(x)
        if model == "sdm":
            X = np.concatenate([X, _lag(W, X)], axis=2)
            names += [f"W_{v}" for v in x]
        k = X.shape[2]

        def left(regions):  # observations left once the fixed effects are removed
            region, period = effects in ("region", "twoway"), effects in ("time", "twoway")
            return regions * T - region * regions - period * T + (region and period)

        check_dof(left(N), k, 1, f"panel {model.upper()} ({effects} effects, {T} periods)",
                  regions=lambda q: next(m for m in range(N, N + q + 3) if left(m) - q >= 1),
                  fix="use fewer regressors, fewer fixed effects, more periods")
        Xd = _demean(X, effects).reshape(T * N, k)
        yd = _demean(Y, effects).ravel()
        scale = np.abs(X).reshape(T * N, k).max(axis=0) + 1.0
        absorbed = [n_ for n_, s, sd in zip(names, scale, Xd.std(axis=0)) if sd <= 1e-10 * s]
        if absorbed:
            raise InputError(
                f"regressor(s) {_names(absorbed)} do not vary once the {_EFFECT_WORDS[effects]} fixed effects are removed "
                f"(they are constant within regions or periods): drop them or choose other effects"
            )
        if np.linalg.matrix_rank(Xd) < k:
            raise InputError(f"the demeaned regressors {_names(names)} are collinear; drop one of them")
        ld = _make_logdet(W, logdet)
        sizes = _sizes(N, T, effects, bias_correction)
        advance()

        if model == "sem":
            est, V, sig2, loglik, resid, how = _fit_error(yd, Xd, W, ld, sizes, effects, T, N, seed)
            spatial = "lambda"
        else:
            wyd = _demean(_lag(W, Y), effects).ravel()
            est, V, sig2, loglik, resid, how = _fit_lag(yd, wyd, Xd, W, ld, sizes, effects, T, N, seed)
            spatial = "rho"
        advance()

        labels = names + [spatial]
        params = pd.Series(est, index=labels, name="estimate")
        vcov = pd.DataFrame(V, index=labels, columns=labels)
        advance()

        beta = params[list(x)]
        theta = params[[f"W_{v}" for v in x]] if model == "sdm" else None
        rho = None if model == "sem" else float(params["rho"])
        # reuse the log-determinant's eigenvalues for the effects when it has them
        kernel = ImpactKernel(W, "exact", precomputed=ld.eigenvalues) if rho is not None and ld.eigenvalues is not None else None
        eff = effects_table(W, rho, beta, theta, vcov, draws=draws, seed=seed, kernel=kernel)
        advance()

    tss = float(np.sum((Y - Y.mean()) ** 2))
    notes = [
        f"Fixed effects: {_EFFECT_WORDS[effects]}; N = {N} regions, T = {T} periods.",
        ("Lee-Yu (2010) bias correction (transformation approach): " if bias_correction
         else "No bias correction (direct approach): ") + f"{sizes[0]} degrees of freedom in sigma2 and the likelihood.",
        "R2 = 1 - SSE / sum((y - mean y)^2) with the fixed effects in the fit (Elhorst 2014).",
    ]
    index = pd.MultiIndex.from_product([list(periods), list(ids)], names=[time, id])
    resid = pd.Series(resid, index=index, name="residual")
    return SpatialModelResult(
        params=params, std_err=pd.Series(np.sqrt(np.diag(V)), index=labels), vcov=vcov, loglik=loglik,
        n=N * T, k=len(labels) + 1, model=model, method="ml", logdet_method=ld.method, se_method=how,
        sigma2=sig2, r2=1.0 - float(resid @ resid) / tss, effects=eff, residuals=resid,
        fitted=pd.Series(Y.ravel(), index=index) - resid, y=y, x=x, notes=notes,
        extra={"N": N, "T": T, "effects": effects, "bias_correction": bool(bias_correction),
               "df": sizes[0], "bounds": ld.bounds, "periods": list(periods),
               **_fixed_effects(Y, X, W, est, model, effects, ids, periods)},
    )
