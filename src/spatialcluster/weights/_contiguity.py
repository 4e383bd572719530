"""Queen and rook contiguity from shared vertices / edges."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from libpysal.graph import Graph


def contiguity(geoms: np.ndarray, ids: pd.Index, *, rook: bool) -> Graph:
    """Vertex-set contiguity: queen = a shared vertex, rook = a shared edge.

    Same definition as libpysal ``Graph.build_contiguity(strict=False)`` (and GeoDa): polygons
    must share vertices exactly, as in topologically clean coverages.
    """
    return Graph.build_contiguity(gpd.GeoSeries(geoms, index=ids), rook=rook, strict=False)
