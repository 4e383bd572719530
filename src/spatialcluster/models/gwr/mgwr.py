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

import numpy as np
import pandas as pd

from ..._errors import InputError
from ..._progress import progress_bar
from . import bandwidth as bwsel
from ._data import Neighbours, check_fixed_locations, design
from ._inference import LocalResult
from ._local import hat_rows, smooth_columns
from .gwr import _select, _spec

# Columns of the covariate hat matrices handled at once: k x n x _COLS floats in memory.
_MEMORY_FLOATS = 40_000_000


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
    nb = Neighbours(d.coords)
    if init_bandwidth is None:
        bw_init = _select(d.y, d.X, d.coords, spec, nb, d.ids)[0]
    else:
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
    return MGWRResult(d, spec, nb, bw_init, np.array(history), np.array(scores), params, alpha, progress)


def covariate_hat(d, spec, nb, bw_init, history, progress=None):
    """ENP_j = tr(R_j) and the unscaled variances sum_l (R_j[i, l] / x_ij)^2 (mgwr ``_chunk_compute_R``).

    R_j starts from the GWR hat matrix's covariate parts at the initial bandwidth and follows the
    backfitting iterations with each iteration's bandwidths, so it matches mgwr's (not the
    closed form, which the backfitting only approaches). Columns are processed in blocks.
    """
    n, k = d.n, d.k
    kind, fixed = spec["kind"], spec["fixed"]
    block = max(1, min(n, _MEMORY_FLOATS // (2 * k * n)))
    enp = np.zeros(k)
    cct = np.zeros((n, k))
    starts = range(0, n, block)
    with progress_bar("MGWR inference", len(starts), progress) as advance:
        for lo in starts:
            hi = min(n, lo + block)
            idx, dist = nb.table(bw_init, kind, fixed)
            R = hat_rows(d.coords, d.X, float(bw_init), fixed, kind, idx, dist, lo, hi)
            err = -R.sum(axis=0)
            err[np.arange(lo, hi), np.arange(hi - lo)] += 1.0
            for bws in history:
                for j in range(k):
                    old = R[j] + err
                    idx, dist = nb.table(bws[j], kind, fixed)
                    R[j] = smooth_columns(d.coords, d.X[:, j].copy(), float(bws[j]), fixed, kind, idx, dist, old)
                    err = old - R[j]
            for j in range(k):
                cct[:, j] += np.sum((R[j] / d.X[:, j:j + 1]) ** 2, axis=1)
                enp[j] += np.trace(R[j][lo:hi, :])
            advance(1)
    return enp, cct


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

    def __init__(self, d, spec, nb, bw_init, history, scores, params, alpha, progress=None):
        self.kernel, self.fixed, self.criterion = spec["kernel"], spec["fixed"], spec["criterion"]
        cast = (lambda v: int(v)) if not spec["fixed"] else float
        self.bandwidths = pd.Series([cast(b) for b in history[-1]], index=d.names, name="bandwidth")
        self.bandwidth = self.bandwidths
        self.bandwidth_init = bw_init
        self.bandwidth_history = pd.DataFrame(history, columns=d.names)
        self.bandwidth_history.index = pd.RangeIndex(1, len(history) + 1, name="iteration")
        self.scores = pd.Series(scores, index=self.bandwidth_history.index, name="score")
        enp_j, cct = covariate_hat(d, spec, nb, bw_init, history, progress)
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
        table = self._coef_table()
        table.insert(0, "bandwidth", self.bandwidths)
        table.insert(1, "enp", self.enp_j)
        return "\n".join(head) + "\n" + table.to_string(float_format=lambda v: f"{v:.4f}")

    def to_record(self) -> dict:
        rec = self._record_common()
        rec.update({"bandwidths": {k: float(v) for k, v in self.bandwidths.items()},
                    "enp_j": {k: float(v) for k, v in self.enp_j.items()}, "kernel": self.kernel,
                    "fixed": self.fixed, "criterion": self.criterion, "iterations": int(len(self.scores))})
        return rec
