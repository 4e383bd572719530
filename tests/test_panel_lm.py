"""Panel LM tests (``panel_lm_tests``) and balancing (``balance_panel``).

References, with tolerances:

* A dense computation of the formulas (Elhorst 2014, sec. 3.5) written in this file, on Munnell's Produc
  panel with splm's ``usaww``: pooled OLS (``effects="none"``) and region effects, 1e-10 (relative).
* That dense computation is itself checked against spreg's ``panel_LMerror``, ``panel_rLMlag`` and
  ``panel_rLMerror`` (spreg.diagnostics_panel), called in the test (region effects: spreg on the
  region-demeaned data), 1e-8, with spreg's ``sigma^2 = e'e / (n - k)`` in place of our ML ``e'e / NT``.
  spreg's ``panel_LMlag`` uses ``T_W^2`` where the formula and spreg's own robust tests have ``T T_W``,
  so it is not used.
* Two-way effects: the same dense computation on the two-way demeaned data (lags taken before
  demeaning), 1e-10.
"""

from __future__ import annotations

import libpysal
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import spreg
from libpysal.graph import Graph
from scipy.stats import chi2
from test_panel_splm import X, produc  # noqa: F401  (Munnell panel and splm usaww weights)

import spatialcluster as sc
from spatialcluster._errors import InputError
from spatialcluster.models.panel_lm import balance_panel, panel_lm_tests


def arrays(p, g):
    ids = [str(i) for i in g.unique_ids]
    Y = p.pivot(index="year", columns="state", values="log_gsp")[ids].to_numpy()
    Xw = np.stack([p.pivot(index="year", columns="state", values=c)[ids].to_numpy() for c in X], axis=2)
    return Y, Xw


def dense_lm(y, Xm, Wnt, T, Wd, ddof=0):
    """The four statistics from dense matrices (Elhorst 2014, sec. 3.5): y, Xm already transformed;
    ``sigma^2 = e'e / (n - ddof)`` (ours: ddof 0, the ML estimate; spreg: the OLS degrees of freedom)."""
    n = len(y)
    M = np.eye(n) - Xm @ np.linalg.solve(Xm.T @ Xm, Xm.T)
    e = M @ y
    s2 = e @ e / (n - ddof)
    b = np.linalg.solve(Xm.T @ Xm, Xm.T @ y)
    tw = np.trace(Wd @ Wd + Wd.T @ Wd)
    wxb = Wnt @ (Xm @ b)
    J = (wxb @ M @ wxb + T * tw * s2) / s2
    lag, err = e @ Wnt @ y / s2, e @ Wnt @ e / s2
    return {"LM_lag": lag**2 / J, "LM_error": err**2 / (T * tw), "robust_LM_lag": (lag - err) ** 2 / (J - T * tw),
            "robust_LM_error": (err - T * tw / J * lag) ** 2 / (T * tw * (1 - T * tw / J))}


@pytest.mark.parametrize("effects", ["none", "region"])
def test_matches_spreg(produc, effects):
    p, g = produc
    res = panel_lm_tests(p, "log_gsp", X, g, id="state", time="year", effects=effects)
    Y, Xw = arrays(p, g)
    if effects == "region":
        Y, Xw = Y - Y.mean(axis=0), Xw - Xw.mean(axis=0)
    w = libpysal.weights.WSP(sp.csr_matrix(g.sparse)).to_W(silence_warnings=True)
    y, x = Y.reshape(-1, 1), Xw.reshape(Y.size, -1)
    Xc = np.column_stack([np.ones(Y.size), x])  # spreg adds the constant (zero coefficient when demeaned)
    Wd = g.sparse.toarray()
    Wnt = np.kron(np.eye(Y.shape[0]), Wd)
    # spreg divides e'e by n - k: the dense formula with that sigma^2 reproduces its three correct tests
    as_spreg = dense_lm(y.ravel(), Xc, Wnt, Y.shape[0], Wd, ddof=Xc.shape[1])
    for name, fn in (("LM_error", spreg.panel_LMerror), ("robust_LM_lag", spreg.panel_rLMlag),
                     ("robust_LM_error", spreg.panel_rLMerror)):
        assert as_spreg[name] == pytest.approx(fn(y, x, w)[0], rel=1e-8), name
    # ours (sigma^2 = e'e / NT) equals the dense formula
    ref = dense_lm(y.ravel(), Xc if effects == "none" else x, Wnt, Y.shape[0], Wd)
    for name, val in ref.items():
        assert res.tests.loc[name, "statistic"] == pytest.approx(val, rel=1e-10), name
    np.testing.assert_allclose(res.tests["p_value"], chi2.sf(res.tests["statistic"], 1), rtol=1e-12)


def test_twoway_matches_dense(produc):
    p, g = produc
    res = panel_lm_tests(p, "log_gsp", X, g, id="state", time="year", effects="twoway")
    Y, Xw = arrays(p, g)
    Wd = g.sparse.toarray()
    T = Y.shape[0]

    def dm(a):
        return a - a.mean(axis=0) - a.mean(axis=1, keepdims=True) + a.mean(axis=(0, 1))

    # dense: demeaned y and X, W applied to the demeaned y and e and re-demeaned (lags before demeaning
    # of y itself: Q W y = Q W (Q y + effects) = Q W Q y for region effects and row-standardised W)
    Q = np.kron(np.eye(T) - 1 / T, np.eye(48)) @ np.kron(np.eye(T), np.eye(48) - 1 / 48)
    Wnt = Q @ np.kron(np.eye(T), Wd)
    ref = dense_lm(dm(Y).ravel(), np.stack([dm(Xw[:, :, i]).ravel() for i in range(4)], axis=1), Wnt, T, Wd)
    for name, val in ref.items():
        assert res.tests.loc[name, "statistic"] == pytest.approx(val, rel=1e-10), name
    assert set(res.to_record()) == {"effects", *ref}
    assert "Panel LM tests (twoway effects" in res.summary()


def test_bad_effects(produc):
    p, g = produc
    with pytest.raises(InputError, match="'random' is not one of"):
        panel_lm_tests(p, "log_gsp", X, g, id="state", time="year", effects="random")


def small_panel():
    ids = [f"r{i}" for i in range(5)]
    df = pd.DataFrame({"code": np.repeat(ids, 4), "year": np.tile([2000, 2001, 2002, 2003], 5),
                       "y": np.arange(20.0), "x": np.cos(np.arange(20.0))})
    C = sp.csr_matrix(np.eye(5, k=1) + np.eye(5, k=-1))
    g = Graph.from_sparse(C, ids=ids).transform("r")
    return df, g


def test_balance_panel_regions_periods_both():
    df, g = small_panel()
    gappy = df.drop(index=[5])  # r1 has no 2001
    gappy.loc[gappy.index[-1], "y"] = np.nan  # r4 2003 missing y
    bal = balance_panel(gappy, columns=["y"], how="regions", w=g)
    assert bal.dropped_regions == ["r1", "r4"] and bal.dropped_periods == []
    assert sorted(bal.data.code.unique()) == ["r0", "r2", "r3"] and len(bal.data) == 12
    assert list(bal.w.unique_ids) == ["r0", "r2", "r3"]
    np.testing.assert_allclose(bal.w.sparse.toarray(), [[0, 0, 0], [0, 0, 1], [0, 1, 0]])  # r0 lost r1
    assert "r1" in bal.summary() and bal.to_frame().loc["r1", "periods_observed"] == 3
    per = balance_panel(gappy, columns=["y"], how="periods")
    assert per.dropped_periods == [2001, 2003] and per.dropped_regions == [] and len(per.data) == 10
    both = balance_panel(gappy, columns=["y"], how="both")
    assert both.dropped_periods == [2001, 2003] and both.dropped_regions == []
    # the balanced data fit; the unbalanced are refused with the missing region-periods named
    with pytest.raises(InputError, match="r1 2001"):
        sc.spillover_panel(gappy.fillna(0), "y", ["x"], g)
    assert balance_panel(df).summary().endswith("already balanced")


def test_balance_panel_bad_input():
    df, _ = small_panel()
    with pytest.raises(InputError, match="duplicate region-periods: r0 2000"):
        balance_panel(pd.concat([df, df.iloc[:1]]))
    with pytest.raises(InputError, match="'rows' is not one of"):
        balance_panel(df, how="rows")
    sparse = df[(df.code == "r0") | (df.year == 2000)].iloc[1:]
    with pytest.raises(InputError, match="leaves nothing"):
        balance_panel(sparse, how="regions")


def test_plots(produc):
    """Every result draws its chart on a given Axes (LM bars, FE/RE estimates, coverage)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from spatialcluster.models.panel_re import panel_hausman

    p, g = produc
    lm = panel_lm_tests(p, "log_gsp", X, g, id="state", time="year")
    fig, axes = plt.subplots(1, 3)
    assert lm.plot(ax=axes[0]) is axes[0] and len(axes[0].patches) == 4
    kw = dict(id="state", time="year", model="sem", draws=0)
    h = panel_hausman(sc.spillover_panel(p, "log_gsp", X, g, effects="region", bias_correction=False, **kw),
                      sc.spillover_panel(p, "log_gsp", X, g, effects="random", **kw))
    assert h.plot(ax=axes[1]) is axes[1] and len(axes[1].lines) == 3  # FE, RE markers and the zero line
    df, w = small_panel()
    bal = balance_panel(df.drop(index=[5]), w=w)
    assert bal.plot(ax=axes[2]) is axes[2] and len(axes[2].patches) == 5
    plt.close(fig)


def test_balance_panel_names_absent_columns():
    df, _ = small_panel()
    with pytest.raises(InputError, match=r"column\(s\) gdp not in the panel; columns are code, year, y, x"):
        balance_panel(df, columns=["gdp"])
