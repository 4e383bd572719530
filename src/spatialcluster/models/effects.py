"""Direct, indirect and total effects of spatial models with simulated inference.

For a model with spatial lag ``rho`` and regressor r with coefficient ``beta_r`` (and lagged coefficient
``theta_r`` in a Durbin model) the n x n matrix of partial derivatives is (LeSage and Pace 2009, ch. 2.7)

    S_r(W) = (I - rho W)^-1 (I beta_r + W theta_r).

The *direct* effect is the mean of its diagonal, the *total* effect the mean row sum, and the *indirect*
(spillover) effect their difference. With eigenvalues ``lambda_i`` of W (exact method, moderate N)

    direct = beta_r mean(1 / (1 - rho lambda)) + theta_r mean(lambda / (1 - rho lambda)),

and for large N the diagonal means come from the power series ``sum_k rho^k tr(W^k) / n`` with
Monte Carlo traces (LeSage and Pace 2009, sec. 4.3; the ``trW(type="MC")`` route of R spatialreg).
Inference follows R spatialreg's ``impacts(..., R=)``: parameters are drawn from the estimator's
asymptotic normal distribution (draws with rho outside its space are replaced) and the effects computed
for each draw. Every number reported comes from that one distribution of draws, so they agree:

- the interval is the percentile interval of the draws (lower bound: the smallest draw with at least
  (1 - ci)/2 of the draws at or below it; upper bound likewise from the top);
- the p-value is twice the smaller share of draws on either side of 0 (at least 1 / draws), so
  ``p < 1 - ci`` exactly when the interval excludes 0;
- the standard error is a robust scale of the draws, 1.4826 times their median absolute deviation
  (equal to the standard deviation for normal draws). Effects are ratios in rho, ``1 / (1 - rho)``,
  so their draws are heavy-tailed near the bound of rho and their standard deviation does not
  settle as draws grow; the MAD does.

R's standard deviation of the draws and the normal-theory p-value of mean / sd are kept as
``<effect>_sd_draws`` and ``<effect>_p_norm``.

Models without a spatial lag of y (OLS, SLX, SEM, SDEM) have ``S_r = I beta_r + W theta_r``:
direct = ``beta_r`` (plus ``theta_r tr(W)/n``), indirect = ``theta_r`` times the mean row sum of W,
with analytic standard errors from the covariance matrix (Halleck Vega and Elhorst 2015).

References
----------
LeSage, J. and Pace, R. K. (2009). Introduction to Spatial Econometrics. CRC Press.
Halleck Vega, S. and Elhorst, J. P. (2015). The SLX model. Journal of Regional Science 55, 339-363.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from .._errors import ConfigError, InputError
from ._logdet import (
    EIGEN_MAX_N,
    PowerTraces,
    eigenvalues,
    extreme_eigenvalues,
    is_row_standardised,
    one_blas_thread,
    series_order,
)

EFFECT_COLUMNS = [
    "direct", "indirect", "total",
    "direct_se", "indirect_se", "total_se",
    "direct_p", "indirect_p", "total_p",
    "direct_lo", "direct_hi", "indirect_lo", "indirect_hi", "total_lo", "total_hi",
    "direct_sd_draws", "indirect_sd_draws", "total_sd_draws",
    "direct_p_norm", "indirect_p_norm", "total_p_norm",
]
#: 1 / Phi^-1(3/4): the median absolute deviation of normal draws times this is their sd.
MAD_TO_SD = 1.482602218505602


class ImpactKernel:
    """Scalar summaries of ``(I - rho W)^-1`` needed for effects, vectorised over rho.

    ``tau0(rho) = tr(A^-1)/n``, ``tau1(rho) = tr(A^-1 W)/n`` (mean diagonals) and
    ``s0(rho) = 1'A^-1 1/n``, ``s1(rho) = 1'A^-1 W 1/n`` (mean row sums), ``A = I - rho W``.

    Parameters
    ----------
    W : sparse matrix
    method : {"auto", "exact", "trace"}
        ``"exact"``: eigenvalues of the dense W (N up to ``EIGEN_MAX_N`` under auto). ``"trace"``: power
        series with Monte Carlo traces (``probes`` Rademacher vectors, ``seed``), as many terms as the
        largest |rho| asked for needs (at most 300) and a geometric tail; row sums are exact
        (repeated products with the ones vector).
    precomputed : ndarray, optional
        Reuse eigenvalues already computed (e.g. by the log-determinant).
    traces : PowerTraces, optional
        Reuse trace estimates already computed for the same W.
    """

    def __init__(self, W, method: str = "auto", *, precomputed=None, traces: PowerTraces | None = None,
                 probes: int = 32, seed: int = 0):
        W = sp.csr_matrix(W, dtype=np.float64)
        self.n = n = W.shape[0]
        if method == "auto":
            method = "exact" if n <= EIGEN_MAX_N else "trace"
        if method not in ("exact", "trace"):
            raise ConfigError(f"effects method {method!r} is not one of 'auto', 'exact', 'trace'")
        self.method = method
        rs = np.asarray(W.sum(axis=1)).ravel()
        self._const_rowsum = rs[0] if np.allclose(rs, rs[0], rtol=0, atol=1e-12) else None
        self.mean_rowsum = float(rs.mean())
        self.mean_diag = float(W.diagonal().mean())
        if method == "exact":
            dense = W.toarray()
            if self._const_rowsum is None:
                with one_blas_thread():
                    lam, V = np.linalg.eig(dense)
                    b = np.linalg.solve(V, np.ones(n))
                a = V.sum(axis=0)
                self._ab = a * b / n
            else:
                lam = precomputed if precomputed is not None else eigenvalues(W)
            self.lam = lam
            lo, hi = float(np.min(lam.real)), float(np.max(lam.real))
        else:
            self.W = W
            self.traces = traces if traces is not None else PowerTraces(W, probes=probes, seed=seed)
            if is_row_standardised(W):
                lo, hi = -1.0, 1.0
            else:
                lo, hi = extreme_eigenvalues(W)
        self.bounds = (1.0 / lo if lo < 0 else -np.inf, 1.0 / hi)

    def _row_sums(self, m):
        """``1'W^k 1 / n`` for k = 0..m (exact)."""
        v, s = np.ones(self.n), np.empty(m + 1)
        for k in range(m + 1):
            s[k] = v.mean()
            v = self.W @ v
        return s

    def _order(self, rho):
        return series_order(float(np.quantile(np.abs(rho), 0.999)))

    def _series(self, rho, coef, shift, m):
        """sum_{k<=m} rho^k coef[k + shift] with a two-parity geometric tail beyond."""
        rho = np.atleast_1d(rho)[:, None]
        k = np.arange(m + 1)
        out = (rho**k * coef[shift:shift + m + 1]).sum(axis=1)
        last, prev = coef[m + shift], coef[m + shift - 1]
        r = rho[:, 0]
        tail = (prev * r ** (m + 1) + last * r ** (m + 2)) / (1.0 - r**2)
        return out + tail

    def diag_means(self, rho):
        """(tau0, tau1) for an array of rho."""
        rho = np.atleast_1d(np.asarray(rho, dtype=float))
        if self.method == "exact":
            g = 1.0 / (1.0 - rho[:, None] * self.lam[None, :])
            return np.mean(g, axis=1).real, np.mean(g * self.lam[None, :], axis=1).real
        m = self._order(rho)
        t = self.traces.upto(m + 1)
        return self._series(rho, t, 0, m), self._series(rho, t, 1, m)

    def row_means(self, rho):
        """(s0, s1) for an array of rho."""
        rho = np.atleast_1d(np.asarray(rho, dtype=float))
        if self._const_rowsum is not None:
            c = self._const_rowsum
            return 1.0 / (1.0 - rho * c), c / (1.0 - rho * c)
        if self.method == "exact":
            g = self._ab[None, :] / (1.0 - rho[:, None] * self.lam[None, :])
            return g.sum(axis=1).real, (g * self.lam[None, :]).sum(axis=1).real
        m = self._order(rho)
        s = self._row_sums(m + 1)
        return self._series(rho, s, 0, m), self._series(rho, s, 1, m)

    def effects(self, rho, beta, theta):
        """Direct, indirect, total arrays, shape (len(rho), k), for draws of (rho, beta, theta)."""
        t0, t1 = self.diag_means(rho)
        s0, s1 = self.row_means(rho)
        beta = np.atleast_2d(beta)
        theta = np.atleast_2d(theta)
        direct = beta * t0[:, None] + theta * t1[:, None]
        total = beta * s0[:, None] + theta * s1[:, None]
        return direct, total - direct, total


def _names(beta: pd.Series, theta: pd.Series | None):
    names = list(beta.index)
    th = pd.Series(0.0, index=names)
    theta_labels = {}
    if theta is not None:
        for lab, val in theta.items():
            base = lab[2:] if isinstance(lab, str) and lab.startswith("W_") and lab[2:] in names else lab
            if base not in names:
                raise InputError(f"lagged coefficient {lab!r} has no matching regressor among {names}")
            th[base] = val
            theta_labels[base] = f"W_{base}"
    return names, th, theta_labels


def _draw(mean, cov, draws, rng, accept=None, max_rounds=50):
    """Multivariate normal draws (eigen square root, robust to semi-definite cov), redrawing rejects."""
    vals, vecs = np.linalg.eigh((cov + cov.T) / 2.0)
    root = vecs * np.sqrt(np.clip(vals, 0.0, None))
    out = np.empty((0, len(mean)))
    for _ in range(max_rounds):
        z = rng.standard_normal((draws, len(mean)))
        d = mean + z @ root.T
        if accept is not None:
            d = d[accept(d)]
        out = np.vstack([out, d])
        if len(out) >= draws:
            return out[:draws]
    raise InputError("could not draw parameters inside the parameter space: the estimate of rho "
                     "is at its bound; effects inference is not meaningful")


def effects_table(W, rho, beta: pd.Series, theta: pd.Series | None, vcov: pd.DataFrame,
                  draws: int = 1000, seed: int = 0, method: str = "auto", ci: float = 0.95,
                  rho_name: str = "rho", *, kernel: ImpactKernel | None = None) -> pd.DataFrame:
    """Direct, indirect and total effects with standard errors, p-values and intervals.

    Parameters
    ----------
    W : scipy.sparse matrix
        The weights the model was fitted with (n x n).
    rho : float or None
        Spatial lag coefficient; ``None`` for models without ``W y`` (OLS, SLX, SEM, SDEM).
    beta : Series
        Coefficients of the regressors (no constant), indexed by regressor name.
    theta : Series or None
        Coefficients of the lagged regressors, indexed by regressor name or ``"W_<name>"``;
        regressors without a lag get zero.
    vcov : DataFrame
        Covariance of the estimates, labelled by parameter name (``rho_name``, the regressor names,
        ``"W_<name>"``); other entries are ignored.
    draws : int
        Number of simulated parameter vectors (R spatialreg's ``R``); 0 skips inference.
    seed : int
        Seed of the draws (same seed, same table).
    method : {"auto", "exact", "trace"}
        How ``(I - rho W)^-1`` is summarised (see :class:`ImpactKernel`).
    ci : float
        Coverage of the percentile intervals.
    rho_name : str
        Label of rho in ``vcov`` (``"rho"``).
    kernel : ImpactKernel, optional
        Reuse a kernel built for the same W.

    Returns
    -------
    DataFrame
        Indexed by regressor, with columns ``direct, indirect, total`` and their ``_se``, ``_p``,
        ``_lo``, ``_hi``, ``_sd_draws`` and ``_p_norm``. ``attrs`` holds ``method``, ``draws`` and
        ``ci``. With draws (models with rho), ``_lo``/``_hi`` are the percentile interval of the
        draws, ``_p`` twice the smaller share of draws on either side of 0 (so ``_p < 1 - ci``
        exactly when the interval excludes 0), ``_se`` 1.4826 x the draws' median absolute
        deviation (stable as draws grow; the draws are heavy-tailed), ``_sd_draws`` their
        standard deviation (R spatialreg's s.e.) and ``_p_norm`` the normal p of mean / sd. The
        analytic case (no rho) fills ``_sd_draws`` and ``_p_norm`` with its ``_se`` and ``_p``.

    References
    ----------
    LeSage and Pace (2009), ch. 2.7 and 4.3; R spatialreg ``impacts()``.
    """
    if not 0 < ci < 1:
        raise ConfigError(f"ci must be in (0, 1), got {ci}")
    names, th, theta_labels = _names(beta, theta)
    b = beta.to_numpy(dtype=float)
    t = th.to_numpy(dtype=float)
    W = sp.csr_matrix(W, dtype=np.float64)
    alpha = 1.0 - ci
    zq = stats.norm.ppf(1 - alpha / 2)
    out = pd.DataFrame(index=pd.Index(names, name="variable"), columns=EFFECT_COLUMNS, dtype=float)

    if rho is None:
        # S_r = beta_r I + theta_r W: linear in the coefficients, exact standard errors
        md = float(W.diagonal().mean())
        mr = float(np.asarray(W.sum(axis=1)).mean())
        for i, name in enumerate(names):
            labels = [name] + ([theta_labels[name]] if name in theta_labels else [])
            V = vcov.loc[labels, labels].to_numpy(dtype=float)
            for kind, g in (("direct", [1.0, md]), ("indirect", [0.0, mr - md]), ("total", [1.0, mr])):
                g = np.array(g[: len(labels)])
                est = b[i] * g[0] + (t[i] * g[1] if len(labels) > 1 else 0.0)
                se = float(np.sqrt(max(g @ V @ g, 0.0)))
                out.loc[name, kind] = est
                out.loc[name, [f"{kind}_se", f"{kind}_sd_draws"]] = se
                out.loc[name, [f"{kind}_p", f"{kind}_p_norm"]] = 2 * stats.norm.sf(abs(est) / se) if se > 0 else np.nan
                out.loc[name, f"{kind}_lo"] = est - zq * se
                out.loc[name, f"{kind}_hi"] = est + zq * se
        out.attrs.update(method="analytic", draws=0, ci=ci)
        return out

    kernel = kernel or ImpactKernel(W, method)
    d, ind, tot = kernel.effects(np.array([float(rho)]), b[None, :], t[None, :])
    out["direct"], out["indirect"], out["total"] = d[0], ind[0], tot[0]
    out.attrs.update(method=kernel.method, draws=int(draws), ci=ci)
    if not draws:
        return out
    labels = [rho_name] + names + [theta_labels[n_] for n_ in names if n_ in theta_labels]
    missing = [lab for lab in labels if lab not in vcov.index]
    if missing:
        raise InputError(f"vcov has no entries for {missing}; it must cover rho, beta and theta")
    mean = np.concatenate([[float(rho)], b, [th[n_] for n_ in names if n_ in theta_labels]])
    V = vcov.loc[labels, labels].to_numpy(dtype=float)
    lo, hi = kernel.bounds
    rng = np.random.default_rng(seed)
    sim = _draw(mean, V, int(draws), rng, accept=lambda x: (x[:, 0] > lo) & (x[:, 0] < hi))
    k = len(names)
    sb = sim[:, 1:1 + k]
    st = np.zeros_like(sb)
    lagged = [i for i, n_ in enumerate(names) if n_ in theta_labels]
    st[:, lagged] = sim[:, 1 + k:]
    sims = dict(zip(("direct", "indirect", "total"), kernel.effects(sim[:, 0], sb, st)))
    for kind, s in sims.items():
        out[[f"{kind}_se", f"{kind}_p", f"{kind}_lo", f"{kind}_hi", f"{kind}_sd_draws", f"{kind}_p_norm"]] = \
            np.column_stack(draw_summary(s, alpha))
    return out


def draw_summary(s, alpha):
    """(se, p, lo, hi, sd, p_norm) per column of the draws ``s`` (draws x effects); see the module doc.

    The interval's bounds are order statistics chosen so that ``lo > 0`` exactly when fewer than
    alpha / 2 of the draws are <= 0 and ``hi < 0`` exactly when fewer than alpha / 2 are >= 0,
    which is when ``p = 2 min(share <= 0, share >= 0) < alpha``.
    """
    med = np.median(s, axis=0)
    se = MAD_TO_SD * np.median(np.abs(s - med), axis=0)
    share = np.minimum((s <= 0).mean(axis=0), (s >= 0).mean(axis=0))
    p = np.clip(2 * share, 1.0 / s.shape[0], 1.0)  # 0 is not a p-value R draws can support
    lo = np.quantile(s, alpha / 2, axis=0, method="inverted_cdf")
    hi = -np.quantile(-s, alpha / 2, axis=0, method="inverted_cdf")
    sd = s.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_norm = 2 * stats.norm.sf(np.abs(s.mean(axis=0) / sd))
    return se, p, lo, hi, sd, p_norm
