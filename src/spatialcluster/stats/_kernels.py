"""Numba kernels for conditional and total permutation inference.

Why our own kernels instead of ``esda.crand``: esda copies all N values for every observation
(``z[np.arange(n) != i]``, which makes it quadratic in N), keeps an N x permutations matrix of
simulated statistics by default and uses one table of draws for every observation. Here each
block of 64 observations draws its own table and gathers its values once (see ``_local_block``),
no observation copies the data, and only counts and moments are kept: memory is O(N) plus a
k_max x permutations table per thread unless the simulations are asked for.

Reproducibility: every observation (local statistics) and every permutation (global statistics)
has its own SplitMix64 random stream keyed by ``(seed, index)``. Results therefore do not depend
on the number of threads, on chunking, or on the order in which numba schedules the work. The
public statistics call the kernels with the regions sorted by id (``_core.id_order``), so the
index, and with it every region's draws, follows the region's id rather than its row.
Reference for the generator: Steele, Lea & Flood (2014), "Fast splittable pseudorandom number
generators", OOPSLA; for the bounded draw: Lemire (2019), "Fast random integer generation in an
interval", ACM TOMACS 29(1).
"""

from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp
from numba import njit, prange

from .._errors import InputError

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53
_S11 = np.uint64(11)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_TABLE_SALT = np.uint64(0x5DEECE66D1F3A7B9)  # separates the block tables' streams from the rest
# Observations per shared draw table: the table costs k_max x permutations draws per block,
# about 1/_BLOCK of the gathers it serves.
_BLOCK = 64
BLOCK = _BLOCK
# Permuted statistics within this relative distance of the observed one count as ties, on both
# sides: with discrete data (0/1, small integers) a permuted sum of the same values in another
# order lands an ulp or so away from the observed one and would otherwise fall on one side at
# random. The tolerance is relative to a bound on the sum's magnitude (the weights' absolute sum
# times the largest |value|), so 1e-10 covers the rounding of sums of up to ~10**5 terms while
# staying far below any real difference.
TIE_RTOL = 1e-10


@njit(cache=True, inline="always")
def _mix(z):
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@njit(cache=True, inline="always")
def _stream(seed, index):
    """Starting state of the random stream of one observation or permutation."""
    return _mix(_mix(seed) + _GOLDEN * (np.uint64(index) + np.uint64(1)))


@njit(cache=True, inline="always")
def _below(state, m):
    """Advance the stream; return it and a uniform integer in [0, m).

    The top 53 bits of the SplitMix64 output scaled by m (Lemire 2019, Sec. 2, in floating
    point): the bias is below m / 2**53, i.e. nil for any N that fits in memory, and there is no
    rejection loop in the hot path.
    """
    state = state + _GOLDEN
    return state, np.int64(np.float64(_mix(state) >> _S11) * _INV53 * m)


@njit(cache=True)
def _draw_table(table, scratch, swaps, seed, block, m):
    """Fill ``table`` (k_max x permutations) with draws from 0..m-1, distinct within a column.

    Partial Fisher-Yates over ``scratch`` (the identity 0..m-1); every position touched is
    reset afterwards, so scratch is the identity again for the next column.
    """
    k_max, permutations = table.shape
    state = _stream(seed ^ _TABLE_SALT, block)
    for p in range(permutations):
        for t in range(k_max):
            state, r = _below(state, m - t)
            r += t
            swaps[t] = r
            tmp = scratch[t]
            scratch[t] = scratch[r]
            scratch[r] = tmp
            table[t, p] = scratch[t]
        for t in range(k_max):
            scratch[t] = t
            scratch[swaps[t]] = np.int32(swaps[t])


@njit(cache=True, error_model="numpy")
def _replace_self(table, p, k, i, n, state):
    """Index (0..n-1) that replaces observation ``i`` in column ``p``, and the advanced stream.

    Uniform over the indices that are neither ``i`` nor already in the column's k draws: given a
    uniform k-subset of 0..n-1 that contains i, swapping i for such an index yields a uniform
    k-subset of the other n - 1 (each subset is reached from k + 1 configurations, all equally
    likely).
    """
    while True:
        state, x = _below(state, n)
        if x == i:
            continue
        fresh = True
        for t in range(k):
            if table[t, p] == x:
                fresh = False
                break
        if fresh:
            return x, state


@njit(cache=True, inline="always")
def _term(values, i, j, squared):
    """What neighbour j adds (before its weight) to the statistic of observation i.

    Linear statistics (Moran, Getis-Ord): its value; squared-difference ones (Geary): the squared
    distance ``sum_c (v_ic - v_jc)^2`` over the columns of ``values``.
    """
    if not squared:
        return values[j, 0]
    total = 0.0
    for c in range(values.shape[1]):
        d = values[i, c] - values[j, c]
        total += d * d
    return total


@njit(cache=True)
def _block_buffers(n, m, k_max, permutations):
    """Work arrays of one thread's blocks: (scratch, swaps, table, gathered, hit_t, hit_p, hit_i).

    ``gathered[c, t, p]`` holds column c of the value drawn in row t of permutation p; the hit
    arrays list the (row, permutation, observation) of table entries that fall inside the block.
    """
    scratch = np.arange(n).astype(np.int32)  # int32 halves the table: it stays in L1 cache
    swaps = np.empty(k_max, dtype=np.int64)
    table = np.empty((k_max, permutations), dtype=np.int32)
    gathered = np.empty((m, k_max, permutations))
    hit_t = np.empty(k_max * permutations, dtype=np.int64)
    hit_p = np.empty(k_max * permutations, dtype=np.int64)
    hit_i = np.empty(k_max * permutations, dtype=np.int64)
    return scratch, swaps, table, gathered, hit_t, hit_p, hit_i


@njit(cache=True, inline="always")
def _draw_gather(buffers, seed, b0, b1, values):
    """Draw the table of the block starting at ``b0`` and gather its ``values`` (n x m) into the
    buffers of :func:`_block_buffers`; return the number of table entries inside ``b0..b1-1``.

    Shared by the one-period kernel (:func:`_local_block`) and the panel kernel of emerging hot
    spots, so both draw the same neighbours from the same seed.
    """
    scratch, swaps, table, gathered, hit_t, hit_p, hit_i = buffers
    n, m = values.shape
    _draw_table(table, scratch, swaps, seed, b0 // _BLOCK, n)
    hits = 0
    for t in range(table.shape[0]):
        for p in range(table.shape[1]):
            j = table[t, p]
            for c in range(m):
                gathered[c, t, p] = values[j, c]
            if b0 <= j < b1:
                hit_t[hits] = t
                hit_p[hits] = p
                hit_i[hits] = j
                hits += 1
    return hits


@njit(cache=True, error_model="numpy")
def _local_block(start, stop, base, indptr, indices, weights, selfw, values, squared, scale, permutations,
                 seed, keep, k_max, n_ge, n_le, mean, sd, observed, sims):
    """Conditional permutation for observations ``start..stop-1`` (one thread's share).

    ``values`` is n x m. Linear statistics (``squared`` False, m = 1: Moran, Getis-Ord): the
    statistic of observation i is ``scale[i] * (selfw[i] * v_i + sum_j w_ij v_j)``.
    Squared-difference statistics (``squared`` True: local Geary, Anselin 1995 and 2019):
    ``scale[i] * sum_j w_ij sum_c (v_ic - v_jc)^2`` (a self-weight adds nothing). Under the null
    the k_i neighbours' rows are replaced by k_i rows drawn without replacement from the other
    n - 1 observations (Anselin 1995, conditional randomisation).

    Draws: every block of ``_BLOCK`` consecutive observations shares a table of random
    k_max-subsets of 0..n-1 (one column per permutation, from the block's own stream) whose
    values are gathered once per block; observation i uses the first k_i rows of each column
    and, in the rare columns that contain i itself, swaps i for a uniformly drawn index not in
    the column (``_replace_self``, from the observation's own stream), which leaves a uniform
    k_i-subset of the other n - 1. So every observation's reference distribution is exactly the
    conditional-permutation null. Observations of one block share their Monte Carlo error (esda
    and GeoDa's lookup mode share one table among all N); gathering the values once per block
    instead of once per observation makes the kernel several times faster, because each
    observation then reads k_max x permutations contiguous numbers instead of scattered ones.
    The draws do not depend on ``squared`` or m: the same seed draws the same neighbours.

    The per-observation arrays (``indptr``, ``selfw``, ``scale`` and the outputs) hold rows
    ``base, base + 1, ...``: a Dask chunk passes only its own rows, while the draws follow the
    global observation number i.
    """
    n, m = values.shape
    vmax = np.zeros(m)
    for j in range(n):
        for c in range(m):
            vmax[c] = max(vmax[c], abs(values[j, c]))
    buffers = _block_buffers(n, m, k_max, permutations)
    table, gathered, hit_t, hit_p, hit_i = buffers[2:]
    acc = np.empty(permutations)
    for b0 in range(start, stop, _BLOCK):
        b1 = min(stop, b0 + _BLOCK)
        hits = _draw_gather(buffers, seed, b0, b1, values)
        for i in range(b0, b1):
            r = i - base
            lo = indptr[r]
            k = indptr[r + 1] - lo
            if k == 0:
                continue  # island: left as NaN / -1 by the caller
            if squared:
                total, bound = _squared_sums(values, vmax, i, indices, weights, lo, k, gathered, acc)
            else:
                total, bound = _linear_sums(values, vmax, i, selfw[r], indices, weights, lo, k, gathered[0], acc)
            si = scale[r]
            obs = si * total
            observed[r] = obs
            state = _stream(seed, i)
            own = _term(values, i, i, squared)
            for h in range(hits):
                if hit_i[h] == i and hit_t[h] < k:
                    x, state = _replace_self(table, hit_p[h], k, i, n, state)
                    acc[hit_p[h]] += weights[lo + hit_t[h]] * (_term(values, i, x, squared) - own)
            n_ge[r], n_le[r], mean[r], sd[r] = _tally(acc, si, obs, TIE_RTOL * abs(si) * bound)
            if keep:
                for p in range(permutations):
                    sims[r, p] = si * acc[p]


@njit(cache=True, inline="always")
def _linear_sums(values, vmax, i, selfw, indices, weights, lo, k, gathered, acc):
    """Observed ``selfw v_i + sum_j w_ij v_j``, a bound on any draw's magnitude, and ``acc`` filled
    with the sum for every column of ``gathered`` (k x permutations neighbour values)."""
    own = selfw * values[i, 0]
    total = own
    bound = abs(own)  # bounds |sum| for any draw of the neighbours' values
    for t in range(k):
        total += weights[lo + t] * values[indices[lo + t], 0]
        bound += abs(weights[lo + t]) * vmax[0]
    acc[:] = own
    permutations = acc.shape[0]
    t = 0
    while t + 1 < k:  # two rows per pass over acc: half its loads and stores
        w0 = weights[lo + t]
        w1 = weights[lo + t + 1]
        row0 = gathered[t]
        row1 = gathered[t + 1]
        for p in range(permutations):
            acc[p] += w0 * row0[p] + w1 * row1[p]
        t += 2
    if t < k:
        wt = weights[lo + t]
        row = gathered[t]
        for p in range(permutations):
            acc[p] += wt * row[p]
    return total, bound


@njit(cache=True, inline="always")
def _squared_sums(values, vmax, i, indices, weights, lo, k, gathered, acc):
    """Observed ``sum_j w_ij sum_c (v_ic - v_jc)^2``, a bound on any draw's magnitude, and ``acc``
    filled with the sum for every permutation (``gathered``: m x k x permutations values)."""
    total = 0.0
    reach = 0.0  # bounds sum_c (v_ic - v_jc)^2 for any j
    for c in range(values.shape[1]):
        reach += (abs(values[i, c]) + vmax[c]) ** 2
    bound = 0.0
    for t in range(k):
        total += weights[lo + t] * _term(values, i, indices[lo + t], True)
        bound += abs(weights[lo + t]) * reach
    acc[:] = 0.0
    permutations = acc.shape[0]
    for c in range(values.shape[1]):
        vi = values[i, c]
        for t in range(k):
            wt = weights[lo + t]
            row = gathered[c, t]
            for p in range(permutations):
                d = vi - row[p]
                acc[p] += wt * d * d
    return total, bound


@njit(cache=True, error_model="numpy")
def _tally(acc, si, obs, tol):
    """Counts of permuted statistics >= and <= the observed one, their mean and sd (ddof 0).

    Draws within ``tol`` of the observed value are ties and count on both sides (as at least as
    extreme), as exact equality would with exact arithmetic.
    """
    permutations = acc.shape[0]
    ge = 0
    le = 0
    s1 = 0.0
    s2 = 0.0
    for p in range(permutations):
        sim = si * acc[p]
        ge += sim >= obs - tol
        le += sim <= obs + tol
        d = sim - obs  # shifted sums: no cancellation when the mean is far from 0
        s1 += d
        s2 += d * d
    mu = s1 / permutations
    return ge, le, obs + mu, np.sqrt(max(s2 / permutations - mu * mu, 0.0))


@njit(cache=True, parallel=True)
def _local_parallel(bounds, base, indptr, indices, weights, selfw, values, squared, scale, permutations,
                    seed, keep, k_max, n_ge, n_le, mean, sd, observed, sims):
    """Run ``_local_block`` on the ranges ``bounds[c]..bounds[c+1]`` in parallel.

    ``k_max`` fixes the draw tables' height: callers running a subset of the observations (the
    Dask chunks) pass the global largest neighbour count so the draws match a single call.
    """
    for c in prange(bounds.shape[0] - 1):
        _local_block(bounds[c], bounds[c + 1], base, indptr, indices, weights, selfw, values, squared,
                     scale, permutations, seed, keep, k_max, n_ge, n_le, mean, sd, observed, sims)


def _bounds(start, stop, parts, align=1):
    """Split start..stop into ``parts`` ranges whose inner edges are multiples of ``align``."""
    edges = np.linspace(start, stop, parts + 1)
    edges = (np.round(edges / align) * align).astype(np.int64)
    edges[0], edges[-1] = start, stop
    return np.unique(np.clip(edges, start, stop))


def local_permutation(indptr, indices, weights, selfw, values, scale, permutations, seed, *,
                      keep=False, start=0, stop=None, out=None, squared=False):
    """Run the conditional-permutation kernel on observations ``start..stop-1``.

    ``values``: a vector (linear statistics) or an n x m array (``squared=True``: Geary's sum of
    squared differences over the m columns). ``out`` (from :func:`local_buffers`) is filled in
    place and returned, so a caller can run the observations in blocks (for a progress bar) with
    results identical to one call, as long as ``start`` is a multiple of :data:`BLOCK`.
    """
    n = values.shape[0]
    stop = n if stop is None else stop
    if out is None:
        out = local_buffers(n, permutations, keep)
    k_max = int(np.diff(indptr).max()) if n else 0
    bounds = _bounds(start, stop, numba.get_num_threads(), _BLOCK)
    _local_parallel(bounds, np.int64(0), indptr.astype(np.int64), _column_indices(indices, n),
                    np.ascontiguousarray(weights, dtype=np.float64),
                    np.ascontiguousarray(selfw, dtype=np.float64),
                    as_columns(values, squared), bool(squared),
                    np.ascontiguousarray(scale, dtype=np.float64), int(permutations),
                    np.uint64(seed), bool(keep), k_max, out["n_ge"], out["n_le"], out["mean"],
                    out["sd"], out["observed"], out["sims"])
    return out


def as_columns(values, squared):
    """``values`` as the kernel's C-contiguous n x m float array (m = 1 for linear statistics)."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2 or (not squared and values.shape[1] != 1):
        wanted = "a vector or an n x m array" if squared else "a vector"
        raise InputError(f"the kernel needs {wanted}, got shape {values.shape}")
    return np.ascontiguousarray(values)


def _column_indices(indices, n):
    """Column indices as int32 (no copy of SciPy's usual int32 indices: a large W is not duplicated)."""
    if n >= 2**31:
        raise InputError(f"{n} observations exceed the kernels' 32-bit column indices")
    return np.asarray(indices, dtype=np.int32)


def local_buffers(n, permutations, keep):
    """Output arrays of :func:`local_permutation`; islands keep NaN / -1."""
    return {
        "n_ge": np.full(n, -1, dtype=np.int64),
        "n_le": np.full(n, -1, dtype=np.int64),
        "mean": np.full(n, np.nan),
        "sd": np.full(n, np.nan),
        "observed": np.full(n, np.nan),
        "sims": np.full((n, permutations) if keep else (0, 0), np.nan),
    }


def global_form(W, left, same):
    """What every permutation of a global cross-product ``left' W y`` needs, computed once.

    Univariate (``same``: ``y' W y`` with y permuted on both sides): the quadratic form of the
    symmetric part, ``sum_i w_ii y_i^2 + sum_{i<j} (w_ij + w_ji) y_i y_j``: the upper triangle of
    ``W + W'`` holds half of the links, so each permutation visits half as many. Bivariate:
    ``left' W y = (W' left)' y``, one dot product per permutation instead of a product with W.

    Returns a tuple for :func:`global_permutation`.
    """
    W = sp.csr_matrix(W, dtype=np.float64)
    if not same:
        coef = np.ascontiguousarray(W.T @ np.asarray(left, dtype=np.float64))
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0), np.empty(0), coef
    upper = sp.triu(W + W.T, k=1, format="csr")
    upper.sort_indices()
    return (upper.indptr.astype(np.int64), upper.indices.astype(np.int64),
            np.ascontiguousarray(upper.data), np.ascontiguousarray(W.diagonal()), np.empty(0))


@njit(cache=True, inline="always")
def _shuffle(buf, right, seed, p):
    """``buf`` = permutation number p of ``right`` (Fisher-Yates from stream (seed, p))."""
    n = right.shape[0]
    buf[:] = right
    state = _stream(seed, p)
    for t in range(n - 1):
        state, r = _below(state, n - t)
        r += t
        tmp = buf[t]
        buf[t] = buf[r]
        buf[r] = tmp


@njit(cache=True)
def _quadratic_block(start, stop, first, indptr, indices, weights, diag, right, seed, out):
    """``y_p' W y_p`` for permutations ``first + start .. first + stop - 1``, four at a time.

    The four permuted vectors sit side by side (row i holds their four i-th values), so each
    link's index and weight are loaded once for four products and each gather reads one cache
    line. Every column's arithmetic is its own: the result of permutation p does not depend on
    which others share its group.
    """
    n = right.shape[0]
    one = np.empty(n)
    buf = np.zeros((n, 4))
    for g in range(start, stop, 4):
        m = min(4, stop - g)
        for t in range(m):
            _shuffle(one, right, seed, first + g + t)
            buf[:, t] = one
        for t in range(m, 4):
            buf[:, t] = 0.0
        s0 = 0.0
        s1 = 0.0
        s2 = 0.0
        s3 = 0.0
        for i in range(n):
            d = diag[i]
            a0 = d * buf[i, 0]
            a1 = d * buf[i, 1]
            a2 = d * buf[i, 2]
            a3 = d * buf[i, 3]
            for q in range(indptr[i], indptr[i + 1]):
                w = weights[q]
                j = indices[q]
                a0 += w * buf[j, 0]
                a1 += w * buf[j, 1]
                a2 += w * buf[j, 2]
                a3 += w * buf[j, 3]
            s0 += buf[i, 0] * a0
            s1 += buf[i, 1] * a1
            s2 += buf[i, 2] * a2
            s3 += buf[i, 3] * a3
        sums = (s0, s1, s2, s3)
        for t in range(m):
            out[g + t] = sums[t]


@njit(cache=True)
def _linear_block(start, stop, first, coef, right, seed, out):
    """``coef' y_p`` for permutations ``first + start .. first + stop - 1``."""
    buf = np.empty(right.shape[0])
    for p in range(start, stop):
        _shuffle(buf, right, seed, first + p)
        total = 0.0
        for i in range(buf.shape[0]):  # a plain loop: BLAS's dot costs more per call at this size
            total += coef[i] * buf[i]
        out[p] = total


@njit(cache=True, parallel=True)
def _global_parallel(bounds, first, indptr, indices, weights, diag, coef, right, seed, out):
    for c in prange(bounds.shape[0] - 1):
        if coef.shape[0]:
            _linear_block(bounds[c], bounds[c + 1], first, coef, right, seed, out)
        else:
            _quadratic_block(bounds[c], bounds[c + 1], first, indptr, indices, weights, diag, right,
                             seed, out)


def global_permutation(form, right, seed, *, start, stop):
    """Cross-products ``left' W y`` for permutations ``start..stop-1`` y of ``right``.

    ``form`` comes from :func:`global_form` (which fixed ``left`` and whether y stands on both
    sides). Permutation p uses stream ``(seed, p)``, so the draws and the results do not depend
    on the thread count or on how the permutations are split into calls.
    """
    count = stop - start
    out = np.empty(count)
    bounds = _bounds(0, count, numba.get_num_threads())
    _global_parallel(bounds, np.int64(start), *form, np.ascontiguousarray(right, dtype=np.float64),
                     np.uint64(seed), out)
    return out
