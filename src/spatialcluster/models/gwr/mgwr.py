"""Multiscale GWR: one bandwidth per covariate, by backfitting.

Method: Fotheringham, Yang & Kang (2017), Ann. AAG 107(6) 1247-1265 (backfitting, one bandwidth
search per covariate and iteration); inference from the covariate-specific hat matrices and their
effective numbers of parameters: Yu, Fotheringham, Li, Oshan, Kang & Wolf (2019), Geogr. Anal.
52(1) 87-106. The steps, stopping rule (score of change, ``tol`` 1e-5, bandwidths frozen after
``bws_same_times`` unchanged iterations) and search conventions follow mgwr's ``multi_bw`` and
``MGWR.fit``, so the same data give the same bandwidths and estimates. The local fits and the
hat-matrix updates run over the kernel's neighbourhood in compiled code, never on dense n x n
smoothers.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..._errors import InputError, SpatialClusterWarning
from ..._progress import progress_bar
from . import bandwidth as bwsel
from ._data import Neighbours, check_bandwidth, check_fixed_locations, design
from ._inference import LocalResult
from ._local import BISQUARE, hat_rows, outside_bisquare, smoother_csr
from .gwr import _select, _spec

# Columns of the covariate hat matrices handled at once: k x n x _COLS floats in memory.
_MEMORY_FLOATS = 40_000_000
# A bisquare smoother leaving out fewer than n / _NEAR_GLOBAL regions per row is applied in
# low-rank form (see _LowRank).
_NEAR_GLOBAL = 16


def _per_covariate(value, k, what):
    if value is None:
        return [None] * k
    if np.ndim(value) == 0:
        return [value] * k
    value = list(value)
    if len(value) == 1:
        return value * k
    if len(value) != k:
        raise InputError(f"{what} has {len(value)} entries; give one value or one per coefficient ({k}, constant first)")
    return value


def mgwr(data: pd.DataFrame, y: str, x, kernel: str = "bisquare", fixed: bool = False, criterion: str = "AICc",
         search: str = "golden", coords=None, init_bandwidth=None, bw_min=None, bw_max=None, interval=None,
         tol: float = 1.0e-5, max_iter: int = 200, rss_score: bool = False, bws_same_times: int = 5,
         standardize: bool = False, alpha: float = 0.05, constant: bool = True, progress=None) -> MGWRResult:
    """Fit a multiscale GWR (one bandwidth per coefficient).

    Parameters
    ----------
    data, y, x, kernel, fixed, criterion, search, coords, interval :
        As in :func:`spatialcluster.gwr`.
    init_bandwidth : optional
        Starting bandwidth for all coefficients; default: a GWR bandwidth search, as mgwr.
    bw_min, bw_max : float or list, optional
        Search bounds, one value or one per coefficient (constant first); default [42, n] neighbours.
    tol, max_iter, rss_score, bws_same_times :
        Backfitting stop: the score of change (or the relative change of RSS when ``rss_score``)
        below ``tol``; bandwidths kept once unchanged ``bws_same_times`` iterations in a row.
    standardize : bool
        Standardise y and x to mean 0, s.d. 1 first (recommended so that bandwidths are
        comparable, Fotheringham et al. 2017; mgwr's tests do it by hand). Estimates are then
        in standard deviations.

    Returns
    -------
    MGWRResult
    """
    d = design(data, y, x, coords, constant)
    if standardize:
        d.y = (d.y - d.y.mean()) / d.y.std()
        cols = slice(1, None) if constant else slice(None)
        d.X[:, cols] = (d.X[:, cols] - d.X[:, cols].mean(axis=0)) / d.X[:, cols].std(axis=0)
    spec = _spec(kernel, fixed, criterion, search, None, None, interval, 1.0e-6, 200)
    if fixed:
        check_fixed_locations(d)
    n, k = d.n, d.k
    lo, hi = _per_covariate(bw_min, k, "bw_min"), _per_covariate(bw_max, k, "bw_max")
    nb = Neighbours(d.coords, share=1.0)  # one table serves every search of the backfitting
    if init_bandwidth is None:
        bw_init = _select(d.y, d.X, d.coords, spec, nb, d.ids)[0]
    else:
        check_bandwidth(init_bandwidth, fixed, d, "init_bandwidth")
        bw_init = init_bandwidth
    full = bwsel.Scorer(d.y, d.X, d.coords, spec["kind"], spec["fixed"], nb, spec["criterion"], d.ids)
    params, err, _ = full.fit(bw_init)
    XB = params * d.X
    rss = float(err @ err)
    bws = np.empty(k)
    history, scores = [], []
    stable = 0
    with progress_bar("MGWR backfitting", max_iter, progress) as advance:
        for it in range(1, max_iter + 1):
            new_XB = np.zeros_like(d.X)
            params = np.zeros_like(d.X)
            for j in range(k):
                ytmp = XB[:, j] + err
                Xj = np.ascontiguousarray(d.X[:, j:j + 1])
                if stable >= bws_same_times:
                    bw = bws[j]
                else:
                    sj = dict(spec, bw_min=lo[j], bw_max=hi[j])
                    bw = _select(ytmp, Xj, d.coords, sj, nb, d.ids)[0]
                scorer = bwsel.Scorer(ytmp, Xj, d.coords, spec["kind"], spec["fixed"], nb, spec["criterion"], d.ids)
                pj, err, _ = scorer.fit(bw)
                params[:, j] = pj[:, 0]
                new_XB[:, j] = pj[:, 0] * Xj[:, 0]
                bws[j] = bw
            stable = stable + 1 if it > 1 and np.all(history[-1] == bws) else 0
            score = np.sqrt((np.sum((new_XB - XB) ** 2) / n) / np.sum(np.sum(new_XB, axis=1) ** 2))
            XB = new_XB
            if rss_score:
                new_rss = float(np.sum((d.y - np.sum(params * d.X, axis=1)) ** 2))
                score = abs((new_rss - rss) / new_rss)
                rss = new_rss
            scores.append(score)
            history.append(bws.copy())
            advance(1)
            if score < tol:
                break
    if scores[-1] >= tol:
        warnings.warn(f"MGWR backfitting stopped after max_iter={max_iter} iterations without converging (change score "
                      f"{scores[-1]:.3g} >= tol {tol:g}); the estimates and their inference are those of the last "
                      "iteration. Raise max_iter.", SpatialClusterWarning, stacklevel=2)
    return MGWRResult(d, spec, bw_init, np.array(history), np.array(scores), params, alpha, nb, progress)


def spatial_order(coords: np.ndarray) -> np.ndarray:
    """Regions sorted along a Morton (Z-order) curve, so that neighbours are close in memory."""
    span = np.ptp(coords, axis=0)
    q = ((coords - coords.min(axis=0)) / np.where(span > 0, span, 1.0) * 65535).astype(np.uint64)
    code = np.zeros(len(coords), dtype=np.uint64)
    for bit in range(16):
        for dim in range(2):
            code |= ((q[:, dim] >> np.uint64(bit)) & np.uint64(1)) << np.uint64(2 * bit + dim)
    return np.argsort(code, kind="stable")


def covariate_hat(d, spec, bw_init, history, nb_search=None, progress=None):
    """ENP_j = tr(R_j) and the unscaled variances sum_l (R_j[i, l] / x_ij)^2 (mgwr ``_chunk_compute_R``).

    R_j starts from the GWR hat matrix's covariate parts at the initial bandwidth and follows the
    backfitting iterations with each iteration's bandwidths, so it matches mgwr's (not the
    closed form, which the backfitting only approaches). Columns are processed in blocks, with
    the regions in spatial (Morton) order, so that consecutive regions share neighbours (see
    :class:`_Blocks`). Traces and row sums do not depend on the order; rows are put back at the end.
    """
    n, k = d.n, d.k
    kind, fixed = spec["kind"], spec["fixed"]
    order = spatial_order(d.coords)
    coords, X = np.ascontiguousarray(d.coords[order]), np.ascontiguousarray(d.X[order])
    nb = Neighbours(coords, share=1.0) if nb_search is None else nb_search.permuted(order)
    smoothers = {}
    for j, bw in {(j, float(b[j])) for b in history for j in range(k)}:
        smoothers[j, bw] = _smoother(coords, X[:, j].copy(), bw, fixed, kind, nb)
    block = max(1, min(n, _MEMORY_FLOATS // (2 * k * n)))
    enp = np.zeros(k)
    cct = np.zeros((n, k))
    starts = range(0, n, block)
    with progress_bar("MGWR inference", len(starts), progress) as advance:
        for lo in starts:
            hi = min(n, lo + block)
            idx, dist = nb.table(bw_init, kind, fixed)
            R = hat_rows(coords, X, float(bw_init), fixed, kind, idx, dist, lo, hi)
            err = -R.sum(axis=0)
            err[np.arange(lo, hi), np.arange(hi - lo)] += 1.0
            for bws in history:
                for j in range(k):
                    old = R[j] + err
                    R[j] = smoothers[j, float(bws[j])] @ old
                    err = old - R[j]
            for j in range(k):
                cct[order, j] += np.sum((R[j] / X[:, j:j + 1]) ** 2, axis=1)
                enp[j] += np.trace(R[j][lo:hi, :])
            advance(1)
    return enp, cct


def _smoother(coords, x, bw, fixed, kind, nb):
    """The one-covariate smoother at ``bw``, in the cheapest exact form for applying it many times."""
    n = len(x)
    if kind == BISQUARE and (fixed or n - bw < n / _NEAR_GLOBAL):
        h, den, indptr, indices, data = outside_bisquare(coords, x, bw, fixed)
        if len(data) < n * n / _NEAR_GLOBAL:
            return _LowRank(coords, x, h, den, sp.csr_matrix((data, indices, indptr), shape=(n, n)))
    idx, dist = nb.table(bw, kind, fixed)
    indptr, indices, data = smoother_csr(coords, x, bw, fixed, kind, idx, dist)
    return _Blocks(sp.csr_matrix((data, indices, indptr), shape=(n, n)))


class _LowRank:
    """A bisquare smoother that covers nearly every region, as rank 10 minus a sparse remainder.

    Why: near-global bandwidths are common in MGWR (a relationship that does not vary), and their
    smoother is a dense n x n matrix. But (1 - d^2/h^2)^2 is a polynomial of degree 4 in the
    coordinates: with d^2 = a(i).phi(j), a(i) = (|u_i|^2, -2u_i, 1), phi(j) = (1, u_j, |u_j|^2)
    (u centred and scaled coordinates), the untruncated kernel is F M' with the 10 products
    phi_p phi_q as M's columns. Subtracting the polynomial at the few regions beyond each h (the
    sparse ``outside``) gives the truncated kernel exactly; A V then costs O(n (10 + outside) c)
    instead of O(n^2 c). Agreement with the sparse form is tested to 1e-10.
    """

    def __init__(self, coords, x, h, den, outside: sp.csr_matrix):
        centre = coords.mean(axis=0)
        scale = np.abs(coords - centre).max() or 1.0
        u = (coords - centre) / scale
        g2 = (h / scale) ** 2
        one = np.ones(len(x))
        phi = [one, u[:, 0], u[:, 1], (u ** 2).sum(axis=1)]
        a = [phi[3], -2.0 * u[:, 0], -2.0 * u[:, 1], one]
        pairs = [(p, q) for p in range(4) for q in range(p, 4)]
        self.M = np.column_stack([phi[p] * phi[q] for p, q in pairs])
        cols = []
        for p, q in pairs:
            c = (a[p] * a[q] * (1.0 if p == q else 2.0)) / (g2 * g2)
            if p == 0:
                c = c - 2.0 * a[q] / g2 + (1.0 if q == 0 else 0.0)
            cols.append(c)
        self.F = np.column_stack(cols)
        self.x = x
        self.f = x / den
        self.outside = _Blocks(outside)

    def __matmul__(self, V: np.ndarray) -> np.ndarray:
        xV = self.x[:, None] * V
        return self.f[:, None] * (self.F @ (self.M.T @ xV) - self.outside @ xV)


class _Blocks:
    """A smoother (CSR) as dense blocks of ``rows`` consecutive, spatially close regions.

    The regions of a block share most neighbours, so the block's rows restricted to the union of
    their neighbours are nearly dense; a BLAS product per block runs about 3x faster than a sparse
    row-by-row product (measured at n = 2,000, 300 neighbours). The blocks are built once and
    serve every column block and backfitting iteration that uses this bandwidth.
    """

    def __init__(self, A: sp.csr_matrix, rows: int = 128):
        n = A.shape[0]
        self.n = n
        self.blocks = []
        for i0 in range(0, n, rows):
            sub = A[i0:i0 + rows]
            cols = np.unique(sub.indices)
            dense = np.zeros((sub.shape[0], len(cols)))
            r = np.repeat(np.arange(sub.shape[0]), np.diff(sub.indptr))
            dense[r, np.searchsorted(cols, sub.indices)] = sub.data
            self.blocks.append((i0, None if len(cols) == n else cols, dense))

    def __matmul__(self, V: np.ndarray) -> np.ndarray:
        out = np.empty((self.n, V.shape[1]))
        for i0, cols, dense in self.blocks:
            out[i0:i0 + len(dense)] = dense @ (V if cols is None else V[cols])
        return out


class MGWRResult(LocalResult):
    """A fitted multiscale GWR.

    Attributes
    ----------
    bandwidths : Series
        One bandwidth per coefficient (``"const"``, x...).
    bandwidth : Series
        Alias of ``bandwidths``.
    bandwidth_init : int or float
        GWR bandwidth the backfitting started from.
    bandwidth_history : DataFrame
        Bandwidths at each backfitting iteration; ``scores``: the change score per iteration.
    params, std_err, tvalues, significant : DataFrame
        Regions x coefficients; significance at alpha / ENP_j (da Silva & Fotheringham 2016,
        covariate-specific as in Yu et al. 2019).
    enp_j : Series
        Covariate-specific effective numbers of parameters; ``enp`` their sum = tr(S).
    r2, adj_r2, aicc, aic, bic, sigma2, llf : float
    """

    kind = "MGWR"

    def __init__(self, d, spec, bw_init, history, scores, params, alpha, nb=None, progress=None):
        self.kernel, self.fixed, self.criterion = spec["kernel"], spec["fixed"], spec["criterion"]
        cast = (lambda v: int(v)) if not spec["fixed"] else float
        self.bandwidths = pd.Series([cast(b) for b in history[-1]], index=d.names, name="bandwidth")
        self.bandwidth = self.bandwidths
        self.bandwidth_init = bw_init
        self.bandwidth_history = pd.DataFrame(history, columns=d.names)
        self.bandwidth_history.index = pd.RangeIndex(1, len(history) + 1, name="iteration")
        self.scores = pd.Series(scores, index=self.bandwidth_history.index, name="score")
        enp_j, cct = covariate_hat(d, spec, bw_init, history, nb, progress)
        self.enp_j = pd.Series(enp_j, index=d.names, name="enp")
        self.tr_s = self.enp = float(enp_j.sum())
        n = d.n
        resid = d.y - np.sum(params * d.X, axis=1)
        self.sigma2 = float(resid @ resid) / (n - self.tr_s)
        self._finish_local(d, params, cct, self.sigma2, [(1, e) for e in enp_j], alpha)
        self.llf = bwsel.gaussian_llf(n, self.rss)
        self.aicc = -2.0 * self.llf + 2.0 * n * (self.tr_s + 1.0) / (n - self.tr_s - 2.0)
        self.aic = -2.0 * self.llf + 2.0 * (self.tr_s + 1.0)
        self.bic = -2.0 * self.llf + (self.tr_s + 1.0) * np.log(n)
        self.adj_r2 = 1.0 - (1.0 - self.r2) * (n - 1) / (n - self.enp - 1)

    def summary(self) -> str:
        unit = "neighbours" if not self.fixed else "distance units"
        head = [
            f"MGWR: {self.y_name} ~ {' + '.join(self.x)}  ({self.n} regions, {len(self.scores)} backfitting iterations)",
            f"kernel {self.kernel} ({'fixed' if self.fixed else 'adaptive'}), bandwidths in {unit} by {self.criterion}",
            f"R2 {self.r2:.4f}  adj. R2 {self.adj_r2:.4f}  AICc {self.aicc:.3f}  ENP {self.enp:.3f}  sigma2 {self.sigma2:.4f}",
        ]
        table = self.coefficient_table()
        table.insert(0, "bandwidth", self.bandwidths)
        table.insert(1, "enp", self.enp_j)
        return "\n".join(head) + "\n" + table.to_string(float_format=lambda v: f"{v:.4f}")

    def to_record(self) -> dict:
        rec = self._record_common()
        rec.update({"bandwidths": {k: float(v) for k, v in self.bandwidths.items()},
                    "enp_j": {k: float(v) for k, v in self.enp_j.items()}, "kernel": self.kernel,
                    "fixed": self.fixed, "criterion": self.criterion, "iterations": int(len(self.scores))})
        return rec
