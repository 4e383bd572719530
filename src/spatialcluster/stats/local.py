"""Local Moran's I (LISA), univariate and bivariate, with conditional permutation inference."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from .._errors import InputError
from .._result import Result
from . import _core, arrays, multitest

QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
LABELS = ("HH", "LL", "LH", "HL", "ns", "island")


def check_local_args(permutations, alpha, correction, alternative, minimum=1):
    permutations = _core.check_permutations(permutations, minimum=minimum)
    if not (isinstance(alpha, (int, float)) and 0 < alpha < 1):
        raise InputError(f"alpha must be a probability in (0, 1), got {alpha!r}")
    return permutations, float(alpha), multitest.check_correction(correction), _core.check_alternative(alternative)


@dataclass(repr=False)
class LocalResult(Result):
    """Base of the local statistics that label clusters (LISA, local Geary).

    Subclasses set ``LABELS`` (every label, in reporting order), ``CLUSTERS`` (the significant
    ones), ``STATISTIC`` (the frame's statistic column) and ``NOTES`` (method lines of the summary).
    """

    frame: pd.DataFrame
    variable: str
    permutations: int
    seed: int
    alpha: float
    correction: str | None
    threshold: float
    alternative: str
    n: int
    n_islands: int
    island_ids: list
    sims: np.ndarray | None = None
    geometry: object = None
    kind: str = ""

    LABELS: ClassVar[tuple] = ()
    CLUSTERS: ClassVar[tuple] = ()
    STATISTIC: ClassVar[str] = ""
    NOTES: ClassVar[tuple] = ()

    def counts(self, corrected: bool = True) -> pd.Series:
        """Number of regions per label (after the correction, or uncorrected)."""
        col = "cluster" if corrected else "cluster_uncorrected"
        return self.frame[col].value_counts().reindex(self._label_set()[0], fill_value=0).rename("regions")

    def _label_set(self):
        """(every label, the significant ones) of this result, in reporting order."""
        return self.LABELS, self.CLUSTERS

    def to_frame(self):
        """The frame, as a GeoDataFrame with the input's geometry when there was one."""
        return _core.with_geometry(self.frame.copy(), self.geometry)

    def summary(self) -> str:
        table = pd.concat({"uncorrected": self.counts(False), "corrected": self.counts(True)}, axis=1)
        corr = self.correction or "none"
        clusters = list(self._label_set()[1])
        sig_u = int(table.loc[clusters, "uncorrected"].sum())
        sig_c = int(table.loc[clusters, "corrected"].sum())
        lines = [
            f"{self.kind}: {self.variable}  (n = {self.n}, islands = {self.n_islands})",
            f"  significant at alpha = {self.alpha:g}: {sig_u} uncorrected, {sig_c} after correction '{corr}'"
            f" (threshold {self.threshold:.4g})",
            "  regions per label:",
            *("    " + line for line in table.to_string().splitlines()),
            f"  inference: conditional permutation (Anselin 1995), R = {self.permutations}, seed {self.seed};",
            f"  alternative: {self.alternative}; {_core.CONVENTIONS}.",
            *self.NOTES,
        ]
        if self.n_islands:
            lines.append(_core.islands_line(self.island_ids))
        return "\n".join(lines)

    def to_record(self) -> dict:
        """Kind, variable, n, settings and the regions per label (corrected and uncorrected)."""
        return {
            "kind": self.kind, "variable": self.variable, "n": int(self.n), "n_islands": int(self.n_islands),
            "permutations": int(self.permutations), "seed": int(self.seed), "alpha": float(self.alpha),
            "correction": self.correction, "threshold": float(self.threshold), "alternative": self.alternative,
            "counts": _core.counts_record(self.counts(True)),
            "counts_uncorrected": _core.counts_record(self.counts(False)),
        }


class LocalMoranResult(LocalResult):
    """Local Moran's I for every region, with cluster labels before and after correction.

    Attributes
    ----------
    frame : pandas.DataFrame
        Index = region id. Columns: ``value`` (the variable), ``value_std`` and ``lag_std``
        (standardised value and its spatial lag: the Moran scatter plot), ``I``, ``E_sim`` and
        ``sd_sim`` (mean and standard deviation of the permuted Is), ``z`` (the permutation
        standardised I, ``(I - E_sim) / sd_sim``, esda's ``z_sim``), ``p_sim``, ``p_adjusted``,
        ``q`` (1 HH, 2 LH, 3 LL, 4 HL, esda's numbering; 0 for islands),
        ``cluster_uncorrected`` (``p_sim <= alpha``) and ``cluster`` (after ``correction``), with
        labels "HH", "LL", "LH", "HL", "ns" and "island".
    variable, alternative : str
    correction : str or None
    alpha, threshold : float
        ``threshold`` is what ``p_adjusted`` is compared with (alpha, or the esda/GeoDa FDR
        bound for ``correction="fdr_bound"``).
    permutations, seed, n, n_islands : int
    island_ids : list of str
    sims : ndarray or None
        n x permutations permuted Is when ``keep_simulations=True``.
    """

    LABELS = LABELS
    CLUSTERS = ("HH", "LL", "LH", "HL")
    STATISTIC = "I"
    NOTES = ("  z = (I - mean of permuted I) / their sd; quadrants as esda (1 HH, 2 LH, 3 LL, 4 HL).",)

    def plot(self, ax=None, **kwargs):
        """LISA cluster map (needs geometry in the input data); keywords go to :func:`~spatialcluster.plot.lisa_map`."""
        from ..plot import lisa_map

        return lisa_map(self, ax=ax, **kwargs)


def _label(q, significant, island):
    lab = np.where(significant, pd.Series(q).map(QUADRANTS).fillna("ns").to_numpy(), "ns")
    return np.where(island, "island", lab).astype(object)


def _local_moran(aligned, x, y, column, out, permutations, alpha, correction, alternative, kind):
    """The LocalMoranResult of ``arrays.local_moran``'s output ``out``: quadrants, corrections, labels."""
    island, zx, lag = out["island"], out["std"], out["lag"]
    q = np.where(zx > 0, np.where(lag > 0, 1, 4), np.where(lag > 0, 2, 3))
    q = np.where(island, 0, q)
    p_sim = out["p_sim"]
    p_adj, threshold = multitest.adjust(p_sim, correction, alpha)
    with np.errstate(invalid="ignore"):
        sig_u = p_sim <= alpha
        sig_c = p_adj <= threshold
    frame = pd.DataFrame(
        {
            "value": x,
            "value_std": zx,
            "lag_std": np.where(island, np.nan, lag),
            "I": out["observed"],
            "E_sim": out["mean"],
            "sd_sim": out["sd"],
            "z": out["z_sim"],
            "p_sim": p_sim,
            "p_adjusted": p_adj,
            "q": q,
            "cluster_uncorrected": _label(q, sig_u, island),
            "cluster": _label(q, sig_c, island),
        },
        index=aligned.index.copy(),
        copy=False,  # the columns are fresh arrays: no second copy of an N-row frame
    )
    if y is not None:
        frame.insert(1, "value_lagged_variable", y)
    return LocalMoranResult(
        frame=frame, variable=column, permutations=permutations, seed=out["seed"], alpha=alpha,
        correction=correction, threshold=float(threshold), alternative=alternative, n=x.shape[0],
        n_islands=int(island.sum()), island_ids=list(aligned.index[island]), sims=out["sims"],
        geometry=_core.geometry_of(aligned), kind=kind,
    )


def local_moran(data, column, w, permutations=999, alpha=0.05, correction="fdr", seed=None,
                keep_simulations=False, progress=None, alternative="two-sided", engine=None, client=None):
    """Local Moran's I (LISA, Anselin 1995) with conditional permutation inference.

    ``I_i = (n - 1) z_i sum_j w_ij z_j / sum_k z_k^2`` with ``z`` the variable standardised with
    ddof = 0, as esda's ``Moran_Local`` (same values to rounding).

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        Indexed by region id; geometry, when present, is carried to :meth:`LocalMoranResult.to_frame`.
    column : str
    w : libpysal.graph.Graph
        Used as given (``sc.build_weights`` row-standardises by default); a self-weight, if
        any, is held fixed under permutation as in esda.
    permutations : int, default 999
        Conditional permutations per region (at least 1; 999 or more for reporting).
    alpha : float, default 0.05
    correction : {"fdr", "bonferroni", "fdr_bound", None}
        Multiple-testing control applied to the permutation p-values (see
        :mod:`spatialcluster.stats.multitest`); ``cluster_uncorrected`` is always reported too.
    seed : int, optional
        None draws a seed and stores it on the result; the same seed gives identical results
        whatever the number of threads, the engine and the order of the rows (the draws follow
        the region ids).
    keep_simulations : bool, default False
        Keep the n x permutations matrix of permuted Is (memory!).
    progress : bool, optional
        Progress bar; by default shown for runs expected to exceed ~2 s.
    alternative : {"two-sided", "greater", "less", "directed"}
        "directed" reproduces esda's and GeoDa's folded p-values (half the two-sided ones).
    engine : {None, "numba", "dask"}, optional
        "dask" runs the permutations on a ``dask.distributed`` cluster (``client``, or the
        running client) with identical results for the same seed. An engine object
        (:mod:`spatialcluster.stats.engine`, e.g. ``DaskEngine(client, chunk_size=100_000)``) is used as is.
    client : dask.distributed.Client, optional
        Implies ``engine="dask"``.

    Returns
    -------
    LocalMoranResult

    References
    ----------
    Anselin, L. (1995). Local indicators of spatial association - LISA. Geographical Analysis
    27(2), 93-115.
    Benjamini, Y., Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B 57, 289-300.
    """
    permutations, alpha, correction, alternative = check_local_args(permutations, alpha, correction, alternative)
    aligned, (x,), W, _ = _core.prepare(data, w, [column])
    kind = "Local Moran's I (LISA)"
    out = arrays.local_moran(x, W, permutations, seed, ids=aligned.index, alternative=alternative,
                             keep_simulations=keep_simulations, engine=engine, client=client, progress=progress,
                             label=kind)
    return _local_moran(aligned, x, None, str(column), out, permutations, alpha, correction, alternative, kind)


def local_moran_bv(data, x, y, w, permutations=999, alpha=0.05, correction="fdr", seed=None,
                   keep_simulations=False, progress=None, alternative="two-sided", engine=None, client=None):
    """Bivariate LISA: ``x`` at i against the spatial lag of ``y`` (Anselin, Syabri & Smirnov 2002).

    ``I_i = (n - 1) zx_i sum_j w_ij zy_j / sum_k zx_k^2`` as esda's ``Moran_Local_BV``; the
    neighbours' ``y`` values are permuted conditionally on ``x_i``. Quadrants use ``zx`` and
    the lag of ``zy`` (HH: high x surrounded by high y). Parameters as in :func:`local_moran`.

    References
    ----------
    Anselin, L., Syabri, I., Smirnov, O. (2002). Visualizing multivariate spatial correlation with
    dynamically linked windows. Proceedings, CSISS Workshop on New Tools for Spatial Data Analysis.
    """
    permutations, alpha, correction, alternative = check_local_args(permutations, alpha, correction, alternative)
    aligned, (xv, yv), W, _ = _core.prepare(data, w, [x, y])
    kind = "Bivariate local Moran's I"
    out = arrays.local_moran(xv, W, permutations, seed, y=yv, ids=aligned.index, alternative=alternative,
                             keep_simulations=keep_simulations, engine=engine, client=client, progress=progress,
                             label=kind)
    return _local_moran(aligned, xv, yv, f"{x} ~ W {y}", out, permutations, alpha, correction, alternative, kind)
