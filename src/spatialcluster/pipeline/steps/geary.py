"""Steps: global Geary's C under every weights specification and local Geary clusters on the primary.

Both read ``[statistics] geary``; they are the two specs below, registered in :data:`STEPS`.
"""

from __future__ import annotations

from .global_ import CLIFF_ORD, INFERENCE, GlobalSpec
from .local import LocalSpec

GEARY = GlobalSpec(
    key="geary", field="geary", label="Geary's C", title="Global spatial autocorrelation (Geary's C)",
    text="Global Geary's C for each variable under each weights specification: a weighted sum of squared differences "
         "between neighbours, scaled so that its expectation is 1; C below 1 means neighbours are alike (positive "
         "autocorrelation), above 1 that they differ. Inference under normality, under randomization and by {perms} "
         "random permutations (seed {seed}). Geary's C weighs local differences more than Moran's I, which weighs "
         "covariances with the mean.",
    citation="Geary, R. C. (1954). The contiguity ratio and statistical mapping. The Incorporated Statistician 5(3), "
             "115-145; " + CLIFF_ORD,
    columns=("C", *INFERENCE),
    compute=lambda sc: sc.geary,
)

LOCAL_GEARY = LocalSpec(
    key="local_geary", field="geary", label="local Geary", what="Local Geary clusters",
    title="Local clusters (local Geary)",
    text="Local Geary's c with conditional permutation inference ({perms} permutations, seed {seed}) on the {w} weights. "
         "A region whose c is significantly small (below {alpha} after the '{corr}' correction) is like its neighbours: "
         "High-High or Low-Low when it and its neighbours' mean are on the same side of the mean, 'Other positive' "
         "otherwise; a significantly large c is 'Negative' (unlike its neighbours); others 'ns'. As in GeoDa and esda.",
    citation="Anselin, L. (1995). Local indicators of spatial association - LISA. Geographical Analysis 27(2), 93-115; "
             "Anselin, L. (2019). A local indicator of multivariate spatial association: extending Geary's c. "
             "Geographical Analysis 51(2), 133-150.",
    compute=lambda sc: sc.local_geary, draw=lambda sc: sc.plot.geary_map, style="geary",
)
