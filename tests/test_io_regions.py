"""read_regions: formats, DBF encodings, id columns, geometry and CRS checks."""

from __future__ import annotations

import hashlib
import warnings
import zipfile

import pyogrio
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import MultiPolygon, Polygon, box

import spatialcluster as sc
from _io_data import regions_frame, write_shapefile

NAMES = ["北京市", "天津市", "河北省", "内蒙古自治区"]
CODES = [110000.0, 120000.0, 130000.0, 150000.0]  # DBF numeric fields come back as floats


@pytest.fixture
def provinces():
    return regions_frame({"adcode": CODES, "name": NAMES})


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def no_warnings():
    """Turn the package's warnings into errors for the test body."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", sc.SpatialClusterWarning)
        yield


def test_shapefile_ids_become_strings(tmp_path, provinces):
    path = write_shapefile(provinces, tmp_path / "p.shp")
    regions = sc.read_regions(path)
    assert regions.index.tolist() == ["110000", "120000", "130000", "150000"]
    assert regions.index.name == "adcode" and "adcode" not in regions.columns
    assert regions["name"].tolist() == NAMES
    assert regions.crs.equals(provinces.crs)
    assert regions.geometry.geom_equals(provinces.set_index(regions.index).geometry).all()


def test_gbk_dbf_without_cpg_falls_back_to_gb18030_with_warning(tmp_path, provinces):
    path = write_shapefile(provinces, tmp_path / "p.shp", encoding="GBK", cpg=False)
    assert not path.with_suffix(".cpg").exists()
    # what GDAL alone would do: Latin-1 mojibake, silently
    assert pyogrio.read_dataframe(path)["name"].tolist() != NAMES
    before = _digest(tmp_path)
    with pytest.warns(sc.SpatialClusterWarning, match="no .cpg file.*GB18030"):
        regions = sc.read_regions(path)
    assert regions["name"].tolist() == NAMES
    assert _digest(tmp_path) == before  # the input is never modified (no .cpg written)


def test_gbk_dbf_with_cpg_and_explicit_encoding(tmp_path, provinces, no_warnings):
    path = write_shapefile(provinces, tmp_path / "p.shp", encoding="GBK")
    assert path.with_suffix(".cpg").read_text().strip().upper() == "GBK"
    assert sc.read_regions(path)["name"].tolist() == NAMES
    path.with_suffix(".cpg").unlink()
    assert sc.read_regions(path, encoding="GBK")["name"].tolist() == NAMES


def test_code_page_in_dbf_header_is_honoured(tmp_path, provinces, no_warnings):
    # byte 29 of a .dbf is the language driver id; 0x4D is code page 936 (GBK)
    path = write_shapefile(provinces, tmp_path / "p.shp", encoding="GBK", cpg=False)
    dbf = bytearray(path.with_suffix(".dbf").read_bytes())
    dbf[29] = 0x4D
    path.with_suffix(".dbf").write_bytes(bytes(dbf))
    assert sc.read_regions(path)["name"].tolist() == NAMES


def test_upper_case_shapefile_parts(tmp_path, provinces):
    path = write_shapefile(provinces, tmp_path / "p.shp", encoding="GBK", cpg=False)
    for part in tmp_path.glob("p.*"):
        part.rename(part.with_suffix(part.suffix.upper()))
    with pytest.warns(sc.SpatialClusterWarning, match="GB18030"):
        assert sc.read_regions(tmp_path / "p.SHP")["name"].tolist() == NAMES


def test_utf8_dbf_without_cpg_is_read_as_utf8_silently(tmp_path, provinces, no_warnings):
    path = write_shapefile(provinces, tmp_path / "p.shp", encoding="UTF-8", cpg=False)
    assert sc.read_regions(path)["name"].tolist() == NAMES


def test_zipped_shapefile(tmp_path, provinces):
    write_shapefile(provinces, tmp_path / "p.shp", encoding="GBK", cpg=False)
    archive = tmp_path / "p.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("p.*"):
            if part.suffix != ".zip":
                zf.write(part, f"data/{part.name}")
    with pytest.warns(sc.SpatialClusterWarning, match="GB18030"):
        regions = sc.read_regions(archive)
    assert regions["name"].tolist() == NAMES and regions.index[0] == "110000"


def test_zip_with_several_datasets(tmp_path, provinces):
    provinces.to_file(tmp_path / "a.geojson")
    provinces.to_file(tmp_path / "b.geojson")
    archive = tmp_path / "both.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(tmp_path / "a.geojson", "a.geojson")
        zf.write(tmp_path / "b.geojson", "b.geojson")
    with pytest.raises(sc.InputError, match=r"several datasets.*a\.geojson.*b\.geojson.*layer="):
        sc.read_regions(archive)
    assert len(sc.read_regions(archive, layer="b")) == 4


def test_geojson(tmp_path, provinces):
    path = tmp_path / "p.geojson"
    provinces.to_file(path)
    regions = sc.read_regions(path)
    assert regions.index.tolist()[0] == "110000" and regions["name"].tolist() == NAMES


def test_geopackage_layers(tmp_path, provinces):
    path = tmp_path / "p.gpkg"
    pyogrio.write_dataframe(provinces, path, layer="provinces")
    assert len(sc.read_regions(path)) == 4  # one layer: no need to name it
    pyogrio.write_dataframe(provinces.iloc[:2], path, layer="cities", append=False)
    with pytest.raises(sc.InputError, match=r"2 layers.*'provinces' \(Polygon\).*'cities' \(Polygon\)"):
        sc.read_regions(path)
    assert sc.read_regions(path, layer="cities").index.tolist() == ["110000", "120000"]
    with pytest.raises(sc.InputError, match=r"no layer 'towns'; layers are \['provinces', 'cities'\]"):
        sc.read_regions(path, layer="towns")


def test_id_column_choice(tmp_path):
    frame = regions_frame({"NAME": ["Aguascalientes", "Baja California"], "POLY_ID": [1, 2], "pop": [1.5, 2.5]})
    path = tmp_path / "m.geojson"
    frame.to_file(path)
    with pytest.raises(sc.InputError, match=r"pass id='<column>'. Columns: \['NAME', 'POLY_ID', 'pop'\]"):
        sc.read_regions(path)
    assert sc.read_regions(path, id="NAME").index.tolist() == ["Aguascalientes", "Baja California"]
    assert sc.read_regions(path, id="POLY_ID").index.tolist() == ["1", "2"]
    with pytest.raises(sc.InputError, match=r"no column 'POLYID'.*Did you mean \['POLY_ID'\]"):
        sc.read_regions(path, id="POLYID")


def test_duplicate_and_missing_ids(tmp_path):
    path = tmp_path / "d.geojson"
    regions_frame({"code": ["110000", "120000", "110000"]}).to_file(path)
    with pytest.raises(sc.InputError, match=r"duplicate region ids.*'110000' at features 1, 3.*dissolve"):
        sc.read_regions(path)
    regions_frame({"code": ["110000", None, "130000"]}).to_file(path)
    with pytest.raises(sc.InputError, match=r"features 2 have no value in id column 'code'"):
        sc.read_regions(path)


def test_empty_and_missing_geometries(tmp_path):
    frame = regions_frame({"code": ["a", "b", "c"]})
    frame.loc[1, "geometry"] = Polygon()
    frame.loc[2, "geometry"] = None
    path = tmp_path / "e.gpkg"
    frame.to_file(path)
    with pytest.raises(sc.InputError, match=r"regions b, c have empty or missing geometries"):
        sc.read_regions(path)


def test_invalid_geometry_is_repaired_with_warning(tmp_path):
    bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])  # self-intersecting: two triangles of area 1
    frame = regions_frame({"code": ["ok", "bow"]})
    frame.loc[1, "geometry"] = bowtie
    path = tmp_path / "i.gpkg"
    frame.to_file(path)
    with pytest.warns(sc.SpatialClusterWarning, match=r"repaired 1 invalid geometries.*bow: Self-intersection"):
        regions = sc.read_regions(path)
    fixed = regions.geometry["bow"]
    assert fixed.is_valid and isinstance(fixed, MultiPolygon)
    assert fixed.area == pytest.approx(2.0)  # both lobes kept (GEOS 'structure' repair)
    assert regions.geometry["ok"].equals(box(0, 0, 1, 1))


def test_missing_crs(tmp_path, provinces):
    path = write_shapefile(provinces, tmp_path / "p.shp")
    path.with_suffix(".prj").unlink()
    with pytest.raises(sc.InputError, match=r"no coordinate reference system.*crs='EPSG:4326'"):
        sc.read_regions(path)
    assert sc.read_regions(path, crs="EPSG:4326").crs.to_epsg() == 4326
    write_shapefile(provinces, tmp_path / "q.shp")
    with pytest.raises(sc.InputError, match="crs= only fills a missing CRS"):
        sc.read_regions(tmp_path / "q.shp", crs="EPSG:3857")


def test_several_files_and_mixed_crs(tmp_path, provinces):
    a = tmp_path / "a.geojson"
    b = tmp_path / "b.gpkg"
    provinces.iloc[:2].to_file(a)
    provinces.iloc[2:].to_crs("EPSG:3857").to_file(b)
    with pytest.raises(sc.InputError, match=r"different CRSs.*EPSG:4326.*EPSG:3857.*to_crs"):
        sc.read_regions([a, b])
    provinces.iloc[2:].to_file(b)
    both = sc.read_regions([a, b])
    assert both.index.tolist() == ["110000", "120000", "130000", "150000"] and both.crs.to_epsg() == 4326
    provinces.iloc[1:].to_file(b)
    with pytest.raises(sc.InputError, match="region ids 120000 occur in more than one"):
        sc.read_regions([a, b])


def test_missing_file_and_unsupported_format(tmp_path, provinces):
    provinces.to_file(tmp_path / "provinces.geojson")
    with pytest.raises(sc.InputError, match=r"region file not found: .*provinces.gejson.*provinces.geojson"):
        sc.read_regions(tmp_path / "provinces.gejson")
    (tmp_path / "p.kml").write_text("<kml/>")
    with pytest.raises(sc.InputError, match=r"unsupported region file format '.kml'"):
        sc.read_regions(tmp_path / "p.kml")
    (tmp_path / "broken.geojson").write_text("{not json")
    with pytest.raises(sc.InputError, match="cannot be read"):
        sc.read_regions(tmp_path / "broken.geojson")


def test_read_is_pure(tmp_path, provinces):
    write_shapefile(provinces, tmp_path / "p.shp")
    before = _digest(tmp_path)
    first = sc.read_regions(tmp_path / "p.shp")
    second = sc.read_regions(tmp_path / "p.shp")
    assert _digest(tmp_path) == before
    assert_geodataframe_equal(first, second)
    assert shapely.is_valid(first.geometry.to_numpy()).all()
