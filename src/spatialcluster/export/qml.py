"""QGIS layer styles (QML) generated from the same colours and classes as the matplotlib maps.

A :class:`LayerStyle` is chosen for a layer by :func:`layer_style` (categorized for LISA
``cluster`` labels and Gi* ``bin`` values, graduated for numeric columns with mapclassify
classes) and rendered to QML from the package template ``templates/style.qml.j2``. QGIS is not
needed to write styles; the test suite checks them with real QGIS.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from functools import lru_cache

import geopandas as gpd
import matplotlib.colors as mcolors
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

from .._errors import InputError
from .._palette import GEARY_COLORS, HOTSPOT_COLORS, LISA_COLORS, MISSING_COLOR
from ..labels import term
from ..plot._classify import classify_column, is_z_column, numeric_values
from ..plot.dynamics import EHS_COLORS
from ..plot.geary_map import GEARY_NAMES, GEARY_ORDER
from ..plot.maps import LISA_ORDER, MISSING_HATCH_COLOR, SIGNIFICANCE_CLASSES, SIGNIFICANCE_COLORS, hotspot_names

# Version written into the QML header: the oldest QGIS whose reader the file was checked with.
QGIS_VERSION = "3.22.16-Białowieża"
OUTLINE = "99,99,99,255"
OUTLINE_WIDTH = "0.26"
# mapclassify scheme -> QGIS classification method id, so "Classify" in QGIS re-runs the same family.
QGIS_METHODS = {
    "quantiles": "Quantile",
    "fisher_jenks": "Jenks",
    "equal_interval": "EqualInterval",
    "std_mean": "StdDev",
    "user_defined": "Custom",
}
STYLE_KEYS = {"column", "kind", "scheme", "k", "bins", "cmap", "fmt", "mask", "alpha"}
# Rule keys derived from the column and position, so the same data give the same QML.
_RULE_KEYS = uuid.UUID("6f1c2a57-3b8e-4f0e-9a51-0d2c7e4b9a13")


def qgis_color(color) -> str:
    """A matplotlib colour as QGIS's ``"r,g,b,a"``."""
    r, g, b, a = (round(255 * c) for c in mcolors.to_rgba(color))
    return f"{r},{g},{b},{a}"


@dataclass
class LayerStyle:
    """A renderer for one layer.

    Attributes
    ----------
    renderer : {"categorized", "graduated", "rules", "single"}
    column : str or None
        Attribute the renderer classifies.
    items : list of dict
        Categorized: ``value``, ``color`` (hex), ``label``; graduated: ``lower``, ``upper``,
        ``color``, ``label``; rules: the ranges of a graduated style followed by one item without
        bounds that takes the rest (NULL); single: ``color``. An optional ``style`` is a QGIS fill style
        ("solid", "b_diagonal", ...). A category with value ``""`` catches every other value,
        NULL included.
    method : str
        QGIS classification method id of a graduated renderer.
    precision : int
        Decimals of the graduated labels.
    description : str
        One line stored with the style in the GeoPackage.
    mask : str or None
        Rules only: a boolean column that must be true for a range to apply (GWR significance);
        the rest falls to the last, ELSE item.
    """

    renderer: str
    column: str | None
    items: list = field(default_factory=list)
    method: str = "Custom"
    precision: int = 1
    description: str = ""
    mask: str | None = None

    def _rule(self, i, item) -> str:
        """QGIS filter of range ``i`` as the graduated renderer assigns values (the first range with
        lower <= v <= upper, so later ranges exclude their lower bound); ``ELSE`` for the rest."""
        if "lower" not in item:
            return "ELSE"
        field = '"' + str(self.column).replace('"', '""') + '"'
        rule = f"{field} {'>=' if i == 0 else '>'} {float(item['lower'])!r} AND {field} <= {float(item['upper'])!r}"
        return rule if self.mask is None else '"' + self.mask.replace('"', '""') + f'" AND {rule}'

    def to_qml(self, geometry: str = "fill") -> str:
        """The style as QML for a ``"fill"`` (polygon), ``"line"`` or ``"marker"`` (point) layer."""
        if geometry not in {"fill", "line", "marker"}:
            raise InputError(f"geometry must be 'fill', 'line' or 'marker', got {geometry!r}")
        items = [
            {"style": "solid", **it, "color": qgis_color(it["color"])}
            | ({"lower": repr(float(it["lower"])), "upper": repr(float(it["upper"]))} if "lower" in it else {})
            | ({"filter": self._rule(i, it)} if self.renderer == "rules" else {})
            for i, it in enumerate(self.items)
        ]
        keys = [f"{{{uuid.uuid5(_RULE_KEYS, f'{self.column}:{i}')}}}" for i in range(len(items) + 1)]
        return _template().render(
            renderer=self.renderer,
            keys=keys,
            column=self.column,
            items=items,
            method=self.method,
            precision=self.precision,
            geometry=geometry,
            outline=OUTLINE,
            outline_width=OUTLINE_WIDTH,
            missing_color=qgis_color(MISSING_COLOR),
            qgis_version=QGIS_VERSION,
        )


@lru_cache(maxsize=1)
def _template():
    env = Environment(
        loader=PackageLoader("spatialcluster", "export/templates"),
        autoescape=True,  # labels and column names end up in XML attributes
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template("style.qml.j2")


def geometry_kind(gdf: gpd.GeoDataFrame) -> str:
    """QGIS symbol type for the layer's geometries: fill, line or marker."""
    types = set(gdf.geom_type.dropna())
    if types and types <= {"Point", "MultiPoint"}:
        return "marker"
    if types and types <= {"LineString", "MultiLineString", "LinearRing"}:
        return "line"
    return "fill"


def _precision(fmt: str) -> int:
    m = re.search(r"\.(\d+)[fFeEgG%]", fmt)
    return int(m.group(1)) if m else 1


# Regions without a value: grey diagonal hatching, as the matplotlib maps draw them.
NO_DATA = {"value": "", "color": MISSING_HATCH_COLOR, "label": "No data", "style": "b_diagonal"}


def _lisa(column):
    items = [{"value": k, "color": LISA_COLORS[k], "label": term(k, "en")} for k in LISA_ORDER]
    return LayerStyle("categorized", column, [*items, NO_DATA], description=f"LISA clusters ({column})")


def _geary(column):
    items = [{"value": k, "color": GEARY_COLORS[k], "label": GEARY_NAMES[k]} for k in GEARY_ORDER]
    return LayerStyle("categorized", column, [*items, NO_DATA], description=f"Local Geary clusters ({column})")


def _hotspot(column, alpha):
    """Bins of a confidence below ``1 - alpha`` look and read as not significant, as on the map."""
    names = hotspot_names(alpha, "en")
    items = [{"value": str(b), "color": HOTSPOT_COLORS[b if b in names else 0], "label": names.get(b, names[0])}
             for b in sorted(HOTSPOT_COLORS)]
    return LayerStyle("categorized", column, [*items, NO_DATA], description=f"Gi* hot and cold spots ({column})")


def _emerging(column):
    items = [{"value": k, "color": c, "label": k[0].upper() + k[1:]} for k, c in EHS_COLORS.items()]
    return LayerStyle("categorized", column, [*items, NO_DATA], description=f"Emerging hot spots ({column})")


def _ranges(column, items, frame, **kw):
    """A graduated style, or the same ranges as rules plus "No data" when the column has missing
    values: QGIS's graduated renderer draws nothing for NULL, so those regions would vanish."""
    if frame[column].isna().any():
        return LayerStyle("rules", column, [*items, NO_DATA], **kw)
    return LayerStyle("graduated", column, items, **kw)


def _significance(frame, column):
    """p-value classes of :func:`spatialcluster.plot.significance_map` as QGIS ranges (lower < p <= upper)."""
    uppers = [b for b, _ in SIGNIFICANCE_CLASSES] + [1.0]
    lowers = [0.0, *uppers[:-1]]
    colors = [*SIGNIFICANCE_COLORS, LISA_COLORS["ns"]]
    labels = [lab for _, lab in SIGNIFICANCE_CLASSES] + ["Not significant"]
    items = [{"lower": lo, "upper": hi, "color": c, "label": lab}
             for lo, hi, c, lab in zip(lowers, uppers, colors, labels, strict=True)]
    return _ranges(column, items, frame, method="Custom", precision=3, description=f"significance of {column}")


def _graduated(frame, column, scheme="quantiles", k=5, bins=None, cmap=None, fmt="{:.1f}"):
    classes = classify_column(frame, column, scheme=scheme, k=k, bins=bins, cmap=cmap, fmt=fmt)
    items = [
        {"lower": lo, "upper": hi, "color": c, "label": lab}
        for lo, hi, c, lab in zip(classes.lower, classes.upper, classes.colors, classes.labels, strict=True)
    ]
    return _ranges(column, items, frame, method=QGIS_METHODS[classes.scheme], precision=_precision(fmt),
                   description=f"{column}: {classes.scheme}, {classes.k} classes")


def _coefficient(frame, column, mask, scheme="quantiles", k=5, bins=None, cmap=None, fmt="{:.3f}"):
    """A GWR coefficient as :func:`spatialcluster.plot.gwr.coefficient_maps` draws it: classes of the
    significant values, the other regions hatched as "Not significant"."""
    if mask not in frame.columns:
        raise InputError(f"a coefficient style needs the significance column {mask!r}; columns: {list(frame.columns)}")
    sig = frame[mask].fillna(False).astype(bool)
    items = []
    if sig.any():
        shown = frame[[column]].assign(**{column: numeric_values(frame, column).where(sig)})
        cls = classify_column(shown, column, scheme=scheme, k=min(k, int(sig.sum())), bins=bins,
                              cmap=cmap or "RdBu_r", fmt=fmt)
        items = [{"lower": lo, "upper": hi, "color": c, "label": lab}
                 for lo, hi, c, lab in zip(cls.lower, cls.upper, cls.colors, cls.labels, strict=True)]
    items.append({"color": MISSING_HATCH_COLOR, "label": "Not significant", "style": "b_diagonal"})
    return LayerStyle("rules", column, items, precision=_precision(fmt), mask=mask,
                      description=f"{column} where {mask} (GWR local coefficient, insignificant hatched)")


def _auto_column(frame: pd.DataFrame):
    cols = [c for c in frame.columns if c != getattr(frame, "_geometry_column_name", None)]
    if "cluster" in cols:
        return "cluster"
    if "bin" in cols:
        return "bin"
    numeric = [c for c in cols if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])]
    numeric = [c for c in numeric if frame[c].notna().any()]
    z = [c for c in numeric if is_z_column(c)]
    return (z or numeric or [None])[0]


def layer_style(frame: pd.DataFrame, column=None, kind=None, scheme="quantiles", k=5, bins=None, cmap=None,
                fmt="{:.1f}", mask=None, alpha=0.10) -> LayerStyle:
    """Choose the style of a layer, as the maps of :mod:`spatialcluster.plot` would draw it.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        The layer's attributes.
    column : str, optional
        Attribute to style. Default: ``cluster`` (LISA labels), else ``bin`` (Gi* bins), else the
        first z-score column (``z``, ``z_*``, ``*_z``), else the first numeric column; a layer
        with none of these gets a single grey symbol.
    kind : {"lisa", "geary", "hotspot", "emerging", "graduated", "significance", "coefficient"}, optional
        Renderer; default categorized ``lisa`` for a column named ``cluster`` (``geary`` when its
        labels are local Geary's, :func:`spatialcluster.local_geary`), ``hotspot`` for
        ``bin``, ``graduated`` otherwise. ``significance`` draws p-values (``column``, default
        ``p_adjusted`` else ``p_sim``) in the classes of :func:`spatialcluster.plot.significance_map`.
        ``emerging`` draws the categories of :func:`spatialcluster.emerging_hotspots` (``column``,
        default ``category``) in the colours of its map.
        ``coefficient`` draws a GWR/MGWR local coefficient where the boolean column ``mask``
        (default ``sig_<column>``) is true, the rest hatched "Not significant".
    scheme, k, bins, cmap, fmt
        Classes of a graduated style, as in :func:`spatialcluster.plot.choropleth` (same
        defaults, so the QGIS layer and the matplotlib map show the same classes and colours).
    alpha : float
        Significance level of a hotspot style, as in :func:`spatialcluster.plot.hotspot_map`
        (default 0.10: all three confidence levels).

    Returns
    -------
    LayerStyle
    """
    if column is None and kind == "emerging":
        column = "category"
    if column is None and kind == "significance":
        column = next((c for c in ("p_adjusted", "p_sim") if c in frame.columns and frame[c].notna().any()), None)
        if column is None:
            raise InputError(f"a significance style needs a 'p_adjusted' or 'p_sim' column; columns: {list(frame.columns)}")
    if column is None:
        column = _auto_column(frame)
        if column is None:
            return LayerStyle("single", None, [{"color": LISA_COLORS["ns"]}], description="single symbol")
    elif column not in frame.columns:
        raise InputError(f"style column {column!r} is not in the layer; columns: {list(frame.columns)}")
    if kind is None:
        kind = {"cluster": "lisa", "bin": "hotspot"}.get(str(column), "graduated")
        labels = set(frame[column].dropna().astype(str)) if kind == "lisa" else set()
        if labels - set(LISA_COLORS) and labels <= set(GEARY_COLORS):
            kind = "geary"
    if kind == "lisa":
        unknown = sorted(set(frame[column].dropna().astype(str)) - set(LISA_COLORS))
        if unknown:
            raise InputError(f"column {column!r} has values {unknown} that are not LISA clusters {list(LISA_ORDER)}")
        return _lisa(column)
    if kind == "geary":
        unknown = sorted(set(frame[column].dropna().astype(str)) - set(GEARY_COLORS))
        if unknown:
            raise InputError(f"column {column!r} has values {unknown} that are not local Geary clusters {list(GEARY_ORDER)}")
        return _geary(column)
    if kind == "hotspot":
        vals = pd.to_numeric(frame[column], errors="coerce").dropna()
        if not vals.isin(list(HOTSPOT_COLORS)).all():
            raise InputError(f"column {column!r} must hold Gi* bins -3..3 for a hotspot style")
        return _hotspot(column, alpha)
    if kind == "emerging":
        unknown = sorted(set(frame[column].dropna().astype(str)) - set(EHS_COLORS))
        if unknown:
            raise InputError(f"column {column!r} has values {unknown} that are not emerging hot-spot categories")
        return _emerging(column)
    if kind == "graduated":
        return _graduated(frame, column, scheme=scheme, k=k, bins=bins, cmap=cmap, fmt=fmt)
    if kind == "significance":
        p = numeric_values(frame, column).dropna()
        if ((p < 0) | (p > 1)).any():
            raise InputError(f"column {column!r} is not a p-value: values outside [0, 1]")
        return _significance(frame, column)
    if kind == "coefficient":
        return _coefficient(frame, column, mask or f"sig_{column}", scheme=scheme, k=k, bins=bins, cmap=cmap, fmt=fmt)
    raise InputError(
        f"unknown style kind {kind!r}; use 'lisa', 'geary', 'hotspot', 'emerging', 'graduated', 'significance' or "
        "'coefficient'"
    )
