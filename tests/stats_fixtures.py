"""Weights and data shared by the tests of spatialcluster.stats (imported as a plain module).

Two Columbus weights are used, and each test says which:
- ``anselin``: Anselin's (1988) 232-link neighbour list (spdep ``COL.nb``) on ``COL.OLD``,
  the data of spdep's documented ``moran.test`` examples;
- ``queen``: libpysal's polygon queen contiguity of ``columbus.shp`` (236 links), the one esda and
  pygeoda use.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from libpysal.graph import Graph


def anselin_columbus(columbus_old, style="r"):
    """(data indexed by str id, Graph) for COL.OLD with COL.nb, style "r" (spdep W) or "b"."""
    df, nb = columbus_old
    data = df.copy()
    data.index = data.iloc[:, 0].astype(str) if "Unnamed: 0" in data.columns else data.index.astype(str)
    data.index.name = "id"
    ids = list(data.index)
    neighbours = {ids[i]: [ids[j - 1] for j in links] for i, links in enumerate(nb)}
    graph = Graph.from_dicts(neighbours)
    return data, graph.transform(style)


def queen_columbus(style="r"):
    """(GeoDataFrame indexed by POLYID as str, libpysal polygon queen Graph, 236 links)."""
    import geopandas as gpd
    import libpysal

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    gdf.index = gdf["POLYID"].astype(int).astype(str)
    gdf.index.name = "id"
    graph = Graph.build_contiguity(gdf, rook=False)
    assert len(graph.adjacency) == 236
    return gdf, graph.transform(style)


def grid_graph(rows, cols, style="r", rook=False):
    """Regular lattice with queen (or rook) contiguity built directly, ids "0".."n-1"."""
    n = rows * cols
    r, c = np.divmod(np.arange(n), cols)
    steps = [(0, 1), (1, 0), (0, -1), (-1, 0)] + ([] if rook else [(1, 1), (1, -1), (-1, 1), (-1, -1)])
    src, dst = [], []
    for dr, dc in steps:
        rr, cc = r + dr, c + dc
        ok = (rr >= 0) & (rr < rows) & (cc >= 0) & (cc < cols)
        src.append(np.arange(n)[ok])
        dst.append((rr * cols + cc)[ok])
    m = sp.csr_matrix((np.ones(sum(map(len, src))), (np.concatenate(src), np.concatenate(dst))), shape=(n, n))
    ids = [str(i) for i in range(n)]
    return Graph.from_sparse(m, ids=ids).transform(style)


def with_island(graph, island):
    """Row-standardised copy of ``graph`` without any link to or from ``island``."""
    neighbours = {
        focal: [j for j in graph[focal].index if j != island] if focal != island else []
        for focal in graph.unique_ids
    }
    return Graph.from_dicts(neighbours).transform("r")
