"""Global Moran's I: univariate, bivariate and for regression residuals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._errors import InputError
from .._result import Result
from . import _core, arrays


@dataclass(repr=False)
class GlobalResult(Result):
    """Base of the global statistics with analytic and permutation inference (Moran's I, Geary's C).

    Subclasses add the statistic's own field, named by ``STATISTIC``, and ``sim``, ``kind``, ``notes``.
    """

    expected: float
    variance_norm: float
    variance_rand: float
    z_norm: float
    z_rand: float
    p_norm: float
    p_rand: float
    p_sim: float
    z_sim: float
    permutations: int
    seed: int | None
    n: int
    n_islands: int
    variable: str
    alternative: str

    STATISTIC: ClassVar[str] = ""
    _FIELDS = ("expected", "variance_norm", "variance_rand", "z_norm", "z_rand", "p_norm", "p_rand", "p_sim",
               "z_sim", "permutations", "n", "n_islands")

    def to_frame(self) -> pd.DataFrame:
        """One row (index = variable) with the statistic and every p-value."""
        row = {k: getattr(self, k) for k in (self.STATISTIC, *self._FIELDS)}
        row["alternative"] = self.alternative
        row["seed"] = self.seed
        return pd.DataFrame([row], index=pd.Index([self.variable], name="variable"))

    def to_record(self) -> dict:
        """Kind, variable, the statistic, its moments and p-values as plain numbers (NaN as None)."""
        row = self.to_frame().iloc[0].to_dict()
        return {"kind": self.kind, "variable": self.variable, **{k: _core.plain(v) for k, v in row.items()}}

    def summary(self) -> str:
        def fmt(x):
            return "n/a" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.6g}"

        s = self.STATISTIC
        lines = [
            f"{self.kind}: {self.variable}  (n = {self.n}, islands = {self.n_islands})",
            f"  {s} = {fmt(getattr(self, s))}   E[{s}] = {fmt(self.expected)}",
            f"  normality:     var = {fmt(self.variance_norm)}  z = {fmt(self.z_norm)}  p = {fmt(self.p_norm)}",
            f"  randomisation: var = {fmt(self.variance_rand)}  z = {fmt(self.z_rand)}  p = {fmt(self.p_rand)}",
        ]
        if self.permutations:
            lines.append(
                f"  permutation:   R = {self.permutations}  z_sim = {fmt(self.z_sim)}  p_sim = {fmt(self.p_sim)}"
                f"  (seed {self.seed})"
            )
        lines.append(f"  alternative: {self.alternative}; {_core.CONVENTIONS}.")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


@dataclass(repr=False, kw_only=True)
class MoranResult(GlobalResult):
    """Global Moran's I with analytic and permutation inference.

    Attributes
    ----------
    I, expected : float
        Moran's I and its expectation under the null, -1 / (n - 1) (Cliff & Ord 1981).
    variance_norm, variance_rand : float
        Variance of I under normality and under randomisation (Cliff & Ord 1981, eqs. 1.35,
        1.38); NaN where no analytic moment applies (bivariate I).
    z_norm, z_rand, p_norm, p_rand : float
        Standard deviates and normal p-values under the two assumptions.
    p_sim, z_sim : float
        Permutation pseudo p-value ((M + 1) / (R + 1)) and (I - mean) / sd of the permuted Is.
    permutations, seed, n, n_islands : int
    variable : str
    alternative : str
    ids : pandas.Index
        Region ids in the order of ``z`` and ``lag``.
    z, lag : ndarray
        Standardised values and their spatial lag (the two axes of the Moran scatter plot).
    sim : ndarray or None
        The permuted Is (length ``permutations``).
    """

    I: float
    ids: pd.Index
    z: np.ndarray
    lag: np.ndarray
    sim: np.ndarray | None = None
    kind: str = "Moran's I"
    notes: list = field(default_factory=list)

    STATISTIC = "I"

    def plot(self, ax=None, **kwargs):
        """Moran scatter plot (standardised value against its spatial lag); keywords go to
        :func:`~spatialcluster.plot.moran_scatter`."""
        from ..plot import moran_scatter

        return moran_scatter(self, ax=ax, **kwargs)


def global_inputs(data, names, w, alternative, permutations):
    """Checked ``alternative`` and ``permutations``, aligned data, value arrays and CSR weights:
    what every global statistic starts from."""
    alternative = _core.check_alternative(alternative)
    permutations = _core.check_permutations(permutations)
    aligned, values, W, _ = _core.prepare(data, w, names)
    return alternative, permutations, aligned, values, W


def moran(data, column, w, permutations=999, seed=None, alternative="two-sided", progress=None,
          engine=None, client=None):
    """Global Moran's I (Moran 1950; Cliff & Ord 1981) with three kinds of inference.

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        Indexed by region id (strings), one row per region of ``w``.
    column : str
        Numeric column to test.
    w : libpysal.graph.Graph
        Spatial weights, used as given (``sc.build_weights`` row-standardises by default).
    permutations : int, default 999
        Random permutations for the pseudo p-value; 0 skips them.
    seed : int, optional
        Seed of the permutations; None draws one and stores it on the result. The values are
        permuted in region-id order, so the same seed gives the same ``p_sim`` whatever the
        order of the rows.
    alternative : {"two-sided", "greater", "less", "directed"}
        For the analytic and the permutation p-values. "directed" is esda's convention
        (one-tailed on the side of the observed value).
    progress : bool, optional
        Force the progress bar on or off; by default it shows for runs longer than ~2 s.
    engine : {None, "numba", "dask"}, optional
        "dask" splits the permutations over a ``dask.distributed`` cluster (``client`` or the
        running one); permutation p is drawn from the same stream wherever it runs. An engine
        object (:mod:`spatialcluster.stats.engine`, e.g. ``DaskEngine(client, chunks=16)``) is used as is.
    client : dask.distributed.Client, optional
        Implies ``engine="dask"``.

    Returns
    -------
    MoranResult

    Notes
    -----
    Islands (regions without neighbours) stay in n with a zero spatial lag, as in esda and in
    spdep with ``zero.policy=TRUE, adjust.n=FALSE``; the result counts them.

    References
    ----------
    Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. Biometrika 37, 17-23.
    Cliff, A. D., Ord, J. K. (1981). Spatial Processes: Models and Applications. Pion.
    """
    alternative, permutations, aligned, (y,), W = global_inputs(data, [column], w, alternative, permutations)
    out = arrays.moran(y, W, permutations, seed, ids=aligned.index, alternative=alternative, engine=engine,
                       client=client, progress=progress, label=f"Moran's I ({column})")
    zs = _core.standardise(y)
    return MoranResult(**out, variable=str(column), alternative=alternative, ids=aligned.index.copy(), z=zs,
                       lag=W @ zs)


def moran_bv(data, x, y, w, permutations=999, seed=None, alternative="two-sided", progress=None,
             engine=None, client=None):
    """Bivariate Moran's I: ``x`` against the spatial lag of ``y`` (Wartenberg 1985; Anselin et al. 2002).

    ``I = (n / S0) * sum_i zx_i (W zy)_i / sqrt(sum zx^2 * sum zy^2)``, which equals esda's
    ``Moran_BV`` for row-standardised weights. Inference is by permutation of ``y`` only (no
    analytic moments exist for the bivariate statistic; their fields are NaN). Its expectation
    under that permutation is 0.

    Parameters are as in :func:`moran`, with ``x`` and ``y`` column names.

    References
    ----------
    Wartenberg, D. (1985). Multivariate spatial correlation: a method for exploratory geographical
    analysis. Geographical Analysis 17(4), 263-283.
    Anselin, L., Syabri, I., Smirnov, O. (2002). Visualizing multivariate spatial correlation with
    dynamically linked windows. Proceedings, CSISS Workshop on New Tools for Spatial Data Analysis.
    """
    alternative, permutations, aligned, (xv, yv), W = global_inputs(data, [x, y], w, alternative, permutations)
    out = arrays.moran(xv, W, permutations, seed, y=yv, ids=aligned.index, alternative=alternative, engine=engine,
                       client=client, progress=progress, label=f"bivariate Moran's I ({x}, {y})")
    return MoranResult(
        **out, variable=f"{x} ~ W {y}", alternative=alternative, ids=aligned.index.copy(),
        z=_core.standardise(xv), lag=W @ _core.standardise(yv), kind="Bivariate Moran's I",
        notes=[f"x = {x}, lagged y = {y}; inference by permuting {y}."],
    )


def _residual_moments(W: sp.csr_matrix, X: np.ndarray, s0: float):
    """E[I], Var[I] of Moran's I of OLS residuals (Cliff & Ord 1981, eqs. 8.20-8.21).

    With M = I - X (X'X)^-1 X' the traces tr(MW), tr(MWMW') and tr(MWMW) are expanded into
    k x k products so that no n x n matrix is formed (as spdep's lm.morantest does).
    """
    n, k = X.shape
    A = np.linalg.inv(X.T @ X)
    WX = np.asarray(W @ X)
    WtX = np.asarray(W.T @ X)
    XWX = X.T @ WX
    tr_w = W.diagonal().sum()
    tr_mw = tr_w - np.trace(A @ XWX)
    tr_wwt = W.multiply(W).sum()
    tr_ww = W.multiply(W.T).sum()
    tr_mwmwt = (tr_wwt - np.trace(A @ (WtX.T @ WtX)) - np.trace(A @ (WX.T @ WX))
                + np.trace(A @ XWX @ A @ XWX.T))
    AXWX = A @ XWX
    tr_mwmw = tr_ww - 2 * np.trace(A @ (X.T @ np.asarray(W @ WX))) + np.trace(AXWX @ AXWX)
    c = n / s0
    ei = c * tr_mw / (n - k)
    var = c * c * (tr_mwmwt + tr_mwmw + tr_mw**2) / ((n - k) * (n - k + 2)) - ei * ei
    return float(ei), float(var)


def moran_residuals(residuals, w, X=None, permutations=0, seed=None, alternative="two-sided"):
    """Moran's I of regression residuals.

    Parameters
    ----------
    residuals : pandas.Series
        Residuals indexed by region id (or an array in the order of ``w.unique_ids``).
    w : libpysal.graph.Graph
    X : array-like, optional
        The (n, k) design matrix of the OLS fit, constant included. With it, the normal test
        uses the exact moments of I for OLS residuals (Cliff & Ord 1981, ch. 8), as R spdep's
        ``lm.morantest`` and spreg's ``MoranRes``; without it the residuals are treated as an
        ordinary variable (randomisation moments).
    permutations, seed, alternative
        As in :func:`moran`. Permuting residuals ignores that they are not exchangeable, so
        the analytic test with ``X`` is the one to report (Anselin & Rey 1991).

    Returns
    -------
    MoranResult
        With ``X``: ``variance_norm`` / ``z_norm`` / ``p_norm`` are the OLS-residual test and the
        randomisation fields are NaN.
    """
    graph = _core.as_graph(w)
    if isinstance(residuals, pd.Series):
        frame = residuals.rename("residual").to_frame()
    else:
        arr = np.asarray(residuals, dtype=float).ravel()
        if arr.shape[0] != len(graph.unique_ids):
            raise InputError(
                f"residuals have {arr.shape[0]} values but the weights have {len(graph.unique_ids)} regions"
            )
        frame = pd.DataFrame({"residual": arr}, index=pd.Index(graph.unique_ids))
    if X is None:
        out = moran(frame, "residual", graph, permutations=permutations, seed=seed, alternative=alternative)
        out.kind = "Moran's I of residuals (no X: randomisation moments)"
        return out
    alternative = _core.check_alternative(alternative)
    permutations = _core.check_permutations(permutations)
    aligned, (e,), W, _ = _core.prepare(frame, graph, ["residual"])
    X = np.asarray(X.loc[aligned.index] if isinstance(X, pd.DataFrame) else X, dtype=float)
    if X.ndim != 2 or X.shape[0] != e.shape[0]:
        raise InputError(f"X must be an (n, k) matrix with n = {e.shape[0]} rows, got shape {X.shape}")
    off, _ = _core.split_diagonal(W)
    n = e.shape[0]
    s0 = float(W.sum())
    scale = n / s0 / (e @ e)
    I = float(scale * (e @ (W @ e)))
    ei, var = _residual_moments(W, X, s0)
    z_norm = (I - ei) / np.sqrt(var)
    seed, sims, p_sim, z_sim = arrays.global_inference(W, e, e, True, scale, I, permutations, seed, alternative,
                                                       "Moran's I (residuals)", ids=aligned.index)
    nan = float("nan")
    zs = _core.standardise(e)
    return MoranResult(
        I=I, expected=ei, variance_norm=var, variance_rand=nan, z_norm=float(z_norm), z_rand=nan,
        p_norm=float(_core.normal_p(z_norm, alternative)), p_rand=nan, p_sim=p_sim, z_sim=z_sim,
        permutations=permutations, seed=seed, n=n, n_islands=int(_core.island_mask(off).sum()),
        variable="residuals", alternative=alternative, ids=aligned.index.copy(), z=zs, lag=W @ zs,
        sim=sims, kind="Moran's I of OLS residuals",
        notes=[f"normal test with the OLS-residual moments (Cliff & Ord 1981), k = {X.shape[1]}."],
    )
