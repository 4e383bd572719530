"""Regional inequality: coefficient of variation, Gini and Theil with its group decomposition."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._errors import InputError
from .._result import Result
from .._validate import _names
from ._common import frame_record, numeric, plain

def gini(y, weights=None) -> float:
    """Gini coefficient, optionally population-weighted.

    .. math:: G = \\frac{\\sum_i \\sum_j s_i s_j |y_i - y_j|}{2 \\bar y}, \\quad
              s_i = p_i / \\sum p, \\; \\bar y = \\sum_i s_i y_i

    (unweighted: :math:`s_i = 1/n`), i.e. half the relative mean absolute difference. Computed in
    O(n log n) from the sorted values: for sorted y, :math:`\\sum_{i,j} s_i s_j |y_i - y_j| =
    2 \\sum_i s_i y_i (2 S_{<i} + s_i - 1)` where :math:`S_{<i}` is the weight share below i.
    """
    y = np.asarray(y, dtype=np.float64)
    s = np.full(y.shape, 1.0 / y.size) if weights is None else np.asarray(weights, dtype=np.float64) / np.sum(weights)
    order = np.argsort(y, kind="stable")
    y, s = y[order], s[order]
    below = np.cumsum(s) - s
    mean = np.sum(s * y)
    return float(np.sum(s * y * (2 * below + s - 1)) / mean)


def theil(y, weights=None, groups=None) -> dict:
    """Theil's T index with its exact between/within decomposition.

    With population shares :math:`s_i` (unweighted: 1/n) and income shares
    :math:`v_i = s_i y_i / \\sum_k s_k y_k`,
    :math:`T = \\sum_i v_i \\ln(v_i / s_i)`. For groups g with shares :math:`S_g = \\sum_{i \\in g} s_i`
    and :math:`V_g = \\sum_{i \\in g} v_i`,

    .. math:: T = \\underbrace{\\sum_g V_g \\ln\\frac{V_g}{S_g}}_{\\text{between}}
              + \\underbrace{\\sum_g V_g T_g}_{\\text{within}}, \\quad
              T_g = \\sum_{i \\in g} \\frac{v_i}{V_g} \\ln\\frac{v_i / V_g}{s_i / S_g}

    (Theil 1967; Shorrocks 1980). Returns a dict with ``theil``, and, when ``groups`` is given,
    ``between``, ``within`` and ``groups`` (a DataFrame by group: ``n``, ``pop_share``,
    ``income_share``, ``theil`` (T_g) and ``contribution`` (V_g T_g)).
    """
    y = np.asarray(y, dtype=np.float64)
    s = np.full(y.shape, 1.0 / y.size) if weights is None else np.asarray(weights, dtype=np.float64) / np.sum(weights)
    v = s * y / np.sum(s * y)

    def _t(v, s):
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.sum(np.where(v > 0, v * np.log(v / s), 0.0)))

    out = {"theil": _t(v, s)}
    if groups is None:
        return out
    groups = np.asarray(groups)
    rows = {}
    for g in pd.unique(groups):
        m = groups == g
        S, V = s[m].sum(), v[m].sum()
        tg = _t(v[m] / V, s[m] / S) if V > 0 else 0.0
        rows[g] = {"n": int(m.sum()), "pop_share": S, "income_share": V, "theil": tg, "contribution": V * tg}
    tab = pd.DataFrame.from_dict(rows, orient="index")
    tab.index.name = "group"
    with np.errstate(divide="ignore", invalid="ignore"):
        between = float(np.sum(np.where(tab["income_share"] > 0,
                                        tab["income_share"] * np.log(tab["income_share"] / tab["pop_share"]), 0.0)))
    out.update(between=between, within=float(tab["contribution"].sum()), groups=tab)
    return out


def _cv(y, s) -> float:
    mean = np.sum(s * y)
    return float(np.sqrt(np.sum(s * (y - mean) ** 2)) / mean)


class Inequality(Result):
    """Regional inequality measures, for one cross-section or one row per period.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row (indexed by the period when ``time`` was given, else ``"all"``): ``n``, ``mean``,
        ``cv``, ``gini``, ``theil`` (unweighted: every region counts once) and, with ``weights``,
        ``mean_w``, ``cv_w``, ``gini_w``, ``theil_w`` (population-weighted); with ``groups``, the
        Theil decomposition ``theil_between``, ``theil_within``, ``between_share`` (and ``*_w``).
    groups : pandas.DataFrame or None
        Per period and group: ``n``, ``pop_share``, ``income_share``, group Theil and its
        contribution to the within part (weighted when ``weights`` was given).
    """

    def __init__(self, frame, groups, column, weighted, time):
        self.frame = frame
        self.groups = groups
        self.column = column
        self.weighted = weighted
        self.time = time

    def __getattr__(self, name):
        # cv, gini, theil, ... as scalars for a single cross-section
        frame = self.__dict__.get("frame")
        if frame is not None and name in frame.columns and len(frame) == 1:
            return float(frame[name].iloc[0])
        raise AttributeError(name)

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def summary(self) -> str:
        f = self.frame
        lines = [f"Inequality of {self.column!r}" + (" (population-weighted columns *_w)" if self.weighted else "")
                 + (f", by {self.time}" if self.time else "")]
        cols = [c for c in ("n", "mean", "cv", "gini", "theil", "theil_between", "between_share",
                            "mean_w", "cv_w", "gini_w", "theil_w", "theil_between_w", "between_share_w") if c in f]
        lines.append(f[cols].to_string(float_format=lambda v: f"{v:.4f}"))
        if self.groups is not None and self.time is None:
            lines.append("Theil decomposition by group:")
            lines.append(self.groups.to_string(float_format=lambda v: f"{v:.4f}"))
        elif self.groups is not None:
            lines.append(f"Theil decomposition by group and {self.time}: see .groups")
        return "\n".join(lines)

    def plot(self, ax=None, **kwargs):
        """Line plot of the measures over time (panel input), see
        :func:`spatialcluster.plot.indicators.inequality_chart` (``columns=`` picks the measures)."""
        from ..plot.indicators import inequality_chart

        return inequality_chart(self, ax=ax, **kwargs)

    def to_record(self) -> dict:
        cols = [c for c in self.frame.columns if c != "n"]
        return {"column": self.column, "weighted": self.weighted, "time": self.time,
                "measures": frame_record(self.frame, cols)}


def inequality(
    data: pd.DataFrame,
    column: str,
    groups: str | Mapping | pd.Series | None = None,
    weights: str | None = None,
    *,
    time: str | None = None,
    id: str | None = None,
) -> Inequality:
    """Coefficient of variation, Gini and Theil index of a regional indicator, with group decomposition.

    * Coefficient of variation (population standard deviation over the mean, ``ddof=0``);
      population-weighted it is Williamson's (1965) :math:`CV_w = \\sqrt{\\sum_i s_i (y_i - \\bar y)^2}
      / \\bar y` with population shares :math:`s_i` and the weighted mean :math:`\\bar y`.
    * Gini: half the relative mean absolute difference, see :func:`gini`.
    * Theil T with the exact between/within decomposition by groups (e.g. east / central / west /
      northeast), see :func:`theil`.

    Use a per-capita indicator (GDP per capita, income per head) with ``weights`` = population for
    the population-weighted versions, which answer "how unequal are people's regions" rather than
    "how unequal are regions".

    Parameters
    ----------
    data : pandas.DataFrame
        One row per region (cross-section), or a long panel with a ``time`` column.
    column : str
        The indicator; non-negative, mean positive, no missing values.
    groups : str, mapping or Series, optional
        Group of each region: a column name, or a mapping / Series from region id to group.
    weights : str, optional
        Column with population (or another size) for the weighted measures.
    time : str, optional
        Period column of a long panel: one row of measures per period.
    id : str, optional
        Region-id column of a long panel (default: the index); used for mapping ``groups`` and in
        error messages.

    Returns
    -------
    Inequality
        ``to_frame()``, ``summary()``, ``plot()`` (panel), and scalar attributes such as ``.gini``
        for a cross-section.

    References
    ----------
    Shorrocks, A. F. (1980). The class of additively decomposable inequality measures.
    *Econometrica* 48(3), 613-625.

    Theil, H. (1967). *Economics and Information Theory*. Amsterdam: North-Holland.

    Williamson, J. G. (1965). Regional inequality and the process of national development.
    *Economic Development and Cultural Change* 13(4), 1-84.
    """
    df = plain(data)
    ids = df[id].astype(str) if id is not None else pd.Series(df.index.astype(str), index=df.index)
    labelled = df.set_index(pd.Index(ids.to_numpy() + ("" if time is None else " @ " + df[time].astype(str).to_numpy())))
    y = numeric(labelled, column)
    w = numeric(labelled, weights) if weights is not None else None
    if w is not None and (w == 0).all():
        raise InputError(f"weights column {weights!r} is zero everywhere.")

    if groups is None:
        g = None
    elif isinstance(groups, str) and groups in df.columns:
        g = df[groups]
    elif isinstance(groups, (Mapping, pd.Series)):
        g = ids.map(groups)
    else:
        raise InputError(f"groups must be a column name or a mapping region id -> group, got {groups!r}.")
    if g is not None and g.isna().any():
        raise InputError(f"no group for regions {_names(labelled.index[g.isna().to_numpy()])}; give every region a group.")

    periods = [(None, np.ones(len(df), dtype=bool))] if time is None else [
        (t, (df[time] == t).to_numpy()) for t in sorted(df[time].unique())]
    rows, group_tabs = {}, []
    for t, m in periods:
        yt = y.to_numpy()[m]
        where = labelled.index[m]
        if (len(pd.Index(ids[m])) != pd.Index(ids[m]).nunique()):
            dup = pd.Index(ids[m])
            raise InputError(f"duplicate regions{'' if t is None else f' in {time} {t}'}: "
                             f"{_names(dup[dup.duplicated()].unique())}.")
        if yt.size < 2 or yt.sum() <= 0:
            raise InputError(f"{column!r} needs at least two regions and a positive total"
                             f"{'' if t is None else f' in {time} {t}'}; regions: {_names(where)}.")
        row = {"n": yt.size, "mean": yt.mean(), "cv": _cv(yt, np.full(yt.size, 1 / yt.size)), "gini": gini(yt)}
        gt = None if g is None else g.to_numpy()[m]
        th = theil(yt, groups=gt)
        row["theil"] = th["theil"]
        if gt is not None:
            row.update(theil_between=th["between"], theil_within=th["within"],
                       between_share=th["between"] / th["theil"] if th["theil"] > 0 else np.nan)
        if w is not None:
            wt = w.to_numpy()[m]
            if wt.sum() <= 0:
                raise InputError(f"weights {weights!r} sum to zero{'' if t is None else f' in {time} {t}'}.")
            s = wt / wt.sum()
            thw = theil(yt, wt, groups=gt)
            row.update(mean_w=float(np.sum(s * yt)), cv_w=_cv(yt, s), gini_w=gini(yt, wt), theil_w=thw["theil"])
            if gt is not None:
                row.update(theil_between_w=thw["between"], theil_within_w=thw["within"],
                           between_share_w=thw["between"] / thw["theil"] if thw["theil"] > 0 else np.nan)
        if gt is not None:
            tab = (thw if w is not None else th)["groups"]
            group_tabs.append(tab.assign(**{time or "period": "all" if t is None else t}))
        rows["all" if t is None else t] = row
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = time
    frame["n"] = frame["n"].astype(int)
    gtab = None
    if group_tabs:
        key = time or "period"
        gtab = pd.concat(group_tabs).reset_index().set_index([key, "group"]).sort_index()
        if time is None:
            gtab = gtab.droplevel(key)
    return Inequality(frame, gtab, column, w is not None, time)

