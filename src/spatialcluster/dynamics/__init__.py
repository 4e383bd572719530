"""Change over time: distribution dynamics, convergence, disparity and emerging hot spots.

Every function takes a long panel (one row per region and period) and returns a
:class:`~spatialcluster._result.Result`.
"""

from .markov import MarkovResult, SpatialMarkovResult, markov, spatial_markov

__all__ = ["MarkovResult", "SpatialMarkovResult", "markov", "spatial_markov"]
