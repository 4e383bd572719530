"""The pipeline's publication outputs: [outputs] formats, dpi, lang, tables, csv_bom, gpkg_crs and [labels]."""

from __future__ import annotations

import pandas as pd
import pyogrio
import pytest
from PIL import Image

import spatialcluster as sc
from spatialcluster import labels, pipeline
from spatialcluster.export._offline import remote_assets

CONFIG = """
[project]
title = "城镇化"
seed = 1

[inputs]
dataset = "china_provinces"

[[weights]]
name = "queen"
kind = "queen"
islands = "nearest"

[statistics]
permutations = 99
local = ["urban_rate_2011_yearend"]

[outputs]
choropleths = ["pop_2020"]
lang = "zh"
formats = ["png", "pdf", "svg"]
dpi = 100
tables = ["csv", "tex", "docx"]
gpkg_crs = "china_albers"

[labels.pop_2020]
zh = "常住人口"
en = "Resident population"
unit_zh = "人"
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    pytest.importorskip("docx", reason="python-docx (docx extra)")
    tmp = tmp_path_factory.mktemp("pub")
    (tmp / "a.toml").write_text(CONFIG, encoding="utf-8")
    cfg = pipeline.load_config(tmp / "a.toml")
    return cfg, pipeline.run(cfg, tmp / "out", quiet=True).out


def test_settings_hold_the_keys_once(run):
    cfg, _ = run
    out = cfg.settings.outputs
    assert (out.formats, out.dpi, out.lang, out.tables, out.csv_bom, out.gpkg_crs, out.include_sar_taiwan) == (
        ("png", "pdf", "svg"), 100, "zh", ("csv", "tex", "docx"), True, "china_albers", True)
    assert cfg.settings.labels == {"pop_2020": {"zh": "常住人口", "en": "Resident population", "unit_zh": "人"}}
    default = pipeline.parse_config(pipeline.demo_config_path().read_text(encoding="utf-8")).settings.outputs
    assert default.formats == ("png", "pdf", "svg") and default.dpi == 300 and default.lang == "en"


def test_vector_figures_next_to_each_png(run):
    _, out = run
    pngs = sorted((out / "maps").glob("*.png"))
    assert pngs and all(p.with_suffix(".pdf").is_file() and p.with_suffix(".svg").is_file() for p in pngs)
    assert Image.open(pngs[0]).info["dpi"] == pytest.approx((100, 100), abs=0.5)


def test_tables_have_names_bom_and_journal_formats(run):
    _, out = run
    csv = out / "tables" / "lisa_urban_rate_2011_yearend.csv"
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(csv, encoding="utf-8-sig", dtype={"code": str})
    assert list(table.columns[:2]) == ["code", "name"] and table.loc[0, ["code", "name"]].tolist() == ["110000", "北京市"]
    assert "\\toprule" in csv.with_suffix(".tex").read_text(encoding="utf-8") and csv.with_suffix(".docx").is_file()
    described = pd.read_csv(out / "tables" / "descriptive_statistics.csv", encoding="utf-8-sig")
    assert list(described.columns) == ["变量", "样本数", "均值", "标准差", "最小值", "最大值"]
    assert set(described["变量"]) == {"2011年城镇化率（%）", "常住人口（人）"}  # the run's [labels] entry


def test_chinese_report_and_projected_geopackage(run):
    _, out = run
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html and "运行信息" in html and not remote_assets(html)
    assert "<thead>\n    <tr" in html and html.count("<th></th>") == 0  # no pandas index-name rows
    layer = pyogrio.read_dataframe(out / "results.gpkg", layer="regions")
    assert layer.crs.is_projected and layer.crs.name == "China Albers Equal Area Conic (WGS 84)"
    assert labels.label("pop_2020", "zh") == "2020年常住人口（人）"  # the preset again after the run
    assert labels._default["lang"] == "en"  # the run's [labels] and lang do not leak out of it
    assert sc.labels.label("pop_2020", "en") == "Resident population 2020 (persons)"
