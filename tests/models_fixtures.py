"""Shared data and reference computations for the tests of spatialcluster.models (cross-section).

Everything here is an *independent* computation: dense matrices, ``numpy.linalg.slogdet`` and generic
``scipy.optimize`` on the full (not concentrated) likelihood, so that the package's sparse, concentrated
and trace-based code is checked against an obviously-correct, slow route.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from libpysal.graph import Graph
from scipy import optimize


def graph_from_neighbours(ids, neighbours, transform="r"):
    """A libpysal Graph from {id: [neighbour ids]} (binary, then transformed)."""
    g = Graph.from_dicts({i: {j: 1.0 for j in neighbours[i]} for i in ids})
    return g.transform(transform) if transform else g


def columbus_old_data(columbus_old, transform="r"):
    """COL.OLD indexed by string ids ("1001", ...) and its Graph from Anselin's COL.nb (1-based)."""
    df, nb = columbus_old
    df = df.set_index(df.columns[0]) if df.columns[0].startswith("Unnamed") else df
    ids = [str(int(i)) for i in df.index]
    df = df.copy()
    df.index = pd.Index(ids)
    neighbours = {ids[i]: [ids[j - 1] for j in js] for i, js in enumerate(nb)}
    return df, graph_from_neighbours(ids, neighbours, transform)


def read_gal(path):
    """Neighbour lists of a GAL file ({id: [ids]}, ids as strings)."""
    lines = [ln.split() for ln in open(path).read().splitlines() if ln.strip()]
    out, i = {}, 1
    while i < len(lines):
        rid, _count = lines[i][0], int(lines[i][1])
        out[rid] = lines[i + 1] if _count else []
        i += 2
    return out


def spdata_columbus(reference_dir):
    """spData's Columbus (libpysal columbus.dbf, POLYID ids) with the 230-link columbus.gal (row-std)."""
    import geopandas as gpd
    from libpysal import examples

    df = pd.DataFrame(gpd.read_file(examples.get_path("columbus.dbf")).drop(columns="geometry"))
    df.index = pd.Index(df["POLYID"].astype(int).astype(str))
    nb = read_gal(reference_dir / "spData_columbus_230links.gal")
    g = graph_from_neighbours(list(df.index), nb)
    # R: f <- log(CRIME) ~ INC + HOVAL + fDISCBD + fEW with fDISCBD = cut(DISCBD, c(0, 1.5, 3, 4.5, 6))
    df["logCRIME"] = np.log(df["CRIME"])
    band = pd.cut(df["DISCBD"], [0, 1.5, 3, 4.5, 6])
    for j, level in enumerate(band.cat.categories[1:], start=2):
        df[f"DISCBD{j}"] = (band == level).astype(float)
    df["EW1"] = df["EW"].astype(float)
    return df, g


def lattice(k, torus=False):
    """Row-standardised rook contiguity of a k x k grid (or torus) as CSR."""
    idx = np.arange(k * k).reshape(k, k)
    pairs = [(idx[:-1, :], idx[1:, :]), (idx[:, :-1], idx[:, 1:])]
    if torus:
        pairs += [(idx[-1:, :], idx[:1, :]), (idx[:, -1:], idx[:, :1])]
    r = np.concatenate([np.concatenate([a.ravel(), b.ravel()]) for a, b in pairs])
    c = np.concatenate([np.concatenate([b.ravel(), a.ravel()]) for a, b in pairs])
    C = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(k * k, k * k))
    C.data[:] = 1.0
    d = np.asarray(C.sum(axis=1)).ravel()
    return sp.diags(1.0 / d) @ C


def lattice_graph(k, torus=False):
    W = lattice(k, torus).tocsr()
    ids = np.array([f"c{i:05d}" for i in range(W.shape[0])])
    return W, ids, Graph.from_sparse(W, ids=ids)


def torus_eigenvalues(k):
    """Eigenvalues of the row-standardised rook torus: (cos(2 pi i/k) + cos(2 pi j/k)) / 2."""
    a = np.cos(2 * np.pi * np.arange(k) / k)
    return ((a[:, None] + a[None, :]) / 2.0).ravel()


def brute_force_ml(y, X, W, model):
    """Dense full-likelihood ML of SAR / SEM / SAC by generic optimisation (independent reference).

    Returns (params vector [beta..., spatial...], loglik). No concentration, no eigenvalues: every
    evaluation takes ``slogdet`` of the dense n x n matrix.
    """
    W = np.asarray(W.toarray() if sp.issparse(W) else W)
    n, k = X.shape
    eye = np.eye(n)
    b0 = np.linalg.lstsq(X, y, rcond=None)[0]
    s0 = np.log(np.mean((y - X @ b0) ** 2))
    nsp = 2 if model == "sac" else 1

    def negll(p):
        beta, sp_, lsig = p[:k], p[k:k + nsp], p[-1]
        rho = sp_[0] if model in ("sar", "sac") else 0.0
        lam = sp_[-1] if model in ("sem", "sac") else 0.0
        A, B = eye - rho * W, eye - lam * W
        sa, lda = np.linalg.slogdet(A)
        sb, ldb = np.linalg.slogdet(B)
        if sa <= 0 or sb <= 0:
            return 1e10
        e = B @ (A @ y - X @ beta)
        s2 = np.exp(lsig)
        return -(lda + ldb - 0.5 * n * np.log(2 * np.pi * s2) - e @ e / (2 * s2))

    start = np.concatenate([b0, np.full(nsp, 0.1), [s0]])
    res = optimize.minimize(negll, start, method="BFGS", options={"gtol": 1e-7, "maxiter": 10000})
    res = optimize.minimize(negll, res.x, method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 40000, "maxfev": 40000})
    return res.x[:-1], -res.fun


@pytest.fixture(autouse=True, scope="module")
def single_thread_blas():
    """One BLAS thread per test process: with pytest-xdist workers on a 2-core machine, OpenBLAS
    threads oversubscribe the cores and small dense eigen problems get 20x slower."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn (via esda)
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield
