"""read_table: encodings, numbers stored as text, placeholders, Excel and the NBS export layout."""

from __future__ import annotations

import math

import numpy as np
import openpyxl
import pandas as pd
import pytest

import spatialcluster as sc
from spatialcluster.io import parse_number

NBS = """数据库：分省年度数据
指标：地区生产总值(亿元)
时间：最近3年
地区,2022年,2021年,2020年
北京市,"41,610.9",41045.6,36102.6
天津市,16311.3,15685.1,—
河北省,42370.4,…,36206.9
内蒙古自治区,23158.6,,17258.0

注：1.地区生产总值数据按照国家统计局统一核算口径。
数据来源：国家统计局
"""


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("cell", "value", "unit"),
    [
        ("1,234,567.5", 1234567.5, ""), ("１２３４", 1234.0, ""), ("１，２３４．５", 1234.5, ""),
        ("2,189万人", 2189.0, "万人"), ("87.5%", 87.5, "%"), ("87.5 ％", 87.5, "%"), ("-3.2", -3.2, ""),
        ("\u22123.2", -3.2, ""), ("1.5e3", 1500.0, ""), (" 42 ", 42.0, ""), (7, 7.0, ""), (2.5, 2.5, ""),
        ("36102.6亿元", 36102.6, "亿元"), ("12元/人", 12.0, "元/人"),
    ],
)
def test_parse_number(cell, value, unit):
    assert parse_number(cell) == (value, unit)


@pytest.mark.parametrize("cell", ["—", "——", "…", "……", "...", "-", "", "  ", None, "NA", "#N/A"])
def test_placeholders_are_missing(cell):
    value, unit = parse_number(cell)
    assert math.isnan(value) and unit == ""


@pytest.mark.parametrize("cell", ["abc", "1,23", "12.3.4", "1 234", "约100", "n.a."])
def test_unparseable_cells(cell):
    with pytest.raises(ValueError):
        parse_number(cell)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_csv_encodings(tmp_path, encoding):
    text = "地区,代码,人口\n北京市,110000,2189\n内蒙古自治区,150000,2405\n"
    table = sc.read_table(write(tmp_path / "t.csv", text, encoding))
    assert list(table.columns) == ["地区", "代码", "人口"]  # a BOM never leaks into the first name
    assert list(table["地区"]) == ["北京市", "内蒙古自治区"]
    assert list(table["代码"]) == ["110000", "150000"]
    assert table["人口"].tolist() == [2189, 2405]
    expected = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gb18030", "gb18030": "gb18030"}
    assert table.attrs["encoding"] == expected.get(encoding, encoding)


def test_codes_stay_strings_and_numbers_are_parsed(tmp_path):
    text = (
        "fips,adcode,zone,pop,rate,gdp\n"
        "06037,110000,320000,\"21,893,095\",87.5%,\"36,102.6\"\n"
        "36061,120000,120000,１３８６６００９,84.7%,—\n"
        "48201,130000,130000,74610235,…,36206.9\n"
    )
    table = sc.read_table(write(tmp_path / "t.csv", text))
    assert table["fips"].tolist() == ["06037", "36061", "48201"]  # leading zero kept
    assert table["adcode"].tolist() == ["110000", "120000", "130000"]  # key name
    assert table["zone"].tolist() == ["320000", "120000", "130000"]  # shaped like admin codes
    assert table["pop"].tolist() == [21893095, 13866009, 74610235]
    assert table["pop"].dtype == np.int64
    np.testing.assert_array_equal(table["rate"], [87.5, 84.7, np.nan])
    np.testing.assert_array_equal(table["gdp"], [36102.6, np.nan, 36206.9])
    assert table.attrs["units"] == {"rate": "%"}


def test_unparseable_cells_are_listed(tmp_path):
    text = "code,gdp,pop\n110000,100,1\n120000,n.a.,2\n130000,300,?\n140000,400,4\n"
    with pytest.raises(sc.InputError) as err:
        sc.read_table(write(tmp_path / "t.csv", text))
    message = str(err.value)
    assert "row 3, column 'gdp': 'n.a.'" in message
    assert "row 4, column 'pop': '?'" in message
    assert "na_values" in message
    table = sc.read_table(tmp_path / "t.csv", na_values=["n.a.", "?"])
    assert table["gdp"].isna().tolist() == [False, True, False, False]


def test_text_columns_stay_text(tmp_path):
    table = sc.read_table(write(tmp_path / "t.csv", "省,组,v\n北京,东部,1\n山西,中部,2\n"))
    assert table["组"].tolist() == ["东部", "中部"]


def test_mixed_units_are_refused(tmp_path):
    with pytest.raises(sc.InputError, match="mixes units"):
        sc.read_table(write(tmp_path / "t.csv", "code,pop\n110000,2189万人\n120000,13866009人\n"))


def test_tsv_and_trailing_separators(tmp_path):
    table = sc.read_table(write(tmp_path / "t.tsv", "code\tv\t\n110000\t1.5\t\n120000\t2\t\n"))
    assert list(table.columns) == ["code", "v"]
    assert table["v"].tolist() == [1.5, 2.0]


def test_duplicate_header_names(tmp_path):
    with pytest.raises(sc.InputError, match="repeats the column name"):
        sc.read_table(write(tmp_path / "t.csv", "code,v,v\n110000,1,2\n"))


def test_nbs_export(tmp_path):
    table = sc.read_table(write(tmp_path / "A01.csv", NBS, "gb18030"))  # the site exports GBK text
    assert list(table.columns) == ["region", "year", "地区生产总值(亿元)"]
    assert len(table) == 4 * 3
    value = table.set_index(["region", "year"])["地区生产总值(亿元)"]
    assert value["北京市", 2022] == 41610.9
    assert value["内蒙古自治区", 2020] == 17258.0
    for missing in [("天津市", 2020), ("河北省", 2021), ("内蒙古自治区", 2021)]:
        assert math.isnan(value[missing])
    assert table["year"].dtype == np.int64
    assert table.attrs["meta"]["指标"] == "地区生产总值(亿元)"
    assert table.attrs["notes"][-1] == "数据来源：国家统计局"


def test_nbs_export_bad_cell(tmp_path):
    bad = NBS.replace("15685.1", "15685.1r")
    with pytest.raises(sc.InputError, match="row 6, column '2021年': '15685.1r'"):
        sc.read_table(write(tmp_path / "A01.csv", bad))


def test_nbs_export_indicators_as_rows(tmp_path):
    text = (
        "数据库：分省年度数据\n地区：北京市\n时间：最近2年\n指标,2021年,2020年\n"
        "年末常住人口(万人),2188.6,2189\n城镇人口(万人),1916.1,1916.6\n数据来源：国家统计局\n"
    )
    table = sc.read_table(write(tmp_path / "b.csv", text))
    assert table["region"].unique().tolist() == ["北京市"]
    assert table.set_index("year").loc[2021, "年末常住人口(万人)"] == 2188.6
    assert sorted(table["year"]) == [2020, 2021]


def _workbook(path, sheets):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_excel(tmp_path):
    rows = [["adcode", "name", "gdp", "rate"], [110000, "北京市", "36,102.6", 0.875], [120000, "天津市", 14083.73, "—"]]
    path = _workbook(tmp_path / "t.xlsx", {"data": rows, "Sheet2": []})
    table = sc.read_table(path)
    assert table["adcode"].tolist() == ["110000", "120000"]
    np.testing.assert_array_equal(table["gdp"], [36102.6, 14083.73])
    np.testing.assert_array_equal(table["rate"], [0.875, np.nan])


def test_excel_several_sheets(tmp_path):
    path = _workbook(tmp_path / "t.xlsx", {"a": [["code", "v"], ["11", 1]], "b": [["code", "v"], ["12", 2]]})
    with pytest.raises(sc.InputError, match=r"2 non-empty sheets \['a', 'b'\]"):
        sc.read_table(path)
    assert sc.read_table(path, sheet="b")["v"].tolist() == [2]
    with pytest.raises(sc.InputError, match="no sheet 'c'"):
        sc.read_table(path, sheet="c")


def test_excel_nbs_export(tmp_path):
    rows = [[line] for line in NBS.splitlines()[:3]] + [
        ["地区", "2022年", "2021年"], ["北京市", 41610.9, 41045.6], ["天津市", "16,311.3", "…"], ["数据来源：国家统计局"]
    ]
    table = sc.read_table(_workbook(tmp_path / "A01.xlsx", {"sheet1": rows}))
    value = table.set_index(["region", "year"])["地区生产总值(亿元)"]
    assert value["天津市", 2022] == 16311.3 and math.isnan(value["天津市", 2021])


def test_missing_file_and_bad_formats(tmp_path):
    with pytest.raises(sc.InputError, match="table file not found: .*nope.csv"):
        sc.read_table(tmp_path / "nope.csv")
    with pytest.raises(sc.InputError, match="unsupported table format '.dta'"):
        sc.read_table(write(tmp_path / "t.dta", "x"))
    with pytest.raises(sc.InputError, match="save the sheet as .xlsx"):
        sc.read_table(write(tmp_path / "t.xls", "x"))
    with pytest.raises(sc.InputError, match="not a readable .xlsx"):
        sc.read_table(write(tmp_path / "t.xlsx", "not a zip"))
    with pytest.raises(sc.InputError, match="empty"):
        sc.read_table(write(tmp_path / "e.csv", "\n\n"))
    with pytest.raises(sc.InputError, match="neither UTF-8 nor GB18030"):
        (tmp_path / "b.csv").write_bytes(b"code\n\x80\xff\n")
        sc.read_table(tmp_path / "b.csv")


def test_input_file_is_not_modified(tmp_path):
    path = write(tmp_path / "t.csv", "code,v\n110000,1\n")
    before = path.read_bytes(), path.stat().st_mtime_ns
    sc.read_table(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    pd.testing.assert_frame_equal(sc.read_table(path), sc.read_table(path))
