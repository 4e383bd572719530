"""Step: one choropleth map per ``[outputs] choropleths`` variable."""

from __future__ import annotations

from ..context import Context, Section, title, variables_text
from ._base import Step, listed


class ChoroplethsStep(Step):
    name = "choropleths"
    complete_cases = False  # a gap is drawn as "No data"

    def enabled(self, s):
        return s.outputs.maps and bool(s.outputs.choropleths)

    def variables(self, s):
        return listed(("outputs", "choropleths"), s.outputs.choropleths)

    def run(self, ctx: Context) -> Section:
        import spatialcluster as sc

        out = ctx.settings.outputs
        imgs = []
        regions = ctx.map_regions
        with ctx.progress.step("choropleth maps", total=len(out.choropleths)) as advance:
            for var in out.choropleths:
                imgs.append(ctx.wr.figure(f"choropleth_{var}", lambda ax, v=var: sc.plot.choropleth(
                    regions, v, scheme=out.scheme, k=out.classes, bins=out.bins, ax=ax, title=title(ctx.notes, v))))
                advance()
        return Section("Maps", variables_text(out.choropleths, ctx.notes), images=imgs)
