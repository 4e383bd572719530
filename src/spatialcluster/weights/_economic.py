"""Weights from economic distance and economic mass: ``economic``, ``nested`` and ``gravity``.

Formulas (before the ``transform``; ``Y`` is a predetermined variable given per region, e.g.
mean per-capita GDP over the period, ``d`` the centroid distance in metres of the projected
CRS, ``W_geo`` a geographic weights matrix built as ``base`` with ``transform="o"``):

* ``economic``: ``w_ij = 1 / |Y_i - Y_j|`` for every pair ``i != j`` (Case, Rosen and Hines
  1993). Symmetric. Equal values would give infinite weights and are refused.
* ``nested`` (economic-geographic): ``W = W_geo diag(Y_1 / Ybar, ..., Y_n / Ybar)``, i.e.
  ``w_ij = w_geo_ij * Y_j / Ybar`` with ``Ybar`` the mean of ``Y`` over regions: a region is
  influenced more by its richer geographic neighbours (Lin, Long and Wu 2005, the form used
  widely in Chinese regional studies). Not symmetric. After row-standardisation ``Ybar``
  cancels: ``w_ij = w_geo_ij Y_j / sum_k w_geo_ik Y_k``.
* ``gravity``: ``w_ij = Y_i Y_j / d_ij^2`` (the gravity model of trade, Tinbergen 1962;
  Anderson 1979). Symmetric before row-standardisation.

References
----------
Case, A. C., Rosen, H. S. and Hines, J. R. (1993). Budget spillovers and fiscal policy
interdependence: Evidence from the states. *Journal of Public Economics* 52(3), 285-307.
Lin Guangping, Long Zhihe and Wu Mei (林光平, 龙志和, 吴梅) (2005). 我国地区经济收敛的空间计量
实证分析: 1978-2002年. *经济学(季刊)* 4 (增刊), 67-82.
Elhorst, J. P. (2014). *Spatial Econometrics: From Cross-Sectional Data to Spatial Panels*.
Springer, ch. 2 (weights matrices other than contiguity and distance).
Tinbergen, J. (1962). *Shaping the World Economy*. Twentieth Century Fund.
Anderson, J. E. (1979). A theoretical foundation for the gravity equation. *American Economic
Review* 69(1), 106-116.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from libpysal.graph import Graph

from .._errors import InputError, WeightsError
from .._validate import _names

ECONOMIC_KINDS = ("economic", "nested", "gravity")


def economic_values(data: pd.DataFrame, variable, ids: pd.Index, *, positive: bool) -> tuple[np.ndarray, str]:
    """The predetermined variable per region, in the order of ``ids``, and its name.

    ``variable`` is a column of ``data`` or a Series indexed by region id.
    """
    if variable is None:
        raise InputError(
            "economic weights need variable=, a column name or a Series indexed by region id holding a "
            "predetermined value per region (e.g. mean per-capita GDP over the period)"
        )
    if isinstance(variable, pd.Series):
        name = str(variable.name or "variable")
        series = variable.set_axis([str(i).strip() for i in variable.index])
        if series.index.has_duplicates:
            raise InputError(f"variable {name!r} repeats region ids: {_names(series.index[series.index.duplicated()])}")
        missing = ids.difference(series.index)
        if len(missing):
            raise WeightsError(
                f"variable {name!r} has no value for regions {_names(missing)}; give one per region of the data"
            )
        series = series.loc[ids]
    elif isinstance(variable, str):
        name = variable
        if variable not in data.columns:
            raise InputError(f"no column {variable!r} in the data for variable=; columns: {list(data.columns)}")
        series = data[variable]
    else:
        raise InputError(
            f"variable= must be a column name or a pandas Series indexed by region id, not {type(variable).__name__}"
        )
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        raise InputError(
            f"variable {name!r} is missing, non-numeric or infinite for regions {_names(ids[bad])}; "
            "fill these values or drop the regions before building the weights"
        )
    if positive and (values <= 0).any():
        raise InputError(
            f"variable {name!r} must be positive (a mass such as GDP), but is <= 0 for regions "
            f"{_names(ids[values <= 0])}"
        )
    return values, name


def economic_distance(values: np.ndarray, ids: pd.Index, name: str) -> Graph:
    """``w_ij = 1 / |Y_i - Y_j|`` over all pairs; ties (equal values) are refused by name."""
    diff = np.abs(values[:, None] - values[None, :])
    tied = diff == 0
    np.fill_diagonal(tied, False)
    if tied.any():
        r, c = np.nonzero(np.triu(tied))
        pairs = [f"{ids[i]} = {ids[j]} ({values[i]:g})" for i, j in zip(r, c)]
        raise WeightsError(
            f"economic distance weights 1 / |Y_i - Y_j| are infinite for regions with equal {name!r}: "
            f"{_names(pairs, 10)}. Ties are refused, not capped (a cap would make the tied pair the "
            "strongest link by an arbitrary amount): use more precise values (e.g. more decimals of "
            "the source data), merge or drop one region of each pair, or use kind='nested'."
        )
    with np.errstate(divide="ignore"):
        w = 1.0 / diff
    np.fill_diagonal(w, 0.0)
    return Graph.from_sparse(sp.csr_array(w), ids=ids)


def scale_links(w: Graph, focal: np.ndarray | None, neighbor: np.ndarray | None) -> Graph:
    """``w_ij * focal_i * neighbor_j`` (None = 1) on the existing links, keeping the ids."""
    m = sp.csr_array(w.sparse)
    if focal is not None:
        m = sp.diags_array(focal) @ m
    if neighbor is not None:
        m = m @ sp.diags_array(neighbor)
    m = sp.csr_array(m)
    m.eliminate_zeros()
    return Graph.from_sparse(m, ids=pd.Index(w.unique_ids))
