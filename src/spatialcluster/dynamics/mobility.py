"""Rank mobility: Kendall's tau, spatial tau and the inter/intra-regional decomposition (Rey 2004, 2016)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse, stats

from .._errors import InputError
from .._result import Result
from .._validate import _names
from ..stats import _core
from . import _panel


def spatial_tau(x, y, pairs_i, pairs_j):
    """Kendall's tau-b over neighbour pairs only (Rey 2004): S / sqrt(n1 n2), ties excluded per variable."""
    dx, dy = x[pairs_i] - x[pairs_j], y[pairs_i] - y[pairs_j]
    s = np.sign(dx * dy).sum()
    n1, n2 = np.count_nonzero(dx), np.count_nonzero(dy)
    return s / np.sqrt(n1 * n2) if n1 and n2 else np.nan


def regime_tau(x, y, codes, k, chunk=2048):
    """k x k mean concordance sign((x_i - x_j)(y_i - y_j)) over pairs i != j by regimes (giddy's Tau_Regional).

    Computed in row chunks: O(n**2) time, O(chunk * n) memory.
    """
    n = x.size
    num = np.zeros((k, k))
    onehot = np.zeros((n, k))
    onehot[np.arange(n), codes] = 1.0
    for a in range(0, n, chunk):
        b = min(n, a + chunk)
        S = np.sign((x[a:b, None] - x[None, :]) * (y[a:b, None] - y[None, :]))
        num += onehot[a:b].T @ S @ onehot
    sizes = onehot.sum(axis=0)
    den = np.outer(sizes, sizes) - np.diag(sizes)
    with np.errstate(invalid="ignore", divide="ignore"):
        return num / den, num, den


@dataclass(repr=False)
class RankMobilityResult(Result):
    """Rank concordance between periods.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per pair of periods (consecutive, and first -> last as "overall"): ``tau``
        (Kendall tau-b), ``tau_p``; with ``w``: ``spatial_tau`` (neighbour pairs only),
        ``spatial_tau_p`` (permutation, when asked); with ``regime``: ``tau_intra`` (pairs in the
        same regime) and ``tau_inter`` (pairs across regimes).
    regime_tau : dict
        Pair label -> k x k DataFrame of mean concordance by regime (diagonal: intra).
    """

    frame: pd.DataFrame
    regime_tau: dict
    variable: str
    permutations: int
    seed: int | None

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def summary(self) -> str:
        return "\n".join([
            f"Rank mobility: {self.variable}  ({len(self.frame)} period pairs)",
            *("  " + s for s in self.frame.to_string(float_format=lambda v: f"{v:.4f}").splitlines()),
            "  tau near 1: ranks kept (little mobility); spatial tau < tau: neighbours swapped ranks more than "
            "regions overall (Rey 2004).",
        ])

    def plot(self, ax=None, **kwargs):
        """Tau (and spatial tau) for consecutive period pairs."""
        from ..plot.dynamics import mobility_plot

        return mobility_plot(self, ax=ax, **kwargs)

    def to_record(self) -> dict:
        overall = self.frame.loc["overall"]
        return _panel.jsonable({"method": "rank mobility", "variable": self.variable,
                                **{k: float(v) for k, v in overall.items() if np.isfinite(v)}})


def rank_mobility(long_df, column, w=None, id="code", time="year", regime=None, permutations=0, seed=None,
                  balance=False):
    """Kendall's tau between periods, its spatial version and its regional decomposition.

    Parameters
    ----------
    long_df, column, id, time, balance
        As in :func:`markov`.
    w : libpysal.graph.Graph, optional
        Neighbours for the spatial tau (binary, symmetrised: each neighbour pair counted once).
    regime : str or mapping, optional
        Column of ``long_df`` (taken in the first period) or mapping id -> regime, for the
        intra-/inter-regional decomposition.
    permutations : int
        Random relabellings of the regions for the spatial tau's pseudo p-value.
    seed : int, optional

    Returns
    -------
    RankMobilityResult

    References
    ----------
    Rey, S. J. (2004). Spatial dependence in the evolution of regional income distributions.
    In Getis, Mur, Zoller (eds.), Spatial Econometrics and Spatial Statistics. Palgrave, 194-213.
    Rey, S. J. (2016). Space-time patterns of rank concordance: local indicators of mobility
    association with application to spatial income inequality dynamics. Annals of the American
    Association of Geographers 106(4), 788-803.
    """
    permutations = _core.check_permutations(permutations)
    p = _panel.panel(long_df, column, id, time, balance=balance, adjacent=True, what="rank mobility")
    pi = pj = None
    if w is not None:
        p, W, _ = _panel.with_weights(p, w, None)
        B = sparse.triu((abs(W) + abs(W).T) > 0, k=1).tocoo()
        pi, pj = B.row, B.col
    codes, names = None, None
    if regime is not None:
        codes, names = _regimes(long_df, regime, id, time, p)
    labels = [(p.periods[t], p.periods[t + 1]) for t in range(p.t - 1)]
    if p.t > 2:
        labels.append((p.periods[0], p.periods[-1]))
    rng = np.random.default_rng(_core.resolve_seed(seed)) if permutations else None
    rows, regs = {}, {}
    for a, b in labels:
        x, y = p.column(a), p.column(b)
        tb = stats.kendalltau(x, y)
        row = {"from": a, "to": b, "tau": tb.statistic, "tau_p": tb.pvalue}
        if pi is not None:
            row["spatial_tau"] = obs = spatial_tau(x, y, pi, pj)
            if permutations:
                sims = np.empty(permutations)
                for r in range(permutations):
                    perm = rng.permutation(p.n)
                    sims[r] = spatial_tau(x[perm], y[perm], pi, pj)
                row["spatial_tau_p"] = float(_core.pseudo_p((sims >= obs).sum(), (sims <= obs).sum(), permutations,
                                                            "two-sided"))
        if codes is not None:
            mat, num, den = regime_tau(x, y, codes, len(names))
            off = ~np.eye(len(names), dtype=bool)
            row["tau_intra"] = num.trace() / den.trace()
            row["tau_inter"] = num[off].sum() / den[off].sum()
            key = "overall" if (a, b) == (p.periods[0], p.periods[-1]) and p.t > 2 else f"{a}-{b}"
            regs[key] = pd.DataFrame(mat, index=names, columns=names)
        rows["overall" if (a, b) == (p.periods[0], p.periods[-1]) and p.t > 2 else f"{a}-{b}"] = row
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "periods"
    return RankMobilityResult(frame=frame, regime_tau=regs, variable=p.variable, permutations=permutations,
                              seed=None if rng is None else seed)


def _regimes(long_df, regime, id, time, p):
    if isinstance(regime, str):
        frame = long_df.reset_index() if id not in long_df.columns else long_df
        if regime not in frame.columns:
            raise InputError(f"regime column {regime!r} is not in the panel")
        first = frame.drop_duplicates(id).set_index(frame.drop_duplicates(id)[id].astype(str))[regime]
        values = first.reindex(p.ids)
    else:
        values = pd.Series({str(k): v for k, v in dict(regime).items()}).reindex(p.ids)
    if values.isna().any():
        raise InputError(f"no regime for region(s) {_names(p.ids[values.isna().to_numpy()])}")
    codes, names = pd.factorize(values, sort=True)
    sizes = np.bincount(codes)
    if (sizes < 2).any():
        raise InputError(f"regime(s) {_names(names[sizes < 2])} have one member: the intra-regional tau needs two")
    return codes, list(names)
