"""Where the cluster is and where it moves: the weighted centre of gravity and the standard
deviational ellipse, per period.

Written here (ten lines of linear algebra) rather than wrapping ``pointpats.centrography.ellipse``
because pointpats is not a dependency of spatialcluster and returns one ellipse without periods or
shapes; tests compare the axes with pointpats and with ArcGIS's documented formula.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .._errors import InputError
from .._result import Result
from .._validate import _names
from ._common import frame_record, numeric

CONVENTIONS = {
    True: "sqrt(2) x standard deviations along the axes (ArcGIS Pro, CrimeStat; Wang et al. 2015): "
          "the ellipse covers about 63 % of bivariate-normal weight",
    False: "plain standard deviations along the axes (Yuill 1971): about 39 % of bivariate-normal weight",
}


class StandardEllipse(Result):
    """Standard deviational ellipses and weighted centres of gravity by period.

    Attributes
    ----------
    frame : pandas.DataFrame
        Indexed by period (``"all"`` without ``time``): ``n``, ``weight``, ``x``, ``y`` (weighted
        mean centre), ``sigma_major``, ``sigma_minor`` (semi-axes), ``angle`` (azimuth of the major
        axis, degrees clockwise from north, in [0, 180)), ``area``, ``flattening`` (1 - minor/major),
        and from the second period on ``shift`` (distance the centre moved since the previous
        period, CRS units) and ``shift_azimuth`` (its direction, degrees clockwise from north).
    ellipses : geopandas.GeoDataFrame
        One ellipse polygon per period, in the data's CRS.
    path : geopandas.GeoDataFrame
        The centres as points, in period order (the migration path).
    sqrt2 : bool
        Which convention (see :data:`CONVENTIONS`).
    """

    def __init__(self, frame, crs, sqrt2, time):
        self.frame, self.crs, self.sqrt2, self.time = frame, crs, sqrt2, time

    @property
    def ellipses(self) -> gpd.GeoDataFrame:
        geoms = [_polygon(r.x, r.y, r.sigma_major, r.sigma_minor, r.angle) for r in self.frame.itertuples()]
        return gpd.GeoDataFrame(self.frame.copy(), geometry=geoms, crs=self.crs)

    @property
    def path(self) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(self.frame[["x", "y"]].copy(), geometry=gpd.points_from_xy(self.frame.x, self.frame.y),
                                crs=self.crs)

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def summary(self) -> str:
        lines = [f"Standard deviational ellipse ({CONVENTIONS[self.sqrt2]})",
                 self.frame.to_string(float_format=lambda v: f"{v:.4g}")]
        return "\n".join(lines)

    def plot(self, ax=None, **kwargs):
        """Ellipses and the centre's migration path over the regions (``regions=``), see
        :func:`spatialcluster.plot.indicators.ellipse_map`."""
        from ..plot.indicators import ellipse_map

        return ellipse_map(self, ax=ax, **kwargs)

    def to_record(self) -> dict:
        cols = ["x", "y", "sigma_major", "sigma_minor", "angle", "area"]
        return {"sqrt2": self.sqrt2, "crs": None if self.crs is None else str(self.crs),
                "periods": frame_record(self.frame, cols)}


def period_order(values: pd.Series) -> list:
    """The periods present in ``values``, in order: a categorical's own order (the CLI and the pipeline
    pass the weights columns so, in the order the user gave them), numbers ascending, and text in
    natural order, its digits read as numbers ("gdp_9" before "gdp_10", "2005q4" before "2010q1")."""
    present = values.dropna()
    if isinstance(present.dtype, pd.CategoricalDtype):
        seen = set(present)
        return [c for c in present.cat.categories if c in seen]
    unique = present.unique().tolist()
    if pd.api.types.is_numeric_dtype(present) or pd.api.types.is_datetime64_any_dtype(present):
        return sorted(unique)
    # re.split with a group alternates text and digits, so the same positions always compare alike
    return sorted(unique, key=lambda v: [int(p) if i % 2 else p for i, p in enumerate(re.split(r"(\d+)", str(v)))])


def _polygon(x, y, major, minor, azimuth, n=120):
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    a = np.deg2rad(azimuth)
    # the major axis points to (sin a, cos a) (clockwise from north), the minor axis to (cos a, -sin a)
    px = x + major * np.cos(t) * np.sin(a) + minor * np.sin(t) * np.cos(a)
    py = y + major * np.cos(t) * np.cos(a) - minor * np.sin(t) * np.sin(a)
    return shapely.Polygon(np.column_stack([px, py]))


def ellipse_parameters(x, y, w, sqrt2: bool = True) -> dict:
    """Weighted centre and standard deviational ellipse of points (x, y) with weights w.

    The semi-axes are the square roots of the eigenvalues of the weighted (population) covariance
    matrix of the coordinates, times sqrt(2) when ``sqrt2``; the major axis is the leading eigenvector.
    """
    w = np.asarray(w, dtype=np.float64) / np.sum(w)
    cx, cy = np.sum(w * x), np.sum(w * y)
    dx, dy = x - cx, y - cy
    cov = np.array([[np.sum(w * dx * dx), np.sum(w * dx * dy)], [np.sum(w * dx * dy), np.sum(w * dy * dy)]])
    vals, vecs = np.linalg.eigh(cov)  # ascending
    scale = np.sqrt(2.0) if sqrt2 else 1.0
    major, minor = scale * np.sqrt(max(vals[1], 0.0)), scale * np.sqrt(max(vals[0], 0.0))
    ex, ey = vecs[:, 1]
    azimuth = float(np.rad2deg(np.arctan2(ex, ey)) % 180.0)
    return {"x": cx, "y": cy, "sigma_major": major, "sigma_minor": minor, "angle": azimuth,
            "area": np.pi * major * minor, "flattening": 1.0 - minor / major if major > 0 else 0.0}


def standard_ellipse(
    data: gpd.GeoDataFrame,
    weights: str | None = None,
    *,
    time: str | None = None,
    sqrt2: bool = True,
) -> StandardEllipse:
    """Weighted centre of gravity and standard deviational ellipse, per period.

    With points :math:`(x_i, y_i)` (region centroids) and weights :math:`w_i` (GDP, employment, or 1):

    * centre of gravity :math:`\\bar x = \\sum_i w_i x_i / \\sum_i w_i`, likewise :math:`\\bar y`;
    * with :math:`\\tilde x_i = x_i - \\bar x`, :math:`\\tilde y_i = y_i - \\bar y`, the rotation
      :math:`\\tan\\theta = \\frac{A + B}{C}`, :math:`A = \\sum w \\tilde x^2 - \\sum w \\tilde y^2`,
      :math:`B = \\sqrt{A^2 + 4 (\\sum w \\tilde x \\tilde y)^2}`, :math:`C = 2 \\sum w \\tilde x \\tilde y`, and
      the standard distances along the rotated axes
      :math:`\\sigma_x = \\sqrt{2} \\sqrt{\\sum_i w_i (\\tilde x_i \\cos\\theta - \\tilde y_i \\sin\\theta)^2 / \\sum_i w_i}`,
      :math:`\\sigma_y = \\sqrt{2} \\sqrt{\\sum_i w_i (\\tilde x_i \\sin\\theta + \\tilde y_i \\cos\\theta)^2 / \\sum_i w_i}`
      (ArcGIS Pro, "How Directional Distribution works"; Yuill 1971; Wang et al. 2015).
      Computed equivalently from the eigen-decomposition of the weighted covariance matrix.

    The convention used by default (``sqrt2=True``) includes the :math:`\\sqrt 2` factor, as ArcGIS
    and CrimeStat do, so that the ellipse is the one-standard-deviation ellipse of the two-dimensional
    distribution (Wang et al. 2015); ``sqrt2=False`` gives Yuill's original axes. No n/(n-2)
    degrees-of-freedom correction is applied. The result reports the major and minor semi-axes and
    the azimuth of the major axis (degrees clockwise from north).

    Parameters
    ----------
    data : geopandas.GeoDataFrame
        Regions (polygons: their centroids are used) or points, in a **projected** CRS; a long
        panel (one row per region and period) with ``time``.
    weights : str, optional
        Column of non-negative weights (default: every region counts once).
    time : str, optional
        Period column: one ellipse and centre per period, and the centre's shift between periods.
        Periods follow a categorical column's order, else ascending (text in natural order:
        ``gdp_9`` before ``gdp_10``); see :func:`period_order`.
    sqrt2 : bool, default True
        Include the :math:`\\sqrt 2` factor (see :data:`CONVENTIONS`).

    Returns
    -------
    StandardEllipse
        ``frame``, ``ellipses`` (polygons), ``path`` (centres), ``plot(regions=...)``.

    Raises
    ------
    InputError
        Geographic (longitude/latitude) or missing CRS, missing or negative weights, a period with
        fewer than three regions or zero total weight.

    References
    ----------
    Lefever, D. W. (1926). Measuring geographic concentration by means of the standard
    deviational ellipse. *American Journal of Sociology* 32(1), 88-94.

    Yuill, R. S. (1971). The standard deviational ellipse; an updated tool for spatial description.
    *Geografiska Annaler B* 53(1), 28-39. doi:10.2307/490885

    Wang, B., Shi, W. & Miao, Z. (2015). Confidence analysis of standard deviational ellipse and
    its extension into higher dimensional Euclidean space. *PLoS ONE* 10(3), e0118537.
    doi:10.1371/journal.pone.0118537
    """
    if not isinstance(data, gpd.GeoDataFrame):
        raise InputError(f"standard_ellipse needs a GeoDataFrame of regions or points, got {type(data).__name__}.")
    if data.crs is None or data.crs.is_geographic:
        what = "has no CRS" if data.crs is None else f"is in geographic coordinates ({data.crs.name})"
        raise InputError(f"the data {what}: distances and the ellipse need projected coordinates in metres. "
                         "Project first, e.g. data.to_crs(sc.weights.projected_crs(data)) or an equal-area CRS.")
    empty = data.geometry.isna() | data.geometry.is_empty
    if empty.any():
        raise InputError(f"regions without geometry: {_names(data.index[empty])}.")
    pts = data.geometry.centroid
    w = numeric(data, weights) if weights is not None else pd.Series(1.0, index=data.index)
    periods = [("all", np.ones(len(data), dtype=bool))] if time is None else [
        (t, (data[time] == t).to_numpy()) for t in period_order(data[time])]
    rows = {}
    for t, m in periods:
        label = "" if time is None else f" in {time} {t}"
        if m.sum() < 3:
            raise InputError(f"an ellipse needs at least three regions{label}; got {int(m.sum())}.")
        if w[m].sum() <= 0:
            raise InputError(f"weights {weights!r} sum to zero{label}.")
        rows[t] = {"n": int(m.sum()), "weight": float(w[m].sum()),
                   **ellipse_parameters(pts.x.to_numpy()[m], pts.y.to_numpy()[m], w.to_numpy()[m], sqrt2)}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = time or "period"
    dx, dy = frame["x"].diff(), frame["y"].diff()
    if len(frame) > 1:
        frame["shift"] = np.hypot(dx, dy)
        frame["shift_azimuth"] = np.rad2deg(np.arctan2(dx, dy)) % 360.0
    return StandardEllipse(frame, data.crs, sqrt2, time)
