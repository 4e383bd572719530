"""Spatial regression: model selection, cross-section and panel models, effects with inference.

``select_model`` runs the specific-to-general / general-to-specific tests (Elhorst 2010), ``spillover``
fits the cross-section models (OLS, SLX, SAR, SEM, SDM, SDEM, SAC) by ML or GMM, ``spillover_panel``
the fixed-effects panel models; ``effects_table`` gives LeSage-Pace direct / indirect / total effects
with simulated inference and ``regression_table`` publication tables.
"""

from ._logdet import LogDet, logdet
from ._result import SpatialModelResult, regression_table
from .effects import effects_table

try:
    from .cross_section import spillover
except ImportError:  # pragma: no cover - while cross_section.py is being written

    def spillover(*args, **kwargs):
        raise NotImplementedError("spillover: work in progress")

try:
    from .selection import ModelSelection, select_model
except ImportError:  # pragma: no cover - while selection.py is being written

    def select_model(*args, **kwargs):
        raise NotImplementedError("select_model: work in progress")

try:
    from .panel import spillover_panel
except ImportError:  # pragma: no cover - the panel estimator lands separately

    def spillover_panel(*args, **kwargs):
        raise NotImplementedError("spillover_panel: work in progress")


__all__ = [
    "LogDet",
    "SpatialModelResult",
    "effects_table",
    "logdet",
    "regression_table",
    "select_model",
    "spillover",
    "spillover_panel",
]
