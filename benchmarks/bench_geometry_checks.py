"""Cost of the boundary checks (duplicates / overlaps / near-miss borders, issue 10) next to
the contiguity they guard, on hexagonal lattices (bench_weights.hex_lattice).

Usage::

    python benchmarks/bench_geometry_checks.py            # N = 10k, 100k
    python benchmarks/bench_geometry_checks.py --n 20000

Prints, per N: vertex contiguity alone, the overlap check (STRtree 'overlaps' + 'contains'),
the near-miss check (STRtree 'dwithin'), the whole ``build_weights(kind="queen")`` and
libpysal's ``Graph.build_contiguity`` for scale, with ratios to contiguity alone; and ``build_weights`` on the worst case, a lattice whose
hexagons share no vertex (every pair a near miss, snapped with ``tolerance=0.01``).
"""

from __future__ import annotations

import argparse
import time
import warnings

from bench_weights import hex_lattice


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def run(n: int) -> None:
    import numpy as np
    from libpysal.graph import Graph

    import spatialcluster as sc
    from spatialcluster.weights._contiguity import contiguity
    from spatialcluster.weights._topology import near_misses, overlaps

    data = hex_lattice(n)
    geoms = np.asarray(data.geometry.values)
    w = contiguity(geoms, data.index, rook=False)
    linked = w.sparse.tocsr()
    rows = {
        "contiguity alone": timed(lambda: contiguity(geoms, data.index, rook=False)),
        "overlap check": timed(lambda: overlaps(geoms)),
        "near-miss check": timed(lambda: near_misses(geoms, 1.0, linked, rook=False)),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clean lattice must pass without a warning
        rows["build_weights queen (all checks)"] = timed(lambda: sc.build_weights(data, "queen", transform="o"))
    rows["libpysal build_contiguity"] = timed(lambda: Graph.build_contiguity(data, rook=False))
    # The worst case: no shared vertex anywhere (every hexagon shrunk by 0.01 %), so every
    # polygon is a suspect and every neighbour pair a near miss, linked by the tolerance.
    messy = data.set_geometry(data.geometry.scale(0.9999, 0.9999, origin="centroid"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows["build_weights queen, no shared vertex"] = timed(
            lambda: sc.build_weights(messy, "queen", transform="o", tolerance=0.01))
    base = rows["contiguity alone"]
    for name, t in rows.items():
        print(f"N={n:>8,}  {name:<38} {t:8.2f} s  ({t / base:5.1f}x contiguity alone)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, nargs="*", default=[10_000, 100_000])
    for n in parser.parse_args().n:
        run(n)
