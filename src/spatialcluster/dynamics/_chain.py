"""Discrete Markov chain machinery: classes, transition counts, ergodic quantities, homogeneity tests.

Every quantity is defined for any chain, also a reducible one or one with states never left:
the communicating classes are found first (strongly connected components of the transition
graph, Kemeny & Snell 1976, ch. 2), and the steady state, first mean passage and sojourn times
are then computed class by class instead of failing on a singular system.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from numba import njit
from scipy.sparse import csgraph, csr_matrix

from .._errors import InputError
from .._validate import _names


def quantile_cuts(values, k):
    """Upper bounds of ``k`` quantile classes, as :class:`mapclassify.Quantiles` (duplicates merged).

    mapclassify's ``quantile`` calls ``scipy.stats.scoreatpercentile`` once per class, each a full
    sort of the data; here one partition finds the order statistics and scipy's interpolation
    formula is applied to them, so the cut-offs are the same to the last bit (tested against
    mapclassify) and ties at a cut-off fall as in giddy.
    """
    y = np.asarray(values, dtype=float).ravel()
    step = 100.0 / k
    p = np.arange(step, 100 + step, step)
    p[-1] = min(p[-1], 100.0)
    idx = p / 100.0 * (y.size - 1)
    lo = idx.astype(np.int64)
    hi = np.minimum(lo + 1, y.size - 1)
    part = np.partition(y, np.unique(np.r_[lo, hi]))
    a, b = part[lo], part[hi]
    w0, w1 = (lo + 1) - idx, idx - lo
    with np.errstate(invalid="ignore"):
        cuts = np.where(lo == idx, a, (a * w0 + b * w1) / (w0 + w1))
    return np.unique(cuts)


@njit(cache=True)
def _codes(Y, cuts, ncuts, out):
    """out[i, t] = number of cut-offs of period t strictly below Y[i, t] (``searchsorted`` left)."""
    n, T = Y.shape
    for t in range(T):
        c = cuts[t]
        m = ncuts[t]
        for i in range(n):
            v = Y[i, t]
            j = 0
            while j < m and c[j] < v:
                j += 1
            out[i, t] = j


def _apply(Y, cuts_by_period):
    """Class codes as int8 in column order (one pass; pandas stores them without a copy)."""
    T = Y.shape[1]
    width = max(1, max(len(c) for c in cuts_by_period))
    cuts = np.full((T, width), np.inf)
    ncuts = np.zeros(T, dtype=np.int64)
    for t, c in enumerate(cuts_by_period):
        cuts[t, : len(c)] = c
        ncuts[t] = len(c)
    out = np.empty(Y.shape, dtype=np.int8 if width < 127 else np.int32, order="F")
    _codes(Y, cuts, ncuts, out)
    return out


def classify(Y, k, classes):
    """Class of every cell of ``Y`` (n x T) and the cut-offs used.

    ``classes``: "quantiles" (k quantile classes per period), "pooled" (one set over all
    periods) or a sequence of k - 1 interior cut-offs. A value equal to a cut-off belongs to the
    lower class (``searchsorted(..., side="left")``, mapclassify's rule). Returns (codes, cuts,
    k): ``cuts`` is (T, k - 1) per period, else (k - 1,).
    """
    T = Y.shape[1]
    if isinstance(classes, str):
        if classes not in ("quantiles", "pooled"):
            raise InputError(f"classes must be 'quantiles', 'pooled' or a list of cut-offs, got {classes!r}")
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
            raise InputError(f"k (number of classes) must be an integer >= 2, got {k!r}")
        if classes == "pooled":
            cuts = quantile_cuts(Y, k)[:-1]
            return _apply(Y, [cuts] * T), cuts, int(k)
        per = [quantile_cuts(Y[:, t], k)[:-1] for t in range(T)]
        cuts = np.full((T, k - 1), np.nan)
        for t, c in enumerate(per):
            cuts[t, : len(c)] = c
        return _apply(Y, per), cuts, int(k)
    cuts = np.asarray(classes, dtype=float).ravel()
    if cuts.size < 1 or np.isnan(cuts).any() or (np.diff(cuts) <= 0).any():
        raise InputError(f"cut-offs must be increasing numbers (k - 1 of them for k classes), got {list(classes)!r}")
    return _apply(Y, [cuts] * T), cuts, cuts.size + 1


def check_classes(codes, k, labels, periods, what="class"):
    """Refuse a class no region falls in, naming it and what the cut-offs were."""
    counts = np.bincount(codes.ravel(order="K"), minlength=k)
    empty = [labels[i] for i in np.flatnonzero(counts == 0)]
    if empty:
        raise InputError(
            f"{what} {_names(empty)} has no observations in any period ({_names(periods, 6)}): ties or cut-offs "
            f"leave it empty. Use fewer classes, other cut-offs, or classes='pooled'.")


@njit(cache=True)
def _count(codes, strata, use_strata, k, out):
    n, T = codes.shape
    for t in range(T - 1):
        for i in range(n):
            s = strata[i, t] if use_strata else 0
            out[s, codes[i, t], codes[i, t + 1]] += 1


def count_transitions(codes, k, strata=None, m=1):
    """m x k x k counts of moves from period t to t + 1, by the stratum (e.g. lag class) at t.

    A numba loop rather than ``bincount`` of combined indices: one pass, no n x T temporaries
    (at a million regions and 20 periods those cost more than the counting).
    """
    out = np.zeros((m, k, k), dtype=np.int64)
    # any integer type and memory order: numba compiles one loop per kind
    _count(codes, codes if strata is None else strata, strata is not None, k, out)
    return out.astype(float)


def row_probabilities(T):
    """Rows divided by their sums; rows never left stay zero (as giddy)."""
    rows = T.sum(axis=-1, keepdims=True)
    return T / np.where(rows == 0, 1.0, rows)


@dataclass
class ChainAnalysis:
    """Ergodic quantities of one transition matrix; see :func:`analyse`."""

    steady_state: pd.Series
    steady_states: pd.DataFrame
    fmpt: pd.DataFrame
    sojourn: pd.Series
    classes: list
    recurrent: list
    transient: list
    never_left: list

    @property
    def ergodic(self) -> bool:
        return len(self.classes) == 1

    def describe(self) -> str:
        """One line on the chain's structure (for summaries)."""
        if self.ergodic and not self.never_left:
            return "ergodic (one communicating class)"
        parts = [f"{len(self.classes)} communicating classes " + " | ".join("{" + ", ".join(map(str, c)) + "}"
                                                                            for c in self.classes)]
        parts.append(f"recurrent: {'; '.join('{' + ', '.join(map(str, c)) + '}' for c in self.recurrent)}")
        if self.transient:
            parts.append(f"transient: {', '.join(map(str, self.transient))}")
        if self.never_left:
            parts.append(f"never left (treated as absorbing): {', '.join(map(str, self.never_left))}")
        return "; ".join(parts)


def _stationary(P):
    """Stationary distribution of an irreducible stochastic matrix: solve pi (P - I) = 0, sum pi = 1."""
    k = P.shape[0]
    A = np.vstack([(P - np.eye(k)).T, np.ones(k)])
    b = np.r_[np.zeros(k), 1.0]
    pi = np.linalg.lstsq(A, b, rcond=None)[0]
    return np.clip(pi, 0, None) / np.clip(pi, 0, None).sum()


def _closure(adj):
    """Reflexive-transitive closure of a small boolean adjacency matrix (repeated squaring)."""
    reach = adj | np.eye(adj.shape[0], dtype=bool)
    for _ in range(int(np.ceil(np.log2(max(adj.shape[0], 2))))):
        reach = (reach.astype(np.int64) @ reach.astype(np.int64)) > 0
    return reach


def _passage(P, j):
    """Mean first passage times to state ``j`` from every state (inf where j is not reached surely)."""
    k = P.shape[0]
    absorbed = P > 0
    absorbed[j] = False  # first passages end at j
    reach = _closure(absorbed)
    # j is reached surely from i iff i reaches j and reaches no state that cannot reach j
    sure = reach[:, j] & ~reach[:, ~reach[:, j]].any(axis=1)
    m = np.full(k, np.inf)
    idx = np.flatnonzero(sure & (np.arange(k) != j))
    if idx.size:
        Q = P[np.ix_(idx, idx)]
        m[idx] = np.linalg.solve(np.eye(idx.size) - Q, np.ones(idx.size))
    others = np.arange(k) != j
    with np.errstate(invalid="ignore"):
        terms = np.where(P[j, others] > 0, P[j, others] * m[others], 0.0)
    m[j] = 1.0 + terms.sum()
    return m


def analyse(counts, labels) -> ChainAnalysis:
    """Steady state, first mean passage and sojourn times of the chain estimated from ``counts``.

    States never left (zero rows) are treated as absorbing and reported. With one recurrent class
    the steady state is unique (zero on transient states); with several, ``steady_state`` is NaN
    and ``steady_states`` has one column per recurrent class. First mean passage times follow
    Kemeny & Snell (1976, Thm 4.4.7) on the states that reach the target surely, ``inf``
    elsewhere; the diagonal holds mean recurrence times (giddy's ``mfpt`` convention). Sojourn
    time is ``1 / (1 - p_ii)`` (``inf`` for absorbing states).
    """
    counts = np.asarray(counts, dtype=float)
    k = counts.shape[0]
    P = row_probabilities(counts)
    never = np.flatnonzero(counts.sum(axis=1) == 0)
    P[never, never] = 1.0
    adj = csr_matrix(P > 0)
    ncomp, comp = csgraph.connected_components(adj, directed=True, connection="strong")
    classes, recurrent, transient = [], [], []
    for c in range(ncomp):
        members = np.flatnonzero(comp == c)
        closed = not (P[np.ix_(members, np.flatnonzero(comp != c))] > 0).any()
        names = [labels[i] for i in members]
        classes.append(names)
        (recurrent.append(names) if closed else transient.extend(names))
    columns = {}
    for names in recurrent:
        members = [labels.index(s) for s in names]
        pi = np.zeros(k)
        pi[members] = _stationary(P[np.ix_(members, members)])
        columns["{" + ", ".join(map(str, names)) + "}"] = pi
    steady_states = pd.DataFrame(columns, index=pd.Index(labels, name="class"))
    steady = (steady_states.iloc[:, 0] if len(recurrent) == 1 else pd.Series(np.nan, index=steady_states.index))
    fmpt = np.column_stack([_passage(P, j) for j in range(k)])
    with np.errstate(divide="ignore"):
        sojourn = 1.0 / (1.0 - np.diag(P))
    return ChainAnalysis(
        steady_state=steady.rename("steady_state"), steady_states=steady_states,
        fmpt=pd.DataFrame(fmpt, index=pd.Index(labels, name="from"), columns=pd.Index(labels, name="to")),
        sojourn=pd.Series(sojourn, index=pd.Index(labels, name="class"), name="sojourn"),
        classes=classes, recurrent=recurrent, transient=transient, never_left=[labels[i] for i in never])


def homogeneity(T):
    """Bickenbach & Bode (2003) tests that the m strata share one transition matrix.

    ``T`` is m x k x k counts. Returns (overall Series with Q, Q_p, LR, LR_p, dof; per-row
    DataFrame with the same for each origin class). Cells are handled as giddy's
    ``Homogeneity_Results``: Q weights squared probability differences by the pooled
    probability (zero cells skipped), LR uses cells observed in both, and dof is
    ``sum_i (b_i - 1)(A_i - 1)`` with b_i strata observed in row i and A_i non-zero pooled cells.
    """
    T = np.asarray(T, dtype=float)
    pooled = T.sum(axis=0)
    p = row_probabilities(pooled)
    pm = row_probabilities(T)
    nim = T.sum(axis=2, keepdims=True)
    den = np.where(p == 0, 1.0, p)
    q_cells = nim * (pm - p) ** 2 / den
    mask = (T > 0) & (p > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        lr_cells = np.where(mask, T * np.log(np.where(mask, pm, 1.0) / np.where(mask, p, 1.0)), 0.0)
    b = (T.sum(axis=2) > 0).sum(axis=0)
    A = (pooled > 0).sum(axis=1)
    dof_rows = (b - 1) * (A - 1)
    rows = pd.DataFrame({"Q": q_cells.sum(axis=(0, 2)), "LR": 2 * lr_cells.sum(axis=(0, 2)), "dof": dof_rows})
    dof = int(dof_rows.sum())
    Q, LR = float(rows["Q"].sum()), float(rows["LR"].sum())
    with np.errstate(invalid="ignore"):
        rows["Q_p"] = np.where(rows["dof"] > 0, stats.chi2.sf(rows["Q"], rows["dof"]), np.nan)
        rows["LR_p"] = np.where(rows["dof"] > 0, stats.chi2.sf(rows["LR"], rows["dof"]), np.nan)
    overall = pd.Series({"Q": Q, "Q_p": stats.chi2.sf(Q, dof) if dof else np.nan, "LR": LR,
                         "LR_p": stats.chi2.sf(LR, dof) if dof else np.nan, "dof": dof})
    return overall, rows[["Q", "Q_p", "LR", "LR_p", "dof"]]


def chi2_vs(T1, T2):
    """Chi-squared of counts ``T1`` against the row probabilities of ``T2`` (giddy's ``markov.chi2``)."""
    rs1, rs2 = T1.sum(axis=1), T2.sum(axis=1)
    dof = int(((rs1 > 0).sum() - 1) * ((rs2 > 0).sum() - 1))
    E = rs1[:, None] * row_probabilities(T2)
    chi = float(((T1 - E) ** 2 / np.where(E == 0, 1.0, E)).sum())
    return chi, (float(stats.chi2.sf(chi, dof)) if dof > 0 else np.nan), dof
