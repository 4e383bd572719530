"""sc.Panel.from_long: one check of long region-by-period tables, used by the statistics by year and
the panel models. Each refusal names the regions and periods; balancing drops by rule and reports."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph

import spatialcluster as sc
from spatialcluster import InputError, WeightsError


@pytest.fixture
def long():
    rng = np.random.default_rng(3)
    rows = [(f"R{i}", year) for year in (2000, 2001, 2002) for i in range(4)]
    frame = pd.DataFrame(rows, columns=["code", "year"])
    frame["x"] = rng.normal(size=len(frame))
    frame["name"] = "region " + frame["code"]
    return frame.sample(frac=1, random_state=1)  # rows in any order


def test_clean_panel(long):
    panel = sc.Panel.from_long(long, id="code", time="year", columns="x")
    assert list(panel.ids) == ["R0", "R1", "R2", "R3"] and list(panel.periods) == [2000, 2001, 2002]
    assert panel.columns == ("x",) and "name" in panel.frame.columns  # other columns carried along
    wide = panel.wide("x")
    by_hand = long.pivot(index="year", columns="code", values="x").to_numpy()
    np.testing.assert_array_equal(wide, by_hand)
    years = panel.by_period()
    assert list(years) == [2000, 2001, 2002]
    assert years[2001].index.name == "code" and years[2001].loc["R2", "x"] == long.set_index(["code", "year"]).loc[
        ("R2", 2001), "x"]
    assert panel.report.absent == [] and "balanced" in panel.report.summary()


def test_id_as_index_and_numeric_ids(long):
    frame = long.assign(code=long["code"].str[1:].astype(int)).set_index("code")
    panel = sc.Panel.from_long(frame, id="code", time="year", columns=["x"])
    assert list(panel.ids) == ["0", "1", "2", "3"]


@pytest.mark.parametrize(("change", "error", "pattern"), [
    (lambda d: d.rename(columns={"year": "yr"}), InputError, r"'year' \(did you mean 'yr'\?\)"),
    (lambda d: pd.concat([d, d[(d.code == "R1") & (d.year == 2001)]]), InputError,
     r"duplicate region-periods: the panel repeats R1 2001"),
    (lambda d: d.assign(x=d["x"].astype(object).where(~((d.code == "R3") & (d.year == 2002)), "n/a")),
     InputError, r"'x' has non-numeric values at R3 2002"),
    (lambda d: d.assign(x=d["x"].where(~((d.code == "R0") & (d.year == 2000)))), InputError,
     r"'x' is missing at 1 region-period\(s\): R0 2000"),
    (lambda d: d[~((d.code == "R2") & (d.year == 2001))], InputError,
     r"unbalanced panel: 1 region-period\(s\) have no row: R2 2001"),
    (lambda d: d.assign(code=d["code"].where(d.year != 2002)), InputError, r"4 row\(s\) have no region id"),
    (lambda d: d.assign(year=d["year"].replace(2002, 2003)), InputError, r"gaps: 2002 missing between 2000 and 2003"),
])
def test_bad_panels_are_named(long, change, error, pattern):
    with pytest.raises(error, match=pattern):
        sc.Panel.from_long(change(long), id="code", time="year", columns=["x"], regular=True)


def test_balancing_drops_by_rule_and_reports(long):
    gappy = long[~((long.code == "R2") & (long.year == 2001))]
    by_region = sc.Panel.from_long(gappy, id="code", time="year", columns="x", balance="drop-region")
    assert list(by_region.ids) == ["R0", "R1", "R3"] and len(by_region.frame) == 9
    assert by_region.report.dropped_regions == ["R2"] and by_region.report.absent == [["R2", 2001]]
    by_period = sc.Panel.from_long(gappy, id="code", time="year", columns="x", balance="drop-period")
    assert list(by_period.periods) == [2000, 2002] and by_period.report.dropped_periods == [2001]
    record = by_period.report.to_record()
    assert json.loads(json.dumps(record)) == {"rule": "drop-period", "absent": [["R2", 2001]],
                                              "dropped_regions": [], "dropped_periods": [2001]}
    assert "R2" in by_region.report.summary()
    kept = sc.Panel.from_long(gappy, id="code", time="year", columns="x", balance="ignore")
    assert len(kept.frame) == 11
    with pytest.raises(InputError, match="balance="):
        sc.Panel.from_long(long, id="code", time="year", balance="fill")


def test_regions_checked_against_the_weights(long):
    ids = ["R0", "R1", "R2", "R3", "R4"]
    w = Graph.from_dicts({i: [j for j in ids if j != i][:2] for i in ids})
    panel = sc.Panel.from_long(long, id="code", time="year", columns="x")
    with pytest.raises(WeightsError, match="in the weights but not in the data: R4"):
        panel.in_order(w)
    w4 = w.subgraph(ids[:4][::-1])
    assert list(panel.in_order(w4)) == ["R3", "R2", "R1", "R0"]


def _coverage_panel(years, holes):
    """Three regions over ``years``; ``holes`` lists the (region, year) cells left empty."""
    rows = [(r, t, np.nan if (r, t) in holes else 1.0) for r in ("a", "b", "c") for t in years]
    return pd.DataFrame(rows, columns=["code", "year", "v"])


def test_complete_periods_and_runs_by_hand():
    years = [2008, 2009, 2010, 2011, 2012, 2013, 2014]
    p = _coverage_panel(years, {("a", 2010), ("c", 2013)})
    assert sc.complete_periods(p, "v") == [2008, 2009, 2011, 2012, 2014]
    assert sc.complete_run(p, "v") == [2011, 2012]  # ties go to the latest run
    # a year without rows breaks a run too: 2012 and 2015 are not adjacent when 2013-2014 are absent
    p = _coverage_panel([2011, 2012, 2015, 2016, 2017], set())
    assert sc.complete_run(p, "v") == [2015, 2016, 2017]
    # census decades: a common step of 10 years
    p = _coverage_panel([1990, 2000, 2010, 2020], {("b", 1990)})
    assert sc.complete_run(p, "v") == [2000, 2010, 2020]
    assert sc.complete_run(_coverage_panel([2001, 2002], {("a", 2001), ("b", 2002)}), "v") == []
    with pytest.raises(sc.InputError, match="'w'"):
        sc.complete_periods(p, "w")


def test_complete_run_of_the_bundled_urbanization_equals_the_coverage_table():
    """The bundled panel: the run equals the longest stretch of years with 31 provinces in panel_coverage."""
    panel = sc.datasets.china_provinces_panel()
    row = sc.datasets.panel_coverage(panel, ["urban_rate"]).loc["urban_rate"]
    full = [int(t) for t, n in row.items() if n == 31]
    runs = np.split(np.array(full), np.flatnonzero(np.diff(full) != 1) + 1)
    longest = max(runs, key=lambda r: (len(r), r[-1])).tolist()
    assert sc.complete_run(panel, "urban_rate") == longest and len(longest) >= 4
