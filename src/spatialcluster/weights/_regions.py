"""Checks on the regions a weights object is built from, and readable region labels.

All weights kinds go through :func:`check_regions`, so bad ids and geometries get the same
messages whatever the kind.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from .._errors import InputError
from .._validate import _names

NAME_COLUMNS = ("name_zh", "name", "name_en", "NAME")


def label(data: pd.DataFrame | None, ids) -> list[str]:
    """``id (name)`` for each id, using the first name column of ``data`` that exists."""
    ids = list(ids)
    if data is None:
        return [str(i) for i in ids]
    cols = [c for c in NAME_COLUMNS if c in data.columns]
    if not cols:
        return [str(i) for i in ids]
    out = []
    for i in ids:
        names = [str(data.at[i, c]) for c in cols[:2] if i in data.index and pd.notna(data.at[i, c])]
        out.append(f"{i} ({' / '.join(dict.fromkeys(names))})" if names else str(i))
    return out


def check_ids(data: pd.DataFrame) -> pd.Index:
    """The region ids (``data.index``), refusing empty data, non-string and duplicate ids."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(
            f"weights are built from a (Geo)DataFrame indexed by region id, not {type(data).__name__}"
        )
    index = data.index
    if len(index) < 2:
        raise InputError(
            f"the data have {len(index)} region(s): spatial weights need at least two regions"
        )
    # infer_dtype scans in C; the Python loop only runs to name the offenders.
    not_str = [] if pd.api.types.infer_dtype(index, skipna=False) == "string" else [i for i in index if not isinstance(i, str)]
    if not_str:
        raise InputError(
            f"region ids must be strings, but {len(not_str)} are not (e.g. {_names(not_str, 5)}, "
            f"type {type(not_str[0]).__name__}). Codes such as 320000 must stay strings: use "
            "sc.read_regions (which keeps them as text) or data.index = data.index.astype(str)."
        )
    if index.has_duplicates:
        dup = index[index.duplicated()].unique()
        raise InputError(
            f"duplicate region ids: {_names(dup)}. Each region must appear once; "
            "dissolve the duplicates (data.dissolve(level=0)) or fix the ids."
        )
    return index


def check_geometries(data, *, polygons: bool) -> np.ndarray:
    """The geometries as a shapely array, refusing missing, empty and invalid ones by id.

    ``polygons=True`` (contiguity) also refuses anything that is not a (Multi)Polygon.
    """
    geometry = getattr(data, "geometry", None)
    if geometry is None or not hasattr(data, "crs"):
        raise InputError(
            "these weights need region geometries, but the data have no geometry column. "
            "Join the table to regions first (sc.join(regions, table, ...)), or pass a "
            "matrix= for kind='matrix'."
        )
    geoms = np.asarray(geometry.values, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        raise InputError(
            f"regions without geometry (missing or empty): {_names(data.index[missing])}. "
            "Drop them from the data or supply their boundaries."
        )
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        raise InputError(
            f"invalid geometries for regions {_names(data.index[invalid])}. Repair them "
            "(sc.read_regions does, or data.geometry = data.geometry.make_valid())."
        )
    if polygons:
        types = shapely.get_type_id(geoms)
        bad = ~np.isin(types, (3, 6))  # Polygon, MultiPolygon
        if bad.any():
            raise InputError(
                f"contiguity needs polygons, but regions {_names(data.index[bad])} are "
                f"{', '.join(sorted({g.geom_type for g in geoms[bad]}))} geometries. "
                "Use kind='knn' or 'distance_band' for points."
            )
    return geoms
