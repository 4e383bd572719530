"""Dynamic spatial panels with fixed effects: SAR and SDM with y and W y of the previous period.

The model (Yu, de Jong and Lee 2008; Elhorst 2014, ch. 4) for N regions and periods t = 2..T is

.. code-block:: text

    y_t = tau y_{t-1} + eta W y_{t-1} + rho W y_t + X_t beta + W X_t theta + mu + alpha_t 1 + e_t

with ``dynamic="time"`` (``eta = 0``) or ``"spacetime"``, region effects ``mu`` and optionally time
effects ``alpha_t``. The first period is lost to the lag (T - 1 periods remain).

Estimation
----------
Quasi-ML conditional on the lagged values, as in Yu, de Jong and Lee (2008): the fixed effects are
concentrated out by demeaning (the lagged terms are regressors), so the static machinery of
:mod:`.panel` applies to ``Z = [X, W X, y_{t-1}, W y_{t-1}]``. With time effects and
``bias_correction=True`` the time effects are removed by the Lee and Yu (2010a) transformation
``F_{N,N-1}'`` (one region of information dropped: ``n = N - 1``, ``log|I - rho W| - log(1 - rho)``).

Bias correction (Yu, de Jong and Lee 2008, Theorem 3; Lee and Yu 2010a, sec. 4)
-------------------------------------------------------------------------------
Region effects with finite T bias every estimate by ``O(1/T)``. The corrected estimator is
``theta_1 = theta + n Sigma^-1 b / ...`` written here with the information matrix ``I`` of
``(beta, tau, eta, rho, sigma2)``: ``theta_1 = theta + n I^-1 b`` with

.. code-block:: text

    b_tau   = tr(L^-1) / n
    b_eta   = tr(W L^-1) / n
    b_rho   = tau tr(G L^-1) / n + eta tr(G W L^-1) / n + tr(G) / n
    b_sig2  = 1 / (2 sigma2)

where ``S = I - rho W``, ``G = W S^-1`` and ``L = S - (tau I + eta W) = (1 - tau) I - (rho + eta) W``
(``(I - A)^-1 S^-1`` with ``A = S^-1 (tau I + eta W)``, the papers' form). With the ``F_{N,N-1}``
transformation the traces are those of ``W* = F' W F``: for row-standardised W the trace of any
function f of W drops the term ``f(1)`` of W's unit eigenvalue. This is SDPDmod's ``SDPDm(dynamic =
TRUE, LYtrans = TRUE)``; its further correction for eigenvalues of A above ``1 - 1/n`` (spatial
cointegration, Yu, de Jong and Lee 2012) is not applied: such models fail the stability check below.

Variance
--------
``I^-1 + n* I^-1 Omega I^-1`` (Yu, de Jong and Lee 2008, Theorem 2), ``I`` the information matrix of
:func:`.panel._lag_information` on the demeaned ``Z`` and ``Omega`` the non-normality term, zero for
normal errors, with ``(mu4 - 3 sigma^4) / sigma^4`` times ``sum(diag(G)^2)/n``, ``tr(G)/(2 sigma2 n)``
and ``1 / (4 sigma^4)`` in the ``(rho, sigma2)`` block; ``mu4`` is the fourth moment of the residuals.
After bias correction the variance is evaluated at the corrected estimates (as SDPDmod does). Traces
are exact (sparse solves against the identity, in blocks) up to :data:`EXACT_TRACE_MAX_N` regions and
Hutchinson estimates beyond.

Effects and stability
---------------------
Short-run effects are ``(I - rho W)^-1 (beta I + theta W)``, long-run effects
``((1 - tau) I - (rho + eta) W)^-1 (beta I + theta W)`` (Debarsy, Ertur and LeSage 2012; Elhorst 2014,
sec. 4.3), i.e. the static formula with ``rho' = (rho + eta) / (1 - tau)`` and ``(beta, theta) /
(1 - tau)``. Both have simulated inference as :func:`.effects.effects_table`, the long-run draws
restricted to the stable region. The model is stable when every eigenvalue
``(tau + eta l) / (1 - rho l)`` of ``A`` (l an eigenvalue of W) is inside (-1, 1); the map is monotone
in l, so the extreme eigenvalues of W decide; for row-standardised W the upper condition is
``tau + rho + eta < 1``. An unstable estimate warns and has no long-run effects.

References
----------
Yu, J., de Jong, R. and Lee, L.-F. (2008). Quasi-maximum likelihood estimators for spatial dynamic
panel data with fixed effects when both n and T are large. *Journal of Econometrics* 146, 118-134.
Lee, L.-F. and Yu, J. (2010a). A spatial dynamic panel data model with both time and individual fixed
effects. *Econometric Theory* 26, 564-597.
Debarsy, N., Ertur, C. and LeSage, J. P. (2012). Interpreting dynamic space-time panel data models.
*Statistical Methodology* 9, 158-171.
Elhorst, J. P. (2014). *Spatial Econometrics*, ch. 4. Springer.
Simonovska, R. (2023). SDPDmod: Spatial dynamic panel data modeling. R package (CRAN).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._errors import InputError, SpatialClusterWarning, WeightsError
from .._progress import progress_bar
from .._validate import _names, sparse_weights
from ._logdet import filter_lu, is_row_standardised, logdet as _make_logdet
from ._result import SpatialModelResult
from .cross_section import check_dof
from .effects import EFFECT_COLUMNS, ImpactKernel, _draw, draw_summary, effects_table
from .panel import TRACE_PROBES, _demean, _lag, _lag_information, _maximise, _panel_arrays

#: Largest N for which the bias-correction traces are exact (solves against identity blocks).
EXACT_TRACE_MAX_N = 1500
_BLOCK = 500
_DYNAMIC = ("time", "spacetime")
#: The models with a dynamic form (the spatial error model has none here).
MODELS = ("sar", "sdm")
_WORDS = {"region": "region", "time": "time", "twoway": "region and time"}


def _resolvent_traces(W, rho, tau, eta, c, seed):
    """``tr(L^-1), tr(W L^-1), tr(G L^-1), tr(G W L^-1), tr(G)`` (all / n) and ``sum(diag(G)^2) / N``.

    ``n = N - c``; with ``c = 1`` the unit eigenvalue's term ``f(1)`` is dropped (row-standardised W under
    the ``F_{N,N-1}`` transformation, see the module docstring). Exact up to :data:`EXACT_TRACE_MAX_N`
    regions, Hutchinson's estimator with Rademacher probes beyond.
    """
    N = W.shape[0]
    s_lu = filter_lu(W, rho)
    kappa = (rho + eta) / (1.0 - tau)
    l_lu = filter_lu(W, kappa)  # L = (1 - tau)(I - kappa W)
    exact = N <= EXACT_TRACE_MAX_N
    if exact:
        blocks = [(j, min(j + _BLOCK, N)) for j in range(0, N, _BLOCK)]
    else:
        rng = np.random.default_rng(seed)
        blocks = [None]
    tr = np.zeros(5)
    diag_g = np.zeros(N)
    for blk in blocks:
        if exact:
            Z = np.zeros((N, blk[1] - blk[0]))
            Z[np.arange(blk[0], blk[1]), np.arange(blk[1] - blk[0])] = 1.0
        else:
            Z = rng.choice(np.array([-1.0, 1.0]), size=(N, TRACE_PROBES))
        U = l_lu.solve(Z) / (1.0 - tau)  # L^-1 Z
        P = W @ U
        GZ = s_lu.solve(np.asarray(W @ Z))
        mats = (U, P, s_lu.solve(P), s_lu.solve(np.asarray(W @ P)), GZ)
        tr += [float(np.einsum("ij,ij->", Z, M)) for M in mats]
        diag_g += (Z * GZ).sum(axis=1)
    if not exact:
        tr /= TRACE_PROBES
        diag_g /= TRACE_PROBES
    lr, s1 = 1.0 / (1.0 - tau - rho - eta), 1.0 / (1.0 - rho)  # L^-1 and S^-1 at W's unit eigenvalue
    if c:
        tr -= [lr, lr, lr * s1, lr * s1, s1]
    return tr / (N - c), float(diag_g @ diag_g) / N, "exact" if exact else f"hutchinson({TRACE_PROBES})"


def _variance(Zd, coef, rho, sig2, e, W, ld, sizes, effects, T1, N, seed, traces):
    """Sandwich ``I^-1 + n* I^-1 Omega I^-1`` of ``(coef, rho, sigma2)`` (Yu, de Jong and Lee 2008)."""
    n_star = sizes[0]
    info, how = _lag_information(Zd, coef, rho, sig2, W, ld, sizes, effects, T1, N, seed)
    inv = np.linalg.inv(info)
    kz = Zd.shape[1]
    mu4 = float(np.mean(e**4))
    om = np.zeros_like(info)
    om[kz, kz] = traces[1]
    om[kz, kz + 1] = om[kz + 1, kz] = traces[0][4] / (2.0 * sig2)
    om[kz + 1, kz + 1] = 1.0 / (4.0 * sig2**2)
    om *= (mu4 - 3.0 * sig2**2) / sig2**2
    return inv, inv + n_star * inv @ om @ inv, how


def _stability(W, ld, tau, eta, rho):
    """Eigenvalues of ``A = S^-1 (tau I + eta W)`` at W's extreme eigenvalues (the extremes of A's)."""
    lo_b, hi_b = ld.bounds
    lam_max = 1.0 / hi_b
    lam_min = 1.0 / lo_b if np.isfinite(lo_b) else -lam_max
    a = [(tau + eta * lam) / (1.0 - rho * lam) for lam in (lam_min, lam_max)]
    return float(min(a)), float(max(a))


def _long_run(W, params, vcov, x, sdm, dynamic, draws, seed, kernel, bounds):
    """Long-run effects ``((1-tau) I - (rho+eta) W)^-1 (beta I + theta W)`` with simulated inference."""
    names = ["rho", "tau"] + (["eta"] if dynamic == "spacetime" else []) + list(x) + ([f"W_{v}" for v in x] if sdm else [])
    mean = params[names].to_numpy(dtype=float)
    k = len(x)
    lam_min, lam_max = bounds

    def parts(d):
        rho, tau = d[:, 0], d[:, 1]
        eta = d[:, 2] if dynamic == "spacetime" else 0.0
        off = 3 if dynamic == "spacetime" else 2
        beta = d[:, off:off + k]
        theta = d[:, off + k:] if sdm else np.zeros_like(beta)
        scale = (1.0 - tau)[:, None]
        return (rho + eta) / (1.0 - tau), beta / scale, theta / scale, rho, tau, eta

    def stable(d):
        _, _, _, rho, tau, eta = parts(d)
        a = [(tau + eta * lam) / (1.0 - rho * lam) for lam in (lam_min, lam_max)]
        ok = (1.0 - rho * lam_max > 0) & (1.0 - rho * lam_min > 0)
        return ok & (np.abs(a[0]) < 1) & (np.abs(a[1]) < 1)

    out = pd.DataFrame(index=pd.Index(list(x), name="variable"), columns=EFFECT_COLUMNS, dtype=float)
    kappa, b, t, *_ = parts(mean[None, :])
    d, ind, tot = kernel.effects(kappa, b, t)
    out["direct"], out["indirect"], out["total"] = d[0], ind[0], tot[0]
    out.attrs.update(method=kernel.method, draws=int(draws), ci=0.95, horizon="long run")
    if draws:
        sim = _draw(mean, vcov.loc[names, names].to_numpy(dtype=float), int(draws), np.random.default_rng(seed + 1),
                    accept=stable)
        kappa, b, t, *_ = parts(sim)
        for kind, s in zip(("direct", "indirect", "total"), kernel.effects(kappa, b, t)):
            out[[f"{kind}_se", f"{kind}_p", f"{kind}_lo", f"{kind}_hi", f"{kind}_sd_draws", f"{kind}_p_norm"]] = \
                np.column_stack(draw_summary(s, 0.05))
    return out


def _design(Y, X, W, model, dynamic):
    """``y`` of periods 2..T and the regressors ``[X, W X, y_{t-1}, W y_{t-1}]`` with their names."""
    Xc = X[1:]
    parts = [Xc] + ([_lag(W, Xc)] if model == "sdm" else []) + [Y[:-1, :, None]]
    if dynamic == "spacetime":
        parts.append(_lag(W, Y[:-1])[:, :, None])
    return Y[1:], np.concatenate(parts, axis=2)


def spillover_dynamic(long_df, y, x, w, id="code", time="year", model="sdm", effects="region", dynamic="spacetime",
                      bias_correction=True, draws=1000, seed=0, logdet="auto", progress=None):
    """Dynamic spatial panel (SAR or SDM with ``y`` and ``W y`` of t-1) with fixed effects.

    Called by :func:`spatialcluster.spillover_panel` with ``dynamic=...``; see the module docstring for
    the estimator (Yu, de Jong and Lee 2008), the bias correction and the effects.

    Parameters
    ----------
    long_df, y, x, w, id, time, draws, seed, logdet, progress
        As in :func:`spatialcluster.spillover_panel`.
    model : {"sar", "sdm"}
    effects : {"region", "twoway", "time"}
    dynamic : {"time", "spacetime"}
        ``"time"`` adds ``y`` of t-1 (``tau``), ``"spacetime"`` also ``W y`` of t-1 (``eta``).
    bias_correction : bool
        Yu, de Jong and Lee (2008) bias correction (with region effects) and the Lee and Yu (2010a)
        transformation of time effects, as SDPDmod's ``LYtrans = TRUE``.

    Returns
    -------
    SpatialModelResult
        ``params`` (regressors, ``W_<x>`` for SDM, ``tau``, ``eta``, ``rho``), ``std_err``, ``vcov``,
        ``effects`` (short run; also ``effects_short``) and ``effects_long`` (long run; all NaN when the
        estimate is unstable), ``sigma2``, ``loglik`` (at the reported estimates), ``residuals`` for periods
        2..T, and ``extra`` with ``stability`` (A's extreme eigenvalues, ``tau + rho + eta`` with its
        standard error and the p-value of H0: it equals 1), ``bias`` (the correction subtracted),
        ``uncorrected`` (the ML estimates) and N, T.

    Raises
    ------
    InputError
        Unknown ``dynamic``/model/effects, fewer than 3 periods (region effects) or 2 (time effects),
        and everything :func:`spillover_panel` refuses (unbalanced panels, gaps, missing values).
    WeightsError
        Time effects with bias correction and weights that are not row-standardised.
    """
    dynamic = str(dynamic).lower()
    if dynamic not in _DYNAMIC:
        raise InputError(f"dynamic {dynamic!r} is not one of None, 'time' (y of t-1), 'spacetime' (y and W y of t-1)")
    if model not in MODELS:
        raise InputError(f"dynamic panels are SAR or SDM models, not {model!r}: use model='sar' or 'sdm'")
    with progress_bar(f"dynamic spatial panel {model.upper()} ({effects} effects)", 4, progress) as advance:
        ids, periods, Y, X = _panel_arrays(long_df, y, x, w, id, time, regular=True)
        T, N = Y.shape
        need = 2 if effects == "time" else 3
        if T < need:
            raise InputError(
                f"a dynamic panel with {_WORDS[effects]} effects needs at least {need} periods (one is lost to the "
                f"lag of {y!r}{', one to the region effects' if need == 3 else ''}); the panel has {T}: "
                f"{_names(list(periods))}. Use a static model (dynamic=None) or more periods.")
        W = sparse_weights(w)
        c = int(bias_correction and effects != "region")
        row_std = bool(is_row_standardised(W) and np.all(np.diff(W.indptr) > 0))
        if c and not row_std:
            raise WeightsError("the Lee-Yu transformation of time effects needs row-standardised weights without "
                               "islands (build them with transform='r'), or pass bias_correction=False")
        Y1, Z = _design(Y, X, W, model, dynamic)
        T1, kz = T - 1, Z.shape[2]
        names = list(x) + ([f"W_{v}" for v in x] if model == "sdm" else []) + ["tau"] + (["eta"] if dynamic == "spacetime" else [])
        def left(m):  # observations left once the lag and the fixed effects are removed
            return m * T1 - m * (effects != "time") - T1 * (effects != "region") + (effects == "twoway")

        check_dof(left(N), kz, 1, f"dynamic panel {model.upper()} ({T} periods)",
                  regions=lambda q: next(m for m in range(N, N + q + 3) if left(m) - q >= 1),
                  fix="use fewer regressors or more periods")
        Zd = _demean(Z, effects).reshape(T1 * N, kz)
        yd = _demean(Y1, effects).ravel()
        wyd = _demean(_lag(W, Y1), effects).ravel()
        if np.linalg.matrix_rank(Zd) < kz:
            raise InputError(f"the demeaned regressors {_names(names)} are collinear or absorbed by the "
                             f"{_WORDS[effects]} effects; drop one of them")
        ld = _make_logdet(W, logdet)
        sizes = (N - c) * T1, T1, c
        advance()

        coef, *_ = np.linalg.lstsq(Zd, np.column_stack([yd, wyd]), rcond=None)
        e0, ed = yd - Zd @ coef[:, 0], wyd - Zd @ coef[:, 1]
        s00, s0d, sdd = e0 @ e0, e0 @ ed, ed @ ed

        def negll(r):
            return 0.5 * sizes[0] * np.log((s00 - 2.0 * r * s0d + r * r * sdd) / sizes[0]) - T1 * (ld(r) - c * np.log1p(-r))

        rho = _maximise(negll, ld.bounds)
        b = coef[:, 0] - rho * coef[:, 1]
        e = yd - rho * wyd - Zd @ b
        sig2 = float(e @ e) / sizes[0]
        theta = np.concatenate([b, [rho, sig2]])
        uncorrected = pd.Series(theta[:-1], index=names + ["rho"])
        tau, eta = b[names.index("tau")], (b[names.index("eta")] if dynamic == "spacetime" else 0.0)
        if tau >= 1.0:
            raise InputError(f"the estimate of tau (y of t-1) is {tau:.4f} >= 1: {y!r} is explosive or has a unit root "
                             "in time; model its growth (differences) or use a static panel")
        traces = _resolvent_traces(W, rho, tau, eta, c, seed)
        inv, V, how = _variance(Zd, b, rho, sig2, e, W, ld, sizes, effects, T1, N, seed, traces)
        advance()

        bias = np.zeros(kz + 2)
        if bias_correction and effects != "time":
            t = traces[0]
            grad = np.zeros(kz + 2)
            grad[names.index("tau")] = t[0]
            if dynamic == "spacetime":
                grad[names.index("eta")] = t[1]
            grad[kz] = tau * t[2] + eta * t[3] + t[4]
            grad[kz + 1] = 1.0 / (2.0 * sig2)
            bias = -(N - c) * inv @ grad
            theta = theta - bias
            b, rho, sig2 = theta[:kz], float(theta[kz]), float(theta[kz + 1])
            if not ld.bounds[0] < rho < ld.bounds[1] or sig2 <= 0:
                raise InputError(f"the bias-corrected rho ({rho:.4g}) or sigma2 ({sig2:.4g}) is outside the parameter "
                                 "space; the panel is too short for the correction: report bias_correction=False")
            e = yd - rho * wyd - Zd @ b
            tau, eta = b[names.index("tau")], (b[names.index("eta")] if dynamic == "spacetime" else 0.0)
            traces = _resolvent_traces(W, rho, tau, eta, c, seed)
            _, V, how = _variance(Zd, b, rho, sig2, e, W, ld, sizes, effects, T1, N, seed, traces)
        loglik = (-0.5 * sizes[0] * np.log(2.0 * np.pi * sig2) - float(e @ e) / (2.0 * sig2)
                  + T1 * (ld(rho) - c * np.log1p(-rho)))
        labels = names + ["rho"]
        params = pd.Series(theta[:-1], index=labels, name="estimate")
        vcov = pd.DataFrame(V[:-1, :-1], index=labels, columns=labels)
        advance()

        a_lo, a_hi = _stability(W, ld, tau, eta, rho)
        g = np.zeros(len(labels))
        g[[labels.index("tau"), labels.index("rho")] + ([labels.index("eta")] if dynamic == "spacetime" else [])] = 1.0
        ssum, ssum_se = float(g @ params.to_numpy()), float(np.sqrt(g @ V[:-1, :-1] @ g))
        from scipy import stats

        stab = {"A_eigen_min": a_lo, "A_eigen_max": a_hi, "stable": bool(abs(a_lo) < 1 and abs(a_hi) < 1),
                "tau+rho+eta": ssum, "tau+rho+eta_se": ssum_se,
                "p_unit_root": float(stats.norm.cdf((ssum - 1.0) / ssum_se)) if ssum_se > 0 else np.nan}
        beta_s = params[list(x)]
        theta_s = params[[f"W_{v}" for v in x]] if model == "sdm" else None
        kernel = ImpactKernel(W, "exact", precomputed=ld.eigenvalues) if ld.eigenvalues is not None else ImpactKernel(W)
        short = effects_table(W, rho, beta_s, theta_s, vcov, draws=draws, seed=seed, kernel=kernel)
        short.attrs["horizon"] = "short run"
        lam_b = (1.0 / ld.bounds[0] if np.isfinite(ld.bounds[0]) else -1.0 / ld.bounds[1], 1.0 / ld.bounds[1])
        if stab["stable"]:
            long_ = _long_run(W, params, vcov, x, model == "sdm", dynamic, draws, seed, kernel, lam_b)
        else:
            warnings.warn(
                f"the dynamic panel is not stable: the eigenvalues of S^-1 (tau I + eta W) reach {a_lo:.4f} .. {a_hi:.4f} "
                f"(tau + rho + eta = {ssum:.4f}); they must lie inside (-1, 1). Long-run effects are not defined "
                "(reported as NaN); consider differencing y or a static model.", SpatialClusterWarning, stacklevel=3)
            long_ = pd.DataFrame(np.nan, index=pd.Index(list(x), name="variable"), columns=EFFECT_COLUMNS)
            long_.attrs.update(horizon="long run", draws=0, method="none", ci=0.95)
        advance()

    index = pd.MultiIndex.from_product([list(periods[1:]), list(ids)], names=[time, id])
    resid = pd.Series(e, index=index, name="residual")
    tss = float(np.sum((Y1 - Y1.mean()) ** 2))
    notes = [
        f"Dynamic ({dynamic}) spatial panel, {_WORDS[effects]} fixed effects; N = {N} regions, T = {T1} periods "
        f"after the lag ({periods[1]}..{periods[-1]}).",
        ("Yu-de Jong-Lee (2008) bias correction" + (" and Lee-Yu (2010a) transformation of the time effects"
                                                    if c else "") if bias_correction else "No bias correction") + ".",
        f"Stability: A's eigenvalues in [{a_lo:.4f}, {a_hi:.4f}]; tau + rho + eta = {ssum:.4f} (s.e. {ssum_se:.4f}).",
        "Long-run effects ((1 - tau) I - (rho + eta) W)^-1 (beta I + theta W) are in .effects_long.",
    ]
    res = SpatialModelResult(
        params=params, std_err=pd.Series(np.sqrt(np.diag(V[:-1, :-1])), index=labels), vcov=vcov, loglik=loglik,
        n=N * T1, k=len(labels) + 1, model=model, method="ml", logdet_method=ld.method,
        se_method=f"{how}; bias traces {traces[2]}", sigma2=sig2, r2=1.0 - float(e @ e) / tss, effects=short,
        residuals=resid, fitted=pd.Series(Y1.ravel(), index=index) - resid, y=y, x=x, notes=notes,
        extra={"N": N, "T": T1, "effects": effects, "dynamic": dynamic, "bias_correction": bool(bias_correction),
               "df": sizes[0], "bounds": ld.bounds, "periods": list(periods[1:]), "stability": stab,
               "bias": pd.Series(bias[:-1], index=labels), "uncorrected": uncorrected},
    )
    res.effects_short = short
    res.effects_long = long_
    return res
