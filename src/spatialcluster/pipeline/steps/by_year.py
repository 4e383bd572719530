"""Step: Moran's I and LISA for every year of a panel table, with the LISA label transitions."""

from __future__ import annotations

import pandas as pd

from ..._errors import InputError
from ..context import Context, Section, result_frame
from ._base import Step, listed

TEXT = "Moran's I for each year and LISA labels per year with the transitions between consecutive years."


class ByYearStep(Step):
    name = "by_year"

    def enabled(self, s):
        return s.statistics.by_year is not None

    def variables(self, s):
        by = s.statistics.by_year
        return listed(("statistics", "by_year", "columns"), by.columns, by.table) if by else []

    def run(self, ctx: Context) -> list[Section]:
        import spatialcluster as sc

        stats = ctx.settings.statistics
        by = stats.by_year
        panel, id_name, time = ctx.panel(by.table)
        sections = []
        with ctx.progress.step("Moran's I and LISA by year", total=len(by.columns)) as advance:
            for var in by.columns:
                _check_panel_years(panel, var, id_name, time, by.table)
                kw = dict(id=id_name, time=time, permutations=stats.permutations, seed=ctx.seed)
                moran = sc.moran_by_year(panel, var, ctx.w0, **kw)
                lisa = sc.lisa_by_year(panel, var, ctx.w0, alpha=stats.alpha, correction=stats.correction, **kw)
                mframe, transitions = result_frame(moran), lisa.transitions()
                ctx.wr.table(f"moran_by_year_{var}", mframe)
                ctx.wr.table(f"lisa_by_year_{var}", result_frame(lisa))
                ctx.wr.table(f"lisa_transitions_{var}", transitions)
                imgs = [ctx.wr.figure(f"moran_by_year_{var}", lambda ax, r=moran: r.plot(ax=ax))] if ctx.maps else []
                sections.append(Section(f"Clusters by year: {var}", TEXT, images=imgs, log=lisa.summary(), tables=[
                    (f"Moran's I by year: {var}", mframe), (f"LISA transitions: {var}", transitions)]))
                advance()
        return sections


def _check_panel_years(panel: pd.DataFrame, column: str, id_name: str, time: str, table: str) -> None:
    """Name the years (and regions) without values before any statistic runs."""
    values = pd.to_numeric(panel[column], errors="coerce")
    missing = panel.loc[values.isna(), [id_name, time]]
    if missing.empty:
        return
    n_regions = panel[id_name].nunique()
    per_year = missing.groupby(time)[id_name].apply(list)
    empty = [str(y) for y, ids in per_year.items() if len(ids) == n_regions]
    some = {str(y): ids for y, ids in per_year.items() if len(ids) < n_regions}
    parts = []
    if empty:
        parts.append(f"no value at all in year(s) {', '.join(empty)}")
    if some:
        parts.append("; ".join(f"{y}: missing for {', '.join(map(str, ids[:10]))}{' ...' if len(ids) > 10 else ''}"
                               for y, ids in list(some.items())[:10]))
    raise InputError(
        f"panel table {table!r}, column {column!r}: {'; '.join(parts)}. Statistics by year need every region in every "
        "year: remove those years (or regions) from the table, or fill them from a sourced value; or let the "
        "config drop them: [data] missing = \"drop-region\" or \"drop-period\"."
    )
