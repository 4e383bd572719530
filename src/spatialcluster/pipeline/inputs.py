"""Reading a run's inputs: the regions, the joined tables and the long panels; checking the variables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .config import Config, Problem, resolve_path, suggest
from .progress import Progress


def load_inputs(cfg: Config, progress: Progress):
    """Read the regions and tables, join the cross-section tables; panels stay long.

    Returns ``(data, panels, input_files)``.
    """
    import spatialcluster as sc

    inputs = cfg.settings.inputs
    files: list[Path] = []
    with progress.step("read regions"):
        if inputs.dataset:
            data = getattr(sc.datasets, inputs.dataset)()
            if isinstance(data, tuple):  # datasets that return (regions, panel)
                data = data[0]
            files += _dataset_files()
            progress.info(f"bundled dataset {inputs.dataset}: {len(data)} regions")
        else:
            path = resolve_path(inputs.regions, cfg.base)
            kw = {"layer": inputs.layer} if inputs.layer else {}
            data = sc.read_regions(path, id=inputs.id, encoding=inputs.encoding, **kw)
            files.append(path)
            progress.info(f"{path.name}: {len(data)} regions")
    panels: dict[str, pd.DataFrame] = {}
    for i, t in enumerate(inputs.tables):
        with progress.step(f"read and join table {t.name}"):
            if t.dataset:
                table = getattr(sc.datasets, t.dataset)()
                if t.on not in table.columns and table.index.name == t.on:
                    table = table.reset_index()
                label = f"bundled table {t.dataset}"
            else:
                path = resolve_path(t.path, cfg.base)
                table = sc.read_table(path, **t.read.kwargs())
                files.append(path)
                label = f"table {path.name}"
            keys = [t.on] + ([t.time] if t.time else [])
            require_columns(cfg, table, keys + list(t.columns or []), ("inputs", "tables", i), label)
            if t.columns:
                table = table[keys + [c for c in t.columns if c not in keys]]
            if t.years:
                table = table[pd.to_numeric(table[t.time], errors="coerce").between(*t.years)]
            if t.time:
                panels[t.name] = long_panel(data, table, on=t.on, how=t.how, time=t.time)
                progress.info(f"panel {t.name}: {len(panels[t.name])} region-years")
            else:
                data = sc.join(data, table, on=t.on, how=t.how, time=False)
                progress.info(f"joined {label}: {len(data)} regions")
    return data, panels, files


def long_panel(regions, table: pd.DataFrame, on: str, how: str, time: str) -> pd.DataFrame:
    """A long panel with the region id (the regions' index name) and ``time`` columns, sorted by both;
    keys matched to the regions by :func:`sc.join` (the pipeline and the ``panel`` command)."""
    import spatialcluster as sc

    joined = sc.join(regions[[regions.geometry.name]], table, on=on, how=how, time=time)
    long = pd.DataFrame(joined.drop(columns=joined.geometry.name))
    id_name = regions.index.name or "region"
    long.index = long.index.astype(str).rename(id_name)
    long = long.reset_index()
    return long.sort_values([id_name, time], kind="stable").reset_index(drop=True)


def _dataset_files() -> list[Path]:
    root = Path(__file__).resolve().parents[1] / "datasets"
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts)


def require_columns(cfg: Config, frame, names, where, what):
    problems = [
        Problem(where, f"column {n!r} is not in {what}.{suggest(n, frame.columns)} Columns: {', '.join(map(str, frame.columns[:30]))}")
        for n in names if n not in frame.columns
    ]
    if problems:
        raise cfg.error(problems)


def check_variables(cfg: Config, data: pd.DataFrame, panels: dict, steps) -> None:
    """Every variable a step names exists in the joined data (or its panel table); else ConfigError."""
    problems = []
    for var in (v for step in steps for v in step.variables(cfg.settings)):
        frame = data if var.table is None else panels[var.table]
        if var.name not in frame.columns:
            what = "variable" if var.table is None else "column"
            where = "the joined data" if var.table is None else "the panel table"
            problems.append(Problem(var.where, f"{what} {var.name!r} is not in {where}.{suggest(var.name, frame.columns)}"))
    if problems:
        raise cfg.error(problems)
