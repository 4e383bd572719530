"""Province key normalisation: codes, Chinese, English and pinyin names -> 6-digit codes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from _io_data import facts
from spatialcluster.io import PROVINCES, normalize_region_key


def test_every_official_name_and_code_in_the_reference_table():
    # independent reference: the codes and names of the shared facts table (NBS)
    table = facts()
    assert len(table) == 31
    for row in table.itertuples():
        assert normalize_region_key(row.adcode) == row.adcode
        assert normalize_region_key(int(row.adcode)) == row.adcode
        assert normalize_region_key(float(row.adcode)) == row.adcode
        assert normalize_region_key(row.adcode[:2]) == row.adcode
        assert normalize_region_key(row.name_zh) == row.adcode, row.name_zh
        assert normalize_region_key(row.name_en) == row.adcode, row.name_en


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("北京", "110000"), ("北京市", "110000"),
        ("内蒙古", "150000"), ("内蒙古自治区", "150000"),
        ("广西", "450000"), ("广西壮族自治区", "450000"),
        ("新疆", "650000"), ("新疆维吾尔自治区", "650000"),
        ("宁夏", "640000"), ("宁夏回族自治区", "640000"),
        ("西藏", "540000"), ("西藏自治区", "540000"),
        ("Inner Mongolia", "150000"), ("Nei Mongol", "150000"), ("Inner Mongolia Autonomous Region", "150000"),
        ("Tibet", "540000"), ("Xizang", "540000"), ("Xizang Autonomous Region", "540000"),
        ("Guangxi Zhuang", "450000"), ("Guangxi Zhuang Autonomous Region", "450000"),
        ("Ningxia Hui", "640000"), ("Xinjiang Uygur", "650000"), ("Xinjiang Uyghur", "650000"),
        ("Hong Kong", "810000"), ("Xianggang", "810000"), ("HongKong", "810000"), ("香港特别行政区", "810000"),
        ("Hong Kong SAR", "810000"), ("Macao", "820000"), ("Macau", "820000"), ("Aomen", "820000"),
        ("澳门", "820000"), ("Taiwan", "710000"), ("台湾", "710000"), ("台湾省", "710000"),
        ("Shanxi", "140000"), ("Shaanxi", "610000"), ("shaanxi province", "610000"),
        ("Beijing Municipality", "110000"), ("Beijing City", "110000"), ("  beijing ", "110000"),
        ("guang-dong", "440000"), ("Jiangsu Sheng", "320000"),
        ("１１００００", "110000"), ("110000.0", "110000"), (" 32 ", "320000"),
        (np.int64(320000), "320000"), (np.float64(320000.0), "320000"), (32, "320000"),
        ("320100", "320100"),  # lower-level codes pass through when the province prefix exists
    ],
)
def test_recognised_keys(key, code):
    assert normalize_region_key(key) == code


@pytest.mark.parametrize(
    "key",
    [
        None, math.nan, True, "", "   ", "Jalisco", "Distrito Federal", "06037", "06", "990000", "12345",
        "Jilin City", "吉林市",  # a prefecture, not the province
        110000.5, -110000, "110000.5", object(), b"110000",
    ],
)
def test_unrecognised_keys_give_none(key):
    assert normalize_region_key(key) is None


def test_table_is_complete_and_unambiguous():
    codes = [row[0] for row in PROVINCES]
    assert len(codes) == len(set(codes)) == 34
    # every spelling maps back to its own row only (no alias shared by two provinces)
    for code, full, short, english, zh_other, latin_other in PROVINCES:
        for name in (full, short, english, *zh_other, *latin_other):
            assert normalize_region_key(name) == code, name
