"""Issue 10, section 3 (geometry and weights): messy boundaries are read right or refused clearly.

Each test reproduces one finding and asserts the message (which regions, what to do).
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon, box

import spatialcluster as sc
from spatialcluster.weights import build_info

UTM = "EPSG:32650"  # metres
X0, Y0 = 500_000.0, 3_000_000.0
SIDE = 1000.0


def lattice(n=3, shift=0.0):
    """n x n squares of 1 km (UTM 50N), ids "r<row>c<col>"; ``shift`` moves the right border of
    r0c0 left by that many metres, opening a gap to r0c1 (and breaking the corner with r1c1)."""
    cells, ids = [], []
    for r in range(n):
        for c in range(n):
            x, y = X0 + c * SIDE, Y0 + r * SIDE
            right = x + SIDE - (shift if (r, c) == (0, 0) else 0.0)
            cells.append(Polygon([(x, y), (right, y), (right, y + SIDE), (x, y + SIDE)]))
            ids.append(f"r{r}c{c}")
    return gpd.GeoDataFrame({"v": np.arange(n * n, dtype=float)}, geometry=cells, crs=UTM,
                            index=pd.Index(ids, name="id"))


def write(frame, path):
    frame.reset_index().to_file(path, driver="GPKG")
    return path


def links(w) -> set:
    adj = w.adjacency
    return {(a, b) for (a, b), v in adj.items() if v != 0 and a != b}


# --- zero-area polygons -------------------------------------------------------------------------


def test_zero_area_polygon_is_refused_not_returned_empty(tmp_path):
    """A polygon whose ring is a line (zero area) was 'repaired' by make_valid into an empty
    geometry and returned; it must be refused, naming the region and the fix."""
    frame = lattice(2)
    frame.loc["r1c1", "geometry"] = Polygon([(X0, Y0), (X0 + 1, Y0 + 1), (X0 + 2, Y0 + 2), (X0, Y0)])
    path = write(frame, tmp_path / "flat.gpkg")
    with pytest.raises(sc.InputError, match=r"r1c1.*zero area.*delete.*feature"):
        sc.read_regions(path, id="id")


# --- duplicate and overlapping polygons ----------------------------------------------------------


def test_duplicate_and_overlapping_polygons_are_named(tmp_path):
    frame = lattice(3)
    frame.loc["r2c2", "geometry"] = frame.loc["r0c0", "geometry"]  # an exact duplicate
    frame.loc["r2c1", "geometry"] = box(X0 + 500, Y0 + 1000, X0 + 1500, Y0 + 2000)  # half over r1c0 / r1c1
    path = write(frame, tmp_path / "overlap.gpkg")
    with pytest.warns(sc.SpatialClusterWarning) as record:
        regions = sc.read_regions(path, id="id")
    text = " ".join(str(r.message) for r in record)
    assert "duplicate" in text and "r0c0 - r2c2" in text
    assert "overlap" in text and "r1c0 - r2c1 (50%" in text and "r1c1 - r2c1 (50%" in text
    assert len(regions) == 9


def test_sliver_overlaps_below_the_share_pass_silently(tmp_path):
    frame = lattice(2)
    frame.loc["r0c0", "geometry"] = box(X0, Y0, X0 + SIDE + 0.5, Y0 + SIDE)  # 0.05 % over r0c1
    path = write(frame, tmp_path / "sliver.gpkg")
    with warnings.catch_warnings():
        warnings.simplefilter("error", sc.SpatialClusterWarning)
        sc.read_regions(path, id="id")


def test_contiguity_on_duplicates_warns_too():
    """Frames that never went through read_regions are checked by build_weights."""
    frame = lattice(2)
    frame.loc["r1c1", "geometry"] = frame.loc["r0c0", "geometry"]
    with pytest.warns(sc.SpatialClusterWarning, match=r"duplicate.*r0c0 - r1c1"):
        sc.build_weights(frame, "queen")


# --- near-miss borders and snapping ----------------------------------------------------------------


def test_borders_off_by_a_millimetre_warn_naming_the_pairs():
    """A 1 mm gap silently removed r0c0's links to r0c1 and r1c1."""
    with pytest.warns(sc.SpatialClusterWarning, match=r"r0c0 - r0c1 \(gap 0\.001 m\).*r0c0 - r1c1.*tolerance="):
        w = sc.build_weights(lattice(3, shift=0.001), "queen")
    assert ("r0c0", "r0c1") not in links(w)  # not linked without the user's say-so


def test_tolerance_snaps_the_gap_and_reports_the_links():
    exact = sc.build_weights(lattice(3), "queen")
    with pytest.warns(sc.SpatialClusterWarning, match=r"tolerance=0.01 m added 2 link\(s\).*r0c0 - r0c1.*r0c0 - r1c1"):
        w = sc.build_weights(lattice(3, shift=0.001), "queen", tolerance=0.01)
    assert links(w) == links(exact)
    pd.testing.assert_series_equal(w.adjacency.sort_index(), exact.adjacency.sort_index())
    info = build_info(w)
    assert [(a, b) for a, b, _ in info.snapped_links] == [("r0c0", "r0c1"), ("r0c0", "r1c1")]
    s = sc.weights_summary(w)
    assert "snapped" in s.summary() and "r0c0 - r0c1" in s.summary()
    assert s.to_frame().loc["snapped_links", "value"] == "r0c0-r0c1; r0c0-r1c1"
    assert s.to_record()["snapped_links"] == [["r0c0", "r0c1"], ["r0c0", "r1c1"]]


def test_tolerance_is_checked():
    with pytest.raises(sc.InputError, match=r"tolerance.*only.*queen"):
        sc.build_weights(lattice(2), "knn", k=1, tolerance=0.01)
    with pytest.raises(sc.InputError, match=r"tolerance must be a positive number"):
        sc.build_weights(lattice(2), "queen", tolerance=-1)


def test_clean_lattice_gives_no_near_miss_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", sc.SpatialClusterWarning)
        sc.build_weights(lattice(4), "queen")
        sc.build_weights(lattice(4), "rook")  # corner contacts are not rook links, and not near misses


# --- distance thresholds in degrees ---------------------------------------------------------------


def lonlat_points():
    rng = np.random.default_rng(3)
    lon, lat = 100 + 20 * rng.random(30), 25 + 15 * rng.random(30)
    return gpd.GeoDataFrame(geometry=[Point(a, b) for a, b in zip(lon, lat)], crs="EPSG:4326",
                            index=pd.Index([f"p{i}" for i in range(30)]))


def test_threshold_in_degrees_on_lonlat_data_is_refused_with_the_conversion():
    with pytest.raises(sc.InputError, match=r"threshold=2.5 is in metres of the projected CRS .*"
                       r"did you mean 2.5 degrees \(about 278 km\)\? .*threshold=278000"):
        sc.build_weights(lonlat_points(), "distance_band", threshold=2.5)
    with pytest.raises(sc.InputError, match=r"bandwidth=3 is in metres"):
        sc.build_weights(lonlat_points(), "kernel", bandwidth=3)
    w = sc.build_weights(lonlat_points(), "distance_band", threshold=600_000)  # metres: fine
    assert w.n == 30


# --- CRS checks ---------------------------------------------------------------------------------


def test_layers_with_different_crs_are_refused(tmp_path):
    a = write(lattice(2).iloc[:2], tmp_path / "a.gpkg")
    b = write(lattice(2).iloc[2:].to_crs("EPSG:4326"), tmp_path / "b.gpkg")
    with pytest.raises(sc.InputError, match=r"different CRSs.*Reproject"):
        sc.read_regions([a, b], id="id")


def test_geographic_crs_with_metre_coordinates_is_refused(tmp_path):
    """A .prj saying longitude/latitude on coordinates in metres (a wrong or swapped .prj)."""
    frame = lattice(2).set_crs("EPSG:4326", allow_override=True)
    path = write(frame, tmp_path / "wrong.gpkg")
    with pytest.raises(sc.InputError, match=r"wrong\.gpkg.*longitude/latitude.*not degrees"):
        sc.read_regions(path, id="id")


def test_near_miss_on_longitude_latitude_is_measured_in_metres():
    """The same 1 mm gap on a lon/lat lattice (0.01 degree cells near 30 N): found in degrees,
    measured in the projected CRS chosen for the data (UTM), snapped with tolerance=0.01."""
    side, shift = 0.01, 1e-8  # 1e-8 degree of longitude at 30 N is about 0.96 mm
    frame = lattice(3)
    cells = []
    for poly in frame.geometry:
        x0, y0, x1, y1 = poly.bounds
        to = lambda x, y: (110 + (x - X0) / SIDE * side, 30 + (y - Y0) / SIDE * side)  # noqa: E731
        cells.append(box(*to(x0, y0), *to(x1, y1)))
    exact = gpd.GeoDataFrame(geometry=cells, crs="EPSG:4326", index=frame.index)
    shifted = exact.copy()
    x0, y0, x1, y1 = cells[0].bounds
    shifted.loc["r0c0", "geometry"] = box(x0, y0, x1 - shift, y1)
    with pytest.warns(sc.SpatialClusterWarning, match=r"r0c0 - r0c1 \(gap 0\.000\d+ m\).*UTM zone 49N"):
        sc.build_weights(shifted, "queen")
    with pytest.warns(sc.SpatialClusterWarning, match=r"added 2 link\(s\)"):
        w = sc.build_weights(shifted, "queen", tolerance=0.01)
    assert links(w) == links(sc.build_weights(exact, "queen"))


def test_tolerance_can_rescue_an_island():
    """Two squares 5 mm apart: an island pair without tolerance, neighbours with it."""
    pair = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + SIDE, Y0 + SIDE), box(X0 + SIDE + 0.005, Y0, X0 + 2 * SIDE, Y0 + SIDE)],
                            crs=UTM, index=pd.Index(["a", "b"]))
    with pytest.warns(sc.SpatialClusterWarning, match=r"a - b \(gap 0\.005 m\)"), pytest.raises(sc.WeightsError, match="islands"):
        sc.build_weights(pair, "queen")
    with pytest.warns(sc.SpatialClusterWarning, match=r"tolerance=0.01 m added 1 link"):
        w = sc.build_weights(pair, "queen", tolerance=0.01)
    assert links(w) == {("a", "b"), ("b", "a")} and not w.isolates.size


def test_rook_names_a_border_without_shared_edge_but_not_a_corner():
    """r0c1's left side has an extra vertex that r0c0's right side lacks: the two share their
    corner vertices but no edge, so rook contiguity misses a real border."""
    frame = lattice(2)
    x, y = X0 + SIDE, Y0
    frame.loc["r0c1", "geometry"] = Polygon([(x, y), (x + SIDE, y), (x + SIDE, y + SIDE), (x, y + SIDE), (x, y + SIDE / 2)])
    with pytest.warns(sc.SpatialClusterWarning, match=r"rook contiguity: 1 pair.*r0c0 - r0c1 \(touching, no shared edge\)"):
        w = sc.build_weights(frame, "rook")
    assert ("r0c0", "r1c1") not in links(w)  # the corner contact stays a non-link and is not reported


def test_contiguity_refuses_a_lonlat_crs_on_metre_coordinates():
    """Frames built in code skip read_regions: the near-miss check needs metres, so a CRS that
    cannot be right is refused there too, with the fix."""
    wrong = lattice(2).set_crs("EPSG:4326", allow_override=True)
    with pytest.raises(sc.WeightsError, match=r"CRS is geographic .* not degrees.*set_crs"):
        sc.build_weights(wrong, "queen")
