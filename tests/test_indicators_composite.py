"""Composite indices (entropy weights, TOPSIS) against a hand-worked 3 x 3 case, and their identities.

Hand case (Zou, Yun & Sun 2006 for the entropy method; Hwang & Yoon 1981 for TOPSIS): three regions,
indicators a (positive) = 1, 2, 3; b (positive) = 10, 10, 40; c (negative) = 5, 3, 1. Min-max with
direction gives a' = c' = (0, 1/2, 1) and b' = (0, 0, 1); p(a) = (0, 1/3, 2/3), p(b) = (0, 0, 1), so
e_a = e_c = -(1/3 ln 1/3 + 2/3 ln 2/3) / ln 3 and e_b = 0. Tolerances 1e-12 (closed forms).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import spatialcluster as sc
from spatialcluster import InputError

TIGHT = dict(rel=0, abs=1e-12)
HAND = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [10.0, 10.0, 40.0], "c": [5.0, 3.0, 1.0]}, index=["r1", "r2", "r3"])


def _hand_weights():
    e_ac = -(1 / 3 * math.log(1 / 3) + 2 / 3 * math.log(2 / 3)) / math.log(3)
    d = np.array([1 - e_ac, 1.0, 1 - e_ac])
    return d / d.sum()


def test_entropy_score_hand_worked_3x3():
    res = sc.composite_index(HAND, ["a", "b", "c"], negative=["c"])
    w = _hand_weights()
    np.testing.assert_allclose(res.weights["weight"], w, rtol=0, atol=1e-12)
    assert res.weights["weight"].sum() == pytest.approx(1.0, **TIGHT)
    assert list(res.weights["direction"]) == ["positive", "positive", "negative"]
    assert res.score["r1"] == pytest.approx(0.0, **TIGHT)
    assert res.score["r3"] == pytest.approx(1.0, **TIGHT)
    assert res.score["r2"] == pytest.approx(0.5 * w[0] + 0.5 * w[2], **TIGHT)
    assert list(res.frame["rank"]) == [3, 2, 1]


def test_topsis_hand_worked_3x3():
    res = sc.composite_index(HAND, ["a", "b", "c"], negative=["c"], method="topsis")
    w = _hand_weights()
    # r2: v = (w_a/2, 0, w_c/2); ideal (w_a, w_b, w_c), anti-ideal 0
    d_best = math.sqrt((w[0] / 2) ** 2 + w[1] ** 2 + (w[2] / 2) ** 2)
    d_worst = math.sqrt((w[0] / 2) ** 2 + (w[2] / 2) ** 2)
    assert res.frame.loc["r2", "d_best"] == pytest.approx(d_best, **TIGHT)
    assert res.score["r2"] == pytest.approx(d_worst / (d_best + d_worst), **TIGHT)
    assert res.score["r1"] == pytest.approx(0.0, **TIGHT) and res.score["r3"] == pytest.approx(1.0, **TIGHT)


def test_entropy_weights_are_invariant_to_rescaling_an_indicator():
    """Min-max standardisation removes units: yuan -> 10,000 yuan (and a shift) changes nothing."""
    rng = np.random.default_rng(5)
    df = pd.DataFrame(rng.lognormal(0, 1, (30, 4)), columns=list("wxyz"), index=[f"r{i}" for i in range(30)])
    base = sc.composite_index(df, list(df), negative=["z"])
    scaled = sc.composite_index(df.assign(x=df["x"] * 1e-4 + 7.0, z=df["z"] * 1000.0), list(df), negative=["z"])
    # 1e-9: x * 1e-4 + 7 keeps only ~12 significant digits of x
    np.testing.assert_allclose(scaled.weights["weight"], base.weights["weight"], rtol=1e-9)
    np.testing.assert_allclose(scaled.score, base.score, rtol=1e-9)
    assert base.weights["weight"].sum() == pytest.approx(1.0, **TIGHT)
    assert (base.score.between(0, 1)).all()


def test_coupling_coordination_takes_composite_indices_as_systems():
    """U_i are the indices' scores as they are; C = 2 sqrt(U1 U2) / (U1 + U2), D = sqrt(C T)."""
    rng = np.random.default_rng(6)
    df = pd.DataFrame(rng.uniform(1, 9, (12, 4)), columns=["u1", "u2", "e1", "e2"], index=[f"r{i}" for i in range(12)])
    urban = sc.composite_index(df, ["u1", "u2"], name="urbanization")
    econ = sc.composite_index(df, ["e1", "e2"], method="topsis", name="economy")
    cc = sc.coupling_coordination(df, {"urbanization": urban, "economy": econ})
    u1, u2 = urban.score.to_numpy(), econ.score.to_numpy()
    np.testing.assert_allclose(cc.frame["U_urbanization"], u1, rtol=0, atol=1e-15)
    C = np.where(u1 + u2 > 0, 2 * np.sqrt(u1 * u2) / (u1 + u2), 0)
    np.testing.assert_allclose(cc.frame["D"], np.sqrt(C * (u1 + u2) / 2), rtol=1e-12, atol=1e-15)
    assert set(cc.weights["system"]) == {"urbanization", "economy"}
    # a list-defined subsystem next to an index gives the same U as the list alone
    mixed = sc.coupling_coordination(df, {"urbanization": ["u1", "u2"], "economy": econ})
    np.testing.assert_allclose(mixed.frame["U_urbanization"], u1, rtol=1e-12)


def test_composite_refuses_constant_indicator_and_bad_options():
    with pytest.raises(InputError, match="indicators b are constant.*entropy weight are undefined"):
        sc.composite_index(HAND.assign(b=2.0), ["a", "b"])
    with pytest.raises(InputError, match="method"):
        sc.composite_index(HAND, ["a", "b"], method="ahp")
    with pytest.raises(InputError, match="standardisation"):
        sc.composite_index(HAND, ["a", "b"], standardisation="zscore")
    with pytest.raises(InputError, match="negative= names columns that are not indicators: z"):
        sc.composite_index(HAND, ["a", "b"], negative=["z"])
    with pytest.raises(InputError, match="no score for regions"):
        other = sc.composite_index(HAND.iloc[:2].assign(a=[1.0, 2.0], b=[1.0, 3.0]), ["a", "b"])
        sc.coupling_coordination(HAND, {"x": ["a"], "y": other})


def test_composite_result_protocol():
    res = sc.composite_index(HAND, ["a", "b", "c"], negative=["c"], name="quality")
    json.dumps(res.to_record())
    assert "entropy" in res.summary() and "minmax" in res.summary()
    assert res.plot().get_title() == "Weights of quality"
    assert res.score.name == "quality"
