"""Gaps in a table (one "…" for Tibet): stop with the cells named, or drop whole regions or periods.

Spatial statistics need a value for every region of the weights, so a gap cannot be skipped
cell by cell. The two honest ways out drop a region from every period (the map loses it) or a
period for every region (the series loses it); which one is the analyst's choice, so the
default is to stop and list the gaps with what each choice would drop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._errors import InputError
from .names import NAME_ZH

MISSING = ("error", "drop-region", "drop-period")


@dataclass
class MissingReport:
    """What :func:`handle_missing` found and dropped.

    Attributes
    ----------
    cells : pandas.DataFrame
        One row per missing value: ``region``, ``period`` (None for a cross-section), ``column``.
    dropped_regions, dropped_periods : list
        What was removed (empty under ``missing="error"`` or when nothing was missing).
    rule : str
    rows_before, rows_after : int
    """

    cells: pd.DataFrame
    rule: str
    dropped_regions: list = field(default_factory=list)
    dropped_periods: list = field(default_factory=list)
    rows_before: int = 0
    rows_after: int = 0

    def summary(self) -> str:
        if self.cells.empty:
            return "no missing values"
        lines = [f"{len(self.cells)} missing value(s): {_cells(self.cells)}"]
        if self.dropped_regions:
            lines.append(f"missing='drop-region' dropped {len(self.dropped_regions)} region(s): "
                         f"{', '.join(map(_label, self.dropped_regions))}")
        if self.dropped_periods:
            lines.append(f"missing='drop-period' dropped {len(self.dropped_periods)} period(s): "
                         f"{', '.join(map(str, self.dropped_periods))}")
        lines.append(f"rows: {self.rows_before} -> {self.rows_after}")
        return "\n".join(lines)

    def to_record(self) -> dict:
        """JSON-able: the rule, what was dropped, and the missing cells."""
        return {
            "rule": self.rule,
            "missing_cells": [{k: (None if pd.isna(v) else str(v)) for k, v in row.items()}
                              for row in self.cells.to_dict("records")],
            "dropped_regions": [str(r) for r in self.dropped_regions],
            "dropped_periods": [p.item() if hasattr(p, "item") else p for p in self.dropped_periods],
            "rows_before": self.rows_before,
            "rows_after": self.rows_after,
        }

    def __str__(self) -> str:
        return self.summary()


def _label(region) -> str:
    name = NAME_ZH.get(str(region))
    return f"{region} ({name})" if name else str(region)


def _cells(cells: pd.DataFrame, limit: int = 12) -> str:
    shown = []
    for row in cells.head(limit).itertuples(index=False):
        where = _label(row.region) + ("" if row.period is None or pd.isna(row.period) else f" in {row.period}")
        shown.append(f"{row.column!r} for {where}")
    more = f" ... and {len(cells) - limit} more" if len(cells) > limit else ""
    return "; ".join(shown) + more


def handle_missing(frame: pd.DataFrame, columns=None, *, id=None, time=None, missing="error"):
    """Apply one rule to the missing values of a long panel or a cross-section.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per region (and period).
    columns : str or list of str, optional
        The columns that must be complete; by default every numeric column except ``id`` and ``time``.
    id : str, optional
        Region column; by default the index.
    time : str, optional
        Period column of a panel; None for a cross-section.
    missing : {"error", "drop-region", "drop-period"}
        ``"error"`` raises :class:`InputError` naming every gap (region, period, column) and what
        each other rule would drop; ``"drop-region"`` removes every row of a region with a gap in
        any period; ``"drop-period"`` removes every row of a period with a gap (panels only).

    Returns
    -------
    (pandas.DataFrame, MissingReport)
        The frame without the dropped rows (index and column order kept), and the report.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"handle_missing needs a DataFrame, not {type(frame).__name__}.")
    if missing not in MISSING:
        raise InputError(f"missing={missing!r} is not one of {MISSING}.")
    if time is not None and time not in frame.columns:
        raise InputError(f"no time column {time!r}; columns are {[str(c) for c in frame.columns]}.")
    if id is not None and id not in frame.columns:
        raise InputError(f"no region column {id!r}; columns are {[str(c) for c in frame.columns]}.")
    if missing == "drop-period" and time is None:
        raise InputError("missing='drop-period' needs a panel: pass time='<period column>' "
                         "(a cross-section can only use missing='drop-region' or 'error').")
    if columns is None:
        columns = [c for c in frame.select_dtypes("number").columns if c not in (id, time)]
    columns = [columns] if isinstance(columns, str) else list(columns)
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise InputError(f"no column(s) {absent}; columns are {[str(c) for c in frame.columns]}.")

    # positions, not labels: a joined panel repeats each region id once per period
    regions = np.asarray(frame.index if id is None else frame[id]).astype(str)
    periods = frame[time].to_numpy() if time is not None else np.full(len(frame), None, dtype=object)
    rows, cols = np.nonzero(frame[columns].isna().to_numpy())
    cells = pd.DataFrame({"region": regions[rows], "period": periods[rows], "column": [columns[c] for c in cols]})
    report = MissingReport(cells=cells, rule=missing, rows_before=len(frame), rows_after=len(frame))
    if cells.empty:
        return frame, report
    bad_regions = list(dict.fromkeys(cells["region"]))
    bad_periods = sorted(set(cells["period"])) if time is not None else []
    if missing == "error":
        options = f"missing='drop-region' would drop {len(bad_regions)} region(s) ({', '.join(map(_label, bad_regions[:10]))})"
        if time is not None:
            options += f"; missing='drop-period' would drop {len(bad_periods)} period(s) ({', '.join(map(str, bad_periods))})"
        raise InputError(f"{len(cells)} missing value(s): {_cells(cells)}. Fill them, or choose a rule: {options}.")
    if missing == "drop-region":
        keep = ~np.isin(regions, bad_regions)
        report.dropped_regions = bad_regions
    else:
        keep = ~pd.Series(periods).isin(bad_periods).to_numpy()
        report.dropped_periods = bad_periods
    out = frame[keep]
    if out.empty:
        raise InputError(f"missing={missing!r} would drop every row: {_cells(cells)}. Fill some values or use the other rule.")
    report.rows_after = len(out)
    return out, report
