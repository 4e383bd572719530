"""Shared inputs of the dynamics tests: libpysal's bundled US state incomes 1929-2009 (offline)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

YEARS = list(range(1929, 2010))


@pytest.fixture(scope="session")
def us_income():
    """(long panel with pci and rpci, wide pci array 48 x 81, states48 Graph).

    Region ids are the row numbers "0".."47" of usjoin.csv, the ids of states48.gal.
    """
    import libpysal
    from libpysal import examples
    from libpysal.graph import Graph

    df = pd.read_csv(examples.get_path("usjoin.csv"))
    pci = np.array([df[str(y)] for y in YEARS], dtype=float).T
    rpci = pci / pci.mean(axis=0)
    ids = [str(i) for i in range(len(df))]
    long = pd.DataFrame({"code": np.repeat(ids, len(YEARS)), "year": np.tile(YEARS, len(ids)),
                         "pci": pci.ravel(), "rpci": rpci.ravel()})
    w = Graph.from_W(libpysal.io.open(examples.get_path("states48.gal")).read())
    return long, pci, w


def lattice_panel(side=8, T=6, seed=0, trend=None):
    """A side x side queen lattice and a long panel of gamma values on it (ids "r_c" strings)."""
    from libpysal.graph import Graph
    from libpysal.weights import lat2W

    W = lat2W(side, side, rook=False)
    W.remap_ids([f"{i // side:02d}_{i % side:02d}" for i in W.id_order])
    g = Graph.from_W(W)
    rng = np.random.default_rng(seed)
    X = rng.gamma(2.0, size=(g.n, T))
    if trend is not None:
        X = X + trend
    ids = np.asarray(g.unique_ids)
    long = pd.DataFrame({"code": np.repeat(ids, T), "year": np.tile(np.arange(2000, 2000 + T), g.n),
                         "v": X.ravel()})
    return long, X, g
