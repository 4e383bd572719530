"""The manifest of a run: versions, seeds, input checksums, the config as run, what was dropped."""

from __future__ import annotations

import hashlib
import os
import platform
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

#: Distributions whose versions go into the manifest and the report.
SOFTWARE = (
    "spatialcluster", "numpy", "scipy", "pandas", "geopandas", "shapely", "pyogrio", "pyproj",
    "libpysal", "esda", "spreg", "mapclassify", "matplotlib", "numba",
)


def software_versions() -> dict:
    """Versions of Python and the packages a run depends on."""
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in SOFTWARE:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def manifest(ctx, input_files: list, versions: dict) -> dict:
    """What a run records about itself (timings and notes are added when it ends)."""
    c = ctx.cfg.data
    out = {
        "spatialcluster": versions.get("spatialcluster"),
        "title": c["project"]["title"],
        "software": versions,
        "seeds": {"project": ctx.seed, "permutations": c["statistics"]["permutations"]},
        "inputs": inputs_checksums(input_files),
        "config": prune(c),
        "config_source": ctx.cfg.source,
        "config_file": ctx.cfg.name,
        "weights": ctx.weights_summaries,
        "layers": sorted(ctx.layers) if c["outputs"]["gpkg"] else [],
        "dropped_islands": ctx.dropped,
        "variables": ctx.notes,
    }
    if ctx.missing:  # only with a [data] missing rule
        out["missing"] = ctx.missing
    if ctx.records:  # headline numbers of the steps that give them (to_record() of their results)
        out["results"] = jsonable(ctx.records)
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def inputs_checksums(paths: list[Path]) -> dict:
    out = {}
    for p in paths:
        p = Path(p)
        files = [p]
        if p.suffix.lower() == ".shp":  # a shapefile is several files
            files = sorted(q for q in p.parent.glob(p.stem + ".*") if q.is_file())
        for f in files:
            out[_label(f)] = _sha256(f)
    return out


def _label(path: Path) -> str:
    """Bundled files by their place in the package (machine independent), others as given."""
    package = Path(os.path.abspath(Path(__file__).parents[1]))
    try:  # abspath, not resolve: bundled folders may be symbolic links out of the package
        return "spatialcluster/" + Path(os.path.abspath(path)).relative_to(package).as_posix()
    except ValueError:
        return str(path)


def summary_dict(summary) -> dict:
    """A :class:`~spatialcluster.weights.WeightsSummary` as a flat, JSON-able dict (its ``to_frame()`` rows)."""
    return {str(k): jsonable(v) for k, v in summary.to_frame()["value"].to_dict().items()}


def prune(value):
    """The config as run without the keys left unset (None), as TOML would write it."""
    if isinstance(value, dict):
        return {k: prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


def jsonable(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (list, tuple, set, np.ndarray, pd.Index)):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    return v if isinstance(v, (int, float, str, bool, type(None))) else str(v)
