"""Benchmark of local (and global) permutation inference: spatialcluster against esda and pygeoda.

All tools run on the same synthetic hexagonal lattice (about 6 queen neighbours each; weights
row-standardised), the same i.i.d. normal variable and 999 permutations; wall times are the
median of ``--repeat`` runs after one warm-up call (compilation is reported separately for
spatialcluster: the kernels are cached on disk, so a new process pays only a load).

Rows:

- a tight numba kernel (shared draw table, counts only) as the yardstick for our kernels;
- ``sc.local_moran`` / ``sc.getis_ord`` / ``sc.local_geary`` / ``sc.moran`` / ``sc.geary`` on all
  numba threads;
- ``esda.Moran_Local`` with n_jobs = 1 and 2, ``keep_simulations=False`` (its best setting);
  ``esda.G_Local(star=True)`` and ``esda.Geary_Local`` with n_jobs = 2; ``esda.Moran`` and
  ``esda.Geary`` (whose permutations are a Python loop);
- ``pygeoda.local_moran`` in its default ("complete") and "lookup-table" modes, 2 threads.
  pygeoda needs polygons: the hexagons are built and handed to it, and its queen weights are
  checked to have the same number of links as ours.

After each N, a fresh process reports how far ``sc.local_moran``'s resident memory grows above
its inputs (sampled every 2 ms), next to the sizes of the values, the weights and the result.

Usage::

    python benchmarks/bench_local.py              # N = 1,000 / 10,000 / 100,000 / 1,000,000
    python benchmarks/bench_local.py --quick      # N = 1,000 / 10,000
    python benchmarks/bench_local.py --n 1000000 --all-peers   # also esda's local statistics
                                                               # and pygeoda's complete mode at 1M
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import threading
import time
import warnings

import numba
import numpy as np
from numba import njit, prange
import pandas as pd
import scipy.sparse as sp

import spatialcluster as sc
from bench_weights import resident_bytes

PERMUTATIONS = 999


def hex_lattice(n_target: int):
    """(rows, cols, CSR binary queen contiguity) of a hexagonal lattice with about n_target cells.

    Odd rows are shifted right by half a cell; cell (r, c) touches (r, c +- 1) and, in the rows
    above and below, columns (c - 1, c) for even r and (c, c + 1) for odd r.
    """
    rows = cols = int(round(np.sqrt(n_target)))
    n = rows * cols
    r, c = np.divmod(np.arange(n), cols)
    odd = r % 2 == 1
    src, dst = [], []
    for dr, dc_even, dc_odd in ((0, -1, -1), (0, 1, 1), (-1, -1, 0), (-1, 0, 1), (1, -1, 0), (1, 0, 1)):
        rr, cc = r + dr, c + np.where(odd, dc_odd, dc_even)
        ok = (rr >= 0) & (rr < rows) & (cc >= 0) & (cc < cols)
        src.append(np.arange(n)[ok])
        dst.append((rr * cols + cc)[ok])
    s, d = np.concatenate(src), np.concatenate(dst)
    return rows, cols, sp.csr_matrix((np.ones(s.size), (s, d)), shape=(n, n))


def hex_polygons(rows: int, cols: int):
    """The lattice's hexagons; coordinates are multiples of 0.5, so shared vertices are exact."""
    import shapely

    r, c = np.divmod(np.arange(rows * cols), cols)
    cx, cy = 2.0 * c + (r % 2), 1.5 * r
    dx = np.array([0, 1, 1, 0, -1, -1, 0], dtype=float)
    dy = np.array([1, 0.5, -0.5, -1, -0.5, 0.5, 1])
    coords = np.stack([cx[:, None] + dx, cy[:, None] + dy], axis=-1)
    return shapely.polygons(coords)


@njit(parallel=True, cache=True)
def _tight(indptr, indices, weights, z, scale, table, out):
    """Yardstick: the least a conditional-permutation kernel can do (one shared draw table for
    all observations as GeoDa's lookup mode, no moments, no kept draws): counts only."""
    permutations = table.shape[1]
    for i in prange(z.shape[0]):
        lo, k = indptr[i], indptr[i + 1] - indptr[i]
        obs = 0.0
        for t in range(k):
            obs += weights[lo + t] * z[indices[lo + t]]
        obs *= scale[i]
        ge = 0
        for p in range(permutations):
            acc = 0.0
            for t in range(k):
                j = table[t, p]
                acc += weights[lo + t] * z[j + (j >= i)]
            ge += scale[i] * acc >= obs
        out[i] = ge


def tight_kernel(w, y):
    """Closure running :func:`_tight` on ``w`` (Graph) and ``y`` with 999 permutations."""
    m = w.sparse.tocsr()
    n = m.shape[0]
    z = (y - y.mean()) / y.std()
    scale = (n - 1) * z / (z @ z)
    rng = np.random.default_rng(1)
    k_max = int(np.diff(m.indptr).max())
    table = np.array([rng.choice(n - 1, k_max, replace=False) for _ in range(PERMUTATIONS)]).T.copy()
    out = np.zeros(n, dtype=np.int64)
    args = (m.indptr.astype(np.int64), m.indices.astype(np.int64), m.data, z, scale, table, out)
    return lambda: _tight(*args)


def peak_above(fn) -> int:
    """Bytes by which the resident set grows while ``fn`` runs (sampled every 2 ms)."""
    before = resident_bytes()
    peak = [before]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], resident_bytes())
            time.sleep(0.002)

    thread = threading.Thread(target=sample)
    thread.start()
    try:
        fn()
    finally:
        done.set()
        thread.join()
    return max(peak[0], resident_bytes()) - before


def memory(n_target):
    """Peak memory of sc.local_moran (999 permutations, simulations not kept) above its inputs."""
    from libpysal.graph import Graph

    _, _, binary = hex_lattice(n_target)
    n = binary.shape[0]
    ids = [str(i) for i in range(n)]
    w = Graph.from_sparse(binary, ids=ids).transform("r")
    data = pd.DataFrame({"y": np.random.default_rng(0).normal(size=n)}, index=ids)
    sc.local_moran(data.iloc[:1000], "y", w.subgraph(ids[:1000]), permutations=9, seed=0)  # load kernels
    # libpysal's Graph derives (and caches) its ids and matrix on first use: about 390 MiB at
    # N = 10^6 that any user of the Graph pays once, so they count as input here
    w.unique_ids, w.sparse
    gc.collect()
    grown = peak_above(lambda: sc.local_moran(data, "y", w, permutations=PERMUTATIONS, seed=1))
    weights = binary.nnz * 12 + (n + 1) * 8  # one CSR copy: float64 data, int32 indices, int64 indptr
    return n, grown, weights


def timed(fn, repeat):
    fn()  # warm-up: compilation, caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# From this N on, esda's local statistics (quadratic in N: about 1,100 s at 10^6 here) and
# pygeoda's "complete" mode (about 240 s) are skipped unless --all-peers is given.
SLOW_FROM = 1_000_000


def run(n_target, repeat, skip, all_peers=False):
    from libpysal.graph import Graph

    rows, cols, binary = hex_lattice(n_target)
    n = binary.shape[0]
    ids = [str(i) for i in range(n)]
    w = Graph.from_sparse(binary, ids=ids).transform("r")
    y = np.random.default_rng(0).normal(size=n)
    data = pd.DataFrame({"y": y + 10}, index=ids)
    out = {}

    start = time.perf_counter()
    sc.local_moran(data, "y", w, permutations=9, seed=0)
    out["sc first call (load/compile)"] = time.perf_counter() - start
    out["tight numba kernel (yardstick)"] = timed(tight_kernel(w, y), repeat)
    out["sc.local_moran"] = timed(lambda: sc.local_moran(data, "y", w, permutations=PERMUTATIONS, seed=1), repeat)
    out["sc.getis_ord (Gi*)"] = timed(lambda: sc.getis_ord(data, "y", w, permutations=PERMUTATIONS, seed=1), repeat)
    out["sc.moran"] = timed(lambda: sc.moran(data, "y", w, permutations=PERMUTATIONS, seed=1), repeat)
    out["sc.local_geary"] = timed(lambda: sc.local_geary(data, "y", w, permutations=PERMUTATIONS, seed=1), repeat)
    out["sc.geary"] = timed(lambda: sc.geary(data, "y", w, permutations=PERMUTATIONS, seed=1), repeat)

    slow = n >= SLOW_FROM and not all_peers
    if "esda" not in skip:
        import esda

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if slow:
                print(f"  N = {n:,}: esda's local statistics skipped (about 1,100 s each; --all-peers runs them)")
            else:
                for jobs in (1, 2):
                    out[f"esda.Moran_Local n_jobs={jobs}"] = timed(
                        lambda: esda.Moran_Local(y, w, permutations=PERMUTATIONS, n_jobs=jobs, seed=1,
                                                 keep_simulations=False), repeat)
                out["esda.G_Local star n_jobs=2"] = timed(
                    lambda: esda.G_Local(y + 10, w, star=True, permutations=PERMUTATIONS, n_jobs=2, seed=1,
                                         keep_simulations=False), repeat)
                out["esda.Geary_Local n_jobs=2"] = timed(
                    lambda: esda.Geary_Local(connectivity=w, permutations=PERMUTATIONS, n_jobs=2, seed=1,
                                             keep_simulations=False).fit(y), repeat)
                out["esda.Geary"] = timed(lambda: esda.Geary(y, w, permutations=PERMUTATIONS), repeat)
            out["esda.Moran"] = timed(lambda: esda.Moran(y, w, permutations=PERMUTATIONS), repeat)

    if "pygeoda" not in skip:
        try:
            import geopandas as gpd
            import pygeoda
        except ImportError:
            print("  pygeoda is not installed: skipped")
        else:
            gda = pygeoda.open(gpd.GeoDataFrame({"y": y}, geometry=hex_polygons(rows, cols)))
            gw = pygeoda.queen_weights(gda)
            links = int(round(gw.mean_neighbors() * n))
            if links != binary.nnz:
                print(f"  warning: pygeoda's queen weights have {links} links, ours {binary.nnz}")
            if slow:
                print(f"  N = {n:,}: pygeoda's complete mode skipped (about 240 s; --all-peers runs it)")
            for mode in ("lookup-table",) if slow else ("complete", "lookup-table"):
                out[f"pygeoda.local_moran {mode}"] = timed(
                    lambda: pygeoda.local_moran(gw, gda["y"], permutations=PERMUTATIONS, permutation_method=mode,
                                                cpu_threads=2, seed=1), repeat)
    return n, out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 1,000 and 10,000 only")
    parser.add_argument("--n", type=int, nargs="+", help="lattice sizes (rounded to a square)")
    parser.add_argument("--repeat", type=int, default=None, help="timed runs per tool (default 3, 1 at N >= 100,000)")
    parser.add_argument("--skip", nargs="*", default=[], choices=["esda", "pygeoda"])
    parser.add_argument("--all-peers", action="store_true",
                        help=f"also run the peers' slow modes at N >= {SLOW_FROM:,}")
    parser.add_argument("--memory", type=int, default=None, help=argparse.SUPPRESS)  # child process
    args = parser.parse_args(argv)
    if args.memory:
        print(*memory(args.memory))
        return
    sizes = args.n or ([1_000, 10_000] if args.quick else [1_000, 10_000, 100_000, 1_000_000])
    print(f"numba threads: {numba.get_num_threads()}; permutations: {PERMUTATIONS}; median wall seconds")
    for size in sizes:
        repeat = args.repeat or (3 if size < 100_000 else 1)
        n, out = run(size, repeat, set(args.skip), args.all_peers)
        ours = out["sc.local_moran"]
        print(f"\nN = {n:,}")
        for name, seconds in out.items():
            ratio = ""
            if "Moran_Local" in name or "pygeoda" in name or "tight" in name:
                ratio = f"  ({seconds / ours:6.1f} x sc.local_moran)"
            elif "G_Local" in name:
                ratio = f"  ({seconds / out['sc.getis_ord (Gi*)']:6.1f} x sc.getis_ord)"
            elif name == "esda.Moran":
                ratio = f"  ({seconds / out['sc.moran']:6.1f} x sc.moran)"
            elif "Geary_Local" in name:
                ratio = f"  ({seconds / out['sc.local_geary']:6.1f} x sc.local_geary)"
            elif name == "esda.Geary":
                ratio = f"  ({seconds / out['sc.geary']:6.1f} x sc.geary)"
            print(f"  {name:34s} {seconds:9.3f}{ratio}")
        # in a fresh process, so earlier runs do not hide the peak
        child = subprocess.run([sys.executable, __file__, "--memory", str(size)], capture_output=True,
                               text=True, check=True)
        n_mem, grown, weights = map(int, child.stdout.split()[-3:])
        print(f"  sc.local_moran peak memory above its inputs: {grown / 2**20:.0f} MiB "
              f"(values {8 * n_mem / 2**20:.0f} MiB, one copy of the weights {weights / 2**20:.0f} MiB, "
              f"result frame of 12 columns {96 * n_mem / 2**20:.0f} MiB; esda keeps "
              f"{8 * n_mem * PERMUTATIONS / 2**30:.1f} GiB of simulations by default)")


if __name__ == "__main__":
    main()
