"""Long region-by-period tables, checked once: :meth:`Panel.from_long`.

A long (tidy) panel has one row per region and period. The statistics by year, the panel models
and (in time) the indicators and the pipeline read it through :class:`Panel`, so a bad panel is
refused with the same messages everywhere: missing columns (with "did you mean"), rows without a
region or period, repeated region-periods, non-numeric or missing values, gaps in evenly spaced
periods and region-periods without a row, each naming the offending regions and periods.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches

import numpy as np
import pandas as pd

from ._errors import InputError
from ._validate import _names, align

BALANCE = ("error", "drop-region", "drop-period", "ignore")
MISSING = ("error", "ignore")


def require_columns(frame: pd.DataFrame, names: Sequence[str], what: str = "the panel data") -> None:
    """Raise an InputError naming the absent ``names`` of ``frame`` with "did you mean" hints."""
    absent = [n for n in names if n not in frame.columns]
    if absent:
        hints = []
        for n in absent:
            close = get_close_matches(str(n), [str(c) for c in frame.columns], n=3)
            hints.append(f"{n!r}" + (f" (did you mean {', '.join(map(repr, close))}?)" if close else ""))
        raise InputError(f"column(s) {', '.join(hints)} not in {what}; columns are {_names(frame.columns)}")


def region_periods(frame: pd.DataFrame, id: str, time: str) -> str:
    """"region period" pairs of ``frame``'s rows, for messages (at most 20 named)."""
    return _names([f"{r} {t}" for r, t in zip(frame[id], frame[time])])


@dataclass(frozen=True)
class BalanceReport:
    """What :meth:`Panel.from_long` dropped to balance the panel (nothing unless asked).

    Attributes
    ----------
    rule : str
        The ``balance`` rule applied.
    absent : list of [region, period]
        Region-periods that had no row.
    dropped_regions, dropped_periods : list
        What the rule removed.
    """

    rule: str
    absent: list = field(default_factory=list)
    dropped_regions: list = field(default_factory=list)
    dropped_periods: list = field(default_factory=list)

    def summary(self) -> str:
        if not self.absent:
            return "balanced panel: every region has a row in every period"
        return (f"{len(self.absent)} region-period(s) had no row; balance={self.rule!r} dropped "
                f"{len(self.dropped_regions)} region(s) ({_names(self.dropped_regions)}) and "
                f"{len(self.dropped_periods)} period(s) ({_names(self.dropped_periods)})")

    def to_record(self) -> dict:
        return {"rule": self.rule, "absent": [[str(r), _plain(t)] for r, t in self.absent],
                "dropped_regions": [str(r) for r in self.dropped_regions],
                "dropped_periods": [_plain(t) for t in self.dropped_periods]}


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True, repr=False)
class Panel:
    """A checked long panel: one row per region and period, region ids as strings.

    Build it with :meth:`from_long`. Attributes: ``frame`` (the checked table, sorted by period
    and region), ``id``, ``time``, ``columns`` (tuple), ``ids``
    (the regions, sorted), ``periods`` (sorted) and ``report`` (:class:`BalanceReport`).
    """

    frame: pd.DataFrame
    id: str
    time: str
    columns: tuple
    report: BalanceReport

    @classmethod
    def from_long(cls, frame, id="code", time="year", columns=None, *, balance="error", missing="error",
                  numeric=True, regular=False):
        """Check a long table and return it as a :class:`Panel`.

        Parameters
        ----------
        frame : pandas.DataFrame
            One row per region and period; ``id`` may also be the index's name.
        id, time : str
            Region and period columns. Region ids are compared as strings.
        columns : str or list of str, optional
            The variables to check; default every other numeric column. Other columns (names,
            geometry) are kept as they are.
        balance : {"error", "drop-region", "drop-period", "ignore"}
            Region-periods without a row: refused (naming them), the incomplete regions or periods
            dropped (see ``report``), or left to the caller (e.g. checked period by period).
        missing : {"error", "ignore"}
            Missing values in ``columns``: refused, naming the region-periods (use
            :func:`spatialcluster.handle_missing` first to drop them by rule), or left to the caller.
        numeric : bool
            Convert ``columns`` to float, refusing text that is not a number.
        regular : bool
            Integer periods must be evenly spaced without gaps (yearly, or every 5 or 10 years),
            so that "the previous period" means the adjacent one.

        Returns
        -------
        Panel
        """
        if balance not in BALANCE:
            raise InputError(f"balance={balance!r} is not one of {BALANCE}")
        if missing not in MISSING:
            raise InputError(f"missing={missing!r} is not one of {MISSING}")
        if not isinstance(frame, pd.DataFrame):
            raise InputError(f"the panel must be a pandas DataFrame (one row per region and period), "
                             f"got {type(frame).__name__}")
        if id not in frame.columns and frame.index.name == id:
            frame = frame.reset_index()
        if columns is None:
            columns = [c for c in frame.select_dtypes("number").columns if c not in (id, time)]
        columns = [columns] if isinstance(columns, str) else list(columns)
        require_columns(frame, [id, time, *columns])
        df = frame.copy()  # other columns (names, geometry) are carried along unchecked
        if df[id].isna().any() or df[time].isna().any():
            raise InputError(f"{int(df[id].isna().sum() + df[time].isna().sum())} row(s) have no region id or "
                             "period; drop them")
        df[id] = df[id].astype(str)
        dup = df.duplicated([id, time], keep=False)
        if dup.any():
            raise InputError(
                f"duplicate region-periods: the panel repeats "
                f"{region_periods(df.loc[dup].drop_duplicates([id, time]), id, time)}. A panel needs exactly one row "
                "per region and period: aggregate or drop the duplicates."
            )
        for col in columns:
            _check_values(df, col, id, time, numeric, missing)
        periods = pd.Index(sorted(df[time].unique()))
        if regular:
            _check_gaps(periods)
        report = BalanceReport(balance)
        if balance != "ignore":
            df, report = _balance(df, id, time, periods, balance)
        df = df.sort_values([time, id], kind="stable").reset_index(drop=True)
        return cls(frame=df, id=id, time=time, columns=tuple(columns), report=report)

    @property
    def ids(self) -> pd.Index:
        return pd.Index(sorted(self.frame[self.id].unique()), name=self.id)

    @property
    def periods(self) -> pd.Index:
        return pd.Index(sorted(self.frame[self.time].unique()), name=self.time)

    def by_period(self) -> dict:
        """{period: the period's rows indexed by region id}, periods in order."""
        out = {}
        for period, part in self.frame.groupby(self.time, sort=True):
            out[period] = part.set_index(self.id)
        return out

    def in_order(self, w) -> pd.Index:
        """The regions in the order of ``w.unique_ids`` (as strings), after checking that the panel
        and the weights cover the same regions (a WeightsError names those in only one)."""
        as_text = {str(i): i for i in w.unique_ids}  # the panel's ids are text; the graph's may not be
        regions = pd.Index([as_text.get(r, r) for r in self.frame[self.id].unique()])
        align(pd.DataFrame(index=regions), w)
        return pd.Index(list(as_text))

    def wide(self, column, ids=None) -> np.ndarray:
        """``column`` as a periods x regions array (regions in ``ids`` order, default sorted)."""
        table = self.frame.pivot(index=self.time, columns=self.id, values=column)
        return table.reindex(index=self.periods, columns=self.ids if ids is None else ids).to_numpy()


def _check_values(df, col, id, time, numeric, missing):
    """Convert ``col`` to float (when ``numeric``) and refuse missing values (when asked), in place."""
    vals = pd.to_numeric(df[col], errors="coerce") if numeric else df[col]
    if numeric:
        bad = vals.isna() & df[col].notna()
        if bad.any():
            raise InputError(f"column {col!r} has non-numeric values at {region_periods(df[bad], id, time)}")
    if missing == "error" and vals.isna().any():
        raise InputError(
            f"column {col!r} is missing at {int(vals.isna().sum())} region-period(s): "
            f"{region_periods(df[vals.isna()], id, time)}. A balanced panel needs every value: impute these "
            "values or drop the affected regions (sc.handle_missing(..., missing='drop-region')) and rebuild "
            "the weights."
        )
    if numeric:
        df[col] = vals.astype(np.float64)


def _check_gaps(periods: pd.Index) -> None:
    """Refuse gaps in evenly spaced integer periods (census decades, five-year plans are complete)."""
    numeric = pd.api.types.is_numeric_dtype(periods.dtype)
    if not (numeric and np.all(np.mod(np.asarray(periods, dtype=float), 1) == 0) and len(periods) > 1):
        return
    steps = np.asarray(periods, dtype=np.int64)
    step = int(np.gcd.reduce(np.diff(steps)))
    full = np.arange(int(periods.min()), int(periods.max()) + 1, step)
    gaps = np.setdiff1d(full, steps)
    if len(gaps):
        raise InputError(
            f"the periods have gaps: {_names(gaps.tolist())} missing between {periods.min()} and "
            f"{periods.max()} (every {step}). Use evenly spaced periods (or relabel them) so fixed "
            "effects and any dynamics refer to adjacent periods."
        )


def _balance(df, id, time, periods, rule):
    """Refuse or drop the region-periods without a row; return (frame, report)."""
    ids = pd.Index(sorted(df[id].unique()))
    if len(df) == len(ids) * len(periods):
        return df, BalanceReport(rule)
    full = pd.MultiIndex.from_product([ids, periods], names=[id, time])
    absent = full.difference(pd.MultiIndex.from_frame(df[[id, time]])).to_frame(index=False)
    if rule == "error":
        raise InputError(
            f"unbalanced panel: {len(absent)} region-period(s) have no row: {region_periods(absent, id, time)}. "
            "Every region needs a row for every period (fill the gaps or drop the incomplete regions, e.g. "
            "Panel.from_long(..., balance='drop-region'))."
        )
    pairs = [[r, t] for r, t in zip(absent[id], absent[time])]
    if rule == "drop-region":
        regions = sorted(set(absent[id]))
        return df[~df[id].isin(regions)], BalanceReport(rule, pairs, dropped_regions=regions)
    dropped = sorted(set(absent[time]))
    return df[~df[time].isin(dropped)], BalanceReport(rule, pairs, dropped_periods=dropped)
