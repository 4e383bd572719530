"""Convergence: sc.sigma_convergence and sc.convergence (beta, cross-section and sub-period panels).

References: spreg's ML_Lag / ML_Error (Anselin 1988) and sc.spillover for the spatial betas;
Barro & Sala-i-Martin (1992) for speed = -ln(1 + beta) / T and half-life = ln 2 / speed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import spatialcluster as sc
from spatialcluster import InputError


@pytest.fixture(scope="module")
def mexico():
    panel = sc.datasets.mexico_gdp_panel()
    w = sc.build_weights(sc.datasets.mexico_states(), kind="queen", transform="r")
    return panel, w


@pytest.mark.parametrize("model", ["ols", "sar", "sem", "sdm"])
def test_beta_equals_spillover(mexico, model):
    """The beta of every model is sc.spillover's coefficient of the log initial level (1e-10); without
    weights OLS gives the same numbers."""
    panel, w = mexico
    cv = sc.convergence(panel, "pcgdp", id="state", time="year", start=1940, end=2000, model=model, w=w)
    wide = panel.pivot(index="state", columns="year", values="pcgdp").loc[list(w.unique_ids)]
    data = pd.DataFrame({"g": np.log(wide[2000]) - np.log(wide[1940]), "l0": np.log(wide[1940])})
    ref = sc.spillover(data, y="g", x=["l0"], w=w, model=model, draws=0)
    assert cv.beta == pytest.approx(ref.params["l0"], abs=1e-10)
    assert cv.beta_se == pytest.approx(ref.std_err["l0"], rel=1e-8)
    assert cv.model.loglik == pytest.approx(ref.loglik, rel=1e-10)
    if model == "ols":
        plain = sc.convergence(panel, "pcgdp", id="state", time="year", start=1940, end=2000)
        assert plain.beta == pytest.approx(ref.params["l0"], abs=1e-10)
        assert plain.beta_se == pytest.approx(ref.std_err["l0"], rel=1e-8)


def test_spatial_beta_equals_spreg(mexico):
    """SAR / SEM betas equal spreg.ML_Lag / ML_Error (method 'full') to 1e-6."""
    import spreg

    panel, w = mexico
    W = w.to_W()
    for model, est in (("sar", spreg.ML_Lag), ("sem", spreg.ML_Error)):
        cv = sc.convergence(panel, "pcgdp", id="state", time="year", start=1940, end=2000, model=model, w=w)
        y = cv.data[["growth"]].to_numpy()
        X = cv.data[["log_initial"]].to_numpy()
        ref = est(y, X, w=W, method="full")
        assert cv.beta == pytest.approx(float(ref.betas[1, 0]), abs=1e-6)
        param = "rho" if model == "sar" else "lambda"
        assert cv.model.params[param] == pytest.approx(float(ref.betas[-1, 0]), abs=1e-6)


def test_speed_half_life_delta_method(mexico):
    """speed = -ln(1 + beta) / T and half-life = ln 2 / speed; their SEs equal the delta method
    computed by a central numerical derivative."""
    panel, _ = mexico
    cv = sc.convergence(panel, "pcgdp", id="state", time="year", start=1940, end=2000)
    b, se, T = cv.beta, cv.beta_se, 60.0
    assert cv.speed == pytest.approx(-np.log(1 + b) / T, rel=1e-14)
    assert cv.half_life == pytest.approx(np.log(2) / cv.speed, rel=1e-14)
    h = 1e-6
    d_speed = (-np.log(1 + b + h) + np.log(1 + b - h)) / (2 * h * T)
    d_half = (np.log(2) / (-np.log(1 + b + h) / T) - np.log(2) / (-np.log(1 + b - h) / T)) / (2 * h)
    assert cv.speed_se == pytest.approx(abs(d_speed) * se, rel=1e-6)
    assert cv.half_life_se == pytest.approx(abs(d_half) * se, rel=1e-6)
    assert cv.converging
    frame = cv.to_frame()
    assert list(frame.index) == ["beta", "speed", "half_life"]


def test_panel_fixed_effects_equal_dummy_ols(mexico):
    """Sub-periods of 10 years with region effects: the within estimator equals OLS with region dummies
    (the Frisch-Waugh-Lovell theorem), coefficient and classical SE."""
    panel, _ = mexico
    cv = sc.convergence(panel, "pcgdp", id="state", time="year", period_length=10)
    d = cv.data
    D = pd.get_dummies(d["state"]).to_numpy(dtype=float)
    X = np.column_stack([d["log_initial"], D])
    y = d["growth"].to_numpy()
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    s2 = resid @ resid / (len(y) - X.shape[1])
    se = np.sqrt(s2 * np.linalg.inv(X.T @ X)[0, 0])
    assert cv.beta == pytest.approx(beta[0], abs=1e-10)
    assert cv.beta_se == pytest.approx(se, rel=1e-8)
    assert cv.T == 10.0 and len(d) == 32 * 6


def test_panel_spatial_uses_spillover_panel(mexico):
    """The spatial sub-period panel is sc.spillover_panel on the growth data."""
    panel, w = mexico
    cv = sc.convergence(panel, "pcgdp", id="state", time="year", period_length=10, model="sar", w=w)
    ref = sc.spillover_panel(cv.data, y="growth", x=["log_initial"], w=w, id="state", time="year", model="sar",
                             effects="region", draws=0)
    assert cv.beta == pytest.approx(ref.params["log_initial"], abs=1e-10)


def test_conditional_convergence_with_control(mexico):
    panel, w = mexico
    p = panel.copy()
    p["share"] = np.linspace(0.1, 0.9, len(p))
    cv = sc.convergence(p, "pcgdp", id="state", time="year", start=1940, end=2000, controls=["share"])
    assert cv.kind == "conditional" and "share" in cv.model.params.index


def test_sigma_convergence_measures(mexico):
    """CV, Gini, Theil equal sc.inequality per year; sd_log the population SD of logs; the trend p equals
    scipy.stats.linregress."""
    panel, _ = mexico
    s = sc.sigma_convergence(panel, "pcgdp", id="state", time="year")
    ineq = sc.inequality(panel, "pcgdp", time="year", id="state").frame
    np.testing.assert_allclose(s.frame["gini"].to_numpy(), ineq["gini"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(s.frame["cv"].to_numpy(), ineq["cv"].to_numpy(), rtol=1e-12)
    wide = panel.pivot(index="state", columns="year", values="pcgdp")
    np.testing.assert_allclose(s.frame["sd_log"].to_numpy(), np.log(wide).std(axis=0, ddof=0).to_numpy())
    fit = stats.linregress(s.frame.index.to_numpy(dtype=float), s.frame["gini"].to_numpy())
    assert s.trend.loc["gini", "slope_p"] == pytest.approx(fit.pvalue, rel=1e-12)


def test_convergence_bad_inputs(mexico):
    panel, w = mexico
    short = panel[panel["year"] <= 1950]
    with pytest.raises(InputError, match="at least 3 periods"):
        sc.sigma_convergence(short, "pcgdp", id="state", time="year")
    bad = panel.copy()
    bad.loc[(bad["state"] == "MX05") & (bad["year"] == 1940), "pcgdp"] = 0.0
    with pytest.raises(InputError, match=r"must be positive.*MX05/1940"):
        sc.convergence(bad, "pcgdp", id="state", time="year")
    with pytest.raises(InputError, match="needs spatial weights"):
        sc.convergence(panel, "pcgdp", id="state", time="year", model="sar")
    with pytest.raises(InputError, match="not a period"):
        sc.convergence(panel, "pcgdp", id="state", time="year", start=1945)


def test_convergence_results_protocol(mexico):
    import json

    panel, w = mexico
    for res in (sc.convergence(panel, "pcgdp", id="state", time="year", model="sar", w=w),
                sc.sigma_convergence(panel, "pcgdp", id="state", time="year")):
        json.dumps(res.to_record())
        assert "pcgdp" in res.summary()
        assert res.plot() is not None
        assert len(res.to_frame())
