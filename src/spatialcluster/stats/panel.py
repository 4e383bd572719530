"""Autocorrelation through time: Moran's I per year and LISA label transitions."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._errors import InputError, WeightsError
from .._result import Result
from ..panels import Panel
from . import _core
from .global_ import moran
from .local import LABELS, local_moran


def _years(long_df, column, id, time):
    """{year: frame indexed by region id (str)} of a long panel (:meth:`Panel.from_long`); values and
    regions are checked year by year by the statistic, so the errors name the year."""
    return Panel.from_long(long_df, id=id, time=time, columns=[column], balance="ignore", missing="ignore",
                           numeric=False).by_period()


@contextmanager
def _in_year(year, time):
    """Errors of one year's statistic name that year, and the rule that treats every year alike."""
    try:
        yield
    except InputError as exc:
        if type(exc) not in (InputError, WeightsError):  # errors with extra attributes pass unchanged
            raise
        raise type(exc)(
            f"{time} {year}: {exc} To drop such regions (or years) from the whole panel alike, use "
            "sc.handle_missing(panel, [column], id=..., time=..., missing='drop-region' or 'drop-period')."
        ) from None


@dataclass(repr=False)
class MoranPanelResult(Result):
    """Global Moran's I for every year of a panel.

    Attributes
    ----------
    results : dict
        year -> :class:`~spatialcluster.stats.global_.MoranResult`.
    variable : str
    seed : int or None
        Base seed; year k (0-based, in time order) uses a seed derived from it.
    """

    results: dict
    variable: str
    seed: int | None

    def to_frame(self) -> pd.DataFrame:
        """One row per year: I, E[I], z and p under normality, randomisation and permutation."""
        rows = [r.to_frame().iloc[0].rename(year) for year, r in self.results.items()]
        frame = pd.DataFrame(rows)
        frame.index.name = "year"
        keep = ["I", "expected", "z_norm", "p_norm", "z_rand", "p_rand", "z_sim", "p_sim", "n", "n_islands"]
        return frame[keep].astype({"n": int, "n_islands": int})

    def summary(self) -> str:
        table = self.to_frame()[["I", "z_rand", "p_rand", "p_sim"]]
        first = next(iter(self.results.values()))
        return "\n".join([
            f"Moran's I by year: {self.variable}  ({len(self.results)} years, n = {first.n})",
            *("  " + line for line in table.to_string(float_format=lambda v: f"{v:.4f}").splitlines()),
            f"  permutations: {first.permutations}, base seed {self.seed}; alternative: {first.alternative}.",
        ])

    def plot(self, ax=None, alpha=0.05, **kwargs):
        """Line plot of I by year; filled markers where p_sim (else p_rand) <= ``alpha``
        (:func:`~spatialcluster.plot.statistic_by_year`)."""
        from ..labels import label
        from ..plot import statistic_by_year

        kwargs.setdefault("title", f"Moran's I of {label(self.variable)}")
        return statistic_by_year(self.to_frame(), ax=ax, alpha=alpha, **kwargs)

    def to_record(self) -> dict:
        """Per year: I, its randomisation z and p, and the permutation p (NaN as None)."""
        years = [{"year": _core.plain(year), **{k: v for k, v in r.to_record().items() if k in _YEAR_FIELDS}}
                 for year, r in self.results.items()]
        return {"kind": "Moran's I by year", "variable": self.variable, "seed": self.seed, "years": years}


_YEAR_FIELDS = ("I", "z_rand", "p_rand", "z_sim", "p_sim", "n", "n_islands")


def moran_by_year(long_df, column, w, id="code", time="year", permutations=999, seed=None,
                  alternative="two-sided"):
    """Global Moran's I (:func:`spatialcluster.moran`) for every year of a long panel.

    Parameters
    ----------
    long_df : pandas.DataFrame
        One row per region and year.
    column : str
    w : libpysal.graph.Graph
        The same weights every year; every region must be present every year.
    id, time : str
        Column (or index) names of the region id and the year.
    permutations, seed, alternative
        As in :func:`spatialcluster.moran`; the years get independent seeds derived from ``seed``.

    Returns
    -------
    MoranPanelResult
    """
    years = _years(long_df, column, id, time)
    base = _core.resolve_seed(seed) if permutations else None
    results = {}
    for k, (year, part) in enumerate(years.items()):
        with _in_year(year, time):
            results[year] = moran(part, column, w, permutations=permutations,
                                  seed=None if base is None else _core.child_seed(base, k), alternative=alternative)
    return MoranPanelResult(results=results, variable=str(column), seed=base)


@dataclass(repr=False)
class LisaPanelResult(Result):
    """LISA for every year and the label transitions between consecutive years.

    Attributes
    ----------
    results : dict
        year -> :class:`~spatialcluster.stats.local.LocalMoranResult`.
    labels : pandas.DataFrame
        Regions x years of cluster labels (after the correction).
    """

    results: dict
    labels: pd.DataFrame
    variable: str
    seed: int

    def transitions(self, by_period: bool = False, corrected: bool = True) -> pd.DataFrame:
        """Counts of label changes between consecutive years (rows: from, columns: to).

        With ``by_period=True`` one row per (from_year, to_year, from, to) with its count.
        """
        labels = self._labels(corrected)
        years = list(labels.columns)
        pairs = []
        for a, b in zip(years[:-1], years[1:]):
            pairs.append(pd.DataFrame({"from_year": a, "to_year": b, "from": labels[a], "to": labels[b]}))
        if not pairs:
            raise InputError("transitions need at least two years")
        allpairs = pd.concat(pairs, ignore_index=True)
        if by_period:
            return (allpairs.groupby(["from_year", "to_year", "from", "to"]).size()
                    .rename("regions").reset_index())
        cat = pd.CategoricalDtype(LABELS)
        table = pd.crosstab(allpairs["from"].astype(cat), allpairs["to"].astype(cat), dropna=False)
        table.index.name, table.columns.name = "from", "to"
        return table

    def _labels(self, corrected=True):
        col = "cluster" if corrected else "cluster_uncorrected"
        return pd.DataFrame({year: r.frame[col] for year, r in self.results.items()})

    def counts(self, corrected: bool = True) -> pd.DataFrame:
        """Regions per label (rows) and year (columns)."""
        return pd.DataFrame({year: r.counts(corrected) for year, r in self.results.items()})

    def to_frame(self) -> pd.DataFrame:
        """The labels, regions x years."""
        return self.labels.copy()

    def summary(self) -> str:
        first = next(iter(self.results.values()))
        trans = self.transitions()
        stay = int(np.trace(trans.to_numpy()))
        return "\n".join([
            f"LISA by year: {self.variable}  ({len(self.results)} years, n = {first.n}, correction "
            f"'{first.correction or 'none'}', alpha = {first.alpha:g})",
            "  regions per label (corrected):",
            *("    " + line for line in self.counts().to_string().splitlines()),
            f"  transitions between consecutive years: {stay} kept their label, {int(trans.to_numpy().sum()) - stay} changed",
            *("    " + line for line in trans.to_string().splitlines()),
        ])

    def plot(self, ax=None, corrected=True, **kwargs):
        """Regions per cluster label and year as stacked bars (:func:`~spatialcluster.plot.label_counts_by_year`)."""
        from ..plot import label_counts_by_year

        kwargs.setdefault("title", f"LISA clusters of {self.variable} by year")
        return label_counts_by_year(self.counts(corrected), ax=ax, **kwargs)

    def to_record(self) -> dict:
        """Regions per label and year (corrected) and how many kept or changed their label."""
        trans = self.transitions().to_numpy()
        return {
            "kind": "LISA by year", "variable": self.variable, "seed": self.seed,
            "counts": {str(year): _core.counts_record(r.counts()) for year, r in self.results.items()},
            "kept": int(np.trace(trans)), "changed": int(trans.sum() - np.trace(trans)),
        }


def lisa_by_year(long_df, column, w, id="code", time="year", permutations=999, alpha=0.05,
                 correction="fdr", seed=None, alternative="two-sided"):
    """Local Moran's I (:func:`spatialcluster.local_moran`) for every year, with label transitions.

    Parameters are as in :func:`moran_by_year` and :func:`spatialcluster.local_moran`.

    Returns
    -------
    LisaPanelResult
        ``.labels`` (regions x years) and ``.transitions()`` (counts of HH -> ns and so on
        between consecutive years, in the spirit of Rey's (2001) LISA Markov chains).

    References
    ----------
    Rey, S. J. (2001). Spatial empirics for economic growth and convergence. Geographical
    Analysis 33(3), 195-214.
    """
    years = _years(long_df, column, id, time)
    base = _core.resolve_seed(seed)
    results = {}
    for k, (year, part) in enumerate(years.items()):
        with _in_year(year, time):
            results[year] = local_moran(part, column, w, permutations=permutations, alpha=alpha,
                                        correction=correction, seed=_core.child_seed(base, k),
                                        alternative=alternative)
    labels = pd.DataFrame({year: r.frame["cluster"] for year, r in results.items()})
    return LisaPanelResult(results=results, labels=labels, variable=str(column), seed=base)
