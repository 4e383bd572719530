"""Change over time: distribution dynamics, convergence, disparity and emerging hot spots.

Every function takes a long panel (one row per region and period) and returns a
:class:`~spatialcluster._result.Result`.
"""

from .convergence import ConvergenceResult, SigmaResult, convergence, sigma_convergence
from .disparity import DagumResult, KernelDensityResult, dagum_gini, kernel_density
from .emerging import EmergingHotspotsResult, emerging_hotspots, mann_kendall
from .lisa import LisaMarkovResult, LisaPathsResult, lisa_markov, lisa_paths
from .mobility import RankMobilityResult, rank_mobility
from .markov import MarkovResult, SpatialMarkovResult, markov, spatial_markov

__all__ = [
    "RankMobilityResult", "rank_mobility",
    "ConvergenceResult", "SigmaResult", "convergence", "sigma_convergence",
    "DagumResult", "KernelDensityResult", "dagum_gini", "kernel_density",
    "EmergingHotspotsResult", "emerging_hotspots", "mann_kendall",
    "LisaMarkovResult", "LisaPathsResult", "lisa_markov", "lisa_paths","MarkovResult", "SpatialMarkovResult", "markov", "spatial_markov"]
