"""Analytic moments of the global statistics under the null (Cliff & Ord 1981)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def s_constants(W: sp.csr_matrix):
    """S0, S1, S2 of Cliff & Ord (1981) for a (possibly asymmetric) weights matrix."""
    s0 = W.sum()
    sym = W + W.T
    s1 = 0.5 * sym.multiply(sym).sum()
    s2 = float(((np.asarray(W.sum(axis=1)).ravel() + np.asarray(W.sum(axis=0)).ravel()) ** 2).sum())
    return float(s0), float(s1), s2


def moran_moments(W: sp.csr_matrix, z: np.ndarray):
    """E[I], Var_norm[I], Var_rand[I] (Cliff & Ord 1981, pp. 21-22) for centred values ``z``."""
    n = z.shape[0]
    s0, s1, s2 = s_constants(W)
    ei = -1.0 / (n - 1)
    var_norm = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n * n - 1) * s0 * s0) - ei * ei
    b2 = n * (z**4).sum() / ((z**2).sum() ** 2)
    a = n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 * s0)
    b = b2 * ((n * n - n) * s1 - 2 * n * s2 + 6 * s0 * s0)
    var_rand = (a - b) / ((n - 1) * (n - 2) * (n - 3) * s0 * s0) - ei * ei
    return ei, var_norm, var_rand, s0


def geary_moments(W: sp.csr_matrix, z: np.ndarray):
    """Var_norm[C], Var_rand[C] (Cliff & Ord 1981, eqs. 1.36 and 1.39) for centred values ``z``."""
    n = z.shape[0]
    s0, s1, s2 = s_constants(W)
    k = n * (z**4).sum() / ((z**2).sum() ** 2)  # sample kurtosis b2
    var_norm = ((2 * s1 + s2) * (n - 1) - 4 * s0 * s0) / (2 * (n + 1) * s0 * s0)
    a = (n - 1) * s1 * (n * n - 3 * n + 3 - (n - 1) * k)
    b = 0.25 * (n - 1) * s2 * (n * n + 3 * n - 6 - (n * n - n + 2) * k)
    c = s0 * s0 * (n * n - 3 - (n - 1) ** 2 * k)
    var_rand = (a - b + c) / (n * (n - 2) * (n - 3) * s0 * s0)
    return var_norm, var_rand, s0


def difference_form(W: sp.csr_matrix) -> sp.csr_matrix:
    """M with ``sum_ij w_ij (y_i - y_j)^2 = -2 y' M y``: M = W - diag(row sums + column sums) / 2.

    Writing Geary's sum of squared differences as a quadratic form lets the global permutation
    kernel (which permutes y on both sides of ``y' M y``) run Geary's C as it runs Moran's I.
    """
    d = np.asarray(W.sum(axis=1)).ravel() + np.asarray(W.sum(axis=0)).ravel()
    M = sp.csr_matrix(W - sp.diags(d / 2))
    M.sort_indices()
    return M
