"""spatialcluster: spatial analysis of regional economies.

Regions and indicators are read and joined (:mod:`spatialcluster.io`), spatial weights built
(:mod:`spatialcluster.weights`), clusters and hot spots found (:mod:`spatialcluster.stats`),
spillovers estimated (:mod:`spatialcluster.models`), and results drawn and exported
(:mod:`spatialcluster.plot`, :mod:`spatialcluster.export`).
"""

from importlib.metadata import PackageNotFoundError, version

from . import datasets
from ._errors import (
    ConfigError,
    InputError,
    JoinError,
    SpatialClusterError,
    SpatialClusterWarning,
    WeightsError,
)
from ._progress import set_progress
from .export import to_geopackage, write_report
from .indicators import coupling_coordination, inequality, location_quotient
from .io import join, normalize_region_key, read_regions, read_table
from .models import select_model, spillover, spillover_panel
from .stats import (
    getis_ord,
    lisa_by_year,
    local_moran,
    local_moran_bv,
    moran,
    moran_by_year,
    moran_bv,
    moran_residuals,
)
from .weights import build_weights, weights_summary

try:
    __version__ = version("spatialcluster")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "ConfigError",
    "InputError",
    "JoinError",
    "SpatialClusterError",
    "SpatialClusterWarning",
    "WeightsError",
    "build_weights",
    "coupling_coordination",
    "datasets",
    "getis_ord",
    "inequality",
    "join",
    "lisa_by_year",
    "local_moran",
    "local_moran_bv",
    "location_quotient",
    "moran",
    "moran_by_year",
    "moran_bv",
    "moran_residuals",
    "normalize_region_key",
    "read_regions",
    "read_table",
    "select_model",
    "set_progress",
    "spillover",
    "spillover_panel",
    "to_geopackage",
    "weights_summary",
    "write_report",
]
