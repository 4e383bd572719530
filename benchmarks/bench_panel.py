"""Benchmark and Monte Carlo study of sc.spillover_panel (two-way fixed-effects SDM, Lee-Yu corrected).

Timing: a rook lattice of N regions (50 x 60 = 3,000 by default) observed over T = 20 periods, SDM
with two regressors and 1,000 effect draws; reports wall time per stage-free call and peak memory
(tracemalloc), plus the log-determinant and trace methods used. Nothing builds a dense N x N matrix
beyond ``panel.EXACT_TRACE_MAX_N`` regions (3,000), so larger N runs in sparse memory.

Side by side with spreg: ``spreg.ML_LagFE`` (SDM via ``slx_lags=1``, region fixed effects, no bias
correction: what spreg estimates) and the same specification of ``sc.spillover_panel``, each in a
fresh process that reports wall time, the growth of its peak resident memory and the estimates;
the ratios and the largest difference between the estimates are printed.

Monte Carlo (``--mc R``): R replications of a known SDM panel (same DGP as
``tests/test_panel_montecarlo.py``) on a 20 x 20 lattice with T = 10: bias, RMSE and 95 % coverage of
rho, beta, theta and the total effects, with and without the bias correction.

Usage::

    python benchmarks/bench_panel.py            # N = 3,000, T = 20
    python benchmarks/bench_panel.py --quick    # N = 400, T = 10
    python benchmarks/bench_panel.py --rows 100 --cols 100 --periods 20   # N = 10,000
    python benchmarks/bench_panel.py --mc 200
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla

import spatialcluster as sc
from bench_weights import resident_bytes
from spatialcluster.models import panel as P

RHO, BETA, THETA = 0.4, np.array([1.0, -0.5]), np.array([0.5, 0.3])


def lattice(rows: int, cols: int):
    """Row-standardised rook-contiguity Graph on a rows x cols lattice (ids as strings)."""
    from libpysal.graph import Graph
    from libpysal.weights import lat2W

    w = lat2W(rows, cols, rook=True)
    ids = [f"{i:06d}" for i in range(rows * cols)]
    return Graph.from_sparse(w.sparse.tocsr(), ids=ids).transform("r"), ids


def simulate(g, ids, T, rng, sigma=1.0):
    """Long panel from the two-way FE SDM with regressors correlated with both effects."""
    W = g.sparse.tocsc()
    N = len(ids)
    lu = spla.splu((sp.identity(N, format="csc") - RHO * W).tocsc())
    mu, alpha = rng.normal(size=N), rng.normal(size=T)
    X = rng.normal(size=(T, N, 2)) + 0.5 * mu[None, :, None] + 0.5 * alpha[:, None, None]
    Y = np.empty((T, N))
    for t in range(T):
        Y[t] = lu.solve(X[t] @ BETA + W @ X[t] @ THETA + mu + alpha[t] + rng.normal(scale=sigma, size=N))
    return pd.DataFrame({"code": np.tile(ids, T), "year": np.repeat(np.arange(2000, 2000 + T), N),
                         "y": Y.ravel(), "x1": X[:, :, 0].ravel(), "x2": X[:, :, 1].ravel()})


def timing(rows: int, cols: int, T: int, draws: int) -> None:
    g, ids = lattice(rows, cols)
    df = simulate(g, ids, T, np.random.default_rng(0))
    tracemalloc.start()
    t0 = time.perf_counter()
    res = sc.spillover_panel(df, "y", ["x1", "x2"], g, model="sdm", effects="twoway", draws=draws, seed=0)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"N = {len(ids):,} regions x T = {T} periods ({len(df):,} rows), SDM two-way FE, Lee-Yu, {draws} draws")
    print(f"  time {elapsed:.2f} s, peak traced memory {peak / 2**20:.0f} MiB, "
          f"log-det {res.logdet_method}, traces {res.se_method}, effects {res.effects.attrs.get('method')}")
    print(res.to_frame().to_string(float_format=lambda v: f"{v: .4f}"))
    print(f"  truth: beta {BETA}, theta {THETA}, rho {RHO}")


def peer_child(tool: str, rows: int, cols: int, T: int) -> None:
    """One region-FE SDM fit without bias correction, in this fresh process; prints a JSON line."""
    g, ids = lattice(rows, cols)
    df = simulate(g, ids, T, np.random.default_rng(0))
    if tool == "spreg":
        import libpysal
        import spreg

        w = libpysal.weights.WSP(g.sparse.tocsr()).to_W(silence_warnings=True)
        w.transform = "r"
        df = df.sort_values(["year", "code"])  # spreg: one block of N rows per period
        args = (df[["y"]].to_numpy(), df[["x1", "x2"]].to_numpy(), w)
        rss0, t0 = resident_bytes(), time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = spreg.ML_LagFE(*args, slx_lags=1)
        params = np.asarray(fit.betas, dtype=float).ravel().tolist()
    else:
        rss0, t0 = resident_bytes(), time.perf_counter()
        res = sc.spillover_panel(df, "y", ["x1", "x2"], g, model="sdm", effects="region", bias_correction=False,
                                 draws=0, seed=0)
        params = res.params.to_numpy().tolist()
    elapsed = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"time": elapsed, "mem": max(peak - rss0, 0), "params": params}))


def side_by_side(rows: int, cols: int, T: int) -> None:
    out = {}
    for tool in ("spatialcluster", "spreg"):
        proc = subprocess.run([sys.executable, __file__, "--peer-child", tool, "--rows", str(rows), "--cols", str(cols),
                               "--periods", str(T)], capture_output=True, text=True)
        if proc.returncode:
            print(f"  {tool}: failed ({proc.stderr.strip().splitlines()[-1:]})")
            return
        out[tool] = json.loads(proc.stdout.strip().splitlines()[-1])
    ours, theirs = out["spatialcluster"], out["spreg"]
    diff = np.abs(np.array(ours["params"]) - np.array(theirs["params"])).max()
    print(f"\nSDM, region fixed effects, no bias correction, N = {rows * cols:,} x T = {T}, standard errors included")
    for tool, r in out.items():
        print(f"  {tool:15s} {r['time']:8.2f} s {r['mem'] / 2**20:8.0f} MiB")
    print(f"  ratio: {theirs['time'] / ours['time']:.1f}x time, {theirs['mem'] / max(ours['mem'], 1):.1f}x memory; "
          f"largest |difference| of the estimates {diff:.1e}")


def monte_carlo(reps: int, side: int = 20, T: int = 10, seed: int = 12345) -> None:
    g, ids = lattice(side, side)
    rng = np.random.default_rng(seed)
    truth = pd.Series(np.r_[BETA, THETA, RHO], index=["x1", "x2", "W_x1", "W_x2", "rho"])
    true_total = pd.Series((BETA + THETA) / (1 - RHO), index=["x1", "x2"])
    out = {True: [], False: []}
    cover = {True: [], False: []}
    for r in range(reps):
        df = simulate(g, ids, T, rng)
        for bc in (True, False):
            res = sc.spillover_panel(df, "y", ["x1", "x2"], g, model="sdm", effects="twoway",
                                     bias_correction=bc, draws=300, seed=r)
            out[bc].append(pd.concat([res.params, pd.Series({"sigma2": res.sigma2})]))
            inside = (np.abs(res.params - truth) < 1.959964 * res.std_err).to_dict()
            eff = res.effects
            inside.update({f"total_{v}": eff.loc[v, "total_lo"] < true_total[v] < eff.loc[v, "total_hi"]
                           for v in true_total.index})
            cover[bc].append(inside)
    full_truth = pd.concat([truth, pd.Series({"sigma2": 1.0})])
    for bc in (True, False):
        est = pd.DataFrame(out[bc])
        table = pd.DataFrame({"truth": full_truth, "mean": est.mean(), "bias": est.mean() - full_truth,
                              "rmse": np.sqrt(((est - full_truth) ** 2).mean())})
        print(f"\nMonte Carlo, {reps} replications, N = {side * side}, T = {T}, bias_correction={bc}")
        print(table.to_string(float_format=lambda v: f"{v: .4f}"))
        print("95 % coverage:", pd.DataFrame(cover[bc]).mean().round(3).to_dict())


def panel_arguments(doc: str) -> argparse.ArgumentParser:
    """The size options both panel benchmarks take: a rows x cols lattice over T periods."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="N = 400, T = 10")
    ap.add_argument("--rows", type=int, default=50)
    ap.add_argument("--cols", type=int, default=60)
    ap.add_argument("--periods", type=int, default=20)
    ap.add_argument("--draws", type=int, default=1000)
    return ap


def main() -> None:
    ap = panel_arguments(__doc__)
    ap.add_argument("--mc", type=int, default=0, help="run a Monte Carlo study with this many replications")
    ap.add_argument("--peer-child", choices=["spatialcluster", "spreg"], help=argparse.SUPPRESS)
    a = ap.parse_args()
    sc.set_progress(False)
    if a.peer_child:
        peer_child(a.peer_child, a.rows, a.cols, a.periods)
        return
    if a.mc:
        monte_carlo(a.mc)
        return
    if a.quick:
        a.rows, a.cols, a.periods = 20, 20, 10
    print(f"dense information-matrix traces up to N = {P.EXACT_TRACE_MAX_N}")
    timing(a.rows, a.cols, a.periods, a.draws)
    side_by_side(a.rows, a.cols, a.periods)


if __name__ == "__main__":
    main()
