"""Strata for GeoDetector: sums of squares by stratum and the discretisation of continuous factors.

Everything works on integer stratum codes with ``np.bincount``, so that the optimal-parameter
search (methods x numbers of classes x factors) costs one pass over the data per candidate.
"""

from __future__ import annotations

import numpy as np

DISCRETISATIONS = ("quantile", "natural", "equal")
#: Fisher-Jenks is O(k n^2): above this many values it runs on a seeded random sample (with the
#: minimum and maximum), as mapclassify's FisherJenksSampled does (0.01 s per k at 2,000 values).
JENKS_SAMPLE = 2000


def stratum_stats(y: np.ndarray, codes: np.ndarray, n_strata: int | None = None):
    """Counts, means and within sums of squares by stratum (codes 0..L-1); y must be centred."""
    n = np.bincount(codes, minlength=n_strata or 0).astype(np.float64)
    s = np.bincount(codes, weights=y, minlength=n_strata or 0)
    ss = np.bincount(codes, weights=y * y, minlength=n_strata or 0)
    keep = n > 0
    n, s, ss = n[keep], s[keep], ss[keep]
    mean = s / n
    return n, mean, np.maximum(ss - s * mean, 0.0)


def q_value(y: np.ndarray, codes: np.ndarray, sst: float) -> float:
    """q = 1 - SSW / SST (Wang et al. 2010, 2016); y centred, SST its total sum of squares."""
    _, _, ssw = stratum_stats(y, codes)
    return float(1.0 - ssw.sum() / sst)


def codes_of(values) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes 0..L-1 and the sorted stratum labels of a categorical factor."""
    labels, codes = np.unique(np.asarray(values), return_inverse=True)
    return codes.astype(np.intp), labels


def breaks(x: np.ndarray, method: str, k: int, seed: int = 0) -> np.ndarray:
    """Inner cut-offs (at most k - 1, increasing, unique) of ``x`` into k classes."""
    if method == "equal":
        lo, hi = x.min(), x.max()
        cuts = lo + (hi - lo) * np.arange(1, k) / k
    elif method == "quantile":
        cuts = np.quantile(x, np.arange(1, k) / k)
    elif method == "natural":
        import mapclassify

        sample = x
        if x.size > JENKS_SAMPLE:
            rng = np.random.default_rng(seed)
            sample = np.concatenate([rng.choice(x, JENKS_SAMPLE - 2, replace=False), [x.min(), x.max()]])
        cuts = mapclassify.FisherJenks(sample, k=k).bins[:-1]
    else:  # pragma: no cover - checked by the caller
        raise ValueError(method)
    cuts = np.unique(cuts)
    return cuts[(cuts >= x.min()) & (cuts < x.max())]


def classify(x: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Class codes 0..len(cuts): a value equal to a cut-off belongs to the lower class."""
    codes = np.searchsorted(cuts, x, side="left")
    # Empty classes (possible with equal intervals) are dropped so that codes stay 0..L-1.
    used = np.flatnonzero(np.bincount(codes, minlength=cuts.size + 1))
    if used.size != cuts.size + 1:
        codes = np.searchsorted(used, codes)
    return codes.astype(np.intp)
