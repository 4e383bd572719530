"""Where the permutations run: this machine's numba threads or a Dask cluster, chosen once.

:func:`resolve_engine` turns the statistics' ``engine=`` / ``client=`` arguments into one engine
object; every statistic then hands its permutation work to that object's two methods:

- :meth:`~NumbaEngine.local_permutations`: conditional permutation of every observation (local
  Moran's I, Getis-Ord G_i / G_i*, local Geary), returning per-observation counts and moments;
- :meth:`~NumbaEngine.global_permutations`: the permuted cross-products of a global statistic
  (Moran's I, Geary's C).

Both engines run the same kernels (:mod:`spatialcluster.stats._kernels`) with the same random
streams, so the same seed gives the same numbers, bit for bit, on either.

On Dask, local statistics are split by observation into chunks whose edges are multiples of
:data:`~spatialcluster.stats._kernels.BLOCK`. Each chunk carries its own rows of the weights
(neighbours' indices and weights) and its slice of the self-weights and scales; the values are
scattered once to every worker, because conditional permutation draws each observation's
reference values from all the other N - 1 (Anselin 1995). On the worker the chunk runs the
kernel with *global* observation numbers, so it draws from the same streams ((seed, observation)
for the offsets, (seed, block) for the draw tables) and with the same table shape (the global
largest neighbour count) as one call on one machine. Global statistics permute the whole vector
in every draw, so their work is split by permutation: permutation p is drawn from stream (seed, p)
wherever it runs, and each worker holds the weights once.
"""

from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp

from .. import _progress
from .._errors import ConfigError, InputError, SpatialClusterError
from .._progress import progress_bar
# The private kernel entry: the public ``local_permutation`` derives the draw tables' height from
# the rows it is given, and a Dask chunk must use the global largest neighbour count.
from ._kernels import (BLOCK, _bounds, _column_indices, _local_parallel, as_columns, global_form, global_permutation,
                       local_buffers, local_permutation)

ENGINES = (None, "numba", "dask")
# Chunks per Dask worker by default: enough to balance uneven workers, few enough that each
# chunk's O(N) scratch (the kernel's index pool) stays small beside its work.
_CHUNKS_PER_WORKER = 4
_OUTPUTS = ("n_ge", "n_le", "mean", "sd", "observed")


def progress_steps(seconds, progress, steps=20):
    """How many slices to run a permutation job in: ``steps`` when a bar will show, else 1.

    By default the bar shows only for work expected to take longer than about 2 s (and then
    only where :mod:`spatialcluster._progress` allows it); ``progress`` forces it on or off.
    """
    if progress is None and seconds < 2:
        return 1
    return steps if _progress.enabled(progress) else 1


class NumbaEngine:
    """Permutations on this machine's numba threads (the default engine)."""

    name = "numba"

    def local_permutations(self, off, selfw, values, scale, permutations, seed, *, keep=False,
                           label="local statistic", progress=None, squared=False):
        """Conditional permutation of every observation, in slices when a progress bar shows.

        Parameters
        ----------
        off : scipy.sparse.csr_matrix
            Off-diagonal weights with sorted indices (``_core.split_diagonal``).
        selfw, values, scale : ndarray
            Self-weights, the permuted variable (n x m for ``squared``) and each observation's
            scale factor.
        permutations, seed : int
            ``seed`` resolved (``_core.resolve_seed``).
        keep : bool
            Also return the n x permutations permuted statistics (``sims``).
        label, progress
            Progress bar text and switch.
        squared : bool
            Squared-difference statistic (Geary) instead of a linear one.

        Returns
        -------
        dict
            ``n_ge``, ``n_le``, ``mean``, ``sd``, ``observed`` (islands -1 / NaN) and ``sims``.
            Slices are multiples of the kernel's block, so the draws are those of one call.
        """
        n = values.shape[0]
        out = local_buffers(n, permutations, keep)
        mean_k = off.nnz / max(n, 1)
        seconds = n * permutations * (mean_k + 1) * 1.5e-9 / numba.get_num_threads()
        steps = progress_steps(seconds, progress)
        size = BLOCK * max(1, -(-n // (steps * BLOCK)))
        edges = np.r_[np.arange(0, n, size), n]
        with progress_bar(f"{label}: {permutations} permutations", n, steps > 1) as advance:
            for start, stop in zip(edges[:-1], edges[1:]):
                local_permutation(off.indptr, off.indices, off.data, selfw, values, scale, permutations,
                                  seed, keep=keep, start=int(start), stop=int(stop), out=out, squared=squared)
                advance(int(stop - start))
        return out

    def global_permutations(self, W, left, right, permutations, seed, same, label="global statistic",
                            progress=None):
        """Cross-products ``left' W y`` for every permutation y of ``right`` (both sides when ``same``).

        Permutation p is drawn from stream (seed, p); run in slices when a progress bar shows.
        """
        steps = progress_steps(permutations * (W.nnz + W.shape[0]) * 2e-9, progress)
        edges = np.linspace(0, permutations, steps + 1).astype(int)
        form = global_form(W, left, same)
        out = []
        with progress_bar(f"{label}: {permutations} permutations", permutations, steps > 1) as advance:
            for start, stop in zip(edges[:-1], edges[1:]):
                out.append(global_permutation(form, right, seed, start=int(start), stop=int(stop)))
                advance(int(stop - start))
        return np.concatenate(out)


class DaskEngine:
    """Permutations on a ``dask.distributed`` cluster, identical to :class:`NumbaEngine`'s.

    Parameters
    ----------
    client : dask.distributed.Client, optional
        Default: the running client.
    chunk_size : int, optional
        Observations per chunk of a local statistic (rounded up to a multiple of BLOCK); by
        default about four chunks per worker.
    chunks : int, optional
        Permutation slices of a global statistic; default four per worker.
    """

    name = "dask"

    def __init__(self, client=None, chunk_size=None, chunks=None):
        self.client = get_client(client)
        self.chunk_size = chunk_size
        self.chunks = chunks

    def _n_workers(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def local_permutations(self, off, selfw, values, scale, permutations, seed, *, keep=False,
                           label="local statistic", progress=None, squared=False):
        """As :meth:`NumbaEngine.local_permutations`, by chunks of observations (one bar step each).

        ``keep`` must be False: an N x permutations matrix is not gathered from a cluster.
        """
        if keep:
            raise InputError(
                "keep_simulations=True is not available with engine='dask' (it would gather an "
                "N x permutations matrix on this machine); run without it, or on one machine."
            )
        n = values.shape[0]
        off = sp.csr_matrix(off)
        indptr = off.indptr.astype(np.int64)
        indices = _column_indices(off.indices, n)
        weights = np.ascontiguousarray(off.data, dtype=np.float64)
        selfw = np.ascontiguousarray(selfw, dtype=np.float64)
        scale = np.ascontiguousarray(np.broadcast_to(scale, (n,)), dtype=np.float64)
        k_max = int(np.diff(indptr).max()) if n else 0
        edges = chunk_edges(n, self.chunk_size, self._n_workers())
        chunks = []
        for start, stop in zip(edges[:-1], edges[1:]):
            lo, hi = indptr[start], indptr[stop]
            chunks.append((indptr[start:stop + 1] - lo, indices[lo:hi], weights[lo:hi],
                           selfw[start:stop], scale[start:stop]))
        client = self.client
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

    def global_permutations(self, W, left, right, permutations, seed, same, label="global statistic",
                            progress=None):
        """As :meth:`NumbaEngine.global_permutations`, split by permutation over the workers.

        Each worker receives the prepared form of W (``_kernels.global_form``) and the permuted
        vector once.
        """
        client = self.client
        parts = self.chunks or _CHUNKS_PER_WORKER * self._n_workers()
        edges = np.unique(np.linspace(0, permutations, min(parts, permutations) + 1).astype(int))
        form, rhs = (client.scatter(obj, broadcast=True, hash=False) for obj in (
            global_form(sp.csr_matrix(W), left, same), np.ascontiguousarray(right, dtype=np.float64)))
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


def resolve_engine(engine=None, client=None):
    """The engine of a call: :class:`NumbaEngine` or :class:`DaskEngine`, chosen once.

    ``engine="dask"`` uses ``client`` or the running client; passing a ``client`` implies it.
    ``engine=None`` or ``"numba"`` without a client runs here. An engine object passes through.
    """
    if isinstance(engine, (NumbaEngine, DaskEngine)):
        if client is not None:
            raise InputError("pass either an engine object or client=, not both")
        return engine
    if engine not in ENGINES:
        raise InputError(f"engine={engine!r} is not known; use 'numba' (this machine) or 'dask' (a cluster)")
    if engine == "numba" and client is not None:
        raise InputError("client= runs on a Dask cluster, but engine='numba' asks for this machine; pass one of them")
    if engine == "dask" or client is not None:
        return DaskEngine(client)
    return NumbaEngine()


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
    ``values`` is the whole n x m value array (``_kernels.as_columns``). The kernel reads the rows
    relative to ``start`` and draws by global observation number, so the draws are those of the
    single-machine run and the chunk's memory is its own rows plus the pool.
    """
    indptr, indices, weights, selfw, scale = rows
    out = local_buffers(stop - start, permutations, False)
    bounds = _bounds(start, stop, numba.get_num_threads(), BLOCK)
    _local_parallel(bounds, np.int64(start), indptr, indices, weights, selfw, values, squared, scale,
                    int(permutations), np.uint64(seed), False, int(k_max), out["n_ge"], out["n_le"],
                    out["mean"], out["sd"], out["observed"], out["sims"])
    return {key: out[key] for key in _OUTPUTS}


def _global_chunk(start, stop, form, right, seed):
    return global_permutation(form, right, seed, start=start, stop=stop)
