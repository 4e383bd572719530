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


def test_array_level_functions_give_the_dataframe_numbers(cells):
    """stats.arrays on the values and W with rows shuffled, given the ids: the DataFrame results
    (p_sim exactly, as the draws follow the ids; statistics to rounding, the sums run in another order)."""
    from spatialcluster.stats import arrays, engine

    data, w = cells
    order = np.random.default_rng(2).permutation(len(data))
    ids = np.asarray(w.unique_ids)[order]
    W = w.sparse.tocsr()[order][:, order]
    x, y = data.loc[ids, "x"].to_numpy(), data.loc[ids, "y"].to_numpy()
    local = [
        (arrays.local_moran(y, W, 199, 5, ids=ids, engine=engine.NumbaEngine()), "I",
         sc.local_moran(data, "y", w, permutations=199, seed=5)),
        (arrays.getis_ord(x, W, 199, 5, ids=ids), "G", sc.getis_ord(data, "x", w, permutations=199, seed=5)),
        (arrays.local_geary(np.column_stack([x, y]), W, 199, 5, ids=ids), "C",
         sc.local_geary(data, ["x", "y"], w, permutations=199, seed=5)),
    ]
    for got, column, want in local:
        frame = want.frame.loc[ids]
        np.testing.assert_array_equal(got["p_sim"], frame["p_sim"].to_numpy())
        np.testing.assert_allclose(got["G" if column == "G" else "observed"], frame[column], rtol=1e-12)
    for fn in ("moran", "geary"):
        got, want = getattr(arrays, fn)(y, W, 99, 5, ids=ids), getattr(sc, fn)(data, "y", w, permutations=99, seed=5)
        assert got["p_sim"] == want.p_sim
    with pytest.raises(InputError, match="not finite"):
        arrays.local_moran(np.r_[np.inf, y[1:]], W, 9, 1)
