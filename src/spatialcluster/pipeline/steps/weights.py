"""Step: build every ``[[weights]]`` specification, drop islands if asked, and summarise them."""

from __future__ import annotations

import pandas as pd

from ..config import resolve_path
from ..context import Context, Section
from ..manifest import summary_dict
from ._base import Step


class WeightsStep(Step):
    name = "weights"

    def enabled(self, s):
        return bool(s.weights)

    def run(self, ctx: Context) -> Section:
        import spatialcluster as sc

        from ...weights import build_info

        specs = ctx.settings.weights
        while True:  # until no weights drop an island (dropping one may leave another without neighbours)
            for spec in specs:
                with ctx.progress.step(f"build weights {spec.name}"):
                    ctx.weights[spec.name] = _build(sc, ctx, spec)
            dropped = [i for w in ctx.weights.values() for i in build_info(w).dropped]
            if not dropped:
                break
            ctx.dropped.update(ctx.drop_regions(list(dict.fromkeys(dropped)), 'islands = "drop"', "drop islands"))
        texts = []
        for spec in specs:
            with ctx.progress.step(f"summarise weights {spec.name}"):
                summary = sc.weights_summary(ctx.weights[spec.name], ctx.data)
                ctx.weights_summaries[spec.name] = summary_dict(summary)
                if summary.crs_reason:
                    ctx.weights_summaries[spec.name]["distances"] = summary.crs_reason
                texts.append(f"[{spec.name}]\n{summary.summary()}")
                ctx.progress.info(texts[-1])
        # one column per specification, statistics as rows in the summary's own order
        table = pd.DataFrame.from_dict(ctx.weights_summaries, orient="index").T.drop(index=["crs"], errors="ignore")
        table.index.name = "statistic"
        ctx.wr.table("weights_summary", table)
        dropped = (f"\n\nIslands left out of every statistic and model (islands = \"drop\"): {', '.join(ctx.dropped.values())}; "
                   "the maps draw them as no data." if ctx.dropped else "")
        return Section(
            "Spatial weights",
            f"One column per weights specification; the first ({ctx.primary}) is used for the local statistics, "
            "the maps and the models, the others check that global results do not hinge on the choice of weights." + dropped,
            tables=[("Weights summary", table)], log="\n\n".join(texts),
        )


def _build(sc, ctx: Context, spec):
    params = {k: getattr(spec, k) for k in ("k", "threshold", "power", "bandwidth", "function") if getattr(spec, k) is not None}
    if spec.path:  # weights (kind "matrix") or distances (distance kinds), keyed by region ids
        table = sc.read_table(resolve_path(spec.path, ctx.cfg.base))
        matrix = table.set_index(table.columns[0])
        matrix.index = matrix.index.astype(str)
        matrix.columns = matrix.columns.astype(str)
        params["matrix"] = matrix
    return sc.build_weights(ctx.data, kind=spec.kind, islands=spec.islands, transform=spec.transform, **params)
