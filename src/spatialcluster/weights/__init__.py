"""Spatial weights: :func:`build_weights` returns a :class:`libpysal.graph.Graph` keyed by region id.

:func:`weights_summary` describes any Graph (links, islands, components, asymmetry) and, for
graphs built here, how they were built (kind, parameters, projected CRS, islands linked or
dropped; see :func:`build_info`).
"""

from ._build import build_weights
from ._crs import CHINA_ALBERS, projected_crs
from ._partitioned import partitioned_contiguity
from ._summary import BuildInfo, WeightsSummary, build_info, weights_summary

__all__ = [
    "CHINA_ALBERS",
    "BuildInfo",
    "WeightsSummary",
    "build_info",
    "build_weights",
    "partitioned_contiguity",
    "projected_crs",
    "weights_summary",
]
