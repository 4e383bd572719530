"""The vectorised queen/rook builder gives exactly libpysal's Graph.build_contiguity graph."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from libpysal.graph import Graph

from spatialcluster.weights._contiguity import contiguity


def frame(geoms, prefix="g") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=list(geoms), index=pd.Index([f"{prefix}{i}" for i in range(len(geoms))]))


def assert_same(data: gpd.GeoDataFrame) -> None:
    for rook in (False, True):
        ours = contiguity(data.geometry.to_numpy(), data.index, rook=rook)
        ref = Graph.build_contiguity(data, rook=rook)
        assert list(ours.unique_ids) == list(data.index)
        assert ours.equals(ref), f"rook={rook}"


def hexagons(rows: int, cols: int) -> list:
    r, c = np.divmod(np.arange(rows * cols), cols)
    cx, cy = 2 * c + (r % 2), 3 * r
    dx, dy = np.array([0, 1, 1, 0, -1, -1, 0]), np.array([2, 1, -1, -2, -1, 1, 2])
    return list(shapely.polygons(np.stack([cx[:, None] + dx, cy[:, None] + dy], axis=-1).astype(float)))


def test_hexagonal_lattice():
    data = frame(hexagons(40, 50))
    assert_same(data)
    w = contiguity(data.geometry.to_numpy(), data.index, rook=False)
    assert w.cardinalities.max() == 6


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_voronoi_coverages(seed):
    rng = np.random.default_rng(seed)
    pts = shapely.multipoints(rng.uniform(0, 100, size=(300, 2)))
    cells = shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=shapely.box(0, 0, 100, 100)))
    cells = shapely.intersection(cells, shapely.box(0, 0, 100, 100))
    assert_same(frame(cells))


def test_holes_multipolygons_corners_and_islands():
    outer = shapely.Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], holes=[[(3, 3), (6, 3), (6, 6), (3, 6)]])
    inner = shapely.box(3, 3, 6, 6)  # fills the hole: a neighbour through the interior ring
    corner = shapely.box(10, 10, 12, 12)  # touches outer at one vertex: queen only
    multi = shapely.MultiPolygon([shapely.box(10, 0, 12, 2), shapely.box(20, 20, 22, 22)])
    far = shapely.box(30, 30, 31, 31)  # island
    touch_multi = shapely.box(22, 20, 24, 22)  # shares an edge with multi's second part
    data = frame([outer, inner, corner, multi, far, touch_multi])
    assert_same(data)
    queen = contiguity(data.geometry.to_numpy(), data.index, rook=False)
    rook = contiguity(data.geometry.to_numpy(), data.index, rook=True)
    assert set(queen["g0"].index) == {"g1", "g2", "g3"}
    # Vertex-set rook: multi's square lies along outer's edge (10,0)-(10,10) but shares only
    # the vertex (10,0) with it, not a segment between two common vertices.
    assert set(rook["g0"].index) == {"g1"}
    assert set(rook["g3"].index) == {"g5"}
    assert list(queen.isolates) == ["g4"]


def test_signed_zero_and_repeated_vertices():
    left = shapely.Polygon([(-1.0, 0.0), (-0.0, 0.0), (-0.0, 1.0), (-0.0, 1.0), (-1.0, 1.0)])
    right = shapely.Polygon([(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)])
    data = frame([left, right])
    assert_same(data)
    assert set(contiguity(data.geometry.to_numpy(), data.index, rook=True)["g0"].index) == {"g1"}


def test_order_follows_the_data_not_the_ids():
    data = frame(hexagons(5, 6))
    data.index = pd.Index([f"z{29 - i}" for i in range(30)])  # ids sorting against data order
    assert_same(data)
