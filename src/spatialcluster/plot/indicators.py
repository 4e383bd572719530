"""Charts and maps of the cluster indicators: every ``plot()`` of :mod:`spatialcluster.indicators`
draws here. Each function takes ``ax=None`` (a new figure) and returns the Axes it drew into."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._errors import InputError
from .maps import _new_ax, choropleth

GRADE_CMAP = "RdYlGn"


def _bar_ax(ax, n, width=6.0):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(width, max(2.5, 0.22 * n + 1)))
    return _new_ax(ax)


def inequality_chart(result, ax=None, columns: Sequence[str] | None = None, title=None):
    """Line plot of inequality measures over time (one marker per period)."""
    ax = _new_ax(ax if ax is not None else _bar_ax(None, 10))
    if columns is None:
        suffix = "_w" if result.weighted else ""
        columns = [c + suffix for c in ("cv", "gini", "theil")]
    result.frame[list(columns)].plot(ax=ax, marker="o")
    ax.set_xlabel(result.time or "")
    ax.set_ylabel("inequality")
    ax.set_title(title or f"Regional inequality of {result.column}")
    return ax


def lq_chart(result, ax=None, regions=None, title=None, top: int = 40, **kwargs):
    """Location quotients: sorted bars (ratio form; a map with ``regions=``) or a heat map of
    region x industry quotients (industry form), with the concentration threshold marked."""
    if result.kind == "ratio":
        lq = result.lq
        if regions is not None:
            return choropleth(regions.assign(**{lq.name: lq.reindex(regions.index)}), lq.name, ax=ax,
                              title=title or f"Location quotient ({lq.name})", **kwargs)
        lq = lq.sort_values().tail(top)
        ax = _bar_ax(ax, len(lq))
        colors = np.where(lq >= result.threshold, "#d7301f", "#9ecae1")
        ax.barh([str(i) for i in lq.index], lq.to_numpy(), color=colors)
        ax.axvline(1.0, color="#636363", lw=0.8)
        ax.axvline(result.threshold, color="#d7301f", lw=0.8, ls="--", label=f"threshold {result.threshold:g}")
        ax.legend(loc="lower right", fontsize=7)
        ax.set_xlabel("location quotient")
        ax.set_title(title or "Location quotients")
        return ax
    lq = result.lq
    ax = _bar_ax(ax, len(lq), width=max(5.0, 0.35 * lq.shape[1] + 3))
    im = ax.imshow(lq.to_numpy(), aspect="auto", cmap="RdBu_r", vmin=0, vmax=2 * max(1.0, result.threshold))
    ax.set_yticks(range(len(lq)), [str(i) for i in lq.index], fontsize=6)
    ax.set_xticks(range(lq.shape[1]), [str(c) for c in lq.columns], rotation=90, fontsize=7)
    ax.figure.colorbar(im, ax=ax, label="location quotient")
    ax.set_title(title or "Location quotients by region and industry")
    return ax


def coupling_chart(result, ax=None, regions=None, title=None, **kwargs):
    """Coordination degree D: bars by region coloured by grade, or a grade map with ``regions=``."""
    import matplotlib as mpl

    frame = result.frame
    if regions is not None:
        if isinstance(frame.index, pd.MultiIndex):
            raise InputError("a map of a panel needs one period: pass result.frame.xs(year, level=...) to "
                             "sc.plot.choropleth instead.")
        return choropleth(regions.assign(D=frame["D"].reindex(regions.index)), "D", ax=ax,
                          title=title or "Coupling coordination degree D", **kwargs)
    d = frame["D"].sort_values()
    ax = _bar_ax(ax, len(d))
    cmap = mpl.colormaps[GRADE_CMAP]
    ax.barh([str(i) for i in d.index], d.to_numpy(), color=[cmap((g - 0.5) / 10) for g in frame.loc[d.index, "grade"]])
    ax.set_xlim(0, 1)
    ax.set_xlabel("coordination degree D (grade colours: red disorder .. green coordination)")
    ax.set_title(title or "Coupling coordination degree")
    return ax


def weights_chart(weights: pd.DataFrame, ax=None, title=None):
    """Horizontal bars of indicator weights (a weights table with ``weight`` and ``direction``)."""
    w = weights["weight"].sort_values()
    ax = _bar_ax(ax, len(w))
    neg = weights.loc[w.index, "direction"].eq("negative") if "direction" in weights else pd.Series(False, w.index)
    ax.barh([str(i) for i in w.index], w.to_numpy(), color=np.where(neg, "#fc8d59", "#4575b4"))
    ax.set_xlabel("weight (orange: smaller is better)")
    ax.set_title(title or "Indicator weights")
    return ax
