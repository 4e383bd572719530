"""Numba kernel: conditional permutation of G_i* for all periods of a panel in one pass.

Why not T calls of the package's one-period kernel: the draws of a region's neighbours can be
shared by all periods (each period's pseudo p-value is still an exact conditional permutation
test; only their dependence across periods changes), so one draw of k neighbours serves T
contiguous values (one cache line for T <= 8 doubles) instead of T separate gathers and T sets
of random numbers. The random streams are the package's SplitMix64 streams keyed by
``(seed, region key)`` (:mod:`spatialcluster.stats._kernels`), so results do not depend on
threads or on the row order.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ..stats._kernels import _below, _stream


@njit(cache=True, parallel=True)
def joint_counts(indptr, indices, weights, X, keys, tol, permutations, seed, n_ge, n_le):
    """Counts of permuted neighbour sums >= / <= the observed, per region and period.

    ``X`` is n x T (C order), the weights exclude the region itself (its own term is fixed
    under conditional permutation and cancels from the comparison); ``tol`` (n x T) is the tie
    half-width. Regions without neighbours get -1.
    """
    n, T = X.shape
    for i in prange(n):
        start, stop = indptr[i], indptr[i + 1]
        k = stop - start
        if k == 0:
            n_ge[i, :] = -1
            n_le[i, :] = -1
            continue
        obs = np.zeros(T)
        for a in range(start, stop):
            for t in range(T):
                obs[t] += weights[a] * X[indices[a], t]
        state = _stream(seed, keys[i])
        draws = np.empty(k, np.int64)
        acc = np.empty(T)
        for _ in range(permutations):
            for a in range(k):
                while True:
                    state, r = _below(state, n - 1)
                    if r >= i:
                        r += 1
                    fresh = True
                    for b in range(a):
                        if draws[b] == r:
                            fresh = False
                            break
                    if fresh:
                        break
                draws[a] = r
            acc[:] = 0.0
            for a in range(k):
                wa = weights[start + a]
                row = draws[a]
                for t in range(T):
                    acc[t] += wa * X[row, t]
            for t in range(T):
                if acc[t] >= obs[t] - tol[i, t]:
                    n_ge[i, t] += 1
                if acc[t] <= obs[t] + tol[i, t]:
                    n_le[i, t] += 1


def permutation_counts(off, X, keys, permutations, seed):
    """Run :func:`joint_counts` on CSR off-diagonal weights; return (n_ge, n_le) as int64 n x T."""
    from ..stats._kernels import TIE_RTOL

    X = np.ascontiguousarray(X, dtype=np.float64)
    n, T = X.shape
    rowabs = np.asarray(abs(off).sum(axis=1)).ravel()
    tol = TIE_RTOL * np.outer(rowabs, np.abs(X).max(axis=0))
    n_ge = np.zeros((n, T), np.int64)
    n_le = np.zeros((n, T), np.int64)
    joint_counts(off.indptr.astype(np.int64), off.indices.astype(np.int64), off.data.astype(np.float64), X,
                 np.asarray(keys, np.int64), tol, int(permutations), np.uint64(seed), n_ge, n_le)
    return n_ge, n_le
