"""Figures of change over time: transition heat maps, LISA paths, emerging hot-spot maps, convergence.

Every function takes ``ax=None`` (a new figure) and returns the Axes (or array of Axes) drawn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._errors import InputError
from ._crs import project
from .maps import _as_geoframe, _category_map, _new_ax

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


def transition_heatmap(p: pd.DataFrame, ax=None, title=None, cmap="Blues", annotate=True):
    """Heat map of a transition probability matrix (origin rows, destination columns)."""
    ax = _ax(ax)
    a = p.to_numpy(dtype=float)
    ax.imshow(a, cmap=cmap, vmin=0, vmax=1)
    labels = [str(c) for c in p.columns]
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), [str(i) for i in p.index])
    ax.set_xlabel("to (t + 1)")
    ax.set_ylabel("from (t)")
    if annotate:
        for (i, j), v in np.ndenumerate(a):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7, color="white" if v > 0.6 else "black")
    if title:
        ax.set_title(title)
    return ax


def conditional_heatmaps(p: dict, ax=None, title=None, cmap="Blues", annotate=True):
    """The transition matrices of every spatial-lag class side by side in one Axes (a blank column between)."""
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
    ax.set_ylabel("from (t)")
    ax.set_xlabel("to (t + 1), by the neighbours' class at t")
    for j, lag in enumerate(p):
        ax.text(j * (k + 1) + (k - 1) / 2, -0.8, f"neighbours: class {lag}", ha="center", va="bottom", fontsize=8)
    if annotate and k <= 6:
        for (i, c), v in np.ndenumerate(block):
            if np.isfinite(v):
                ax.text(c, i, f"{v:.2f}", ha="center", va="center", fontsize=6, color="white" if v > 0.6 else "black")
    if title:
        ax.set_title(title, pad=18)
    return ax


def lisa_paths_plot(result, ax=None, regions=None, n=5):
    """Paths of ``regions`` (default: the ``n`` longest) in the Moran scatter plot, start marked by a dot."""
    ax = _ax(ax, (5.5, 5.5))
    ids = list(regions) if regions is not None else list(result.frame["length"].nlargest(n).index)
    for rid in ids:
        x, y = result.z.loc[rid].to_numpy(), result.lag.loc[rid].to_numpy()
        line = ax.plot(x, y, lw=1, marker=".", ms=3, label=str(rid))[0]
        ax.plot(x[:1], y[:1], "o", color=line.get_color())
        ax.annotate("", (x[-1], y[-1]), (x[-2], y[-2]), arrowprops={"arrowstyle": "->", "color": line.get_color()})
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(0, color="0.6", lw=0.8)
    ax.set_xlabel(f"{result.variable} (standardised)")
    ax.set_ylabel("spatial lag")
    ax.set_title(f"LISA time paths of {result.variable}")
    ax.legend(frameon=False, fontsize="small")
    return ax


def emerging_map(result_or_gdf, regions=None, ax=None, crs="auto", title=None, legend=True, labels=None,
                 legend_kwds=None, inset=True):
    """Map of emerging hot-spot categories in ArcGIS-like colours (:data:`EHS_COLORS`)."""
    ax = _new_ax(ax)
    gdf = project(_as_geoframe(result_or_gdf, ["category"], regions), crs)
    codes = gdf["category"].astype(object).where(gdf["category"].notna(), None)
    unknown = sorted(set(codes.dropna().astype(str)) - set(EHS_COLORS))
    if unknown:
        raise InputError(f"unknown emerging hot-spot categories {unknown}; expected {list(EHS_COLORS)}")
    names = {k: k[0].upper() + k[1:] for k in EHS_COLORS}
    return _category_map(ax, gdf, codes, list(EHS_COLORS), EHS_COLORS, names, EHS_HATCHES, title, legend,
                         "Emerging hot spots", labels, always=("no pattern detected",), legend_kwds=legend_kwds,
                         inset=inset)


def dagum_plot(result, ax=None):
    """Contribution shares of within, net between and transvariation (lines by period, or one bar)."""
    ax = _ax(ax, (6, 3.5))
    shares = result.shares
    if len(shares) > 1:
        shares.plot(ax=ax, marker="o")
        ax.set_xlabel(shares.index.name or "period")
    else:
        shares.iloc[0].plot.bar(ax=ax, color=["#4daf4a", "#377eb8", "#ff7f00"])
    ax.set_ylabel("share of the Gini")
    ax.set_title(f"Dagum decomposition of the Gini of {result.variable}")
    return ax


def density_plot(result, ax=None, cmap="viridis"):
    """Kernel density curves, one per period, light (early) to dark (late)."""
    import matplotlib as mpl

    ax = _ax(ax, (6, 3.5))
    cols = list(result.density.columns)
    colors = mpl.colormaps[cmap](np.linspace(0.9, 0.1, len(cols)))
    for c, color in zip(cols, colors):
        ax.plot(result.density.index, result.density[c], color=color, label=str(c))
    ax.set_xlabel(result.variable)
    ax.set_ylabel("density")
    ax.set_title(f"Distribution of {result.variable} by period (Gaussian KDE, {result.rule})")
    ax.legend(frameon=False, fontsize="small", ncol=2 if len(cols) > 6 else 1)
    return ax


def sigma_plot(result, ax=None, measures=("cv", "gini", "theil", "sd_log")):
    """Dispersion measures over time, each divided by its first value."""
    frame = result.frame[list(measures)]
    ax = _over_time(frame / frame.iloc[0], ax, "relative to the first period",
                    f"Sigma convergence of {result.variable}")
    ax.axhline(1, color="0.6", lw=0.8, ls="--")
    return ax


def convergence_plot(result, ax=None):
    """Growth against log initial level with the slope beta through the means."""
    ax = _ax(ax, (5.5, 4.5))
    d = result.data
    ax.scatter(d["log_initial"], d["growth"], s=14, color="#3182bd", alpha=0.8)
    x = np.linspace(d["log_initial"].min(), d["log_initial"].max(), 50)
    ax.plot(x, d["growth"].mean() + result.beta * (x - d["log_initial"].mean()), color="#b2182b",
            label=f"beta = {result.beta:.3f}, half-life = {result.half_life:.1f}")
    ax.set_xlabel(f"log {result.variable} (initial)")
    ax.set_ylabel("log growth")
    ax.set_title(f"{result.kind.capitalize()} beta convergence ({result.model.model})")
    ax.legend(frameon=False, fontsize="small")
    return ax


def mobility_plot(result, ax=None):
    """Kendall's tau (and spatial tau) per period pair."""
    cols = [c for c in ("tau", "spatial_tau", "tau_intra", "tau_inter") if c in result.frame]
    return _over_time(result.frame[cols].astype(float), ax, "Kendall's tau", f"Rank mobility of {result.variable}")


def _over_time(frame, ax, ylabel, title):
    """One line with markers per column of ``frame`` (indexed by period)."""
    ax = _ax(ax, (6, 3.5))
    frame.plot(ax=ax, marker="o")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return ax


def club_paths_plot(result, ax=None):
    """Mean relative transition path h_t of each convergence club (0: divergent regions)."""
    ax = _ax(ax, (6, 3.5))
    paths = result.paths
    for club, members in result.frame.groupby("club").groups.items():
        label = "divergent" if club == 0 else f"club {club}"
        ax.plot(range(paths.shape[1]), paths.loc[members].mean(axis=0), marker=".", label=f"{label} ({len(members)})")
    ax.set_xticks(range(paths.shape[1]), [str(c) for c in paths.columns], rotation=45 if paths.shape[1] > 10 else 0)
    ax.axhline(1, color="0.6", lw=0.8, ls="--")
    ax.set_ylabel("relative transition path h")
    ax.set_title(f"Convergence clubs of {result.variable} (Phillips & Sul)")
    ax.legend(frameon=False, fontsize="small")
    return ax
