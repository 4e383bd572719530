"""Step: the ``[models.panel]`` spatial panel model on a panel table.

Static or dynamic (``dynamic``), fixed or random effects (``effects``), with the panel LM tests
(``lm_tests``) and the Hausman test of random against fixed effects (``hausman``) when asked. With
``with_static`` a dynamic model comes with its static counterpart (same y, x and effects), each in its
own section; the dynamic one's files then start ``panel_dynamic_``. Every
number is that of the API call the section names (:func:`sc.spillover_panel`,
:func:`sc.panel_lm_tests`, :func:`sc.panel_hausman`); the results' ``to_record()`` go to the manifest.
"""

from __future__ import annotations

import pandas as pd

from ..._errors import InputError
from ...models.panel_api import RANDOM_MODELS
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


TEXT = ("Spatial panel {model} of {y} on {x} in table {table} ({effects} effects), weights {w}; "
        "sc.spillover_panel{dynamic}.")
DYNAMIC_TEXT = (" Dynamic model: short-run effects (I - rho W)^-1 (beta I + theta W) act within the period, long-run "
                "effects ((1 - tau) I - (rho + eta) W)^-1 (beta I + theta W) once the change has worked through the lags "
                "of y; they exist only when the model is stable (every eigenvalue of (I - rho W)^-1 (tau I + eta W) "
                "inside (-1, 1)).")


class PanelModelStep(Step):
    name = "panel_model"

    def enabled(self, s):
        return s.models.panel is not None

    def variables(self, s):
        p = s.models.panel
        if p is None:
            return []
        return [Variable(("models", "panel", "y"), p.y, p.table)] + listed(("models", "panel", "x"), p.x, p.table)

    def run(self, ctx: Context) -> Section | list[Section]:
        spec = ctx.settings.models.panel
        panel, id_name, time = ctx.panel(spec.table)
        _require_balanced(panel, id_name, time, spec.table)
        data = dict(long_df=panel, y=spec.y, x=list(spec.x), w=ctx.w0, id=id_name, time=time)
        dynamic = None if spec.dynamic == "none" else spec.dynamic
        if not (dynamic and spec.with_static):
            return self._fit(ctx, spec, data, dynamic, spec.lm_tests, "", "")
        # the LM tests test the static model's residuals: they go with it
        return [self._fit(ctx, spec, data, None, spec.lm_tests, "_static", ": static"),
                self._fit(ctx, spec, data, dynamic, False, "", f": dynamic ({dynamic})", prefix="panel_dynamic_")]

    def _fit(self, ctx, spec, data, dynamic, lm_tests, record_suffix, title_suffix, prefix="panel_") -> Section:
        import spatialcluster as sc

        hausman = spec.hausman and not dynamic  # random against fixed effects: a static comparison
        what = f"{'dynamic (' + dynamic + ') ' if dynamic else ''}panel {spec.model.upper()} ({spec.effects} effects)"
        with ctx.progress.step(what):
            tables, record, logs = fit_panel(sc, data, spec.model, spec.effects, dynamic, spec.bias_correction,
                                             lm_tests, hausman, ctx.seed)
        tables = [(prefix + name.removeprefix("panel_"), caption, frame) for name, caption, frame in tables]
        for name, _, frame in tables:
            ctx.wr.table(name, frame)
        ctx.records[self.name + record_suffix] = record
        cites = [CITATION] + ([DYNAMIC_CITATION] if dynamic else []) + \
            ([RANDOM_CITATION] if spec.effects == "random" else []) + \
            ([TESTS_CITATION] if lm_tests or hausman else [])
        text = TEXT.format(model=spec.model.upper(), y=spec.y, x=", ".join(spec.x), table=spec.table,
                           effects=spec.effects, w=ctx.primary,
                           dynamic=f" with dynamic = {dynamic!r}" if dynamic else "") + (DYNAMIC_TEXT if dynamic else "")
        return Section("Panel spillover model" + title_suffix, "\n\n".join([text, *cites]),
                       tables=[(c, f) for _, c, f in tables], log="\n\n".join(logs))


def fit_panel(sc, data: dict, model: str, effects: str, dynamic: str | None, bias_correction: bool,
              lm_tests: bool, hausman_test: bool, seed: int) -> tuple[list, dict, list]:
    """The panel model and the tests asked for, as the pipeline step and the ``panel`` command give them.

    ``data`` holds the keywords ``long_df, y, x, w, id, time`` of :func:`sc.spillover_panel`. Returns
    ``(tables, record, logs)``: tables as ``(file name, caption, DataFrame)``, the results' ``to_record()``
    by part (``model``, ``lm_tests``, ``hausman``) and their ``summary()`` texts.
    """
    if hausman_test and (dynamic or model not in RANDOM_MODELS):
        raise InputError(f"the Hausman test compares static random- and fixed-effects panels of model='sar' or "
                         f"model='sem'; the model is {model!r}" + (f" with dynamic={dynamic!r}" if dynamic else ""))
    res = sc.spillover_panel(**data, model=model, effects=effects, dynamic=dynamic,
                             bias_correction=bias_correction, seed=seed)
    record = {"model": {**res.to_record(), "effects": effects, "dynamic": dynamic or "none"}}
    tables = [(f"panel_{model}", "Coefficients", result_frame(res))]
    logs = [res.summary()]
    if dynamic:
        record["model"]["stability"] = res.extra["stability"]
        tables += [
            (f"panel_effects_short_{model}", "Short-run direct, indirect and total effects", res.effects_short),
            (f"panel_effects_long_{model}", "Long-run direct, indirect and total effects", res.effects_long),
            (f"panel_stability_{model}", "Stability: the eigenvalues of S^-1 (tau I + eta W) must lie inside (-1, 1)",
             pd.DataFrame([res.extra["stability"]], index=pd.Index([model], name="model"))),
        ]
    elif res.effects is not None and len(res.effects):
        tables.append((f"panel_effects_{model}", "Effects", res.effects))
    if lm_tests:
        lm = sc.panel_lm_tests(**data, effects=lm_effects(effects))
        record["lm_tests"] = lm.to_record()
        tables.append(("panel_lm_tests", f"Panel LM tests ({lm.effects} effects)", lm.to_frame()))
        logs.append(lm.summary())
    if hausman_test:
        h = hausman(sc, data, model, res, seed)
        record["hausman"] = h.to_record()
        tables += [("panel_hausman_test", "Hausman test",
                    pd.DataFrame([h.to_record()], index=pd.Index(["hausman"], name="test"))),
                   ("panel_hausman", "Hausman test: fixed and random effects estimates", h.to_frame())]
        logs.append(h.summary())
    return tables, record, logs


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
            f"{_names([f'{r} {t}' for r, t in zip(absent[id], absent[time])])}. Set [data] missing = \"drop-region\" "
            "(drops those regions everywhere) or \"drop-period\" (drops those periods from the panel), "
            "or fill the rows.")
