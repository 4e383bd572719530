"""Reading a large indicator table: ``sc.read_table`` beside ``pandas.read_csv``.

``read_table`` reads every cell as text and converts it with the package's rules (codes kept as
text, units, placeholders, footnote markers, yearbook rows), so it is slower than pandas' C
parser, which applies none of them; this measures by how much. The table is synthetic: a 6-digit
code, a float, an integer, a percentage with its sign and a float column, N rows, as CSV.

Usage::

    python benchmarks/bench_read_table.py            # N = 200,000
    python benchmarks/bench_read_table.py --quick    # N = 20,000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import spatialcluster as sc


def table(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "code": [f"{i:06d}" for i in range(n)], "a": rng.normal(size=n).round(3),
        "b": rng.integers(0, 10**6, n), "c": [f"{v:.1f}%" for v in rng.uniform(0, 100, n)],
        "d": rng.normal(size=n),
    })


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--n", type=int)
    args = parser.parse_args(argv)
    n = args.n or (20_000 if args.quick else 200_000)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "table.csv"
        table(n).to_csv(path, index=False)
        ours = best_of(lambda: sc.read_table(path))
        peer = best_of(lambda: pd.read_csv(path, dtype={"code": str}))
    print(f"N = {n:,} rows x 5 columns, best of 3")
    print(f"{'reader':<22}{'seconds':>10}{'rows/s':>14}")
    for name, seconds in (("sc.read_table", ours), ("pandas.read_csv", peer)):
        print(f"{name:<22}{seconds:>10.3f}{n / seconds:>14,.0f}")
    print(f"ratio read_table / read_csv: {ours / peer:.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
