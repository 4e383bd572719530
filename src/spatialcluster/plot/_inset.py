"""The South China Sea inset of national maps of China.

China's maps show the mainland with Hainan and Taiwan in the main frame and the South China Sea
islands in an inset box in the lower right (the layout of the official standard maps,
http://bzdt.ch.mnr.gov.cn), which keeps the main map compact instead of stretching it to 4° N.
The inset and the main map carry the boundary line (:func:`._china.draw_boundary_line`).
"""

from __future__ import annotations

import geopandas as gpd
from matplotlib.collections import PatchCollection
from matplotlib.patches import PathPatch
from shapely.geometry import box

from ..labels import term
from ._china import draw_boundary_line, is_national
from ._fonts import cjk_family

# Parts of the regions whose representative point lies south of this latitude go to the inset
# only: Hainan island reaches 18.2° N, the Paracel islands lie at 15.7-17.1° N.
SPLIT_LAT = 17.5
# Lon/lat window of the inset and the minimum longitude span of a national map.
INSET_WINDOW = (105.5, 2.5, 123.0, 24.5)
NATIONAL_SPAN = 20.0
INSET_BOUNDS = (0.80, 0.0, 0.2, 0.34)  # axes fraction: x, y, width, height


def needs_inset(gdf: gpd.GeoDataFrame):
    """The parts north of :data:`SPLIT_LAT` when ``gdf`` is a map of China spanning the country
    with islands south of it, or a national map of China without them, else None."""
    if gdf.crs is None or not len(gdf):
        return None
    parts = gdf.geometry.dropna().explode(index_parts=False)
    parts = parts[~parts.is_empty]
    if not len(parts):
        return None
    lonlat = parts.to_crs(4326)
    pts = lonlat.representative_point()
    south = (pts.y < SPLIT_LAT).to_numpy()
    minx, miny, maxx, maxy = lonlat.total_bounds
    in_china = minx >= 70 and maxx <= 137 and miny >= 0 and maxy <= 56
    if not in_china or south.all() or not (south.any() or is_national(gdf)):
        return None
    north = lonlat[~south]
    x0, _, x1, _ = north.total_bounds
    if x1 - x0 < NATIONAL_SPAN:  # a province (e.g. Hainan alone): no inset
        return None
    return parts[~south]


def add_inset(ax, gdf: gpd.GeoDataFrame, north: gpd.GeoSeries, lang: str | None = None):
    """Frame ``ax`` on the northern parts and repeat its polygons in a South China Sea inset."""
    x0, y0, x1, y1 = north.total_bounds
    mx, my = 0.03 * (x1 - x0), 0.03 * (y1 - y0)
    left, bottom, top = x0 - mx, y0 - my, y1 + my
    # Widen the frame eastwards until the coast beside the inset (parts reaching below its top
    # edge) stays left of it, so the inset covers sea only.
    inset_top = bottom + (INSET_BOUNDS[1] + INSET_BOUNDS[3]) * (top - bottom)
    b = north.bounds
    coast = b.loc[b["miny"] < inset_top, "maxx"].max()
    right = max(x1 + mx, left + (coast + mx - left) / (INSET_BOUNDS[0] - 0.02))
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    window = gpd.GeoSeries([box(*INSET_WINDOW)], crs=4326).to_crs(gdf.crs).total_bounds
    inset = ax.inset_axes(INSET_BOUNDS)
    for coll in [c for c in ax.collections if isinstance(c, PatchCollection)]:
        copy = PatchCollection(
            [PathPatch(p) for p in coll.get_paths()],
            facecolor=coll.get_facecolor(),
            edgecolor=coll.get_edgecolor(),
            linewidth=coll.get_linewidth(),
            hatch=coll.get_hatch(),
        )
        inset.add_collection(copy)
    inset.set_xlim(window[0], window[2])
    inset.set_ylim(window[1], window[3])
    inset.set_aspect("equal")
    inset.set_xticks([])
    inset.set_yticks([])
    for spine in inset.spines.values():
        spine.set_edgecolor("#636363")
        spine.set_linewidth(0.6)
    draw_boundary_line(inset, gdf.crs)
    draw_boundary_line(ax, gdf.crs)  # the dash east of Taiwan lies in the main frame
    label = term("south_china_sea", lang) if cjk_family() else term("south_china_sea", "en")
    inset.text(0.95, 0.04, label, transform=inset.transAxes, ha="right", va="bottom", fontsize=6, color="#252525")
    inset.set_label("south_china_sea_inset")
    return inset
