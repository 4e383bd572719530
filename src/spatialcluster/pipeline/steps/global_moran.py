"""Step: global Moran's I of each ``[statistics] global`` variable under every weights specification."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..context import Context, Section, title
from ._base import Step, listed

CITATION = ("Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. Biometrika 37, 17-23; "
            "Cliff, A. D. and Ord, J. K. (1981). Spatial Processes. Pion.")
TEXT = (
    "Global Moran's I for each variable under each weights specification, with inference under normality, "
    "under randomization (analytic) and by {perms} random permutations (seed {seed}): the pseudo p-value is "
    "(M + 1) / (R + 1) with M of the R permuted values at least as extreme, two-sided (twice the smaller tail). "
    "A pattern that holds under every weights specification does not hinge on the choice of neighbours."
)
COLUMNS = ("I", "expected", "z_norm", "p_norm", "z_rand", "p_rand", "p_sim")


class GlobalMoranStep(Step):
    name = "global_moran"

    def enabled(self, s):
        return bool(s.statistics.global_)

    def variables(self, s):
        return listed(("statistics", "global"), s.statistics.global_)

    def run(self, ctx: Context) -> Section:
        import spatialcluster as sc

        variables, perms = ctx.settings.statistics.global_, ctx.settings.statistics.permutations
        rows, imgs = [], []
        with ctx.progress.step(f"global Moran's I ({perms} permutations)", total=len(variables) * len(ctx.weights)) as advance:
            for var in variables:
                for wname, w in ctx.weights.items():
                    g = sc.moran(ctx.data, var, w, permutations=perms, seed=ctx.seed)
                    rows.append({"variable": var, "weights": wname, **{k: _num(getattr(g, k, np.nan)) for k in COLUMNS}})
                    if wname == ctx.primary and ctx.maps:
                        caption = f"Moran scatter plot: {title(ctx.notes, var)} ({wname} weights)"
                        imgs.append(ctx.wr.figure(f"moran_scatter_{var}",
                                                  lambda ax, g=g, t=caption: sc.plot.moran_scatter(g, ax=ax, title=t)))
                    advance()
        table = pd.DataFrame(rows).set_index(["variable", "weights"])
        ctx.wr.table("moran", table)
        return Section("Global spatial autocorrelation (Moran's I)",
                       TEXT.format(perms=perms, seed=ctx.seed) + "\n\n" + CITATION,
                       tables=[("Moran's I", table)], images=imgs)


def _num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return np.nan
