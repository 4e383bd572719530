"""Long panels as a regions x periods matrix, validated once for every method of the package.

The methods over time need a balanced panel: every region observed in every period. Building
the matrix here (factorised keys scattered into a NumPy array, not a pandas pivot) keeps the
Markov chains linear in the number of rows even at 10**7 region-years.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numba import njit

from .._errors import InputError, SpatialClusterWarning, WeightsError
from .._validate import _names


@dataclass
class Panel:
    """A balanced panel: ``values[i, t]`` is region ``ids[i]`` in period ``periods[t]``.

    ``dropped`` lists the regions removed by ``balance=True`` with the periods they missed.
    """

    values: np.ndarray
    ids: pd.Index
    periods: list
    variable: str
    dropped: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.values.shape[0]

    @property
    def t(self) -> int:
        return self.values.shape[1]

    def column(self, t) -> np.ndarray:
        return self.values[:, self.periods.index(t)]


def _frame(long_df, names, id):
    if not isinstance(long_df, pd.DataFrame):
        raise InputError(
            f"the panel must be a DataFrame with one row per region and period, got {type(long_df).__name__}")
    frame = long_df
    if id not in frame.columns and id in (frame.index.names or []):
        frame = frame.reset_index()
    missing = [c for c in (id, *names) if c not in frame.columns]
    if missing:
        raise InputError(
            f"the panel has no column(s) {', '.join(map(repr, missing))}; pass id=, time= and the variable's "
            f"name (columns are: {', '.join(map(str, list(frame.columns)[:20]))})")
    return frame


def panel(long_df, column, id, time, *, balance=False, min_periods=2, what="this method") -> Panel:
    """Validate a long panel and return it as a :class:`Panel` (regions in first-seen order).

    Errors name the regions and periods at fault: repeated region/period pairs, non-numeric
    values, missing cells (an unbalanced panel; ``balance=True`` drops the incomplete regions
    with a :class:`SpatialClusterWarning` listing them), and fewer than ``min_periods`` periods.
    """
    frame = _frame(long_df, [time, column], id)
    codes, uniq = pd.factorize(frame[id], sort=False)
    tcodes, periods = pd.factorize(frame[time], sort=True)
    if (codes < 0).any() or (tcodes < 0).any():
        raise InputError(f"the panel has rows without a region id ({id!r}) or period ({time!r}); drop them first")
    ids = _as_text(uniq).rename(id)
    periods = list(periods.tolist())
    n, t = len(ids), len(periods)
    if t < min_periods:
        raise InputError(
            f"{what} needs at least {min_periods} periods; the panel has {t} ({_names(periods)}) in column {time!r}")
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(values) & frame[column].notna().to_numpy()
    if bad.any():
        raise InputError(f"column {column!r} has non-numeric values for region/period "
                         f"{_names(_pairs(ids, periods, codes[bad], tcodes[bad]))}; convert or drop them")
    if len(codes) == n * t and _sequential(codes, tcodes, t):
        matrix = values.reshape(n, t)  # sorted by region, then period, and complete: no scatter needed
    else:
        flat = codes.astype(np.int64) * t + tcodes
        seen = np.bincount(flat, minlength=n * t)
        if (seen > 1).any():
            cells = np.flatnonzero(seen > 1)
            raise InputError(f"the panel repeats region/period pairs: "
                             f"{_names(_pairs(ids, periods, cells // t, cells % t))}; keep one row each")
        matrix = np.full(n * t, np.nan)
        matrix[flat] = values
        matrix = matrix.reshape(n, t)
    holes = np.isnan(matrix)
    dropped = {}
    if holes.any():
        rows = np.flatnonzero(holes.any(axis=1))
        report = {ids[r]: [periods[c] for c in np.flatnonzero(holes[r])] for r in rows}
        listing = "; ".join(f"{k}: {_names(v, 6)}" for k, v in list(report.items())[:10])
        more = f" ... and {len(report) - 10} more regions" if len(report) > 10 else ""
        if not balance:
            raise InputError(
                f"unbalanced panel: {len(report)} of {n} regions lack {column!r} in some periods ({listing}{more}). "
                f"{what} needs every region in every period: pass balance=True to drop these regions (a warning "
                "lists them), or fill/drop them yourself with sc.handle_missing(...).")
        warnings.warn(f"balance=True dropped {len(report)} region(s) with missing {column!r}: {listing}{more}",
                      SpatialClusterWarning, stacklevel=3)
        keep = ~holes.any(axis=1)
        if keep.sum() < 2:
            raise InputError(f"after dropping incomplete regions fewer than 2 remain ({listing}{more})")
        matrix, ids, dropped = matrix[keep], ids[keep], report
    return Panel(values=matrix, ids=ids, periods=periods, variable=str(column), dropped=dropped)


@njit(cache=True)
def _sequential(codes, tcodes, t):
    """Whether row r is region r // t in period r % t (a sorted, complete panel), stopping at the first miss."""
    for r in range(codes.shape[0]):
        if codes[r] * t + tcodes[r] != r:
            return False
    return True


def _pairs(ids, periods, rows, cols):
    return [f"{ids[r]}/{periods[c]}" for r, c in zip(rows[:20], cols[:20])]


def _as_text(ids) -> pd.Index:
    """Region ids as a text Index (no conversion when they are text already)."""
    ids = pd.Index(ids.categories[ids.codes] if isinstance(ids, pd.Categorical) else ids)
    if ids.dtype == object and len(ids) and isinstance(ids[0], str) or pd.api.types.is_string_dtype(ids.dtype):
        return ids
    return pd.Index(np.asarray(ids).astype(str))


def with_weights(p: Panel, w, transform="r"):
    """Reorder the panel to the graph's regions; return (panel, CSR weights row-standardised or as given, graph).

    Regions dropped by balancing are taken out of the graph too (``Graph.subgraph``), with a warning.
    """
    from ..stats._core import as_graph

    g = as_graph(w)
    gids = _as_text(g.unique_ids)
    if p.dropped and len(gids.intersection(list(p.dropped))):
        g = g.subgraph([i for i in g.unique_ids if str(i) not in p.dropped])
        gids = _as_text(g.unique_ids)
        warnings.warn(f"the weights lost the {len(p.dropped)} dropped region(s) and their links",
                      SpatialClusterWarning, stacklevel=3)
    pos = np.arange(p.n) if p.ids.equals(gids) else p.ids.get_indexer(gids)
    if (pos < 0).any() or len(gids) != p.n:
        extra_w = gids[pos < 0]
        extra_p = p.ids.difference(gids)
        parts = []
        if len(extra_w):
            parts.append(f"regions in the weights but not in the panel: {_names(extra_w)}")
        if len(extra_p):
            parts.append(f"regions in the panel but not in the weights: {_names(extra_p)}")
        raise WeightsError("; ".join(parts) + ". Build the weights from the same regions as the panel.")
    if not np.array_equal(pos, np.arange(p.n)):
        p = Panel(values=p.values[pos], ids=gids.rename(p.ids.name), periods=p.periods, variable=p.variable,
                  dropped=p.dropped)
    W = g.sparse.tocsr().astype(float)
    if transform == "r":
        rows = np.asarray(W.sum(axis=1)).ravel()
        if (rows == 0).any():
            raise WeightsError(f"regions without neighbours (islands): {_names(p.ids[rows == 0])}; their spatial "
                               "lag is undefined. Build weights with islands='nearest' or drop them.")
        W = sp.csr_matrix(sp.diags(1.0 / rows) @ W)
    elif transform is not None:
        raise InputError(f"transform must be 'r' (row-standardised) or None (weights as given), got {transform!r}")
    # neighbours summed in column order, as libpysal's lag_spatial: values tied at a quantile
    # cut-off then fall on the same side as in giddy, to the last bit
    W.sort_indices()
    return p, W, g


def jsonable(obj):
    """A record with NumPy scalars as Python numbers and NaN / inf as None (strict JSON)."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj
