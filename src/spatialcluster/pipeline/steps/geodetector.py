"""Step: GeoDetector (factor, interaction, risk and ecological detectors) with optimal discretisation."""

from __future__ import annotations

from ..context import Context, Section
from ._base import Step, Variable, listed

TEXT = (
    "GeoDetector of {y}: q = 1 - SSW/SST is the share of the variance of {y} explained by the strata of a "
    "factor, tested by the non-central F test. Continuous factors are cut by quantiles, natural breaks and equal "
    "intervals into {classes} classes, keeping the combination with the largest q (optimal-parameters "
    "GeoDetector). The interaction detector compares the q of two overlaid factors with their single q's."
)
CITATION = (
    "Wang, J.-F. et al. (2010). Geographical detectors-based health risk assessment. IJGIS 24(1), 107-127; "
    "Wang, J.-F., Zhang, T.-L. & Fu, B.-J. (2016). A measure of spatial stratified heterogeneity. Ecological "
    "Indicators 67, 250-256; Song, Y. et al. (2020). GIScience & Remote Sensing 57(5), 593-610."
)


class GeoDetectorStep(Step):
    name = "geodetector"

    def enabled(self, s):
        return s.indicators.geodetector is not None

    def variables(self, s):
        g = s.indicators.geodetector
        if g is None:
            return []
        return [Variable(("indicators", "geodetector", "y"), g.y)] + listed(("indicators", "geodetector", "factors"),
                                                                               g.factors)

    def run(self, ctx: Context) -> Section:
        import spatialcluster as sc

        g = ctx.settings.indicators.geodetector
        classes = [int(k) for k in g.classes]
        with ctx.progress.step("GeoDetector"):
            gd = sc.geodetector(ctx.data, y=g.y, factors=list(g.factors), continuous=g.continuous and list(g.continuous),
                                discretize=g.discretize, k=classes, seed=ctx.seed)
        for name in ("factors", "interactions", "risk", "ecological", "search"):
            ctx.wr.table(f"geodetector_{name}", getattr(gd, name))
        imgs = []
        if ctx.maps:
            imgs.append(ctx.wr.figure("geodetector_factors", lambda ax: gd.plot(ax=ax)))
            if len(gd.interactions):
                imgs.append(ctx.wr.figure("geodetector_interactions", lambda ax: gd.plot(ax=ax, kind="interactions")))
        tabs = [("Factor detector", gd.factors), ("Interaction detector", gd.interactions),
                ("Ecological detector", gd.ecological)]
        text = TEXT.format(y=g.y, classes=f"{min(classes)} to {max(classes)}")
        return Section("What drives the pattern (GeoDetector)", text + "\n\n" + CITATION, tables=tabs, images=imgs,
                       log=gd.summary())
