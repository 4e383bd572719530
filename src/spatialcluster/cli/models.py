"""One-off models: ``regress`` (cross-section), ``panel`` (long table) and ``gwr``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._common import (Gpkg, Islands, K, LongTable, Seed, Table, Threshold, WKind, _joined, _prepare, _print_frame,
                      _read_files, _Read, _stdout, _weights, app, one_off)


WKinds = Annotated[Optional[list[str]], typer.Option(
    "--weights", "-w", help="queen, rook, knn, distance_band, ...; options after a colon: knn:k=6. Repeat it "
    "(--weights queen --weights knn:k=6) for the model under every weights (sc.spillover_by_weights).")]
#: File suffixes of --robustness-table and the WeightsRobustness method that writes each.
ROBUSTNESS_FORMATS = {".csv": "to_frame", ".md": "to_markdown", ".tex": "to_latex"}


@app.command()
@one_off(Table)
def regress(y: Annotated[str, typer.Option("--y", help="Dependent variable (a column of the table).")],
            x: Annotated[list[str], typer.Option("--x", help="Explanatory variable (repeat for several).")],
            model: Annotated[str, typer.Option("--model", help="ols, slx, sar, sem, sdm, sdem, sac or 'select'")] = "select",
            read: _Read = None, weights: WKinds = None, islands: Islands = "error", k: K = None,
            threshold: Threshold = None, gpkg: Gpkg = None,
            robustness_table: Annotated[Optional[Path], typer.Option(
                "--robustness-table", help="With several --weights: write the table across weights to this file "
                ".csv (full precision), .md or .tex.")] = None):
    """Model selection (default) or one spatial regression, with direct/indirect/total effects; with several
    --weights, the model under each of them side by side (a robustness table)."""
    import spatialcluster as sc
    from .._errors import InputError

    kinds = weights or ["queen"]
    if len(set(kinds)) < len(kinds):
        raise InputError(f"--weights repeats {', '.join(sorted({v for v in kinds if kinds.count(v) > 1}))}; "
                         "give each weights once")
    if robustness_table is not None:  # (--gpkg is checked before the command runs)
        if len(kinds) < 2 or robustness_table.suffix not in ROBUSTNESS_FORMATS:
            raise InputError(f"--robustness-table needs at least two --weights and a file ending in "
                             f"{', '.join(ROBUSTNESS_FORMATS)}; got {robustness_table}")
        read.check_output(robustness_table, "--robustness-table")
    data, w = _prepare(read, kinds[0], islands, k, threshold)
    out = _stdout()
    if model == "select":
        sel = sc.select_model(data, y=y, x=x, w=w)
        _print_frame(out, sel.tests, f"Specification tests: {y}")
        out.print("\n".join(sel.log), markup=False)
        out.print(f"recommended: {sel.recommended}", markup=False)
        model = sel.recommended
    res = sc.spillover(data, y=y, x=x, w=w, model=model)
    out.print(res.to_markdown(), markup=False)
    if getattr(res, "effects", None) is not None and len(res.effects):
        from ..pipeline.steps.models import headline_effects

        _print_frame(out, headline_effects(res.effects),
                     f"{model.upper()} direct, indirect and total effects (p-values from simulation)")
    if len(kinds) > 1:
        named = {kinds[0]: w, **{spec: _weights(data, spec, islands, k, threshold) for spec in kinds[1:]}}
        rob = sc.spillover_by_weights(data, y, x, named, model=model)
        out.print(rob.to_markdown(), markup=False)
        if robustness_table is not None:
            from ..pipeline.outdir import atomic_write_text

            kind = ROBUSTNESS_FORMATS[robustness_table.suffix]
            text = rob.to_frame().to_csv(lineterminator="\n") if kind == "to_frame" else getattr(rob, kind)()
            atomic_write_text(robustness_table, text)
    if gpkg is not None:
        sc.to_geopackage(gpkg, {"regions": data})


@app.command()
@one_off(Table)
def gwr(y: Annotated[str, typer.Option("--y", help="Dependent variable (a column of the table).")],
        x: Annotated[list[str], typer.Option("--x", help="Explanatory variable (repeat for several).")],
        bandwidth: Annotated[Optional[float], typer.Option(
            "--bandwidth", min=0.0, help="Neighbours (adaptive) or metres (--fixed); default: searched by AICc.")] = None,
        kernel: Annotated[str, typer.Option("--kernel", help="bisquare, gaussian or exponential.")] = "bisquare",
        fixed: Annotated[bool, typer.Option("--fixed", help="A distance bandwidth, not a number of neighbours.")] = False,
        multiscale: Annotated[bool, typer.Option(
            "--multiscale", help="MGWR: one bandwidth per coefficient (variables standardised).")] = False,
        read: _Read = None, gpkg: Gpkg = None):
    """Geographically weighted regression (MGWR with --multiscale): local coefficients, significance-masked."""
    import spatialcluster as sc

    data = _joined(read)
    if multiscale:
        res = sc.mgwr(data, y=y, x=x, kernel=kernel, fixed=fixed, standardize=True)
    else:
        bw = None if bandwidth is None else (bandwidth if fixed else int(bandwidth))
        res = sc.gwr(data, y=y, x=x, bandwidth=bw, kernel=kernel, fixed=fixed)
    out = _stdout()
    _print_frame(out, res.coefficient_table(), f"{'MGWR' if multiscale else 'GWR'} local coefficients: {y}")
    out.print(res.summary(), markup=False)
    if gpkg is not None:
        from ..pipeline.context import with_geometry

        frame = res.to_frame()
        frame.index = frame.index.astype(str)
        sc.to_geopackage(gpkg, {"gwr": with_geometry(data, frame)},
                         styles={"gwr": {"kind": "coefficient", "column": x[0], "fmt": "{:.3f}"}})


@app.command()
@one_off(LongTable)
def panel(y: Annotated[str, typer.Option("--y", help="Dependent variable (a column of the long table).")],
          x: Annotated[list[str], typer.Option("--x", help="Explanatory variable (repeat for several).")],
          time: Annotated[str, typer.Option("--time", help="Period column of the table.")] = "year",
          model: Annotated[str, typer.Option("--model", help="sdm, sar or sem.")] = "sdm",
          effects: Annotated[str, typer.Option("--effects", help="twoway, region or time fixed effects, or random "
                                               "(sar, sem).")] = "twoway",
          dynamic: Annotated[str, typer.Option("--dynamic", help="none, time (adds y of t-1) or spacetime (y and "
                                               "W y of t-1); sar or sdm, fixed effects.")] = "none",
          bias_correction: Annotated[bool, typer.Option("--bias-correction/--no-bias-correction", help="Lee-Yu "
                                                        "(static) or Yu-de Jong-Lee (dynamic) bias correction.")] = True,
          lm_tests: Annotated[bool, typer.Option("--lm-tests", help="Panel LM tests for a spatial lag and error.")] = False,
          hausman: Annotated[bool, typer.Option("--hausman", help="Fit region fixed and random effects and test "
                                                "them (sar, sem).")] = False,
          read: _Read = None, weights: WKind = "queen", islands: Islands = "error", k: K = None,
          threshold: Threshold = None, seed: Seed = 0):
    """Spatial panel model on a long table: static or dynamic, fixed or random effects, LM and Hausman tests."""
    import spatialcluster as sc
    from .._errors import InputError
    from ..pipeline.inputs import long_panel
    from ..pipeline.schema import PANEL_DYNAMIC
    from ..pipeline.steps.models import headline_effects
    from ..pipeline.steps.panel_model import fit_panel
    from ..weights import build_info

    if dynamic not in PANEL_DYNAMIC:
        raise InputError(f"--dynamic {dynamic!r} is not one of {', '.join(PANEL_DYNAMIC)}")
    shapes, rows = _read_files(read)
    w = _weights(shapes, weights, islands, k, threshold)
    long = long_panel(shapes, rows, on=read.on, how=read.how, time=time)
    id_name = long.columns[0]
    if build_info(w).dropped:  # --islands drop: the model covers the regions the weights cover
        long = long[long[id_name].isin(list(w.unique_ids))].reset_index(drop=True)
    data = dict(long_df=long, y=y, x=x, w=w, id=id_name, time=time)
    tables, _, logs = fit_panel(sc, data, model, effects, None if dynamic == "none" else dynamic,
                                bias_correction, lm_tests, hausman, seed)
    out = _stdout()
    for name, caption, frame in tables:  # effects: estimates and p-values (every column is in the API's table)
        shown = headline_effects(frame) if name.startswith("panel_effects") else frame
        _print_frame(out, shown, caption)
    if hausman:
        out.print(logs[-1].splitlines()[0], markup=False)  # the verdict
