"""Step: weighted centre of gravity and standard deviational ellipse, one per weights column, with the
centre's migration path over the map and a layer of the ellipses."""

from __future__ import annotations

import pandas as pd

from ..context import Context, Section
from ._base import Step, listed

TEXT = (
    "Standard deviational ellipse and weighted centre of gravity of the regions' centroids (projected: {crs}), "
    "weighted by {weights}, one per weights column in the order given; the arrows follow the centre. The "
    "ellipse's semi-axes are sqrt(2) times the standard deviations along its axes, as ArcGIS and CrimeStat "
    "compute it."
)
CITATION = ("Yuill, R. S. (1971). The standard deviational ellipse. Geografiska Annaler B 53(1), 28-39; "
            "Wang, B., Shi, W. & Miao, Z. (2015). PLoS ONE 10(3), e0118537.")


class EllipseStep(Step):
    name = "ellipse"

    def enabled(self, s):
        return s.indicators.ellipse is not None

    def variables(self, s):
        e = s.indicators.ellipse
        return [] if e is None else listed(("indicators", "ellipse", "weights"), e.weights)

    def run(self, ctx: Context) -> Section:
        import spatialcluster as sc

        weights = list(ctx.settings.indicators.ellipse.weights)
        crs, _ = sc.weights.projected_crs(ctx.data)
        data = ctx.data.to_crs(crs)
        long = pd.concat([data.assign(period=w, _weight=data[w]) for w in weights])
        long["period"] = pd.Categorical(long["period"], categories=weights, ordered=True)
        with ctx.progress.step("standard deviational ellipse"):
            res = sc.standard_ellipse(long, weights="_weight", time="period")
        ctx.wr.table("ellipse", res.frame)
        layer = res.ellipses.reset_index().to_crs(ctx.data.crs)
        layer["period"] = layer["period"].astype(str)
        ctx.layers["ellipse"] = layer.set_index("period")
        ctx.styles["ellipse"] = {"column": "area"}
        imgs = []
        if ctx.maps:
            imgs.append(ctx.wr.figure("ellipse_map", lambda ax: res.plot(ax=ax, regions=ctx.map_regions)))
        text = TEXT.format(crs=crs.name, weights=", ".join(weights))
        return Section("Centre of gravity and standard deviational ellipse", text + "\n\n" + CITATION,
                       tables=[("Centre and ellipse by weights column", res.frame)], images=imgs, log=res.summary())
