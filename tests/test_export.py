"""GeoPackage and shapefile export: layers, attributes, the layer_styles table and its QML."""

from __future__ import annotations

import re
import sqlite3
import xml.etree.ElementTree as ET

import geopandas as gpd
import mapclassify
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pyogrio
import pytest
from matplotlib.colors import to_hex
from shapely.geometry import LineString, Point, box

import spatialcluster as sc
from spatialcluster import InputError, SpatialClusterWarning
from spatialcluster._palette import HOTSPOT_COLORS, LISA_COLORS
from spatialcluster.labels import term
from spatialcluster.plot.maps import MISSING_HATCH_COLOR

STYLE_COLUMNS = [
    "id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName", "styleQML",
    "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time",
]


@pytest.fixture
def layers():
    geoms = [box(100 + i, 30 + j, 101 + i, 31 + j) for j in range(3) for i in range(4)]
    ids = pd.Index([f"{c}0000" for c in (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34)], name="code")
    rng = np.random.default_rng(5)
    base = gpd.GeoDataFrame(
        {"name_zh": list("甲乙丙丁戊己庚辛壬癸子丑"), "urban_rate": np.round(rng.uniform(40, 90, 12), 2)},
        geometry=geoms, index=ids, crs=4326,
    )
    base.loc["140000", "urban_rate"] = np.nan
    lisa = base[["geometry"]].assign(
        I=rng.normal(size=12), p_sim=rng.uniform(0, 0.2, 12),
        cluster=pd.Categorical(["HH", "HH", "LL", "ns", "LH", "ns", "HL", "ns", "island", "ns", "LL", "ns"]),
    )
    hot = base[["geometry"]].assign(G=rng.uniform(size=12), z=rng.normal(size=12), bin=[3, 2, 1, 0, -1, -2, -3, 0, 0, 0, 0, 3])
    return {"regions": base, "lisa": lisa, "hotspots": hot}


def styles_table(path) -> pd.DataFrame:
    with sqlite3.connect(path) as con:
        return pd.read_sql("SELECT * FROM layer_styles ORDER BY id", con)


def qml_renderer(qml: str):
    root = ET.fromstring(qml.split("\n", 1)[1])  # drop the DOCTYPE line
    return root.find("renderer-v2")


def symbol_colors(renderer) -> list[str]:
    out = []
    for sym in renderer.find("symbols").findall("symbol"):
        rgba = sym.find("layer/Option/Option[@name='color']").get("value")
        prop = sym.find("layer/prop[@k='color']").get("v")
        assert rgba == prop  # the <prop> copy read by older QGIS agrees with the <Option> map
        r, g, b, _a = (int(v) for v in rgba.split(","))
        out.append(f"#{r:02x}{g:02x}{b:02x}")
    return out


def ranges_of(renderer, column) -> list[tuple[float, float, str]]:
    """(lower, upper, label) of each class of a graduated renderer, or of the range rules of a
    rule-based one, whose last rule (ELSE) must be "No data"."""
    if renderer.get("type") == "graduatedSymbol":
        assert renderer.get("attr") == column
        return [(float(r.get("lower")), float(r.get("upper")), r.get("label")) for r in renderer.find("ranges")]
    assert renderer.get("type") == "RuleRenderer"
    *rules, rest = renderer.find("rules").findall("rule")
    assert rest.get("filter") == "ELSE" and rest.get("label") == "No data"
    out = []
    for i, rule in enumerate(rules):
        m = re.fullmatch(rf'"{column}" (>=|>) (\S+) AND "{column}" <= (\S+)', rule.get("filter"))
        assert m and m.group(1) == (">=" if i == 0 else ">"), rule.get("filter")
        out.append((float(m.group(2)), float(m.group(3)), rule.get("label")))
    return out


def test_layers_and_attributes_round_trip(tmp_path, layers):
    path = tmp_path / "results.gpkg"
    sc.to_geopackage(path, layers)
    listed = {name: geom for name, geom in pyogrio.list_layers(path)}
    assert listed == {"regions": "Polygon", "lisa": "Polygon", "hotspots": "Polygon", "layer_styles": None}
    for name, gdf in layers.items():
        back = pyogrio.read_dataframe(path, layer=name)
        assert back["code"].tolist() == list(gdf.index)  # index -> string column, leading digits kept
        assert back.crs.equals(gdf.crs)
        for col in gdf.columns.drop("geometry"):
            expected = gdf[col].astype(object) if isinstance(gdf[col].dtype, pd.CategoricalDtype) else gdf[col]
            pd.testing.assert_series_equal(back[col], expected.reset_index(drop=True), check_dtype=False,
                                           check_names=False)
        assert back.geometry.geom_equals(gdf.geometry.reset_index(drop=True)).all()
    assert not list(tmp_path.glob(".*"))  # the temporary file was moved into place


def test_geopackage_version_and_styles_table(tmp_path, layers):
    path = tmp_path / "results.gpkg"
    sc.to_geopackage(path, layers)
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # "GPKG"
        assert con.execute("PRAGMA user_version").fetchone()[0] == 10200  # GeoPackage 1.2
        geom_cols = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
        kind = con.execute("SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'").fetchone()[0]
    assert kind == "attributes"
    st = styles_table(path)
    assert list(st.columns) == STYLE_COLUMNS
    assert st["f_table_name"].tolist() == ["regions", "lisa", "hotspots"]
    assert (st["f_table_schema"] == "").all() and st["f_table_schema"].notna().all()  # '' not NULL
    assert (st["f_table_catalog"] == "").all()
    assert st["f_geometry_column"].tolist() == [geom_cols[n] for n in st["f_table_name"]]
    assert set(st["f_geometry_column"]) == {"geom"}
    assert (st["useAsDefault"] == 1).all()
    assert st["update_time"].str.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d").all()


def test_lisa_and_hotspot_styles_use_the_map_colours(tmp_path, layers):
    path = tmp_path / "results.gpkg"
    sc.to_geopackage(path, layers)
    st = styles_table(path).set_index("f_table_name")
    lisa = qml_renderer(st.loc["lisa", "styleQML"])
    assert lisa.get("type") == "categorizedSymbol" and lisa.get("attr") == "cluster"
    cats = lisa.find("categories").findall("category")
    values = [c.get("value") for c in cats]
    assert values == ["ns", "HH", "LL", "LH", "HL", "island", ""]  # "": every other value, NULL included
    assert [c.get("label") for c in cats] == [*(term(v, "en") for v in values[:-1]), "No data"]
    assert symbol_colors(lisa) == [*(LISA_COLORS[v] for v in values[:-1]), MISSING_HATCH_COLOR]
    fill = lisa.find("symbols").findall("symbol")[-1].find("layer/Option/Option[@name='style']").get("value")
    assert fill == "b_diagonal"  # hatched, as the matplotlib maps draw missing values

    hot = qml_renderer(st.loc["hotspots", "styleQML"])
    assert hot.get("type") == "categorizedSymbol" and hot.get("attr") == "bin"
    values = [c.get("value") for c in hot.find("categories").findall("category")]
    assert values == ["-3", "-2", "-1", "0", "1", "2", "3", ""]
    assert symbol_colors(hot) == [*(HOTSPOT_COLORS[int(v)] for v in values[:-1]), MISSING_HATCH_COLOR]


def test_missing_bins_are_written_as_integers(tmp_path, layers):
    hot = layers["hotspots"].assign(bin=[3.0, np.nan, 1.0, 0, -1, -2, -3, 0, 0, 0, 0, 3])
    sc.to_geopackage(tmp_path / "h.gpkg", {"hotspots": hot})
    assert pyogrio.read_info(tmp_path / "h.gpkg", layer="hotspots")["dtypes"].tolist()[-1] == "int64"


def test_graduated_style_has_the_choropleth_classes(tmp_path, layers):
    path = tmp_path / "results.gpkg"
    sc.to_geopackage(path, layers)
    qml = styles_table(path).set_index("f_table_name").loc["regions", "styleQML"]
    grad = qml_renderer(qml)
    # urban_rate has a missing value: the ranges become rules with a "No data" rule for NULL
    assert grad.get("type") == "RuleRenderer"
    ranges = ranges_of(grad, "urban_rate")
    values = layers["regions"]["urban_rate"].dropna().to_numpy()
    ref = mapclassify.Quantiles(values, k=5)
    np.testing.assert_array_equal([r[1] for r in ranges], ref.bins)  # exact: repr round-trips
    np.testing.assert_array_equal([r[0] for r in ranges], [values.min(), *ref.bins[:-1]])
    # same classes, colours and labels as the matplotlib choropleth of the same column
    ax = sc.plot.choropleth(layers["regions"], "urban_rate", crs=None)
    legend = [t.get_text().rsplit(" (", 1)[0] for t in ax.get_legend().get_texts()][:5]
    assert [r[2] for r in ranges] == legend
    drawn = [to_hex(c) for c in ax.collections[0].get_facecolor()]
    class_of = dict(zip(values, ref.yb, strict=True))
    *colors, no_data = symbol_colors(grad)
    assert no_data == MISSING_HATCH_COLOR
    complete = sc.to_geopackage(tmp_path / "complete.gpkg", {"regions": layers["regions"].dropna()})["regions"]
    assert complete.renderer == "graduated" and 'id="Quantile"' in complete.to_qml()
    assert drawn == [colors[class_of[v]] for v in values]
    cmap = matplotlib.colormaps["YlOrRd"]
    assert colors == [to_hex(cmap(p)) for p in np.linspace(0, 1, 5)]
    plt.close("all")


def test_style_options(tmp_path, layers):
    path = tmp_path / "styled.gpkg"
    styles = {
        "regions": {"column": "urban_rate", "scheme": "fisher_jenks", "k": 3, "fmt": "{:.2f}"},
        "hotspots": {"column": "z", "bins": [-1.96, 0, 1.96]},
    }
    chosen = sc.to_geopackage(path, layers, styles=styles)
    st = styles_table(path).set_index("f_table_name")
    ranges = ranges_of(qml_renderer(st.loc["regions", "styleQML"]), "urban_rate")
    ref = mapclassify.FisherJenks(layers["regions"]["urban_rate"].dropna().to_numpy(), k=3)
    np.testing.assert_array_equal([r[1] for r in ranges], ref.bins)
    assert all(re.fullmatch(r"\d+\.\d\d – \d+\.\d\d", r[2]) for r in ranges), ranges
    assert chosen["regions"].method == "Jenks"
    zs = qml_renderer(st.loc["hotspots", "styleQML"])
    assert zs.get("attr") == "z" and zs.find("classificationMethod").get("id") == "Custom"
    ref = mapclassify.UserDefined(layers["hotspots"]["z"].to_numpy(), [-1.96, 0, 1.96])
    np.testing.assert_array_equal([float(r.get("upper")) for r in zs.find("ranges")], ref.bins)
    # z-scores: diverging, each class coloured at its midpoint on a scale symmetric about 0
    lows, ups = np.array([min(layers["hotspots"]["z"].min(), ref.bins[0]), *ref.bins[:-1]]), ref.bins
    half = max(abs(lows[0]), abs(ups[-1]))
    expected = [to_hex(matplotlib.colormaps["RdBu_r"](0.5 + 0.5 * m / half)) for m in (lows + ups) / 2]
    assert symbol_colors(zs) == expected
    assert chosen["hotspots"].column == "z"


def test_auto_style_prefers_z_scores_and_handles_other_geometries(tmp_path):
    pts = gpd.GeoDataFrame({"gdp": [1.0, 2.0, 3.0], "gdp_z": [-1.0, 0.0, 1.0]},
                           geometry=[Point(0, 0), Point(1, 1), Point(2, 0)], crs=4326)
    lines = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[LineString([(0, 0), (1, 1)]), LineString([(1, 1), (2, 0)])],
                             crs=4326)
    table = pd.DataFrame({"effect": ["direct", "indirect"], "value": [0.2, 0.5]})
    chosen = sc.to_geopackage(tmp_path / "x.gpkg", {"points": pts, "lines": lines, "effects": table})
    assert chosen["points"].column == "gdp_z"
    assert chosen["lines"].renderer == "single"
    assert "effects" not in chosen  # attribute table: no style
    st = styles_table(tmp_path / "x.gpkg").set_index("f_table_name")
    assert list(st.index) == ["points", "lines"]
    assert qml_renderer(st.loc["points", "styleQML"]).find("symbols/symbol").get("type") == "marker"
    assert qml_renderer(st.loc["lines", "styleQML"]).find("symbols/symbol/layer").get("class") == "SimpleLine"
    assert pyogrio.read_dataframe(tmp_path / "x.gpkg", layer="effects", read_geometry=False)["value"].tolist() == [0.2, 0.5]


def test_panel_index_becomes_columns(tmp_path, layers):
    lisa = layers["lisa"]
    panel = pd.concat({2019: lisa, 2020: lisa}, names=["year", "code"]).swaplevel().sort_index()
    panel = gpd.GeoDataFrame(panel, geometry="geometry", crs=lisa.crs)
    sc.to_geopackage(tmp_path / "p.gpkg", {"lisa_by_year": panel})
    back = pyogrio.read_dataframe(tmp_path / "p.gpkg", layer="lisa_by_year")
    assert list(back.columns[:2]) == ["code", "year"] and back["code"].iloc[0] == "110000"
    assert len(back) == 24 and back["year"].tolist()[:2] == [2019, 2020]


def test_overwrite_and_atomicity(tmp_path, layers, monkeypatch):
    import spatialcluster.export.geopackage as gp

    path = tmp_path / "results.gpkg"
    sc.to_geopackage(path, {"lisa": layers["lisa"]})
    before = path.read_bytes()
    with pytest.raises(InputError, match="overwrite=True"):
        sc.to_geopackage(path, layers, overwrite=False)

    def fail(*_):
        raise OSError("disk full")

    with monkeypatch.context() as m:  # a failure after the layers were written
        m.setattr(gp, "_write_styles", fail)
        with pytest.raises(OSError, match="disk full"):
            sc.to_geopackage(path, layers)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.gpkg"]
    sc.to_geopackage(path, layers)  # overwrite=True replaces it
    assert len(styles_table(path)) == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"layers": {}}, "no layers"),
        ({"layers": {"layer_styles": None}}, "invalid layer names"),
        ({"styles": {"nope": {}}}, r"styles given for layers that are not written: \['nope'\]"),
        ({"styles": {"lisa": {"colour": "red"}}}, r"unknown keys \['colour'\]"),
        ({"styles": {"lisa": {"column": "I", "kind": "hotspot"}}}, "must hold Gi\\* bins"),
        ({"styles": {"lisa": {"column": "clsuter"}}}, "style column 'clsuter' is not in the layer"),
        ({"styles": {"lisa": {"column": "I", "kind": "significance"}}}, "'I' is not a p-value"),
        ({"styles": {"hotspots": {"kind": "significance"}}}, "needs a 'p_adjusted' or 'p_sim' column"),
    ],
)
def test_bad_input(tmp_path, layers, kwargs, message):
    args = {"layers": layers, **kwargs}
    with pytest.raises(InputError, match=message):
        sc.to_geopackage(tmp_path / "x.gpkg", **args)


def test_shapefile_with_qml_sidecar(tmp_path, layers):
    gdf = layers["regions"].assign(urbanization_rate_2020=layers["regions"]["urban_rate"])
    with pytest.warns(SpatialClusterWarning, match="urbanizati"):
        style = sc.export.to_shapefile(tmp_path / "regions.shp", gdf, style={"column": "urbanization_rate_2020", "k": 4})
    qml = (tmp_path / "regions.qml").read_text(encoding="utf-8")
    back = pyogrio.read_dataframe(tmp_path / "regions.shp")
    renderer = qml_renderer(qml)
    assert style.column in back.columns  # the shortened dBase name, which the rules' filters use
    assert len(ranges_of(renderer, style.column)) == 4
    assert back["name_zh"].tolist() == list("甲乙丙丁戊己庚辛壬癸子丑")  # UTF-8 kept
    assert back["code"].tolist() == list(gdf.index)
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".cpg", ".dbf", ".prj", ".qml", ".shp", ".shx"]
    with pytest.raises(InputError, match="overwrite=True"):
        sc.export.to_shapefile(tmp_path / "regions.shp", layers["lisa"], overwrite=False)
    sc.export.to_shapefile(tmp_path / "regions.shp", layers["lisa"])
    assert qml_renderer((tmp_path / "regions.qml").read_text(encoding="utf-8")).get("attr") == "cluster"
