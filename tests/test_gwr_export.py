"""GWR local coefficients as a GeoPackage layer that opens styled in real QGIS.

The style ("coefficient" kind of export.layer_style) must show the same classes as
plot.gwr.coefficient_maps: the significant regions in classes of their estimates, the rest
hatched as "Not significant" (mask column ``sig_<name>``). Checked by rendering in QGIS with
tests/qgis_check.py, as tests/test_qgis.py does.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from libpysal import examples

import spatialcluster as sc

X = ["PctRural", "PctPov", "PctBlack"]


@pytest.fixture(scope="module")
def fit():
    shp = gpd.read_file(examples.get_path("G_utm.shp")).set_crs("EPSG:26916")
    shp.index = shp["AreaKey"].astype(str)
    return sc.gwr(shp, y="PctBach", x=X, bandwidth=90)


def test_coefficient_style_rules(fit):
    layer = fit.to_geoframe()
    style = sc.export.layer_style(layer, column="PctPov", kind="coefficient")
    assert style.renderer == "rules" and style.mask == "sig_PctPov"
    assert style.items[-1]["label"] == "Not significant"
    sig = layer.loc[layer["sig_PctPov"], "PctPov"]
    assert style.items[0]["lower"] == pytest.approx(sig.min()) and style.items[-2]["upper"] == pytest.approx(sig.max())
    qml = style.to_qml()
    assert '&#34;sig_PctPov&#34; AND &#34;PctPov&#34; &gt;=' in qml or '"sig_PctPov" AND "PctPov" >=' in qml


def test_geopackage_layer_opens_styled_in_qgis(fit, tmp_path):
    from test_qgis import need_qgis, run_check

    need_qgis()
    layer = fit.to_geoframe()
    gpkg = tmp_path / "gwr.gpkg"
    sc.to_geopackage(gpkg, {"gwr_pctpov": layer}, styles={"gwr_pctpov": {"kind": "coefficient", "column": "PctPov"}})
    code, report = run_check(tmp_path / "png", gpkg)
    rec = report["layers"][0]
    assert code == 0 and not rec["problems"], rec["problems"]
    assert rec["renderer"]["type"] == "RuleRenderer"
    n_sig = int(layer["sig_PctPov"].sum())
    assert rec["class_features"][-1] == len(layer) - n_sig  # the ELSE rule: not significant
    assert sum(rec["class_features"][:-1]) == n_sig
    assert np.all(np.asarray(rec["class_pixels"])[np.asarray(rec["class_features"]) > 0] > 0)
