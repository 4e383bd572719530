"""Result object of the spatial regressions and publication tables (three-line, economics style)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._errors import ConfigError
from .._result import Result

MODEL_NAMES = {
    "ols": "OLS",
    "slx": "SLX",
    "sar": "SAR (spatial lag)",
    "sem": "SEM (spatial error)",
    "sdm": "SDM (spatial Durbin)",
    "sdem": "SDEM (spatial Durbin error)",
    "sac": "SAC (lag and error)",
}


def stars(p: float) -> str:
    """Significance stars: *** p < 0.01, ** p < 0.05, * p < 0.1 (the economics convention)."""
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


class SpatialModelResult(Result):
    """A fitted spatial regression.

    Attributes
    ----------
    params, std_err, z, p : Series
        Estimates (``"const"``, regressors, ``"W_<name>"``, ``"rho"``, ``"lambda"``), their standard
        errors, z statistics and two-sided normal p-values.
    vcov : DataFrame
        Covariance of ``params``.
    sigma2 : float
        Error variance (ML: SSE / n).
    loglik, aic, schwarz : float
        Log-likelihood, Akaike and Schwarz criteria (parameters counted include sigma2).
    r2 : float
        Pseudo R-squared: squared correlation of y and the fitted values (Anselin 1988).
    n, k : int
        Observations and estimated parameters (including sigma2 for ML).
    model, method, logdet_method : str
        Which model, how estimated (``"ml"``, ``"gmm"``, ``"ols"``) and the log-determinant method
        (``"eigen"``, ``"lu"``, ``"chebyshev"``, ``"mc"`` or ``"none"``).
    se_method : str
        How the information matrix traces were obtained (``"dense"``, ``"hutchinson"`` or ``"none"``).
    effects : DataFrame or None
        Direct, indirect and total effects with inference (see :func:`effects_table`).
    residuals, fitted : Series
        Indexed by region id.
    y, x : str, list of str
        Dependent variable and regressors.
    """

    def __init__(self, *, params, std_err, vcov, loglik, n, k, model, method, logdet_method="none",
                 se_method="none", sigma2=np.nan, r2=np.nan, effects=None, residuals=None,
                 fitted=None, y="y", x=(), notes=(), extra=None):
        self.params = params
        self.std_err = std_err
        self.z = params / std_err
        from scipy import stats

        self.p = pd.Series(2 * stats.norm.sf(np.abs(self.z.to_numpy(dtype=float))), index=params.index)
        self.vcov = vcov
        self.loglik = float(loglik)
        self.n = int(n)
        self.k = int(k)
        self.aic = -2.0 * self.loglik + 2.0 * self.k
        self.schwarz = -2.0 * self.loglik + self.k * np.log(self.n)
        self.sigma2 = float(sigma2)
        self.r2 = float(r2)
        self.model = model
        self.method = method
        self.logdet_method = logdet_method
        self.se_method = se_method
        self.effects = effects
        self.residuals = residuals
        self.fitted = fitted
        self.y = y
        self.x = list(x)
        self.notes = list(notes)
        self.extra = dict(extra or {})

    def to_frame(self) -> pd.DataFrame:
        """Coefficient table: estimate, std_err, z, p."""
        return pd.DataFrame({"estimate": self.params, "std_err": self.std_err, "z": self.z, "p": self.p})

    def summary(self) -> str:
        head = (
            f"{MODEL_NAMES.get(self.model, self.model)} of {self.y} by {self.method.upper()} "
            f"(n = {self.n}, log-det: {self.logdet_method}, std. errors: {self.se_method})"
        )
        lines = [head, "=" * len(head)]
        tab = self.to_frame()
        lines.append(tab.to_string(float_format=lambda v: f"{v: .6g}"))
        lines.append(
            f"log-likelihood {self.loglik:.4f}   AIC {self.aic:.3f}   Schwarz {self.schwarz:.3f}   "
            f"pseudo R2 {self.r2:.4f}   sigma2 {self.sigma2:.6g}"
        )
        if self.effects is not None:
            eff = self.effects
            lines.append("")
            lines.append(f"Effects ({eff.attrs.get('method', '')}, draws = {eff.attrs.get('draws', 0)}):")
            cols = ["direct", "direct_se", "indirect", "indirect_se", "total", "total_se"]
            lines.append(eff[cols].to_string(float_format=lambda v: f"{v: .6g}"))
        lines += self.notes
        return "\n".join(lines)

    def to_markdown(self, digits: int = 3) -> str:
        """Coefficient table in Markdown (estimates with stars, standard errors in parentheses)."""
        return regression_table([self], format="markdown", digits=digits)

    def to_latex(self, digits: int = 3) -> str:
        """Coefficient table in LaTeX booktabs (three-line) style."""
        return regression_table([self], format="latex", digits=digits)

    def plot_effects(self, ax=None, **kwargs):
        """Effects with confidence intervals (``spatialcluster.plot.effects_plot``)."""
        if self.effects is None:
            raise ConfigError(f"the {self.model} model has no effects table to plot")
        from ..plot import effects_plot

        return effects_plot(self.effects, ax=ax, **kwargs)

    plot = plot_effects

    def to_record(self) -> dict:
        """Model, fit criteria and the estimates with their p-values (NaN as None)."""
        def num(v):
            return None if not np.isfinite(v) else float(v)

        return {
            "model": self.model, "method": self.method, "y": self.y, "x": self.x, "n": self.n, "k": self.k,
            "loglik": num(self.loglik), "aic": num(self.aic), "schwarz": num(self.schwarz), "r2": num(self.r2),
            "sigma2": num(self.sigma2), "params": {str(k): num(v) for k, v in self.params.items()},
            "p": {str(k): num(v) for k, v in self.p.items()},
        }


def _cell(est, se, p, digits):
    if est is None or not np.isfinite(est):
        return "", ""
    return f"{est:.{digits}f}{stars(p)}", f"({se:.{digits}f})"


def regression_table(results: Sequence[SpatialModelResult], format: str = "markdown", digits: int = 3,
                     names: Sequence[str] | None = None, effects: bool = False) -> str:
    """Side-by-side coefficient table of several results, as in economics journals.

    Estimates carry stars (``***`` p < 0.01, ``**`` p < 0.05, ``*`` p < 0.1) and standard errors in parentheses
    beneath; the foot gives N, log-likelihood, AIC and pseudo R-squared. LaTeX output uses booktabs
    rules (``\\toprule``, ``\\midrule``, ``\\bottomrule``): the three-line table.

    Parameters
    ----------
    results : sequence of SpatialModelResult
    format : {"markdown", "latex"}
    digits : int
        Decimals.
    names : sequence of str, optional
        Column titles (default: the model names).
    effects : bool
        Tabulate the direct / indirect / total effects instead of the coefficients.
    """
    if format not in ("markdown", "latex"):
        raise ConfigError(f"format must be 'markdown' or 'latex', got {format!r}")
    results = list(results)
    titles = list(names) if names is not None else [r.model.upper() for r in results]
    rows: list[tuple[str, list[str]]] = []
    if effects:
        for kind in ("direct", "indirect", "total"):
            variables = list(dict.fromkeys(v for r in results if r.effects is not None for v in r.effects.index))
            for v in variables:
                top, bottom = [], []
                for r in results:
                    e = r.effects
                    if e is None or v not in e.index:
                        top.append(""), bottom.append("")
                        continue
                    a, b = _cell(e.loc[v, kind], e.loc[v, f"{kind}_se"], e.loc[v, f"{kind}_p"], digits)
                    top.append(a), bottom.append(b)
                rows += [(f"{kind}: {v}", top), ("", bottom)]
    else:
        order = list(dict.fromkeys(name for r in results for name in r.params.index))
        for name in order:
            top, bottom = [], []
            for r in results:
                if name in r.params.index:
                    a, b = _cell(r.params[name], r.std_err[name], r.p[name], digits)
                else:
                    a, b = "", ""
                top.append(a), bottom.append(b)
            rows += [(name, top), ("", bottom)]
    def num(v, fmt):
        return f"{v:{fmt}}" if np.isfinite(v) else ""  # the builtin format() is shadowed by the argument

    foot = [
        ("N", [str(r.n) for r in results]),
        ("Log-likelihood", [num(r.loglik, ".2f") for r in results]),
        ("AIC", [num(r.aic, ".2f") for r in results]),
        ("Pseudo R2", [num(r.r2, ".3f") for r in results]),
    ]
    note = "Standard errors in parentheses. *** p<0.01, ** p<0.05, * p<0.1."
    if format == "markdown":
        def esc(s):
            return s.replace("*", "\\*").replace("|", "\\|")

        out = ["| | " + " | ".join(titles) + " |", "|---|" + "---:|" * len(titles)]
        for label, cells in rows + foot:
            out.append(f"| {esc(label)} | " + " | ".join(esc(c) for c in cells) + " |")
        out.append("")
        out.append(note)
        return "\n".join(out)

    def tex(s):
        s = s.replace("_", "\\_").replace("%", "\\%").replace("&", "\\&")
        return s.replace("***", "$^{***}$", 1) if "***" in s else (
            s.replace("**", "$^{**}$", 1) if "**" in s else s.replace("*", "$^{*}$", 1))

    out = [
        "\\begin{tabular}{l" + "c" * len(titles) + "}",
        "\\toprule",
        " & " + " & ".join(tex(t) for t in titles) + " \\\\",
        "\\midrule",
    ]
    out += [tex(label) + " & " + " & ".join(tex(c) for c in cells) + " \\\\" for label, cells in rows]
    out.append("\\midrule")
    out += [tex(label) + " & " + " & ".join(cells) + " \\\\" for label, cells in foot]
    out += ["\\bottomrule", "\\end{tabular}",
            "% " + note]
    return "\n".join(out)
