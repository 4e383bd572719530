"""spatialcluster: spatial analysis of regional economies.

Regions and indicators are read and joined (:mod:`spatialcluster.io`), spatial weights built
(:mod:`spatialcluster.weights`), clusters and hot spots found (:mod:`spatialcluster.stats`),
spillovers estimated (:mod:`spatialcluster.models`), and results drawn and exported
(:mod:`spatialcluster.plot`, :mod:`spatialcluster.export`).
"""

from importlib.metadata import PackageNotFoundError, version

from ._errors import (
    ConfigError,
    InputError,
    JoinError,
    SpatialClusterError,
    SpatialClusterWarning,
    WeightsError,
)
from ._progress import set_progress

# The public functions load their subpackage on first use, so that `import spatialcluster`
# (and the command line's start-up) does not pay for matplotlib, mapclassify and numba.
_LAZY = {
    "datasets": None,
    "dynamics": None,
    "export": None,
    "indicators": None,
    "io": None,
    "models": None,
    "pipeline": None,
    "plot": None,
    "stats": None,
    "weights": None,
    "club_convergence": "dynamics",
    "convergence": "dynamics",
    "dagum_gini": "dynamics",
    "emerging_hotspots": "dynamics",
    "kernel_density": "dynamics",
    "lisa_markov": "dynamics",
    "lisa_paths": "dynamics",
    "mann_kendall": "dynamics",
    "markov": "dynamics",
    "rank_mobility": "dynamics",
    "sigma_convergence": "dynamics",
    "spatial_markov": "dynamics",
    "to_geopackage": "export",
    "write_report": "export",
    "describe": "export",
    "with_names": "export",
    "write_table": "export",
    "labels": None,
    "set_label": "labels",
    "set_labels": "labels",
    "set_language": "labels",
    "save_figure": "plot",
    "agglomeration": "indicators",
    "composite_index": "indicators",
    "coupling_coordination": "indicators",
    "geodetector": "indicators",
    "regionalize": "indicators",
    "standard_ellipse": "indicators",
    "local_join_counts": "stats.join_counts",
    "inequality": "indicators",
    "location_quotient": "indicators",
    "handle_missing": "io",
    "Panel": "panels",
    "complete_periods": "panels",
    "complete_run": "panels",
    "join": "io",
    "normalize_region_key": "io",
    "read_regions": "io",
    "read_table": "io",
    "select_model": "models",
    "spillover": "models",
    "spillover_panel": "models",
    "spillover_by_weights": "models.robustness",
    "geary": "stats",
    "panel_hausman": "models.panel_re",
    "panel_lm_tests": "models.panel_lm",
    "balance_panel": "models.panel_lm",
    "gwr": "models.gwr",
    "mgwr": "models.gwr",
    "getis_ord": "stats",
    "lisa_by_year": "stats",
    "local_geary": "stats",
    "local_moran": "stats",
    "local_moran_bv": "stats",
    "moran": "stats",
    "moran_by_year": "stats",
    "moran_bv": "stats",
    "moran_residuals": "stats",
    "build_weights": "weights",
    "weights_summary": "weights",
}


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module 'spatialcluster' has no attribute {name!r}")
    import importlib

    module = importlib.import_module(f".{_LAZY[name] or name}", __name__)
    value = module if _LAZY[name] is None else getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


try:
    __version__ = version("spatialcluster")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "ConfigError",
    "InputError",
    "JoinError",
    "Panel",
    "SpatialClusterError",
    "SpatialClusterWarning",
    "WeightsError",
    "agglomeration",
    "balance_panel",
    "build_weights",
    "club_convergence",
    "complete_periods",
    "complete_run",
    "composite_index",
    "convergence",
    "coupling_coordination",
    "dagum_gini",
    "datasets",
    "describe",
    "dynamics",
    "emerging_hotspots",
    "geary",
    "geodetector",
    "getis_ord",
    "gwr",
    "handle_missing",
    "inequality",
    "join",
    "kernel_density",
    "lisa_by_year",
    "lisa_markov",
    "lisa_paths",
    "local_geary",
    "local_join_counts",
    "local_moran",
    "local_moran_bv",
    "location_quotient",
    "mann_kendall",
    "markov",
    "mgwr",
    "moran",
    "moran_bv",
    "moran_by_year",
    "moran_residuals",
    "normalize_region_key",
    "panel_hausman",
    "panel_lm_tests",
    "plot",
    "rank_mobility",
    "read_regions",
    "read_table",
    "regionalize",
    "select_model",
    "set_progress",
    "sigma_convergence",
    "spatial_markov",
    "spillover",
    "spillover_by_weights",
    "spillover_panel",
    "standard_ellipse",
    "to_geopackage",
    "weights_summary",
    "write_report",
    "save_figure",
    "set_label",
    "set_labels",
    "set_language",
    "with_names",
    "write_table",
]
