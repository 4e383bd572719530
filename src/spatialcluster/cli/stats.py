"""One-off spatial statistics of one column: ``moran``, ``lisa``, ``hotspots``."""

from __future__ import annotations

from ._common import (Alpha, Column, Correction, Gpkg, Islands, K, Perms, Seed, Table, Threshold, WKind, _prepare,
                      _print_frame, _Read, _stdout, app, one_off)


# columns shown on the terminal (all of them go to the GeoPackage)
_DISPLAY = {
    "lisa": ("value", "I", "z", "p_sim", "p_adjusted", "cluster_uncorrected", "cluster"),
    "hotspots": ("value", "G", "z", "p_sim", "p_adjusted", "bin", "label"),
}


def _one_off(kind_name, read: _Read, column, weights, islands, k, threshold, permutations, seed, gpkg, **kw):
    import spatialcluster as sc

    data, w = _prepare(read, weights, islands, k, threshold)
    func = {"moran": sc.moran, "lisa": sc.local_moran, "hotspots": sc.getis_ord}[kind_name]
    res = func(data, column, w, permutations=permutations, seed=seed, **kw)
    out = _stdout()
    frame = res.to_frame()
    shown = [c for c in _DISPLAY.get(kind_name, ()) if c in frame.columns] or list(frame.columns)
    names = data[["name_zh"]] if "name_zh" in data.columns and len(frame) == len(data) else None
    view = frame[shown] if names is None else names.join(frame[shown])
    if len(view) == 1:  # one global statistic: show it as (statistic, value) rows
        view = view.T.rename(columns=lambda c: "value").rename_axis("statistic")
        view["value"] = [f"{v:.6g}" if isinstance(v, float) else str(v) for v in view["value"]]
    _print_frame(out, view, f"{kind_name}: {column} ({weights} weights)")
    out.print(res.summary(), markup=False)
    if gpkg is not None:
        if kind_name == "moran":
            sc.to_geopackage(gpkg, {"regions": data})
        else:
            from ..pipeline.context import with_geometry

            frame = frame.drop(columns=[c for c in frame.columns if c == "geometry"])
            sc.to_geopackage(gpkg, {f"{kind_name}_{column}": with_geometry(data, frame)})


@app.command()
@one_off(Table)
def moran(column: Column, read: _Read = None, weights: WKind = "queen", islands: Islands = "error", k: K = None,
          threshold: Threshold = None, permutations: Perms = 999, seed: Seed = 0, gpkg: Gpkg = None):
    """Global Moran's I of one column."""
    _one_off("moran", read, column, weights, islands, k, threshold, permutations, seed, gpkg)


def _local_command(kind_name: str, doc: str):
    """``lisa`` and ``hotspots`` take the same options; only the statistic differs."""

    def command(column: Column, read: _Read = None, weights: WKind = "queen", islands: Islands = "error", k: K = None,
                threshold: Threshold = None, permutations: Perms = 999, seed: Seed = 0,
                alpha: Alpha = 0.05, correction: Correction = "fdr", gpkg: Gpkg = None):
        _one_off(kind_name, read, column, weights, islands, k, threshold, permutations, seed, gpkg,
                 alpha=alpha, correction=correction)

    command.__name__ = command.__qualname__ = kind_name
    command.__doc__ = doc
    return app.command(kind_name)(one_off(Table)(command))


lisa = _local_command("lisa", "Local Moran's I (LISA) clusters of one column.")
hotspots = _local_command("hotspots", "Getis-Ord Gi* hot and cold spots of one column.")

