"""Location quotients (Isserman 1977): is a region specialised in an activity?"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._errors import InputError
from .._result import Result
from .._validate import _names
from ._common import industry_matrix, numeric

class LocationQuotient(Result):
    """Location quotients and the concentration flag.

    Attributes
    ----------
    frame : pandas.DataFrame
        Ratio form (``numerator``/``denominator``): indexed by region with the two input columns,
        ``lq`` and ``concentrated``. Industry form: indexed by (region, industry) with ``value``,
        ``region_share`` (``x_ij / x_i.``), ``national_share`` (``x_.j / x..``), ``lq`` and ``concentrated``.
    threshold : float
        ``concentrated`` is ``lq >= threshold``.
    kind : {"ratio", "industry"}
    """

    def __init__(self, frame: pd.DataFrame, threshold: float, kind: str, labels: tuple[str, str]):
        self.frame = frame
        self.threshold = float(threshold)
        self.kind = kind
        self._labels = labels

    @property
    def lq(self) -> pd.Series | pd.DataFrame:
        """The quotients: a Series by region (ratio form) or a region x industry table (industry form)."""
        if self.kind == "ratio":
            return self.frame["lq"].rename(f"lq_{self._labels[0]}")
        return self.frame["lq"].unstack("industry")

    @property
    def concentrated(self) -> pd.Series | pd.DataFrame:
        """``lq >= threshold``, shaped like :attr:`lq`."""
        if self.kind == "ratio":
            return self.frame["concentrated"]
        return self.frame["concentrated"].unstack("industry")

    def counts(self) -> pd.Series:
        """Regions flagged concentrated (``True``) or not, per industry in the industry form."""
        flag = self.frame["concentrated"]
        if self.kind == "ratio":
            return flag.value_counts().reindex([True, False], fill_value=0).rename("regions")
        return flag.groupby(level="industry").sum().astype(int).rename("concentrated regions")

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def plot(self, ax=None, **kwargs):
        """Bar chart of the quotients (ratio form) or a region x industry heat map; see
        :func:`spatialcluster.plot.indicators.lq_chart`."""
        from ..plot.indicators import lq_chart

        return lq_chart(self, ax=ax, **kwargs)

    def to_record(self) -> dict:
        lq = self.frame["lq"]
        counts = self.counts()
        return {"kind": self.kind, "threshold": self.threshold, "n": int(len(lq)),
                "lq_min": float(lq.min()), "lq_max": float(lq.max()),
                "concentrated": ({str(k): int(v) for k, v in counts.items()} if self.kind == "industry"
                                 else int(counts.loc[True]))}

    def summary(self) -> str:
        head = f"Location quotients ({self.kind} form), concentrated = LQ >= {self.threshold:g}"
        if self.kind == "ratio":
            num, den = self._labels
            lq = self.frame["lq"].sort_values(ascending=False)
            lines = [
                head,
                f"  share of {num!r} relative to share of {den!r}; {len(lq)} regions",
                f"  concentrated: {int(self.frame['concentrated'].sum())} region(s)",
                "  highest: " + ", ".join(f"{i} {v:.2f}" for i, v in lq.head(5).items()),
                "  lowest:  " + ", ".join(f"{i} {v:.2f}" for i, v in lq.tail(5).items()),
            ]
            return "\n".join(lines)
        counts = self.frame.groupby(level="industry", sort=True)["concentrated"].sum().astype(int)
        lines = [head, f"  {self.frame.index.get_level_values('region').nunique()} regions x {len(counts)} industries",
                 "  regions concentrated per industry:"]
        lines += [f"    {k}: {v}" for k, v in counts.items()]
        return "\n".join(lines)


def location_quotient(
    table: pd.DataFrame,
    region: str | None = None,
    industry: str | None = None,
    value: str | None = None,
    *,
    numerator: str | None = None,
    denominator: str | None = None,
    industries: Sequence[str] | None = None,
    threshold: float = 1.25,
) -> LocationQuotient:
    """Location quotients (Isserman 1977): a region's share of an activity over its share of the base.

    .. math:: LQ_{ij} = \\frac{x_{ij} / \\sum_j x_{ij}}{\\sum_i x_{ij} / \\sum_{i,j} x_{ij}}

    Three input layouts are accepted:

    * **long** (``region``, ``industry``, ``value`` given): one row per region and industry, e.g.
      employment. Absent region x industry combinations count as zero.
    * **wide** (none of the above): a DataFrame indexed by region whose columns are industries
      (or only the columns named in ``industries``).
    * **ratio** (``numerator`` and ``denominator`` given): one activity against a base, indexed by
      region, :math:`LQ_i = (x_i / \\sum x) / (p_i / \\sum p)`. For example GDP against population is an
      economic-concentration indicator (LQ > 1: the region's share of national output exceeds its
      share of population, i.e. GDP per capita above the average of the regions).

    Parameters
    ----------
    table : pandas.DataFrame
        The data, see the layouts above. Values must be non-negative and complete.
    region, industry, value : str, optional
        Column names of the long layout.
    numerator, denominator : str, optional
        Column names of the ratio layout.
    industries : sequence of str, optional
        Wide layout: the industry columns (default: every column except a geometry).
    threshold : float, default 1.25
        Flag convention: ``concentrated = lq >= threshold``. LQ = 1 means the same share as the
        reference total; 1.25 is a common rule of thumb for "specialised" in cluster mapping
        (Miller, Gibson & Wright 1991); pass ``threshold=1`` for "above average".

    Returns
    -------
    LocationQuotient
        ``.frame`` (long table with the flag), ``.lq`` (Series or region x industry table),
        ``.concentrated``, ``summary()``.

    Raises
    ------
    InputError
        Missing, non-numeric or negative values (naming the regions), duplicate region x industry
        rows, regions or industries whose total is zero (the quotient is undefined).

    References
    ----------
    Isserman, A. M. (1977). The location quotient approach to estimating regional economic impacts.
    *Journal of the American Institute of Planners* 43(1), 33-41.

    Miller, M. M., Gibson, L. J. & Wright, N. G. (1991). Location quotient: a basic tool for
    economic development analysis. *Economic Development Review* 9(2), 65-68.
    """
    if numerator is not None or denominator is not None:
        if numerator is None or denominator is None:
            raise InputError("the ratio form needs both numerator= and denominator= (column names).")
        x = numeric(table, numerator)
        p = numeric(table, denominator)
        for name, col in ((numerator, x), (denominator, p)):
            if col.sum() == 0:
                raise InputError(f"column {name!r} sums to zero: its shares, and so the quotient, are undefined.")
        zero = p == 0
        if zero.any():
            raise InputError(
                f"{denominator!r} is zero for regions {_names(table.index[zero])}: their quotient is undefined; "
                "drop them or use a base that is positive everywhere."
            )
        lq = (x / x.sum()) / (p / p.sum())
        frame = pd.DataFrame({numerator: x, denominator: p, "lq": lq, "concentrated": lq >= threshold})
        return LocationQuotient(frame, threshold, "ratio", (numerator, denominator))

    wide = industry_matrix(table, region, industry, value, industries)
    region_tot, industry_tot = wide.sum(axis=1), wide.sum(axis=0)
    region_share = wide.div(region_tot, axis=0)
    national_share = industry_tot / industry_tot.sum()
    lq = region_share / national_share
    frame = pd.DataFrame({
        "value": wide.stack(),
        "region_share": region_share.stack(),
        "national_share": pd.DataFrame(np.broadcast_to(national_share.to_numpy(), wide.shape),
                                       index=wide.index, columns=wide.columns).stack(),
        "lq": lq.stack(),
    })
    frame["concentrated"] = frame["lq"] >= threshold
    return LocationQuotient(frame, threshold, "industry", ("value", "total"))


