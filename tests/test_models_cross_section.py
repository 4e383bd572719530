"""Cross-section ML estimators against R spatialreg's published Columbus output, spreg, and brute force.

References (Anselin's COL.OLD with his 232-link COL.nb, row-standardised), printed in the examples of
R spatialreg's ``ML_models`` help page (``lagsarlm``, ``errorsarlm``, ``sacsarlm``; spatialreg
docs/reference/ML_models.md) and spdep's ``lm.RStests`` page (OLS).
Every published target is also checked by a dense brute-force fit of the full likelihood here.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from models_fixtures import (  # noqa: F401 (single_thread_blas is an autouse fixture)
    brute_force_ml,
    columbus_old_data,
    graph_from_neighbours,
    lattice_graph,
    single_thread_blas,
)

import spatialcluster as sc
from spatialcluster import ConfigError, InputError, SpatialClusterWarning, WeightsError

X = ["INC", "HOVAL"]
REL = 2e-6  # relative tolerance against R's printed values: at least 5 significant digits

# R spatialreg ML_models examples (COL.OLD, nb2listw(COL.nb, style="W")): estimate, asymptotic s.e.
R_TARGETS = {
    "sar": {  # COL.lag.eig; coef(x) printed to 8-9 digits
        "params": {"const": (45.0792505, 7.17734654), "INC": (-1.0316157, 0.30514297),
                   "HOVAL": (-0.2659263, 0.08849862), "rho": (0.4310232, 0.11768)},
        "loglik": -182.3904, "sigma2": 95.494, "aic": 374.78,
    },
    "sem": {  # COL.errW.eig
        "params": {"const": (59.893220, 5.366162), "INC": (-0.941312, 0.330569),
                   "HOVAL": (-0.302250, 0.090476), "lambda": (0.5617902, 0.13387)},
        "loglik": -183.3805, "sigma2": 95.575, "aic": 376.76,
    },
    "sdm": {  # COL.mixed.W
        "params": {"const": (42.822413, 12.667204), "INC": (-0.914223, 0.331094),
                   "HOVAL": (-0.293738, 0.089212), "W_INC": (-0.520283, 0.565129),
                   "W_HOVAL": (0.245640, 0.178917), "rho": (0.42634, 0.15623)},
        "loglik": -181.3935, "sigma2": 91.791, "aic": 376.79,
    },
    "sdem": {  # COL.SDEM.eig
        "params": {"const": (73.545133, 8.783543), "INC": (-1.051673, 0.319514),
                   "HOVAL": (-0.275608, 0.091151), "W_INC": (-1.156711, 0.578629),
                   "W_HOVAL": (0.111691, 0.198993), "lambda": (0.4254, 0.15842)},
        "loglik": -181.5846, "sigma2": 92.531, "aic": 377.17,
    },
    "sac": {  # COL.sacW.eig
        "params": {"const": (47.783764, 9.902659), "INC": (-1.025894, 0.326326),
                   "HOVAL": (-0.281651, 0.090033), "rho": (0.36807, 0.19668), "lambda": (0.16668, 0.29661)},
        "loglik": -182.2348, "sigma2": 95.604, "aic": 376.47,
    },
}


def _printed_tol(value: float) -> float:
    """Half a unit in the last printed digit, or REL relative, whichever is larger."""
    s = repr(value)
    decimals = len(s.split(".")[1]) if "." in s else 0
    return max(0.5 * 10.0**-decimals * 1.001, REL * abs(value))


@pytest.fixture(scope="module")
def col(columbus_old):
    return columbus_old_data(columbus_old)


@pytest.fixture(scope="module")
def fits(col):
    df, g = col
    return {m: sc.spillover(df, "CRIME", X, g, model=m, draws=0) for m in R_TARGETS}


@pytest.mark.parametrize("model", list(R_TARGETS))
def test_against_r_spatialreg(fits, model):
    res, ref = fits[model], R_TARGETS[model]
    assert res.logdet_method == "eigen" and res.se_method == "dense"
    for name, (est, se) in ref["params"].items():
        assert res.params[name] == pytest.approx(est, abs=_printed_tol(est)), name
        assert res.std_err[name] == pytest.approx(se, abs=_printed_tol(se)), name
    assert res.loglik == pytest.approx(ref["loglik"], abs=_printed_tol(ref["loglik"]))
    assert res.sigma2 == pytest.approx(ref["sigma2"], abs=_printed_tol(ref["sigma2"]))
    assert res.aic == pytest.approx(ref["aic"], abs=_printed_tol(ref["aic"]))


def test_ols_against_r_lm(col):
    df, g = col
    res = sc.spillover(df, "CRIME", ["HOVAL", "INC"], g, model="ols", draws=0)
    # spdep lm.RStests example: summary(lm(CRIME ~ HOVAL + INC, COL.OLD)); AIC for lm 382.75
    for name, est, se in (("const", 68.6190, 4.7355), ("HOVAL", -0.2739, 0.1032), ("INC", -1.5973, 0.3341)):
        assert res.params[name] == pytest.approx(est, abs=5e-5)
        assert res.std_err[name] == pytest.approx(se, abs=5e-5)
    assert res.aic == pytest.approx(382.75, abs=5e-3)
    Z = np.column_stack([np.ones(len(df)), df[["HOVAL", "INC"]].to_numpy()])
    b = np.linalg.lstsq(Z, df["CRIME"].to_numpy(), rcond=None)[0]
    np.testing.assert_allclose(res.params.to_numpy(), b, rtol=1e-12)


@pytest.mark.parametrize("model", ["sar", "sem", "sac"])
def test_brute_force_full_likelihood(col, fits, model):
    """The concentrated, eigenvalue-based ML equals a dense generic maximisation of the full likelihood."""
    df, g = col
    from spatialcluster._validate import sparse_weights

    W = sparse_weights(g)
    Z = np.column_stack([np.ones(len(df)), df[X].to_numpy()])
    p, ll = brute_force_ml(df["CRIME"].to_numpy(), Z, W, model)
    res = fits[model]
    assert res.loglik >= ll - 1e-7  # ours is at least as high: the maximum
    assert res.loglik == pytest.approx(ll, abs=1e-6)
    np.testing.assert_allclose(res.params.to_numpy(), p, rtol=2e-4, atol=2e-4)


@pytest.mark.parametrize("model, base", [("sdm", "sar"), ("sdem", "sem")])
def test_durbin_brute_force(col, fits, model, base):
    """SDM / SDEM are SAR / SEM on [1, X, WX]: the dense full-likelihood fit of that design agrees."""
    df, g = col
    from spatialcluster._validate import sparse_weights

    W = sparse_weights(g)
    Xv = df[X].to_numpy()
    Z = np.column_stack([np.ones(len(df)), Xv, W @ Xv])
    p, ll = brute_force_ml(df["CRIME"].to_numpy(), Z, W, base)
    res = fits[model]
    names = ["const", *X, *(f"W_{x}" for x in X), "rho" if base == "sar" else "lambda"]
    assert res.loglik >= ll - 1e-7
    assert res.loglik == pytest.approx(ll, abs=1e-6)
    np.testing.assert_allclose(res.params[names].to_numpy(), p, rtol=2e-4, atol=2e-4)


def test_binary_weights_brute_force(col):
    """Non-row-standardised W: bounds from its own eigenvalues; R's COL.lag.B example is not the target.

    R's example passes eigenvalues of the *row-standardised* matrix with binary weights (pre_eig=ev), so
    its printed rho 0.054543 / log-lik -180.6507 maximise a wrong likelihood; the brute force decides.
    """
    df, _ = col
    g_rowstd = col[1]
    neighbours = {i: list(g_rowstd[i].index) for i in g_rowstd.unique_ids}
    gb = graph_from_neighbours(list(g_rowstd.unique_ids), neighbours, transform=None)
    from spatialcluster._validate import sparse_weights

    W = sparse_weights(gb)
    res = sc.spillover(df, "CRIME", X, gb, model="sar", draws=0)
    Z = np.column_stack([np.ones(len(df)), df[X].to_numpy()])
    p, ll = brute_force_ml(df["CRIME"].to_numpy(), Z, W, "sar")
    assert res.loglik == pytest.approx(ll, abs=1e-6)
    np.testing.assert_allclose(res.params.to_numpy(), p, rtol=2e-4, atol=2e-5)
    ev = np.linalg.eigvalsh(W.toarray())
    assert res.extra["bounds"] == pytest.approx((1 / ev.min(), 1 / ev.max()), rel=1e-9)
    assert abs(res.loglik - (-180.6507)) > 1e-2  # the published example is indeed off
    assert "W_const" not in res.params.index  # SAR has no lagged regressors


def test_sdm_binary_weights_has_lagged_constant(col):
    df, g = col
    neighbours = {i: list(g[i].index) for i in g.unique_ids}
    gb = graph_from_neighbours(list(g.unique_ids), neighbours, transform=None)
    res = sc.spillover(df, "CRIME", X, gb, model="sdm", draws=0)
    assert "W_const" in res.params.index  # as R, which keeps lag.(Intercept) for style "B"
    assert res.effects.index.tolist() == X


@pytest.mark.parametrize("model,cls", [("sar", "ML_Lag"), ("sem", "ML_Error")])
def test_against_spreg(col, fits, model, cls):
    import spreg
    from libpysal.weights import WSP

    from spatialcluster._validate import sparse_weights

    df, g = col
    w = WSP(sparse_weights(g)).to_W(silence_warnings=True)
    w.transform = "o"
    y = df[["CRIME"]].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = getattr(spreg, cls)(y, df[X].to_numpy(), w=w, method="full", epsilon=1e-12)
    res = fits[model]
    np.testing.assert_allclose(res.params.to_numpy(), np.asarray(ref.betas).ravel(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(res.std_err.to_numpy(), np.sqrt(np.diag(ref.vm))[: len(res.params)],
                               rtol=1e-5)
    assert res.loglik == pytest.approx(float(ref.logll), abs=1e-6)


def test_durbin_subset_against_r(columbus_old):
    df, g = columbus_old_data(columbus_old)
    res = sc.spillover(df, "CRIME", X, g, model="sdm", durbin=["INC"], draws=0)
    # COL.mixed.D1a: Durbin = ~INC
    assert list(res.params.index) == ["const", "INC", "HOVAL", "W_INC", "rho"]
    for name, est, se in (("const", 48.814687, 12.198232), ("INC", -1.006620, 0.330641),
                          ("HOVAL", -0.265514, 0.088768), ("W_INC", -0.186684, 0.530550),
                          ("rho", 0.39229, 0.1561)):
        assert res.params[name] == pytest.approx(est, abs=_printed_tol(est))
        assert res.std_err[name] == pytest.approx(se, abs=_printed_tol(se))
    assert res.loglik == pytest.approx(-182.3328, abs=_printed_tol(-182.3328))


@pytest.mark.parametrize("model", ["sar", "sdm", "sem", "sdem", "sac"])
def test_gmm_wraps_spreg(col, model):
    import spreg
    from libpysal.weights import WSP

    from spatialcluster._validate import sparse_weights

    df, g = col
    res = sc.spillover(df, "CRIME", X, g, model=model, method="gmm", draws=0)
    w = WSP(sparse_weights(g)).to_W(silence_warnings=True)
    w.transform = "o"  # rebuilds w.sparse as the scipy matrix type spreg expects
    y, x = df[["CRIME"]].to_numpy(), df[X].to_numpy()
    kw = {"slx_lags": 1} if model in ("sdm", "sdem") else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cls = {"sar": spreg.GM_Lag, "sdm": spreg.GM_Lag, "sem": spreg.GM_Error_Het, "sdem": spreg.GM_Error_Het,
               "sac": spreg.GM_Combo_Het}[model]
        ref = cls(y, x, w=w, **kw)
    np.testing.assert_allclose(res.params.to_numpy(), np.asarray(ref.betas).ravel()[: len(res.params)],
                               rtol=1e-8)
    assert res.method == "gmm" and np.isnan(res.loglik)
    assert ("rho" in res.params.index) == (model in ("sar", "sdm", "sac"))


def test_gmm_robust_white(col):
    df, g = col
    plain = sc.spillover(df, "CRIME", X, g, model="sar", method="gmm", draws=0)
    white = sc.spillover(df, "CRIME", X, g, model="sar", method="gmm", robust="white", draws=0)
    np.testing.assert_allclose(plain.params, white.params, rtol=1e-12)
    assert not np.allclose(plain.std_err, white.std_err)
    with pytest.raises(ConfigError, match="robust"):
        sc.spillover(df, "CRIME", X, g, model="sar", robust="white")


def test_large_n_path_matches_dense(monkeypatch):
    """Sparse LU + Hutchinson traces (the large-N route) reproduce the dense route on a 900-cell grid."""
    from spatialcluster.models import cross_section

    W, ids, g = lattice_graph(30)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(len(ids), 2))
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

    y = spla.spsolve(sp.identity(len(ids), format="csc") - 0.6 * W.tocsc(),
                     1 + x @ [1.0, -1.0] + W @ x @ [0.5, 0.5] + rng.normal(size=len(ids)))
    df = pd.DataFrame({"y": y, "a": x[:, 0], "b": x[:, 1]}, index=ids)
    dense = sc.spillover(df, "y", ["a", "b"], g, model="sdm", logdet="eigen", draws=0)
    monkeypatch.setattr(cross_section, "DENSE_SE_MAX_N", 100)
    sparse = sc.spillover(df, "y", ["a", "b"], g, model="sdm", logdet="lu", draws=0)
    assert sparse.logdet_method == "lu" and sparse.se_method.startswith("hutchinson")
    np.testing.assert_allclose(sparse.params, dense.params, rtol=1e-7, atol=1e-8)
    # Monte Carlo traces: standard errors within 2 % of the exact ones
    np.testing.assert_allclose(sparse.std_err, dense.std_err, rtol=0.02)
    for model, rtol in (("sem", 1e-7), ("sac", 1e-5)):
        # SAC: Nelder-Mead from the series optimum; its tolerance, not the log-determinant, limits
        d = sc.spillover(df, "y", ["a", "b"], g, model=model, logdet="eigen", draws=0)
        s = sc.spillover(df, "y", ["a", "b"], g, model=model, logdet="lu", draws=0)
        np.testing.assert_allclose(s.params, d.params, rtol=rtol, atol=rtol)
        assert s.loglik == pytest.approx(d.loglik, abs=1e-8)
        np.testing.assert_allclose(s.std_err, d.std_err, rtol=0.03)


def test_result_object(fits, col):
    res = fits["sdm"]
    frame = res.to_frame()
    assert list(frame.columns) == ["estimate", "std_err", "z", "p"]
    np.testing.assert_allclose(frame["z"], res.params / res.std_err)
    assert res.residuals.index.equals(col[0].index)
    np.testing.assert_allclose(res.residuals + res.fitted, col[0]["CRIME"])
    assert "SDM" in res.summary() and "eigen" in res.summary()
    assert 0 < res.r2 < 1
    assert res.schwarz == pytest.approx(-2 * res.loglik + res.k * np.log(res.n))


def test_bad_inputs(col):
    df, g = col
    with pytest.raises(ConfigError, match="model"):
        sc.spillover(df, "CRIME", X, g, model="sdx")
    with pytest.raises(InputError, match="INCOME"):
        sc.spillover(df, "CRIME", ["INCOME"], g)
    df2 = df.assign(INC2=df["INC"] * 2)
    with pytest.raises(InputError, match="INC2"):
        sc.spillover(df2, "CRIME", ["INC", "INC2"], g, model="sar")
    with pytest.raises(WeightsError, match="1049"):
        sc.spillover(df.drop(index="1049"), "CRIME", X, g)
    with pytest.raises(InputError, match="Durbin"):
        sc.spillover(df, "CRIME", X, g, model="sdm", durbin=["OPEN"])


def test_islands_error_or_warning(col):
    df, g = col
    nb = {i: [j for j in g[i].index if j != "1001" and i != "1001"] for i in g.unique_ids}
    gi = graph_from_neighbours(list(g.unique_ids), nb)
    with pytest.raises(WeightsError, match="1001"):
        sc.spillover(df, "CRIME", X, gi, model="sar")
    with pytest.warns(SpatialClusterWarning, match="1001"):
        res = sc.spillover(df, "CRIME", X, gi, model="sar", islands="keep", draws=0)
    assert np.isfinite(res.loglik)
