"""Step: geographically weighted regression (or MGWR) from ``[models.gwr]``.

Writes the local estimates (one row per region: coefficients, ``se_*``, ``t_*``, ``sig_*``, local
R2, condition number), a summary per coefficient, one map per coefficient with the insignificant
regions hatched, and a GeoPackage layer ``gwr`` styled for QGIS the same way (the first regressor).
"""

from __future__ import annotations

from ..context import Context, Section, title, with_geometry
from ._base import Step, Variable, listed

CITATION = (
    "Brunsdon, C., Fotheringham, A. S. and Charlton, M. (1996). Geographically weighted regression: a method for "
    "exploring spatial nonstationarity. Geographical Analysis 28(4), 281-298; Fotheringham, A. S., Brunsdon, C. and "
    "Charlton, M. (2002). Geographically Weighted Regression. Wiley; da Silva, A. R. and Fotheringham, A. S. (2016). "
    "The multiple testing issue in geographically weighted regression. Geographical Analysis 48(3), 233-247."
)
MGWR_CITATION = (
    "Fotheringham, A. S., Yang, W. and Kang, W. (2017). Multiscale geographically weighted regression (MGWR). "
    "Annals of the AAG 107(6), 1247-1265; Yu, H. et al. (2019). Inference in multiscale geographically weighted "
    "regression. Geographical Analysis 52(1), 87-106."
)
TEXT = (
    "{model} of {y} on {x}: one weighted least-squares regression per region, {kernel} kernel, {bw}. A coefficient "
    "is significant in a region when its |t| exceeds the critical t at the da Silva-Fotheringham adjusted alpha "
    "(0.05 x k / ENP), which accounts for the many local tests; the maps and the GeoPackage layer hatch the other "
    "regions. Locations: {where}."
)


class GWRStep(Step):
    name = "gwr"

    def enabled(self, s):
        return s.models.gwr is not None

    def variables(self, s):
        g = s.models.gwr
        if g is None:
            return []
        return [Variable(("models", "gwr", "y"), g.y)] + listed(("models", "gwr", "x"), g.x)

    def run(self, ctx: Context) -> Section:
        import spatialcluster as sc

        g = ctx.settings.models.gwr
        x = list(g.x)
        kw = {"kernel": g.kernel, "fixed": g.fixed, "criterion": g.criterion}
        with ctx.progress.step("MGWR" if g.multiscale else "GWR"):
            if g.multiscale:
                res = sc.mgwr(ctx.data, y=g.y, x=x, standardize=True, **kw)
                bw = "bandwidths " + ", ".join(f"{k} {v:g}" for k, v in res.bandwidths.items()) + " (standardised variables)"
            else:
                bandwidth = None if g.bandwidth is None else (g.bandwidth if g.fixed else int(g.bandwidth))
                res = sc.gwr(ctx.data, y=g.y, x=x, bandwidth=bandwidth, **kw)
                bw = f"bandwidth {res.bandwidth:g} {'(distance)' if g.fixed else 'neighbours'}"
        frame = res.to_frame()
        frame.index = frame.index.astype(str)
        summary = res.coefficient_table()
        ctx.wr.table("gwr_local", frame)
        ctx.wr.table("gwr_summary", summary)
        ctx.wr.text("gwr_summary.txt", res.summary())
        ctx.layers["gwr"] = with_geometry(ctx.data, frame)
        ctx.styles["gwr"] = {"kind": "coefficient", "column": x[0], "fmt": "{:.3f}"}
        imgs = []
        if ctx.maps:
            for col in x:
                imgs.append(ctx.wr.figure(f"gwr_map_{col}", lambda ax, c=col: res.plot(
                    ax=ax, columns=[c], regions=ctx.data, titles=[f"Local coefficient of {title(ctx.notes, c)}"])))
        model = "MGWR" if g.multiscale else "GWR"
        text = TEXT.format(model=model, y=g.y, x=", ".join(x), kernel=f"{'fixed' if g.fixed else 'adaptive'} "
                           f"{g.kernel}", bw=bw, where=res.coords_note)
        cites = CITATION + ("; " + MGWR_CITATION if g.multiscale else "")
        return Section(f"Local coefficients ({model})", text + "\n\n" + cites,
                       tables=[(f"{model} local coefficients: distribution over regions", summary)],
                       images=imgs, log=res.summary())
