"""Every indicator result follows the Result protocol (issue 11): to_frame, summary, plot, to_record
(JSON-able), and counts where it classifies regions; drawing lives in spatialcluster.plot."""

from __future__ import annotations

import inspect
import json

import numpy as np
import pandas as pd
import pytest

import spatialcluster as sc
from spatialcluster import indicators
from spatialcluster._result import Result
from spatialcluster.stats.join_counts import LocalJoinCounts

RESULTS = [obj for obj in vars(indicators).values() if inspect.isclass(obj) and issubclass(obj, Result)]
CLASSIFYING = {"LocationQuotient", "CouplingCoordination", "Agglomeration", "Regionalization", "LocalJoinCounts"}


@pytest.mark.parametrize("cls", [*RESULTS, LocalJoinCounts], ids=lambda c: c.__name__)
def test_result_classes_implement_the_protocol(cls):
    for name in ("to_frame", "summary", "plot", "to_record"):
        assert getattr(cls, name) is not getattr(Result, name), f"{cls.__name__}.{name} is not implemented"
    params = list(inspect.signature(cls.plot).parameters)
    assert params[:2] == ["self", "ax"], f"{cls.__name__}.plot must take ax first: {params}"
    if cls.__name__ in CLASSIFYING:
        assert "counts" in dir(cls)
    # drawing code lives in spatialcluster.plot: the method only delegates
    assert "plt." not in inspect.getsource(cls.plot)


def _instances():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.uniform(1, 9, (10, 4)), columns=list("abcd"), index=[f"r{i}" for i in range(10)])
    panel = pd.concat([df.assign(year=y, code=df.index) for y in (2019, 2020)]).reset_index(drop=True)
    return [
        sc.location_quotient(df, numerator="a", denominator="b"),
        sc.location_quotient(df[["a", "b", "c"]]),
        sc.coupling_coordination(df, {"x": ["a", "b"], "y": ["c", "d"]}),
        sc.inequality(panel, "a", time="year", id="code"),
        sc.composite_index(df, list("abcd")),
        sc.agglomeration(df),
    ]


def test_indicator_records_are_json_and_plots_draw():
    import matplotlib.pyplot as plt

    for res in _instances():
        json.dumps(res.to_record())
        assert isinstance(res.to_frame(), pd.DataFrame) and res.summary()
        ax = res.plot()
        assert ax is not None
        plt.close(ax.figure)
    lq = _instances()[0]
    assert int(lq.counts().sum()) == 10
    cc = _instances()[2]
    assert int(cc.counts().sum()) == 10 and len(cc.counts()) == 10
