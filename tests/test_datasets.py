"""Bundled datasets: shapes, ids, NBS groups, and values identical to the shipped source files."""

from __future__ import annotations

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest

import spatialcluster as sc
from spatialcluster.datasets import DATA

FACTS_COLUMNS = [
    "urban_rate_2020", "urban_rate_2010", "urban_change_2010_2020_pp", "urban_rate_2010_derived",
    "urban_rate_2011_yearend", "pop_2020", "pop_2010", "gdp_2019", "gdp_2020", "gdp_real_growth_2020",
]  # fmt: skip


@pytest.fixture(scope="module")
def provinces():
    return sc.datasets.china_provinces()


@pytest.fixture(scope="module")
def facts_csv():
    return pd.read_csv(DATA / "china_provinces_facts.csv", dtype=str).set_index("adcode")


def test_china_provinces_shape_and_ids(provinces):
    assert isinstance(provinces, gpd.GeoDataFrame)
    assert len(provinces) == 31 and provinces.index.name == "code"
    assert all(isinstance(c, str) and len(c) == 6 and c.endswith("0000") for c in provinces.index)
    assert provinces.index.is_unique
    assert provinces.crs.to_epsg() == 4326
    assert list(provinces.columns[:3]) == ["name_zh", "name_en", "group"]
    assert set(FACTS_COLUMNS) <= set(provinces.columns)
    assert provinces.geometry.is_valid.all() and not provinces.geometry.is_empty.any()
    assert {"710000", "810000", "820000"}.isdisjoint(provinces.index)


def test_china_values_equal_the_csv_and_stay_missing(provinces, facts_csv):
    for col in FACTS_COLUMNS:
        expected = pd.to_numeric(facts_csv[col]).reindex(provinces.index)
        got = provinces[col]
        assert got.isna().equals(expected.isna()), col  # never filled
        np.testing.assert_array_equal(got.dropna().to_numpy(float), expected.dropna().to_numpy(float))
    assert provinces.loc["320000", "name_zh"] == "江苏省" and provinces.loc["150000", "name_en"] == "Inner Mongolia"
    # The 2020 census urbanization rate is unsourced for some provinces: it must stay missing.
    assert provinces["urban_rate_2020"].isna().sum() == facts_csv["urban_rate_2020"].isna().sum() > 0
    assert provinces["urban_rate_2011_yearend"].notna().all()


def test_population_totals_match_the_census_bulletins(provinces):
    """SOURCES.md: the 31 provinces add up to 1,409,778,724 (2020) and 1,332,774,867 (2010)."""
    assert int(provinces["pop_2020"].sum()) == 1_409_778_724
    assert int(provinces["pop_2010"].sum()) == 1_332_774_867


def test_nbs_groups(provinces):
    counts = provinces["group"].value_counts().to_dict()
    assert counts == {"east": 10, "central": 6, "west": 12, "northeast": 3}
    g = provinces["group"]
    assert g["110000"] == "east" and g["460000"] == "east" and g["150000"] == "west"
    assert g["450000"] == "west" and g["340000"] == "central" and g["230000"] == "northeast"


def test_sar_and_taiwan_only_on_request():
    full = sc.datasets.china_provinces(include_sar_taiwan=True)
    assert len(full) == 34
    extra = full.loc[["710000", "810000", "820000"]]
    assert list(extra["name_en"]) == ["Taiwan", "Hong Kong", "Macao"]
    assert extra[FACTS_COLUMNS].isna().all().all() and extra["group"].isna().all()


def test_urbanization_panel():
    panel = sc.datasets.china_urbanization_panel()
    raw = pd.read_csv(DATA / "china_provinces_urban_rate_panel.csv", dtype={"adcode": str})
    assert list(panel.columns) == ["code", "year", "urban_rate", "source_table"]
    assert len(panel) == len(raw) and not panel.duplicated(["code", "year"]).any()
    assert panel["code"].map(type).eq(str).all() and panel["year"].dtype.kind == "i"
    merged = panel.merge(raw, left_on=["code", "year"], right_on=["adcode", "year"])
    np.testing.assert_array_equal(merged["urban_rate_x"], merged["urban_rate_y"])
    # Year-end 2011 is complete and equals the cross-section column.
    y2011 = panel[panel["year"] == 2011].set_index("code")["urban_rate"]
    prov = sc.datasets.china_provinces()
    np.testing.assert_array_equal(y2011.reindex(prov.index), prov["urban_rate_2011_yearend"])


MEXICO_CSV_NAMES = {
    "Baja California Norte": "Baja California",
    "Coahuila De Zaragoza": "Coahuila",
    "Michoacan de Ocampo": "Michoacan",
    "Queretaro de Arteaga": "Quertaro",
    "Veracruz-Llave": "Veracruz",
}


def test_mexico_states_against_the_csv():
    m = sc.datasets.mexico_states()
    assert len(m) == 32 and m.index.name == "state" and m.index.is_unique
    assert all(isinstance(s, str) for s in m.index)
    assert m.crs.to_epsg() == 4326
    csv = pd.read_csv(libpysal.examples.get_path("mexico.csv")).set_index("State")
    by_name = m.set_index(m["name"].replace(MEXICO_CSV_NAMES))
    for year in range(1940, 2001, 10):
        np.testing.assert_array_equal(by_name[f"pcgdp{year}"], csv.loc[by_name.index, f"pcgdp{year}"])


def test_mexico_panel_is_the_long_form():
    panel = sc.datasets.mexico_gdp_panel()
    wide = sc.datasets.mexico_states()
    assert len(panel) == 32 * 7 and list(panel.columns[:3]) == ["state", "year", "pcgdp"]
    assert sorted(panel["year"].unique()) == list(range(1940, 2001, 10))
    pivot = panel.pivot(index="state", columns="year", values="pcgdp")
    for year in pivot.columns:
        np.testing.assert_array_equal(pivot[year].reindex(wide.index), wide[f"pcgdp{year}"])


def test_mexico_states_build_weights():
    m = sc.datasets.mexico_states()
    w = sc.build_weights(m, "queen")  # no islands on the mainland states
    assert list(w.unique_ids) == list(m.index)
    knn = sc.build_weights(m, "knn", k=4)
    assert "Lambert azimuthal" in sc.weights_summary(knn).crs_reason
