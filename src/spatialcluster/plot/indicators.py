"""Charts and maps of the cluster indicators: every ``plot()`` of :mod:`spatialcluster.indicators`
draws here. Each function takes ``ax=None`` (a new figure) and returns the Axes it drew into."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._errors import InputError
from ..labels import term
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


def agglomeration_chart(result, ax=None, column: str = "gamma", top: int = 30, title=None):
    """Bars of one agglomeration index by industry (the ``top`` largest), EG thresholds marked for gamma."""
    v = result.industries[column].sort_values().tail(top)
    ax = _bar_ax(ax, len(v))
    ax.barh([str(i) for i in v.index], v.to_numpy(), color="#3182bd")
    if column == "gamma":
        for x, style in ((0.02, ":"), (0.05, "--")):
            ax.axvline(x, color="#636363", lw=0.8, ls=style)
    ax.set_xlabel(column)
    ax.set_title(title or f"{column} by industry ({result.variant})")
    return ax


def geodetector_chart(result, ax=None, kind: str = "factors", title=None):
    """GeoDetector: bars of q by factor (significant at 5 % in dark), or the interaction q matrix."""
    if kind == "factors":
        f = result.factors.sort_values("q")
        ax = _bar_ax(ax, len(f))
        ax.barh([str(i) for i in f.index], f["q"].to_numpy(),
                color=np.where(f["p_value"] < 0.05, "#08519c", "#9ecae1"))
        ax.set_xlim(0, 1)
        ax.set_xlabel("q (dark: p < 0.05)")
        ax.set_title(title or f"Factor detector: {result.y}")
        return ax
    if kind != "interactions":
        raise InputError(f"kind must be 'factors' or 'interactions', got {kind!r}.")
    names = list(result.factors.index)
    m = pd.DataFrame(np.diag(result.factors["q"].to_numpy()), index=names, columns=names)
    for pair, row in result.interactions.iterrows():
        a, b = pair.split(" & ", 1)
        m.loc[a, b] = m.loc[b, a] = row["q"]
    ax = _bar_ax(ax, len(names), width=max(4.0, 0.6 * len(names) + 2))
    im = ax.imshow(m.to_numpy(), cmap="YlOrRd", vmin=0, vmax=1)
    ax.set_xticks(range(len(names)), names, rotation=90)
    ax.set_yticks(range(len(names)), names)
    for i in range(len(names)):
        for j in range(len(names)):
            ax.text(j, i, f"{m.iat[i, j]:.2f}", ha="center", va="center", fontsize=7)
    ax.figure.colorbar(im, ax=ax, label="q (diagonal: single factors)")
    ax.set_title(title or "Interaction detector")
    return ax


def ellipse_map(result, ax=None, regions=None, title=None, cmap: str = "viridis", lang=None):
    """Standard deviational ellipses per period with the centre's migration path (arrows), over
    ``regions`` (projected to the ellipses' CRS) when given; the default title in ``lang``."""
    import matplotlib as mpl

    ax = _new_ax(ax)
    if regions is not None:
        regions.to_crs(result.crs).plot(ax=ax, color="#f0f0f0", edgecolor="#bdbdbd", linewidth=0.4)
    ell = result.ellipses
    colors = mpl.colormaps[cmap](np.linspace(0, 0.9, max(len(ell), 1)))
    for (period, row), color in zip(ell.iterrows(), colors, strict=True):
        ax.plot(*row.geometry.exterior.xy, color=color, lw=1.2, label=str(period))
    x, y = result.frame["x"].to_numpy(), result.frame["y"].to_numpy()
    ax.scatter(x, y, c=colors, s=14, zorder=3)
    for i in range(len(x) - 1):
        ax.annotate("", xy=(x[i + 1], y[i + 1]), xytext=(x[i], y[i]),
                    arrowprops={"arrowstyle": "->", "color": "#252525", "lw": 0.9})
    ax.set_aspect("equal")
    ax.set_axis_off()
    if len(ell) > 1:
        ax.legend(title=result.time, fontsize=7, title_fontsize=8, loc="lower left")
    ax.set_title(title or term("ellipse_title", lang))
    return ax


JOIN_COLORS = {"cluster": "#d7301f", "ns": "#fdbb84", "no joins": "#fee8c8", "0": "#f0f0f0"}


def join_counts_map(result, ax=None, regions=None, title=None, **kwargs):
    """Map of local join count labels (significant clusters of the binary indicator in red);
    ``regions`` (a GeoDataFrame) when the result has no geometry or to draw more regions."""
    from .maps import _as_geoframe, _category_map
    from ._crs import project

    ax = _new_ax(ax)
    gdf = project(_as_geoframe(result, ["label"], regions), kwargs.pop("crs", "auto"))
    names = {"cluster": "cluster (significant joins)", "ns": "joins, not significant", "no joins": "no joins",
             "0": "indicator = 0"}
    return _category_map(ax, gdf, gdf["label"], list(JOIN_COLORS), JOIN_COLORS, names, {},
                         title or f"Local join counts: {result.variable}", kwargs.pop("legend", True),
                         "label", kwargs.pop("labels", None))


def regions_map(result, ax=None, regions=None, title=None, cmap: str = "tab20", **kwargs):
    """Map of contiguous regions: units coloured by region, region boundaries drawn thicker."""
    from .maps import _as_geoframe
    from ._crs import project

    ax = _new_ax(ax)
    gdf = project(_as_geoframe(result, ["label"], regions), kwargs.pop("crs", "auto")).dropna(subset=["label"])
    gdf.plot(ax=ax, column="label", categorical=True, cmap=cmap, edgecolor="#ffffff", linewidth=0.3)
    gdf.dissolve("label").boundary.plot(ax=ax, color="#252525", linewidth=0.9)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title or f"{result.counts().size} contiguous regions ({result.method})")
    return ax
