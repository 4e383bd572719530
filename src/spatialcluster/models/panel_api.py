"""``sc.spillover_panel``: one entry point for static, dynamic and random-effects spatial panels.

It routes to the fixed-effects estimator (:func:`.panel.spillover_panel`), the dynamic one
(:func:`.panel_dynamic.spillover_dynamic`) or the random-effects one (:func:`.panel_re.spillover_panel_re`).
The routing lives here, not in :mod:`.panel`, because the dynamic and random-effects modules build on
:mod:`.panel`'s helpers: dispatching from there would tie the modules in an import circle.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .._errors import InputError
from . import panel
from . import panel_dynamic, panel_re
from .panel_dynamic import spillover_dynamic
from .panel_re import spillover_panel_re

#: The values of ``effects``: fixed region, time or two-way effects, or random region effects.
EFFECTS = (*panel._EFFECTS, "random")
#: The values of ``dynamic`` besides None.
DYNAMIC = panel_dynamic._DYNAMIC
#: The models each kind of panel has: dynamic (fixed effects) and random effects.
DYNAMIC_MODELS, RANDOM_MODELS = panel_dynamic.MODELS, panel_re.MODELS


def spillover_panel(long_df: pd.DataFrame, y: str, x: Sequence[str] | str, w, id: str = "code", time: str = "year",
                    model: str = "sdm", effects: str = "twoway", bias_correction: bool = True, draws: int = 1000,
                    seed: int = 0, logdet: str = "auto", progress: bool | None = None, dynamic: str | None = None):
    """Spatial panel regression: SAR, SEM or SDM with fixed or random effects, static or dynamic.

    Parameters
    ----------
    long_df : DataFrame
        Long (tidy) balanced panel: one row per region and period, with columns ``id``, ``time``,
        ``y`` and ``x`` (make an unbalanced one balanced with :func:`spatialcluster.balance_panel`).
    y : str
        Dependent variable.
    x : str or list of str
        Regressors (no constant: fixed effects absorb it; random-effects models add one).
    w : libpysal.graph.Graph
        Spatial weights whose ``unique_ids`` are the region ids (as strings).
    id, time : str
        Region-id and period columns.
    model : {"sdm", "sar", "sem"}
        Spatial Durbin, spatial lag or spatial error model (dynamic: SAR or SDM; random effects: SAR or SEM).
    effects : {"twoway", "region", "time", "random"}
        Fixed effects (Elhorst 2014, ch. 3), or ``"random"`` region effects by ML (Elhorst 2003;
        :mod:`spatialcluster.models.panel_re`).
    bias_correction : bool
        Static models: the Lee and Yu (2010) transformation approach. Dynamic models: the Yu, de Jong and
        Lee (2008) bias correction (and the Lee-Yu transformation of period effects).
    draws : int
        Simulation draws for the effects' inference (0: point estimates only).
    seed : int
        Seed of the draws (and of trace probes for very large N).
    logdet : {"auto", "eigen", "lu", "chebyshev", "mc"}
        Log-determinant method (:func:`spatialcluster.models.logdet`).
    progress : bool, optional
        Show a progress bar (default: only in terminals).
    dynamic : {None, "time", "spacetime"}
        ``"time"`` adds ``y`` of t-1 (``tau``), ``"spacetime"`` also ``W y`` of t-1 (``eta``), with
        short- and long-run effects and a stability check (:mod:`spatialcluster.models.panel_dynamic`).

    Returns
    -------
    SpatialModelResult
        ``params``, ``std_err``, ``vcov``, ``loglik``, ``effects`` and ``extra`` as described by the
        estimator used: :func:`spatialcluster.models.panel.spillover_panel` (fixed effects),
        :func:`spatialcluster.models.panel_dynamic.spillover_dynamic` (adds ``tau``, ``eta``,
        ``effects_short``, ``effects_long``), :func:`spatialcluster.models.panel_re.spillover_panel_re`
        (adds ``const``; ``phi``, ``sigma2_u`` in ``extra``).

    Raises
    ------
    InputError
        Missing columns, duplicate region-periods, missing or non-numeric values, unbalanced panels or
        gaps (region-periods named), too few periods, models or effects the estimator does not have.
    WeightsError
        Region ids that differ from the weights', weights that are not row-standardised where needed.

    Examples
    --------
    >>> dyn = sc.spillover_panel(panel, y="urban", x=["gdp"], w=w, id="code", time="year", model="sdm",
    ...                          effects="region", dynamic="spacetime")      # doctest: +SKIP
    >>> dyn.effects_long[["direct", "indirect", "total", "total_p"]]        # doctest: +SKIP
    """
    kind = str(effects).lower()
    if kind == "random":
        if dynamic is not None:
            raise InputError(f"dynamic panels (dynamic={dynamic!r}) have fixed effects; random effects are static. "
                             "Use effects='region' or 'twoway' with dynamic, or dynamic=None with effects='random'")
        return spillover_panel_re(long_df, y, [x] if isinstance(x, str) else list(x), w, id=id, time=time,
                                  model=str(model).lower(), draws=draws, seed=seed, logdet=logdet, progress=progress)
    if dynamic is not None:
        effects = {"individual": "region", "twoways": "twoway", "both": "twoway"}.get(kind, kind)
        if effects not in ("region", "time", "twoway"):
            raise InputError(f"effects {effects!r} is not one of 'region', 'twoway', 'time' for a dynamic panel")
        return spillover_dynamic(long_df, y, [x] if isinstance(x, str) else list(x), w, id=id, time=time,
                                 model=str(model).lower(), effects=effects, dynamic=dynamic,
                                 bias_correction=bias_correction, draws=draws, seed=seed, logdet=logdet,
                                 progress=progress)
    return panel.spillover_panel(long_df, y, x, w, id=id, time=time, model=model, effects=effects,
                                 bias_correction=bias_correction, draws=draws, seed=seed, logdet=logdet,
                                 progress=progress)
