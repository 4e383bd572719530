"""Composite indices from many indicators: entropy-weight scores and TOPSIS, with a weights table.

A new-urbanization quality index, say, combines a dozen indicators (urban share, income, green
space, pollution, ...). Each is standardised with its direction (larger is better, or smaller
is better), weighted by the entropy method (or equally, or as the user says), and combined
either linearly (the entropy-weight score) or by the distance to the best and worst regions
(TOPSIS). :func:`~spatialcluster.coupling_coordination` takes such indices as its subsystems.

The formulas are short and every paper states its own variant, so they are written out here
(no maintained Python package implements the direction-aware entropy method) and checked against
hand-worked cases and ``scipy.stats.entropy``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._errors import InputError
from .._result import Result
from .._validate import _names
from ._common import frame_record, numeric, panel_index

STANDARDISATIONS = ("minmax",)
METHODS = ("entropy", "topsis")


def entropy_weights(x: pd.DataFrame) -> pd.DataFrame:
    """Entropy weights of normalised indicators (columns) over regions (rows).

    With :math:`p_{ij} = x_{ij} / \\sum_i x_{ij}` and m regions, the entropy is
    :math:`e_j = -\\frac{1}{\\ln m} \\sum_i p_{ij} \\ln p_{ij}` (with :math:`0 \\ln 0 = 0`), the
    divergence :math:`d_j = 1 - e_j`, and the weight :math:`w_j = d_j / \\sum_k d_k` (Shannon 1948;
    the entropy weight method as in Zou, Yun & Sun 2006).

    Returns a DataFrame indexed by indicator with columns ``entropy``, ``divergence``, ``weight``.
    """
    m = len(x)
    if m < 2:
        raise InputError("entropy weights need at least two regions.")
    arr = x.to_numpy(dtype=np.float64)
    tot = arr.sum(axis=0)
    if (tot == 0).any():
        raise InputError(
            f"indicators {_names(x.columns[tot == 0])} are zero for every region after normalisation; "
            "they carry no information, drop them."
        )
    p = arr / tot
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = -plogp.sum(axis=0) / np.log(m)
    d = 1.0 - e
    if d.sum() <= 0:
        raise InputError(f"indicators {_names(x.columns)} are equal across regions: entropy weights are undefined.")
    return pd.DataFrame({"entropy": e, "divergence": d, "weight": d / d.sum()}, index=x.columns)




def standardise(raw: pd.DataFrame, negative: Sequence[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Min-max standardisation with direction: 1 = best region, 0 = worst.

    Positive indicators :math:`x'_{ij} = (x_{ij} - \\min_i x_{ij}) / (\\max_i x_{ij} - \\min_i x_{ij})`,
    negative ones (smaller is better) :math:`(\\max_i x_{ij} - x_{ij}) / (\\max_i x_{ij} - \\min_i x_{ij})`.
    Returns the standardised table and a table by indicator with ``direction``, ``min``, ``max``.
    A constant indicator is refused by name: its standardisation and entropy weight are undefined.
    """
    lo, hi = raw.min(), raw.max()
    const = hi == lo
    if const.any():
        raise InputError(f"indicators {_names(raw.columns[const])} are constant across regions: "
                         "min-max normalisation and the entropy weight are undefined and they carry no "
                         "information; drop them.")
    neg = [c for c in raw.columns if c in set(negative)]
    norm = (raw - lo) / (hi - lo)
    norm[neg] = (hi[neg] - raw[neg]) / (hi[neg] - lo[neg])
    direction = pd.Series(["negative" if c in neg else "positive" for c in raw.columns], index=raw.columns)
    return norm, pd.DataFrame({"direction": direction, "min": lo, "max": hi})


def indicator_weights(norm: pd.DataFrame, weights: str | Mapping[str, float], label: str = "") -> pd.DataFrame:
    """Weights of standardised indicators: ``"entropy"`` (:func:`entropy_weights`), ``"equal"`` or a
    mapping indicator -> weight (rescaled to sum to 1). Returns a table by indicator with ``weight``."""
    cols = list(norm.columns)
    if isinstance(weights, str):
        if weights == "entropy":
            return entropy_weights(norm)
        if weights == "equal":
            return pd.DataFrame({"weight": np.full(len(cols), 1.0 / len(cols))}, index=cols)
        raise InputError(f"weights must be 'entropy', 'equal' or a mapping column -> weight, got {weights!r}.")
    missing = [c for c in cols if c not in weights]
    if missing:
        raise InputError(f"weights has no entry for indicators {_names(missing)}.")
    w = pd.Series({c: float(weights[c]) for c in cols})
    if (w < 0).any() or w.sum() <= 0:
        raise InputError(f"weights{label} must be non-negative and not all zero: {w.to_dict()}.")
    return pd.DataFrame({"weight": w / w.sum()})


@dataclass
class CompositeIndex(Result):
    """A composite index per region (or region and period).

    Attributes
    ----------
    frame : pandas.DataFrame
        Indexed like the input: ``score`` (in [0, 1], larger is better) and ``rank`` (1 = best);
        TOPSIS adds ``d_best`` and ``d_worst``, the weighted distances to the ideal and anti-ideal.
    weights : pandas.DataFrame
        The weights table, one row per indicator: ``direction``, ``min``, ``max``, (entropy
        method) ``entropy``, ``divergence``, and ``weight`` (summing to 1).
    standardized : pandas.DataFrame
        The min-max standardised indicators (1 = best, 0 = worst, direction applied).
    method, standardisation, weighting : str
    """

    frame: pd.DataFrame
    weights: pd.DataFrame
    standardized: pd.DataFrame
    method: str
    standardisation: str
    weighting: str
    name: str

    @property
    def score(self) -> pd.Series:
        """The index, named after the result's ``name``."""
        return self.frame["score"].rename(self.name)

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def summary(self) -> str:
        s = self.frame["score"]
        lines = [
            f"Composite index {self.name!r}: {self.method} over {len(self.weights)} indicators, {len(s)} regions",
            f"  standardisation: {self.standardisation} (direction applied); weights: {self.weighting}",
            f"  score: mean {s.mean():.3f}, min {s.min():.3f} ({s.idxmin()}), max {s.max():.3f} ({s.idxmax()})",
            "  weights:",
        ]
        lines += [f"    {i} ({r.direction}): {r.weight:.4f}" for i, r in self.weights.iterrows()]
        return "\n".join(lines)

    def plot(self, ax=None, **kwargs):
        """Bar chart of the indicator weights, see :func:`spatialcluster.plot.indicators.weights_chart`."""
        from ..plot.indicators import weights_chart

        return weights_chart(self.weights, ax=ax, title=f"Weights of {self.name}", **kwargs)

    def to_record(self) -> dict:
        s = self.frame["score"]
        return {"name": self.name, "method": self.method, "standardisation": self.standardisation,
                "weighting": self.weighting, "n": int(len(s)), "score_mean": float(s.mean()),
                "score_min": float(s.min()), "score_max": float(s.max()),
                "weights": frame_record(self.weights, ["weight"])}


def _topsis(norm: pd.DataFrame, w: np.ndarray) -> pd.DataFrame:
    v = norm.to_numpy() * w
    # Standardised with direction, the ideal is the column maximum and the anti-ideal its minimum.
    d_best = np.sqrt(((v - v.max(axis=0)) ** 2).sum(axis=1))
    d_worst = np.sqrt(((v - v.min(axis=0)) ** 2).sum(axis=1))
    return pd.DataFrame({"d_best": d_best, "d_worst": d_worst, "score": d_worst / (d_best + d_worst)},
                        index=norm.index)


def composite_index(
    data: pd.DataFrame,
    indicators: Sequence[str],
    *,
    negative: Sequence[str] = (),
    method: str = "entropy",
    weights: str | Mapping[str, float] = "entropy",
    standardisation: str = "minmax",
    time: str | None = None,
    id: str | None = None,
    name: str = "index",
) -> CompositeIndex:
    """Composite index of many indicators: entropy-weight score or entropy-weighted TOPSIS.

    For m regions (rows) and indicators j:

    1. Standardisation ``"minmax"`` with direction (:func:`standardise`): positive indicators
       :math:`x'_{ij} = (x_{ij} - \\min_i x_{ij}) / (\\max_i x_{ij} - \\min_i x_{ij})`, negative
       (``negative=``, smaller is better) :math:`(\\max_i x_{ij} - x_{ij}) / (\\max_i x_{ij} - \\min_i x_{ij})`.
       No shift is added; :math:`0 \\ln 0 = 0` in the entropy. The standardised values, and so the
       weights and scores, do not change when an indicator is rescaled (e.g. yuan -> 10,000 yuan).
    2. Weights: the entropy method (Shannon 1948; Zou, Yun & Sun 2006; :func:`entropy_weights`)
       :math:`p_{ij} = x'_{ij} / \\sum_i x'_{ij}`, :math:`e_j = -\\sum_i p_{ij} \\ln p_{ij} / \\ln m`,
       :math:`w_j = (1 - e_j) / \\sum_k (1 - e_k)`; or equal weights; or user weights.
    3. Score. ``method="entropy"``: the weighted sum :math:`S_i = \\sum_j w_j x'_{ij} \\in [0, 1]`.
       ``method="topsis"`` (Hwang & Yoon 1981): with :math:`v_{ij} = w_j x'_{ij}`, the ideal
       :math:`v_j^+ = \\max_i v_{ij}` and anti-ideal :math:`v_j^- = \\min_i v_{ij}`, the Euclidean
       distances :math:`D_i^+, D_i^-` and the relative closeness :math:`S_i = D_i^- / (D_i^+ + D_i^-)`.

    Parameters
    ----------
    data : pandas.DataFrame
        Indexed by region id (or a long panel with ``time`` and ``id``); one column per indicator.
    indicators : sequence of str
        The indicator columns.
    negative : sequence of str
        Indicators for which smaller is better (pollution, unemployment).
    method : {"entropy", "topsis"}
    weights : {"entropy", "equal"} or mapping of str to float
    standardisation : {"minmax"}
        Named so that reports state it; the only one the entropy method is well defined for here.
    time, id : str, optional
        A long panel: standardisation and weights over all region-periods pooled, so that scores
        compare across periods; the result is indexed by (region, period).
    name : str
        Name of the index (used as the subsystem name in reports).

    Returns
    -------
    CompositeIndex
        ``score``, ``weights`` (the weights table), ``to_frame()``, ``summary()``, ``plot()``.

    Raises
    ------
    InputError
        Missing or non-numeric values, a constant indicator (entropy weight undefined), unknown
        method or standardisation, ``negative`` naming columns not in ``indicators``.

    References
    ----------
    Hwang, C.-L. & Yoon, K. (1981). *Multiple Attribute Decision Making: Methods and Applications*.
    Berlin: Springer. doi:10.1007/978-3-642-48318-9

    Shannon, C. E. (1948). A mathematical theory of communication. *Bell System Technical Journal*
    27(3), 379-423.

    Zou, Z., Yun, Y. & Sun, J. (2006). Entropy method for determination of weight of evaluating
    indicators in fuzzy synthetic evaluation for water quality assessment. *Journal of
    Environmental Sciences* 18(5), 1020-1023.
    """
    if method not in METHODS:
        raise InputError(f"method must be one of {METHODS}, got {method!r}.")
    if standardisation not in STANDARDISATIONS:
        raise InputError(f"standardisation must be one of {STANDARDISATIONS}, got {standardisation!r}.")
    indicators = [indicators] if isinstance(indicators, str) else list(indicators)
    if len(indicators) < 1 or pd.Index(indicators).has_duplicates:
        raise InputError(f"indicators must list distinct columns, got {indicators!r}.")
    unknown = set(negative) - set(indicators)
    if unknown:
        raise InputError(f"negative= names columns that are not indicators: {_names(sorted(unknown))}.")
    index, work = panel_index(data, time, id)
    if len(work) < 2:
        raise InputError("a composite index needs at least two regions.")
    raw = pd.DataFrame({c: numeric(work, c, nonnegative=False) for c in indicators}, index=work.index)
    norm, wtab = standardise(raw, negative)
    wtab = wtab.join(indicator_weights(norm, weights))
    wtab.index.name = "indicator"
    w = wtab["weight"].to_numpy()
    if method == "entropy":
        frame = pd.DataFrame({"score": norm.to_numpy() @ w}, index=norm.index)
    else:
        frame = _topsis(norm, w)
    frame = frame.set_axis(index)
    frame["rank"] = frame["score"].rank(ascending=False, method="min").astype(int)
    weighting = weights if isinstance(weights, str) else "user"
    return CompositeIndex(frame, wtab, norm.set_axis(index), method, standardisation, weighting, name)
