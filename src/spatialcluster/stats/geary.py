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
import scipy.sparse as sp

from .._errors import InputError
from . import _core, multitest
from .global_ import GlobalResult, _s_constants, _simulate, global_inputs
from .local import LocalResult, check_local_args, run_by_id, runner

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


def geary_moments(W: sp.csr_matrix, z: np.ndarray):
    """Var_norm[C], Var_rand[C] (Cliff & Ord 1981, eqs. 1.36 and 1.39) for centred values ``z``."""
    n = z.shape[0]
    s0, s1, s2 = _s_constants(W)
    k = n * (z**4).sum() / ((z**2).sum() ** 2)  # sample kurtosis b2
    var_norm = ((2 * s1 + s2) * (n - 1) - 4 * s0 * s0) / (2 * (n + 1) * s0 * s0)
    a = (n - 1) * s1 * (n * n - 3 * n + 3 - (n - 1) * k)
    b = 0.25 * (n - 1) * s2 * (n * n + 3 * n - 6 - (n * n - n + 2) * k)
    c = s0 * s0 * (n * n - 3 - (n - 1) ** 2 * k)
    var_rand = (a - b + c) / (n * (n - 2) * (n - 3) * s0 * s0)
    return var_norm, var_rand, s0


def _difference_form(W: sp.csr_matrix) -> sp.csr_matrix:
    """M with ``sum_ij w_ij (y_i - y_j)^2 = -2 y' M y``: M = W - diag(row sums + column sums) / 2.

    Writing the sum of squared differences as a quadratic form lets the global permutation
    kernel (which permutes y on both sides of ``y' M y``) run Geary's C as it runs Moran's I.
    """
    d = np.asarray(W.sum(axis=1)).ravel() + np.asarray(W.sum(axis=0)).ravel()
    M = sp.csr_matrix(W - sp.diags(d / 2))
    M.sort_indices()
    return M


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
    alternative, permutations, aligned, (y,), W, n_islands = global_inputs(data, [column], w, alternative,
                                                                          permutations)
    n = y.shape[0]
    z = y - y.mean()
    var_norm, var_rand, s0 = geary_moments(W, z)
    coo = W.tocoo()
    C = float((n - 1) * (coo.data * (z[coo.row] - z[coo.col]) ** 2).sum() / (2 * s0 * (z @ z)))
    M = _difference_form(W)
    seed, sims, p_sim, z_sim = _simulate(M, z, z, True, -(n - 1) / (s0 * (z @ z)), C, permutations, seed,
                                         alternative, f"Geary's C ({column})", progress,
                                         _core.engine_client(engine, client), aligned.index)
    z_norm = (C - 1.0) / np.sqrt(var_norm)
    z_rand = (C - 1.0) / np.sqrt(var_rand) if var_rand > 0 else np.nan
    return GearyResult(
        C=C, expected=1.0, variance_norm=float(var_norm), variance_rand=float(var_rand),
        z_norm=float(z_norm), z_rand=float(z_rand), p_norm=float(_core.normal_p(z_norm, alternative)),
        p_rand=float(_core.normal_p(z_rand, alternative)), p_sim=p_sim, z_sim=z_sim,
        permutations=permutations, seed=seed, n=n, n_islands=n_islands,
        variable=str(column), alternative=alternative, sim=sims,
    )


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
    off, selfw = _core.split_diagonal(W)
    island = _core.island_mask(off)
    n, m = values[0].shape[0], len(names)
    Z = np.column_stack([_core.standardise(v) for v in values])
    seed = _core.resolve_seed(seed)
    kind = "Local Geary's c" if m == 1 else f"Multivariate local Geary's c ({m} variables)"
    out = run_by_id(runner(_core.engine_client(engine, client)), aligned.index, off, selfw, Z, 1.0 / m,
                    permutations, seed, keep=keep_simulations, label=kind, progress=progress, squared=True)
    # E[(z_vi - z_vJ)^2] over a uniform J != i is n (z_vi^2 + 1) / (n - 1) for standardised z
    expected = np.asarray(off.sum(axis=1)).ravel() * (n / (n - 1)) * ((Z**2).sum(axis=1) + m) / m
    lag = W @ Z[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (out["observed"] - out["mean"]) / out["sd"]
    p_sim = _core.pseudo_p(out["n_ge"], out["n_le"], permutations, alternative)
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
            "z": z,
            "p_sim": p_sim,
            "p_adjusted": p_adj,
            "cluster_uncorrected": _labels(Z, lag, out["observed"], expected, sig_u, island),
            "cluster": _labels(Z, lag, out["observed"], expected, sig_c, island),
        },
        index=aligned.index.copy(),
    )
    return LocalGearyResult(
        frame=frame, variable=", ".join(map(str, names)), permutations=permutations, seed=seed, alpha=alpha,
        correction=correction, threshold=float(threshold), alternative=alternative, n=n,
        n_islands=int(island.sum()), island_ids=list(aligned.index[island]),
        sims=out["sims"] if keep_simulations else None, geometry=_core.geometry_of(aligned), kind=kind,
    )
