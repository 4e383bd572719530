"""Hot and cold spots: local Getis-Ord G_i and G_i*."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._errors import InputError
from .._result import Result
from . import _core, arrays, multitest
from .local import check_local_args

LEVELS = (0.10, 0.05, 0.01)  # bins 1, 2, 3: 90 / 95 / 99 % confidence (ArcGIS "Gi_Bin")
BIN_NAMES = {3: "hot 99%", 2: "hot 95%", 1: "hot 90%", 0: "ns", -1: "cold 90%", -2: "cold 95%", -3: "cold 99%"}


@dataclass(repr=False)
class GetisOrdResult(Result):
    """Local G_i / G_i* for every region.

    Attributes
    ----------
    frame : pandas.DataFrame
        Index = region id. Columns ``value``, ``G``, ``E_G`` and ``V_G`` (analytic moments),
        ``z`` (analytic, Ord & Getis 1995), ``p_norm``, ``p_sim`` (permutation, NaN when
        ``permutations=0``), ``p_adjusted`` (of the p-value used, see ``inference``),
        ``bin`` (-3..3 after correction: cold/hot at 99/95/90 %, 0 = not significant),
        ``bin_uncorrected``, ``label`` ("hot", "cold", "ns" or "island" at ``alpha``, after
        correction) and ``label_uncorrected``.
    star : bool
    transform : str
    inference : {"sim", "norm"}
        Which p-value the bins and labels use.
    """

    frame: pd.DataFrame
    variable: str
    star: bool
    transform: str
    permutations: int
    seed: int | None
    alpha: float
    correction: str | None
    inference: str
    alternative: str
    n: int
    n_islands: int
    island_ids: list
    sims: np.ndarray | None = None
    geometry: object = None

    def counts(self, corrected: bool = True) -> pd.Series:
        """Regions per bin (-3..3) after the correction (or uncorrected)."""
        col = "bin" if corrected else "bin_uncorrected"
        counts = self.frame.loc[self.frame["label"] != "island", col].value_counts()
        counts = counts.reindex(sorted(BIN_NAMES, reverse=True), fill_value=0)
        counts.index = [BIN_NAMES[b] for b in counts.index]
        return counts.rename("regions")

    def to_frame(self):
        """The frame, as a GeoDataFrame with the input's geometry when there was one."""
        return _core.with_geometry(self.frame.copy(), self.geometry)

    def summary(self) -> str:
        name = "G_i*" if self.star else "G_i"
        table = pd.concat({"uncorrected": self.counts(False), "corrected": self.counts(True)}, axis=1)
        lines = [
            f"Getis-Ord {name}: {self.variable}  (n = {self.n}, islands = {self.n_islands}, weights '{self.transform}')",
            f"  bins use p_{self.inference}; correction '{self.correction or 'none'}' per confidence level:",
            *("    " + line for line in table.to_string().splitlines()),
            "  z: analytic (Ord & Getis 1995); bins: ArcGIS convention, sign of z, 90/95/99 %.",
        ]
        lines.append(f"  alternative: {self.alternative}.")
        if self.permutations:
            lines.append(f"  permutation: conditional (Anselin 1995), R = {self.permutations}, seed {self.seed};")
            lines.append(f"  {_core.CONVENTIONS}.")
        if self.n_islands:
            lines.append(_core.islands_line(self.island_ids))
        return "\n".join(lines)

    def plot(self, ax=None, **kwargs):
        """Hot-spot map of the bins (needs geometry in the input data); keywords go to
        :func:`~spatialcluster.plot.hotspot_map`."""
        from ..plot import hotspot_map

        return hotspot_map(self, ax=ax, **kwargs)

    def to_record(self) -> dict:
        """Kind, variable, n, settings and the regions per bin (corrected and uncorrected)."""
        return {
            "kind": f"Getis-Ord {'G_i*' if self.star else 'G_i'}", "variable": self.variable, "n": int(self.n),
            "n_islands": int(self.n_islands), "transform": self.transform, "permutations": int(self.permutations),
            "seed": self.seed, "alpha": float(self.alpha), "correction": self.correction,
            "inference": self.inference, "alternative": self.alternative,
            "counts": _core.counts_record(self.counts(True)),
            "counts_uncorrected": _core.counts_record(self.counts(False)),
        }


def getis_ord(data, column, w, star=True, permutations=999, seed=None, alpha=0.05, correction=None,
              transform="r", alternative="two-sided", inference=None, keep_simulations=False,
              progress=None, engine=None, client=None):
    """Local Getis-Ord statistics G_i and G_i* (Getis & Ord 1992; Ord & Getis 1995).

    ``G_i* = sum_j w_ij x_j / sum_j x_j`` with the region itself among its neighbours
    (``star=True``), ``G_i = sum_{j != i} w_ij x_j / sum_{j != i} x_j`` without it.

    Parameters
    ----------
    data, column, w
        As in :func:`spatialcluster.local_moran`.
    star : bool, default True
        G_i* (hot-spot analysis as in ArcGIS) or G_i.
    permutations : int, default 999
        Conditional permutations for ``p_sim`` (0: analytic inference only).
    seed : int, optional
    alpha : float, default 0.05
        Level of the ``label`` column (the bins always use 90/95/99 %).
    correction : {None, "fdr", "bonferroni", "fdr_bound"}
        Applied separately at each confidence level of the bins (as ArcGIS's FDR option).
    transform : {"r", "b"}
        Row-standardised (esda's default; G values equal esda's ``G_Local``) or binary weights.
        Both rescale each row of ``w`` by a constant, which leaves z, p and the bins unchanged, so
        these do not depend on ``transform`` and use the weights as given (graded weights such
        as inverse distance included). ``"b"`` is refused for graded weights, where it would
        replace every weight by 1 (esda's ``G_Local`` does that silently).
    alternative : {"two-sided", "greater", "less", "directed"}
    inference : {"sim", "norm"}, optional
        p-value behind the bins and labels; default "sim" with permutations, else "norm".
    keep_simulations, progress, engine, client
        As in :func:`spatialcluster.local_moran`.

    Returns
    -------
    GetisOrdResult

    Notes
    -----
    The analytic variance is the general-weights form of Ord & Getis (1995, eq. 9),
    ``(N S1_i - W_i^2) / (N - 1)``; esda's ``G_Local`` uses ``W_i (N - W_i) / (N - 1)``, which is
    the same for binary weights only, so its z-scores change with the transform while these
    do not (they equal esda's with ``transform="B"``). G is a ratio to the total and is meant for
    non-negative variables; z and p remain valid for any sign, but a total of zero is refused.

    References
    ----------
    Getis, A., Ord, J. K. (1992). The analysis of spatial association by use of distance
    statistics. Geographical Analysis 24(3), 189-206.
    Ord, J. K., Getis, A. (1995). Local spatial autocorrelation statistics: distributional issues
    and an application. Geographical Analysis 27(4), 286-306.
    """
    permutations, alpha, correction, alternative = check_local_args(
        permutations, alpha, correction, alternative, minimum=0)
    if transform not in ("r", "b"):
        raise InputError(f"transform must be 'r' (row-standardised) or 'b' (binary), got {transform!r}")
    inference = inference or ("sim" if permutations else "norm")
    if inference not in ("sim", "norm") or (inference == "sim" and not permutations):
        raise InputError(f"inference={inference!r} needs to be 'norm', or 'sim' with permutations > 0")
    aligned, (x,), W, _ = _core.prepare(data, w, [column])
    out = arrays.getis_ord(x, W, permutations, seed, star=star, transform=transform, ids=aligned.index,
                           alternative=alternative, keep_simulations=keep_simulations, engine=engine, client=client,
                           progress=progress, label=f"Getis-Ord ({column})", name=column)
    island, z, p_norm, p_sim = out["island"], out["z"], out["p_norm"], out["p_sim"]
    p = p_sim if inference == "sim" else p_norm
    sign = np.sign(np.nan_to_num(z))
    bins = {}
    for key, corr in (("bin", correction), ("bin_uncorrected", None)):
        level = sum(multitest.significant(p, corr, a).astype(int) for a in LEVELS)
        bins[key] = (sign * level).astype(int)
    p_adj, threshold = multitest.adjust(p, correction, alpha)

    def labels(sig):
        lab = np.where(sig, np.where(sign > 0, "hot", "cold"), "ns")
        return np.where(island, "island", lab).astype(object)

    with np.errstate(invalid="ignore"):
        frame = pd.DataFrame(
            {
                "value": x, "G": out["G"], "E_G": out["E_G"], "V_G": out["V_G"], "z": z, "p_norm": p_norm,
                "p_sim": p_sim,
                "p_adjusted": p_adj, "bin": bins["bin"], "bin_uncorrected": bins["bin_uncorrected"],
                "label": labels(p_adj <= threshold), "label_uncorrected": labels(p <= alpha),
            },
            index=aligned.index.copy(),
        )
    return GetisOrdResult(
        frame=frame, variable=str(column), star=bool(star), transform=transform,
        permutations=permutations, seed=out["seed"], alpha=alpha, correction=correction,
        inference=inference, alternative=alternative, n=x.shape[0], n_islands=int(island.sum()),
        island_ids=list(aligned.index[island]), sims=out["sims"], geometry=_core.geometry_of(aligned),
    )
