"""Inputs of GWR/MGWR: the design, the calibration coordinates and the nearest-neighbour table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..._errors import InputError
from ..._validate import _names, column
from ._local import BISQUARE, EXPONENTIAL, GAUSSIAN

KERNELS = {"bisquare": BISQUARE, "gaussian": GAUSSIAN, "exponential": EXPONENTIAL}
# Pairs of column names read as planar coordinates when the data carry no geometry.
_COORD_COLUMNS = (("X", "Y"), ("x", "y"), ("x_coord", "y_coord"), ("easting", "northing"))
# Nearest-neighbour table size cap (entries = regions x neighbours): about 600 MB at 12 bytes each.
# Beyond it, or when the bandwidth is over a quarter of the regions (a pass over all distances
# then costs about what building the table would), neighbourhoods come from direct distances.
NN_BUDGET = 50_000_000
NN_SHARE = 0.25


@dataclass
class Design:
    """Response, design matrix (constant first), coordinates and ids of a local regression."""

    ids: pd.Index
    y: np.ndarray
    X: np.ndarray
    names: list
    coords: np.ndarray
    y_name: str
    note: str
    geometry: object = None
    crs: object = None

    @property
    def n(self) -> int:
        return len(self.y)

    @property
    def k(self) -> int:
        return self.X.shape[1]


def kernel_code(kernel: str) -> int:
    key = str(kernel).lower()
    if key not in KERNELS:
        raise InputError(f"kernel={kernel!r} is not supported; use one of {', '.join(KERNELS)}")
    return KERNELS[key]


def _is_geoframe(data) -> bool:
    import geopandas as gpd

    return isinstance(data, gpd.GeoDataFrame) and data._geometry_column_name in data.columns


def _coordinate_columns(data, inside=None):
    """Coordinates from a column pair such as X/Y (GWR4's layout), if present.

    With polygons (``inside`` = their bounds), the columns are used only when they lie within the
    polygons' extent, i.e. are in the same planar system; they are then the calibration points
    the data were prepared with (as in GWR4 files), not the polygons' centroids.
    """
    for cx, cy in _COORD_COLUMNS:
        if cx in data.columns and cy in data.columns:
            xy = np.column_stack([column(data, cx, allow_constant=True), column(data, cy, allow_constant=True)])
            if inside is not None:
                x0, y0, x1, y1 = inside
                if not ((xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)).all():
                    return None
            return xy, f"coordinates from columns {cx!r}, {cy!r} (planar)"
    return None


def _coordinates(data, coords):
    """(n, 2) planar coordinates, the geometry to draw (if any), its CRS and a note on their source."""
    if coords is not None:
        if isinstance(coords, str) or (isinstance(coords, Sequence) and len(coords) == 2
                                       and all(isinstance(c, str) for c in coords)):
            cols = [coords] if isinstance(coords, str) else list(coords)
            if len(cols) != 2:
                raise InputError("coords= takes two column names (x, y) or an (n, 2) array")
            xy = np.column_stack([column(data, c, allow_constant=True) for c in cols])
            return xy, f"coordinates from columns {cols[0]!r}, {cols[1]!r}"
        xy = np.asarray(coords, dtype=float)
        if xy.shape != (len(data), 2):
            raise InputError(f"coords has shape {xy.shape}; it must be ({len(data)}, 2), one (x, y) per region")
        return xy, "coordinates given as an array"
    if _is_geoframe(data):
        geo = data.geometry
        why = "planar coordinates (the data have no CRS)"
        if geo.crs is not None:
            from ...weights._crs import projected_crs

            crs, why = projected_crs(data)
            geo = geo.to_crs(crs)
        if (geo.geom_type == "Point").all():
            return np.column_stack([geo.x.to_numpy(), geo.y.to_numpy()]), f"points; {why}"
        own = _coordinate_columns(data, inside=geo.total_bounds) if geo.crs == data.crs else None
        if own is not None:
            return own
        cen = geo.centroid
        return np.column_stack([cen.x.to_numpy(), cen.y.to_numpy()]), f"centroids of the regions; {why}"
    own = _coordinate_columns(data)
    if own is not None:
        return own
    raise InputError(
        "GWR needs a location for each region: pass a GeoDataFrame, or coords=('x_column', 'y_column') "
        "with planar (projected) coordinates, or an (n, 2) array"
    )


def design(data: pd.DataFrame, y: str, x, coords=None, constant: bool = True) -> Design:
    """Validate the inputs and build the design; refuse too few regions for the parameters."""
    xs = [x] if isinstance(x, str) else list(x)
    if not xs and not constant:
        raise InputError("x is empty and constant=False: there is nothing to estimate")
    if data.index.has_duplicates:
        dup = data.index[data.index.duplicated()].unique()
        raise InputError(f"duplicate region ids in the data: {_names(dup)}; each region must appear once")
    yv = column(data, y)
    cols = [column(data, c) for c in xs]
    names = (["const"] if constant else []) + xs
    X = np.column_stack(([np.ones(len(data))] if constant else []) + cols)
    xy, note = _coordinates(data, coords)
    if not np.isfinite(xy).all():
        bad = data.index[~np.isfinite(xy).all(axis=1)]
        raise InputError(f"regions {_names(bad)} have no usable location (empty geometry or missing coordinates)")
    k = X.shape[1]
    if len(yv) < k + 3:
        raise InputError(
            f"too few observations for GWR: {len(yv)} regions for {k} parameters per local regression; "
            f"at least {k + 3} are needed (a local fit needs more neighbours than parameters, and AICc "
            "needs n > tr(S) + 2). Use fewer regressors or more regions."
        )
    geometry = data.geometry if _is_geoframe(data) else None
    crs = data.crs if geometry is not None else None
    return Design(data.index.copy(), yv, np.ascontiguousarray(X), names, np.ascontiguousarray(xy), y, note,
                  geometry=geometry, crs=crs)


def coincident(coords: np.ndarray, ids) -> list:
    """Groups of region ids sharing exactly the same location."""
    frame = pd.DataFrame(coords, columns=["x", "y"])
    dup = frame.duplicated(keep=False)
    if not dup.any():
        return []
    groups = frame[dup].groupby(["x", "y"]).groups
    return [[str(ids[i]) for i in rows] for rows in groups.values()]


def check_bandwidth(bw, fixed: bool, d: Design, what: str = "bandwidth") -> None:
    """Refuse an adaptive bandwidth below k + 1 neighbours or above n, and a non-positive distance."""
    if fixed:
        if not np.isfinite(bw) or bw <= 0:
            raise InputError(f"{what}={bw!r}: a fixed bandwidth is a distance and must be positive")
        return
    if bw != int(bw):
        raise InputError(f"{what}={bw!r}: an adaptive bandwidth is a number of neighbours (an integer)")
    if bw < d.k + 1:
        raise InputError(
            f"{what}={bw:g} neighbours is smaller than the {d.k + 1} a local regression with {d.k} parameters "
            f"({', '.join(d.names)}) needs; use bandwidth >= {d.k + 1} or bandwidth=None to search"
        )
    if bw > d.n:
        raise InputError(f"{what}={bw:g} neighbours is more than the {d.n} regions; use at most {d.n}")


def check_fixed_locations(d: Design) -> None:
    """Fixed kernels measure distances between distinct locations: refuse coincident points by name."""
    groups = coincident(d.coords, d.ids)
    if groups:
        shown = _names((f"({_names(g)})" for g in groups), 10, sep="; ", noun="groups")
        raise InputError(
            f"{sum(len(g) for g in groups)} regions share a location with another one under a fixed kernel: "
            f"{shown}. The minimum distance is 0, so a fixed bandwidth search has no lower bound. "
            "Aggregate the coincident regions, or use an adaptive bandwidth (fixed=False), which counts "
            "coincident neighbours as GWR4 does."
        )


class Neighbours:
    """Sorted nearest-neighbour table, computed once and reused across bandwidths (and covariates).

    ``table(bw)`` gives ``(idx, dist)`` with more than ``bw`` columns when it fits the memory cap,
    else an empty table, which makes the kernels compute distances directly.
    """

    def __init__(self, coords: np.ndarray, budget: int | None = None, share: float | None = None):
        from scipy.spatial import cKDTree

        self.coords = coords
        self.n = len(coords)
        self.budget = NN_BUDGET if budget is None else budget
        # share None: one search (tables only for bandwidths up to NN_SHARE n, sized to need);
        # share 1.0: many searches over the same points (MGWR): one table as wide as the budget allows.
        self.share = share
        self._tree = cKDTree(coords)
        self._idx = np.empty((self.n, 0), dtype=np.int32)
        self._dist = np.empty((self.n, 0))
        self.empty = (self._idx, self._dist)

    def table(self, bw, kind: int, fixed: bool):
        if kind != BISQUARE or fixed or not np.isfinite(bw):
            return self.empty
        need = int(bw) + 1
        have = self._idx.shape[1]
        if have > int(bw) or have == self.n:
            return self._idx, self._dist
        share = NN_SHARE if self.share is None else self.share
        if self.n * min(need, self.n) > self.budget or min(need, self.n) > share * self.n:
            return self.empty
        if self.share is None:  # a little slack so that slightly larger bandwidths reuse the table
            kq = min(self.n, max(need + 8, int(need * 1.1)))
            if self.n * kq > self.budget:
                kq = need
        else:
            kq = min(self.n, int(share * self.n), self.budget // self.n)
        if kq * 4 > self.n:
            self._idx, self._dist = self._wide(kq)
        else:
            dist, idx = self._tree.query(self.coords, k=kq, workers=-1)
            if kq == 1:
                dist, idx = dist[:, None], idx[:, None]
            self._idx = np.ascontiguousarray(idx, dtype=np.int32)
            self._dist = np.ascontiguousarray(dist)
        return self._idx, self._dist

    def permuted(self, order: np.ndarray) -> Neighbours:
        """The same neighbours for the regions reordered as ``coords[order]`` (no new search)."""
        out = Neighbours(np.ascontiguousarray(self.coords[order]), self.budget, self.share)
        if self._idx.shape[1]:
            inverse = np.empty(self.n, dtype=np.int32)
            inverse[order] = np.arange(self.n, dtype=np.int32)
            out._idx = np.ascontiguousarray(inverse[self._idx[order]])
            out._dist = np.ascontiguousarray(self._dist[order])
        return out

    def _wide(self, kq: int, rows: int = 256):
        """A table of a sizeable share of all regions: sorting distance rows beats the tree's heaps."""
        from scipy.spatial.distance import cdist

        idx = np.empty((self.n, kq), dtype=np.int32)
        dist = np.empty((self.n, kq))
        for lo in range(0, self.n, rows):
            d = cdist(self.coords[lo:lo + rows], self.coords)
            if kq < self.n:  # the kq nearest first (unordered), then only those sorted
                near = np.argpartition(d, kq - 1, axis=1)[:, :kq]
                dn = np.take_along_axis(d, near, axis=1)
                order = np.take_along_axis(near, np.argsort(dn, axis=1, kind="stable"), axis=1)
            else:
                order = np.argsort(d, axis=1, kind="stable")
            idx[lo:lo + rows] = order
            dist[lo:lo + rows] = np.take_along_axis(d, order, axis=1)
        return idx, dist
