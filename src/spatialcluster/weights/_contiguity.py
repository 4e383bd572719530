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
    n = len(geoms)
    if rook:
        owner, keys = _edge_keys(geoms)
    else:
        coords, owner = shapely.get_coordinates(geoms, return_index=True)
        keys = _vertex_ids(coords)
    focal, neighbor = _pairs_sharing_a_key(keys, owner, n)
    return _graph(focal, neighbor, ids)


def _vertex_ids(coords: np.ndarray) -> np.ndarray:
    """An integer per distinct (x, y), exact (equal coordinates <=> equal id)."""
    xy = coords + 0.0  # -0.0 -> 0.0, so that equal numbers get equal bits
    bits = xy.view(np.uint64)
    # Sort by a 64-bit mix of both coordinates, then confirm equality on the coordinates
    # themselves: runs of equal hashes with different points (collisions) fall back to an
    # exact lexicographic sort.
    h = bits[:, 0] * np.uint64(0x9E3779B97F4A7C15) ^ (bits[:, 1] + np.uint64(0x632BE59BD9B4E019))
    order = np.argsort(h)
    sx, sy, sh = xy[order, 0], xy[order, 1], h[order]
    same_hash = sh[1:] == sh[:-1]
    same_point = (sx[1:] == sx[:-1]) & (sy[1:] == sy[:-1])
    if np.any(same_hash & ~same_point):  # pragma: no cover - 64-bit collision
        order = np.lexsort((xy[:, 1], xy[:, 0]))
        sx, sy = xy[order, 0], xy[order, 1]
        same_point = (sx[1:] == sx[:-1]) & (sy[1:] == sy[:-1])
    # A point equal to its predecessor in sorted order shares its id; hash runs hold all
    # copies of a point (equal points have equal bits, hence equal hashes).
    new = np.concatenate(([True], ~same_point))
    ids = np.empty(len(xy), dtype=np.int64)
    ids[order] = np.cumsum(new) - 1
    return ids


def _edge_keys(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every ring segment: the polygon it belongs to, and an id of its (unordered) ends."""
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    vid = _vertex_ids(coords)
    same_ring = ring_of[1:] == ring_of[:-1]  # segments never join two rings
    a, b = vid[:-1][same_ring], vid[1:][same_ring]
    owner = part_owner[ring_part[ring_of[:-1][same_ring]]]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    keep = lo != hi  # repeated consecutive vertices are not edges
    n_vertices = np.int64(vid.max() + 1) if len(vid) else np.int64(1)
    return owner[keep], lo[keep] * n_vertices + hi[keep]


def _pairs_sharing_a_key(keys: np.ndarray, owner: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """All ordered pairs (i, j), i != j, of polygons that share at least one key."""
    owner = owner.astype(np.int64)
    if len(keys) and int(keys.max()) >= np.iinfo(np.int64).max // max(n, 1) - 1:
        keys = np.unique(keys, return_inverse=True)[1].astype(np.int64)  # densify: key * n must fit
    # Distinct (key, polygon) incidences, grouped by key.
    inc = _sorted_unique(keys * np.int64(n) + owner)
    k, g = inc // n, inc % n
    start = np.flatnonzero(np.concatenate(([True], k[1:] != k[:-1])))
    size = np.diff(np.append(start, len(k)))
    shared = size > 1
    start, size = start[shared], size[shared]
    if not len(start):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    # Each member of a group of size s pairs with the s - 1 others: enumerate (member, other)
    # within groups by repeating group offsets, without a Python loop.
    member = np.repeat(start, size) + _ragged_arange(size)
    reps = np.repeat(size, size)
    first = np.repeat(np.repeat(start, size), reps)
    other = first + _ragged_arange(reps)
    a, b = g[np.repeat(member, reps)], g[other]
    keep = a != b
    pair = _sorted_unique(a[keep] * np.int64(n) + b[keep])  # sorted by (focal, neighbour)
    return pair // n, pair % n


def _sorted_unique(x: np.ndarray) -> np.ndarray:
    """Sorted distinct values; a plain sort is several times faster than np.unique's hashing here."""
    x = np.sort(x)
    return x[np.concatenate(([True], x[1:] != x[:-1]))] if len(x) else x


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
