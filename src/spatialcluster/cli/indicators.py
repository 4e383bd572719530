"""One-off cluster indicators: ``geodetector``, ``agglomeration``, ``composite``, ``ellipse``,
``join-counts`` and ``regionalize``.

Each reads the regions and a table, calls one function of :mod:`spatialcluster.indicators` (or
:func:`spatialcluster.local_join_counts`), prints a table and the result's ``summary()``; ``--csv``
writes ``to_frame()``, ``--gpkg`` a styled layer where the result maps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._common import (Alpha, Column, Correction, Csv, Gpkg, Islands, K, Perms, Seed, Table, Threshold, WKind, _joined,
                      _prepare, _read_files, _Read, _show, app, one_off)


def _layer(gpkg, name: str, data, frame, style: dict) -> None:
    """``--gpkg``: the per-region table joined to the regions' geometry, with its QGIS style."""
    import spatialcluster as sc
    from ..pipeline.context import with_geometry

    data = data.copy()
    data.index = data.index.astype(str)
    sc.to_geopackage(gpkg, {name: with_geometry(data, frame)}, styles={name: style})


@app.command()
@one_off(Table)
def geodetector(y: Annotated[str, typer.Option("--y", help="The response.")],
                factor: Annotated[list[str], typer.Option("--factor", help="A factor column (repeat for several).")],
                continuous: Annotated[Optional[list[str]], typer.Option(
                    "--continuous", help="A factor to discretise (repeat; default: the numeric factors with many "
                    "values).")] = None,
                discretize: Annotated[str, typer.Option("--discretize", help="optimal (the best q over methods and "
                                                        "--classes), quantile, natural_breaks or equal_interval.")]
                = "optimal",
                classes: Annotated[Optional[list[int]], typer.Option(
                    "--classes", min=2, help="Numbers of classes to try (repeat; default 3 to 7).")] = None,
                alpha: Alpha = 0.05, seed: Seed = 0, read: _Read = None, csv: Csv = None):
    """GeoDetector: factor q and p, interaction types, risk and ecological detectors (Wang et al. 2010)."""
    import spatialcluster as sc

    data = _joined(read)
    res = sc.geodetector(data, y, factor, continuous=continuous, discretize=discretize,
                         k=classes or range(3, 8), alpha=alpha, seed=seed)
    _show(res, res.factors, f"GeoDetector factor detector: {y}", csv)


IndustryTable = Annotated[Path, typer.Argument(help="Long table: one row per region and industry (or per plant with "
                                              "--plant); CSV, Excel.")]


@app.command()
@one_off(IndustryTable)
def agglomeration(industry: Annotated[str, typer.Option("--industry", help="Industry column.")],
                  value: Annotated[str, typer.Option("--value", help="Employment or output column.")],
                  plant: Annotated[Optional[str], typer.Option(
                      "--plant", help="Plant id column: one row per plant (EG index with the plants' Herfindahl).")]
                  = None,
                  read: _Read = None, csv: Csv = None, gpkg: Gpkg = None):
    """Ellison-Glaeser, locational Gini, Herfindahl, Hoover and Krugman indices (--gpkg: specialisation map)."""
    import spatialcluster as sc

    shapes, rows = _read_files(read)
    res = sc.agglomeration(rows, region=read.on, industry=industry, value=value, plant=plant)
    _show(res, res.industries, f"Agglomeration by industry: {value}", csv)
    if gpkg is not None:  # the regions' Krugman specialisation, keys matched to the regions as in sc.join
        joined = sc.join(shapes[[shapes.geometry.name]], res.regions.rename_axis(read.on).reset_index(),
                         on=read.on, how=read.how)
        _layer(gpkg, "specialisation", shapes, joined.drop(columns=joined.geometry.name),
               {"column": "krugman_nation"})


@app.command()
@one_off(Table)
def composite(indicator: Annotated[list[str], typer.Option("--indicator", help="An indicator column (repeat).")],
              negative: Annotated[Optional[list[str]], typer.Option(
                  "--negative", help="An indicator for which smaller is better (repeat).")] = None,
              method: Annotated[str, typer.Option("--method", help="entropy (weighted sum) or topsis.")] = "entropy",
              name: Annotated[str, typer.Option("--name", help="Name of the index.")] = "index",
              read: _Read = None, csv: Csv = None, gpkg: Gpkg = None):
    """Composite index: entropy weights and scores, or TOPSIS (--gpkg: score map)."""
    import spatialcluster as sc

    data = _joined(read)
    res = sc.composite_index(data, indicator, negative=negative or (), method=method, name=name)
    _show(res, res.weights, f"Composite index {name}: weights", csv)
    if gpkg is not None:
        _layer(gpkg, f"composite_{name}", data, res.frame, {"column": "score"})


@app.command()
@one_off(Table)
def ellipse(weight: Annotated[Optional[list[str]], typer.Option(
                "--weight", help="Weight column (GDP, employment); repeat for one ellipse per column, e.g. per "
                "year. Default: every region counts once.")] = None,
            read: _Read = None, csv: Csv = None, gpkg: Gpkg = None):
    """Weighted centre of gravity and standard deviational ellipse (--gpkg: the ellipses)."""
    import pandas as pd

    import spatialcluster as sc
    from .._errors import InputError

    data = _joined(read)
    crs, _ = sc.weights.projected_crs(data)
    projected = data.to_crs(crs)
    missing = [c for c in weight or () if c not in data.columns]
    if missing:
        raise InputError(f"--weight {', '.join(missing)}: not a column of the table; columns are "
                         f"{', '.join(map(str, data.columns.drop(data.geometry.name)))}")
    if weight:  # one "period" per weight column, as the [indicators] ellipse step
        long = pd.concat([projected.assign(period=w, _weight=projected[w]) for w in weight])
        long["period"] = pd.Categorical(long["period"], categories=weight, ordered=True)
        res = sc.standard_ellipse(long, weights="_weight", time="period")
    else:
        res = sc.standard_ellipse(projected)
    _show(res, res.frame, f"Standard deviational ellipse ({crs.name})", csv)
    if gpkg is not None:
        shapes = res.ellipses.to_crs(data.crs).reset_index()
        shapes.index = shapes.iloc[:, 0].astype(str) if weight else pd.Index(["all"], name="period")
        sc.to_geopackage(gpkg, {"ellipse": shapes}, styles={"ellipse": {"column": "area"}})


@app.command("join-counts")
@one_off(Table)
def join_counts(column: Column,
                read: _Read = None, weights: WKind = "queen", islands: Islands = "error", k: K = None,
                threshold: Threshold = None, permutations: Perms = 999, seed: Seed = 0,
                inference: Annotated[str, typer.Option("--inference", help="exact (closed-form conditional "
                                                       "permutation p) or permutation.")] = "exact",
                alpha: Alpha = 0.05, correction: Correction = "none", csv: Csv = None, gpkg: Gpkg = None):
    """Local join counts of a binary (0/1) column (--gpkg: significance map)."""
    import spatialcluster as sc

    data, w = _prepare(read, weights, islands, k, threshold)
    res = sc.local_join_counts(data, column, w, permutations=permutations, alpha=alpha,
                               correction=None if correction == "none" else correction, seed=seed,
                               inference=inference)
    _show(res, res.counts().to_frame(), f"Local join counts: {column}", csv)
    if gpkg is not None:
        from ..pipeline.context import result_frame

        _layer(gpkg, f"join_counts_{column}", data, result_frame(res, "region"), {"kind": "significance"})


@app.command()
@one_off(Table)
def regionalize(column: Annotated[list[str], typer.Option("--column", "-c", help="An attribute the regions should "
                                                          "be homogeneous in (repeat).")],
                method: Annotated[str, typer.Option("--method", help="maxp or skater.")] = "maxp",
                n_regions: Annotated[Optional[int], typer.Option("--n-regions", min=1, help="skater: number of "
                                                                 "regions.")] = None,
                threshold_column: Annotated[Optional[str], typer.Option(
                    "--threshold-column", help="maxp: column whose total each region must reach.")] = None,
                threshold_value: Annotated[Optional[float], typer.Option(
                    "--threshold-value", help="maxp: that total (e.g. 5000000 people).")] = None,
                read: _Read = None, weights: WKind = "queen", islands: Islands = "error", k: K = None,
                seed: Seed = 0, csv: Csv = None, gpkg: Gpkg = None):
    """Contiguous regions: max-p or SKATER, by PySAL's spopt (--gpkg: the regions map)."""
    import spatialcluster as sc
    from .._errors import InputError

    if method == "maxp" and (threshold_column is None or threshold_value is None):
        raise InputError("--method maxp needs --threshold-column and --threshold-value (each region's total of "
                         "that column reaches the value, e.g. --threshold-column pop --threshold-value 5000000)")
    if method == "skater" and n_regions is None:
        raise InputError("--method skater needs --n-regions (the number of regions to form)")
    data, w = _prepare(read, weights, islands, k, None)
    res = sc.regionalize(data, column, w, method=method, n_regions=n_regions, threshold_column=threshold_column,
                         threshold=threshold_value, seed=seed)
    _show(res, res.counts().to_frame(), f"Contiguous regions ({method})", csv)
    if gpkg is not None:
        from ..pipeline.context import result_frame

        _layer(gpkg, "regions_contiguous", data, result_frame(res, "region"),
               {"column": "label", "scheme": "equal_interval", "k": int(res.counts().size)})
