"""Bandwidth criteria (AICc, AIC, BIC, CV) and searches (golden section, equal interval).

The searches follow mgwr's ``search.golden_section`` and ``search.equal_interval`` step for step,
including their conventions, so that the same data give the same bandwidth: adaptive candidates
are rounded to whole neighbours with NumPy's round-half-to-even, the search stops when two
successive scores differ by less than ``tol`` and returns the last retained candidate rounded to
two decimals, and the initial bracket is [40 + 2k, n] neighbours (adaptive) or
[min nearest-neighbour distance / 2, 2 x max distance] (fixed). Sources: Fotheringham, Brunsdon &
Charlton (2002), *Geographically Weighted Regression*, Wiley, sec. 9.6.4 (golden section) and
eqs. 2.31-2.34 (criteria); Oshan, Li, Kang, Wolf & Fotheringham (2019), IJGI 8(6) 269 (mgwr).
"""

from __future__ import annotations

import numpy as np

from ..._errors import InputError
from ._local import fit_lite

CRITERIA = ("AICc", "AIC", "BIC", "CV")
DELTA = 0.38197  # 1 - (sqrt(5) - 1) / 2, as mgwr writes it


def gaussian_llf(n: int, rss: float) -> float:
    """Gaussian log-likelihood at the ML variance RSS / n."""
    return -0.5 * n * (np.log(2.0 * np.pi * rss / n) + 1.0)


def criterion_value(criterion: str, resid: np.ndarray, influ: np.ndarray) -> float:
    """AICc (FBC 2002 eq. 2.33), AIC (eq. 4.22), BIC (eq. 2.34) or CV (eq. 2.31, divided by n as GWR4)."""
    n = len(resid)
    rss = float(resid @ resid)
    tr_s = float(influ.sum())
    if criterion == "CV":
        return float(np.sum((resid / (1.0 - influ)) ** 2) / n)
    llf = gaussian_llf(n, rss)
    if criterion == "AICc":
        return -2.0 * llf + 2.0 * n * (tr_s + 1.0) / (n - tr_s - 2.0)
    if criterion == "AIC":
        return -2.0 * llf + 2.0 * (tr_s + 1.0)
    return -2.0 * llf + (tr_s + 1.0) * np.log(n)


def check_criterion(criterion: str) -> str:
    for c in CRITERIA:
        if str(criterion).lower() == c.lower():
            return c
    raise InputError(f"criterion={criterion!r} is not supported; use one of {', '.join(CRITERIA)}")


class Scorer:
    """Criterion of a GWR fit at a bandwidth, with the neighbour table shared across calls."""

    def __init__(self, y, X, coords, kind, fixed, neighbours, criterion, ids=None, tick=None):
        self.y = y
        self.X = X
        self.coords = coords
        self.kind = kind
        self.fixed = fixed
        self.neighbours = neighbours
        self.criterion = criterion
        self.ids = ids
        self.tick = tick
        self.calls = 0

    def fit(self, bw):
        idx, dist = self.neighbours.table(bw, self.kind, self.fixed)
        params, resid, influ, ok = fit_lite(self.coords, self.X, self.y, float(bw), self.fixed, self.kind, idx, dist)
        if not ok.all():
            raise singular_error(self.ids, ~ok, bw)
        return params, resid, influ

    def __call__(self, bw) -> float:
        self.calls += 1
        if self.tick is not None:
            self.tick(1)
        _, resid, influ = self.fit(bw)
        return criterion_value(self.criterion, resid, influ)


def singular_error(ids, bad, bw) -> InputError:
    from ..._validate import _names

    where = _names(ids[bad]) if ids is not None else f"{int(bad.sum())} regions"
    return InputError(
        f"the local design is singular at bandwidth {bw:g} for regions {where}: too few neighbours with "
        "weight, or regressors that do not vary among them (local collinearity). Use a larger bandwidth, "
        "fewer regressors, or a bandwidth search (bandwidth=None)."
    )


def initial_bracket(coords, k: int, fixed: bool, neighbours) -> tuple[float, float]:
    """mgwr's starting interval: [40 + 2k, n] neighbours, or [min NN distance / 2, 2 x max distance]."""
    n = len(coords)
    if not fixed:
        return float(min(40 + 2 * k, max(k + 1, n - 1))), float(n)
    dist, _ = neighbours._tree.query(coords, k=2)
    min_dist = float(dist[:, 1].min())
    return min_dist / 2.0, 2.0 * _diameter(coords)


def _diameter(coords) -> float:
    """Largest distance between two points, from the convex hull's vertices (O(h^2), not O(n^2))."""
    from scipy.spatial import ConvexHull
    from scipy.spatial.distance import pdist

    try:
        pts = coords[ConvexHull(coords).vertices]
    except Exception:  # collinear or too few points: the hull is degenerate, use all points
        pts = coords
    return float(pdist(pts).max())


def golden_section(a, c, function, tol=1.0e-6, max_iter=200, int_score=False):
    """mgwr's golden-section search; returns ``(bandwidth, score, history)``."""
    b = a + DELTA * np.abs(c - a)
    d = c - DELTA * np.abs(c - a)
    opt_val = opt_score = None
    diff = 1.0e9
    iters = 0
    scores = {}
    history = []
    while np.abs(diff) > tol and iters < max_iter:
        iters += 1
        if int_score:
            b = np.round(b)
            d = np.round(d)
        for v in (b, d):
            if v not in scores:
                scores[v] = function(v)
                history.append((float(v), scores[v]))
        score_b, score_d = scores[b], scores[d]
        if score_b <= score_d:
            opt_val, opt_score = b, score_b
            c = d
            d = b
            b = a + DELTA * np.abs(c - a)
        else:
            opt_val, opt_score = d, score_d
            a = b
            b = d
            d = c - DELTA * np.abs(c - a)
        opt_val = np.round(opt_val, 2)
        diff = score_b - score_d
    return float(opt_val), float(opt_score), history


def equal_interval(lo, hi, interval, function, int_score=False):
    """mgwr's equal-interval search from ``lo`` to ``hi`` in steps of ``interval``."""
    if not interval or interval <= 0:
        raise InputError("search='interval' needs interval > 0 (the step between candidate bandwidths)")
    a, c, b = lo, hi, lo + interval
    if int_score:
        a, c, b = np.round(a, 0), np.round(c, 0), np.round(b, 0)
    history = [(float(a), function(a))]
    opt_val, opt_score = history[0]
    while b < c:
        s = function(b)
        history.append((float(b), s))
        if s < opt_score:
            opt_val, opt_score = b, s
        b = b + interval
    s = function(c)
    history.append((float(c), s))
    if s < opt_score:
        opt_val, opt_score = c, s
    return float(opt_val), float(opt_score), history


def search(scorer: Scorer, fixed: bool, method: str = "golden", bw_min=None, bw_max=None, interval=None,
           tol=1.0e-6, max_iter=200):
    """Select a bandwidth; returns ``(bandwidth, score, history)``."""
    a, c = initial_bracket(scorer.coords, scorer.X.shape[1], fixed, scorer.neighbours)
    if bw_min is not None:
        a = float(bw_min)
    if bw_max is not None and np.isfinite(bw_max):
        c = float(bw_max)
    if not fixed:
        c = min(c, float(len(scorer.y)))
        a = max(a, float(scorer.X.shape[1] + 1))
    if a > c:
        raise InputError(f"bandwidth search bounds are reversed: bw_min={a:g} > bw_max={c:g}")
    method = str(method).lower()
    if method in ("golden", "golden_section"):
        bw, score, hist = golden_section(a, c, scorer, tol, max_iter, int_score=not fixed)
    elif method == "interval":
        bw, score, hist = equal_interval(a, c, interval, scorer, int_score=not fixed)
    else:
        raise InputError(f"search={method!r} is not supported; use 'golden' or 'interval'")
    return (int(bw) if not fixed else bw), score, hist
