"""Step: the ``[models.panel]`` spatial panel model on a panel table."""

from __future__ import annotations

from ..context import Context, Section, result_frame
from ._base import Step, Variable, listed

CITATION = ("Elhorst, J. P. (2014). Spatial Econometrics: From Cross-Sectional Data to Spatial Panels. Springer; "
            "Lee, L.-f. and Yu, J. (2010). Journal of Econometrics 154(2), 165-185.")


class PanelModelStep(Step):
    name = "panel_model"

    def enabled(self, s):
        return s.models.panel is not None

    def variables(self, s):
        p = s.models.panel
        if p is None:
            return []
        return [Variable(("models", "panel", "y"), p.y, p.table)] + listed(("models", "panel", "x"), p.x, p.table)

    def run(self, ctx: Context) -> Section:
        import spatialcluster as sc

        spec = ctx.settings.models.panel
        panel, id_name, time = ctx.panel(spec.table)
        with ctx.progress.step(f"panel {spec.model.upper()} ({spec.effects} effects)"):
            res = sc.spillover_panel(panel, y=spec.y, x=list(spec.x), w=ctx.w0, id=id_name, time=time,
                                     model=spec.model, effects=spec.effects, seed=ctx.seed)
            coef = result_frame(res)
            ctx.wr.table(f"panel_{spec.model}", coef)
            tabs = [("Coefficients", coef)]
            if res.effects is not None and len(res.effects):
                ctx.wr.table(f"panel_effects_{spec.model}", res.effects)
                tabs.append(("Effects", res.effects))
        return Section("Panel spillover model", CITATION, tables=tabs, log=res.summary())
