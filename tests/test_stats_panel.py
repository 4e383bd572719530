"""Moran's I by year and LISA transitions on a synthetic lattice panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from stats_fixtures import grid_graph

import spatialcluster as sc
from spatialcluster import InputError, WeightsError


@pytest.fixture(scope="module")
def panel():
    """8 x 8 queen lattice, 4 years; a smooth trend plus noise so clusters exist and move."""
    w = grid_graph(8, 8)
    rng = np.random.default_rng(0)
    r, c = np.divmod(np.arange(64), 8)
    rows = []
    for k, year in enumerate(range(2015, 2019)):
        y = (r + c * (k - 1.5)) / 4 + rng.normal(scale=0.8, size=64)
        rows.append(pd.DataFrame({"code": w.unique_ids, "year": year, "x": y}))
    return pd.concat(rows, ignore_index=True).sample(frac=1, random_state=1), w


def test_moran_by_year_equals_one_call_per_year(panel):
    long_df, w = panel
    res = sc.moran_by_year(long_df, "x", w, permutations=199, seed=5)
    table = res.to_frame()
    assert list(table.index) == [2015, 2016, 2017, 2018]
    for year in table.index:
        one = long_df[long_df["year"] == year].set_index("code")
        ref = sc.moran(one, "x", w, permutations=0)
        assert table.loc[year, "I"] == pytest.approx(ref.I, rel=1e-12)
        assert table.loc[year, "z_rand"] == pytest.approx(ref.z_rand, rel=1e-12)
    again = sc.moran_by_year(long_df, "x", w, permutations=199, seed=5).to_frame()
    pd.testing.assert_frame_equal(table, again)
    # years get different streams
    assert len({tuple(r.sim[:5]) for r in res.results.values()}) == 4
    assert "2016" in res.summary()
    assert res.plot() is not None


def test_lisa_by_year_transitions_count_label_changes(panel):
    long_df, w = panel
    res = sc.lisa_by_year(long_df, "x", w, permutations=199, seed=2, correction=None)
    labels = res.labels
    assert labels.shape == (64, 4) and list(labels.columns) == [2015, 2016, 2017, 2018]
    trans = res.transitions()
    assert trans.to_numpy().sum() == 64 * 3
    by_hand = pd.Series(0, index=pd.MultiIndex.from_product([trans.index, trans.columns]))
    for a, b in zip(labels.columns[:-1], labels.columns[1:]):
        for f, t in zip(labels[a], labels[b]):
            by_hand[(f, t)] += 1
    np.testing.assert_array_equal(trans.to_numpy(), by_hand.unstack().loc[trans.index, trans.columns].to_numpy())
    per = res.transitions(by_period=True)
    assert per["regions"].sum() == 64 * 3 and set(per["from_year"]) == {2015, 2016, 2017}
    # the lattice trend makes HH and LL clusters
    assert res.counts(corrected=False).loc[["HH", "LL"]].to_numpy().sum() > 0
    assert "transitions" in res.summary()


def test_panel_input_errors(panel):
    long_df, w = panel
    with pytest.raises(InputError, match="'region'"):
        sc.moran_by_year(long_df, "x", w, id="region")
    dup = pd.concat([long_df, long_df.head(1)])
    with pytest.raises(InputError, match="repeats"):
        sc.moran_by_year(dup, "x", w, permutations=0)
    gap = long_df[~((long_df["code"] == "7") & (long_df["year"] == 2017))]
    with pytest.raises(WeightsError, match="7"):
        sc.lisa_by_year(gap, "x", w, permutations=9)
