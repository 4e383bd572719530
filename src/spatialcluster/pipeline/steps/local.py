"""Step: a local statistic (LISA, Gi*, ...) of each listed variable on the primary weights.

One :class:`LocalStep` serves every local statistic that classifies regions; a :class:`LocalSpec`
says which function computes it, which config key lists its variables, how its map is drawn and
how the report describes it. Each result gives a table, a GeoPackage layer and a map.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import pandas as pd

from ..context import Context, Section, result_frame, title, with_geometry
from ._base import Step, listed

FDR_CITATION = "Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B 57(1), 289-300."


@dataclass(frozen=True)
class LocalSpec:
    """What distinguishes one local statistic in the pipeline."""

    key: str  # file, layer and map prefix: tables/{key}_{var}.csv, maps/{key}_map_{var}.png
    field: str  # the [statistics] key that lists its variables
    label: str  # the progress line
    what: str  # the maps' title
    title: str  # the report section's title
    text: str  # the report's explanation; formatted with perms, alpha, corr, seed, w
    citation: str
    compute: Callable  # spatialcluster -> f(data, column, w, permutations=, seed=, alpha=, correction=)
    draw: Callable  # spatialcluster -> f(result, ax=, regions=, title=)
    style: str | None = None  # the layer's QGIS style kind (export.qml.layer_style); None: chosen from the labels


class LocalStep(Step):
    def __init__(self, spec: LocalSpec):
        self.spec = spec
        self.name = spec.key

    def _names(self, s) -> tuple:
        return getattr(s.statistics, self.spec.field)

    def enabled(self, s):
        return bool(self._names(s))

    def variables(self, s):
        return listed(("statistics", self.spec.field), self._names(s))

    def run(self, ctx: Context) -> Section:
        import spatialcluster as sc

        spec, stats = self.spec, ctx.settings.statistics
        perms, alpha, corr = stats.permutations, stats.alpha, stats.correction
        func, draw_map = spec.compute(sc), spec.draw(sc)
        variables = self._names(ctx.settings)
        imgs, tabs, logs = [], [], []
        regions = ctx.map_regions if ctx.maps else None
        with ctx.progress.step(f"{spec.label} ({perms} permutations)", total=len(variables)) as advance:
            for var in variables:
                # correction "none" is the library's None (multitest.check_correction)
                res = func(ctx.data, var, ctx.w0, permutations=perms, seed=ctx.seed, alpha=alpha, correction=corr)
                frame = result_frame(res)
                ctx.wr.table(f"{spec.key}_{var}", frame)
                tabs.append((f"Regions per class: {var}", _counts(frame)))
                logs.append(f"{var}:\n{res.summary()}")
                ctx.layers[f"{spec.key}_{var}"] = with_geometry(ctx.data, frame)
                if spec.style:
                    ctx.styles[f"{spec.key}_{var}"] = {"kind": spec.style}
                if ctx.maps:
                    caption = f"{spec.what}: {title(ctx.notes, var)}\n({perms} permutations, {corr} correction, alpha {alpha})"
                    imgs.append(ctx.wr.figure(f"{spec.key}_map_{var}", lambda ax, r=res, t=caption: draw_map(
                        r, ax=ax, regions=regions, title=t)))
                advance()
        text = spec.text.format(perms=perms, alpha=alpha, corr=corr, seed=ctx.seed, w=ctx.primary)
        cites = "\n\n" + spec.citation + ("\n\n" + FDR_CITATION if corr.startswith("fdr") else "")
        return Section(spec.title, text + cites, tables=tabs, images=imgs, log="\n\n".join(logs))


def _counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Regions per class (the ``cluster`` labels or the ``bin`` numbers)."""
    col = "cluster" if "cluster" in frame.columns else "bin" if "bin" in frame.columns else None
    if col is None:
        return frame
    return frame[col].value_counts().sort_index().rename("regions").to_frame()


LISA = LocalSpec(
    key="lisa", field="local", label="LISA", what="LISA clusters", title="Local clusters (LISA)",
    text="Local Moran's I with conditional permutation inference ({perms} permutations, seed {seed}) on the {w} weights. "
         "A region is labelled HH, LL, HL or LH only when its pseudo p-value is below {alpha} after the '{corr}' "
         "multiple-testing correction; otherwise 'ns'. Tables give the number of regions per label; the log shows the "
         "uncorrected and corrected counts side by side.",
    citation="Anselin, L. (1995). Local indicators of spatial association - LISA. Geographical Analysis 27(2), 93-115.",
    compute=lambda sc: sc.local_moran, draw=lambda sc: sc.plot.lisa_map,
)

GISTAR = LocalSpec(
    key="gistar", field="hotspots", label="Getis-Ord Gi*", what="Gi* hot and cold spots",
    title="Hot and cold spots (Getis-Ord Gi*)",
    text="Getis-Ord Gi* (the region itself included) with analytic z-scores and permutation pseudo p-values "
         "({perms} permutations, seed {seed}) on the {w} weights; bins -3..3 are cold/hot spots at 99/95/90 % confidence, "
         "0 not significant.",
    citation="Getis, A. and Ord, J. K. (1992). The analysis of spatial association by use of distance statistics. "
             "Geographical Analysis 24(3), 189-206; Ord, J. K. and Getis, A. (1995). Geographical Analysis 27(4), 286-306.",
    compute=lambda sc: partial(sc.getis_ord, star=True), draw=lambda sc: sc.plot.hotspot_map,
)
