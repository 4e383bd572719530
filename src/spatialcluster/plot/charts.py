"""Charts that are not maps: the Moran scatter plot and the spillover effects plot.

Axis labels and titles name variables by their label in the variable catalogue
(:mod:`spatialcluster.labels`), in ``lang``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .._errors import InputError
from .._palette import LISA_COLORS
from ..labels import check_lang, label, term
from .maps import _new_ax

EFFECT_COLORS = {"direct": "#1b9e77", "indirect": "#d95f02", "total": "#7570b3"}


def moran_scatter(moran_result, ax=None, title=None, color="#3182bd", lang=None):
    """Moran scatter plot: standardised values against their spatial lag (Anselin 1996).

    The line through the origin has slope Moran's I (the least-squares slope of the lag on
    the standardised values when the weights are row-standardised); dashed lines at zero split
    the plot into the HH (top right), LH (top left), LL (bottom left) and HL (bottom right)
    quadrants.

    Parameters
    ----------
    moran_result : object
        With attributes ``z`` (standardised values), ``lag`` (spatial lag of ``z``), ``I`` and
        ``variable`` (the column name, used in the axis labels).
    ax : matplotlib Axes, optional
    title : str, optional
        Default "Moran's I = ...".
    color : str
        Colour of the points.
    lang : {"en", "zh"}, optional
        Language of the axis labels (the variable's catalogue label) and the default title.

    Returns
    -------
    matplotlib Axes

    References
    ----------
    Anselin, L. (1996). The Moran scatterplot as an ESDA tool to assess local instability in
    spatial association. In Fischer, Scholten, Unwin (eds.), Spatial Analytical Perspectives on
    GIS, 111–125. Taylor & Francis.
    """
    for attr in ("z", "lag", "I"):
        if not hasattr(moran_result, attr):
            raise InputError(f"moran_scatter needs a result with .z, .lag and .I; {attr!r} is missing")
    z = np.asarray(moran_result.z, dtype=float)
    lag = np.asarray(moran_result.lag, dtype=float)
    if z.shape != lag.shape:
        raise InputError(f".z has {z.size} values but .lag has {lag.size}")
    slope = float(moran_result.I)
    lang = check_lang(lang)
    name = label(getattr(moran_result, "variable", None) or "value", lang)
    ax = _new_ax(ax)
    ax.scatter(z, lag, s=18, color=color, edgecolor="white", linewidth=0.4, zorder=3)
    ax.axhline(0, color="#969696", linestyle="--", linewidth=0.8, zorder=1)
    ax.axvline(0, color="#969696", linestyle="--", linewidth=0.8, zorder=1)
    lim = 1.1 * max(np.abs(z).max(), np.abs(lag).max(), 1.0)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    xs = np.array([-lim, lim])
    ax.plot(xs, slope * xs, color=LISA_COLORS["HH"], linewidth=1.5, zorder=2, label=f"slope = I = {slope:.3f}")
    for text, (x, y) in {"HH": (0.97, 0.97), "LH": (0.03, 0.97), "LL": (0.03, 0.03), "HL": (0.97, 0.03)}.items():
        ax.text(x, y, text, transform=ax.transAxes, ha="right" if x > 0.5 else "left",
                va="top" if y > 0.5 else "bottom", fontsize=10, fontweight="bold", color="#525252")
    ax.set_xlabel(f"{name}（{term('standardised', lang)}）" if lang == "zh" else f"{name} (standardised)")
    ax.set_ylabel(f"{term('spatial_lag', lang)}{name}" if lang == "zh" else f"spatial lag of {name}")
    ax.set_title(title if title is not None else f"{term('morans_i', lang)} = {slope:.3f}")
    ax.set_aspect("equal")
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 0.08), fontsize=8, frameon=False)
    return ax


def _bounds(effects: pd.DataFrame, kind: str, level: float):
    lo, hi = f"{kind}_lo", f"{kind}_hi"
    if lo in effects.columns and hi in effects.columns:
        return effects[lo].to_numpy(float), effects[hi].to_numpy(float)
    se = f"{kind}_se"
    if se in effects.columns:
        half = stats.norm.ppf(0.5 + level / 2) * effects[se].to_numpy(float)
        est = effects[kind].to_numpy(float)
        return est - half, est + half
    return None


def _interval_note(effects, kinds, level) -> str:
    """Which intervals are drawn: the effects table's own (level and method in ``attrs``) or normal ones."""
    if all(f"{k}_lo" in effects.columns for k in kinds):
        ci, method = effects.attrs.get("ci"), effects.attrs.get("method")
        text = f"{100 * ci:g} % intervals" if isinstance(ci, float | int) and 0 < ci < 1 else "intervals"
        return f"{text}, {method}" if method else text
    return f"{100 * level:g} % normal intervals"


def _scales_differ(effects, kinds, ratio=10.0) -> bool:
    """True when the largest effect of one regressor is more than ``ratio`` times another's."""
    size = effects[list(kinds)].abs().max(axis=1).to_numpy(float)
    size = size[np.isfinite(size) & (size > 0)]
    return size.size > 1 and size.max() / size.min() > ratio


def _draw_effects(ax, effects, kinds, level, lang, ylabels, legend=True):
    n = len(effects)
    pos = np.arange(n)[::-1].astype(float)
    offsets = np.linspace(0.22, -0.22, len(kinds)) if len(kinds) > 1 else [0.0]
    for kind, off in zip(kinds, offsets, strict=True):
        est = effects[kind].to_numpy(float)
        bounds = _bounds(effects, kind, level)
        xerr = None if bounds is None else np.vstack([est - bounds[0], bounds[1] - est])
        ax.errorbar(est, pos + off, xerr=xerr, fmt="o", color=EFFECT_COLORS[kind], capsize=3, markersize=5,
                    linewidth=1.4, label=term(kind, lang))
    ax.axvline(0, color="#636363", linewidth=0.8)
    ax.set_yticks(pos, ylabels)
    ax.set_ylim(-0.6, n - 0.4)
    ax.grid(axis="x", color="#e0e0e0", linewidth=0.6)
    ax.set_axisbelow(True)
    if legend:
        ax.legend(loc="best", fontsize=8)


def effects_plot(effects, ax=None, title=None, level=0.95, panels="auto", lang=None):
    """Direct, indirect (spillover) and total effects with their confidence intervals.

    Parameters
    ----------
    effects : DataFrame
        Indexed by regressor, with columns ``direct``, ``indirect``, ``total`` and interval
        bounds ``<effect>_lo`` / ``<effect>_hi`` (their level and method read from
        ``attrs["ci"]`` and ``attrs["method"]`` for the axis label); where the bounds are absent,
        ``<effect>_se`` gives a normal interval at ``level``. An object with an ``.effects`` DataFrame (a
        spillover result) is accepted too.
    ax : matplotlib Axes, optional
        With ``panels``, the panels share its place in the figure.
    title : str, optional
    level : float
        Confidence level of the normal intervals built from standard errors.
    panels : "auto" or bool
        One panel per regressor, each with its own scale (the effects of a regressor measured in
        yuan and of one in percent cannot share an axis); ``"auto"`` when the largest effects of
        two regressors differ more than tenfold.
    lang : {"en", "zh"}, optional
        Language of the labels; regressors are named by their catalogue labels.

    Returns
    -------
    matplotlib Axes, or an array of Axes (one per regressor) with panels

    References
    ----------
    LeSage, J., Pace, R. K. (2009). Introduction to Spatial Econometrics, ch. 2.7. CRC Press.
    """
    if hasattr(effects, "effects") and not isinstance(effects, pd.DataFrame):
        effects = effects.effects
    if not isinstance(effects, pd.DataFrame):
        raise InputError(f"effects_plot needs a DataFrame of effects, got {type(effects).__name__}")
    kinds = [k for k in EFFECT_COLORS if k in effects.columns]
    if not kinds:
        raise InputError(f"no 'direct', 'indirect' or 'total' column in the effects; columns: {list(effects.columns)}")
    lang = check_lang(lang)
    xlabel = f"{term('effect_axis', lang)} ({_interval_note(effects, kinds, level)})"
    names = [label(i, lang) for i in effects.index]
    if panels == "auto":
        panels = _scales_differ(effects, kinds)
    if not panels:
        ax = _new_ax(ax)
        _draw_effects(ax, effects, kinds, level, lang, names)
        ax.set_xlabel(xlabel)
        if title is not None:
            ax.set_title(title)
        return ax
    created = ax is None
    ax = _new_ax(ax, figsize=(6.5, 1.2 + 1.3 * len(effects)))
    fig = ax.figure
    grid = ax.get_subplotspec().subgridspec(len(effects), 1, hspace=0.9)
    ax.remove()
    axes = np.array([fig.add_subplot(g) for g in grid])
    for i, (a, name) in enumerate(zip(axes, names, strict=True)):
        rows = effects.iloc[[i]]
        _draw_effects(a, rows, kinds, level, lang, [""], legend=i == 0)
        a.set_yticks([])
        a.set_title(name, fontsize=9, loc="left")
    axes[-1].set_xlabel(xlabel)
    if title is not None:
        fig.suptitle(title)
    if created:
        fig.tight_layout()  # room for the panels' titles in a figure of our own
    return axes


def reference_distribution(sims, observed, ax=None, statistic="statistic", expected=None, title=None,
                           color="#9ecae1"):
    """Histogram of a statistic's permuted values with the observed value marked.

    The picture of a permutation test (Anselin 1995; as GeoDa's randomisation window): the
    share of permuted values beyond the observed line is the pseudo p-value.

    Parameters
    ----------
    sims : array-like
        The permuted values (e.g. ``result.sim`` of :func:`spatialcluster.geary`).
    observed : float
    ax : matplotlib Axes, optional
    statistic : str
        Its name, for the labels.
    expected : float, optional
        The null expectation, drawn as a dashed line.
    title : str, optional
    color : str

    Returns
    -------
    matplotlib Axes
    """
    if sims is None or len(sims) == 0:
        raise InputError(f"no permuted values of {statistic} to draw: run with permutations > 0")
    sims = np.asarray(sims, dtype=float)
    ax = _new_ax(ax)
    ax.hist(sims, bins=min(50, max(10, sims.size // 20)), color=color, edgecolor="white", linewidth=0.4)
    ax.axvline(observed, color=LISA_COLORS["HH"], linewidth=1.6, label=f"observed {statistic} = {observed:.4g}")
    if expected is not None:
        ax.axvline(expected, color="#636363", linestyle="--", linewidth=0.9, label=f"E[{statistic}] = {expected:g}")
    ax.set_xlabel(f"{statistic} under {sims.size} permutations")
    ax.set_ylabel("permutations")
    ax.set_title(title if title is not None else f"{statistic}: reference distribution")
    ax.legend(loc="best", fontsize=8, frameon=False)
    return ax


def statistic_by_year(frame, ax=None, statistic="I", alpha=0.05, title=None):
    """A global statistic by year; filled markers where its p-value is at most ``alpha``.

    Parameters
    ----------
    frame : DataFrame
        Indexed by year with columns ``statistic``, ``expected`` and ``p_sim`` (used when it has
        no gaps) or ``p_rand``, as :meth:`MoranPanelResult.to_frame
        <spatialcluster.stats.panel.MoranPanelResult.to_frame>`.
    ax : matplotlib Axes, optional
    statistic : str
        The statistic's column (and axis label).
    alpha : float
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    ax = _new_ax(ax, figsize=(7, 3.5))  # the CJK font first: titles may name Chinese variables
    p = frame["p_sim"] if frame["p_sim"].notna().all() else frame["p_rand"]
    x = np.arange(len(frame))
    ax.plot(x, frame[statistic], color="0.3", lw=1.5, zorder=1)
    sig = (p <= alpha).to_numpy()
    ax.scatter(x[sig], frame[statistic][sig], color="#b2182b", zorder=2, label=f"p <= {alpha:g}")
    ax.scatter(x[~sig], frame[statistic][~sig], facecolor="white", edgecolor="0.3", zorder=2, label="not significant")
    ax.axhline(frame["expected"].iloc[0], color="0.6", ls="--", lw=1, label=f"E[{statistic}]")
    ax.set_xticks(x, [str(i) for i in frame.index], rotation=45 if len(x) > 10 else 0)
    ax.set_xlabel("year")
    ax.set_ylabel("Moran's I" if statistic == "I" else statistic)
    if title is not None:
        ax.set_title(title)
    ax.legend(frameon=False, fontsize="small")
    return ax


def label_counts_by_year(counts, ax=None, colors=None, title=None):
    """Stacked bars of regions per cluster label (rows of ``counts``) and year (its columns).

    Parameters
    ----------
    counts : DataFrame
        Labels x years, as :meth:`LisaPanelResult.counts
        <spatialcluster.stats.panel.LisaPanelResult.counts>`.
    ax : matplotlib Axes, optional
    colors : dict, optional
        Label -> colour; default GeoDa's LISA colours.
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    colors = LISA_COLORS if colors is None else colors
    ax = _new_ax(ax)
    x = np.arange(counts.shape[1])
    bottom = np.zeros(counts.shape[1])
    for key, row in counts.iterrows():
        values = row.to_numpy(dtype=float)
        ax.bar(x, values, bottom=bottom, color=colors.get(key, "#bdbdbd"), edgecolor="#636363", linewidth=0.4,
               label=str(key))
        bottom += values
    ax.set_xticks(x, [str(c) for c in counts.columns], rotation=45 if len(x) > 10 else 0)
    ax.set_xlabel("year")
    ax.set_ylabel("regions")
    if title is not None:
        ax.set_title(title)
    ax.legend(frameon=False, fontsize="small", ncol=min(6, len(counts)), loc="upper center",
              bbox_to_anchor=(0.5, -0.18))
    return ax


def neighbour_histogram(n_neighbors, ax=None, title=None, color="#3182bd"):
    """Bar chart of how many regions have 0, 1, 2, ... neighbours (islands at 0 in red).

    Parameters
    ----------
    n_neighbors : array-like of int
        Neighbours per region (e.g. ``weights_summary(w).regions["n_neighbors"]``).
    ax : matplotlib Axes, optional
    title : str, optional
    color : str

    Returns
    -------
    matplotlib Axes
    """
    counts = np.bincount(np.asarray(n_neighbors, dtype=int))
    ax = _new_ax(ax)
    k = np.arange(counts.size)
    ax.bar(k, counts, color=[LISA_COLORS["HH"] if i == 0 else color for i in k], edgecolor="white")
    ax.set_xlabel("neighbours")
    ax.set_ylabel("regions")
    ax.set_xticks(k)
    if title is not None:
        ax.set_title(title)
    return ax


def p_value_bars(tests, alpha=0.05, ax=None, title=None, color="#3182bd"):
    """Horizontal bars of -log10 p of a table of tests, with the ``alpha`` line.

    Parameters
    ----------
    tests : DataFrame
        Columns ``test`` and ``p_value`` (as :attr:`ModelSelection.tests
        <spatialcluster.models.selection.ModelSelection.tests>`).
    alpha : float
    ax, title, color
        As in :func:`neighbour_histogram`.

    Returns
    -------
    matplotlib Axes
    """
    p = np.clip(tests["p_value"].to_numpy(dtype=float), 1e-300, 1)
    ax = _new_ax(ax)
    pos = np.arange(len(tests))[::-1]
    ax.barh(pos, -np.log10(p), color=color)
    ax.axvline(-np.log10(alpha), color=LISA_COLORS["HH"], linestyle="--", linewidth=1, label=f"p = {alpha:g}")
    ax.set_yticks(pos, [str(t) for t in tests["test"]])
    ax.set_xlabel("-log10 p")
    if title is not None:
        ax.set_title(title)
    ax.legend(frameon=False, fontsize="small")
    return ax
