"""Array-level statistics: values and a SciPy sparse weights matrix in, numbers out.

The DataFrame functions (:func:`spatialcluster.local_moran`, :func:`~spatialcluster.getis_ord`,
:func:`~spatialcluster.local_geary`, :func:`~spatialcluster.moran`, :func:`~spatialcluster.geary`)
check and align the data, call these for the numbers and build their results. Users whose values
are arrays (tens of millions of grid cells that never become a DataFrame) call them directly, on
this machine or on their own Dask cluster (``engine="dask"``, ``client=``): the numbers are those
of the DataFrame functions for the same seed, bit for bit.

Values are in the order of W's rows. ``ids`` (one per row, optional) ties the random draws to the
ids rather than to the positions, as the DataFrame functions do with the region ids: the same
seed then gives the same p-values whatever the order of the rows.

Local functions return a dict with, per observation: ``observed`` (the statistic), ``mean`` and
``sd`` of its permuted values, ``z_sim`` ((observed - mean) / sd), ``n_ge`` / ``n_le`` (permuted
values at least / at most as large, ties within the kernels' tolerance counting on both sides),
``p_sim``, ``island`` (no neighbour), plus ``seed`` and ``sims`` (n x permutations, or None).
Global functions return the fields of :class:`~spatialcluster.stats.global_.GlobalResult`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .. import _validate
from .._errors import InputError
from . import _core
from ._moments import difference_form, geary_moments, moran_moments
from .engine import NumbaEngine, resolve_engine


def check_arrays(values, W):
    """(float values, CSR W) or an InputError when they do not fit together or are not finite."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim not in (1, 2) or not sp.issparse(W) or W.shape != (values.shape[0],) * 2:
        raise InputError(
            f"need a value vector of length N and an N x N sparse weights matrix; got values of shape "
            f"{values.shape} and weights of shape {getattr(W, 'shape', None)}"
        )
    bad = ~np.isfinite(values).reshape(values.shape[0], -1).all(axis=1)
    if bad.any():
        raise InputError(f"values at positions {_validate._names(np.flatnonzero(bad))} are not finite numbers")
    return values, sp.csr_matrix(W)


def run_by_id(engine, ids, off, selfw, values, scale, permutations, seed, **kwargs):
    """``engine.local_permutations`` with the observations in id order, results in row order.

    The kernels key each observation's stream and each block's draw table by position; running
    them in id order (``_core.id_order``) makes an observation's p-value depend on its id and the
    seed, not on where its row happens to be. ``ids`` None keeps the positions.
    """
    order = None if ids is None else _core.id_order(ids)
    scale = np.broadcast_to(scale, values.shape[:1])
    if order is None:
        return engine.local_permutations(off, selfw, values, scale, permutations, seed, **kwargs)
    out = engine.local_permutations(_core.reorder(off, order), selfw[order], values[order], scale[order],
                                    permutations, seed, **kwargs)
    for key, arr in out.items():
        if arr.shape[0]:
            back = np.empty_like(arr)
            back[order] = arr
            out[key] = back
    return out


def _local(engine, ids, off, selfw, values, scale, permutations, seed, alternative, keep, label, progress,
           squared=False):
    """Checked arguments, the id-ordered permutations and the p-values of a local statistic."""
    permutations = _core.check_permutations(permutations, minimum=1)
    alternative = _core.check_alternative(alternative)
    seed = _core.resolve_seed(seed)
    out = run_by_id(engine, ids, off, selfw, values, scale, permutations, seed, keep=keep, label=label,
                    progress=progress, squared=squared)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["z_sim"] = (out["observed"] - out["mean"]) / out["sd"]
    out["p_sim"] = _core.pseudo_p(out["n_ge"], out["n_le"], permutations, alternative)
    out["sims"] = out["sims"] if keep else None
    out["seed"] = seed
    out["island"] = _core.island_mask(off)
    return out


def local_moran(x, W, permutations=999, seed=None, *, y=None, ids=None, alternative="two-sided",
                keep_simulations=False, engine=None, client=None, progress=None, label="Local Moran's I"):
    """Local Moran's I (Anselin 1995), or bivariate with ``y`` (Anselin, Syabri & Smirnov 2002).

    ``I_i = (n - 1) zx_i sum_j w_ij zy_j / sum_k zx_k^2`` with the values standardised with
    ddof = 0 (zy = zx without ``y``); the neighbours' ``zy`` are permuted conditionally on i.

    Parameters
    ----------
    x : ndarray
        The variable, in the order of ``W``'s rows.
    W : scipy.sparse matrix
        The weights as used (``sc.build_weights`` row-standardises); a diagonal is held fixed.
    permutations, seed, alternative, keep_simulations, progress
        As in :func:`spatialcluster.local_moran`; seed None draws one (returned under ``"seed"``).
    y : ndarray, optional
        The lagged variable of the bivariate statistic.
    ids : sequence, optional
        One id per row: the draws follow the ids (see the module's notes).
    engine, client
        ``"numba"`` (default), ``"dask"`` with ``client`` or the running client, or an engine
        object from :mod:`spatialcluster.stats.engine` (e.g. ``DaskEngine(client, chunk_size=)``).
    label : str
        Progress bar text.

    Returns
    -------
    dict
        The local outputs (module notes) plus ``std`` (standardised x) and ``lag`` (W zy).

    References
    ----------
    Anselin, L. (1995). Local indicators of spatial association - LISA. Geographical Analysis
    27(2), 93-115.
    """
    x, W = check_arrays(x, W)
    engine = resolve_engine(engine, client)
    off, selfw = _core.split_diagonal(W)
    zx = _core.standardise(x)
    zy = zx if y is None else _core.standardise(check_arrays(y, W)[0])
    scale = (x.shape[0] - 1) * zx / (zx @ zx)
    out = _local(engine, ids, off, selfw, zy, scale, permutations, seed, alternative, keep_simulations, label,
                 progress)
    out.update(std=zx, lag=W @ zy)
    return out


def local_geary(X, W, permutations=999, seed=None, *, ids=None, alternative="two-sided", keep_simulations=False,
                engine=None, client=None, progress=None, label="Local Geary's c"):
    """Local Geary's c (Anselin 1995), multivariate for an n x m ``X`` (Anselin 2019).

    ``c_i = (1 / m) sum_v sum_j w_ij (z_vi - z_vj)^2`` with every column standardised with
    ddof = 0; a region's m values are permuted together. Parameters as :func:`local_moran`.

    Returns
    -------
    dict
        The local outputs (module notes) plus ``std`` (n x m standardised values), ``lag``
        (W z of the first column) and ``expected`` (the exact mean of c_i under conditional
        permutation).

    References
    ----------
    Anselin, L. (2019). A local indicator of multivariate spatial association: extending Geary's c.
    Geographical Analysis 51(2), 133-150.
    """
    X, W = check_arrays(X, W)
    engine = resolve_engine(engine, client)
    off, selfw = _core.split_diagonal(W)
    columns = X.reshape(X.shape[0], -1)
    n, m = columns.shape
    Z = np.column_stack([_core.standardise(columns[:, c]) for c in range(m)])
    out = _local(engine, ids, off, selfw, Z, 1.0 / m, permutations, seed, alternative, keep_simulations, label,
                 progress, squared=True)
    # E[(z_vi - z_vJ)^2] over a uniform J != i is n (z_vi^2 + 1) / (n - 1) for standardised z
    expected = np.asarray(off.sum(axis=1)).ravel() * (n / (n - 1)) * ((Z**2).sum(axis=1) + m) / m
    out.update(std=Z, lag=W @ Z[:, 0], expected=expected)
    return out


def star_weights(W: sp.csr_matrix, star: bool, transform: str, ids=None):
    """Off-diagonal weights and self-weights for G_i (no self) or G_i* (self included).

    For G_i* without a self-weight in ``w`` the self-weight is the row's largest weight (1 for
    binary contiguity), esda's convention; then rows are standardised ("r") or binarised ("b").
    Binarising is refused for weights that are not binary up to a factor per row (inverse
    distance, kernels): it would replace them by 1 and change z, p and the bins.
    """
    off, diag = _core.split_diagonal(W)
    if transform == "b":
        full = np.diff(off.indptr) > 0
        starts = off.indptr[:-1][full]
        spread = np.zeros(off.shape[0])
        spread[full] = np.maximum.reduceat(off.data, starts) - np.minimum.reduceat(off.data, starts)
        graded = spread > 1e-12 * np.abs(off.data).max()
        if graded.any():
            where = np.flatnonzero(graded) if ids is None else ids[graded]
            raise InputError(
                f"transform='b' would replace graded weights by 1: the weights differ within the rows of "
                f"{int(graded.sum())} region(s) ({_validate._names(where, 5)}), e.g. inverse distance or a "
                "kernel. Use transform='r' (G_i and its z, p and bins then use the weights as given), or "
                "build binary weights."
            )
    if not star:
        diag = np.zeros_like(diag)
    elif not diag.any():
        diag = np.asarray(off.max(axis=1).todense()).ravel()
    if transform == "b":
        off = off.copy()
        off.data[:] = 1.0
        diag = (diag != 0).astype(float)
    else:
        rows = np.asarray(off.sum(axis=1)).ravel() + diag
        inv = np.divide(1.0, rows, out=np.zeros_like(rows), where=rows != 0)
        off = sp.csr_matrix(sp.diags(inv) @ off)
        off.sort_indices()
        diag = diag * inv
    return off, diag


def getis_ord(x, W, permutations=999, seed=None, *, star=True, transform="r", ids=None, alternative="two-sided",
              keep_simulations=False, engine=None, client=None, progress=None, label="Getis-Ord", name="values"):
    """Local G_i* (``star``) or G_i with analytic moments and, with permutations, conditional inference.

    ``G_i* = sum_j w_ij x_j / sum_j x_j`` (self included), ``G_i`` without the self term and with
    the total taken over the others (Getis & Ord 1992); weights prepared by :func:`star_weights`.
    ``name`` names the variable in errors. Other parameters as :func:`local_moran`
    (``permutations=0``: analytic inference only, and no engine is needed).

    Returns
    -------
    dict
        ``G``, ``E_G``, ``V_G``, ``z``, ``p_norm`` (Ord & Getis 1995, NaN for islands),
        ``island``, ``seed`` and, with permutations, the local outputs (``p_sim`` NaN without).
        References and the notes on the variance as in :func:`spatialcluster.getis_ord`.
    """
    x, W = check_arrays(x, W)
    alternative = _core.check_alternative(alternative)
    n = x.shape[0]
    off, selfw = star_weights(W, bool(star), transform, None if ids is None else pd.Index(ids))
    island = _core.island_mask(off)
    total = x.sum()
    others = n if star else n - 1
    denom = total if star else total - x
    if np.any(np.isclose(denom, 0.0, atol=1e-12 * np.abs(x).sum())):
        raise InputError(
            f"column {name!r} sums to (about) zero{'' if star else ' without some region'}: Getis-Ord G "
            "divides by that total. Use a non-negative level variable (or shift it), not a centred one."
        )
    G = (off @ x + selfw * x) / denom
    # moments (Ord & Getis 1995) over the N values each G_i is compared with
    sum_x = total - (0 if star else x)
    sum_x2 = (x**2).sum() - (0 if star else x**2)
    mean = sum_x / others
    var = sum_x2 / others - mean**2
    w_i = np.asarray(off.sum(axis=1)).ravel() + selfw
    s1_i = np.asarray(off.multiply(off).sum(axis=1)).ravel() + selfw**2
    e_g = w_i / others
    v_g = (others * s1_i - w_i**2) / (others - 1) / others**2 * var / mean**2
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (G - e_g) / np.sqrt(v_g)
    out = {"seed": None, "sims": None, "p_sim": np.full(n, np.nan)}
    if permutations:
        out = _local(resolve_engine(engine, client), ids, off, selfw, x, 1.0 / np.broadcast_to(denom, (n,)),
                     permutations, seed, alternative, keep_simulations, label, progress)
    p_norm = _core.normal_p(z, alternative)
    out.update(zip(("G", "E_G", "V_G", "z", "p_norm", "p_sim"),
                   (np.where(island, np.nan, a) for a in (G, e_g, v_g, z, p_norm, out["p_sim"]))))
    out["island"] = island
    return out


def global_inference(W, left, right, same, scale, stat, permutations, seed, alternative, label, progress=None,
                     engine=None, ids=None):
    """Permutation inference of ``stat = scale * left' W right``: (seed, sims, p_sim, z_sim).

    The seed is resolved (None draws one) only when there are permutations to run. The vectors
    are permuted in the order of ``ids`` (``_core.id_order``), so the draws do not depend on the
    order of the rows; permuted values within ``_core.tie_tolerance`` of the statistic are ties
    and count as at least as extreme.
    """
    if not permutations:
        return None, None, np.nan, np.nan
    seed = _core.resolve_seed(seed)
    order = None if ids is None else _core.id_order(ids)
    if order is not None:
        W, left, right = _core.reorder(W, order), left[order], right[order]
    engine = engine or NumbaEngine()
    sims = engine.global_permutations(W, left, right, permutations, seed, same, label, progress) * scale
    tol = _core.tie_tolerance(scale, W, left, right)
    n_ge = int((sims >= stat - tol).sum())
    n_le = int((sims <= stat + tol).sum())
    p_sim = float(_core.pseudo_p(n_ge, n_le, permutations, alternative))
    sd = sims.std()
    z_sim = float((stat - sims.mean()) / sd) if sd > 0 else np.nan
    return seed, sims, p_sim, z_sim


def _global_start(x, W, alternative, permutations, engine, client):
    """Checked inputs of a global statistic: (x, W, alternative, permutations, engine, off, centred x)."""
    x, W = check_arrays(x, W)
    alternative = _core.check_alternative(alternative)
    permutations = _core.check_permutations(permutations)
    off, _ = _core.split_diagonal(W)
    return x, W, alternative, permutations, resolve_engine(engine, client), off, x - x.mean()


def _global(stat, name, expected, var_norm, var_rand, inference, permutations, alternative, n, off):
    """The fields of a GlobalResult from a statistic, its moments and its permutation inference."""
    seed, sims, p_sim, z_sim = inference
    z_norm = (stat - expected) / np.sqrt(var_norm)
    z_rand = (stat - expected) / np.sqrt(var_rand) if var_rand > 0 else np.nan
    return {
        name: stat, "expected": expected, "variance_norm": float(var_norm), "variance_rand": float(var_rand),
        "z_norm": float(z_norm), "z_rand": float(z_rand), "p_norm": float(_core.normal_p(z_norm, alternative)),
        "p_rand": float(_core.normal_p(z_rand, alternative)), "p_sim": p_sim, "z_sim": z_sim,
        "permutations": permutations, "seed": seed, "n": n, "n_islands": int(_core.island_mask(off).sum()),
        "sim": sims,
    }


def moran(x, W, permutations=999, seed=None, *, y=None, ids=None, alternative="two-sided", engine=None,
          client=None, progress=None, label="Moran's I"):
    """Global Moran's I (Moran 1950; Cliff & Ord 1981), or bivariate with ``y`` (Wartenberg 1985).

    ``I = n / S0 * z' W z / z' z`` with ``z`` the centred values; bivariate
    ``I = (n / S0) zx' W zy / sqrt(zx' zx zy' zy)`` with ``y`` permuted (no analytic moments: NaN).
    Parameters as :func:`local_moran` (``permutations=0`` skips them).

    Returns
    -------
    dict
        ``I``, ``expected``, ``variance_norm``, ``variance_rand``, ``z_norm``, ``z_rand``,
        ``p_norm``, ``p_rand``, ``p_sim``, ``z_sim``, ``permutations``, ``seed``, ``n``,
        ``n_islands`` and ``sim`` (the permuted Is, or None).

    References
    ----------
    Cliff, A. D., Ord, J. K. (1981). Spatial Processes: Models and Applications. Pion.
    """
    x, W, alternative, permutations, engine, off, zx = _global_start(x, W, alternative, permutations, engine, client)
    n = x.shape[0]
    if y is None:
        ei, var_norm, var_rand, s0 = moran_moments(W, zx)
        zy, scale = zx, n / s0 / (zx @ zx)
    else:
        yv = check_arrays(y, W)[0]
        zy = yv - yv.mean()
        ei, var_norm, var_rand = 0.0, np.nan, np.nan
        scale = n / W.sum() / np.sqrt((zx @ zx) * (zy @ zy))
    I = float(scale * (zx @ (W @ zy)))
    inference = global_inference(W, zx, zy, y is None, scale, I, permutations, seed, alternative, label, progress,
                                 engine, ids)
    return _global(I, "I", ei, var_norm, var_rand, inference, permutations, alternative, n, off)


def geary(x, W, permutations=999, seed=None, *, ids=None, alternative="two-sided", engine=None, client=None,
          progress=None, label="Geary's C"):
    """Global Geary's C (Geary 1954): ``(n - 1) sum_ij w_ij (x_i - x_j)^2 / (2 S0 sum_i (x_i - xbar)^2)``.

    Parameters and returned fields as :func:`moran` (with ``C`` for ``I``; E[C] = 1).

    References
    ----------
    Geary, R. C. (1954). The contiguity ratio and statistical mapping. The Incorporated
    Statistician 5(3), 115-145.
    """
    x, W, alternative, permutations, engine, off, z = _global_start(x, W, alternative, permutations, engine, client)
    n = x.shape[0]
    var_norm, var_rand, s0 = geary_moments(W, z)
    coo = W.tocoo()
    C = float((n - 1) * (coo.data * (z[coo.row] - z[coo.col]) ** 2).sum() / (2 * s0 * (z @ z)))
    inference = global_inference(difference_form(W), z, z, True, -(n - 1) / (s0 * (z @ z)), C, permutations, seed,
                                 alternative, label, progress, engine, ids)
    return _global(C, "C", 1.0, var_norm, var_rand, inference, permutations, alternative, n, off)
