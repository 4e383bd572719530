"""The demo's panel section and its maps by year, on the bundled China provincial panel.

``[models.panel]`` with ``dynamic = "spacetime"`` and ``with_static = true``: the static and the dynamic
two-way spatial Durbin panels each equal :func:`sc.spillover_panel` called directly on the same data
(the location quotient by :func:`sc.location_quotient` year by year, as a user would; the demo's derivation
of it is checked in tests/test_datasets_panel.py); the estimators themselves are validated against
SDPDmod and spreg in tests/test_panel_models.py and tests/test_panel_dynamic.py.
``[outputs.panel_maps]``: one map per column and year, all years of a column on the same class bounds,
which are mapclassify's quantiles of the values of those years pooled.
"""

from __future__ import annotations

import json

import mapclassify
import numpy as np
import pandas as pd
import pytest

import spatialcluster as sc
from spatialcluster import pipeline

DEMO = pipeline.demo_config_path().read_text(encoding="utf-8")


def _cut(text: str, start: str, end: str) -> str:
    """``text`` without the part from the table header ``start`` up to the header ``end``."""
    i, j = text.index(f"\n{start}\n") + 1, text.index(f"\n{end}\n") + 1
    return text[:i] + text[j:]


@pytest.fixture(scope="module")
def demo_panel(tmp_path_factory):
    """The shipped demo with its panel models and maps only (no statistics, cross-section model or dynamics)."""
    light = _cut(_cut(DEMO, "[statistics]", "[models.panel]"), "[dynamics]", "[outputs]")
    choropleths = next(line for line in light.splitlines() if line.startswith("choropleths = "))
    light = light.replace(choropleths, "choropleths = []").replace("gpkg = true", "gpkg = false")
    tmp = tmp_path_factory.mktemp("cn_panel")
    (tmp / "cn.toml").write_text(light, encoding="utf-8")
    calls = []
    real = sc.plot.choropleth

    def spy(data, column, *args, **kw):
        calls.append((column, kw.get("title"), list(kw["bins"]), data[column].copy()))
        return real(data, column, *args, **kw)

    mp = pytest.MonkeyPatch()
    mp.setattr(sc.plot, "choropleth", spy)
    try:
        res = pipeline.run(pipeline.load_config(tmp / "cn.toml"), tmp / "out", quiet=True)
    finally:
        mp.undo()
    return tmp / "out", res, calls


def _api_panel():
    """The bundled panel 2005-2019 with urbanization from the revised counts and the secondary sector's location
    quotient of each year's cross-section."""
    p = sc.datasets.china_provinces_panel()
    p = p[p["year"].between(2005, 2019)].sort_values(["code", "year"]).reset_index(drop=True)
    p["urbanization"] = 100 * p["urban_pop_rev"] / p["pop_rev"]
    parts = [sc.location_quotient(part.set_index("code")[["va_secondary", "gdp"]], numerator="va_secondary",
                                  denominator="gdp").lq.reindex(part["code"]).set_axis(part.index)
             for _, part in p.groupby("year")]
    return p.assign(lq_secondary=pd.concat(parts))


@pytest.fixture(scope="module")
def api_fits():
    with pytest.warns(sc.SpatialClusterWarning, match="460000"):
        w = sc.build_weights(sc.datasets.china_provinces(), kind="queen", islands="nearest")
    kw = dict(long_df=_api_panel(), y="gdp_index", x=["urbanization", "lq_secondary"], w=w, id="code", time="year",
              model="sdm", effects="twoway", bias_correction=True, seed=20240601)
    return sc.spillover_panel(**kw), sc.spillover_panel(**kw, dynamic="spacetime")


def _table(out, name):
    return pd.read_csv(out / "tables" / f"{name}.csv", index_col=0)


def _close(written: pd.DataFrame, expected: pd.DataFrame):
    expected = expected.loc[written.index.astype(str), written.columns]
    np.testing.assert_allclose(written.to_numpy(float), expected.to_numpy(float), rtol=1e-12, atol=1e-14)


def test_demo_panel_static_and_dynamic_equal_the_api(demo_panel, api_fits):
    out, res, _ = demo_panel
    static, dynamic = api_fits
    coef = _table(out, "panel_sdm")
    assert list(coef.index) == ["urbanization", "lq_secondary", "W_urbanization", "W_lq_secondary", "rho"]
    _close(coef, sc.pipeline.context.result_frame(static))
    _close(_table(out, "panel_effects_sdm"), static.effects)
    coef = _table(out, "panel_dynamic_sdm")
    assert {"tau", "eta", "rho"} <= set(coef.index)
    _close(coef, sc.pipeline.context.result_frame(dynamic))
    _close(_table(out, "panel_dynamic_effects_short_sdm"), dynamic.effects_short)
    _close(_table(out, "panel_dynamic_effects_long_sdm"), dynamic.effects_long)
    assert dynamic.extra["stability"]["stable"] is True
    results = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["results"]
    assert results["panel_model_static"]["model"]["dynamic"] == "none"
    assert results["panel_model"]["model"]["dynamic"] == "spacetime"
    assert results["panel_model"]["model"]["params"]["rho"] == pytest.approx(dynamic.params["rho"], rel=1e-12)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Panel spillover model: static" in html and "Panel spillover model: dynamic (spacetime)" in html


def _first_and_last_complete(panel, column):
    counts = panel[column].groupby(level="year").count().loc[2005:2019]
    full = counts.index[counts == 31]
    return [int(full.min()), int(full.max())]


def test_demo_maps_show_two_years_on_one_classification(demo_panel):
    out, _, calls = demo_panel
    p = sc.datasets.china_provinces_panel().set_index(["code", "year"])
    p["gdp_per_head"] = 1e4 * p["gdp"] / p["pop"]
    p["urbanization"] = 100 * p["urban_pop_rev"] / p["pop_rev"]
    for column in ("gdp_per_head", "urbanization"):
        years = _first_and_last_complete(p, column)
        assert years[1] - years[0] >= 7
        mine = [c for c in calls if c[0] == column]
        assert [int(c[1].rsplit(", ", 1)[1]) for c in mine] == years
        pooled = pd.concat([p.xs(y, level="year")[column] for y in years])
        bins = mapclassify.Quantiles(pooled.to_numpy(float), k=5).bins
        for (_, _, got, values), year in zip(mine, years, strict=True):
            np.testing.assert_allclose(got, bins, rtol=1e-12)
            ref = p.xs(year, level="year")[column]
            np.testing.assert_allclose(values.reindex(ref.index).to_numpy(float), ref.to_numpy(float), rtol=1e-12)
            assert values.isna().sum() == 3  # Hong Kong, Macao and Taiwan: drawn as no data
            assert (out / "maps" / f"choropleth_{column}_{year}.png").is_file()


def test_with_static_needs_a_dynamic_model():
    with pytest.raises(sc.ConfigError, match=r"key \"with_static\".*set dynamic = \"time\" or \"spacetime\""):
        pipeline.parse_config(DEMO.replace('dynamic = "spacetime"', 'dynamic = "none"'))


def test_panel_maps_table_and_periods_are_checked(tmp_path):
    with pytest.raises(sc.ConfigError, match=r"panel_maps\] key \"table\".*'panel_lng' is not a panel table"):
        pipeline.parse_config(DEMO.replace('table = "panel"\ncolumns = ["gdp_per_head", "urbanization"]\n',
                                           'table = "panel_lng"\ncolumns = ["gdp_per_head"]\n'))
    light = _cut(_cut(DEMO, "[statistics]", "[models.panel]"), "[models.panel]", "[outputs]")
    light = light.replace('[outputs.panel_maps]\ntable = "panel"\ncolumns = ["gdp_per_head", "urbanization"]\n',
                          '[outputs.panel_maps]\ntable = "panel"\ncolumns = ["gdp_per_head"]\nperiods = [2004]\n')
    (tmp_path / "a.toml").write_text(light, encoding="utf-8")
    with pytest.raises(sc.InputError, match=r"periods 2004 are not in panel table 'panel' \(its periods: 2005, "):
        pipeline.run(pipeline.load_config(tmp_path / "a.toml"), tmp_path / "out", quiet=True)
