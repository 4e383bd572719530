"""Writing a run's tables, texts and figures into its build folder (atomically, with stable names)."""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import SpatialClusterWarning
from ..labels import caption
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

    Figures are written as PNG (which the report embeds) and the other ``formats`` (vector PDF,
    SVG) at ``dpi``; tables as CSV (UTF-8 with a byte-order mark when ``csv_bom``) and markdown,
    plus the ``table_formats`` LaTeX (booktabs) and Word. A table whose rows are regions gets
    their ``names`` (region id -> name) next to the ids.
    """

    def __init__(self, root: Path, formats=("png",), dpi: int = 120, table_formats=("csv",), csv_bom: bool = False,
                 names: pd.Series | None = None):
        self.root = root
        self.formats = ("png", *(f for f in formats if f != "png"))
        self.dpi = dpi
        self.table_formats = tuple(f for f in table_formats if f != "csv")
        self.csv_bom = csv_bom
        self.names = names
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

    def _named(self, df: pd.DataFrame) -> pd.DataFrame:
        """``df`` with region names next to the ids when its rows (first index level) are regions."""
        if self.names is None or "name" in df.columns or not len(df):
            return df
        ids = df.index.get_level_values(0).astype(str)
        if not ids.isin(self.names.index).all():
            return df
        from ..export.tables import with_names

        return with_names(df, names=self.names)

    def table(self, name: str, df: pd.DataFrame) -> Path:
        from ..export.tables import to_docx, to_latex

        df = self._named(df)
        path = self.root / "tables" / f"{self._stem('tables', name)}.csv"
        plain = isinstance(df.index, pd.RangeIndex) and df.index.name is None
        atomic_write_text(path, ("\ufeff" if self.csv_bom else "") + df.to_csv(lineterminator="\n", index=not plain))
        atomic_write_text(path.with_suffix(".md"), markdown_table(df))
        self.files += [f"tables/{path.name}", f"tables/{path.stem}.md"]
        for fmt in self.table_formats:
            target = path.with_suffix(f".{fmt}")
            (to_latex if fmt == "tex" else to_docx)(df, target, caption=name)
            self.files.append(f"tables/{target.name}")
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

        from ..plot import new_axes, save_figure

        ax = new_axes(None, figsize=(8, 6.5))
        fig = ax.figure
        try:
            draw(ax)
            for each in fig.axes:  # the steps' captions ("Emerging hot spots: ...") in the run's language
                each.title.set_text(caption(each.title.get_text()))
            fig.tight_layout()
            path = self.root / "maps" / f"{self._stem('maps', name)}.png"
            # No dates in the files: the same inputs give the same bytes.
            written = save_figure(fig, path, formats=self.formats, dpi=self.dpi)
        finally:
            plt.close(fig)
        self.files += [f"maps/{p.name}" for p in written]
        return path
