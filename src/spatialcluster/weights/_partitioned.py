"""Queen and rook contiguity across the partitions of a dask-geopandas GeoDataFrame.

The single-machine builders need every polygon in one process. Here each partition hashes its
own vertices (queen) or edges (rook) and finds its internal neighbour pairs where it lives;
only its *border keys* leave the worker, and one merge of those keys (on the client) adds the
pairs that straddle partition borders. Same definition as libpysal's
``Graph.build_contiguity(strict=False)`` (and GeoDa): queen = a shared vertex, rook = a shared
edge, coordinates compared exactly (topologically clean coverages).

Border keys: in a coverage (polygons that share boundaries exactly and do not overlap), a
vertex or edge that a partition shares with another partition lies on an edge that occurs
only once within the partition (around a shared vertex, walking from the partition's polygon
to the other one crosses such an edge). Only those keys are exchanged, which for spatially
compact partitions (``GeoDataFrame.spatial_shuffle()``) is a small fraction of all vertices.
For overlapping or duplicated polygons pass ``keys="all"``: every key is exchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely

from .._errors import InputError
from .._validate import _names

_KINDS = ("queen", "rook")
_POINT = ["x", "y"]
_EDGE = ["x1", "y1", "x2", "y2"]


def _rings(geoms):
    """Vertex coordinates of every ring, with the owning row and a ring number."""
    if ((shapely.get_type_id(geoms) == 3) & (shapely.get_num_interior_rings(geoms) == 0)).all():
        # polygons without holes (grids, H3 cells): one ring each, no ring objects to build
        coords, owner = shapely.get_coordinates(geoms, return_index=True)
        return coords + 0.0, owner, owner
    parts, owner = shapely.get_parts(geoms, return_index=True)
    rings, part = shapely.get_rings(parts, return_index=True)
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    # + 0.0 turns -0.0 into 0.0, so the two compare (and hash) as the same vertex
    return coords + 0.0, owner[part[ring]], ring


def _edges(coords, owner, ring):
    """Edges between consecutive vertices of a ring, endpoints in lexicographic order."""
    same = ring[:-1] == ring[1:]
    a, b = coords[:-1][same], coords[1:][same]
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    a, b = np.where(swap[:, None], b, a), np.where(swap[:, None], a, b)
    frame = pd.DataFrame(np.hstack([a, b]), columns=_EDGE)
    frame["pos"] = owner[:-1][same]
    return frame.drop_duplicates()


def _pairs(keys: pd.DataFrame, cols) -> np.ndarray:
    """(pos, pos) pairs of distinct rows sharing a key (both directions)."""
    joined = keys.merge(keys, on=cols, suffixes=("_a", "_b"))
    pairs = joined[["pos_a", "pos_b"]].to_numpy(np.int64)
    return pairs[pairs[:, 0] != pairs[:, 1]]


def _partition(part, number: int, rook: bool, all_keys: bool):
    """Worker side, one partition: its ids, its internal pairs (local rows) and its border keys."""
    coords, owner, ring = _rings(np.asarray(part.geometry.values))
    edges = _edges(coords, owner, ring)
    once = ~edges.duplicated(_EDGE, keep=False)
    if rook:
        keys, cols = edges, _EDGE
        border = edges if all_keys else edges[once]
    else:
        keys = pd.DataFrame(coords, columns=_POINT)
        keys["pos"] = owner
        keys = keys.drop_duplicates()
        cols = _POINT
        if all_keys:
            border = keys
        else:
            ends = edges.loc[once, _EDGE].to_numpy()
            points = pd.DataFrame(np.vstack([ends[:, :2], ends[:, 2:]]), columns=_POINT).drop_duplicates()
            border = keys.merge(points, on=_POINT)
    border = border.assign(part=np.int64(number)).astype({"pos": np.int64})
    return part.index.to_numpy(dtype=object), _pairs(keys, cols), border[[*cols, "pos", "part"]]


def partitioned_contiguity(ddf, kind="queen", keys="border", output="graph"):
    """Queen or rook contiguity of a partitioned GeoDataFrame, built partition by partition.

    Parameters
    ----------
    ddf : dask_geopandas.GeoDataFrame or geopandas.GeoDataFrame
        Polygons indexed by unique region ids (e.g. from
        :func:`spatialcluster.io.partitioned.read_partitioned`). A GeoDataFrame is used as
        one partition. The running ``dask.distributed`` client, if any, does the work.
    kind : {"queen", "rook"}
        A shared vertex (queen) or a shared edge (rook).
    keys : {"border", "all"}
        Exchange only the keys on partition borders (coverages; the default), or every key
        (overlapping polygons).
    output : {"graph", "csr"}
        A binary ``libpysal.graph.Graph`` (islands as zero-weight self-loops, as libpysal), or
        ``(csr_matrix, ids)`` for very large N, where a Graph's pandas index is the bottleneck.

    Returns
    -------
    libpysal.graph.Graph or (scipy.sparse.csr_matrix, pandas.Index)
        Rows in the order of the partitions and of the rows within them; the same graph as
        ``Graph.build_contiguity(gdf, rook=kind == "rook", strict=False)`` on the whole frame.

    Raises
    ------
    InputError
        Unknown kind / keys / output, or region ids that occur more than once (named).

    Notes
    -----
    libpysal's rook, for a polygon with holes, also counts a spurious edge joining the end of
    one ring to the start of the next (it walks the exploded part's coordinates); here edges
    stay within rings. The two differ only if two polygons share such a spurious edge.

    References
    ----------
    Anselin, L. (1988). Spatial Econometrics: Methods and Models. Kluwer (contiguity weights).
    """
    import dask

    if kind not in _KINDS:
        raise InputError(f"kind must be 'queen' or 'rook' for partitioned contiguity, got {kind!r}")
    if keys not in ("border", "all"):
        raise InputError(f"keys must be 'border' or 'all', got {keys!r}")
    if output not in ("graph", "csr"):
        raise InputError(f"output must be 'graph' or 'csr', got {output!r}")
    if not hasattr(ddf, "to_delayed"):
        import dask_geopandas

        ddf = dask_geopandas.from_geopandas(ddf, npartitions=1)
    rook = kind == "rook"
    cols = _EDGE if rook else _POINT
    tasks = [dask.delayed(_partition, nout=3)(part, number, rook, keys == "all")
             for number, part in enumerate(ddf.to_delayed())]
    ids, inner, border = dask.compute(*(list(t) for t in zip(*tasks)))
    table = pd.concat(border, ignore_index=True)
    cross = table.merge(table, on=cols, suffixes=("_a", "_b"))
    cross = cross.loc[cross["part_a"] != cross["part_b"], ["part_a", "pos_a", "part_b", "pos_b"]]
    offsets = np.r_[0, np.cumsum([len(i) for i in ids])]
    index = pd.Index(np.concatenate(ids) if ids else [], dtype="str")
    if index.has_duplicates:
        dup = index[index.duplicated()].unique()
        raise InputError(
            f"region ids {_names(dup)} occur more than once across partitions; each region must be one row."
        )
    cross = cross.to_numpy(np.int64)
    pairs = np.vstack([*(p + offsets[i] for i, p in enumerate(inner)),
                       np.column_stack([offsets[cross[:, 0]] + cross[:, 1], offsets[cross[:, 2]] + cross[:, 3]])])
    n = len(index)
    adj = sp.csr_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    adj.data[:] = 1.0  # pairs found twice (in a partition and across a border) count once
    adj.sort_indices()
    if output == "csr":
        return adj, index
    return _graph(adj, index)


def _graph(adj: sp.csr_matrix, ids: pd.Index):
    """Binary Graph in libpysal's layout: focal-major, islands as zero-weight self-loops."""
    from libpysal.graph import Graph

    coo = adj.tocoo()
    isolated = np.flatnonzero(np.diff(adj.indptr) == 0)
    focal = np.r_[coo.row, isolated]
    neighbor = np.r_[coo.col, isolated]
    weight = np.r_[coo.data, np.zeros(len(isolated))]
    order = np.lexsort((neighbor, focal))
    return Graph.from_arrays(ids[focal[order]], ids[neighbor[order]], weight[order])
