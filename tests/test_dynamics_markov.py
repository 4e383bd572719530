"""Markov chains of regional distributions: sc.markov, sc.spatial_markov, sc.lisa_markov.

Reference values are giddy's own (giddy 2.3, ``giddy/markov.py`` docstrings and
``giddy/tests/test_markov.py``) on libpysal's bundled ``us_income`` (usjoin.csv, states48.gal).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import spatialcluster as sc
from spatialcluster import InputError, SpatialClusterWarning
from spatialcluster.dynamics import _chain

from dynamics_fixtures import us_income  # noqa: F401


def test_markov_quintiles_by_year_giddy(us_income):  # noqa: F811
    """giddy Markov docstring: quintiles per year, first row [729, 71, 1, 0, 0], steady state
    [0.20774716, 0.18725774, 0.20740537, 0.18821787, 0.20937187]."""
    long, _, _ = us_income
    mk = sc.markov(long, "pci", id="code", time="year", k=5, classes="quantiles")
    np.testing.assert_array_equal(mk.transitions.iloc[0].to_numpy(), [729, 71, 1, 0, 0])
    np.testing.assert_allclose(mk.steady_state.to_numpy(),
                               [0.20774716, 0.18725774, 0.20740537, 0.18821787, 0.20937187], atol=1e-8)
    np.testing.assert_allclose(mk.p.sum(axis=1), 1.0)
    assert mk.transitions.to_numpy().sum() == 48 * 80
    assert mk.chain.ergodic
    assert mk.counts().sum().eq(48).all()


def test_markov_pooled_relative_income_giddy(us_income):  # noqa: F811
    """giddy Markov docstring: pooled quintiles of relative income, transitions
    [[707, 58, 7, 1, 0], [50, 629, 80, 1, 1], [4, 79, 610, 73, 2], [0, 7, 72, 650, 37], [0, 0, 0, 48, 724]],
    steady state [0.17957376, 0.21631443, 0.21499942, 0.21134662, 0.17776576]."""
    long, _, _ = us_income
    mk = sc.markov(long, "rpci", id="code", time="year", k=5, classes="pooled")
    np.testing.assert_array_equal(mk.transitions.to_numpy(), [[707, 58, 7, 1, 0], [50, 629, 80, 1, 1],
                                                             [4, 79, 610, 73, 2], [0, 7, 72, 650, 37],
                                                             [0, 0, 0, 48, 724]])
    np.testing.assert_allclose(mk.steady_state.to_numpy(),
                               [0.17957376, 0.21631443, 0.21499942, 0.21134662, 0.17776576], atol=1e-8)


def test_spatial_markov_homogeneity_giddy(us_income):  # noqa: F811
    """giddy Spatial_Markov docstring (1): rpci, fixed=True, k = m = 5: Q = 200.624, LR = 170.659,
    dof 60; cut-offs [0.83999133, 0.94707545, 1.03242697, 1.14911154], lag cut-offs
    [0.88973386, 0.95891917, 1.01469758, 1.1183566]; P[0] row 0 = [0.96341463, 0.0304878,
    0.00609756, 0, 0], P[4] row 4 = [0, 0, 0, 0.02352941, 0.97647059]; giddy/tests/test_markov.py
    (test_chi2): chi2 of each lag class against the pooled chain."""
    long, _, w = us_income
    smk = sc.spatial_markov(long, "rpci", w, id="code", time="year", k=5, m=5, classes="pooled")
    h = smk.homogeneity
    assert h["Q"] == pytest.approx(200.624, abs=5e-4)
    assert h["LR"] == pytest.approx(170.659, abs=5e-4)
    assert int(h["dof"]) == 60
    np.testing.assert_allclose(smk.cutoffs, [0.83999133, 0.94707545, 1.03242697, 1.14911154], atol=1e-8)
    np.testing.assert_allclose(smk.lag_cutoffs, [0.88973386, 0.95891917, 1.01469758, 1.1183566], atol=1e-8)
    np.testing.assert_allclose(smk.p[0].iloc[0].to_numpy(), [0.96341463, 0.0304878, 0.00609756, 0, 0], atol=1e-8)
    np.testing.assert_allclose(smk.p[4].iloc[4].to_numpy(), [0, 0, 0, 0.02352941, 0.97647059], atol=1e-8)
    # giddy's test_chi2: each lag class against the pooled chain (chi2, p, dof)
    np.testing.assert_allclose(smk.lag_tests.to_numpy(), [
        [4.05598541e01, 6.44644317e-04, 16], [5.54751974e01, 2.97033748e-06, 16],
        [1.77528996e01, 3.38563882e-01, 16], [4.00390961e01, 7.68422046e-04, 16],
        [4.67966803e01, 7.32512065e-05, 16]], rtol=1e-7)
    # the per-row tests add up to the overall ones (Bickenbach & Bode 2003)
    assert smk.row_tests["Q"].sum() == pytest.approx(h["Q"], rel=1e-12)
    assert smk.row_tests["LR"].sum() == pytest.approx(h["LR"], rel=1e-12)
    # conditional counts add up to the pooled (classic) chain
    total = sum(t.to_numpy() for t in smk.conditional_transitions.values())
    np.testing.assert_array_equal(total, smk.transitions.to_numpy())


def test_spatial_markov_k5_m4_giddy(us_income):  # noqa: F811
    """giddy Spatial_Markov docstring (2): k = 5, m = 4: LR = 172.105, Q = 321.128 (3 d.p.); lag cut-offs
    [0.91440247, 0.98583079, 1.08698351]; P[3] row 0 = [0.16666667, 0.66666667, 0, 0.16666667, 0]."""
    long, _, w = us_income
    smk = sc.spatial_markov(long, "rpci", w, id="code", time="year", k=5, m=4, classes="pooled")
    assert smk.homogeneity["LR"] == pytest.approx(172.105, abs=5e-4)
    assert smk.homogeneity["Q"] == pytest.approx(321.128, abs=5e-4)
    np.testing.assert_allclose(smk.lag_cutoffs, [0.91440247, 0.98583079, 1.08698351], atol=1e-8)
    np.testing.assert_allclose(smk.p[3].iloc[0].to_numpy(), [0.16666667, 0.66666667, 0, 0.16666667, 0], atol=1e-8)


def test_spatial_markov_cutoffs_and_empty_rows(us_income):  # noqa: F811
    """giddy Spatial_Markov docstring (3): cut-offs [0.8, 0.9, 1, 1.2] for values and lags.
    P[0] row 0 = [0.96703297, 0.03296703, 0, 0, 0]; P[4] rows 0 and 1 are empty (zero)
    and row 2 = [0, 0.06666667, 0.9, 0.03333333, 0]. Empty rows must not break the chain analysis."""
    long, _, w = us_income
    smk = sc.spatial_markov(long, "rpci", w, id="code", time="year", classes=[0.8, 0.9, 1.0, 1.2])
    assert smk.k == 5 and smk.m == 5
    np.testing.assert_allclose(smk.p[0].iloc[0].to_numpy(), [0.96703297, 0.03296703, 0, 0, 0], atol=1e-8)
    np.testing.assert_array_equal(smk.p[4].iloc[:2].to_numpy(), 0.0)
    np.testing.assert_allclose(smk.p[4].iloc[2].to_numpy(), [0, 0.06666667, 0.9, 0.03333333, 0], atol=1e-8)
    chain = smk.chains[4]
    assert set(chain.never_left) == {0, 1}
    assert np.isnan(chain.steady_state).all() and chain.steady_states.shape[1] == 2
    assert "communicating classes" in smk.summary()


def test_lisa_markov_giddy(us_income):  # noqa: F811
    """giddy LISA_Markov docstring: transitions [[1087, 44, 4, 34], [41, 470, 36, 1], [5, 34, 1422, 39],
    [30, 1, 40, 552]] and steady state [0.28561505, 0.14190226, 0.40493672, 0.16754598]."""
    long, _, w = us_income
    lmk = sc.lisa_markov(long, "pci", w, id="code", time="year")
    assert list(lmk.transitions.index) == ["HH", "LH", "LL", "HL"]
    assert list(lmk.transitions.columns) == ["HH", "LH", "LL", "HL"]
    np.testing.assert_array_equal(lmk.transitions.to_numpy(),
                                  [[1087, 44, 4, 34], [41, 470, 36, 1], [5, 34, 1422, 39], [30, 1, 40, 552]])
    np.testing.assert_allclose(lmk.steady_state.to_numpy(), [0.28561505, 0.14190226, 0.40493672, 0.16754598],
                               atol=1e-8)
    assert list(lmk.steady_state.index) == ["HH", "LH", "LL", "HL"]


def test_lisa_markov_significant_subset(us_income):  # noqa: F811
    """Significant-only counts are a subset of all moves, reproducible with a seed."""
    long, _, w = us_income
    sub = long[long["year"] <= 1940]
    full = sc.lisa_markov(sub, "pci", w, id="code", time="year")
    sig = sc.lisa_markov(sub, "pci", w, id="code", time="year", significant=True, permutations=99, seed=3)
    again = sc.lisa_markov(sub, "pci", w, id="code", time="year", significant=True, permutations=99, seed=3)
    assert (sig.transitions.to_numpy() <= full.transitions.to_numpy()).all()
    assert 0 < sig.transitions.to_numpy().sum() < full.transitions.to_numpy().sum()
    pd.testing.assert_frame_equal(sig.transitions, again.transitions)


def test_fmpt_sojourn_ergodic_kemeny_snell():
    """Ergodic chain: first mean passage times equal Kemeny & Snell's (1976, Thm 4.4.7) fundamental-matrix
    formula M = (I - Z + E Z_dg) D, D = diag(1 / pi); sojourn = 1 / (1 - p_ii)."""
    counts = np.array([[5.0, 3, 2], [1, 6, 3], [2, 2, 6]])
    P = counts / counts.sum(axis=1, keepdims=True)
    chain = _chain.analyse(counts, [0, 1, 2])
    pi = chain.steady_state.to_numpy()
    np.testing.assert_allclose(pi @ P, pi, atol=1e-14)
    Z = np.linalg.inv(np.eye(3) - P + np.outer(np.ones(3), pi))
    M = (np.eye(3) - Z + np.ones((3, 3)) @ np.diag(np.diag(Z))) @ np.diag(1 / pi)
    np.fill_diagonal(M, 1 / pi)  # recurrence times on the diagonal (giddy's mfpt convention)
    np.testing.assert_allclose(chain.fmpt.to_numpy(), M, rtol=1e-12)
    np.testing.assert_allclose(chain.sojourn.to_numpy(), 1 / (1 - np.diag(P)))


def test_reducible_chain_reports_classes():
    """A chain with a transient state and two absorbing ones: no error, classes reported,
    passage times inf where the target is not surely reached, absorption from state 1 takes
    1 / (1 - 0.5) = 2 steps to... state 0 is reached with probability 1/2 only -> inf."""
    counts = np.array([[4.0, 0, 0], [2, 4, 2], [0, 0, 3]])
    chain = _chain.analyse(counts, ["a", "b", "c"])
    assert not chain.ergodic
    assert chain.transient == ["b"]
    assert sorted(map(tuple, chain.recurrent)) == [("a",), ("c",)]
    assert np.isnan(chain.steady_state).all()
    np.testing.assert_allclose(chain.steady_states.sum().to_numpy(), 1.0)
    assert np.isinf(chain.fmpt.loc["b", "a"]) and np.isinf(chain.fmpt.loc["a", "c"])
    assert chain.fmpt.loc["a", "a"] == 1.0 and np.isinf(chain.sojourn["a"])
    # a chain that reaches its absorbing state surely: expected steps 1 / 0.5 = 2
    sure = _chain.analyse(np.array([[1.0, 1], [0, 5]]), [0, 1])
    assert sure.fmpt.loc[0, 1] == pytest.approx(2.0)
    assert sure.steady_state.tolist() == [0.0, 1.0]


def test_tie_goes_to_lower_class():
    """A value equal to a cut-off belongs to the lower class (mapclassify's Quantiles / UserDefined rule)."""
    long = pd.DataFrame({"code": list("abcd") * 2, "year": [1] * 4 + [2] * 4,
                         "v": [1.0, 2.0, 3.0, 4.0, 2.0, 2.0, 3.0, 5.0]})
    mk = sc.markov(long, "v", id="code", time="year", classes=[2.0, 3.0])
    assert mk.classes[1].tolist() == [0, 0, 1, 2]
    assert mk.classes[2].tolist() == [0, 0, 1, 2]
    import mapclassify

    q = mapclassify.Quantiles(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), k=5)
    codes, _, _ = _chain.classify(np.array([[1.0], [2.0], [3.0], [4.0], [5.0]]), 5, "quantiles")
    np.testing.assert_array_equal(codes[:, 0], q.yb)


@pytest.mark.parametrize("k", [3, 4, 5, 7])
def test_quantile_cuts_equal_mapclassify(k):
    """Cut-offs equal mapclassify.Quantiles(y, k).bins, also with many ties (duplicates merged)."""
    import mapclassify

    rng = np.random.default_rng(k)
    for y in (rng.normal(size=101), rng.integers(0, 4, size=60).astype(float)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = mapclassify.Quantiles(y, k=k)
        np.testing.assert_array_equal(_chain.quantile_cuts(y, k), ref.bins)
        codes, _, _ = _chain.classify(y[:, None], k, "pooled")
        np.testing.assert_array_equal(codes[:, 0], ref.yb)


def test_empty_class_and_unbalanced_panel_errors():
    long = pd.DataFrame({"code": list("abcd") * 3, "year": np.repeat([1, 2, 3], 4),
                         "v": [1.0, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]})
    with pytest.raises(InputError, match="class 3 has no observations"):
        sc.markov(long, "v", id="code", time="year", classes=[1.5, 2.5, 10.0])
    holes = long.drop(index=[5])
    with pytest.raises(InputError, match=r"unbalanced panel.*b: 2"):
        sc.markov(holes, "v", id="code", time="year", k=2)
    with pytest.warns(SpatialClusterWarning, match="dropped 1 region"):
        mk = sc.markov(holes, "v", id="code", time="year", k=3, balance=True)
    assert "b" not in mk.classes.index and mk.dropped == {"b": [2]}
    dup = pd.concat([long, long.iloc[[0]]])
    with pytest.raises(InputError, match="duplicate region-periods: the panel repeats a 1"):
        sc.markov(dup, "v", id="code", time="year")


def test_unbalanced_panel_lists_ten_regions_then_counts_the_rest():
    """12 incomplete regions: the message names 10 (with their periods) and counts the other 2."""
    ids = [f"r{i:02d}" for i in range(14)]
    long = pd.DataFrame({"code": ids * 3, "year": np.repeat([1, 2, 3], 14), "v": np.arange(42.0)})
    holes = long.drop(index=range(14, 26))  # year 2 of r00 .. r11
    with pytest.raises(InputError, match=r"\(r00: 2; r01: 2; .*; r09: 2 \.\.\. and 2 more regions\)") as err:
        sc.markov(holes, "v", id="code", time="year", k=2)
    assert "r10" not in str(err.value)


def test_results_protocol(us_income):  # noqa: F811
    """to_frame / summary / to_record / plot of the Markov results."""
    import json

    long, _, w = us_income
    sub = long[long["year"] < 1960]
    for res in (sc.markov(sub, "pci", id="code", time="year"),
                sc.spatial_markov(sub, "rpci", w, id="code", time="year"),
                sc.lisa_markov(sub, "pci", w, id="code", time="year")):
        assert res.to_frame().shape == (48, 31)
        json.dumps(res.to_record())
        assert res.variable in res.summary()
        assert res.plot() is not None


def test_spatial_panel_weights_mismatch_and_balance(us_income):  # noqa: F811
    """Regions missing from the weights are named; balance=True also takes dropped regions out of the graph."""
    from spatialcluster import WeightsError

    long, _, w = us_income
    sub = long[long["year"] < 1940]
    extra = pd.concat([sub, sub[sub["code"] == "0"].assign(code="99")])
    with pytest.raises(WeightsError, match="in the panel but not in the weights: 99"):
        sc.spatial_markov(extra, "rpci", w, id="code", time="year")
    holes = sub[~((sub["code"] == "5") & (sub["year"] == 1933))]
    with pytest.warns(SpatialClusterWarning):
        smk = sc.spatial_markov(holes, "rpci", w, id="code", time="year", k=3, m=3, balance=True)
    assert "5" not in smk.classes.index and smk.classes.shape[0] == 47
    assert smk.dropped == {"5": [1933]}


def test_markov_passage_sojourn_giddy(us_income):  # noqa: F811
    """giddy's tests (giddy/tests/test_markov.py, test_Markov): first mean passage times and sojourn times of
    the quintile chain, and the reducible chain of the first two years (1929 -> 1930): two recurrent classes,
    steady states [1, 0, 0, 0, 0] and [0, 0, 0, 1, 0], passage times inf where a class is not reached surely."""
    long, _, _ = us_income
    mk = sc.markov(long, "pci", id="code", time="year", k=5)
    np.testing.assert_allclose(mk.fmpt.to_numpy(), [
        [4.81354357, 11.50292712, 29.60921231, 53.38594954, 103.59816743],
        [42.04774505, 5.34023324, 18.74455332, 42.50023268, 92.71316899],
        [69.25849753, 27.21075248, 4.82147603, 25.27184624, 75.43305672],
        [84.90689329, 42.85914824, 17.18082642, 5.31299186, 51.60953369],
        [98.41295543, 56.36521038, 30.66046735, 14.21158356, 4.77619083]], rtol=1e-8)
    np.testing.assert_allclose(mk.sojourn.to_numpy(), [11.125, 4.65806452, 4.73372781, 4.95172414, 13.77586207],
                               rtol=1e-8)
    two = sc.markov(long[long["year"] <= 1930], "pci", id="code", time="year", k=5)
    np.testing.assert_array_equal(two.transitions.to_numpy(), [[10, 0, 0, 0, 0], [0, 8, 1, 0, 0], [0, 1, 9, 1, 0],
                                                               [0, 0, 0, 8, 0], [0, 0, 0, 1, 9]])
    assert np.isnan(two.steady_state).all()
    np.testing.assert_array_equal(two.chain.steady_states.T.to_numpy(), [[1, 0, 0, 0, 0], [0, 0, 0, 1, 0]])
    inf = np.inf
    np.testing.assert_allclose(two.fmpt.to_numpy(), [[1, inf, inf, inf, inf], [inf, inf, 9, 29, inf],
                                                        [inf, inf, inf, 20, inf], [inf, inf, inf, 1, inf],
                                                        [inf, inf, inf, 10, inf]], rtol=1e-12)
    np.testing.assert_allclose(two.sojourn.to_numpy(), [inf, 9.0, 5.5, inf, 10.0])
    assert two.chain.transient == [1, 2, 4]


def test_spatial_markov_steady_states_and_passage_giddy(us_income):  # noqa: F811
    """giddy's tests (test_Spatial_Markov): rpci, fixed=True, k = m = 5: steady state of every lag class (S)
    and the first mean passage times of lag class 0 (F[0])."""
    long, _, w = us_income
    smk = sc.spatial_markov(long, "rpci", w, id="code", time="year", k=5, m=5, classes="pooled")
    S = [[0.43509425, 0.2635327, 0.20363044, 0.06841983, 0.02932278],
         [0.13391287, 0.33993305, 0.25153036, 0.23343016, 0.04119356],
         [0.12124869, 0.21137444, 0.2635101, 0.29013417, 0.1137326],
         [0.0776413, 0.19748806, 0.25352636, 0.22480415, 0.24654013],
         [0.01776781, 0.19964349, 0.19009833, 0.25524697, 0.3372434]]
    np.testing.assert_allclose(smk.steady_states.T.to_numpy(), S, atol=1e-8)
    F0 = [[2.29835259, 28.95614035, 46.14285714, 80.80952381, 279.42857143],
          [33.86549708, 3.79459555, 22.57142857, 57.23809524, 255.85714286],
          [43.60233918, 9.73684211, 4.91085714, 34.66666667, 233.28571429],
          [46.62865497, 12.76315789, 6.25714286, 14.61564626, 198.61904762],
          [52.62865497, 18.76315789, 12.25714286, 6.0, 34.1031746]]
    np.testing.assert_allclose(smk.fmpts[0].to_numpy(), F0, rtol=1e-8)
