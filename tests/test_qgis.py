"""GeoPackages written by sc.to_geopackage open styled in real QGIS.

PyQGIS imports only under Debian's own ``/usr/bin/python3`` (packages ``python3-qgis`` and
``qgis-providers``), so ``tests/qgis_check.py`` runs there in a subprocess, headless
(``QT_QPA_PLATFORM=offscreen``), and reports what QGIS saw as JSON. Locally the tests skip with
the reason when QGIS is absent; under CI (env ``CI`` set) that is a failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from PIL import Image
from shapely.geometry import Point, box

import spatialcluster as sc
from spatialcluster._palette import HOTSPOT_COLORS, LISA_COLORS
from spatialcluster.plot._classify import classify_column
from spatialcluster.plot.maps import MISSING_HATCH_COLOR

pytestmark = pytest.mark.qgis

QGIS_PYTHON = "/usr/bin/python3"
CHECK = Path(__file__).with_name("qgis_check.py")


def _env():
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


@lru_cache(maxsize=1)
def _qgis_missing() -> str | None:
    if not Path(QGIS_PYTHON).exists():
        return f"{QGIS_PYTHON} does not exist: PyQGIS needs Debian's python3 with python3-qgis"
    proc = subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True, text=True, env=_env(),
                          timeout=120)
    if proc.returncode:
        return (f"PyQGIS does not import under {QGIS_PYTHON} ({proc.stderr.strip().splitlines()[-1:]}); "
                "install it with `sudo apt-get install python3-qgis qgis-providers`")
    return None


def need_qgis():
    reason = _qgis_missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"QGIS is required under CI: {reason}")
        pytest.skip(reason)


def run_check(out: Path, *gpkgs: Path) -> tuple[int, dict]:
    proc = subprocess.run([QGIS_PYTHON, str(CHECK), str(out), *map(str, gpkgs)], capture_output=True, text=True,
                          env=_env(), timeout=600)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"qgis_check.py failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc.returncode, report


def _regions():
    geoms = [box(100 + i, 30 + j, 101 + i, 31 + j) for j in range(4) for i in range(5)]
    ids = pd.Index([f"{110000 + 10000 * i}" for i in range(20)], name="code")
    rng = np.random.default_rng(21)
    gdf = gpd.GeoDataFrame({"name_zh": [f"省{i}" for i in range(20)], "urban_rate": np.round(rng.uniform(30, 90, 20), 1)},
                           geometry=geoms, index=ids, crs=4326)
    gdf.loc["130000", "urban_rate"] = np.nan
    return gdf


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    need_qgis()
    tmp = tmp_path_factory.mktemp("qgis")
    regions = _regions()
    lisa = regions[["geometry"]].assign(
        cluster=["HH", "HH", "LL", "ns", "LH", "ns", "HL", "ns", "island", "ns"] * 2,
        p_sim=np.linspace(0.001, 0.5, 20),
    )
    lisa.loc["150000", "cluster"] = None  # left out of the analysis: drawn as "No data"
    hot = regions[["geometry"]].assign(bin=[3, 2, 1, 0, -1, -2, 0, 0, 0, 0] * 2, z=np.linspace(-3, 3, 20))
    hot.loc[["120000", "190000"], "bin"] = np.nan
    towns = gpd.GeoDataFrame({"gdp_z": [-2.0, -0.5, 0.4, 2.2]},
                             geometry=[Point(100.5, 30.5), Point(102.5, 31.5), Point(103.5, 32.5), Point(104.5, 33.5)],
                             crs=4326)
    layers = {"regions": regions, "lisa": lisa, "hotspots": hot, "towns": towns, "lisa_p": lisa.copy()}
    gpkg = tmp / "results.gpkg"
    styles = sc.to_geopackage(gpkg, layers, styles={"towns": {"column": "gdp_z", "scheme": "equal_interval", "k": 3},
                                                    "lisa_p": {"kind": "significance"}})
    code, report = run_check(tmp / "png", gpkg)
    return {"code": code, "report": report, "layers": layers, "styles": styles,
            "by_layer": {r["layer"]: r for r in report["layers"]}}


def test_every_layer_opens_with_its_stored_default_style(checked):
    rep = checked["report"]
    assert checked["code"] == 0, [r["problems"] for r in rep["layers"]]
    assert set(checked["by_layer"]) == {"regions", "lisa", "hotspots", "towns", "lisa_p"}
    for name, rec in checked["by_layer"].items():
        assert rec["valid"] and not rec["problems"], (name, rec["problems"])
        assert rec["load_default_style"]["ok"], rec["load_default_style"]
        assert rec["renderer"]["type"] == rec["stored_renderer"]  # QGIS used the layer_styles row
        assert name in rec["styles_in_database"]["names"]
        assert rec["features"] == len(checked["layers"][name])


def test_no_geopackage_warnings(checked):
    """GeoPackage 1.2 on purpose: QGIS 3.22 warns about GDAL 3.12's default 1.4."""
    noisy = [m for m in checked["report"]["log"] if "geopackage" in m["message"].lower() or "gpkg" in m["message"].lower()]
    assert not noisy


def test_lisa_categories_and_colours(checked):
    r = checked["by_layer"]["lisa"]["renderer"]
    assert r["type"] == "categorizedSymbol" and r["attribute"] == "cluster"
    assert [c["value"] for c in r["classes"]] == ["ns", "HH", "LL", "LH", "HL", "island", ""]
    colors = [to_hex(np.array(c["color"]) / 255) for c in r["classes"]]
    assert colors == [*(LISA_COLORS[c["value"]] for c in r["classes"][:-1]), MISSING_HATCH_COLOR]
    counts = checked["layers"]["lisa"]["cluster"].value_counts()
    assert checked["by_layer"]["lisa"]["class_features"] == [*(int(counts.get(c["value"], 0)) for c in r["classes"][:-1]), 1]


def test_hotspot_categories_and_colours(checked):
    r = checked["by_layer"]["hotspots"]["renderer"]
    assert r["type"] == "categorizedSymbol" and r["attribute"] == "bin"
    assert [c["value"] for c in r["classes"]] == [*map(str, range(-3, 4)), ""]
    colors = [to_hex(np.array(c["color"]) / 255) for c in r["classes"]]
    assert colors == [*(HOTSPOT_COLORS[b] for b in range(-3, 4)), MISSING_HATCH_COLOR]
    counts = checked["layers"]["hotspots"]["bin"].value_counts()
    assert checked["by_layer"]["hotspots"]["class_features"] == [*(int(counts.get(b, 0)) for b in range(-3, 4)), 2]


def _rule_bounds(rule: dict) -> tuple[float, float]:
    """(lower, upper) of a range rule written as '"col" >= a AND "col" <= b' (or '> a')."""
    lower, upper = (float(part.split()[-1]) for part in rule["filter"].split(" AND "))
    return lower, upper


@pytest.mark.parametrize(("layer", "column", "scheme", "k"),
                         [("regions", "urban_rate", "quantiles", 5), ("towns", "gdp_z", "equal_interval", 3)])
def test_graduated_ranges_are_the_map_classes(checked, layer, column, scheme, k):
    """Graduated ranges, or (regions: one value missing) rules with the same ranges plus "No data":
    QGIS's graduated renderer would leave a region with a NULL value undrawn."""
    rec = checked["by_layer"][layer]
    r = rec["renderer"]
    frame = checked["layers"][layer]
    missing = int(frame[column].isna().sum())
    values = frame[column].dropna().to_numpy()
    ref = {"quantiles": mapclassify.Quantiles, "equal_interval": mapclassify.EqualInterval}[scheme](values, k=k)
    if missing:
        assert r["type"] == "RuleRenderer"
        *ranges, no_data = r["classes"]
        assert no_data["else"] and no_data["label"] == "No data"
        assert to_hex(np.array(no_data["color"]) / 255) == MISSING_HATCH_COLOR
        assert ranges[0]["filter"].startswith(f'"{column}" >= ') and all(f'"{column}" > ' in c["filter"] for c in ranges[1:])
        bounds = np.array([_rule_bounds(c) for c in ranges])
    else:
        assert r["type"] == "graduatedSymbol" and r["attribute"] == column
        ranges = r["classes"]
        bounds = np.array([(c["lower"], c["upper"]) for c in ranges])
    np.testing.assert_allclose(bounds[:, 1], ref.bins, rtol=0, atol=1e-12)
    np.testing.assert_allclose(bounds[:, 0], [values.min(), *ref.bins[:-1]], rtol=0, atol=1e-12)
    # QGIS puts each feature in the class mapclassify put it in, and the missing ones in "No data"
    assert rec["class_features"] == ref.counts.tolist() + ([missing] if missing else [])
    colors = classify_column(frame, column, scheme=scheme, k=k).colors  # as choropleth draws
    assert [to_hex(np.array(c["color"]) / 255) for c in ranges] == colors


def test_significance_ranges(checked):
    """p-values fall in QGIS's ranges as in significance_map: p <= 0.001, 0.01, 0.05, not significant."""
    r = checked["by_layer"]["lisa_p"]["renderer"]
    assert r["type"] == "graduatedSymbol" and r["attribute"] == "p_sim"
    assert [c["upper"] for c in r["classes"]] == [0.001, 0.01, 0.05, 1.0]
    p = checked["layers"]["lisa_p"]["p_sim"]
    expected = [int((p <= 0.001).sum()), int(((p > 0.001) & (p <= 0.01)).sum()),
                int(((p > 0.01) & (p <= 0.05)).sum()), int((p > 0.05).sum())]
    assert checked["by_layer"]["lisa_p"]["class_features"] == expected
    ax = sc.plot.significance_map(checked["layers"]["lisa_p"], crs=None)
    legend = ax.get_legend().legend_handles
    by_label = {h.get_label().rsplit(" (", 1)[0]: to_hex(h.get_facecolor()) for h in legend}
    assert [to_hex(np.array(c["color"]) / 255) for c in r["classes"]] == [by_label[c["label"]] for c in r["classes"]]


def test_rendered_image_shows_the_style_colours(checked):
    for name, rec in checked["by_layer"].items():
        img = np.asarray(Image.open(rec["png"]).convert("RGB"))
        for cls, n_features, n_pixels in zip(rec["renderer"]["classes"], rec["class_features"], rec["class_pixels"],
                                              strict=True):
            color = np.array(cls["color"], dtype=img.dtype)
            in_png = int(np.all(img == color, axis=-1).sum())
            assert in_png == n_pixels  # the script's count agrees with the saved PNG
            assert (n_pixels > 0) == (n_features > 0), (name, cls, n_features, n_pixels)


def test_demo_geopackage_opens_styled(tmp_path):
    """Every layer the demo writes opens in QGIS with its default style (all checks of qgis_check.py)."""
    need_qgis()
    out = tmp_path / "demo"
    proc = subprocess.run([sys.executable, "-m", "spatialcluster.cli", "demo", "--out", str(out), "--quiet",
                           "--permutations", "99"], capture_output=True, text=True, timeout=900)
    gpkg = out / "results.gpkg"
    if proc.returncode or not gpkg.exists():
        msg = f"the demo did not write results.gpkg (exit {proc.returncode}): {proc.stderr.strip()[-800:]}"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    code, report = run_check(tmp_path / "png", gpkg)
    assert report["layers"], "the demo GeoPackage has no feature layers"
    assert code == 0, {r["layer"]: r["problems"] for r in report["layers"] if r["problems"]}
    for rec in report["layers"]:
        assert rec["renderer"]["type"] in {"categorizedSymbol", "graduatedSymbol", "RuleRenderer"}, rec["layer"]
        assert sum(rec["class_pixels"]) > 0, rec["layer"]
