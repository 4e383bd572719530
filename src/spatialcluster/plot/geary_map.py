"""Local Geary cluster map in GeoDa's categories and colours (Anselin 2019)."""

from __future__ import annotations

from .._errors import InputError
from .._palette import GEARY_COLORS
from ._crs import project
from .maps import _as_geoframe, _axes_and_regions, _category_map, _new_ax

GEARY_ORDER = ("ns", "High-High", "Low-Low", "Other positive", "Positive", "Negative", "island")
GEARY_NAMES = {**{k: k for k in GEARY_ORDER}, "ns": "Not significant", "island": "Island (no neighbours)"}


def geary_map(result_or_gdf, regions=None, ax=None, crs="auto", title=None, legend=True, labels=None,
              missing_label="No data", legend_kwds=None, inset=True):
    """Local Geary cluster map: High-High, Low-Low, Other positive, Negative (GeoDa's colours).

    Parameters
    ----------
    result_or_gdf : LocalGearyResult or GeoDataFrame
        A result with ``to_frame()`` or a frame with a ``cluster`` column in the labels of
        :func:`spatialcluster.local_geary`.
    regions, ax, crs, title, legend, labels, missing_label, legend_kwds, inset
        As in :func:`~spatialcluster.plot.lisa_map`.

    Returns
    -------
    matplotlib Axes

    References
    ----------
    Anselin, L. (2019). A local indicator of multivariate spatial association: extending Geary's c.
    Geographical Analysis 51(2), 133-150.
    """
    regions, ax = _axes_and_regions(regions, ax)
    frame = _as_geoframe(result_or_gdf, ["cluster"], regions)
    known = frame["cluster"].isin(GEARY_COLORS) | frame["cluster"].isna()
    if not known.all():
        raise InputError(f"unknown local Geary labels {sorted(set(frame['cluster'][~known].astype(str)))}; "
                         f"expected {list(GEARY_ORDER)}")
    gdf = project(frame, crs)
    codes = gdf["cluster"].astype(object).where(gdf["cluster"].notna(), None)
    positive = ("Positive",) if (codes == "Positive").any() else ("High-High", "Low-Low", "Other positive")
    return _category_map(
        _new_ax(ax), gdf, codes, GEARY_ORDER, GEARY_COLORS, GEARY_NAMES, {"island": ".."}, title, legend,
        "Local Geary cluster", labels, always=("ns", *positive, "Negative"), missing_label=missing_label,
        legend_kwds=legend_kwds, inset=inset,
    )
