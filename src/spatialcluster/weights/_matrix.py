"""User-supplied weights and distance matrices: square tables keyed by region ids, checked cell by cell."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._errors import InputError, SpatialClusterWarning, WeightsError
from .._validate import _names

def _key(x) -> str:
    """Matrix labels as region-id strings: 110000, 110000.0 and "110000" are the same region."""
    if isinstance(x, str):
        return x.strip()
    if isinstance(x, int | np.integer) or (isinstance(x, float | np.floating) and float(x).is_integer()):
        return str(int(x))
    return str(x)


def square_matrix(matrix, ids: pd.Index, *, distances: bool) -> np.ndarray:
    """The user's matrix as floats in the order of ``ids``, with checks naming bad cells."""
    what = "distance" if distances else "weights"
    if matrix is None:
        raise InputError("kind='matrix' needs matrix=, a square DataFrame keyed by region ids on both axes")
    if not isinstance(matrix, pd.DataFrame):
        raise InputError(
            f"matrix must be a square pandas DataFrame with region ids as index and columns, "
            f"not {type(matrix).__name__} (wrap an array: pd.DataFrame(a, index=ids, columns=ids))"
        )
    rows = pd.Index([_key(x) for x in matrix.index])
    cols = pd.Index([_key(x) for x in matrix.columns])
    for axis, labels in (("rows", rows), ("columns", cols)):
        if labels.has_duplicates:
            raise InputError(f"the {what} matrix repeats region ids in its {axis}: {_names(labels[labels.duplicated()])}")
    if set(rows) != set(cols):
        raise InputError(
            f"the {what} matrix is not keyed by the same ids on both axes: rows only "
            f"{_names(rows.difference(cols)) or 'none'}; columns only {_names(cols.difference(rows)) or 'none'}"
        )
    missing = ids.difference(rows)
    if len(missing):
        raise WeightsError(
            f"the {what} matrix has no row/column for regions {_names(missing)}; add them, or drop "
            "these regions from the data before building the weights"
        )
    extra = rows.difference(ids)
    if len(extra):
        warnings.warn(
            f"the {what} matrix also covers regions not in the data, which are ignored: {_names(extra)}",
            SpatialClusterWarning,
            stacklevel=3,
        )
    m = matrix.set_axis(rows, axis=0).set_axis(cols, axis=1).loc[ids, ids]
    values = m.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, copy=True)
    _refuse_cells(~np.isfinite(values), ids, f"the {what} matrix has missing or non-numeric cells")
    _refuse_cells(values < 0, ids, f"the {what} matrix has negative cells")
    if distances:
        zero = values == 0
        np.fill_diagonal(zero, False)
        _refuse_cells(zero, ids, "the distance matrix has zero distances between different regions")
        np.fill_diagonal(values, 0.0)
    else:
        diag = np.diag(values) != 0
        if diag.any():
            raise WeightsError(
                f"the weights matrix links regions to themselves (non-zero diagonal) for "
                f"{_names(ids[diag])}; set the diagonal to 0"
            )
    return values


def _refuse_cells(bad: np.ndarray, ids, message: str) -> None:
    if bad.any():
        r, c = np.nonzero(bad)
        cells = [f"({ids[i]}, {ids[j]})" for i, j in zip(r, c)]
        raise WeightsError(f"{message}: {_names(cells, 10)}")
