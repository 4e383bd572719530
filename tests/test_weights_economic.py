"""Economic-distance, nested economic-geographic, inverse-squared-distance and gravity weights.

Reference values are worked by hand on three regions (issue 13, "Weights: a 3-region case
worked by hand"), exact up to floating point (rel 1e-12):

* three unit squares in a row, a - b - c, in UTM 50N (metres), centroids 1000 m apart;
* Y = (1, 2, 4) per region (a predetermined variable, e.g. mean per-capita GDP).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

import spatialcluster as sc
from spatialcluster.weights import build_info

IDS = ["a", "b", "c"]
Y = np.array([1.0, 2.0, 4.0])


@pytest.fixture
def three():
    geoms = [box(500_000 + 1000 * i, 3_000_000, 500_000 + 1000 * (i + 1), 3_001_000) for i in range(3)]
    return gpd.GeoDataFrame({"gdp": Y}, geometry=geoms, crs="EPSG:32650", index=pd.Index(IDS))


def dense(w) -> np.ndarray:
    return w.sparse.toarray()


def test_economic_distance_by_hand(three):
    """|Y_i - Y_j| = 1, 3, 2 for (a,b), (a,c), (b,c): weights 1, 1/3, 1/2."""
    expected = np.array([[0, 1, 1 / 3], [1, 0, 1 / 2], [1 / 3, 1 / 2, 0]])
    w = sc.build_weights(three, "economic", variable="gdp", transform="o")
    np.testing.assert_allclose(dense(w), expected, rtol=1e-12)
    assert (dense(w) == dense(w).T).all()  # symmetric
    r = sc.build_weights(pd.DataFrame({"gdp": Y}, index=IDS), "economic", variable="gdp")  # no geometry needed
    np.testing.assert_allclose(dense(r), expected / expected.sum(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(dense(r).sum(axis=1), 1.0, rtol=1e-12)
    assert build_info(r).params == {"variable": "gdp"}


def test_economic_distance_from_a_series(three):
    series = pd.Series([4.0, 2.0, 1.0], index=["c", "b", "a"], name="pcgdp_mean")
    w = sc.build_weights(three.drop(columns="gdp"), "economic", variable=series, transform="o")
    np.testing.assert_allclose(dense(w)[0], [0, 1, 1 / 3], rtol=1e-12)


def test_economic_ties_are_refused_naming_the_regions(three):
    three["gdp"] = [1.0, 2.0, 2.0]
    with pytest.raises(sc.WeightsError, match=r"infinite for regions with equal 'gdp': b = c \(2\).*refused, not capped"):
        sc.build_weights(three, "economic", variable="gdp")


def test_economic_bad_variable(three):
    with pytest.raises(sc.InputError, match="economic weights need variable="):
        sc.build_weights(three, "economic")
    with pytest.raises(sc.InputError, match=r"no column 'pcgdp'"):
        sc.build_weights(three, "economic", variable="pcgdp")
    with pytest.raises(sc.WeightsError, match=r"no value for regions c"):
        sc.build_weights(three, "economic", variable=pd.Series([1.0, 2.0], index=["a", "b"], name="y"))
    three.loc["b", "gdp"] = np.inf
    with pytest.raises(sc.InputError, match=r"'gdp' is missing, non-numeric or infinite for regions b"):
        sc.build_weights(three, "economic", variable="gdp")


def test_nested_by_hand(three):
    """Queen W_geo links a-b, b-c. Ybar = 7/3, so w_ij = w_geo_ij * Y_j / Ybar:
    a-b: 2 / (7/3) = 6/7; b-a: 3/7; b-c: 12/7; c-b: 6/7. Row-standardised:
    row a (0, 1, 0); row b (3/7, 0, 12/7) / (15/7) = (1/5, 0, 4/5); row c (0, 1, 0)."""
    raw = sc.build_weights(three, "nested", variable="gdp", transform="o")
    np.testing.assert_allclose(dense(raw), [[0, 6 / 7, 0], [3 / 7, 0, 12 / 7], [0, 6 / 7, 0]], rtol=1e-12)
    assert not (dense(raw) == dense(raw).T).all()  # not symmetric, by construction
    w = sc.build_weights(three, "nested", variable="gdp")
    np.testing.assert_allclose(dense(w), [[0, 1, 0], [0.2, 0, 0.8], [0, 1, 0]], rtol=1e-12)
    np.testing.assert_allclose(dense(w).sum(axis=1), 1.0, rtol=1e-12)
    assert build_info(w).params == {"variable": "gdp", "base": "queen"}


def test_nested_on_inverse_distance(three):
    """base inverse distance: d = 1000, 2000, 1000 m; w_geo_ac = 1/2000; Ybar = 7/3."""
    raw = sc.build_weights(three, "nested", variable="gdp", base="inverse_distance", transform="o")
    geo = np.array([[0, 1 / 1000, 1 / 2000], [1 / 1000, 0, 1 / 1000], [1 / 2000, 1 / 1000, 0]])
    np.testing.assert_allclose(dense(raw), geo * Y[None, :] / (7 / 3), rtol=1e-12)
    with pytest.raises(sc.InputError, match="must be positive .* regions a"):
        sc.build_weights(three.assign(gdp=[-1.0, 2, 4]), "nested", variable="gdp")
    with pytest.raises(sc.InputError, match="base='economic'"):
        sc.build_weights(three, "nested", variable="gdp", base="economic")


def test_inverse_distance_squared_by_hand(three):
    """1 / d^2 with d in metres: 1e-6, 2.5e-7, 1e-6."""
    w = sc.build_weights(three, "inverse_distance_squared", transform="o")
    expected = np.array([[0, 1e-6, 2.5e-7], [1e-6, 0, 1e-6], [2.5e-7, 1e-6, 0]])
    np.testing.assert_allclose(dense(w), expected, rtol=1e-12)
    assert (dense(w) == dense(w).T).all()
    r = sc.build_weights(three, "idw2")
    np.testing.assert_allclose(dense(r), [[0, 0.8, 0.2], [0.5, 0, 0.5], [0.2, 0.8, 0]], rtol=1e-12)
    assert build_info(r).kind == "inverse_distance_squared" and build_info(r).params["power"] == 2.0


def test_gravity_by_hand(three):
    """Y_i Y_j / d^2: a-b 2/1e6, a-c 4/4e6 = 1e-6, b-c 8/1e6. Row-standardised:
    a (0, 2/3, 1/3); b (2/10, 0, 8/10); c (1/9, 8/9, 0)."""
    raw = sc.build_weights(three, "gravity", variable="gdp", transform="o")
    np.testing.assert_allclose(dense(raw), [[0, 2e-6, 1e-6], [2e-6, 0, 8e-6], [1e-6, 8e-6, 0]], rtol=1e-12)
    assert np.allclose(dense(raw), dense(raw).T, rtol=1e-14, atol=0)
    w = sc.build_weights(three, "gravity", variable="gdp")
    np.testing.assert_allclose(dense(w), [[0, 2 / 3, 1 / 3], [0.2, 0, 0.8], [1 / 9, 8 / 9, 0]], rtol=1e-12)
    np.testing.assert_allclose(dense(w).sum(axis=1), 1.0, rtol=1e-12)
    # within a threshold: a-c (2000 m) is cut
    cut = sc.build_weights(three, "gravity", variable="gdp", threshold=1500, transform="o")
    np.testing.assert_allclose(dense(cut), [[0, 2e-6, 0], [2e-6, 0, 8e-6], [0, 8e-6, 0]], rtol=1e-12)


def test_gravity_with_a_distance_matrix(three):
    """Railway kilometres instead of centroid metres: d_ab = 2, d_ac = 4, d_bc = 1."""
    d = pd.DataFrame([[0, 2, 4], [2, 0, 1], [4, 1, 0]], index=IDS, columns=IDS, dtype=float)
    w = sc.build_weights(three, "gravity", variable="gdp", matrix=d, transform="o")
    np.testing.assert_allclose(dense(w), [[0, 0.5, 0.25], [0.5, 0, 8], [0.25, 8, 0]], rtol=1e-12)
