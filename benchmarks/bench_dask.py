"""Throughput of the Dask engine: permutation kernels and partitioned contiguity, 1 and 2 workers.

Same synthetic hexagonal lattice as ``bench_local.py`` (about 6 queen neighbours each, weights
row-standardised), an i.i.d. normal variable and 999 permutations. Rows:

- single machine: the kernels of ``sc.local_moran`` / ``sc.moran`` with 1 and with 2 numba
  threads (the reference the Dask runs must reproduce exactly; checked here too);
- Dask ``LocalCluster`` with 1 and 2 worker processes, one thread and one numba thread each (so
  k workers use k cores): local Moran (chunked by observation) and global Moran (chunked by
  permutation), wall time including scattering the data, after a warm-up on a small problem;
- partitioned queen contiguity: the hexagons written as 16 GeoParquet files, read with
  ``read_partitioned`` and built with ``partitioned_contiguity`` on the same clusters, checked
  link for link against the lattice's own adjacency (hexagons touch exactly their 6 lattice
  neighbours); libpysal's ``Graph.build_contiguity`` on the whole frame as the peer.

Throughput is observations x permutations per second for the statistics and polygons per
second for contiguity; "peak worker RSS" is the largest resident set of any worker process.

Usage::

    python benchmarks/bench_dask.py                 # N = 2,002,225 (1415 x 1415), at least 2 million
    python benchmarks/bench_dask.py --quick         # N = 20,164
    python benchmarks/bench_dask.py --n 4000000 --skip libpysal
    python benchmarks/bench_dask.py --permutations 199 --threads 2 --skip libpysal   # lighter 2M run
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import numba
import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_local import hex_lattice, hex_polygons  # noqa: E402  (the same lattice as the issue's table)

from spatialcluster.io.partitioned import read_partitioned  # noqa: E402
from spatialcluster.stats import _core, arrays, engine  # noqa: E402
from spatialcluster.weights._partitioned import partitioned_contiguity  # noqa: E402

PERMUTATIONS = 999
SEED = 12345
FILES = 16


def _peak_rss_gib():
    """Peak resident memory of this process (VmHWM: unlike ru_maxrss, not inherited from the
    process that started it, so a worker's figure is its own)."""
    with open("/proc/self/status") as fh:
        kib = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    return kib / 2**20


def one_numba_thread(client):
    """One numba thread per worker, so that k workers use k cores.

    ``numba.set_num_threads`` is local to the calling thread, so it runs as a task on each
    worker's single executor thread. (Setting NUMBA_NUM_THREADS through the Nanny's ``env``
    is unsafe: it is applied after the worker has started, and numba refuses a thread count
    that changes under running threads at its next compilation.)
    """
    for address in client.scheduler_info()["workers"]:
        client.submit(numba.set_num_threads, 1, workers=[address], pure=False).result()
        got = client.submit(numba.get_num_threads, workers=[address], pure=False).result()
        assert got == 1, f"worker {address} runs {got} numba threads"


def local_inputs(W, y):
    """What sc.local_moran hands its kernel."""
    off, selfw = _core.split_diagonal(W)
    z = _core.standardise(y)
    return off, selfw, z, (len(z) - 1) * z / (z @ z)


def clock(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def row(name, seconds, work, unit, extra=""):
    print(f"  {name:<44} {seconds:8.2f} s   {work / seconds:12.3e} {unit}/s  {extra}", flush=True)


def run(n_target, permutations, skip, thread_counts=(1, 2)):
    import geopandas as gpd
    from distributed import Client, LocalCluster

    rows, cols, binary = hex_lattice(n_target)
    n = rows * cols
    W = sp.csr_matrix(sp.diags(1.0 / np.asarray(binary.sum(axis=1)).ravel()) @ binary)
    W.sort_indices()
    y = np.random.default_rng(0).normal(size=n)
    args = local_inputs(W, y)
    z = y - y.mean()
    work = n * permutations
    print(f"\nN = {n:,} ({rows} x {cols} hexagons), {permutations} permutations, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)

    ref_local = ref_global = None
    for threads in sorted(thread_counts):  # the last (most threads) is the reference
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        here = engine.NumbaEngine()
        here.local_permutations(*args, 9, SEED, progress=False)
        t, ref_local = clock(lambda: here.local_permutations(*args, permutations, SEED, progress=False))
        row(f"local Moran, one machine, {threads} numba thread(s)", t, work, "obs*perm")
        if "global" not in skip:
            t, ref_global = clock(lambda: here.global_permutations(W, z, z, permutations, SEED, True, "", False))
            row(f"global Moran, one machine, {threads} numba thread(s)", t, work, "obs*perm")

    tmp = None
    if "contiguity" not in skip:
        tmp = tempfile.TemporaryDirectory(prefix="bench_dask_")
        t, cells = clock(lambda: gpd.GeoDataFrame(
            {"id": np.arange(n)}, geometry=hex_polygons(rows, cols), crs="EPSG:3857"))
        t_write, _ = clock(lambda: [cells.iloc[part].to_parquet(Path(tmp.name) / f"part-{i:03d}.parquet")
                                    for i, part in enumerate(np.array_split(np.arange(n), FILES))])
        print(f"  (hexagons built in {t:.1f} s, written as {FILES} GeoParquet files in {t_write:.1f} s)")
        if "libpysal" not in skip:
            from libpysal.graph import Graph

            t, g = clock(lambda: Graph.build_contiguity(cells.geometry, rook=False, strict=False))
            row("queen contiguity, libpysal Graph (one machine)", t, n, "polygons",
                f"links equal lattice: {(g.sparse != binary).nnz == 0}")
            del g
        del cells

    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            one_numba_thread(client)
            small = sp.csr_matrix(W[:4096, :4096])
            there = engine.DaskEngine(client)
            arrays.local_moran(y[:4096], small, 9, SEED, engine=there, progress=False)  # warm-up
            arrays.moran(y[:4096], small, 9, SEED, engine=there, progress=False)
            t, got = clock(lambda: there.local_permutations(*args, permutations, SEED, progress=False))
            same = all(np.array_equal(got[k], ref_local[k], equal_nan=True) for k in engine._OUTPUTS)
            row(f"local Moran, Dask, {workers} worker(s)", t, work, "obs*perm", f"identical: {same}")
            if "global" not in skip:
                t, sims = clock(lambda: there.global_permutations(W, z, z, permutations, SEED, True, progress=False))
                row(f"global Moran, Dask, {workers} worker(s)", t, work, "obs*perm",
                    f"identical: {np.array_equal(sims, ref_global)}")
            if tmp is not None:
                def build(pattern="part-*.parquet"):
                    ddf = read_partitioned(str(Path(tmp.name) / pattern), id="id")
                    return partitioned_contiguity(ddf, "queen", output="csr")

                build("part-000.parquet")  # warm-up: geopandas and pyproj imported on the workers

                t, (adj, ids) = clock(build)
                ok = (adj != binary).nnz == 0 and list(ids[:3]) == ["0", "1", "2"]
                row(f"queen contiguity, Dask, {workers} worker(s)", t, n, "polygons",
                    f"links equal lattice: {ok}")
            peak = max(client.run(_peak_rss_gib).values())
            print(f"  {'':<44} peak worker RSS {peak:.2f} GiB", flush=True)
    if tmp is not None:
        tmp.cleanup()
    print(f"  client process peak RSS {_peak_rss_gib():.2f} GiB", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 20,164 only")
    parser.add_argument("--n", type=int, nargs="+", help="lattice sizes (rounded to a square)")
    parser.add_argument("--permutations", type=int, default=PERMUTATIONS)
    parser.add_argument("--skip", nargs="*", default=[], choices=["global", "contiguity", "libpysal"])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                        help="numba thread counts of the single-machine rows")
    args = parser.parse_args(argv)
    sizes = args.n or ([20_000] if args.quick else [1415 * 1415])  # 2,002,225: at least 2 million cells
    for n in sizes:
        run(n, args.permutations, set(args.skip), args.threads)


if __name__ == "__main__":
    main()
