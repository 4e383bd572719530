"""The variable catalogue: labels in both languages, set through the API, used by figures and tables."""

from __future__ import annotations

import pytest

import spatialcluster as sc
from spatialcluster import ConfigError
from spatialcluster import labels as lab


@pytest.fixture(autouse=True)
def _restore_catalogue(monkeypatch):
    monkeypatch.setattr(lab, "_catalogue", dict(lab._catalogue))
    monkeypatch.setattr(lab, "_default", dict(lab._default))


def test_preset_labels_of_the_bundled_columns():
    assert lab.label("urban_rate_2011_yearend", "zh") == "2011年城镇化率（%）"
    assert lab.label("urban_rate_2011_yearend", "en") == "Urbanization rate 2011 (%)"
    assert lab.label("urban_rate_2011_yearend", "en", unit=False) == "Urbanization rate 2011"
    prov = sc.datasets.china_provinces()
    numeric = [c for c in prov.columns if prov[c].dtype.kind == "f"]
    unlabelled = [c for c in numeric if lab.variable(c).en is None]
    assert not unlabelled, unlabelled


def test_set_label_and_update_keep_other_fields():
    v = sc.set_label("grp_pc", en="GRP per capita", zh="人均地区生产总值", unit_en="yuan", unit_zh="元")
    assert v.label("zh") == "人均地区生产总值（元）" and v.label("en") == "GRP per capita (yuan)"
    sc.set_label("grp_pc", en="GRP per head")
    assert lab.label("grp_pc", "en") == "GRP per head (yuan)" and lab.label("grp_pc", "zh") == "人均地区生产总值（元）"


def test_fallbacks_and_default_language():
    assert lab.label("no_such_column", "zh") == "no_such_column"
    sc.set_label("only_en", en="Only English")
    assert lab.label("only_en", "zh") == "Only English"
    sc.set_language("zh")
    assert lab.label("only_en") == "Only English" and lab.term("no_data") == "无数据"
    sc.set_language("en")
    assert lab.term("no_data") == "No data"


def test_set_labels_from_a_config_table():
    sc.set_labels({"gdp_pc": {"en": "GDP per capita", "zh": "人均GDP", "unit": "yuan"}})
    assert lab.label("gdp_pc", "zh") == "人均GDP（yuan）"
    with pytest.raises(ConfigError, match=r"\[labels\] gdp_pc: unknown keys \['colour'\]"):
        sc.set_labels({"gdp_pc": {"colour": "red"}})
    with pytest.raises(ConfigError, match="expected a table"):
        sc.set_labels({"gdp_pc": "GDP"})


def test_bad_language_and_bad_label():
    with pytest.raises(ConfigError, match="lang must be 'en' or 'zh', got 'fr'"):
        lab.label("x", "fr")
    with pytest.raises(ConfigError, match="must be text"):
        sc.set_label("x", en=3)


def test_using_restores_the_catalogue_and_language():
    with lab.using({"gdp_pc": {"zh": "人均GDP"}}, lang="zh"):
        assert lab.label("gdp_pc") == "人均GDP" and lab.term("no_data") == "无数据"
    assert lab.label("gdp_pc") == "gdp_pc" and lab.term("no_data") == "No data"
    with pytest.raises(ConfigError), lab.using({"x": {"bad": 1}}):
        pass
    assert lab.variable("x").en is None


def test_caption_puts_the_pipelines_phrases_into_chinese():
    """The English openings the steps write become Chinese with a full-width colon, a catalogued column its
    label, the run details in brackets Chinese; English and unknown text stay as they are."""
    sc.set_label("gdp_pc", en="GDP per capita", zh="人均GDP", unit="yuan")
    assert lab.caption("Emerging hot spots: gdp_pc", "zh") == "新兴热点：人均GDP（yuan）"
    assert lab.caption("LISA clusters: 人均GDP\n(999 permutations, fdr correction, alpha 0.05)", "zh") == (
        "LISA聚类：人均GDP\n（999次置换，fdr校正，显著性水平0.05）")
    assert lab.caption("Moran scatter plot: gdp_pc (knn:k=6 weights)", "zh") == "莫兰散点图：gdp_pc（knn:k=6权重）"
    assert lab.caption("Emerging hot spots: gdp_pc", "en") == "Emerging hot spots: gdp_pc"
    assert lab.caption("Something else: gdp_pc", "zh") == "Something else: gdp_pc"


def _long_panel():
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    return pd.DataFrame({"code": [f"r{i}" for i in range(12)] * 4, "year": np.repeat([2000, 2005, 2010, 2015], 12),
                         "gdp_pc": rng.lognormal(size=48)})


def test_dynamics_figure_titles_follow_the_language():
    """sc.set_language("zh") (or lang="zh"): the dynamics figures' titles, axes and legends are Chinese,
    the variable by its catalogue label; English otherwise."""
    import matplotlib

    matplotlib.use("Agg")
    sc.set_label("gdp_pc", en="GDP per capita", zh="人均GDP", unit="yuan")
    long = _long_panel()
    sigma = sc.sigma_convergence(long, "gdp_pc", id="code", time="year")
    assert sigma.plot().get_title() == "Sigma convergence of GDP per capita"
    assert sigma.plot(lang="zh").get_title() == "人均GDP的σ收敛"
    sc.set_language("zh")
    markov = sc.markov(long, "gdp_pc", id="code", time="year", k=3)
    ax = markov.plot()
    assert ax.get_title() == "马尔可夫链：人均GDP（yuan）" and ax.get_xlabel() == "t + 1 期类别"
    dagum = sc.dagum_gini(long.assign(grp=["a", "b"] * 24), "gdp_pc", group="grp", time="year", id="code")
    ax = dagum.plot()
    assert ax.get_title() == "人均GDP基尼系数的Dagum分解" and ax.get_xlabel() == "年份"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["区域内", "区域间", "超变密度"]


def test_pipeline_figure_captions_follow_the_run_language(tmp_path):
    """A step's caption drawn as a figure title ("Emerging hot spots: ..." in steps/dynamics.py) is written in
    the run's language ([outputs] lang = "zh" runs the steps inside labels.using(lang="zh"))."""
    from spatialcluster.pipeline.writer import Writer

    drawn = {}

    def draw(ax):
        ax.plot([0, 1], [0, 1])
        ax.set_title("Emerging hot spots: gdp_pc", fontsize=9)
        drawn["ax"] = ax

    sc.set_label("gdp_pc", en="GDP per capita", zh="人均GDP")
    (tmp_path / "zh").mkdir(), (tmp_path / "en").mkdir()
    with lab.using(lang="zh"):
        Writer(tmp_path / "zh").figure("emerging_map_gdp_pc", draw)
    assert drawn["ax"].get_title() == "新兴热点：人均GDP" and drawn["ax"].title.get_fontsize() == 9
    Writer(tmp_path / "en").figure("emerging_map_gdp_pc", draw)
    assert drawn["ax"].get_title() == "Emerging hot spots: gdp_pc"
