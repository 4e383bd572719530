"""Benchmark of sc.spillover (ML SAR and SDM) against spreg's ML_Lag(method="LU"), and a Monte Carlo study.

Timing: row-standardised rook lattices of N = 1,000 / 10,000 / 50,000 cells (plus N = 100,000 for
spatialcluster alone), y from a known SDM, two regressors. Every fit runs in its own subprocess, which
reports wall time and the increase of its peak resident memory over the state before the fit
(``ru_maxrss`` minus the RSS after imports and data; SuperLU's C allocations are invisible to
tracemalloc, so RSS is the honest measure). spatialcluster's time includes the standard errors and the
effects with 1,000 draws; spreg's includes its variance matrix, which inverts a dense N x N matrix
(that is where its time and memory go: 18.6 GiB per matrix at N = 50,000, so spreg is run only up to
``--spreg-max-n``, default 10,000). The estimates of both are compared (max absolute difference).

Monte Carlo (``--mc R``): R replications of the SDM on a 40 x 40 lattice: bias, RMSE and coverage of the
95 % intervals for rho, beta, theta and the direct / indirect / total effects.

Usage::

    python benchmarks/bench_models.py            # N = 1,000, 10,000, 50,000 (+100,000 ours)
    python benchmarks/bench_models.py --quick    # N = 400, 1,000
    python benchmarks/bench_models.py --mc 200
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np

TRUE = {"const": 1.0, "x1": 1.0, "x2": -0.5, "W_x1": 0.5, "W_x2": 0.3, "rho": 0.5}


def lattice_w(n):
    """libpysal W of a rook lattice with about n cells (rows x cols), row-standardised."""
    from libpysal.weights import lat2W

    rows = int(np.sqrt(n))
    cols = int(np.ceil(n / rows))
    w = lat2W(rows, cols, rook=True)
    w.transform = "r"
    return w


def data(n, seed=0):
    import pandas as pd
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

    w = lattice_w(n)
    W = w.sparse.tocsr()
    N = W.shape[0]
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, 2))
    mu = TRUE["const"] + x @ [TRUE["x1"], TRUE["x2"]] + W @ x @ [TRUE["W_x1"], TRUE["W_x2"]]
    y = spla.spsolve((sp.identity(N) - TRUE["rho"] * W).tocsc(), mu + rng.normal(size=N))
    ids = [f"{i:07d}" for i in range(N)]
    return w, pd.DataFrame({"y": y, "x1": x[:, 0], "x2": x[:, 1]}, index=ids)


def child(tool, model, n):
    """Run one fit in this (fresh) process and print a JSON line."""
    import resource

    import psutil

    w, df = data(n)
    if tool == "spatialcluster":
        import spatialcluster as sc
        from libpysal.graph import Graph

        g = Graph.from_sparse(w.sparse.tocsr(), ids=list(df.index))
        rss0 = psutil.Process().memory_info().rss
        t0 = time.perf_counter()
        res = sc.spillover(df, "y", ["x1", "x2"], g, model=model, draws=1000, seed=0)
        elapsed = time.perf_counter() - t0
        params = res.params.to_dict()
        extra = {"logdet": res.logdet_method, "se": res.se_method, "effects": res.effects.attrs["method"]}
    else:
        import warnings

        import spreg

        rss0 = psutil.Process().memory_info().rss
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = spreg.ML_Lag(df[["y"]].to_numpy(), df[["x1", "x2"]].to_numpy(), w=w, method="LU",
                               slx_lags=1 if model == "sdm" else 0, spat_diag=False, name_x=["x1", "x2"])
        elapsed = time.perf_counter() - t0
        names = ["const", "x1", "x2"] + (["W_x1", "W_x2"] if model == "sdm" else []) + ["rho"]
        params = dict(zip(names, np.asarray(fit.betas, dtype=float).ravel()))
        extra = {}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"time": elapsed, "mem": max(peak - rss0, 0), "params": params, **extra}))


def run_child(tool, model, n):
    cmd = [sys.executable, __file__, "--child", tool, model, str(n)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def timing(sizes, spreg_max_n, ours_only):
    print(f"{'model':5} {'N':>8} | {'spatialcluster s':>16} {'MiB':>7} | {'spreg LU s':>10} {'MiB':>7} | "
          f"{'time ratio':>10} {'mem ratio':>9} | {'max |diff|':>10} | methods")
    for n in sizes + ours_only:
        for model in ("sar", "sdm"):
            ours = run_child("spatialcluster", model, n)
            theirs = run_child("spreg", model, n) if n <= spreg_max_n and n not in ours_only else None
            if "error" in ours:
                print(f"{model:5} {n:>8} | error: {ours['error']}")
                continue
            line = f"{model:5} {n:>8} | {ours['time']:>16.2f} {ours['mem'] / 2**20:>7.0f} | "
            if theirs and "error" not in theirs:
                diff = max(abs(ours["params"][k] - theirs["params"][k]) for k in theirs["params"])
                line += (f"{theirs['time']:>10.2f} {theirs['mem'] / 2**20:>7.0f} | "
                         f"{theirs['time'] / ours['time']:>9.1f}x {theirs['mem'] / max(ours['mem'], 1):>8.1f}x | "
                         f"{diff:>10.1e} | ")
            else:
                why = theirs["error"] if theirs else "not run (dense N x N variance)"
                line += f"{'-':>10} {'-':>7} | {'-':>10} {'-':>9} | {'-':>10} | [spreg: {why}] "
            print(line + f"{ours['logdet']}, {ours['se']}, effects {ours['effects']}", flush=True)


def monte_carlo(reps, k=40, seed=2024):
    import pandas as pd
    from scipy import stats

    import spatialcluster as sc
    from libpysal.graph import Graph

    w, _ = data(k * k)
    W = w.sparse.tocsr()
    N = W.shape[0]
    g = Graph.from_sparse(W, ids=[f"{i:07d}" for i in range(N)])
    Ainv = np.linalg.inv(np.eye(N) - TRUE["rho"] * W.toarray())
    truth = {}
    for x in ("x1", "x2"):
        S = Ainv @ (TRUE[x] * np.eye(N) + TRUE[f"W_{x}"] * W.toarray())
        d, t = np.trace(S) / N, S.sum() / N
        truth.update({f"{x}:direct": d, f"{x}:indirect": t - d, f"{x}:total": t})
    z = stats.norm.ppf(0.975)
    est, cov = [], []
    for r in range(reps):
        _, df = data(k * k, seed=seed + r)
        res = sc.spillover(df, "y", ["x1", "x2"], g, model="sdm", draws=1000, seed=r)
        row = res.params[list(TRUE)].to_dict()
        c = {nm: abs(res.params[nm] - v) <= z * res.std_err[nm] for nm, v in TRUE.items()}
        for key, v in truth.items():
            x, kind = key.split(":")
            row[key] = res.effects.loc[x, kind]
            c[key] = res.effects.loc[x, f"{kind}_lo"] <= v <= res.effects.loc[x, f"{kind}_hi"]
        est.append(row)
        cov.append(c)
    est, cov = pd.DataFrame(est), pd.DataFrame(cov)
    target = pd.Series({**TRUE, **truth})
    table = pd.DataFrame({"true": target, "mean": est.mean(), "bias": est.mean() - target,
                          "rmse": np.sqrt(((est - target) ** 2).mean()), "coverage95": cov.mean()})
    print(f"Monte Carlo: SDM on a {k} x {k} lattice, {reps} replications")
    print(table.to_string(float_format=lambda v: f"{v: .4f}"))


def main(argv=None):
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 400 and 1,000 only")
    parser.add_argument("--spreg-max-n", type=int, default=10_000, help="largest N for spreg (dense variance)")
    parser.add_argument("--mc", type=int, default=0, help="Monte Carlo replications (0: timing only)")
    args = parser.parse_args(argv)
    if args.mc:
        monte_carlo(args.mc)
        return 0
    if args.quick:
        timing([400, 1_000], args.spreg_max_n, [])
    else:
        timing([1_000, 10_000, 50_000], args.spreg_max_n, [100_000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
