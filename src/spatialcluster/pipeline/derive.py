"""Derived variables (``[variables.derived]``): growth rates, differences, logs, ratios, location quotients."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._errors import InputError
from .config import Config, Problem, suggest


def derive(data: pd.DataFrame, derived: dict, cfg: Config | None = None) -> tuple[pd.DataFrame, dict]:
    """Add the ``[variables.derived]`` columns in order; return (data, descriptions).

    growth: ``100 * (end / start - 1)``, or the compound annual rate ``100 * ((end / start) ** (1 / years) - 1)``;
    difference: ``end - start``; log: natural log; ratio: ``scale * numerator / denominator``;
    location_quotient: ``(x_i / sum x) / (b_i / sum b)`` (Isserman 1977), via :func:`sc.location_quotient`.
    """
    data = data.copy()
    notes = {}
    for name, d in (derived or {}).items():
        if d.get("table"):  # a panel variable: derive_panels
            continue
        kind = d["kind"]
        cols = [d[k] for k in ("start", "end", "column", "numerator", "denominator") if d.get(k)]
        missing = [(k, d[k]) for k in ("start", "end", "column", "numerator", "denominator") if d.get(k) and d[k] not in data.columns]
        if missing:
            problems = [Problem(("variables", "derived", name, k), f"column {c!r} is not in the joined data.{suggest(c, data.columns)}")
                        for k, c in missing]
            if cfg is not None:
                raise cfg.error(problems)
            raise InputError("; ".join(p.message for p in problems))
        vals = {c: pd.to_numeric(data[c], errors="coerce").astype(float) for c in cols}
        if kind in ("growth", "ratio", "location_quotient", "log"):
            base = vals[d.get("start") or d.get("denominator") or d.get("column")]
            bad = base.notna() & (base <= 0)
            if bad.any():
                raise InputError(
                    f"derived variable {name!r} ({kind}): {d.get('start') or d.get('denominator') or d.get('column')!r} is zero or "
                    f"negative for regions {', '.join(map(str, data.index[bad]))}; {kind} needs positive values there"
                )
        if kind == "growth":
            ratio = vals[d["end"]] / vals[d["start"]]
            col = 100 * (ratio ** (1 / d["years"]) - 1) if d.get("years") else 100 * (ratio - 1)
        elif kind == "difference":
            col = vals[d["end"]] - vals[d["start"]]
        elif kind == "log":
            col = np.log(vals[d["column"]])
        elif kind == "ratio":
            col = d.get("scale", 1.0) * vals[d["numerator"]] / vals[d["denominator"]]
        else:
            col = _location_quotient(data, d["numerator"], d["denominator"])
        data[name] = col
        notes[name] = d.get("description") or f"{kind} of {', '.join(cols)}"
    return data, notes


def _location_quotient(data: pd.DataFrame, activity: str, base: str) -> pd.Series:
    """(x_i / sum x) / (b_i / sum b), by :func:`sc.location_quotient` in its ratio layout."""
    import spatialcluster as sc

    table = pd.DataFrame({activity: pd.to_numeric(data[activity], errors="coerce"),
                          base: pd.to_numeric(data[base], errors="coerce")}, index=data.index)
    lq = sc.location_quotient(table, numerator=activity, denominator=base).lq
    return lq.reindex(data.index).astype(float).rename(None)


def derive_panels(panels: dict, derived: dict, time: dict, cfg: Config | None = None) -> tuple[dict, dict]:
    """The ``[variables.derived]`` entries with ``table``: derived within that panel, period by period.

    A location quotient then compares each region with the regions' total of the same period.
    ``time`` maps each panel name to its period column. Returns (panels, descriptions).
    """
    panels = dict(panels)
    notes = {}
    for name, d in (derived or {}).items():
        if not d.get("table"):
            continue
        panel = panels[d["table"]]
        spec = {k: v for k, v in d.items() if k != "table"}
        parts = [derive(part, {name: spec}, cfg)[0] for _, part in panel.groupby(time[d["table"]], sort=False)]
        panels[d["table"]] = pd.concat(parts).loc[panel.index]
        notes[name] = d.get("description") or f"{d['kind']} within each period of {d['table']}"
    return panels, notes
