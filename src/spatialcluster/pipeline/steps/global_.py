"""Step: a global statistic (Moran's I, ...) of each listed variable under every weights specification.

One :class:`GlobalStep` serves every global statistic; a :class:`GlobalSpec` says which function
computes it, which config key lists its variables, which of its numbers the table keeps and how
the report describes it. All variables and weights go into one table, one row each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..context import Context, Section, title
from ._base import Step, listed


@dataclass(frozen=True)
class GlobalSpec:
    """What distinguishes one global statistic in the pipeline."""

    key: str  # the table: tables/{key}.csv
    field: str  # the [statistics] key that lists its variables
    label: str  # the progress line and the table's caption
    title: str  # the report section's title
    text: str  # the report's explanation; formatted with perms and seed
    citation: str
    columns: tuple  # the result's attributes kept in the table
    compute: Callable  # spatialcluster -> f(data, column, w, permutations=, seed=)
    scatter: Callable | None = None  # spatialcluster -> f(result, ax=, title=), drawn for the primary weights


class GlobalStep(Step):
    def __init__(self, spec: GlobalSpec):
        self.spec = spec
        self.name = f"global_{spec.key}"

    def _names(self, s) -> tuple:
        return getattr(s.statistics, self.spec.field)

    def enabled(self, s):
        return bool(self._names(s))

    def variables(self, s):
        return listed(("statistics", self.spec.field.rstrip("_")), self._names(s))

    def run(self, ctx: Context) -> Section:
        import spatialcluster as sc

        spec, perms = self.spec, ctx.settings.statistics.permutations
        variables, func = self._names(ctx.settings), spec.compute(sc)
        draw = spec.scatter(sc) if spec.scatter and ctx.maps else None
        rows, imgs = [], []
        total = len(variables) * len(ctx.weights)
        with ctx.progress.step(f"global {spec.label} ({perms} permutations)", total=total) as advance:
            for var in variables:
                for wname, w in ctx.weights.items():
                    g = func(ctx.data, var, w, permutations=perms, seed=ctx.seed)
                    rows.append({"variable": var, "weights": wname, **{k: _num(getattr(g, k, np.nan)) for k in spec.columns}})
                    if wname == ctx.primary and draw is not None:
                        caption = f"{spec.key.capitalize()} scatter plot: {title(ctx.notes, var)} ({wname} weights)"
                        imgs.append(ctx.wr.figure(f"{spec.key}_scatter_{var}",
                                                  lambda ax, g=g, t=caption: draw(g, ax=ax, title=t)))
                    advance()
        table = pd.DataFrame(rows).set_index(["variable", "weights"])
        ctx.wr.table(spec.key, table)
        return Section(spec.title, spec.text.format(perms=perms, seed=ctx.seed) + "\n\n" + spec.citation,
                       tables=[(spec.label, table)], images=imgs)


#: What every global statistic reports besides its value: the analytic and permutation inference.
INFERENCE = ("expected", "z_norm", "p_norm", "z_rand", "p_rand", "p_sim")
CLIFF_ORD = "Cliff, A. D. and Ord, J. K. (1981). Spatial Processes. Pion."


def _num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return np.nan


MORAN = GlobalSpec(
    key="moran", field="global_", label="Moran's I", title="Global spatial autocorrelation (Moran's I)",
    text="Global Moran's I for each variable under each weights specification, with inference under normality, "
         "under randomization (analytic) and by {perms} random permutations (seed {seed}): the pseudo p-value is "
         "(M + 1) / (R + 1) with M of the R permuted values at least as extreme, two-sided (twice the smaller tail). "
         "A pattern that holds under every weights specification does not hinge on the choice of neighbours.",
    citation="Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. Biometrika 37, 17-23; " + CLIFF_ORD,
    columns=("I", *INFERENCE),
    compute=lambda sc: sc.moran, scatter=lambda sc: sc.plot.moran_scatter,
)
