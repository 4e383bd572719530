"""Geary's C: global (Geary 1954) and local, univariate and multivariate (Anselin 1995, 2019).

Geary's statistics measure dissimilarity between neighbours: sums of weighted squared
differences. Small values mean neighbours are alike (positive spatial autocorrelation), large
values that they differ (negative). Inference reuses the permutation kernels of the other
statistics (:mod:`spatialcluster.stats._kernels`): the same id-ordered random streams, so the
same seed draws the same neighbours for local Moran's I and local Geary, whatever the row order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._errors import InputError
from . import _core, arrays, multitest
from .global_ import GlobalResult, global_inputs
from .local import LocalResult, check_local_args

POSITIVE = ("High-High", "Low-Low", "Other positive")  # one variable
MV_POSITIVE = ("Positive",)  # several variables
GEARY_LABELS = (*POSITIVE, *MV_POSITIVE, "Negative", "ns", "island")


@dataclass(repr=False, kw_only=True)
class GearyResult(GlobalResult):
    """Global Geary's C with analytic and permutation inference.

    Attributes
    ----------
    C, expected : float
        Geary's C and its expectation under the null, 1 (below 1: neighbours alike).
    variance_norm, variance_rand : float
        Variance of C under normality and under randomisation (Cliff & Ord 1981, eqs. 1.36, 1.39).
    z_norm, z_rand, p_norm, p_rand : float
        Standard deviates and normal p-values under the two assumptions.
    p_sim, z_sim : float
        Permutation pseudo p-value and (C - mean) / sd of the permuted Cs (NaN without permutations).
    permutations, seed, n, n_islands : int
    variable, alternative : str
    sim : ndarray or None
        The permuted Cs.
    """

    C: float
    sim: np.ndarray | None = None
    kind: str = "Geary's C"
    notes: list = field(default_factory=lambda: ["C < 1: neighbours alike; C > 1: neighbours differ."])

    STATISTIC = "C"

    def plot(self, ax=None, **kwargs):
        """The permuted Cs against the observed one (needs permutations); keywords go to
        :func:`~spatialcluster.plot.reference_distribution`."""
        from ..plot import reference_distribution

        return reference_distribution(self.sim, self.C, ax=ax, statistic="C", expected=1.0, **kwargs)


def geary(data, column, w, permutations=999, seed=None, alternative="two-sided", progress=None,
          engine=None, client=None):
    """Global Geary's C (Geary 1954) with analytic and permutation inference.

    ``C = (n - 1) sum_ij w_ij (y_i - y_j)^2 / (2 S0 sum_i (y_i - ybar)^2)``, as esda's ``Geary``
    (same value to rounding). ``E[C] = 1``; C below 1 means neighbours are alike.

    Parameters
    ----------
    data, column, w, permutations, seed, progress, engine, client
        As in :func:`spatialcluster.moran`: the values are permuted in region-id order, so the
        same seed gives the same ``p_sim`` whatever the order of the rows.
    alternative : {"two-sided", "greater", "less", "directed"}
        For the analytic and the permutation p-values. "greater" tests C above 1 (negative
        autocorrelation), "less" C below 1 (positive); "directed" is esda's convention (the tail
        on the side of the observed value).

    Returns
    -------
    GearyResult

    References
    ----------
    Geary, R. C. (1954). The contiguity ratio and statistical mapping. The Incorporated
    Statistician 5(3), 115-145.
    Cliff, A. D., Ord, J. K. (1981). Spatial Processes: Models and Applications. Pion.
    """
    alternative, permutations, aligned, (y,), W = global_inputs(data, [column], w, alternative, permutations)
    out = arrays.geary(y, W, permutations, seed, ids=aligned.index, alternative=alternative, engine=engine,
                       client=client, progress=progress, label=f"Geary's C ({column})")
    return GearyResult(**out, variable=str(column), alternative=alternative)


class LocalGearyResult(LocalResult):
    """Local Geary's c for every region, with cluster labels before and after correction.

    Attributes
    ----------
    frame : pandas.DataFrame
        Index = region id. Columns: the variable(s) (``value`` for one), for one variable also
        ``value_std`` and ``lag_std`` (standardised value and its spatial lag, which name the
        cluster), ``C`` (local Geary), ``E_C`` (its exact expectation under conditional
        permutation), ``E_sim`` and ``sd_sim`` (mean and sd of the permuted values), ``z``
        (``(C - E_sim) / sd_sim``), ``p_sim``, ``p_adjusted``, ``cluster_uncorrected`` and
        ``cluster`` with labels "High-High", "Low-Low", "Other positive" (c below its
        expectation: neighbours alike), "Negative" (above: neighbours differ), "ns" and
        "island"; several variables have "Positive" for the first three.
    variables : list of str
    Other attributes as :class:`~spatialcluster.stats.local.LocalMoranResult`.
    """

    LABELS = GEARY_LABELS
    CLUSTERS = (*POSITIVE, *MV_POSITIVE, "Negative")
    STATISTIC = "C"
    NOTES = ("  c_i = sum_j w_ij (z_i - z_j)^2 (averaged over the variables); positive association where c_i is "
             "below its expectation E_C, negative above (GeoDa's categories, Anselin 2019).",)

    @property
    def variables(self) -> list:
        return self.variable.split(", ")

    def _label_set(self):
        positive = POSITIVE if "value" in self.frame.columns else MV_POSITIVE
        return (*positive, "Negative", "ns", "island"), (*positive, "Negative")

    def plot(self, ax=None, **kwargs):
        """Local Geary cluster map (needs geometry in the input data); keywords go to
        :func:`~spatialcluster.plot.geary_map`."""
        from ..plot import geary_map

        return geary_map(self, ax=ax, **kwargs)


def _labels(Z, lag, C, expected, significant, island):
    """GeoDa's local Geary categories (Anselin 2019): c_i at most its expectation is positive
    association, split by the signs of z_i and its lag for one variable; above it, negative."""
    positive = C <= expected
    if Z.shape[1] == 1:
        z = Z[:, 0]
        kind = np.where((z > 0) & (lag > 0), "High-High", np.where((z < 0) & (lag < 0), "Low-Low", "Other positive"))
    else:
        kind = np.full(Z.shape[0], "Positive", dtype=object)
    lab = np.where(positive, kind, "Negative")
    lab = np.where(significant, lab, "ns")
    return np.where(island, "island", lab).astype(object)


def local_geary(data, columns, w, permutations=999, alpha=0.05, correction="fdr", seed=None,
                keep_simulations=False, progress=None, alternative="two-sided", engine=None, client=None):
    """Local Geary's c (Anselin 1995), univariate or multivariate (Anselin 2019), with conditional
    permutation inference.

    ``c_i = (1 / m) sum_v sum_j w_ij (z_vi - z_vj)^2`` over the m variables ``columns``, each
    standardised with ddof = 0: esda's ``Geary_Local`` (one variable) and ``Geary_Local_MV``
    (several) with the same weights give the same values to rounding. esda row-standardises the
    weights; here they are used as given (``sc.build_weights`` row-standardises by default).

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        Indexed by region id.
    columns : str or list of str
        One variable, or several for the multivariate statistic.
    w : libpysal.graph.Graph
        A self-weight adds nothing (the squared difference of a region with itself is 0).
    permutations, alpha, correction, seed, keep_simulations, progress, engine, client
        As in :func:`spatialcluster.local_moran`; all variables of a region are permuted together.
    alternative : {"two-sided", "greater", "less", "directed"}
        "directed" is esda's and GeoDa's convention (the tail on the side of the observed value).

    Returns
    -------
    LocalGearyResult

    References
    ----------
    Anselin, L. (1995). Local indicators of spatial association - LISA. Geographical Analysis
    27(2), 93-115.
    Anselin, L. (2019). A local indicator of multivariate spatial association: extending Geary's c.
    Geographical Analysis 51(2), 133-150.
    """
    permutations, alpha, correction, alternative = check_local_args(permutations, alpha, correction, alternative)
    names = [columns] if isinstance(columns, str) else list(columns)
    if not names or len(set(map(str, names))) != len(names):
        raise InputError(f"columns must name one or more distinct columns, got {columns!r}")
    aligned, values, W, _ = _core.prepare(data, w, names)
    m = len(names)
    kind = "Local Geary's c" if m == 1 else f"Multivariate local Geary's c ({m} variables)"
    out = arrays.local_geary(np.column_stack(values), W, permutations, seed, ids=aligned.index,
                             alternative=alternative, keep_simulations=keep_simulations, engine=engine,
                             client=client, progress=progress, label=kind)
    island, Z, lag, expected, p_sim = out["island"], out["std"], out["lag"], out["expected"], out["p_sim"]
    p_adj, threshold = multitest.adjust(p_sim, correction, alpha)
    with np.errstate(invalid="ignore"):
        sig_u, sig_c = p_sim <= alpha, p_adj <= threshold
    columns_out = {"value": values[0]} if m == 1 else {str(c): v for c, v in zip(names, values)}
    if m == 1:
        columns_out.update(value_std=Z[:, 0], lag_std=np.where(island, np.nan, lag))
    frame = pd.DataFrame(
        {
            **columns_out,
            "C": out["observed"],
            "E_C": np.where(island, np.nan, expected),
            "E_sim": out["mean"],
            "sd_sim": out["sd"],
            "z": out["z_sim"],
            "p_sim": p_sim,
            "p_adjusted": p_adj,
            "cluster_uncorrected": _labels(Z, lag, out["observed"], expected, sig_u, island),
            "cluster": _labels(Z, lag, out["observed"], expected, sig_c, island),
        },
        index=aligned.index.copy(),
    )
    return LocalGearyResult(
        frame=frame, variable=", ".join(map(str, names)), permutations=permutations, seed=out["seed"], alpha=alpha,
        correction=correction, threshold=float(threshold), alternative=alternative, n=Z.shape[0],
        n_islands=int(island.sum()), island_ids=list(aligned.index[island]), sims=out["sims"],
        geometry=_core.geometry_of(aligned), kind=kind,
    )
