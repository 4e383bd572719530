"""What a weights object looks like (links, islands, components, asymmetry) and how it was built."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._result import Result
from ._regions import label

# How each Graph returned by build_weights was built, keyed by id() and removed when the Graph
# is garbage collected. libpysal Graphs are unhashable and have no metadata slot, and copying
# the Graph into a subclass would be lost on its first .transform().
_BUILT: dict[int, BuildInfo] = {}


@dataclass
class BuildInfo:
    """The recipe of a weights object built by :func:`spatialcluster.build_weights`."""

    kind: str
    params: dict
    transform: str
    crs: str | None = None
    crs_reason: str | None = None
    islands_policy: str = "error"
    islands_found: list = field(default_factory=list)
    island_links: list = field(default_factory=list)  # (island, neighbour, distance in CRS units)
    dropped: list = field(default_factory=list)
    snapped_links: list = field(default_factory=list)  # (region, region, border distance in metres)


def remember(w, info: BuildInfo) -> None:
    key = id(w)
    _BUILT[key] = info
    weakref.finalize(w, _BUILT.pop, key, None)


def build_info(w) -> BuildInfo | None:
    """How ``w`` was built, if it came from :func:`~spatialcluster.build_weights` (else None).

    Derived objects (``w.transform(...)``, ``w.subgraph(...)``) are new Graphs without a record.
    """
    return _BUILT.get(id(w))


class WeightsSummary(Result):
    """Shape of a spatial weights graph.

    Attributes
    ----------
    n, n_links : int
        Regions and directed links (a symmetric pair counts twice, as in libpysal / GeoDa).
    mean_neighbors, min_neighbors, max_neighbors : float, int, int
        Neighbour counts per region.
    islands : list of str
        Regions without neighbours.
    n_components : int
        Connected components (an island is its own component).
    component_sizes : list of int
        Sizes of the components, largest first.
    n_asymmetric : int
        Directed links i -> j without the link j -> i (0 for contiguity; common for knn).
    transform : str
        libpysal's transformation code ("R" row-standardised, "B" binary, "O" as built, ...).
    kind, crs, params, island_links, dropped
        From :func:`build_info` when the graph was built by ``build_weights``; ``None`` /
        empty otherwise.
    regions : pandas.DataFrame
        Per region: ``n_neighbors``, ``component``, ``island``.
    """

    def __init__(self, w, data=None):
        info = build_info(w)
        ids = pd.Index(w.unique_ids)
        card = w.cardinalities.reindex(ids).fillna(0).astype(int)
        comp = w.component_labels.reindex(ids)
        sizes = comp.value_counts().sort_values(ascending=False)
        self.n = int(w.n)
        self.n_links = int(card.sum())
        self.mean_neighbors = float(card.mean())
        self.min_neighbors = int(card.min())
        self.max_neighbors = int(card.max())
        self.islands = [str(i) for i in ids[card.to_numpy() == 0]]
        self.n_components = int(len(sizes))
        self.component_sizes = [int(s) for s in sizes]
        pattern = w.sparse.tocsr() != 0
        self.n_asymmetric = int((pattern > pattern.T).nnz)  # i -> j present, j -> i absent
        self.transform = str(w.transformation)
        self.kind = info.kind if info else None
        self.params = dict(info.params) if info else {}
        self.crs = info.crs if info else None
        self.crs_reason = info.crs_reason if info else None
        self.islands_policy = info.islands_policy if info else None
        self.island_links = list(info.island_links) if info else []
        self.dropped = list(info.dropped) if info else []
        self.snapped_links = list(info.snapped_links) if info else []
        self.regions = pd.DataFrame(
            {"n_neighbors": card, "component": comp.astype(int), "island": card == 0}, index=ids
        )
        self._data = data

    def to_frame(self) -> pd.DataFrame:
        """The summary as a two-column table (statistic, value), e.g. for a CSV report."""
        rows = {
            "kind": self.kind,
            "transform": self.transform,
            "n": self.n,
            "n_links": self.n_links,
            "mean_neighbors": round(self.mean_neighbors, 6),
            "min_neighbors": self.min_neighbors,
            "max_neighbors": self.max_neighbors,
            "islands": " ".join(self.islands),
            "n_components": self.n_components,
            "component_sizes": " ".join(map(str, self.component_sizes)),
            "n_asymmetric": self.n_asymmetric,
            "crs": self.crs,
            "islands_policy": self.islands_policy,
            "island_links": "; ".join(f"{a}-{b}" for a, b, _ in self.island_links),
            "dropped": " ".join(self.dropped),
            "snapped_links": "; ".join(f"{a}-{b}" for a, b, _ in self.snapped_links),
        }
        rows.update({f"param_{k}": v for k, v in self.params.items()})
        return pd.DataFrame({"value": pd.Series(rows, dtype=object)}).rename_axis("statistic")

    def summary(self) -> str:
        lab = lambda ids: ", ".join(label(self._data, ids)) or "none"  # noqa: E731
        lines = [f"Spatial weights: {self.kind or 'libpysal Graph'} ({self.transform} transform)"]
        if self.params:
            lines.append("  parameters:   " + ", ".join(f"{k}={v}" for k, v in self.params.items()))
        if self.crs_reason:
            lines.append(f"  distances:    {self.crs_reason}")
        lines += [
            f"  regions:      {self.n}",
            f"  links:        {self.n_links} (directed; {self.n_asymmetric} without a reverse link)",
            f"  neighbours:   mean {self.mean_neighbors:.2f}, min {self.min_neighbors}, max {self.max_neighbors}",
            f"  islands:      {lab(self.islands)}",
            f"  components:   {self.n_components} (sizes {', '.join(map(str, self.component_sizes))})",
        ]
        if self.island_links:
            links = "; ".join(
                f"{a} - {b} ({d / 1000:.1f} km)" if np.isfinite(d) and self.crs else f"{a} - {b}"
                for a, b, d in ((*label(self._data, [a, b]), d) for a, b, d in self.island_links)
            )
            lines.append(f"  linked:       {links} (islands='nearest')")
        if self.snapped_links:
            snapped = "; ".join(f"{a} - {b} ({d:.3g} m)" for a, b, d in (
                (*label(self._data, [a, b]), d) for a, b, d in self.snapped_links))
            lines.append(f"  snapped:      {snapped} (tolerance={self.params.get('tolerance')} m)")
        if self.dropped:
            lines.append(
                f"  dropped:      {lab(self.dropped)} (islands='drop'): the weights cover only the "
                "other regions; subset the data with data.loc[w.unique_ids]"
            )
        return "\n".join(lines)

    def plot(self, ax=None, **kwargs):
        """Regions per number of neighbours (:func:`~spatialcluster.plot.neighbour_histogram`)."""
        from ..plot import neighbour_histogram

        kwargs.setdefault("title", f"Neighbours per region ({self.kind or 'weights'})")
        return neighbour_histogram(self.regions["n_neighbors"], ax=ax, **kwargs)

    def to_record(self) -> dict:
        """Headline numbers: size, links, islands, components, and links added by the build."""
        return {
            "kind": self.kind, "transform": self.transform, "n": self.n, "n_links": self.n_links,
            "islands": self.islands, "n_components": self.n_components, "crs": self.crs,
            "params": {k: v for k, v in self.params.items() if isinstance(v, (str, int, float, bool))},
            "island_links": [[a, b] for a, b, _ in self.island_links],
            "snapped_links": [[a, b] for a, b, _ in self.snapped_links], "dropped": self.dropped,
        }


def weights_summary(w, data=None) -> WeightsSummary:
    """Summarise a weights graph: links, neighbour counts, islands, components, asymmetry.

    Parameters
    ----------
    w : libpysal.graph.Graph
        Any Graph; graphs from :func:`~spatialcluster.build_weights` also report their kind,
        parameters, the CRS used for distances and the islands that were linked or dropped.
    data : DataFrame, optional
        The regions, used only to print names next to ids (columns ``name_zh`` / ``name`` /
        ``name_en``).

    Returns
    -------
    WeightsSummary
    """
    return WeightsSummary(w, data)
