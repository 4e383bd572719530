"""Maps of GWR/MGWR local coefficients, with insignificant regions masked.

Masking follows the practice of Fotheringham, Yang & Kang (2017) and mgwr's ``filter_tvals``:
a local estimate is drawn only where ``|t|`` exceeds the critical t at the da Silva &
Fotheringham (2016) adjusted alpha; elsewhere the region is hatched grey as "Not significant".
"""

from __future__ import annotations

import numpy as np

from .._errors import InputError
from ._crs import project
from .maps import _draw_missing, _finish, choropleth

DIVERGING_CMAP = "RdBu_r"


def coefficient_maps(result, columns=None, ax=None, regions=None, mask=True, k=5, scheme="quantiles",
                     cmap=DIVERGING_CMAP, crs="auto", fmt="{:.3f}", legend=True, titles=None):
    """One map per local coefficient of a :class:`~spatialcluster.models.gwr.GWRResult` or MGWR result.

    Parameters
    ----------
    result : GWRResult or MGWRResult
    columns : list of str, optional
        Coefficients to map; default every regressor (the constant too when it is the only one).
    ax : Axes or array of Axes, optional
        One Axes per coefficient; a new figure with a row of maps when None.
    regions : GeoDataFrame, optional
        Region geometries indexed by region id (default: the data's geometry, or the points).
    mask : bool
        Hatch the regions where the coefficient is not significant at the adjusted alpha.
    k, scheme, cmap, crs, fmt, legend :
        As in :func:`spatialcluster.plot.choropleth` (default a diverging map: sign matters).
    titles : list of str, optional

    Returns
    -------
    numpy array of matplotlib Axes
    """
    names = list(result.params.columns)
    columns = list(columns) if columns is not None else ([c for c in names if c != "const"] or names)
    unknown = [c for c in columns if c not in names]
    if unknown:
        raise InputError(f"no local coefficient {unknown}; the model has {names}")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(1, len(columns), figsize=(5 * len(columns), 5), squeeze=False)
    axes = np.atleast_1d(np.asarray(ax, dtype=object)).ravel()
    if len(axes) != len(columns):
        raise InputError(f"{len(columns)} coefficients to map but {len(axes)} axes given")
    gdf = result.to_geoframe(regions)
    n = len(gdf)
    for i, (col, a) in enumerate(zip(columns, axes, strict=True)):
        shown = f"{col} (significant)"
        gdf[shown] = gdf[col].where(gdf[f"sig_{col}"]) if mask else gdf[col]
        kept = int(gdf[shown].notna().sum())
        title = titles[i] if titles is not None else f"{col}: {kept} of {n} regions significant" if mask else col
        if kept == 0:  # nothing to classify: every region drawn as "Not significant"
            g = project(gdf, crs)
            handle = _draw_missing(a, g, "Not significant")
            _finish(a, g, True, title, [handle], shown, legend)
            continue
        choropleth(gdf, shown, scheme=scheme, k=min(k, max(1, kept)), ax=a, cmap=cmap, crs=crs, title=title,
                   legend=legend, missing_label="Not significant", fmt=fmt)
    return axes
