"""Step: ``[data] missing``: one rule for the gaps in every variable the other steps read.

:func:`sc.handle_missing` applies the rule to the joined cross-section (a cross-section has no
periods: under ``"drop-period"`` its gaps stop the run, named) and to each panel table. A region
dropped anywhere is dropped everywhere, so that every step analyses the same regions; periods
are dropped from their panel only. A panel region-period without a row is a gap too: under a
drop rule :func:`sc.balance_panel` removes its region or period (its report goes to the manifest
as ``missing.<table>.balance``). What was dropped goes to the manifest and the report.
"""

from __future__ import annotations

import pandas as pd

from ..context import Context, Section
from ._base import Step

#: ``[data] missing`` -> how :func:`sc.balance_panel` treats region-periods without a row.
BALANCE = {"drop-region": "regions", "drop-period": "periods"}


def absent_rows(panel: pd.DataFrame, id: str, time: str) -> pd.DataFrame:
    """The region-periods of a long panel that have no row (its regions times its periods)."""
    full = pd.MultiIndex.from_product([panel[id].astype(str).unique(), sorted(panel[time].unique())], names=[id, time])
    have = pd.MultiIndex.from_arrays([panel[id].astype(str), panel[time]])
    return full.difference(have).to_frame(index=False)


TEXT = ("Rule for missing values: missing = \"{rule}\" (sc.handle_missing). A region with a gap is left out of every "
        "statistic, model, table and layer (the maps draw it as no data); a period with a gap is left out of its panel.")


class MissingStep(Step):
    name = "missing"

    def __init__(self, steps):
        self.steps = steps  # the steps whose variables the rule covers

    def enabled(self, s):
        return s.data is not None

    def run(self, ctx: Context) -> Section:
        import spatialcluster as sc

        rule = ctx.settings.data.missing
        wanted: dict[str | None, list] = {}
        for var in (v for step in self.steps if step.complete_cases for v in step.variables(ctx.settings)):
            wanted.setdefault(var.table, [])
            if var.name not in wanted[var.table]:
                wanted[var.table].append(var.name)
        logs, regions = [], []
        with ctx.progress.step(f"missing values ({rule})"):
            for table, columns in wanted.items():
                if table is None:
                    _, report = sc.handle_missing(ctx.data, columns, missing="error" if rule == "drop-period" else rule)
                else:
                    panel, id_name, time = ctx.panel(table)
                    frame, report = sc.handle_missing(panel, columns, id=id_name, time=time, missing=rule)
                    ctx.panels[table] = frame.reset_index(drop=True)
                name = "regions" if table is None else table
                ctx.missing[name] = report.to_record()
                regions += [r for r in report.dropped_regions if r not in regions]
                logs.append(f"[{name}] {report.summary()}")
                if table is not None and rule != "error" and len(absent_rows(*ctx.panel(table))):
                    balanced = sc.balance_panel(ctx.panels[table], id=id_name, time=time, columns=columns,
                                                how=BALANCE[rule])
                    ctx.panels[table] = balanced.data
                    ctx.missing[name]["balance"] = balanced.to_record()
                    regions += [r for r in balanced.dropped_regions if r not in regions]
                    logs.append(f"[{name}] rows absent: {balanced.summary()}")
        regions = [r for r in regions if r in ctx.data.index]  # a panel may hold regions the cross-section lacks
        if regions:
            ctx.drop_regions(regions, f'missing = "{rule}"', "drop regions with missing values")
        return Section("Missing values", TEXT.format(rule=rule), log="\n".join(logs))
