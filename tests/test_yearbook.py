"""Issue 15, "Reading what users have": yearbook sheets as they arrive read and join with no hand edits.

The fixtures are built here from the bundled official statistics (``sc.datasets.china_facts()``,
sources in ``datasets/data/SOURCES.md``) in the layout of the China Statistical Yearbook's
provincial tables: a title row, a unit row, a national row, short province names padded with
full-width spaces (北　京), a footnote marker, footnote rows; as CSV and as .xlsx with a two-row
header (indicator over year, merged cells). Expected values are the facts themselves (exact, or
within the 0.01 万人 = 100 persons rounding of the sheet where stated).
"""

from __future__ import annotations

import math
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

import spatialcluster as sc
from spatialcluster.io import PROVINCES
from spatialcluster.io.names import clean_name

SHORT = {code: short for code, _full, short, *_ in PROVINCES}
NATIONAL_POP_2020 = 141178  # 万人, 7th census bulletin no. 1 (resident population of the 31 provinces + servicemen)


def _short(code: str) -> str:
    """The yearbook's province label: short name, two-character names padded with a full-width space."""
    name = SHORT[code]
    return f"{name[0]}\u3000{name[1]}" if len(name) == 2 else name


def _urban(value) -> str:
    return "…" if math.isnan(value) else f"{value:.2f}"


def yearbook_csv(path, encoding="gb18030"):
    """Population (万人, unit row) and urbanisation (% in the header) in 2020, one row per province."""
    facts = sc.datasets.china_facts()
    lines = ["2-8 各地区人口与城镇化率（2020年）,,", ",,单位：万人", "地　区,年末常住人口,城镇化率(%)",
             f"全　国,{NATIONAL_POP_2020},63.89"]
    for code, row in facts.iterrows():
        pop = f"{row['pop_2020'] / 1e4:.2f}" + ("①" if code == "110000" else "")
        lines.append(f"{_short(code)},{pop},{_urban(row['urban_rate_2020'])}")
    lines += ["注：①常住人口为第七次全国人口普查数据。,,", "数据来源：国家统计局,,"]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def yearbook_xlsx(path):
    """GDP (亿元, unit row) 2019-2020 and population (万人, in the header) 2010 and 2020, indicator over year."""
    facts = sc.datasets.china_facts()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "3-9"
    sheet.append(["3-9 地区生产总值和年末常住人口"])
    sheet.append([None, None, None, None, "单位：亿元"])
    sheet.append(["地区", "地区生产总值", None, "年末常住人口（万人）", None])
    sheet.append([None, "2019", "2020", "2010年", "2020年"])
    sheet.merge_cells("B3:C3")
    sheet.merge_cells("D3:E3")
    sheet.merge_cells("A3:A4")
    sheet.append(["全　国", 986515.2, 1013567.0, 133972, NATIONAL_POP_2020])
    for code, row in facts.iterrows():
        gdp19 = "—" if math.isnan(row["gdp_2019"]) else row["gdp_2019"]
        sheet.append([_short(code), gdp19, row["gdp_2020"], round(row["pop_2010"] / 1e4, 2),
                      round(row["pop_2020"] / 1e4, 2)])
    sheet.append(["注：2019年为第四次全国经济普查后修订数。"])
    sheet.append(["资料来源：国家统计局"])
    book.save(path)
    return path


@pytest.fixture
def facts():
    return sc.datasets.china_facts()


def test_yearbook_csv_reads_and_joins_with_no_edits(tmp_path, facts):
    with pytest.warns(sc.SpatialClusterWarning) as record:
        table = sc.read_table(yearbook_csv(tmp_path / "2-8.csv"))
    message = str(record[0].message)
    assert "national row" in message and "footnote row" in message and "footnote marker '①'" in message
    assert list(table.columns) == ["地区", "年末常住人口", "城镇化率(%)"]
    assert len(table) == 31 and table["地区"].iloc[0] == "北京"  # full-width padding gone
    assert table.attrs["units"] == {"年末常住人口": "万人", "城镇化率(%)": "%"}
    assert table.attrs["title"] == "2-8 各地区人口与城镇化率（2020年）"
    assert table.attrs["national"] == {"地区": "全　国", "年末常住人口": NATIONAL_POP_2020, "城镇化率(%)": 63.89}
    assert [why for _, _, why in table.attrs["dropped_rows"]] == ["national row", "footnote row", "footnote row"]
    assert "数据来源：国家统计局" in table.attrs["notes"]
    # 0.01 万人 rounding in the sheet: within 50 persons of the census figure
    np.testing.assert_allclose(table["年末常住人口"] * 1e4, facts["pop_2020"].to_numpy(), atol=50)
    assert table["城镇化率(%)"].isna().sum() == facts["urban_rate_2020"].isna().sum()  # "…" is missing

    joined = sc.join(sc.datasets.china_provinces(), table)  # strict: would raise on any unmatched key
    assert len(joined) == 31 and joined.loc["110000", "年末常住人口"] == 2189.31


def test_convert_units_gives_persons_and_renames_nothing_without_a_header_unit(tmp_path, facts):
    with pytest.warns(sc.SpatialClusterWarning, match="converted from 万人 to 人"):
        table = sc.read_table(yearbook_csv(tmp_path / "2-8.csv"), convert_units=True)
    assert table.attrs["units"] == {"年末常住人口": "人", "城镇化率(%)": "%"}  # % stays %
    assert table["年末常住人口"].dtype == np.int64
    np.testing.assert_allclose(table["年末常住人口"], facts["pop_2020"].to_numpy(), atol=50)


def test_yearbook_xlsx_two_row_header_becomes_long_and_joins_as_panel(tmp_path, facts):
    with pytest.warns(sc.SpatialClusterWarning, match="national row"):
        table = sc.read_table(yearbook_xlsx(tmp_path / "3-9.xlsx"))
    assert list(table.columns) == ["地区", "year", "地区生产总值", "年末常住人口（万人）"]
    assert sorted(table["year"].unique()) == [2010, 2019, 2020]
    assert table.attrs["units"] == {"地区生产总值": "亿元", "年末常住人口（万人）": "万人"}
    value = table.set_index(["地区", "year"])
    assert value.loc[("北京", 2020), "地区生产总值"] == 36102.6
    assert value.loc[("北京", 2010), "年末常住人口（万人）"] == 1961.24
    assert math.isnan(value.loc[("北京", 2010), "地区生产总值"])  # no GDP column for 2010
    joined = sc.join(sc.datasets.china_provinces(), table)  # a panel: region x year
    assert len(joined) == 31 * 3
    gdp = joined[joined["year"] == 2020]["地区生产总值"]
    np.testing.assert_allclose(gdp.to_numpy(), facts.loc[gdp.index, "gdp_2020"].to_numpy(), rtol=0, atol=1e-9)


def test_converted_header_unit_is_renamed(tmp_path, facts):
    with pytest.warns(sc.SpatialClusterWarning):
        table = sc.read_table(yearbook_xlsx(tmp_path / "3-9.xlsx"), convert_units=True)
    assert "年末常住人口（人）" in table.columns and table.attrs["units"]["地区生产总值"] == "元"
    beijing = table.set_index(["地区", "year"]).loc[("北京", 2020)]
    assert beijing["地区生产总值"] == 36102.6e8
    assert abs(beijing["年末常住人口（人）"] - facts.loc["110000", "pop_2020"]) <= 50


def test_header_and_skiprows_override_the_guess(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("some preamble,x\nmore,y\ncode,v\n110000,1\n120000,2\n", encoding="utf-8")
    with pytest.raises(sc.InputError, match=r"neither numbers.*Rows \[2, 3\] are text.*pass header="):
        sc.read_table(path)  # two-cell preamble rows are not guessed away, but the error names them
    assert sc.read_table(path, header=2)["v"].tolist() == [1, 2]
    assert sc.read_table(path, skiprows=2)["v"].tolist() == [1, 2]
    assert sc.read_table(path, skiprows=1, header=1)["v"].tolist() == [1, 2]
    with pytest.raises(sc.InputError, match=r"header=\[1, 3\]: the two header rows must be consecutive"):
        sc.read_table(path, header=[1, 3])


def test_explicit_two_row_header_and_sheet(tmp_path):
    path = tmp_path / "b.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["x"])
    other = book.create_sheet("人口")
    for row in (["地区", "人口", "人口"], [None, "城镇", "乡村"], ["北京", 1916.6, 272.7]):
        other.append(row)
    book.save(path)
    table = sc.read_table(path, sheet="人口", header=[0, 1])
    assert list(table.columns) == ["地区", "人口_城镇", "人口_乡村"]
    assert table["人口_城镇"].tolist() == [1916.6]


def test_national_row_can_be_kept(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("地区,v\n全　国,10\n北京,1\n", encoding="utf-8")
    with pytest.warns(sc.SpatialClusterWarning, match=r"row 2 \(national row\): '全国'"):
        assert sc.read_table(path)["地区"].tolist() == ["北京"]
    assert sc.read_table(path, national="keep")["地区"].tolist() == ["全国", "北京"]


def test_unit_row_below_the_header(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("地区,人口,地区生产总值\n,万人,亿元\n北京,2189.31,36102.6\n", encoding="utf-8")
    table = sc.read_table(path)
    assert table.attrs["units"] == {"人口": "万人", "地区生产总值": "亿元"}
    assert table["人口"].tolist() == [2189.31]


def test_unit_row_makes_bare_numbers_unambiguous(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("表 人口,\n单位：万人,\n地区,人口\n北京,2189万人\n天津,1387\n", encoding="utf-8")
    assert sc.read_table(path)["人口"].tolist() == [2189, 1387]


def test_pandas_index_header_is_not_taken_for_a_title(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"gdp": [1.5, 2.5]}, index=["110000", "120000"]).to_csv(path)
    assert list(sc.read_table(path).columns) == ["unnamed_1", "gdp"]


@pytest.mark.parametrize(("raw", "clean"), [("北　京", "北京"), ("　　内蒙古 ", "内蒙古"), ("全 国", "全国"),
                                            ("New York", "New York"), ("Inner　Mongolia", "Inner　Mongolia")])
def test_clean_name(raw, clean):
    assert clean_name(raw) == clean


def test_full_width_names_normalise_to_codes():
    assert sc.normalize_region_key("北　京") == "110000"
    assert sc.normalize_region_key("内蒙古　") == "150000"


# ------------------------------------------------------------------ gaps
def _panel():
    codes = sc.datasets.china_provinces().index
    return pd.DataFrame([(c, y, float(i + y)) for i, c in enumerate(codes) for y in (2019, 2020)],
                        columns=["code", "year", "v"])


def test_handle_missing_error_names_cells_and_choices():
    panel = _panel()
    panel.loc[(panel["code"] == "540000") & (panel["year"] == 2020), "v"] = np.nan
    with pytest.raises(sc.InputError) as err:
        sc.handle_missing(panel, "v", id="code", time="year")
    message = str(err.value)
    assert "'v' for 540000 (西藏自治区) in 2020" in message
    assert "missing='drop-region' would drop 1 region(s) (540000 (西藏自治区))" in message
    assert "missing='drop-period' would drop 1 period(s) (2020)" in message


def test_handle_missing_drop_region_and_drop_period():
    panel = _panel()
    panel.loc[(panel["code"] == "540000") & (panel["year"] == 2020), "v"] = np.nan
    by_region, report = sc.handle_missing(panel, "v", id="code", time="year", missing="drop-region")
    assert len(by_region) == 60 and "540000" not in set(by_region["code"])
    assert report.dropped_regions == ["540000"] and report.to_record()["rows_after"] == 60
    by_period, report = sc.handle_missing(panel, "v", id="code", time="year", missing="drop-period")
    assert set(by_period["year"]) == {2019} and len(by_period) == 31 and report.dropped_periods == [2020]
    with pytest.raises(sc.InputError, match="drop-period' needs a panel"):
        sc.handle_missing(panel, "v", id="code", missing="drop-period")
    complete, report = sc.handle_missing(_panel(), "v", id="code", time="year", missing="drop-region")
    assert len(complete) == 62 and report.summary() == "no missing values"


def test_join_missing_option_for_a_cross_section(tmp_path, facts):
    with pytest.warns(sc.SpatialClusterWarning):
        table = sc.read_table(yearbook_csv(tmp_path / "2-8.csv"))  # urbanisation 2020: "…" where no source
    gaps = facts.index[facts["urban_rate_2020"].isna()].tolist()
    assert gaps, "the fixture needs at least one gap"
    regions = sc.datasets.china_provinces()
    first = f"'城镇化率(%)' for {gaps[0]} ({facts.loc[gaps[0], 'name_zh']})"
    with pytest.raises(sc.InputError, match=re.escape(first)):
        sc.join(regions, table, missing="error")
    with pytest.warns(sc.SpatialClusterWarning, match=f"dropped {len(gaps)} region"):
        joined = sc.join(regions, table, missing="drop-region")
    assert len(joined) == 31 - len(gaps) and joined["城镇化率(%)"].notna().all()
    assert joined.attrs["missing"]["dropped_regions"] == gaps


def test_moran_by_year_names_the_year_and_the_region():
    """One gap used to stop the run naming the region but not the year."""
    regions = sc.datasets.china_provinces()
    with pytest.warns(sc.SpatialClusterWarning):  # Hainan linked to its nearest region
        w = sc.build_weights(regions, kind="queen", islands="nearest")
    panel = _panel()
    panel.loc[(panel["code"] == "540000") & (panel["year"] == 2020), "v"] = np.nan
    with pytest.raises(sc.InputError, match=r"^year 2020: column 'v' is missing for 1 region\(s\): 540000.*handle_missing"):
        sc.moran_by_year(panel, "v", w, permutations=0)


# ------------------------------------------------------------------ administrative changes
def _prefectures_table(rows):
    return pd.DataFrame(rows, columns=["code", "year", "pop"])


def test_crosswalk_rows_are_sourced_and_map_to_existing_prefectures():
    from spatialcluster.io.crosswalk import CROSSWALK

    table = sc.io.prefecture_changes()
    current = sc.datasets.china_prefectures().index
    assert table["new_code"].isin(current).all()  # every target is a prefecture of the bundled map
    assert not table["old_code"].isin(current).any()  # every old code is gone
    assert table["document"].str.match(r"国函〔\d{4}〕\d+号").all()
    sources = (CROSSWALK.parent / "SOURCES.md").read_text(encoding="utf-8")
    for row in table.drop_duplicates("old_code").itertuples():
        assert row.document in sources and row.old_code in sources
    assert set(table.loc[table["old_code"] == "341400", "new_code"]) == {"340100", "340200", "340500"}


def test_join_reports_abolished_codes_and_recodes_them():
    regions = sc.datasets.china_prefectures()
    rows = [(c, 2015, 100.0) for c in regions.index if c not in {"520500"}] + [("522400", 2015, 5.0)]
    rows += [("371200", 2015, 7.0)]
    table = _prefectures_table(rows)
    with pytest.raises(sc.JoinError) as err:
        sc.join(regions, table)
    message = str(err.value)
    assert "522400 (毕节地区) was recoded as 520500 毕节市 on 2011-10-22 (国函〔2011〕130号)" in message
    assert "371200 (莱芜市) was merged into 370100 济南市" in message and "recode='latest'" in message
    with pytest.raises(sc.InputError, match=r"aggregate=\{'pop': 'sum'\}"):
        sc.join(regions, table, recode="latest")
    with pytest.warns(sc.SpatialClusterWarning, match="merged into 370100"):
        joined = sc.join(regions, table, recode="latest", aggregate={"pop": "sum"})
    assert len(joined) == len(regions)
    assert joined.loc["370100", "pop"] == 107.0 and joined.loc["520500", "pop"] == 5.0


def test_recode_refuses_a_split_prefecture_and_a_lone_merged_one():
    regions = sc.datasets.china_prefectures()
    split = _prefectures_table([(c, 2010, 1.0) for c in regions.index] + [("341400", 2010, 1.0)])
    with pytest.raises(sc.InputError, match=r"341400 \(巢湖市\) was split between 340100 合肥市, 340200 芜湖市, 340500 马鞍山市"):
        sc.join(regions, split, recode="latest")
    lone = _prefectures_table([(c, 2015, 1.0) for c in regions.index if c != "370100"] + [("371200", 2015, 1.0)])
    with pytest.raises(sc.InputError, match="no row for 370100 for year 2015"):
        sc.join(regions, lone, recode="latest", aggregate="sum")


def test_sheet_by_position(tmp_path):
    path = tmp_path / "b.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["code", "v"])
    book.active.append(["110000", 1])
    second = book.create_sheet("2020")  # sheets named after years are common: "2020" is a name, never a position
    second.append(["code", "v"])
    second.append(["110000", 2])
    book.save(path)
    assert sc.read_table(path, sheet=1)["v"].tolist() == [2]
    assert sc.read_table(path, sheet="2020")["v"].tolist() == [2]
    with pytest.raises(sc.InputError, match="no sheet number 5; the workbook has 2 sheets"):
        sc.read_table(path, sheet=5)
    with pytest.raises(sc.InputError, match="no sheet '1'"):
        sc.read_table(path, sheet="1")


def test_join_missing_drop_period_for_a_panel(tmp_path):
    """The 3-9 sheet has GDP for 2019-2020 and population for 2010 and 2020: only 2020 is complete."""
    with pytest.warns(sc.SpatialClusterWarning):
        table = sc.read_table(yearbook_xlsx(tmp_path / "3-9.xlsx"))
    with pytest.warns(sc.SpatialClusterWarning, match=r"dropped 2 period\(s\): 2010, 2019"):
        joined = sc.join(sc.datasets.china_provinces(), table, missing="drop-period")
    assert set(joined["year"]) == {2020} and len(joined) == 31
    assert joined.attrs["missing"]["dropped_periods"] == [2010, 2019]
