"""GeoPackage layers in a projected, equal-area CRS, so QGIS shows China at its true shape."""

from __future__ import annotations

import sqlite3

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
from pyproj import CRS, Geod

import spatialcluster as sc
from spatialcluster import InputError


@pytest.fixture(scope="module")
def prov():
    return sc.datasets.china_provinces()[["name_zh", "urban_rate_2011_yearend", "geometry"]]


def test_china_albers_layer_is_projected_named_and_equal_area(tmp_path, prov):
    """Areas in the written layer equal geodesic areas on WGS84 (pyproj.Geod, Karney 2013) to 1e-4."""
    path = tmp_path / "out.gpkg"
    sc.to_geopackage(path, {"regions": prov, "table": prov.drop(columns="geometry")}, crs="china_albers")
    back = pyogrio.read_dataframe(path, layer="regions")
    assert back.crs.is_projected and back.crs.name == "China Albers Equal Area Conic (WGS 84)"
    assert back.crs.equals(CRS(sc.plot.CHINA_ALBERS))
    geod = Geod(ellps="WGS84")
    expected = np.array([abs(geod.geometry_area_perimeter(g)[0]) for g in prov.geometry[:5]])
    np.testing.assert_allclose(back.geometry.area.to_numpy()[:5], expected, rtol=1e-4)
    with sqlite3.connect(path) as con:
        names = [r[0] for r in con.execute("select srs_name from gpkg_spatial_ref_sys")]
    assert "China Albers Equal Area Conic (WGS 84)" in names  # what QGIS shows
    assert len(pyogrio.read_dataframe(path, layer="table", read_geometry=False)) == 31  # tables unchanged


def test_other_crs_options(tmp_path, prov):
    sc.to_geopackage(tmp_path / "a.gpkg", {"r": prov}, crs="asia_north_albers")
    assert "Asia_North_Albers" in pyogrio.read_dataframe(tmp_path / "a.gpkg", layer="r").crs.name
    sc.to_geopackage(tmp_path / "b.gpkg", {"r": prov}, crs="auto")
    assert pyogrio.read_dataframe(tmp_path / "b.gpkg", layer="r").crs.is_projected
    sc.to_geopackage(tmp_path / "c.gpkg", {"r": prov})  # default: as it is
    assert pyogrio.read_dataframe(tmp_path / "c.gpkg", layer="r").crs.to_epsg() == 4326
    with pytest.raises(InputError, match="unknown CRS 'mercator-ish'"):
        sc.to_geopackage(tmp_path / "d.gpkg", {"r": prov}, crs="mercator-ish")
    no_crs = gpd.GeoDataFrame(prov.drop(columns="geometry"), geometry=list(prov.geometry))
    with pytest.raises(InputError, match="layer 'r' has no CRS"):
        sc.to_geopackage(tmp_path / "e.gpkg", {"r": no_crs}, crs="china_albers")


def test_hotspot_style_agrees_with_alpha():
    """The QGIS style of Gi* bins reads and colours 90 % bins as not significant at alpha = 0.05, as the map."""
    frame = gpd.GeoDataFrame({"bin": [3, 2, 1, 0, -1, -2, -3]}, geometry=gpd.points_from_xy(range(7), [0] * 7), crs=3857)
    items = {i["value"]: i for i in sc.export.layer_style(frame, alpha=0.05).items if i["value"]}
    assert items["1"]["label"] == items["0"]["label"] == "Not significant (p > 0.05)"
    assert items["1"]["color"] == items["0"]["color"] and items["2"]["label"] == "Hot spot, 95 %"
    assert sc.export.layer_style(frame).items[2]["label"] == "Cold spot, 90 %"  # default: every level
