"""The ``[dynamics]`` pipeline step: config keys, outputs, the styled emerging hot-spot layer, the report.

The numbers are the library's (validated in the other test_dynamics_* files); here the step must
call them on the configured panel and write what it promises.
"""

from __future__ import annotations

import dataclasses
import sqlite3

import pandas as pd
import pytest

import spatialcluster as sc
from spatialcluster import pipeline
from spatialcluster.pipeline import settings
from spatialcluster.pipeline.schema import SCHEMA

MEXICO = (pipeline.demo_config_path().parent / "mexico_panel.toml").read_text(encoding="utf-8")


def test_dynamics_settings_match_the_schema():
    fields = {f.name for f in dataclasses.fields(settings.Dynamics)}
    assert fields == set(SCHEMA.keys["dynamics"].keys)
    s = pipeline.parse_config(MEXICO).settings
    assert s.dynamics.table == "gdp" and s.dynamics.columns == ("pcgdp",) and s.dynamics.model == "sar"


def test_dynamics_table_must_be_a_panel():
    with pytest.raises(sc.ConfigError, match=r"\[dynamics\] key \"table\".*'nope' is not a panel table"):
        pipeline.parse_config(MEXICO.replace('[dynamics]\ntable = "gdp"', '[dynamics]\ntable = "nope"'), name="a.toml")


def test_dynamics_step_on_mexico(tmp_path):
    """Tables, the emerging hot-spot layer with its QGIS style, figures and the report section."""
    text = MEXICO.replace("permutations = 999", "permutations = 49")
    (tmp_path / "mx.toml").write_text(text, encoding="utf-8")
    pipeline.run(pipeline.load_config(tmp_path / "mx.toml"), tmp_path / "out", quiet=True)
    out = tmp_path / "out"
    p = pd.read_csv(out / "tables" / "markov_pcgdp.csv", index_col=0)
    ref = sc.markov(sc.datasets.mexico_gdp_panel(), "pcgdp", id="state", time="year", k=4)
    assert abs(p.to_numpy() - ref.p.to_numpy()).max() < 1e-12
    ehs = pd.read_csv(out / "tables" / "emerging_hotspots_pcgdp.csv")
    assert len(ehs) == 32 and set(ehs["category"]) <= set(sc.dynamics.emerging.CATEGORIES)
    for name in ("dagum_pcgdp", "sigma_convergence_pcgdp", "beta_convergence_pcgdp", "lisa_markov_pcgdp"):
        assert (out / "tables" / f"{name}.csv").exists(), name
    gpkg = next(out.glob("*.gpkg"))
    with sqlite3.connect(gpkg) as con:
        styles = dict(con.execute("select f_table_name, styleQML from layer_styles"))
    assert "emerging_pcgdp" in styles and "Intensifying hot spot" in styles["emerging_pcgdp"]
    assert (out / "maps" / "emerging_map_pcgdp.png").exists()
    report = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert "Change over time: pcgdp" in report


def test_dynamics_step_on_the_china_demo_panel(tmp_path):
    """Two broad years: the chains, beta and Dagum run, trend methods are skipped and the report says why;
    the three provinces without a 2015 value are dropped and named."""
    demo = pipeline.demo_config_path().read_text(encoding="utf-8")
    start = demo.index("[statistics]")
    end = demo.index("[dynamics]")
    light = demo[:start] + "[statistics]\npermutations = 9\n\n" + demo[end:]
    light = light.replace("maps = true", "maps = false")
    (tmp_path / "cn.toml").write_text(light, encoding="utf-8")
    pipeline.run(pipeline.load_config(tmp_path / "cn.toml"), tmp_path / "out", quiet=True)
    out = tmp_path / "out"
    dagum = pd.read_csv(out / "tables" / "dagum_urban_rate.csv", index_col=0)
    assert list(dagum.index) == [2011, 2015]
    assert (dagum["within"] + dagum["between"] + dagum["transvariation"] - dagum["total"]).abs().max() < 1e-12
    assert not (out / "tables" / "emerging_hotspots_urban_rate.csv").exists()
    report = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert "need at least 3 periods" in report and "620000" in report
