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
