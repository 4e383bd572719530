"""Log-determinants: exact methods against dense slogdet and analytic eigenvalues; approximation error
of the Chebyshev (Pace and LeSage 2004) and Monte Carlo (Barry and Pace 1999) methods measured against
the exact sparse LU at N = 10,000."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from models_fixtures import (  # noqa: F401 (single_thread_blas is an autouse fixture)
    columbus_old_data,
    lattice,
    single_thread_blas,
    torus_eigenvalues,
)

from spatialcluster import ConfigError
from spatialcluster._validate import sparse_weights
from spatialcluster.models import logdet
from spatialcluster.models._logdet import EIGEN_MAX_N, choose_method


def _dense(W, rho):
    sign, val = np.linalg.slogdet(np.eye(W.shape[0]) - rho * W.toarray())
    assert sign > 0
    return val


@pytest.mark.parametrize("transform", ["r", None])
def test_exact_methods_columbus(columbus_old, transform):
    _, g = columbus_old_data(columbus_old, transform=transform)
    W = sparse_weights(g)
    eig, lu = logdet(W, "eigen"), logdet(W, "lu")
    lo, hi = eig.bounds
    for rho in np.linspace(lo * 0.95, hi * 0.95, 9):
        assert eig(rho) == pytest.approx(_dense(W, rho), abs=1e-10)
        assert lu(rho) == pytest.approx(_dense(W, rho), abs=1e-10)
    ev = np.linalg.eigvals(W.toarray()).real
    assert eig.bounds == pytest.approx((1 / ev.min(), 1 / ev.max()), rel=1e-10)
    if transform == "r":
        assert lu.bounds == (-1.0, 1.0)
    else:  # ARPACK extreme eigenvalues
        assert lu.bounds == pytest.approx(eig.bounds, rel=1e-7)


def test_asymmetric_weights_complex_eigenvalues():
    """Row-standardised k-nearest-neighbour weights are not similar to symmetric: complex eigenvalues."""
    rng = np.random.default_rng(0)
    pts = rng.uniform(size=(60, 2))
    d = np.linalg.norm(pts[:, None] - pts[None], axis=2)
    np.fill_diagonal(d, np.inf)
    nn = np.argsort(d, axis=1)[:, :3]
    W = sp.csr_matrix((np.full(180, 1 / 3), (np.repeat(np.arange(60), 3), nn.ravel())), shape=(60, 60))
    eig = logdet(W, "eigen")
    assert np.iscomplexobj(eig.eigenvalues)
    for rho in (-0.6, 0.3, 0.9):
        assert eig(rho) == pytest.approx(_dense(W, rho), abs=1e-10)
        assert logdet(W, "lu")(rho) == pytest.approx(_dense(W, rho), abs=1e-10)


def test_lu_against_analytic_torus_n10000():
    k = 100
    W = lattice(k, torus=True)
    lam = torus_eigenvalues(k)
    ld = logdet(W)
    assert ld.method == "lu" and ld.n == 10_000
    for rho in (-0.7, 0.3, 0.9):
        assert ld(rho) == pytest.approx(np.sum(np.log(1 - rho * lam)), rel=1e-10)


@pytest.fixture(scope="module")
def grid10k():
    W = lattice(100)  # planar 100 x 100 rook grid, row-standardised (not regular: edges and corners)
    return W, logdet(W, "lu")


@pytest.mark.parametrize("method,tol", [("chebyshev", 2e-3), ("mc", 2e-3)])
def test_approximation_error_n10000(grid10k, method, tol):
    """Relative error of the approximations against exact LU for |rho| <= 0.8 (measured: below 1.5e-3)."""
    W, exact = grid10k
    approx = logdet(W, method, seed=0)
    assert approx.method == method
    errs = [abs(approx(r) - exact(r)) / abs(exact(r)) for r in (-0.5, 0.2, 0.5, 0.8)]
    assert max(errs) < tol, errs


def test_approximate_ml_estimate_n10000(grid10k):
    """The SAR estimate of rho moves by less than 1e-3 when the exact log-determinant is replaced."""
    from scipy import optimize

    W, exact = grid10k
    n = W.shape[0]
    rng = np.random.default_rng(1)
    import scipy.sparse.linalg as spla

    y = spla.spsolve((sp.identity(n) - 0.5 * W).tocsc(), rng.normal(size=n))
    Wy = W @ y

    def rho_hat(ld):
        def negll(r):
            e = y - r * Wy
            e = e - e.mean()
            return 0.5 * n * np.log(e @ e / n) - ld(r)

        return optimize.minimize_scalar(negll, bounds=(-0.99, 0.99), method="bounded",
                                        options={"xatol": 1e-8}).x

    r0 = rho_hat(exact)
    for method in ("chebyshev", "mc"):
        assert abs(rho_hat(logdet(W, method)) - r0) < 1e-3


def test_auto_choice_and_errors():
    assert choose_method(EIGEN_MAX_N) == "eigen"
    assert choose_method(EIGEN_MAX_N + 1) == "lu"
    with pytest.raises(ConfigError, match="logdet method"):
        choose_method(10, "cholesky")
    C = lattice(5)
    C = (C > 0).astype(float)  # binary, not row-standardised
    with pytest.raises(ConfigError, match="row-standardised"):
        logdet(C, "chebyshev")
    assert "method='eigen'" in repr(logdet(C))
