"""Figures of change over time: transition heat maps, LISA paths, emerging hot-spot maps, convergence.

Every function takes ``ax=None`` (a new figure) and returns the Axes (or array of Axes) drawn, and
``lang=None`` ("en" or "zh"; default :func:`spatialcluster.set_language`'s): titles, axes and legends
in that language (:mod:`spatialcluster.labels`), the variable by its catalogue label.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..labels import caption, check_lang, label, term
from ._crs import project
from .maps import _as_geoframe, _category_codes, _category_map, _new_ax

# Emerging hot-spot categories in the colours of ArcGIS Pro's default renderer as users know it:
# hot categories in reds (darkest for intensifying, palest for historical), cold ones mirrored in
# blues, patterned fills for the "on and off" and "new" categories, no pattern transparent grey.
EHS_COLORS = {
    "new hot spot": "#d7191c", "consecutive hot spot": "#e34a33", "intensifying hot spot": "#99000d",
    "persistent hot spot": "#cb181d", "diminishing hot spot": "#fb6a4a", "sporadic hot spot": "#fc9272",
    "oscillating hot spot": "#fcbba1", "historical hot spot": "#fee0d2",
    "new cold spot": "#2c7bb6", "consecutive cold spot": "#3182bd", "intensifying cold spot": "#08306b",
    "persistent cold spot": "#2171b5", "diminishing cold spot": "#6baed6", "sporadic cold spot": "#9ecae1",
    "oscillating cold spot": "#c6dbef", "historical cold spot": "#deebf7",
    "no pattern detected": "#f0f0f0",
}
EHS_HATCHES = {"new hot spot": "..", "new cold spot": "..", "consecutive hot spot": "//",
               "consecutive cold spot": "//", "oscillating hot spot": "xx", "oscillating cold spot": "xx"}


def _ax(ax, size=(5.5, 4.5)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=size)
    return ax


def _name(variable, lang) -> str:
    """The variable in a title: its catalogue name (the column name without one), no unit."""
    return label(variable, lang, unit=False)


def transition_heatmap(p: pd.DataFrame, ax=None, title=None, cmap="Blues", annotate=True, lang=None):
    """Heat map of a transition probability matrix (origin rows, destination columns)."""
    ax = _ax(ax)
    lang = check_lang(lang)
    a = p.to_numpy(dtype=float)
    ax.imshow(a, cmap=cmap, vmin=0, vmax=1)
    labels = [str(c) for c in p.columns]
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), [str(i) for i in p.index])
    ax.set_xlabel(term("to_t1", lang))
    ax.set_ylabel(term("from_t", lang))
    if annotate:
        for (i, j), v in np.ndenumerate(a):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7, color="white" if v > 0.6 else "black")
    if title:
        ax.set_title(caption(title, lang))
    return ax


def conditional_heatmaps(p: dict, ax=None, title=None, cmap="Blues", annotate=True, lang=None):
    """The transition matrices of every spatial-lag class side by side in one Axes (a blank column between)."""
    lang = check_lang(lang)
    mats = list(p.values())
    k = mats[0].shape[0]
    ax = _ax(ax, (2.6 * len(mats) + 1, 3.4))
    gap = np.full((k, 1), np.nan)
    block = np.hstack([np.hstack([m.to_numpy(dtype=float), gap]) for m in mats])[:, :-1]
    ax.imshow(np.ma.masked_invalid(block), cmap=cmap, vmin=0, vmax=1)
    labels = [str(c) for c in mats[0].columns]
    ticks = [j * (k + 1) + c for j in range(len(mats)) for c in range(k)]
    ax.set_xticks(ticks, labels * len(mats), fontsize=7)
    ax.set_yticks(range(k), [str(i) for i in mats[0].index])
    ax.set_ylabel(term("from_t", lang))
    ax.set_xlabel(term("to_t1_by_lag", lang))
    for j, lag in enumerate(p):
        ax.text(j * (k + 1) + (k - 1) / 2, -0.8, term("neighbour_class", lang).format(lag=lag), ha="center",
                va="bottom", fontsize=8)
    if annotate and k <= 6:
        for (i, c), v in np.ndenumerate(block):
            if np.isfinite(v):
                ax.text(c, i, f"{v:.2f}", ha="center", va="center", fontsize=6, color="white" if v > 0.6 else "black")
    if title:
        ax.set_title(caption(title, lang), pad=18)
    return ax


def lisa_paths_plot(result, ax=None, regions=None, n=5, lang=None):
    """Paths of ``regions`` (default: the ``n`` longest) in the Moran scatter plot, start marked by a dot."""
    ax = _ax(ax, (5.5, 5.5))
    lang, var = check_lang(lang), _name(result.variable, lang)
    ids = list(regions) if regions is not None else list(result.frame["length"].nlargest(n).index)
    for rid in ids:
        x, y = result.z.loc[rid].to_numpy(), result.lag.loc[rid].to_numpy()
        line = ax.plot(x, y, lw=1, marker=".", ms=3, label=str(rid))[0]
        ax.plot(x[:1], y[:1], "o", color=line.get_color())
        ax.annotate("", (x[-1], y[-1]), (x[-2], y[-2]), arrowprops={"arrowstyle": "->", "color": line.get_color()})
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(0, color="0.6", lw=0.8)
    ax.set_xlabel(term("var_standardised", lang).format(var=var))
    ax.set_ylabel(term("spatial_lag_axis", lang))
    ax.set_title(term("lisa_paths_title", lang).format(var=var))
    ax.legend(frameon=False, fontsize="small")
    return ax


def emerging_map(result_or_gdf, regions=None, ax=None, crs="auto", title=None, legend=True, labels=None,
                 legend_kwds=None, inset=True, lang=None):
    """Map of emerging hot-spot categories in ArcGIS-like colours (:data:`EHS_COLORS`)."""
    ax = _new_ax(ax)
    lang = check_lang(lang)
    gdf = project(_as_geoframe(result_or_gdf, ["category"], regions), crs)
    codes = _category_codes(gdf, "category", list(EHS_COLORS), "emerging hot-spot categories")
    names = {k: term(k, lang) for k in EHS_COLORS}
    return _category_map(ax, gdf, codes, list(EHS_COLORS), EHS_COLORS, names, EHS_HATCHES,
                         title and caption(title, lang), legend, term("emerging_hotspots", lang), labels,
                         always=("no pattern detected",), legend_kwds=legend_kwds, inset=inset, lang=lang)


def dagum_plot(result, ax=None, lang=None):
    """Contribution shares of within, net between and transvariation (lines by period, or one bar)."""
    ax = _ax(ax, (6, 3.5))
    lang = check_lang(lang)
    shares = result.shares.rename(columns=lambda c: term(c, lang) if c in ("within_share", "between_share",
                                                                            "transvariation_share") else c)
    if len(shares) > 1:
        shares.plot(ax=ax, marker="o")
        ax.set_xlabel(_period_axis(shares.index.name, lang))
    else:
        shares.iloc[0].plot.bar(ax=ax, color=["#4daf4a", "#377eb8", "#ff7f00"])
    ax.set_ylabel(term("gini_share", lang))
    ax.set_title(term("dagum_title", lang).format(var=_name(result.variable, lang)))
    return ax


def _period_axis(name, lang) -> str:
    """The period axis: the time column's label (year -> 年份 in Chinese), "period" without a name."""
    if name is None:
        return term("period", lang)
    return term("year", lang) if str(name) == "year" else label(name, lang)


def density_plot(result, ax=None, cmap="viridis", lang=None):
    """Kernel density curves, one per period, light (early) to dark (late)."""
    import matplotlib as mpl

    ax = _ax(ax, (6, 3.5))
    lang = check_lang(lang)
    cols = list(result.density.columns)
    colors = mpl.colormaps[cmap](np.linspace(0.9, 0.1, len(cols)))
    for c, color in zip(cols, colors):
        ax.plot(result.density.index, result.density[c], color=color, label=str(c))
    ax.set_xlabel(label(result.variable, lang))
    ax.set_ylabel(term("density_axis", lang))
    ax.set_title(term("density_title", lang).format(var=_name(result.variable, lang), rule=result.rule))
    ax.legend(frameon=False, fontsize="small", ncol=2 if len(cols) > 6 else 1)
    return ax


def sigma_plot(result, ax=None, measures=("cv", "gini", "theil", "sd_log"), lang=None):
    """Dispersion measures over time, each divided by its first value."""
    lang = check_lang(lang)
    frame = result.frame[list(measures)]
    ax = _over_time(frame / frame.iloc[0], ax, term("relative_to_first", lang),
                    term("sigma_title", lang).format(var=_name(result.variable, lang)))
    ax.axhline(1, color="0.6", lw=0.8, ls="--")
    return ax


def convergence_plot(result, ax=None, lang=None):
    """Growth against log initial level with the slope beta through the means."""
    ax = _ax(ax, (5.5, 4.5))
    lang, var = check_lang(lang), _name(result.variable, lang)
    d = result.data
    ax.scatter(d["log_initial"], d["growth"], s=14, color="#3182bd", alpha=0.8)
    x = np.linspace(d["log_initial"].min(), d["log_initial"].max(), 50)
    ax.plot(x, d["growth"].mean() + result.beta * (x - d["log_initial"].mean()), color="#b2182b",
            label=term("beta_line", lang).format(beta=result.beta, half_life=result.half_life))
    ax.set_xlabel(term("log_initial", lang).format(var=var))
    ax.set_ylabel(term("log_growth", lang))
    ax.set_title(term(f"{result.kind}_beta_title", lang).format(model=result.model.model))
    ax.legend(frameon=False, fontsize="small")
    return ax


def mobility_plot(result, ax=None, lang=None):
    """Kendall's tau (and spatial tau) per period pair."""
    lang = check_lang(lang)
    cols = [c for c in ("tau", "spatial_tau", "tau_intra", "tau_inter") if c in result.frame]
    return _over_time(result.frame[cols].astype(float), ax, term("kendall_tau", lang),
                      term("mobility_title", lang).format(var=_name(result.variable, lang)))


def _over_time(frame, ax, ylabel, title):
    """One line with markers per column of ``frame`` (indexed by period)."""
    ax = _ax(ax, (6, 3.5))
    frame.plot(ax=ax, marker="o")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return ax


def club_paths_plot(result, ax=None, lang=None):
    """Mean relative transition path h_t of each convergence club (0: divergent regions)."""
    ax = _ax(ax, (6, 3.5))
    lang = check_lang(lang)
    paths = result.paths
    for club, members in result.frame.groupby("club").groups.items():
        name = term("divergent", lang) if club == 0 else term("club_n", lang).format(club=club)
        ax.plot(range(paths.shape[1]), paths.loc[members].mean(axis=0), marker=".", label=f"{name} ({len(members)})")
    ax.set_xticks(range(paths.shape[1]), [str(c) for c in paths.columns], rotation=45 if paths.shape[1] > 10 else 0)
    ax.axhline(1, color="0.6", lw=0.8, ls="--")
    ax.set_ylabel(term("transition_path", lang))
    ax.set_title(term("clubs_title", lang).format(var=_name(result.variable, lang)))
    ax.legend(frameon=False, fontsize="small")
    return ax
