"""Journal tables: names next to codes, descriptive statistics, booktabs LaTeX, three-line Word, CSV with BOM."""

from __future__ import annotations

import statistics

import numpy as np
import pandas as pd
import pytest

import spatialcluster as sc
from spatialcluster import InputError
from spatialcluster.export.tables import region_names, to_latex


@pytest.fixture
def prov():
    return sc.datasets.china_provinces()


def test_describe_matches_an_independent_computation(prov):
    """N, mean, sample sd (ddof=1, as Stata's summarize), min, max against Python's statistics module."""
    cols = ["urban_rate_2011_yearend", "urban_rate_2020", "gdp_2019"]
    table = sc.describe(prov, cols, lang="en")
    assert list(table.columns) == ["N", "Mean", "SD", "Min", "Max"]
    assert table.index[0] == "Urbanization rate 2011 (%)"
    for label, col in zip(table.index, cols, strict=True):
        values = [float(v) for v in prov[col] if not np.isnan(v)]
        row = table.loc[label]
        assert row["N"] == len(values)
        assert row["Mean"] == pytest.approx(statistics.fmean(values), rel=1e-12)
        assert row["SD"] == pytest.approx(statistics.stdev(values), rel=1e-12)
        assert (row["Min"], row["Max"]) == (min(values), max(values))
    assert table.loc["Urbanization rate 2020 (%)", "N"] == prov["urban_rate_2020"].notna().sum() < 31  # NaN not counted
    zh = sc.describe(prov, cols[:1], lang="zh")
    assert list(zh.columns) == ["样本数", "均值", "标准差", "最小值", "最大值"] and zh.index[0] == "2011年城镇化率（%）"
    with pytest.raises(InputError, match=r"no columns \['nope'\]"):
        sc.describe(prov, ["nope"])


def test_names_next_to_codes(prov):
    table = sc.with_names(prov[["urban_rate_2011_yearend"]], lang="zh")
    assert list(table.columns[:3]) == ["code", "name", "urban_rate_2011_yearend"]
    assert table.loc[0, ["code", "name"]].tolist() == ["110000", "北京"]  # bundled names, short form
    assert isinstance(table.index, pd.RangeIndex)
    own = sc.with_names(prov[["name_en", "pop_2020"]], lang="en")  # the frame's own names win
    assert own.loc[own["code"] == "440000", "name"].item() == "Guangdong"
    assert region_names(["460300", "999999"], "zh").tolist()[0] == "三沙市"  # prefectures too
    assert pd.isna(region_names(["999999"], "zh").iloc[0])
    panel = pd.DataFrame({"v": [1.0, 2.0]}, index=pd.MultiIndex.from_tuples([("320000", 2010), ("320000", 2011)],
                                                                              names=["code", "year"]))
    assert sc.with_names(panel, lang="en")[["code", "name", "year"]].iloc[1].tolist() == ["320000", "Jiangsu", 2011]
    with pytest.raises(InputError, match="no region ids"):
        sc.with_names(pd.DataFrame({"v": [1]}))


def test_csv_has_a_bom_by_default_and_no_index(tmp_path, prov):
    table = sc.with_names(prov[["urban_rate_2011_yearend"]], lang="zh")
    (path,) = sc.write_table(table, tmp_path / "t.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw[3:].decode("utf-8").startswith("code,name,")
    back = pd.read_csv(path, encoding="utf-8-sig", dtype={"code": str})
    assert back.loc[0, "name"] == "北京" and list(back.columns) == ["code", "name", "urban_rate_2011_yearend"]
    (plain,) = sc.write_table(table, tmp_path / "p.csv", bom=False)
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")


def test_latex_is_a_three_line_table(prov):
    tex = to_latex(sc.describe(prov, ["urban_rate_2011_yearend"], lang="zh"), caption="描述统计", digits=2)
    lines = tex.splitlines()
    rules = [ln for ln in lines if ln.strip() in ("\\toprule", "\\midrule", "\\bottomrule")]
    assert rules == ["\\toprule", "\\midrule", "\\bottomrule"]
    assert "\\hline" not in tex and "|" not in tex  # no other rules, no vertical lines
    assert "2011年城镇化率（\\%） & 31 & 52.17 & 14.47 & 22.71 & 89.30 \\\\" in tex  # % escaped
    assert "\\caption{描述统计}" in tex


def test_word_table_has_three_rules(tmp_path, prov):
    docx = pytest.importorskip("docx", reason="python-docx (docx extra)")
    from docx.oxml.ns import qn

    table = sc.with_names(prov[["urban_rate_2011_yearend"]].head(4), lang="en")
    (path,) = sc.write_table(table, tmp_path / "t.docx", formats="docx", caption="Table 1", digits=1)
    doc = docx.Document(path)
    (t,) = doc.tables
    assert [c.text for c in t.rows[0].cells] == ["code", "name", "urban_rate_2011_yearend"]
    assert [c.text for c in t.rows[1].cells] == ["110000", "Beijing", "86.2"]
    borders = t._tbl.tblPr.find(qn("w:tblBorders"))

    def edge(el, name):
        e = el.find(qn(f"w:{name}"))
        return e.get(qn("w:val")), e.get(qn("w:sz"))

    assert edge(borders, "top") == ("single", "12") and edge(borders, "bottom") == ("single", "12")
    assert edge(borders, "insideV")[0] == "nil" and edge(borders, "insideH")[0] == "nil"
    head = t.rows[0].cells[0]._tc.tcPr.find(qn("w:tcBorders"))
    assert edge(head, "bottom") == ("single", "6")  # the thin rule under the header
    assert doc.paragraphs[0].text == "Table 1"


def test_bad_table_format(tmp_path, prov):
    with pytest.raises(InputError, match="unknown table formats"):
        sc.write_table(prov[["pop_2020"]], tmp_path / "t", formats=("xlsx",))
