"""Small synthetic region layers and tables for the io tests (built in tmp_path, never committed)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import box

from conftest import need_shared


def facts() -> pd.DataFrame:
    """The 31 provinces' official codes and names (shared reference data, codes as text)."""
    return pd.read_csv(need_shared("data", "china_provinces_facts.csv"), dtype={"adcode": str})


def squares(n: int) -> list:
    """n unit squares in a row, neighbours sharing an edge."""
    return [box(i, 0, i + 1, 1) for i in range(n)]


def regions_frame(columns: dict, crs="EPSG:4326") -> gpd.GeoDataFrame:
    n = len(next(iter(columns.values())))
    return gpd.GeoDataFrame(columns, geometry=squares(n), crs=crs)


def write_shapefile(frame: gpd.GeoDataFrame, path, encoding="UTF-8", cpg=True):
    """Write a shapefile; cpg=False deletes the .cpg as many Chinese shapefiles lack one."""
    pyogrio.write_dataframe(frame, path, encoding=encoding)
    if not cpg:
        path.with_suffix(".cpg").unlink()
    return path
