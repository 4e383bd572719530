"""Cross-section spatial regressions: OLS, SLX, SAR, SEM, SDM, SDEM and SAC by ML or GMM.

Maximum likelihood uses the concentrated likelihood in the spatial parameter(s) (Anselin 1988, ch. 6;
LeSage and Pace 2009, ch. 3; Elhorst 2014, ch. 2) with the log-determinant from
:mod:`spatialcluster.models._logdet`, and standard errors from the analytic (expected) information
matrix. The information matrix needs traces such as ``tr(W A^-1)`` and ``tr((W A^-1)'(W A^-1))``:
for moderate N they are exact (dense), for large N they are Hutchinson estimates from Rademacher probes
pushed through sparse LU solves, so no dense N x N matrix is ever formed. ``result.se_method`` says
which.

Own ML code instead of spreg's ``ML_Lag`` / ``ML_Error``: those invert a dense N x N matrix for the
variance (infeasible beyond ~20,000 regions) and have no SDEM / SAC; estimates agree with spreg to 1e-6
(``tests/test_models_cross_section.py``). GMM (``method="gmm"``) wraps spreg's GM_Lag, GM_Error_Het
and GM_Combo_Het (Kelejian and Prucha 1998, 2010; Arraiz et al. 2010).

References
----------
Anselin, L. (1988). Spatial Econometrics: Methods and Models. Kluwer.
LeSage, J. and Pace, R. K. (2009). Introduction to Spatial Econometrics. CRC Press.
Elhorst, J. P. (2014). Spatial Econometrics: From Cross-Sectional Data to Spatial Panels. Springer.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import optimize

from .._errors import ConfigError, InputError, SpatialClusterWarning, WeightsError
from .._progress import progress_bar
from .._validate import align, column, columns, islands, sparse_weights
from ._logdet import PowerTraces, filter_lu, is_row_standardised, one_blas_thread
from ._logdet import logdet as make_logdet
from ._result import SpatialModelResult
from .effects import ImpactKernel, effects_table

MODELS = ("ols", "slx", "sar", "sem", "sdm", "sdem", "sac")
#: Largest N for exact (dense) information-matrix traces; beyond, Hutchinson probes through sparse LU.
DENSE_SE_MAX_N = 2000
#: Rademacher probes for the Hutchinson trace estimates at large N.
SE_PROBES = 32


@dataclass
class Design:
    """Aligned data for one regression: y, the regressors with constant and lags, and W."""

    ids: pd.Index
    y: np.ndarray
    X: np.ndarray  # constant + regressors
    names: list
    W: sp.csr_matrix
    WX: np.ndarray = field(default=None)  # lagged regressors (Durbin terms)
    wnames: list = field(default_factory=list)
    yname: str = "y"
    row_std: bool = True

    @property
    def n(self):
        return len(self.y)


def prepare(data: pd.DataFrame, y: str, x, w, durbin=None, islands_policy: str = "error",
            model: str | None = None) -> Design:
    """Align ``data`` to ``w``, check columns and weights, build y, [1, X] and W X.

    ``durbin``: regressors whose spatial lags enter Durbin models (default: all of ``x``).
    The lagged constant is included only when W is not row-standardised (as R spatialreg does).
    ``model``: check that there are more regions than the model has parameters.
    """
    if isinstance(x, str):
        x = [x]
    x = list(x)
    if not x:
        raise InputError("give at least one regressor in x")
    if y in x:
        raise InputError(f"the dependent variable {y!r} is also among the regressors")
    data = align(data, w)
    isl = islands(w)
    if isl:
        msg = (f"{len(isl)} region(s) have no neighbours: {', '.join(map(str, isl[:20]))}. Their rows of W "
               "are zero, so their spatial lags are 0")
        if islands_policy == "error":
            raise WeightsError(msg + ". Connect them (sc.build_weights(..., islands='nearest')), drop them, "
                               "or pass islands='keep' to estimate with empty rows.")
        warnings.warn(msg + " (islands='keep').", SpatialClusterWarning, stacklevel=3)
    W = sparse_weights(w)
    yv = column(data, y)
    X = columns(data, x)
    row_std = is_row_standardised(W)
    dur = x if durbin is None else ([durbin] if isinstance(durbin, str) else list(durbin))
    bad = [d for d in dur if d not in x]
    if bad:
        raise InputError(f"Durbin regressors {bad} are not among x = {x}")
    names = ["const"] + x
    Xc = np.column_stack([np.ones(len(yv)), X])
    WX = np.column_stack([W @ X[:, x.index(d)] for d in dur]) if dur else np.empty((len(yv), 0))
    wnames = [f"W_{d}" for d in dur]
    if not row_std:
        WX = np.column_stack([W @ np.ones(len(yv)), WX])
        wnames = ["W_const"] + wnames
    if model is not None:
        lagged = len(wnames) if model in ("slx", "sdm", "sdem") else 0
        spatial = {"sac": 2, "ols": 0, "slx": 0}.get(model, 1)
        check_dof(len(yv), Xc.shape[1] + lagged, spatial, model.upper(),
                  fix="use fewer regressors" + (" (or durbin=[...] to lag fewer of them)" if lagged else ""))
    _check_rank(np.column_stack([Xc, WX]), names + wnames)
    return Design(ids=data.index, y=yv, X=Xc, names=names, W=W, WX=WX, wnames=wnames, yname=y,
                  row_std=row_std)


def check_dof(n_obs, coefficients, spatial, what, regions=None, fix="use fewer regressors"):
    """Refuse a model with no degrees of freedom left for its error variance.

    ``coefficients`` regression coefficients, ``spatial`` spatial parameters (rho, lambda) and
    the error variance are estimated from ``n_obs`` observations; with ``n_obs - k <= 0`` the fit
    is exact and every standard error is 0 (Greene 2012, sec. 4.3: s2 = e'e / (n - k)).
    ``regions(k)``: the number of regions that would leave one degree of freedom (default k + 1).
    """
    k = coefficients + spatial + 1
    if n_obs - k >= 1:
        return
    need = k + 1 if regions is None else regions(k)
    raise InputError(
        f"the {what} model estimates {k} parameters ({coefficients} coefficients"
        + (f", {spatial} spatial parameter{'s' if spatial > 1 else ''}" if spatial else "")
        + f" and the error variance) from {n_obs} observations: no degrees of freedom are left, so its "
        f"standard errors and p-values would be meaningless. It needs at least {need} regions; {fix}, "
        "a model with fewer parameters, or more regions."
    )


def _check_rank(Z, names):
    rank = np.linalg.matrix_rank(Z)
    if rank < Z.shape[1]:
        # name the first column that is a combination of the previous ones
        for j in range(1, Z.shape[1] + 1):
            if np.linalg.matrix_rank(Z[:, :j]) < j:
                raise InputError(
                    f"regressor {names[j - 1]!r} is a linear combination of {names[: j - 1]} "
                    "(perfect collinearity); drop it or its spatial lag (durbin=...)"
                )


def _ols(Z, y):
    coef, *_ = np.linalg.lstsq(Z, y, rcond=None)
    return coef, y - Z @ coef


def _gaussian_loglik(n, sse, logdet_sum=0.0):
    return -0.5 * n * (np.log(2 * np.pi) + np.log(sse / n) + 1.0) + logdet_sum


def _brent(f, lo, hi, tol):
    res = optimize.minimize_scalar(lambda r: -f(r), bounds=(lo, hi), method="bounded",
                                   options={"xatol": tol, "maxiter": 500})
    return float(res.x), float(-res.fun)


def _corrected_search(f, approx, lo, hi, tol=1e-9, h=5e-3, maxit=20):
    """Maximise the exact ``f`` using a cheap ``approx`` plus a quadratic correction.

    ``f - approx`` (exact minus series log-determinant) is smooth and slowly varying, so a parabola
    through it at ``r0 - h``, the latest point and ``r0 + h`` makes ``approx + parabola`` an accurate
    local model of ``f``; its maximiser becomes the next point. About five exact evaluations instead
    of Brent's 13-20. Returns None if the model leaves its bracket repeatedly (caller falls back).
    """
    r0, _ = _brent(approx, lo, hi, 1e-6)
    delta = {}

    def d(r):
        if r not in delta:
            delta[r] = f(r) - approx(r)
        return delta[r]

    a, b, cur = max(lo, r0 - h), min(hi, r0 + h), r0
    for _ in range(maxit):
        xs = np.array(sorted({a, cur, b}))
        if len(xs) < 3:
            return None
        ys = np.array([d(x) for x in xs])
        # quadratic through the three points, in centred coordinates for conditioning
        c = np.polyfit(xs - cur, ys, 2)
        r1, _ = _brent(lambda r: approx(r) + np.polyval(c, r - cur), max(lo, a - h), min(hi, b + h), 1e-12)
        if abs(r1 - cur) < tol and a < r1 < b:
            return r1
        if not (a < r1 < b):
            a, b = max(lo, r1 - h), min(hi, r1 + h)
        cur = r1
    return None


def _maximise_1d(f, bounds, tol=1e-10, approx=None):
    """Maximise a concentrated log-likelihood over the parameter space (bounded Brent, as R's optimize()).

    With ``approx`` (the same likelihood with a cheap series log-determinant) the exact likelihood is
    maximised by :func:`_corrected_search` (about five sparse-LU evaluations at large N), falling back
    to Brent over the whole space if that fails.
    """
    lo, hi = bounds
    lo = lo if np.isfinite(lo) else -0.999999
    eps = 1e-7 * (hi - lo)
    lo, hi = lo + eps, hi - eps
    if approx is not None:
        r = _corrected_search(f, approx, lo, hi)
        if r is not None:
            return r, f(r)
    return _brent(f, lo, hi, tol)


# ---------------------------------------------------------------------------------------------
# information matrix


class _Ops:
    """The matrices of the information matrix as operators, through sparse LU factors of A and B.

    ``dense`` only decides how traces are taken (exactly, by applying the operators to the identity,
    O(n * nnz(LU)) time and n^2 memory; or by Hutchinson probes): no dense LAPACK inverse is used.
    """

    def __init__(self, W, rho, lam, dense):
        self.W = W
        self.n = W.shape[0]
        self.dense = dense
        self.luA = filter_lu(W, rho) if rho is not None else None
        self.luB = filter_lu(W, lam) if lam is not None else None
        self.lam = lam

    def A_inv(self, v):
        return self.luA.solve(np.asarray(v, dtype=float))

    def B_inv(self, v):
        return self.luB.solve(np.asarray(v, dtype=float))

    def B(self, v):
        return v if self.lam is None else v - self.lam * (self.W @ v)

    def m_rho(self, v):
        """M_rho v = -B W A^-1 B^-1 v (B = I without an error process)."""
        u = self.B_inv(v) if self.lam is not None else v
        return -self.B(self.W @ self.A_inv(u))

    def m_lam(self, v):
        """M_lambda v = -W B^-1 v."""
        return -(self.W @ self.B_inv(v))


def _trace_terms(ops: _Ops, which, probes=SE_PROBES, seed=12345, traces=None, value=None):
    """tr(M_j), tr(M_j M_k), tr(M_j M_k') for the spatial parameters in ``which``.

    Dense: exact. Sparse with one spatial parameter (M = -W (I - value W)^-1) and ``traces``:
    tr(M) and tr(M^2) from the power series of W's traces, tr(M M') by Hutchinson probes through
    the LU factor. Otherwise Hutchinson probes for all terms.
    """
    apply = {"rho": ops.m_rho, "lambda": ops.m_lam}
    if not ops.dense and traces is not None and len(which) == 1:
        j = which[0]
        trG, trG2 = traces.resolvent_traces(value)
        rng = np.random.default_rng(seed)
        U = rng.choice(np.array([-1.0, 1.0]), size=(ops.n, probes))
        MU = apply[j](U)
        return {j: -trG}, {(j, j): trG2}, {(j, j): float(np.einsum("ij,ij->", MU, MU) / probes)}
    if ops.dense:
        M = {j: apply[j](np.eye(ops.n)) for j in which}
        tr = {j: float(np.trace(M[j])) for j in which}
        tmm = {(j, k): float(np.sum(M[j] * M[k].T)) for j in which for k in which}
        tmmt = {(j, k): float(np.sum(M[j] * M[k])) for j in which for k in which}
        return tr, tmm, tmmt
    rng = np.random.default_rng(seed)
    U = rng.choice(np.array([-1.0, 1.0]), size=(ops.n, probes))
    MU = {j: apply[j](U) for j in which}
    tr = {j: float(np.einsum("ij,ij->", U, MU[j]) / probes) for j in which}
    tmm, tmmt = {}, {}
    for j in which:
        for k in which:
            # tr(M_j M_k) = E[u' M_j M_k u]; tr(M_j M_k') = tr(M_k' M_j) = E[(M_k u)'(M_j u)]
            tmm[(j, k)] = float(np.einsum("ij,ij->", U, apply[j](MU[k])) / probes)
            tmmt[(j, k)] = float(np.einsum("ij,ij->", MU[j], MU[k]) / probes)
    return tr, tmm, tmmt


def information_matrix(Z, beta, sigma2, W, rho=None, lam=None, dense=None, probes=SE_PROBES, traces=None):
    """Expected information of the Gaussian model B(lam) (A(rho) y - Z beta) = e, e ~ N(0, sigma2 I).

    Parameter order: beta, rho (if any), lambda (if any), sigma2. For e = B(Ay - Z beta) every score is
    ``-e'a_j/sigma2 - (e'M_j e - sigma2 tr M_j)/sigma2`` with ``a_beta = -BZ``, ``a_rho = -B W A^-1 Z beta``,
    ``M_rho = -B W A^-1 B^-1``, ``M_lambda = -W B^-1``, ``M_sigma2 = -I/(2 sigma2)``, so
    ``I_jk = a_j'a_k/sigma2 + tr(M_j M_k) + tr(M_j M_k')``: Anselin's (1988, eqs. 6.5, 6.12, 6.21)
    matrices for SAR, SEM and SAC in one formula.

    ``traces`` (a :class:`PowerTraces` of W) lets the sparse path take tr(M) and tr(M^2) from the
    power series. Returns the matrix and the trace method (``"dense"`` or ``"hutchinson(<probes>)"``).
    """
    n, kz = Z.shape
    dense = n <= DENSE_SE_MAX_N if dense is None else dense
    which = [name for name, val in (("rho", rho), ("lambda", lam)) if val is not None]
    ops = _Ops(W, rho, lam, dense)
    a = {}
    BZ = ops.B(Z)
    if rho is not None:
        a["rho"] = -ops.B(W @ ops.A_inv(Z @ beta))
    value = rho if rho is not None else lam
    tr, tmm, tmmt = (_trace_terms(ops, which, probes=probes, traces=traces, value=value)
                     if which else ({}, {}, {}))
    p = kz + len(which) + 1
    info = np.zeros((p, p))
    info[:kz, :kz] = BZ.T @ BZ / sigma2
    for i, j in enumerate(which):
        ij = kz + i
        for i2, k in enumerate(which):
            ik = kz + i2
            val = tmm[(j, k)] + tmmt[(j, k)]
            if j in a and k in a:
                val += a[j] @ a[k] / sigma2
            info[ij, ik] = val
        info[ij, -1] = info[-1, ij] = -tr[j] / sigma2
    info[-1, -1] = n / (2.0 * sigma2**2)
    for i, j in enumerate(which):
        if j in a:  # a_beta' a_rho / sigma2 with a_beta = -BZ
            info[:kz, kz + i] = info[kz + i, :kz] = -(BZ.T @ a[j]) / sigma2
    return info, ("dense" if dense else f"hutchinson({probes})")


# ---------------------------------------------------------------------------------------------
# estimators


def _fit_ols(d: Design, durbin: bool):
    Z = np.column_stack([d.X, d.WX]) if durbin else d.X
    names = d.names + (d.wnames if durbin else [])
    coef, e = _ols(Z, d.y)
    n, k = Z.shape
    sse = float(e @ e)
    s2 = sse / (n - k)
    vcov = s2 * np.linalg.inv(Z.T @ Z)
    return dict(names=names, coef=coef, vcov=vcov, sigma2=sse / n, loglik=_gaussian_loglik(n, sse),
                k=k + 1, fitted=Z @ coef, resid=e, Z=Z)


def _fit_lag(d: Design, durbin: bool, ld, tick, series=None):
    Z = np.column_stack([d.X, d.WX]) if durbin else d.X
    n = d.n
    Wy = d.W @ d.y
    b0, e0 = _ols(Z, d.y)
    bL, eL = _ols(Z, Wy)
    e00, e0L, eLL = e0 @ e0, e0 @ eL, eL @ eL

    def conc(r, logdet=ld):
        tick()
        return _gaussian_loglik(n, e00 - 2 * r * e0L + r * r * eLL, logdet(r))

    approx = None if series is None else (lambda r: conc(r, series))
    rho, ll = _maximise_1d(conc, ld.bounds, approx=approx)
    beta = b0 - rho * bL
    e = d.y - rho * Wy - Z @ beta
    return dict(Z=Z, rho=rho, lam=None, beta=beta, sigma2=float(e @ e) / n, loglik=ll,
                fitted=rho * Wy + Z @ beta, Wy=Wy)


def _error_beta(d, Z, WZ, Wy, lam):
    Zs = Z - lam * WZ
    ys = d.y - lam * Wy
    b, e = _ols(Zs, ys)
    return b, float(e @ e)


def _fit_error(d: Design, durbin: bool, ld, tick, series=None):
    Z = np.column_stack([d.X, d.WX]) if durbin else d.X
    WZ = d.W @ Z
    Wy = d.W @ d.y
    n = d.n

    def conc(lam, logdet=ld):
        tick()
        return _gaussian_loglik(n, _error_beta(d, Z, WZ, Wy, lam)[1], logdet(lam))

    approx = None if series is None else (lambda r: conc(r, series))
    lam, ll = _maximise_1d(conc, ld.bounds, approx=approx)
    beta, sse = _error_beta(d, Z, WZ, Wy, lam)
    return dict(Z=Z, rho=None, lam=lam, beta=beta, sigma2=sse / n, loglik=ll, fitted=Z @ beta, Wy=Wy)


def _fit_sac(d: Design, ld, tick, series=None):
    """SAC by the likelihood concentrated in (rho, lambda), maximised by Nelder-Mead.

    Small N: four starting points, best kept (the likelihood can have several local maxima; R's
    sacsarlm also tries several). Large N (``series``): the optimum of the series-log-determinant
    likelihood is the single start of the exact search, with a small initial simplex.
    """
    Z = d.X
    W = d.W
    Wy = W @ d.y
    WWy = W @ Wy
    WZ = W @ Z
    n = d.n
    lo, hi = ld.bounds
    lo = max(lo, -0.999999)
    eps = 1e-7

    def parts(rho, lam):
        ys = (d.y - lam * Wy) - rho * (Wy - lam * WWy)
        b, e = _ols(Z - lam * WZ, ys)
        return b, float(e @ e)

    def negll(p, logdet=ld):
        rho, lam = p
        if not (lo + eps < rho < hi - eps and lo + eps < lam < hi - eps):
            return np.inf
        tick()
        return -_gaussian_loglik(n, parts(rho, lam)[1], logdet(rho) + logdet(lam))

    opts = {"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000}
    if series is None:
        starts, simplex = ((0.0, 0.0), (0.5, 0.0), (0.0, 0.5), (0.3, 0.3)), None
    else:
        approx = [optimize.minimize(negll, s0, args=(series,), method="Nelder-Mead",
                                    options={"xatol": 1e-6, "fatol": 1e-9})
                  for s0 in ((0.0, 0.0), (0.5, 0.0), (0.0, 0.5), (0.3, 0.3))]
        starts = (min(approx, key=lambda r: r.fun).x,)
        simplex = np.array(starts[0]) + np.array([[0.0, 0.0], [0.01, 0.0], [0.0, 0.01]])
    best = None
    for start in starts:
        res = optimize.minimize(negll, start, method="Nelder-Mead",
                                options={**opts, "initial_simplex": simplex} if simplex is not None else opts)
        if best is None or res.fun < best.fun:
            best = res
    rho, lam = map(float, best.x)
    beta, sse = parts(rho, lam)
    return dict(Z=Z, rho=rho, lam=lam, beta=beta, sigma2=sse / n, loglik=float(-best.fun),
                fitted=rho * Wy + Z @ beta, Wy=Wy)


def _pseudo_r2(y, fitted):
    return float(np.corrcoef(y, fitted)[0, 1] ** 2)


def spillover(data: pd.DataFrame, y: str, x, w, model: str = "sdm", method: str = "ml", robust=None,
              draws: int = 1000, seed: int = 0, logdet: str = "auto", progress: bool | None = None,
              durbin=None, islands: str = "error", ci: float = 0.95) -> SpatialModelResult:
    """Fit a cross-section spatial regression and its direct / indirect / total effects.

    Parameters
    ----------
    data : DataFrame or GeoDataFrame
        Indexed by region id (the ids of ``w``).
    y : str
        Dependent variable.
    x : str or list of str
        Regressors (a constant is added).
    w : libpysal.graph.Graph
        Spatial weights (row-standardised is usual; others work, with the parameter space from the
        extreme eigenvalues).
    model : {"ols", "slx", "sar", "sem", "sdm", "sdem", "sac"}
        ``y = rho W y + X beta + W X theta + u, u = lambda W u + e``: SAR has rho, SEM lambda, SDM rho
        and theta, SDEM lambda and theta, SLX theta only, SAC rho and lambda.
    method : {"ml", "gmm"}
        Maximum likelihood (own, sparse) or GMM / 2SLS through spreg (sar, sdm: GM_Lag; sem, sdem:
        GM_Error_Het; sac: GM_Combo_Het).
    robust : {None, "white"}
        White heteroskedasticity-robust covariance for the GMM lag models (spreg's ``robust``); the
        GMM error models are heteroskedasticity-robust already. Not used by ML.
    draws : int
        Simulated parameter vectors for the effects' inference (0: point estimates only).
    seed : int
        Seed of the draws.
    logdet : {"auto", "eigen", "lu", "chebyshev", "mc"}
        Log-determinant method (see :func:`spatialcluster.models.logdet`); reported as
        ``result.logdet_method``.
    progress : bool, optional
        Progress bar (default: automatic).
    durbin : list of str, optional
        Regressors whose spatial lags enter SLX / SDM / SDEM (default: all).
    islands : {"error", "keep"}
        Regions without neighbours are an error unless ``"keep"`` (their spatial lags are then 0).
    ci : float
        Coverage of the effects' intervals.

    Returns
    -------
    SpatialModelResult

    References
    ----------
    Anselin (1988); LeSage and Pace (2009); Elhorst (2014); Kelejian and Prucha (1998, 2010).
    """
    model = str(model).lower()
    if model not in MODELS:
        raise ConfigError(f"model {model!r} is not one of {', '.join(MODELS)}")
    if method not in ("ml", "gmm"):
        raise ConfigError(f"method {method!r} is not 'ml' or 'gmm'")
    if islands not in ("error", "keep"):
        raise ConfigError(f"islands must be 'error' or 'keep', got {islands!r}")
    d = prepare(data, y, x, w, durbin=durbin, islands_policy=islands, model=model)
    if method == "gmm":
        from ._gmm import fit_gmm

        return fit_gmm(d, w, model, robust=robust, draws=draws, seed=seed, ci=ci)
    if robust is not None:
        raise ConfigError("robust= applies to method='gmm'; ML standard errors come from the information matrix")
    durbin_terms = model in ("slx", "sdm", "sdem")
    xnames = d.names[1:]
    notes = []

    if model in ("ols", "slx"):
        f = _fit_ols(d, durbin_terms)
        names = f["names"]
        params = pd.Series(f["coef"], index=names)
        vcov = pd.DataFrame(f["vcov"], index=names, columns=names)
        eff = _effects(d, None, params, vcov, draws, seed, ci, None)
        return SpatialModelResult(
            params=params, std_err=pd.Series(np.sqrt(np.diag(f["vcov"])), index=names), vcov=vcov,
            loglik=f["loglik"], n=d.n, k=f["k"], model=model, method="ols", sigma2=f["sigma2"],
            r2=_pseudo_r2(d.y, f["fitted"]), effects=eff, residuals=pd.Series(f["resid"], index=d.ids),
            fitted=pd.Series(f["fitted"], index=d.ids), y=d.yname, x=xnames,
            notes=["Standard errors: OLS with s2 = SSE / (n - k)."],
        )

    with one_blas_thread():
        return _fit_ml(d, model, durbin_terms, xnames, notes, draws, seed, ci, logdet, progress)


def _fit_ml(d, model, durbin_terms, xnames, notes, draws, seed, ci, logdet, progress):
    """ML fit of a spatial model (called with BLAS limited to one thread; see ``one_blas_thread``)."""
    ld = make_logdet(d.W, logdet)
    # at large N one set of trace estimates serves the search bracket, the information matrix and
    # the effects
    traces = PowerTraces(d.W, probes=SE_PROBES, seed=0) if d.n > DENSE_SE_MAX_N else None
    series = None
    if traces is not None and ld.method == "lu" and d.row_std:
        series = traces.logdet
    with progress_bar(f"ML {model.upper()} (n={d.n}, log-det {ld.method})", total=None,
                      progress=progress) as advance:
        if model in ("sar", "sdm"):
            f = _fit_lag(d, durbin_terms, ld, advance, series)
        elif model in ("sem", "sdem"):
            f = _fit_error(d, durbin_terms, ld, advance, series)
        else:
            f = _fit_sac(d, ld, advance, series)
        info, se_method = information_matrix(f["Z"], f["beta"], f["sigma2"], d.W, rho=f["rho"], lam=f["lam"],
                                             traces=traces)
    names = d.names + (d.wnames if durbin_terms else [])
    spatial = [nm for nm, v in (("rho", f["rho"]), ("lambda", f["lam"])) if v is not None]
    allnames = names + spatial + ["sigma2"]
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError as err:  # pragma: no cover - singular only for degenerate designs
        raise InputError(f"the information matrix of the {model} model is singular: {err}") from err
    keep = names + spatial
    vcov = pd.DataFrame(cov, index=allnames, columns=allnames).loc[keep, keep]
    params = pd.Series(np.concatenate([f["beta"], [f[{"rho": "rho", "lambda": "lam"}[s]] for s in spatial]]),
                       index=keep)
    std = pd.Series(np.sqrt(np.diag(vcov.to_numpy())), index=keep)
    if ld.method in ("chebyshev", "mc"):
        notes.append(f"Log-determinant approximated ({ld.method}); estimates carry its error.")
    if se_method.startswith("hutchinson"):
        notes.append(f"Information-matrix traces estimated with {SE_PROBES} Rademacher probes (n > {DENSE_SE_MAX_N}).")
    kernel = None
    if model in ("sar", "sdm", "sac"):
        kernel = ImpactKernel(d.W, precomputed=ld.eigenvalues if ld.method == "eigen" else None,
                              traces=traces)
    eff = _effects(d, f["rho"], params, vcov, draws, seed, ci, kernel)
    resid = d.y - f["fitted"]
    return SpatialModelResult(
        params=params, std_err=std, vcov=vcov, loglik=f["loglik"], n=d.n, k=len(allnames), model=model,
        method="ml", logdet_method=ld.method, se_method=se_method, sigma2=f["sigma2"],
        r2=_pseudo_r2(d.y, f["fitted"]), effects=eff, residuals=pd.Series(resid, index=d.ids),
        fitted=pd.Series(f["fitted"], index=d.ids), y=d.yname, x=xnames, notes=notes,
        extra={"bounds": ld.bounds},
    )


def _effects(d: Design, rho, params, vcov, draws, seed, ci, kernel):
    """Effects table for the regressors (lagged constant excluded)."""
    xnames = d.names[1:]
    beta = params[xnames]
    lagged = [nm for nm in params.index if nm.startswith("W_") and nm[2:] in xnames]
    theta = params[lagged] if lagged else None
    return effects_table(d.W, rho, beta, theta, vcov, draws=draws, seed=seed, ci=ci, kernel=kernel)
