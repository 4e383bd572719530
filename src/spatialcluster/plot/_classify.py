"""Class breaks and colours shared by the matplotlib maps and the QGIS graduated styles.

One function decides the classes of a numeric column (wrapping mapclassify) and the colour of
each class, so a choropleth drawn by :func:`spatialcluster.plot.choropleth` and the same column
opened in QGIS from :func:`spatialcluster.to_geopackage` show identical classes and colours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import mapclassify
import matplotlib
import matplotlib.colors as mcolors
import numpy as np
import pandas as pd

from .._errors import InputError
from .._palette import DIVERGING_CMAP, SEQUENTIAL_CMAP

# Accepted scheme names -> canonical name. "natural_breaks" means Jenks' natural breaks as
# computed exactly by Fisher's algorithm (mapclassify.FisherJenks), not mapclassify's k-means
# NaturalBreaks, so the classes are deterministic.
SCHEMES = {
    "quantiles": "quantiles",
    "quantile": "quantiles",
    "fisher_jenks": "fisher_jenks",
    "fisherjenks": "fisher_jenks",
    "jenks": "fisher_jenks",
    "natural_breaks": "fisher_jenks",
    "equal_interval": "equal_interval",
    "std_mean": "std_mean",
    "user_defined": "user_defined",
}

_Z_NAME = re.compile(r"^(z|z_.*|.*_z)$", re.IGNORECASE)


def is_z_column(name) -> bool:
    """True for columns named like z-scores (``z``, ``z_sim``, ``gdp_z``): drawn with a diverging map."""
    return bool(_Z_NAME.match(str(name)))


@dataclass(frozen=True)
class Classes:
    """The classes of one numeric column.

    Attributes
    ----------
    scheme : str
        Canonical scheme name (see ``SCHEMES``).
    lower, upper : ndarray
        Bounds of each class; a value ``v`` is in class ``i`` when ``lower[i] < v <= upper[i]``
        (the first class also includes ``lower[0]``, the data minimum), as in mapclassify and
        in QGIS's graduated renderer.
    yb : ndarray of int
        Class of each value (``-1`` where the value is missing).
    colors : list of str
        Hex colour of each class.
    labels : list of str
        Legend label of each class, ``"lower – upper"`` formatted with ``fmt`` (``"≤ upper"``
        for an empty first class below the data).
    """

    scheme: str
    lower: np.ndarray
    upper: np.ndarray
    yb: np.ndarray
    colors: list
    labels: list

    @property
    def k(self) -> int:
        return len(self.upper)

    def counts(self) -> np.ndarray:
        return np.bincount(self.yb[self.yb >= 0], minlength=self.k)


def classify_column(data: pd.DataFrame, column, scheme="quantiles", k=5, bins=None, cmap=None, fmt="{:.1f}"):
    """:func:`classify` one column with the package's defaults; the matplotlib maps and the QGIS
    styles both call this, so they show the same classes in the same colours.

    z-score columns (``z``, ``z_*``, ``*_z``) get the diverging map centred on 0, other columns
    the sequential ``YlOrRd``; a given ``cmap`` is used as is (evenly spaced).
    """
    values = numeric_values(data, column).to_numpy()
    if cmap is None and is_z_column(column):
        return classify(values, scheme=scheme, k=k, bins=bins, cmap=DIVERGING_CMAP, fmt=fmt, center=0.0)
    return classify(values, scheme=scheme, k=k, bins=bins, cmap=cmap or SEQUENTIAL_CMAP, fmt=fmt)


def class_colors(k: int, cmap=None, center=None, lower=None, upper=None) -> list:
    """Hex colours of ``k`` classes along ``cmap``.

    Without ``center`` the colours are evenly spaced along the map, its ends included. With a
    ``center`` (0 for z-scores on a diverging map) each class takes the colour at its midpoint
    on a scale symmetric about the centre, so classes below it are on one side of the map's
    neutral middle and classes above on the other, whatever the classes' spread.
    """
    cm = matplotlib.colormaps[cmap or SEQUENTIAL_CMAP] if not isinstance(cmap, mcolors.Colormap) else cmap
    if center is not None:
        lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
        half = max(abs(lower[0] - center), abs(upper[-1] - center)) or 1.0
        points = 0.5 + 0.5 * ((lower + upper) / 2 - center) / half
    else:
        points = [0.5] if k == 1 else np.linspace(0.0, 1.0, k)
    return [mcolors.to_hex(cm(p)) for p in points]


def missing_column(column, columns) -> str:
    """Message for a column that is not there, with the closest names."""
    from difflib import get_close_matches

    close = get_close_matches(str(column), [str(c) for c in columns], n=3)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else f" Columns: {list(columns)}."
    return f"column {column!r} is not in the data.{hint}"


def numeric_values(data: pd.DataFrame, column) -> pd.Series:
    """A column as float, missing values as NaN; refuses non-numeric cells by region id."""
    if column not in data.columns:
        raise InputError(missing_column(column, data.columns))
    raw = data[column]
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    bad = values.isna() & raw.notna()
    if bad.any():
        ids = ", ".join(str(i) for i in data.index[bad][:20])
        raise InputError(
            f"column {column!r} has non-numeric values for regions {ids}; a choropleth needs numbers "
            "(missing values are fine and drawn as 'No data')."
        )
    return values


def classify(values, scheme="quantiles", k=5, bins=None, cmap=None, fmt="{:.1f}", center=None) -> Classes:
    """Classify values with a mapclassify scheme.

    Parameters
    ----------
    values : array-like of float
        Values to classify; NaN marks missing values, which get class ``-1``.
    scheme : {"quantiles", "fisher_jenks", "equal_interval", "std_mean", "user_defined"}
        Quantiles; Fisher–Jenks natural breaks (Jenks 1977, computed exactly by Fisher 1958);
        equal intervals; standard deviations around the mean (breaks at mean ± 1 and 2 sd);
        or user-defined upper bounds ``bins`` (given ``bins`` implies ``"user_defined"``).
    k : int
        Number of classes (ignored by ``std_mean`` and ``user_defined``).
    bins : sequence of float, optional
        Upper class bounds for ``user_defined``; mapclassify adds the maximum when it exceeds them.
    cmap : str or Colormap, optional
        Colour map sampled for the class colours (default: sequential ``YlOrRd``).
    fmt : str
        Format of the bounds in the labels.
    center : float, optional
        Value at the neutral middle of a diverging ``cmap`` (see :func:`class_colors`).

    Returns
    -------
    Classes

    References
    ----------
    Jenks, G. F. (1977). Optimal data classification for choropleth maps. Occasional paper 2,
    Department of Geography, University of Kansas. Fisher, W. D. (1958). On grouping for maximum
    homogeneity. JASA 53(284), 789–798. Rey, S. J., Stephens, P., Laura, J. (2017). An evaluation
    of sampling and full enumeration strategies for Fisher Jenks classification in big data
    settings. Transactions in GIS 21(4), 796–810 (mapclassify).
    """
    y = np.asarray(values, dtype=float)
    ok = ~np.isnan(y)
    if not ok.any():
        raise InputError("every value is missing: there is nothing to classify")
    if bins is not None:
        scheme = "user_defined"
    key = SCHEMES.get(str(scheme).lower())
    if key is None:
        raise InputError(f"unknown classification scheme {scheme!r}; use one of {sorted(set(SCHEMES.values()))}")
    yv = y[ok]
    if key == "user_defined":
        if bins is None or len(bins) == 0:
            raise InputError("scheme 'user_defined' needs bins=[upper bound of each class, ...]")
        b = np.asarray(bins, dtype=float)
        if np.any(np.diff(b) <= 0):
            raise InputError(f"bins must be strictly increasing, got {list(b)}")
        mc = mapclassify.UserDefined(yv, b)
    else:
        if key != "std_mean" and (int(k) != k or k < 1):
            raise InputError(f"k must be a positive integer, got {k!r}")
        nunique = len(np.unique(yv))
        kk = min(int(k), nunique)  # mapclassify cannot make more classes than distinct values
        if key == "quantiles":
            mc = mapclassify.Quantiles(yv, k=kk)
        elif key == "fisher_jenks":
            mc = mapclassify.FisherJenks(yv, k=kk)
        elif key == "equal_interval":
            mc = mapclassify.EqualInterval(yv, k=kk)
        else:
            mc = mapclassify.StdMean(yv)
    upper = np.asarray(mc.bins, dtype=float)
    lower = np.concatenate([[min(yv.min(), upper[0])], upper[:-1]])
    yb = np.full(y.shape, -1, dtype=int)
    yb[ok] = np.asarray(mc.yb, dtype=int)
    colors = class_colors(len(upper), cmap, center, lower, upper)
    labels = [f"{fmt.format(lo)} – {fmt.format(hi)}" for lo, hi in zip(lower, upper, strict=True)]
    if yv.min() > upper[0]:  # an empty first class below the data (std_mean, user bins): open-ended
        labels[0] = f"≤ {fmt.format(upper[0])}"
    return Classes(key, lower, upper, yb, colors, labels)
