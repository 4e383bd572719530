"""build_weights and weights_summary: every kind against libpysal or a direct numpy/scipy computation."""

from __future__ import annotations

import json
import warnings

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
import shapely
from libpysal.graph import Graph
from pyproj import Geod
from scipy.spatial.distance import cdist

import spatialcluster as sc
from spatialcluster.weights import CHINA_ALBERS, build_info, projected_crs


@pytest.fixture(scope="module")
def columbus():
    g = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    g.index = g["POLYID"].astype(str)
    return g


@pytest.fixture(scope="module")
def china():
    return sc.datasets.china_provinces()


@pytest.fixture(scope="module")
def china_xy(china):
    """Province centroids in China Albers, computed here independently of the package."""
    return shapely.get_coordinates(china.geometry.to_crs(CHINA_ALBERS).centroid.values)


def dense(w) -> np.ndarray:
    return w.sparse.toarray()


def neighbour_sets(w) -> dict:
    adj = w.adjacency.reset_index()
    adj = adj[adj["weight"] != 0]
    return {i: set(adj.loc[adj["focal"] == i, "neighbor"]) for i in w.unique_ids}


def quiet_build(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sc.SpatialClusterWarning)
        return sc.build_weights(*args, **kwargs)


# --- contiguity -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["queen", "rook"])
def test_contiguity_identical_to_libpysal_on_columbus(columbus, kind):
    w = sc.build_weights(columbus, kind, transform="b")
    ref = Graph.build_contiguity(columbus, rook=kind == "rook")
    assert list(w.unique_ids) == list(columbus.index)
    assert w.equals(ref.transform("b"))
    if kind == "queen":
        assert w.n_edges == 236  # libpysal / GeoDa queen on columbus.shp


@pytest.mark.parametrize("kind", ["queen", "rook"])
def test_contiguity_identical_to_libpysal_on_china(china, kind):
    with pytest.warns(sc.SpatialClusterWarning, match="460000"):
        w = sc.build_weights(china, kind, islands="drop", transform="b")
    ref = Graph.build_contiguity(china, rook=kind == "rook").transform("b")
    assert w.equals(ref.subgraph([i for i in china.index if i != "460000"]))


def test_row_standardised_by_default(columbus):
    w = sc.build_weights(columbus)
    assert w.transformation == "R"
    np.testing.assert_allclose(dense(w).sum(axis=1), 1.0, rtol=0, atol=1e-12)


# --- distance kinds against scipy -------------------------------------------------------------


def test_knn_matches_cdist(china, china_xy):
    k = 4
    w = sc.build_weights(china, "knn", k=k, transform="b")
    d = cdist(china_xy, china_xy)
    np.fill_diagonal(d, np.inf)
    expected = {china.index[i]: set(china.index[np.argsort(d[i])[:k]]) for i in range(len(china))}
    assert neighbour_sets(w) == expected
    assert sc.weights_summary(w).n_asymmetric == sum(
        a not in expected[b] for a, nb in expected.items() for b in nb
    )


def test_distance_band_matches_cdist(china, china_xy):
    threshold = 800_000.0
    w = quiet_build(china, "distance_band", threshold=threshold, islands="drop", transform="b")
    d = cdist(china_xy, china_xy)
    np.fill_diagonal(d, np.inf)
    expected = {china.index[i]: set(china.index[d[i] <= threshold]) for i in range(len(china))}
    expected = {i: s for i, s in expected.items() if s}
    assert neighbour_sets(w) == expected


@pytest.mark.parametrize("power", [1.0, 2.0])
def test_inverse_distance_matches_numpy(china, china_xy, power):
    w = sc.build_weights(china, "inverse_distance", power=power, transform="o")
    d = cdist(china_xy, china_xy)
    np.fill_diagonal(d, np.inf)
    np.testing.assert_allclose(dense(w), d**-power, rtol=1e-9, atol=0)
    wr = sc.build_weights(china, "idw", power=power)
    np.testing.assert_allclose(dense(wr), d**-power / (d**-power).sum(axis=1, keepdims=True), rtol=1e-9)


def test_inverse_distance_with_threshold(china, china_xy):
    w = sc.build_weights(china, "inverse_distance", threshold=1_500_000, transform="o")
    d = cdist(china_xy, china_xy)
    np.fill_diagonal(d, np.inf)
    np.testing.assert_allclose(dense(w), np.where(d <= 1_500_000, 1 / d, 0.0), rtol=1e-9, atol=0)


KERNELS = {
    "gaussian": lambda z: np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi),
    "triangular": lambda z: 1 - z,
    "bisquare": lambda z: (15 / 16) * (1 - z**2) ** 2,
}


@pytest.mark.parametrize("function", sorted(KERNELS))
def test_kernel_matches_formula(china, china_xy, function):
    bw = 1_000_000.0
    w = quiet_build(china, "kernel", bandwidth=bw, function=function, islands="drop", transform="o")
    d = cdist(china_xy, china_xy)
    np.fill_diagonal(d, np.inf)
    expected = np.where(d <= bw, KERNELS[function](np.minimum(d, bw) / bw), 0.0)
    keep = expected.sum(axis=1) > 0
    np.testing.assert_allclose(dense(w), expected[np.ix_(keep, keep)], rtol=1e-9, atol=1e-15)


def test_kernel_with_k_uses_kth_distance_as_bandwidth(china, china_xy):
    k = 5
    w = sc.build_weights(china, "kernel", k=k, transform="o")
    d = cdist(china_xy, china_xy)
    np.fill_diagonal(d, np.inf)
    dk = np.sort(d, axis=1)[:, :k]
    bw = dk.max()
    assert build_info(w).params["bandwidth"] == pytest.approx(bw, rel=1e-12)
    expected = np.zeros_like(d)
    for i in range(len(d)):
        nb = np.argsort(d[i])[:k]
        expected[i, nb] = KERNELS["gaussian"](d[i, nb] / bw)
    np.testing.assert_allclose(dense(w), expected, rtol=1e-9, atol=1e-15)


def test_projected_distances_are_close_to_geodesic(china, china_xy):
    """China Albers centroid distances agree with WGS 84 geodesics within 2 % (never degrees)."""
    lonlat = shapely.get_coordinates(gpd.GeoSeries(shapely.points(china_xy), crs=CHINA_ALBERS).to_crs(4326).values)
    geod = Geod(ellps="WGS84")
    i, j = np.triu_indices(len(lonlat), 1)
    _, _, geodesic = geod.inv(lonlat[i, 0], lonlat[i, 1], lonlat[j, 0], lonlat[j, 1])
    planar = np.hypot(*(china_xy[i] - china_xy[j]).T)
    assert np.max(np.abs(planar / geodesic - 1)) < 0.02


# --- user matrices: Chen (2015) railway distances --------------------------------------------


@pytest.fixture(scope="module")
def railway(reference_dir):
    with open(reference_dir / "chen.json") as fh:
        chen = json.load(fh)
    ids = [f"r{i:02d}" for i in range(1, 30)]
    m = pd.DataFrame(np.array(chen["M"], dtype=float), index=ids, columns=ids)
    data = pd.DataFrame({"y": chen["Y"]}, index=pd.Index(ids))
    return data, m


def test_matrix_weights_taken_as_given(railway):
    data, m = railway
    inv = 1 / m.where(m > 0)
    w = sc.build_weights(data, "matrix", matrix=inv.fillna(0.0), transform="o")
    np.testing.assert_allclose(dense(w), inv.fillna(0.0).to_numpy(), rtol=1e-12)
    assert list(w.unique_ids) == list(data.index)


def test_distance_kinds_from_a_distance_matrix(railway):
    data, m = railway
    d = m.to_numpy().copy()
    np.fill_diagonal(d, np.inf)
    w = sc.build_weights(data, "inverse_distance", matrix=m)
    expected = 1 / d
    np.testing.assert_allclose(dense(w), expected / expected.sum(axis=1, keepdims=True), rtol=1e-12)
    assert build_info(w).crs_reason.startswith("user-supplied distance matrix")
    knn = sc.build_weights(data, "knn", k=3, matrix=m, transform="b")
    assert neighbour_sets(knn) == {data.index[i]: set(data.index[np.argsort(d[i], kind="stable")[:3]]) for i in range(29)}
    band = quiet_build(data, "distance_band", threshold=500, matrix=m, islands="drop", transform="b")
    expected_band = {data.index[i]: set(data.index[d[i] <= 500]) for i in range(29)}
    assert neighbour_sets(band) == {i: s for i, s in expected_band.items() if s}


def test_matrix_keys_given_as_integers_and_reordered():
    ids = ["110000", "120000", "130000"]
    m = pd.DataFrame([[0, 1, 2], [1, 0, 3], [2, 3, 0]], index=[130000, 110000, 120000], columns=[130000.0, 110000.0, 120000.0])
    data = pd.DataFrame(index=pd.Index(ids))
    w = sc.build_weights(data, "matrix", matrix=m, transform="o")
    np.testing.assert_array_equal(dense(w), m.set_axis(["130000", "110000", "120000"]).set_axis(["130000", "110000", "120000"], axis=1).loc[ids, ids].to_numpy())


@pytest.mark.parametrize(
    "cells, match",
    [
        ({(0, 1): np.nan}, r"missing or non-numeric cells: \(a, b\)"),
        ({(1, 2): -1.0}, r"negative cells: \(b, c\)"),
        ({(0, 0): 1.0}, r"non-zero diagonal\) for a"),
    ],
)
def test_matrix_bad_cells_are_named(cells, match):
    m = pd.DataFrame(np.ones((3, 3)) - np.eye(3), index=list("abc"), columns=list("abc"))
    for (i, j), v in cells.items():
        m.iloc[i, j] = v
    with pytest.raises(sc.WeightsError, match=match):
        sc.build_weights(pd.DataFrame(index=pd.Index(list("abc"))), "matrix", matrix=m)


def test_matrix_missing_region_is_named():
    m = pd.DataFrame(np.ones((2, 2)) - np.eye(2), index=list("ab"), columns=list("ab"))
    with pytest.raises(sc.WeightsError, match="no row/column for regions c"):
        sc.build_weights(pd.DataFrame(index=pd.Index(list("abc"))), "matrix", matrix=m)


def test_zero_distance_between_regions_refused():
    m = pd.DataFrame([[0, 0, 1], [0, 0, 1], [1, 1, 0]], index=list("abc"), columns=list("abc"))
    with pytest.raises(sc.WeightsError, match=r"zero distances between different regions: \(a, b\)"):
        sc.build_weights(pd.DataFrame(index=pd.Index(list("abc"))), "knn", k=1, matrix=m)


# --- islands ----------------------------------------------------------------------------------


def test_islands_error_names_them_and_the_options(china):
    with pytest.raises(sc.WeightsError) as exc:
        sc.build_weights(china)
    msg = str(exc.value)
    assert "460000" in msg and "Hainan" in msg and "海南省" in msg
    assert "islands='nearest'" in msg and "islands='drop'" in msg
    assert exc.value.islands == ["460000"]


def test_islands_nearest_links_hainan_to_guangdong(china):
    with pytest.warns(sc.SpatialClusterWarning, match=r"460000 \(海南省 / Hainan\) - 440000 \(广东省 / Guangdong\)"):
        w = sc.build_weights(china, islands="nearest", transform="b")
    ref = Graph.build_contiguity(china, rook=False).transform("b")
    added = set(w.adjacency.index) - set(ref.adjacency.index)
    assert added == {("460000", "440000"), ("440000", "460000")}
    s = sc.weights_summary(w, china)
    assert s.islands == [] and s.n_components == 1
    assert [(a, b) for a, b, _ in s.island_links] == [("460000", "440000")]
    # Boundary distance across the Qiongzhou Strait, measured independently in China Albers.
    proj = china.geometry.to_crs(CHINA_ALBERS)
    assert s.island_links[0][2] == pytest.approx(proj["460000"].distance(proj["440000"]), rel=1e-12)
    assert "China Albers" in s.summary() and "linked" in s.summary()


def test_islands_nearest_with_island_k(china):
    with pytest.warns(sc.SpatialClusterWarning):
        w = sc.build_weights(china, islands="nearest", island_k=2, transform="b")
    proj = china.geometry.to_crs(CHINA_ALBERS)
    d = proj.distance(proj["460000"]).drop("460000")
    assert set(w["460000"].index) == set(d.nsmallest(2).index)
    assert all("460000" in w[j].index for j in d.nsmallest(2).index)  # symmetric


def test_islands_drop_returns_graph_over_the_rest(china):
    with pytest.warns(sc.SpatialClusterWarning, match="dropped"):
        w = sc.build_weights(china, islands="drop")
    assert list(w.unique_ids) == [i for i in china.index if i != "460000"]
    s = sc.weights_summary(w, china)
    assert s.dropped == ["460000"] and "data.loc[w.unique_ids]" in s.summary()
    with pytest.raises(sc.WeightsError, match="in the data but not in the weights: 460000"):
        from spatialcluster._validate import align

        align(china, w)


def test_islands_nearest_for_distance_band_uses_inverse_weight(china, china_xy):
    with pytest.warns(sc.SpatialClusterWarning, match="650000"):
        w = sc.build_weights(china, "inverse_distance", threshold=800_000, islands="nearest", transform="o")
    d = cdist(china_xy, china_xy)
    np.fill_diagonal(d, np.inf)
    i = list(china.index).index("650000")
    j = int(np.argmin(d[i]))
    assert dense(w)[i, j] == pytest.approx(1 / d[i, j], rel=1e-12) and dense(w)[j, i] == dense(w)[i, j]


def test_islands_nearest_not_available_for_kernel(china):
    with pytest.raises(sc.WeightsError, match="islands='nearest' is not available"):
        sc.build_weights(china, "kernel", bandwidth=700_000, islands="nearest")


def test_disconnected_components_are_warned_and_summarised():
    squares = [shapely.box(x, 0, x + 1, 1) for x in (0, 1, 5, 6, 7)]
    data = gpd.GeoDataFrame(geometry=squares, index=pd.Index(list("abcde")), crs="EPSG:3857")
    with pytest.warns(sc.SpatialClusterWarning, match=r"2 disconnected components \(sizes 3, 2\).*a, b"):
        w = sc.build_weights(data, "rook")
    s = sc.weights_summary(w)
    assert s.n_components == 2 and s.component_sizes == [3, 2]


# --- summary ----------------------------------------------------------------------------------


def test_summary_numbers_on_columbus(columbus):
    w = sc.build_weights(columbus)
    s = sc.weights_summary(w)
    ref = Graph.build_contiguity(columbus, rook=False)
    card = ref.cardinalities
    assert (s.n, s.n_links) == (49, 236)
    assert s.mean_neighbors == pytest.approx(236 / 49, rel=1e-12)
    assert (s.min_neighbors, s.max_neighbors) == (int(card.min()), int(card.max()))
    assert s.islands == [] and s.n_components == 1 and s.n_asymmetric == 0
    assert s.kind == "queen" and s.transform == "R"
    frame = s.to_frame()
    assert frame.loc["n_links", "value"] == 236
    assert s.regions["n_neighbors"].equals(card.reindex(s.regions.index).astype(int).rename("n_neighbors"))


def test_summary_of_a_foreign_graph(columbus):
    s = sc.weights_summary(Graph.build_knn(columbus.centroid, k=2))
    assert s.kind is None and s.n_links == 98
    assert "libpysal Graph" in s.summary()


# --- CRS choice -------------------------------------------------------------------------------


def _points(lon, lat, crs="EPSG:4326"):
    return gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(lon, lat), index=pd.Index([f"p{i}" for i in range(len(lon))]), crs=crs
    )


def test_crs_choice():
    assert projected_crs(sc.datasets.china_provinces())[0] == CHINA_ALBERS
    crs, why = projected_crs(_points([116.0, 117.5], [39.5, 40.5]))
    assert crs.to_epsg() == 32650 and "UTM zone 50N" in why
    crs, why = projected_crs(_points([-117.0, -87.0], [15.0, 32.0]))
    assert crs.coordinate_operation.method_name == "Lambert Azimuthal Equal Area" and "Lambert azimuthal" in why
    crs, _ = projected_crs(_points([0.0, 1.0], [0.0, 1.0], crs="EPSG:3857"))
    assert crs.to_epsg() == 3857


def test_distance_kinds_refuse_missing_crs(columbus):
    with pytest.raises(sc.WeightsError, match="no coordinate reference system"):
        sc.build_weights(columbus, "knn", k=3)


def test_geographic_crs_with_projected_coordinates_refused():
    with pytest.raises(sc.WeightsError, match="not degrees"):
        sc.build_weights(_points([500000.0, 600000.0, 700000.0], [10.0, 20.0, 30.0]), "knn", k=1)


# --- validation -------------------------------------------------------------------------------


def test_non_string_ids_refused(columbus):
    data = columbus.set_index("POLYID")
    with pytest.raises(sc.InputError, match="region ids must be strings.*astype\\(str\\)"):
        sc.build_weights(data)


def test_duplicate_ids_refused(columbus):
    data = columbus.copy()
    data.index = ["1"] * 2 + list(columbus.index[2:])
    with pytest.raises(sc.InputError, match="duplicate region ids: 1"):
        sc.build_weights(data)


def test_empty_and_missing_geometries_named(columbus):
    data = columbus.copy()
    data.loc["3", "geometry"] = shapely.Polygon()
    data.loc["7", "geometry"] = None
    with pytest.raises(sc.InputError, match="without geometry.*3, 7"):
        sc.build_weights(data)


def test_invalid_geometries_named(columbus):
    data = columbus.copy()
    data.loc["5", "geometry"] = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])  # bow-tie
    with pytest.raises(sc.InputError, match="invalid geometries for regions 5.*make_valid"):
        sc.build_weights(data)


def test_contiguity_needs_polygons():
    with pytest.raises(sc.InputError, match="contiguity needs polygons.*Point"):
        sc.build_weights(_points([0.0, 1.0], [0.0, 1.0]))


def test_table_without_geometry_refused():
    with pytest.raises(sc.InputError, match="no geometry column"):
        sc.build_weights(pd.DataFrame({"x": [1, 2]}, index=pd.Index(["a", "b"])))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"kind": "hexagonal"}, "unknown weights kind"),
        ({"transform": "x"}, "transform='x'"),
        ({"islands": "ignore"}, "islands='ignore'"),
        ({"island_k": 0}, "island_k must be a positive integer"),
        ({"kind": "knn"}, "needs k"),
        ({"kind": "knn", "k": 2.5}, "k must be a positive integer"),
        ({"kind": "knn", "k": 31}, "only 31 regions"),
        ({"kind": "distance_band"}, r"needs threshold .*smallest threshold that leaves no region without a neighbour is \d"),
        ({"kind": "kernel"}, "needs bandwidth"),
        ({"kind": "kernel", "bandwidth": 1e6, "function": "boxy"}, "unknown kernel function"),
        ({"kind": "inverse_distance", "power": -1}, "power must be a positive number"),
        ({"kind": "matrix"}, "needs matrix="),
        ({"kind": "matrix", "matrix": np.eye(31)}, "square pandas DataFrame"),
    ],
)
def test_bad_parameters(china, kwargs, match):
    with pytest.raises(sc.InputError, match=match):
        sc.build_weights(china, **kwargs)


def test_suggested_threshold_connects_everyone(china):
    with pytest.raises(sc.InputError) as exc:
        sc.build_weights(china, "distance_band")
    suggested = float(str(exc.value).rsplit(" ", 1)[1])
    w = sc.build_weights(china, "distance_band", threshold=suggested * (1 + 1e-9))
    assert sc.weights_summary(w).islands == []
