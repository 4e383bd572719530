"""sc.spillover_panel against R splm's printed ``spml`` output on Munnell's Produc panel.

Reference: ``spml(log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp, data = Produc, listw = W_US,
model = "within", ...)`` (effect = "individual", the default), with ``W_US = nb2listw(usa48.nb)``
(spData), which is identical to splm's ``usaww`` (see ../shared/data/reference/PROVENANCE.md). The
printed summaries are those of the knitted R Markdown "04 Further Topics in Spatial Econometrics"
(Takuya Shimamura, 2020, GitHub), example 4.6:

* lag (``lag = TRUE, spatial.error = "none"``): lambda 0.274689 (0.023516); log(pcap) -0.0465819
  (0.0254425), log(pc) 0.1874325 (0.0230441), log(emp) 0.6250902 (0.0297044), unemp -0.0044816 (0.0008653)
* error (``lag = FALSE, spatial.error = "b"``): rho 0.557401 (0.033075); log(pcap) 0.0051438
  (0.0250109), log(pc) 0.2053026 (0.0231427), log(emp) 0.7822540 (0.0278057), unemp -0.0022317 (0.0010709)

splm's "lambda" is our ``rho`` (lag) and its "rho" our ``lambda`` (error). splm does not bias-correct,
so ``bias_correction=False``. Tolerances from the printed digits: coefficients 1e-6 absolute, spatial
parameters 2e-6, standard errors 1e-4 relative (the last printed digit).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from conftest import need_shared
from libpysal.graph import Graph

import spatialcluster as sc

X = ["log_pcap", "log_pc", "log_emp", "unemp"]
SPLM = {
    "sar": ("rho", 0.274689, 0.023516,
            [-0.0465819, 0.1874325, 0.6250902, -0.0044816], [0.0254425, 0.0230441, 0.0297044, 0.0008653]),
    "sem": ("lambda", 0.557401, 0.033075,
            [0.0051438, 0.2053026, 0.7822540, -0.0022317], [0.0250109, 0.0231427, 0.0278057, 0.0010709]),
}


@pytest.fixture(scope="module")
def produc():
    ref = need_shared("data", "reference")
    p = pd.read_csv(ref / "produc_munnell_48states_1970_1986.csv")
    for c in ("gsp", "pcap", "pc", "emp"):
        p[f"log_{c}"] = np.log(p[c])
    ww = pd.read_csv(ref / "usaww_48states_rowstd.csv", index_col=0)
    return p, Graph.from_sparse(sp.csr_matrix(ww.to_numpy()), ids=list(ww.index))


@pytest.mark.parametrize("model", ["sar", "sem"])
def test_matches_splm_spml_within(produc, model):
    p, g = produc
    res = sc.spillover_panel(p, "log_gsp", X, g, id="state", time="year", model=model, effects="region",
                             bias_correction=False, draws=0)
    name, est, se, beta, beta_se = SPLM[model]
    assert res.params[name] == pytest.approx(est, abs=2e-6)
    assert res.std_err[name] == pytest.approx(se, rel=1e-4)
    np.testing.assert_allclose(res.params[X], beta, rtol=0, atol=1e-6)
    np.testing.assert_allclose(res.std_err[X], beta_se, rtol=1e-4)
