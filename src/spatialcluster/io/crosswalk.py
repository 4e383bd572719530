"""Prefecture codes abolished since 2011, and recoding a table's old codes to today's.

The bundled crosswalk (``io/data/prefecture_crosswalk.csv``, each row's State Council approval in
``io/data/SOURCES.md``) lists three kinds of change:

* ``recoded``: same territory, new code (地区 became 市: 毕节 522400 -> 520500);
* ``merged``: the whole territory joined an existing prefecture (莱芜 371200 -> 济南 370100, 2019);
  today's unit is the sum of both, so both rows must be present and the user says how to combine them;
* ``split``: the territory went to several prefectures (巢湖 341400 -> 合肥, 芜湖, 马鞍山, 2011);
  no code can take its values without an apportioning rule, so such rows are reported, never mapped.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from .._errors import InputError

CROSSWALK = Path(__file__).resolve().parent / "data" / "prefecture_crosswalk.csv"
AGGREGATE = ("sum",)


@lru_cache(maxsize=1)
def _crosswalk() -> pd.DataFrame:
    return pd.read_csv(CROSSWALK, dtype=str, encoding="utf-8")


def prefecture_changes() -> pd.DataFrame:
    """The prefecture-level code changes (columns ``old_code``, ``old_name``, ``new_code``,
    ``new_name``, ``date``, ``kind``, ``document``); sources in ``io/data/SOURCES.md``."""
    return _crosswalk().copy()


def explain(keys) -> dict[str, str]:
    """For each key that is an abolished code: what became of it (for join errors)."""
    table = _crosswalk()
    out = {}
    for key in dict.fromkeys(str(k) for k in keys):
        rows = table[table["old_code"] == key]
        if rows.empty:
            continue
        first = rows.iloc[0]
        targets = ", ".join(f"{r.new_code} {r.new_name}" for r in rows.itertuples())
        verb = {"split": "split between", "merged": "merged into", "recoded": "recoded as"}[first["kind"]]
        out[key] = f"{key} ({first['old_name']}) was {verb} {targets} on {first['date']} ({first['document']})"
    return out


def _aggregate_rule(aggregate, columns) -> dict:
    if aggregate is None:
        return {}
    rule = dict.fromkeys(columns, aggregate) if isinstance(aggregate, str) else dict(aggregate)
    bad = {c: r for c, r in rule.items() if r not in AGGREGATE}
    if bad:
        raise InputError(f"aggregate={aggregate!r}: only 'sum' is supported (for totals such as population "
                         f"or GDP; rates and shares must be recomputed from their totals), not {bad}.")
    return rule


def recode(table: pd.DataFrame, keys: list[str], *, time=None, aggregate=None):
    """Map abolished prefecture codes among ``keys`` (one per table row) to today's codes.

    Parameters
    ----------
    table : pandas.DataFrame
    keys : list of str
        The normalised region key of each row.
    time : str, optional
        Period column: a merged unit is combined with its successor period by period.
    aggregate : "sum" or dict, optional
        How to combine the rows of a merged unit and its successor, per value column
        (``{"pop": "sum", "gdp": "sum"}``, or ``"sum"`` for every numeric column). Without it a
        merge that meets its successor's row is refused.

    Returns
    -------
    (pandas.DataFrame, list of str, list of str)
        The table (rows of merged units folded into their successor), its keys, and one note
        per recoded row.

    Raises
    ------
    InputError
        Codes of split units, merges without ``aggregate``, or a merged unit whose successor has
        no row in the same period (today's total cannot be formed).
    """
    cw = _crosswalk()
    kinds = cw.groupby("old_code")["kind"].first()
    targets = cw.groupby("old_code")["new_code"].first()
    explained = explain(keys)
    split = [k for k in explained if kinds[k] == "split"]
    if split:
        raise InputError(
            f"the table has codes of prefectures that were split: {'; '.join(explained[k] for k in split)}. "
            "Their values cannot be assigned to one of today's prefectures without an apportioning rule: "
            "drop those rows, or apportion them yourself before joining."
        )
    table = table.reset_index(drop=True).copy()
    new_keys = [targets.get(k, k) if k in explained else k for k in keys]
    notes = [explained[k] for k in explained]
    merged = [i for i, k in enumerate(keys) if k in explained and kinds[k] == "merged"]
    if not merged:
        return table, new_keys, notes
    value_columns = [c for c in table.select_dtypes("number").columns if c != time]
    rule = _aggregate_rule(aggregate, value_columns)
    period = (lambda i: table.at[i, time]) if time is not None else (lambda i: None)
    where = {(k, period(i)): i for i, k in enumerate(keys) if k not in explained}
    drop = []
    for i in merged:
        j = where.get((new_keys[i], period(i)))
        when = "" if time is None else f" for {time} {period(i)}"
        if j is None:
            raise InputError(
                f"{explained[keys[i]]}, but the table has no row for {new_keys[i]}{when}: today's "
                f"{new_keys[i]} is the sum of both, so its value cannot be formed. Add the row, or drop "
                f"{keys[i]}'s row."
            )
        missing_rule = [c for c in value_columns if c not in rule]
        if missing_rule:
            raise InputError(
                f"{explained[keys[i]]}; the table has rows for both {keys[i]} and {new_keys[i]}{when}. "
                f"Say how to combine them, e.g. join(..., recode='latest', aggregate={{{', '.join(repr(c) + ': ' + repr('sum') for c in missing_rule[:4])}}}) "
                "for totals (recompute rates and shares from their totals), or drop one row."
            )
        for column in value_columns:
            table.at[j, column] = table.at[j, column] + table.at[i, column]
        drop.append(i)
    keep = [i for i in range(len(table)) if i not in set(drop)]
    return table.iloc[keep].reset_index(drop=True), [new_keys[i] for i in keep], notes
