"""The ``spatialcluster`` command.

``run CONFIG --out DIR`` and ``demo --out DIR`` run the TOML pipeline; ``init`` writes a starter
config; ``moran``, ``lisa``, ``hotspots``, ``regress`` and ``panel`` are one-off analyses of a
regions file and a table (``panel``: a long region-by-period table). Exit status: 0 on success, 1 on bad input (one message naming the file, row or key
and the fix; ``--debug`` adds the traceback), 2 on command-line usage errors, 130 when interrupted.
"""

from __future__ import annotations

import re
import sys
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    name="spatialcluster",
    help="Spatial analysis of regional economies: clusters, hot spots and spillovers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

Out = Annotated[Path, typer.Option("--out", "-o", help="Output folder (built beside it, then moved into place); "
                                   "never the working folder, your home or a folder holding the inputs.")]
Overwrite = Annotated[bool, typer.Option("--overwrite", help="Replace an output folder that spatialcluster wrote "
                                         "(refused if it holds files the run did not write).")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show the traceback on errors.")]
#: Above this, the permutation draws alone need gigabytes per region; a pseudo p-value is not sharper than 1/(R+1).
MAX_PERMUTATIONS = 1_000_000
Permutations = Annotated[Optional[int], typer.Option("--permutations", min=1, max=MAX_PERMUTATIONS,
                                                      help="Override the config's permutations.")]


def _stderr():
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


@contextmanager
def _boundary(debug: bool, words=None):
    """Turn the package's errors (and OS errors) into one message and exit status 1.

    ``words`` rewrites the API's keyword arguments in messages (``islands='nearest'``) into the
    command's own terms: its options (:func:`_options`) or the config's keys (:func:`_config_keys`).
    """
    from ._errors import SpatialClusterWarning

    console = _stderr()

    def show(message, category, filename, lineno, file=None, line=None):
        label = "note" if issubclass(category, SpatialClusterWarning) else "warning"
        console.print(f"{label}: {message}", markup=False)

    old = warnings.showwarning
    if not debug:
        warnings.showwarning = show
    try:
        yield console
    except (KeyboardInterrupt, Exception) as exc:
        if debug:
            raise
        status, text = _outcome(exc, words or str)
        console.print(text, markup=False)
        raise typer.Exit(status) from None
    finally:
        warnings.showwarning = old


def _outcome(exc: BaseException, words) -> tuple[int, str]:
    """Exit status and the one message for an exception that ends a command."""
    from ._errors import SpatialClusterError

    if isinstance(exc, (SpatialClusterError, OSError)):
        return 1, f"error: {words(_message(exc))}"
    if isinstance(exc, KeyboardInterrupt):
        return 130, ("interrupted: no output was moved into place (outputs are built beside --out and renamed "
                     "only when complete)")
    if isinstance(exc, MemoryError):
        return 1, ("error: not enough memory for this analysis; lower --permutations (or k, or the number of "
                   "regions), or run it on a machine with more memory")
    if isinstance(exc, NotImplementedError):
        return 1, f"error: this step is not available in this version ({exc})"
    # a bug, or bad input that slipped past the checks: still one message
    return 1, (f"error: unexpected {type(exc).__name__}: {exc}. This is probably a bug in spatialcluster; "
               "rerun with --debug for the traceback and report it.")


# a keyword argument as the API's messages write it: islands='nearest', k=4, encoding='...'
_KWARG = re.compile(r"""\b([a-z_]+)=(?:'([^']*)'|"([^"]*)"|([\w.<>-]+))""")
# advice that only makes sense in Python; the command does it itself (--islands drop subsets the data)
_API_ONLY = re.compile(r" \(then subset the data to w\.unique_ids\)|; analyse data\.loc\[w\.unique_ids\]")
#: API keyword -> option of the one-off commands.
OPTIONS = {"islands": "--islands", "kind": "--weights", "k": "--k", "threshold": "--threshold", "id": "--id",
           "on": "--on", "how": "--how", "permutations": "--permutations", "seed": "--seed", "alpha": "--alpha",
           "correction": "--correction", "layer": "--layer", "sheet": "--sheet", "encoding": "--encoding",
           "column": "--column", "model": "--model", "y": "--y", "x": "--x", "time": "--time",
           "effects": "--effects", "dynamic": "--dynamic"}


def _options(text: str, regions: Path | None = None) -> str:
    """A message in the one-off commands' terms: ``islands='nearest'`` -> ``--islands nearest``
    (``encoding`` of the regions file -> ``--regions-encoding``)."""
    def swap(m):
        name, value = m.group(1), next(g for g in m.groups()[1:] if g is not None)
        option = OPTIONS.get(name)
        if option == "--encoding" and regions is not None and str(regions) in text:
            option = "--regions-encoding"
        return m.group(0) if option is None else f"{option} {value}"

    return _KWARG.sub(swap, _API_ONLY.sub("", text))


#: API keywords that are keys of the config too (in [[weights]], [[inputs.tables]], [statistics], ...).
CONFIG_KEYS = {"islands", "kind", "k", "threshold", "transform", "power", "bandwidth", "function", "how", "on", "id",
               "layer", "sheet", "encoding", "sep", "permutations", "alpha", "correction", "seed", "time"}


def _config_keys(text: str) -> str:
    """A message in the config's terms: ``islands='nearest'`` -> ``islands = "nearest"`` (TOML)."""
    def swap(m):
        name, quoted = m.group(1), m.group(2) if m.group(2) is not None else m.group(3)
        if name not in CONFIG_KEYS:
            return m.group(0)
        return f'{name} = "{quoted}"' if quoted is not None else f"{name} = {m.group(4)}"

    return _KWARG.sub(swap, _API_ONLY.sub("", text))


def _message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = f" {exc.filename!r}" if exc.filename else ""
        return f"{exc.strerror}:{where}. Check the path and that you may read (inputs) or write (--out) there."
    return str(exc)


# --------------------------------------------------------------------------- pipeline
@app.command()
def run(
    config: Annotated[Path, typer.Argument(help="The analysis config (TOML).")],
    out: Out,
    overwrite: Overwrite = False,
    permutations: Permutations = None,
    quiet: Quiet = False,
    debug: Debug = False,
):
    """Run an analysis config: results.gpkg, maps/, tables/, report.html and manifest.json in --out."""
    from . import pipeline

    with _boundary(debug, _config_keys) as console:
        cfg = pipeline.load_config(config, overrides=_overrides(permutations))
        result = pipeline.run(cfg, out, overwrite=overwrite, quiet=quiet)
        if not quiet:
            console.print(f"wrote {len(result.files)} files to {result.out}", markup=False)


@app.command()
def demo(
    out: Out = Path("outputs/demo"),
    overwrite: Overwrite = False,
    show_config: Annotated[bool, typer.Option("--show-config", help="Print the demo's config and exit.")] = False,
    permutations: Permutations = None,
    quiet: Quiet = False,
    debug: Debug = False,
):
    """Run the bundled China example (print its config with --show-config, copy and adapt it)."""
    from . import pipeline

    if show_config:
        sys.stdout.write(pipeline.demo_config_path().read_text(encoding="utf-8"))
        return
    with _boundary(debug, _config_keys) as console:
        result = pipeline.run_demo(out, overwrite=overwrite, quiet=quiet, overrides=_overrides(permutations))
        if not quiet:
            console.print(f"wrote {len(result.files)} files to {result.out}", markup=False)


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the starter config.")] = Path("analysis.toml"),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    debug: Debug = False,
):
    """Write a commented starter config to adapt to your own files."""
    from . import pipeline
    from ._errors import InputError
    from .pipeline.outdir import atomic_write_text

    with _boundary(debug) as console:
        if path.exists() and not force:
            raise InputError(f"{str(path)!r} already exists; pass --force to replace it or give another path")
        atomic_write_text(path, pipeline.starter_config_text())
        console.print(f"wrote {path}; edit [inputs] and run: spatialcluster run {path} --out results/", markup=False)


def _overrides(permutations):
    return {"statistics": {"permutations": permutations}} if permutations is not None else None


# --------------------------------------------------------------------------- one-off analyses
Regions = Annotated[Path, typer.Argument(help="Regions file (shapefile, GeoPackage, GeoJSON, zip).")]
Table = Annotated[Path, typer.Argument(help="Table with the variables (CSV, Excel, NBS export).")]
On = Annotated[str, typer.Option("--on", help="Key column of the table (codes or names of the regions).")]
Id = Annotated[Optional[str], typer.Option("--id", help="Region id column of the regions file.")]
How = Annotated[str, typer.Option("--how", help="Join: strict (every key must match), left or inner.")]
WKind = Annotated[str, typer.Option("--weights", "-w", help="queen, rook, knn, distance_band, ...; options after a "
                                    "colon: knn:k=6, distance_band:threshold=50000")]
Islands = Annotated[str, typer.Option("--islands", help="error, nearest or drop.")]
K = Annotated[Optional[int], typer.Option("--k", min=1, help="Neighbours for knn weights.")]
Threshold = Annotated[Optional[float], typer.Option("--threshold", min=0.0,
                                                   help="Distance band in metres of the projected CRS.")]
Perms = Annotated[int, typer.Option("--permutations", min=1, max=MAX_PERMUTATIONS)]
Seed = Annotated[int, typer.Option("--seed", min=0, help="Seed of the permutations (0 or more).")]
Gpkg = Annotated[Optional[Path], typer.Option("--gpkg", help="Also write the result as a styled layer into this "
                                               "GeoPackage (its other layers are kept; never an input).")]
Column = Annotated[str, typer.Option("--column", "-c", help="The variable (a column of the table).")]
Alpha = Annotated[float, typer.Option("--alpha", min=0.0, max=1.0, help="Significance level of the cluster labels.")]
Correction = Annotated[str, typer.Option("--correction", help="fdr, bonferroni, fdr_bound or none.")]
Layer = Annotated[Optional[str], typer.Option("--layer", help="Layer of a regions file with several (GeoPackage, zip).")]
Sheet = Annotated[Optional[str], typer.Option("--sheet", help="Excel sheet of the table (name or 0-based number).")]
Encoding = Annotated[Optional[str], typer.Option("--encoding", help="Text encoding of the table (e.g. gb18030).")]
RegionsEncoding = Annotated[Optional[str], typer.Option("--regions-encoding",
                                                        help="Text encoding of a shapefile's attributes (e.g. gbk).")]


@dataclass
class _Read:
    """How to read the one-off commands' two files: the reader options, and where the results may not go."""

    regions: Path
    table: Path
    on: str
    id: Optional[str] = None
    how: str = "strict"
    layer: Optional[str] = None
    sheet: Optional[str] = None
    encoding: Optional[str] = None
    regions_encoding: Optional[str] = None

    def words(self, text: str) -> str:
        return _options(text, self.regions)

    def check_output(self, gpkg: Path, option: str = "--gpkg") -> None:
        """An output (``--gpkg``) may not be one of the files read (a shapefile's parts included)."""
        from ._errors import InputError
        from .pipeline.outdir import real_path

        inputs = [self.regions, self.table]
        if self.regions.suffix.lower() == ".shp":
            inputs += list(self.regions.parent.glob(self.regions.stem + ".*"))
        if real_path(gpkg) in {real_path(p) for p in inputs}:
            raise InputError(f"{option} {gpkg} is an input of this command; it is only read. Give another file, "
                             f"e.g. {option} {gpkg.with_name(gpkg.stem + '_results' + gpkg.suffix)}")


def _read_files(read: _Read):
    """The regions and the table, read with the command's options."""
    import spatialcluster as sc

    sheet = int(read.sheet) if read.sheet is not None and read.sheet.isdigit() else read.sheet
    regions = sc.read_regions(read.regions, id=read.id, layer=read.layer, encoding=read.regions_encoding)
    return regions, sc.read_table(read.table, sheet=sheet, encoding=read.encoding)


@contextmanager
def _session(read: _Read, gpkg, quiet: bool, debug: bool):
    """A one-off command's frame: progress off with --quiet, one clear message per error, --gpkg checked first."""
    from . import _progress

    if quiet:
        _progress.set_progress(False)
    with _boundary(debug, read.words):
        if gpkg is not None:
            read.check_output(gpkg)  # before the work, not after
        yield


def _prepare(read: _Read, kind, islands, k, threshold):
    import spatialcluster as sc
    from .weights import build_info

    regions, table = _read_files(read)
    data = sc.join(regions, table, on=read.on, how=read.how)
    w = _weights(data, kind, islands, k, threshold)
    if build_info(w).dropped:  # --islands drop: the statistics analyse the regions the weights cover
        data = data.loc[list(w.unique_ids)]
    return data, w


def _weights(data, spec: str, islands, k, threshold):
    """Weights from ``--weights kind`` or ``kind:key=value,...`` (``knn:k=6``); ``--k`` and ``--threshold``
    fill in what the spec leaves out."""
    import spatialcluster as sc
    from ._errors import InputError

    kind, _, rest = spec.partition(":")
    params = {key: v for key, v in (("k", k), ("threshold", threshold)) if v is not None}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, eq, value = (part.strip() for part in item.partition("="))
        if not (eq and key and value):
            raise InputError(f"--weights {spec!r}: write its options as kind:key=value,key=value, e.g. knn:k=6")
        params[key] = int(value) if value.isdigit() else float(value) if _is_float(value) else value
    return sc.build_weights(data, kind=kind.strip(), islands=islands, **params)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _print_frame(console, frame, title: str, limit: int = 60):
    import pandas as pd
    from rich.table import Table as RichTable

    frame = frame.drop(columns=[c for c in frame.columns if c == "geometry"])
    t = RichTable(title=title)
    t.add_column(str(frame.index.name or ""), style="bold")
    for col in frame.columns:
        t.add_column(str(col), justify="right" if pd.api.types.is_numeric_dtype(frame[col]) else "left")
    for idx, row in frame.head(limit).iterrows():
        t.add_row(str(idx), *[f"{v:.4g}" if isinstance(v, float) else str(v) for v in row])
    console.print(t)
    if len(frame) > limit:
        console.print(f"... {len(frame) - limit} more rows", markup=False)


def _stdout():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


# columns shown on the terminal (all of them go to the GeoPackage)
_DISPLAY = {
    "lisa": ("value", "I", "z", "p_sim", "p_adjusted", "cluster_uncorrected", "cluster"),
    "hotspots": ("value", "G", "z", "p_sim", "p_adjusted", "bin", "label"),
}


def _one_off(kind_name, read: _Read, column, weights, islands, k, threshold, permutations, seed, gpkg, quiet, debug, **kw):
    import spatialcluster as sc
    from . import _progress

    if quiet:
        _progress.set_progress(False)
    with _boundary(debug, read.words):
        if gpkg is not None:
            read.check_output(gpkg)  # before the work, not after
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
                from .pipeline.context import with_geometry

                frame = frame.drop(columns=[c for c in frame.columns if c == "geometry"])
                sc.to_geopackage(gpkg, {f"{kind_name}_{column}": with_geometry(data, frame)})


@app.command()
def moran(regions: Regions, table: Table, on: On, column: Column,
          id: Id = None, how: How = "strict", weights: WKind = "queen", islands: Islands = "error", k: K = None,
          threshold: Threshold = None, permutations: Perms = 999, seed: Seed = 0, gpkg: Gpkg = None,
          layer: Layer = None, sheet: Sheet = None, encoding: Encoding = None, regions_encoding: RegionsEncoding = None,
          quiet: Quiet = False, debug: Debug = False):
    """Global Moran's I of one column."""
    read = _Read(regions, table, on, id, how, layer, sheet, encoding, regions_encoding)
    _one_off("moran", read, column, weights, islands, k, threshold, permutations, seed, gpkg, quiet, debug)


@app.command()
def lisa(regions: Regions, table: Table, on: On, column: Column,
         id: Id = None, how: How = "strict", weights: WKind = "queen", islands: Islands = "error", k: K = None,
         threshold: Threshold = None, permutations: Perms = 999, seed: Seed = 0,
         alpha: Alpha = 0.05, correction: Correction = "fdr", gpkg: Gpkg = None,
         layer: Layer = None, sheet: Sheet = None, encoding: Encoding = None, regions_encoding: RegionsEncoding = None,
         quiet: Quiet = False, debug: Debug = False):
    """Local Moran's I (LISA) clusters of one column."""
    read = _Read(regions, table, on, id, how, layer, sheet, encoding, regions_encoding)
    _one_off("lisa", read, column, weights, islands, k, threshold, permutations, seed, gpkg, quiet, debug,
             alpha=alpha, correction=correction)


@app.command()
def hotspots(regions: Regions, table: Table, on: On, column: Column,
             id: Id = None, how: How = "strict", weights: WKind = "queen", islands: Islands = "error", k: K = None,
             threshold: Threshold = None, permutations: Perms = 999, seed: Seed = 0,
             alpha: Alpha = 0.05, correction: Correction = "fdr", gpkg: Gpkg = None,
             layer: Layer = None, sheet: Sheet = None, encoding: Encoding = None, regions_encoding: RegionsEncoding = None,
             quiet: Quiet = False, debug: Debug = False):
    """Getis-Ord Gi* hot and cold spots of one column."""
    read = _Read(regions, table, on, id, how, layer, sheet, encoding, regions_encoding)
    _one_off("hotspots", read, column, weights, islands, k, threshold, permutations, seed, gpkg, quiet, debug,
             alpha=alpha, correction=correction)


WKinds = Annotated[Optional[list[str]], typer.Option(
    "--weights", "-w", help="queen, rook, knn, distance_band, ...; options after a colon: knn:k=6. Repeat it "
    "(--weights queen --weights knn:k=6) for the model under every weights (sc.spillover_by_weights).")]
#: File suffixes of --robustness-table and the WeightsRobustness method that writes each.
ROBUSTNESS_FORMATS = {".csv": "to_frame", ".md": "to_markdown", ".tex": "to_latex"}


@app.command()
def regress(regions: Regions, table: Table, on: On, y: Annotated[str, typer.Option("--y")],
            x: Annotated[list[str], typer.Option("--x", help="Explanatory variable (repeat for several).")],
            model: Annotated[str, typer.Option("--model", help="ols, slx, sar, sem, sdm, sdem, sac or 'select'")] = "select",
            id: Id = None, how: How = "strict", weights: WKinds = None, islands: Islands = "error", k: K = None,
            threshold: Threshold = None, gpkg: Gpkg = None,
            robustness_table: Annotated[Optional[Path], typer.Option(
                "--robustness-table", help="With several --weights: write the table across weights to this file "
                ".csv (full precision), .md or .tex.")] = None,
            layer: Layer = None, sheet: Sheet = None, encoding: Encoding = None, regions_encoding: RegionsEncoding = None,
            quiet: Quiet = False, debug: Debug = False):
    """Model selection (default) or one spatial regression, with direct/indirect/total effects; with several
    --weights, the model under each of them side by side (a robustness table)."""
    import spatialcluster as sc
    from . import _progress
    from ._errors import InputError

    read = _Read(regions, table, on, id, how, layer, sheet, encoding, regions_encoding)
    kinds = weights or ["queen"]
    with _boundary(debug, read.words):
        if len(set(kinds)) < len(kinds):
            raise InputError(f"--weights repeats {', '.join(sorted({v for v in kinds if kinds.count(v) > 1}))}; "
                             "give each weights once")
        if robustness_table is not None and (len(kinds) < 2 or robustness_table.suffix not in ROBUSTNESS_FORMATS):
            raise InputError(f"--robustness-table needs at least two --weights and a file ending in "
                             f"{', '.join(ROBUSTNESS_FORMATS)}; got {robustness_table}")
        for path, option in ((gpkg, "--gpkg"), (robustness_table, "--robustness-table")):
            if path is not None:
                read.check_output(path, option)
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
            from .pipeline.steps.models import headline_effects

            _print_frame(out, headline_effects(res.effects),
                         f"{model.upper()} direct, indirect and total effects (p-values from simulation)")
        if len(kinds) > 1:
            named = {kinds[0]: w, **{spec: _weights(data, spec, islands, k, threshold) for spec in kinds[1:]}}
            rob = sc.spillover_by_weights(data, y, x, named, model=model)
            out.print(rob.to_markdown(), markup=False)
            if robustness_table is not None:
                from .pipeline.outdir import atomic_write_text

                kind = ROBUSTNESS_FORMATS[robustness_table.suffix]
                text = rob.to_frame().to_csv(lineterminator="\n") if kind == "to_frame" else getattr(rob, kind)()
                atomic_write_text(robustness_table, text)
        if gpkg is not None:
            sc.to_geopackage(gpkg, {"regions": data})


@app.command()
def gwr(regions: Regions, table: Table, on: On, y: Annotated[str, typer.Option("--y")],
        x: Annotated[list[str], typer.Option("--x", help="Explanatory variable (repeat for several).")],
        bandwidth: Annotated[Optional[float], typer.Option(
            "--bandwidth", min=0.0, help="Neighbours (adaptive) or metres (--fixed); default: searched by AICc.")] = None,
        kernel: Annotated[str, typer.Option("--kernel", help="bisquare, gaussian or exponential.")] = "bisquare",
        fixed: Annotated[bool, typer.Option("--fixed", help="A distance bandwidth, not a number of neighbours.")] = False,
        multiscale: Annotated[bool, typer.Option(
            "--multiscale", help="MGWR: one bandwidth per coefficient (variables standardised).")] = False,
        id: Id = None, how: How = "strict", gpkg: Gpkg = None,
        layer: Layer = None, sheet: Sheet = None, encoding: Encoding = None, regions_encoding: RegionsEncoding = None,
        quiet: Quiet = False, debug: Debug = False):
    """Geographically weighted regression (MGWR with --multiscale): local coefficients, significance-masked."""
    import spatialcluster as sc

    read = _Read(regions, table, on, id, how, layer, sheet, encoding, regions_encoding)
    with _session(read, gpkg, quiet, debug):
        regions, rows = _read_files(read)
        data = sc.join(regions, rows, on=read.on, how=read.how)
        if multiscale:
            res = sc.mgwr(data, y=y, x=x, kernel=kernel, fixed=fixed, standardize=True)
        else:
            bw = None if bandwidth is None else (bandwidth if fixed else int(bandwidth))
            res = sc.gwr(data, y=y, x=x, bandwidth=bw, kernel=kernel, fixed=fixed)
        out = _stdout()
        _print_frame(out, res.coefficient_table(), f"{'MGWR' if multiscale else 'GWR'} local coefficients: {y}")
        out.print(res.summary(), markup=False)
        if gpkg is not None:
            from .pipeline.context import with_geometry

            frame = res.to_frame()
            frame.index = frame.index.astype(str)
            sc.to_geopackage(gpkg, {"gwr": with_geometry(data, frame)},
                             styles={"gwr": {"kind": "coefficient", "column": x[0], "fmt": "{:.3f}"}})


@app.command()
def panel(regions: Regions,
          table: Annotated[Path, typer.Argument(help="Long table: one row per region and period (CSV, Excel).")],
          on: On, y: Annotated[str, typer.Option("--y")],
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
          id: Id = None, how: How = "strict", weights: WKind = "queen", islands: Islands = "error", k: K = None,
          threshold: Threshold = None, seed: Seed = 0,
          layer: Layer = None, sheet: Sheet = None, encoding: Encoding = None, regions_encoding: RegionsEncoding = None,
          quiet: Quiet = False, debug: Debug = False):
    """Spatial panel model on a long table: static or dynamic, fixed or random effects, LM and Hausman tests."""
    import spatialcluster as sc
    from . import _progress
    from ._errors import InputError
    from .pipeline.inputs import long_panel
    from .pipeline.schema import PANEL_DYNAMIC
    from .pipeline.steps.models import headline_effects
    from .pipeline.steps.panel_model import fit_panel
    from .weights import build_info

    if quiet:
        _progress.set_progress(False)
    read = _Read(regions, table, on, id, how, layer, sheet, encoding, regions_encoding)
    with _boundary(debug, read.words):
        if dynamic not in PANEL_DYNAMIC:
            raise InputError(f"--dynamic {dynamic!r} is not one of {', '.join(PANEL_DYNAMIC)}")
        shapes, rows = _read_files(read)
        w = _weights(shapes, weights, islands, k, threshold)
        long = long_panel(shapes, rows, on=on, how=how, time=time)
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


@app.callback(invoke_without_command=True)
def _main(version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False):
    if version:
        from . import __version__

        typer.echo(f"spatialcluster {__version__}")
        raise typer.Exit(0)


def main():  # pragma: no cover - console entry point alias
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
