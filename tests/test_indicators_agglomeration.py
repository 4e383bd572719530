"""Agglomeration and specialisation indices: hand-worked cases, textbook bounds and identities, and
Ellison & Glaeser's (1997) dartboard.

Tolerances: exact fractions and closed forms to 1e-12 (double rounding); the dartboard mean within
2 simulation standard errors of 0, as Ellison & Glaeser (1997, Proposition 1) derive E[gamma] = 0.
"""

from __future__ import annotations

from fractions import Fraction as Fr

import numpy as np
import pandas as pd
import pytest

import spatialcluster as sc
from spatialcluster import InputError

TIGHT = dict(rel=0, abs=1e-12)

# 3 regions with total employment 50, 30, 20 (x = 0.5, 0.3, 0.2) and one industry of 5 plants.
TOTAL = {"A": 50, "B": 30, "C": 20}
PLANTS = pd.DataFrame({"region": ["A", "A", "A", "B", "C"], "industry": "steel",
                       "plant": ["p1", "p2", "p3", "p4", "p5"], "jobs": [3, 3, 2, 1, 1]})


def test_eg_gamma_three_regions_five_plants_by_hand():
    """Hand-worked (Ellison & Glaeser 1997, eq. 5): s = (8, 1, 1)/10, x = (5, 3, 2)/10,
    G = 0.3^2 + 0.2^2 + 0.1^2 = 0.14, H = (9 + 9 + 4 + 1 + 1)/100 = 0.24, sum x^2 = 0.38,
    gamma = (0.14 - 0.62 * 0.24) / (0.62 * 0.76) = -0.0088 / 0.4712."""
    res = sc.agglomeration(PLANTS, region="region", industry="industry", value="jobs", plant="plant", total=TOTAL)
    row = res.industries.loc["steel"]
    G, H, sx2 = Fr(14, 100), Fr(24, 100), Fr(38, 100)
    gamma = (G - (1 - sx2) * H) / ((1 - sx2) * (1 - H))
    assert row["G"] == pytest.approx(float(G), **TIGHT)
    assert row["H"] == pytest.approx(float(H), **TIGHT)
    assert row["gamma"] == pytest.approx(float(gamma), **TIGHT)
    assert float(gamma) == pytest.approx(-0.0088 / 0.4712, rel=1e-12)
    assert res.variant == "plants" and "plant Herfindahl" in res.summary()
    # the other indices of the same industry, by hand: Hoover 1/2 (0.3 + 0.2 + 0.1) = 0.3,
    # Herfindahl 0.64 + 0.01 + 0.01 = 0.66, Krugman dissimilarity 2 * Hoover
    assert row["hoover"] == pytest.approx(0.3, **TIGHT)
    assert row["herfindahl"] == pytest.approx(0.66, **TIGHT)
    assert row["krugman"] == pytest.approx(0.6, **TIGHT)


def test_eg_variants_without_plant_sizes():
    """Without plants: H = 0, gamma = G / (1 - sum x^2); with plant counts: H = 1/N."""
    long = PLANTS.groupby(["region", "industry"], as_index=False)["jobs"].sum()
    none = sc.agglomeration(long, region="region", industry="industry", value="jobs", total=TOTAL)
    assert none.variant == "no_plants"
    assert none.industries.loc["steel", "gamma"] == pytest.approx(0.14 / 0.62, **TIGHT)
    counts = sc.agglomeration(long, region="region", industry="industry", value="jobs", total=TOTAL,
                              n_plants={"steel": 5})
    assert counts.variant == "equal_plants"
    assert counts.industries.loc["steel", "gamma"] == pytest.approx((0.14 - 0.62 * 0.2) / (0.62 * 0.8), **TIGHT)


def test_dartboard_mean_gamma_is_zero_within_two_standard_errors():
    """Ellison & Glaeser (1997): plants thrown at regions with probability x_i (the regions' shares
    of total employment) give E[gamma] = 0. 1,500 simulated industries of 12 lognormal plants over
    15 regions, one call; |mean| < 2 SE. Industries put in one region are 'high'."""
    rng = np.random.default_rng(20260101)
    n_reg, n_ind, n_pl = 15, 1500, 12
    x = rng.dirichlet(np.full(n_reg, 2.0))
    regions = np.array([f"r{i:02d}" for i in range(n_reg)])
    rows = pd.DataFrame({
        "region": regions[rng.choice(n_reg, size=n_ind * n_pl, p=x)],
        "industry": np.repeat([f"i{j:04d}" for j in range(n_ind)], n_pl),
        "plant": np.tile(np.arange(n_pl), n_ind),
        "jobs": rng.lognormal(3, 1, n_ind * n_pl),
    })
    res = sc.agglomeration(rows, region="region", industry="industry", value="jobs", plant="plant",
                           total=dict(zip(regions, x * 1e6, strict=True)))
    gamma = res.industries["gamma"]
    se = gamma.std(ddof=1) / np.sqrt(gamma.size)
    assert abs(gamma.mean()) < 2 * se, (gamma.mean(), se)
    # the same industry all in one region: strongly localised
    lumped = rows[rows.industry == "i0000"].assign(region="r00", industry="lumped")
    res2 = sc.agglomeration(pd.concat([rows, lumped]), region="region", industry="industry", value="jobs",
                            plant="plant", total=dict(zip(regions, x * 1e6, strict=True)))
    assert res2.industries.loc["lumped", "eg_class"] == "high"


def _lorenz_gini(s, x):
    """Locational Gini as 1 - sum (X_k - X_k-1)(Y_k + Y_k-1) over regions sorted by s/x (the area form)."""
    order = np.argsort(s / x)
    X = np.concatenate([[0], np.cumsum(x[order])])
    Y = np.concatenate([[0], np.cumsum(s[order])])
    return 1 - np.sum(np.diff(X) * (Y[1:] + Y[:-1]))


def test_locational_gini_bounds_identities_and_lorenz_area():
    """0 for an industry spread like total employment; 1 - x_i when all of it sits in region i
    (Krugman 1991); equal to the Lorenz-area computation on a random table."""
    base = pd.DataFrame({"other": [50.0, 30.0, 20.0]}, index=["A", "B", "C"])
    like = base.assign(same=base["other"] * 0.1, lumped=[0.0, 0.0, 10.0])
    res = sc.agglomeration(like, total=base["other"])
    x = res.regions["share"].to_numpy()
    assert x == pytest.approx([0.5, 0.3, 0.2], rel=1e-15)
    assert res.industries.loc["same", "gini"] == pytest.approx(0.0, **TIGHT)
    assert res.industries.loc["same", "hoover"] == pytest.approx(0.0, **TIGHT)
    assert res.industries.loc["lumped", "gini"] == pytest.approx(1 - x[2], **TIGHT)
    assert res.industries.loc["lumped", "hoover"] == pytest.approx(1 - x[2], **TIGHT)
    assert res.industries.loc["lumped", "herfindahl"] == pytest.approx(1.0, **TIGHT)
    rng = np.random.default_rng(3)
    wide = pd.DataFrame(rng.integers(0, 50, (12, 6)).astype(float) + 1, index=[f"r{i}" for i in range(12)],
                        columns=[f"i{j}" for j in range(6)])
    res = sc.agglomeration(wide)
    x = res.regions["share"].to_numpy()
    for col in wide:
        s = (wide[col] / wide[col].sum()).to_numpy()
        assert res.industries.loc[col, "gini"] == pytest.approx(_lorenz_gini(s, x), rel=1e-12)
        assert res.industries.loc[col, "herfindahl"] >= 1 / 12 - 1e-15
    # uniform shares: Herfindahl = 1/n
    flat = sc.agglomeration(pd.DataFrame({"a": [1.0] * 4, "b": [1.0, 2.0, 3.0, 4.0]}, index=list("wxyz")))
    assert flat.industries.loc["a", "herfindahl"] == pytest.approx(0.25, **TIGHT)


def test_coagglomeration_hand_case_and_identity():
    """gamma^c_jk = sum (s_ij - x_i)(s_ik - x_i) / (1 - sum x^2) (Ellison, Glaeser & Kerr 2010): a
    hand case, and gamma^c_jj equals the H = 0 gamma of j."""
    wide = pd.DataFrame({"a": [6.0, 2.0, 2.0], "b": [2.0, 6.0, 2.0], "c": [42.0, 22.0, 16.0]}, index=["A", "B", "C"])
    res = sc.agglomeration(wide)
    x = np.array([50, 30, 20]) / 100
    sa, sb = np.array([0.6, 0.2, 0.2]), np.array([0.2, 0.6, 0.2])
    expected = np.sum((sa - x) * (sb - x)) / (1 - np.sum(x**2))  # (0.1 * -0.3 + -0.1 * 0.3 + 0) / 0.62
    assert expected == pytest.approx(-0.06 / 0.62, rel=1e-12)
    assert res.coagglomeration.loc["a & b", "gamma_c"] == pytest.approx(expected, **TIGHT)
    assert res.industries.loc["a", "gamma"] == pytest.approx(np.sum((sa - x) ** 2) / 0.62, **TIGHT)


def test_krugman_specialisation_hand_case_and_bounds():
    """Krugman (1991): K_i = sum_j |z_ij - z_j| vs the nation, vs the rest of the nation (EconGeo's
    Krugman.index), and between regions; disjoint structures give 2; dissimilarity of disjoint
    industries is 2."""
    wide = pd.DataFrame({"agri": [8.0, 2.0, 0.0], "manu": [2.0, 8.0, 0.0], "serv": [0.0, 0.0, 10.0]},
                        index=["A", "B", "C"])
    res = sc.agglomeration(wide)
    # national shares (10, 10, 10)/30 = 1/3 each; z_A = (0.8, 0.2, 0)
    assert res.regions.loc["A", "krugman_nation"] == pytest.approx(abs(0.8 - 1 / 3) + abs(0.2 - 1 / 3) + 1 / 3, **TIGHT)
    # rest of A: B + C = (2, 8, 10)/20
    assert res.regions.loc["A", "krugman_rest"] == pytest.approx(abs(0.8 - 0.1) + abs(0.2 - 0.4) + 0.5, **TIGHT)
    between = res.krugman_between()
    assert between.loc["A", "B"] == pytest.approx(1.2, **TIGHT) and between.loc["A", "C"] == pytest.approx(2.0, **TIGHT)
    assert np.allclose(between, between.T) and np.allclose(np.diag(between), 0)
    dis = res.dissimilarity()
    assert dis.loc["agri", "serv"] == pytest.approx(2.0, **TIGHT)
    assert dis.loc["agri", "manu"] == pytest.approx(1.2, **TIGHT)


def test_agglomeration_refuses_bad_input_by_name():
    long = pd.DataFrame({"r": ["A", "B", "A", "B"], "i": ["x", "x", "y", "y"], "v": [1.0, 2.0, 0.0, 0.0]})
    with pytest.raises(InputError, match="industries with zero total.*y"):
        sc.agglomeration(long, region="r", industry="i", value="v")
    with pytest.raises(InputError, match="negative.*B / x"):
        sc.agglomeration(long.assign(v=[1.0, -2.0, 1.0, 1.0]), region="r", industry="i", value="v")
    with pytest.raises(InputError, match="n_plants.*y"):
        sc.agglomeration(long.assign(v=1.0), region="r", industry="i", value="v", n_plants={"x": 3})
    with pytest.raises(InputError, match="plants listed twice"):
        sc.agglomeration(PLANTS.assign(plant="p1"), region="region", industry="industry", value="jobs", plant="plant")


def test_agglomeration_result_protocol():
    import json

    res = sc.agglomeration(PLANTS, region="region", industry="industry", value="jobs", plant="plant", total=TOTAL)
    json.dumps(res.to_record())
    assert res.counts().sum() == 1 and list(res.counts().index) == ["low", "moderate", "high"]
    assert res.plot().get_xlabel() == "gamma"
    pd.testing.assert_frame_equal(res.to_frame(), res.industries)
