"""Input validation shared by the statistics and the models: one place, one set of messages."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._errors import InputError, WeightsError


def _names(ids, limit=20, *, sep=", ", noun="") -> str:
    """Items of an error message, cut after ``limit``: ``a, b ... and 5 more`` (``noun="regions"``:
    ``... and 5 more regions``)."""
    ids = [str(i) for i in ids]
    more = f" ... and {len(ids) - limit} more" + (f" {noun}" if noun else "") if len(ids) > limit else ""
    return sep.join(ids[:limit]) + more


def _by_region(ids, periods=None, limit=10) -> str:
    """Offending cells grouped by region, ``"110000: 2005, 2006; 120000: 2010"``, each region once."""
    if periods is None:
        return _names(pd.unique(pd.Index(ids).astype(str)), limit)
    cells = pd.Series(list(periods)).groupby(pd.Index(ids).astype(str), sort=False).agg(list)
    return _names((f"{region}: {_names(ps, 6)}" for region, ps in cells.items()), limit, sep="; ", noun="regions")


def align(data: pd.DataFrame, w) -> pd.DataFrame:
    """Return ``data`` reordered to the order of ``w.unique_ids``.

    Raises :class:`WeightsError` naming the ids that are in one but not the other.
    """
    ids = pd.Index(w.unique_ids)
    index = data.index
    if index.equals(ids):  # the usual case; the graph's ids are unique, so the data's are too
        return data
    if index.has_duplicates:
        dup = index[index.duplicated()].unique()
        raise InputError(f"duplicate region ids in the data: {_names(dup)}; each region must appear once")
    missing_w = index.difference(ids)
    missing_d = ids.difference(index)
    if len(missing_w) or len(missing_d):
        parts = []
        if len(missing_w):
            parts.append(f"regions in the data but not in the weights: {_names(missing_w)}")
        if len(missing_d):
            parts.append(f"regions in the weights but not in the data: {_names(missing_d)}")
        raise WeightsError(
            "; ".join(parts)
            + ". Build the weights from the same (joined) data, or subset both to the same regions."
        )
    return data.loc[ids]


def column(data: pd.DataFrame, name: str, *, allow_constant: bool = False) -> np.ndarray:
    """Return one numeric column as float64, refusing missing values and constants by name."""
    if name not in data.columns:
        from difflib import get_close_matches

        close = get_close_matches(str(name), [str(c) for c in data.columns], n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise InputError(f"column {name!r} is not in the data.{hint}")
    values = pd.to_numeric(data[name], errors="coerce")
    bad = values.isna() & data[name].notna()
    if bad.any():
        raise InputError(
            f"column {name!r} has non-numeric values for regions {_names(data.index[bad])}; "
            "convert them (sc.read_table parses numbers stored as text) or drop those regions."
        )
    if values.isna().any():
        raise InputError(
            f"column {name!r} is missing for {int(values.isna().sum())} region(s): "
            f"{_names(data.index[values.isna()])}. Spatial statistics need a value for every region: "
            "drop them explicitly (data.dropna(subset=[...]) and rebuild the weights) or use a complete column."
        )
    arr = values.to_numpy(dtype=np.float64)
    if not allow_constant and np.ptp(arr) == 0:
        raise InputError(
            f"column {name!r} is constant ({arr[0]!r}) across all regions: it has no spatial pattern to test."
        )
    return arr


def columns(data: pd.DataFrame, names: Sequence[str]) -> np.ndarray:
    """Several numeric columns as an (n, k) float64 array, with the same checks as :func:`column`."""
    return np.column_stack([column(data, n) for n in names]) if len(names) else np.empty((len(data), 0))


def sparse_weights(w) -> sp.csr_matrix:
    """The weights as CSR, rows and columns in ``w.unique_ids`` order, islands as empty rows."""
    m = w.sparse.tocsr().astype(np.float64)
    m.eliminate_zeros()
    m.sort_indices()
    return m


def islands(w) -> list:
    """Ids of regions without neighbours."""
    card = np.asarray(w.cardinalities.reindex(w.unique_ids).fillna(0))
    return [i for i, c in zip(w.unique_ids, card) if c == 0]
