"""Dask engine: permutation kernels on a 2-worker LocalCluster and contiguity across partitions.

The reference is the single-machine path itself (sc.local_moran, sc.getis_ord, sc.moran and
stats.engine.NumbaEngine): for the same seed the chunked runs must give the *same* numbers (exact
equality, not a tolerance), whatever the chunk size. Partitioned contiguity is compared with
libpysal's Graph.build_contiguity on the whole frame.
"""

from __future__ import annotations

import logging

import dask_geopandas
import numba
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from libpysal.graph import Graph

import spatialcluster as sc
from spatialcluster._errors import ConfigError, InputError
from spatialcluster.io.partitioned import read_partitioned
from spatialcluster.stats import _core, arrays, engine
from spatialcluster.stats._kernels import BLOCK
from spatialcluster.weights._partitioned import partitioned_contiguity

distributed = pytest.importorskip("distributed")
# dask's parquet reader still calls pandas' deprecated inplace set_index / reset_index
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword")

ROWS, COLS = 45, 60  # 2,700 cells: 42 full blocks of 64 and a partial one
SEED = 20240611
OUTPUTS = ("n_ge", "n_le", "mean", "sd", "observed")


@pytest.fixture(scope="module")
def client():
    # Worker processes (not threads): the chunks are pickled, shipped and run in other
    # interpreters, as on a real cluster, and numba loads its cached kernels there.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0", silence_logs=logging.ERROR) as cluster:
        with distributed.Client(cluster) as c:
            yield c


def grid(rows=ROWS, cols=COLS, island=True):
    """Unit squares indexed "c00000".., plus one far-away square (an island) when asked."""
    x, y = np.meshgrid(np.arange(cols, dtype=float), np.arange(rows, dtype=float))
    geoms = list(shapely.box(x.ravel(), y.ravel(), x.ravel() + 1, y.ravel() + 1))
    if island:
        geoms.append(shapely.box(cols + 10, rows + 10, cols + 11, rows + 11))
    ids = pd.Index([f"c{i:05d}" for i in range(len(geoms))], name="id")
    return gpd.GeoDataFrame(geometry=geoms, index=ids, crs="EPSG:3857")


@pytest.fixture(scope="module")
def data():
    cells = grid()
    rng = np.random.default_rng(7)
    c = cells.geometry.centroid
    smooth = np.sin(c.x / 9) + np.cos(c.y / 7)
    cells["v"] = smooth + rng.normal(scale=0.8, size=len(cells))
    cells["pos"] = np.exp(cells["v"])  # positive, for Getis-Ord
    w = Graph.build_contiguity(cells, rook=False).transform("r")
    return cells, w


def csr(data):
    cells, w = data
    return _core.prepare(cells, w, ["v"])[2]


@pytest.mark.parametrize("chunk_size", [None, 200, 2 * BLOCK])
def test_local_kernel_identical_to_single_machine(client, data, chunk_size):
    W = csr(data)
    off, selfw = _core.split_diagonal(W)
    z = _core.standardise(data[0]["v"].to_numpy())
    scale = (len(z) - 1) * z / (z @ z)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)  # the reference on one thread, the workers on all of theirs
    try:
        ref = engine.NumbaEngine().local_permutations(off, selfw, z, scale, 199, SEED, label="t", progress=False)
    finally:
        numba.set_num_threads(threads)
    got = engine.DaskEngine(client, chunk_size=chunk_size).local_permutations(off, selfw, z, scale, 199, SEED,
                                                                              progress=False)
    for key in OUTPUTS:
        np.testing.assert_array_equal(got[key], ref[key], err_msg=key)
    assert ref["n_ge"][-1] == -1 and np.isnan(got["observed"][-1])  # the island, untouched


def test_local_moran_matches_public_path(client, data):
    cells, w = data
    ref = sc.local_moran(cells, "v", w, permutations=299, seed=SEED, correction=None).frame
    got = arrays.local_moran(cells["v"].to_numpy(), csr(data), 299, SEED, engine="dask", client=client)
    np.testing.assert_array_equal(got["observed"], ref["I"].to_numpy())
    np.testing.assert_array_equal(got["p_sim"], ref["p_sim"].to_numpy())
    np.testing.assert_array_equal(got["z_sim"], ref["z"].to_numpy())
    # the test can fail: a different seed moves the p-values
    other = arrays.local_moran(cells["v"].to_numpy(), csr(data), 299, SEED + 1, client=client)
    assert not np.array_equal(other["n_ge"], got["n_ge"])


@pytest.mark.parametrize("star", [True, False])
def test_getis_ord_matches_public_path(client, data, star):
    cells, w = data
    ref = sc.getis_ord(cells, "pos", w, star=star, permutations=199, seed=SEED).frame
    W = _core.prepare(cells, w, ["pos"])[2]
    got = arrays.getis_ord(cells["pos"].to_numpy(), W, 199, SEED, star=star,
                           engine=engine.DaskEngine(client, chunk_size=500))
    np.testing.assert_array_equal(got["G"], ref["G"].to_numpy())
    # the kernel's own G, (1 / total) * lag, is a few ulps from lag / total
    np.testing.assert_allclose(got["observed"], ref["G"].to_numpy(), rtol=2e-15, atol=0)
    np.testing.assert_array_equal(got["p_sim"], ref["p_sim"].to_numpy())


def test_global_moran_matches_public_path(client, data):
    cells, w = data
    ref = sc.moran(cells, "v", w, permutations=199, seed=SEED)
    got = arrays.moran(cells["v"].to_numpy(), csr(data), 199, SEED, engine=engine.DaskEngine(client, chunks=7))
    assert got["I"] == ref.I and got["p_sim"] == ref.p_sim
    np.testing.assert_array_equal(got["sim"], ref.sim)


def test_chunk_edges_are_block_aligned():
    edges = engine.chunk_edges(1000, 100, 2)
    assert edges[0] == 0 and edges[-1] == 1000
    assert np.all(edges[1:-1] % BLOCK == 0) and np.all(np.diff(edges) > 0)
    assert np.all(engine.chunk_edges(10_000, None, 2)[1:-1] % BLOCK == 0)
    with pytest.raises(InputError, match="chunk_size"):
        engine.chunk_edges(1000, 0, 2)


def test_refusals(client, data, monkeypatch):
    W = csr(data)
    off, selfw = _core.split_diagonal(W)
    z = _core.standardise(data[0]["v"].to_numpy())
    with pytest.raises(InputError, match="keep_simulations"):
        engine.DaskEngine(client).local_permutations(off, selfw, z, z, 9, 1, keep=True)
    with pytest.raises(InputError, match="N x N"):
        arrays.local_moran(z[:-1], W, 9, 1, client=client)

    def no_client():
        raise ValueError("No clients found")

    resolve = engine.resolve_engine
    assert isinstance(resolve(None, None), engine.NumbaEngine) and isinstance(resolve("numba"), engine.NumbaEngine)
    assert resolve("dask").client is client and resolve(None, client).client is client
    chosen = engine.DaskEngine(client, chunk_size=128)
    assert resolve(chosen) is chosen
    with pytest.raises(InputError, match="engine"):
        resolve("spark")
    with pytest.raises(InputError, match="engine='numba'"):
        resolve("numba", client)
    with pytest.raises(InputError, match="not both"):
        resolve(chosen, client)
    monkeypatch.setattr(distributed, "get_client", no_client)
    with pytest.raises(ConfigError, match="tcp://scheduler:8786"):
        resolve("dask")


def _shuffled(cells, seed=3):
    """Rows in random order: partitions are then scattered over the map, borders everywhere."""
    order = np.random.default_rng(seed).permutation(len(cells))
    return cells.iloc[order]


@pytest.mark.parametrize("kind", ["queen", "rook"])
@pytest.mark.parametrize("npartitions", [1, 4])
def test_partitioned_contiguity_equals_libpysal(client, kind, npartitions):
    cells = grid(20, 30)
    # a two-part region (a MultiPolygon) whose parts touch different neighbours
    multi = shapely.MultiPolygon([shapely.box(30, 0, 31, 1), shapely.box(30, 5, 31, 6)])
    cells = pd.concat([cells, gpd.GeoDataFrame(geometry=[multi], index=pd.Index(["m"], name="id"),
                                               crs=cells.crs)])
    for frame in (cells, _shuffled(cells)):
        ref = Graph.build_contiguity(frame.geometry, rook=kind == "rook", strict=False)
        ddf = dask_geopandas.from_geopandas(frame, npartitions=npartitions, sort=False)
        got = partitioned_contiguity(ddf, kind)
        assert list(got.unique_ids) == list(ref.unique_ids)
        assert got.equals(ref)
        assert got.n_edges == ref.n_edges and len(got.isolates) == 1


def test_overlapping_polygons_need_all_keys(client):
    """An exact duplicate hides its edges from the border test; keys='all' still matches."""
    cells = grid(6, 6, island=False)
    dup = gpd.GeoDataFrame(geometry=[cells.geometry.iloc[0]], index=pd.Index(["dup"], name="id"),
                           crs=cells.crs)
    frame = pd.concat([dup, cells])  # "dup" and c00000 land in the first partition
    ref = Graph.build_contiguity(frame.geometry, rook=False, strict=False)
    ddf = dask_geopandas.from_geopandas(frame, npartitions=3, sort=False)
    assert partitioned_contiguity(ddf, "queen", keys="all").equals(ref)
    csr_adj, ids = partitioned_contiguity(ddf, "queen", keys="all", output="csr")
    assert list(ids) == list(ref.unique_ids)
    assert (csr_adj != ref.sparse).nnz == 0


def test_duplicate_ids_across_partitions_named():
    cells = grid(4, 4, island=False)
    frame = pd.concat([cells, cells.iloc[:2]])
    with pytest.raises(InputError, match="c00000, c00001"):
        partitioned_contiguity(dask_geopandas.from_geopandas(frame, npartitions=2, sort=False))
    with pytest.raises(InputError, match="kind"):
        partitioned_contiguity(frame, "knn")


def test_read_partitioned_geoparquet_and_files(client, tmp_path):
    cells = grid(12, 15, island=False)
    cells["code"] = cells.index.str[1:].astype(int)  # numeric ids in the file, strings after reading
    table = cells.reset_index(drop=True)
    for i, part in enumerate(np.array_split(np.arange(len(table)), 3)):
        table.iloc[part].to_parquet(tmp_path / f"part-{i}.parquet")
        table.iloc[part].to_file(tmp_path / f"part-{i}.geojson", driver="GeoJSON")
    expected_ids = [str(c) for c in table["code"]]
    for pattern in ("part-*.parquet", "part-*.geojson"):
        ddf = read_partitioned(str(tmp_path / pattern), id="code")
        assert ddf.npartitions == 3
        frame = ddf.compute()
        assert list(frame.index) == expected_ids and frame.crs == cells.crs
        assert shapely.equals(frame.geometry.values, table.geometry.values).all()
        ref = Graph.build_contiguity(frame.geometry, rook=False, strict=False)
        assert partitioned_contiguity(ddf).equals(ref)
    assert read_partitioned(str(tmp_path / "part-*.parquet"), npartitions=2).npartitions == 2
    # a dataset directory written by dask-geopandas from a frame indexed by id: the index is the id
    cells["v"] = np.arange(len(cells), dtype=float)
    dask_geopandas.from_geopandas(cells, npartitions=3, sort=False).to_parquet(tmp_path / "dataset")
    frame = read_partitioned(tmp_path / "dataset", columns=["v"]).compute()
    assert list(frame.index) == list(cells.index) and list(frame.columns) == ["v", "geometry"]
    with pytest.raises(InputError, match="no file matches"):
        read_partitioned(str(tmp_path / "none-*.parquet"))


def _fails(x):
    raise MemoryError(f"chunk {x} ran out of memory")


def test_failed_chunk_is_named(client):
    futures = {client.submit(_fails, start, pure=False): start for start in (0, 64)}
    with pytest.raises(sc.SpatialClusterError, match=r"chunk starting at observation/permutation (0|64).*MemoryError"):
        list(engine._finished(futures))


def test_same_values_scattered_twice_in_a_row(client, data):
    # Content-hashed scatter keys let a released earlier copy take the new one with it ("lost
    # data"); back-to-back runs on the same values must both finish.
    values = data[0]["v"].to_numpy()
    first = arrays.local_moran(values, csr(data), 9, SEED, client=client)
    for _ in range(5):
        del first
        first = arrays.local_moran(values, csr(data), 9, SEED, client=client)
    assert np.isfinite(first["observed"][:-1]).all()
