"""Benchmark of sc.gwr / sc.mgwr beside mgwr (Oshan et al. 2019), with the same answers checked.

Cases (synthetic: uniform points on a 100 x 100 square, three regressors with smooth spatially
varying coefficients, Gaussian noise):

* ``search``: GWR with an AICc golden-section search of an adaptive bisquare bandwidth, then the
  full fit with standard errors, at N = 10,000: spatialcluster vs mgwr's ``Sel_BW(...).search()``
  + ``GWR(...).fit()``. The bandwidths must be equal and the estimates agree to 1e-6.
* ``big``: one GWR fit at N = 100,000 with a given adaptive bandwidth (spatialcluster alone;
  mgwr would need hours): wall time and peak memory.
* ``mgwr``: MGWR at N = 5,000 with 4 coefficients. mgwr needs hours to converge at this size
  (pysal/mgwr#127), so both run the same number of backfitting iterations (``--mgwr-iter``, the
  same algorithm step by step) including the covariate-specific inference; bandwidths must be
  equal and estimates agree to 1e-6.

Every run is a subprocess reporting wall time and peak resident memory (``ru_maxrss``). Both
libraries get the same threads (``--threads``, default 1: mgwr ``n_jobs`` and numba's threads).
spatialcluster's numba functions are compiled (cached) before timing.

Usage::

    python benchmarks/bench_gwr.py            # N = 10,000 / 100,000 / 5,000
    python benchmarks/bench_gwr.py --quick    # N = 2,000 / 20,000 / 600
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

X = ["x0", "x1", "x2"]


def synth(n, seed=0):
    import pandas as pd

    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, size=(n, 2))
    Z = rng.normal(size=(n, 3))
    b0 = 3 + xy[:, 0] / 50
    b1 = 1 + np.sin(xy[:, 1] / 20)
    b2 = -1 + (xy[:, 0] + xy[:, 1]) / 100
    y = b0 + b1 * Z[:, 0] + b2 * Z[:, 1] + 0.5 * Z[:, 2] + rng.normal(size=n)
    df = pd.DataFrame(Z, columns=X, index=[f"{i:06d}" for i in range(n)])
    df["y"], df["X"], df["Y"] = y, xy[:, 0], xy[:, 1]
    return df


def _peak_mib():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(case, lib, n, bw, iters, threads):
    """One measurement in this process; prints a JSON line."""
    df = synth(n)
    base = _peak_mib()
    out = {"case": case, "lib": lib, "n": n}
    if lib == "sc":
        import spatialcluster as sc

        small = synth(300, seed=1)  # compile the numba kernels before timing
        sc.gwr(small, y="y", x=X, bandwidth=60)
        if case == "mgwr":
            sc.mgwr(small, y="y", x=X, max_iter=1)
        t = time.perf_counter()
        if case == "search":
            r = sc.gwr(df, y="y", x=X)
            out.update(bandwidth=r.bandwidth, params=r.params.to_numpy().tolist())
        elif case == "big":
            r = sc.gwr(df, y="y", x=X, bandwidth=bw)
            out.update(bandwidth=r.bandwidth, aicc=r.aicc)
        else:
            r = sc.mgwr(df, y="y", x=X, max_iter=iters)
            out.update(bandwidth=r.bandwidths.tolist(), params=r.params.to_numpy().tolist(),
                       se=r.std_err.to_numpy().tolist())
    else:
        from mgwr.gwr import GWR, MGWR
        from mgwr.sel_bw import Sel_BW

        coords, y, Z = df[["X", "Y"]].to_numpy(), df[["y"]].to_numpy(), df[X].to_numpy()
        t = time.perf_counter()
        if case == "search":
            bw = Sel_BW(coords, y, Z, n_jobs=threads).search()
            r = GWR(coords, y, Z, bw, sigma2_v1=False, n_jobs=threads).fit()
            out.update(bandwidth=bw, params=r.params.tolist())
        else:
            sel = Sel_BW(coords, y, Z, multi=True, n_jobs=threads)
            sel.search(max_iter_multi=iters)
            r = MGWR(coords, y, Z, sel, n_jobs=threads).fit()
            out.update(bandwidth=list(sel.bw[0]), params=r.params.tolist(), se=r.bse.tolist())
    out["seconds"] = time.perf_counter() - t
    out["peak_mib"] = _peak_mib()
    out["added_mib"] = out["peak_mib"] - base
    print(json.dumps(out))


def measure(case, lib, n, bw=None, iters=2, threads=1):
    env = dict(os.environ, NUMBA_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               SPATIALCLUSTER_PROGRESS="0")
    cmd = [sys.executable, __file__, "--case", case, "--lib", lib, "--n", str(n), "--bw", str(bw or 0),
           "--mgwr-iter", str(iters), "--threads", str(threads)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode:
        print(proc.stderr[-2000:], file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compare(case, n, iters, threads, need):
    ours = measure(case, "sc", n, iters=iters, threads=threads)
    theirs = measure(case, "mgwr", n, iters=iters, threads=threads)
    if ours is None or theirs is None:
        print(f"{case} N={n}: a run failed")
        return
    diff = np.max(np.abs(np.asarray(ours["params"]) - np.asarray(theirs["params"])))
    ratio = theirs["seconds"] / ours["seconds"]
    same = np.allclose(ours["bandwidth"], theirs["bandwidth"])
    print(f"{case:7s} N={n:>7,}  spatialcluster {ours['seconds']:8.2f} s ({ours['added_mib']:6.0f} MiB)  "
          f"mgwr {theirs['seconds']:8.2f} s ({theirs['added_mib']:6.0f} MiB)  ratio {ratio:6.1f}x (target >= {need}x)  "
          f"bandwidth {ours['bandwidth']} vs {theirs['bandwidth']} ({'same' if same else 'DIFFERENT'})  "
          f"max |params diff| {diff:.2e}")
    if "se" in ours:
        print(f"{'':7s} max |SE diff| {np.max(np.abs(np.asarray(ours['se']) - np.asarray(theirs['se']))):.2e}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--case")
    p.add_argument("--lib")
    p.add_argument("--n", type=int)
    p.add_argument("--bw", type=float, default=0)
    p.add_argument("--mgwr-iter", type=int, default=2)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--only", nargs="*", default=["search", "big", "mgwr"])
    a = p.parse_args(argv)
    if a.case:
        run_case(a.case, a.lib, a.n, int(a.bw), a.mgwr_iter, a.threads)
        return 0
    n_search, n_big, n_mgwr = (2_000, 20_000, 600) if a.quick else (10_000, 100_000, 5_000)
    print(f"threads per library: {a.threads}; MGWR backfitting iterations: {a.mgwr_iter}")
    if "search" in a.only:
        compare("search", n_search, a.mgwr_iter, a.threads, 10)
    if "big" in a.only:
        r = measure("big", "sc", n_big, bw=200, threads=a.threads)
        if r:
            print(f"big     N={n_big:>7,}  spatialcluster one fit, adaptive bisquare bw=200: {r['seconds']:.2f} s, "
                  f"peak {r['peak_mib'] / 1024:.2f} GiB (targets < 60 s, < 4 GiB)")
    if "mgwr" in a.only:
        compare("mgwr", n_mgwr, a.mgwr_iter, a.threads, 5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
