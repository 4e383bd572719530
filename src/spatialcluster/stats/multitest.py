"""Multiple-testing control for local statistics (one test per region).

A LISA map of N regions runs N tests: at 5 % about N/20 regions look "significant" by chance.
The corrections here are the ones regional scientists meet in GeoDa and esda:

- ``"bonferroni"``: p * m, family-wise error control (Dunn 1961).
- ``"fdr"``: Benjamini & Hochberg (1995) step-up adjusted p-values, false discovery rate control.
- ``"fdr_bound"``: the cut-off of esda's ``fdr`` / GeoDa's "False Discovery Rate" option
  (Castro & Singer 2006): the largest i * alpha / m with p_(i) < i * alpha / m, or alpha / m
  (Bonferroni) when there is none. Regions with p <= that bound are significant. It rejects the
  same regions as ``"fdr"`` except for ties at the boundary, and is kept so GeoDa maps can be
  reproduced.

NaN p-values (islands) are not tests: they are left out of m and stay NaN.
"""

from __future__ import annotations

import numpy as np

from .._errors import InputError

CORRECTIONS = (None, "bonferroni", "fdr", "fdr_bound")


def check_correction(correction):
    """Normalise ``correction`` ("none" and None are the same); reject unknown names."""
    if isinstance(correction, str) and correction.lower() == "none":
        correction = None
    if correction not in CORRECTIONS:
        raise InputError(
            f"correction={correction!r} is not known; use one of None, 'bonferroni', 'fdr' "
            "(Benjamini-Hochberg) or 'fdr_bound' (esda/GeoDa FDR cut-off)."
        )
    return correction


def bh_adjust(p):
    """Benjamini-Hochberg adjusted p-values (NaN kept as NaN)."""
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return out
    order = np.argsort(p[ok], kind="stable")
    ranked = p[ok][order] * m / np.arange(1, m + 1)
    # step-up: the adjusted value of rank i is the smallest ranked value at rank >= i
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(ranked, 1.0)
    out[ok] = adjusted
    return out


def bonferroni_adjust(p):
    """Bonferroni adjusted p-values, min(1, p * m) with m the number of non-NaN p-values."""
    p = np.asarray(p, dtype=float)
    m = int((~np.isnan(p)).sum())
    return np.minimum(p * m, 1.0)


def fdr_bound(p, alpha):
    """esda's / GeoDa's FDR cut-off for the non-NaN p-values (see the module docstring)."""
    p = np.asarray(p, dtype=float)
    p = np.sort(p[~np.isnan(p)])
    m = p.size
    if m == 0:
        return alpha
    bounds = np.arange(1, m + 1) * alpha / m
    below = np.nonzero(p < bounds)[0]
    return float(bounds[below[-1]]) if below.size else alpha / m


def adjust(p, correction, alpha):
    """Adjusted p-values and the threshold they are compared with.

    Returns
    -------
    p_adjusted : ndarray
        Bonferroni or BH adjusted p-values; the raw p-values for None and ``"fdr_bound"``.
    threshold : float
        ``alpha``, except for ``"fdr_bound"`` where it is the esda/GeoDa cut-off. A region is
        significant when ``p_adjusted <= threshold``.
    """
    correction = check_correction(correction)
    p = np.asarray(p, dtype=float)
    if correction == "bonferroni":
        return bonferroni_adjust(p), alpha
    if correction == "fdr":
        return bh_adjust(p), alpha
    if correction == "fdr_bound":
        return p.copy(), fdr_bound(p, alpha)
    return p.copy(), alpha


def significant(p, correction, alpha):
    """Boolean mask of significant tests (NaN p-values are never significant)."""
    p_adj, threshold = adjust(p, correction, alpha)
    with np.errstate(invalid="ignore"):
        return np.asarray(p_adj <= threshold) & ~np.isnan(p_adj)
