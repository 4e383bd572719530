"""Long panels as a regions x periods matrix for the methods over time.

The table is checked by the package's one :meth:`spatialcluster.Panel.from_long`, whose
factorised keys make the matrix an array reshape (or one scatter), linear in the number of rows
even at 10**7 region-years. The methods over time need a balanced panel: every region observed
in every period, with a value.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._errors import InputError, SpatialClusterWarning, WeightsError
from .._validate import _by_region, _names
from ..panels import Panel as LongPanel, as_text


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


def panel(long_df, column, id, time, *, balance=False, min_periods=2, adjacent=False, what="this method") -> Panel:
    """Validate a long panel and return it as a :class:`Panel` (regions in first-seen order).

    The table is checked by :meth:`spatialcluster.Panel.from_long` (columns, rows without a key,
    repeated region-periods, non-numeric values), whose errors name the regions and periods at
    fault. Here: fewer than ``min_periods`` periods are refused, and missing cells (a region-period
    without a row or without a value) make the panel unbalanced: refused, or with ``balance=True``
    the incomplete regions are dropped with a :class:`SpatialClusterWarning` listing them.
    ``adjacent``: refuse gaps between evenly spaced periods (2011, 2012, 2015), for methods that
    read consecutive periods as one step (a chain would pool 1- and 3-year transitions).
    """
    checked = LongPanel.from_long(long_df, id=id, time=time, columns=[column], balance="ignore", missing="ignore",
                                  regular=adjacent)
    ids, periods = checked.first_seen, checked.periods.tolist()
    n, t = len(ids), len(periods)
    if t < min_periods:
        raise InputError(
            f"{what} needs at least {min_periods} periods; the panel has {t} ({_names(periods)}) in column {time!r}")
    matrix = np.ascontiguousarray(checked.by_region(column, ids))
    holes = np.isnan(matrix)
    dropped = {}
    if holes.any():
        rows, cols = np.nonzero(holes)
        report = {ids[r]: [periods[c] for c in np.flatnonzero(holes[r])] for r in np.unique(rows)}
        listing = _by_region(ids[rows], [periods[c] for c in cols])
        if not balance:
            raise InputError(
                f"unbalanced panel: {len(report)} of {n} regions lack {column!r} in some periods ({listing}). "
                f"{what} needs every region in every period: pass balance=True to drop these regions (a warning "
                "lists them), or fill/drop them yourself with sc.handle_missing(...).")
        warnings.warn(f"balance=True dropped {len(report)} region(s) with missing {column!r}: {listing}",
                      SpatialClusterWarning, stacklevel=3)
        keep = ~holes.any(axis=1)
        if keep.sum() < 2:
            raise InputError(f"after dropping incomplete regions fewer than 2 remain ({listing})")
        matrix, ids, dropped = matrix[keep], ids[keep], report
    return Panel(values=matrix, ids=ids, periods=periods, variable=str(column), dropped=dropped)


def with_weights(p: Panel, w, transform="r"):
    """Reorder the panel to the graph's regions; return (panel, CSR weights row-standardised or as given, graph).

    Regions dropped by balancing are taken out of the graph too (``Graph.subgraph``), with a warning.
    """
    from ..stats._core import as_graph

    g = as_graph(w)
    gids = as_text(g.unique_ids)
    if p.dropped and len(gids.intersection(list(p.dropped))):
        g = g.subgraph([i for i in g.unique_ids if str(i) not in p.dropped])
        gids = as_text(g.unique_ids)
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
