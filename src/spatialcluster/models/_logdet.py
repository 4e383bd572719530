"""Log-determinants ``log|I - rho W|`` of the spatial filter, exact or approximate, chosen by N.

The Jacobian term of every Gaussian spatial likelihood (Ord 1975; Anselin 1988, ch. 6). Methods:

``"eigen"``
    Exact, from the eigenvalues of the dense W (Ord 1975): ``sum(log(1 - rho * lambda_i))``.
    Used for small N only (O(N^3) once, O(N) per evaluation).
``"lu"``
    Exact, from a sparse LU factorisation of ``I - rho W`` per evaluation (Pace and Barry 1997;
    spreg/spatialreg "LU"): ``sum(log|diag(U)|)``. Minimum-degree ordering on ``A + A'`` keeps the
    fill low for contiguity graphs (about 0.5 s per evaluation at N = 100,000 on a grid).
``"chebyshev"``
    Pace and LeSage (2004) Chebyshev approximation of ``log(1 - rho x)`` on [-1, 1], with the traces
    of the Chebyshev matrix polynomials of W exact to order 2 and estimated by Rademacher probes beyond.
``"mc"``
    Barry and Pace (1999) Monte Carlo power-series estimator ``-sum_k rho^k tr(W^k) / k``, traces
    exact to order 2 and estimated by probes beyond.

The approximations need eigenvalues of W in [-1, 1] (row-standardised W); their error against the
exact LU value is measured in ``tests/test_models_logdet.py``.

References
----------
Ord, J. K. (1975). Estimation methods for models of spatial interaction. JASA 70, 120-126.
Pace, R. K. and Barry, R. (1997). Quick computation of spatial autoregressive estimators.
Geographical Analysis 29, 232-247.
Barry, R. P. and Pace, R. K. (1999). Monte Carlo estimates of the log determinant of large sparse
matrices. Linear Algebra and its Applications 289, 41-54.
Pace, R. K. and LeSage, J. P. (2004). Chebyshev approximation of log-determinants of spatial weight
matrices. Computational Statistics & Data Analysis 45, 179-196.
"""

from __future__ import annotations

import contextlib

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .._errors import ConfigError, WeightsError

#: Largest N for which ``method="auto"`` uses dense eigenvalues.
EIGEN_MAX_N = 1500
#: Largest N for which ``method="auto"`` uses exact sparse LU (beyond: Chebyshev).
LU_MAX_N = 400_000

METHODS = ("eigen", "lu", "chebyshev", "mc")


def choose_method(n: int, method: str = "auto") -> str:
    """The log-determinant method for ``n`` regions (``"auto"``: eigen, then LU, then Chebyshev)."""
    if method == "auto":
        if n <= EIGEN_MAX_N:
            return "eigen"
        return "lu" if n <= LU_MAX_N else "chebyshev"
    if method not in METHODS:
        raise ConfigError(f"logdet method {method!r} is not one of 'auto', {', '.join(map(repr, METHODS))}")
    return method


def is_row_standardised(W: sp.spmatrix, tol: float = 1e-10) -> bool:
    """True when every non-empty row of W sums to one (empty rows, i.e. islands, are allowed)."""
    rs = np.asarray(W.sum(axis=1)).ravel()
    nonzero = np.diff(W.tocsr().indptr) > 0
    return bool(np.all(np.abs(rs[nonzero] - 1.0) < tol))


def _symmetric_similar(W: sp.csr_matrix):
    """A symmetric matrix similar to W, or None.

    W itself when symmetric; ``D^1/2 W D^-1/2`` when W = D^-1 C with C symmetric and binary (the usual
    row-standardised contiguity, where ``1/d_i`` is the common weight of row i). Its eigenvalues are W's
    but come from the stable symmetric solver, and are real.
    """
    if (abs(W - W.T) > 1e-12).nnz == 0:
        return W
    d = np.ones(W.shape[0])
    mx = W.max(axis=1).toarray().ravel()
    d[mx > 0] = 1.0 / mx[mx > 0]
    C = sp.diags(d) @ W
    if (abs(C - C.T) > 1e-9 * max(1.0, abs(C).max())).nnz:
        return None
    s = np.sqrt(d)
    return sp.diags(s) @ W @ sp.diags(1.0 / s)


def one_blas_thread():
    """Context limiting BLAS to one thread (threadpoolctl, when installed).

    Moderate dense eigenproblems gain little from threads, and with several processes on a small
    machine (pytest-xdist, pipelines) OpenBLAS threads oversubscribe the cores: measured 4-40x
    slower ``eigvalsh`` at n = 400-1,000 on this 2-core machine under load.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn (esda's dependency)
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def eigenvalues(W: sp.spmatrix) -> np.ndarray:
    """All eigenvalues of W (dense; real when W is symmetric or similar to symmetric, else complex)."""
    W = sp.csr_matrix(W)
    S = _symmetric_similar(W)
    if S is not None:
        with one_blas_thread():
            return np.linalg.eigvalsh(S.toarray())
    with one_blas_thread():
        ev = np.linalg.eigvals(W.toarray())
    if np.max(np.abs(ev.imag)) < 1e-10:
        return np.sort(ev.real)
    return ev


def extreme_eigenvalues(W: sp.spmatrix) -> tuple[float, float]:
    """Smallest and largest real eigenvalue of a sparse W (ARPACK), for the parameter space."""
    W = sp.csr_matrix(W, dtype=np.float64)
    n = W.shape[0]
    if n < 50:
        ev = eigenvalues(W)
        return float(np.min(ev.real)), float(np.max(ev.real))
    S = _symmetric_similar(W)
    if S is not None:
        lo = spla.eigsh(S, k=1, which="SA", return_eigenvectors=False, tol=1e-8)[0]
        hi = spla.eigsh(S, k=1, which="LA", return_eigenvectors=False, tol=1e-8)[0]
        return float(lo), float(hi)
    lo = spla.eigs(W, k=1, which="SR", return_eigenvectors=False, tol=1e-8)[0].real
    hi = spla.eigs(W, k=1, which="LR", return_eigenvectors=False, tol=1e-8)[0].real
    return float(lo), float(hi)


class PowerTraces:
    """Estimates of ``t_k = tr(W^k) / n``, extended on demand (LeSage and Pace 2009, sec. 4.3).

    ``t_0 = 1``; ``t_1`` and ``t_2 = sum_ij W_ij W_ji / n`` are exact; higher orders use Hutchinson's
    estimator ``mean(u' W^k u) / n`` over ``probes`` seeded Rademacher vectors, whose relative error
    shrinks like ``1 / sqrt(probes * n)`` for sparse weights. The probe block is kept so that
    ``upto(m)`` only pays for the orders not yet computed. Used for approximate log-determinants,
    the information-matrix traces of ML at large N, and the effects of large-N models.
    """

    def __init__(self, W: sp.spmatrix, probes: int = 32, seed: int = 0):
        self.W = sp.csr_matrix(W, dtype=np.float64)
        self.n = n = self.W.shape[0]
        self.probes = probes
        rng = np.random.default_rng(seed)
        self._U = rng.choice(np.array([-1.0, 1.0]), size=(n, probes))
        self._V = self._U
        self._t = [1.0]

    def upto(self, m: int) -> np.ndarray:
        """``t_0 .. t_m``."""
        while len(self._t) <= m:
            self._V = self.W @ self._V
            self._t.append(float(np.einsum("ij,ij->", self._U, self._V)) / (self.n * self.probes))
        t = np.array(self._t[: m + 1])
        if m >= 1:
            t[1] = self.W.diagonal().sum() / self.n
        if m >= 2:
            t[2] = self.W.multiply(self.W.T).sum() / self.n
        return t

    def logdet(self, rho: float, order: int = 60) -> float:
        """Barry and Pace (1999) series ``-n sum_k rho^k t_k / k`` truncated at ``order``."""
        t = self.upto(order)
        k = np.arange(1, order + 1)
        return float(-self.n * np.sum(rho**k * t[1:] / k))

    def resolvent_traces(self, rho: float, order: int | None = None) -> tuple[float, float]:
        """``tr(W A^-1)`` and ``tr((W A^-1)^2)`` with ``A = I - rho W`` (power series)."""
        if order is None:
            order = series_order(abs(rho))
        t = self.upto(order + 2)
        k = np.arange(order + 1)
        r = rho**k
        return float(self.n * np.sum(r * t[1:order + 2])), float(self.n * np.sum((k + 1) * r * t[2:order + 3]))


def series_order(rho_abs: float, tol: float = 1e-10, lo: int = 30, hi: int = 300) -> int:
    """Terms of a power series in rho needed for ``rho^m < tol`` (clipped to [lo, hi])."""
    if rho_abs <= 0:
        return lo
    return int(np.clip(np.ceil(np.log(tol) / np.log(min(rho_abs, 0.999))), lo, hi))


def chebyshev_traces(W: sp.spmatrix, order: int, probes: int = 50, seed: int = 0) -> np.ndarray:
    """Estimates of ``tr(T_k(W)) / n`` for the Chebyshev polynomials, k = 0..order (Pace and LeSage 2004).

    Exact for k <= 2 (``T_2 = 2 W^2 - I``), Hutchinson's estimator with Rademacher probes beyond.
    """
    W = sp.csr_matrix(W, dtype=np.float64)
    n = W.shape[0]
    rng = np.random.default_rng(seed)
    U = rng.choice(np.array([-1.0, 1.0]), size=(n, probes))
    out = np.empty(order + 1)
    prev, cur = U, W @ U
    for k in range(order + 1):
        if k > 1:
            prev, cur = cur, 2.0 * (W @ cur) - prev
        out[k] = 1.0 if k == 0 else np.einsum("ij,ij->", U, cur) / (n * probes)
    if order >= 1:
        out[1] = W.diagonal().sum() / n
    if order >= 2:
        out[2] = 2.0 * W.multiply(W.T).sum() / n - 1.0
    return out


def filter_lu(W: sp.spmatrix, rho: float):
    """SuperLU factorisation of ``I - rho W``: minimum-degree ordering on ``A' + A`` and symmetric mode,
    which suit the (structurally symmetric) contiguity graphs: half the fill of COLAMD on a grid."""
    A = (sp.identity(W.shape[0], format="csc") - rho * W).tocsc()
    return spla.splu(A, permc_spec="MMD_AT_PLUS_A", options={"SymmetricMode": True})


class LogDet:
    """Callable ``ld(rho) -> log|I - rho W|`` for one weights matrix.

    Attributes
    ----------
    method : str
        ``"eigen"``, ``"lu"``, ``"chebyshev"`` or ``"mc"`` (what was actually used).
    bounds : tuple of float
        ``(rho_min, rho_max)``: ``(1/lambda_min, 1/lambda_max)`` from the eigenvalues when they are known
        (eigen method, or non-row-standardised W via ARPACK), else ``(-1, 1)`` for row-standardised W.
    n : int
        Number of regions.
    eigenvalues : ndarray or None
        All eigenvalues (eigen method only).
    """

    def __init__(self, W: sp.spmatrix, method: str = "auto", *, order: int | None = None,
                 probes: int = 50, seed: int = 0):
        W = sp.csr_matrix(W, dtype=np.float64)
        if W.shape[0] != W.shape[1]:
            raise WeightsError(f"the weights matrix must be square, got shape {W.shape}")
        self.W = W
        self.n = W.shape[0]
        self.method = choose_method(self.n, method)
        self.eigenvalues = None
        self._cache: dict[float, float] = {}
        self._row_std = is_row_standardised(W)
        if self.method == "eigen":
            ev = eigenvalues(W)
            self.eigenvalues = ev
            lo, hi = float(np.min(ev.real)), float(np.max(ev.real))
            self.bounds = (1.0 / lo if lo < 0 else -np.inf, 1.0 / hi)
        elif self._row_std:
            self.bounds = (-1.0, 1.0)
        else:
            lo, hi = extreme_eigenvalues(W)
            self.bounds = (1.0 / lo if lo < 0 else -np.inf, 1.0 / hi)
        if self.method in ("chebyshev", "mc"):
            if not self._row_std:
                raise ConfigError(
                    f"logdet method {self.method!r} needs a row-standardised W (eigenvalues in [-1, 1]); "
                    "use logdet='lu' or build the weights with transform='r'"
                )
            self.order = order or (40 if self.method == "chebyshev" else 100)
            if self.method == "chebyshev":
                self.traces = chebyshev_traces(W, self.order, probes=probes, seed=seed) * self.n
            else:
                self.power_traces = PowerTraces(W, probes=probes, seed=seed)
        if self.method == "lu":
            self._Wc = W.tocsc()

    def factor(self, rho: float):
        """Sparse LU factorisation of ``I - rho W`` (see :func:`filter_lu`)."""
        return filter_lu(self._Wc if self.method == "lu" else self.W, rho)

    def __call__(self, rho: float) -> float:
        rho = float(rho)
        if rho == 0.0:
            return 0.0
        if rho in self._cache:
            return self._cache[rho]
        if self.method == "eigen":
            ev = self.eigenvalues
            if np.iscomplexobj(ev):
                val = float(np.sum(np.log(1.0 - rho * ev)).real)
            else:
                val = float(np.sum(np.log(np.abs(1.0 - rho * ev))))
        elif self.method == "lu":
            lu = filter_lu(self._Wc, rho)
            val = float(np.sum(np.log(np.abs(lu.U.diagonal()))))
        elif self.method == "mc":
            val = self.power_traces.logdet(rho, self.order)
        else:
            val = self._chebyshev(rho)
        if len(self._cache) > 512:
            self._cache.clear()
        self._cache[rho] = val
        return val

    def _chebyshev(self, rho: float) -> float:
        q = self.order
        j = np.arange(q + 1)
        x = np.cos(np.pi * (np.arange(1, q + 2) - 0.5) / (q + 1))
        f = np.log(1.0 - rho * x)
        c = (2.0 / (q + 1)) * (np.cos(np.outer(j, np.arccos(x))) @ f)
        c[0] *= 0.5
        return float(c @ self.traces)

    def __repr__(self) -> str:
        return f"LogDet(n={self.n}, method={self.method!r}, bounds=({self.bounds[0]:.4g}, {self.bounds[1]:.4g}))"


def logdet(W: sp.spmatrix, method: str = "auto", **kwargs) -> LogDet:
    """Log-determinant ``log|I - rho W|`` of the spatial filter as a callable.

    Parameters
    ----------
    W : scipy.sparse matrix
        n x n spatial weights (rows and columns in region order).
    method : {"auto", "eigen", "lu", "chebyshev", "mc"}
        ``"auto"`` uses dense eigenvalues up to ``EIGEN_MAX_N`` regions, exact sparse LU up to
        ``LU_MAX_N``, and the Chebyshev approximation beyond; the choice is in ``.method``.
    **kwargs
        ``order``, ``probes``, ``seed`` for the approximations.

    Returns
    -------
    LogDet
        ``ld(rho)`` gives the value; ``ld.method`` and ``ld.bounds`` say how and where.

    Examples
    --------
    >>> ld = logdet(W)                       # doctest: +SKIP
    >>> ld(0.4), ld.method, ld.bounds        # doctest: +SKIP
    """
    return LogDet(W, method, **kwargs)
