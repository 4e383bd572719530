"""The indicator steps of the pipeline ([indicators]): composite indices, GeoDetector, local join counts
and the standard deviational ellipse give the same numbers as the API, with tables, maps and layers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import spatialcluster as sc
from spatialcluster import pipeline
from spatialcluster.pipeline import settings
from spatialcluster.pipeline.schema import SCHEMA


@pytest.fixture
def project(tmp_path):
    """A 5 x 5 grid in metres with two continuous indicators, a zone factor and a binary indicator."""
    import geopandas as gpd
    from shapely.geometry import box

    rng = np.random.default_rng(3)
    n = 25
    ids = [f"r{i:02d}" for i in range(n)]
    a = rng.uniform(1, 9, n) + np.arange(n) % 5
    gdf = gpd.GeoDataFrame({
        "code": ids, "a": a, "b": rng.uniform(1, 9, n), "zone": [f"z{(i % 5) // 2}" for i in range(n)],
        "flag": (a > np.median(a)).astype(int), "w1": rng.uniform(1, 5, n), "w2": rng.uniform(1, 5, n),
    }, geometry=[box(1000 * (i % 5), 1000 * (i // 5), 1000 * (i % 5 + 1), 1000 * (i // 5 + 1)) for i in range(n)],
        crs="EPSG:3857")
    gdf.to_file(tmp_path / "grid.gpkg", engine="pyogrio")
    jobs = pd.DataFrame([{"region": c, "sector": s, "jobs": float(rng.integers(1, 100))}
                         for c in ids for s in ("steel", "textiles", "software")])
    jobs.to_csv(tmp_path / "jobs.csv", index=False)
    return tmp_path, gdf.set_index("code")


CONFIG = """
inputs = { regions = "grid.gpkg", id = "code" }
[[weights]]
kind = "rook"
[indicators]
agglomeration = { path = "jobs.csv", region = "region", industry = "sector", value = "jobs" }
composite = [{ name = "quality", indicators = ["a", "b"], negative = ["b"], method = "topsis" }]
geodetector = { y = "a", factors = ["zone", "b"], classes = [3, 4] }
join_counts = ["flag"]
regions = { columns = ["a", "b"], method = "skater", n_regions = 3 }
ellipse = { weights = ["w1", "w2"] }
[outputs]
report = true
"""


def test_indicator_steps_equal_the_api_and_write_tables_maps_layers(project):
    root, gdf = project
    (root / "a.toml").write_text(CONFIG, encoding="utf-8")
    out = root / "out"
    pipeline.run(pipeline.load_config(root / "a.toml"), out, quiet=True)
    tables = out / "tables"
    ci = pd.read_csv(tables / "composite_quality.csv", index_col=0)
    ref = sc.composite_index(gdf, ["a", "b"], negative=["b"], method="topsis")
    np.testing.assert_allclose(ci.loc[ref.frame.index, "score"], ref.score, rtol=1e-12)
    gd = pd.read_csv(tables / "geodetector_factors.csv", index_col=0)
    gref = sc.geodetector(gdf, y="a", factors=["zone", "b"], k=[3, 4])
    np.testing.assert_allclose(gd.loc[["zone", "b"], "q"], gref.factors["q"], rtol=1e-12)
    jc = pd.read_csv(tables / "join_counts_flag.csv", index_col=0)
    jref = sc.local_join_counts(gdf, "flag", sc.build_weights(gdf, kind="rook"))
    np.testing.assert_array_equal(jc.loc[jref.frame.index, "LJC"], jref.frame["LJC"])
    ag = pd.read_csv(tables / "agglomeration_industries.csv", index_col=0)
    aref = sc.agglomeration(pd.read_csv(root / "jobs.csv"), region="region", industry="sector", value="jobs")
    np.testing.assert_allclose(ag.loc[aref.industries.index, "gamma"], aref.industries["gamma"], rtol=1e-12)
    reg = pd.read_csv(tables / "regions.csv", index_col=0)
    rref = sc.regionalize(gdf, ["a", "b"], sc.build_weights(gdf, kind="rook"), method="skater", n_regions=3)
    assert pd.crosstab(reg.loc[rref.labels.index, "label"], rref.labels).gt(0).sum(axis=1).eq(1).all()
    el = pd.read_csv(tables / "ellipse.csv", index_col=0)
    assert list(el.index) == ["w1", "w2"]
    long = pd.concat([gdf.assign(period=w, _w=gdf[w]) for w in ("w1", "w2")])
    eref = sc.standard_ellipse(long, weights="_w", time="period").frame
    np.testing.assert_allclose(el["sigma_major"], eref.loc[["w1", "w2"], "sigma_major"], rtol=1e-9)
    import pyogrio

    layers = {name for name, _ in pyogrio.list_layers(out / "results.gpkg")}
    assert {"composite_quality", "join_counts_flag", "regions_contiguous", "ellipse",
            "specialisation"} <= layers
    maps = {p.name for p in (out / "maps").glob("*.png")}
    assert {"composite_quality_map.png", "geodetector_factors.png", "join_counts_flag_map.png", "ellipse_map.png"} <= maps
    report = (out / "report.html").read_text(encoding="utf-8")
    for heading in ("Agglomeration and specialisation", "Composite indices", "GeoDetector", "Local join counts", "Contiguous regions",
                    "standard deviational ellipse"):
        assert heading in report


def test_ellipse_step_keeps_the_order_of_the_weights(project):
    """[indicators] ellipse = { weights = ["w2", "w1"] }: the table, the layer and the shift follow the
    config's order, not the alphabet."""
    root, gdf = project
    (root / "e.toml").write_text('inputs = { regions = "grid.gpkg", id = "code" }\n[indicators]\n'
                                 'ellipse = { weights = ["w2", "w1"] }\n', encoding="utf-8")
    out = root / "out"
    pipeline.run(pipeline.load_config(root / "e.toml"), out, quiet=True)
    el = pd.read_csv(out / "tables" / "ellipse.csv", index_col=0)
    assert list(el.index) == ["w2", "w1"]
    centres = {w: np.average(gdf.centroid.x, weights=gdf[w]) + 1j * np.average(gdf.centroid.y, weights=gdf[w])
               for w in ("w1", "w2")}
    assert el.loc["w1", "shift"] == pytest.approx(abs(centres["w1"] - centres["w2"]), rel=1e-9)
    import pyogrio

    layer = pyogrio.read_dataframe(out / "results.gpkg", layer="ellipse")
    assert list(layer["period"]) == ["w2", "w1"]


def test_indicator_config_is_checked_and_typed(project):
    root, _ = project
    with pytest.raises(sc.ConfigError, match="method"):
        pipeline.parse_config(CONFIG.replace('method = "topsis"', 'method = "ahp"'), name="a.toml", base=root)
    with pytest.raises(sc.ConfigError, match="nope"):
        (root / "b.toml").write_text(CONFIG.replace('join_counts = ["flag"]', 'join_counts = ["nope"]'), encoding="utf-8")
        pipeline.run(pipeline.load_config(root / "b.toml"), root / "out_b", quiet=True)
    s = pipeline.parse_config(CONFIG, name="a.toml", base=root).settings.indicators
    assert s.composite[0].negative == ("b",) and s.geodetector.discretize == "optimal" and s.join_counts == ("flag",)
    table = SCHEMA.keys["indicators"]
    for cls, key in ((settings.Composite, "composite"), (settings.GeoDetectorSettings, "geodetector"),
                     (settings.Ellipse, "ellipse"), (settings.Regions, "regions"),
                     (settings.Agglomeration, "agglomeration")):
        assert {f.name for f in dataclasses.fields(cls)} == set(table.keys[key].keys), cls.__name__
    assert {f.name for f in dataclasses.fields(settings.Indicators)} == set(table.keys)
