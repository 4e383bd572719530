"""Regional disparity: sc.dagum_gini (Dagum 1997) and sc.kernel_density; rank mobility (giddy's rank module).

Dagum's parts are checked against a direct all-pairs computation of every term of his eqs.
(the definitions, written with numpy broadcasting), the KDE against scipy.stats.gaussian_kde,
the taus against scipy.stats.kendalltau and brute-force sums over pairs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import spatialcluster as sc
from spatialcluster import InputError
from spatialcluster.dynamics.disparity import _abs_sum_within, _excess

from dynamics_fixtures import us_income  # noqa: F401


def _all_pairs(y, g):
    """Dagum (1997) by definition: every |y_i - y_r| over all pairs, groups ordered by mean."""
    n, mu = y.size, y.mean()
    groups = sorted(set(g), key=lambda a: y[g == a].mean())
    total = np.abs(y[:, None] - y[None, :]).sum() / (2 * n * n * mu)
    within = between = trans = 0.0
    for j, a in enumerate(groups):
        yj = y[g == a]
        Gjj = np.abs(yj[:, None] - yj[None, :]).sum() / (2 * yj.size**2 * yj.mean())
        within += Gjj * (yj.size / n) * (yj.sum() / y.sum())
        for b in groups[:j]:
            yh = y[g == b]
            diff = yj[:, None] - yh[None, :]
            d, p = np.maximum(diff, 0).mean(), np.maximum(-diff, 0).mean()
            Gjh = np.abs(diff).sum() / (yj.size * yh.size * (yj.mean() + yh.mean()))
            weight = yj.size / n * yh.sum() / y.sum() + yh.size / n * yj.sum() / y.sum()
            between += Gjh * weight * (d - p) / (d + p)
            trans += Gjh * weight * (1 - (d - p) / (d + p))
    return total, within, between, trans


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dagum_equals_all_pairs(seed):
    """All three parts equal the all-pairs computation; they add up to the Gini to 1e-12."""
    rng = np.random.default_rng(seed)
    n = 400
    g = rng.choice(["east", "central", "west", "northeast"], size=n, p=[0.4, 0.25, 0.25, 0.1])
    y = rng.lognormal(size=n) * np.select([g == "east", g == "west"], [1.8, 0.7], 1.0)
    dg = sc.dagum_gini(pd.DataFrame({"value": y, "group": g}), "value", group="group")
    total, within, between, trans = _all_pairs(y, g)
    assert dg.total == pytest.approx(total, abs=1e-12)
    assert dg.within == pytest.approx(within, abs=1e-12)
    assert dg.between == pytest.approx(between, abs=1e-12)
    assert dg.transvariation == pytest.approx(trans, abs=1e-12)
    assert dg.within + dg.between + dg.transvariation == pytest.approx(dg.total, abs=1e-12)
    assert dg.total == pytest.approx(sc.indicators.gini(y), abs=1e-12)
    # groups are ordered by ascending mean, so every D_jh (j the richer) is >= 0
    D = dg.pair_D["all"].to_numpy()
    assert (D >= 0).all() and dg.groups[-1] == "east"


def test_dagum_within_from_group_ginis():
    """within = sum_j p_j s_j G_jj with G_jj each group's own Gini (sc.indicators.gini)."""
    rng = np.random.default_rng(7)
    df = pd.DataFrame({"v": rng.gamma(2.0, size=300), "g": rng.choice(list("abc"), 300)})
    dg = sc.dagum_gini(df, "v", group="g")
    y, n = df["v"].to_numpy(), len(df)
    expected = sum((df["g"] == a).sum() / n * y[df["g"] == a].sum() / y.sum() * sc.indicators.gini(y[df["g"] == a])
                   for a in "abc")
    assert dg.within == pytest.approx(expected, abs=1e-12)
    np.testing.assert_allclose(dg.group_gini.loc["all", ["a", "b", "c"]].to_numpy(),
                               [sc.indicators.gini(y[df["g"] == a]) for a in "abc"], atol=1e-12)


def test_dagum_pair_sums_exact():
    """The sorted cumulative-sum pair sums equal the brute-force sums (ties included)."""
    rng = np.random.default_rng(3)
    a = np.sort(rng.integers(0, 6, 50).astype(float))
    b = np.sort(rng.integers(0, 6, 40).astype(float))
    assert _excess(a, b) == pytest.approx(np.maximum(a[:, None] - b[None, :], 0).sum(), abs=1e-9)
    assert _abs_sum_within(a) == pytest.approx(np.abs(a[:, None] - a[None, :]).sum(), abs=1e-9)


def test_dagum_panel_and_errors():
    rng = np.random.default_rng(5)
    long = pd.DataFrame({"year": np.repeat([2011, 2015], 60), "g": np.tile(np.repeat(list("xyz"), 20), 2),
                         "v": rng.gamma(3.0, size=120)})
    dg = sc.dagum_gini(long, "v", group="g", time="year")
    assert list(dg.total.index) == [2011, 2015]
    np.testing.assert_allclose((dg.within + dg.between + dg.transvariation).to_numpy(), dg.total.to_numpy(),
                               atol=1e-12)
    np.testing.assert_allclose(dg.shares.sum(axis=1).to_numpy(), 1.0, atol=1e-12)
    lonely = long.copy()
    lonely.loc[0, "g"] = "solo"
    with pytest.raises(InputError, match=r"solo.*fewer than two members in year 2011"):
        sc.dagum_gini(lonely, "v", group="g", time="year")
    neg = long.copy()
    neg.loc[3, "v"] = -1.0
    with pytest.raises(InputError, match="non-negative"):
        sc.dagum_gini(neg, "v", group="g", time="year")
    assert "Dagum" in dg.summary() and dg.plot() is not None


def test_kernel_density_equals_scipy():
    """Each period's curve is scipy.stats.gaussian_kde (Scott's rule, and Silverman's) on the grid."""
    rng = np.random.default_rng(2)
    long = pd.DataFrame({"year": np.repeat([1, 2, 3], 40), "v": rng.normal(size=120) + np.repeat([0, 1, 2], 40)})
    for rule in ("scott", "silverman"):
        kd = sc.kernel_density(long, "v", time="year", bandwidth=rule)
        grid = kd.density.index.to_numpy()
        for year in (1, 2, 3):
            ref = stats.gaussian_kde(long.loc[long["year"] == year, "v"], bw_method=rule)
            np.testing.assert_allclose(kd.density[year].to_numpy(), ref(grid), rtol=1e-12)
            assert kd.bandwidth[year] == pytest.approx(ref.factor)
    assert "scott" in sc.kernel_density(long, "v", time="year").summary()


def test_rank_mobility_taus(us_income):  # noqa: F811
    """tau = scipy.stats.kendalltau; spatial tau = tau-b over neighbour pairs, by a brute-force loop over the
    pairs (giddy 2.3.8's SpatialTau, run locally, gives 0.7196261682242989 for 1929 -> 1969 on states48);
    intra/inter-regional taus equal
    giddy's Tau_Regional definition (mean concordance over ordered pairs i != j)."""
    long, pci, w = us_income
    sub = long[long["year"].isin([1929, 1969, 2009])]
    regime = {str(i): i % 3 for i in range(48)}
    r = sc.rank_mobility(sub, "pci", w, id="code", time="year", regime=regime, permutations=19, seed=0)
    x, y = pci[:, 0], pci[:, 40]
    row = r.frame.loc["1929-1969"]
    assert row["tau"] == pytest.approx(stats.kendalltau(x, y).statistic, abs=1e-14)
    pairs = {tuple(sorted((int(a), int(b)))) for a, b in w.adjacency.index}
    s = sum(np.sign((x[i] - x[j]) * (y[i] - y[j])) for i, j in pairs)
    n1 = sum(x[i] != x[j] for i, j in pairs)
    n2 = sum(y[i] != y[j] for i, j in pairs)
    assert row["spatial_tau"] == pytest.approx(s / np.sqrt(n1 * n2), abs=1e-14)
    assert row["spatial_tau"] == pytest.approx(0.7196261682242989, abs=1e-12)
    S = np.sign((x[:, None] - x[None, :]) * (y[:, None] - y[None, :]))
    reg = np.array([regime[str(i)] for i in range(48)])
    same = (reg[:, None] == reg[None, :]) & ~np.eye(48, dtype=bool)
    cross = reg[:, None] != reg[None, :]
    assert row["tau_intra"] == pytest.approx(S[same].mean(), abs=1e-14)
    assert row["tau_inter"] == pytest.approx(S[cross].mean(), abs=1e-14)
    assert 0 < row["spatial_tau_p"] <= 1
    assert "overall" in r.frame.index and r.plot() is not None


def test_spatial_tau_mexico_giddy():
    """giddy's tests (giddy/tests/test_rank.py, SpatialTau_Tester): Mexico pcgdp by decade, neighbours = same
    Esquivel (1999) region (block weights): spatial tau [0.397, 0.492, 0.651, 0.714, 0.683, 0.810] (3 d.p.)."""
    import libpysal
    from libpysal.graph import Graph

    states = sc.datasets.mexico_states()
    regimes = pd.read_csv(libpysal.examples.get_path("mexico.csv"))["esquivel99"].to_numpy()
    w = Graph.build_block_contiguity(pd.Series(regimes, index=states.index))
    r = sc.rank_mobility(sc.datasets.mexico_gdp_panel(), "pcgdp", w, id="state", time="year")
    consecutive = r.frame.drop(index="overall")["spatial_tau"].to_numpy()
    np.testing.assert_allclose(consecutive, [0.397, 0.492, 0.651, 0.714, 0.683, 0.810], atol=5e-4)


def test_dagum_group_as_a_series_of_regions_equals_the_column():
    """``group`` as region id -> group (like ``sc.inequality``'s ``groups``) gives the same decomposition
    as the group merged in as a column; regions the Series does not know are named."""
    rng = np.random.default_rng(8)
    ids = [f"r{i}" for i in range(12)]
    long = pd.DataFrame({"code": np.tile(ids, 3), "year": np.repeat([2001, 2002, 2003], 12),
                         "v": rng.gamma(2.0, size=36)})
    by_region = pd.Series(np.repeat(["east", "west", "north"], 4), index=ids, name="region")
    merged = sc.dagum_gini(long.merge(by_region, left_on="code", right_index=True), "v", "region", time="year", id="code")
    direct = sc.dagum_gini(long, "v", by_region, time="year", id="code")
    pd.testing.assert_frame_equal(direct.table, merged.table)
    assert sc.dagum_gini(long, "v", by_region.to_dict(), time="year", id="code").table.equals(merged.table)
    with pytest.raises(InputError, match=r"missing for r11: 2001, 2002, 2003"):
        sc.dagum_gini(long, "v", by_region.drop("r11"), time="year", id="code")
