"""Writing a run's tables, texts and figures into its build folder (atomically, with stable names)."""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import SpatialClusterWarning
from .outdir import atomic_write_text


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


class Writer:
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
