"""Agglomeration and specialisation of industries across regions (long region x industry tables).

Industry side (where is an industry concentrated?): the Ellison-Glaeser index and pairwise
co-agglomeration, the locational Gini, the Herfindahl index, Hoover's coefficient and Krugman's
dissimilarity between industries. Region side (how specialised is a region?): Krugman's
specialisation index against the nation, against the rest of the nation, and between regions.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._errors import InputError
from .._result import Result
from .._validate import _names
from ._common import frame_record, industry_matrix, numeric, require_columns
from ._concentration import (
    coagglomeration,
    eg_class,
    eg_gamma,
    hoover,
    herfindahl,
    krugman_nation,
    krugman_rest,
    locational_gini,
    pairwise_l1,
)

VARIANTS = {
    "plants": "plant Herfindahl H_j from plant sizes (Ellison & Glaeser 1997, eq. 5)",
    "equal_plants": "H_j = 1/N_j from plant counts (equal plant sizes assumed)",
    "no_plants": "H_j = 0 (no plant data: gamma = G / (1 - sum x^2), which ignores concentration in few "
                 "plants and so overstates localisation where a few large plants dominate)",
}


class Agglomeration(Result):
    """Agglomeration indices by industry and specialisation by region.

    Attributes
    ----------
    industries : pandas.DataFrame
        Indexed by industry: ``total``, ``G`` (raw concentration), ``H`` (plant Herfindahl used),
        ``gamma`` (Ellison-Glaeser), ``eg_class`` (low < 0.02 <= moderate < 0.05 <= high),
        ``gini`` (locational Gini), ``herfindahl`` (regional Herfindahl of the industry's shares),
        ``hoover`` and ``krugman`` (Krugman's dissimilarity from total employment, 2 x Hoover).
    regions : pandas.DataFrame
        Indexed by region: ``total``, ``share`` (x_i), ``krugman_nation`` and ``krugman_rest``.
    coagglomeration : pandas.DataFrame
        Indexed by industry pair ``"a & b"``: ``gamma_c`` (a property, computed when read).
    variant : str
        Which EG variant was computed (key of :data:`VARIANTS`).
    matrix : pandas.DataFrame
        The region x industry table used.
    """

    def __init__(self, industries, regions, variant, matrix, x):
        self.industries, self.regions = industries, regions
        self.variant, self.matrix, self._x = variant, matrix, x

    @property
    def coagglomeration(self) -> pd.DataFrame:
        """Pairwise co-agglomeration, indexed by ``"a & b"`` (computed on access: m(m-1)/2 pairs)."""
        s = (self.matrix / self.matrix.sum(axis=0)).to_numpy()
        c = coagglomeration(s, self._x)
        a, b = np.triu_indices(c.shape[0], k=1)
        names = self.matrix.columns.astype(str).to_numpy()
        index = pd.Index(np.char.add(np.char.add(names[a], " & "), names[b]), name="pair")
        return pd.DataFrame({"gamma_c": c[a, b]}, index=index)

    def counts(self) -> pd.Series:
        """Industries per EG class (low, moderate, high)."""
        return self.industries["eg_class"].value_counts().reindex(["low", "moderate", "high"], fill_value=0)

    def krugman_between(self) -> pd.DataFrame:
        """Krugman specialisation between every pair of regions, ``sum_j |z_ij - z_kj|`` (region x region)."""
        z = self.matrix.div(self.matrix.sum(axis=1), axis=0)
        return pd.DataFrame(pairwise_l1(z.to_numpy()), index=z.index, columns=z.index)

    def dissimilarity(self) -> pd.DataFrame:
        """Krugman's dissimilarity between the locations of every pair of industries,
        ``sum_i |s_ij - s_ik|`` (industry x industry; 0 = same regional distribution, 2 = disjoint)."""
        s = self.matrix / self.matrix.sum(axis=0)
        return pd.DataFrame(pairwise_l1(s.T.to_numpy()), index=s.columns, columns=s.columns)

    def to_frame(self) -> pd.DataFrame:
        return self.industries.copy()

    def summary(self) -> str:
        f = self.industries.sort_values("gamma", ascending=False)
        lines = [f"Agglomeration of {len(f)} industries over {len(self.regions)} regions",
                 f"  EG variant: {VARIANTS[self.variant]}",
                 "  industries per EG class: " + ", ".join(f"{k} {v}" for k, v in self.counts().items()),
                 f[["gamma", "gini", "hoover", "herfindahl"]].head(10).to_string(float_format=lambda v: f"{v:.4f}")]
        r = self.regions["krugman_nation"]
        lines.append(f"  Krugman specialisation vs nation: mean {r.mean():.3f}, most specialised "
                     f"{r.idxmax()} ({r.max():.3f})")
        return "\n".join(lines)

    def plot(self, ax=None, **kwargs):
        """Bars of an index by industry (``column="gamma"``), see
        :func:`spatialcluster.plot.indicators.agglomeration_chart`."""
        from ..plot.indicators import agglomeration_chart

        return agglomeration_chart(self, ax=ax, **kwargs)

    def to_record(self) -> dict:
        return {"variant": self.variant, "industries": int(len(self.industries)), "regions": int(len(self.regions)),
                "counts": {k: int(v) for k, v in self.counts().items()},
                "indices": frame_record(self.industries, ["gamma", "gini", "herfindahl", "hoover"])}


def _plant_matrix(table, region, industry, value, plant):
    require_columns(table, (region, industry, plant))
    ids = table[industry].astype(str) + " / " + table[plant].astype(str)
    dup = ids.duplicated(keep=False)
    if dup.any():
        raise InputError(f"plants listed twice within an industry: {_names(ids[dup].unique())}; one row per plant.")
    size = numeric(table.set_index(pd.Index(ids)), value)
    rows = pd.DataFrame({"region": table[region].astype(str).to_numpy(), "industry": table[industry].astype(str).to_numpy(),
                         "size": size.to_numpy()})
    tot = rows.groupby("industry")["size"].transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        h = (rows["size"] / tot) ** 2
    h = h.groupby(rows["industry"]).sum()
    wide = rows.pivot_table(index="region", columns="industry", values="size", aggfunc="sum", fill_value=0.0)
    return industry_matrix(wide), h


def _reference_shares(total, regions: pd.Index) -> np.ndarray:
    tot = pd.Series(total, dtype=float) if isinstance(total, Mapping) else total.astype(float)
    tot.index = tot.index.astype(str)
    missing = regions.difference(tot.index)
    if len(missing):
        raise InputError(f"total= has no value for regions {_names(missing)}.")
    tot = tot.reindex(regions)
    if (tot < 0).any() or tot.isna().any():
        raise InputError(f"total= must be non-negative and complete; check regions {_names(tot.index[tot.isna() | (tot < 0)])}.")
    return (tot / tot.sum()).to_numpy()


def agglomeration(
    table: pd.DataFrame,
    region: str | None = None,
    industry: str | None = None,
    value: str | None = None,
    *,
    plant: str | None = None,
    n_plants: Mapping[str, int] | pd.Series | None = None,
    total: Mapping[str, float] | pd.Series | None = None,
) -> Agglomeration:
    """Ellison-Glaeser, co-agglomeration, locational Gini, Herfindahl, Hoover and Krugman indices.

    With :math:`e_{ij}` the employment (or output) of industry j in region i,
    :math:`s_{ij} = e_{ij} / \\sum_i e_{ij}` the region's share of the industry,
    :math:`x_i` the region's share of total employment (all industries in the table, or ``total``)
    and :math:`z_{ij} = e_{ij} / \\sum_j e_{ij}` the industry's share of the region:

    * Ellison & Glaeser (1997): :math:`G_j = \\sum_i (s_{ij} - x_i)^2` and
      :math:`\\gamma_j = \\frac{G_j - (1 - \\sum_i x_i^2) H_j}{(1 - \\sum_i x_i^2)(1 - H_j)}`, with the plant
      Herfindahl :math:`H_j = \\sum_k z_k^2` over the industry's plants' employment shares. Under
      random location of plants (the "dartboard") :math:`E[\\gamma_j] = 0`. Without plant sizes
      (``plant`` and ``n_plants`` not given) the variant computed is :math:`H_j = 0`; with plant
      counts only, :math:`H_j = 1 / N_j` (equal plant sizes). ``result.variant`` says which.
    * Co-agglomeration of industries j, k (Ellison, Glaeser & Kerr 2010):
      :math:`\\gamma^c_{jk} = \\sum_i (s_{ij} - x_i)(s_{ik} - x_i) / (1 - \\sum_i x_i^2)`.
    * Locational Gini (Krugman 1991; Audretsch & Feldman 1996): the Gini of the location
      quotients :math:`s_{ij}/x_i` weighted by :math:`x_i`, i.e. twice the area between the
      industry's localisation curve and the diagonal: 0 when the industry is spread like total
      employment, :math:`1 - x_i` when it all sits in region i.
    * Herfindahl: :math:`\\sum_i s_{ij}^2 \\in [1/n, 1]`.
    * Hoover (1936): :math:`\\frac12 \\sum_i |s_{ij} - x_i| \\in [0, 1 - \\min_i x_i]`.
    * Krugman (1991) specialisation of region i against the nation,
      :math:`K_i = \\sum_j |z_{ij} - \\bar z_j|` with national shares :math:`\\bar z_j`; against the
      rest of the nation (all regions but i, as EconGeo's ``Krugman.index``); between regions i and
      k, :math:`K_{ik} = \\sum_j |z_{ij} - z_{kj}|` (:meth:`Agglomeration.krugman_between`), all in [0, 2].
    * Krugman dissimilarity of industries (Midelfart-Knarvik et al. 2000): of an industry from
      total employment, :math:`\\sum_i |s_{ij} - x_i|` (``krugman``); between industries,
      :math:`\\sum_i |s_{ij} - s_{ik}|` (:meth:`Agglomeration.dissimilarity`).

    Parameters
    ----------
    table : pandas.DataFrame
        Long: one row per region and industry (``region``, ``industry``, ``value``); or one row per
        plant when ``plant`` names a plant-id column. Wide (no column names given): indexed by
        region with one column per industry.
    region, industry, value : str, optional
        Column names of the long layout.
    plant : str, optional
        Plant-id column: rows are plants, and H_j is computed from their sizes (``value``).
    n_plants : mapping or Series, optional
        Number of plants by industry, when only counts are known (H_j = 1/N_j).
    total : mapping or Series, optional
        Total employment by region defining x_i (default: the sum over the table's industries).

    Returns
    -------
    Agglomeration

    Raises
    ------
    InputError
        Negative or missing values, industries or regions with zero total, duplicate rows,
        plant counts missing for an industry.

    References
    ----------
    Audretsch, D. B. & Feldman, M. P. (1996). R&D spillovers and the geography of innovation and
    production. *American Economic Review* 86(3), 630-640.

    Ellison, G. & Glaeser, E. L. (1997). Geographic concentration in U.S. manufacturing industries:
    a dartboard approach. *Journal of Political Economy* 105(5), 889-927. doi:10.1086/262098

    Ellison, G., Glaeser, E. L. & Kerr, W. R. (2010). What causes industry agglomeration?
    *American Economic Review* 100(3), 1195-1213. doi:10.1257/aer.100.3.1195

    Hoover, E. M. (1936). The measurement of industrial localization. *Review of Economics and
    Statistics* 18(4), 162-171.

    Krugman, P. (1991). *Geography and Trade*. Cambridge, MA: MIT Press.

    Midelfart-Knarvik, K. H., Overman, H. G., Redding, S. J. & Venables, A. J. (2000). The location
    of European industry. European Commission, Economic Papers 142.
    """
    if plant is not None:
        if None in (region, industry, value):
            raise InputError("plant-level rows need region=, industry= and value= (plant size) too.")
        matrix, h = _plant_matrix(table, region, industry, value, plant)
        variant = "plants"
    else:
        matrix = industry_matrix(table, region, industry, value)
        h, variant = pd.Series(0.0, index=matrix.columns), "no_plants"
        if n_plants is not None:
            counts = pd.Series(n_plants, dtype=float)
            counts.index = counts.index.astype(str)
            missing = matrix.columns.difference(counts.index)
            if len(missing) or (counts.reindex(matrix.columns) < 1).any():
                raise InputError(f"n_plants needs a count >= 1 for every industry; missing or < 1: "
                                 f"{_names(missing.union(counts.index[counts < 1]))}.")
            h, variant = 1.0 / counts.reindex(matrix.columns), "equal_plants"
    if total is not None:
        # regions with total employment but none in the listed industries are part of x too
        extra = pd.Index(pd.Series(total).index.astype(str)).difference(matrix.index)
        matrix = pd.concat([matrix, pd.DataFrame(0.0, index=extra, columns=matrix.columns)]).rename_axis("region")
    e = matrix.to_numpy(dtype=np.float64)
    if e.shape[0] < 2:
        raise InputError("agglomeration indices need at least two regions.")
    s = e / e.sum(axis=0)
    x = e.sum(axis=1) / e.sum() if total is None else _reference_shares(total, matrix.index)
    hv = h.reindex(matrix.columns).to_numpy(dtype=np.float64)
    g, gamma = eg_gamma(s, x, hv)
    ind = pd.DataFrame({
        "total": e.sum(axis=0), "G": g, "H": hv, "gamma": gamma, "eg_class": eg_class(gamma),
        "gini": locational_gini(s, x), "herfindahl": herfindahl(s), "hoover": hoover(s, x),
        "krugman": 2 * hoover(s, x),
    }, index=matrix.columns)
    with np.errstate(divide="ignore", invalid="ignore"):  # regions only in total=: specialisation NaN
        z = e / e.sum(axis=1, keepdims=True)
        reg = pd.DataFrame({"total": e.sum(axis=1), "share": x,
                            "krugman_nation": krugman_nation(z, e.sum(axis=0) / e.sum()),
                            "krugman_rest": krugman_rest(e)}, index=matrix.index)
    return Agglomeration(ind, reg, variant, matrix, x)
