"""Shared plumbing of the statistics: inputs, seeds, weights pieces and pseudo p-values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from .. import _validate
from .._errors import InputError, WeightsError

ALTERNATIVES = ("two-sided", "greater", "less", "directed")

CONVENTIONS = (
    "pseudo p = (M + 1) / (R + 1), M of R permuted values as extreme;\n"
    "  'two-sided' = twice the smaller tail (capped at 1), 'directed' = esda's/GeoDa's folded\n"
    "  one-tailed value (half of it)"
)


def as_graph(w):
    """Accept a libpysal Graph (or a legacy W, converted); anything else is a WeightsError."""
    from libpysal.graph import Graph

    if isinstance(w, Graph):
        return w
    try:
        from libpysal.weights import W
    except ImportError:  # pragma: no cover - libpysal always has it
        W = ()
    if isinstance(w, W):
        return Graph.from_W(w)
    raise WeightsError(
        f"weights must be a libpysal.graph.Graph (got {type(w).__name__}); build them with "
        "sc.build_weights(data, kind='queen')."
    )


def prepare(data, w, names):
    """Align ``data`` to ``w``; return (aligned data, list of value arrays, CSR weights, graph)."""
    w = as_graph(w)
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"data must be a (Geo)DataFrame indexed by region id, got {type(data).__name__}")
    aligned = _validate.align(data, w)
    values = [representable(aligned, name, _validate.column(aligned, name)) for name in names]
    if len(aligned) < 4:
        raise InputError(f"spatial statistics need at least 4 regions, got {len(aligned)}")
    W = _validate.sparse_weights(w)
    if W.nnz == 0:
        raise WeightsError("the weights have no links at all (every region is an island): nothing to test")
    return aligned, values, W, w


# Relative spread below which a column is constant to floating-point precision: standardising it
# would divide rounding noise by rounding noise.
CONSTANT_RTOL = 1e-12


def representable(aligned, name, x):
    """``x`` (column ``name`` of ``aligned``), refused when a statistic of it cannot be computed.

    Refused, naming the regions and the column: infinite values; values so large that a sum of
    centred fourth powers could overflow (Moran's randomisation variance needs it, the
    standardisation the squares); and columns constant up to :data:`CONSTANT_RTOL` of their
    magnitude. Overflow is refused rather than rescaled silently: the statistics are scale-free,
    so the user's rescaling loses nothing, and the reported values stay in the user's unit.
    """
    bad = ~np.isfinite(x)
    if bad.any():
        raise InputError(
            f"column {name!r} has infinite values for regions {_validate._names(aligned.index[bad])}; "
            "replace them with real values or drop those regions (and rebuild the weights)."
        )
    limit = (np.finfo(np.float64).max / (16 * x.shape[0])) ** 0.25
    big = np.abs(x) > limit
    if big.any():
        raise InputError(
            f"column {name!r} has values too large for the sums of their powers to stay finite (|value| > {limit:.3g}) "
            f"for regions {_validate._names(aligned.index[big])}; rescale the column (e.g. divide by a power "
            "of ten: the statistics do not depend on its unit) or correct those values."
        )
    spread = np.ptp(x)
    if spread <= CONSTANT_RTOL * np.abs(x).max():
        raise InputError(
            f"column {name!r} is constant to floating-point precision (all values within {spread:.3g} of "
            f"{x[0]!r}): it has no spatial pattern to test. Check the column, or use one that varies."
        )
    return x


def split_diagonal(W: sp.csr_matrix):
    """(off-diagonal CSR, diagonal) so permutation kernels never shuffle the self-weight."""
    diag = W.diagonal().astype(np.float64)
    off = sp.csr_matrix(W, dtype=np.float64)
    if not diag.any() and off.has_sorted_indices and off.data.all():
        return off, diag  # the usual case: no copy of a large W
    off = sp.csr_matrix(off - sp.diags(diag))
    off.eliminate_zeros()
    off.sort_indices()
    return off, diag


def islands_line(ids) -> str:
    """The summary line that names the islands (at most ten)."""
    return (f"  islands (no neighbours, NaN statistics): {', '.join(map(str, ids[:10]))}"
            + (" ..." if len(ids) > 10 else ""))


def island_mask(off: sp.csr_matrix) -> np.ndarray:
    """Regions with no neighbour other than themselves."""
    return np.diff(off.indptr) == 0


def id_order(ids):
    """Positions of the regions sorted by id (as text), or None when they already are.

    The kernels key their random streams and shared draw tables by position; running them in id
    order ties every region's draws to its id, so the same seed gives the same p-values whatever
    the order of the rows (and of the weights' ids).
    """
    order = pd.Index(ids).astype(str).argsort()  # ids are unique: no ties to order
    return None if (order == np.arange(order.shape[0])).all() else order


def reorder(W: sp.csr_matrix, order) -> sp.csr_matrix:
    """``W`` with rows and columns taken in ``order`` (sorted column indices, as the kernels need).

    Rows are gathered and column indices relabelled, about half the time of SciPy's column
    fancy indexing on a large W.
    """
    inv = np.empty_like(order)
    inv[order] = np.arange(order.shape[0])
    rows = sp.csr_matrix(W)[order]
    out = sp.csr_matrix((rows.data, inv[rows.indices], rows.indptr), shape=W.shape)
    out.sort_indices()
    return out


def tie_tolerance(scale, W, left, right) -> float:
    """Half-width within which a permuted ``scale * left' W right`` ties the observed one.

    ``TIE_RTOL`` of a bound on any permutation's magnitude (sum |w| max|left| max|right|): see
    :data:`~spatialcluster.stats._kernels.TIE_RTOL`.
    """
    from ._kernels import TIE_RTOL

    bound = abs(W).sum() * np.abs(left).max() * np.abs(right).max()
    return float(TIE_RTOL * abs(scale) * bound)


def resolve_seed(seed) -> int:
    """A concrete non-negative integer seed (fresh entropy when None), to be stored on results."""
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise InputError(f"seed must be an integer or None, got {seed!r}")
    return int(seed) % 2**64


def child_seed(seed: int, key: int) -> int:
    """Independent seed for sub-task ``key`` (a year, a column) derived from ``seed``."""
    return int(np.random.SeedSequence([seed % 2**63, key]).generate_state(1, np.uint64)[0])


def check_alternative(alternative):
    alias = {"lesser": "less"}
    alternative = alias.get(alternative, alternative)
    if alternative not in ALTERNATIVES:
        raise InputError(f"alternative={alternative!r} is not known; use one of {', '.join(ALTERNATIVES)}")
    return alternative


# A pseudo p-value cannot go below 1 / (R + 1): 10**7 permutations resolve 1e-7, finer than any
# (even Bonferroni-corrected) threshold, while the local kernels' draw tables grow as
# 12 bytes x neighbours x permutations per thread (about 0.7 GB at six neighbours and 10**7).
MAX_PERMUTATIONS = 10**7


def check_permutations(permutations, minimum=0):
    if isinstance(permutations, bool) or not isinstance(permutations, (int, np.integer)) or permutations < minimum:
        raise InputError(f"permutations must be an integer >= {minimum}, got {permutations!r}")
    if permutations > MAX_PERMUTATIONS:
        raise InputError(
            f"permutations={permutations} is more than the maximum of {MAX_PERMUTATIONS:,}: a pseudo p-value's "
            f"resolution 1 / (R + 1) is already 1e-7 there, and the draw tables would need "
            f"{12 * 6 * permutations / 2**30:,.0f} GiB per thread at six neighbours per region. Use 999 to "
            "99,999 permutations."
        )
    return int(permutations)


def pseudo_p(n_ge, n_le, permutations, alternative):
    """Permutation p-values from the counts of draws >= and <= the observed statistic."""
    n_ge = np.asarray(n_ge, dtype=float)
    n_le = np.asarray(n_le, dtype=float)
    r = float(permutations)
    if alternative == "greater":
        p = (n_ge + 1) / (r + 1)
    elif alternative == "less":
        p = (n_le + 1) / (r + 1)
    elif alternative == "two-sided":
        p = np.minimum(1.0, 2 * (np.minimum(n_ge, n_le) + 1) / (r + 1))
    else:  # directed: esda's count, the tail that holds fewer draws (R - n_ge draws are below)
        larger = np.where(r - n_ge < n_ge, r - n_ge, n_ge)
        p = (larger + 1) / (r + 1)
    return np.where(n_ge < 0, np.nan, p)


def normal_p(z, alternative):
    """Normal-approximation p-values for z-scores under the same alternatives."""
    z = np.asarray(z, dtype=float)
    if alternative == "greater":
        return stats.norm.sf(z)
    if alternative == "less":
        return stats.norm.cdf(z)
    if alternative == "two-sided":
        return 2 * stats.norm.sf(np.abs(z))
    return stats.norm.sf(np.abs(z))


def standardise(x):
    """(x - mean) / std with ddof = 0, as esda does for local statistics."""
    return (x - x.mean()) / x.std()


def geometry_of(data):
    """The GeoSeries of ``data`` if it is a GeoDataFrame with an active geometry, else None."""
    import geopandas as gpd

    if isinstance(data, gpd.GeoDataFrame) and data._geometry_column_name in data.columns:
        return data.geometry.copy()
    return None


def with_geometry(frame: pd.DataFrame, geometry):
    """``frame`` as a GeoDataFrame when the input had geometry (same CRS), else unchanged."""
    if geometry is None:
        return frame
    import geopandas as gpd

    return gpd.GeoDataFrame(frame, geometry=geometry.reindex(frame.index).to_numpy(), crs=geometry.crs)


def plain(value):
    """A NumPy scalar as the Python number it holds, NaN as None (for JSON records)."""
    value = value.item() if isinstance(value, np.generic) else value
    return None if isinstance(value, float) and np.isnan(value) else value


def counts_record(counts: pd.Series) -> dict:
    """``counts`` (regions per label) as a JSON-able {label: int}."""
    return {str(k): int(v) for k, v in counts.items()}
