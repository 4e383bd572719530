"""Where the cluster is: standard deviational ellipse (ArcGIS's documented formula, pointpats),
local join counts (esda's Join_Counts_Local on libpysal's bundled columbus data) and contiguous
regionalisation (spopt on its own mexico example, bundled with libpysal).

Tolerances: the ellipse 1e-9 relative (two floating-point routes to the same closed form); join
counts and regions exactly (same integer counts, same permutations, same labels).
"""

from __future__ import annotations

import importlib
import json
import os

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph

import spatialcluster as sc
from spatialcluster import InputError

def _need(module: str):
    """An optional dependency of the test extra: skip when absent, but fail under CI."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"{module} (test extra) is not installed")


PTS = np.array([[0.0, 0.0], [4.0, 2.0], [2.0, 4.0], [6.0, 6.0], [8.0, 5.0], [3.0, 1.0]]) * 1000 + [500000, 3000000]
W = np.array([1.0, 2.0, 1.0, 3.0, 1.0, 2.0])


def _points(pts=PTS, w=W, crs="EPSG:32650", **cols):
    return gpd.GeoDataFrame({"w": w, **cols}, geometry=gpd.points_from_xy(pts[:, 0], pts[:, 1]), crs=crs,
                            index=[f"p{i}" for i in range(len(pts))])


def _arcgis(pts, w):
    """ArcGIS Pro, "How Directional Distribution (Standard Deviational Ellipse) works", weighted:
    tan(theta) = (A + B) / C, A = sum w x~^2 - sum w y~^2, B = sqrt(A^2 + 4 (sum w x~y~)^2), C = 2 sum w x~y~;
    sigma_x = sqrt(2) sqrt(sum w (x~ cos - y~ sin)^2 / sum w), sigma_y = sqrt(2) sqrt(sum w (x~ sin + y~ cos)^2 / sum w);
    sigma_y lies along theta clockwise from north."""
    cx, cy = np.average(pts[:, 0], weights=w), np.average(pts[:, 1], weights=w)
    x, y = pts[:, 0] - cx, pts[:, 1] - cy
    A = np.sum(w * x * x) - np.sum(w * y * y)
    C = 2 * np.sum(w * x * y)
    B = np.sqrt(A * A + C * C)
    theta = np.arctan((A + B) / C)
    sx = np.sqrt(2) * np.sqrt(np.sum(w * (x * np.cos(theta) - y * np.sin(theta)) ** 2) / w.sum())
    sy = np.sqrt(2) * np.sqrt(np.sum(w * (x * np.sin(theta) + y * np.cos(theta)) ** 2) / w.sum())
    az = np.rad2deg(theta)
    major, minor, azimuth = (sy, sx, az) if sy >= sx else (sx, sy, az + 90)
    return cx, cy, major, minor, azimuth % 180


def test_ellipse_equals_arcgis_formula_on_a_hand_case():
    res = sc.standard_ellipse(_points(), weights="w")
    cx, cy, major, minor, az = _arcgis(PTS, W)
    row = res.frame.iloc[0]
    assert row["x"] == pytest.approx(cx, rel=1e-12) and row["y"] == pytest.approx(cy, rel=1e-12)
    assert row["x"] == pytest.approx(np.sum(W * PTS[:, 0]) / W.sum(), rel=1e-14)  # centre = weighted mean
    assert row["sigma_major"] == pytest.approx(major, rel=1e-9)
    assert row["sigma_minor"] == pytest.approx(minor, rel=1e-9)
    assert row["angle"] == pytest.approx(az, abs=1e-7)
    assert row["area"] == pytest.approx(np.pi * major * minor, rel=1e-9)
    # the same axes without sqrt(2): Yuill's convention
    plain = sc.standard_ellipse(_points(), weights="w", sqrt2=False).frame.iloc[0]
    assert plain["sigma_major"] == pytest.approx(major / np.sqrt(2), rel=1e-9)


def test_ellipse_axes_equal_pointpats():
    """pointpats.centrography.ellipse(method="yuill", crimestatCorr=True/False, degfreedCorr=False)."""
    ellipse = _need("pointpats.centrography").ellipse

    for sqrt2 in (True, False):
        ours = sc.standard_ellipse(_points(), weights="w", sqrt2=sqrt2).frame.iloc[0]
        major, minor, _ = ellipse(PTS, weights=W, method="yuill", crimestatCorr=sqrt2, degfreedCorr=False)
        assert ours["sigma_major"] == pytest.approx(major, rel=1e-9)
        assert ours["sigma_minor"] == pytest.approx(minor, rel=1e-9)


def test_ellipse_along_a_line_and_periods_with_shift():
    """Points on the north-east diagonal: azimuth 45, minor axis 0; two periods: the centre's shift."""
    line = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]) * 1000 + [500000, 3000000]
    res = sc.standard_ellipse(_points(line, np.ones(4)))
    assert res.frame["angle"].iloc[0] == pytest.approx(45.0, abs=1e-9)
    assert res.frame["sigma_minor"].iloc[0] == pytest.approx(0.0, abs=1e-6)
    two = pd.concat([_points(line, np.ones(4), year=2000), _points(line + [0, 3000], np.ones(4), year=2010)])
    res = sc.standard_ellipse(two, time="year")
    assert list(res.frame.index) == [2000, 2010]
    assert res.frame.loc[2010, "shift"] == pytest.approx(3000.0, rel=1e-12)
    assert res.frame.loc[2010, "shift_azimuth"] == pytest.approx(0.0, abs=1e-9)  # due north
    assert len(res.ellipses) == 2 and res.ellipses.crs == two.crs
    json.dumps(res.to_record())
    assert res.plot(regions=None).get_title().startswith("Standard deviational ellipse")


def test_ellipse_periods_follow_the_users_order_or_natural_order():
    """Periods are not sorted as text: a categorical keeps its order (the shift follows it), and text
    labels sort with their digits read as numbers ("gdp_9" before "gdp_10"). Hand case: the same
    points 3 km further north in the second set, so the centre moves 3000 m due north or due south."""
    line = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]) * 1000 + [500000, 3000000]
    south, north = _points(line, np.ones(4)), _points(line + [0, 3000], np.ones(4))
    order = ["gdp_2019", "gdp_2005"]  # as a user listed them, against the alphabet
    two = pd.concat([south.assign(period="gdp_2005"), north.assign(period="gdp_2019")])
    two["period"] = pd.Categorical(two["period"], categories=order)
    res = sc.standard_ellipse(two, time="period")
    assert list(res.frame.index) == order
    assert res.frame.loc["gdp_2005", "shift"] == pytest.approx(3000.0, rel=1e-12)
    assert res.frame.loc["gdp_2005", "shift_azimuth"] == pytest.approx(180.0, abs=1e-9)  # 2019 -> 2005: south
    assert list(res.ellipses.index) == order
    labels = ["gdp_10", "gdp_9", "gdp_2005"]
    three = pd.concat([south.assign(period=labels[0]), north.assign(period=labels[1]), south.assign(period=labels[2])])
    res = sc.standard_ellipse(three, time="period")
    assert list(res.frame.index) == ["gdp_9", "gdp_10", "gdp_2005"]
    assert res.frame.loc["gdp_10", "shift_azimuth"] == pytest.approx(180.0, abs=1e-9)  # gdp_9 (north) -> gdp_10


def test_ellipse_refuses_geographic_or_missing_crs():
    with pytest.raises(InputError, match="geographic coordinates.*projected"):
        sc.standard_ellipse(_points(PTS / 1e5, crs="EPSG:4326"))
    with pytest.raises(InputError, match="no CRS"):
        sc.standard_ellipse(_points(crs=None))
    with pytest.raises(InputError, match="negative"):
        sc.standard_ellipse(_points(w=-W), weights="w")


def _columbus():
    df = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    df["high"] = (df["CRIME"] > df["CRIME"].median()).astype(int)
    return df


def test_local_join_counts_equal_esda_on_columbus():
    """Join counts and pseudo p-values equal esda's Join_Counts_Local (its permutation seed drawn from
    numpy's global generator, which we replay)."""
    import esda

    df = _columbus()
    w = Graph.build_contiguity(df, rook=False)
    np.random.seed(11)
    seed = np.random.randint(12345, 12345000)  # what esda's crand draws when given no seed
    np.random.seed(11)
    ref = esda.Join_Counts_Local(connectivity=w).fit(df["high"].to_numpy())
    ours = sc.local_join_counts(df, "high", w, permutations=999, seed=seed, inference="permutation")
    np.testing.assert_array_equal(ours.frame["LJC"].to_numpy(), ref.LJC)
    np.testing.assert_array_equal(ours.frame["p_sim"].to_numpy(), ref.p_sim)
    again = sc.local_join_counts(df, "high", w, seed=seed, inference="permutation")
    pd.testing.assert_frame_equal(again.frame, ours.frame)
    assert ours.counts().sum() == len(df)
    # the exact (hypergeometric) p-value is the limit of esda's: within 4 Monte Carlo SE at R = 9,999
    exact = sc.local_join_counts(df, "high", w).frame["p_sim"].to_numpy()
    many = esda.Join_Counts_Local(connectivity=w, permutations=9999).fit(df["high"].to_numpy(), permutations=9999)
    has = np.isfinite(exact)
    assert np.array_equal(has, np.isfinite(many.p_sim)) and has.sum() > 10
    se = np.sqrt(exact[has] * (1 - exact[has]) / 10000) + 1 / 10000
    assert np.all(np.abs(many.p_sim[has] - exact[has]) < 4 * se)


def test_local_join_counts_by_definition_with_string_ids():
    """LJC_i = x_i sum_j w_ij x_j (binary weights), also for string ids whose sorted order differs
    from the graph's ("1", "10", "11", ..., "2"): esda alone puts those counts on the wrong regions."""
    df = _columbus()
    df.index = (df.index + 1).astype(str)
    w = Graph.build_contiguity(df, rook=False)
    res = sc.local_join_counts(df, "high", w, seed=1)
    A = (w.sparse.toarray() > 0).astype(float)
    y = df["high"].to_numpy()
    np.testing.assert_array_equal(res.frame["LJC"].to_numpy(), y * (A @ y))
    assert (res.frame.loc[res.frame["label"] == "cluster", "value"] == 1).all()
    with pytest.raises(InputError, match="binary"):
        sc.local_join_counts(df, "CRIME", w)


def _mexico():
    mx = gpd.read_file(libpysal.examples.get_path("mexicojoin.shp"))
    mx["count"] = 1
    return mx, [f"PCGDP{y}" for y in range(1950, 2010, 10)]


def test_skater_equals_spopt_on_its_mexico_example():
    """spopt's SKATER on the mexico example (5 regions, floor 3; deterministic)."""
    Skater = _need("spopt.region").Skater  # noqa: N806

    mx, attrs = _mexico()
    ref = Skater(mx, libpysal.weights.Queen.from_dataframe(mx), attrs, n_clusters=5, floor=3)
    ref.solve()
    ours = sc.regionalize(mx, attrs, Graph.build_contiguity(mx, rook=False), method="skater", n_regions=5, floor=3,
                          standardize=False)
    assert pd.crosstab(ours.labels.to_numpy(), np.asarray(ref.labels_)).gt(0).sum(axis=1).eq(1).all()
    assert ours.counts().size == 5


def test_maxp_equals_spopt_on_its_mexico_example():
    """spopt's MaxPHeuristic on the mexico example (threshold 4 states, top_n 2, seed 123456), given
    the same contiguity; every region reaches the threshold and is contiguous."""
    MaxPHeuristic = _need("spopt.region").MaxPHeuristic  # noqa: N806

    mx, attrs = _mexico()
    g = Graph.build_contiguity(mx, rook=False)
    np.random.seed(123456)
    ref = MaxPHeuristic(mx, g.to_W(), attrs, "count", 4, top_n=2)
    ref.solve()
    ours = sc.regionalize(mx, attrs, g, method="maxp", threshold_column="count", threshold=4, standardize=False,
                          seed=123456)
    same = pd.crosstab(ours.labels.to_numpy(), np.asarray(ref.labels_))
    assert (same.gt(0).sum(axis=1) == 1).all() and (same.gt(0).sum(axis=0) == 1).all()
    assert ours.counts().size == ref.p and (ours.counts() >= 4).all()
    for lab in range(ours.counts().size):
        members = ours.labels.index[ours.labels == lab]
        assert g.subgraph(members).n_components == 1
    json.dumps(ours.to_record())
    with pytest.raises(InputError, match="threshold_column"):
        sc.regionalize(mx, attrs, g, method="maxp")
