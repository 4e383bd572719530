"""Queen and rook contiguity from shared vertices / edges, vectorised with numpy.

Same definition as libpysal ``Graph.build_contiguity(strict=False)`` and GeoDa: queen
neighbours share at least one vertex, rook neighbours at least one edge (two consecutive
vertices of a ring), compared exactly, so boundaries must be topologically clean (shared
vertices), as in coverages and the shipped shapefiles.

Why not libpysal's builder: it walks every vertex in a Python loop into a dict of sets (about
23 s and 2.3 GB for a million hexagons here). Sorting integer keys with numpy gives the same
graph several times faster in a fraction of the memory (benchmarks/bench_weights.py); the
tests check identity with libpysal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from libpysal.graph import Graph


def contiguity(geoms: np.ndarray, ids: pd.Index, *, rook: bool) -> Graph:
    """Queen (``rook=False``) or rook contiguity Graph over ``geoms``, keyed by ``ids`` in order.

    Islands appear as zero-weight self-loops, as in libpysal.
    """
    if rook:
        owner, keys = _edge_keys(geoms)
        order = np.argsort(keys, kind="stable")
        start = _run_starts(keys[order])
    else:
        coords, owner = shapely.get_coordinates(geoms, return_index=True)
        order, start = _sort_points(coords)
    focal, neighbor = _pairs_in_groups(owner[order], start, len(geoms))
    return _graph(focal, neighbor, ids)


def _run_starts(values: np.ndarray) -> np.ndarray:
    """True where a sorted array takes a new value."""
    start = np.empty(len(values), dtype=bool)
    start[:1] = True
    np.not_equal(values[1:], values[:-1], out=start[1:])
    return start


def _sort_points(coords: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A stable lexicographic order of the points, and True where a new distinct point starts.

    Exact comparison (-0.0 equals 0.0), as libpysal's dict of coordinate tuples.
    """
    x, y = coords[:, 0], coords[:, 1]
    order = np.lexsort((y, x))
    sx, sy = x[order], y[order]
    start = _run_starts(sx)
    start[1:] |= sy[1:] != sy[:-1]
    return order, start


def _ring_coordinates(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coordinates of every ring, with their ring number and polygon, in polygon order.

    Polygons without holes are their own single ring; only multipart polygons and polygons
    with holes are split into rings (shapely clones geometries to do so, which is slow).
    """
    n = len(geoms)
    simple = (shapely.get_type_id(geoms) == 3) & (shapely.get_num_interior_rings(geoms) == 0)
    where_simple, where_complex = np.flatnonzero(simple), np.flatnonzero(~simple)
    coords, idx = shapely.get_coordinates(geoms[where_simple], return_index=True)
    owner, ring = where_simple[idx], where_simple[idx]
    if len(where_complex):
        parts, part_of = shapely.get_parts(geoms[where_complex], return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        c2, ring2 = shapely.get_coordinates(rings, return_index=True)
        coords = np.concatenate((coords, c2))
        owner = np.concatenate((owner, where_complex[part_of[ring_part[ring2]]]))
        ring = np.concatenate((ring, n + ring2))  # ring numbers distinct from the simple ones
        # Back to polygon order (two sorted runs: timsort merges them in linear time).
        order = np.argsort(owner, kind="stable")
        coords, owner, ring = coords[order], owner[order], ring[order]
    return coords, ring, owner


def _edge_keys(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every ring segment: the polygon it belongs to, and an id of its (unordered) ends."""
    coords, ring_of, owner = _ring_coordinates(geoms)
    order, start = _sort_points(coords)
    vid = np.empty(len(order), dtype=np.int64)
    vid[order] = np.cumsum(start) - 1
    same_ring = ring_of[1:] == ring_of[:-1]  # segments never join two rings
    a, b = vid[:-1][same_ring], vid[1:][same_ring]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    keep = lo != hi  # repeated consecutive vertices are not edges
    n_vertices = np.int64(vid.max() + 1) if len(vid) else np.int64(1)
    return owner[:-1][same_ring][keep], lo[keep] * n_vertices + hi[keep]


def _pairs_in_groups(members: np.ndarray, start: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """All ordered pairs (i, j), i != j, of polygons in the same group, sorted by (i, j).

    ``members`` lists the polygon of each vertex (or edge) sorted by group, ``start`` marks
    each group's first element. The sorts are stable and the inputs in geometry order, so
    members are non-decreasing within a group and repeats are adjacent.
    """
    members = members.astype(np.int64)
    keep = start.copy()
    keep[1:] |= members[1:] != members[:-1]  # one incidence per (group, polygon)
    members, start = members[keep], start[keep]
    first = np.flatnonzero(start)
    size = np.diff(np.append(first, len(members)))
    shared = size > 1
    first, size = first[shared], size[shared]
    if not len(first):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    # Each member of a group of size s pairs with every member of it (itself removed below):
    # enumerate (member, other) by repeating group offsets, without a Python loop.
    member = np.repeat(first, size) + _ragged_arange(size)
    reps = np.repeat(size, size)
    other = np.repeat(np.repeat(first, size), reps) + _ragged_arange(reps)
    a, b = members[np.repeat(member, reps)], members[other]
    keep = a != b
    pair = _sorted_unique(a[keep] * np.int64(n) + b[keep])  # sorted by (focal, neighbour)
    return np.divmod(pair, np.int64(n))


def _sorted_unique(x: np.ndarray) -> np.ndarray:
    """Sorted distinct values; a plain sort is several times faster than np.unique's hashing here."""
    x = np.sort(x)
    return x[_run_starts(x)]


def _ragged_arange(sizes: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s) for s in sizes."""
    total = int(sizes.sum())
    offsets = np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.arange(total, dtype=np.int64) - offsets


def _graph(focal: np.ndarray, neighbor: np.ndarray, ids: pd.Index) -> Graph:
    """A Graph from pairs of positions sorted by (focal, neighbour), islands as zero self-loops."""
    n = len(ids)
    linked = np.zeros(n, dtype=bool)
    linked[focal] = True
    islands = np.flatnonzero(~linked)
    weight = np.ones(len(focal), dtype=np.int64)
    if len(islands):
        focal = np.concatenate((focal, islands))
        neighbor = np.concatenate((neighbor, islands))
        weight = np.concatenate((weight, np.zeros(len(islands), dtype=np.int64)))
        order = np.lexsort((neighbor, focal))
        focal, neighbor, weight = focal[order], neighbor[order], weight[order]
    levels = pd.Index(ids)
    index = pd.MultiIndex(levels=[levels, levels], codes=[focal, neighbor], names=["focal", "neighbor"], verify_integrity=False)
    # Codes sorted by data order on both levels: the canonical order Graph expects.
    return Graph(pd.Series(weight, index=index, name="weight"), is_sorted=True)
