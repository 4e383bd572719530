"""Cluster indicators for regional economists: location quotients, coupling coordination, inequality.

These are non-spatial descriptors that feed the spatial statistics: a location quotient says
*whether* a region is specialised, Moran's I / LISA then say whether specialised regions sit next
to each other; the coupling coordination degree summarises how evenly two or more subsystems
(urbanization, economy, environment, ...) develop; inequality measures (coefficient of variation,
Gini, Theil with a between/within group decomposition) track convergence across regions and years.

Nothing here has a maintained implementation in the PySAL stack (``inequality.theil`` has the
decomposition but no population weights or Gini weights), so the formulas are written out and
tested against hand-worked examples and brute-force computations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ._errors import InputError
from ._result import Result
from ._validate import _names
from ._validate import column as _column

__all__ = [
    "COORDINATION_GRADES",
    "CouplingCoordination",
    "Inequality",
    "LocationQuotient",
    "coordination_grade",
    "coupling_coordination",
    "entropy_weights",
    "gini",
    "inequality",
    "location_quotient",
    "theil",
]


# ----------------------------------------------------------------------------- helpers


def _numeric(data: pd.DataFrame, name: str, *, nonnegative: bool = True) -> pd.Series:
    """One complete numeric column (shared validation), refusing negatives by region."""
    values = pd.Series(_column(data, name, allow_constant=True), index=data.index)
    if nonnegative and (values < 0).any():
        raise InputError(
            f"column {name!r} is negative for regions {_names(data.index[values < 0])}; "
            "this indicator is defined for non-negative quantities (employment, output, population, income)."
        )
    return values


# ----------------------------------------------------------------------------- location quotient


class LocationQuotient(Result):
    """Location quotients and the concentration flag.

    Attributes
    ----------
    frame : pandas.DataFrame
        Ratio form (``numerator``/``denominator``): indexed by region with the two input columns,
        ``lq`` and ``concentrated``. Industry form: indexed by (region, industry) with ``value``,
        ``region_share`` (``x_ij / x_i.``), ``national_share`` (``x_.j / x..``), ``lq`` and ``concentrated``.
    threshold : float
        ``concentrated`` is ``lq >= threshold``.
    kind : {"ratio", "industry"}
    """

    def __init__(self, frame: pd.DataFrame, threshold: float, kind: str, labels: tuple[str, str]):
        self.frame = frame
        self.threshold = float(threshold)
        self.kind = kind
        self._labels = labels

    @property
    def lq(self) -> pd.Series | pd.DataFrame:
        """The quotients: a Series by region (ratio form) or a region x industry table (industry form)."""
        if self.kind == "ratio":
            return self.frame["lq"].rename(f"lq_{self._labels[0]}")
        return self.frame["lq"].unstack("industry")

    @property
    def concentrated(self) -> pd.Series | pd.DataFrame:
        """``lq >= threshold``, shaped like :attr:`lq`."""
        if self.kind == "ratio":
            return self.frame["concentrated"]
        return self.frame["concentrated"].unstack("industry")

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def summary(self) -> str:
        head = f"Location quotients ({self.kind} form), concentrated = LQ >= {self.threshold:g}"
        if self.kind == "ratio":
            num, den = self._labels
            lq = self.frame["lq"].sort_values(ascending=False)
            lines = [
                head,
                f"  share of {num!r} relative to share of {den!r}; {len(lq)} regions",
                f"  concentrated: {int(self.frame['concentrated'].sum())} region(s)",
                "  highest: " + ", ".join(f"{i} {v:.2f}" for i, v in lq.head(5).items()),
                "  lowest:  " + ", ".join(f"{i} {v:.2f}" for i, v in lq.tail(5).items()),
            ]
            return "\n".join(lines)
        counts = self.frame.groupby(level="industry", sort=True)["concentrated"].sum().astype(int)
        lines = [head, f"  {self.frame.index.get_level_values('region').nunique()} regions x {len(counts)} industries",
                 "  regions concentrated per industry:"]
        lines += [f"    {k}: {v}" for k, v in counts.items()]
        return "\n".join(lines)


def location_quotient(
    table: pd.DataFrame,
    region: str | None = None,
    industry: str | None = None,
    value: str | None = None,
    *,
    numerator: str | None = None,
    denominator: str | None = None,
    industries: Sequence[str] | None = None,
    threshold: float = 1.25,
) -> LocationQuotient:
    """Location quotients (Isserman 1977): a region's share of an activity over its share of the base.

    .. math:: LQ_{ij} = \\frac{x_{ij} / \\sum_j x_{ij}}{\\sum_i x_{ij} / \\sum_{i,j} x_{ij}}

    Three input layouts are accepted:

    * **long** (``region``, ``industry``, ``value`` given): one row per region and industry, e.g.
      employment. Absent region x industry combinations count as zero.
    * **wide** (none of the above): a DataFrame indexed by region whose columns are industries
      (or only the columns named in ``industries``).
    * **ratio** (``numerator`` and ``denominator`` given): one activity against a base, indexed by
      region, :math:`LQ_i = (x_i / \\sum x) / (p_i / \\sum p)`. For example GDP against population is an
      economic-concentration indicator (LQ > 1: the region's share of national output exceeds its
      share of population, i.e. GDP per capita above the average of the regions).

    Parameters
    ----------
    table : pandas.DataFrame
        The data, see the layouts above. Values must be non-negative and complete.
    region, industry, value : str, optional
        Column names of the long layout.
    numerator, denominator : str, optional
        Column names of the ratio layout.
    industries : sequence of str, optional
        Wide layout: the industry columns (default: every column except a geometry).
    threshold : float, default 1.25
        Flag convention: ``concentrated = lq >= threshold``. LQ = 1 means the same share as the
        reference total; 1.25 is a common rule of thumb for "specialised" in cluster mapping
        (Miller, Gibson & Wright 1991); pass ``threshold=1`` for "above average".

    Returns
    -------
    LocationQuotient
        ``.frame`` (long table with the flag), ``.lq`` (Series or region x industry table),
        ``.concentrated``, ``summary()``.

    Raises
    ------
    InputError
        Missing, non-numeric or negative values (naming the regions), duplicate region x industry
        rows, regions or industries whose total is zero (the quotient is undefined).

    References
    ----------
    Isserman, A. M. (1977). The location quotient approach to estimating regional economic impacts.
    *Journal of the American Institute of Planners* 43(1), 33-41.

    Miller, M. M., Gibson, L. J. & Wright, N. G. (1991). Location quotient: a basic tool for
    economic development analysis. *Economic Development Review* 9(2), 65-68.
    """
    if numerator is not None or denominator is not None:
        if numerator is None or denominator is None:
            raise InputError("the ratio form needs both numerator= and denominator= (column names).")
        x = _numeric(table, numerator)
        p = _numeric(table, denominator)
        for name, col in ((numerator, x), (denominator, p)):
            if col.sum() == 0:
                raise InputError(f"column {name!r} sums to zero: its shares, and so the quotient, are undefined.")
        zero = p == 0
        if zero.any():
            raise InputError(
                f"{denominator!r} is zero for regions {_names(table.index[zero])}: their quotient is undefined; "
                "drop them or use a base that is positive everywhere."
            )
        lq = (x / x.sum()) / (p / p.sum())
        frame = pd.DataFrame({numerator: x, denominator: p, "lq": lq, "concentrated": lq >= threshold})
        return LocationQuotient(frame, threshold, "ratio", (numerator, denominator))

    if region is not None or industry is not None or value is not None:
        if None in (region, industry, value):
            raise InputError("the long form needs region=, industry= and value= (column names).")
        for name in (region, industry):
            if name not in table.columns:
                raise InputError(f"column {name!r} is not in the table; columns are {list(table.columns)}.")
        long = table.set_index(pd.Index(table[region].astype(str) + " / " + table[industry].astype(str)))
        vals = _numeric(long, value)
        keys = pd.DataFrame({"region": table[region].astype(str).to_numpy(),
                             "industry": table[industry].astype(str).to_numpy(),
                             "value": vals.to_numpy()})
        dup = keys.duplicated(["region", "industry"], keep=False)
        if dup.any():
            raise InputError(
                f"duplicate region x industry rows: {_names(long.index[dup.to_numpy()].unique())}; "
                "aggregate them first (e.g. table.groupby([region, industry]).sum())."
            )
        wide = keys.pivot(index="region", columns="industry", values="value").fillna(0.0)
    else:
        frame = table.drop(columns=[table.geometry.name]) if hasattr(table, "geometry") else table
        cols = list(industries) if industries is not None else list(frame.columns)
        if not cols:
            raise InputError("no industry columns: pass a region x industry table or industries=[...].")
        wide = pd.DataFrame({c: _numeric(frame, c) for c in cols}, index=frame.index)
        wide.index = wide.index.astype(str)

    wide.index.name, wide.columns.name = "region", "industry"
    region_tot, industry_tot = wide.sum(axis=1), wide.sum(axis=0)
    if (region_tot == 0).any():
        raise InputError(
            f"regions with zero total across industries: {_names(wide.index[region_tot == 0])}; "
            "their shares are undefined, drop them."
        )
    if (industry_tot == 0).any():
        raise InputError(
            f"industries with zero total across regions: {_names(wide.columns[industry_tot == 0])}; "
            "their quotient is undefined, drop them."
        )
    region_share = wide.div(region_tot, axis=0)
    national_share = industry_tot / industry_tot.sum()
    lq = region_share / national_share
    frame = pd.DataFrame({
        "value": wide.stack(),
        "region_share": region_share.stack(),
        "national_share": pd.DataFrame(np.broadcast_to(national_share.to_numpy(), wide.shape),
                                       index=wide.index, columns=wide.columns).stack(),
        "lq": lq.stack(),
    })
    frame["concentrated"] = frame["lq"] >= threshold
    return LocationQuotient(frame, threshold, "industry", ("value", "total"))


# ----------------------------------------------------------------------------- coupling coordination

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

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

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
    systems : mapping of str to list of str
        Subsystem name -> its indicator columns, e.g.
        ``{"urbanization": ["urban_rate"], "economy": ["gdp_pc", "gdp_growth"]}``.
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
    if time is None:
        index = data.index
        work = data
    else:
        if time not in data.columns:
            raise InputError(f"time column {time!r} is not in the data.")
        ids = data[id] if id is not None else data.index.to_series()
        index = pd.MultiIndex.from_arrays([ids.astype(str).to_numpy(), data[time].to_numpy()],
                                          names=[id or data.index.name or "region", time])
        work = data.set_index(pd.Index([f"{r} @ {t}" for r, t in index]))
    if work.index.has_duplicates:
        raise InputError(f"duplicate region ids{'' if time is None else ' x periods'}: "
                         f"{_names(work.index[work.index.duplicated()].unique())}.")
    all_cols = [c for cols in systems.values() for c in cols]
    seen = pd.Index(all_cols)
    if seen.has_duplicates:
        raise InputError(f"indicators listed in more than one subsystem: {_names(seen[seen.duplicated()].unique())}.")
    unknown_neg = set(negative) - set(all_cols)
    if unknown_neg:
        raise InputError(f"negative= names columns that are in no subsystem: {_names(sorted(unknown_neg))}.")
    for name, cols in systems.items():
        if isinstance(cols, str) or not len(cols):
            raise InputError(f"subsystem {name!r} needs a list of indicator columns, got {cols!r}.")

    raw = pd.DataFrame({c: _numeric(work, c, nonnegative=False) for c in all_cols}, index=work.index)
    lo, hi = raw.min(), raw.max()
    const = hi == lo
    if const.any():
        raise InputError(f"indicators {_names(raw.columns[const])} are constant across regions: "
                         "min-max normalisation is undefined and they carry no information; drop them.")
    direction = pd.Series({c: ("negative" if c in set(negative) else "positive") for c in all_cols})
    norm = (raw - lo) / (hi - lo)
    neg = list(direction.index[direction == "negative"])
    norm[neg] = (hi[neg] - raw[neg]) / (hi[neg] - lo[neg])

    tables = []
    for name, cols in systems.items():
        cols = list(cols)
        if isinstance(weights, str):
            if weights == "entropy":
                tab = entropy_weights(norm[cols])
            elif weights == "equal":
                tab = pd.DataFrame({"weight": np.full(len(cols), 1.0 / len(cols))}, index=cols)
            else:
                raise InputError(f"weights must be 'entropy', 'equal' or a mapping column -> weight, got {weights!r}.")
        else:
            missing = [c for c in cols if c not in weights]
            if missing:
                raise InputError(f"weights has no entry for indicators {_names(missing)}.")
            w = pd.Series({c: float(weights[c]) for c in cols})
            if (w < 0).any() or w.sum() <= 0:
                raise InputError(f"weights for subsystem {name!r} must be non-negative and not all zero: {w.to_dict()}.")
            tab = pd.DataFrame({"weight": w / w.sum()})
        tab.insert(0, "system", name)
        tables.append(tab)
    wtab = pd.concat(tables)
    wtab.insert(1, "direction", direction[wtab.index])
    wtab.insert(2, "min", lo[wtab.index])
    wtab.insert(3, "max", hi[wtab.index])
    wtab.index.name = "indicator"

    U = pd.DataFrame({f"U_{name}": norm[list(cols)].to_numpy() @ wtab.loc[list(cols), "weight"].to_numpy()
                      for name, cols in systems.items()}, index=index)
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
    return CouplingCoordination(frame, wtab, norm.set_axis(index), a.to_dict(), method)


# ----------------------------------------------------------------------------- inequality


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

    def plot(self, columns: Sequence[str] | None = None, ax=None):
        """Line plot of the measures over time (panel input); returns the matplotlib axes."""
        from .plot import new_axes  # sets up the CJK font before any text is made

        ax = new_axes(ax, figsize=(6, 3.5))
        if columns is None:
            suffix = "_w" if self.weighted else ""
            columns = [c + suffix for c in ("cv", "gini", "theil")]
        self.frame[list(columns)].plot(ax=ax, marker="o")
        ax.set_xlabel(self.time or "")
        ax.set_ylabel("inequality")
        ax.set_title(f"Regional inequality of {self.column}")
        return ax


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
    df = data.drop(columns=[data.geometry.name]) if hasattr(data, "geometry") else data
    ids = df[id].astype(str) if id is not None else pd.Series(df.index.astype(str), index=df.index)
    labelled = df.set_index(pd.Index(ids.to_numpy() + ("" if time is None else " @ " + df[time].astype(str).to_numpy())))
    y = _numeric(labelled, column)
    w = _numeric(labelled, weights) if weights is not None else None
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
