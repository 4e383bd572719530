"""Global and local spatial autocorrelation, hot spots, multiple testing and panels.

Every function takes a (Geo)DataFrame indexed by region id, a column name and a
``libpysal.graph.Graph``; permutation inference is seeded, reproducible whatever the number of
threads, and runs on numba kernels (:mod:`spatialcluster.stats._kernels`) on this machine or a Dask
cluster (:mod:`spatialcluster.stats.engine`). The numbers behind them, on plain arrays, are in
:mod:`spatialcluster.stats.arrays`.
"""

from .geary import GearyResult, LocalGearyResult, geary, local_geary
from .global_ import MoranResult, moran, moran_bv, moran_residuals
from .hotspots import GetisOrdResult, getis_ord
from .local import LocalMoranResult, local_moran, local_moran_bv
from .multitest import bh_adjust, bonferroni_adjust, fdr_bound
from .panel import LisaPanelResult, MoranPanelResult, lisa_by_year, moran_by_year

__all__ = [
    "GearyResult",
    "LocalGearyResult",
    "geary",
    "local_geary",
    "GetisOrdResult",
    "LisaPanelResult",
    "LocalMoranResult",
    "MoranPanelResult",
    "MoranResult",
    "bh_adjust",
    "bonferroni_adjust",
    "fdr_bound",
    "getis_ord",
    "lisa_by_year",
    "local_moran",
    "local_moran_bv",
    "moran",
    "moran_bv",
    "moran_by_year",
    "moran_residuals",
]

