"""Choosing a projected CRS for distances, so that no distance is ever Euclidean on degrees."""

from __future__ import annotations

import numpy as np
from pyproj import CRS

from .._errors import WeightsError

# Albers equal-area conic for China (standard parallels 25 N and 47 N, central meridian 105 E),
# the usual national projection for Chinese statistical maps; on WGS 84.
CHINA_ALBERS = CRS.from_proj4(
    "+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
)
CHINA_BOUNDS = (73.0, 3.0, 136.0, 54.0)  # lon_min, lat_min, lon_max, lat_max (incl. the South China Sea)
UTM_MAX_SPAN = 6.0  # degrees of longitude: one UTM zone


def projected_crs(gdf) -> tuple[CRS, str]:
    """A projected CRS suitable for distances on ``gdf``, and a sentence saying why.

    Projected data keep their CRS. Geographic data (longitude/latitude) get:

    * the UTM zone of their centre when they span at most 6 degrees of longitude;
    * otherwise, when they lie inside China's extent, the China Albers equal-area conic
      (standard parallels 25 N / 47 N, central meridian 105 E);
    * otherwise a Lambert azimuthal equal-area projection centred on the data.

    Raises
    ------
    WeightsError
        When the data have no CRS (distances would be meaningless) or the coordinates are not
        longitude/latitude although the CRS says they are.
    """
    crs = gdf.crs
    if crs is None:
        raise WeightsError(
            "the data have no coordinate reference system (CRS), so distances cannot be measured. "
            "Set it: data = data.set_crs('EPSG:4326') for longitude/latitude, or the projected "
            "CRS the coordinates are in (see the .prj file of the shapefile)."
        )
    crs = CRS.from_user_input(crs)
    if crs.is_projected:
        return crs, f"the data's own projected CRS ({_name(crs)}), distances in its units"
    lonlat = gdf.to_crs("EPSG:4326") if crs.to_epsg() != 4326 else gdf
    x0, y0, x1, y1 = lonlat.total_bounds
    if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
        raise WeightsError(
            f"the CRS is geographic ({_name(crs)}) but the coordinates span x {x0:.0f}..{x1:.0f}, "
            f"y {y0:.0f}..{y1:.0f}, which are not degrees. Set the correct CRS with "
            "data.set_crs(..., allow_override=True)."
        )
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    if x1 - x0 <= UTM_MAX_SPAN:
        zone = int(np.floor((cx + 180) / 6)) % 60 + 1
        epsg = (32600 if cy >= 0 else 32700) + zone
        out = CRS.from_epsg(epsg)
        why = f"UTM zone {zone}{'N' if cy >= 0 else 'S'} (EPSG:{epsg}), chosen for data spanning <= 6 degrees"
    elif CHINA_BOUNDS[0] <= x0 and x1 <= CHINA_BOUNDS[2] and CHINA_BOUNDS[1] <= y0 and y1 <= CHINA_BOUNDS[3]:
        out = CHINA_ALBERS
        why = "China Albers equal-area conic (lat_1=25, lat_2=47, lon_0=105, WGS 84), chosen for data inside China"
    else:
        out = CRS.from_proj4(
            f"+proj=laea +lat_0={cy:.4f} +lon_0={cx:.4f} +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
        )
        why = f"Lambert azimuthal equal-area centred on the data ({cy:.2f}, {cx:.2f})"
    return out, f"{why}; the data were in {_name(crs)}, distances in metres"


def _name(crs: CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg} {crs.name}" if epsg else crs.name
