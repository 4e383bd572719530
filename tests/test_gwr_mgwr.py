"""sc.mgwr, and sc.gwr beside the mgwr package on other kernels and specifications.

References: mgwr's published test values (mgwr/tests/test_sel_bw.py ``test_MGWR_AICc``: bandwidths
[101, 101, 117, 157] for standardised PctBach ~ PctFB + PctBlack + PctRural on Georgia;
mgwr/tests/test_gwr.py ``test_MGWR`` with bounds [2, 159]: AICc 297.12013812258783, ENP
11.36825087269831, RSS 50.899379467870425, ENP_j [3.844671080264143, 3.513770805151652,
2.2580525278898254, 1.7517564593926162]). The side-by-side tests run mgwr itself (skipped
when it is not installed; it is in the ``test`` extra) and compare to 1e-6.
"""

from __future__ import annotations

import numpy as np
import pytest

import spatialcluster as sc
from gwr_fixtures import georgia  # noqa: F401 (fixture)

MX = ["PctFB", "PctBlack", "PctRural"]
X = ["PctRural", "PctPov", "PctBlack"]


@pytest.fixture(scope="module")
def standardised(georgia):
    s = georgia.copy()
    for c in [*MX, "PctBach"]:
        s[c] = (s[c] - s[c].mean()) / s[c].std(ddof=0)
    return s


@pytest.fixture(scope="module")
def bounded(georgia):
    return sc.mgwr(georgia, y="PctBach", x=MX, coords=("X", "Y"), standardize=True, bw_min=2, bw_max=159)


def test_mgwr_published_bandwidths(standardised):
    """[101, 101, 117, 157] (mgwr test_MGWR_AICc)."""
    m = sc.mgwr(standardised, y="PctBach", x=MX, coords=("X", "Y"))
    assert m.bandwidths.tolist() == [101, 101, 117, 157]
    assert list(m.bandwidths.index) == ["const", *MX]


def test_mgwr_published_inference(bounded):
    """AICc, ENP, RSS and ENP_j of mgwr's test_MGWR (bounds 2..159); standardize=True as done there by hand."""
    assert bounded.aicc == pytest.approx(297.12013812258783, abs=1e-7)
    assert bounded.enp == pytest.approx(11.36825087269831, abs=1e-7)
    assert bounded.rss == pytest.approx(50.899379467870425, abs=1e-7)
    np.testing.assert_allclose(bounded.enp_j, [3.844671080264143, 3.513770805151652, 2.2580525278898254,
                                               1.7517564593926162], atol=1e-7)
    assert set(bounded.params.columns) == {"const", *MX}
    assert bounded.to_record()["bandwidths"]["const"] == bounded.bandwidths["const"]
    assert "MGWR" in bounded.summary()


def test_mgwr_matches_mgwr_package(georgia, standardised, bounded):
    """Estimates, SEs, t values and critical t equal mgwr's MGWR to 1e-6."""
    pytest.importorskip("mgwr", reason="mgwr is not installed (pip install mgwr)")
    from mgwr.gwr import MGWR
    from mgwr.sel_bw import Sel_BW

    coords = georgia[["X", "Y"]].to_numpy()
    y, Xs = standardised[["PctBach"]].to_numpy(), standardised[MX].to_numpy()
    sel = Sel_BW(coords, y, Xs, multi=True, constant=True, n_jobs=1)
    sel.search(multi_bw_min=[2], multi_bw_max=[159])
    r = MGWR(coords, y, Xs, selector=sel, constant=True, n_jobs=1).fit()
    np.testing.assert_allclose(bounded.bandwidths, sel.bw[0])
    np.testing.assert_allclose(bounded.params, r.params, atol=1e-6)
    np.testing.assert_allclose(bounded.std_err, r.bse, atol=1e-6)
    np.testing.assert_allclose(bounded.tvalues, r.tvalues, atol=1e-6)
    np.testing.assert_allclose(bounded.critical_t, r.critical_tval(), atol=1e-6)


@pytest.mark.parametrize(
    "kernel, fixed, bw, x",
    [
        ("gaussian", True, 87308.298, X),
        ("gaussian", False, 49, X),
        ("exponential", False, 60, X),
        ("exponential", True, 60000.0, ["PctFB", "PctPov"]),
        ("bisquare", True, 209267.689, ["PctFB", "PctBlack", "PctRural", "PctEld"]),
        ("bisquare", False, 17, ["PctPov", "PctEld"]),
    ],
)
@pytest.mark.parametrize("sigma2", ["classic", "enp"])
@pytest.mark.filterwarnings("ignore:local collinearity")
def test_gwr_matches_mgwr_package(georgia, kernel, fixed, bw, x, sigma2):
    """Local estimates, SEs, local R2, condition numbers and AICc equal mgwr's GWR to 1e-6."""
    pytest.importorskip("mgwr", reason="mgwr is not installed (pip install mgwr)")
    from mgwr.gwr import GWR

    g = sc.gwr(georgia, y="PctBach", x=x, bandwidth=bw, kernel=kernel, fixed=fixed, coords=("X", "Y"),
               sigma2=sigma2)
    r = GWR(georgia[["X", "Y"]].to_numpy(), georgia[["PctBach"]].to_numpy(), georgia[x].to_numpy(), bw=bw,
            kernel=kernel, fixed=fixed, sigma2_v1=(sigma2 == "enp"), n_jobs=1).fit()
    np.testing.assert_allclose(g.params, r.params, atol=1e-6)
    np.testing.assert_allclose(g.std_err, r.bse, atol=1e-6)
    np.testing.assert_allclose(g.local_r2, r.localR2.ravel(), atol=1e-6)
    np.testing.assert_allclose(g.condition_number, r.local_collinearity()[2].ravel(), rtol=1e-6)
    assert g.aicc == pytest.approx(r.aicc, abs=1e-6)
    assert g.r2 == pytest.approx(r.R2, abs=1e-9)
    np.testing.assert_allclose(g.adj_alpha, r.adj_alpha[1], rtol=1e-9)


@pytest.mark.parametrize("kernel, fixed, criterion", [("exponential", False, "AICc"), ("bisquare", False, "CV"),
                                                      ("exponential", True, "BIC")])
def test_gwr_search_matches_mgwr_package(georgia, kernel, fixed, criterion):
    """Golden-section bandwidths equal mgwr's Sel_BW on specifications without published values."""
    pytest.importorskip("mgwr", reason="mgwr is not installed (pip install mgwr)")
    from mgwr.sel_bw import Sel_BW

    x = ["PctFB", "PctPov", "PctEld"]
    g = sc.gwr(georgia, y="PctBach", x=x, kernel=kernel, fixed=fixed, criterion=criterion, coords=("X", "Y"))
    bw = Sel_BW(georgia[["X", "Y"]].to_numpy(), georgia[["PctBach"]].to_numpy(), georgia[x].to_numpy(),
                kernel=kernel, fixed=fixed, n_jobs=1).search(criterion=criterion)
    assert g.bandwidth == pytest.approx(bw)
