"""One spatial model under several weights matrices: the robustness table of applied work.

Applied regional studies (in China especially) report every spillover model under geographic,
economic and nested economic-geographic weights side by side; a result that holds under one
matrix only is fragile. :func:`spillover_by_weights` fits the same
model with :func:`~spatialcluster.spillover` once per matrix and lays the results out in one
table, one column per matrix.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import ConfigError, SpatialClusterError
from .._result import Result
from ._result import MODEL_NAMES, SpatialModelResult, _cell
from .cross_section import spillover

EFFECTS = ("direct", "indirect", "total")
STATISTICS = ("estimate", "std_err", "p")


def spillover_by_weights(data: pd.DataFrame, y: str, x, weights: Mapping, model: str = "sdm",
                         **kwargs) -> WeightsRobustness:
    """Fit one spatial regression under each of several weights matrices.

    Parameters
    ----------
    data : DataFrame or GeoDataFrame
        Indexed by region id (the ids of every weights matrix).
    y, x : str, str or list of str
        Dependent variable and regressors, as in :func:`~spatialcluster.spillover`.
    weights : mapping of str to libpysal.graph.Graph
        The matrices, keyed by the column title they get, e.g.
        ``{"geographic": w_queen, "economic": w_econ, "nested": w_nested}`` (see
        :func:`~spatialcluster.build_weights` kinds ``"economic"`` and ``"nested"``).
    model : str
        Any model of :func:`~spatialcluster.spillover` (``"sdm"`` by default).
    **kwargs
        Passed to every :func:`~spatialcluster.spillover` call unchanged (``method``,
        ``draws``, ``seed``, ``logdet``, ...): each column is exactly the fit
        ``sc.spillover(data, y, x, w, model=model, **kwargs)`` would give for its matrix.

    Returns
    -------
    WeightsRobustness

    Raises
    ------
    ConfigError
        When ``weights`` is not a non-empty mapping of names to Graphs; errors of a single fit
        are re-raised with the name of the weights that caused them.

    References
    ----------
    Case, Rosen and Hines (1993); Lin, Long and Wu (2005); Elhorst (2014), ch. 2 (weights);
    LeSage and Pace (2009) (effects).
    """
    if not isinstance(weights, Mapping) or not weights:
        raise ConfigError(
            "weights must be a non-empty dict of names to weights graphs, e.g. "
            "{'geographic': w1, 'economic': w2} (the names become the table's column titles)"
        )
    for name, w in weights.items():
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"weights names must be non-empty strings (column titles), got {name!r}")
        if not (hasattr(w, "sparse") and hasattr(w, "unique_ids")):
            raise ConfigError(
                f"weights[{name!r}] is a {type(w).__name__}, not a libpysal Graph; build it with sc.build_weights"
            )
    results = {}
    for name, w in weights.items():
        try:
            results[name] = spillover(data, y, x, w, model=model, **kwargs)
        except SpatialClusterError as exc:
            raise type(exc)(f"weights {name!r}: {exc}") from exc
    return WeightsRobustness(results)


class WeightsRobustness(Result):
    """The same model fitted under several weights matrices.

    Attributes
    ----------
    results : dict of str to SpatialModelResult
        One fit per weights matrix, in the order given.
    model : str
        The model fitted (``"sdm"``, ``"sar"``, ...).
    """

    def __init__(self, results: Mapping[str, SpatialModelResult]):
        self.results = dict(results)
        first = next(iter(self.results.values()))
        self.model = first.model
        self.y = first.y

    def to_frame(self) -> pd.DataFrame:
        """One column per weights; rows indexed by (section, term, statistic).

        Sections: ``coefficient`` (every parameter, ``rho`` / ``lambda`` included), ``direct``,
        ``indirect`` and ``total`` effects, each with ``estimate``, ``std_err`` and ``p``; and
        ``fit`` with ``n``, ``loglik`` and ``aic``. Full precision: the numbers are exactly
        those of the single fits.
        """
        columns = {}
        for name, r in self.results.items():
            cells = {}
            for term in r.params.index:
                for stat, value in zip(STATISTICS, (r.params[term], r.std_err[term], r.p[term])):
                    cells[("coefficient", term, stat)] = float(value)
            if r.effects is not None:
                for kind in EFFECTS:
                    for term in r.effects.index:
                        for stat, col in zip(STATISTICS, (kind, f"{kind}_se", f"{kind}_p")):
                            cells[(kind, term, stat)] = float(r.effects.loc[term, col])
            cells.update({("fit", "n", "estimate"): float(r.n), ("fit", "loglik", "estimate"): r.loglik,
                          ("fit", "aic", "estimate"): r.aic})
            columns[name] = pd.Series(cells, dtype=float)
        frame = pd.DataFrame(columns)
        order = {s: i for i, s in enumerate(("coefficient", *EFFECTS, "fit"))}
        rows = sorted(frame.index, key=lambda k: (order[k[0]], self._term_rank(k[1]), STATISTICS.index(k[2])))
        frame = frame.loc[rows]
        frame.index = pd.MultiIndex.from_tuples(rows, names=["section", "term", "statistic"])
        return frame

    def _term_rank(self, term: str) -> int:
        terms = list(dict.fromkeys(t for r in self.results.values() for t in r.params.index))
        return terms.index(term) if term in terms else len(terms)

    def display(self, digits: int = 3) -> pd.DataFrame:
        """The table as text cells, as journals print it: estimates with stars, standard errors
        in parentheses on the row below; effects labelled ``direct: x``; N, log-likelihood, AIC."""
        frame = self.to_frame()
        rows: dict[str, list[str]] = {}
        for section, term in dict.fromkeys((s, t) for s, t, _ in frame.index if s != "fit"):
            label = term if section == "coefficient" else f"{section}: {term}"
            top, bottom = [], []
            for name in frame.columns:
                est, se, p = (frame.at[(section, term, s), name] for s in STATISTICS)
                a, b = _cell(est, se, p, digits) if np.isfinite(est) else ("", "")
                top.append(a), bottom.append(b)
            rows[label], rows[f"{label} (se)"] = top, bottom
        fit = {"N": ("n", "d"), "Log-likelihood": ("loglik", ".2f"), "AIC": ("aic", ".2f")}
        for label, (key, fmt) in fit.items():
            values = frame.loc[("fit", key, "estimate")]
            rows[label] = [f"{int(v) if fmt == 'd' else v:{fmt}}" if np.isfinite(v) else "" for v in values]
        out = pd.DataFrame.from_dict(rows, orient="index", columns=list(frame.columns))
        out.index = ["" if i.endswith(" (se)") else i for i in out.index]
        return out

    def to_markdown(self, digits: int = 3) -> str:
        """The table in Markdown (GitHub pipe table)."""
        table = self.display(digits)

        def cell(s: str) -> str:
            return s.replace("*", "\\*").replace("|", "\\|")

        lines = ["| | " + " | ".join(map(cell, table.columns)) + " |", "|---|" + "---:|" * len(table.columns)]
        lines += [f"| {cell(i)} | " + " | ".join(map(cell, row)) + " |" for i, row in zip(table.index, table.values)]
        return "\n".join([*lines, "", self._note()])

    def to_latex(self, digits: int = 3) -> str:
        """The table in LaTeX, booktabs rules (the three-line table); stars as superscripts."""
        table = self.display(digits)
        table = table.map(lambda s: s.replace("***", "$^{***}$", 1) if "***" in s else
                          s.replace("**", "$^{**}$", 1) if "**" in s else s.replace("*", "$^{*}$", 1))
        table.index = [i.replace("_", "\\_") for i in table.index]
        table.columns = [c.replace("_", "\\_").replace("&", "\\&") for c in table.columns]
        body = table.style.to_latex(hrules=True, column_format="l" + "c" * len(table.columns))
        body = body.replace("\nN & ", "\n\\midrule\nN & ", 1)  # a rule above the fit statistics
        return body + "% " + self._note()

    def to_csv(self, path) -> Path:
        """Write :meth:`to_frame` (full precision, one column per weights) to ``path``; return it."""
        path = Path(path)
        if path.is_dir():
            raise ConfigError(f"{path} is a folder; give a file name such as {path / 'robustness.csv'}")
        self.to_frame().to_csv(path)
        return path

    def _note(self) -> str:
        return (f"{MODEL_NAMES.get(self.model, self.model)} of {self.y} under each weights matrix. "
                "Standard errors in parentheses. *** p<0.01, ** p<0.05, * p<0.1.")

    def summary(self) -> str:
        head = f"{MODEL_NAMES.get(self.model, self.model)} of {self.y} under {len(self.results)} weights matrices"
        return "\n".join([head, "=" * len(head), self.display().to_string(), self._note()])

    def to_record(self) -> dict:
        """Per weights: the spatial parameters, log-likelihood, AIC and n."""
        out = {"model": self.model, "y": self.y, "weights": {}}
        for name, r in self.results.items():
            spatial = {k: float(r.params[k]) for k in ("rho", "lambda") if k in r.params.index}
            out["weights"][name] = {**spatial, "loglik": r.loglik, "aic": r.aic, "n": r.n}
        return out

    def plot(self, ax=None, **kwargs):
        """Direct, indirect and total effects with intervals, one row per regressor and weights
        (:func:`spatialcluster.plot.effects_plot` on the stacked effects tables)."""
        from ..plot import effects_plot

        parts = {name: r.effects for name, r in self.results.items() if r.effects is not None}
        if not parts:
            raise ConfigError(f"the {self.model} model has no effects to plot under any weights")
        stacked = pd.concat([e.set_axis([f"{v} [{name}]" for v in e.index]) for name, e in parts.items()])
        stacked.attrs = dict(next(iter(parts.values())).attrs)
        kwargs.setdefault("title", f"Effects under {len(parts)} weights matrices")
        kwargs.setdefault("panels", False)  # rows compare a regressor across weights: one scale
        return effects_plot(stacked, ax=ax, **kwargs)
