"""GeoDetector against the R package GD's published values and the PyPI ``geodetector`` package (MIT).

Reference data: ``disease.csv`` (185 units; incidence of a disease with three stratifying
factors), shipped with the PyPI package ``geodetector`` (read from the installed package). The
q values 0.3857168 (type), 0.6377737 (region), 0.6067087 (level) are those printed by R's GD
(Song et al. 2020) and by Wang's GeoDetector software for this data. Tolerances: the reference
values are printed to 7 digits, so 5e-8; comparisons with the geodetector package (another
floating-point implementation of the same formulas) 1e-10.
"""

from __future__ import annotations

import os
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import spatialcluster as sc
from spatialcluster import InputError
from spatialcluster.indicators._strata import breaks, classify
from spatialcluster.indicators.geodetector import INTERACTION_TYPES, interaction_type


def _disease() -> pd.DataFrame:
    try:
        import geodetector
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("the PyPI package geodetector (test extra) is not installed: it ships disease.csv")
    return pd.read_csv(Path(geodetector.__file__).parent / "dataset" / "data" / "disease.csv", encoding="utf-8-sig")


def test_factor_q_equals_r_gd_on_disease_data():
    """q(type) = 0.3857168, q(region) = 0.6377737, q(level) = 0.6067087 (R GD / GeoDetector), to 5e-8."""
    df = _disease()
    assert len(df) == 185
    gd = sc.geodetector(df, y="incidence", factors=["type", "region", "level"])
    ref = {"type": 0.3857168, "region": 0.6377737, "level": 0.6067087}
    for name, q in ref.items():
        assert gd.factors.loc[name, "q"] == pytest.approx(q, abs=5e-8)
    assert list(gd.factors.index) == ["type", "region", "level"]
    assert set(gd.interactions.index) == {"type & region", "type & level", "region & level"}
    assert set(gd.interactions["type"]) <= set(INTERACTION_TYPES)


def test_p_values_and_risk_match_the_geodetector_package():
    """Non-central F p-values (Wang, Zhang & Fu 2016) and Welch risk t tests equal the geodetector
    package's to 1e-10; Welch also equals scipy.stats.ttest_ind(equal_var=False)."""
    from geodetector import GeoDetector as PyGD

    df = _disease()
    factors = ["type", "region", "level"]
    ours = sc.geodetector(df, y="incidence", factors=factors)
    peer = PyGD(factors=factors, target="incidence").fit(df)
    ref = peer.q_values_.set_index("variable")
    np.testing.assert_allclose(ours.factors["q"], ref.loc[factors, "q_value"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.factors["p_value"], ref.loc[factors, "p_value"], rtol=1e-8, atol=1e-12)
    y = df["incidence"].to_numpy()
    for (f, a, b), row in ours.risk.sample(12, random_state=0).iterrows():
        t, p = stats.ttest_ind(y[df[f] == a], y[df[f] == b], equal_var=False)
        assert row["t"] == pytest.approx(t, rel=1e-10) and row["p_value"] == pytest.approx(p, rel=1e-8, abs=1e-14)
    means = ours.risk_means.loc["region"]
    np.testing.assert_allclose(means["mean"], df.groupby("region")["incidence"].mean().to_numpy(), rtol=1e-12)


def test_ecological_detector_is_the_one_sided_version_of_the_packages_test():
    """F = SSW_a / SSW_b = (1 - q_a)/(1 - q_b) with F(N-1, N-1); the geodetector package reports the
    two-sided p = 2 x ours (F oriented as we report it)."""
    from geodetector import GeoDetector as PyGD

    df = _disease()
    factors = ["type", "region", "level"]
    ours = sc.geodetector(df, y="incidence", factors=factors).ecological
    peer = PyGD(factors=factors, target="incidence").fit(df).ecological_result_
    for _, row in peer.iterrows():
        mine = ours.loc[f"{row.factor_1} & {row.factor_2}"]
        f_peer = row.f_stat if row.f_stat >= 1 else 1 / row.f_stat
        assert mine["F"] == pytest.approx(f_peer, rel=1e-10)
        assert mine["p_value"] == pytest.approx(row.p_value / 2, rel=1e-8)
    assert ours.loc["type & region", "stronger"] == "region"


def test_interaction_q_equals_brute_force_and_package_without_singletons():
    """Overlay q from its definition (1 - SSW/SST over the cells of the overlay, computed with
    pandas); with no one-member cells it equals the geodetector package's, which drops them."""
    from geodetector import GeoDetector as PyGD

    rng = np.random.default_rng(4)
    n = 600
    df = pd.DataFrame({"a": rng.integers(0, 3, n), "b": rng.integers(0, 4, n), "c": rng.integers(0, 2, n)})
    df["y"] = df["a"] * 1.0 + np.sin(df["b"]) + df["a"] * df["c"] + rng.normal(0, 0.5, n)
    gd = sc.geodetector(df, y="y", factors=["a", "b", "c"])
    sst = ((df.y - df.y.mean()) ** 2).sum()
    for a, b in combinations("abc", 2):
        ssw = df.groupby([a, b])["y"].apply(lambda s: ((s - s.mean()) ** 2).sum()).sum()
        assert gd.interactions.loc[f"{a} & {b}", "q"] == pytest.approx(1 - ssw / sst, rel=1e-12)
        assert gd.interactions.loc[f"{a} & {b}", "singletons"] == 0
    peer = PyGD(factors=["a", "b", "c"], target="y").fit(df).interaction_q_
    for a, b in combinations("abc", 2):
        assert gd.interactions.loc[f"{a} & {b}", "q"] == pytest.approx(peer.loc[a, b], abs=1e-12)
    # a * c interact multiplicatively: their overlay explains more than both alone
    assert gd.interactions.loc["a & c", "type"] in {"bi-enhance", "nonlinear-enhance"}


def test_interaction_types_at_their_boundaries():
    """Wang et al. (2010) Table: the five types and their boundaries."""
    assert interaction_type(0.3, 0.4, 0.2) == "nonlinear-weaken"
    assert interaction_type(0.3, 0.4, 0.3) == "uni-weaken"
    assert interaction_type(0.3, 0.4, 0.4) == "uni-weaken"
    assert interaction_type(0.3, 0.4, 0.5) == "bi-enhance"
    assert interaction_type(0.3, 0.4, 0.7) == "independent"
    assert interaction_type(0.3, 0.4, 0.8) == "nonlinear-enhance"


def test_two_independent_factors_on_a_balanced_design_are_independent():
    """y = f(a) + g(b) on a full balanced 2 x 2 design with no noise: q_ab = q_a + q_b = 1 exactly."""
    a = np.repeat([0, 1], 8)
    b = np.tile(np.repeat([0, 1], 4), 2)
    df = pd.DataFrame({"a": a, "b": b, "y": 2.0 * a + 1.0 * b})
    gd = sc.geodetector(df, y="y", factors=["a", "b"])
    assert gd.factors.loc["a", "q"] == pytest.approx(0.8, abs=1e-12)  # 4 / (4 + 1)
    assert gd.factors.loc["b", "q"] == pytest.approx(0.2, abs=1e-12)
    assert gd.interactions.loc["a & b", "type"] == "independent"


def test_discretisation_methods_and_optimal_choice():
    """Quantile, equal-interval and Fisher-Jenks cut-offs against numpy / mapclassify; the chosen
    discretisation is the candidate with the largest q (OPGD, Song et al. 2020)."""
    import mapclassify

    rng = np.random.default_rng(1)
    x = rng.lognormal(0, 1, 400)
    np.testing.assert_allclose(breaks(x, "quantile", 4), np.quantile(x, [0.25, 0.5, 0.75]), rtol=1e-14)
    np.testing.assert_allclose(breaks(x, "equal", 4), mapclassify.EqualInterval(x, k=4).bins[:-1], rtol=1e-12)
    np.testing.assert_allclose(breaks(x, "natural", 5), mapclassify.FisherJenks(x, k=5).bins[:-1], rtol=1e-14)
    codes = classify(x, breaks(x, "quantile", 4))
    assert np.array_equal(codes, mapclassify.Quantiles(x, k=4).yb)  # a value on a cut-off is in the lower class
    # y steps at x = 2: the best discretisation explains much; q_chosen = max of the search
    df = pd.DataFrame({"x": x, "y": (x > 2).astype(float) + rng.normal(0, 0.1, x.size)})
    gd = sc.geodetector(df, y="y", factors=["x"], k=range(3, 7))
    search = gd.search.loc["x"]
    assert gd.factors.loc["x", "q"] == pytest.approx(search["q"].max(), rel=1e-12)
    assert len(search) == 3 * 4 and set(search.index.get_level_values("method")) == {"quantile", "natural", "equal"}
    assert gd.factors.loc["x", "q"] > 0.8
    same = sc.geodetector(df, y="y", factors=["x"], k=range(3, 7))
    pd.testing.assert_frame_equal(same.factors, gd.factors)


def test_geodetector_refuses_bad_input_by_name():
    df = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6], "f": ["a", "a", "b", "b", "b", "c"], "g": ["u"] * 6})
    with pytest.raises(InputError, match="'f'.*one member: c"):
        sc.geodetector(df, y="y", factors=["f"])
    with pytest.raises(InputError, match="'g' has a single stratum"):
        sc.geodetector(df, y="y", factors=["g"])
    with pytest.raises(InputError, match="constant"):
        sc.geodetector(df.assign(y=1.0), y="y", factors=["f"])
    with pytest.raises(InputError, match="'h' is not in the data"):
        sc.geodetector(df, y="y", factors=["h"])
    with pytest.raises(InputError, match="discretize"):
        sc.geodetector(df, y="y", factors=["f"], continuous=["f"], discretize="kmeans")


def test_geodetector_result_protocol():
    df = _disease()
    gd = sc.geodetector(df, y="incidence", factors=["type", "region", "level"])
    rec = gd.to_record()
    assert rec["factors"]["region"]["q"] == pytest.approx(0.6377737, abs=5e-7)
    import json

    json.dumps(rec)
    assert "Factor detector" in gd.summary()
    assert gd.plot().get_title().startswith("Factor detector")
    assert gd.plot(kind="interactions").get_title() == "Interaction detector"
    pd.testing.assert_frame_equal(gd.to_frame(), gd.factors)


def test_strata_of_a_discretised_factor_are_labelled_by_interval():
    """Equal intervals with an empty class: codes skip it and labels follow the classes actually used."""
    x = np.array([0.0, 0.1, 0.2, 0.3, 9.0, 9.5, 10.0, 0.15, 9.8, 0.05])
    df = pd.DataFrame({"x": x, "y": (x > 5) + np.linspace(0, 0.1, x.size)})
    gd = sc.geodetector(df, y="y", factors=["x"], continuous=["x"], discretize="equal", k=3)
    assert gd.factors.loc["x", "strata"] == 2  # the middle third (3.33, 6.67] is empty
    assert list(pd.unique(gd.strata["x"])) == ["[0, 3.33333]", "(6.66667, 10]"]
    assert gd.risk_means.loc["x"]["n"].tolist() == [6, 4]
