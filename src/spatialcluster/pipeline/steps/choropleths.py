"""Step: one choropleth map per ``[outputs] choropleths`` variable, and ``[outputs.panel_maps]``: panel
variables mapped period by period with one classification for all their periods, so the maps compare."""

from __future__ import annotations

import pandas as pd

from ..._errors import InputError
from ..context import Context, Section, title, variables_text
from ._base import Step, listed
from .dynamics import complete_periods

PANEL_TEXT = ("{var} in {periods} (panel table '{table}'): one classification ('{scheme}') of the values of all "
              "these periods, so a colour means the same value on each map.")


class ChoroplethsStep(Step):
    name = "choropleths"
    complete_cases = False  # a gap is drawn as "No data"

    def enabled(self, s):
        return s.outputs.maps and bool(s.outputs.choropleths or s.outputs.panel_maps)

    def variables(self, s):
        pm = s.outputs.panel_maps
        return listed(("outputs", "choropleths"), s.outputs.choropleths) + (
            listed(("outputs", "panel_maps", "columns"), pm.columns, pm.table) if pm else [])

    def run(self, ctx: Context) -> Section:
        import spatialcluster as sc

        out = ctx.settings.outputs
        imgs, texts = [], [variables_text(out.choropleths, ctx.notes)]
        regions = ctx.map_regions
        with ctx.progress.step("choropleth maps", total=len(out.choropleths)) as advance:
            for var in out.choropleths:
                imgs.append(ctx.wr.figure(f"choropleth_{var}", lambda ax, v=var: sc.plot.choropleth(
                    regions, v, scheme=out.scheme, k=out.classes, bins=out.bins, ax=ax, title=title(ctx.notes, v))))
                advance()
        if out.panel_maps:
            with ctx.progress.step("choropleth maps by period", total=len(out.panel_maps.columns)) as advance:
                for var in out.panel_maps.columns:
                    images, text = _panel_maps(ctx, out, var)
                    imgs += images
                    texts.append(text)
                    advance()
        return Section("Maps", "\n\n".join(t for t in texts if t), images=imgs)


def _panel_maps(ctx: Context, out, var: str) -> tuple[list, str]:
    """``var`` mapped in each period of ``[outputs.panel_maps]`` (default: its first and last periods with a value
    for every region), classified once over those periods: their bounds are the ``bins`` of every map."""
    import spatialcluster as sc
    from ...plot._classify import classify

    pm = out.panel_maps
    panel, id_name, time = ctx.panel(pm.table)
    periods = list(pm.periods) if pm.periods else _first_and_last_complete(panel, id_name, time, var, pm.table)
    known = {t: t for t in panel[time].unique()}  # the table's own values: TOML's 2005.0 is its 2005
    absent = [f"{p:g}" for p in periods if p not in known]
    if absent:
        raise InputError(f"[outputs.panel_maps] periods {', '.join(absent)} are not in panel table "
                         f"{pm.table!r} (its periods: {', '.join(map(str, sorted(known)))})")
    periods = [known[p] for p in periods]
    rows = panel[panel[time].isin(periods)]
    bins = out.bins or classify(pd.to_numeric(rows[var], errors="coerce"), scheme=out.scheme, k=out.classes).upper
    regions, imgs = ctx.map_regions, []
    for period in periods:
        part = rows[rows[time] == period]
        values = part.set_index(part[id_name].astype(str))[var]
        frame = regions.assign(**{var: pd.to_numeric(values.reindex(regions.index.astype(str)), errors="coerce")
                                  .to_numpy()})
        imgs.append(ctx.wr.figure(f"choropleth_{var}_{period}", lambda ax, f=frame, p=period: sc.plot.choropleth(
            f, var, bins=list(bins), ax=ax, title=f"{title(ctx.notes, var)}, {p}")))
    return imgs, PANEL_TEXT.format(var=var, periods=", ".join(map(str, periods)), table=pm.table, scheme=out.scheme)


def _first_and_last_complete(panel: pd.DataFrame, id_name: str, time: str, var: str, table: str) -> list:
    complete = complete_periods(panel, id_name, time, var)
    if not complete:
        raise InputError(f"[outputs.panel_maps] column {var!r} of panel table {table!r} has no period with a value "
                         "for every region: name the periods to map in [outputs.panel_maps] periods")
    return sorted({complete[0], complete[-1]})
