"""Joining indicator tables to regions without silently losing a region."""

from __future__ import annotations

import difflib
import re
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .._errors import InputError, JoinError, SpatialClusterWarning
from .._validate import _names
from .crosswalk import explain as _abolished, recode as _recode
from .missing import MISSING, handle_missing
from .names import NAME_EN, NAME_ZH, normalize_region_key
from .regions import read_regions
from .tables import _as_key, read_table

#: Table columns tried, in this order, as the join key when ``on`` is not given.
KEY_CANDIDATES = ("region", "地区", "adcode", "code", "id", "province", "省份", "name", "name_zh", "name_en")
#: Table columns that make a table a panel (region x time) when ``time`` is not given.
TIME_CANDIDATES = ("year", "年份", "年度", "time", "period")
HOW = ("strict", "left", "inner")
RECODE = (None, "latest")


def region_key(value) -> str | None:
    """The key a value is matched on: its administrative code when recognised
    (:func:`normalize_region_key`), else the value as trimmed text (``6037.0`` -> ``"6037"``)."""
    code = normalize_region_key(value)
    if code is not None:
        return code
    text = _as_key(value)
    return re.sub(r"^(\d+)\.0+$", r"\1", text) if text is not None else None


def _find(columns, wanted, candidates, what: str, label: str):
    names = [str(c) for c in columns]
    if wanted is not None:
        if wanted not in columns:
            close = difflib.get_close_matches(str(wanted), names, n=3)
            hint = f" Did you mean {close}?" if close else ""
            raise InputError(f"{label} has no {what} column {wanted!r}.{hint} Columns: {names}.")
        return wanted
    lower = {str(c).lower(): c for c in columns}
    return next((lower[c] for c in candidates if c in lower), None)


def _labels(raw: list[str], keys: list[str]) -> dict[str, list[str]]:
    """Strings to compare for suggestions: the key as given, plus the province's names."""
    return {r: [r, NAME_ZH.get(k, ""), NAME_EN.get(k, "")] for r, k in zip(raw, keys)}


def _suggest(query: list[str], candidates: dict[str, list[str]], n: int = 3) -> list[str]:
    """Closest candidate labels to any of the query's strings (difflib ratio >= 0.6).

    Two recognised provinces are never suggested for each other: their codes differ.
    """
    def score(texts):
        if query[1] and texts[1]:
            return 0.0
        return max(difflib.SequenceMatcher(None, q.lower(), s.lower()).ratio() for q in query if q for s in texts if s)

    scores = {label: score(texts) for label, texts in candidates.items()}
    best = sorted(((s, lab) for lab, s in scores.items() if s >= 0.6), reverse=True)
    return [lab for _, lab in best[:n]]


def _unmatched(on, region_raw, rkeys, table_raw, tkeys):
    """Keys on one side only, the closest candidates for each, and a message ("" if none)."""
    r_labels = _labels(region_raw, rkeys)
    t_raw = [str(_as_key(r)) for r in table_raw]
    t_labels = _labels(t_raw, tkeys)
    rset, tset = set(rkeys), set(tkeys)
    only_r = [r for r, k in zip(region_raw, rkeys) if k not in tset]
    only_t = list(dict.fromkeys(t for t, k in zip(t_raw, tkeys) if k not in rset))
    # candidates: what is unmatched on the other side, or everything there when nothing is
    r_pool = {k: r_labels[k] for k in only_r} or r_labels
    t_pool = {k: t_labels[k] for k in only_t} or t_labels
    suggestions = {k: _suggest(r_labels[k], t_pool) for k in only_r}
    suggestions.update({k: _suggest(t_labels[k], r_pool) for k in only_t})
    return only_r, only_t, suggestions, _unmatched_message(on, only_r, only_t, suggestions, {**r_labels, **t_labels})


def _unmatched_message(on, only_r, only_t, suggestions, labels) -> str:
    def name(k):
        province = labels.get(k, ["", ""])[1]
        return f"{k!r}" + (f" [{province}]" if province and province != k else "")

    def show(keys):
        shown = []
        for k in keys[:20]:
            close = suggestions.get(k)
            shown.append(name(k) + (f" (closest: {', '.join(map(name, close))})" if close else ""))
        return ", ".join(shown) + (f" ... and {len(keys) - 20} more" if len(keys) > 20 else "")

    parts = []
    if only_r:
        parts.append(f"{len(only_r)} region(s) have no row in the table: {show(only_r)}")
    if only_t:
        parts.append(f"{len(only_t)} table key(s) in column {on!r} match no region: {show(only_t)}")
    abolished = _abolished(region_key(k) for k in only_t)
    if abolished:
        parts.append(f"abolished prefecture code(s): {'; '.join(abolished.values())} "
                     "(recode='latest' maps them to today's codes)")
    return "; ".join(parts)


def _keys(values, where: str) -> list[str]:
    keys = [region_key(v) for v in values]
    blank = [i for i, k in enumerate(keys) if k is None]
    if blank:
        raise InputError(f"{where} has no key at positions {_names(blank)}; fill them or drop those rows.")
    return keys


def _duplicates(keys: list, raw: list, what: str) -> str:
    groups: dict = {}
    for pos, (k, r) in enumerate(zip(keys, raw)):
        groups.setdefault(k, []).append((pos, r))
    dup = {k: g for k, g in groups.items() if len(g) > 1}
    return "; ".join(
        f"{k} ({what}): " + ", ".join(f"{r!r} at position {p}" for p, r in g) for k, g in list(dup.items())[:20]
    )


def join(regions, table, on=None, how="strict", *, regions_on=None, time=None, recode=None, aggregate=None,
         missing=None) -> gpd.GeoDataFrame:
    """Attach a table's columns to the regions, matching keys after normalisation.

    Keys on both sides are compared by :func:`region_key`: Chinese province codes (as text,
    integers, floats or 2-digit prefixes) and names (Chinese with or without suffix,
    English, pinyin) become their 6-digit code; any other key (Mexican state names, US
    FIPS codes, city names) is matched exactly after trimming.

    Parameters
    ----------
    regions : GeoDataFrame or path
        Indexed by region id (as :func:`read_regions` returns; a path is read with it).
    table : DataFrame or path
        The indicators (a path is read with :func:`read_table`).
    on : str, optional
        Table column holding the region keys. By default the column named like the
        regions' index, else the first of :data:`KEY_CANDIDATES` present.
    how : {"strict", "left", "inner"}
        ``"strict"`` raises :class:`JoinError` unless every region has data and every
        table key is a region. ``"left"`` keeps all regions (missing values where the table
        has none) and ``"inner"`` only the matched ones; both warn listing what was left
        out.
    regions_on : str, optional
        Regions column to match instead of the index (e.g. a name column).
    time : str or False, optional
        Time column of a panel (long) table; by default one of :data:`TIME_CANDIDATES` if
        present. ``False`` treats the table as a cross-section.
    recode : {None, "latest"}
        ``"latest"`` maps abolished prefecture codes to today's with the bundled crosswalk
        (:func:`spatialcluster.io.prefecture_changes`, sources in ``io/data/SOURCES.md``):
        re-coded units one to one; a merged unit (莱芜 371200 -> 济南 370100) is added to its
        successor's row of the same period as ``aggregate`` says; a split unit (巢湖 341400) is
        refused. By default abolished codes stay unmatched and the :class:`JoinError` says what
        became of them.
    aggregate : "sum" or dict, optional
        With ``recode="latest"``: how a merged unit's values combine with its successor's, per
        numeric column (``{"pop": "sum"}``; ``"sum"`` for all). Required when such a merge occurs.
    missing : {None, "error", "drop-region", "drop-period"}
        What to do with missing values in the table's numeric columns after the join (see
        :func:`spatialcluster.io.handle_missing`): ``None`` keeps them, ``"error"`` names each
        gap, ``"drop-region"`` / ``"drop-period"`` drop the regions / periods that have one, with
        a warning; the report is in ``result.attrs["missing"]``.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by the region ids (strings), in the regions' order (then by time for a
        panel, one row per region and period), with the regions' columns, geometry and
        CRS and the table's columns except the key.

    Raises
    ------
    JoinError
        Unmatched keys under ``how="strict"``; ``unmatched_regions``, ``unmatched_table``
        and ``suggestions`` (closest candidates by :mod:`difflib`) say which.
    InputError
        Duplicate keys (or duplicate region-period pairs in a panel), missing keys, a table
        whose geometry has another CRS, an unknown key column.
    """
    if isinstance(regions, (str, Path)):
        regions = read_regions(regions)
    if isinstance(table, (str, Path)):
        table = read_table(table)
    if not isinstance(regions, gpd.GeoDataFrame):
        raise InputError(f"regions must be a GeoDataFrame (sc.read_regions), not {type(regions).__name__}.")
    if not isinstance(table, pd.DataFrame):
        raise InputError(f"table must be a DataFrame (sc.read_table), not {type(table).__name__}.")
    if how not in HOW:
        raise InputError(f"how={how!r} is not one of {HOW}.")
    if recode not in RECODE:
        raise InputError(f"recode={recode!r} is not one of {RECODE}.")
    if aggregate is not None and recode is None:
        raise InputError("aggregate= only applies with recode='latest' (combining merged prefectures).")
    if missing is not None and missing not in MISSING:
        raise InputError(f"missing={missing!r} is not one of {(None, *MISSING)}.")
    if isinstance(table, gpd.GeoDataFrame) and table._geometry_column_name in table.columns:
        if table.crs is not None and regions.crs is not None and not table.crs.equals(regions.crs):
            raise InputError(
                f"the table's geometries are in {table.crs.to_string()} but the regions are in "
                f"{regions.crs.to_string()}; reproject one (to_crs) or drop the table's geometry before joining."
            )
        table = pd.DataFrame(table.drop(columns=[table._geometry_column_name]))
    if regions.index.has_duplicates:
        raise InputError(f"duplicate region ids: {_names(regions.index[regions.index.duplicated()].unique())}.")

    on = _find(table.columns, on, [str(regions.index.name or "").lower(), *KEY_CANDIDATES], "key", "the table")
    if on is None:
        raise InputError(f"cannot tell which table column holds the region keys; pass on='<column>'. "
                         f"Columns: {[str(c) for c in table.columns]}.")
    if time is False:
        time = None
    else:
        time = _find(table.columns.drop(on), time, TIME_CANDIDATES, "time", "the table")
    region_raw = regions.index if regions_on is None else regions[
        _find(regions.columns, regions_on, (), "key", "the regions")
    ]
    region_raw = [_as_key(v) or "" for v in region_raw]
    table_raw = list(table[on])
    rkeys = _keys(region_raw, "the regions' key")
    tkeys = _keys(table_raw, f"table column {on!r}")
    if recode == "latest":
        table, tkeys, notes = _recode(table, tkeys, time=time, aggregate=aggregate)
        table_raw = list(table[on])
        if notes:
            warnings.warn(f"join(recode='latest'): {'; '.join(notes)}.", SpatialClusterWarning, stacklevel=2)

    dup = _duplicates(rkeys, region_raw, "the same region")
    if dup:
        raise InputError(f"several regions normalise to one key: {dup}. Match on another column (regions_on=).")
    if time is None:
        dup = _duplicates(tkeys, table_raw, "the same region")
        if dup:
            raise InputError(
                f"duplicate region keys in table column {on!r}: {dup}. Keep one row per region "
                "(aggregate or drop the extras), or pass time='<column>' if the table is a panel."
            )
    else:
        if table[time].isna().any():
            raise InputError(f"time column {time!r} is missing at rows {_names(table.index[table[time].isna()])}.")
        dup = _duplicates([(k, t) for k, t in zip(tkeys, table[time])], table_raw, f"same {time}")
        if dup:
            raise InputError(f"duplicate (region, {time}) pairs in the table: {dup}. Keep one row per region and period.")

    only_r, only_t, suggestions, message = _unmatched(on, region_raw, rkeys, table_raw, tkeys)
    if message:
        if how == "strict":
            raise JoinError(
                f"join on table column {on!r}: {message}. Correct the keys, or pass how='left' (keep every "
                "region, with missing values) or how='inner' (keep matched regions only).",
                unmatched_regions=only_r, unmatched_table=only_t, suggestions=suggestions,
            )
        kept = "kept with missing values" if how == "left" else "dropped"
        warnings.warn(
            f"join(how={how!r}) on {on!r}: {message}. Regions without data were {kept}; "
            "unmatched table rows were dropped.",
            SpatialClusterWarning,
            stacklevel=2,
        )
    out = _assemble(regions, table, on, time, rkeys, tkeys, how)
    if missing is None:
        return out
    columns = [c for c in out.select_dtypes("number").columns if c not in regions.columns and c != time]
    out, report = handle_missing(out, columns, time=time, missing=missing)
    if report.dropped_regions or report.dropped_periods:
        warnings.warn(f"join(missing={missing!r}): {report.summary()}", SpatialClusterWarning, stacklevel=2)
    out.attrs["missing"] = report.to_record()
    return out


def _assemble(regions, table, on, time, rkeys, tkeys, how) -> gpd.GeoDataFrame:
    values = table.drop(columns=[on]).reset_index(drop=True)
    taken = set(map(str, regions.columns)) | {str(regions.index.name)}
    values = values.rename(columns={c: f"{c}_table" for c in values.columns if str(c) in taken and c != time})
    values["__key"] = tkeys
    position = {k: i for i, k in enumerate(rkeys)}
    values = values[values["__key"].isin(position)]
    missing = [k for k in rkeys if k not in set(values["__key"])]
    if how == "left" and missing:
        periods = sorted(values[time].unique()) if time is not None and len(values) else [None]
        filler = pd.DataFrame([{"__key": k, **({time: p} if time else {})} for k in missing for p in periods])
        values = pd.concat([values, filler], ignore_index=True)
    values["__pos"] = values["__key"].map(position)
    values = values.sort_values(["__pos", time] if time else ["__pos"], kind="stable")
    out = regions.iloc[values["__pos"].to_numpy()].copy()
    for column in values.columns.drop(["__key", "__pos"]):
        out[column] = values[column].array
    return out
