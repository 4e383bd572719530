"""The TOML schema: every table and key of a config, its type, default and allowed values.

Allowed values come from the modules that own them (weights, multiple testing, models, map
classes, missing values), so that a value the library accepts is never refused by the config
and the other way round. :mod:`.config` checks a file against :data:`SCHEMA`;
:mod:`.settings` turns the checked file into frozen dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..io.missing import MISSING
from ..models.cross_section import MODELS as CROSS_SECTION_MODELS
from ..models.panel import _EFFECTS as PANEL_EFFECTS
from ..models.panel import _MODELS as PANEL_MODELS
from ..plot._classify import SCHEMES as _SCHEMES
from ..stats.multitest import CORRECTIONS as _CORRECTIONS
from ..weights._build import ISLAND_POLICIES as ISLANDS
from ..weights._build import KINDS as _KINDS
from ..weights._build import TRANSFORMS as _TRANSFORMS

DATASETS = ("china_provinces", "mexico_states")
TABLE_DATASETS = ("china_facts", "china_urbanization_panel", "mexico_gdp_panel")
#: The canonical weights kinds of :func:`sc.build_weights` (its aliases map onto these).
WEIGHT_KINDS = tuple(dict.fromkeys(_KINDS.values()))
#: Kinds built from a variable or a second weights object: Python only (see config's message).
PYTHON_ONLY_KINDS = ("economic", "nested", "gravity")
TRANSFORMS = tuple(_TRANSFORMS)
JOIN_HOW = ("strict", "left", "inner")
#: ``"none"`` in a TOML file is ``correction=None`` in Python; the library accepts both.
CORRECTIONS = tuple("none" if c is None else c for c in _CORRECTIONS)
SCHEMES = tuple(_SCHEMES)
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
    },
)

REQUIRED_BY_KIND = {
    "growth": ("start", "end"),
    "difference": ("start", "end"),
    "log": ("column",),
    "ratio": ("numerator", "denominator"),
    "location_quotient": ("numerator", "denominator"),
}

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
                "panel": Table(
                    keys={
                        "table": Key(str, required=True),
                        "y": Key(str, required=True),
                        "x": Key("list[str]", required=True),
                        "model": Key(str, default="sdm", choices=PANEL_MODELS),
                        "effects": Key(str, default="twoway", choices=PANEL_EFFECTS),
                    }
                ),
            }
        ),
        "outputs": Table(
            keys={
                "choropleths": Key("list[str]", default=[]),
                "scheme": Key(str, default="quantiles", choices=SCHEMES),
                "classes": Key(int, default=5, minimum=2, maximum=12),
                "bins": Key("list[number]", doc="scheme = 'user_defined': the upper bounds of the classes"),
                "maps": Key(bool, default=True),
                "include_sar_taiwan": Key(
                    bool, default=False,
                    doc="with dataset = 'china_provinces': draw Hong Kong, Macao and Taiwan on the maps as 'No data'",
                ),
                "gpkg": Key(bool, default=True),
                "report": Key(bool, default=True),
            }
        ),
    }
)
