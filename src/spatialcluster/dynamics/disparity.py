"""Regional disparity: Dagum's Gini decomposition by groups, and kernel densities by period."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._errors import InputError
from .._result import Result
from .._validate import _by_region, _names
from . import _panel


def _abs_sum_within(x_sorted):
    """sum_i sum_r |x_i - x_r| of one sorted sample: 2 sum_i (2i - n - 1) x_(i), i = 1..n."""
    n = x_sorted.size
    return 2.0 * np.dot(2.0 * np.arange(1, n + 1) - n - 1, x_sorted)


def _excess(a_sorted, b_sorted):
    """sum over all pairs of max(a_i - b_r, 0), in O((n_a + n_b) log n_b) with cumulative sums."""
    below = np.searchsorted(b_sorted, a_sorted, side="left")  # b_r < a_i
    cum = np.r_[0.0, np.cumsum(b_sorted)]
    return float(np.dot(a_sorted, below) - cum[below].sum())


def _decompose(y, codes, k):
    """Dagum (1997) parts of one cross-section; groups coded 0..k-1 in ascending order of mean."""
    n, mu = y.size, y.mean()
    parts = [np.sort(y[codes == j]) for j in range(k)]
    nj = np.array([p.size for p in parts], dtype=float)
    mj = np.array([p.mean() for p in parts])
    pj, sj = nj / n, nj * mj / (n * mu)
    G = np.zeros((k, k))
    D = np.zeros((k, k))
    for j in range(k):
        G[j, j] = _abs_sum_within(parts[j]) / (2 * nj[j] ** 2 * mj[j])
        for h in range(j):
            # j has the larger mean: d = E max(y_j - y_h, 0), p = E max(y_h - y_j, 0)
            d = _excess(parts[j], parts[h])
            p = d - (nj[h] * parts[j].sum() - nj[j] * parts[h].sum())
            G[j, h] = G[h, j] = (d + p) / (nj[j] * nj[h] * (mj[j] + mj[h]))
            D[j, h] = D[h, j] = (d - p) / (d + p) if d + p > 0 else 0.0
    within = float(np.sum(G.diagonal() * pj * sj))
    weight = np.outer(pj, sj) + np.outer(sj, pj)
    lower = np.tril(np.ones((k, k), bool), -1)
    between = float(np.sum((G * weight * D)[lower]))
    trans = float(np.sum((G * weight * (1 - D))[lower]))
    total = _abs_sum_within(np.sort(y)) / (2 * n**2 * mu)
    return total, within, between, trans, G, D, pj, sj, mj, nj


@dataclass(repr=False)
class DagumResult(Result):
    """Dagum's (1997) Gini decomposition: within, net between and transvariation.

    Attributes
    ----------
    total, within, between, transvariation : float or pandas.Series
        Scalars for one cross-section; Series indexed by period with ``time``. ``within +
        between + transvariation == total`` to rounding.
    shares : pandas.DataFrame
        Contributions of the three parts to the total (rows: periods, or one row).
    group_gini : pandas.DataFrame
        Within-group Gini G_jj (rows: periods, columns: groups).
    pair_gini, pair_D : dict
        Period -> k x k between-group Gini G_jh and relative economic affluence D_jh.
    groups : list
        Group names, ascending order of (overall) mean.
    """

    table: pd.DataFrame
    group_gini: pd.DataFrame
    pair_gini: dict
    pair_D: dict
    groups: list
    variable: str
    panel: bool

    def _part(self, name):
        return self.table[name] if self.panel else float(self.table[name].iloc[0])

    @property
    def total(self):
        return self._part("total")

    @property
    def within(self):
        return self._part("within")

    @property
    def between(self):
        return self._part("between")

    @property
    def transvariation(self):
        return self._part("transvariation")

    @property
    def shares(self) -> pd.DataFrame:
        parts = self.table[["within", "between", "transvariation"]]
        return parts.div(self.table["total"], axis=0).add_suffix("_share")

    def to_frame(self) -> pd.DataFrame:
        """Per period: the three parts, the total, their shares and each group's Gini."""
        return pd.concat([self.table, self.shares, self.group_gini.add_prefix("G_")], axis=1)

    def summary(self) -> str:
        frame = pd.concat([self.table, self.shares], axis=1)
        return "\n".join([
            f"Dagum Gini decomposition: {self.variable}  "
            f"(groups by ascending mean: {', '.join(map(str, self.groups))})",
            *("  " + s for s in frame.to_string(float_format=lambda v: f"{v:.4f}").splitlines()),
            "  within + net between + transvariation = total (Dagum 1997); D_jh with j the group of larger mean.",
        ])

    def plot(self, ax=None, **kwargs):
        """Contribution shares of the three parts over time (stacked), or bars for one cross-section."""
        from ..plot.dynamics import dagum_plot

        return dagum_plot(self, ax=ax, **kwargs)

    def to_record(self) -> dict:
        last = self.table.iloc[-1]
        return _panel.jsonable({"method": "Dagum Gini decomposition", "variable": self.variable,
                                "groups": list(map(str, self.groups)), "periods": [str(p) for p in self.table.index],
                                **{k: float(last[k]) for k in self.table.columns}})


def _with_group_column(data, groups, id):
    """``data`` with the groups of a region id -> group Series or mapping as a column, and its name."""
    if not isinstance(groups, (pd.Series, Mapping)):
        raise InputError(f"group must be a column name or a region id -> group Series or mapping, got {type(groups).__name__}")
    groups = pd.Series(groups)
    groups.index = groups.index.astype(str)
    name = groups.name if isinstance(groups.name, str) and groups.name not in data.columns else "group"
    while name in data.columns:
        name = f"_{name}"
    keys = pd.Index(data.index if id is None else data[id]).astype(str)
    return data.assign(**{name: groups.reindex(keys).to_numpy()}), name


def dagum_gini(data, column, group, time=None, id=None):
    """Dagum's (1997) decomposition of the Gini coefficient by groups (e.g. NBS's four regions).

    ``G = G_w + G_nb + G_t``: within-group inequality ``G_w = sum_j G_jj p_j s_j``, the net
    between-group part ``G_nb = sum_{j>h} G_jh (p_j s_h + p_h s_j) D_jh`` and the
    transvariation (overlap of the groups) ``G_t = sum_{j>h} G_jh (p_j s_h + p_h s_j)(1 - D_jh)``,
    with ``p_j = n_j / n``, ``s_j = n_j mu_j / (n mu)`` and ``D_jh = (d_jh - p_jh) / (d_jh +
    p_jh)``. Convention: groups are ordered by ascending mean, so in every pair j (larger mean)
    and h (smaller) ``d_jh = E[max(y_j - y_h, 0)]`` is the "gross economic affluence" of j over h
    and ``D_jh >= 0``.

    Each pair of groups costs O((n_j + n_h) log n_h): with both samples sorted,
    ``sum max(a_i - b_r, 0)`` is a cumulative sum per a_i, never a loop over all pairs.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per region (and period when ``time`` is given).
    column : str
        Non-negative variable with a positive mean.
    group : str, Series or mapping
        Column with each region's group, or region id -> group (as ``sc.inequality``'s
        ``groups``, e.g. ``provinces["group"]``); every group needs at least two members.
    time : str, optional
        Period column: one decomposition per period (the groups' order is that of their
        overall means, so it does not change between periods).

    Returns
    -------
    DagumResult

    References
    ----------
    Dagum, C. (1997). A new approach to the decomposition of the Gini income inequality ratio.
    Empirical Economics 22(4), 515-531.
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"data must be a DataFrame, got {type(data).__name__}")
    if not isinstance(group, str):
        data, group = _with_group_column(data, group, id)
    for c in (column, group, *([time] if time is not None else [])):
        if c not in data.columns:
            raise InputError(f"column {c!r} is not in the data (columns: {_names(data.columns)})")
    y_all = pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=float)
    labels = pd.Index(data.index if id is None else data[id])
    periods = None if time is None else pd.Index(data[time])
    where = lambda mask: _by_region(labels[mask], None if periods is None else periods[mask])  # noqa: E731
    if np.isnan(y_all).any():
        raise InputError(f"column {column!r} is missing or non-numeric for {where(np.isnan(y_all))}; drop or fill them")
    if (y_all < 0).any():
        raise InputError(f"Dagum's Gini needs non-negative values; {column!r} is negative for {where(y_all < 0)}")
    if data[group].isna().any():
        raise InputError(f"group column {group!r} is missing for {where(data[group].isna().to_numpy())}")
    order = pd.Series(y_all).groupby(data[group].to_numpy()).mean().sort_values()
    groups = list(order.index)
    if len(groups) < 2:
        raise InputError(f"the decomposition needs at least 2 groups in {group!r}, got {groups}")
    codes = pd.Categorical(data[group], categories=groups).codes
    periods = [None] if time is None else sorted(data[time].unique())
    rows, gg, PG, PD = {}, {}, {}, {}
    tcol = None if time is None else data[time].to_numpy()
    for period in periods:
        mask = np.ones(y_all.size, bool) if period is None else tcol == period
        y, c = y_all[mask], codes[mask]
        sizes = np.bincount(c, minlength=len(groups))
        small = [groups[j] for j in np.flatnonzero(sizes < 2)]
        if small:
            at = "" if period is None else f" in {time} {period}"
            raise InputError(f"group(s) {_names(small)} have fewer than two members{at}; a within-group Gini needs "
                             "two. Merge them with a neighbouring group or drop them.")
        if y.sum() <= 0:
            raise InputError(f"{column!r} sums to zero{'' if period is None else f' in {time} {period}'}: no Gini")
        total, within, between, trans, G, D, *_ = _decompose(y, c, len(groups))
        key = "all" if period is None else period
        rows[key] = {"total": total, "within": within, "between": between, "transvariation": trans}
        gg[key] = G.diagonal()
        PG[key] = pd.DataFrame(G, index=groups, columns=groups)
        PD[key] = pd.DataFrame(D, index=groups, columns=groups)
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis(time or "period")
    group_gini = pd.DataFrame.from_dict(gg, orient="index", columns=groups).rename_axis(time or "period")
    return DagumResult(table=table, group_gini=group_gini, pair_gini=PG, pair_D=PD, groups=groups,
                       variable=str(column), panel=time is not None)


@dataclass(repr=False)
class KernelDensityResult(Result):
    """Gaussian kernel density of a variable in every period, on one common grid.

    Attributes
    ----------
    density : pandas.DataFrame
        Grid points (rows) x periods.
    bandwidth : pandas.Series
        Bandwidth factor per period (scipy's ``factor``: the kernel's standard deviation is
        factor x the sample standard deviation).
    rule : str
    """

    density: pd.DataFrame
    bandwidth: pd.Series
    rule: str
    variable: str

    def to_frame(self) -> pd.DataFrame:
        return self.density.copy()

    def summary(self) -> str:
        grid = self.density.index.to_numpy()
        modes = {p: grid[np.argmax(self.density[p].to_numpy())] for p in self.density.columns}
        return "\n".join([
            f"Kernel density by period: {self.variable}  (Gaussian kernel, bandwidth rule '{self.rule}')",
            "  mode per period: " + ", ".join(f"{p}: {m:.4g}" for p, m in modes.items()),
            "  bandwidth factor per period: " + ", ".join(f"{p}: {b:.3f}" for p, b in self.bandwidth.items()),
        ])

    def plot(self, ax=None, **kwargs):
        """Density curves of the periods, coloured from early (light) to late (dark)."""
        from ..plot.dynamics import density_plot

        return density_plot(self, ax=ax, **kwargs)

    def to_record(self) -> dict:
        return _panel.jsonable({"method": "kernel density", "variable": self.variable, "rule": self.rule,
                                "bandwidth": {str(k): float(v) for k, v in self.bandwidth.items()}})


def kernel_density(long_df, column, time="year", bandwidth="scott", grid=200):
    """Gaussian kernel density estimate of ``column`` in every period (:class:`scipy.stats.gaussian_kde`).

    Parameters
    ----------
    long_df : pandas.DataFrame
    column, time : str
    bandwidth : {"scott", "silverman"} or float
        Scott's rule ``n**(-1/5)`` (default) or Silverman's ``(3n/4)**(-1/5)`` times the
        sample standard deviation, or a fixed factor (scipy's ``bw_method``).
    grid : int or array
        Number of points of the common grid (from the overall min - 3 bandwidths to max + 3)
        or the grid itself.

    Returns
    -------
    KernelDensityResult

    References
    ----------
    Scott, D. W. (1992). Multivariate Density Estimation. Wiley.
    Silverman, B. W. (1986). Density Estimation for Statistics and Data Analysis. Chapman & Hall.
    """
    from scipy.stats import gaussian_kde

    for c in (column, time):
        if c not in long_df.columns:
            raise InputError(f"column {c!r} is not in the data")
    values = pd.to_numeric(long_df[column], errors="coerce")
    kdes, bws = {}, {}
    for period, v in values.groupby(long_df[time].to_numpy(), sort=True):
        v = v.dropna().to_numpy()
        if v.size < 3 or np.ptp(v) == 0:
            raise InputError(f"{time} {period}: a density needs at least 3 distinct values of {column!r}")
        kdes[period] = gaussian_kde(v, bw_method=bandwidth)
        bws[period] = kdes[period].factor
    if np.ndim(grid) == 0:
        spread = max(np.sqrt(k.covariance[0, 0]) for k in kdes.values())
        lo, hi = np.nanmin(values) - 3 * spread, np.nanmax(values) + 3 * spread
        grid = np.linspace(lo, hi, int(grid))
    grid = np.asarray(grid, dtype=float)
    density = pd.DataFrame({p: k(grid) for p, k in kdes.items()}, index=pd.Index(grid, name=column))
    density.columns.name = time
    rule = bandwidth if isinstance(bandwidth, str) else f"fixed factor {bandwidth}"
    return KernelDensityResult(density=density, bandwidth=pd.Series(bws, name="factor"), rule=rule,
                               variable=str(column))
