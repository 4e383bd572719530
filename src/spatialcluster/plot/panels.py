"""Charts of the panel specification results: LM tests, the Hausman comparison, panel coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .maps import _new_ax

_COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#bdbdbd")


def lm_tests_plot(tests: pd.DataFrame, ax=None, title=None, alpha: float = 0.05):
    """LM statistics as horizontal bars with the chi-squared critical value at ``alpha``.

    ``tests``: rows per test with ``statistic`` and ``df`` (a :class:`PanelLMTests` table). Bars beyond
    the line reject the null of no spatial lag (error) at ``alpha``. Returns the Axes.
    """
    ax = _new_ax(ax)
    pos = np.arange(len(tests))[::-1]
    crit = stats.chi2.ppf(1 - alpha, tests["df"].to_numpy())
    colors = [_COLORS[0] if s > c else _COLORS[3] for s, c in zip(tests["statistic"], crit)]
    ax.barh(pos, tests["statistic"], color=colors)
    ax.axvline(float(np.max(crit)), color="#636363", linestyle="--", linewidth=1,
               label=f"critical value, {alpha:.0%} level")
    ax.set_yticks(pos, [str(i).replace("_", " ") for i in tests.index])
    ax.set_xlabel("LM statistic (chi-squared, 1 df)")
    ax.legend(loc="lower right", frameon=False)
    if title is not None:
        ax.set_title(title)
    return ax


def estimates_comparison_plot(table: pd.DataFrame, ax=None, title=None):
    """Two sets of estimates of the same parameters side by side (e.g. ``fe`` and ``re`` columns)."""
    ax = _new_ax(ax)
    pos = np.arange(len(table))[::-1].astype(float)
    offsets = np.linspace(0.15, -0.15, table.shape[1])
    for (name, col), off, color in zip(table.items(), offsets, _COLORS):
        ax.plot(col.to_numpy(float), pos + off, "o", color=color, label=str(name).upper())
    ax.axvline(0, color="#636363", linewidth=0.8)
    ax.set_yticks(pos, [str(i) for i in table.index])
    ax.set_xlabel("estimate")
    ax.legend(frameon=False)
    if title is not None:
        ax.set_title(title)
    return ax


def coverage_plot(coverage: pd.Series, kept, ax=None, title=None):
    """Periods observed per region, kept regions and dropped ones in two colours."""
    ax = _new_ax(ax)
    kept = np.asarray(kept, dtype=bool)
    pos = np.arange(len(coverage))[::-1]
    ax.barh(pos, coverage.to_numpy(), color=np.where(kept, _COLORS[0], _COLORS[1]))
    ax.set_yticks(pos, [str(i) for i in coverage.index])
    ax.set_xlabel("periods observed (orange: region dropped)")
    if title is not None:
        ax.set_title(title)
    return ax
