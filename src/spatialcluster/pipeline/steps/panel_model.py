"""Step: the ``[models.panel]`` spatial panel model on a panel table.

Static or dynamic (``dynamic``), fixed or random effects (``effects``), with the panel LM tests
(``lm_tests``) and the Hausman test of random against fixed effects (``hausman``) when asked. Every
number is that of the API call the section names (:func:`sc.spillover_panel`,
:func:`sc.panel_lm_tests`, :func:`sc.panel_hausman`); the results' ``to_record()`` go to the manifest.
"""

from __future__ import annotations

import pandas as pd

from ..._errors import InputError
from ..context import Context, Section, result_frame
from ._base import Step, Variable, listed
from .missing import absent_rows

CITATION = ("Elhorst, J. P. (2014). Spatial Econometrics: From Cross-Sectional Data to Spatial Panels. Springer; "
            "Lee, L.-f. and Yu, J. (2010). Journal of Econometrics 154(2), 165-185.")
DYNAMIC_CITATION = ("Yu, J., de Jong, R. and Lee, L.-f. (2008). Journal of Econometrics 146, 118-134; "
                    "Debarsy, N., Ertur, C. and LeSage, J. P. (2012). Statistical Methodology 9, 158-171.")
RANDOM_CITATION = "Elhorst, J. P. (2003). International Regional Science Review 26(3), 244-268."
TESTS_CITATION = ("Anselin, L., Le Gallo, J. and Jayet, H. (2008). Spatial panel econometrics, in Matyas and Sevestre "
                  "(eds.), The Econometrics of Panel Data, Springer; Hausman, J. A. (1978). Econometrica 46, 1251-1271.")


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
        _require_balanced(panel, id_name, time, spec.table)
        data = dict(long_df=panel, y=spec.y, x=list(spec.x), w=ctx.w0, id=id_name, time=time)
        dynamic = None if spec.dynamic == "none" else spec.dynamic
        what = f"{'dynamic (' + dynamic + ') ' if dynamic else ''}panel {spec.model.upper()} ({spec.effects} effects)"
        tabs, logs, record, cites = [], [], {}, [CITATION]
        with ctx.progress.step(what):
            res = sc.spillover_panel(**data, model=spec.model, effects=spec.effects, dynamic=dynamic,
                                     bias_correction=spec.bias_correction, seed=ctx.seed)
            record["model"] = {**res.to_record(), "effects": spec.effects, "dynamic": spec.dynamic}
            tabs.append(("Coefficients", self._table(ctx, f"panel_{spec.model}", result_frame(res))))
            if dynamic:
                cites.append(DYNAMIC_CITATION)
                stability = pd.DataFrame([res.extra["stability"]], index=pd.Index([spec.model], name="model"))
                record["model"]["stability"] = res.extra["stability"]
                tabs += [("Short-run direct, indirect and total effects",
                          self._table(ctx, f"panel_effects_short_{spec.model}", res.effects_short)),
                         ("Long-run direct, indirect and total effects",
                          self._table(ctx, f"panel_effects_long_{spec.model}", res.effects_long)),
                         ("Stability: eigenvalues of S^-1 (tau I + eta W) must lie inside (-1, 1)",
                          self._table(ctx, f"panel_stability_{spec.model}", stability))]
            elif res.effects is not None and len(res.effects):
                tabs.append(("Effects", self._table(ctx, f"panel_effects_{spec.model}", res.effects)))
            if spec.effects == "random":
                cites.append(RANDOM_CITATION)
            logs.append(res.summary())
        if spec.lm_tests:
            with ctx.progress.step("panel LM tests"):
                lm = sc.panel_lm_tests(**data, effects=lm_effects(spec.effects))
                record["lm_tests"] = lm.to_record()
                tabs.append((f"Panel LM tests ({lm.effects} effects)", self._table(ctx, "panel_lm_tests", lm.to_frame())))
                logs.append(lm.summary())
        if spec.hausman:
            with ctx.progress.step("Hausman test (random against fixed effects)"):
                h = hausman(sc, data, spec.model, res, ctx.seed)
                record["hausman"] = h.to_record()
                head = pd.DataFrame([h.to_record()], index=pd.Index(["hausman"], name="test"))
                tabs += [("Hausman test", self._table(ctx, "panel_hausman_test", head)),
                         ("Hausman test: fixed and random effects estimates",
                          self._table(ctx, "panel_hausman", h.to_frame()))]
                logs.append(h.summary())
        if spec.lm_tests or spec.hausman:
            cites.append(TESTS_CITATION)
        ctx.records[self.name] = record
        return Section("Panel spillover model", "\n\n".join(cites), tables=tabs, log="\n\n".join(logs))

    @staticmethod
    def _table(ctx: Context, name: str, frame: pd.DataFrame) -> pd.DataFrame:
        ctx.wr.table(name, frame)
        return frame


def lm_effects(effects: str) -> str:
    """The fixed effects the LM tests remove: the model's, or none (pooled OLS) under random effects."""
    return "none" if effects == "random" else effects


def hausman(sc, data: dict, model: str, fitted, seed: int):
    """:func:`sc.panel_hausman` of region fixed effects (ML without bias correction, as the test assumes)
    against random effects, reusing ``fitted`` when it is one of the two."""
    fits = {}
    effects = fitted.extra.get("effects")
    if effects == "random" or effects == "region" and not fitted.extra.get("bias_correction"):
        fits[effects] = fitted
    for effects in ("region", "random"):
        if effects not in fits:
            kw = {"bias_correction": False} if effects == "region" else {}
            fits[effects] = sc.spillover_panel(**data, model=model, effects=effects, seed=seed, **kw)
    return sc.panel_hausman(fits["region"], fits["random"])


def _require_balanced(panel: pd.DataFrame, id: str, time: str, table: str) -> None:
    """Refuse a panel with region-periods that have no row, naming them and the config's fix."""
    from ..._validate import _names

    absent = absent_rows(panel, id, time)
    if len(absent):
        raise InputError(
            f"panel table {table!r} is unbalanced: {len(absent)} region-period(s) have no row: "
            f"{_names([f'{r} {t}' for r, t in zip(absent[id], absent[time])])}. Add [data] missing = \"drop-region\" "
            "(drops those regions everywhere) or \"drop-period\" (drops those periods from the panel), "
            "or fill the rows.")
