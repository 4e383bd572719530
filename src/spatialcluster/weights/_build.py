"""``build_weights``: every weights kind behind one validated entry point.

The graphs themselves come from libpysal's :class:`libpysal.graph.Graph` builders; this module
adds what those leave to the user: id and geometry checks, an automatic projected CRS for
distances, explicit island policies, warnings about disconnected components, and a record of
how the weights were built (read by :func:`~spatialcluster.weights_summary`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from libpysal.graph import Graph
from libpysal.kernels import _kernel_functions
from scipy.spatial import cKDTree

from .._errors import InputError, SpatialClusterWarning, WeightsError
from .._validate import _names
from ._contiguity import contiguity
from ._crs import projected_crs
from ._economic import ECONOMIC_KINDS, economic_distance, economic_values, scale_links
from ._matrix import square_matrix
from ._regions import check_geometries, check_ids, label
from ._summary import BuildInfo, build_info, remember
from ._topology import check_borders

KINDS = {
    "queen": "queen",
    "rook": "rook",
    "knn": "knn",
    "distance_band": "distance_band",
    "distance": "distance_band",
    "inverse_distance": "inverse_distance",
    "idw": "inverse_distance",
    "kernel": "kernel",
    "matrix": "matrix",
    "inverse_distance_squared": "inverse_distance_squared",
    "idw2": "inverse_distance_squared",
    "economic": "economic",
    "economic_distance": "economic",
    "nested": "nested",
    "economic_geographic": "nested",
    "gravity": "gravity",
}
DISTANCE_KINDS = ("knn", "distance_band", "inverse_distance", "kernel")
ISLAND_POLICIES = ("error", "nearest", "drop")
TRANSFORMS = {"r": "R", "b": "B", "o": "O", "v": "V", "d": "D"}
KERNELS = sorted(k for k in _kernel_functions if isinstance(k, str))
# All-pairs inverse distance is dense; beyond this many regions a threshold is required.
MAX_DENSE = 20_000


def build_weights(
    data,
    kind: str = "queen",
    *,
    k: int | None = None,
    threshold: float | None = None,
    power: float = 1.0,
    bandwidth: float | None = None,
    function: str = "gaussian",
    matrix: pd.DataFrame | None = None,
    islands: str = "error",
    island_k: int = 1,
    transform: str | None = "r",
    tolerance: float | None = None,
    variable=None,
    base: str = "queen",
) -> Graph:
    """Build spatial weights over the regions of ``data``.

    Parameters
    ----------
    data : geopandas.GeoDataFrame or pandas.DataFrame
        Regions indexed by their id (strings, unique). Geometries are needed for every kind
        except ``"matrix"`` and distance kinds given a ``matrix`` of distances.
    kind : str
        * ``"queen"`` / ``"rook"``: polygons sharing a vertex / an edge (vertex-set contiguity,
          as libpysal ``Graph.build_contiguity(strict=False)`` and GeoDa; needs topologically
          clean boundaries with shared vertices, as shipped by :mod:`spatialcluster.datasets`).
        * ``"knn"``: the ``k`` nearest regions (centroid distance; asymmetric in general).
        * ``"distance_band"`` (alias ``"distance"``): all regions within ``threshold``.
        * ``"inverse_distance"`` (alias ``"idw"``): weight ``d ** -power`` for regions within
          ``threshold`` (all pairs when ``threshold`` is None; up to 20,000 regions).
        * ``"kernel"``: weight ``K(d / bandwidth)`` for the kernel ``function`` (libpysal's
          kernels, truncated at the bandwidth), optionally only over the ``k`` nearest.
        * ``"inverse_distance_squared"`` (alias ``"idw2"``): ``"inverse_distance"`` with
          ``power=2``, weight ``1 / d**2`` with ``d`` in metres of the projected CRS.
        * ``"economic"`` (alias ``"economic_distance"``): ``w_ij = 1 / |Y_i - Y_j|`` for all
          pairs, ``Y`` = ``variable`` (Case, Rosen and Hines 1993). Needs no geometry.
          Regions with equal values would get infinite weights: they are **refused** with a
          :class:`~spatialcluster.WeightsError` naming the tied pairs (never capped).
        * ``"nested"`` (alias ``"economic_geographic"``): ``W = W_geo diag(Y_j / Ybar)``, i.e.
          ``w_ij = w_geo_ij Y_j / Ybar``, ``W_geo`` built as kind ``base`` (with the other
          arguments, untransformed) and ``Ybar`` the mean of ``Y`` (Lin, Long and Wu 2005).
          ``Y`` must be positive. Not symmetric.
        * ``"gravity"``: ``w_ij = Y_i Y_j / d_ij**2`` (``d`` centroid distance in metres of
          the projected CRS, or ``matrix`` distances; all pairs, or within ``threshold``).
          ``Y`` must be positive. Symmetric before row-standardisation.
        * ``"matrix"``: the user's weights, ``matrix`` a square DataFrame keyed by region ids
          on both axes (zero = no link).

        The economic kinds' formulas and references are in
        :mod:`spatialcluster.weights._economic` and the user guide ("Choosing spatial weights").

        Distances are between centroids in a projected CRS chosen by
        :func:`~spatialcluster.weights.projected_crs` (the data's own when projected;
        reported by :func:`~spatialcluster.weights_summary`), so ``threshold`` and
        ``bandwidth`` are in **metres of that projected CRS, never degrees**, also for
        longitude/latitude input (a value that looks like degrees, at most 180 and below
        1/1000 of the data's extent, is refused with its conversion: 2.5 degrees is about
        278 km). Passing ``matrix`` with a distance kind uses its values as the distances
        instead (e.g. railway kilometres).
    k : int, optional
        Neighbours for ``"knn"`` (required) and optional truncation for ``"kernel"``.
    threshold : float, optional
        Distance band for ``"distance_band"`` (required) and ``"inverse_distance"``, in
        metres of the projected CRS (see above).
    power : float
        Distance-decay exponent for ``"inverse_distance"`` (1 = inverse distance, 2 = gravity).
    bandwidth : float, optional
        Kernel bandwidth; with ``k`` and no bandwidth, the largest k-th neighbour distance.
    function : str
        Kernel function: one of libpysal's ("gaussian", "triangular", "bisquare", ...).
    matrix : pandas.DataFrame, optional
        Square table keyed by region ids: weights for ``"matrix"``, distances for distance kinds.
    islands : {"error", "nearest", "drop"}
        Regions left without neighbours: raise :class:`~spatialcluster.WeightsError` naming
        them (default); link each symmetrically to its ``island_k`` nearest regions (boundary
        distance for polygons in a projected CRS, weight as a regular link of that kind),
        with a warning; or drop them, returning a Graph over the remaining regions only (the
        data must then be subset with ``data.loc[w.unique_ids]``).
    island_k : int
        Nearest regions each island is linked to with ``islands="nearest"``.
    transform : {"r", "b", "o", "v", "d"} or None
        Row-standardised (default), binary, original, variance-stabilising, doubly
        standardised (libpysal's transformations); None = "o".
    tolerance : float, optional
        Queen contiguity only: also link regions whose boundaries are within this many metres
        of each other (in the projected CRS, as distances above) without sharing a vertex,
        e.g. ``tolerance=0.01`` for borders digitised 1 mm apart; the same criterion as
        libpysal's ``Graph.build_fuzzy_contiguity(tolerance=...)``, measured as a distance.
        The added links are warned about and listed by
        :func:`~spatialcluster.weights_summary` (``snapped_links``). Without it, unlinked
        pairs closer than 1 m are warned about (nothing is added).
    variable : str or pandas.Series, optional
        For ``"economic"``, ``"nested"`` and ``"gravity"``: a predetermined value per region
        (e.g. mean per-capita GDP over the study period, so that the weights stay exogenous),
        as a column of ``data`` or a Series indexed by region id.
    base : str
        For ``"nested"``: the geographic kind of ``W_geo`` (default ``"queen"``; e.g.
        ``"inverse_distance"`` with ``threshold``).

    Returns
    -------
    libpysal.graph.Graph
        ``unique_ids`` are ``data.index`` (minus dropped islands), in order.

    Warns
    -----
    SpatialClusterWarning
        When islands are linked or dropped, and when the graph has several disconnected
        components (regions in different components never interact). For contiguity: duplicate
        or overlapping polygons, and pairs of regions whose borders are within 1 m of each other
        but share no vertex (near misses, found with an STRtree), named pair by pair.

    Raises
    ------
    InputError, WeightsError
        For non-string or duplicate ids, missing / empty / invalid geometries, missing CRS
        with a distance kind, bad parameters, islands with ``islands="error"``.

    References
    ----------
    Anselin, L. (1988). *Spatial Econometrics: Methods and Models*. Kluwer, ch. 3.
    Getis, A. and Aldstadt, J. (2004). Constructing the spatial weights matrix using a local
    statistic. *Geographical Analysis* 36(2), 90-104.
    Case, A. C., Rosen, H. S. and Hines, J. R. (1993). Budget spillovers and fiscal policy
    interdependence. *Journal of Public Economics* 52(3), 285-307.
    Lin Guangping, Long Zhihe and Wu Mei (2005). 我国地区经济收敛的空间计量实证分析:
    1978-2002年. *经济学(季刊)* 4 (增刊), 67-82.
    Elhorst, J. P. (2014). *Spatial Econometrics*. Springer, ch. 2.
    """
    kind = _check_kind(kind)
    policy, tcode = _check_options(islands, island_k, transform)
    ids = check_ids(data)
    info = BuildInfo(kind=kind, params={}, transform=tcode, islands_policy=policy)
    if tolerance is not None:
        if kind != "queen":
            raise InputError(
                f"tolerance= links regions whose borders are that close; it applies only to kind='queen' "
                f"(a gap cannot tell a shared edge from a shared corner), not {kind!r}"
            )
        info.params["tolerance"] = tolerance = _positive("tolerance", tolerance)
    if kind in ("queen", "rook"):
        geoms = check_geometries(data, polygons=True)
        w = contiguity(geoms, ids, rook=kind == "rook")
        w = check_borders(data, geoms, w, rook=kind == "rook", tolerance=tolerance, info=info)
        source, link_weight = _PolygonDistances(data, info), _binary
    elif kind == "matrix":
        weights = square_matrix(matrix, ids, distances=False)
        w = Graph.from_sparse(sp.csr_array(weights), ids=ids)
        source, link_weight = None, None
    elif kind == "economic":
        values, info.params["variable"] = economic_values(data, variable, ids, positive=False)
        _dense_ok(kind, ids)
        w = economic_distance(values, ids, info.params["variable"])
        source, link_weight = None, None
    elif kind == "nested":
        values, name = economic_values(data, variable, ids, positive=True)
        base_kind = _check_kind(base)
        if base_kind in ECONOMIC_KINDS:
            raise InputError(
                f"base={base!r}: the nested weights' base must be a geographic kind (e.g. 'queen', 'inverse_distance')"
            )
        geo = build_weights(data, base_kind, k=k, threshold=threshold, power=power, bandwidth=bandwidth,
                            function=function, matrix=matrix, islands=islands, island_k=island_k,
                            transform="o", tolerance=tolerance)
        geo_info = build_info(geo)
        kept = pd.Series(values, index=ids).loc[pd.Index(geo.unique_ids)].to_numpy()
        w = scale_links(geo, None, kept / kept.mean())
        info.params = {"variable": name, "base": base_kind, **geo_info.params}
        for attr in ("crs", "crs_reason", "islands_found", "island_links", "dropped", "snapped_links"):
            setattr(info, attr, getattr(geo_info, attr))
        source, link_weight = None, None
    else:
        if matrix is not None:
            source = _MatrixDistances(square_matrix(matrix, ids, distances=True), info)
        else:
            source = _PointDistances(data, info)
        if kind in ("inverse_distance_squared", "gravity"):
            power = 2.0
        graph_kind = "inverse_distance" if kind in ("inverse_distance_squared", "gravity") else kind
        w, link_weight = _distance_graph(graph_kind, source, ids, info, k, threshold, power, bandwidth, function)
        if kind == "gravity":
            values, info.params["variable"] = economic_values(data, variable, ids, positive=True)
            w, link_weight = scale_links(w, values, values), None  # a mass-free distance cannot weight an island link

    isolated = [str(i) for i in w.isolates]
    if isolated:
        w = _handle_islands(w, data, isolated, kind, info, source, link_weight, island_k)
    # Contiguity graphs are built with data.index as their levels; the others are checked here
    # (Graph.unique_ids costs seconds at a million regions).
    expected = ids.difference(info.dropped, sort=False) if info.dropped else ids
    if (kind not in ("queen", "rook") or info.dropped) and not pd.Index(w.unique_ids).equals(expected):
        raise AssertionError("internal error: the weights lost the order of data.index")
    if kind != "nested":  # the base graph was checked already
        _warn_components(w, data)
    if tcode != "O":
        w = w.transform(tcode)
    remember(w, info)
    return w


def _check_kind(kind) -> str:
    key = str(kind).lower().replace(" ", "_").replace("-", "_")
    if key not in KINDS:
        raise InputError(f"unknown weights kind {kind!r}; choose one of {', '.join(sorted(set(KINDS.values())))}")
    return KINDS[key]


def _check_options(islands, island_k, transform) -> tuple[str, str]:
    if islands not in ISLAND_POLICIES:
        raise InputError(f"islands={islands!r}: choose 'error', 'nearest' or 'drop'")
    if not (isinstance(island_k, int | np.integer) and island_k >= 1):
        raise InputError(f"island_k must be a positive integer, got {island_k!r}")
    tkey = "o" if transform is None else str(transform).lower()
    if tkey not in TRANSFORMS:
        raise InputError(f"transform={transform!r}: choose 'r' (row-standardised), 'b', 'o', 'v' or 'd'")
    return islands, TRANSFORMS[tkey]


def _dense_ok(what: str, ids, fix: str = "") -> None:
    if len(ids) > MAX_DENSE:
        raise InputError(
            f"{what} weights over {len(ids)} regions make a dense matrix (at most {MAX_DENSE:,} regions){fix}"
        )


def _positive(name: str, value, *, integer: bool = False):
    ok = value is not None and np.isfinite(value) and value > 0 and (not integer or float(value).is_integer())
    if not ok:
        raise InputError(f"{name} must be a positive {'integer' if integer else 'number'}, got {value!r}")
    return int(value) if integer else float(value)


def _metres(name: str, value, source, info: BuildInfo) -> float:
    """A positive distance in metres of the projected CRS, refusing values that look like degrees."""
    value = _positive(name, value)
    if getattr(source, "geographic", False) and value <= 180 and value < 1e-3 * source.span():
        km = float(f"{value * 111.32:.3g}")
        raise InputError(
            f"{name}={value:g} is in metres of the projected CRS used for distances ({info.crs_reason}), "
            f"which is tiny for data spanning {source.span() / 1000:.0f} km; did you mean {value:g} degrees "
            f"(about {km:g} km)? Then pass {name}={km * 1000:.0f}. Distances are never measured in degrees."
        )
    return value


# --- distances: from points (projected centroids), polygons (boundaries) or a user matrix --------


class _PointDistances:
    """Centroids in a projected CRS; distances on demand (KD-tree or one row at a time)."""

    def __init__(self, data, info: BuildInfo):
        check_geometries(data, polygons=False)
        crs, reason = projected_crs(data)
        info.crs, info.crs_reason = crs.to_string(), reason
        projected = data.geometry.to_crs(crs) if data.crs != crs else data.geometry
        self.geographic = not crs.equals(data.crs)  # lon/lat input: thresholds may be typed in degrees
        self.ids = data.index
        self.coords = shapely.get_coordinates(shapely.centroid(np.asarray(projected.values)))
        same = pd.DataFrame(self.coords).duplicated(keep=False).to_numpy()
        if same.any():
            raise WeightsError(
                f"regions {_names(self.ids[same])} share a centroid with another region, so their "
                "distance is 0 and distance weights are undefined; merge them or use kind='queen'."
            )

    def points(self) -> gpd.GeoSeries:
        return gpd.GeoSeries(shapely.points(self.coords), index=self.ids)

    def row(self, i: int) -> np.ndarray:
        return np.hypot(*(self.coords - self.coords[i]).T)

    def max_nearest(self) -> float:
        """The smallest distance band giving every region at least one neighbour."""
        d, _ = cKDTree(self.coords).query(self.coords, k=2)
        return float(d[:, 1].max())

    def span(self) -> float:
        lo, hi = self.coords.min(axis=0), self.coords.max(axis=0)
        return float(np.hypot(*(hi - lo)))


class _PolygonDistances:
    """Boundary distances between polygons in a projected CRS (for linking islands only)."""

    def __init__(self, data, info: BuildInfo):
        self._data, self._info = data, info
        self._projected = None

    def row(self, i: int) -> np.ndarray:
        if self._projected is None:
            crs, reason = projected_crs(self._data)
            self._info.crs, self._info.crs_reason = crs.to_string(), reason
            geo = self._data.geometry
            self._projected = np.asarray((geo.to_crs(crs) if geo.crs != crs else geo).values)
        return shapely.distance(self._projected, self._projected[i])


class _MatrixDistances:
    """A user-supplied distance matrix (e.g. railway or travel-time distances)."""

    def __init__(self, d: np.ndarray, info: BuildInfo):
        self.d = d
        info.crs, info.crs_reason = None, "user-supplied distance matrix (its units)"

    def row(self, i: int) -> np.ndarray:
        return self.d[i].copy()

    def max_nearest(self) -> float:
        off = self.d + np.diag(np.full(len(self.d), np.inf))
        return float(off.min(axis=1).max())


def _distance_graph(kind, source, ids, info, k, threshold, power, bandwidth, function):
    """Distance-based weights and the weight a link at distance d gets (for islands='nearest')."""
    params = info.params
    if kind == "knn":
        if k is None:
            raise InputError("kind='knn' needs k, the number of nearest neighbours (e.g. k=4)")
        params["k"] = k = _positive("k", k, integer=True)
        if k >= len(ids):
            raise InputError(f"k={k} but there are only {len(ids)} regions; k must be below that")
        if isinstance(source, _MatrixDistances):
            return _graph_from_dense(_knn_mask(source.d, k).astype(float), ids), None
        return Graph.build_knn(source.points(), k=k), None
    if kind == "distance_band":
        if threshold is None:
            raise InputError(
                "kind='distance_band' needs threshold (distance units: "
                f"{info.crs_reason}); the smallest threshold that leaves no region without a "
                f"neighbour is {source.max_nearest():.6g}"
            )
        params["threshold"] = threshold = _metres("threshold", threshold, source, info)
        if isinstance(source, _MatrixDistances):
            return _graph_from_dense(_band(source.d, threshold).astype(float), ids), _binary
        return Graph.build_distance_band(source.points(), threshold, binary=True), _binary
    if kind == "inverse_distance":
        params["power"] = power = _positive("power", power)
        decay = lambda d: float(d) ** -power  # noqa: E731
        if threshold is not None:
            params["threshold"] = threshold = _metres("threshold", threshold, source, info)
        if isinstance(source, _MatrixDistances):
            d = source.d
            mask = _band(d, threshold if threshold is not None else np.inf)
            return _graph_from_dense(np.where(mask, d, 1.0) ** -power * mask, ids), decay
        if threshold is None:
            _dense_ok("all-pairs inverse distance", ids, "; give a threshold (metres of the projected CRS)")
            threshold = source.span() * (1 + 1e-9)  # covers every pair
        with np.errstate(divide="ignore"):  # libpysal raises the isolates' 0 placeholders to -power
            g = Graph.build_distance_band(source.points(), threshold, binary=False, alpha=-power)
        return g, decay
    # kernel
    if function not in KERNELS:
        raise InputError(f"unknown kernel function {function!r}; choose one of {', '.join(KERNELS)}")
    params["function"] = function
    if k is not None:
        params["k"] = k = _positive("k", k, integer=True)
        if k >= len(ids):
            raise InputError(f"k={k} but there are only {len(ids)} regions; k must be below that")
    if bandwidth is None and k is None:
        raise InputError(
            f"kind='kernel' needs bandwidth (distance units: {info.crs_reason}) or k; a bandwidth "
            f"of at least {source.max_nearest():.6g} leaves no region without a neighbour"
        )
    if isinstance(source, _MatrixDistances):
        d = source.d
        mask = _knn_mask(d, k) if k is not None else ~np.eye(len(d), dtype=bool)
        if bandwidth is None:
            bandwidth = float(d[mask].max())
        params["bandwidth"] = bandwidth = _positive("bandwidth", bandwidth)
        vals = np.zeros_like(d)
        vals[mask] = _kernel_functions[function](d[mask], bandwidth)
        vals[d > bandwidth] = 0.0  # truncated at the bandwidth, as libpysal (taper=True)
        return _graph_from_dense(vals, ids), None
    if k is not None:
        if bandwidth is None:
            dk, _ = cKDTree(source.coords).query(source.coords, k=k + 1)
            bandwidth = float(dk[:, -1].max())
        params["bandwidth"] = bandwidth = _metres("bandwidth", bandwidth, source, info)
        return Graph.build_kernel(source.points(), kernel=function, k=k, bandwidth=bandwidth), None
    params["bandwidth"] = bandwidth = _metres("bandwidth", bandwidth, source, info)
    # A kernel truncated at the bandwidth only has links within it: the sparse distance band
    # gives the same graph as build_kernel without its dense all-pairs distance matrix.
    g = Graph.build_distance_band(source.points(), bandwidth, binary=False, kernel=function, bandwidth=bandwidth)
    return g, None


def _binary(d: float) -> float:
    return 1.0


def _band(d: np.ndarray, threshold: float) -> np.ndarray:
    mask = d <= threshold
    np.fill_diagonal(mask, False)
    return mask


def _knn_mask(d: np.ndarray, k: int) -> np.ndarray:
    off = d + np.diag(np.full(len(d), np.inf))
    order = np.argsort(off, axis=1, kind="stable")[:, :k]
    mask = np.zeros(d.shape, dtype=bool)
    np.put_along_axis(mask, order, True, axis=1)
    return mask


def _graph_from_dense(values: np.ndarray, ids) -> Graph:
    return Graph.from_sparse(sp.csr_array(values), ids=ids)


# --- islands and components -------------------------------------------------------------------


def _handle_islands(w, data, isolated, kind, info, source, link_weight: Callable | None, island_k):
    info.islands_found = list(isolated)
    named = ", ".join(label(data, isolated))
    if info.islands_policy == "error":
        err = WeightsError(
            f"{kind} weights leave {len(isolated)} region(s) without neighbours (islands): {named}. "
            "Choose how to treat them: islands='nearest' links each to its nearest region "
            "(island_k=1, reported), islands='drop' leaves them out of the weights (then subset "
            "the data to w.unique_ids), or use a distance-based kind such as kind='knn'."
        )
        err.islands = list(isolated)
        raise err
    if info.islands_policy == "drop":
        gone = set(isolated)  # built once: a set per region made dropping N islands quadratic
        keep = [i for i in w.unique_ids if i not in gone]
        if not keep:
            raise WeightsError(f"every region is an island under {kind} weights; nothing would be left")
        info.dropped = list(isolated)
        warnings.warn(
            f"islands dropped from the weights: {named}. The weights now cover {len(keep)} of "
            f"{len(w.unique_ids)} regions; analyse data.loc[w.unique_ids].",
            SpatialClusterWarning,
            stacklevel=3,
        )
        return w.subgraph(keep)
    # nearest
    if link_weight is None:
        raise WeightsError(
            f"islands='nearest' is not available for kind={kind!r} (no distance defines a link weight); "
            f"islands: {named}. Use islands='drop'" + (", or a larger bandwidth or k." if kind == "kernel" else ".")
        )
    ids = pd.Index(w.unique_ids)
    if island_k >= len(ids):
        raise InputError(f"island_k={island_k} but there are only {len(ids)} regions; use a smaller island_k")
    m = sp.lil_array(w.sparse)
    for island in isolated:
        i = ids.get_loc(island)
        d = source.row(i)
        d[i] = np.inf
        for j in np.argsort(d, kind="stable")[:island_k]:
            m[i, j] = m[j, i] = link_weight(d[j])
            info.island_links.append((island, str(ids[j]), float(d[j])))
    scale, unit = (1000.0, " km") if info.crs else (1.0, "")  # metres when a CRS was chosen
    described = [
        f"{a} - {b} ({d / scale:.4g}{unit})"
        for (a, b), (_, _, d) in zip((label(data, link[:2]) for link in info.island_links), info.island_links)
    ]
    warnings.warn(
        f"islands linked to their nearest region{'s' if island_k > 1 else ''} "
        f"({'boundary distance' if kind in ('queen', 'rook') else 'distance'}; {info.crs_reason}): "
        + "; ".join(described),
        SpatialClusterWarning,
        stacklevel=3,
    )
    m = m.tocsr()
    m.eliminate_zeros()  # the island's zero self-loop placeholder is not a link
    return Graph.from_sparse(m, ids=ids)


def _warn_components(w, data) -> None:
    n = w.n_components
    if n <= 1:
        return
    labels = w.component_labels
    sizes = labels.value_counts()
    small = labels[labels != sizes.index[0]].index
    warnings.warn(
        f"the weights have {n} disconnected components (sizes {', '.join(map(str, sizes.tolist()))}); "
        f"regions outside the largest one: {', '.join(label(data, small[:20]))}"
        + (f" ... and {len(small) - 20} more" if len(small) > 20 else "")
        + ". Regions in different components never interact; consider islands='nearest' or a "
        "distance-based kind.",
        SpatialClusterWarning,
        stacklevel=3,
    )
