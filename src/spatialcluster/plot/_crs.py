"""The projection a map is drawn in: equal-area by default, so areas compare fairly across regions."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from pyproj import CRS

from .._errors import InputError

# Albers equal-area conic for China (standard parallels 25° N and 47° N, central meridian
# 105° E), the projection of China's national atlases, on WGS84.
CHINA_ALBERS = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +datum=WGS84 +units=m +no_defs"
# Longitude / latitude boxes of China: everything (the South China Sea islands reach 3.8° N)
# and the part where the regions themselves lie (mainland, Hainan, Taiwan), so that e.g.
# Vietnam or the Philippines alone do not count as China.
_CHINA_BOX = (72.0, 3.0, 136.0, 54.5)
# Names of projected CRSs for files, written as named WKT so QGIS shows the CRS by name:
# "china_albers" is CHINA_ALBERS; "asia_north_albers" is ESRI:102025 (parallels 15° and 65° N,
# central meridian 95° E), the Albers ESRI software uses for China.
NAMED_CRS = ("china_albers", "asia_north_albers")
_CHINA_CORE = (72.0, 17.0, 136.0, 54.5)


def _inside(bounds, box) -> bool:
    minx, miny, maxx, maxy = bounds
    return minx >= box[0] and miny >= box[1] and maxx <= box[2] and maxy <= box[3]


def auto_crs(gdf: gpd.GeoDataFrame):
    """CRS to draw ``gdf`` in, or None to keep it as is.

    Parameters
    ----------
    gdf : GeoDataFrame
        The data to draw.

    Returns
    -------
    str or None
        A PROJ string, or None for data that are projected or have no CRS.

    Notes
    -----
    Projected data (and data without a CRS) are kept. Geographic data inside China's extent
    (South China Sea islands included) whose regions lie north of 17° N get :data:`CHINA_ALBERS`; other geographic data an Albers equal-area conic fitted to their extent
    (standard parallels at 1/6 and 5/6 of the latitude range, Snyder 1987, p. 99), or a Lambert
    azimuthal equal-area centred on the data when they reach a pole.

    References
    ----------
    Snyder, J. P. (1987). Map Projections: A Working Manual. USGS Professional Paper 1395.
    """
    if gdf.crs is None or not gdf.crs.is_geographic:
        return None
    lonlat = gdf.to_crs(4326) if not gdf.crs.equals(CRS.from_epsg(4326)) else gdf
    minx, miny, maxx, maxy = lonlat.total_bounds
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        return None
    if _inside((minx, miny, maxx, maxy), _CHINA_BOX) and _inside(
        lonlat.geometry.dropna().representative_point().total_bounds, _CHINA_CORE
    ):
        return CHINA_ALBERS
    lon0 = (minx + maxx) / 2
    if miny < -80 or maxy > 80:
        return f"+proj=laea +lat_0={(miny + maxy) / 2:.4f} +lon_0={lon0:.4f} +datum=WGS84 +units=m +no_defs"
    span = maxy - miny
    lat1, lat2 = miny + span / 6, maxy - span / 6
    if np.isclose(lat1, lat2):  # a single point or an east-west line: one standard parallel
        lat2 = lat1 + 1.0
    return f"+proj=aea +lat_1={lat1:.4f} +lat_2={lat2:.4f} +lat_0={(miny + maxy) / 2:.4f} +lon_0={lon0:.4f} +datum=WGS84 +units=m +no_defs"


def named_crs(crs, gdf=None):
    """A pyproj CRS from a name in :data:`NAMED_CRS`, ``"auto"`` (:func:`auto_crs` of ``gdf``) or
    anything pyproj accepts. ``"china_albers"`` is :data:`CHINA_ALBERS` as a named WKT CRS."""
    if isinstance(crs, str) and crs == "china_albers":
        from pyproj.crs import GeographicCRS, ProjectedCRS
        from pyproj.crs.coordinate_operation import AlbersEqualAreaConversion

        conversion = AlbersEqualAreaConversion(latitude_first_parallel=25, latitude_second_parallel=47,
                                               latitude_false_origin=0, longitude_false_origin=105)
        return ProjectedCRS(conversion, name="China Albers Equal Area Conic (WGS 84)",
                            geodetic_crs=GeographicCRS(datum="WGS84"))
    if isinstance(crs, str) and crs == "asia_north_albers":
        return CRS.from_user_input("ESRI:102025")
    if isinstance(crs, str) and crs == "auto":
        if gdf is None:
            raise InputError("crs='auto' needs the data to choose the projection")
        chosen = auto_crs(gdf)
        return named_crs("china_albers") if chosen == CHINA_ALBERS else (CRS(chosen) if chosen else gdf.crs)
    try:
        return CRS.from_user_input(crs)
    except Exception as exc:  # pyproj raises CRSError (and others for odd input)
        raise InputError(f"unknown CRS {crs!r}: use {sorted(NAMED_CRS)}, 'auto', an EPSG code or a WKT / PROJ string") from exc


def project(gdf: gpd.GeoDataFrame, crs="auto") -> gpd.GeoDataFrame:
    """``gdf`` in the drawing CRS: ``"auto"`` (see :func:`auto_crs`), None (as is) or any pyproj CRS."""
    if crs is None:
        return gdf
    if isinstance(crs, str) and crs == "auto":
        target = auto_crs(gdf)
        return gdf if target is None else gdf.to_crs(target)
    if gdf.crs is None:
        raise InputError(
            "the data have no CRS, so they cannot be reprojected for the map; set it first "
            "(gdf.set_crs(4326) for longitude/latitude) or pass crs=None to draw them as they are."
        )
    return gdf.to_crs(crs)
