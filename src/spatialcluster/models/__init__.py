"""Spatial regression: model selection, cross-section and panel models, effects with inference.

``select_model`` runs the specific-to-general / general-to-specific tests (Elhorst 2010), ``spillover``
fits the cross-section models (OLS, SLX, SAR, SEM, SDM, SDEM, SAC) by ML or GMM, ``spillover_panel``
the fixed-effects panel models; ``effects_table`` gives LeSage-Pace direct / indirect / total effects
with simulated inference and ``regression_table`` publication tables.
"""

from ._logdet import LogDet, logdet
from ._result import SpatialModelResult, regression_table
from .cross_section import spillover
from .effects import effects_table
from .panel_api import spillover_panel
from .selection import ModelSelection, select_model

__all__ = [
    "LogDet",
    "ModelSelection",
    "SpatialModelResult",
    "effects_table",
    "logdet",
    "regression_table",
    "select_model",
    "spillover",
    "spillover_panel",
]
