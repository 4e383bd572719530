"""Benchmark of the change-over-time methods, side by side with giddy where giddy has them.

* Spatial Markov (k = m = 5, pooled quintiles) and LISA Markov on a queen lattice of N regions over
  T periods: ``sc.spatial_markov`` / ``sc.lisa_markov`` (from a long table) against giddy's
  ``Spatial_Markov(fixed=True)`` / ``LISA_Markov`` (from the wide array it needs), both asked for
  the same outputs (matrices, homogeneity tests, steady states, passage times); the largest
  difference between the matrices is printed to show they are identical.
* The same at N = 1,000,000 (spatialcluster only; target < 10 s).
* Dagum's decomposition of 1,000,000 values in 4 groups (target < 2 s), and the direct all-pairs
  computation at a small n for the ratio (no Python package implements Dagum's decomposition).
* Emerging hot spots at N = 100,000, T = 10, 999 permutations (target < 10 s), against T calls
  of ``sc.getis_ord`` with 999 permutations (the one-period kernel).

giddy pins ``esda<2.9``; install it for this benchmark only with ``pip install --no-deps giddy
quantecon`` (it runs with esda 2.9). Without giddy its columns are skipped.

Measured 2026-12-03 on the shared 2-core machine (2 numba threads, other jobs running; giddy 2.3.8):
spatial Markov N = 10,000, T = 20: 0.07 s vs giddy 2.05 s (29x), identical matrices (max |P diff|
1e-16); LISA Markov 0.05 s vs 5.6 s (106x), identical counts; N = 1,000,000: 2.4 s and 1.8 s
(up to 9.6 s while the machine was loaded); Dagum 1,000,000 values in 4 groups 0.12 s; emerging
hot spots N = 99,856, T = 10, 999 permutations 1.7 s (10 x sc.getis_ord: 4.2 s).

Usage::

    python benchmarks/bench_dynamics.py            # N = 10,000 / 1e6 / 1e6 / 100,000
    python benchmarks/bench_dynamics.py --quick    # small sizes
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp


def queen_lattice(side):
    """Queen-contiguity Graph on a side x side lattice, ids as zero-padded strings, built from sparse."""
    from libpysal.graph import Graph

    n = side * side
    r, c = np.divmod(np.arange(n), side)
    rows, cols = [], []
    for dr, dc in ((0, 1), (1, -1), (1, 0), (1, 1)):
        ok = (r + dr < side) & (c + dc >= 0) & (c + dc < side)
        a = np.flatnonzero(ok)
        b = (r[ok] + dr) * side + c[ok] + dc
        rows += [a, b]
        cols += [b, a]
    A = sp.csr_matrix((np.ones(sum(map(len, rows))), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    ids = np.char.zfill(np.arange(n).astype(str), 7)
    g = Graph.from_sparse(A, ids=ids)
    _ = g.unique_ids, g.sparse  # the graph's cached forms are built with it, once, not by every method
    return g, ids


def panel(ids, T, seed=0):
    """Long table (categorical ids to keep 10**7 rows light) and the wide n x T array of a spatial AR field."""
    rng = np.random.default_rng(seed)
    n = len(ids)
    Y = np.exp(rng.normal(size=(n, 1)) + 0.3 * rng.normal(size=(n, T)).cumsum(axis=1) / np.sqrt(T))
    long = pd.DataFrame({"code": pd.Categorical(np.repeat(ids, T), categories=ids),
                         "year": np.tile(np.arange(2000, 2000 + T), n), "v": Y.ravel()})
    return long, Y


def timed(f, repeat=1):
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def giddy_or_none():
    try:
        import giddy.markov  # noqa: F401

        return True
    except ImportError:
        print("giddy is not installed: pip install --no-deps giddy quantecon (giddy pins esda<2.9)")
        return False


def bench_markov(side, T, with_giddy):
    import spatialcluster as sc

    g, ids = queen_lattice(side)
    long, Y = panel(ids, T)
    n = side * side
    t_sm, smk = timed(lambda: sc.spatial_markov(long, "v", g, id="code", time="year", k=5, m=5, classes="pooled"))
    t_lm, lmk = timed(lambda: sc.lisa_markov(long, "v", g, id="code", time="year"))
    print(f"\nN = {n:,}, T = {T}")
    row = f"  spatial Markov  spatialcluster {t_sm:8.2f} s"
    row2 = f"  LISA Markov     spatialcluster {t_lm:8.2f} s"
    if with_giddy and n <= 200_000:
        from giddy.markov import LISA_Markov, Spatial_Markov

        w = g.transform("r").to_W()

        def giddy_sm():
            sm = Spatial_Markov(Y, w, fixed=True, k=5, m=5)
            _ = sm.Q, sm.LR, sm.chi2, sm.S, sm.F
            return sm

        def giddy_lm():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lm = LISA_Markov(Y, w)
            _ = lm.steady_state
            return lm

        tg_sm, sm = timed(giddy_sm)
        tg_lm, lm = timed(giddy_lm)
        d_sm = max(np.abs(smk.p[i].to_numpy() - sm.P[i]).max() for i in range(5))
        d_lm = np.abs(lmk.transitions.to_numpy() - lm.transitions).max()
        row += f" | giddy {tg_sm:8.2f} s | ratio {tg_sm / t_sm:6.1f}x | max |P diff| {d_sm:.1e}, Q diff " \
               f"{abs(smk.homogeneity['Q'] - sm.Q):.1e}"
        row2 += f" | giddy {tg_lm:8.2f} s | ratio {tg_lm / t_lm:6.1f}x | max |T diff| {d_lm:.0f}"
    print(row)
    print(row2)


def warm_up():
    """Compile the numba kernels and import everything once, outside the timings."""
    import spatialcluster as sc

    g, ids = queen_lattice(6)
    long, _ = panel(ids, 4)
    sc.spatial_markov(long, "v", g, id="code", time="year")
    sc.lisa_markov(long, "v", g, id="code", time="year")
    sc.emerging_hotspots(long, "v", g, id="code", permutations=9, seed=0)
    sc.getis_ord(long[long["year"] == 2000].set_index("code"), "v", g, permutations=9, seed=0)


def bench_dagum(n, groups=4):
    import spatialcluster as sc
    from spatialcluster.dynamics.disparity import _decompose

    rng = np.random.default_rng(1)
    df = pd.DataFrame({"v": rng.lognormal(size=n), "g": rng.integers(0, groups, n)})
    t, dg = timed(lambda: sc.dagum_gini(df, "v", group="g"), repeat=2)
    small = 4000
    y, c = df["v"].to_numpy()[:small], df["g"].to_numpy()[:small]

    def all_pairs():
        return np.abs(y[:, None] - y[None, :]).sum()

    t_direct, _ = timed(all_pairs)
    t_ours_small, _ = timed(lambda: _decompose(y, c, groups))
    print(f"\nDagum decomposition, n = {n:,} in {groups} groups: {t:.2f} s  (total {dg.total:.4f})")
    print(f"  at n = {small:,}: sorted cumulative sums {t_ours_small * 1e3:.1f} ms vs one all-pairs sum "
          f"{t_direct * 1e3:.1f} ms (ratio {t_direct / t_ours_small:.0f}x; all pairs at n = {n:,} would take "
          f"~{t_direct * (n / small) ** 2 / 3600:.1f} h)")


def bench_emerging(side, T, permutations):
    import spatialcluster as sc

    g, ids = queen_lattice(side)
    long, Y = panel(ids, T, seed=3)
    t, res = timed(lambda: sc.emerging_hotspots(long, "v", g, id="code", permutations=permutations, seed=0))

    def per_period():
        for year in range(2000, 2000 + T):
            part = pd.DataFrame({"v": Y[:, year - 2000]}, index=pd.Index(ids))
            sc.getis_ord(part, "v", g, permutations=permutations, seed=year)

    t_pp, _ = timed(per_period)
    print(f"\nEmerging hot spots, N = {side * side:,}, T = {T}, {permutations} permutations: {t:.2f} s "
          f"| {T} x sc.getis_ord {t_pp:.2f} s | ratio {t_pp / t:.1f}x")
    print("  " + ", ".join(f"{k}: {v}" for k, v in res.counts().items() if v))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    import numba

    print(f"numba threads: {numba.get_num_threads()}")
    with_giddy = giddy_or_none()
    warm_up()
    if args.quick:
        bench_markov(30, 10, with_giddy)
        bench_dagum(100_000)
        bench_emerging(50, 5, 99)
        return
    bench_markov(100, 20, with_giddy)
    bench_markov(1000, 20, False)
    bench_dagum(1_000_000)
    bench_emerging(316, 10, 999)


if __name__ == "__main__":
    main()
