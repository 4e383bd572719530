"""Running a validated config: every registered step, into a self-describing output folder.

The folder holds ``results.gpkg`` (styled layers), ``maps/*.png``, ``tables/*.csv`` and ``.md``,
``report.html`` and ``manifest.json`` (versions, seeds, input checksums, the config as run,
weights summaries, timings). Tables and layers depend only on the inputs and the config (seeded
permutations, stable ordering); timings appear only in the manifest. The steps are
:data:`spatialcluster.pipeline.steps.STEPS`; each gives the report one section.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import _progress, labels
from ..plot._china import china_maps
from .config import Config, resolve_path
from .context import Context, Section, variables_text
from .derive import derive, derive_panels
from .inputs import check_variables, load_inputs
from .manifest import manifest, software_versions
from .outdir import atomic_write_text, staged_folder
from .progress import Progress
from .steps import STEPS
from .writer import Writer


@dataclass
class RunResult:
    """What a run wrote: the output folder, its files (relative paths) and the manifest."""

    out: Path
    files: list[str]
    manifest: dict
    data: pd.DataFrame | None = None

    def __repr__(self) -> str:
        return f"RunResult(out={str(self.out)!r}, files={len(self.files)})"


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
    progress = Progress(quiet)
    previous = _progress._ENABLED
    if quiet:
        _progress.set_progress(False)
    t_start = time.perf_counter()
    try:
        with (staged_folder(Path(out), overwrite, protect=_run_files(cfg)) as tmp,
              labels.using(cfg.settings.labels, lang=cfg.settings.outputs.lang),
              china_maps(include_sar_taiwan=cfg.settings.outputs.include_sar_taiwan)):
            result = _run_into(cfg, tmp, progress)
            result.manifest["notes"] = progress.notes
            progress.timings["total"] = round(time.perf_counter() - t_start, 4)
            result.manifest["timings_seconds"] = progress.timings
            atomic_write_text(tmp / "manifest.json", json.dumps(result.manifest, indent=2, ensure_ascii=False, default=str) + "\n")
        result.out = Path(out).expanduser().absolute()
        return result
    finally:
        _progress.set_progress(previous)


def _run_files(cfg: Config) -> list[Path]:
    """The config file and every input it names: the output folder may not be or hold any of them."""
    s = cfg.settings
    names = [s.inputs.regions] + [t.path for t in s.inputs.tables] + [w.path for w in s.weights]
    config = cfg.base / Path(cfg.name).name
    return [resolve_path(n, cfg.base) for n in names if n] + ([config] if config.is_file() else [])


def _run_into(cfg: Config, root: Path, progress: Progress) -> RunResult:
    data, panels, input_files = load_inputs(cfg, progress)
    with progress.step("derive variables"):
        data, notes = derive(data, cfg.data["variables"]["derived"], cfg)
        times = {t.name: t.time for t in cfg.settings.inputs.tables if t.time}
        panels, panel_notes = derive_panels(panels, cfg.data["variables"]["derived"], times, cfg)
        notes.update(panel_notes)
        check_variables(cfg, data, panels, STEPS)
    data = data.sort_index(kind="stable")
    data.index = data.index.astype(str)
    keep = [col for col in data.columns if col == data.geometry.name or col in ("name_zh", "name_en", "group")
            or pd.api.types.is_numeric_dtype(data[col])]
    out = cfg.settings.outputs
    writer = Writer(root, formats=out.formats, dpi=out.dpi, table_formats=out.tables, csv_bom=out.csv_bom,
                    names=_region_names(data, out.lang))
    ctx = Context(cfg, root, progress, writer, data, panels, notes, {"regions": data[keep]})
    sections = []
    for step in STEPS:
        if step.enabled(cfg.settings):
            got = step.run(ctx)
            sections += got if isinstance(got, list) else [got] if got is not None else []
    return _finish(ctx, input_files, sections)


def _region_names(data, lang: str) -> pd.Series | None:
    """Region id -> name for the tables: the data's own name column in ``lang``, else the bundled
    names of Chinese codes; None when neither names every region."""
    from ..export.tables import NAME_COLUMNS, region_names

    own = next((c for c in NAME_COLUMNS[lang] if c in data.columns), None)
    names = data[own] if own else region_names(data.index, lang)
    names.index = data.index.astype(str)
    return names if names.notna().all() else None


def _describe(ctx: Context) -> pd.DataFrame | None:
    """N, mean, sd, min and max of the analysed variables (tables/descriptive_statistics), labelled."""
    import spatialcluster as sc

    s = ctx.settings
    st = s.statistics
    names = [*s.outputs.choropleths, *st.global_, *st.local, *st.hotspots, *st.geary, s.models.y, *s.models.x]
    names = [n for n in dict.fromkeys(names) if n in ctx.data.columns]
    if not names:
        return None
    table = sc.describe(ctx.data, names)
    ctx.wr.table("descriptive_statistics", table)
    return table


def _finish(ctx: Context, input_files: list, sections: list[Section]) -> RunResult:
    """The GeoPackage, the report and the manifest."""
    import spatialcluster as sc

    s = ctx.settings
    out = s.outputs
    if out.gpkg:
        with ctx.progress.step("GeoPackage"):
            styles = dict(ctx.styles)
            if out.choropleths:
                styles["regions"] = {"column": out.choropleths[0], "scheme": out.scheme, "k": out.classes}
                if out.bins:
                    styles["regions"]["bins"] = list(out.bins)
            sc.to_geopackage(ctx.root / "results.gpkg", ctx.layers, styles=styles or None, crs=out.gpkg_crs)
            ctx.wr.files.append("results.gpkg")
    described = _describe(ctx)
    versions = software_versions()
    record = manifest(ctx, input_files, versions)
    if out.report:
        with ctx.progress.step("HTML report"):
            meta = {"software": versions, "seeds": record["seeds"], "config file": ctx.cfg.name,
                    "inputs (sha256)": record["inputs"]}
            intro = Section("Data", (s.project.description or "") + "\n\n" + variables_text(list(ctx.notes), ctx.notes),
                            tables=[(labels.term("descriptive_statistics"), described)] if described is not None else [])
            notes = [Section("Notes", "What the package changed or decided on the way, step by step.",
                             log="\n".join(f"[{n['step']}] {n['message']}" for n in ctx.progress.notes))]
            sc.write_report(ctx.root / "report.html", title=s.project.title,
                            sections=[intro, *sections, *(notes if ctx.progress.notes else [])], meta=meta,
                            lang=out.lang)
            ctx.wr.files.append("report.html")
    ctx.wr.files.append("manifest.json")
    return RunResult(out=ctx.root, files=sorted(ctx.wr.files), manifest=record, data=ctx.data)
