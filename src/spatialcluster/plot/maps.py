"""Maps: choropleths, LISA cluster and significance maps, Gi* hot-spot maps.

Every function draws into ``ax`` (a new figure when None) and returns it, so maps compose into
multi-panel figures. Colours come from :mod:`spatialcluster._palette` and class breaks from
:func:`spatialcluster.plot._classify.classify`, the same sources the QGIS styles written by
:func:`spatialcluster.to_geopackage` use.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from .._errors import InputError
from .._palette import HOTSPOT_COLORS, LISA_COLORS, MISSING_COLOR
from ..labels import check_lang, label, term
from ._china import complete, include_sar_taiwan as _include
from ._classify import classify_column, missing_column
from ._crs import project
from ._fonts import new_axes as _new_ax
from ._inset import add_inset, needs_inset
from ._placement import place_labels

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
# p-value bound of the Gi* bins 1, 2, 3 (ArcGIS's Gi_Bin: 90, 95, 99 % confidence), as
# stats.hotspots.LEVELS (not imported: drawing a map must not load the numba kernels).
HOTSPOT_LEVELS = {1: 0.10, 2: 0.05, 3: 0.01}


def _axes_and_regions(regions, ax):
    """Accept ``f(result, ax)`` too: an Axes passed where the regions go is the Axes."""
    if isinstance(regions, Axes) and ax is None:
        return None, regions
    return regions, ax


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


def _prepare(frame, crs, include_sar_taiwan, labels):
    """The frame to draw: Taiwan, Hong Kong and Macao added to national maps of China (as
    regions without data), projected; the label column checked."""
    if labels is not None and labels not in frame.columns:
        raise InputError(missing_column(labels, frame.columns))
    if _include(include_sar_taiwan) and frame.crs is not None:
        frame = complete(frame)
    return project(frame, crs)


def _finish(ax, gdf, inset, title, handles, legend_title, legend, legend_kwds=None, *, labels=None, lang=None):
    """Frame, inset, title, legend, and the region labels last (they are placed on the final frame).

    The positional signature is the one other map modules (e.g. :mod:`.gwr`) call."""
    ax.set_axis_off()
    ax.set_aspect("equal")
    if inset:
        north = needs_inset(gdf)
        if north is not None:
            add_inset(ax, gdf, north, lang=lang)
    if title is not None:
        ax.set_title(title)
    handles = [h for h in handles if h is not None]
    if legend and handles:
        kwds = {"title": legend_title, "loc": "lower left", "fontsize": 7, "title_fontsize": 8, "frameon": True}
        ax.legend(handles=handles, **(kwds | dict(legend_kwds or {})))
    if labels is not None:
        ok = gdf[labels].notna().to_numpy()
        place_labels(ax, gdf.geometry[ok], gdf.loc[ok, labels])
    return ax


def _finish_with(ax, gdf, opts, handles, legend_title):
    return _finish(ax, gdf, opts["inset"], opts["title"], handles, legend_title, opts["legend"], opts["legend_kwds"],
                   labels=opts["labels"], lang=opts["lang"])


def _patch(color, label, hatch=None, edgecolor=EDGE_COLOR):
    return Patch(facecolor=color, edgecolor=edgecolor, linewidth=EDGE_WIDTH, hatch=hatch, label=label)


def _draw_missing(ax, gdf, text):
    """Regions without a value: white, hatched, labelled; returns the legend entry (None if there are none)."""
    if not len(gdf):
        return None
    _draw(ax, gdf, [MISSING_COLOR] * len(gdf), hatch=MISSING_HATCH, edgecolor=MISSING_HATCH_COLOR)
    return _patch(MISSING_COLOR, f"{text} ({len(gdf)})", MISSING_HATCH, MISSING_HATCH_COLOR)


def _options(lang, **kw):
    """The drawing options every map shares; ``missing_label`` defaults to "No data" in ``lang``."""
    kw["lang"] = check_lang(lang)
    if kw.get("missing_label") is None:
        kw["missing_label"] = term("no_data", kw["lang"])
    return kw


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
    missing_label=None,
    fmt=None,
    labels=None,
    legend_kwds=None,
    inset=True,
    lang=None,
    include_sar_taiwan=None,
):
    """Choropleth map of a numeric column with mapclassify classes.

    Parameters
    ----------
    data : GeoDataFrame
        Regions with the column to map.
    column : str
        Numeric column; missing values are drawn hatched on white and labelled ``missing_label``.
        The legend title is the column's label from the variable catalogue
        (:func:`spatialcluster.set_label`), with its unit.
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
    missing_label : str, optional
        Legend text of regions without data; default "No data" / "无数据".
    fmt : str, optional
        Format of the class bounds in the legend; default ``"{:.1f}"``, or ``"{:,.0f}"`` when
        the values reach 10,000 (populations, GDP).
    labels : str, optional
        Column whose text (e.g. region names) is written on each region, with a white halo;
        labels that would overlap move aside with a leader line.
    legend_kwds : dict, optional
        Passed to ``ax.legend`` (default ``loc="lower left"``, which suits maps of China).
    inset : bool
        For national maps of China: frame the main map on the mainland, Hainan and Taiwan and
        draw the South China Sea islands and the boundary line in an inset at the lower right,
        as China's standard maps do. Other maps are unaffected.
    lang : {"en", "zh"}, optional
        Language of the legend (default: :func:`spatialcluster.set_language`, else English).
    include_sar_taiwan : bool, optional
        National maps of China that lack Taiwan, Hong Kong or Macao get them, drawn as regions
        without data, as the standard map requires; False draws the data alone. Default True,
        or as set by :func:`spatialcluster.plot.china_maps`.

    Returns
    -------
    matplotlib Axes
    """
    ax = _new_ax(ax)
    opts = _options(lang, title=title, legend=legend, missing_label=missing_label, labels=labels,
                    legend_kwds=legend_kwds, inset=inset)
    gdf = _prepare(_as_geoframe(data, [column]), crs, include_sar_taiwan, labels)
    if fmt is None:
        big = pd.to_numeric(gdf[column], errors="coerce").abs().max() >= 1e4
        fmt = "{:,.0f}" if big else "{:.1f}"
    classes = classify_column(gdf, column, scheme=scheme, k=k, bins=bins, cmap=cmap, fmt=fmt)
    has = classes.yb >= 0
    _draw(ax, gdf[has], [classes.colors[i] for i in classes.yb[has]])
    counts = classes.counts()
    handles = [_patch(c, f"{lab} ({n})") for c, lab, n in zip(classes.colors, classes.labels, counts, strict=True)]
    handles.append(_draw_missing(ax, gdf[~has], opts["missing_label"]))
    return _finish_with(ax, gdf, opts, handles, label(column, opts["lang"]))


def _category_codes(gdf, column: str, allowed, what: str) -> pd.Series:
    """The category column as objects (None where missing); labels outside ``allowed`` are refused."""
    codes = gdf[column].astype(object).where(gdf[column].notna(), None)
    unknown = sorted(set(codes.dropna().astype(str)) - set(allowed))
    if unknown:
        raise InputError(f"unknown {what} {unknown}; expected {list(allowed)}")
    return codes


def _category_map(ax, gdf, codes, order, colors, names, hatches, title, legend, legend_title, labels, always=(),
                  missing_label=None, legend_kwds=None, inset=True, *, lang=None, include_sar_taiwan=None):
    """Draw one fill per category in ``order`` and the regions whose code is missing; legend entries with
    counts (``always`` shown even when empty). National maps of China get Taiwan, Hong Kong and Macao
    (without a category) unless ``include_sar_taiwan`` is False; every map built on this gets them."""
    opts = _options(lang, title=title, legend=legend, missing_label=missing_label, labels=labels,
                    legend_kwds=legend_kwds, inset=inset)
    if labels is not None and labels not in gdf.columns:
        raise InputError(missing_column(labels, gdf.columns))
    if _include(include_sar_taiwan):
        full = complete(gdf)
        if len(full) > len(gdf):
            added = pd.Series([None] * (len(full) - len(gdf)), index=full.index[len(gdf):], dtype=object)
            codes, gdf = pd.concat([codes.astype(object), added]), full
    handles = []
    for key in order:
        mask = (codes == key).to_numpy()
        n = int(mask.sum())
        hatch = hatches.get(key)
        _draw(ax, gdf[mask], [colors[key]] * n, hatch=hatch)
        if n or key in always:
            handles.append(_patch(colors[key], f"{names[key]} ({n})", hatch))
    handles.append(_draw_missing(ax, gdf[codes.isna().to_numpy()], opts["missing_label"]))
    return _finish_with(ax, gdf, opts, handles, legend_title)


def lisa_map(result_or_gdf, regions=None, ax=None, crs="auto", title=None, legend=True, labels=None,
             missing_label=None, legend_kwds=None, inset=True, lang=None, include_sar_taiwan=None):
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
    ax, crs, title, legend, labels, missing_label, legend_kwds, inset, lang, include_sar_taiwan
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
    lang = check_lang(lang)
    gdf = project(_as_geoframe(result_or_gdf, ["cluster"], regions), crs)
    codes = _category_codes(gdf, "cluster", LISA_ORDER, "cluster labels")
    names = {key: term(key, lang) for key in LISA_ORDER}
    return _category_map(
        ax, gdf, codes, LISA_ORDER, LISA_COLORS, names, {"island": ".."}, title, legend, term("lisa_cluster", lang),
        labels, always=("ns", "HH", "LL", "LH", "HL"), missing_label=missing_label, legend_kwds=legend_kwds,
        inset=inset, lang=lang, include_sar_taiwan=include_sar_taiwan,
    )


def significance_map(result_or_gdf, regions=None, ax=None, crs="auto", title=None, legend=True, labels=None,
                     missing_label=None, legend_kwds=None, inset=True, lang=None, include_sar_taiwan=None):
    """Map of local p-values in classes 0.001 / 0.01 / 0.05 / not significant (greens, as in GeoDa).

    Parameters
    ----------
    result_or_gdf : LocalMoranResult or GeoDataFrame
        A result with ``to_frame()`` or a frame with ``p_adjusted`` (after multiple-testing
        correction; used when present) or the pseudo p-value ``p_sim``. Regions without a
        p-value are drawn as islands when their ``cluster`` is "island", else as missing.
    regions, ax, crs, title, legend, labels, missing_label, legend_kwds, inset, lang, include_sar_taiwan
        As in :func:`lisa_map`.

    Returns
    -------
    matplotlib Axes
    """
    regions, ax = _axes_and_regions(regions, ax)
    ax = _new_ax(ax)
    lang = check_lang(lang)
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
    names = {"ns": term("not_significant", lang), "island": term("island", lang)}
    for (bound, text), color in zip(SIGNIFICANCE_CLASSES, SIGNIFICANCE_COLORS, strict=True):
        colors[f"{bound:g}"], names[f"{bound:g}"] = color, text
    legend_title = term("adjusted_p" if pcol == "p_adjusted" else "pseudo_p", lang)
    return _category_map(
        ax, gdf, codes, order, colors, names, {"island": ".."}, title, legend, legend_title, labels,
        always=order[:-1], missing_label=missing_label, legend_kwds=legend_kwds, inset=inset, lang=lang,
        include_sar_taiwan=include_sar_taiwan,
    )


def hotspot_names(alpha, lang):
    """Legend names of the Gi* bins shown at ``alpha``: bins of a lower confidence are not significant."""
    kept = {b for b in HOTSPOT_COLORS if b == 0 or HOTSPOT_LEVELS[abs(b)] <= alpha + 1e-12}
    names = {}
    for b in kept:
        if b == 0:
            names[b] = f"{term('not_significant', lang)} (p > {alpha:g})"
        else:
            conf = 100 * (1 - HOTSPOT_LEVELS[abs(b)])
            kind = term("hot_spot" if b > 0 else "cold_spot", lang)
            names[b] = f"{kind}（{conf:g}%）" if lang == "zh" else f"{kind}, {conf:g} %"
    return names


def hotspot_map(result_or_gdf, regions=None, ax=None, crs="auto", title=None, legend=True, labels=None,
                missing_label=None, legend_kwds=None, inset=True, lang=None, include_sar_taiwan=None, alpha=None):
    """Getis–Ord Gi* hot-spot map: classes from ``bin`` (-3..3, cold/hot at 99/95/90 %).

    Parameters
    ----------
    result_or_gdf : GetisOrdResult or GeoDataFrame
        A result with ``to_frame()`` or a frame with a ``bin`` column in -3..3; regions without
        a bin are drawn white and hatched, as in :func:`choropleth`.
    regions, ax, crs, title, legend, labels, missing_label, legend_kwds, inset, lang, include_sar_taiwan
        As in :func:`lisa_map`.
    alpha : float, optional
        Significance level of the map (default: the result's ``alpha``, else 0.10 which shows
        all three levels). Bins of a lower confidence than ``1 - alpha`` are drawn and counted as
        not significant, so the legend agrees with the result's labels at ``alpha`` (at the
        default 0.05: 95 % and 99 % hot and cold spots).

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
    alpha = getattr(result_or_gdf, "alpha", 0.10) if alpha is None else alpha
    if not 0 < float(alpha) < 1:
        raise InputError(f"alpha must be between 0 and 1, got {alpha!r}")
    ax = _new_ax(ax)
    lang = check_lang(lang)
    gdf = project(_as_geoframe(result_or_gdf, ["bin"], regions), crs)
    b = pd.to_numeric(gdf["bin"], errors="coerce")
    bad = (b.isna() & gdf["bin"].notna()) | (b.notna() & ~b.isin(list(HOTSPOT_COLORS)))
    if bad.any():
        ids = ", ".join(str(i) for i in gdf.index[bad.to_numpy()][:20])
        raise InputError(f"'bin' must be an integer in -3..3; regions {ids} are not")
    names = hotspot_names(float(alpha), lang)
    b = b.where(b.isna() | b.isin(list(names)), 0)  # levels below 1 - alpha: not significant
    codes = b.astype("Int64").astype(object).where(b.notna(), None)
    order = sorted(names, reverse=True)
    return _category_map(
        ax, gdf, codes, order, HOTSPOT_COLORS, names, {}, title, legend, term("gi_hotspots", lang), labels,
        always=order, missing_label=missing_label, legend_kwds=legend_kwds, inset=inset, lang=lang,
        include_sar_taiwan=include_sar_taiwan,
    )
