"""Classic and spatial Markov chains of regional distributions (Quah 1993; Rey 2001)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._result import Result
from . import _chain, _panel


def _table(a, labels, rows="from", cols="to"):
    return pd.DataFrame(a, index=pd.Index(labels, name=rows), columns=pd.Index(labels, name=cols))


def _fmt(frame, digits=3):
    return frame.to_string(float_format=lambda v: f"{v:.{digits}f}")


@dataclass(repr=False)
class MarkovResult(Result):
    """A discrete Markov chain of classes estimated from a balanced panel.

    Attributes
    ----------
    transitions : pandas.DataFrame
        k x k counts of moves between consecutive periods (origin class in rows).
    p : pandas.DataFrame
        Row probabilities (rows never left are zero, as in giddy).
    steady_state : pandas.Series
        Limiting distribution; NaN when the chain has several recurrent classes (then see
        ``chain.steady_states``, one column per recurrent class).
    fmpt : pandas.DataFrame
        First mean passage times (diagonal: mean recurrence times; ``inf`` where never reached).
    sojourn : pandas.Series
        Expected periods spent in a class once there, ``1 / (1 - p_ii)``.
    chain : ChainAnalysis
        Communicating, recurrent and transient classes and states never left.
    classes : pandas.DataFrame
        Regions x periods class codes 0..k-1.
    cutoffs : numpy.ndarray
        Upper bounds of classes 0..k-2: one row per period for ``"quantiles"``.
    """

    transitions: pd.DataFrame
    p: pd.DataFrame
    chain: _chain.ChainAnalysis
    classes: pd.DataFrame
    cutoffs: np.ndarray
    rule: str
    variable: str
    dropped: dict = field(default_factory=dict)
    kind: str = "Markov chain"

    @property
    def k(self) -> int:
        return self.transitions.shape[0]

    @property
    def steady_state(self) -> pd.Series:
        return self.chain.steady_state

    @property
    def fmpt(self) -> pd.DataFrame:
        return self.chain.fmpt

    @property
    def sojourn(self) -> pd.Series:
        return self.chain.sojourn

    def counts(self) -> pd.DataFrame:
        """Regions per class (rows) and period (columns)."""
        return self.classes.apply(lambda c: c.value_counts()).reindex(range(self.k)).fillna(0).astype(int)

    def to_frame(self) -> pd.DataFrame:
        """Class of every region (rows) in every period (columns)."""
        return self.classes.copy()

    def _head(self) -> list:
        n, t = self.classes.shape
        return [f"{self.kind}: {self.variable}  ({n} regions, {t} periods, k = {self.k}, classes '{self.rule}', "
                f"{int(self.transitions.to_numpy().sum())} transitions)"]

    def summary(self) -> str:
        lines = self._head() + [
            "  transition probabilities (origin in rows):",
            *("    " + s for s in _fmt(self.p).splitlines()),
            "  steady state: " + ", ".join(f"{i}: {v:.4f}" for i, v in self.steady_state.items()),
            "  sojourn times: " + ", ".join(f"{i}: {v:.2f}" for i, v in self.sojourn.items()),
            f"  chain: {self.chain.describe()}",
        ]
        if self.dropped:
            lines.append(f"  dropped as incomplete: {', '.join(map(str, self.dropped))}")
        return "\n".join(lines)

    def plot(self, ax=None, **kwargs):
        """Heat map of the transition probabilities."""
        from ..plot.dynamics import transition_heatmap

        return transition_heatmap(self.p, ax=ax, title=f"{self.kind}: {self.variable}", **kwargs)

    def _pooled_p(self) -> pd.DataFrame:
        return self.p

    def to_record(self) -> dict:
        return _panel.jsonable({
            "method": self.kind, "variable": self.variable, "k": self.k, "classes": self.rule,
            "n": int(self.classes.shape[0]), "periods": [str(p) for p in self.classes.columns],
            "p": self._pooled_p().round(6).to_numpy().tolist(), "steady_state": _floats(self.steady_state),
            "ergodic": self.chain.ergodic, "communicating_classes": [list(map(str, c)) for c in self.chain.classes],
        })


def _floats(series):
    return [None if not np.isfinite(v) else float(v) for v in series.to_numpy()]


def _rule(classes):
    return classes if isinstance(classes, str) else "cut-offs " + ", ".join(f"{c:g}" for c in np.ravel(classes))


def _frame(codes, p: _panel.Panel):
    """Regions x periods class codes; small integers in column order, which pandas stores without a copy."""
    small = np.asfortranarray(codes, dtype=np.int8 if codes.max(initial=0) < 127 else np.int32)
    return pd.DataFrame(small, index=p.ids, columns=pd.Index(p.periods, name="period"), copy=False)


def markov(long_df, column, id="code", time="year", k=4, classes="quantiles", balance=False):
    """Classic Markov chain of a variable's classes (Quah 1993; Rey 2001).

    Every region is put in one of ``k`` classes in every period and the moves between
    consecutive periods are counted; the transition matrix is their maximum-likelihood estimate.

    Parameters
    ----------
    long_df : pandas.DataFrame
        One row per region and period.
    column, id, time : str
        Variable, region id and period columns.
    k : int, default 4
        Number of classes (ignored when ``classes`` is a list of cut-offs).
    classes : {"quantiles", "pooled"} or sequence of float
        ``"quantiles"``: k quantile classes within each period (relative position);
        ``"pooled"``: one set of quantile cut-offs over all periods (absolute level); or k - 1
        increasing cut-offs. A value equal to a cut-off belongs to the lower class, as in
        mapclassify's ``Quantiles``.
    balance : bool, default False
        Drop regions with missing periods (with a warning listing them) instead of refusing.

    Returns
    -------
    MarkovResult
        ``transitions``, ``p``, ``steady_state``, ``fmpt``, ``sojourn``, ``chain``.

    References
    ----------
    Quah, D. (1993). Empirical cross-section dynamics in economic growth. European Economic
    Review 37(2-3), 426-434.
    Rey, S. J. (2001). Spatial empirics for economic growth and convergence. Geographical
    Analysis 33(3), 195-214.
    Kemeny, J. G., Snell, J. L. (1976). Finite Markov Chains. Springer.
    """
    p = _panel.panel(long_df, column, id, time, balance=balance, adjacent=True, what="a Markov chain")
    codes, cuts, k = _chain.classify(p.values, k, classes)
    labels = list(range(k))
    _chain.check_classes(codes, k, labels, p.periods)
    T = _chain.count_transitions(codes, k)[0]
    return MarkovResult(transitions=_table(T, labels), p=_table(_chain.row_probabilities(T), labels),
                        chain=_chain.analyse(T, labels), classes=_frame(codes, p), cutoffs=cuts,
                        rule=_rule(classes), variable=p.variable, dropped=p.dropped)


@dataclass(repr=False)
class SpatialMarkovResult(MarkovResult):
    """Markov chains conditioned on the class of the neighbours' average (Rey 2001).

    Attributes (besides :class:`MarkovResult`'s, which describe the pooled chain)
    ---------------------------------------------------------------------------
    p : dict
        Lag class 0..m-1 -> k x k probabilities (:attr:`pooled_p` is the pooled matrix).
    conditional_transitions : dict
        Lag class -> k x k counts.
    homogeneity : pandas.Series
        Q, Q_p, LR, LR_p and dof of Bickenbach & Bode's (2003) test that all lag classes share
        one transition matrix.
    row_tests : pandas.DataFrame
        The same test per origin class (the rows' Q and LR sum to the overall ones).
    lag_tests : pandas.DataFrame
        chi2, p and dof of each lag class's counts against the pooled probabilities (giddy's
        ``chi2``).
    steady_states : pandas.DataFrame
        Steady state of each conditional chain (columns = lag classes).
    chains : dict
        Lag class -> ChainAnalysis (communicating classes, fmpt, sojourn).
    lag_classes : pandas.DataFrame
        Regions x periods lag-class codes.
    """

    conditional_transitions: dict = None
    conditional_p: dict = None
    homogeneity: pd.Series = None
    row_tests: pd.DataFrame = None
    lag_tests: pd.DataFrame = None
    chains: dict = None
    lag_classes: pd.DataFrame = None
    lag_cutoffs: np.ndarray = None
    kind: str = "Spatial Markov chain"

    def __post_init__(self):
        self.pooled_p = self.p
        self.p = self.conditional_p

    @property
    def k(self) -> int:
        return self.transitions.shape[0]

    @property
    def m(self) -> int:
        return len(self.conditional_p)

    def _pooled_p(self) -> pd.DataFrame:
        return self.pooled_p

    @property
    def steady_states(self) -> pd.DataFrame:
        return pd.DataFrame({lag: c.steady_state for lag, c in self.chains.items()}).rename_axis(columns="lag class")

    @property
    def fmpts(self) -> dict:
        return {lag: c.fmpt for lag, c in self.chains.items()}

    def summary(self) -> str:
        h = self.homogeneity
        lines = self._head() + [
            f"  spatial lag classes: m = {self.m}; homogeneity (Bickenbach & Bode 2003): Q = {h['Q']:.3f} "
            f"(p = {h['Q_p']:.4g}), LR = {h['LR']:.3f} (p = {h['LR_p']:.4g}), dof = {int(h['dof'])}",
            "  per origin class:", *("    " + s for s in _fmt(self.row_tests).splitlines()),
            "  each lag class vs pooled (chi2):", *("    " + s for s in _fmt(self.lag_tests).splitlines()),
        ]
        for lag, p in self.p.items():
            lines.append(f"  P | lag class {lag}  ({self.chains[lag].describe()}):")
            lines += ["    " + s for s in _fmt(p).splitlines()]
        lines.append("  steady states by lag class:")
        lines += ["    " + s for s in _fmt(self.steady_states, 4).splitlines()]
        return "\n".join(lines)

    def plot(self, ax=None, **kwargs):
        """One heat map of transition probabilities per lag class."""
        from ..plot.dynamics import conditional_heatmaps

        return conditional_heatmaps(self.p, ax=ax, title=f"{self.kind}: {self.variable}", **kwargs)

    def to_record(self) -> dict:
        rec = super().to_record()
        rec.update({"m": self.m, "conditional_p": {str(k): v.round(6).to_numpy().tolist() for k, v in self.p.items()},
                    "homogeneity": {k: float(v) for k, v in self.homogeneity.items()}})
        return _panel.jsonable(rec)


def spatial_markov(long_df, column, w, id="code", time="year", k=4, m=4, classes="pooled", lag_classes=None,
                   transform="r", balance=False):
    """Spatial Markov chain: transitions conditioned on the neighbours' class (Rey 2001).

    The spatial lag of the variable (the neighbours' weighted average, row-standardised weights)
    is classified like the variable itself, and one transition matrix is estimated per lag class
    at the origin period.

    Parameters
    ----------
    long_df, column, id, time, k, classes, balance
        As in :func:`markov`; ``classes`` defaults to ``"pooled"`` (giddy's ``fixed=True``).
    w : libpysal.graph.Graph
        Neighbours; the same every period.
    m : int, default 4
        Number of lag classes (ignored when cut-offs are given).
    lag_classes : optional
        Rule for the lag: by default the same as ``classes`` (same cut-offs when a list),
        computed on the lagged values.
    transform : {"r", None}
        Row-standardise ``w`` (default) or use its weights as given.

    Returns
    -------
    SpatialMarkovResult

    References
    ----------
    Rey, S. J. (2001). Spatial empirics for economic growth and convergence. Geographical
    Analysis 33(3), 195-214.
    Bickenbach, F., Bode, E. (2003). Evaluating the Markov property in studies of economic
    convergence. International Regional Science Review 26(3), 363-392.
    """
    p = _panel.panel(long_df, column, id, time, balance=balance, adjacent=True, what="a spatial Markov chain")
    p, W, _ = _panel.with_weights(p, w, transform)
    codes, cuts, k = _chain.classify(p.values, k, classes)
    lag = np.asarray(W @ p.values)
    lcodes, lcuts, m = _chain.classify(lag, m, classes if lag_classes is None else lag_classes)
    labels, llabels = list(range(k)), list(range(m))
    _chain.check_classes(codes, k, labels, p.periods)
    _chain.check_classes(lcodes, m, llabels, p.periods, what="spatial-lag class")
    T = _chain.count_transitions(codes, k, lcodes, m)
    pooled = T.sum(axis=0)
    overall, rows = _chain.homogeneity(T)
    rows.index = pd.Index(labels, name="from")
    lag_tests = pd.DataFrame([_chain.chi2_vs(T[i], pooled) for i in range(m)], columns=["chi2", "p", "dof"],
                             index=pd.Index(llabels, name="lag class"))
    P = _chain.row_probabilities(T)
    return SpatialMarkovResult(
        transitions=_table(pooled, labels), p=_table(_chain.row_probabilities(pooled), labels),
        chain=_chain.analyse(pooled, labels), classes=_frame(codes, p), cutoffs=cuts, rule=_rule(classes),
        variable=p.variable, dropped=p.dropped,
        conditional_transitions={i: _table(T[i], labels) for i in llabels},
        conditional_p={i: _table(P[i], labels) for i in llabels}, homogeneity=overall, row_tests=rows,
        lag_tests=lag_tests, chains={i: _chain.analyse(T[i], labels) for i in llabels},
        lag_classes=_frame(lcodes, p), lag_cutoffs=lcuts)
