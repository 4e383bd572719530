"""Step: contiguous regionalisation (max-p or SKATER through spopt) on the primary weights, with a map and a layer."""

from __future__ import annotations

from ..context import Context, Section, result_frame, with_geometry
from ._base import Step, listed

TEXT = (
    "Contiguous regions built from the {w} weights by {method}, as homogeneous as possible in {columns} "
    "(standardised): {detail}. R^2 is the share of the attributes' sum of squares between the regions."
)
CITATION = ("Duque, J. C., Anselin, L. & Rey, S. J. (2012). The max-p-regions problem. Journal of Regional Science "
            "52(3), 397-419; Assunção, R. M. et al. (2006). IJGIS 20(7), 797-811; PySAL spopt.")


class RegionsStep(Step):
    name = "regions"

    def enabled(self, s):
        return s.indicators.regions is not None

    def variables(self, s):
        r = s.indicators.regions
        if r is None:
            return []
        floor = listed(("indicators", "regions", "threshold_column"), [r.threshold_column]) if r.threshold_column else []
        return listed(("indicators", "regions", "columns"), r.columns) + floor

    def run(self, ctx: Context) -> Section:
        import spatialcluster as sc

        r = ctx.settings.indicators.regions
        with ctx.progress.step(f"regionalisation ({r.method})"):
            res = sc.regionalize(ctx.data, list(r.columns), ctx.w0, method=r.method, n_regions=r.n_regions,
                                 threshold_column=r.threshold_column, threshold=r.threshold, seed=ctx.seed)
        frame = result_frame(res, "region")
        ctx.wr.table("regions", frame)
        ctx.layers["regions_contiguous"] = with_geometry(ctx.data, frame)
        ctx.styles["regions_contiguous"] = {"column": "label", "scheme": "equal_interval", "k": int(res.counts().size)}
        imgs = []
        if ctx.maps:
            imgs.append(ctx.wr.figure("regions_map", lambda ax: res.plot(ax=ax)))
        detail = (f"{r.n_regions} regions" if r.method == "skater"
                  else f"each region's total of {r.threshold_column} at least {r.threshold:g}")
        text = TEXT.format(w=ctx.primary, method=r.method, columns=", ".join(r.columns), detail=detail)
        return Section("Contiguous regions", text + "\n\n" + CITATION,
                       tables=[("Units per region", res.counts().to_frame())], images=imgs, log=res.summary())
