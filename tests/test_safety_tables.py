"""Issue 10, section 3: messy tables are read right or refused with a message naming the file, column and rows.

Each test reproduces one finding of the issue; before the fix each either read a wrong number
silently or raised a foreign error. Expected values are the numbers printed in the cells (exact).
"""

from __future__ import annotations

import codecs

import numpy as np
import openpyxl
import pytest

import spatialcluster as sc
from spatialcluster.io import parse_number


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


# ------------------------------------------------------------------ footnote markers
def test_footnote_markers_are_stripped_into_notes_never_read_as_digits(tmp_path):
    """NFKC used to turn 2189① into 21891 and 7464³ into 74643."""
    text = "code,pop\n110000,2189①\n120000,7464³\n130000,12.5*\n140000,88a)\n150000,3†\n160000,⑵\n"
    path = write(tmp_path / "t.csv", text.replace("160000,⑵\n", "210000,4\n"))
    with pytest.warns(sc.SpatialClusterWarning, match="footnote marker '①' in column 'pop', row 2"):
        table = sc.read_table(path)
    assert table["pop"].tolist() == [2189, 7464, 12.5, 88, 3, 4]
    notes = table.attrs["notes"]
    for marker, row in [("①", 2), ("³", 3), ("*", 4), ("a)", 5), ("†", 6)]:
        assert any(f"footnote marker {marker!r} in column 'pop', row {row}" in n for n in notes), marker


def test_parse_number_refuses_a_marker_and_keeps_unit_exponents():
    with pytest.raises(ValueError, match="footnote marker '①'"):
        parse_number("2189①")
    assert parse_number("100km²") == (100.0, "km2")  # an exponent, not a footnote


def test_marker_on_a_region_name_is_removed(tmp_path):
    with pytest.warns(sc.SpatialClusterWarning, match="removed from '北京'"):
        table = sc.read_table(write(tmp_path / "t.csv", "地区,v\n北京①,1\n天津,2\n"))
    assert table["地区"].tolist() == ["北京", "天津"]


# ------------------------------------------------------------------ mixed units
def test_scaled_unit_next_to_bare_numbers_is_refused(tmp_path):
    """2189万人 beside 13866009 was read as [2189, 13866009]."""
    path = write(tmp_path / "t.csv", "code,pop\n110000,2189万人\n120000,13866009\n")
    with pytest.raises(sc.InputError) as err:
        sc.read_table(path)
    message = str(err.value)
    for part in ("column 'pop' mixes units", "row 2, column 'pop': '2189万人'", "row 3, column 'pop': '13866009'",
                 "unit in every cell"):
        assert part in message


def test_percent_next_to_a_fraction_is_refused(tmp_path):
    """86.6% beside 0.848 was read as [86.6, 0.848]."""
    path = write(tmp_path / "t.csv", "code,rate\n110000,86.6%\n120000,0.848\n")
    with pytest.raises(sc.InputError, match=r"column 'rate' mixes units: numbers in % \(row 2"):
        sc.read_table(path)
    with pytest.raises(sc.InputError, match="mixes units"):
        sc.read_table(path, convert_units=True)  # no rescaling makes % and a fraction agree


def test_units_of_one_base_are_converted_on_request(tmp_path):
    path = write(tmp_path / "t.csv", "code,pop\n110000,2189.31万人\n120000,13866009人\n")
    with pytest.raises(sc.InputError, match=r"mixes units \['万人', '人'\].*convert_units=True"):
        sc.read_table(path)
    with pytest.warns(sc.SpatialClusterWarning, match="converted from 万人, 人 to 人"):
        table = sc.read_table(path, convert_units=True)
    assert table["pop"].tolist() == [21893100, 13866009]
    assert table.attrs["units"] == {"pop": "人"}


# ------------------------------------------------------------------ decimal commas
def test_semicolon_csv_with_decimal_commas(tmp_path):
    """'86,6' and '0,848' only read with a decimal comma; before, 86,600 became 86600."""
    path = write(tmp_path / "t.csv", "code;rate;gdp\n110000;86,600;1.234,5\n120000;0,848;36102,6\n")
    table = sc.read_table(path)
    np.testing.assert_array_equal(table["rate"], [86.6, 0.848])
    np.testing.assert_array_equal(table["gdp"], [1234.5, 36102.6])
    assert table.attrs["decimal"] == ","


def test_semicolon_csv_ambiguous_comma_is_refused(tmp_path):
    path = write(tmp_path / "t.csv", "code;rate\n110000;86,600\n120000;84,700\n")
    with pytest.raises(sc.InputError) as err:
        sc.read_table(path)
    message = str(err.value)
    assert "t.csv" in message and "['rate']" in message and "decimal=','" in message and "86,600" in message
    assert sc.read_table(path, decimal=",")["rate"].tolist() == [86.6, 84.7]
    assert sc.read_table(path, decimal=".")["rate"].tolist() == [86600, 84700]


def test_semicolon_csv_with_both_marks_is_refused(tmp_path):
    path = write(tmp_path / "t.csv", "code;a;b\n110000;0,5;1.25\n")
    with pytest.raises(sc.InputError, match="decimal comma.*decimal point"):
        sc.read_table(path)


def test_comma_csv_keeps_thousands_separators(tmp_path):
    path = write(tmp_path / "t.csv", 'code,pop\n110000,"86,600"\n')
    assert sc.read_table(path)["pop"].tolist() == [86600]


def test_bad_decimal_option():
    with pytest.raises(sc.InputError, match="decimal=';'"):
        sc.read_table("nowhere.csv", decimal=";")


# ------------------------------------------------------------------ encodings
def test_utf8_bom_in_front_of_gbk_text(tmp_path):
    """Gave a raw UnicodeDecodeError (the command line called it a bug)."""
    path = tmp_path / "gbk.csv"
    path.write_bytes(codecs.BOM_UTF8 + "地区,人口\n北京,2189\n".encode("gbk"))
    with pytest.raises(sc.InputError) as err:
        sc.read_table(path)
    message = str(err.value)
    assert "gbk.csv" in message and "byte-order mark" in message and "encoding='gb18030'" in message
    table = sc.read_table(path, encoding="gb18030")
    assert list(table.columns) == ["地区", "人口"] and table["人口"].tolist() == [2189]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(tmp_path, encoding):
    """Gave NUL-filled column names."""
    path = write(tmp_path / "t.csv", "地区,代码,人口\n北京市,110000,2189\n", encoding)
    with pytest.warns(sc.SpatialClusterWarning, match=f"UTF-16 text without a byte-order mark, read as {encoding}"):
        table = sc.read_table(path)
    assert list(table.columns) == ["地区", "代码", "人口"]
    assert table["人口"].tolist() == [2189]
    assert table.attrs["encoding"] == encoding


def test_nul_bytes_that_are_not_utf16(tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"code\x00\x00\x00v\n1\x00\x002\n\x00")
    with pytest.raises(sc.InputError, match=r"bin.csv: contains NUL bytes"):
        sc.read_table(path)


# ------------------------------------------------------------------ Excel formulas
def test_formula_cells_without_cached_values(tmp_path):
    """openpyxl writes formulas without results; they were read as NaN silently."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "data"
    for row in (["code", "gdp"], ["110000", 36102.6], ["120000", "=B2*2"], ["130000", "=SUM(B2:B3)"]):
        sheet.append(row)
    path = tmp_path / "formulas.xlsx"
    book.save(path)
    with pytest.raises(sc.InputError) as err:
        sc.read_table(path)
    message = str(err.value)
    assert "formulas.xlsx" in message and "sheet 'data'" in message
    assert "formula cells without cached values: B3, B4" in message and "open and save the file" in message


# ------------------------------------------------------------------ title row (issue 10 asks at least for the cause)
def test_title_row_no_longer_fails_every_column(tmp_path):
    """A title row made every column 'neither numbers nor missing-value placeholders' (suggesting na_values)."""
    text = "表1 各地区人口\n地区,人口\n北京,2189\n天津,1387\n"
    table = sc.read_table(write(tmp_path / "t.csv", text))
    assert list(table.columns) == ["地区", "人口"] and table["人口"].tolist() == [2189, 1387]
    assert table.attrs["title"] == "表1 各地区人口"


def test_semicolon_csv_with_decimal_points_settles_the_commas(tmp_path):
    """0.848 can only be a decimal point, so 86,600 in the same file is eighty-six thousand six hundred."""
    path = write(tmp_path / "t.csv", "code;share;pop\n110000;0.848;86,600\n")
    table = sc.read_table(path)
    assert table["share"].tolist() == [0.848] and table["pop"].tolist() == [86600]
    assert table.attrs["decimal"] == "."
