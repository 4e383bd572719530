"""Open every layer of GeoPackages with real QGIS (headless), inspect its default style, render it.

Run by ``tests/test_qgis.py`` under Debian's ``/usr/bin/python3`` (PyQGIS imports only there)
with ``QT_QPA_PLATFORM=offscreen``::

    /usr/bin/python3 tests/qgis_check.py OUT_DIR FILE.gpkg [FILE.gpkg ...]

For each feature layer it records, as JSON on stdout:

- the style QGIS's OGR provider reads from the ``layer_styles`` table (``loadStyle``), the styles
  it lists there, and whether ``loadDefaultStyle()`` succeeds;
- the renderer the layer opened with: type, class attribute, categories (value, colour, label),
  ranges (lower, upper, colour, label) or rules (filter expression, colour, label);
- how many features fall in each class, and after rendering the layer to ``OUT_DIR`` as a PNG
  (no antialiasing, magenta background so white fills count), how many pixels have each
  class's exact colour;
- QGIS log messages at warning level or above.

It checks the generic conditions itself (exit code 1 and a ``problems`` list when one fails):
the style came from the provider (the renderer type equals the stored QML's), the class
attribute is a field of the layer, and every class with features shows its colour in the
image. The pytest side compares the details with the package's palette and mapclassify.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import tempfile
from collections import Counter
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsExpression,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProviderRegistry,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor, QImage

BACKGROUND = (255, 0, 255)
SIZE = (480, 360)


def feature_layers(gpkg: Path) -> list[str]:
    con = sqlite3.connect(gpkg)
    try:
        rows = con.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY table_name")
        return [r[0] for r in rows]
    finally:
        con.close()


def rgb(color: QColor) -> list[int]:
    return [color.red(), color.green(), color.blue()]


def renderer_info(layer: QgsVectorLayer) -> dict:
    r = layer.renderer()
    info = {"type": r.type(), "attribute": None, "classes": []}
    if r.type() == "categorizedSymbol":
        info["attribute"] = r.classAttribute()
        for c in r.categories():
            info["classes"].append({"value": str(c.value()), "label": c.label(), "color": rgb(c.symbol().color())})
    elif r.type() == "graduatedSymbol":
        info["attribute"] = r.classAttribute()
        for g in r.ranges():
            info["classes"].append({"lower": g.lowerValue(), "upper": g.upperValue(), "label": g.label(),
                                    "color": rgb(g.symbol().color())})
    elif r.type() == "RuleRenderer":
        for rule in r.rootRule().children():
            info["classes"].append({"filter": rule.filterExpression(), "else": rule.isElse(), "label": rule.label(),
                                    "color": rgb(rule.symbol().color())})
    elif r.type() == "singleSymbol":
        info["classes"].append({"color": rgb(r.symbol().color())})
    return info


def class_of(v, classes, other):
    if v is None or (hasattr(v, "isNull") and v.isNull()):
        return other
    for i, c in enumerate(classes):
        text = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)  # as QVariant::toString
        if c.get("value") not in (None, "") and text == c["value"]:
            return i
        if "lower" in c and c["lower"] <= float(v) <= c["upper"]:
            return i
    return other


def rule_counts(layer: QgsVectorLayer, info: dict, problems: list) -> list[int]:
    """Features per rule, by QGIS's own expression engine: every matching rule draws, an ELSE rule
    draws what no other rule matched; a feature matched by two rules is a problem."""
    counts = [0] * len(info["classes"])
    exprs = [None if c["else"] else QgsExpression(c["filter"]) for c in info["classes"]]
    context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    for feat in layer.getFeatures():
        context.setFeature(feat)
        hits = [i for i, e in enumerate(exprs) if e is not None and e.evaluate(context)]
        if len(hits) > 1:
            problems.append(f"feature {feat.id()} matches {len(hits)} rules")
        for i in hits or [i for i, e in enumerate(exprs) if e is None]:
            counts[i] += 1
    return counts


def class_counts(layer: QgsVectorLayer, info: dict) -> list[int]:
    """Features per class, assigned the way QGIS's renderers do (first range with lower <= v <= upper)."""
    counts = [0] * len(info["classes"])
    if info["type"] == "singleSymbol":
        return [layer.featureCount()]
    idx = layer.fields().indexOf(info["attribute"])
    if idx < 0:
        return counts
    # a category with value "" takes every value no other category has, NULL included
    other = next((i for i, c in enumerate(info["classes"]) if c.get("value") == ""), None)
    for feat in layer.getFeatures():
        i = class_of(feat.attribute(idx), info["classes"], other)
        if i is not None:
            counts[i] += 1
    return counts


def render(layer: QgsVectorLayer, png: Path) -> Counter:
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setOutputSize(QSize(*SIZE))
    settings.setBackgroundColor(QColor(*BACKGROUND))
    settings.setFlag(QgsMapSettings.Antialiasing, False)
    extent = layer.extent()
    extent.scale(1.05)
    settings.setExtent(extent)
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage().convertToFormat(QImage.Format_RGB32)
    image.save(str(png), "PNG")
    pixels = Counter()
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            pixels[(c.red(), c.green(), c.blue())] += 1
    return pixels


def check_layer(gpkg: Path, name: str, out: Path) -> dict:
    uri = f"{gpkg}|layername={name}"
    err = ""  # PyQGIS 3.22 binds the error argument as input only
    stored_qml = QgsProviderRegistry.instance().loadStyle("ogr", uri, err)
    layer = QgsVectorLayer(uri, name, "ogr")
    rec = {"file": str(gpkg), "layer": name, "valid": layer.isValid(), "problems": []}
    if not layer.isValid():
        rec["problems"].append("QGIS cannot open the layer")
        return rec
    rec["features"] = layer.featureCount()
    rec["fields"] = [f.name() for f in layer.fields()]
    m = re.search(r'<renderer-v2[^>]*\btype="([^"]+)"', stored_qml or "")
    rec["stored_renderer"] = m.group(1) if m else None
    n, _ids, names, descriptions, _err = layer.listStylesInDatabase()
    rec["styles_in_database"] = {"count": n, "names": list(names), "descriptions": list(descriptions)}
    rec["renderer"] = info = renderer_info(layer)
    msg, ok = layer.loadDefaultStyle()
    rec["load_default_style"] = {"ok": bool(ok), "message": msg}
    if renderer_info(layer) != info:
        rec["problems"].append("loadDefaultStyle() gave a different renderer than the layer opened with")
    if info["type"] == "RuleRenderer":
        rec["class_features"] = rule_counts(layer, info, rec["problems"])
    else:
        rec["class_features"] = class_counts(layer, info)
    png = out / f"{gpkg.stem}__{name}.png"
    pixels = render(layer, png)
    rec["png"] = str(png)
    rec["class_pixels"] = [pixels.get(tuple(c["color"]), 0) for c in info["classes"]]

    if not stored_qml:
        rec["problems"].append(f"no style in layer_styles found by QGIS's OGR provider")
    if info["type"] != rec["stored_renderer"]:
        rec["problems"].append(f"layer opened with renderer {info['type']!r}, stored style has {rec['stored_renderer']!r}")
    if info["attribute"] is not None and info["attribute"] not in rec["fields"]:
        rec["problems"].append(f"class attribute {info['attribute']!r} is not a field of the layer")
    for c, n_feat, n_pix in zip(info["classes"], rec["class_features"], rec["class_pixels"]):
        if n_feat and not n_pix:
            rec["problems"].append(f"class {c.get('value', c.get('label'))!r} has {n_feat} feature(s) but its colour {c['color']} is not in the image")
    if sidecar := [p.name for p in gpkg.parent.glob(f"{gpkg.stem}*.qml")]:
        rec["problems"].append(f"QML sidecar files next to the GeoPackage would shadow layer_styles: {sidecar}")
    return rec


def main(argv: list[str]) -> int:
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="qgis-runtime-"))  # Qt wants mode 0700
    app = QgsApplication([], False)
    app.initQgis()
    log = []
    QgsApplication.messageLog().messageReceived.connect(
        lambda message, tag, level: log.append({"tag": tag, "message": message})
        if level >= Qgis.Warning else None
    )
    records = []
    for arg in argv[2:]:
        gpkg = Path(arg).resolve()
        layers = feature_layers(gpkg)
        if not layers:
            records.append({"file": str(gpkg), "layer": None, "problems": ["no feature layers"]})
        records.extend(check_layer(gpkg, name, out) for name in layers)
    json.dump({"qgis_version": Qgis.QGIS_VERSION, "layers": records, "log": log}, sys.stdout, indent=1)
    app.exitQgis()
    return 1 if any(r["problems"] for r in records) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
