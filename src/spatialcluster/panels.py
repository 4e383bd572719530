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
from functools import cached_property
from difflib import get_close_matches

import numpy as np
import pandas as pd
from numba import njit

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


def complete_periods(long_df: pd.DataFrame, column: str, id: str = "code", time: str = "year") -> list:
    """The periods in which every region of a long panel has a value of ``column``, ascending.

    Examples
    --------
    >>> panel = sc.datasets.china_provinces_panel()
    >>> sc.complete_periods(panel, "urban_rate")          # doctest: +SKIP
    """
    require_columns(long_df, [id, time, column])
    values = pd.to_numeric(long_df[column], errors="coerce")
    filled = values.notna().groupby(long_df[time]).sum()
    regions = long_df[id].nunique()
    return sorted(t.item() if isinstance(t, np.generic) else t for t, n in filled.items() if n == regions)


def complete_run(long_df: pd.DataFrame, column: str, id: str = "code", time: str = "year") -> list:
    """The longest run of adjacent periods in which every region has a value of ``column`` (the latest
    run on a tie), e.g. to fit a Markov chain or a dynamic panel on one gap-free stretch of years.

    Periods are adjacent when they follow each other in the table and, for integer periods, lie one
    step apart (the table's common spacing: 1 for years, 10 for census decades), so 2012 and 2015
    never join a run when 2013-2014 are absent. Returns an empty list when no period is complete.
    """
    periods = sorted(pd.unique(long_df[time].dropna()).tolist()) if time in long_df.columns else []
    complete = set(complete_periods(long_df, column, id, time))
    step = _integer_step(pd.Index(periods))
    best, run = [], []
    for t in periods:
        follows = bool(run) and (step is None or t - run[-1] == step)
        run = (run + [t] if follows else [t]) if t in complete else []
        if len(run) >= len(best):
            best = run
    return best


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
    and region), ``id``, ``time``, ``columns`` (tuple), ``ids`` (the regions, sorted),
    ``periods`` (sorted, named ``time``), ``first_seen`` (the regions in the order of their
    first row) and ``report`` (:class:`BalanceReport`).
    """

    id: str
    time: str
    columns: tuple
    report: BalanceReport
    first_seen: pd.Index
    periods: pd.Index
    # The checked rows in their given order, with the regions' and periods' codes (positions in
    # first_seen / periods): wide() is a reshape or one scatter, and the sorted ``frame`` and
    # ``ids`` are only built when asked for (they cost more than the checks on 10**7 rows).
    _rows: pd.DataFrame = field(compare=False)
    _codes: np.ndarray = field(compare=False)
    _tcodes: np.ndarray = field(compare=False)
    _layout: int = field(compare=False)  # 1: sorted by region and period, 2: by period and region, complete

    @classmethod
    def from_long(cls, frame, id="code", time="year", columns=None, *, balance="error", missing="error",
                  numeric=True, regular=False):
        """Check a long table and return it as a :class:`Panel`.

        Region and period keys are factorised once (integer codes), so duplicates, balance,
        sorting and :meth:`wide` are array operations: linear in the rows, without pivots, and
        without any reordering when the table is already sorted and complete.

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
            Convert ``columns`` to float, refusing text that is not a number (columns of a
            numeric dtype are converted without a per-value check).
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
        if id not in frame.columns and id in [name for name in frame.index.names if name is not None]:
            frame = frame.reset_index()
        if columns is None:
            columns = [c for c in frame.select_dtypes("number").columns if c not in (id, time)]
        columns = [columns] if isinstance(columns, str) else list(columns)
        require_columns(frame, [id, time, *columns])
        codes, first_seen = pd.factorize(frame[id], sort=False)
        tcodes, periods = pd.factorize(frame[time], sort=True)
        if (codes < 0).any() or (tcodes < 0).any():
            raise InputError(f"{int((codes < 0).sum() + (tcodes < 0).sum())} row(s) have no region id or "
                             "period; drop them")
        codes, first_seen = _text_codes(codes, first_seen)
        codes, tcodes = codes.astype(np.int64, copy=False), tcodes.astype(np.int64, copy=False)
        n, t = len(first_seen), len(periods)
        layout = _layout(codes, tcodes, n, t)  # a sorted complete panel has no duplicates or gaps
        flat = None if layout else codes * t + tcodes
        seen = None if layout else np.bincount(flat, minlength=n * t)
        if not layout and (len(flat) > n * t or (seen > 1).any()):
            dup = seen[flat] > 1
            rows = pd.DataFrame({id: first_seen.to_numpy()[codes[dup]], time: frame[time].to_numpy()[dup]})
            raise InputError(
                f"duplicate region-periods: the panel repeats "
                f"{region_periods(rows.drop_duplicates([id, time]), id, time)}. A panel needs exactly one row "
                "per region and period: aggregate or drop the duplicates."
            )
        df = frame.copy(deep=False)  # a converted column replaces, never overwrites, the caller's
        for col in columns:
            _check_values(df, col, _Named(df, first_seen, codes, id, time), numeric, missing)
        if regular:
            _check_gaps(periods)
        report = BalanceReport(balance)
        if balance != "ignore" and not layout and len(flat) < n * t:
            keep, report = _balance(seen.reshape(n, t) > 0, first_seen, periods, balance, id, time)
            kept = keep[flat]
            df, flat = df[kept], flat[kept]
            codes, tcodes, first_seen, periods = _renumber(flat, t, first_seen, periods)
            layout = _layout(codes, tcodes, len(first_seen), len(periods))
        return cls(id=id, time=time, columns=tuple(columns), report=report, first_seen=first_seen.rename(id),
                   periods=pd.Index(periods, name=time), _rows=df, _codes=codes, _tcodes=tcodes, _layout=layout)

    @cached_property
    def ids(self) -> pd.Index:
        """The regions, sorted (as text)."""
        return self.first_seen.sort_values()

    @cached_property
    def frame(self) -> pd.DataFrame:
        """The checked table, region ids as text, sorted by period and region."""
        n, t = len(self.first_seen), len(self.periods)
        rank = self.first_seen.get_indexer(self.ids)  # sorted position -> first-seen code
        sorted_code = np.empty(n, np.int64)
        sorted_code[rank] = np.arange(n)
        key = self._tcodes * n + sorted_code[self._codes]
        df = self._rows.copy()  # other columns (names, geometry) are carried along unchecked
        df[self.id] = df[self.id].astype(str)
        if not _sequential(key):
            df = df.take(np.argsort(key, kind="stable"))
        return df.reset_index(drop=True)

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
        regions = pd.Index([as_text.get(r, r) for r in self.first_seen])
        align(pd.DataFrame(index=regions), w)
        return pd.Index(list(as_text))

    def wide(self, column, ids=None) -> np.ndarray:
        """``column`` as a periods x regions array (regions in ``ids`` order, default sorted), NaN
        where a region-period has no row; C-ordered, as a pivot gives it, so the models' products
        add in the same order to the last bit."""
        return np.ascontiguousarray(self.by_region(column, ids).T)

    def by_region(self, column, ids=None) -> np.ndarray:
        """``column`` as a regions x periods array (regions in ``ids`` order, default sorted), NaN
        where a region-period has no row. A view of the column when the rows are sorted by region
        and period and complete; ``ids=panel.first_seen`` keeps the regions in the table's order."""
        values = self._rows[column].to_numpy()
        n, t = len(self.first_seen), len(self.periods)
        if self._layout == 1:
            table = values.reshape(n, t)
        elif self._layout == 2:
            table = values.reshape(t, n).T
        else:
            table = np.full((n, t), np.nan, dtype=np.result_type(values.dtype, np.float64))
            table[self._codes, self._tcodes] = values
        target = self.ids if ids is None else pd.Index(ids)
        if target is self.first_seen or target.equals(self.first_seen):
            return table
        pos = self.first_seen.get_indexer(target)
        if (pos < 0).any():
            raise InputError(f"region(s) not in the panel: {_names(target[pos < 0])}")
        return table[pos]


class _Named:
    """The region-periods (ids as text) of a mask of rows, for the messages of :func:`region_periods`."""

    def __init__(self, df, first_seen, codes, id, time):
        self.df, self.first_seen, self.codes, self.keys = df, first_seen, codes, (id, time)

    def __call__(self, mask):
        id, time = self.keys
        return pd.DataFrame({id: self.first_seen.to_numpy()[self.codes[mask]], time: self.df[time].to_numpy()[mask]})


def as_text(ids) -> pd.Index:
    """Region ids as a text Index (unchanged when they are text already): a panel's and a graph's
    ids are compared as text."""
    ids = pd.Index(ids.categories[ids.codes] if isinstance(ids, pd.Categorical) else ids)
    if pd.api.types.is_string_dtype(ids.dtype) and (ids.dtype != object or all(isinstance(u, str) for u in ids)):
        return ids
    return pd.Index(np.asarray(ids).astype(str))


def _text_codes(codes, uniques):
    """Region ids as text: (codes, text uniques), merging ids that only differ in type (1 and "1")."""
    uniques = as_text(uniques)
    if not uniques.is_unique:
        codes, uniques = pd.factorize(uniques.to_numpy()[codes], sort=False)
        uniques = as_text(uniques)
    return codes, uniques


def _renumber(flat, t, first_seen, periods):
    """Codes of the rows kept by balancing, against the kept regions and periods."""
    codes, tcodes = flat // t, flat % t
    used, used_t = np.unique(codes), np.unique(tcodes)
    remap = np.full(len(first_seen), -1, np.int64)
    remap[used] = np.arange(len(used))
    remap_t = np.full(len(periods), -1, np.int64)
    remap_t[used_t] = np.arange(len(used_t))
    return remap[codes], remap_t[tcodes], first_seen[used], periods[used_t]


@njit(cache=True)
def _layout(codes, tcodes, n, t):
    """1 if row r is region r // t in period r % t, 2 if it is period r // n and region r % n (a
    complete panel sorted either way), else 0; stops at the first miss."""
    if codes.shape[0] != n * t:
        return 0
    by_region = by_period = True
    for r in range(codes.shape[0]):
        by_region = by_region and codes[r] * t + tcodes[r] == r
        by_period = by_period and tcodes[r] * n + codes[r] == r
        if not (by_region or by_period):
            return 0
    return 1 if by_region else 2


@njit(cache=True)
def _sequential(key):
    """Whether ``key[r] == r`` for every row (already in the wanted order), stopping at the first miss."""
    for r in range(key.shape[0]):
        if key[r] != r:
            return False
    return True


def _check_values(df, col, named, numeric, missing):
    """Convert ``col`` to float (when ``numeric``) and refuse missing values (when asked), in place;
    ``named(mask)`` gives the region-periods of the rows in ``mask`` for the messages."""
    is_number = pd.api.types.is_numeric_dtype(df[col].dtype)
    vals = pd.to_numeric(df[col], errors="coerce") if numeric and not is_number else df[col]
    if numeric and not is_number:
        bad = (vals.isna() & df[col].notna()).to_numpy()
        if bad.any():
            raise InputError(f"column {col!r} has non-numeric values at {region_periods(named(bad), *named.keys)}")
    if missing == "error" and vals.isna().any():
        absent = vals.isna().to_numpy()
        raise InputError(
            f"column {col!r} is missing at {int(absent.sum())} region-period(s): "
            f"{region_periods(named(absent), *named.keys)}. A balanced panel needs every value: impute these "
            "values or drop the affected regions (sc.handle_missing(..., missing='drop-region')) and rebuild "
            "the weights."
        )
    if numeric and vals.dtype != np.float64:
        df[col] = vals.astype(np.float64)


def _integer_step(periods: pd.Index) -> int | None:
    """The common spacing of integer-valued periods (1 for years, 10 for census decades); None for
    other periods (dates, labels) or fewer than two."""
    numeric = pd.api.types.is_numeric_dtype(periods.dtype)
    if not (numeric and len(periods) > 1 and np.all(np.mod(np.asarray(periods, dtype=float), 1) == 0)):
        return None
    return int(np.gcd.reduce(np.diff(np.asarray(periods, dtype=np.int64))))


def _check_gaps(periods: pd.Index) -> None:
    """Refuse gaps in evenly spaced integer periods (census decades, five-year plans are complete)."""
    step = _integer_step(periods)
    if step is None:
        return
    full = np.arange(int(periods.min()), int(periods.max()) + 1, step)
    gaps = np.setdiff1d(full, np.asarray(periods, dtype=np.int64))
    if len(gaps):
        raise InputError(
            f"the periods have gaps: {_names(gaps.tolist())} missing between {periods.min()} and "
            f"{periods.max()} (every {step}). Use evenly spaced periods (or relabel them) so that "
            "lags and transitions refer to adjacent periods."
        )


def _balance(have, first_seen, periods, rule, id, time):
    """Refuse or drop the region-periods without a row (``have``: regions in first-seen order x
    periods, True where a row exists); return (``keep`` over the flat region-periods, report)."""
    order = np.argsort(first_seen.to_numpy(), kind="stable")  # the report lists regions sorted
    rows, cols = np.nonzero(~have[order])
    absent = pd.DataFrame({id: first_seen[order][rows], time: periods[cols]})
    if rule == "error":
        raise InputError(
            f"unbalanced panel: {len(absent)} region-period(s) have no row: {region_periods(absent, id, time)}. "
            "Every region needs a row for every period (fill the gaps or drop the incomplete regions, e.g. "
            "Panel.from_long(..., balance='drop-region'))."
        )
    drop_r, drop_p = to_drop(have, rule)
    report = BalanceReport(rule, [[r, t] for r, t in zip(absent[id], absent[time])],
                           dropped_regions=sorted(first_seen[drop_r]), dropped_periods=list(periods[drop_p]))
    return (~drop_r[:, None] & ~drop_p[None, :]).ravel(), report


def to_drop(have: np.ndarray, rule: str) -> tuple[np.ndarray, np.ndarray]:
    """The regions and periods (boolean masks) that ``rule`` drops to complete ``have``.

    ``have`` is regions x periods, True where observed. ``"drop-region"`` drops every region with
    a gap, ``"drop-period"`` every period with one, ``"drop-both"`` first the periods observed in
    fewer regions than the best-covered period, then the regions still incomplete. The one
    balancing rule of :meth:`Panel.from_long` and :func:`spatialcluster.balance_panel`.
    """
    none_r, none_p = np.zeros(have.shape[0], bool), np.zeros(have.shape[1], bool)
    if rule == "drop-region":
        return ~have.all(axis=1), none_p
    if rule == "drop-period":
        return none_r, ~have.all(axis=0)
    cover = have.mean(axis=0)
    drop_p = cover < cover.max() if have.size else none_p
    return ~have[:, ~drop_p].all(axis=1), drop_p
