"""Maps: choropleths, LISA cluster and significance maps, Gi* hot-spot maps.

Every function draws into ``ax`` (a new figure when None) and returns it, so maps compose into
multi-panel figures. Colours come from :mod:`spatialcluster._palette` and class breaks from
:func:`spatialcluster.plot._classify.classify`, the same sources the QGIS styles written by
:func:`spatialcluster.to_geopackage` use.
"""

from __future__ import annotations

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from .._errors import InputError
from .._palette import HOTSPOT_COLORS, HOTSPOT_LABELS, LISA_COLORS, LISA_LABELS, MISSING_COLOR
from ._classify import classify_column, missing_column
from ._crs import project
from ._fonts import use_cjk_font
from ._inset import add_inset, needs_inset

EDGE_COLOR = "#636363"
EDGE_WIDTH = 0.4
MISSING_HATCH = "////"
# Hatch (and outline) colour of regions without data; distinct from EDGE_COLOR so the QGIS style
# test can find the "No data" hatching in a rendered image.
MISSING_HATCH_COLOR = "#969696"
# GeoDa's legend order for cluster maps.
LISA_ORDER = ("ns", "HH", "LL", "LH", "HL", "island")
# Significance classes (upper p bound, label) on a green ramp like GeoDa's; "ns" uses the LISA grey.
SIGNIFICANCE_CLASSES = ((0.001, "p ≤ 0.001"), (0.01, "p ≤ 0.01"), (0.05, "p ≤ 0.05"))
SIGNIFICANCE_COLORS = ("#1a7a1a", "#53c53c", "#a6e68c")


def _axes_and_regions(regions, ax):
    """Accept ``f(result, ax)`` too: an Axes passed where the regions go is the Axes."""
    if isinstance(regions, Axes) and ax is None:
        return None, regions
    return regions, ax


def _new_ax(ax):
    family = use_cjk_font()
    if ax is not None and family is not None:
        # Texts made with a figure's axes keep the font list of that moment, which may predate
        # the CJK fallback: update the titles and axis labels of every axes in the figure.
        for a in ax.figure.axes:
            for text in (a.title, a._left_title, a._right_title, a.xaxis.label, a.yaxis.label):
                text.set_fontfamily(mpl.rcParams["font.family"])
    if ax is None:
        import matplotlib.pyplot as plt  # on first use: importing the package must not pick a backend

        _, ax = plt.subplots(figsize=(7, 6))
    return ax


def _as_geoframe(result_or_gdf, needed, regions=None) -> gpd.GeoDataFrame:
    """The GeoDataFrame behind a result (its ``to_frame()``) or a GeoDataFrame, with ``needed`` columns."""
    frame = result_or_gdf.to_frame() if hasattr(result_or_gdf, "to_frame") and not isinstance(
        result_or_gdf, pd.DataFrame
    ) else result_or_gdf
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"expected a result with .to_frame() or a GeoDataFrame, got {type(result_or_gdf).__name__}")
    if regions is not None:
        # Draw every region: those the result leaves out appear as missing ("No data").
        if not isinstance(regions, gpd.GeoDataFrame):
            raise InputError(f"regions must be a GeoDataFrame indexed by region id, got {type(regions).__name__}")
        extra = frame.index.difference(regions.index)
        if len(extra):
            ids = ", ".join(str(i) for i in extra[:20])
            raise InputError(f"regions has no geometry for ids {ids}; pass the regions the result was computed on")
        geom = getattr(frame, "_geometry_column_name", None)
        attrs = pd.DataFrame(frame).drop(columns=[geom] if geom in frame.columns else [])
        frame = gpd.GeoDataFrame(attrs.reindex(regions.index), geometry=regions.geometry.values, crs=regions.crs)
    elif getattr(frame, "_geometry_column_name", None) not in frame.columns:
        raise InputError(
            "the result has no geometries: pass regions=<GeoDataFrame of the regions, indexed by region id>"
        )
    for c in needed:
        if c not in frame.columns:
            raise InputError(missing_column(c, frame.columns))
    return frame


def _draw(ax, gdf, colors, *, hatch=None, edgecolor=EDGE_COLOR):
    if len(gdf):
        gdf.plot(ax=ax, color=list(colors), edgecolor=edgecolor, linewidth=EDGE_WIDTH, hatch=hatch)


def _annotate(ax, gdf, labels):
    if labels is None:
        return
    if labels not in gdf.columns:
        raise InputError(missing_column(labels, gdf.columns))
    for geom, text in zip(gdf.geometry, gdf[labels], strict=True):
        if geom is None or geom.is_empty or pd.isna(text):
            continue
        pt = geom.representative_point()
        ax.annotate(str(text), (pt.x, pt.y), ha="center", va="center", fontsize=6, color="#252525")


def _finish(ax, gdf, inset, title, handles, legend_title, legend, legend_kwds=None):
    ax.set_axis_off()
    ax.set_aspect("equal")
    if inset:
        north = needs_inset(gdf)
        if north is not None:
            add_inset(ax, gdf, north)
    if title is not None:
        ax.set_title(title)
    handles = [h for h in handles if h is not None]
    if legend and handles:
        kwds = {"title": legend_title, "loc": "lower left", "fontsize": 7, "title_fontsize": 8, "frameon": True}
        ax.legend(handles=handles, **(kwds | dict(legend_kwds or {})))
    return ax


def _patch(color, label, hatch=None, edgecolor=EDGE_COLOR):
    return Patch(facecolor=color, edgecolor=edgecolor, linewidth=EDGE_WIDTH, hatch=hatch, label=label)


def _draw_missing(ax, gdf, label):
    """Regions without a value: white, hatched, labelled; returns the legend entry (None if there are none)."""
    if not len(gdf):
        return None
    _draw(ax, gdf, [MISSING_COLOR] * len(gdf), hatch=MISSING_HATCH, edgecolor=MISSING_HATCH_COLOR)
    return _patch(MISSING_COLOR, f"{label} ({len(gdf)})", MISSING_HATCH, MISSING_HATCH_COLOR)


def choropleth(
    data,
    column,
    scheme="quantiles",
    k=5,
    bins=None,
    ax=None,
    cmap=None,
    crs="auto",
    title=None,
    legend=True,
    missing_label="No data",
    fmt="{:.1f}",
    labels=None,
    legend_kwds=None,
    inset=True,
):
    """Choropleth map of a numeric column with mapclassify classes.

    Parameters
    ----------
    data : GeoDataFrame
        Regions with the column to map.
    column : str
        Numeric column; missing values are drawn hatched on white and labelled ``missing_label``.
    scheme : {"quantiles", "fisher_jenks", "equal_interval", "std_mean", "user_defined"}
        Classification (see :func:`spatialcluster.plot._classify.classify`); ``bins`` implies
        ``"user_defined"``.
    k : int
        Number of classes.
    bins : sequence of float, optional
        Upper class bounds.
    ax : matplotlib Axes, optional
    cmap : str, optional
        Colour map, sampled evenly; default for z-score columns (``z``, ``z_*``, ``*_z``) the
        diverging ``RdBu_r`` with 0 at its neutral middle, ``YlOrRd`` otherwise.
    crs : "auto", None or CRS
        ``"auto"``: Albers equal-area for China (other geographic data: an Albers fitted to their
        extent), projected data as they are; None draws the data as they are.
    title : str, optional
    legend : bool
        Legend with the class bounds and the number of regions in each class.
    missing_label : str
    fmt : str
        Format of the class bounds in the legend.
    labels : str, optional
        Column whose text (e.g. region names) is written on each region.
    legend_kwds : dict, optional
        Passed to ``ax.legend`` (default ``loc="lower left"``, which suits maps of China).
    inset : bool
        For national maps of China with islands south of 17.5° N: frame the main map on the
        mainland, Hainan and Taiwan and draw the South China Sea islands in an inset at the
        lower right, as China's standard maps do. Other maps are unaffected.

    Returns
    -------
    matplotlib Axes
    """
    ax = _new_ax(ax)
    gdf = project(_as_geoframe(data, [column]), crs)
    classes = classify_column(gdf, column, scheme=scheme, k=k, bins=bins, cmap=cmap, fmt=fmt)
    has = classes.yb >= 0
    _draw(ax, gdf[has], [classes.colors[i] for i in classes.yb[has]])
    counts = classes.counts()
    handles = [_patch(c, f"{lab} ({n})") for c, lab, n in zip(classes.colors, classes.labels, counts, strict=True)]
    handles.append(_draw_missing(ax, gdf[~has], missing_label))
    _annotate(ax, gdf, labels)
    return _finish(ax, gdf, inset, title, handles, str(column), legend, legend_kwds)


def _category_map(ax, gdf, codes, order, colors, names, hatches, title, legend, legend_title, labels, always=(),
                  missing_label="No data", legend_kwds=None, inset=True):
    """Draw one fill per category in ``order`` and the regions whose code is missing; legend entries with
    counts (``always`` shown even when empty)."""
    handles = []
    for key in order:
        mask = (codes == key).to_numpy()
        n = int(mask.sum())
        hatch = hatches.get(key)
        _draw(ax, gdf[mask], [colors[key]] * n, hatch=hatch)
        if n or key in always:
            handles.append(_patch(colors[key], f"{names[key]} ({n})", hatch))
    handles.append(_draw_missing(ax, gdf[codes.isna().to_numpy()], missing_label))
    _annotate(ax, gdf, labels)
    return _finish(ax, gdf, inset, title, handles, legend_title, legend, legend_kwds)


def lisa_map(result_or_gdf, regions=None, ax=None, crs="auto", title=None, legend=True, labels=None,
             missing_label="No data", legend_kwds=None, inset=True):
    """LISA cluster map in GeoDa's colours.

    High-High red, Low-Low blue, High-Low light red, Low-High light blue, not significant light
    grey, islands (regions without neighbours) white and dotted, regions without a cluster label
    (e.g. left out of the analysis) white and hatched. The legend counts the regions in each
    class (Anselin 1995).

    Parameters
    ----------
    result_or_gdf : LocalMoranResult or GeoDataFrame
        A result with ``to_frame()`` or a frame with a ``cluster`` column in
        {"HH", "LL", "HL", "LH", "ns", "island"}.
    regions : GeoDataFrame, optional
        The regions, indexed by region id: their geometries are used, and regions the result
        does not cover are drawn as missing. Needed when the result's frame has no geometry.
    ax, crs, title, legend, labels, missing_label, legend_kwds, inset
        As in :func:`choropleth`.

    Returns
    -------
    matplotlib Axes

    References
    ----------
    Anselin, L. (1995). Local indicators of spatial association—LISA. Geographical Analysis
    27(2), 93–115.
    """
    regions, ax = _axes_and_regions(regions, ax)
    ax = _new_ax(ax)
    gdf = project(_as_geoframe(result_or_gdf, ["cluster"], regions), crs)
    codes = gdf["cluster"].astype(object).where(gdf["cluster"].notna(), None)
    unknown = sorted(set(codes.dropna().astype(str)) - set(LISA_COLORS))
    if unknown:
        raise InputError(f"unknown cluster labels {unknown}; expected {list(LISA_ORDER)}")
    return _category_map(
        ax, gdf, codes, LISA_ORDER, LISA_COLORS, LISA_LABELS, {"island": ".."}, title, legend,
        "LISA cluster", labels, always=("ns", "HH", "LL", "LH", "HL"), missing_label=missing_label,
        legend_kwds=legend_kwds, inset=inset,
    )


def significance_map(result_or_gdf, regions=None, ax=None, crs="auto", title=None, legend=True, labels=None,
                     missing_label="No data", legend_kwds=None, inset=True):
    """Map of local p-values in classes 0.001 / 0.01 / 0.05 / not significant (greens, as in GeoDa).

    Parameters
    ----------
    result_or_gdf : LocalMoranResult or GeoDataFrame
        A result with ``to_frame()`` or a frame with ``p_adjusted`` (after multiple-testing
        correction; used when present) or the pseudo p-value ``p_sim``. Regions without a
        p-value are drawn as islands when their ``cluster`` is "island", else as missing.
    regions, ax, crs, title, legend, labels, missing_label, legend_kwds, inset
        As in :func:`lisa_map`.

    Returns
    -------
    matplotlib Axes
    """
    regions, ax = _axes_and_regions(regions, ax)
    ax = _new_ax(ax)
    frame = _as_geoframe(result_or_gdf, [], regions)
    pcol = next((c for c in ("p_adjusted", "p_sim") if c in frame.columns and frame[c].notna().any()), None)
    if pcol is None:
        raise InputError(f"no p-value column: expected 'p_adjusted' or 'p_sim', available: {list(frame.columns)}")
    gdf = project(frame, crs)
    p = pd.to_numeric(gdf[pcol], errors="coerce")
    codes = pd.Series("ns", index=gdf.index, dtype=object)
    for bound, _label in reversed(SIGNIFICANCE_CLASSES):
        codes[(p <= bound).to_numpy()] = f"{bound:g}"
    no_p = p.isna().to_numpy()
    island = (gdf["cluster"] == "island").to_numpy() if "cluster" in gdf.columns else np.zeros(len(gdf), bool)
    codes[no_p & island] = "island"
    codes[no_p & ~island] = None
    order = ["ns", *(f"{b:g}" for b, _ in SIGNIFICANCE_CLASSES), "island"]
    colors = {"ns": LISA_COLORS["ns"], "island": LISA_COLORS["island"]}
    names = {"ns": "Not significant", "island": LISA_LABELS["island"]}
    for (bound, label), color in zip(SIGNIFICANCE_CLASSES, SIGNIFICANCE_COLORS, strict=True):
        colors[f"{bound:g}"], names[f"{bound:g}"] = color, label
    legend_title = "Adjusted p-value" if pcol == "p_adjusted" else "Pseudo p-value"
    return _category_map(
        ax, gdf, codes, order, colors, names, {"island": ".."}, title, legend, legend_title, labels,
        always=order[:-1], missing_label=missing_label, legend_kwds=legend_kwds, inset=inset,
    )


def hotspot_map(result_or_gdf, regions=None, ax=None, crs="auto", title=None, legend=True, labels=None,
                missing_label="No data", legend_kwds=None, inset=True):
    """Getis–Ord Gi* hot-spot map: seven classes from ``bin`` (-3..3, cold/hot at 99/95/90 %).

    Parameters
    ----------
    result_or_gdf : GetisOrdResult or GeoDataFrame
        A result with ``to_frame()`` or a frame with a ``bin`` column in -3..3; regions without
        a bin are drawn white and hatched, as in :func:`choropleth`.
    regions, ax, crs, title, legend, labels, missing_label, legend_kwds, inset
        As in :func:`lisa_map`.

    Returns
    -------
    matplotlib Axes

    References
    ----------
    Getis, A., Ord, J. K. (1992). The analysis of spatial association by use of distance
    statistics. Geographical Analysis 24(3), 189–206. Ord, J. K., Getis, A. (1995). Local spatial
    autocorrelation statistics: distributional issues and an application. Geographical Analysis
    27(4), 286–306.
    """
    regions, ax = _axes_and_regions(regions, ax)
    ax = _new_ax(ax)
    gdf = project(_as_geoframe(result_or_gdf, ["bin"], regions), crs)
    b = pd.to_numeric(gdf["bin"], errors="coerce")
    bad = (b.isna() & gdf["bin"].notna()) | (b.notna() & ~b.isin(list(HOTSPOT_COLORS)))
    if bad.any():
        ids = ", ".join(str(i) for i in gdf.index[bad.to_numpy()][:20])
        raise InputError(f"'bin' must be an integer in -3..3; regions {ids} are not")
    codes = b.astype("Int64").astype(object).where(b.notna(), None)
    order = sorted(HOTSPOT_COLORS, reverse=True)
    return _category_map(
        ax, gdf, codes, order, HOTSPOT_COLORS, HOTSPOT_LABELS, {}, title, legend, "Gi* hot spots", labels,
        always=order, missing_label=missing_label, legend_kwds=legend_kwds, inset=inset,
    )

