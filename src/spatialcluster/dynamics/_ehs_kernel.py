"""Numba kernel: conditional permutation of G_i* for all periods of a panel in one pass.

It follows the package's one-period kernel (:func:`spatialcluster.stats._kernels._local_block`):
every block of 64 regions shares a table of random k_max-subsets of the regions (one column per
permutation), whose values are gathered once per block so each region reads contiguous numbers;
a region drawn into its own column is swapped for another (``_replace_self``), which leaves an
exact conditional-permutation null for every region. What is new: one table serves all T
periods (the gathered block is T x k_max x permutations, drawn and gathered by the same
:func:`~spatialcluster.stats._kernels._draw_gather`), so the random draws and the scattered
reads are paid once instead of T times. Each period's pseudo p-value is still an exact
conditional permutation test; only their dependence across periods changes. Streams are keyed
by block and region number in id order, so results do not depend on threads or row order.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

from ..stats._kernels import _BLOCK, TIE_RTOL, _block_buffers, _bounds, _draw_gather, _replace_self, _stream


@njit(cache=True, error_model="numpy")
def _joint_block(start, stop, indptr, indices, weights, X, xmax, permutations, seed, k_max, n_ge, n_le):
    n, T = X.shape
    buffers = _block_buffers(n, T, k_max, permutations)
    table, gathered = buffers[2], buffers[3]  # gathered[t, a, p]: period t of row a's draw
    hit_t, hit_p, hit_i = buffers[4:]
    acc = np.empty((T, permutations))
    for b0 in range(start, stop, _BLOCK):
        b1 = min(stop, b0 + _BLOCK)
        hits = _draw_gather(buffers, seed, b0, b1, X)
        for i in range(b0, b1):
            lo = indptr[i]
            k = indptr[i + 1] - lo
            if k == 0:
                continue  # island: counts stay -1
            rowabs = 0.0
            for a in range(k):
                rowabs += abs(weights[lo + a])
            for t in range(T):
                out = acc[t]
                out[:] = 0.0
                a = 0
                while a + 1 < k:  # two rows per pass over acc: half its loads and stores
                    w0 = weights[lo + a]
                    w1 = weights[lo + a + 1]
                    row0 = gathered[t, a]
                    row1 = gathered[t, a + 1]
                    for p in range(permutations):
                        out[p] += w0 * row0[p] + w1 * row1[p]
                    a += 2
                if a < k:
                    wa = weights[lo + a]
                    row = gathered[t, a]
                    for p in range(permutations):
                        out[p] += wa * row[p]
            state = _stream(seed, i)
            for h in range(hits):
                if hit_i[h] == i and hit_t[h] < k:
                    x, state = _replace_self(table, hit_p[h], k, i, n, state)
                    wa = weights[lo + hit_t[h]]
                    for t in range(T):
                        acc[t, hit_p[h]] += wa * (X[x, t] - X[i, t])
            for t in range(T):
                obs = 0.0
                for a in range(k):
                    obs += weights[lo + a] * X[indices[lo + a], t]
                tol = TIE_RTOL * rowabs * xmax[t]
                ge = 0
                le = 0
                for p in range(permutations):
                    ge += acc[t, p] >= obs - tol
                    le += acc[t, p] <= obs + tol
                n_ge[i, t] = ge
                n_le[i, t] = le


@njit(cache=True, parallel=True)
def _joint_parallel(bounds, indptr, indices, weights, X, xmax, permutations, seed, k_max, n_ge, n_le):
    for c in prange(bounds.shape[0] - 1):
        _joint_block(bounds[c], bounds[c + 1], indptr, indices, weights, X, xmax, permutations, seed, k_max,
                     n_ge, n_le)


def permutation_counts(off, X, permutations, seed, start=0, stop=None, out=None):
    """Counts (n_ge, n_le), n x T, of permuted neighbour sums >= / <= the observed, rows ``start..stop-1``.

    ``off`` holds the weights without the region itself (its own term is fixed under conditional
    permutation and cancels from the comparison); islands keep -1. Slices starting at multiples of
    the block size give the same draws as one call (for a progress bar).
    """
    X = np.ascontiguousarray(X, dtype=np.float64)
    n, T = X.shape
    stop = n if stop is None else stop
    if out is None:
        out = (np.full((n, T), -1, np.int64), np.full((n, T), -1, np.int64))
    k_max = int(np.diff(off.indptr).max()) if n else 0
    bounds = _bounds(start, stop, numba.get_num_threads(), _BLOCK)
    _joint_parallel(bounds, off.indptr.astype(np.int64), np.asarray(off.indices, np.int32),
                    np.ascontiguousarray(off.data, dtype=np.float64), X, np.abs(X).max(axis=0), int(permutations),
                    np.uint64(seed), k_max, out[0], out[1])
    return out
