"""A checked config as frozen dataclasses, one per TOML section.

:func:`spatialcluster.pipeline.load_config` checks the file (line numbers, "did you mean")
and keeps the checked dict as ``Config.data`` (written to the manifest as run);
``Config.settings`` is the same content typed, which is what the steps read. A field has the
name of its TOML key (``global_`` for ``global``, a Python keyword); lists become tuples.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


def _make(cls, d: dict | None, **nested):
    """``cls`` from a checked table: each field from the key of the same name, lists as tuples."""
    d = d or {}
    kw = {}
    for f in fields(cls):
        if f.name in nested:
            kw[f.name] = nested[f.name]
            continue
        v = d.get(f.name.rstrip("_"))
        kw[f.name] = tuple(v) if isinstance(v, list) else v
    return cls(**kw)


@dataclass(frozen=True)
class Project:
    title: str
    seed: int
    description: str


@dataclass(frozen=True)
class ReadOptions:
    """Options of :func:`sc.read_table` for one input table."""

    sheet: str | int | None
    encoding: str | None
    sep: str | None
    keys: tuple | None
    na_values: tuple | None

    def kwargs(self) -> dict:
        """The options that are set, as keyword arguments (lists, as read_table expects them)."""
        return {f.name: list(v) if isinstance(v, tuple) else v
                for f in fields(self) if (v := getattr(self, f.name)) is not None}


@dataclass(frozen=True)
class TableInput:
    """One ``[[inputs.tables]]``: joined to the regions, or a long panel when ``time`` is set."""

    name: str
    on: str
    how: str
    path: str | None
    dataset: str | None
    time: str | None
    columns: tuple | None
    years: tuple | None
    read: ReadOptions


@dataclass(frozen=True)
class Inputs:
    dataset: str | None
    regions: str | None
    id: str | None
    layer: str | None
    encoding: str | None
    tables: tuple[TableInput, ...]

    def table(self, name: str) -> TableInput:
        return next(t for t in self.tables if t.name == name)


@dataclass(frozen=True)
class DataRules:
    """``[data]``: what to do with gaps in the analysed variables (:func:`sc.handle_missing`)."""

    missing: str


@dataclass(frozen=True)
class Derived:
    """One ``[variables.derived.<name>]``."""

    name: str
    kind: str
    start: str | None
    end: str | None
    years: float | None
    column: str | None
    numerator: str | None
    denominator: str | None
    scale: float
    description: str
    table: str | None


@dataclass(frozen=True)
class Weights:
    """One ``[[weights]]`` specification (arguments of :func:`sc.build_weights`)."""

    name: str
    kind: str
    islands: str
    transform: str
    k: int | None
    threshold: float | None
    power: float | None
    bandwidth: float | None
    function: str | None
    path: str | None


@dataclass(frozen=True)
class ByYear:
    table: str
    columns: tuple


@dataclass(frozen=True)
class Statistics:
    permutations: int
    alpha: float
    correction: str
    global_: tuple
    local: tuple
    hotspots: tuple
    geary: tuple
    by_year: ByYear | None


@dataclass(frozen=True)
class PanelModel:
    table: str
    y: str
    x: tuple
    model: str
    effects: str
    dynamic: str
    bias_correction: bool
    lm_tests: bool
    hausman: bool
    with_static: bool


@dataclass(frozen=True)
class GWRModel:
    y: str
    x: tuple
    kernel: str
    fixed: bool
    bandwidth: float | None
    criterion: str
    multiscale: bool


@dataclass(frozen=True)
class Models:
    y: str | None
    x: tuple
    selection: bool
    cross_section: tuple
    robustness: bool
    panel: PanelModel | None
    gwr: GWRModel | None


@dataclass(frozen=True)
class Composite:
    """One ``[[indicators.composite]]`` (arguments of :func:`sc.composite_index`)."""

    name: str
    indicators: tuple
    negative: tuple
    method: str


@dataclass(frozen=True)
class Agglomeration:
    """``[indicators.agglomeration]`` (arguments of :func:`sc.agglomeration`)."""

    path: str
    region: str
    industry: str
    value: str
    plant: str | None


@dataclass(frozen=True)
class GeoDetectorSettings:
    y: str
    factors: tuple
    continuous: tuple | None
    discretize: str
    classes: tuple


@dataclass(frozen=True)
class Ellipse:
    weights: tuple


@dataclass(frozen=True)
class Regions:
    """``[indicators.regions]`` (arguments of :func:`sc.regionalize`)."""

    columns: tuple
    method: str
    n_regions: int | None
    threshold_column: str | None
    threshold: float | None


@dataclass(frozen=True)
class Indicators:
    composite: tuple[Composite, ...]
    agglomeration: Agglomeration | None
    geodetector: GeoDetectorSettings | None
    join_counts: tuple
    regions: Regions | None
    ellipse: Ellipse | None

    @classmethod
    def from_dict(cls, d: dict | None) -> Indicators:
        d = d or {}
        return cls(composite=tuple(_make(Composite, c) for c in d.get("composite") or []),
                   agglomeration=_make(Agglomeration, d["agglomeration"]) if d.get("agglomeration") else None,
                   geodetector=_make(GeoDetectorSettings, d["geodetector"]) if d.get("geodetector") else None,
                   join_counts=tuple(d.get("join_counts") or ()),
                   regions=_make(Regions, d["regions"]) if d.get("regions") else None,
                   ellipse=_make(Ellipse, d["ellipse"]) if d.get("ellipse") else None)


@dataclass(frozen=True)
class PanelMaps:
    """``[outputs.panel_maps]``: panel columns mapped period by period, one classification for all periods."""

    table: str
    columns: tuple
    periods: tuple | None


@dataclass(frozen=True)
class Outputs:
    choropleths: tuple
    panel_maps: PanelMaps | None
    scheme: str
    classes: int
    bins: tuple | None
    maps: bool
    include_sar_taiwan: bool
    formats: tuple
    dpi: int
    lang: str
    tables: tuple
    csv_bom: bool
    gpkg: bool
    gpkg_crs: str | None
    report: bool


@dataclass(frozen=True)
class Dynamics:
    """``[dynamics]``: change over time of panel variables (:mod:`spatialcluster.dynamics`)."""

    table: str
    columns: tuple
    periods: tuple | None
    k: int
    classes: str
    group: str | None
    model: str
    balance: bool
    complete_run: bool


@dataclass(frozen=True)
class Settings:
    """The whole config, typed."""

    project: Project
    inputs: Inputs
    data: DataRules | None
    derived: tuple[Derived, ...]
    weights: tuple[Weights, ...]
    statistics: Statistics
    models: Models
    indicators: Indicators
    outputs: Outputs
    labels: dict  # column -> {"en", "zh", "unit", ...}: the run's variable catalogue entries
    dynamics: Dynamics | None = None

    @property
    def primary_weights(self) -> str | None:
        """The first weights specification: local statistics, maps and models use it."""
        return self.weights[0].name if self.weights else None

    @classmethod
    def from_dict(cls, c: dict) -> Settings:
        """From the dict :func:`~spatialcluster.pipeline.config.parse_config` checked (defaults filled in)."""
        inputs, stats, models = c["inputs"], c["statistics"], c["models"]
        tables = tuple(_make(TableInput, t, read=_make(ReadOptions, t.get("read"))) for t in inputs.get("tables") or [])
        derived = (c.get("variables") or {}).get("derived") or {}
        return cls(
            project=_make(Project, c["project"]),
            inputs=_make(Inputs, inputs, tables=tables),
            data=_make(DataRules, c["data"]) if c.get("data") else None,
            derived=tuple(_make(Derived, {**d, "name": name}) for name, d in derived.items()),
            weights=tuple(_make(Weights, w) for w in c.get("weights") or []),
            statistics=_make(Statistics, stats, by_year=_make(ByYear, stats["by_year"]) if stats.get("by_year") else None),
            models=_make(Models, models, panel=_make(PanelModel, models["panel"]) if models.get("panel") else None,
                         gwr=_make(GWRModel, models["gwr"]) if models.get("gwr") else None),
            indicators=Indicators.from_dict(c.get("indicators")),
            outputs=_make(Outputs, c["outputs"], panel_maps=_make(PanelMaps, c["outputs"]["panel_maps"])
                          if c["outputs"].get("panel_maps") else None),
            labels={k: {key: text for key, text in v.items() if text is not None}
                    for k, v in (c.get("labels") or {}).items()},
            dynamics=_make(Dynamics, c["dynamics"]) if c.get("dynamics") else None,
        )
