"""Local inference shared by GWR and MGWR: adjusted alpha, critical t, significance, the result base."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..._result import Result

ALPHAS = (0.1, 0.05, 0.001)  # the levels mgwr reports its adjusted alphas at
COLLINEAR_CN = 30.0  # local condition number above which estimates are unreliable (Belsley 1991)


def adjusted_alpha(alpha: float, k: float, enp: float) -> float:
    """da Silva & Fotheringham (2016), Geogr. Anal. 48(3) 233-247: alpha x k / ENP (Bonferroni-like)."""
    return float(alpha) * k / enp


def critical_t(adj_alpha, n: int):
    """Two-sided critical t at the adjusted level, n - 1 degrees of freedom (as mgwr)."""
    return stats.t.ppf(1.0 - np.asarray(adj_alpha) / 2.0, n - 1)


class LocalResult(Result):
    """Common attributes and methods of :class:`GWRResult` and :class:`MGWRResult`.

    Attributes
    ----------
    params, std_err, tvalues : DataFrame
        Local estimates, standard errors and t values (regions x ``["const", *x]``).
    significant : DataFrame of bool
        ``|t|`` above the critical t at the da Silva-Fotheringham adjusted alpha.
    critical_t : Series
        The critical t per coefficient.
    residuals, fitted : Series
    """

    kind = "GWR"

    def _finish_local(self, d, params, cct, sigma2, enp_per_coef, alpha):
        ids, names = d.ids, d.names
        self.n, self.k = d.n, d.k
        self.y_name, self.x = d.y_name, names[1:] if names[0] == "const" else names
        self.names = names
        self.alpha = float(alpha)
        self.params = pd.DataFrame(params, index=ids, columns=names)
        self.std_err = pd.DataFrame(np.sqrt(cct * sigma2), index=ids, columns=names)
        self.tvalues = self.params / self.std_err
        self.adj_alpha = pd.Series(
            [adjusted_alpha(alpha, k_eff, e) for k_eff, e in enp_per_coef], index=names, name="adj_alpha")
        self.critical_t = pd.Series(critical_t(self.adj_alpha.to_numpy(), self.n), index=names, name="critical_t")
        self.significant = self.tvalues.abs() > self.critical_t
        fitted = np.sum(d.X * params, axis=1)
        self.fitted = pd.Series(fitted, index=ids, name="fitted")
        self.residuals = pd.Series(d.y - fitted, index=ids, name="residual")
        self.rss = float(self.residuals @ self.residuals)
        tss = float(np.sum((d.y - d.y.mean()) ** 2))
        self.r2 = 1.0 - self.rss / tss
        self._d = d
        self.geometry = d.geometry
        self.coords_note = d.note

    def to_frame(self) -> pd.DataFrame:
        """One row per region: estimates, ``se_*``, ``t_*``, ``sig_*`` and the local diagnostics."""
        parts = [self.params]
        parts += [self.std_err.add_prefix("se_"), self.tvalues.add_prefix("t_"), self.significant.add_prefix("sig_")]
        extra = {"fitted": self.fitted, "residual": self.residuals}
        extra.update(self._local_columns())
        return pd.concat(parts + [pd.DataFrame(extra)], axis=1)

    def to_geoframe(self, regions=None):
        """:meth:`to_frame` with geometries: ``regions`` (indexed by region id), else the data's
        geometry, else the calibration points (no CRS when they came from columns)."""
        import geopandas as gpd

        frame = self.to_frame()
        if regions is not None:
            return gpd.GeoDataFrame(frame, geometry=regions.geometry.reindex(frame.index).values, crs=regions.crs)
        if self.geometry is not None:
            return gpd.GeoDataFrame(frame, geometry=self.geometry.reindex(frame.index).values, crs=self.geometry.crs)
        xy = self._d.coords
        return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=None)

    def _local_columns(self) -> dict:  # pragma: no cover - interface
        return {}

    def plot(self, ax=None, **kwargs):
        """Maps of the local coefficients, insignificant regions masked (see :func:`plot.gwr.coefficient_maps`).

        Given one Axes, draws one coefficient (``columns``, default the first regressor) and returns that Axes;
        otherwise returns the array of Axes, one per coefficient.
        """
        from ...plot.gwr import coefficient_maps

        if ax is not None and not hasattr(ax, "__len__"):
            names = list(self.params.columns)
            columns = kwargs.pop("columns", None) or [next((c for c in names if c != "const"), names[0])]
            return coefficient_maps(self, columns=list(columns)[:1], ax=[ax], **kwargs)[0]
        return coefficient_maps(self, ax=ax, **kwargs)

    def coefficient_table(self) -> pd.DataFrame:
        """Per coefficient: mean, s.d., min, median, max over regions, regions significant, critical t."""
        p = self.params
        out = pd.DataFrame({"mean": p.mean(), "sd": p.std(ddof=0), "min": p.min(), "median": p.median(),
                            "max": p.max(), "significant": self.significant.sum(), "critical_t": self.critical_t})
        out["significant"] = out["significant"].astype(int)
        return out

    def _record_common(self) -> dict:
        sig = {k: int(v) for k, v in self.significant.sum().items()}
        return {
            "model": self.kind.lower(), "n": int(self.n), "y": self.y_name, "x": list(self.x),
            "r2": float(self.r2), "aicc": float(self.aicc), "aic": float(self.aic), "enp": float(self.enp),
            "sigma2": float(self.sigma2),
            "params_mean": {k: float(v) for k, v in self.params.mean().items()},
            "significant_regions": sig,
        }
