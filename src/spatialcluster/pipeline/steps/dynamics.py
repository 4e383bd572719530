"""Step: change over time on a panel table (``[dynamics]``): Markov chains, convergence, disparity and
emerging hot spots of each listed variable, with the primary weights.

Methods the panel is too short for (trend tests need 3 periods) are skipped and the report says so.
With ``complete_run`` each variable keeps its own longest run of consecutive periods in which every
region has a value, so one table can hold variables with different coverage.
"""

from __future__ import annotations

import warnings

import pandas as pd

from ..._errors import InputError, SpatialClusterWarning
from ..context import Context, Section, result_frame, title, with_geometry
from ._base import Step, Variable, listed

TEXT = (
    "Change over time of {var} on the panel table '{table}' ({periods}), with the {w} weights. Markov chains of "
    "{k} classes ('{classes}'), conditioned on the neighbours' class (spatial Markov, Bickenbach-Bode homogeneity "
    "tests) and of LISA quadrants; sigma convergence (dispersion by period with its trend); beta convergence "
    "({model}: log growth on the log initial level, speed -ln(1 + beta)/T, half-life ln 2 / speed); Dagum's Gini "
    "decomposition by '{group}'; and emerging hot spots (Gi* per period with {perms} permutations, Mann-Kendall "
    "trend of z, ArcGIS's categories)."
)
CITATION = ("Rey, S. J. (2001). Geographical Analysis 33(3), 195-214; Bickenbach, F. and Bode, E. (2003). International "
            "Regional Science Review 26(3), 363-392; Barro, R. J. and Sala-i-Martin, X. (1992). Journal of Political "
            "Economy 100(2), 223-251; Dagum, C. (1997). Empirical Economics 22(4), 515-531; Esri, How Emerging Hot Spot "
            "Analysis works (ArcGIS Pro).")


class DynamicsStep(Step):
    name = "dynamics"

    def enabled(self, s):
        return getattr(s, "dynamics", None) is not None

    def variables(self, s):
        d = getattr(s, "dynamics", None)
        if d is None:
            return []
        out = listed(("dynamics", "columns"), d.columns, d.table)
        if d.group:
            out.append(Variable(("dynamics", "group"), d.group))
        return out

    def run(self, ctx: Context) -> list[Section]:
        d = ctx.settings.dynamics
        panel, id_name, time = ctx.panel(d.table)
        if d.periods:
            panel = panel[panel[time].isin(d.periods)]
        sections = []
        with ctx.progress.step("change over time", total=len(d.columns)) as advance:
            for var in d.columns:
                frame, notes = panel, []
                if d.complete_run:
                    frame, note = complete_run(panel, id_name, time, var, d.table)
                    notes.append(note)
                sections.append(_variable(ctx, d, frame, id_name, time, var, notes))
                advance()
        return sections


def complete_periods(panel: pd.DataFrame, id_name: str, time: str, var: str) -> list:
    """The periods of a long panel in which every region of the panel has a value of ``var``."""
    values = pd.to_numeric(panel[var], errors="coerce")
    filled = values.notna().groupby(panel[time]).sum()
    regions = panel[id_name].nunique()
    return sorted(t for t, n in filled.items() if n == regions)


def complete_run(panel: pd.DataFrame, id_name: str, time: str, var: str, table: str) -> tuple[pd.DataFrame, str]:
    """The panel cut to the longest run of consecutive periods (of the table's periods) in which every
    region has a value of ``var`` (the latest run on a tie), and a sentence saying what was kept."""
    periods = sorted(panel[time].unique())
    complete = set(complete_periods(panel, id_name, time, var))
    best, run = [], []
    for t in periods:
        run = run + [t] if t in complete else []
        if len(run) >= len(best):
            best = run
    if len(best) < 2:
        raise InputError(
            f"[dynamics] complete_run: column {var!r} of panel table {table!r} has no two consecutive periods with a "
            f"value for every region (complete periods: {', '.join(map(str, sorted(complete))) or 'none'}). Fill the "
            "gaps from a sourced value, or set complete_run = false to drop the regions with gaps instead.")
    left = [t for t in periods if t not in best]
    note = (f"{var}: periods {best[0]}-{best[-1]}, the longest run of consecutive periods with a value for all "
            f"{panel[id_name].nunique()} regions" + (f" (left out: {', '.join(map(str, left))})." if left else "."))
    return panel[panel[time].isin(best)], note


def _variable(ctx, d, panel, id_name, time, var, notes) -> Section:
    import spatialcluster as sc

    frame = panel[[id_name, time, var]].copy()
    frame[id_name] = frame[id_name].astype(str)
    w, perms, seed = ctx.w0, ctx.settings.statistics.permutations, ctx.seed
    tabs, imgs, logs = [], [], []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SpatialClusterWarning)
        mk = sc.markov(frame, var, id=id_name, time=time, k=d.k, classes=d.classes, balance=d.balance)
    notes += [str(c.message) for c in caught]
    keep = frame[id_name].isin(mk.classes.index)
    frame = frame[keep]
    n_periods = frame[time].nunique()
    kw = dict(id=id_name, time=time)
    tabs.append((f"Markov transition probabilities ({d.k} classes, '{d.classes}')", mk.p.round(4)))
    logs.append(mk.summary())
    ctx.wr.table(f"markov_{var}", mk.p)
    if ctx.maps:
        imgs.append(ctx.wr.figure(f"markov_{var}", lambda ax, r=mk: r.plot(ax=ax)))
    wsub = w.subgraph(list(mk.classes.index)) if len(mk.classes) < len(w.unique_ids) else w
    smk = sc.spatial_markov(frame, var, wsub, k=d.k, m=d.k, classes=d.classes, **kw)
    ctx.wr.table(f"spatial_markov_tests_{var}", smk.row_tests)
    tabs.append(("Spatial Markov: homogeneity of the chains across neighbour classes",
                 smk.homogeneity.to_frame("value").T))
    logs.append(smk.summary())
    lmk = sc.lisa_markov(frame, var, wsub, **kw)
    ctx.wr.table(f"lisa_markov_{var}", lmk.transitions)
    tabs.append(("LISA Markov transitions", lmk.transitions))
    cv = sc.convergence(frame, var, model=d.model, w=None if d.model == "ols" else wsub, **kw)
    ctx.wr.table(f"beta_convergence_{var}", cv.to_frame())
    tabs.append((f"Beta convergence ({d.model})", cv.to_frame()))
    logs.append(cv.summary())
    if ctx.maps:
        imgs.append(ctx.wr.figure(f"beta_convergence_{var}", lambda ax, r=cv: r.plot(ax=ax)))
    kde = sc.kernel_density(frame, var, time=time)
    if ctx.maps:
        imgs.append(ctx.wr.figure(f"density_{var}", lambda ax, r=kde: r.plot(ax=ax)))
    if d.group:
        groups = ctx.data[d.group].astype(object)
        groups.index = groups.index.astype(str)
        gframe = frame.assign(_group=frame[id_name].map(groups))
        dg = sc.dagum_gini(gframe, var, group="_group", time=time, id=id_name)
        ctx.wr.table(f"dagum_{var}", dg.to_frame())
        tabs.append((f"Dagum Gini decomposition by {d.group}", pd.concat([dg.table, dg.shares], axis=1).round(4)))
        if ctx.maps:
            imgs.append(ctx.wr.figure(f"dagum_{var}", lambda ax, r=dg: r.plot(ax=ax)))
    if n_periods >= 3:
        sig = sc.sigma_convergence(frame, var, **kw)
        ctx.wr.table(f"sigma_convergence_{var}", sig.to_frame())
        tabs.append(("Sigma convergence: trends", sig.trend))
        ehs = sc.emerging_hotspots(frame, var, wsub, permutations=perms, seed=seed, **kw)
        layer = result_frame(ehs, "region")
        ctx.wr.table(f"emerging_hotspots_{var}", layer)
        ctx.layers[f"emerging_{var}"] = with_geometry(ctx.data, layer)
        ctx.styles[f"emerging_{var}"] = {"kind": "emerging"}
        tabs.append(("Emerging hot spots: regions per category", ehs.counts()[ehs.counts() > 0].to_frame()))
        logs.append(ehs.summary())
        if ctx.maps:
            regions = ctx.map_regions
            imgs.append(ctx.wr.figure(f"emerging_map_{var}", lambda ax, r=ehs: r.plot(
                ax=ax, regions=regions, title=f"Emerging hot spots: {title(ctx.notes, var)}")))
    else:
        notes.append(f"Sigma convergence and emerging hot spots need at least 3 periods; the panel has {n_periods} "
                     f"({', '.join(map(str, sorted(frame[time].unique())))}): skipped.")
    periods = ", ".join(map(str, sorted(frame[time].unique())))
    text = TEXT.format(var=var, table=d.table, periods=periods, w=ctx.primary, k=d.k, classes=d.classes,
                       model=d.model, group=d.group or "(no group)", perms=perms)
    if notes:
        text += "\n\n" + "\n\n".join(notes)
    return Section(f"Change over time: {var}", text + "\n\n" + CITATION, tables=tabs, images=imgs,
                   log="\n\n".join(logs))
