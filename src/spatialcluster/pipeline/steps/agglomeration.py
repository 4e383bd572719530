"""Step: agglomeration and specialisation from a long region x industry table (employment or output):
Ellison-Glaeser and the other concentration indices by industry, Krugman specialisation by region
(a map and a styled layer)."""

from __future__ import annotations

from ..config import resolve_path
from ..context import Context, Section, with_geometry
from ._base import Step

TEXT = (
    "Agglomeration of the industries of {path} ({value} by {region} and {industry}): the Ellison-Glaeser index "
    "(variant: {variant}), the locational Gini, the Herfindahl and Hoover indices by industry, pairwise "
    "co-agglomeration, and Krugman's specialisation index of each region against the nation (mapped)."
)
CITATION = (
    "Ellison, G. & Glaeser, E. L. (1997). Journal of Political Economy 105(5), 889-927; Ellison, G., Glaeser, E. L. "
    "& Kerr, W. R. (2010). American Economic Review 100(3), 1195-1213; Krugman, P. (1991). Geography and Trade. MIT "
    "Press; Hoover, E. M. (1936). Review of Economics and Statistics 18(4), 162-171."
)


class AgglomerationStep(Step):
    name = "agglomeration"

    def enabled(self, s):
        return s.indicators.agglomeration is not None

    def run(self, ctx: Context) -> Section:
        import spatialcluster as sc
        from ...indicators.agglomeration import VARIANTS

        a = ctx.settings.indicators.agglomeration
        with ctx.progress.step("agglomeration indices"):
            table = sc.read_table(resolve_path(a.path, ctx.cfg.base))
            res = sc.agglomeration(table, region=a.region, industry=a.industry, value=a.value, plant=a.plant)
        ctx.wr.table("agglomeration_industries", res.industries)
        ctx.wr.table("agglomeration_regions", res.regions)
        ctx.wr.table("coagglomeration", res.coagglomeration)
        ctx.layers["specialisation"] = with_geometry(ctx.data, res.regions)
        ctx.styles["specialisation"] = {"column": "krugman_nation"}
        imgs = []
        if ctx.maps:
            imgs.append(ctx.wr.figure("agglomeration_gamma", lambda ax: res.plot(ax=ax)))
            frame = ctx.map_regions.assign(krugman=res.regions["krugman_nation"].reindex(ctx.map_regions.index))
            imgs.append(ctx.wr.figure("specialisation_map", lambda ax: sc.plot.choropleth(
                frame, "krugman", ax=ax, fmt="{:.2f}", title="Krugman specialisation index (vs the nation)")))
        text = TEXT.format(path=a.path, value=a.value, region=a.region, industry=a.industry,
                           variant=VARIANTS[res.variant])
        tabs = [("Indices by industry", res.industries),
                ("Industries per EG class", res.counts().to_frame("industries"))]
        return Section("Agglomeration and specialisation", text + "\n\n" + CITATION, tables=tabs, images=imgs,
                       log=res.summary())
