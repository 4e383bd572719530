"""GeoPackage and shapefile export with QGIS default styles.

Layout QGIS expects (learned from its OGR provider, checked by ``tests/test_qgis.py`` with real
QGIS): one row per layer in the ``layer_styles`` table with ``f_table_schema = ''`` (an empty
string: QGIS's lookup does not match NULL), ``f_table_name`` = the layer name,
``f_geometry_column`` = the real geometry column (GDAL writes ``geom``) and ``useAsDefault = 1``.
The file is GeoPackage 1.2, since QGIS 3.22 warns about GDAL 3.12's default 1.4. A ``.qml``
sidecar next to a GeoPackage would apply to every layer in it, so GeoPackages get
``layer_styles`` rows and only shapefiles get sidecars.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
import uuid
import warnings
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from .._errors import InputError, SpatialClusterWarning
from .qml import STYLE_KEYS, LayerStyle, geometry_kind, layer_style

STYLES_TABLE = "layer_styles"
DEFAULT_ID = "code"
OURS = "written by spatialcluster"  # gpkg_contents.description of the layers spatialcluster writes
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qml")


def _as_frame(name, obj) -> pd.DataFrame:
    if hasattr(obj, "to_frame") and not isinstance(obj, pd.DataFrame):
        obj = obj.to_frame()
    if not isinstance(obj, pd.DataFrame):
        raise InputError(f"layer {name!r}: expected a GeoDataFrame or a result with .to_frame(), got {type(obj).__name__}")
    return obj


def _prepare(name, obj) -> pd.DataFrame:
    """Index -> string id column, column names -> str, categoricals -> plain values."""
    frame = _as_frame(name, obj)
    id_name = str(frame.index.name) if frame.index.name is not None else DEFAULT_ID
    out = frame.copy()
    out.columns = [str(c) for c in out.columns]
    if isinstance(frame.index, pd.MultiIndex):  # e.g. (region, year) of a panel: one column per level
        out.index = out.index.set_names([n if n is not None else f"level_{i}" for i, n in enumerate(out.index.names)])
        clash = [n for n in out.index.names if n in out.columns]
        if clash:
            raise InputError(f"layer {name!r}: index levels {clash} are also columns; rename or drop one of them")
        out = out.reset_index()
        first = out.columns[0]
        out[first] = out[first].astype(str)
    elif not isinstance(frame.index, pd.RangeIndex) or frame.index.name is not None:
        ids = frame.index.astype(str)
        if id_name in out.columns:
            if not (out[id_name].astype(str).to_numpy() == ids.to_numpy()).all():
                raise InputError(
                    f"layer {name!r}: the index and the column {id_name!r} differ; rename one of them"
                )
            out = out.reset_index(drop=True)
        else:
            out.index = ids
            out.index.name = id_name
            out = out.reset_index()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


def _integer_categories(frame, style: LayerStyle):
    """Gi* bins stay integers (nullable) when some are missing, so QGIS matches them to "-3".."3"."""
    if style.renderer == "categorized" and pd.api.types.is_float_dtype(frame[style.column]):
        frame[style.column] = frame[style.column].astype("Int64")


def _has_geometry(frame) -> bool:
    return isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame.columns


def _style_options(name, styles):
    opts = dict((styles or {}).get(name) or {})
    unknown = set(opts) - STYLE_KEYS
    if unknown:
        raise InputError(f"style of layer {name!r} has unknown keys {sorted(unknown)}; allowed: {sorted(STYLE_KEYS)}")
    return opts


def _remove_quietly(path):
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


def _reproject(name, frame, crs):
    """The layer in ``crs`` (see :func:`spatialcluster.plot._crs.named_crs`); tables pass unchanged."""
    if crs is None or not _has_geometry(frame):
        return frame
    if frame.crs is None:
        raise InputError(f"layer {name!r} has no CRS, so it cannot be written in crs={crs!r}; set its CRS first")
    from ..plot._crs import named_crs

    return frame.to_crs(named_crs(crs, frame))


def to_geopackage(path, layers, styles=None, overwrite=True, crs=None):
    """Write layers into a GeoPackage, each with a QGIS default style; other layers are kept.

    Parameters
    ----------
    path : str or Path
        The ``.gpkg`` file. A new file is written under a temporary name in the same folder and
        moved into place; into an existing file, the layers are written into a copy of it that
        then replaces it, so a failed export never leaves a half-written file. The layers and
        styles already in the file are kept (see ``overwrite``).
    layers : dict of str -> GeoDataFrame or result
        Layer name -> GeoDataFrame (or a result whose ``to_frame()`` is one). The index becomes a
        string column named after it (``"code"`` when unnamed; a MultiIndex such as
        (region, year) one column per level, the first as string). Frames without geometries
        are written as attribute tables, without a style.
    styles : dict of str -> dict, optional
        Per-layer style options for :func:`spatialcluster.export.layer_style`: ``column``,
        ``kind`` ("lisa", "geary", "hotspot", "graduated", "significance"), ``scheme``, ``k``, ``bins``,
        ``cmap``, ``fmt``. Default: LISA colours for ``cluster``, Gi* colours for ``bin``, else
        quantiles of the first z-score or numeric column, the same classes
        :func:`spatialcluster.plot.choropleth` draws. Every style draws missing values as "No
        data", hatched as on the matplotlib maps: categorized styles with a catch-all category,
        numeric columns with missing values with the same ranges as rules plus an ELSE rule
        (QGIS's graduated renderer has no class for NULL and would leave those regions out).
    overwrite : bool
        Replace layers of the same name that spatialcluster wrote earlier (marked in the
        file's ``gpkg_contents.description``), with their default styles (else
        :class:`InputError`). A same-named layer that spatialcluster did not write is never
        replaced; the file's other layers and their styles are always kept.
    crs : str or CRS, optional
        Write the spatial layers in this CRS (default: as they are). ``"china_albers"`` (the
        equal-area Albers conic of :data:`spatialcluster.plot.CHINA_ALBERS`, as a named WKT CRS),
        ``"asia_north_albers"`` (ESRI:102025), ``"auto"`` (the projection the maps use) or any
        pyproj CRS. Longitude / latitude layers look stretched east-west in QGIS when the project
        takes their CRS; a projected layer opens at its true shape.

    Returns
    -------
    dict of str -> LayerStyle
        The style stored for each spatial layer.
    """
    path = Path(path)
    if not layers:
        raise InputError("no layers to write: pass {'layer name': GeoDataFrame, ...}")
    if not isinstance(layers, dict):
        raise InputError("layers must be a dict {'layer name': GeoDataFrame, ...}")
    bad_names = [n for n in layers if not isinstance(n, str) or not n or n.lower() == STYLES_TABLE]
    if bad_names:
        raise InputError(f"invalid layer names {bad_names}: use non-empty strings other than {STYLES_TABLE!r}")
    unknown = set(styles or {}) - set(layers)
    if unknown:
        raise InputError(f"styles given for layers that are not written: {sorted(unknown)}; layers: {list(layers)}")
    if not path.parent.exists():
        raise InputError(f"folder {path.parent} does not exist; create it first")
    existing = path.exists()
    if existing:
        _check_existing_layers(path, layers, overwrite)

    frames = {name: _reproject(name, _prepare(name, obj), crs) for name, obj in layers.items()}
    chosen = {
        name: layer_style(frame, **_style_options(name, styles))
        for name, frame in frames.items()
        if _has_geometry(frame)
    }
    for name, style in chosen.items():
        _integer_categories(frames[name], style)
    tmp = path.with_name(f".{path.stem}-{uuid.uuid4().hex[:8]}.tmp.gpkg")
    try:
        if existing:
            shutil.copy2(path, tmp)  # the user's layers, styles and file mode come along
        for i, (name, frame) in enumerate(frames.items()):
            pyogrio.write_dataframe(  # into an existing file: adds the layer (or replaces ours), keeps the rest
                frame, tmp, layer=name, driver="GPKG",
                dataset_options={"VERSION": "1.2"} if i == 0 and not existing else None,
            )
        _write_styles(tmp, frames, chosen)
        os.replace(tmp, path)
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            _remove_quietly(f"{tmp}{suffix}")
    return chosen


def _check_existing_layers(path: Path, layers, overwrite: bool) -> None:
    """Refuse to replace a layer spatialcluster did not write, or any layer without ``overwrite``."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
            rows = con.execute("SELECT table_name, description FROM gpkg_contents").fetchall()
    except sqlite3.Error:
        raise InputError(f"{path} exists and is not a GeoPackage; choose another file name (it was not changed)") from None
    existing = {str(name).casefold(): (str(name), str(desc or "") == OURS) for name, desc in rows}  # SQLite: case-blind
    clash = [existing[n.casefold()] for n in layers if n.casefold() in existing]
    foreign = [name for name, ours in clash if not ours]
    if foreign:
        raise InputError(
            f"{path} already has layer(s) {', '.join(map(repr, foreign))} that spatialcluster did not write; the file "
            "was not changed. Write to another file, or rename or remove those layers yourself (e.g. in QGIS)"
        )
    if clash and not overwrite:
        raise InputError(f"{path} already has layer(s) {', '.join(repr(n) for n, _ in clash)}; pass overwrite=True to "
                         "replace them (the file's other layers are kept either way)")


def _write_styles(gpkg: Path, frames, chosen: dict[str, LayerStyle]):
    """Mark the layers as spatialcluster's in ``gpkg_contents``, and give each spatial layer one default
    style row in ``layer_styles`` (created by GDAL, so it is registered in ``gpkg_contents`` as an
    attributes table, as QGIS itself does), replacing only the style rows spatialcluster wrote for it."""
    with contextlib.closing(sqlite3.connect(gpkg)) as con, con:
        con.executemany("UPDATE gpkg_contents SET description = ? WHERE table_name = ?", [(OURS, n) for n in frames])
        geom_cols = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall())
        if con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (STYLES_TABLE,)).fetchone():
            con.executemany(f"DELETE FROM {STYLES_TABLE} WHERE f_table_name = ? AND description LIKE 'spatialcluster:%'",
                            [(n,) for n in frames])
    if not chosen:
        return
    now = pd.Timestamp(datetime.now(UTC))
    rows = []
    for name, style in chosen.items():
        rows.append({
            "f_table_catalog": "",
            "f_table_schema": "",
            "f_table_name": name,
            "f_geometry_column": geom_cols[name],
            "styleName": name,
            "styleQML": style.to_qml(geometry_kind(frames[name])),
            "styleSLD": "",
            "useAsDefault": True,
            "description": f"spatialcluster: {style.description}",
            "owner": "",
            "ui": "",
            "update_time": now,
        })
    pyogrio.write_dataframe(
        pd.DataFrame(rows), gpkg, layer=STYLES_TABLE, driver="GPKG", append=True, layer_options={"FID": "id"}
    )


def to_shapefile(path, gdf, style=None, overwrite=True):
    """Write a shapefile (UTF-8) with a QGIS ``.qml`` style sidecar of the same basename.

    Parameters
    ----------
    path : str or Path
        The ``.shp`` file; its parts are written in a temporary folder beside it and moved into place.
    gdf : GeoDataFrame or result
        The index becomes a string column, as in :func:`to_geopackage`.
    style : dict, optional
        Style options as in :func:`to_geopackage`'s ``styles`` values.
    overwrite : bool
        Replace existing files of the same basename (else :class:`InputError`).

    Returns
    -------
    LayerStyle

    Notes
    -----
    dBase limits field names to 10 characters; GDAL shortens longer names, the style refers to
    the shortened name, and a :class:`SpatialClusterWarning` lists the renamed fields.
    """
    path = Path(path)
    if path.suffix.lower() != ".shp":
        raise InputError(f"{path}: a shapefile path must end in .shp")
    frame = _prepare(path.stem, gdf)
    if not _has_geometry(frame):
        raise InputError("a shapefile needs geometries: pass a GeoDataFrame")
    targets = [path.with_suffix(s) for s in _SHAPEFILE_PARTS]
    if not overwrite and any(t.exists() for t in targets):
        raise InputError(f"{path} exists; pass overwrite=True to replace it")
    style_obj = layer_style(frame, **_style_options("shapefile", {"shapefile": style}))
    _integer_categories(frame, style_obj)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.stem}-") as tmpdir:
        tmp = Path(tmpdir) / path.name
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*Normalized/laundered field name.*")
            pyogrio.write_dataframe(frame, tmp, driver="ESRI Shapefile", layer_options={"ENCODING": "UTF-8"})
        written = list(pyogrio.read_info(tmp)["fields"])
        original = [c for c in frame.columns if c != frame._geometry_column_name]
        renamed = {o: w for o, w in zip(original, written, strict=True) if o != w}
        if renamed:
            warnings.warn(
                f"shapefile field names are limited to 10 characters; renamed {renamed}. "
                "Use to_geopackage to keep the names.",
                SpatialClusterWarning,
                stacklevel=2,
            )
            if style_obj.column in renamed:
                style_obj.column = renamed[style_obj.column]
        tmp.with_suffix(".qml").write_text(style_obj.to_qml(geometry_kind(frame)), encoding="utf-8")
        for target in targets:
            _remove_quietly(target)
        for part in Path(tmpdir).iterdir():
            shutil.move(str(part), path.with_suffix(part.suffix))
    return style_obj
