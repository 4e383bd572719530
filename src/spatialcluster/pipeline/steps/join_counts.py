"""Step: local join counts of binary indicators on the primary weights, with maps and styled layers."""

from __future__ import annotations

from ..context import Context, Section, result_frame, title, with_geometry
from ._base import Step, listed

TEXT = (
    "Local join counts of binary indicators on the {w} weights: a region with the indicator whose neighbours "
    "also have it forms joins; the p-value is that of conditional permutation, computed exactly "
    "(hypergeometric), and a 'cluster' has more joins than expected and p below {alpha} after the '{corr}' "
    "correction."
)
CITATION = ("Anselin, L. & Li, X. (2019). Operational local join count statistics for cluster detection. "
            "Journal of Geographical Systems 21(2), 189-210.")


class JoinCountsStep(Step):
    name = "join_counts"

    def enabled(self, s):
        return bool(s.indicators.join_counts)

    def variables(self, s):
        return listed(("indicators", "join_counts"), s.indicators.join_counts)

    def run(self, ctx: Context) -> Section:
        import spatialcluster as sc

        stats = ctx.settings.statistics
        tabs, imgs, logs = [], [], []
        regions = ctx.map_regions if ctx.maps else None
        for var in ctx.settings.indicators.join_counts:
            with ctx.progress.step(f"local join counts {var}"):
                res = sc.local_join_counts(ctx.data, var, ctx.w0, alpha=stats.alpha, correction=stats.correction)
            frame = result_frame(res, "region")
            key = f"join_counts_{var}"
            ctx.wr.table(key, frame)
            tabs.append((f"Regions per label: {var}", res.counts().to_frame()))
            ctx.layers[key] = with_geometry(ctx.data, frame)
            ctx.styles[key] = {"kind": "significance"}
            logs.append(res.summary())
            if ctx.maps:
                imgs.append(ctx.wr.figure(f"{key}_map", lambda ax, r=res, v=var: sc.plot.indicators.join_counts_map(
                    r, ax=ax, regions=regions, title=f"Local join counts: {title(ctx.notes, v)}")))
        text = TEXT.format(w=ctx.primary, alpha=stats.alpha, corr=stats.correction)
        return Section("Local join counts", text + "\n\n" + CITATION, tables=tabs, images=imgs, log="\n\n".join(logs))
