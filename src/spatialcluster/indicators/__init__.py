"""Cluster indicators for regional economists.

These are non-spatial (and, for the ellipse and join counts, spatial) descriptors that feed the
spatial statistics: a location quotient says *whether* a region is specialised, Moran's I / LISA
then say whether specialised regions sit next to each other.

* :mod:`.location`: location quotients;
* :mod:`.coupling`: the coupling coordination degree of two or more subsystems;
* :mod:`.composite`: composite indices (entropy-weight score, TOPSIS) and their weights;
* :mod:`.inequality`: coefficient of variation, Gini and Theil with group decomposition;
* :mod:`.agglomeration`: Ellison-Glaeser, locational Gini, Herfindahl, Hoover, Krugman;
* :mod:`.geodetector`: GeoDetector (factor, interaction, risk and ecological detectors);
* :mod:`.centrography`: the standard deviational ellipse and the centre of gravity;
* :mod:`.regions`: contiguous regionalisation (max-p, SKATER) through PySAL's spopt.

Where the PySAL stack has a maintained implementation (``inequality``, ``esda``, ``spopt``) it
is used or tested against; the rest is written out and tested against hand-worked examples.
"""

from .agglomeration import Agglomeration, agglomeration
from .centrography import StandardEllipse, standard_ellipse
from .composite import CompositeIndex, composite_index, entropy_weights
from .coupling import COORDINATION_GRADES, CouplingCoordination, coordination_grade, coupling_coordination
from .geodetector import GeoDetector, geodetector
from .inequality import Inequality, gini, inequality, theil
from .location import LocationQuotient, location_quotient
from .regions import Regionalization, regionalize

__all__ = [
    "COORDINATION_GRADES",
    "Agglomeration",
    "CompositeIndex",
    "CouplingCoordination",
    "GeoDetector",
    "Inequality",
    "LocationQuotient",
    "Regionalization",
    "StandardEllipse",
    "agglomeration",
    "composite_index",
    "coordination_grade",
    "coupling_coordination",
    "entropy_weights",
    "gini",
    "inequality",
    "geodetector",
    "location_quotient",
    "regionalize",
    "standard_ellipse",
    "theil",
]
