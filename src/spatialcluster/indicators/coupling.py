"""Coupling coordination degree of two or more subsystems (urbanization, economy, environment, ...)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._errors import InputError
from .._result import Result
from .._validate import _names
from ._common import frame_record, numeric, panel_index
from .composite import CompositeIndex, indicator_weights, standardise

#: Ten-grade classification of the coordination degree D: (lower bound, label), upper bound exclusive
#: except for the last class, which includes D = 1. The grading in equal 0.1 steps is the one used
#: throughout the Chinese regional-science literature (e.g. Liao 1999; Li et al. 2012).
COORDINATION_GRADES: tuple[tuple[float, str], ...] = (
    (0.0, "extreme disorder"),
    (0.1, "serious disorder"),
    (0.2, "moderate disorder"),
    (0.3, "mild disorder"),
    (0.4, "on the verge of disorder"),
    (0.5, "barely coordinated"),
    (0.6, "primary coordination"),
    (0.7, "intermediate coordination"),
    (0.8, "good coordination"),
    (0.9, "quality coordination"),
)


def coordination_grade(d) -> tuple[np.ndarray, np.ndarray]:
    """Grades 1..10 and labels of :data:`COORDINATION_GRADES` for coordination degrees in [0, 1]."""
    d = np.asarray(d, dtype=np.float64)
    # Rounding guards against 0.3 being stored as 0.29999999999999999 after sqrt(C*T).
    grade = np.clip(np.floor(np.round(d * 10, 9)).astype(int), 0, 9) + 1
    labels = np.array([COORDINATION_GRADES[g - 1][1] for g in grade.ravel()], dtype=object).reshape(grade.shape)
    return grade, labels


class CouplingCoordination(Result):
    """Coupling coordination degree model results.

    Attributes
    ----------
    frame : pandas.DataFrame
        Indexed by region: ``U_<system>`` for each subsystem, ``C`` (coupling degree), ``T``
        (comprehensive index), ``D`` (coordination degree), ``grade`` (1..10) and ``label``.
    weights : pandas.DataFrame
        One row per indicator: ``system``, ``direction``, ``min``, ``max``, and (entropy method)
        ``entropy``, ``divergence``, plus the ``weight`` used inside its subsystem.
    normalized : pandas.DataFrame
        The min-max normalised indicators (1 = best, 0 = worst, direction applied).
    contributions : dict
        The coefficient of each subsystem in T.
    """

    def __init__(self, frame, weights, normalized, contributions, method):
        self.frame = frame
        self.weights = weights
        self.normalized = normalized
        self.contributions = contributions
        self.method = method

    def counts(self) -> pd.Series:
        """Regions per coordination grade (1..10, labelled), grades without regions included."""
        labels = [f"{g} {lab}" for g, (_, lab) in enumerate(COORDINATION_GRADES, start=1)]
        n = self.frame["grade"].value_counts().reindex(range(1, 11), fill_value=0)
        return pd.Series(n.to_numpy(), index=pd.Index(labels, name="grade"), name="regions")

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def plot(self, ax=None, **kwargs):
        """Coordination degree D by region (bars coloured by grade), or a map with ``regions=``;
        see :func:`spatialcluster.plot.indicators.coupling_chart`."""
        from ..plot.indicators import coupling_chart

        return coupling_chart(self, ax=ax, **kwargs)

    def to_record(self) -> dict:
        d = self.frame["D"]
        return {"method": self.method, "systems": list(self.contributions), "n": int(len(d)),
                "D_mean": float(d.mean()), "D_min": float(d.min()), "D_max": float(d.max()),
                "counts": {k: int(v) for k, v in self.counts().items() if v},
                "weights": frame_record(self.weights, ["weight"])}

    def summary(self) -> str:
        f = self.frame
        lines = [
            f"Coupling coordination degree model: {len(self.contributions)} subsystems, {len(f)} regions",
            f"  weights: {self.method}; T = " + " + ".join(f"{a:.3g}*U_{s}" for s, a in self.contributions.items()),
            "  C = n * (prod U / (sum U)^n)^(1/n) (Jiang, Bai & Wu 2017; Wang et al. 2021), D = sqrt(C*T)",
            f"  D: mean {f['D'].mean():.3f}, min {f['D'].min():.3f} ({f['D'].idxmin()}), "
            f"max {f['D'].max():.3f} ({f['D'].idxmax()})",
            "  regions per grade:",
        ]
        counts = f.groupby(["grade", "label"]).size()
        lines += [f"    {g:>2} {lab}: {n}" for (g, lab), n in counts.items()]
        return "\n".join(lines)


def _aligned_score(index_result: CompositeIndex, index: pd.Index, name: str) -> np.ndarray:
    score = index_result.score
    if not score.index.equals(index):
        missing = index.difference(score.index)
        if len(missing) or score.index.has_duplicates:
            raise InputError(f"the composite index of subsystem {name!r} has no score for regions "
                             f"{_names(missing)}; build it from the same data (and time=/id=).")
        score = score.reindex(index)
    return score.to_numpy(dtype=np.float64)


def coupling_coordination(
    data: pd.DataFrame,
    systems: Mapping[str, Sequence[str]],
    *,
    weights: str | Mapping[str, float] = "entropy",
    negative: Sequence[str] = (),
    contributions: Mapping[str, float] | None = None,
    time: str | None = None,
    id: str | None = None,
) -> CouplingCoordination:
    """Coupling coordination degree of two or more subsystems (e.g. urbanization and economy).

    Steps, for m regions (rows of ``data``) and subsystems i = 1..n with indicators j:

    1. Min-max normalisation over regions: :math:`x'_{j} = (x_j - \\min x_j)/(\\max x_j - \\min x_j)`
       for positive indicators, :math:`(\\max x_j - x_j)/(\\max x_j - \\min x_j)` for those in
       ``negative`` (smaller is better). No shift is added; :math:`0 \\ln 0 = 0` in the entropy.
    2. Indicator weights within each subsystem: the entropy weight method
       (:func:`entropy_weights`), equal weights, or user weights (rescaled to sum to 1 per subsystem).
    3. Subsystem index :math:`U_i = \\sum_j w_j x'_j \\in [0, 1]`.
    4. Coupling degree, the corrected n-system form (Jiang, Bai & Wu 2017; Wang et al. 2021),

       .. math:: C = n \\left[\\frac{\\prod_i U_i}{(\\sum_i U_i)^n}\\right]^{1/n}
                   = \\frac{\\text{geometric mean of } U}{\\text{arithmetic mean of } U} \\in [0, 1],

       which for two systems is the familiar :math:`2\\sqrt{U_1U_2}/(U_1+U_2)`. (The variant without
       the factor n, still common in the literature, is bounded by :math:`1/n` and is not used.)
       Where every :math:`U_i = 0` the ratio is 0/0; C is set to 0 there (and D is 0 anyway).
    5. Comprehensive index :math:`T = \\sum_i a_i U_i` with :math:`a_i = 1/n` unless
       ``contributions`` is given; coordination degree :math:`D = \\sqrt{C T}`.
    6. Grades 1..10 of D in steps of 0.1 with the usual labels (:data:`COORDINATION_GRADES`), from
       "extreme disorder" [0, 0.1) to "quality coordination" [0.9, 1].

    Parameters
    ----------
    data : pandas.DataFrame
        Indexed by region id; one column per indicator.
    systems : mapping of str to list of str or CompositeIndex
        Subsystem name -> its indicator columns, e.g.
        ``{"urbanization": ["urban_rate"], "economy": ["gdp_pc", "gdp_growth"]}``, or -> a
        :class:`~spatialcluster.indicators.CompositeIndex` (from :func:`~spatialcluster.composite_index`
        on the same regions), whose score is then the subsystem index :math:`U_i` as it is.
    weights : {"entropy", "equal"} or mapping of str to float, default "entropy"
        Indicator weights within subsystems.
    negative : sequence of str
        Indicators for which a smaller value is better (e.g. an unemployment rate).
    contributions : mapping of str to float, optional
        Coefficients :math:`a_i` of T (must sum to 1); equal by default.
    time : str, optional
        Period column of a long panel (one row per region and period). Normalisation and entropy
        weights are then computed over all region-periods pooled, so that D is comparable across
        periods (normalising each year separately makes every year span [0, 1], the
        incomparability problem discussed by Wang et al. 2021). The result is indexed by
        (region, period).
    id : str, optional
        Region-id column of a long panel (default: the index).

    Returns
    -------
    CouplingCoordination

    References
    ----------
    Li, Y., Li, Y., Zhou, Y., Shi, Y. & Zhu, X. (2012). Investigation of a coupling model of
    coordination between urbanization and the environment. *Journal of Environmental Management*
    98, 127-133.

    Jiang, L., Bai, L. & Wu, Y. (2017). Coupling and coordinating degrees of provincial economy,
    resources and environment in China (in Chinese). *Journal of Natural Resources* 32(5). doi:10.11849/zrzyxb.20160512

    Wang, S., Kong, W., Ren, L., Zhi, D. & Dai, B. (2021). Research on misuses and modification
    of coupling coordination degree model in China (in Chinese, 国内耦合协调度模型的误区及修正).
    *Journal of Natural Resources* 36(3), 793-810. doi:10.31497/zrzyxb.20210319

    Zou, Z., Yun, Y. & Sun, J. (2006). Entropy method for determination of weight of evaluating
    indicators in fuzzy synthetic evaluation for water quality assessment. *Journal of
    Environmental Sciences* 18(5), 1020-1023.
    """
    if not isinstance(systems, Mapping) or len(systems) < 2:
        raise InputError("systems must map at least two subsystem names to their indicator columns, "
                         "e.g. {'urbanization': ['urban_rate'], 'economy': ['gdp_pc']}.")
    index, work = panel_index(data, time, id)
    composite = {k: v for k, v in systems.items() if isinstance(v, CompositeIndex)}
    listed = {k: v for k, v in systems.items() if k not in composite}
    for name, cols in listed.items():
        if isinstance(cols, str) or not len(cols):
            raise InputError(f"subsystem {name!r} needs a list of indicator columns or a composite index "
                             f"(sc.composite_index), got {cols!r}.")
    all_cols = [c for cols in listed.values() for c in cols]
    seen = pd.Index(all_cols)
    if seen.has_duplicates:
        raise InputError(f"indicators listed in more than one subsystem: {_names(seen[seen.duplicated()].unique())}.")
    unknown_neg = set(negative) - set(all_cols)
    if unknown_neg:
        raise InputError(f"negative= names columns that are in no subsystem: {_names(sorted(unknown_neg))}.")

    raw = pd.DataFrame({c: numeric(work, c, nonnegative=False) for c in all_cols}, index=work.index)
    norm, info = standardise(raw, negative)
    tables, parts, U = [], [norm.set_axis(index)], {}
    for name, cols in systems.items():
        if name in composite:
            U[f"U_{name}"] = _aligned_score(composite[name], index, name)
            tab = composite[name].weights.assign(system=name)
            parts.append(composite[name].standardized)
        else:
            tab = info.loc[list(cols)].join(indicator_weights(norm[list(cols)], weights, f" for subsystem {name!r}"))
            tab = tab.assign(system=name)
            U[f"U_{name}"] = norm[list(cols)].to_numpy() @ tab["weight"].to_numpy()
        tables.append(tab)
    wtab = pd.concat(tables)
    wtab = wtab[["system", "direction", "min", "max"] + [c for c in wtab.columns
                                                        if c not in ("system", "direction", "min", "max")]]
    wtab.index.name = "indicator"
    U = pd.DataFrame(U, index=index)
    n = len(systems)
    if contributions is None:
        a = pd.Series(1.0 / n, index=list(systems))
    else:
        if set(contributions) != set(systems):
            raise InputError(f"contributions must name exactly the subsystems {list(systems)}, got {list(contributions)}.")
        a = pd.Series({s: float(contributions[s]) for s in systems})
        if (a < 0).any() or not np.isclose(a.sum(), 1.0, rtol=0, atol=1e-9):
            raise InputError(f"contributions must be non-negative and sum to 1, got {a.to_dict()} (sum {a.sum():g}).")

    u = U.to_numpy()
    total = u.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        # geometric mean / arithmetic mean, computed in logs for many subsystems; U = 0 gives C = 0.
        gm = np.exp(np.log(u).mean(axis=1))
        C = np.where(total > 0, gm / (total / n), 0.0)
    C = np.clip(C, 0.0, 1.0)  # AM-GM: C <= 1 exactly; clip only removes rounding above 1
    T = u @ a.to_numpy()
    D = np.sqrt(C * T)
    grade, label = coordination_grade(D)
    frame = U.assign(C=C, T=T, D=D, grade=grade, label=label)
    method = weights if isinstance(weights, str) else "user"
    return CouplingCoordination(frame, wtab, pd.concat(parts, axis=1), a.to_dict(), method)


