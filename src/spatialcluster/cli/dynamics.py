"""``spatialcluster dynamics ...``: change over time on a long table (one row per region and period).

Each subcommand reads the regions and the long table, matches the table's keys to the regions
(:func:`spatialcluster.join` with ``time``), calls one function of :mod:`spatialcluster.dynamics`,
prints a table and the result's ``summary()``; ``--csv`` writes ``to_frame()``, ``--gpkg`` a styled
layer where the result maps (emerging hot spots).
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ._common import (Alpha, Column, Correction, Csv, Gpkg, Islands, K, LongTable, Perms, Seed, Threshold, WKind, _is_float,
                      _read_files, _Read, _show, _weights, app, one_off)

dynamics_app = typer.Typer(name="dynamics", no_args_is_help=True,
                           help="Change over time on a long table: Markov chains, rank mobility, convergence, disparity, "
                                "densities, emerging hot spots.")
app.add_typer(dynamics_app)

Time = Annotated[str, typer.Option("--time", help="Period column of the table.")]
Classes = Annotated[str, typer.Option("--classes", help="quantiles (per period), pooled (one set over all periods) "
                                      "or increasing cut-offs: 0.8,1,1.2")]
NClasses = Annotated[int, typer.Option("--n-classes", min=2, max=10, help="Number of classes (quantiles, pooled).")]
Balance = Annotated[bool, typer.Option("--balance", help="Drop regions missing in some period (listed in a note) "
                                       "instead of stopping.")]


def _classes(text: str):
    """``--classes``: a rule name, or comma-separated cut-offs."""
    from .._errors import InputError

    if text in ("quantiles", "pooled"):
        return text
    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise InputError(f"--classes {text!r}: give quantiles, pooled or increasing cut-offs such as 0.8,1,1.2") from None


def _period(values, p):
    """``--start 2010`` as the table's own period value (2010, not 2010.0)."""
    if p is None:
        return None
    same = [v for v in values.unique() if v == p]
    return same[0] if same else p


def _long(read: _Read, time: str, weights=None, islands="error", k=None, threshold=None):
    """The long table keyed by the regions' ids (column 0), the regions, and the weights if asked for
    (``--islands drop`` leaves out the regions the weights drop)."""
    from ..pipeline.inputs import long_panel
    from ..weights import build_info

    shapes, rows = _read_files(read)
    long = long_panel(shapes, rows, on=read.on, how=read.how, time=time)
    shapes.index = shapes.index.astype(str)
    w = None
    if weights is not None:
        w = _weights(shapes, weights, islands, k, threshold)
        if build_info(w).dropped:
            long = long[long[long.columns[0]].isin([str(i) for i in w.unique_ids])].reset_index(drop=True)
    return long, shapes, w


@dynamics_app.command()
@one_off(LongTable)
def markov(column: Column, time: Time = "year",
           n_classes: NClasses = 4, classes: Classes = "quantiles", balance: Balance = False,
           read: _Read = None, csv: Csv = None):
    """Classic Markov chain of the column's classes: transitions, steady state, passage and sojourn times."""
    import spatialcluster as sc

    long, _, _ = _long(read, time)
    res = sc.markov(long, column, id=long.columns[0], time=time, k=n_classes, classes=_classes(classes),
                    balance=balance)
    _show(res, res.p, f"Markov transition probabilities: {column}", csv)


@dynamics_app.command("spatial-markov")
@one_off(LongTable)
def spatial_markov(column: Column, time: Time = "year",
                   n_classes: NClasses = 4,
                   lag_classes: Annotated[int, typer.Option("--lag-classes", min=2, max=10,
                                                            help="Number of classes of the neighbours' lag.")] = 4,
                   classes: Annotated[str, typer.Option("--classes", help="pooled (one set over all periods), "
                                                        "quantiles (per period) or cut-offs: 0.8,1,1.2")] = "pooled",
                   balance: Balance = False, read: _Read = None, weights: WKind = "queen",
                   islands: Islands = "error", k: K = None, threshold: Threshold = None, csv: Csv = None):
    """Spatial Markov chains (conditioned on the neighbours' class) with the homogeneity tests."""
    import spatialcluster as sc

    long, _, w = _long(read, time, weights, islands, k, threshold)
    res = sc.spatial_markov(long, column, w, id=long.columns[0], time=time, k=n_classes, m=lag_classes,
                            classes=_classes(classes), balance=balance)
    _show(res, res.homogeneity.to_frame("value").rename_axis("test"),
          f"Spatial Markov homogeneity tests: {column}", csv)


@dynamics_app.command("lisa-markov")
@one_off(LongTable)
def lisa_markov(column: Column, time: Time = "year",
                significant: Annotated[bool, typer.Option("--significant", help="Count only moves significant in "
                                                          "both periods (local Moran, --alpha).")] = False,
                permutations: Perms = 999, alpha: Alpha = 0.05, seed: Seed = 0, balance: Balance = False,
                read: _Read = None, weights: WKind = "queen", islands: Islands = "error",
                k: K = None, threshold: Threshold = None, csv: Csv = None):
    """Markov chain of the LISA quadrants (HH, LH, LL, HL)."""
    import spatialcluster as sc

    long, _, w = _long(read, time, weights, islands, k, threshold)
    res = sc.lisa_markov(long, column, w, id=long.columns[0], time=time, significant=significant,
                         permutations=permutations, alpha=alpha, seed=seed, balance=balance)
    _show(res, res.transitions, f"LISA Markov transitions: {column}", csv)


@dynamics_app.command()
@one_off(LongTable)
def sigma(column: Column, time: Time = "year",
          alpha: Alpha = 0.05, balance: Balance = False, read: _Read = None, csv: Csv = None):
    """Sigma convergence: CV, SD of logs, Gini and Theil by period, with their trend tests."""
    import spatialcluster as sc

    long, _, _ = _long(read, time)
    res = sc.sigma_convergence(long, column, id=long.columns[0], time=time, alpha=alpha, balance=balance)
    _show(res, res.trend, f"Sigma convergence: {column}", csv)


@dynamics_app.command()
@one_off(LongTable)
def convergence(column: Column, time: Time = "year",
                model: Annotated[str, typer.Option("--model", help="ols, sar, sem or sdm.")] = "ols",
                start: Annotated[Optional[float], typer.Option("--start", help="First period (default: the "
                                                               "table's).")] = None,
                end: Annotated[Optional[float], typer.Option("--end", help="Last period.")] = None,
                control: Annotated[Optional[list[str]], typer.Option(
                    "--control", help="Control at the start period: conditional convergence (repeat).")] = None,
                period_length: Annotated[Optional[int], typer.Option(
                    "--period-length", min=1, help="Panel of sub-periods of this length, with fixed effects.")] = None,
                effects: Annotated[str, typer.Option("--effects", help="region or twoway (with --period-length).")]
                = "region",
                balance: Balance = False, read: _Read = None, weights: WKind = "queen",
                islands: Islands = "error", k: K = None, threshold: Threshold = None, csv: Csv = None):
    """Beta convergence (absolute, or conditional with --control): speed and half-life with their SEs."""
    import spatialcluster as sc

    spatial = model != "ols"  # weights only for the spatial models
    long, _, w = _long(read, time, weights if spatial else None, islands, k, threshold)
    periods = {p: _period(long[time], p) for p in (start, end)}
    res = sc.convergence(long, column, id=long.columns[0], time=time, start=periods[start], end=periods[end],
                         model=model, w=w, controls=control, period_length=period_length, effects=effects,
                         balance=balance)
    _show(res, res.to_frame(), f"Beta convergence ({model}): {column}", csv)


@dynamics_app.command()
@one_off(LongTable)
def dagum(column: Column,
          group: Annotated[str, typer.Option("--group", help="Column of the table with each region's group.")],
          time: Time = "year", read: _Read = None, csv: Csv = None):
    """Dagum's Gini decomposition by group, per period: within, net between and transvariation."""
    import pandas as pd

    import spatialcluster as sc

    long, _, _ = _long(read, time)
    res = sc.dagum_gini(long, column, group=group, time=time, id=long.columns[0])
    _show(res, pd.concat([res.table, res.shares], axis=1), f"Dagum Gini decomposition by {group}: {column}", csv)


@dynamics_app.command("emerging-hotspots")
@one_off(LongTable)
def emerging_hotspots(column: Column, time: Time = "year",
                      permutations: Perms = 999, alpha: Alpha = 0.05, correction: Correction = "none",
                      seed: Seed = 0, balance: Balance = False, read: _Read = None,
                      weights: WKind = "queen", islands: Islands = "error", k: K = None, threshold: Threshold = None,
                      csv: Csv = None, gpkg: Gpkg = None):
    """Emerging hot spots: Gi* per period, Mann-Kendall trend, ArcGIS's categories (--gpkg: styled map)."""
    import spatialcluster as sc

    long, shapes, w = _long(read, time, weights, islands, k, threshold)
    res = sc.emerging_hotspots(long, column, w, id=long.columns[0], time=time, permutations=permutations,
                               alpha=alpha, correction=None if correction == "none" else correction, seed=seed,
                               balance=balance)
    counts = res.counts()
    _show(res, counts[counts > 0].to_frame().rename_axis("category"), f"Emerging hot spots: {column}", csv)
    if gpkg is not None:
        from ..pipeline.context import result_frame, with_geometry

        name = f"emerging_{column}"
        sc.to_geopackage(gpkg, {name: with_geometry(shapes, result_frame(res, "region"))},
                         styles={name: {"kind": "emerging"}})


@dynamics_app.command("rank-mobility")
@one_off(LongTable)
def rank_mobility(column: Column, time: Time = "year",
                  weights: Annotated[Optional[str], typer.Option(
                      "--weights", "-w", help="Weights for the spatial tau (queen, knn:k=6, ...); default: none.")]
                  = None,
                  regime: Annotated[Optional[str], typer.Option(
                      "--regime", help="Column with each region's regime: intra- and inter-regime tau.")] = None,
                  permutations: Annotated[int, typer.Option("--permutations", min=0, help="Relabellings for the "
                                                            "spatial tau's pseudo p-value.")] = 0,
                  seed: Seed = 0, balance: Balance = False, read: _Read = None,
                  islands: Islands = "error", k: K = None, threshold: Threshold = None, csv: Csv = None):
    """Rank mobility: Kendall's tau between periods, its spatial version and regime decomposition."""
    import spatialcluster as sc

    long, _, w = _long(read, time, weights, islands, k, threshold)
    res = sc.rank_mobility(long, column, w, id=long.columns[0], time=time, regime=regime,
                           permutations=permutations, seed=seed, balance=balance)
    _show(res, res.frame, f"Rank mobility: {column}", csv)


@dynamics_app.command()
@one_off(LongTable)
def clubs(column: Column, time: Time = "year",
          log: Annotated[bool, typer.Option("--log/--no-log", help="Take logs first (positive levels).")] = True,
          hp_lambda: Annotated[Optional[float], typer.Option(
              "--hp-lambda", min=0.0, help="Hodrick-Prescott smoothing first (e.g. 400 for annual data).")] = None,
          trim: Annotated[float, typer.Option("--trim", min=0.0, max=0.9, help="Share of the first periods left "
                                              "out of the log t regression.")] = 0.3,
          balance: Balance = False, read: _Read = None, csv: Csv = None, gpkg: Gpkg = None):
    """Club convergence: Phillips-Sul log t test and club clustering (--gpkg: the clubs map)."""
    import spatialcluster as sc

    long, shapes, _ = _long(read, time)
    res = sc.club_convergence(long, column, id=long.columns[0], time=time, log=log, hp_lambda=hp_lambda,
                              trim=trim, balance=balance)
    _show(res, res.counts().to_frame().rename_axis("club"), f"Convergence clubs: {column}", csv)
    if gpkg is not None:
        from ..pipeline.context import result_frame, with_geometry

        name = f"clubs_{column}"
        sc.to_geopackage(gpkg, {name: with_geometry(shapes, result_frame(res, "region"))},
                         styles={name: {"column": "club", "scheme": "equal_interval",
                                        "k": int(res.counts().size)}})


@dynamics_app.command("lisa-paths")
@one_off(LongTable)
def lisa_paths(column: Column, time: Time = "year",
               balance: Balance = False, read: _Read = None, weights: WKind = "queen",
               islands: Islands = "error", k: K = None, threshold: Threshold = None, csv: Csv = None,
               gpkg: Gpkg = None):
    """LISA time paths: length and tortuosity of each region's path in the Moran scatter plot (--gpkg: map)."""
    import spatialcluster as sc

    long, shapes, w = _long(read, time, weights, islands, k, threshold)
    res = sc.lisa_paths(long, column, w, id=long.columns[0], time=time, balance=balance)
    _show(res, res.frame.sort_values("length", ascending=False), f"LISA time paths: {column}", csv)
    if gpkg is not None:
        from ..pipeline.context import result_frame, with_geometry

        name = f"lisa_paths_{column}"
        sc.to_geopackage(gpkg, {name: with_geometry(shapes, result_frame(res, "region"))},
                         styles={name: {"column": "length"}})


@dynamics_app.command()
@one_off(LongTable)
def density(column: Column, time: Time = "year",
            bandwidth: Annotated[str, typer.Option("--bandwidth", help="scott, silverman or a number (the "
                                                   "factor of scipy's gaussian_kde).")] = "scott",
            grid: Annotated[int, typer.Option("--grid", min=10, help="Points of the common grid.")] = 200,
            read: _Read = None, csv: Csv = None):
    """Kernel density of the column by period (Gaussian; --csv: the densities on the grid)."""
    import spatialcluster as sc

    long, _, _ = _long(read, time)
    rule = float(bandwidth) if _is_float(bandwidth) else bandwidth
    res = sc.kernel_density(long, column, time=time, bandwidth=rule, grid=grid)
    _show(res, res.bandwidth.to_frame("bandwidth factor").rename_axis(time), f"Kernel density by period: {column}",
          csv)
