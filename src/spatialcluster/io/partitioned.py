"""Reading region boundaries that outgrow one machine: partitioned inputs as dask-geopandas frames.

GeoParquet datasets (one file, a directory, or a glob of files) are read with
``dask_geopandas.read_parquet``, one partition per row group / file; other vector formats
(shapefiles, GeoPackages, GeoJSON) give one partition per file, each read and checked by
:func:`spatialcluster.read_regions`. Every partition is indexed by string region ids, as the
single-machine reader does; nothing is read until the frame is computed.
"""

from __future__ import annotations

import glob
from pathlib import Path

from .._errors import ConfigError, InputError
from .regions import ID_CANDIDATES, _check, _choose_id, read_regions

_PARQUET = (".parquet", ".geoparquet", ".pq")
_CANDIDATES = {c.lower() for c in ID_CANDIDATES}


def _paths(path_or_glob) -> list[Path]:
    """The files (or one parquet directory) named by a path, a glob or a list of them."""
    items = path_or_glob if isinstance(path_or_glob, (list, tuple)) else [path_or_glob]
    paths = []
    for item in items:
        text = str(item)
        if glob.has_magic(text):
            found = sorted(glob.glob(text))
            if not found:
                raise InputError(f"no file matches {text!r}; check the pattern (e.g. 'cells/part-*.parquet').")
            paths.extend(Path(f) for f in found)
        elif not Path(text).exists():
            raise InputError(f"{text} does not exist; pass a GeoParquet file or directory, a glob, or a list of files.")
        else:
            paths.append(Path(text))
    return paths


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in _PARQUET or (path.is_dir() and any(path.glob("*.parquet")))


def _index_by_id(frame, id_col, label, crs):
    """One partition indexed by string region ids, checked as ``read_regions`` checks a file."""
    if frame.crs is None and crs is not None:
        frame = frame.set_crs(crs)
    return _check(frame, id_col, label)


def read_partitioned(path_or_glob, npartitions=None, id=None, columns=None, crs=None):
    """Read partitioned region boundaries into a dask-geopandas GeoDataFrame.

    Parameters
    ----------
    path_or_glob : str, Path or list of them
        A GeoParquet file or directory (a partitioned dataset), a glob such as
        ``"cells/part-*.parquet"``, or several shapefiles / GeoPackages / GeoJSON files
        (one partition each).
    npartitions : int, optional
        Repartition to this many partitions after reading (default: one per file or row group).
    id : str, optional
        Column holding the region ids; by default the first of ``read_regions``'s
        candidates (``adcode``, ``code``, ..., ``id``). For GeoParquet written from a
        GeoDataFrame indexed by id, the stored index is used when no such column exists.
    columns : list of str, optional
        Columns to read from GeoParquet (the geometry and the id are always read).
    crs : optional
        CRS to assign when the input has none.

    Returns
    -------
    dask_geopandas.GeoDataFrame
        Lazy; each partition indexed by string region ids (not sorted: partitions keep the
        files' order, which is what partitioned contiguity and the statistics use).

    Raises
    ------
    InputError
        Missing files, a glob matching nothing, no id column, missing or duplicate ids within a
        partition, no CRS. Duplicates across partitions are reported by
        :func:`spatialcluster.weights.partitioned_contiguity`.
    ConfigError
        dask-geopandas is not installed.
    """
    try:
        import dask
        import dask.dataframe as dd
        import dask_geopandas
    except ImportError as exc:  # pragma: no cover - the dask extra is installed for tests
        raise ConfigError("reading partitioned inputs needs pip install 'spatialcluster[dask]'") from exc
    paths = _paths(path_or_glob)
    if all(_is_parquet(p) for p in paths):
        target = [str(p) for p in paths] if len(paths) > 1 else str(paths[0])
        ddf = dask_geopandas.read_parquet(target)
        if columns is not None:
            keep = [*columns, *([id] if id else []), ddf.geometry.name]
            ddf = ddf[list(dict.fromkeys(keep))]  # pushed down into the parquet reader
        meta = ddf._meta
        label = str(path_or_glob)
        if id is None and meta.index.name is not None and not any(
                str(c).lower() in _CANDIDATES for c in meta.columns):
            ddf = ddf.map_partitions(_stored_index, label, crs, meta=_stored_index(meta, label, crs))
        else:
            id_col = _choose_id(meta, id, label)
            ddf = ddf.map_partitions(_index_by_id, id_col, label, crs,
                                     meta=_index_by_id(meta, id_col, label, crs))
    elif any(_is_parquet(p) for p in paths):
        raise InputError(f"cannot mix GeoParquet and other formats in one read: {[str(p) for p in paths]}")
    else:
        first = read_regions(paths[0], id=id, crs=crs)
        parts = [dask.delayed(read_regions)(p, id=id, crs=crs) for p in paths]
        ddf = dd.from_delayed(parts, meta=first.iloc[:0], verify_meta=False)
        if not isinstance(ddf, dask_geopandas.GeoDataFrame):
            ddf = dask_geopandas.from_dask_dataframe(ddf, geometry=first.geometry.name)
    if npartitions is not None:
        ddf = ddf.repartition(npartitions=int(npartitions))
    return ddf


def _stored_index(frame, label, crs):
    """Use the index stored in the GeoParquet (written from a frame indexed by id) as the ids."""
    name = frame.index.name
    return _index_by_id(frame.reset_index(), name, label, crs)
