"""Cluster indicators against hand-worked examples, brute force and PySAL's ``inequality`` package.

Tolerances: closed forms and exact fractions to 1e-12 (double rounding only); comparisons with an
independent floating-point implementation to 1e-10.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from inequality.gini import Gini
from inequality.theil import TheilD
from scipy.stats import entropy, gmean

import spatialcluster as sc
from spatialcluster import InputError
from spatialcluster.indicators import coordination_grade, entropy_weights, gini, theil

TIGHT = dict(rtol=0, atol=1e-12)
CLOSE = dict(rtol=1e-10, atol=1e-12)
# the same for pytest.approx
TIGHT_P = dict(rel=0, abs=1e-12)
CLOSE_P = dict(rel=1e-10, abs=1e-12)


# ----------------------------------------------------------------------------- location quotient

EMPLOYMENT = {("A", "steel"): 30, ("A", "textiles"): 10, ("B", "steel"): 20, ("B", "textiles"): 40}


def _lq_exact(emp):
    """LQ from the definition, in exact fractions."""
    regions = sorted({r for r, _ in emp})
    inds = sorted({i for _, i in emp})
    tot = sum(emp.values())
    out = {}
    for r in regions:
        rt = sum(emp[r, i] for i in inds)
        for i in inds:
            it = sum(emp[q, i] for q in regions)
            out[r, i] = Fraction(emp[r, i], rt) / Fraction(it, tot)
    return out


def test_lq_long_form_matches_exact_fractions():
    long = pd.DataFrame([{"prov": r, "ind": i, "jobs": v} for (r, i), v in EMPLOYMENT.items()])
    res = sc.location_quotient(long, region="prov", industry="ind", value="jobs")
    exact = _lq_exact(EMPLOYMENT)
    assert exact["A", "steel"] == Fraction(3, 2) and exact["B", "textiles"] == Fraction(4, 3)
    for key, lq in exact.items():
        assert res.frame.loc[key, "lq"] == pytest.approx(float(lq), **TIGHT_P)
    # threshold convention: lq >= 1.25 is concentrated
    assert res.concentrated.loc["A", "steel"] and res.concentrated.loc["B", "textiles"]
    assert not res.concentrated.loc["A", "textiles"] and not res.concentrated.loc["B", "steel"]
    assert res.frame.loc[("A", "steel"), "national_share"] == pytest.approx(0.5, **TIGHT_P)


def test_lq_wide_form_equals_long_form_and_threshold_is_inclusive():
    wide = pd.DataFrame({"steel": [30, 20], "textiles": [10, 40]}, index=["A", "B"])
    res = sc.location_quotient(wide, threshold=1.5)
    assert res.lq.loc["A", "steel"] == pytest.approx(1.5, **TIGHT_P)
    assert res.concentrated.loc["A", "steel"]  # exactly at the threshold counts
    assert not res.concentrated.loc["B", "textiles"]  # 4/3 < 1.5
    long = sc.location_quotient(
        wide.stack().rename("v").rename_axis(["r", "i"]).reset_index(), region="r", industry="i", value="v"
    )
    pd.testing.assert_frame_equal(res.lq, long.lq, rtol=0, atol=1e-15)


def test_lq_long_form_absent_combination_counts_as_zero():
    long = pd.DataFrame({"r": ["A", "A", "B"], "i": ["x", "y", "x"], "v": [1.0, 1.0, 2.0]})
    res = sc.location_quotient(long, region="r", industry="i", value="v")
    # B has no row for y: zero jobs, LQ 0; A: y share 1/2 over national 1/4 = 2
    assert res.lq.loc["B", "y"] == 0.0
    assert res.lq.loc["A", "y"] == pytest.approx(2.0, **TIGHT_P)


def test_lq_ratio_form_hand_worked_and_population_identity():
    df = pd.DataFrame({"gdp": [60.0, 30.0, 10.0], "pop": [20.0, 30.0, 50.0]}, index=["a", "b", "c"])
    res = sc.location_quotient(df, numerator="gdp", denominator="pop")
    # shares 0.6/0.2, 0.3/0.3, 0.1/0.5
    np.testing.assert_allclose(res.lq.to_numpy(), [3.0, 1.0, 0.2], **TIGHT)
    assert list(res.concentrated) == [True, False, False]
    # population-share-weighted mean of the quotients is exactly 1
    s = df["pop"] / df["pop"].sum()
    assert float((s * res.lq).sum()) == pytest.approx(1.0, **TIGHT_P)
    assert "concentrated: 1 region" in res.summary()


def test_lq_refuses_missing_negative_duplicate_and_zero_totals():
    df = pd.DataFrame({"gdp": [1.0, np.nan, 2.0], "pop": [1.0, 1.0, 1.0]}, index=["110000", "120000", "130000"])
    with pytest.raises(InputError, match="120000"):
        sc.location_quotient(df, numerator="gdp", denominator="pop")
    df.loc["120000", "gdp"] = -1.0
    with pytest.raises(InputError, match="negative.*120000"):
        sc.location_quotient(df, numerator="gdp", denominator="pop")
    long = pd.DataFrame({"r": ["A", "A"], "i": ["x", "x"], "v": [1.0, 2.0]})
    with pytest.raises(InputError, match="duplicate.*A / x"):
        sc.location_quotient(long, region="r", industry="i", value="v")
    wide = pd.DataFrame({"x": [1.0, 0.0], "y": [1.0, 0.0]}, index=["A", "B"])
    with pytest.raises(InputError, match="zero total.*B"):
        sc.location_quotient(wide)
    with pytest.raises(InputError, match="numerator= and denominator="):
        sc.location_quotient(df, numerator="gdp")


# ----------------------------------------------------------------------------- coupling coordination


def test_entropy_weights_closed_form():
    # m = 3 regions; p = (0, 1/3, 2/3) and (0, 1/2, 1/2)
    x = pd.DataFrame({"a": [0.0, 0.5, 1.0], "b": [0.0, 1.0, 1.0]})
    tab = entropy_weights(x)
    d_a = 2 * math.log(2) / (3 * math.log(3))
    d_b = 1 - math.log(2) / math.log(3)
    assert tab.loc["a", "divergence"] == pytest.approx(d_a, **TIGHT_P)
    assert tab.loc["b", "divergence"] == pytest.approx(d_b, **TIGHT_P)
    assert tab.loc["a", "weight"] == pytest.approx(d_a / (d_a + d_b), **TIGHT_P)


def test_entropy_weights_against_scipy_entropy():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.uniform(0, 1, size=(25, 4)), columns=list("pqrs"))
    tab = entropy_weights(x)
    e = np.array([entropy(x[c]) / np.log(len(x)) for c in x])  # scipy normalises to p itself
    np.testing.assert_allclose(tab["entropy"], e, **CLOSE)
    np.testing.assert_allclose(tab["weight"], (1 - e) / (1 - e).sum(), **CLOSE)


def test_coupling_two_systems_hand_worked():
    df = pd.DataFrame({"urb": [0.0, 0.2, 1.0], "eco": [0.0, 0.8, 1.0]}, index=["a", "b", "c"])
    res = sc.coupling_coordination(df, {"urbanization": ["urb"], "economy": ["eco"]})
    f = res.frame
    # min-max leaves these values unchanged; one indicator per system has weight 1
    np.testing.assert_allclose(f["U_urbanization"], [0, 0.2, 1], **TIGHT)
    # b: C = 2 sqrt(0.2*0.8)/(0.2+0.8) = 0.8, T = 0.5, D = sqrt(0.4)
    assert f.loc["b", "C"] == pytest.approx(0.8, **TIGHT_P)
    assert f.loc["b", "T"] == pytest.approx(0.5, **TIGHT_P)
    assert f.loc["b", "D"] == pytest.approx(math.sqrt(0.4), **TIGHT_P)
    assert (f.loc["b", "grade"], f.loc["b", "label"]) == (7, "primary coordination")
    assert (f.loc["c", "C"], f.loc["c", "D"], f.loc["c", "grade"]) == (1.0, 1.0, 10)
    # all subsystems at zero: C defined as 0, D = 0, lowest grade
    assert (f.loc["a", "C"], f.loc["a", "D"], f.loc["a", "label"]) == (0.0, 0.0, "extreme disorder")


def test_coupling_three_systems_is_geometric_over_arithmetic_mean():
    rng = np.random.default_rng(7)
    df = pd.DataFrame(rng.uniform(1, 5, size=(12, 5)), columns=list("abcde"), index=[f"r{i}" for i in range(12)])
    systems = {"s1": ["a", "b"], "s2": ["c"], "s3": ["d", "e"]}
    res = sc.coupling_coordination(df, systems, negative=["e"], contributions={"s1": 0.5, "s2": 0.3, "s3": 0.2})
    norm = (df - df.min()) / (df.max() - df.min())
    norm["e"] = 1 - norm["e"]
    u = {}
    for name, cols in systems.items():
        p = norm[cols] / norm[cols].sum()
        e = -(p * np.log(p.where(p > 0, 1))).sum() / np.log(len(df))
        w = (1 - e) / (1 - e).sum()
        u[name] = norm[cols] @ w
    U = np.column_stack(list(u.values()))
    np.testing.assert_allclose(res.frame[["U_s1", "U_s2", "U_s3"]], U, **CLOSE)
    pos = (U > 0).all(axis=1)
    C = np.where(pos, gmean(np.where(pos[:, None], U, 1), axis=1) / U.mean(axis=1), 0.0)
    T = U @ np.array([0.5, 0.3, 0.2])
    np.testing.assert_allclose(res.frame["C"], C, **CLOSE)
    np.testing.assert_allclose(res.frame["T"], T, **CLOSE)
    np.testing.assert_allclose(res.frame["D"], np.sqrt(C * T), **CLOSE)
    assert res.weights.loc["e", "direction"] == "negative"


def test_coupling_user_and_equal_weights():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [3.0, 1.0, 2.0], "c": [0.0, 5.0, 10.0]}, index=list("xyz"))
    eq = sc.coupling_coordination(df, {"s": ["a", "b"], "t": ["c"]}, weights="equal")
    user = sc.coupling_coordination(df, {"s": ["a", "b"], "t": ["c"]}, weights={"a": 2, "b": 2, "c": 7})
    pd.testing.assert_frame_equal(eq.frame, user.frame)
    # y: a -> 0.5, b -> 0, U_s = 0.25; U_t = 0.5
    assert eq.frame.loc["y", "U_s"] == pytest.approx(0.25, **TIGHT_P)


def test_coupling_panel_normalises_over_all_periods_pooled():
    rng = np.random.default_rng(9)
    ids = ["110000", "120000", "130000", "140000"]
    long = pd.DataFrame({"code": ids * 2, "year": [2019] * 4 + [2020] * 4,
                         "a": rng.uniform(0, 1, 8), "b": rng.uniform(0, 1, 8), "c": rng.uniform(0, 1, 8)})
    systems = {"s": ["a", "b"], "t": ["c"]}
    panel = sc.coupling_coordination(long, systems, time="year", id="code")
    assert panel.frame.index.names == ["code", "year"]
    pooled = sc.coupling_coordination(long.set_index(long["code"] + "/" + long["year"].astype(str)), systems)
    np.testing.assert_allclose(panel.frame[["U_s", "U_t", "C", "T", "D"]].to_numpy(),
                               pooled.frame[["U_s", "U_t", "C", "T", "D"]].to_numpy(), **TIGHT)
    # per-year normalisation would stretch each year to [0, 1]; pooled does not
    assert panel.normalized.loc[(slice(None), 2019), "c"].max() < 1 or panel.normalized.loc[
        (slice(None), 2020), "c"].max() < 1
    long.loc[5, "code"] = "110000"
    with pytest.raises(InputError, match="110000 @ 2020"):
        sc.coupling_coordination(long, systems, time="year", id="code")


def test_coordination_grades_boundaries():
    grade, label = coordination_grade([0.0, 0.0999, 0.1, 0.3, 0.49999, 0.5, 0.95, 1.0])
    assert list(grade) == [1, 1, 2, 4, 5, 6, 10, 10]
    assert label[0] == "extreme disorder" and label[-1] == "quality coordination"
    assert label[5] == "barely coordinated"


def test_coupling_refuses_bad_input_by_name():
    df = pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": [1.0, 1.0, 1.0], "c": [1.0, 2.0, 4.0]}, index=["p1", "p2", "p3"])
    with pytest.raises(InputError, match="p2"):
        sc.coupling_coordination(df, {"s": ["a"], "t": ["c"]})
    with pytest.raises(InputError, match="indicators b are constant"):
        sc.coupling_coordination(df.fillna(2.0), {"s": ["b"], "t": ["c"]})
    with pytest.raises(InputError, match="at least two"):
        sc.coupling_coordination(df, {"s": ["a"]})
    with pytest.raises(InputError, match="negative=.*zz"):
        sc.coupling_coordination(df.fillna(2.0), {"s": ["a"], "t": ["c"]}, negative=["zz"])


# ----------------------------------------------------------------------------- inequality


def _gini_brute(y, w=None):
    y = np.asarray(y, float)
    w = np.ones_like(y) if w is None else np.asarray(w, float)
    s = w / w.sum()
    mad = sum(s[i] * s[j] * abs(y[i] - y[j]) for i in range(len(y)) for j in range(len(y)))
    return mad / (2 * np.sum(s * y))


def test_inequality_hand_worked_exact():
    df = pd.DataFrame({"y": [1.0, 1.0, 2.0, 4.0]}, index=list("abcd"))
    res = sc.inequality(df, "y")
    # mean 2; T = (1/4)[2 * 0.5 ln 0.5 + 2 ln 2] = ln 2 / 4; ordered |diffs| sum 20 -> G = 20 / (2*16*2)
    assert res.theil == pytest.approx(math.log(2) / 4, **TIGHT_P)
    assert res.gini == pytest.approx(5 / 16, **TIGHT_P)
    assert res.cv == pytest.approx(math.sqrt(1.5) / 2, **TIGHT_P)


def test_cv_and_gini_against_numpy_brute_force_and_pysal():
    rng = np.random.default_rng(11)
    y = rng.lognormal(1, 0.6, 40)
    pop = rng.integers(1, 100, 40).astype(float)
    df = pd.DataFrame({"y": y, "pop": pop}, index=[f"r{i}" for i in range(40)])
    res = sc.inequality(df, "y", weights="pop")
    assert res.cv == pytest.approx(np.std(y) / np.mean(y), **CLOSE_P)
    assert res.cv_w == pytest.approx(
        np.sqrt(np.cov(y, aweights=pop, ddof=0)) / np.average(y, weights=pop), **CLOSE_P
    )
    assert res.gini == pytest.approx(_gini_brute(y), **CLOSE_P)
    assert res.gini == pytest.approx(Gini(y).g, **CLOSE_P)
    assert res.gini_w == pytest.approx(_gini_brute(y, pop), **CLOSE_P)
    # integer population weights = the unweighted measure over replicated regions
    rep = np.repeat(y, pop.astype(int))
    assert res.gini_w == pytest.approx(gini(rep), **CLOSE_P)
    assert res.theil_w == pytest.approx(theil(rep)["theil"], **CLOSE_P)


def test_theil_decomposition_against_pysal_and_adds_up():
    rng = np.random.default_rng(5)
    y = rng.lognormal(0, 0.8, 30)
    grp = rng.choice(["east", "central", "west", "northeast"], 30)
    pop = rng.uniform(1, 50, 30)
    ref = TheilD(y, grp)
    out = theil(y, groups=grp)
    assert out["theil"] == pytest.approx(float(ref.T), **CLOSE_P)
    assert out["between"] == pytest.approx(float(np.ravel(ref.bg)[0]), **CLOSE_P)
    assert out["within"] == pytest.approx(float(np.ravel(ref.wg)[0]), **CLOSE_P)
    w = theil(y, pop, groups=grp)
    assert w["between"] + w["within"] == pytest.approx(w["theil"], **TIGHT_P)
    assert w["groups"]["pop_share"].sum() == pytest.approx(1.0, **TIGHT_P)
    # a group's Theil is the weighted Theil of its members alone
    m = grp == "west"
    assert w["groups"].loc["west", "theil"] == pytest.approx(theil(y[m], pop[m])["theil"], **CLOSE_P)


def test_inequality_panel_rows_equal_cross_sections():
    rng = np.random.default_rng(2)
    ids = [f"{i}0000" for i in range(11, 23)]
    long = pd.DataFrame({
        "code": ids * 2, "year": [2019] * 12 + [2020] * 12,
        "y": rng.lognormal(0, 0.5, 24), "pop": rng.uniform(1, 9, 24),
    })
    groups = {c: ("east" if k < 6 else "west") for k, c in enumerate(ids)}
    panel = sc.inequality(long, "y", groups=groups, weights="pop", time="year", id="code")
    assert list(panel.frame.index) == [2019, 2020]
    for yr in (2019, 2020):
        cross = sc.inequality(long[long.year == yr].set_index("code"), "y", groups=groups, weights="pop")
        pd.testing.assert_series_equal(panel.frame.loc[yr], cross.frame.iloc[0], check_names=False, rtol=1e-14)
    assert panel.groups.index.names == ["year", "group"]
    ax = panel.plot()
    assert len(ax.get_lines()) == 3


def test_inequality_refuses_bad_input_by_name():
    df = pd.DataFrame({"y": [1.0, np.nan, 2.0], "g": ["e", "w", None]}, index=["110000", "120000", "130000"])
    with pytest.raises(InputError, match="120000"):
        sc.inequality(df, "y")
    df.loc["120000", "y"] = -3.0
    with pytest.raises(InputError, match="negative.*120000"):
        sc.inequality(df, "y")
    df.loc["120000", "y"] = 3.0
    with pytest.raises(InputError, match="no group.*130000"):
        sc.inequality(df, "y", groups="g")


# ----------------------------------------------------------------------------- bundled China data


def test_indicators_on_bundled_china_provinces():
    data = sc.datasets.china_provinces()
    gdp_pc = data["gdp_2020"] * 1e8 / data["pop_2020"]  # yuan per person
    data = data.assign(gdp_pc=gdp_pc)

    lq = sc.location_quotient(data, numerator="gdp_2020", denominator="pop_2020")
    # LQ is GDP per capita relative to the population-weighted mean of the 31 provinces
    mean_pc = data["gdp_2020"].sum() * 1e8 / data["pop_2020"].sum()
    np.testing.assert_allclose(lq.lq, gdp_pc / mean_pc, rtol=1e-12)
    assert lq.lq.idxmax() == "110000"  # Beijing

    ineq = sc.inequality(data, "gdp_pc", groups="group", weights="pop_2020")
    assert ineq.theil_between_w + ineq.theil_within_w == pytest.approx(ineq.theil_w, **TIGHT_P)
    ref = TheilD(data["gdp_pc"].to_numpy(), data["group"].to_numpy())
    assert ineq.theil_between == pytest.approx(float(np.ravel(ref.bg)[0]), **CLOSE_P)
    assert ineq.gini_w == pytest.approx(_gini_brute(data["gdp_pc"], data["pop_2020"]), **CLOSE_P)
    assert set(ineq.groups.index) == set(data["group"])

    cc = sc.coupling_coordination(
        data, {"urbanization": ["urban_rate_2011_yearend"], "economy": ["gdp_pc", "gdp_real_growth_2020"]}
    )
    assert cc.frame.index.equals(data.index)
    assert cc.frame["D"].between(0, 1).all() and cc.frame["C"].between(0, 1).all()
    assert cc.weights.groupby("system")["weight"].sum().to_numpy() == pytest.approx([1.0, 1.0], **TIGHT_P)


# ----------------------------------------------------------------------------- properties

_positive = st.lists(st.floats(0.01, 1e4, allow_nan=False), min_size=3, max_size=25)


@settings(max_examples=60, deadline=None)
@given(y=_positive, scale=st.floats(0.001, 1000), seed=st.integers(0, 2**16))
def test_inequality_properties(y, scale, seed):
    y = np.array(y)
    rng = np.random.default_rng(seed)
    pop = rng.uniform(1, 100, y.size)
    grp = rng.choice(["a", "b", "c"], y.size)
    base = theil(y, pop, groups=grp)
    # decomposition is exact; the between part is itself a Theil index, so both parts are >= 0
    assert base["between"] + base["within"] == pytest.approx(base["theil"], rel=1e-9, abs=1e-12)
    assert base["between"] >= -1e-12 and base["within"] >= -1e-12
    # scale invariance of every measure
    assert theil(y * scale, pop)["theil"] == pytest.approx(base["theil"], rel=1e-7, abs=1e-12)
    assert gini(y * scale, pop) == pytest.approx(gini(y, pop), rel=1e-9, abs=1e-12)
    # Gini bounds: 0 <= G < 1 (at most 1 - min weight share for one rich region)
    assert -1e-12 <= gini(y, pop) < 1
    assert gini(y, pop) == pytest.approx(_gini_brute(y, pop), rel=1e-9, abs=1e-12)
