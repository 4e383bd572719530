"""Reading region boundaries: shapefiles (also zipped), GeoPackages and GeoJSON, via pyogrio.

Files are only ever read. What comes back is checked once, here, so that every later step
can rely on it: string region ids that are unique, a CRS, and valid, non-empty geometries.
"""

from __future__ import annotations

import difflib
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from .._errors import InputError, SpatialClusterWarning
from .._validate import _names
from ..weights._topology import OVERLAP_SHARE, describe_overlaps, overlaps
from .tables import _as_key

SUPPORTED = (".shp", ".gpkg", ".geojson", ".json", ".zip")
#: Column names tried, in this order, when ``id`` is not given (compared case-insensitively).
ID_CANDIDATES = (
    "adcode", "code", "gbcode", "gb", "region_id", "id", "geoid", "fips",
    "行政区划代码", "区划代码", "代码",
)
_MEMBER_SUFFIXES = (".shp", ".geojson", ".json")


def _missing(path: Path) -> InputError:
    parent = path.parent if path.parent.exists() else Path(".")
    close = difflib.get_close_matches(path.name, [p.name for p in parent.iterdir()], n=3)
    hint = f" Similar files in {parent}: {close}." if close else ""
    return InputError(f"region file not found: {path} (absolute: {path.resolve()}).{hint}")


def _dbf_encoding(dbf: bytes, label: str) -> str | None:
    """Encoding for a .dbf without .cpg: None to let GDAL use the header's code page,
    else UTF-8 when all text decodes as such, else GB18030 (with a warning)."""
    if len(dbf) < 32 or dbf[29] != 0:  # byte 29 is the dBASE language driver id (code page)
        return None
    header_len = int.from_bytes(dbf[8:10], "little")
    # only field names and records are text; descriptors hold binary lengths
    names = b"".join(dbf[o : o + 11] for o in range(32, header_len - 1, 32) if dbf[o] != 0x0D)
    text = names + dbf[header_len:]
    try:
        text.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError(
            f"{label}: the .dbf has no .cpg file and its text is neither UTF-8 nor GB18030; "
            "pass encoding='...' (e.g. 'cp1252' or 'latin-1')."
        ) from None
    warnings.warn(
        f"{label}: no .cpg file and the attribute table is not valid UTF-8; read it as GB18030 "
        "(common for Chinese shapefiles). If names look wrong, pass encoding='...'; add a .cpg "
        "file containing the encoding to silence this warning.",
        SpatialClusterWarning,
        stacklevel=4,
    )
    return "GB18030"


def _sidecar(path: Path, suffix: str) -> Path | None:
    """A shapefile's companion file, in either letter case (P.SHP comes with P.CPG)."""
    for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if candidate.exists():
            return candidate
    return None


def _zip_member(path: Path, layer) -> tuple[str, str | None]:
    """GDAL path of the dataset inside a zip, and its detected encoding."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InputError(f"{path}: not a readable zip archive.") from None
    with archive:
        names = archive.namelist()
        members = [n for n in names if n.lower().endswith(_MEMBER_SUFFIXES) and "__MACOSX" not in n]
        if layer is not None:
            members = [m for m in members if layer in (m, Path(m).stem)]
        if len(members) != 1:
            what = "no" if not members else "several"
            raise InputError(
                f"{path}: {what} datasets{'' if layer is None else f' named {layer!r}'} in the archive "
                f"(found {[n for n in names if n.lower().endswith(_MEMBER_SUFFIXES)]}); choose one with layer='<name>'."
            )
        member = members[0]
        encoding = None
        if member.lower().endswith(".shp"):
            stem = member[:-4]
            cpg = [n for n in names if n.lower() == f"{stem}.cpg".lower()]
            dbf = [n for n in names if n.lower() == f"{stem}.dbf".lower()]
            if not cpg and dbf:
                encoding = _dbf_encoding(archive.read(dbf[0]), f"{path}!{member}")
    return f"/vsizip/{path.resolve()}/{member}", encoding


def _gpkg_layer(path: Path, layer):
    layers = [(str(n), t) for n, t in pyogrio.list_layers(path)]
    names = [n for n, _ in layers]
    if layer is not None:
        if layer not in names:
            raise InputError(f"{path}: no layer {layer!r}; layers are {names}.")
        return layer
    spatial = [n for n, t in layers if t is not None]
    if len(spatial) == 1:
        return spatial[0]
    listing = ", ".join(f"{n!r} ({t or 'no geometry'})" for n, t in layers)
    raise InputError(f"{path}: {len(spatial)} layers with geometries; choose one with layer='<name>': {listing}.")


def _read_frame(path: Path, encoding, layer) -> gpd.GeoDataFrame:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(f"{path}: unsupported region file format {suffix!r}; use one of {list(SUPPORTED)}.")
    source, read_layer, detected = str(path), None, None
    if suffix == ".zip":
        source, detected = _zip_member(path, layer)
    elif suffix == ".gpkg":
        read_layer = _gpkg_layer(path, layer)
    elif suffix == ".shp" and encoding is None and not _sidecar(path, ".cpg"):
        dbf = _sidecar(path, ".dbf")
        if dbf:
            detected = _dbf_encoding(dbf.read_bytes(), str(path))
    try:
        return gpd.read_file(source, engine="pyogrio", layer=read_layer, encoding=encoding or detected)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: text cannot be decoded ({exc}); pass encoding='...'.") from None
    except pyogrio.errors.DataSourceError as exc:
        raise InputError(f"{path}: cannot be read as a region file ({exc}).") from None
    except (pyogrio.errors.DataLayerError, pyogrio.errors.GeometryError, pyogrio.errors.FieldError) as exc:
        raise InputError(f"{path}: the layer cannot be read ({exc}).") from None


def _choose_id(frame: gpd.GeoDataFrame, id, label: str) -> str:
    columns = [c for c in frame.columns if c != frame.geometry.name]
    if id is not None:
        if id not in columns:
            close = difflib.get_close_matches(str(id), [str(c) for c in columns], n=3)
            hint = f" Did you mean {close}?" if close else ""
            raise InputError(f"{label}: no column {id!r} for the region id.{hint} Columns: {columns}.")
        return id
    lower = {str(c).lower(): c for c in columns}
    for candidate in ID_CANDIDATES:
        if candidate in lower:
            return lower[candidate]
    raise InputError(
        f"{label}: cannot tell which column identifies the regions (none of {list(ID_CANDIDATES)}); "
        f"pass id='<column>'. Columns: {columns}."
    )


def _check(frame: gpd.GeoDataFrame, id_col: str, label: str) -> gpd.GeoDataFrame:
    ids = pd.Series([_as_key(v) for v in frame[id_col]], index=frame.index, dtype="str")
    rows = pd.RangeIndex(1, len(frame) + 1)  # feature numbers as GIS software shows them
    if ids.isna().any():
        raise InputError(
            f"{label}: features {_names(rows[ids.isna().to_numpy()])} have no value in id column {id_col!r}; "
            "fill them in the file or choose another id column with id='<column>'."
        )
    dup = ids[ids.duplicated(keep=False)]
    if len(dup):
        detail = "; ".join(
            f"{k!r} at features {_names(rows[(ids == k).to_numpy()])}" for k in dup.unique()[:20]
        )
        raise InputError(
            f"{label}: duplicate region ids in column {id_col!r}: {detail}. Each region must be one feature: "
            "choose a unique id column (id='<column>') or merge the parts first (GeoDataFrame.dissolve)."
        )
    geoms = frame.geometry.to_numpy()
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        raise InputError(
            f"{label}: regions {_names(ids[empty])} have empty or missing geometries. Repair or delete "
            "these features in the file (e.g. in QGIS), or drop them explicitly before joining."
        )
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        reasons = "; ".join(
            f"{i}: {r}" for i, r in zip(ids[invalid][:20], shapely.is_valid_reason(geoms[invalid][:20]))
        )
        frame = frame.copy()
        fixed = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
        # A ring that is a line or a point (zero area) repairs to nothing: never hand that on.
        collapsed = shapely.is_empty(fixed)
        if collapsed.any():
            raise InputError(
                f"{label}: regions {_names(ids[invalid][collapsed])} have zero area (their boundaries "
                "collapse to lines or points), so repairing them leaves an empty geometry. Fix their "
                "boundaries, or delete these features in the file (e.g. in QGIS) if they are not regions."
            )
        warnings.warn(
            f"{label}: repaired {int(invalid.sum())} invalid geometries with shapely.make_valid ({reasons}).",
            SpatialClusterWarning,
            stacklevel=3,
        )
        frame.loc[invalid, frame.geometry.name] = fixed
        geoms = frame.geometry.to_numpy()
    _warn_overlaps(geoms, ids, label)
    out = frame.drop(columns=[id_col]).set_index(pd.Index(ids.to_numpy(), dtype="str", name=id_col))
    return out


def _warn_overlaps(geoms, ids: pd.Series, label: str) -> None:
    """Warn about duplicate and overlapping polygons (both make contiguity and areas wrong)."""
    polygons = np.flatnonzero(np.isin(shapely.get_type_id(geoms), (3, 6)))  # points and lines cannot overlap
    if len(polygons) < 2:
        return
    found = [(polygons[i], polygons[j], what, share) for i, j, what, share in overlaps(geoms[polygons])]
    if not found:
        return
    warnings.warn(
        f"{label}: polygons that cover the same ground ({describe_overlaps(found, pd.Index(ids))}). "
        f"Regions should tile the territory without overlapping (overlaps below {OVERLAP_SHARE:.0%} of the "
        "smaller polygon are ignored as slivers); delete the duplicates or fix the boundaries, or contiguity, areas and "
        "densities will be wrong.",
        SpatialClusterWarning,
        stacklevel=4,
    )


def read_regions(path, id=None, encoding=None, layer=None, crs=None) -> gpd.GeoDataFrame:
    """Read region boundaries into a GeoDataFrame indexed by string region ids.

    Parameters
    ----------
    path : str, Path, or a list of them
        A shapefile (``.shp``), a zipped shapefile or GeoJSON (``.zip``), a GeoPackage
        (``.gpkg``) or GeoJSON (``.geojson``/``.json``). Several files are concatenated, and
        must share one CRS.
    id : str, optional
        Column holding the region ids. By default the first of :data:`ID_CANDIDATES`
        present (``adcode``, ``code``, ..., ``id``). Values become strings: the DBF number
        320000.0 becomes ``"320000"``.
    encoding : str, optional
        Attribute table encoding. By default a shapefile's ``.cpg`` (or the code page in
        the ``.dbf`` header) is used; without either, UTF-8, then GB18030 with a
        :class:`SpatialClusterWarning`.
    layer : str or list of str, optional
        GeoPackage layer, or member of a zip archive; required when there are several.
        A list reads and concatenates several layers.
    crs : optional
        CRS to assign when the file has none (anything ``GeoDataFrame.set_crs`` accepts,
        e.g. ``"EPSG:4326"`` for longitude/latitude).

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by the region id (named after the id column), the file's CRS kept.
        Invalid geometries are repaired with ``shapely.make_valid`` and a warning naming
        the regions; zero-area ones (which repair to nothing) are refused.

    Warns
    -----
    SpatialClusterWarning
        Repaired geometries; duplicate polygons, and pairs overlapping by more than 1 % of
        the smaller one (found with an STRtree), named pair by pair.

    Raises
    ------
    InputError
        Missing file, unsupported format, ambiguous layer, no id column, missing or
        duplicate ids, empty or missing geometries, zero-area polygons, no CRS, layers with
        different CRSs, a longitude/latitude CRS on coordinates that are not degrees.
    """
    if isinstance(path, (list, tuple)) or isinstance(layer, (list, tuple)):
        paths = list(path) if isinstance(path, (list, tuple)) else [path]
        layers = list(layer) if isinstance(layer, (list, tuple)) else [layer]
        parts = [
            read_regions(p, id=id, encoding=encoding, layer=lay, crs=crs) for p in paths for lay in layers
        ]
        labels = [f"{p}" + (f" layer {lay!r}" if lay is not None else "") for p in paths for lay in layers]
        return _concat(parts, labels)
    path = Path(path)
    if not path.exists():
        raise _missing(path)
    label = str(path) + (f" layer {layer!r}" if layer is not None else "")
    frame = _read_frame(path, encoding, layer)
    if frame.crs is None:
        if crs is None:
            raise InputError(
                f"{label}: no coordinate reference system (a shapefile needs its .prj). Pass crs='EPSG:4326' "
                "if the coordinates are longitude/latitude, or the projection the data were made in."
            )
        frame = frame.set_crs(crs)
    elif crs is not None and not frame.crs.equals(gpd.GeoSeries(crs=crs).crs):
        raise InputError(
            f"{label}: the file's CRS is {frame.crs.to_string()}, not {crs!r}; crs= only fills a missing CRS. "
            "Reproject after reading with regions.to_crs(...)."
        )
    _check_degrees(frame, label)
    out = _check(frame, _choose_id(frame, id, label), label)
    out.attrs["source"] = str(path)
    return out


def _check_degrees(frame: gpd.GeoDataFrame, label: str) -> None:
    """Refuse a longitude/latitude CRS on coordinates that cannot be degrees (a wrong .prj or crs=)."""
    if not frame.crs.is_geographic or not len(frame):
        return
    x0, y0, x1, y1 = frame.total_bounds
    if np.isfinite([x0, y0, x1, y1]).all() and not (-180 <= x0 and x1 <= 360 and -90 <= y0 and y1 <= 90):
        raise InputError(
            f"{label}: the CRS says longitude/latitude ({frame.crs.to_string()}), but the coordinates span "
            f"x {x0:.6g}..{x1:.6g}, y {y0:.6g}..{y1:.6g}, which are not degrees. The .prj file (or crs=) "
            "is wrong: give the projected CRS the coordinates were made in, e.g. crs='EPSG:32650' for a "
            "file without .prj, or fix the .prj."
        )


def _concat(parts: list[gpd.GeoDataFrame], labels: list[str]) -> gpd.GeoDataFrame:
    crss = [p.crs for p in parts]
    if any(not c.equals(crss[0]) for c in crss[1:]):
        listing = "; ".join(f"{lab}: {c.to_string()}" for lab, c in zip(labels, crss))
        raise InputError(
            f"cannot combine layers with different CRSs ({listing}). Reproject them to one CRS first "
            "(GeoDataFrame.to_crs) and combine the results."
        )
    combined = pd.concat(parts)
    dup = combined.index[combined.index.duplicated()].unique()
    if len(dup):
        raise InputError(f"region ids {_names(dup)} occur in more than one of {labels}; each region must occur once.")
    return gpd.GeoDataFrame(combined, geometry=parts[0].geometry.name, crs=crss[0])
