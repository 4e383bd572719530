"""What the steps of one run share (:class:`Context`) and what each gives the report (:class:`Section`)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from .._errors import SpatialClusterWarning
from .config import Config
from .progress import Progress
from .settings import Settings
from .writer import Writer


@dataclass
class Section:
    """One section of the HTML report (see :func:`spatialcluster.write_report`)."""

    title: str
    text: str = ""
    tables: list = field(default_factory=list)  # DataFrames or (caption, DataFrame)
    images: list = field(default_factory=list)  # paths of the figures written
    log: str = ""


@dataclass
class Context:
    """What the steps of one run share: the config, the joined data, the weights and the outputs so far."""

    cfg: Config
    root: Path
    progress: Progress
    wr: Writer
    data: pd.DataFrame
    panels: dict
    notes: dict  # variable -> description
    layers: dict  # GeoPackage layer name -> frame
    styles: dict = field(default_factory=dict)  # layer name -> its QGIS style options (sc.to_geopackage)
    weights: dict = field(default_factory=dict)
    weights_summaries: dict = field(default_factory=dict)  # name -> flat summary, for the manifest
    dropped: dict = field(default_factory=dict)  # islands = "drop": id -> "id (name)", left out of the analysis
    missing: dict = field(default_factory=dict)  # [data] missing: table -> what was dropped
    all_data: pd.DataFrame | None = None  # the joined data before regions were dropped, for the maps
    records: dict = field(default_factory=dict)  # step -> its results' to_record(), for the manifest

    @property
    def settings(self) -> Settings:
        return self.cfg.settings

    @property
    def seed(self) -> int:
        return self.settings.project.seed

    @property
    def primary(self) -> str | None:
        return self.settings.primary_weights

    @property
    def w0(self):
        return self.weights.get(self.primary)

    @property
    def maps(self) -> bool:
        return self.settings.outputs.maps

    @cached_property
    def map_regions(self):  # reads the bundled boundaries once per run, not once per map step
        return map_regions(self.cfg.data, self.data if self.all_data is None else self.all_data)

    def panel(self, name: str) -> tuple[pd.DataFrame, str, str]:
        """A panel table with its id and time column names."""
        panel = self.panels[name]
        return panel, panel.columns[0], self.settings.inputs.table(name).time

    def drop_regions(self, ids: list, rule: str, step: str) -> dict:
        """Leave the regions out of the data, the panels and the layers (the maps draw them as no data),
        so that all steps analyse the same regions; the weights are built again. Returns id -> label."""
        from ..weights._regions import label

        with self.progress.step(step):
            named = dict(zip(ids, label(self.data, ids), strict=True))
            self.all_data = self.data if self.all_data is None else self.all_data
            self.data = self.data.drop(index=ids)
            self.layers["regions"] = self.layers["regions"].drop(index=ids)
            self.panels.update({k: p[~p.iloc[:, 0].astype(str).isin(ids)].reset_index(drop=True)
                                for k, p in self.panels.items()})
            self.weights.clear()
            warnings.warn(f"{rule}: {', '.join(named.values())} left out of the whole analysis (statistics, "
                          f"models, tables and layers); {len(self.data)} regions remain. The maps draw them as no data.",
                          SpatialClusterWarning, stacklevel=2)
        return named


def map_regions(c: dict, data):
    """What every map draws: the analysed regions, plus Hong Kong, Macao and Taiwan as "No data"
    when ``[outputs] include_sar_taiwan`` is set (the usual way to show China)."""
    if not c["outputs"].get("include_sar_taiwan") or c["inputs"].get("dataset") != "china_provinces":
        return data  # own regions files: the maps add the three where the map covers China
    import spatialcluster as sc

    full = sc.datasets.china_provinces(include_sar_taiwan=True).to_crs(data.crs)
    extra = full.loc[[code for code in sc.datasets.SAR_TAIWAN if code not in data.index], [full.geometry.name]]
    if extra.geometry.name != data.geometry.name:
        extra = extra.rename_geometry(data.geometry.name)
    return pd.concat([data, extra])


# ----------------------------------------------------------------------- helpers the steps share
def result_frame(res, index_name: str = "term") -> pd.DataFrame:
    """A result's table without geometry, its index named."""
    frame = res.to_frame()
    if hasattr(frame, "geometry") and "geometry" in frame.columns:
        frame = pd.DataFrame(frame.drop(columns="geometry"))
    if frame.index.name is None and not isinstance(frame.index, pd.RangeIndex):
        frame = frame.rename_axis(index_name)
    return frame


def with_geometry(data, frame: pd.DataFrame):
    """A per-region table as a layer: the regions' names and geometry joined to it."""
    import geopandas as gpd

    frame = frame.copy()
    frame.index = frame.index.astype(str)
    names = [c for c in ("name_zh", "name_en", "name") if c in data.columns and c not in frame.columns]
    geo = data[names + [data.geometry.name]].join(frame, how="left")
    return gpd.GeoDataFrame(geo, geometry=data.geometry.name, crs=data.crs)


def title(notes, name) -> str:
    """A map title: the variable's label in the catalogue (``[labels]``, the bundled columns'),
    else its description up to its first colon (long ones), else its name."""
    from .. import labels

    if labels.variable(name).en or labels.variable(name).zh:
        return labels.label(name)
    text = " ".join(str(notes.get(name) or name).split())
    return text if len(text) <= 70 else text.split(":")[0][:70]


def variables_text(names, notes) -> str:
    return "\n\n".join(f"{n}: {notes[n]}" for n in names if n in notes)
