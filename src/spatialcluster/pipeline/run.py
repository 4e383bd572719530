"""Running a validated config: every step, into a self-describing output folder.

The folder holds ``results.gpkg`` (styled layers), ``maps/*.png``, ``tables/*.csv`` and ``.md``,
``report.html`` and ``manifest.json`` (versions, seeds, input checksums, the config as run,
weights summaries, timings). Tables and layers depend only on the inputs and the config (seeded
permutations, stable ordering); timings appear only in the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, partial
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from .. import _progress
from .._errors import InputError, SpatialClusterWarning
from .config import Config, Problem, referenced_variables, resolve_path, suggest
from .outdir import atomic_write_text, staged_folder

#: Distributions whose versions go into the manifest and the report.
SOFTWARE = (
    "spatialcluster", "numpy", "scipy", "pandas", "geopandas", "shapely", "pyogrio", "pyproj",
    "libpysal", "esda", "spreg", "mapclassify", "matplotlib", "numba",
)

CITATIONS = {
    "moran": "Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. Biometrika 37, 17-23; "
             "Cliff, A. D. and Ord, J. K. (1981). Spatial Processes. Pion.",
    "lisa": "Anselin, L. (1995). Local indicators of spatial association - LISA. Geographical Analysis 27(2), 93-115.",
    "gistar": "Getis, A. and Ord, J. K. (1992). The analysis of spatial association by use of distance statistics. "
              "Geographical Analysis 24(3), 189-206; Ord, J. K. and Getis, A. (1995). Geographical Analysis 27(4), 286-306.",
    "fdr": "Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B 57(1), 289-300.",
    "selection": "Anselin, L. (1988). Spatial Econometrics: Methods and Models. Kluwer; Anselin, L., Bera, A. K., "
                 "Florax, R. and Yoon, M. J. (1996). Regional Science and Urban Economics 26, 77-104; "
                 "Elhorst, J. P. (2010). Applied spatial econometrics: raising the bar. Spatial Economic Analysis 5(1), 9-28.",
    "effects": "LeSage, J. and Pace, R. K. (2009). Introduction to Spatial Econometrics. CRC Press, ch. 2.7 and 5.6.",
    "panel": "Elhorst, J. P. (2014). Spatial Econometrics: From Cross-Sectional Data to Spatial Panels. Springer; "
             "Lee, L.-f. and Yu, J. (2010). Journal of Econometrics 154(2), 165-185.",
}


@dataclass
class RunResult:
    """What a run wrote: the output folder, its files (relative paths) and the manifest."""

    out: Path
    files: list[str]
    manifest: dict
    data: pd.DataFrame | None = None

    def __repr__(self) -> str:
        return f"RunResult(out={str(self.out)!r}, files={len(self.files)})"


# --------------------------------------------------------------------------- progress
class Steps:
    """One plain line per step on stderr (readable in a log file); timings for the manifest.

    Long work inside a step (permutations, ML fits) draws its own bar through
    :func:`spatialcluster._progress.progress_bar`, which is on only in a terminal.
    """

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.timings: dict[str, float] = {}
        self.notes: list[dict] = []
        self._console = None
        if not quiet:
            from rich.console import Console

            self._console = Console(stderr=True, highlight=False, soft_wrap=True)

    def info(self, text: str) -> None:
        if self._console is not None:
            self._console.print("  " + text.rstrip("\n").replace("\n", "\n  "), markup=False)

    @contextmanager
    def step(self, name: str, total: int | None = None):
        """Time a step and yield ``advance()``; with ``total`` items, a progress bar in a terminal.

        The step's warnings become notes (kept for the manifest and report, printed unless quiet).
        """
        if self._console is not None:
            self._console.print(f"[bold]>[/bold] {name} ...")
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if total:
                with _progress.progress_bar(name, total, progress=False if self.quiet else None) as advance:
                    yield advance
            else:
                yield lambda n=1: None
        for w in caught:
            own = issubclass(w.category, SpatialClusterWarning)
            if own:
                self.notes.append({"step": name, "message": str(w.message)})
            if self._console is not None and (own or not issubclass(w.category, DeprecationWarning)):
                self._console.print(f"  {'note' if own else 'warning'}: {w.message}", markup=False)
        dt = time.perf_counter() - t0
        self.timings[name] = self.timings.get(name, 0.0) + round(dt, 4)
        if self._console is not None:
            self._console.print(f"  done: {name} ({dt:.1f} s)", markup=False)


# --------------------------------------------------------------------------- helpers
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _inputs_checksums(paths: list[Path]) -> dict:
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


def software_versions() -> dict:
    """Versions of Python and the packages a run depends on."""
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in SOFTWARE:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def markdown_table(df: pd.DataFrame, floatfmt: str = ".4g") -> str:
    """A pipe table (GitHub markdown); small and dependency-free."""
    def cell(v):
        if isinstance(v, (float, np.floating)):
            return "" if np.isnan(v) else format(float(v), floatfmt)
        return str(v).replace("|", "\\|")

    frame = df.reset_index() if df.index.name or not isinstance(df.index, pd.RangeIndex) else df
    head = [str(c) for c in frame.columns]
    rows = [[cell(v) for v in r] for r in frame.itertuples(index=False)]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in str(name))


class _Writer:
    """Writes tables and figures into the build folder and remembers them for the report.

    Two names that sanitise to the same file name (``"gdp growth"``, ``"gdp_growth"``; or differ
    only in case, one file on macOS and Windows) do not overwrite each other: the later one gets
    a suffix from a hash of its name (the same on every run of the same config), with a note.
    """

    def __init__(self, root: Path):
        self.root = root
        (root / "tables").mkdir()
        (root / "maps").mkdir()
        self.files: list[str] = []
        self._owners: dict[str, str] = {}  # file stem (case-folded, per folder) -> the name that took it

    def _stem(self, folder: str, name: str, suffix: str = "") -> str:
        stem = _safe(name)
        key = f"{folder}/{stem}{suffix}".casefold()
        if self._owners.setdefault(key, name) != name:
            taken = stem
            stem = f"{stem}-{hashlib.sha256(str(name).encode()).hexdigest()[:8]}"
            self._owners[f"{folder}/{stem}{suffix}".casefold()] = name
            warnings.warn(f"{name!r} and {self._owners[key]!r} have the same file name {folder}/{taken}{suffix}; "
                          f"{name!r} is written as {folder}/{stem}{suffix}", SpatialClusterWarning, stacklevel=3)
        return stem

    def table(self, name: str, df: pd.DataFrame) -> Path:
        path = self.root / "tables" / f"{self._stem('tables', name)}.csv"
        atomic_write_text(path, df.to_csv(lineterminator="\n"))
        atomic_write_text(path.with_suffix(".md"), markdown_table(df))
        self.files += [f"tables/{path.name}", f"tables/{path.stem}.md"]
        return path

    def text(self, name: str, text: str) -> Path:
        stem, suffix = os.path.splitext(name)
        name = self._stem("tables", stem, suffix) + suffix
        path = self.root / "tables" / name
        atomic_write_text(path, text.rstrip("\n") + "\n")
        self.files.append(f"tables/{name}")
        return path

    def figure(self, name: str, draw) -> Path:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(8, 6.5), dpi=120)
        try:
            draw(ax)
            fig.tight_layout()
            path = self.root / "maps" / f"{self._stem('maps', name)}.png"
            tmp = path.with_name(f".{path.name}.tmp.png")
            # No date in the metadata: the same inputs give the same bytes.
            fig.savefig(tmp, dpi=120, metadata={"Software": None})
            tmp.replace(path)
        finally:
            plt.close(fig)
        self.files.append(f"maps/{path.name}")
        return path


def map_regions(c: dict, data):
    """What every map draws: the analysed regions, plus Hong Kong, Macao and Taiwan as "No data"
    when ``[outputs] include_sar_taiwan`` is set (the usual way to show China)."""
    if not c["outputs"].get("include_sar_taiwan"):
        return data
    import spatialcluster as sc

    full = sc.datasets.china_provinces(include_sar_taiwan=True).to_crs(data.crs)
    extra = full.loc[[code for code in sc.datasets.SAR_TAIWAN if code not in data.index], [full.geometry.name]]
    if extra.geometry.name != data.geometry.name:
        extra = extra.rename_geometry(data.geometry.name)
    return pd.concat([data, extra])


# --------------------------------------------------------------------------- inputs
def load_inputs(cfg: Config, steps: Steps):
    """Read the regions and tables, join the cross-section tables; panels stay long.

    Returns ``(data, panels, input_files)``.
    """
    import spatialcluster as sc

    inputs = cfg.data["inputs"]
    files: list[Path] = []
    with steps.step("read regions"):
        if inputs.get("dataset"):
            loader = getattr(sc.datasets, inputs["dataset"])
            data = loader()
            if isinstance(data, tuple):  # datasets that return (regions, panel)
                data = data[0]
            files += _dataset_files()
            steps.info(f"bundled dataset {inputs['dataset']}: {len(data)} regions")
        else:
            path = resolve_path(inputs["regions"], cfg.base)
            kw = {k: inputs[k] for k in ("layer",) if inputs.get(k)}
            data = sc.read_regions(path, id=inputs.get("id"), encoding=inputs.get("encoding"), **kw)
            files.append(path)
            steps.info(f"{path.name}: {len(data)} regions")
    panels: dict[str, pd.DataFrame] = {}
    for t in inputs.get("tables") or []:
        with steps.step(f"read and join table {t['name']}"):
            if t.get("dataset"):
                table = getattr(sc.datasets, t["dataset"])()
                if t["on"] not in table.columns and table.index.name == t["on"]:
                    table = table.reset_index()
                label = f"bundled table {t['dataset']}"
            else:
                path = resolve_path(t["path"], cfg.base)
                table = sc.read_table(path, **{k: v for k, v in (t.get("read") or {}).items() if v is not None})
                files.append(path)
                label = f"table {path.name}"
            _require_columns(cfg, table, [t["on"]] + ([t["time"]] if t.get("time") else []) + list(t.get("columns") or []),
                             ("inputs", "tables", cfg.data["inputs"]["tables"].index(t)), label)
            if t.get("columns"):
                keep = [t["on"]] + ([t["time"]] if t.get("time") else []) + [c for c in t["columns"] if c not in (t["on"], t.get("time"))]
                table = table[keep]
            if t.get("time"):
                panels[t["name"]] = _panel(sc, data, table, t)
                steps.info(f"panel {t['name']}: {len(panels[t['name']])} region-years")
            else:
                data = sc.join(data, table, on=t["on"], how=t["how"], time=False)
                steps.info(f"joined {label}: {len(data)} regions")
    return data, panels, files


def _panel(sc, regions, table: pd.DataFrame, spec: dict) -> pd.DataFrame:
    """A long panel indexed by (region id, time), keys matched to the regions by :func:`sc.join`."""
    joined = sc.join(regions[[regions.geometry.name]], table, on=spec["on"], how=spec["how"], time=spec["time"])
    long = pd.DataFrame(joined.drop(columns=joined.geometry.name))
    id_name = regions.index.name or "region"
    long.index = long.index.astype(str).rename(id_name)
    long = long.reset_index()
    return long.sort_values([id_name, spec["time"]], kind="stable").reset_index(drop=True)


def _dataset_files() -> list[Path]:
    root = Path(__file__).resolve().parents[1] / "datasets"
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts)


def _require_columns(cfg: Config, frame, names, where, what):
    problems = [
        Problem(where, f"column {n!r} is not in {what}.{suggest(n, frame.columns)} Columns: {', '.join(map(str, frame.columns[:30]))}")
        for n in names if n not in frame.columns
    ]
    if problems:
        raise cfg.error(problems)


# --------------------------------------------------------------------------- derived variables
def derive(data: pd.DataFrame, derived: dict, cfg: Config | None = None) -> tuple[pd.DataFrame, dict]:
    """Add the ``[variables.derived]`` columns in order; return (data, descriptions).

    growth: ``100 * (end / start - 1)``, or the compound annual rate ``100 * ((end / start) ** (1 / years) - 1)``;
    difference: ``end - start``; log: natural log; ratio: ``scale * numerator / denominator``;
    location_quotient: ``(x_i / sum x) / (b_i / sum b)`` (Isserman 1977), via :func:`sc.location_quotient`.
    """
    data = data.copy()
    notes = {}
    for name, d in (derived or {}).items():
        kind = d["kind"]
        cols = [d[k] for k in ("start", "end", "column", "numerator", "denominator") if d.get(k)]
        missing = [(k, d[k]) for k in ("start", "end", "column", "numerator", "denominator") if d.get(k) and d[k] not in data.columns]
        if missing:
            problems = [Problem(("variables", "derived", name, k), f"column {c!r} is not in the joined data.{suggest(c, data.columns)}")
                        for k, c in missing]
            if cfg is not None:
                raise cfg.error(problems)
            raise InputError("; ".join(p.message for p in problems))
        vals = {c: pd.to_numeric(data[c], errors="coerce").astype(float) for c in cols}
        if kind in ("growth", "ratio", "location_quotient", "log"):
            base = vals[d.get("start") or d.get("denominator") or d.get("column")]
            bad = base.notna() & (base <= 0)
            if bad.any():
                raise InputError(
                    f"derived variable {name!r} ({kind}): {d.get('start') or d.get('denominator') or d.get('column')!r} is zero or "
                    f"negative for regions {', '.join(map(str, data.index[bad]))}; {kind} needs positive values there"
                )
        if kind == "growth":
            ratio = vals[d["end"]] / vals[d["start"]]
            col = 100 * (ratio ** (1 / d["years"]) - 1) if d.get("years") else 100 * (ratio - 1)
        elif kind == "difference":
            col = vals[d["end"]] - vals[d["start"]]
        elif kind == "log":
            col = np.log(vals[d["column"]])
        elif kind == "ratio":
            col = d.get("scale", 1.0) * vals[d["numerator"]] / vals[d["denominator"]]
        else:
            col = _location_quotient(data, d["numerator"], d["denominator"])
        data[name] = col
        notes[name] = d.get("description") or f"{kind} of {', '.join(cols)}"
    return data, notes


def _location_quotient(data: pd.DataFrame, activity: str, base: str) -> pd.Series:
    """(x_i / sum x) / (b_i / sum b), by :func:`sc.location_quotient` in its ratio layout."""
    import spatialcluster as sc

    table = pd.DataFrame({activity: pd.to_numeric(data[activity], errors="coerce"),
                          base: pd.to_numeric(data[base], errors="coerce")}, index=data.index)
    lq = sc.location_quotient(table, numerator=activity, denominator=base).lq
    return lq.reindex(data.index).astype(float).rename(None)


def check_variables(cfg: Config, data: pd.DataFrame, panels: dict) -> None:
    """Every variable the config names exists in the joined data (or its panel); else ConfigError."""
    problems = []
    for where, name in referenced_variables(cfg.data):
        if name not in data.columns:
            problems.append(Problem(where, f"variable {name!r} is not in the joined data.{suggest(name, data.columns)}"))
    stats, models = cfg.data.get("statistics") or {}, cfg.data.get("models") or {}
    if stats.get("by_year"):
        panel = panels[stats["by_year"]["table"]]
        for i, c in enumerate(stats["by_year"]["columns"]):
            if c not in panel.columns:
                problems.append(Problem(("statistics", "by_year", "columns", i), f"column {c!r} is not in the panel table.{suggest(c, panel.columns)}"))
    if models.get("panel"):
        spec = models["panel"]
        panel = panels[spec["table"]]
        for where, c in [(("models", "panel", "y"), spec["y"])] + [(("models", "panel", "x", i), c) for i, c in enumerate(spec["x"])]:
            if c not in panel.columns:
                problems.append(Problem(where, f"column {c!r} is not in the panel table.{suggest(c, panel.columns)}"))
    if problems:
        raise cfg.error(problems)


# --------------------------------------------------------------------------- the run
def run(cfg: Config, out, *, overwrite: bool = False, quiet: bool = False) -> RunResult:
    """Run every step of ``cfg`` into the folder ``out``.

    Parameters
    ----------
    cfg : Config
        A validated config (:func:`spatialcluster.pipeline.load_config`).
    out : path
        The output folder; built next to it under a temporary name and renamed into place.
    overwrite : bool
        Replace an existing non-empty folder (only after the new one is complete).
    quiet : bool
        No step lines and no progress bars.
    """
    steps = Steps(quiet)
    previous = _progress._ENABLED
    if quiet:
        _progress.set_progress(False)
    t_start = time.perf_counter()
    try:
        with staged_folder(Path(out), overwrite, protect=_run_files(cfg)) as tmp:
            result = _run_into(cfg, tmp, steps)
            result.manifest["notes"] = steps.notes
            steps.timings["total"] = round(time.perf_counter() - t_start, 4)
            result.manifest["timings_seconds"] = steps.timings
            atomic_write_text(tmp / "manifest.json", json.dumps(result.manifest, indent=2, ensure_ascii=False, default=str) + "\n")
        result.out = Path(out).expanduser().absolute()
        return result
    finally:
        _progress.set_progress(previous)


def _run_files(cfg: Config) -> list[Path]:
    """The config file and every input it names: the output folder may not be or hold any of them."""
    inputs = cfg.data["inputs"]
    names = [inputs.get("regions")] + [t.get("path") for t in inputs.get("tables") or []]
    names += [w.get("path") for w in cfg.data.get("weights") or []]
    config = cfg.base / Path(cfg.name).name
    return [resolve_path(n, cfg.base) for n in names if n] + ([config] if config.is_file() else [])


@dataclass
class _Ctx:
    """What the steps of one run share: the config, the joined data, the weights and the outputs so far."""

    cfg: Config
    root: Path
    steps: Steps
    wr: _Writer
    data: pd.DataFrame
    panels: dict
    notes: dict
    weights: dict
    sections: list
    layers: dict
    dropped: dict = field(default_factory=dict)  # islands = "drop": id -> "id (name)", left out of the analysis
    all_data: pd.DataFrame | None = None  # the joined data before that, for the maps

    @property
    def c(self) -> dict:
        return self.cfg.data

    @property
    def seed(self) -> int:
        return self.c["project"]["seed"]

    @property
    def primary(self) -> str | None:
        return self.cfg.primary_weights

    @property
    def w0(self):
        return self.weights.get(self.primary)

    @property
    def maps(self) -> bool:
        return self.c["outputs"]["maps"]

    @cached_property
    def map_regions(self):  # reads the bundled boundaries once per run, not once per map step
        return map_regions(self.c, self.data if self.all_data is None else self.all_data)

    def panel(self, name: str) -> tuple[pd.DataFrame, str, str]:
        """A panel table with its id and time column names."""
        spec = next(t for t in self.c["inputs"]["tables"] if t["name"] == name)
        panel = self.panels[name]
        return panel, panel.columns[0], spec["time"]


def _run_into(cfg: Config, root: Path, steps: Steps) -> RunResult:
    data, panels, input_files = load_inputs(cfg, steps)
    with steps.step("derive variables"):
        data, notes = derive(data, (cfg.data.get("variables") or {}).get("derived"), cfg)
        check_variables(cfg, data, panels)
    data = data.sort_index(kind="stable")
    data.index = data.index.astype(str)
    keep = [col for col in data.columns if col == data.geometry.name or col in ("name_zh", "name_en", "group")
            or pd.api.types.is_numeric_dtype(data[col])]
    ctx = _Ctx(cfg, root, steps, _Writer(root), data, panels, notes, {}, [], {"regions": data[keep]})

    wsummaries = _weights_step(ctx)
    _choropleth_step(ctx)
    _global_step(ctx)
    _local_step(ctx, "lisa")
    _local_step(ctx, "gistar")
    _by_year_step(ctx)
    _models_step(ctx)
    _panel_step(ctx)
    return _finish(ctx, input_files, wsummaries)


def _weights_step(ctx: _Ctx) -> dict:
    import spatialcluster as sc

    from ..weights import build_info

    specs = ctx.c.get("weights") or []
    while True:  # until no weights drop an island (dropping one may leave another without neighbours)
        for spec in specs:
            with ctx.steps.step(f"build weights {spec['name']}"):
                ctx.weights[spec["name"]] = _build_weights(sc, ctx.cfg, ctx.data, spec)
        dropped = [i for w in ctx.weights.values() for i in getattr(build_info(w), "dropped", None) or []]
        if not dropped:
            break
        _drop_regions(ctx, list(dict.fromkeys(dropped)))
    wsummaries, texts = {}, []
    for spec in specs:
        with ctx.steps.step(f"summarise weights {spec['name']}"):
            w = ctx.weights[spec["name"]]
            summary = sc.weights_summary(w, ctx.data)
            wsummaries[spec["name"]] = _summary_dict(summary)
            if getattr(summary, "crs_reason", None):
                wsummaries[spec["name"]]["distances"] = summary.crs_reason
            texts.append(f"[{spec['name']}]\n{summary.summary()}")
            ctx.steps.info(texts[-1])
    if wsummaries:
        # one column per specification, statistics as rows in the summary's own order
        table = pd.DataFrame.from_dict(wsummaries, orient="index").T.drop(index=["crs"], errors="ignore")
        table.index.name = "statistic"
        ctx.wr.table("weights_summary", table)
        ctx.sections.append({
            "title": "Spatial weights",
            "text": f"One column per weights specification; the first ({ctx.primary}) is used for the local statistics, "
                    "the maps and the models, the others check that global results do not hinge on the choice of weights."
                    + (f"\n\nIslands left out of every statistic and model (islands = \"drop\"): {', '.join(ctx.dropped.values())}; "
                       "the maps draw them as no data." if ctx.dropped else ""),
            "tables": [("Weights summary", table)], "log": "\n\n".join(texts),
        })
    return wsummaries


def _drop_regions(ctx: _Ctx, ids: list) -> None:
    """islands = "drop": leave the regions out of the data, the panels and the layers, then rebuild every
    weights specification on the rest, so that all steps analyse the same regions."""
    from ..weights._regions import label

    with ctx.steps.step("drop islands"):
        named = dict(zip(ids, label(ctx.data, ids), strict=True))
        ctx.dropped.update(named)
        ctx.all_data = ctx.data if ctx.all_data is None else ctx.all_data
        ctx.data = ctx.data.drop(index=ids)
        ctx.layers["regions"] = ctx.layers["regions"].drop(index=ids)
        ctx.panels.update({k: p[~p.iloc[:, 0].astype(str).isin(ids)].reset_index(drop=True) for k, p in ctx.panels.items()})
        ctx.weights.clear()
        warnings.warn(f"islands = \"drop\": {', '.join(named.values())} left out of the whole analysis (statistics, "
                      f"models, tables and layers); {len(ctx.data)} regions remain. The maps draw them as no data.",
                      SpatialClusterWarning, stacklevel=2)


def _choropleth_step(ctx: _Ctx) -> None:
    import spatialcluster as sc

    out = ctx.c["outputs"]
    if not (ctx.maps and out["choropleths"]):
        return
    imgs = []
    regions = ctx.map_regions
    with ctx.steps.step("choropleth maps", total=len(out["choropleths"])) as advance:
        for var in out["choropleths"]:
            imgs.append(ctx.wr.figure(f"choropleth_{var}", lambda ax, v=var: sc.plot.choropleth(
                regions, v, scheme=out["scheme"], k=out["classes"], ax=ax, title=_title(ctx.notes, v))))
            advance()
    ctx.sections.append({"title": "Maps", "text": _variables_text(out["choropleths"], ctx.notes), "images": imgs})


def _global_step(ctx: _Ctx) -> None:
    import spatialcluster as sc

    variables, perms = ctx.c["statistics"]["global"], ctx.c["statistics"]["permutations"]
    if not variables:
        return
    rows, imgs = [], []
    with ctx.steps.step(f"global Moran's I ({perms} permutations)", total=len(variables) * len(ctx.weights)) as advance:
        for var in variables:
            for wname, w in ctx.weights.items():
                g = sc.moran(ctx.data, var, w, permutations=perms, seed=ctx.seed)
                rows.append({"variable": var, "weights": wname, **{k: _num(getattr(g, k, np.nan)) for k in
                             ("I", "expected", "z_norm", "p_norm", "z_rand", "p_rand", "p_sim")}})
                if wname == ctx.primary and ctx.maps:
                    title = f"Moran scatter plot: {_title(ctx.notes, var)} ({wname} weights)"
                    imgs.append(ctx.wr.figure(f"moran_scatter_{var}",
                                              lambda ax, g=g, t=title: sc.plot.moran_scatter(g, ax=ax, title=t)))
                advance()
    table = pd.DataFrame(rows).set_index(["variable", "weights"])
    ctx.wr.table("moran", table)
    ctx.sections.append({"title": "Global spatial autocorrelation (Moran's I)",
                         "text": _MORAN_TEXT.format(perms=perms, seed=ctx.seed) + "\n\n" + CITATIONS["moran"],
                         "tables": [("Moran's I", table)], "images": imgs})


def _local_step(ctx: _Ctx, key: str) -> None:
    """LISA (``key="lisa"``) or Gi* (``key="gistar"``) for each variable, on the primary weights."""
    import spatialcluster as sc

    stats = ctx.c["statistics"]
    variables = stats["local" if key == "lisa" else "hotspots"]
    if not variables:
        return
    perms, alpha, corr = stats["permutations"], stats["alpha"], stats["correction"]
    func = sc.local_moran if key == "lisa" else partial(sc.getis_ord, star=True)
    draw_map = sc.plot.lisa_map if key == "lisa" else sc.plot.hotspot_map
    what = "LISA clusters" if key == "lisa" else "Gi* hot and cold spots"
    imgs, tabs, logs = [], [], []
    regions = ctx.map_regions if ctx.maps else None
    with ctx.steps.step(f"{'LISA' if key == 'lisa' else 'Getis-Ord Gi*'} ({perms} permutations)", total=len(variables)) as advance:
        for var in variables:
            res = func(ctx.data, var, ctx.w0, permutations=perms, seed=ctx.seed, alpha=alpha,
                       correction=None if corr == "none" else corr)
            frame = _frame(res)
            ctx.wr.table(f"{key}_{var}", frame)
            tabs.append((f"Regions per class: {var}", _counts(frame)))
            logs.append(f"{var}:\n{res.summary()}")
            ctx.layers[f"{key}_{var}"] = _with_geometry(ctx.data, frame)
            if ctx.maps:
                title = f"{what}: {_title(ctx.notes, var)}\n({perms} permutations, {corr} correction, alpha {alpha})"
                imgs.append(ctx.wr.figure(f"{key}_map_{var}", lambda ax, r=res, t=title: draw_map(
                    r, ax=ax, regions=regions, title=t)))
            advance()
    text = (_LISA_TEXT if key == "lisa" else _GI_TEXT).format(perms=perms, alpha=alpha, corr=corr, seed=ctx.seed, w=ctx.primary)
    cites = "\n\n" + CITATIONS[key] + ("\n\n" + CITATIONS["fdr"] if corr.startswith("fdr") else "")
    ctx.sections.append({"title": "Local clusters (LISA)" if key == "lisa" else "Hot and cold spots (Getis-Ord Gi*)",
                         "text": text + cites, "tables": tabs, "images": imgs, "log": "\n\n".join(logs)})


def _by_year_step(ctx: _Ctx) -> None:
    import spatialcluster as sc

    stats = ctx.c["statistics"]
    by = stats.get("by_year")
    if not by:
        return
    perms, alpha, corr = stats["permutations"], stats["alpha"], stats["correction"]
    panel, id_name, time = ctx.panel(by["table"])
    with ctx.steps.step("Moran's I and LISA by year", total=len(by["columns"])) as advance:
        for var in by["columns"]:
            _check_panel_years(panel, var, id_name, time, by["table"])
            kw = dict(id=id_name, time=time, permutations=perms, seed=ctx.seed)
            moran = sc.moran_by_year(panel, var, ctx.w0, **kw)
            lisa = sc.lisa_by_year(panel, var, ctx.w0, alpha=alpha, correction=None if corr == "none" else corr, **kw)
            mframe, transitions = _frame(moran), lisa.transitions()
            ctx.wr.table(f"moran_by_year_{var}", mframe)
            ctx.wr.table(f"lisa_by_year_{var}", _frame(lisa))
            ctx.wr.table(f"lisa_transitions_{var}", transitions)
            imgs = [ctx.wr.figure(f"moran_by_year_{var}", lambda ax, r=moran: r.plot(ax=ax))] if ctx.maps else []
            ctx.sections.append({"title": f"Clusters by year: {var}", "text": _BYYEAR_TEXT, "images": imgs,
                                 "tables": [(f"Moran's I by year: {var}", mframe), (f"LISA transitions: {var}", transitions)],
                                 "log": lisa.summary()})
            advance()


def _models_step(ctx: _Ctx) -> None:
    import spatialcluster as sc

    models = ctx.c["models"]
    if not (models.get("y") and (models["selection"] or models["cross_section"])):
        return
    y, x = models["y"], models["x"]
    tabs, imgs, logs, fitted = [], [], [], {}
    if models["selection"]:
        with ctx.steps.step("model selection"):
            sel = sc.select_model(ctx.data, y=y, x=x, w=ctx.w0)
            log = sel.log if isinstance(sel.log, str) else "\n".join(map(str, sel.log))
            ctx.wr.table("model_selection", sel.tests)
            ctx.wr.text("model_selection_log.txt", log)
            tabs.append(("Specification tests", sel.tests))
            logs.append(f"Recommended model: {sel.recommended}\n{log}")
            ctx.steps.info(f"recommended model: {sel.recommended}\n{log}")
    for model in models["cross_section"]:
        with ctx.steps.step(f"{model.upper()} model"):
            res = fitted[model] = sc.spillover(ctx.data, y=y, x=x, w=ctx.w0, model=model, seed=ctx.seed)
            coef = _frame(res)
            ctx.wr.table(f"model_{model}", coef)
            ctx.wr.text(f"model_{model}_journal.md", res.to_markdown())
            tabs.append((f"{model.upper()} coefficients", coef))
            eff = res.effects
            if isinstance(eff, pd.DataFrame) and len(eff):
                ctx.wr.table(f"effects_{model}", eff)
                shown = [col for col in EFFECT_COLUMNS if col in eff.columns] or list(eff.columns)
                ctx.steps.info(f"{model.upper()} effects on {y}:\n" + markdown_table(eff[shown]))
                tabs.append((f"{model.upper()} direct, indirect and total effects", eff))
                if ctx.maps:
                    imgs.append(ctx.wr.figure(f"effects_{model}", lambda ax, r=res, m=model: sc.plot.effects_plot(
                        r, ax=ax, title=f"{m.upper()}: direct, indirect and total effects on {y}")))
            logs.append(res.summary())
    robust = _effects_across_weights(ctx, y, x, fitted)
    if robust is not None:
        ctx.wr.table("effects_by_weights", robust)
        tabs.append(("Effects under every weights specification (robustness)", robust))
    text = _MODEL_TEXT.format(y=y, x=", ".join(x), w=ctx.primary) + "\n\n" + CITATIONS["selection"] + "\n\n" + CITATIONS["effects"]
    ctx.sections.append({"title": "Spillover models", "text": text, "tables": tabs, "images": imgs, "log": "\n\n".join(logs)})


def _effects_across_weights(ctx: _Ctx, y: str, x: list, fitted: dict) -> pd.DataFrame | None:
    """The models' effects under each weights specification (refitted on all but the primary), one row per
    (model, variable, weights)."""
    import spatialcluster as sc

    models = [m for m in fitted if m != "ols"]
    if len(ctx.weights) < 2 or not models:
        return None
    frames = []
    with ctx.steps.step("effects under every weights specification", total=len(models) * (len(ctx.weights) - 1)) as advance:
        for model in models:
            for wname, w in ctx.weights.items():
                if wname == ctx.primary:
                    eff = fitted[model].effects
                else:
                    eff = sc.spillover(ctx.data, y=y, x=x, w=w, model=model, seed=ctx.seed).effects
                    advance()
                if isinstance(eff, pd.DataFrame) and len(eff):
                    shown = [col for col in EFFECT_COLUMNS if col in eff.columns] or list(eff.columns)
                    frames.append(eff[shown].rename_axis("variable").reset_index().assign(model=model, weights=wname))
    if not frames:
        return None
    return pd.concat(frames, ignore_index=True).set_index(["model", "variable", "weights"])


def _panel_step(ctx: _Ctx) -> None:
    import spatialcluster as sc

    spec = ctx.c["models"].get("panel")
    if not spec:
        return
    panel, id_name, time = ctx.panel(spec["table"])
    with ctx.steps.step(f"panel {spec['model'].upper()} ({spec['effects']} effects)"):
        res = sc.spillover_panel(panel, y=spec["y"], x=spec["x"], w=ctx.w0, id=id_name, time=time,
                                 model=spec["model"], effects=spec["effects"], seed=ctx.seed)
        coef = _frame(res)
        ctx.wr.table(f"panel_{spec['model']}", coef)
        tabs = [("Coefficients", coef)]
        if isinstance(res.effects, pd.DataFrame) and len(res.effects):
            ctx.wr.table(f"panel_effects_{spec['model']}", res.effects)
            tabs.append(("Effects", res.effects))
    ctx.sections.append({"title": "Panel spillover model", "text": CITATIONS["panel"], "tables": tabs, "log": res.summary()})


def _finish(ctx: _Ctx, input_files: list, wsummaries: dict) -> RunResult:
    """The GeoPackage, the report and the manifest."""
    import spatialcluster as sc

    c, out = ctx.c, ctx.c["outputs"]
    if out["gpkg"]:
        with ctx.steps.step("GeoPackage"):
            styles = {"regions": {"column": out["choropleths"][0], "scheme": out["scheme"], "k": out["classes"]}} \
                if out["choropleths"] else None
            sc.to_geopackage(ctx.root / "results.gpkg", ctx.layers, styles=styles)
            ctx.wr.files.append("results.gpkg")
    versions = software_versions()
    manifest = {
        "spatialcluster": versions.get("spatialcluster"),
        "title": c["project"]["title"],
        "software": versions,
        "seeds": {"project": ctx.seed, "permutations": c["statistics"]["permutations"]},
        "inputs": _inputs_checksums(input_files),
        "config": _prune(c),
        "config_source": ctx.cfg.source,
        "config_file": ctx.cfg.name,
        "weights": wsummaries,
        "layers": sorted(ctx.layers) if out["gpkg"] else [],
        "dropped_islands": ctx.dropped,
        "variables": ctx.notes,
    }
    if out["report"]:
        with ctx.steps.step("HTML report"):
            meta = {"software": versions, "seeds": manifest["seeds"], "config file": ctx.cfg.name,
                    "inputs (sha256)": manifest["inputs"]}
            intro = {"title": "Data", "text": (c["project"]["description"] or "") + "\n\n" + _variables_text(list(ctx.notes), ctx.notes)}
            sections = [intro] + ctx.sections
            if ctx.steps.notes:
                sections.append({"title": "Notes", "text": "What the package changed or decided on the way, step by step.",
                                 "log": "\n".join(f"[{n['step']}] {n['message']}" for n in ctx.steps.notes)})
            sc.write_report(ctx.root / "report.html", title=c["project"]["title"], sections=sections, meta=meta)
            ctx.wr.files.append("report.html")
    ctx.wr.files.append("manifest.json")
    return RunResult(out=ctx.root, files=sorted(ctx.wr.files), manifest=manifest, data=ctx.data)


def _check_panel_years(panel: pd.DataFrame, column: str, id_name: str, time: str, table: str) -> None:
    """Name the years (and regions) without values before any statistic runs."""
    values = pd.to_numeric(panel[column], errors="coerce")
    missing = panel.loc[values.isna(), [id_name, time]]
    if missing.empty:
        return
    n_regions = panel[id_name].nunique()
    per_year = missing.groupby(time)[id_name].apply(list)
    empty = [str(y) for y, ids in per_year.items() if len(ids) == n_regions]
    some = {str(y): ids for y, ids in per_year.items() if len(ids) < n_regions}
    parts = []
    if empty:
        parts.append(f"no value at all in year(s) {', '.join(empty)}")
    if some:
        parts.append("; ".join(f"{y}: missing for {', '.join(map(str, ids[:10]))}{' ...' if len(ids) > 10 else ''}"
                               for y, ids in list(some.items())[:10]))
    raise InputError(
        f"panel table {table!r}, column {column!r}: {'; '.join(parts)}. Statistics by year need every region in every "
        "year: remove those years (or regions) from the table, or fill them from a sourced value."
    )


# --------------------------------------------------------------------------- adapters
def _build_weights(sc, cfg: Config, data, spec: dict):
    params = {k: spec[k] for k in ("k", "threshold", "power", "bandwidth", "function") if spec.get(k) is not None}
    if spec.get("path"):  # weights (kind "matrix") or distances (distance kinds), keyed by region ids
        table = sc.read_table(resolve_path(spec["path"], cfg.base))
        matrix = table.set_index(table.columns[0])
        matrix.index = matrix.index.astype(str)
        matrix.columns = matrix.columns.astype(str)
        params["matrix"] = matrix
    return sc.build_weights(data, kind=spec["kind"], islands=spec["islands"], transform=spec["transform"], **params)


def _summary_dict(summary) -> dict:
    """A weights summary as a flat, JSON-able dict whatever shape weights_summary returns."""
    if isinstance(summary, dict):
        d = summary
    elif isinstance(summary, pd.Series):
        d = summary.to_dict()
    elif isinstance(summary, pd.DataFrame):
        d = summary.iloc[:, 0].to_dict() if summary.shape[1] == 1 else summary.iloc[0].to_dict()
    elif hasattr(summary, "to_frame"):
        return _summary_dict(summary.to_frame())
    elif hasattr(summary, "__dict__"):
        d = {k: v for k, v in vars(summary).items() if not k.startswith("_")}
    else:
        d = {"summary": str(summary)}
    return {str(k): _jsonable(v) for k, v in d.items()}


def _prune(value):
    """The config as run without the keys left unset (None), as TOML would write it."""
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def _jsonable(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (list, tuple, set, np.ndarray, pd.Index)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return v if isinstance(v, (int, float, str, bool, type(None))) else str(v)


def _num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return np.nan


def _frame(res, index_name: str = "term") -> pd.DataFrame:
    frame = res.to_frame()
    if hasattr(frame, "geometry") and "geometry" in frame.columns:
        frame = pd.DataFrame(frame.drop(columns="geometry"))
    if frame.index.name is None and not isinstance(frame.index, pd.RangeIndex):
        frame = frame.rename_axis(index_name)
    return frame


def _counts(frame: pd.DataFrame) -> pd.DataFrame:
    col = "cluster" if "cluster" in frame.columns else "bin" if "bin" in frame.columns else None
    if col is None:
        return frame
    counts = frame[col].value_counts().sort_index()
    return counts.rename("regions").to_frame()


def _with_geometry(data, frame: pd.DataFrame):
    import geopandas as gpd

    frame = frame.copy()
    frame.index = frame.index.astype(str)
    names = [c for c in ("name_zh", "name_en", "name") if c in data.columns and c not in frame.columns]
    geo = data[names + [data.geometry.name]].join(frame, how="left")
    return gpd.GeoDataFrame(geo, geometry=data.geometry.name, crs=data.crs)


def _title(notes, name) -> str:
    """A map title: the variable's description up to its first colon (long ones), else its name."""
    text = " ".join(str(notes.get(name) or name).split())
    return text if len(text) <= 70 else text.split(":")[0][:70]


def _variables_text(names, notes) -> str:
    return "\n\n".join(f"{n}: {notes[n]}" for n in names if n in notes)


_MORAN_TEXT = (
    "Global Moran's I for each variable under each weights specification, with inference under normality, "
    "under randomization (analytic) and by {perms} random permutations (seed {seed}): the pseudo p-value is "
    "(M + 1) / (R + 1) with M of the R permuted values at least as extreme, two-sided (twice the smaller tail). "
    "A pattern that holds under every weights specification does not hinge on the choice of neighbours."
)
_LISA_TEXT = (
    "Local Moran's I with conditional permutation inference ({perms} permutations, seed {seed}) on the {w} weights. "
    "A region is labelled HH, LL, HL or LH only when its pseudo p-value is below {alpha} after the '{corr}' "
    "multiple-testing correction; otherwise 'ns'. Tables give the number of regions per label; the log shows the "
    "uncorrected and corrected counts side by side."
)
_GI_TEXT = (
    "Getis-Ord Gi* (the region itself included) with analytic z-scores and permutation pseudo p-values "
    "({perms} permutations, seed {seed}) on the {w} weights; bins -3..3 are cold/hot spots at 99/95/90 % confidence, 0 not significant."
)
_BYYEAR_TEXT = "Moran's I for each year and LISA labels per year with the transitions between consecutive years."
EFFECT_COLUMNS = ("direct", "direct_p", "indirect", "indirect_p", "total", "total_p")
_MODEL_TEXT = (
    "Dependent variable {y}; explanatory variables {x}; weights {w}. Model selection starts from OLS with the LM tests "
    "(and their robust forms), then tests the spatial Durbin model against its restrictions (SAR, SEM, SLX) by likelihood "
    "ratio. Effects of the Durbin model are the LeSage-Pace direct (mean diagonal of S_r(W)), indirect and total effects, "
    "with standard errors from simulating the estimator's asymptotic distribution. With several weights "
    "specifications, the last table repeats the effects under each of them: a spillover that changes sign or "
    "significance with the weights is not a robust finding."
)
