"""What the commands share: the app, the option types, the error boundary, reading the two files."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
import warnings
from contextlib import contextmanager
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
    from .._errors import SpatialClusterWarning

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
    from .._errors import SpatialClusterError

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
           "effects": "--effects", "dynamic": "--dynamic", "group": "--group", "factors": "--factor",
           "indicators": "--indicator", "negative": "--negative", "n_regions": "--n-regions",
           "threshold_column": "--threshold-column", "industry": "--industry", "plant": "--plant",
           "balance": "--balance"}


def _options(text: str, regions: Path | None = None) -> str:
    """A message in the one-off commands' terms: ``islands='nearest'`` -> ``--islands nearest``
    (``encoding`` of the regions file -> ``--regions-encoding``)."""
    def swap(m):
        name, value = m.group(1), next(g for g in m.groups()[1:] if g is not None)
        option = OPTIONS.get(name)
        if option == "--encoding" and regions is not None and str(regions) in text:
            option = "--regions-encoding"
        if option is None:
            return m.group(0)
        return option if value == "True" else f"{option} {value}"  # balance=True -> the flag --balance

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


# --------------------------------------------------------------------------- one-off analyses
Regions = Annotated[Path, typer.Argument(help="Regions file (shapefile, GeoPackage, GeoJSON, zip).")]
Table = Annotated[Path, typer.Argument(help="Table with the variables (CSV, Excel, NBS export).")]
LongTable = Annotated[Path, typer.Argument(help="Long table: one row per region and period (CSV, Excel).")]
On = Annotated[str, typer.Option("--on", help="Key column of the table (codes or names of the regions).")]
Id = Annotated[Optional[str], typer.Option("--id", help="Region id column of the regions file.")]
How = Annotated[str, typer.Option("--how", help="Join: strict (every key must match), left or inner.")]
WKind = Annotated[str, typer.Option("--weights", "-w", help="queen, rook, knn, distance_band, ...; options after a "
                                    "colon: knn:k=6, distance_band:threshold=50000")]
Islands = Annotated[str, typer.Option("--islands", help="error, nearest or drop.")]
K = Annotated[Optional[int], typer.Option("--k", min=1, help="Neighbours for knn weights.")]
Threshold = Annotated[Optional[float], typer.Option("--threshold", min=0.0,
                                                   help="Distance band in metres of the projected CRS.")]
Perms = Annotated[int, typer.Option("--permutations", min=1, max=MAX_PERMUTATIONS,
                                    help="Random relabellings for the pseudo p-values (with --seed, reproducible).")]
Seed = Annotated[int, typer.Option("--seed", min=0, help="Seed of the permutations (0 or more).")]
Gpkg = Annotated[Optional[Path], typer.Option("--gpkg", help="Also write the result as a styled layer into this "
                                               "GeoPackage (its other layers are kept; never an input).")]
Column = Annotated[str, typer.Option("--column", "-c", help="The variable (a column of the table).")]
Csv = Annotated[Optional[Path], typer.Option("--csv", help="Also write the result's full table to this CSV file.")]
Alpha = Annotated[float, typer.Option("--alpha", min=0.0, max=1.0, help="Significance level of the cluster labels.")]
Correction = Annotated[str, typer.Option("--correction", help="fdr, bonferroni, fdr_bound or none.")]
Layer = Annotated[Optional[str], typer.Option("--layer", help="Layer of a regions file with several (GeoPackage, zip).")]
Sheet = Annotated[Optional[str], typer.Option("--sheet", help="Excel sheet of the table (name or 0-based number).")]
Encoding = Annotated[Optional[str], typer.Option("--encoding", help="Text encoding of the table (e.g. gb18030).")]
RegionsEncoding = Annotated[Optional[str], typer.Option("--regions-encoding",
                                                        help="Text encoding of a shapefile's attributes (e.g. gbk).")]


@dataclasses.dataclass
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
        from .._errors import InputError
        from ..pipeline.outdir import real_path

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
def _session(read: _Read, gpkg, quiet: bool, debug: bool, csv=None):
    """A one-off command's frame: progress off with --quiet, one clear message per error, --gpkg (and --csv)
    checked first."""
    from .. import _progress

    if quiet:
        _progress.set_progress(False)
    with _boundary(debug, read.words):
        for path, option in ((gpkg, "--gpkg"), (csv, "--csv")):
            if path is not None:
                read.check_output(path, option)  # before the work, not after
        yield


#: (name, type, default) of the options every one-off command has: ``--id``/``--how`` and the last ones; one place,
#: so that the commands cannot drift apart (see :func:`one_off`).
_READER = (("id", Id, None), ("how", How, "strict"))
_TAIL = (("layer", Layer, None), ("sheet", Sheet, None), ("encoding", Encoding, None),
         ("regions_encoding", RegionsEncoding, None), ("quiet", Quiet, False), ("debug", Debug, False))


def one_off(table=Table):
    """Make ``func(..., read, ...)`` a one-off command with the options all of them share.

    The command takes REGIONS, TABLE (argument type ``table``) and ``--on`` first, then ``func``'s own
    options, with ``--id`` and ``--how`` where ``func`` has its ``read`` parameter, and ``--layer``,
    ``--sheet``, ``--encoding``, ``--regions-encoding``, ``--quiet``, ``--debug`` last. ``func`` runs inside
    :func:`_session` (its ``--gpkg`` and ``--csv`` checked first) and gets ``read``, the :class:`_Read` of
    those options. Register the result with ``app.command()`` as usual.
    """
    def params(spec):
        return [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=kind, default=default)
                for name, kind, default in spec]

    def decorate(func):
        own = inspect.signature(func, eval_str=True)
        required = inspect.Parameter.empty
        head = params((("regions", Regions, required), ("table", table, required), ("on", On, required)))
        middle = [q for p in own.parameters.values() for q in (params(_READER) if p.name == "read" else [p])]
        signature = own.replace(parameters=head + middle + params(_TAIL))

        @functools.wraps(func)
        def command(**kw):
            read = _Read(**{field.name: kw.pop(field.name) for field in dataclasses.fields(_Read)})
            quiet, debug = kw.pop("quiet"), kw.pop("debug")
            with _session(read, kw.get("gpkg"), quiet, debug, kw.get("csv")):
                func(read=read, **kw)

        command.__signature__ = signature  # what typer reads the options from
        command.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}
        return command

    return decorate


def _joined(read: _Read):
    import spatialcluster as sc

    regions, table = _read_files(read)
    return sc.join(regions, table, on=read.on, how=read.how)


def _prepare(read: _Read, kind, islands, k, threshold):
    from ..weights import build_info

    data = _joined(read)
    w = _weights(data, kind, islands, k, threshold)
    if build_info(w).dropped:  # --islands drop: the statistics analyse the regions the weights cover
        data = data.loc[list(w.unique_ids)]
    return data, w


def _weights(data, spec: str, islands, k, threshold):
    """Weights from ``--weights kind`` or ``kind:key=value,...`` (``knn:k=6``); ``--k`` and ``--threshold``
    fill in what the spec leaves out."""
    import spatialcluster as sc
    from .._errors import InputError

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


def _show(res, table, title: str, csv=None):
    """Print a table and the result's summary; ``--csv``: its full ``to_frame()`` (without geometry)."""
    out = _stdout()
    _print_frame(out, table, title)
    out.print(res.summary(), markup=False)
    if csv is not None:
        from ..pipeline.context import result_frame

        result_frame(res, "region").to_csv(csv)
