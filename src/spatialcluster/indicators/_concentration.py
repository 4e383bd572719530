"""Array formulas of the agglomeration and specialisation indices (regions in rows, industries in columns).

Written out because the references (R's REAT and EconGeo, Stata's ``egindex``) are not
Python; each formula is tested against a hand-worked case and its textbook bounds.
"""

from __future__ import annotations

import numpy as np

#: Ellison & Glaeser's (1997, p. 912) reading of gamma: not very, moderately, highly localised.
EG_CLASSES = ((0.02, "low"), (0.05, "moderate"), (np.inf, "high"))


def eg_gamma(s: np.ndarray, x: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Raw concentration G_j = sum_i (s_ij - x_i)^2 and EG's gamma_j, for industry shares ``s`` (n x m),
    regional shares of total employment ``x`` (n) and plant Herfindahls ``h`` (m)."""
    g = ((s - x[:, None]) ** 2).sum(axis=0)
    one_x2 = 1.0 - np.sum(x * x)
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma = (g - one_x2 * h) / (one_x2 * (1.0 - h))
    return g, gamma


def coagglomeration(s: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Pairwise co-agglomeration (Ellison, Glaeser & Kerr 2010, eq. 2):
    gamma^c_jk = sum_i (s_ij - x_i)(s_ik - x_i) / (1 - sum_i x_i^2), an m x m matrix."""
    d = s - x[:, None]
    return d.T @ d / (1.0 - np.sum(x * x))


def locational_gini(s: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Locational Gini of each industry: the x-weighted Gini of its location quotients s_ij / x_i,
    G_j = 1/2 sum_i sum_k x_i x_k |LQ_ij - LQ_kj| (mean LQ is 1), in O(n log n) per industry.

    With regions sorted by LQ and the weight share below each region S_<i, the double sum is
    2 sum_i x_i LQ_i (2 S_<i + x_i - 1) (see :func:`spatialcluster.indicators.gini`)."""
    lq = s / x[:, None]
    order = np.argsort(lq, axis=0, kind="stable")
    lq_sorted = np.take_along_axis(lq, order, axis=0)
    w = x[order]
    below = np.cumsum(w, axis=0) - w
    return np.sum(w * lq_sorted * (2 * below + w - 1), axis=0)


def hoover(s: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Hoover's coefficient of localisation 1/2 sum_i |s_ij - x_i| in [0, 1 - min x]."""
    return 0.5 * np.abs(s - x[:, None]).sum(axis=0)


def herfindahl(s: np.ndarray) -> np.ndarray:
    """Herfindahl-Hirschman index of each column's shares, sum_i s_ij^2 in [1/n, 1]."""
    return np.sum(s * s, axis=0)


def krugman_nation(z: np.ndarray, zbar: np.ndarray) -> np.ndarray:
    """Krugman specialisation of each region against the nation: sum_j |z_ij - z_j| in [0, 2)."""
    return np.abs(z - zbar[None, :]).sum(axis=1)


def krugman_rest(e: np.ndarray) -> np.ndarray:
    """Krugman specialisation of each region against the rest of the nation (all other regions),
    sum_j |z_ij - z_(-i)j| as EconGeo's ``Krugman.index``; e is the region x industry table."""
    rest = e.sum(axis=0)[None, :] - e
    z = e / e.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        zr = rest / rest.sum(axis=1, keepdims=True)
    return np.abs(z - zr).sum(axis=1)


def pairwise_l1(a: np.ndarray) -> np.ndarray:
    """sum_k |a_ik - a_jk| for every pair of rows (Krugman's dissimilarity index)."""
    from scipy.spatial.distance import cdist

    return cdist(a, a, metric="cityblock")


def eg_class(gamma: np.ndarray) -> np.ndarray:
    out = np.empty(gamma.shape, dtype=object)
    lower = -np.inf
    for upper, label in EG_CLASSES:
        out[(gamma >= lower) & (gamma < upper)] = label
        lower = upper
    out[np.isnan(gamma)] = "undefined"
    return out
