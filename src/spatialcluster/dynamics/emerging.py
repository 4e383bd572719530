"""Emerging hot spot analysis: G_i* per period, Mann-Kendall trends and ArcGIS's categories."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._errors import InputError
from .._progress import progress_bar
from .._result import Result
from .._validate import sparse_weights
from ..stats import _core, multitest
from ..stats._kernels import BLOCK
from ..stats.engine import progress_steps
from . import _panel

HOT_CATEGORIES = ["new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic", "oscillating",
                  "historical"]
CATEGORIES = ([f"{c} hot spot" for c in HOT_CATEGORIES] + [f"{c} cold spot" for c in HOT_CATEGORIES]
              + ["no pattern detected"])


def mann_kendall(Y):
    """Mann-Kendall trend test of every row of ``Y`` (regions x periods) against time.

    ``S = sum_{s<t} sign(y_t - y_s)``; its variance is corrected for ties in y,
    ``Var S = [T(T-1)(2T+5) - sum_g t_g(t_g-1)(2t_g+5)] / 18`` (Kendall 1975), and
    ``z = S / sqrt(Var S)`` without continuity correction, so that ``tau`` (tau-b) and ``p``
    equal :func:`scipy.stats.kendalltau` (``method="asymptotic"``) of the row against 1..T.
    Returns a dict of arrays ``S``, ``var_S``, ``tau``, ``z``, ``p``.

    References
    ----------
    Mann, H. B. (1945). Nonparametric tests against trend. Econometrica 13(3), 245-259.
    Kendall, M. G. (1975). Rank Correlation Methods, 4th ed. London: Griffin.
    """
    Y = np.asarray(Y, dtype=float)
    n, T = Y.shape
    if T < 3:
        raise InputError(f"a trend test needs at least 3 periods, got {T}")
    S = np.zeros(n)
    ties = np.zeros(n)  # sum over y's tie groups of t(t-1)(2t+5), via each value's group size
    tied_pairs = np.zeros(n)
    for s in range(T):
        d = Y[:, s + 1:] - Y[:, [s]]
        S += np.sign(d).sum(axis=1)
    for s in range(T):
        size = (Y == Y[:, [s]]).sum(axis=1).astype(float)
        ties += (size - 1) * (2 * size + 5)  # t(t-1)(2t+5) / t, summed over the group's t members
        tied_pairs += (size - 1) / 2.0
    var = (T * (T - 1) * (2 * T + 5) - ties) / 18.0
    n0 = T * (T - 1) / 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(var > 0, S / np.sqrt(var), 0.0)
        tau = np.where(n0 - tied_pairs > 0, S / np.sqrt(n0 * (n0 - tied_pairs)), np.nan)
    return {"S": S, "var_S": var, "tau": tau, "z": z, "p": 2 * stats.norm.sf(np.abs(z))}


def categorize(hot, cold, trend_z, trend_p, trend_alpha=0.05):
    """ArcGIS Emerging Hot Spot Analysis category of every row of the significance bins.

    ``hot`` and ``cold`` are regions x periods booleans (significant G_i* with z > 0 / < 0);
    ``trend_z`` and ``trend_p`` the Mann-Kendall trend of the G_i* z-scores. The rules, read
    from ArcGIS Pro's documentation ("How Emerging Hot Spot Analysis works"), for hot spots
    (cold spots mirror them, with "intensifying" a significant downward trend of z):

    * new: hot in the final period and never before;
    * consecutive: a single uninterrupted run of >= 2 hot periods ending in the final one,
      never hot before the run, and hot in fewer than 90 % of the periods;
    * intensifying / persistent / diminishing: hot in >= 90 % of the periods including the
      final one, with a significant upward / no significant / a significant downward trend;
    * oscillating: hot in the final period, < 90 % hot, and cold in some earlier period;
    * sporadic: hot in the final period, < 90 % hot, on and off, never cold;
    * historical: not hot in the final period but hot in >= 90 % of the periods;
    * no pattern detected: none of these (hot or cold).
    """
    hot, cold = np.asarray(hot, bool), np.asarray(cold, bool)
    n, T = hot.shape
    up = (np.asarray(trend_p) <= trend_alpha) & (np.asarray(trend_z) > 0)
    down = (np.asarray(trend_p) <= trend_alpha) & (np.asarray(trend_z) < 0)
    out = np.full(n, "no pattern detected", dtype=object)
    for kind, sig, other, stronger, weaker in (("cold", cold, hot, down, up), ("hot", hot, cold, up, down)):
        count = sig.sum(axis=1)
        final = sig[:, -1]
        mostly = count >= 0.9 * T - 1e-9
        rev = sig[:, ::-1]
        run = np.where(rev.all(axis=1), T, rev.argmin(axis=1))  # length of the final run
        rules = [
            (final & (count == 1), "new"),
            (final & (run >= 2) & (count == run) & ~mostly, "consecutive"),
            (final & mostly & stronger, "intensifying"),
            (final & mostly & weaker, "diminishing"),
            (final & mostly, "persistent"),
            (final & ~mostly & other[:, :-1].any(axis=1), "oscillating"),
            (final & ~mostly, "sporadic"),
            (~final & mostly, "historical"),
        ]
        done = np.zeros(n, bool)
        for mask, name in rules:
            take = mask & ~done
            out[take] = f"{name} {kind} spot"
            done |= take
    return out


@dataclass(repr=False)
class EmergingHotspotsResult(Result):
    """Emerging hot spot categories per region, with the G_i* panel behind them.

    Attributes
    ----------
    frame : pandas.DataFrame
        Index = region id: ``category`` (ArcGIS's 17 categories), ``n_hot``, ``n_cold``,
        ``trend_tau``, ``trend_z``, ``trend_p`` (Mann-Kendall of the G_i* z-scores), ``z_last``.
    z, p : pandas.DataFrame
        Regions x periods G_i* z-scores (analytic, Ord & Getis 1995) and the p-values used
        (permutation when ``permutations > 0``).
    bins : pandas.DataFrame
        Regions x periods: 1 hot, -1 cold, 0 not significant (after ``correction``).
    """

    frame: pd.DataFrame
    z: pd.DataFrame
    p: pd.DataFrame
    bins: pd.DataFrame
    variable: str
    permutations: int
    seed: int | None
    alpha: float
    trend_alpha: float
    correction: str | None
    geometry: object = None

    def counts(self) -> pd.Series:
        return self.frame["category"].value_counts().reindex(CATEGORIES, fill_value=0).rename("regions")

    def to_frame(self):
        return _core.with_geometry(self.frame.copy(), self.geometry)

    def summary(self) -> str:
        c = self.counts()
        c = c[c > 0]
        inference = (f"permutation p ({self.permutations} draws shared by all periods, seed {self.seed})"
                     if self.permutations else "analytic p")
        return "\n".join([
            f"Emerging hot spots: {self.variable}  ({len(self.frame)} regions, {self.z.shape[1]} periods)",
            f"  G_i* per period, significant at {self.alpha:g} ({inference}; correction "
            f"'{self.correction or 'none'}'); Mann-Kendall trend of z at {self.trend_alpha:g}",
            *("    " + s for s in c.to_string().splitlines()),
            "  categories: ArcGIS Pro 'How Emerging Hot Spot Analysis works' (90 % rule on the periods).",
        ])

    def plot(self, ax=None, regions=None, **kwargs):
        """Map of the categories in ArcGIS-like colours (needs geometry or ``regions``)."""
        from ..plot.dynamics import emerging_map

        return emerging_map(self, ax=ax, regions=regions, **kwargs)

    def to_record(self) -> dict:
        return _panel.jsonable({"method": "emerging hot spots", "variable": self.variable, "n": len(self.frame),
                                "periods": [str(p) for p in self.z.columns], "permutations": self.permutations,
                                "seed": self.seed, "counts": {k: int(v) for k, v in self.counts().items() if v}})


def emerging_hotspots(long_df, column, w, id="code", time="year", permutations=999, alpha=0.05, correction=None,
                      trend_alpha=None, seed=None, regions=None, balance=False, progress=None):
    """Emerging hot spot analysis (ArcGIS Pro's categories) on a regions x periods panel.

    Per period, local G_i* (:func:`spatialcluster.getis_ord`, weights as given, self included)
    marks hot and cold spots; a Mann-Kendall test finds the trend of each region's z-scores;
    :func:`categorize` assigns the categories.

    Parameters
    ----------
    long_df, column, w, id, time, balance
        As in :func:`spatial_markov`; ``w`` is used for every period.
    permutations : int, default 999
        Conditional permutations of G_i*; one draw of neighbours serves all periods (see
        :mod:`spatialcluster.dynamics._ehs_kernel`). 0: analytic p-values.
    alpha : float, default 0.05
        Significance of a hot / cold spot in a period.
    correction : {None, "fdr", "bonferroni", "fdr_bound"}
        Multiple-testing correction within each period.
    trend_alpha : float, optional
        Significance of the trend (default ``alpha``).
    seed : int, optional
    regions : GeoDataFrame, optional
        Geometry for maps and the GeoPackage layer (indexed by region id).
    progress : bool, optional

    Returns
    -------
    EmergingHotspotsResult

    References
    ----------
    Esri (2024). How Emerging Hot Spot Analysis works. ArcGIS Pro 3.3 documentation.
    Ord, J. K., Getis, A. (1995). Local spatial autocorrelation statistics: distributional
    issues and an application. Geographical Analysis 27(4), 286-306.
    Mann, H. B. (1945). Nonparametric tests against trend. Econometrica 13(3), 245-259.
    """
    from ..stats import arrays

    permutations = _core.check_permutations(permutations)
    correction = multitest.check_correction(correction)
    trend_alpha = alpha if trend_alpha is None else trend_alpha
    p = _panel.panel(long_df, column, id, time, balance=balance, min_periods=3, what="emerging hot spot analysis")
    p, _, g = _panel.with_weights(p, w, None)
    W = sparse_weights(g)
    zs, ps = np.empty(p.values.shape), np.empty(p.values.shape)
    for t, period in enumerate(p.periods):  # analytic G_i* (Ord & Getis 1995) of each period
        try:
            res = arrays.getis_ord(p.values[:, t], W, permutations=0, name=f"{column} in {time} {period}")
        except InputError as exc:
            raise InputError(f"{time} {period}: {exc}") from None
        zs[:, t], ps[:, t] = res["z"], res["p_norm"]
    seed_used = None
    if permutations:
        from ._ehs_kernel import permutation_counts

        seed_used = _core.resolve_seed(seed)
        off, _ = arrays.star_weights(W, True, "r")
        order = _core.id_order(p.ids)
        order = np.arange(p.n) if order is None else order
        off, X = _core.reorder(off, order), p.values[order]
        out = None
        steps = progress_steps(p.n * permutations * p.t * 8 * 1e-9, progress)
        edges = np.r_[np.arange(0, p.n, BLOCK * max(1, -(-p.n // (steps * BLOCK)))), p.n]
        with progress_bar(f"Gi* of {column}: {permutations} permutations", p.n, steps > 1) as advance:
            for a, b in zip(edges[:-1], edges[1:]):
                out = permutation_counts(off, X, permutations, seed_used, start=int(a), stop=int(b), out=out)
                advance(int(b - a))
        n_ge, n_le = out
        back = np.empty_like(order)
        back[order] = np.arange(p.n)
        ps = _core.pseudo_p(n_ge[back], n_le[back], permutations, "two-sided")
    sig = np.column_stack([multitest.significant(ps[:, t], correction, alpha) for t in range(p.t)])
    sig &= np.isfinite(zs)
    hot, cold = sig & (zs > 0), sig & (zs < 0)
    trend = mann_kendall(np.nan_to_num(zs))
    category = categorize(hot, cold, trend["z"], trend["p"], trend_alpha)
    cols = pd.Index(p.periods, name="period")
    frame = pd.DataFrame({"category": category, "n_hot": hot.sum(axis=1), "n_cold": cold.sum(axis=1),
                          "trend_tau": trend["tau"], "trend_z": trend["z"], "trend_p": trend["p"],
                          "z_last": zs[:, -1]}, index=p.ids)
    geometry = None if regions is None else _core.geometry_of(regions)
    if geometry is not None:
        geometry.index = geometry.index.astype(str)
    return EmergingHotspotsResult(
        frame=frame, z=pd.DataFrame(zs, index=p.ids, columns=cols), p=pd.DataFrame(ps, index=p.ids, columns=cols),
        bins=pd.DataFrame(hot.astype(int) - cold.astype(int), index=p.ids, columns=cols), variable=p.variable,
        permutations=permutations, seed=seed_used, alpha=float(alpha), trend_alpha=float(trend_alpha),
        correction=correction, geometry=geometry)

