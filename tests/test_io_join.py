"""join: key normalisation on both sides, strict / left / inner, duplicates, panels, CRS."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import spatialcluster as sc
from _io_data import facts, regions_frame


@pytest.fixture(scope="module")
def reference():
    return facts()


@pytest.fixture
def provinces(reference):
    """31 regions indexed by adcode as read_regions returns them."""
    return regions_frame({"adcode": reference["adcode"], "name_zh": reference["name_zh"]}).set_index("adcode")


def _expected(reference, column="pop_2020"):
    return reference.set_index("adcode")[column]


@pytest.mark.parametrize(
    "keys",
    [
        lambda r: r["adcode"],  # 6-digit text
        lambda r: r["adcode"].astype(int),  # integers
        lambda r: r["adcode"].astype(float),  # 110000.0 (a column with NaN read by pandas)
        lambda r: r["adcode"].str[:2],  # province prefixes
        lambda r: r["name_zh"],  # 北京市, 内蒙古自治区
        lambda r: r["name_zh"].str.replace(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)$", "", regex=True),
        lambda r: r["name_en"],  # Beijing, Inner Mongolia, Tibet
        lambda r: r["name_en"].str.upper().str.replace("TIBET", "XIZANG").str.replace("INNER MONGOLIA", "Nei Mongol"),
    ],
    ids=["code", "int", "float", "prefix", "zh", "zh_short", "en", "pinyin"],
)
def test_every_key_form_joins_all_provinces(provinces, reference, keys):
    table = pd.DataFrame({"key": keys(reference), "pop": reference["pop_2020"]}).sample(frac=1, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", sc.SpatialClusterWarning)
        data = sc.join(provinces, table, on="key")
    assert data.index.tolist() == provinces.index.tolist()  # regions' order, string ids
    assert data.index.dtype == "str" and data.index.name == "adcode"
    assert data.crs.equals(provinces.crs)
    assert data.geometry.geom_equals(provinces.geometry).all()
    pd.testing.assert_series_equal(data["pop"], _expected(reference), check_names=False)
    assert "key" not in data.columns


def test_beijing_with_and_without_suffix_on_both_sides(provinces, reference):
    # regions matched by their Chinese names with suffix, table by the short forms
    table = pd.DataFrame({"省份": ["北京", "天津", "内蒙古", "广西", "新疆", "宁夏", "西藏"], "v": range(7)})
    with pytest.warns(sc.SpatialClusterWarning, match="24 region"):
        data = sc.join(provinces, table, on="省份", regions_on="name_zh", how="inner")
    assert data.index.tolist() == ["110000", "120000", "150000", "450000", "540000", "640000", "650000"]
    assert data.loc["650000", "v"] == 4 and data.loc["540000", "v"] == 6


def test_strict_lists_unmatched_keys_on_both_sides(provinces, reference):
    table = pd.DataFrame({"地区": reference["name_zh"], "v": 1.0})
    table = table[table["地区"] != "河北省"]
    table.loc[0, "地区"] = "Beijng"  # typo for Beijing
    table = pd.concat([table, pd.DataFrame({"地区": ["全国", "香港"], "v": [0.0, 0.0]})], ignore_index=True)
    with pytest.raises(sc.JoinError) as err:
        sc.join(provinces, table)  # key column detected: 地区
    e = err.value
    assert sorted(e.unmatched_regions) == ["110000", "130000"]
    assert sorted(e.unmatched_table) == ["Beijng", "全国", "香港"]
    assert e.suggestions["Beijng"][0] == "110000"  # via the English name of 110000
    assert e.suggestions["110000"][0] == "Beijng"
    message = str(e)
    assert "2 region(s) have no row in the table: '110000' [北京市] (closest: 'Beijng')" in message
    assert "'香港' [香港特别行政区]" in message
    assert "how='left'" in message and "how='inner'" in message


def test_left_and_inner_warn_about_what_was_left_out(provinces, reference):
    table = pd.DataFrame({"code": reference["adcode"][2:], "v": np.arange(29.0)})
    table = pd.concat([table, pd.DataFrame({"code": ["810000"], "v": [99.0]})], ignore_index=True)
    with pytest.warns(sc.SpatialClusterWarning, match=r"2 region\(s\) have no row.*'110000'.*'120000'.*'810000'"):
        left = sc.join(provinces, table, on="code", how="left")
    assert left.index.tolist() == provinces.index.tolist()
    assert left["v"].isna().tolist() == [True, True] + [False] * 29
    with pytest.warns(sc.SpatialClusterWarning, match="were dropped"):
        inner = sc.join(provinces, table, on="code", how="inner")
    assert inner.index.tolist() == provinces.index[2:].tolist()
    assert inner["v"].tolist() == list(np.arange(29.0))


def test_duplicate_table_keys(provinces, reference):
    table = pd.DataFrame({"region": list(reference["name_zh"]) + ["北京"], "v": range(32)})
    with pytest.raises(sc.InputError, match=r"duplicate region keys.*110000.*'北京市' at position 0, '北京' at position 31.*time="):
        sc.join(provinces, table)


def test_panel(provinces, reference):
    codes = reference["adcode"]
    long = pd.DataFrame({"code": list(codes) * 2, "year": [2019] * 31 + [2020] * 31,
                         "gdp": list(reference["gdp_2019"]) + list(reference["gdp_2020"])})
    data = sc.join(provinces, long.iloc[::-1], on="code")  # the year column is detected
    assert len(data) == 62 and data.index.tolist() == [c for c in provinces.index for _ in (0, 1)]
    assert data["year"].tolist() == [2019, 2020] * 31
    assert data.loc["320000", "gdp"].tolist() == reference.set_index("adcode").loc["320000", ["gdp_2019", "gdp_2020"]].tolist()
    assert data.crs.equals(provinces.crs)
    with pytest.raises(sc.InputError, match=r"duplicate \(region, year\) pairs.*110000.*2019"):
        sc.join(provinces, pd.concat([long, long.iloc[[0]]]), on="code")
    with pytest.raises(sc.InputError, match="duplicate region keys"):
        sc.join(provinces, long, on="code", time=False)
    # a region without any data in a left join gets a row for every period, with missing values
    with pytest.warns(sc.SpatialClusterWarning):
        left = sc.join(provinces, long[long["code"] != "650000"], on="code", how="left")
    assert len(left) == 62 and left.loc["650000", "year"].tolist() == [2019, 2020]
    assert left.loc["650000", "gdp"].isna().all()


def test_non_chinese_keys_match_exactly_after_trimming():
    states = ["Aguascalientes", "Baja California", "Baja California Sur", "Distrito Federal"]
    regions = regions_frame({"NAME": states}).set_index(pd.Index(states, dtype="str", name="NAME"))
    table = pd.DataFrame({"state": [f" {s} " for s in states[::-1]], "pcgdp2000": [4.0, 3.0, 2.0, 1.0]})
    assert sc.join(regions, table, on="state")["pcgdp2000"].tolist() == [1.0, 2.0, 3.0, 4.0]
    with pytest.raises(sc.JoinError) as err:
        sc.join(regions, table.assign(state=table["state"].str.lower()), on="state")
    assert err.value.suggestions["aguascalientes"] == ["Aguascalientes"]  # case matters, the hint finds it

    fips = ["01", "06", "11", "12"]  # US state FIPS: "11" and "12" are also Chinese prefixes
    regions = regions_frame({"f": fips}).set_index(pd.Index(fips, dtype="str", name="GEOID"))
    table = pd.DataFrame({"GEOID": ["12", "11", "06", "01"], "v": [12, 11, 6, 1]})
    data = sc.join(regions, table)  # key detected by the regions' index name
    assert data.index.tolist() == fips and data["v"].tolist() == [1, 6, 11, 12]


def test_tables_geometry_with_another_crs_is_refused(provinces, reference):
    other = regions_frame({"code": reference["adcode"], "v": 1.0}, crs="EPSG:3857")
    with pytest.raises(sc.InputError, match=r"table's geometries are in EPSG:3857 but the regions are in EPSG:4326"):
        sc.join(provinces, other, on="code")
    same = regions_frame({"code": reference["adcode"], "v": 1.0})
    data = sc.join(provinces, same, on="code")
    assert data.geometry.name == "geometry" and (data["v"] == 1.0).all()


def test_argument_errors(provinces, reference):
    table = pd.DataFrame({"code": reference["adcode"], "v": 1.0})
    with pytest.raises(sc.InputError, match=r"how='outer' is not one of"):
        sc.join(provinces, table, how="outer")
    with pytest.raises(sc.InputError, match=r"no key column 'cod'.*Did you mean \['code'\]"):
        sc.join(provinces, table, on="cod")
    with pytest.raises(sc.InputError, match="pass on='<column>'"):
        sc.join(provinces, table.rename(columns={"code": "k"}))
    with pytest.raises(sc.InputError, match=r"no key at positions 3"):
        sc.join(provinces, table.assign(code=table["code"].where(table.index != 3)), on="code")
    with pytest.raises(sc.InputError, match="must be a GeoDataFrame"):
        sc.join(pd.DataFrame(provinces), table)


def test_column_names_shared_with_the_regions_get_a_suffix(provinces, reference):
    table = pd.DataFrame({"code": reference["adcode"], "name_zh": reference["name_en"]})
    data = sc.join(provinces, table, on="code")
    assert data["name_zh"].tolist() == reference["name_zh"].tolist()
    assert data["name_zh_table"].tolist() == reference["name_en"].tolist()


def test_join_from_files(tmp_path, provinces, reference):
    """The whole reading path: GBK shapefile without .cpg + NBS export with province names."""
    from _io_data import write_shapefile

    shp = write_shapefile(provinces.reset_index(), tmp_path / "p.shp", encoding="GBK", cpg=False)
    rows = "\n".join(f"{n},{g}" for n, g in zip(reference["name_zh"], reference["gdp_2020"]))
    nbs = f"数据库：分省年度数据\n指标：地区生产总值(亿元)\n时间：2020\n地区,2020年\n{rows}\n数据来源：国家统计局\n"
    (tmp_path / "gdp.csv").write_bytes(nbs.encode("gb18030"))
    with pytest.warns(sc.SpatialClusterWarning, match="GB18030"):
        data = sc.join(shp, tmp_path / "gdp.csv")
    assert data.index.tolist() == provinces.index.tolist()
    np.testing.assert_allclose(data["地区生产总值(亿元)"], _expected(reference, "gdp_2020"), rtol=0, atol=0)
    assert data["name_zh"].tolist() == reference["name_zh"].tolist()
