"""Change over time: distribution dynamics, convergence, disparity and emerging hot spots.

Every function takes a long panel (one row per region and period) and returns a
:class:`~spatialcluster._result.Result`: Markov chains of classes (:func:`markov`), conditioned on
the neighbours (:func:`spatial_markov`) or of LISA quadrants (:func:`lisa_markov`), LISA time
paths, rank mobility, sigma and beta convergence, Dagum's Gini decomposition, kernel densities
and emerging hot spots.
"""

from .clubs import ClubResult, club_convergence, log_t
from .convergence import ConvergenceResult, SigmaResult, convergence, sigma_convergence
from .disparity import DagumResult, KernelDensityResult, dagum_gini, kernel_density
from .emerging import EmergingHotspotsResult, categorize, emerging_hotspots, mann_kendall
from .lisa import LisaMarkovResult, LisaPathsResult, lisa_markov, lisa_paths
from .markov import MarkovResult, SpatialMarkovResult, markov, spatial_markov
from .mobility import RankMobilityResult, rank_mobility

__all__ = [
    "ClubResult",
    "ConvergenceResult",
    "DagumResult",
    "EmergingHotspotsResult",
    "KernelDensityResult",
    "LisaMarkovResult",
    "LisaPathsResult",
    "MarkovResult",
    "RankMobilityResult",
    "SigmaResult",
    "SpatialMarkovResult",
    "categorize",
    "club_convergence",
    "convergence",
    "dagum_gini",
    "emerging_hotspots",
    "kernel_density",
    "lisa_markov",
    "lisa_paths",
    "log_t",
    "mann_kendall",
    "markov",
    "rank_mobility",
    "sigma_convergence",
    "spatial_markov",
]
