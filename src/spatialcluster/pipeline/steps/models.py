"""Step: model selection and the cross-section spillover models, with their effects under every weights."""

from __future__ import annotations

import pandas as pd

from ..context import Context, Section, result_frame, title
from ..writer import markdown_table
from ._base import Step, Variable, listed

#: The effects columns shown in the log and compared across weights (a selection of
#: ``models.effects.EFFECT_COLUMNS``), each effect next to its p-value.
HEADLINE_EFFECTS = tuple(f"{effect}{stat}" for effect in ("direct", "indirect", "total") for stat in ("", "_p"))

CITATION = (
    "Anselin, L. (1988). Spatial Econometrics: Methods and Models. Kluwer; Anselin, L., Bera, A. K., "
    "Florax, R. and Yoon, M. J. (1996). Regional Science and Urban Economics 26, 77-104; "
    "Elhorst, J. P. (2010). Applied spatial econometrics: raising the bar. Spatial Economic Analysis 5(1), 9-28."
    "\n\nLeSage, J. and Pace, R. K. (2009). Introduction to Spatial Econometrics. CRC Press, ch. 2.7 and 5.6."
)
TEXT = (
    "Dependent variable {y}; explanatory variables {x}; weights {w}. Model selection starts from OLS with the LM tests "
    "(and their robust forms), then tests the spatial Durbin model against its restrictions (SAR, SEM, SLX) by likelihood "
    "ratio. Effects of the Durbin model are the LeSage-Pace direct (mean diagonal of S_r(W)), indirect and total effects, "
    "with standard errors from simulating the estimator's asymptotic distribution. With several weights "
    "specifications, the last table repeats the effects under each of them: a spillover that changes sign or "
    "significance with the weights is not a robust finding."
)
ROBUSTNESS_TEXT = (
    "Robustness tables (robustness = true): each model under every weights specification, one column per weights, "
    "with its coefficients, rho or lambda, direct, indirect and total effects, log-likelihood and AIC "
    "(sc.spillover_by_weights; tables robustness_<model>.csv, _journal.md and .tex)."
)


def headline_effects(effects: pd.DataFrame) -> pd.DataFrame:
    """The :data:`HEADLINE_EFFECTS` columns of an effects table (all columns if it has none of them)."""
    shown = [col for col in HEADLINE_EFFECTS if col in effects.columns] or list(effects.columns)
    return effects[shown]


class ModelsStep(Step):
    name = "models"

    def enabled(self, s):
        return bool(s.models.y and (s.models.selection or s.models.cross_section))

    def variables(self, s):
        y = [Variable(("models", "y"), s.models.y)] if s.models.y else []
        return y + listed(("models", "x"), s.models.x)

    def run(self, ctx: Context) -> Section:
        import spatialcluster as sc

        models = ctx.settings.models
        y, x = models.y, list(models.x)
        tabs, imgs, logs, fitted = [], [], [], {}
        if models.selection:
            with ctx.progress.step("model selection"):
                sel = sc.select_model(ctx.data, y=y, x=x, w=ctx.w0)
                ctx.wr.table("model_selection", sel.tests)
                log = "\n".join(sel.log)  # a list of sentences (ModelSelection.log)
                ctx.wr.text("model_selection_log.txt", log)
                tabs.append(("Specification tests", sel.tests))
                logs.append(f"Recommended model: {sel.recommended}\n{log}")
                ctx.progress.info(f"recommended model: {sel.recommended}\n{log}")
        for model in models.cross_section:
            with ctx.progress.step(f"{model.upper()} model"):
                res = fitted[model] = sc.spillover(ctx.data, y=y, x=x, w=ctx.w0, model=model, seed=ctx.seed)
                coef = result_frame(res)
                ctx.wr.table(f"model_{model}", coef)
                ctx.wr.text(f"model_{model}_journal.md", res.to_markdown())
                tabs.append((f"{model.upper()} coefficients", coef))
                eff = res.effects
                if eff is not None and len(eff):
                    ctx.wr.table(f"effects_{model}", eff)
                    ctx.progress.info(f"{model.upper()} effects on {y}:\n" + markdown_table(headline_effects(eff)))
                    tabs.append((f"{model.upper()} direct, indirect and total effects", eff))
                    if ctx.maps:
                        imgs.append(ctx.wr.figure(f"effects_{model}", lambda ax, r=res, m=model: sc.plot.effects_plot(
                            r, ax=ax, title=f"{m.upper()}: direct, indirect and total effects on {title(ctx.notes, y)}")))
                logs.append(res.summary())
        across = _across_weights(ctx, y, x, fitted)
        robust = _effects_across_weights(across)
        if robust is not None:
            ctx.wr.table("effects_by_weights", robust)
            tabs.append(("Effects under every weights specification (robustness)", robust))
        if models.robustness:
            for model, rob in across.items():
                ctx.wr.table(f"robustness_{model}", rob.to_frame())
                ctx.wr.text(f"robustness_{model}_journal.md", rob.to_markdown())
                ctx.wr.text(f"robustness_{model}.tex", rob.to_latex())
                tabs.append((f"{model.upper()} under every weights specification", rob.display()))
            ctx.records[self.name] = {"robustness": {model: rob.to_record() for model, rob in across.items()}}
        text = TEXT.format(y=y, x=", ".join(x), w=ctx.primary)
        text += (" " + ROBUSTNESS_TEXT if models.robustness else "") + "\n\n" + CITATION
        return Section("Spillover models", text, tables=tabs, images=imgs, log="\n\n".join(logs))


def _across_weights(ctx: Context, y: str, x: list, fitted: dict) -> dict:
    """Each spatial model under every weights specification: model -> ``WeightsRobustness``, the
    primary weights' fit reused and :func:`sc.spillover_by_weights` on the others."""
    import spatialcluster as sc
    from ...models.robustness import WeightsRobustness

    models = [m for m in fitted if m != "ols"]
    if len(ctx.weights) < 2 or not models:
        return {}
    others = {name: w for name, w in ctx.weights.items() if name != ctx.primary}
    out = {}
    with ctx.progress.step("effects under every weights specification", total=len(models)) as advance:
        for model in models:
            rest = sc.spillover_by_weights(ctx.data, y, x, others, model=model, seed=ctx.seed)
            out[model] = WeightsRobustness({ctx.primary: fitted[model], **rest.results})
            advance()
    return out


def _effects_across_weights(across: dict) -> pd.DataFrame | None:
    """The models' effects under each weights specification, one row per (model, variable, weights)."""
    frames = [headline_effects(r.effects).rename_axis("variable").reset_index().assign(model=model, weights=wname)
              for model, rob in across.items() for wname, r in rob.results.items()
              if r.effects is not None and len(r.effects)]
    if not frames:
        return None
    return pd.concat(frames, ignore_index=True).set_index(["model", "variable", "weights"])
