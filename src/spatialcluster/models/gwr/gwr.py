"""Geographically weighted regression: one weighted least-squares fit per region.

Method: Brunsdon, Fotheringham & Charlton (1996), Geogr. Anal. 28(4) 281-298; Fotheringham,
Brunsdon & Charlton (2002), *Geographically Weighted Regression*, Wiley (FBC). Inference as in
GWR4 (Nakaya et al. 2016) and mgwr (Oshan et al. 2019, IJGI 8(6) 269). The local fits run in
compiled code over the neighbourhood the kernel implies (:mod:`._local`).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..._errors import InputError, SpatialClusterWarning
from ..._progress import progress_bar
from ..._validate import _names
from . import bandwidth as bwsel
from ._data import Neighbours, check_bandwidth, check_fixed_locations, design, kernel_code
from ._inference import COLLINEAR_CN, LocalResult
from ._local import fit_full, weighted_sums

SIGMA2 = ("classic", "enp")


def _spec(kernel, fixed, criterion, search, bw_min, bw_max, interval, tol, max_iter):
    return {"kernel": str(kernel).lower(), "kind": kernel_code(kernel), "fixed": bool(fixed),
            "criterion": bwsel.check_criterion(criterion), "search": search, "bw_min": bw_min,
            "bw_max": bw_max, "interval": interval, "tol": tol, "max_iter": max_iter}


def _select(y, X, coords, spec, neighbours, ids=None, tick=None):
    scorer = bwsel.Scorer(y, X, coords, spec["kind"], spec["fixed"], neighbours, spec["criterion"], ids, tick)
    return bwsel.search(scorer, spec["fixed"], spec["search"], spec["bw_min"], spec["bw_max"], spec["interval"],
                        spec["tol"], spec["max_iter"])


def gwr(data: pd.DataFrame, y: str, x, bandwidth=None, kernel: str = "bisquare", fixed: bool = False,
        criterion: str = "AICc", search: str = "golden", coords=None, bw_min=None, bw_max=None,
        interval=None, sigma2: str = "classic", alpha: float = 0.05, constant: bool = True,
        tol: float = 1.0e-6, max_iter: int = 200, progress=None) -> GWRResult:
    """Fit a geographically weighted regression.

    Parameters
    ----------
    data : GeoDataFrame or DataFrame
        One row per region (index = region ids). Locations: the geometry (points, or a
        representative point of each polygon, in a projected CRS chosen as for distance weights),
        or ``coords``, or columns ``X``/``Y`` (``x``/``y``, ``x_coord``/``y_coord``).
    y : str
        Dependent variable.
    x : list of str
        Regressors; a constant ``"const"`` is added first unless ``constant=False``.
    bandwidth : float, int or None
        None searches it. Adaptive (``fixed=False``): a number of nearest neighbours counted as
        GWR4 and mgwr do (the region itself included). Fixed: a distance in the CRS units.
    kernel : {"bisquare", "gaussian", "exponential"}
    fixed : bool
    criterion : {"AICc", "AIC", "BIC", "CV"}
        Bandwidth selection criterion (FBC eqs. 2.31-2.34).
    search : {"golden", "interval"}
        Golden section (mgwr's conventions; bracket ``bw_min``..``bw_max``, default [40 + 2k, n]
        neighbours or [min distance / 2, 2 x max distance]) or an equal-interval grid with step
        ``interval``.
    coords : (str, str) or array, optional
        Column names of planar coordinates, or an (n, 2) array.
    sigma2 : {"classic", "enp"}
        Residual variance for the standard errors: ``"classic"`` RSS / (n - 2 tr(S) + tr(S'S))
        as GWR4 and FBC eq. 2.13; ``"enp"`` RSS / (n - tr(S)) as mgwr's default (Yu et al. 2019).
        The effective number of parameters used for the adjusted alpha follows the same choice.
    alpha : float
        Significance level before the da Silva & Fotheringham (2016) adjustment.
    tol, max_iter :
        Golden-section stop: successive scores within ``tol``, or ``max_iter`` steps.
    progress : bool, optional
        Show the bandwidth candidates tried (default: in terminals).

    Returns
    -------
    GWRResult

    Raises
    ------
    InputError
        Unknown kernel/criterion, too few regions, an adaptive bandwidth below k + 1 neighbours,
        coincident locations under a fixed kernel, or a singular local design (names the regions).
    """
    if sigma2 not in SIGMA2:
        raise InputError(f"sigma2={sigma2!r} is not supported; use 'classic' (GWR4) or 'enp' (mgwr)")
    d = design(data, y, x, coords, constant)
    spec = _spec(kernel, fixed, criterion, search, bw_min, bw_max, interval, tol, max_iter)
    if fixed:
        check_fixed_locations(d)
    nb = Neighbours(d.coords)
    history = []
    if bandwidth is None:
        with progress_bar("GWR bandwidth search", None, progress) as tick:
            bandwidth, _, history = _select(d.y, d.X, d.coords, spec, nb, d.ids, tick)
    else:
        check_bandwidth(bandwidth, fixed, d)
    return GWRResult(d, bandwidth, spec, nb, sigma2, alpha, history)


class GWRResult(LocalResult):
    """A fitted GWR.

    Attributes
    ----------
    bandwidth : int or float
        Neighbours (adaptive) or distance (fixed).
    params, std_err, tvalues : DataFrame
        Regions x ``["const", *x]``.
    significant : DataFrame of bool
        Significant at the adjusted alpha (da Silva & Fotheringham 2016).
    adj_alpha, critical_t : Series
        Adjusted alpha (alpha k / ENP) and the two-sided critical t (n - 1 df) per coefficient.
    r2, adj_r2 : float
        Global R^2 = 1 - RSS / TSS and its adjustment by the ENP.
    aicc, aic, bic, cv, llf : float
        Criteria (FBC eqs. 2.31-2.34; CV divided by n as GWR4).
    tr_s, tr_sts, enp, sigma2 : float
        tr(S), tr(S'S), effective number of parameters and residual variance (see ``sigma2=``).
    local_r2, influence, condition_number : Series
        Local R^2 (FBC eq. 9.8), hat-matrix diagonal, local condition number (mgwr's
        ``local_collinearity``; above 30 signals local collinearity and gives a warning).
    search_history : DataFrame
        Bandwidths tried and their criterion (empty when the bandwidth was given).
    """

    kind = "GWR"

    def __init__(self, d, bw, spec, nb, sigma2, alpha, history):
        self._d, self._spec, self._sigma2_rule = d, spec, sigma2
        self.bandwidth = bw
        self.kernel, self.fixed, self.criterion = spec["kernel"], spec["fixed"], spec["criterion"]
        self.search_history = pd.DataFrame(history, columns=["bandwidth", spec["criterion"]])
        idx, dist = nb.table(bw, spec["kind"], spec["fixed"])
        args = (float(bw), spec["fixed"], spec["kind"], idx, dist)
        params, influ, cct, sts, cond, sw, swy, swyy, ok = fit_full(d.coords, d.X, d.y, *args)
        if not ok.all():
            raise bwsel.singular_error(d.ids, ~ok, bw)
        n = d.n
        self.tr_s = float(influ.sum())
        self.tr_sts = float(sts.sum())
        if sigma2 == "classic":
            self.enp = 2.0 * self.tr_s - self.tr_sts
            dof = n - 2.0 * self.tr_s + self.tr_sts
        else:
            self.enp = self.tr_s
            dof = n - self.tr_s
        resid = d.y - np.sum(d.X * params, axis=1)
        self.sigma2 = float(resid @ resid) / dof
        self._finish_local(d, params, cct, self.sigma2, [(d.k, self.enp)] * d.k, alpha)
        self.influence = pd.Series(influ, index=d.ids, name="influence")
        self.llf = bwsel.gaussian_llf(n, self.rss)
        self.aicc = bwsel.criterion_value("AICc", resid, influ)
        self.aic = bwsel.criterion_value("AIC", resid, influ)
        self.bic = bwsel.criterion_value("BIC", resid, influ)
        self.cv = bwsel.criterion_value("CV", resid, influ)
        self.adj_r2 = 1.0 - (1.0 - self.r2) * (n - 1) / (n - self.enp - 1)
        local_tss = swyy - swy * swy / sw
        local_rss = weighted_sums(d.coords, resid * resid, *args)
        self.local_r2 = pd.Series((local_tss - local_rss) / local_tss, index=d.ids, name="local_r2")
        self.condition_number = pd.Series(cond, index=d.ids, name="condition_number")
        high = self.condition_number > COLLINEAR_CN
        if high.any():
            warnings.warn(
                f"local collinearity: the local condition number exceeds {COLLINEAR_CN:g} in {int(high.sum())} "
                f"of {n} regions ({_names(d.ids[high.to_numpy()], 10)}); their local estimates are unstable. "
                "Drop or combine correlated regressors, or use a larger bandwidth.",
                SpatialClusterWarning, stacklevel=3)

    def _local_columns(self) -> dict:
        return {"local_r2": self.local_r2, "influence": self.influence, "condition_number": self.condition_number}

    def spatial_variability(self, permutations: int = 99, seed: int = 0, progress=None) -> pd.Series:
        """Monte Carlo test that each coefficient varies over space (FBC 2002 sec. 4.5; mgwr).

        The locations are permuted among the regions ``permutations`` times; each time the bandwidth
        is searched again (when it was searched) and the standard deviation of each coefficient
        surface recomputed. The p-value is the share of permutations with a larger deviation. Draws
        follow NumPy's legacy ``RandomState(seed).permutation``, as mgwr's ``spatial_variability``
        with the same seed, so both give the same p-values.
        """
        d = self._d
        rng = np.random.RandomState(seed)
        observed = self.params.std(ddof=0).to_numpy()
        larger = np.zeros(d.k)
        with progress_bar("GWR spatial variability", int(permutations), progress) as tick:
            for _ in range(int(permutations)):
                tick(1)
                larger += self._permuted_spread(rng.permutation(d.coords)) > observed
        return pd.Series(larger / int(permutations), index=self.names, name="p_variability")

    def _permuted_spread(self, coords):
        """Standard deviation of each coefficient surface with the locations permuted."""
        d, spec = self._d, self._spec
        coords = np.ascontiguousarray(coords)
        nb = Neighbours(coords)
        bw = self.bandwidth
        if len(self.search_history):
            bw = _select(d.y, d.X, coords, spec, nb)[0]
        idx, dist = nb.table(bw, spec["kind"], spec["fixed"])
        params = fit_full(coords, d.X, d.y, float(bw), spec["fixed"], spec["kind"], idx, dist)[0]
        return np.std(params, axis=0)

    def summary(self) -> str:
        unit = "neighbours" if not self.fixed else "distance units"
        how = f"searched by {self.criterion}" if len(self.search_history) else "given"
        head = [
            f"GWR: {self.y_name} ~ {' + '.join(self.x)}  ({self.n} regions)",
            f"kernel {self.kernel} ({'fixed' if self.fixed else 'adaptive'}), bandwidth {self.bandwidth:g} {unit} ({how})",
            f"R2 {self.r2:.4f}  adj. R2 {self.adj_r2:.4f}  AICc {self.aicc:.3f}  AIC {self.aic:.3f}  "
            f"ENP {self.enp:.3f}  sigma2 {self.sigma2:.4f}",
            f"significant: |t| > critical t at adjusted alpha {self.adj_alpha.iloc[0]:.4g} (alpha {self.alpha:g})",
        ]
        return "\n".join(head) + "\n" + self.coefficient_table().to_string(float_format=lambda v: f"{v:.4f}")

    def to_record(self) -> dict:
        rec = self._record_common()
        rec.update({"bandwidth": float(self.bandwidth), "kernel": self.kernel, "fixed": self.fixed,
                    "criterion": self.criterion, "adj_r2": float(self.adj_r2),
                    "max_condition_number": float(np.nanmax(self.condition_number))})
        return rec
