"""The public statistics on engine="dask" give the single-machine results for the same seed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from stats_fixtures import grid_graph

import spatialcluster as sc
from spatialcluster import InputError


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with distributed.Client(processes=False, n_workers=2, threads_per_worker=1, dashboard_address=":0") as c:
        yield c


@pytest.fixture(scope="module")
def cells():
    w = grid_graph(20, 20)
    rng = np.random.default_rng(4)
    data = pd.DataFrame({"y": rng.normal(size=400), "x": rng.gamma(2.0, size=400)}, index=w.unique_ids)
    return data, w


def test_local_statistics_identical_on_dask(client, cells):
    data, w = cells
    for fn, args in [(sc.local_moran, ("y",)), (sc.local_moran_bv, ("x", "y")), (sc.getis_ord, ("x",)),
                     (sc.local_geary, ("y",)), (sc.local_geary, (["x", "y"],))]:
        here = fn(data, *args, w, permutations=199, seed=21)
        there = fn(data, *args, w, permutations=199, seed=21, engine="dask", client=client)
        pd.testing.assert_frame_equal(here.frame, there.frame)


def test_global_moran_identical_on_dask(client, cells):
    data, w = cells
    here = sc.moran(data, "y", w, permutations=299, seed=3)
    there = sc.moran(data, "y", w, permutations=299, seed=3, client=client)
    np.testing.assert_array_equal(here.sim, there.sim)
    assert here.p_sim == there.p_sim
    here, there = (sc.geary(data, "y", w, permutations=299, seed=3, client=c) for c in (None, client))
    np.testing.assert_array_equal(here.sim, there.sim)


def test_unknown_engine(cells):
    data, w = cells
    with pytest.raises(InputError, match="spark"):
        sc.local_moran(data, "y", w, permutations=9, engine="spark")
