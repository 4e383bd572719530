"""Contiguous regionalisation (max-p, SKATER) to delineate multi-region clusters, through PySAL's spopt.

spopt is an optional dependency (``pip install spatialcluster[regions]``); these functions add
validation, seeding, standardisation and a result that follows the package's protocol.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._errors import InputError
from .._result import Result
from .._validate import _names, align
from .._validate import columns as _columns
from ..stats._core import as_graph, with_geometry

METHODS = ("maxp", "skater")


class Regionalization(Result):
    """Contiguous regions built from spatial units.

    Attributes
    ----------
    labels : pandas.Series
        The region (0, 1, ...) of every unit, indexed like the data.
    frame : pandas.DataFrame
        ``label`` and the attributes used, indexed by unit.
    method : str
    r2 : float
        Share of the (standardised) attributes' total sum of squares between regions,
        1 - SSW/SST: how homogeneous the regions are.
    """

    def __init__(self, frame, method, attributes, r2, geometry, settings):
        self.frame, self.method, self.attributes, self.r2 = frame, method, attributes, r2
        self.geometry, self.settings = geometry, settings

    @property
    def labels(self) -> pd.Series:
        return self.frame["label"]

    def counts(self) -> pd.Series:
        """Units per region."""
        return self.frame["label"].value_counts().sort_index().rename("units")

    def to_frame(self) -> pd.DataFrame:
        """The frame, as a GeoDataFrame with the input's geometry when there was one."""
        return with_geometry(self.frame.copy(), self.geometry)

    def summary(self) -> str:
        c = self.counts()
        return "\n".join([
            f"Regionalisation ({self.method}, spopt): {len(self.frame)} units into {len(c)} regions",
            f"  attributes: {', '.join(self.attributes)}; settings: {self.settings}",
            f"  units per region: min {c.min()}, median {int(c.median())}, max {c.max()}",
            f"  between-region share of the attributes' sum of squares (R^2): {self.r2:.3f}",
        ])

    def plot(self, ax=None, **kwargs):
        """Map of the regions (needs geometry), see :func:`spatialcluster.plot.indicators.regions_map`."""
        from ..plot.indicators import regions_map

        return regions_map(self, ax=ax, **kwargs)

    def to_record(self) -> dict:
        return {"method": self.method, "regions": int(self.counts().size), "units": int(len(self.frame)),
                "r2": None if np.isnan(self.r2) else float(self.r2),
                "settings": {k: (None if isinstance(v, float) and not np.isfinite(v)
                                 else v if isinstance(v, (str, int, float, bool)) or v is None else str(v))
                             for k, v in self.settings.items()}}


def regionalize(
    data,
    columns: Sequence[str],
    w,
    *,
    method: str = "maxp",
    n_regions: int | None = None,
    threshold_column: str | None = None,
    threshold: float | None = None,
    floor: float = -np.inf,
    top_n: int = 2,
    standardize: bool = True,
    seed: int = 0,
) -> Regionalization:
    """Group contiguous units into homogeneous regions: max-p (Duque, Anselin & Rey 2012) or SKATER
    (Assunção et al. 2006), as implemented by PySAL's spopt (Feng et al. 2022).

    * ``method="maxp"``: the largest number of contiguous regions each of whose sum of
      ``threshold_column`` is at least ``threshold`` (e.g. regions of at least 5 million people),
      then as homogeneous as possible in ``columns`` (spopt's ``MaxPHeuristic``: randomised
      construction, then simulated annealing, ``top_n`` candidates per step).
    * ``method="skater"``: ``n_regions`` regions by pruning the minimum spanning tree of the
      contiguity graph, edges weighted by attribute dissimilarity; ``floor`` is the smallest
      region size (number of units) allowed.

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        Indexed by unit id, aligned with ``w``.
    columns : sequence of str
        Attributes the regions should be homogeneous in.
    w : libpysal.graph.Graph
        Contiguity (every unit must be connected to the rest: islands cannot join a region).
    method : {"maxp", "skater"}
    n_regions : int
        SKATER: number of regions.
    threshold_column, threshold : str, float
        max-p: the floor on each region's total of ``threshold_column``.
    floor : float
        SKATER: minimum number of units per region.
    top_n : int
        max-p: candidates considered per step (spopt's ``top_n``).
    standardize : bool, default True
        z-score the attributes first so that none dominates by its units (spopt uses them as given).
    seed : int
        Seed of max-p's randomised search (numpy's global generator, restored afterwards).

    Returns
    -------
    Regionalization

    References
    ----------
    Assunção, R. M., Neves, M. C., Câmara, G. & da Costa Freitas, C. (2006). Efficient
    regionalization techniques for socio-economic geographical units using minimum spanning trees.
    *IJGIS* 20(7), 797-811. doi:10.1080/13658810600665111

    Duque, J. C., Anselin, L. & Rey, S. J. (2012). The max-p-regions problem. *Journal of Regional
    Science* 52(3), 397-419. doi:10.1111/j.1467-9787.2011.00743.x

    Feng, X., Rey, S. & Wei, R. (2022). The max-p-compact-regions problem. *Transactions in GIS*
    26(2), 717-734 (spopt); Wei, R., Rey, S. & Knaap, E. (2021). Efficient regionalization for
    spatially explicit neighborhood delineation. *IJGIS* 35(1), 135-151.
    """
    try:
        from spopt.region import MaxPHeuristic, Skater
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise InputError("regionalize needs PySAL's spopt: pip install 'spatialcluster[regions]'.") from exc
    if method not in METHODS:
        raise InputError(f"method must be one of {METHODS}, got {method!r}.")
    w = as_graph(w)
    aligned = align(data, w)
    cols = [columns] if isinstance(columns, str) else list(columns)
    X = _columns(aligned, cols)
    if standardize:
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    if len(w.isolates):
        raise InputError(f"units without neighbours cannot join a contiguous region: {_names(w.isolates)}; "
                         "drop them or connect them (sc.build_weights(..., islands='nearest')).")
    attrs = [f"_x{i}" for i in range(len(cols))]
    frame = pd.DataFrame(X, columns=attrs, index=aligned.index)
    W = w.to_W()
    settings = {"standardize": standardize}
    if method == "maxp":
        if threshold_column is None or threshold is None:
            raise InputError("max-p needs threshold_column= and threshold= (e.g. population >= 5e6 per region).")
        from .._validate import column as _column

        frame["_floor"] = _column(aligned, threshold_column, allow_constant=True)
        if frame["_floor"].sum() < threshold:
            raise InputError(f"the total of {threshold_column!r} ({frame['_floor'].sum():g}) is below threshold "
                             f"{threshold:g}: not even one region can reach it.")
        state = np.random.get_state()
        np.random.seed(seed)  # spopt's max-p draws from numpy's global generator
        try:
            model = MaxPHeuristic(frame.reset_index(drop=True), W_positional(W, aligned.index), attrs, "_floor",
                                  threshold, top_n=top_n)
            model.solve()
        finally:
            np.random.set_state(state)
        settings.update(threshold_column=threshold_column, threshold=threshold, top_n=top_n, seed=seed)
    else:
        if n_regions is None or n_regions < 2 or n_regions > len(frame):
            raise InputError(f"SKATER needs n_regions between 2 and the number of units ({len(frame)}), got {n_regions!r}.")
        model = Skater(frame.reset_index(drop=True), W_positional(W, aligned.index), attrs, n_clusters=int(n_regions),
                       floor=floor)
        model.solve()
        settings.update(n_regions=n_regions, floor=floor)
    labels = np.asarray(model.labels_)
    _, labels = np.unique(labels, return_inverse=True)
    Xc = X - X.mean(axis=0)
    sst = float((Xc**2).sum())
    means = pd.DataFrame(X).groupby(labels).transform("mean").to_numpy()
    r2 = 1.0 - float(((X - means) ** 2).sum()) / sst if sst > 0 else np.nan
    out = pd.DataFrame({"label": labels}, index=aligned.index).join(aligned[cols])
    geometry = aligned.geometry if hasattr(aligned, "geometry") else None
    return Regionalization(out, method, cols, r2, geometry, settings)


def W_positional(W, ids):  # noqa: N802 - a libpysal W
    """The same weights with positional ids 0..n-1, matching a frame reset to a RangeIndex."""
    from libpysal.weights import W as _W

    pos = {i: k for k, i in enumerate(ids)}
    neighbors = {pos[i]: [pos[j] for j in W.neighbors[i]] for i in ids}
    weights = {pos[i]: list(W.weights[i]) for i in ids}
    return _W(neighbors, weights, silence_warnings=True)
