"""The pipeline's steps, in the order they run.

A step is one file here: a :class:`Step` subclass with ``name``, ``enabled(settings)``,
``variables(settings)`` and ``run(ctx)``, which returns its report section. Adding a statistic
means adding its file and its entry in :data:`STEPS` (see docs/contributing_adding_a_step.md).
"""

from __future__ import annotations

from ._base import Step, Variable
from .agglomeration import AgglomerationStep
from .by_year import ByYearStep
from .choropleths import ChoroplethsStep
from .composite import CompositeStep
from .dynamics import DynamicsStep
from .ellipse import EllipseStep
from .geary import GEARY, LOCAL_GEARY
from .geodetector import GeoDetectorStep
from .global_ import MORAN, GlobalSpec, GlobalStep
from .gwr import GWRStep
from .join_counts import JoinCountsStep
from .local import GISTAR, LISA, LocalSpec, LocalStep
from .missing import MissingStep
from .models import ModelsStep
from .panel_model import PanelModelStep
from .regions import RegionsStep
from .weights import WeightsStep

_ANALYSES = (
    ChoroplethsStep(),
    GlobalStep(MORAN),
    LocalStep(LISA),
    LocalStep(GISTAR),
    GlobalStep(GEARY),
    LocalStep(LOCAL_GEARY),
    CompositeStep(),
    AgglomerationStep(),
    GeoDetectorStep(),
    JoinCountsStep(),
    RegionsStep(),
    EllipseStep(),
    ByYearStep(),
    ModelsStep(),
    GWRStep(),
    PanelModelStep(),
    DynamicsStep(),
)

#: Every step in order: the missing-value rule and the weights first, then the analyses.
STEPS: tuple[Step, ...] = (MissingStep(_ANALYSES), WeightsStep(), *_ANALYSES)

__all__ = ["STEPS", "GlobalSpec", "GlobalStep", "LocalSpec", "LocalStep", "Step", "Variable"]
