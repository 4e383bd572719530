"""Numba kernels of geographically weighted regression: one weighted least-squares fit per region.

Why our own kernels instead of calling mgwr: mgwr builds a dense distance row, partitions it and
multiplies the full n x k design by the weights for every region and every bandwidth tried, from
Python (joblib), so a bandwidth search costs O(n^2 k) Python-level work per candidate. Here each
region's neighbourhood comes from a k-nearest-neighbour table computed once (adaptive bisquare
kernels only weight the ``bw`` nearest regions) and only the k x k cross products of the
neighbours are accumulated, in compiled code, with no n x n array anywhere. The arithmetic is the
same as mgwr's (Fotheringham, Brunsdon & Charlton 2002, ch. 2; Oshan et al. 2019, IJGI 8(6) 269),
which the tests check to 1e-6.

Kernel codes: 0 bisquare, 1 Gaussian, 2 exponential. Adaptive bandwidths count neighbours the way
GWR4 and mgwr do: the bandwidth is the distance to the ``bw``-th nearest region, the region itself
included, times 1.0000001, so that regions tied at that distance are all kept.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

BISQUARE, GAUSSIAN, EXPONENTIAL = 0, 1, 2
EPS = 1.0000001  # mgwr's and GWR4's widening of the adaptive bandwidth (ties at the edge stay in)
_CHUNK = 64  # regions per parallel work item (each item owns its scratch buffers)


@njit(cache=True, inline="always")
def _kernel(kind, z):
    if kind == BISQUARE:
        return (1.0 - z * z) ** 2
    if kind == GAUSSIAN:
        return np.exp(-0.5 * z * z)
    return np.exp(-z)


@njit(cache=True)
def _neighbourhood(i, coords, bw, fixed, kind, nn_idx, nn_dist, dbuf, jout, wout):
    """Fill ``jout[:m]``/``wout[:m]`` with the regions weighted at region ``i``; return m.

    The k-nearest table (``nn_idx``, ``nn_dist``, sorted by distance) serves adaptive bisquare
    kernels when it is longer than the bandwidth (or covers every region); otherwise every
    distance is computed (the same formula as mgwr's, so ties and edges fall the same way).
    """
    n = coords.shape[0]
    kk = nn_idx.shape[1]
    if kind == BISQUARE and not fixed and kk > 0 and (kk > bw or kk == n):
        h = nn_dist[i, int(bw) - 1] * EPS
        m = 0
        for t in range(kk):
            d = nn_dist[i, t]
            if d >= h:
                return m
            jout[m] = nn_idx[i, t]
            z = d / h
            wout[m] = (1.0 - z * z) ** 2
            m += 1
        if kk == n:
            return m
    xi = coords[i, 0]
    yi = coords[i, 1]
    for j in range(n):
        dx = xi - coords[j, 0]
        dy = yi - coords[j, 1]
        dbuf[j] = np.sqrt(dx * dx + dy * dy)
    if fixed:
        h = bw
    else:
        h = np.partition(dbuf, int(bw) - 1)[int(bw) - 1] * EPS
    m = 0
    for j in range(n):
        d = dbuf[j]
        if kind == BISQUARE and d >= h:
            continue
        jout[m] = j
        wout[m] = _kernel(kind, d / h)
        m += 1
    return m


@njit(cache=True, inline="always")
def _scratch(n):
    """Per-thread buffers of one neighbourhood: distances, neighbour ids, weights."""
    return np.empty(n), np.empty(n, dtype=np.int64), np.empty(n)


@njit(cache=True, inline="always")
def _small(k):
    """Per-thread k x k cross products, their Cholesky factor, and three k-vectors."""
    return np.empty((k, k)), np.zeros((k, k)), np.empty(k), np.empty(k), np.empty(k)


@njit(cache=True, inline="always")
def _cross(X, y, jout, wout, m, A, b):
    k = X.shape[1]
    A[:, :] = 0.0
    b[:] = 0.0
    for t in range(m):
        j = jout[t]
        w = wout[t]
        for p in range(k):
            wx = w * X[j, p]
            b[p] += wx * y[j]
            for q in range(p + 1):
                A[p, q] += wx * X[j, q]
    for p in range(k):
        for q in range(p):
            A[q, p] = A[p, q]


@njit(cache=True, inline="always")
def _cholesky(A, L):
    """Cholesky factor of a small SPD matrix; False when it is not positive definite."""
    k = A.shape[0]
    for p in range(k):
        s = A[p, p]
        for r in range(p):
            s -= L[p, r] * L[p, r]
        if not s > 1e-12 * abs(A[p, p]) or s <= 0.0:
            return False
        L[p, p] = np.sqrt(s)
        for q in range(p + 1, k):
            s = A[q, p]
            for r in range(p):
                s -= L[q, r] * L[p, r]
            L[q, p] = s / L[p, p]
    return True


@njit(cache=True, inline="always")
def _solve(L, v, out):
    k = L.shape[0]
    for p in range(k):
        s = v[p]
        for r in range(p):
            s -= L[p, r] * out[r]
        out[p] = s / L[p, p]
    for p in range(k - 1, -1, -1):
        s = out[p]
        for r in range(p + 1, k):
            s -= L[r, p] * out[r]
        out[p] = s / L[p, p]


@njit(cache=True, parallel=True)
def fit_lite(coords, X, y, bw, fixed, kind, nn_idx, nn_dist):
    """Residuals and hat-matrix diagonal (influence) only: all a bandwidth criterion needs.

    Returns ``(params, resid, influ, ok)``; ``ok[i]`` is False where the local design is singular.
    """
    n, k = X.shape
    params = np.full((n, k), np.nan)
    resid = np.empty(n)
    influ = np.empty(n)
    ok = np.ones(n, dtype=np.bool_)
    nchunks = (n + _CHUNK - 1) // _CHUNK
    for c in prange(nchunks):
        dbuf, jout, wout = _scratch(n)
        A, L, b, beta, s = _small(k)
        for i in range(c * _CHUNK, min(n, (c + 1) * _CHUNK)):
            m = _neighbourhood(i, coords, bw, fixed, kind, nn_idx, nn_dist, dbuf, jout, wout)
            _cross(X, y, jout, wout, m, A, b)
            if not _cholesky(A, L):
                ok[i] = False
                resid[i] = np.nan
                influ[i] = np.nan
                continue
            _solve(L, b, beta)
            _solve(L, X[i], s)
            fit = 0.0
            h = 0.0
            for p in range(k):
                params[i, p] = beta[p]
                fit += X[i, p] * beta[p]
                h += X[i, p] * s[p]
            resid[i] = y[i] - fit
            influ[i] = h  # the region's own weight is 1 under every kernel (distance 0)
    return params, resid, influ, ok


@njit(cache=True, parallel=True)
def fit_full(coords, X, y, bw, fixed, kind, nn_idx, nn_dist):
    """Local estimates with what inference needs.

    Returns ``params (n,k)``, ``influ``, ``cct (n,k)`` (diagonal of A^-1 B A^-1 with A = X'WX,
    B = X'W^2X: the local covariance before scaling by sigma^2), ``sts`` (row sums of squares of
    the hat matrix, whose total is tr(S'S)), ``cond`` (local condition number of the weighted,
    column-scaled design, as mgwr's ``local_collinearity``), the weighted sums ``sw, swy, swyy``
    of 1, y, y^2 (for the local total sum of squares) and ``ok``.
    """
    n, k = X.shape
    params = np.full((n, k), np.nan)
    influ = np.full(n, np.nan)
    cct = np.full((n, k), np.nan)
    sts = np.full(n, np.nan)
    cond = np.full(n, np.nan)
    sw = np.empty(n)
    swy = np.empty(n)
    swyy = np.empty(n)
    ok = np.ones(n, dtype=np.bool_)
    nchunks = (n + _CHUNK - 1) // _CHUNK
    for c in prange(nchunks):
        dbuf, jout, wout = _scratch(n)
        A, L, b, beta, s = _small(k)
        B, Ainv, col, unit, _ = _small(k)
        G = np.empty((k, k))
        for i in range(c * _CHUNK, min(n, (c + 1) * _CHUNK)):
            m = _neighbourhood(i, coords, bw, fixed, kind, nn_idx, nn_dist, dbuf, jout, wout)
            _cross(X, y, jout, wout, m, A, b)
            B[:, :] = 0.0
            s0 = 0.0
            s1 = 0.0
            s2 = 0.0
            for t in range(m):
                j = jout[t]
                w = wout[t]
                s0 += w
                s1 += w * y[j]
                s2 += w * y[j] * y[j]
                for p in range(k):
                    wx = w * w * X[j, p]
                    for q in range(p + 1):
                        B[p, q] += wx * X[j, q]
            for p in range(k):
                for q in range(p):
                    B[q, p] = B[p, q]
            sw[i] = s0
            swy[i] = s1
            swyy[i] = s2
            if not _cholesky(A, L):
                ok[i] = False
                continue
            _solve(L, b, beta)
            _solve(L, X[i], s)
            for p in range(k):
                unit[:] = 0.0
                unit[p] = 1.0
                _solve(L, unit, col)
                Ainv[:, p] = col
            h = 0.0
            for p in range(k):
                params[i, p] = beta[p]
                h += X[i, p] * s[p]
            influ[i] = h
            # tr(S'S) row i: s' B s with s = A^-1 x_i; covariance diagonal: (A^-1 B A^-1)_pp
            q2 = 0.0
            for p in range(k):
                for q in range(k):
                    q2 += s[p] * B[p, q] * s[q]
            sts[i] = q2
            for p in range(k):
                v = 0.0
                for q in range(k):
                    for r in range(k):
                        v += Ainv[p, q] * B[q, r] * Ainv[r, p]
                cct[i, p] = v
            # condition number of the weighted design with unit-length columns (Belsley 1991)
            for p in range(k):
                for q in range(k):
                    G[p, q] = B[p, q] / np.sqrt(B[p, p] * B[q, q])
            ev = np.linalg.eigvalsh(G)
            cond[i] = np.sqrt(ev[k - 1] / ev[0]) if ev[0] > 0 else np.inf
    return params, influ, cct, sts, cond, sw, swy, swyy, ok


@njit(cache=True, parallel=True)
def weighted_sums(coords, v, bw, fixed, kind, nn_idx, nn_dist):
    """For every region, sum_j w_ij v_j (the local residual sum of squares when v = e^2)."""
    n = coords.shape[0]
    out = np.empty(n)
    nchunks = (n + _CHUNK - 1) // _CHUNK
    for c in prange(nchunks):
        dbuf, jout, wout = _scratch(n)
        for i in range(c * _CHUNK, min(n, (c + 1) * _CHUNK)):
            m = _neighbourhood(i, coords, bw, fixed, kind, nn_idx, nn_dist, dbuf, jout, wout)
            acc = 0.0
            for t in range(m):
                acc += wout[t] * v[jout[t]]
            out[i] = acc
    return out


@njit(cache=True)
def smoother_csr(coords, x, bw, fixed, kind, nn_idx, nn_dist):
    """The one-covariate GWR smoother A (A_ij = x_i w_ij x_j / sum_l w_il x_l^2) as CSR arrays.

    MGWR backfitting applies it to the covariate-specific hat matrices (Yu, Fotheringham, Li,
    Oshan, Kang & Wolf 2019, Geogr. Anal. 52(1), eq. 11). Returns ``(indptr, indices, data)``.
    """
    n = coords.shape[0]
    dbuf, jout, wout = _scratch(n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        indptr[i + 1] = indptr[i] + _neighbourhood(i, coords, bw, fixed, kind, nn_idx, nn_dist, dbuf, jout, wout)
    indices = np.empty(indptr[n], dtype=np.int32)
    data = np.empty(indptr[n])
    for i in range(n):
        m = _neighbourhood(i, coords, bw, fixed, kind, nn_idx, nn_dist, dbuf, jout, wout)
        den = 0.0
        for t in range(m):
            xj = x[jout[t]]
            den += wout[t] * xj * xj
        f = x[i] / den
        for t in range(m):
            indices[indptr[i] + t] = jout[t]
            data[indptr[i] + t] = f * wout[t] * x[jout[t]]
    return indptr, indices, data


@njit(cache=True, parallel=True)
def hat_rows(coords, X, bw, fixed, kind, nn_idx, nn_dist, lo, hi):
    """Covariate parts of the GWR hat matrix for columns lo..hi-1: R[j, i, l] = x_ij (A_i^-1 x_l w_il)_j.

    Summed over j they give the hat matrix S; MGWR starts its covariate-specific hat matrices
    from them (Yu et al. 2019, Geogr. Anal. 52(1) 87-106, sec. 3).
    """
    n, k = X.shape
    R = np.zeros((k, n, hi - lo))
    nchunks = (n + _CHUNK - 1) // _CHUNK
    for c in prange(nchunks):
        dbuf, jout, wout = _scratch(n)
        A, L, b, v, xl = _small(k)
        for i in range(c * _CHUNK, min(n, (c + 1) * _CHUNK)):
            m = _neighbourhood(i, coords, bw, fixed, kind, nn_idx, nn_dist, dbuf, jout, wout)
            _cross(X, X[:, 0], jout, wout, m, A, b)
            _cholesky(A, L)
            for t in range(m):
                col = jout[t]
                if col < lo or col >= hi:
                    continue
                for p in range(k):
                    xl[p] = X[col, p] * wout[t]
                _solve(L, xl, v)
                for p in range(k):
                    R[p, i, col - lo] = X[i, p] * v[p]
    return R


@njit(cache=True)
def outside_bisquare(coords, x, bw, fixed):
    """For a bisquare kernel covering nearly every region: what lies outside each neighbourhood.

    Returns the bandwidths ``h``, ``den_i = sum_j w_ij x_j^2`` over the neighbourhood, and in CSR
    form the polynomial (1 - d^2/h^2)^2 at the regions outside it (d >= h), which the low-rank form
    of the untruncated kernel counts and must take back (see ``mgwr._LowRank``).
    """
    n = coords.shape[0]
    h = np.empty(n)
    den = np.zeros(n)
    dbuf = np.empty(n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    count = 0
    for i in range(n):
        for j in range(n):
            dx = coords[i, 0] - coords[j, 0]
            dy = coords[i, 1] - coords[j, 1]
            dbuf[j] = np.sqrt(dx * dx + dy * dy)
        h[i] = bw if fixed else np.partition(dbuf, int(bw) - 1)[int(bw) - 1] * EPS
        for j in range(n):
            if dbuf[j] >= h[i]:
                count += 1
        indptr[i + 1] = count
    indices = np.empty(count, dtype=np.int32)
    data = np.empty(count)
    for i in range(n):
        pos = indptr[i]
        for j in range(n):
            dx = coords[i, 0] - coords[j, 0]
            dy = coords[i, 1] - coords[j, 1]
            d = np.sqrt(dx * dx + dy * dy)
            z = d / h[i]
            if d >= h[i]:
                indices[pos] = j
                data[pos] = (1.0 - z * z) ** 2
                pos += 1
            else:
                den[i] += (1.0 - z * z) ** 2 * x[j] * x[j]
    return h, den, indptr, indices, data
