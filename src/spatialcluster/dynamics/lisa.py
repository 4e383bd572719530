"""LISA Markov chains and LISA time paths (Rey 2001; Rey, Murray & Anselin 2011)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._errors import InputError
from .._result import Result
from ..stats import _core
from . import _chain, _panel
from .markov import MarkovResult, _table

QUADRANTS = ["HH", "LH", "LL", "HL"]  # esda's q = 1..4


def moran_space(p: _panel.Panel, W):
    """Standardised values (ddof 0, as esda's Moran_Local) and their spatial lags, n x T each."""
    Y = p.values
    sd = Y.std(axis=0)
    flat = np.flatnonzero(sd <= _core.CONSTANT_RTOL * np.abs(Y).max(axis=0))
    if flat.size:
        raise InputError(f"{p.variable!r} is constant across regions in period(s) "
                         f"{', '.join(str(p.periods[i]) for i in flat)}: no LISA quadrant is defined there")
    Z = (Y - Y.mean(axis=0)) / sd
    return Z, np.asarray(W @ Z)


def quadrants(Z, L):
    """0 HH, 1 LH, 2 LL, 3 HL (esda's q - 1; a zero counts as low)."""
    high = Z > 0
    return np.where(L > 0, ~high, high + np.uint8(2)).astype(np.uint8)


@dataclass(repr=False)
class LisaMarkovResult(MarkovResult):
    """Transitions between the Moran scatter plot quadrants HH, LH, LL, HL.

    Besides :class:`MarkovResult`: ``independence`` (chi2, p, dof: are own and neighbours'
    moves independent? giddy's ``chi_2``), ``significant`` (only moves significant at both
    ends counted) and ``p_values`` (regions x periods LISA pseudo p-values, when significant).
    """

    independence: tuple = None
    significant: bool = False
    alpha: float = 0.05
    p_values: pd.DataFrame = None
    kind: str = "LISA Markov chain"

    def counts(self) -> pd.DataFrame:
        return self.classes.apply(lambda c: c.value_counts()).reindex(QUADRANTS).fillna(0).astype(int)

    def summary(self) -> str:
        chi, pv, dof = self.independence
        text = super().summary()
        extra = f"  own and neighbours' moves independent? chi2 = {chi:.3f}, dof = {dof}, p = {pv:.4g}"
        if self.significant:
            extra += f"\n  only moves with LISA p <= {self.alpha:g} at both ends are counted"
        return text + "\n" + extra

    def to_record(self) -> dict:
        rec = super().to_record()
        rec.update({"labels": QUADRANTS, "significant_only": self.significant,
                    "independence_chi2": float(self.independence[0]), "independence_p": float(self.independence[1])})
        return _panel.jsonable(rec)


def lisa_markov(long_df, column, w, id="code", time="year", significant=False, permutations=999, alpha=0.05,
                seed=None, balance=False):
    """Markov chain of the LISA quadrants (HH, LH, LL, HL) of every region (Rey 2001).

    In every period each region's standardised value and the spatial lag of the standardised
    values (row-standardised ``w``) place it in a quadrant of the Moran scatter plot; the
    moves between consecutive periods form a 4 x 4 chain.

    Parameters
    ----------
    long_df, column, w, id, time, balance
        As in :func:`spatial_markov`.
    significant : bool, default False
        Count only moves where the region's local Moran is significant (pseudo p <= ``alpha``,
        :func:`spatialcluster.local_moran` with ``permutations``) in both periods.
    permutations, alpha, seed
        Used when ``significant``; period t gets a seed derived from ``seed``.

    Returns
    -------
    LisaMarkovResult
        ``transitions`` and ``p`` indexed by "HH", "LH", "LL", "HL"; ``steady_state``,
        ``fmpt``, ``sojourn``, ``chain``, ``independence``.

    References
    ----------
    Rey, S. J. (2001). Spatial empirics for economic growth and convergence. Geographical
    Analysis 33(3), 195-214.
    """
    p = _panel.panel(long_df, column, id, time, balance=balance, adjacent=True, what="a LISA Markov chain")
    p, W, g = _panel.with_weights(p, w, "r")
    Z, L = moran_space(p, W)
    q = quadrants(Z, L)
    strata, pvals = None, None
    if significant:
        from ..stats import local_moran

        base = _core.resolve_seed(seed)
        cols = {}
        for t, period in enumerate(p.periods):
            frame = pd.DataFrame({"v": p.values[:, t]}, index=g.unique_ids)  # the graph's own ids
            res = local_moran(frame, "v", g, permutations=permutations, alpha=alpha, correction=None,
                              seed=_core.child_seed(base, t))
            cols[period] = res.frame["p_sim"].to_numpy()
        pvals = pd.DataFrame(cols, index=p.ids)
        sig = pvals.to_numpy() <= alpha
        # a move counts only if significant at both ends: stratum 1 keeps it, 0 drops it
        both = sig[:, :-1] & sig[:, 1:]
        strata = np.zeros_like(q)
        strata[:, :-1] = both
    T = _chain.count_transitions(q, 4, strata, 2 if significant else 1)[-1]
    independence = _independence(p.values, W, T)
    return LisaMarkovResult(
        transitions=_table(T, QUADRANTS), p=_table(_chain.row_probabilities(T), QUADRANTS),
        chain=_chain.analyse(T, QUADRANTS),
        classes=_labels(q, p),
        cutoffs=np.array([0.0]), rule="Moran quadrants", variable=p.variable, dropped=p.dropped,
        independence=independence, significant=bool(significant), alpha=float(alpha), p_values=pvals)


def _labels(q, p):
    """Regions x periods quadrant labels as categorical columns (cheap at millions of regions)."""
    return pd.DataFrame({period: pd.Categorical.from_codes(q[:, t], QUADRANTS) for t, period in enumerate(p.periods)},
                        index=p.ids).rename_axis(columns="period")


def _independence(Y, W, T):
    """Chi2 of the quadrant moves against independent own and lag moves (giddy's LISA_Markov.chi_2).

    Own and lag values are classed below / not below the period mean; the expected quadrant
    transitions are the Kronecker product of the two 2-state chains mapped to HH, LH, LL, HL.
    giddy (2.3) builds the two chains from the transposed array (periods taken as regions, each
    region's mean over time as the reference), so its ``chi_2`` (1058.2 on us_income) is not this
    test; here each region moves between periods, as Rey (2001) describes.
    """
    mean = Y.mean(axis=0)
    if (mean > 0).all():  # y / mean < 1 without dividing 2 x n x T numbers
        own = (Y < mean).view(np.uint8)
        lag = (np.asarray(W @ Y) < mean).view(np.uint8)
    else:
        own = (Y / mean < 1.0).view(np.uint8)
        lag = (np.asarray(W @ Y) / mean < 1.0).view(np.uint8)
    po = _chain.row_probabilities(_chain.count_transitions(own, 2)[0])
    pl = _chain.row_probabilities(_chain.count_transitions(lag, 2)[0])
    A = np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 1, 0, 0]])
    expected = np.diag(T.sum(axis=1)) @ (A @ np.kron(po, pl) @ A.T)
    return _chain.chi2_vs(T, expected)


@dataclass(repr=False)
class LisaPathsResult(Result):
    """Each region's path through the Moran scatter plot over time.

    Attributes
    ----------
    frame : pandas.DataFrame
        Index = region id: ``length`` (sum of the step lengths), ``distance`` (start to end),
        ``tortuosity`` (length / distance; 1 = straight, inf = back where it started),
        ``mean_step``, ``start`` and ``end`` quadrant.
    z, lag : pandas.DataFrame
        Regions x periods standardised values and spatial lags (the path's coordinates).
    """

    frame: pd.DataFrame
    z: pd.DataFrame
    lag: pd.DataFrame
    variable: str

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def counts(self) -> pd.Series:
        """Regions by (start quadrant -> end quadrant)."""
        return (self.frame["start"] + "->" + self.frame["end"]).value_counts().rename("regions")

    def summary(self) -> str:
        f = self.frame
        longest = f["length"].nlargest(5)
        return "\n".join([
            f"LISA time paths: {self.variable}  ({len(f)} regions, {self.z.shape[1]} periods)",
            f"  path length: median {f['length'].median():.3f}, max {f['length'].max():.3f}; "
            f"tortuosity median {f['tortuosity'].replace(np.inf, np.nan).median():.3f}",
            "  longest paths: " + ", ".join(f"{i} ({v:.2f})" for i, v in longest.items()),
            "  length = sum of steps in the Moran scatter plot; tortuosity = length / start-to-end distance "
            "(Rey, Murray & Anselin 2011).",
        ])

    def plot(self, ax=None, regions=None, **kwargs):
        """Paths of ``regions`` (default: the five longest) in the Moran scatter plot."""
        from ..plot.dynamics import lisa_paths_plot

        return lisa_paths_plot(self, ax=ax, regions=regions, **kwargs)

    def to_record(self) -> dict:
        f = self.frame
        return _panel.jsonable({"method": "LISA time paths", "variable": self.variable, "n": len(f),
                                "median_length": float(f["length"].median()),
                                "median_tortuosity": float(f["tortuosity"].replace(np.inf, np.nan).median())})


def lisa_paths(long_df, column, w, id="code", time="year", balance=False):
    """Length and tortuosity of each region's LISA time path (Rey, Murray & Anselin 2011).

    The path joins the points (standardised value, spatial lag) of consecutive periods. Long
    paths mark regions whose position relative to their neighbours changed much; tortuous ones
    (length much larger than the start-to-end distance) moved back and forth.

    References
    ----------
    Rey, S. J., Murray, A. T., Anselin, L. (2011). Visualizing regional income distribution
    dynamics. Letters in Spatial and Resource Sciences 4(1), 81-90.
    """
    p = _panel.panel(long_df, column, id, time, balance=balance, adjacent=True, what="a LISA time path")
    p, W, _ = _panel.with_weights(p, w, "r")
    Z, L = moran_space(p, W)
    steps = np.hypot(np.diff(Z, axis=1), np.diff(L, axis=1))
    length = steps.sum(axis=1)
    distance = np.hypot(Z[:, -1] - Z[:, 0], L[:, -1] - L[:, 0])
    with np.errstate(divide="ignore", invalid="ignore"):
        tortuosity = np.where(distance > 0, length / distance, np.where(length > 0, np.inf, 1.0))
    q = _labels(quadrants(Z, L), p)
    frame = pd.DataFrame({"length": length, "distance": distance, "tortuosity": tortuosity,
                          "mean_step": steps.mean(axis=1), "start": q.iloc[:, 0].astype(str),
                          "end": q.iloc[:, -1].astype(str)}, index=p.ids)
    cols = pd.Index(p.periods, name="period")
    return LisaPathsResult(frame=frame, z=pd.DataFrame(Z, index=p.ids, columns=cols),
                           lag=pd.DataFrame(L, index=p.ids, columns=cols), variable=p.variable)
