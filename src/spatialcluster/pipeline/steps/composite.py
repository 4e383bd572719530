"""Step: composite indices (entropy-weight score or TOPSIS) with their weights tables, maps and layers."""

from __future__ import annotations

from ..context import Context, Section, title, with_geometry
from ._base import Step, listed

TEXT = (
    "Each index combines its indicators after min-max standardisation with direction (1 = best region, 0 = "
    "worst; indicators marked negative are reversed), weighted by the entropy method: an indicator that varies "
    "more across regions gets more weight. Score: the weighted sum (entropy method) or the TOPSIS closeness to "
    "the best region. The weights tables list each indicator's direction, range, entropy and weight."
)
CITATION = (
    "Zou, Z., Yun, Y. & Sun, J. (2006). Entropy method for determination of weight of evaluating indicators in "
    "fuzzy synthetic evaluation for water quality assessment. Journal of Environmental Sciences 18(5), 1020-1023; "
    "Hwang, C.-L. & Yoon, K. (1981). Multiple Attribute Decision Making. Springer."
)


class CompositeStep(Step):
    name = "composite"

    def enabled(self, s):
        return bool(s.indicators.composite)

    def variables(self, s):
        return [v for i, c in enumerate(s.indicators.composite)
                for v in listed(("indicators", "composite", i, "indicators"), c.indicators)]

    def run(self, ctx: Context) -> Section:
        import spatialcluster as sc

        tabs, imgs, logs = [], [], []
        for c in ctx.settings.indicators.composite:
            with ctx.progress.step(f"composite index {c.name}"):
                res = sc.composite_index(ctx.data, list(c.indicators), negative=list(c.negative), method=c.method,
                                         name=c.name)
                key = f"composite_{c.name}"
                ctx.wr.table(key, res.frame)
                ctx.wr.table(f"{key}_weights", res.weights)
                tabs.append((f"Weights of {c.name} ({c.method})", res.weights))
                ctx.layers[key] = with_geometry(ctx.data, res.frame)
                ctx.styles[key] = {"column": "score"}
                logs.append(res.summary())
                if ctx.maps:
                    frame = ctx.map_regions.assign(score=res.score.reindex(ctx.map_regions.index))
                    imgs.append(ctx.wr.figure(f"{key}_map", lambda ax, f=frame, n=c.name: sc.plot.choropleth(
                        f, "score", ax=ax, title=f"Composite index: {title(ctx.notes, n)}", fmt="{:.2f}")))
        return Section("Composite indices", TEXT + "\n\n" + CITATION, tables=tabs, images=imgs, log="\n\n".join(logs))
