"""Queen / rook contiguity: spatialcluster vs libpysal's Graph on hexagonal lattices.

Usage::

    python benchmarks/bench_weights.py            # N = 10k, 100k, 1M
    python benchmarks/bench_weights.py --quick    # N = 2k, 10k
    python benchmarks/bench_weights.py --n 100000 --kind rook

Each measurement runs in a fresh subprocess, which reports wall time and peak memory above
the process's footprint after the lattice was built (ru_maxrss minus the resident set before
the call). Both sides get the same GeoDataFrame; the results are checked to be identical.
``sc.build_weights`` includes its input validation (ids, empty and invalid geometries).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def hex_lattice(n: int):
    """About n hexagons with exactly shared integer vertices (6 neighbours inside)."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    r, c = np.divmod(np.arange(rows * cols)[:n], cols)
    cx, cy = 2 * c + (r % 2), 3 * r
    dx = np.array([0, 1, 1, 0, -1, -1, 0])
    dy = np.array([2, 1, -1, -2, -1, 1, 2])
    ring = np.stack([cx[:, None] + dx, cy[:, None] + dy], axis=-1).astype(float)
    geoms = shapely.polygons(ring)
    return gpd.GeoDataFrame(geometry=geoms, index=pd.Index([f"h{i}" for i in range(n)]), crs="EPSG:3857")


def resident_bytes() -> int:
    """This process's resident set now (the other benchmarks import it)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize()


def run_one(method: str, n: int, kind: str) -> dict:
    data = hex_lattice(n)
    if method == "libpysal":
        from libpysal.graph import Graph

        fn = lambda: Graph.build_contiguity(data, rook=kind == "rook")  # noqa: E731
    else:
        from spatialcluster import build_weights  # imported before timing, like libpysal

        fn = lambda: build_weights(data, kind, transform="o")  # noqa: E731
    before = resident_bytes()
    t = time.perf_counter()
    w = fn()
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    adj = w.adjacency
    return {
        "seconds": seconds,
        "peak_mb": max(peak, 0) / 2**20,
        "n_edges": int(w.n_edges),
        "checksum": int((adj.index.codes[0].astype("int64") * 7 + adj.index.codes[1]).sum()),
    }


def measure(method: str, n: int, kind: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", method, "--n", str(n), "--kind", kind],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small N only (2k, 10k)")
    parser.add_argument("--n", type=int, action="append", help="lattice size(s)")
    parser.add_argument("--kind", choices=["queen", "rook"], action="append")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    kinds = args.kind or ["queen"]
    if args.child:
        print(json.dumps(run_one(args.child, args.n[0], kinds[0])))
        return
    sizes = args.n or ([2_000, 10_000] if args.quick else [10_000, 100_000, 1_000_000])
    print(f"{'kind':<6}{'N':>10}{'libpysal s':>12}{'sc s':>9}{'speed-up':>10}{'libpysal MB':>13}{'sc MB':>9}  identical")
    for kind in kinds:
        for n in sizes:
            ref, ours = measure("libpysal", n, kind), measure("spatialcluster", n, kind)
            same = (ref["n_edges"], ref["checksum"]) == (ours["n_edges"], ours["checksum"])
            print(
                f"{kind:<6}{n:>10,}{ref['seconds']:>12.2f}{ours['seconds']:>9.2f}"
                f"{ref['seconds'] / ours['seconds']:>9.1f}x{ref['peak_mb']:>13.0f}{ours['peak_mb']:>9.0f}  {same}",
                flush=True,
            )


if __name__ == "__main__":
    main()
