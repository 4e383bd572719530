"""sc.gwr against published GWR output on libpysal's bundled Georgia data.

Data: ``GData_utm.csv`` (159 Georgia counties, UTM coordinates X/Y), bundled with libpysal.
References:

* GWR4 output ``georgia_BS_NN_listwise.csv`` (bundled with libpysal): PctBach ~ PctRural + PctPov +
  PctBlack, adaptive bisquare, 90 neighbours; local estimates, SEs, t values, local R2, influence.
* mgwr's published test values (mgwr/tests/test_gwr.py ``test_BS_NN`` and test_sel_bw.py):
  R2 0.5924, AICc 896.463 (floor 896 in mgwr, the value to 3 decimals in the issue), AIC 892,
  BIC 941, CV 19.19, adjusted alpha [0.02034978, 0.01017489, 0.0002035], critical t 2.6011011542649394
  at alpha 0.01017489, golden-section bandwidths (AICc adaptive bisquare 93, fixed bisquare 211020.83,
  Gaussian fixed AIC 76201.66, BIC 1117795.47, CV 130289.26, Gaussian adaptive AIC 50, BIC 62,
  CV 68), interval searches, Monte Carlo spatial-variability p-values [0, 0, 0.5, 0.2]
  (10 permutations, seed 5536).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from libpysal import examples

import spatialcluster as sc
from gwr_fixtures import georgia  # noqa: F401 (fixture)

X = ["PctRural", "PctPov", "PctBlack"]
GWR4 = {"const": "Intercept", "PctRural": "PctRural", "PctPov": "PctPov", "PctBlack": "PctBlack"}


@pytest.fixture(scope="module")
def gwr4():
    return pd.read_csv(examples.get_path("georgia_BS_NN_listwise.csv"), skipinitialspace=True)


@pytest.fixture(scope="module")
def fit90(georgia):
    return sc.gwr(georgia, y="PctBach", x=X, bandwidth=90, coords=("X", "Y"))


def test_published_global_numbers(fit90):
    """R2 0.5924 and AICc 896.463 (issue 13; mgwr test_BS_NN); AIC/BIC/CV as mgwr's test."""
    assert round(fit90.r2, 4) == 0.5924
    assert fit90.aicc == pytest.approx(896.463, abs=5e-4)
    assert np.floor(fit90.aic) == 892.0
    assert np.floor(fit90.bic) == 941.0
    assert round(fit90.cv, 2) == 19.19
    assert fit90.bandwidth == 90


def test_local_estimates_match_gwr4(fit90, gwr4):
    """Local estimates, SEs and t values within 1e-4 of GWR4's listwise output (bundled)."""
    assert list(fit90.params.columns) == ["const", *X]
    assert list(fit90.params.index) == [str(k) for k in gwr4["Area_key"]]
    for ours, theirs in GWR4.items():
        np.testing.assert_allclose(fit90.params[ours], gwr4[f"est_{theirs}"], atol=1e-4, rtol=0)
        np.testing.assert_allclose(fit90.std_err[ours], gwr4[f"se_{theirs}"], atol=1e-4, rtol=0)
        np.testing.assert_allclose(fit90.tvalues[ours], gwr4[f"t_{theirs}"], atol=1e-4, rtol=0)
    np.testing.assert_allclose(fit90.local_r2, gwr4["localR2"], atol=1e-5, rtol=0)
    np.testing.assert_allclose(fit90.influence, gwr4["influence"], atol=1e-5, rtol=0)
    np.testing.assert_allclose(fit90.fitted, gwr4["yhat"], atol=1e-4, rtol=0)


def test_adjusted_alpha_and_critical_t(georgia, fit90):
    """da Silva-Fotheringham adjusted alpha 0.05 * k / ENP = 0.01017489 and critical t 2.6011 (mgwr).

    mgwr's published critical t is at the rounded alpha 0.01017489, hence the 1e-7 tolerance.
    """
    np.testing.assert_allclose(fit90.adj_alpha, 0.01017489, rtol=1e-6)
    np.testing.assert_allclose(fit90.critical_t, 2.6011011542649394, rtol=1e-7)
    assert (fit90.significant == (fit90.tvalues.abs() > fit90.critical_t)).all().all()
    lo = sc.gwr(georgia, y="PctBach", x=X, bandwidth=90, coords=("X", "Y"), alpha=0.1)
    np.testing.assert_allclose(lo.adj_alpha, 0.02034978, rtol=1e-6)


@pytest.mark.parametrize(
    "kernel, fixed, criterion, expected",
    [
        ("bisquare", False, "AICc", 93),
        ("bisquare", True, "AICc", 211020.83),
        ("gaussian", True, "AIC", 76201.66),
        ("gaussian", True, "BIC", 1117795.47),
        ("gaussian", True, "CV", 130289.26),
        ("gaussian", False, "AIC", 50),
        ("gaussian", False, "BIC", 62),
        ("gaussian", False, "CV", 68),
    ],
)
def test_golden_section_bandwidths(georgia, kernel, fixed, criterion, expected):
    """Golden-section bandwidths published in mgwr's test_sel_bw.py."""
    g = sc.gwr(georgia, y="PctBach", x=X, kernel=kernel, fixed=fixed, criterion=criterion, coords=("X", "Y"))
    assert g.bandwidth == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    "kernel, fixed, criterion, lo, hi, step, expected",
    [
        ("bisquare", True, "AICc", 211001.0, 211035.0, 2, 211025.0),
        ("bisquare", False, "AICc", 90, 95, 1, 93),
        ("gaussian", True, "AIC", 76161.0, 76175.0, 1, 76175.0),
        ("gaussian", False, "AIC", 40, 60, 2, 40),
        ("gaussian", False, "BIC", 52, 72, 2, 62),
        ("gaussian", False, "CV", 60, 76, 2, 62),
    ],
)
def test_interval_search(georgia, kernel, fixed, criterion, lo, hi, step, expected):
    """Equal-interval search results published in mgwr's test_sel_bw.py."""
    g = sc.gwr(georgia, y="PctBach", x=X, kernel=kernel, fixed=fixed, criterion=criterion, search="interval",
               bw_min=lo, bw_max=hi, interval=step, coords=("X", "Y"))
    assert g.bandwidth == pytest.approx(expected)


def test_spatial_variability_reproduces_mgwr(georgia):
    """p-values [0, 0, 0.5, 0.2] of mgwr's test_BS_NN (10 permutations, seed 5536, bandwidth re-searched)."""
    g = sc.gwr(georgia, y="PctBach", x=X, coords=("X", "Y"))
    p = g.spatial_variability(permutations=10, seed=5536)
    np.testing.assert_allclose(p.to_numpy(), [0.0, 0.0, 0.5, 0.2])
    assert p.equals(g.spatial_variability(permutations=10, seed=5536))


def test_result_protocol(fit90):
    frame = fit90.to_frame()
    assert {"const", "se_PctPov", "t_PctBlack", "sig_PctRural", "local_r2", "condition_number"} <= set(frame)
    rec = fit90.to_record()
    import json

    assert json.loads(json.dumps(rec))["bandwidth"] == 90
    assert "GWR: PctBach" in fit90.summary()
    assert fit90.condition_number.max() < 30


def test_geodataframe_points_give_the_same_fit(georgia, fit90):
    """A GeoDataFrame of the same projected points gives the same local estimates."""
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(georgia, geometry=gpd.points_from_xy(georgia.X, georgia.Y), crs="EPSG:26916")
    g = sc.gwr(gdf.drop(columns=["X", "Y"]), y="PctBach", x=X, bandwidth=90)
    np.testing.assert_allclose(g.params, fit90.params, rtol=1e-12)


def test_polygons_with_gwr4_coordinate_columns(georgia, fit90):
    """libpysal's G_utm.shp (polygons, no CRS) carries GWR4's X/Y calibration points: they are used."""
    import geopandas as gpd

    shp = gpd.read_file(examples.get_path("G_utm.shp"))
    shp.index = shp["AreaKey"].astype(str)
    g = sc.gwr(shp, y="PctBach", x=X, bandwidth=90)
    assert g.aicc == pytest.approx(fit90.aicc, abs=1e-9)
    centroids = sc.gwr(shp.drop(columns=["X", "Y"]), y="PctBach", x=X, bandwidth=90)
    assert "centroids" in centroids.coords_note
    cen = shp.centroid
    direct = sc.gwr(georgia.assign(X=cen.x.to_numpy(), Y=cen.y.to_numpy()), y="PctBach", x=X, bandwidth=90,
                    coords=("X", "Y"))
    np.testing.assert_allclose(centroids.params, direct.params, rtol=1e-12)


def test_coefficient_maps_mask_insignificant(fit90):
    """Masked maps draw only significant regions in colour; the rest are the 'Not significant' class."""
    import geopandas as gpd
    import matplotlib.pyplot as plt

    shp = gpd.read_file(examples.get_path("G_utm.shp"))
    shp.index = shp["AreaKey"].astype(str)
    axes = fit90.plot(regions=shp)
    assert len(axes) == 3
    legend = [t.get_text() for t in axes[2].get_legend().get_texts()]
    n_ns = int((~fit90.significant["PctBlack"]).sum())
    assert f"Not significant ({n_ns})" in legend
    assert axes[1].get_title() == f"PctPov: {int(fit90.significant['PctPov'].sum())} of 159 regions significant"
    plt.close("all")


def test_coefficient_map_with_nothing_significant(fit90):
    """A coefficient significant nowhere is drawn as one 'Not significant' class, not an error."""
    import matplotlib.pyplot as plt

    sig = fit90.significant.copy()
    fit90.significant = sig.assign(PctBlack=False)
    try:
        ax = fit90.plot(columns=["PctBlack"])[0]
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Not significant (159)"]
    finally:
        fit90.significant = sig
        plt.close("all")
