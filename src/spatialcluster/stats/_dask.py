"""Permutation inference on a Dask cluster: the same kernels and the same draws, split into chunks.

Local statistics (LISA, bivariate LISA, G_i, G_i*) are split by observation into chunks whose
edges are multiples of :data:`~spatialcluster.stats._kernels.BLOCK`. Each chunk carries its own
rows of the weights (its neighbours' indices and weights) and its slice of the self-weights and
scales; the value vector itself is scattered once to every worker, because conditional
permutation draws each observation's reference values from all the other N - 1 (Anselin 1995),
so every chunk needs the whole pool, not only its neighbours' values. On the worker the chunk
runs the single-machine kernel with *global* observation indices, so it draws from the same
random streams ((seed, observation) for the offsets, (seed, block) for the draw tables) and with
the same table shape (the global largest neighbour count): results are identical to
:func:`spatialcluster.stats.local.run_local` bit for bit, whatever the chunking, the number of
workers or their threads.

Global Moran's I permutes the whole vector in every draw, so its work is split by permutation
instead: permutation p is drawn from stream (seed, p) wherever it runs, and each worker holds the
weights once.

The entry points mirror the single-machine ones so that the public functions only pass a client
through: :func:`run_local` takes the arguments of ``stats.local.run_local`` and returns the same
dictionary; :func:`run_global` takes those of ``stats.global_._permute`` and returns the same
array. :func:`local_moran_dask`, :func:`getis_ord_dask` and :func:`moran_dask` start from a value
vector and a CSR matrix (what ``sc.local_moran`` / ``sc.getis_ord`` / ``sc.moran`` have at hand).
"""

from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp

from .._errors import ConfigError, InputError, SpatialClusterError
from .._progress import progress_bar
from . import _core
# The private kernel entry: the public ``local_permutation`` derives the draw tables' height from
# the rows it is given, and a chunk must use the global largest neighbour count.
from ._kernels import (BLOCK, _bounds, _column_indices, _local_parallel, as_columns, global_form, global_permutation,
                       local_buffers)

# Chunks per worker by default: enough to balance uneven workers, few enough that each chunk's
# O(N) scratch (the kernel's index pool) stays small beside its work.
_CHUNKS_PER_WORKER = 4
_OUTPUTS = ("n_ge", "n_le", "mean", "sd", "observed")


def get_client(client=None):
    """The ``dask.distributed.Client`` to use: ``client``, else the one already running.

    Raises
    ------
    ConfigError
        When dask.distributed is not installed or no client is running.
    """
    if client is not None:
        return client
    try:
        from distributed import get_client as running
    except ImportError as exc:  # pragma: no cover - the dask extra is installed for tests
        raise ConfigError(
            "engine='dask' needs dask.distributed: pip install 'spatialcluster[dask]'"
        ) from exc
    try:
        return running()
    except ValueError as exc:
        raise ConfigError(
            "engine='dask' found no running dask.distributed Client; start one first, e.g. "
            "Client() for this machine or Client('tcp://scheduler:8786') for a cluster, or pass client=."
        ) from exc


ENGINES = (None, "numba", "dask")


def resolve_engine(engine=None, client=None):
    """The client to run on, or None for this machine's kernels.

    ``engine="dask"`` uses ``client`` or the running client; passing a ``client`` implies it.
    ``engine=None`` or ``"numba"`` without a client runs here.
    """
    if engine not in ENGINES:
        raise InputError(f"engine={engine!r} is not known; use 'numba' (this machine) or 'dask' (a cluster)")
    if engine == "numba" and client is not None:
        raise InputError("client= runs on a Dask cluster, but engine='numba' asks for this machine; pass one of them")
    if engine == "dask" or client is not None:
        return get_client(client)
    return None


def _n_workers(client) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


def chunk_edges(n: int, chunk_size: int | None, n_workers: int) -> np.ndarray:
    """Edges 0 = e_0 < e_1 < ... < e_k = n with every inner edge a multiple of BLOCK.

    ``chunk_size`` (observations per chunk) is rounded up to a multiple of BLOCK; by default
    there are about four chunks per worker.
    """
    if chunk_size is None:
        chunk_size = -(-n // (_CHUNKS_PER_WORKER * n_workers))
    elif isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
        raise InputError(f"chunk_size must be a positive integer (observations per chunk), got {chunk_size!r}")
    size = BLOCK * max(1, -(-int(chunk_size) // BLOCK))
    return np.r_[np.arange(0, n, size, dtype=np.int64), n]


def _finished(futures):
    """(chunk start, result) as chunks finish; a failed or lost chunk raises, naming the chunk."""
    from distributed import as_completed

    for future in as_completed(futures):
        if future.status != "finished":
            detail = repr(future.exception()) if future.status == "error" else future.status
            raise SpatialClusterError(
                f"the Dask chunk starting at observation/permutation {futures[future]} did not finish "
                f"({detail}); check the workers' logs (out of memory, lost worker) and rerun"
            )
        yield futures[future], future.result()


def _local_chunk(start, stop, k_max, rows, values, squared, permutations, seed):
    """Worker side: the kernel on observations ``start..stop-1`` of an N-observation problem.

    ``rows`` = (indptr, indices, weights, selfw, scale) of the chunk's own rows, indices global;
    ``values`` is the whole n x m value array (``_kernels.as_columns``). The kernel reads the rows relative to ``start`` and
    draws by global observation number, so the draws are those of the single-machine run and
    the chunk's memory is its own rows plus the pool.
    """
    indptr, indices, weights, selfw, scale = rows
    out = local_buffers(stop - start, permutations, False)
    bounds = _bounds(start, stop, numba.get_num_threads(), BLOCK)
    _local_parallel(bounds, np.int64(start), indptr, indices, weights, selfw, values, squared, scale,
                    int(permutations), np.uint64(seed), False, int(k_max), out["n_ge"], out["n_le"],
                    out["mean"], out["sd"], out["observed"], out["sims"])
    return {key: out[key] for key in _OUTPUTS}


def run_local(off, selfw, values, scale, permutations, seed, *, keep=False, label="local statistic",
              progress=None, client=None, chunk_size=None, squared=False):
    """Conditional permutation of every observation on a Dask cluster.

    Drop-in for ``stats.local.run_local`` (same arguments plus ``client`` and ``chunk_size``,
    same returned dictionary, identical values for the same seed).

    Parameters
    ----------
    off : scipy.sparse.csr_matrix
        Off-diagonal weights, sorted indices (``_core.split_diagonal``).
    selfw, values, scale : ndarray
        Self-weights, the permuted variable(s) and each observation's scale factor.
    permutations : int
    seed : int
        A resolved seed (``_core.resolve_seed``).
    keep : bool
        Must be False: an N x permutations matrix is not gathered from a cluster.
    label, progress
        Progress bar text and switch (one step per finished chunk).
    client : dask.distributed.Client, optional
        Default: the running client.
    chunk_size : int, optional
        Observations per chunk (rounded up to a multiple of BLOCK).
    squared : bool
        Squared-difference statistic (Geary) on the columns of ``values``.

    Returns
    -------
    dict
        ``n_ge``, ``n_le``, ``mean``, ``sd``, ``observed`` (length N; islands -1 / NaN) and an
        empty ``sims``.
    """
    if keep:
        raise InputError(
            "keep_simulations=True is not available with engine='dask' (it would gather an "
            "N x permutations matrix on this machine); run without it, or on one machine."
        )
    client = get_client(client)
    n = values.shape[0]
    off = sp.csr_matrix(off)
    indptr = off.indptr.astype(np.int64)
    indices = _column_indices(off.indices, n)
    weights = np.ascontiguousarray(off.data, dtype=np.float64)
    selfw = np.ascontiguousarray(selfw, dtype=np.float64)
    scale = np.ascontiguousarray(np.broadcast_to(scale, (n,)), dtype=np.float64)
    k_max = int(np.diff(indptr).max()) if n else 0
    edges = chunk_edges(n, chunk_size, _n_workers(client))
    chunks = []
    for start, stop in zip(edges[:-1], edges[1:]):
        lo, hi = indptr[start], indptr[stop]
        chunks.append((indptr[start:stop + 1] - lo, indices[lo:hi], weights[lo:hi],
                       selfw[start:stop], scale[start:stop]))
    pool = client.scatter(as_columns(values, squared), broadcast=True, hash=False)
    rows = client.scatter(chunks, hash=False)
    futures = {
        client.submit(_local_chunk, int(start), int(stop), k_max, part, pool, squared, permutations, seed,
                      pure=False): int(start)
        for start, stop, part in zip(edges[:-1], edges[1:], rows)
    }
    out = local_buffers(n, permutations, False)
    with progress_bar(f"{label}: {permutations} permutations on Dask", n, progress) as advance:
        for start, result in _finished(futures):
            for key in _OUTPUTS:
                out[key][start:start + result[key].shape[0]] = result[key]
            advance(result["observed"].shape[0])
    return out


def _global_chunk(start, stop, form, right, seed):
    return global_permutation(form, right, seed, start=start, stop=stop)


def run_global(W, left, right, permutations, seed, same, label="Moran's I", progress=None, *,
               client=None, chunks=None):
    """Permuted cross-products ``left' W right`` on a Dask cluster, split by permutation.

    Drop-in for ``stats.global_._permute``: the same array (permutation p drawn from stream
    (seed, p)) for the same seed. Each worker receives the prepared form of W
    (``_kernels.global_form``) and the permuted vector once.

    Parameters
    ----------
    W : scipy.sparse.csr_matrix
    left, right : ndarray
    permutations : int
    seed : int or None
        Ignored (and None returned) when ``permutations`` is 0.
    same : bool
        Permute ``right`` on both sides (univariate Moran's I).
    label, progress
        Progress bar text and switch.
    client : dask.distributed.Client, optional
    chunks : int, optional
        Number of permutation slices; default four per worker.
    """
    if not permutations:
        return None
    client = get_client(client)
    W = sp.csr_matrix(W)
    parts = chunks or _CHUNKS_PER_WORKER * _n_workers(client)
    edges = np.unique(np.linspace(0, permutations, min(parts, permutations) + 1).astype(int))
    form, rhs = (client.scatter(obj, broadcast=True, hash=False) for obj in (
        global_form(W, left, same), np.ascontiguousarray(right, dtype=np.float64)))
    futures = {
        client.submit(_global_chunk, int(a), int(b), form, rhs, seed, pure=False): int(a)
        for a, b in zip(edges[:-1], edges[1:])
    }
    out = np.empty(permutations)
    with progress_bar(f"{label}: {permutations} permutations on Dask", permutations, progress) as advance:
        for start, result in _finished(futures):
            out[start:start + result.shape[0]] = result
            advance(result.shape[0])
    return out


def _check(values, W):
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or not sp.issparse(W) or W.shape != (values.shape[0],) * 2:
        raise InputError(
            f"need a value vector of length N and an N x N sparse weights matrix; got values of shape "
            f"{values.shape} and weights of shape {getattr(W, 'shape', None)}"
        )
    return values, sp.csr_matrix(W)


def local_moran_dask(values, W, permutations=999, seed=None, *, client=None, chunk_size=None,
                     progress=None):
    """Local Moran's I permutation kernel of ``sc.local_moran`` on a Dask cluster.

    ``I_i = (n - 1) z_i sum_j w_ij z_j / sum_k z_k^2`` (Anselin 1995) with ``z`` the values
    standardised with ddof = 0, permuted conditionally on each observation.

    Parameters
    ----------
    values : ndarray
        The variable, in the order of ``W``'s rows.
    W : scipy.sparse matrix
        The weights as used (row-standardised by ``sc.build_weights``); a diagonal is held fixed.
    permutations, seed
        As in ``sc.local_moran``; seed None draws one (returned under ``"seed"``).
    client : dask.distributed.Client, optional
    chunk_size : int, optional
    progress : bool, optional

    Returns
    -------
    dict
        The kernel's output (``observed`` = I, ``n_ge``, ``n_le``, ``mean``, ``sd``) and ``seed``.

    References
    ----------
    Anselin, L. (1995). Local indicators of spatial association - LISA. Geographical Analysis
    27(2), 93-115.
    """
    values, W = _check(values, W)
    off, selfw = _core.split_diagonal(W)
    z = _core.standardise(values)
    scale = (values.shape[0] - 1) * z / (z @ z)
    seed = _core.resolve_seed(seed)
    out = run_local(off, selfw, z, scale, permutations, seed, label="Local Moran's I", progress=progress,
                    client=client, chunk_size=chunk_size)
    out["seed"] = seed
    return out


def getis_ord_dask(values, W, permutations=999, seed=None, *, star=True, transform="r", client=None,
                   chunk_size=None, progress=None):
    """Local G_i / G_i* permutation kernel of ``sc.getis_ord`` on a Dask cluster.

    ``G_i* = sum_j w_ij x_j / sum_j x_j`` (self included), ``G_i`` without the self term and
    with the total taken over the others (Getis & Ord 1992); weights prepared as in
    ``sc.getis_ord`` (``transform`` "r" or "b").

    Returns
    -------
    dict
        The kernel's output (``observed`` = G, ``n_ge``, ``n_le``, ``mean``, ``sd``) and ``seed``.

    References
    ----------
    Getis, A., Ord, J. K. (1992). The analysis of spatial association by use of distance
    statistics. Geographical Analysis 24(3), 189-206.
    """
    from .hotspots import _star_weights

    values, W = _check(values, W)
    off, selfw = _star_weights(W, bool(star), transform)
    denom = values.sum() if star else values.sum() - values
    seed = _core.resolve_seed(seed)
    out = run_local(off, selfw, values, 1.0 / np.broadcast_to(denom, values.shape), permutations, seed,
                    label="Getis-Ord", progress=progress, client=client, chunk_size=chunk_size)
    out["seed"] = seed
    return out


def moran_dask(values, W, permutations=999, seed=None, *, client=None, chunks=None, progress=None):
    """Global Moran's I and its permuted values (as ``sc.moran``) on a Dask cluster.

    ``I = n / S0 * z' W z / z' z`` with ``z`` the centred values (Moran 1950; Cliff & Ord 1981).

    Returns
    -------
    dict
        ``I``, ``sims`` (the ``permutations`` permuted Is, or None) and ``seed``.

    References
    ----------
    Cliff, A. D., Ord, J. K. (1981). Spatial Processes: Models and Applications. Pion.
    """
    values, W = _check(values, W)
    z = values - values.mean()
    scale = values.shape[0] / W.sum() / (z @ z)
    seed = _core.resolve_seed(seed) if permutations else None
    cross = run_global(W, z, z, permutations, seed, True, progress=progress, client=client, chunks=chunks)
    return {"I": float(scale * (z @ (W @ z))), "sims": None if cross is None else cross * scale, "seed": seed}
