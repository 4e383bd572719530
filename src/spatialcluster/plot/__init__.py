"""Maps and charts: choropleths, LISA cluster, significance and hot-spot maps, Moran scatter plots
and spillover effects plots.

Every function takes ``ax=None`` and returns the matplotlib Axes it drew into; figures start with
:func:`new_axes`, which registers an installed CJK font as matplotlib's fallback font
(:func:`use_cjk_font`) so Chinese labels render, and :func:`save_figure` writes PDF, SVG and a
300 dpi PNG. Names on figures come from the variable catalogue (:mod:`spatialcluster.labels`).
"""

from ._china import china_maps
from ._classify import SCHEMES, Classes, classify
from ._crs import CHINA_ALBERS, auto_crs
from ._fonts import cjk_family, new_axes, use_cjk_font
from ._save import save_figure
from .charts import (effects_plot, label_counts_by_year, moran_scatter, neighbour_histogram, p_value_bars,
                     reference_distribution, statistic_by_year)
from .geary_map import geary_map
from .maps import choropleth, hotspot_map, lisa_map, significance_map

use_cjk_font()


__all__ = [
    "CHINA_ALBERS",
    "SCHEMES",
    "Classes",
    "auto_crs",
    "china_maps",
    "choropleth",
    "cjk_family",
    "classify",
    "effects_plot",
    "geary_map",
    "hotspot_map",
    "label_counts_by_year",
    "lisa_map",
    "moran_scatter",
    "neighbour_histogram",
    "new_axes",
    "p_value_bars",
    "reference_distribution",
    "save_figure",
    "significance_map",
    "statistic_by_year",
    "use_cjk_font",
]
