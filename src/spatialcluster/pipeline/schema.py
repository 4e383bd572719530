"""The TOML schema: every table and key of a config, its type, default and allowed values.

Allowed values come from the modules that own them (weights, multiple testing, models, map
classes, missing values), so that a value the library accepts is never refused by the config
and the other way round. :mod:`.config` checks a file against :data:`SCHEMA`;
:mod:`.settings` turns the checked file into frozen dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..export.tables import TABLE_FORMATS
from ..indicators._strata import DISCRETISATIONS
from ..indicators.composite import METHODS as COMPOSITE_METHODS
from ..indicators.regions import METHODS as REGION_METHODS
from ..io.missing import MISSING
from ..labels import LANGS
from ..models.cross_section import MODELS as CROSS_SECTION_MODELS
from ..models.gwr._data import KERNELS as _GWR_KERNELS
from ..models.gwr.bandwidth import CRITERIA as GWR_CRITERIA
from ..models.panel import _MODELS as PANEL_MODELS
from ..models.panel_api import DYNAMIC as _DYNAMIC
from ..models.panel_api import DYNAMIC_MODELS as PANEL_DYNAMIC_MODELS
from ..models.panel_api import EFFECTS as PANEL_EFFECTS
from ..models.panel_api import RANDOM_MODELS as PANEL_RANDOM_MODELS
from ..plot._classify import SCHEMES as _SCHEMES
from ..plot._crs import NAMED_CRS
from ..plot._save import DPI, FORMATS
from ..stats.multitest import CORRECTIONS as _CORRECTIONS
from ..weights._build import ISLAND_POLICIES as ISLANDS
from ..weights._build import KINDS as _KINDS
from ..weights._build import TRANSFORMS as _TRANSFORMS

DATASETS = ("china_provinces", "mexico_states")
TABLE_DATASETS = ("china_facts", "china_urbanization_panel", "china_provinces_panel", "mexico_gdp_panel")
#: The canonical weights kinds of :func:`sc.build_weights` (its aliases map onto these).
WEIGHT_KINDS = tuple(dict.fromkeys(_KINDS.values()))
#: Kinds built from a variable or a second weights object: Python only (see config's message).
PYTHON_ONLY_KINDS = ("economic", "nested", "gravity")
TRANSFORMS = tuple(_TRANSFORMS)
JOIN_HOW = ("strict", "left", "inner")
#: ``"none"`` in a TOML file is ``correction=None`` in Python; the library accepts both.
CORRECTIONS = tuple("none" if c is None else c for c in _CORRECTIONS)
SCHEMES = tuple(_SCHEMES)
GWR_KERNELS = tuple(_GWR_KERNELS)
#: ``"none"`` in a TOML file is ``dynamic=None`` in Python (a static panel).
PANEL_DYNAMIC = ("none", *_DYNAMIC)
DERIVED_KINDS = ("growth", "log", "ratio", "difference", "location_quotient")


@dataclass(frozen=True)
class Key:
    """One key of a config table: its type, default and allowed values."""

    type: Any  # a Python type, a tuple of types, or "list[str]" / "list[number]"
    default: Any = None
    required: bool = False
    choices: tuple | None = None
    minimum: float | None = None
    maximum: float | None = None
    doc: str = ""


@dataclass(frozen=True)
class Table:
    """A config table: its keys; ``array`` for ``[[...]]`` arrays; ``named`` for ``[x.<name>]`` maps."""

    keys: dict[str, Any]
    array: bool = False
    named: bool = False
    required: bool = False


_DERIVED = Table(
    named=True,
    keys={
        "kind": Key(str, required=True, choices=DERIVED_KINDS),
        "start": Key(str, doc="growth / difference: the earlier column"),
        "end": Key(str, doc="growth / difference: the later column"),
        "years": Key((int, float), minimum=0, doc="growth: annualise the rate over this many years"),
        "column": Key(str, doc="log: the column"),
        "numerator": Key(str, doc="ratio / location_quotient: the activity column"),
        "denominator": Key(str, doc="ratio / location_quotient: the base column"),
        "scale": Key((int, float), default=1.0, doc="ratio: multiply by this (e.g. 100 for percent)"),
        "description": Key(str, default="", doc="what the variable measures (shown in the report)"),
        "table": Key(str, doc="derive it within this panel table, period by period (default: the joined data)"),
    },
)

REQUIRED_BY_KIND = {
    "growth": ("start", "end"),
    "difference": ("start", "end"),
    "log": ("column",),
    "ratio": ("numerator", "denominator"),
    "location_quotient": ("numerator", "denominator"),
}

# [indicators]: composite indices, GeoDetector, local join counts, the standard deviational ellipse
# (allowed values from the modules that own them).
_INDICATORS = Table(
    keys={
        "composite": Table(
            array=True,
            keys={
                "name": Key(str, required=True, doc="the index's name (its table, layer and map)"),
                "indicators": Key("list[str]", required=True),
                "negative": Key("list[str]", default=[], doc="indicators for which smaller is better"),
                "method": Key(str, default="entropy", choices=COMPOSITE_METHODS),
            },
        ),
        "agglomeration": Table(
            keys={
                "path": Key(str, required=True, doc="long region x industry table (CSV/Excel), one row per pair "
                                                    "(or per plant with 'plant')"),
                "region": Key(str, required=True, doc="its region-id column (the regions' ids)"),
                "industry": Key(str, required=True),
                "value": Key(str, required=True, doc="employment or output"),
                "plant": Key(str, doc="plant-id column: rows are plants (Ellison-Glaeser with plant sizes)"),
            }
        ),
        "geodetector": Table(
            keys={
                "y": Key(str, required=True),
                "factors": Key("list[str]", required=True),
                "continuous": Key("list[str]", doc="factors to discretise (default: float columns)"),
                "discretize": Key(str, default="optimal", choices=("optimal", *DISCRETISATIONS)),
                "classes": Key("list[number]", default=[3, 4, 5, 6, 7], doc="numbers of classes tried"),
            }
        ),
        "join_counts": Key("list[str]", default=[], doc="binary (0/1) columns: local join counts"),
        "regions": Table(
            keys={
                "columns": Key("list[str]", required=True, doc="attributes the regions are homogeneous in"),
                "method": Key(str, default="skater", choices=REGION_METHODS),
                "n_regions": Key(int, minimum=2, doc="skater: the number of regions"),
                "threshold_column": Key(str, doc="maxp: the column each region's total must reach"),
                "threshold": Key((int, float), minimum=0, doc="maxp: that total"),
            }
        ),
        "ellipse": Table(
            keys={
                "weights": Key("list[str]", required=True,
                               doc="one ellipse and centre of gravity per column, e.g. [\"pop_2010\", \"pop_2020\"]"),
            }
        ),
    }
)

SCHEMA = Table(
    keys={
        "project": Table(
            keys={
                "title": Key(str, default="spatialcluster analysis"),
                "seed": Key(int, default=0, minimum=0),
                "description": Key(str, default=""),
            }
        ),
        "inputs": Table(
            required=True,
            keys={
                "dataset": Key(str, choices=DATASETS, doc="bundled regions with their statistics"),
                "regions": Key(str, doc="regions file (shapefile, GeoPackage, GeoJSON, zipped shapefile)"),
                "id": Key(str, doc="the region id column of the regions file"),
                "layer": Key(str),
                "encoding": Key(str),
                "tables": Table(
                    array=True,
                    keys={
                        "path": Key(str),
                        "dataset": Key(str, choices=TABLE_DATASETS, doc="a table bundled with the package, instead of path"),
                        "name": Key(str),
                        "on": Key(str, required=True, doc="the key column of the table"),
                        "how": Key(str, default="strict", choices=JOIN_HOW),
                        "time": Key(str, doc="time column: the table is a panel (region x year)"),
                        "columns": Key("list[str]", doc="join only these columns"),
                        "years": Key("list[number]", doc="panel tables: keep the periods from the first to the "
                                                         "second of these two (inclusive)"),
                        "read": Table(keys={  # options of sc.read_table
                            "sheet": Key((str, int), doc="Excel sheet name or position"),
                            "encoding": Key(str, doc="text encoding, detected when absent"),
                            "sep": Key(str, doc="CSV separator, detected when absent"),
                            "keys": Key("list[str]", doc="columns kept as text identifiers"),
                            "na_values": Key("list[str]", doc="cell texts that mean 'missing'"),
                        }),
                    },
                ),
            },
        ),
        # Absent: no rule, each step refuses the gaps it meets. Present, it needs its one key.
        "data": Table(
            keys={
                "missing": Key(str, required=True, choices=MISSING,
                               doc="gaps in the analysed variables: stop, drop the region, or drop the period "
                                   "(panels; see sc.handle_missing)"),
            }
        ),
        "variables": Table(keys={"derived": _DERIVED}),
        "weights": Table(
            array=True,
            keys={
                "name": Key(str),
                "kind": Key(str, required=True, choices=WEIGHT_KINDS),
                "islands": Key(str, default="error", choices=ISLANDS),
                "transform": Key(str, default="r", choices=TRANSFORMS),
                "k": Key(int, minimum=1),
                "threshold": Key((int, float), minimum=0),
                "power": Key((int, float), minimum=0),
                "bandwidth": Key((int, float), minimum=0),
                "function": Key(str),
                "path": Key(str, doc="a square table keyed by region ids: the weights (kind matrix) "
                                     "or distances such as railway km (distance kinds)"),
            },
        ),
        "statistics": Table(
            keys={
                "permutations": Key(int, default=999, minimum=1),
                "alpha": Key(float, default=0.05, minimum=0, maximum=1),
                "correction": Key(str, default="fdr", choices=CORRECTIONS),
                "global": Key("list[str]", default=[]),
                "local": Key("list[str]", default=[]),
                "hotspots": Key("list[str]", default=[]),
                "geary": Key("list[str]", default=[], doc="global Geary's C and local Geary clusters"),
                "by_year": Table(
                    keys={
                        "table": Key(str, required=True, doc="name of a panel table in [[inputs.tables]]"),
                        "columns": Key("list[str]", required=True),
                    }
                ),
            }
        ),
        "models": Table(
            keys={
                "y": Key(str),
                "x": Key("list[str]", default=[]),
                "selection": Key(bool, default=True),
                "cross_section": Key("list[str]", default=[], choices=CROSS_SECTION_MODELS),
                "robustness": Key(bool, default=False,
                                  doc="with several [[weights]]: each cross-section model under every weights "
                                      "(sc.spillover_by_weights) as one table, in CSV, Markdown and LaTeX"),
                "panel": Table(
                    keys={
                        "table": Key(str, required=True),
                        "y": Key(str, required=True),
                        "x": Key("list[str]", required=True),
                        "model": Key(str, default="sdm", choices=PANEL_MODELS),
                        "effects": Key(str, default="twoway", choices=PANEL_EFFECTS,
                                       doc="fixed region, time or two-way effects, or 'random' region effects "
                                           f"(models {', '.join(PANEL_RANDOM_MODELS)})"),
                        "dynamic": Key(str, default="none", choices=PANEL_DYNAMIC,
                                       doc="'time' adds y of t-1, 'spacetime' also W y of t-1 "
                                           f"(models {', '.join(PANEL_DYNAMIC_MODELS)}, fixed effects)"),
                        "bias_correction": Key(bool, default=True,
                                               doc="Lee-Yu (static) or Yu-de Jong-Lee (dynamic) bias correction"),
                        "lm_tests": Key(bool, default=False, doc="panel LM tests for a spatial lag and error"),
                        "hausman": Key(bool, default=False,
                                       doc="fit region fixed and random effects and test them (Hausman)"),
                        "with_static": Key(bool, default=False,
                                           doc="with a dynamic model: the static model (same y, x and effects) too, "
                                               "each in its own section (the dynamic one's files: panel_dynamic_*)"),
                    }
                ),
                "gwr": Table(
                    keys={
                        "y": Key(str, required=True),
                        "x": Key("list[str]", required=True),
                        "kernel": Key(str, default="bisquare", choices=GWR_KERNELS),
                        "fixed": Key(bool, default=False, doc="a distance bandwidth instead of a number of neighbours"),
                        "bandwidth": Key((int, float), minimum=0, doc="absent: searched by the criterion"),
                        "criterion": Key(str, default="AICc", choices=GWR_CRITERIA),
                        "multiscale": Key(bool, default=False, doc="MGWR: one bandwidth per coefficient"),
                    }
                ),
            }
        ),
        "indicators": _INDICATORS,
        "dynamics": Table(
            keys={
                "table": Key(str, required=True, doc="name of a panel table in [[inputs.tables]]"),
                "columns": Key("list[str]", required=True, doc="the panel variables to follow over time"),
                "periods": Key("list[number]", doc="the periods to use (default: all); e.g. [2011, 2015]"),
                "k": Key(int, default=4, minimum=2, maximum=10, doc="classes of the Markov chains"),
                "classes": Key(str, default="quantiles", choices=("quantiles", "pooled"),
                               doc="quantile classes per period, or one set over all periods"),
                "group": Key(str, doc="a column of the joined regions with their group, for Dagum's Gini"),
                "model": Key(str, default="ols", choices=("ols", "sar", "sem", "sdm"), doc="beta convergence model"),
                "balance": Key(bool, default=True,
                               doc="drop regions missing in some period (listed in the report) instead of failing"),
                "complete_run": Key(bool, default=False,
                                    doc="each column on its own longest run of consecutive periods with a value for "
                                        "every region (columns of one table with different coverage)"),
            }
        ),
        "outputs": Table(
            keys={
                "choropleths": Key("list[str]", default=[]),
                "panel_maps": Table(
                    keys={
                        "table": Key(str, required=True, doc="name of a panel table in [[inputs.tables]]"),
                        "columns": Key("list[str]", required=True, doc="one map per column and period"),
                        "periods": Key("list[number]", doc="the periods to map (default: each column's first and "
                                                           "last period with a value for every region)"),
                    }
                ),
                "scheme": Key(str, default="quantiles", choices=SCHEMES),
                "classes": Key(int, default=5, minimum=2, maximum=12),
                "bins": Key("list[number]", doc="scheme = 'user_defined': the upper bounds of the classes"),
                "maps": Key(bool, default=True),
                "include_sar_taiwan": Key(
                    bool, default=True,
                    doc="national maps of China draw Hong Kong, Macao and Taiwan (as 'No data' without statistics) "
                        "and the South China Sea boundary line, as the standard map does; false opts out",
                ),
                "formats": Key("list[str]", default=list(FORMATS), choices=FORMATS,
                               doc="figure files: png, and pdf / svg (vector) next to it"),
                "dpi": Key(int, default=DPI, minimum=50, maximum=1200, doc="resolution of the PNG figures"),
                "lang": Key(str, default="en", choices=LANGS, doc="language of figures, tables and the report"),
                "tables": Key("list[str]", default=["csv"], choices=TABLE_FORMATS,
                              doc="table files besides the markdown: csv, tex (booktabs), docx (python-docx)"),
                "csv_bom": Key(bool, default=True,
                               doc="CSV as UTF-8 with a byte-order mark, which Excel on Chinese Windows needs"),
                "gpkg": Key(bool, default=True),
                "gpkg_crs": Key(str, doc=f"write results.gpkg in this CRS: {', '.join(NAMED_CRS)}, 'auto', "
                                         "an EPSG code such as 'EPSG:3857', or a WKT / PROJ string"),
                "report": Key(bool, default=True),
            }
        ),
        # [labels.<column>]: names and units of a variable on figures and tables (sc.set_label)
        "labels": Table(named=True, keys={
            "en": Key(str), "zh": Key(str), "unit": Key(str), "unit_en": Key(str), "unit_zh": Key(str),
        }),
    }
)
