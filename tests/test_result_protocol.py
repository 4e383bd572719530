"""Every public result class follows the one protocol of ``spatialcluster._result.Result``.

The classes are discovered (every subclass of ``Result`` in the package's modules), so a new
result class without a factory here fails ``test_every_result_class_has_a_factory``. Each is
built from small fixtures (Columbus polygons, a panel of it) and checked: ``to_frame()`` is a
DataFrame, ``summary()`` text, ``to_record()`` strict JSON (no NaN), ``plot(ax=None, **kw)`` draws
into the Axes it is given and returns it, and ``counts`` (where the class classifies regions)
sums to the regions.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import spatialcluster as sc
from spatialcluster._result import Result
from spatialcluster.stats.global_ import GlobalResult
from spatialcluster.models.gwr._inference import LocalResult as LocalModelResult
from spatialcluster.stats.local import LocalResult

# Bases tested through their subclasses.
BASES = {GlobalResult, LocalResult, LocalModelResult}
# Classes another helper is converting (issue 11): xfail while they do not comply.
PENDING = set()
CLASSIFIES = {"LocalMoranResult", "LocalGearyResult", "GetisOrdResult", "LisaPanelResult", "LocationQuotient",
              "CouplingCoordination", "LocalJoinCounts", "Regionalization", "MarkovResult", "SpatialMarkovResult",
              "LisaMarkovResult", "LisaPathsResult", "EmergingHotspotsResult", "ClubResult"}


def _result_classes():
    for info in pkgutil.walk_packages(sc.__path__, "spatialcluster."):
        importlib.import_module(info.name)
    found, todo = set(), [Result]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("spatialcluster.") and sub not in found:
                found.add(sub)
                todo.append(sub)
    return sorted(found - BASES, key=lambda c: c.__name__)


@pytest.fixture(scope="module")
def columbus():
    import geopandas as gpd
    import libpysal

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    gdf.index = pd.Index(gdf["POLYID"].astype(int).astype(str), name="id")
    return gdf, sc.build_weights(gdf, "queen")


def _panel(gdf):
    rng = np.random.default_rng(0)
    frames = [pd.DataFrame({"code": gdf.index, "year": year, "crime": gdf["CRIME"].to_numpy() + rng.normal(size=len(gdf)),
                            "inc": gdf["INC"].to_numpy()}) for year in (2001, 2002, 2003)]
    return pd.concat(frames, ignore_index=True)


def _positive_panel(gdf, years=(2001, 2002, 2003)):
    rng = np.random.default_rng(0)
    return pd.concat([pd.DataFrame({"code": gdf.index, "year": year, "v": gdf["INC"].to_numpy() * np.exp(
        0.1 * rng.normal(size=len(gdf)))}) for year in years], ignore_index=True)


FIT = {"draws": 50, "seed": 1, "progress": False}
FACTORIES = {
    "MoranResult": lambda g, w: sc.moran(g, "CRIME", w, permutations=99, seed=1),
    "GearyResult": lambda g, w: sc.geary(g, "CRIME", w, permutations=99, seed=1),
    "LocalMoranResult": lambda g, w: sc.local_moran(g, "CRIME", w, permutations=99, seed=1),
    "LocalGearyResult": lambda g, w: sc.local_geary(g, ["CRIME", "INC"], w, permutations=99, seed=1),
    "GetisOrdResult": lambda g, w: sc.getis_ord(g, "HOVAL", w, permutations=99, seed=1),
    "MoranPanelResult": lambda g, w: sc.moran_by_year(_panel(g), "crime", w, permutations=49, seed=1),
    "LisaPanelResult": lambda g, w: sc.lisa_by_year(_panel(g), "crime", w, permutations=49, seed=1),
    "WeightsSummary": lambda g, w: sc.weights_summary(w),
    "SpatialModelResult": lambda g, w: sc.spillover(g, "CRIME", ["INC", "HOVAL"], w, model="sdm", **FIT),
    "ModelSelection": lambda g, w: sc.select_model(g, "CRIME", ["INC", "HOVAL"], w, progress=False),
    "WeightsRobustness": lambda g, w: sc.spillover_by_weights(
        g, "CRIME", ["INC", "HOVAL"], {"queen": w, "rook": sc.build_weights(g, "rook")}, model="sar", **FIT),
    "LocationQuotient": lambda g, w: sc.location_quotient(g, numerator="INC", denominator="HOVAL"),
    "CouplingCoordination": lambda g, w: sc.coupling_coordination(g, {"a": ["INC"], "b": ["HOVAL"]}),
    "Inequality": lambda g, w: sc.inequality(g, "INC"),
    "CompositeIndex": lambda g, w: sc.composite_index(g, ["INC", "HOVAL", "CRIME"], negative=["CRIME"]),
    "Agglomeration": lambda g, w: sc.agglomeration(g[["INC", "HOVAL"]]),
    "GeoDetector": lambda g, w: sc.geodetector(g, y="CRIME", factors=["INC", "HOVAL"], k=[3, 4]),
    "StandardEllipse": lambda g, w: sc.standard_ellipse(g.set_crs(3857, allow_override=True), weights="INC"),
    "LocalJoinCounts": lambda g, w: sc.local_join_counts(g.assign(high=(g["CRIME"] > 35).astype(int)), "high", w),
    "Regionalization": lambda g, w: sc.regionalize(g, ["INC", "HOVAL"], w, method="skater", n_regions=4),
    "MarkovResult": lambda g, w: sc.markov(_panel(g), "crime", k=4),
    "SpatialMarkovResult": lambda g, w: sc.spatial_markov(_panel(g), "crime", w, k=3, m=3),
    "LisaMarkovResult": lambda g, w: sc.lisa_markov(_panel(g), "crime", w),
    "LisaPathsResult": lambda g, w: sc.lisa_paths(_panel(g), "crime", w),
    "RankMobilityResult": lambda g, w: sc.rank_mobility(_panel(g), "crime", w, regime={i: int(i) % 2 for i in g.index}),
    "SigmaResult": lambda g, w: sc.sigma_convergence(_positive_panel(g), "v"),
    "ConvergenceResult": lambda g, w: sc.convergence(_positive_panel(g), "v", model="sar", w=w),
    "ClubResult": lambda g, w: sc.club_convergence(_positive_panel(g, range(2001, 2009)), "v"),
    "DagumResult": lambda g, w: sc.dagum_gini(g, "INC", group="EW"),
    "KernelDensityResult": lambda g, w: sc.kernel_density(_panel(g), "crime"),
    "EmergingHotspotsResult": lambda g, w: sc.emerging_hotspots(_positive_panel(g), "v", w, permutations=49, seed=1,
                                                                regions=g),
    "GWRResult": lambda g, w: sc.gwr(g, y="CRIME", x=["INC", "HOVAL"], bandwidth=30),
    "MGWRResult": lambda g, w: sc.mgwr(g, "CRIME", ["INC", "HOVAL"]),
    "PanelLMTests": lambda g, w: sc.panel_lm_tests(_panel(g), "crime", ["inc"], w, effects="none"),
    "HausmanTest": lambda g, w: sc.panel_hausman(*(
        sc.spillover_panel(_panel(g).assign(z=lambda d: np.cos(np.arange(len(d)))), "crime", ["z"], w, model="sar",
                           effects=e, bias_correction=False, **FIT) for e in ("region", "random"))),
    "BalancedPanel": lambda g, w: sc.balance_panel(_panel(g).iloc[1:], columns=["crime"], w=w),
}


def test_every_result_class_has_a_factory():
    names = {c.__name__ for c in _result_classes()}
    assert names - set(FACTORIES) == set(), "add a factory for every new result class"
    assert {"MoranResult", "LocalGearyResult", "WeightsSummary"} <= names  # discovery works


@pytest.mark.parametrize("cls", _result_classes(), ids=lambda c: c.__name__)
def test_result_follows_the_protocol(cls, columbus, request):
    if cls.__name__ in PENDING:
        request.applymarker(pytest.mark.xfail(reason="indicators package pending", strict=False))
    result = FACTORIES[cls.__name__](*columbus)
    assert type(result) is cls
    assert isinstance(result.to_frame(), pd.DataFrame)
    assert isinstance(result.summary(), str) and result.summary()
    record = result.to_record()
    assert isinstance(record, dict) and record
    json.dumps(record, allow_nan=False)
    signature = inspect.signature(cls.plot)
    assert signature.parameters["ax"].default is None
    assert any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()), "plot(ax=None, **kwargs)"
    fig, ax = plt.subplots()
    try:
        assert result.plot(ax=ax) is ax
        assert ax.has_data() or ax.collections or ax.patches
    finally:
        plt.close(fig)
    if cls.__name__ in CLASSIFIES:
        counts = result.counts()
        total = counts.sum() if isinstance(counts, pd.Series) else counts.sum(axis=0)
        assert np.all(np.asarray(total) == len(columbus[0]))
