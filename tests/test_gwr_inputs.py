"""sc.gwr / sc.mgwr refuse bad input with clear errors, and the sparse path equals the dense one.

The equivalence test is an independent computation: the same fit with the nearest-neighbour
table disabled (every region's distances computed directly, as mgwr does) must agree to 1e-10.
"""

from __future__ import annotations

import numpy as np
import pytest

import spatialcluster as sc
from gwr_fixtures import georgia  # noqa: F401 (fixture)
from spatialcluster import InputError, SpatialClusterWarning
from spatialcluster.models.gwr import _data

X = ["PctRural", "PctPov", "PctBlack"]


def test_bandwidth_smaller_than_parameters(georgia):
    with pytest.raises(InputError, match=r"smaller than the 5 a local regression with 4 parameters"):
        sc.gwr(georgia, y="PctBach", x=X, bandwidth=3, coords=("X", "Y"))
    with pytest.raises(InputError, match="integer"):
        sc.gwr(georgia, y="PctBach", x=X, bandwidth=50.5, coords=("X", "Y"))
    with pytest.raises(InputError, match="more than the 159 regions"):
        sc.gwr(georgia, y="PctBach", x=X, bandwidth=500, coords=("X", "Y"))


def test_coincident_points_under_fixed_kernel(georgia):
    df = georgia.copy()
    df.loc["13003", ["X", "Y"]] = df.loc["13001", ["X", "Y"]].to_numpy()
    with pytest.raises(InputError, match=r"\(13001, 13003\).*fixed=False"):
        sc.gwr(df, y="PctBach", x=X, fixed=True, coords=("X", "Y"))
    # adaptive kernels count coincident neighbours (GWR4's way) and fit
    g = sc.gwr(df, y="PctBach", x=X, bandwidth=90, coords=("X", "Y"))
    assert np.isfinite(g.params.to_numpy()).all()


def test_coincident_groups_are_cut_after_ten(georgia):
    """12 coincident pairs: the message shows 10 groups and counts the other 2."""
    df = georgia.copy()
    for a, b in zip(df.index[0:24:2], df.index[1:24:2]):
        df.loc[b, ["X", "Y"]] = df.loc[a, ["X", "Y"]].to_numpy()
    with pytest.raises(InputError, match=r"24 regions share a location.*\) \.\.\. and 2 more groups\. The minimum"):
        _data.check_fixed_locations(_data.design(df, "PctBach", X, coords=("X", "Y")))


def test_too_few_observations(georgia):
    with pytest.raises(InputError, match="too few observations for GWR: 6 regions for 4 parameters"):
        sc.gwr(georgia.iloc[:6], y="PctBach", x=X, coords=("X", "Y"))


def test_unknown_options_and_columns(georgia):
    with pytest.raises(InputError, match="kernel='tricube'"):
        sc.gwr(georgia, y="PctBach", x=X, kernel="tricube", coords=("X", "Y"))
    with pytest.raises(InputError, match="criterion='R2'"):
        sc.gwr(georgia, y="PctBach", x=X, criterion="R2", coords=("X", "Y"))
    with pytest.raises(InputError, match="search='brent'"):
        sc.gwr(georgia, y="PctBach", x=X, search="brent", coords=("X", "Y"))
    with pytest.raises(InputError, match="'PctPoverty' is not in the data"):
        sc.gwr(georgia, y="PctBach", x=["PctPoverty"], coords=("X", "Y"))
    with pytest.raises(InputError, match="needs a location"):
        sc.gwr(georgia.drop(columns=["X", "Y"]), y="PctBach", x=X)


def test_singular_local_design_names_regions(georgia):
    df = georgia.copy()
    # a regressor that is zero everywhere except in the far north-west: local fits there are fine,
    # elsewhere the column is constant zero and the local design is singular
    far = df["Y"] > df["Y"].quantile(0.9)
    df["north"] = np.where(far, df["PctPov"], 0.0)
    with pytest.raises(InputError, match="singular at bandwidth 20 for regions"):
        sc.gwr(df, y="PctBach", x=["north"], bandwidth=20, coords=("X", "Y"))


def test_local_collinearity_warns(georgia):
    with pytest.warns(SpatialClusterWarning, match="local collinearity: the local condition number exceeds 30"):
        sc.gwr(georgia, y="PctBach", x=["PctPov", "PctEld"], bandwidth=17, coords=("X", "Y"))


@pytest.mark.parametrize("bw", [12, 60, 159])
@pytest.mark.filterwarnings("ignore:local collinearity")
def test_neighbour_table_equals_direct_distances(georgia, monkeypatch, bw):
    monkeypatch.setattr(_data, "NN_SHARE", 1.0)  # the table for every bandwidth, even all regions
    sparse = sc.gwr(georgia, y="PctBach", x=X, bandwidth=bw, coords=("X", "Y"))
    assert _data.Neighbours(sparse._d.coords).table(bw, 0, False)[0].shape[1] >= min(bw + 1, 159)
    monkeypatch.setattr(_data, "NN_BUDGET", 0)
    assert _data.Neighbours(sparse._d.coords).table(bw, 0, False)[0].shape[1] == 0
    dense = sc.gwr(georgia, y="PctBach", x=X, bandwidth=bw, coords=("X", "Y"))
    np.testing.assert_allclose(sparse.params, dense.params, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(sparse.std_err, dense.std_err, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(sparse.local_r2, dense.local_r2, rtol=1e-10, atol=1e-12)


def test_mgwr_bounds_per_coefficient(georgia):
    with pytest.raises(InputError, match="bw_min has 2 entries"):
        sc.mgwr(georgia, y="PctBach", x=X, coords=("X", "Y"), bw_min=[50, 60])


@pytest.mark.parametrize("bw, fixed", [(155, False), (159, False), (150, False), (400000.0, True)])
def test_mgwr_low_rank_smoother_equals_sparse(georgia, bw, fixed):
    """MGWR's low-rank form of a near-global bisquare smoother equals the explicit sparse one."""
    import importlib

    import scipy.sparse as sp

    m = importlib.import_module("spatialcluster.models.gwr.mgwr")
    from spatialcluster.models.gwr._local import outside_bisquare, smoother_csr

    coords = georgia[["X", "Y"]].to_numpy()
    x = georgia["PctPov"].to_numpy() / 10
    n = len(x)
    V = np.random.default_rng(3).normal(size=(n, 7))
    h, den, *csr = outside_bisquare(coords, x, float(bw), fixed)
    low = m._LowRank(coords, x, h, den, sp.csr_matrix((csr[2], csr[1], csr[0]), shape=(n, n)))
    nb = _data.Neighbours(coords, budget=0)
    indptr, indices, data = smoother_csr(coords, x, float(bw), fixed, 0, *nb.empty)
    dense = sp.csr_matrix((data, indices, indptr), shape=(n, n)) @ V
    np.testing.assert_allclose(low @ V, dense, rtol=0, atol=1e-10 * np.abs(dense).max())
    np.testing.assert_allclose(m._Blocks(sp.csr_matrix((data, indices, indptr), shape=(n, n))) @ V, dense,
                               rtol=0, atol=1e-12 * np.abs(dense).max())


def test_mgwr_warns_when_backfitting_stops_early(georgia):
    with pytest.warns(SpatialClusterWarning, match="stopped after max_iter=1 iterations without converging"):
        m = sc.mgwr(georgia, y="PctBach", x=["PctFB", "PctRural"], coords=("X", "Y"), max_iter=1, standardize=True)
    assert len(m.scores) == 1
    with pytest.raises(InputError, match="init_bandwidth=2 neighbours is smaller"):
        sc.mgwr(georgia, y="PctBach", x=["PctFB", "PctRural"], coords=("X", "Y"), init_bandwidth=2)
