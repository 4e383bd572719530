"""The bad-input catalogue: what users really feed the package, and what they get back.

Each case is one parametrised test. It feeds a bad (or awkward) input to one stage, through the
Python API or the command line, and asserts the outcome: the package's own error type AND key
words of its message (the offending file / row / key and the fix), or, for inputs the package
deliberately accepts (a BOM, 北京 vs 北京市, thousands separators, placeholders), the correct
result and the warning that says what was done. The command-line cases also assert the exit
status and that no traceback is printed.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon, box

import spatialcluster as sc
from _catalogue import (CODES, NAMES, Catalogue, _has_words, cli, cli_fails, grid, lonlat_grid, raises, values, warns,
                        write_csv, write_regions)
from spatialcluster import pipeline

CASES = Catalogue()
case = CASES.case


# =========================================================================== reading regions
@case("regions")
def gbk_dbf_without_cpg(tmp_path):
    path = tmp_path / "prov.shp"
    grid().reset_index().to_file(path, engine="pyogrio", encoding="GBK")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    dbf = bytearray(path.with_suffix(".dbf").read_bytes())
    dbf[29] = 0  # no code page in the header either, as in most Chinese shapefiles
    path.with_suffix(".dbf").write_bytes(bytes(dbf))
    with warns("no .cpg", "GB18030", "encoding="):
        out = sc.read_regions(path)
    assert list(out["name_zh"]) == NAMES  # decoded correctly, not mojibake


@case("regions")
def regions_file_missing(tmp_path):
    write_regions(tmp_path, grid(), name="provinces.gpkg")
    with raises(sc.InputError, "not found", "provinces.gpkg"):
        sc.read_regions(tmp_path / "provnces.gpkg")


@case("regions")
def empty_geometry(tmp_path):
    gdf = grid()
    gdf.loc["130000", "geometry"] = Polygon()
    with raises(sc.InputError, "130000", "empty or missing geometries"):
        sc.read_regions(write_regions(tmp_path, gdf))


@case("regions")
def missing_geometry(tmp_path):
    gdf = grid()
    gdf.loc["140000", "geometry"] = None
    with raises(sc.InputError, "140000", "empty or missing"):
        sc.read_regions(write_regions(tmp_path, gdf))


@case("regions")
def invalid_geometry_is_repaired_with_a_warning(tmp_path):
    gdf = grid()
    gdf.loc["120000", "geometry"] = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])  # bow-tie
    with warns("repaired", "120000", "make_valid"):
        out = sc.read_regions(write_regions(tmp_path, gdf))
    assert out.geometry.is_valid.all()


@case("regions")
def duplicate_region_ids(tmp_path):
    gdf = grid()
    gdf.index = pd.Index(["110000", "120000", "120000", "140000", "150000", "210000"], name="adcode")
    with raises(sc.InputError, "duplicate region ids", "120000", "features 2, 3"):
        sc.read_regions(write_regions(tmp_path, gdf))


@case("regions")
def missing_crs(tmp_path):
    path = tmp_path / "nocrs.shp"
    grid().reset_index().to_file(path, engine="pyogrio")
    path.with_suffix(".prj").unlink()
    with raises(sc.InputError, "no coordinate reference system", ".prj", "crs="):
        sc.read_regions(path)


@case("regions")
def ambiguous_geopackage_layer(tmp_path):
    path = tmp_path / "two.gpkg"
    grid().reset_index().to_file(path, layer="provinces", engine="pyogrio")
    grid().reset_index().to_file(path, layer="cities", engine="pyogrio")
    with raises(sc.InputError, "layer=", "provinces", "cities"):
        sc.read_regions(path)


@case("regions")
def unknown_id_column(tmp_path):
    with raises(sc.InputError, "no column 'adcod'", "adcode"):
        sc.read_regions(write_regions(tmp_path, grid()), id="adcod")


@case("regions")
def mixed_crs_in_one_read(tmp_path):
    a = write_regions(tmp_path, grid(CODES[:3]), name="a.gpkg")
    b = write_regions(tmp_path, grid(CODES[3:]).to_crs("EPSG:4326"), name="b.gpkg")
    with raises(sc.InputError, "CRS"):
        sc.read_regions([a, b])


@case("regions")
def unsupported_region_format(tmp_path):
    path = tmp_path / "regions.kml"
    path.write_text("<kml/>")
    with raises(sc.InputError, "unsupported", ".kml"):
        sc.read_regions(path)


# =========================================================================== reading tables
@case("tables")
def csv_with_bom(tmp_path):
    path = write_csv(tmp_path, "code,gdp\n110000,36102.6\n120000,14083.73\n", encoding="utf-8-sig")
    table = sc.read_table(path)
    assert list(table.columns) == ["code", "gdp"]  # no '\ufeffcode'
    assert list(table["code"]) == ["110000", "120000"]  # codes stay strings


@case("tables")
def gb18030_csv(tmp_path):
    path = write_csv(tmp_path, "地区,人口\n北京市,2189\n天津市,1387\n", encoding="gb18030")
    table = sc.read_table(path)
    assert list(table["地区"]) == ["北京市", "天津市"]


@case("tables")
def thousands_separators_and_units(tmp_path):
    path = write_csv(tmp_path, 'code,pop\n110000,"21,893,095"\n120000,"13,866,009人"\n')
    assert sc.read_table(path)["pop"].tolist() == [21893095, 13866009]


@case("tables")
def placeholders_become_missing(tmp_path):
    path = write_csv(tmp_path, "code,gdp\n110000,—\n120000,…\n130000,36206.9\n140000,\n")
    gdp = sc.read_table(path)["gdp"]
    assert gdp.isna().tolist() == [True, True, False, True] and gdp.iloc[2] == 36206.9


@case("tables")
def unparseable_number_cells(tmp_path):
    path = write_csv(tmp_path, "code,gdp\n110000,36102.6\n120000,14O83.7\n130000,36206.9\n")
    with raises(sc.InputError, "row 3", "'gdp'", "14O83.7", "na_values"):
        sc.read_table(path)


@case("tables")
def mixed_units_in_one_column(tmp_path):
    path = write_csv(tmp_path, "code,pop\n110000,2189万人\n120000,13866009人\n")
    with raises(sc.InputError, "mixes units", "'pop'"):
        sc.read_table(path)


@case("tables")
def table_file_missing(tmp_path):
    with raises(sc.InputError, "not found", "nothere.csv"):
        sc.read_table(tmp_path / "nothere.csv")


@case("tables")
def legacy_xls_workbook(tmp_path):
    path = tmp_path / "yearbook.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with raises(sc.InputError, ".xls", ".xlsx"):
        sc.read_table(path)


@case("tables")
def repeated_header(tmp_path):
    path = write_csv(tmp_path, "code,gdp,gdp\n110000,1,2\n")
    with raises(sc.InputError, "repeats", "gdp"):
        sc.read_table(path)


@case("tables")
def empty_table(tmp_path):
    with raises(sc.InputError, "empty"):
        sc.read_table(write_csv(tmp_path, ""))


@case("tables")
def full_width_digits_and_percent(tmp_path):
    path = write_csv(tmp_path, "地区,城镇化率\n北京市,８６．２％\n天津市,80.5%\n")
    assert sc.read_table(path)["城镇化率"].tolist() == [86.2, 80.5]


@case("tables")
def nbs_export_layout_becomes_long(tmp_path):
    text = ("数据库：分省年度数据\n指标：地区生产总值(亿元)\n时间：最近2年\n地区,2021年,2020年\n"
            "北京市,\"40,269.6\",\"36,102.6\"\n天津市,15695.05,—\n注：2020年为初步核算数。\n数据来源：国家统计局\n")
    table = sc.read_table(write_csv(tmp_path, text, encoding="gb18030"))
    assert list(table.columns) == ["region", "year", "地区生产总值(亿元)"]  # named after the indicator
    values = table.set_index(["region", "year"]).iloc[:, 0]
    assert values[("北京市", 2021)] == 40269.6 and np.isnan(values[("天津市", 2020)])


@case("tables")
def excel_sheet_missing(tmp_path):
    path = tmp_path / "book.xlsx"
    pd.DataFrame({"code": CODES, "v": range(6)}).to_excel(path, sheet_name="2020", index=False)
    with raises(sc.InputError, "no sheet '2021'", "2020"):
        sc.read_table(path, sheet="2021")


# =========================================================================== joining
def _table(keys, col="v"):
    return pd.DataFrame({"key": keys, col: np.arange(len(keys), dtype=float) + 1})


@case("join")
def duplicated_table_keys(tmp_path):
    with raises(sc.InputError, "duplicate region keys", "120000", "time="):
        sc.join(grid(), _table(CODES + ["120000"]), on="key")


@case("join")
def names_differing_by_suffix_match(tmp_path):
    keys = ["北京", "天津", "河北", "山西", "内蒙古", "辽宁"]  # without 市/省/自治区
    out = sc.join(grid(), _table(keys), on="key")
    assert out.loc["150000", "v"] == 5.0 and len(out) == 6


@case("join")
def float_codes_match(tmp_path):
    out = sc.join(grid(), _table([float(c) for c in CODES]), on="key")
    assert out["v"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]


@case("join")
def unmatched_table_key(tmp_path):
    with raises(sc.JoinError, "Beijinq", "how='left'") as info:
        sc.join(grid(), _table(["Beijinq"] + CODES[1:]), on="key")
    assert info.value.unmatched_table == ["Beijinq"] and info.value.unmatched_regions == ["110000"]


@case("join")
def unmatched_region(tmp_path):
    with raises(sc.JoinError, "210000") as info:
        sc.join(grid(), _table(CODES[:-1]), on="key")
    assert info.value.unmatched_regions == ["210000"] and not info.value.unmatched_table


@case("join")
def left_join_warns_what_was_left_out(tmp_path):
    with warns("210000", "missing values"):
        out = sc.join(grid(), _table(CODES[:-1]), on="key", how="left")
    assert np.isnan(out.loc["210000", "v"])


@case("join")
def join_key_column_missing(tmp_path):
    with raises(sc.InputError, "'kye'", "key"):
        sc.join(grid(), _table(CODES), on="kye")


@case("join")
def duplicate_region_years_in_panel(tmp_path):
    panel = pd.DataFrame({"key": CODES + ["110000"], "year": [2020] * 6 + [2020], "v": range(7)})
    with raises(sc.InputError, "duplicate (region, year)", "110000"):
        sc.join(grid(), panel, on="key", time="year")


@case("join")
def table_geometries_in_another_crs(tmp_path):
    table = grid().to_crs("EPSG:4326").reset_index().rename(columns={"adcode": "key"})
    with raises(sc.InputError, "EPSG:4326", "EPSG:3857", "to_crs"):
        sc.join(grid(), table, on="key")


@case("join")
def unknown_join_policy(tmp_path):
    with raises(sc.InputError, "how='outer'", "strict", "left", "inner"):
        sc.join(grid(), _table(CODES), on="key", how="outer")


# =========================================================================== weights
@case("weights")
def island_is_an_error_by_default(tmp_path):
    gdf = grid()
    gdf.loc["210000", "geometry"] = box(1e6, 1e6, 1.1e6, 1.1e6)  # far away from the others
    with raises(sc.WeightsError, "210000", "nearest", "drop"):
        sc.build_weights(gdf, kind="queen")


@case("weights")
def island_linked_to_nearest(tmp_path):
    gdf = grid()
    gdf.loc["210000", "geometry"] = box(1e6, 1e6, 1.1e6, 1.1e6)
    with warns("210000"):
        w = sc.build_weights(gdf, kind="queen", islands="nearest")
    assert w.cardinalities["210000"] >= 1


@case("weights")
def geographic_coordinates_with_distance_weights(tmp_path):
    """Never Euclidean distances on degrees: the band is in metres after an automatic, reported projection."""
    gdf = lonlat_grid()  # 1-degree squares at 30-32 N: centroids ~96 km apart east-west, ~111 km north-south
    w = sc.build_weights(gdf, kind="distance_band", threshold=120_000, transform="b")
    # 120 km links rook neighbours only (diagonals are ~147 km); on degrees every pair would be linked
    assert w.cardinalities.reindex(CODES).tolist() == [2, 3, 2, 2, 3, 2]
    _has_words(sc.weights_summary(w).summary(), ["UTM zone 49N", "EPSG:32649", "EPSG:4326", "metres"])


@case("weights")
def unknown_weights_kind(tmp_path):
    with raises(sc.InputError, "'quen'", "queen", "rook"):
        sc.build_weights(grid(), kind="quen")


@case("weights")
def knn_with_too_many_neighbours(tmp_path):
    with raises(sc.InputError, "k=6", "only 6 regions"):
        sc.build_weights(grid(), kind="knn", k=6)


@case("weights")
def user_matrix_missing_a_region(tmp_path):
    ids = CODES[:5] + ["999999"]
    with raises(sc.WeightsError, "210000", "add them, or drop"):
        sc.build_weights(grid(), kind="matrix", matrix=pd.DataFrame(1.0, index=ids, columns=ids))


# =========================================================================== statistics and models
def _queen():
    return sc.build_weights(grid(), kind="queen")


@case("statistics")
def constant_column(tmp_path):
    data = grid().assign(v=3.0)
    with raises(sc.InputError, "'v'", "constant"):
        sc.moran(data, "v", _queen(), permutations=0)


@case("statistics")
def missing_values_in_column(tmp_path):
    data = grid().assign(v=values())
    data.loc["130000", "v"] = np.nan
    with raises(sc.InputError, "130000", "missing", "drop"):
        sc.local_moran(data, "v", _queen(), permutations=9, seed=0)


@case("statistics")
def column_typo(tmp_path):
    data = grid().assign(urbanization=values())
    with raises(sc.InputError, "'urbanisation'", "Did you mean 'urbanization'"):
        sc.moran(data, "urbanisation", _queen(), permutations=0)


@case("statistics")
def weights_built_on_other_regions(tmp_path):
    w = sc.build_weights(grid(CODES[:4], ncols=2), kind="queen")
    data = grid().assign(v=values())
    with raises(sc.WeightsError, "150000", "210000", "not in the weights"):
        sc.moran(data, "v", w, permutations=0)


def _panel(years=(2018, 2019, 2020), drop=None, blank_year=None):
    rows = [{"adcode": c, "year": y, "v": float(i + j) + 0.1 * (i * j % 3), "x": float((i * 7 + j * 3) % 5)}
            for i, c in enumerate(CODES) for j, y in enumerate(years)]
    df = pd.DataFrame(rows)
    if drop:
        df = df[~((df.adcode == drop[0]) & (df.year == drop[1]))]
    if blank_year:
        df.loc[df.year == blank_year, "v"] = np.nan
    return df.reset_index(drop=True)


@case("statistics")
def all_missing_year(tmp_path):
    """Through the pipeline: the year is named before any statistic runs."""
    regions = write_regions(tmp_path, grid())
    panel = _panel(blank_year=2019).astype({"v": object})
    panel.loc[panel.year == 2019, "v"] = "—"  # the yearbook's placeholder: deliberately missing
    panel.to_csv(tmp_path / "panel.csv", index=False)
    cfg = tmp_path / "a.toml"
    cfg.write_text(f"""
[inputs]
regions = "{regions.name}"
[[inputs.tables]]
path = "panel.csv"
on = "adcode"
time = "year"
[[weights]]
kind = "queen"
[statistics]
permutations = 9
[statistics.by_year]
table = "panel"
columns = ["v"]
""", encoding="utf-8")
    with raises(sc.InputError, "'panel'", "'v'", "no value at all in year(s) 2019", "remove those years"):
        pipeline.run(pipeline.load_config(cfg), tmp_path / "out", quiet=True)
    assert not (tmp_path / "out").exists()


@case("models")
def unbalanced_panel(tmp_path):
    with raises(sc.InputError, "unbalanced", "130000", "2019"):
        sc.spillover_panel(_panel(drop=("130000", 2019)), y="v", x=["x"], w=_queen(), id="adcode", time="year",
                           model="sar", effects="region")


@case("models")
def panel_regions_missing_from_weights(tmp_path):
    w = sc.build_weights(grid(CODES[:4], ncols=2), kind="queen")
    with raises(sc.WeightsError, "150000", "210000", "not in the weights"):
        sc.spillover_panel(_panel(), y="v", x=["x"], w=w, id="adcode", time="year", model="sar", effects="region")


@case("models")
def duplicate_region_years_in_model_panel(tmp_path):
    panel = pd.concat([_panel(), _panel().iloc[:1]], ignore_index=True)
    with raises(sc.InputError, "110000 2018", "one row per region and period"):
        sc.spillover_panel(panel, y="v", x=["x"], w=_queen(), id="adcode", time="year", model="sar", effects="region")


@case("statistics")
def unknown_multiple_testing_correction(tmp_path):
    with raises(sc.InputError, "'holm'", "bonferroni", "fdr"):
        sc.local_moran(grid().assign(v=values()), "v", _queen(), permutations=9, correction="holm")


@case("models")
def constant_regressor(tmp_path):
    data = grid().assign(y=values(seed=2), x=1.0)
    with raises(sc.InputError, "'x'", "constant"):
        sc.spillover(data, y="y", x=["x"], w=_queen(), model="sar")


# =========================================================================== config and command line
def _demo_text(**replace) -> str:
    text = pipeline.demo_config_path().read_text(encoding="utf-8")
    for old, new in replace.items():
        # exactly one match, not the prefix of a longer number or name ("999" in "9999")
        pattern = re.escape(old) + r"(?![\w.])"
        assert len(re.findall(pattern, text)) == 1, f"{old!r} must occur once in the demo config"
        text = re.sub(pattern, lambda _m, new=new: new, text)
    return text


@case("config")
def config_variable_typo(tmp_path):
    """Caught after the join but before any statistic runs, with the line and the closest name."""
    cfg_path = tmp_path / "a.toml"
    cfg_path.write_text(_demo_text(**{'global = ["urban_rate_2011_yearend"': 'global = ["urban_rate_2011_yearnd"'}),
                        encoding="utf-8")
    cfg = pipeline.load_config(cfg_path)
    line = next(i for i, s in enumerate(cfg_path.read_text().splitlines(), 1) if s.startswith("global ="))
    with raises(sc.ConfigError, f"line {line}", 'key "global[1]"', "'urban_rate_2011_yearnd'",
                "Did you mean 'urban_rate_2011_yearend'"):
        pipeline.run(cfg, tmp_path / "out", quiet=True)
    assert not (tmp_path / "out").exists()  # nothing written
    assert [p.name for p in tmp_path.iterdir()] == ["a.toml"]


@case("config")
def derived_variable_typo(tmp_path):
    """A derived variable naming a column the data do not have: the line of the key, the closest column."""
    cfg_path = tmp_path / "a.toml"
    cfg_path.write_text(_demo_text(**{'start = "pop_2010"': 'start = "pop2010"'}), encoding="utf-8")
    line = next(i for i, s in enumerate(cfg_path.read_text().splitlines(), 1) if s.startswith('start = "pop2010"'))
    cli_fails(["run", cfg_path, "--out", tmp_path / "out", "--quiet"], f"line {line}",
              '[variables.derived.pop_growth_2010_2020] key "start"', "'pop2010'", "Did you mean 'pop_2010'")
    assert not (tmp_path / "out").exists()


@case("config")
def unknown_model_name(tmp_path):
    cfg = tmp_path / "a.toml"
    cfg.write_text(_demo_text(**{'cross_section = ["sdm"]': 'cross_section = ["spatial durbin"]'}), encoding="utf-8")
    cli_fails(["run", cfg, "--out", tmp_path / "out"], 'key "cross_section[1]"', "'spatial durbin'", "sdm")


@case("config")
def config_missing_input_file(tmp_path):
    cfg = tmp_path / "a.toml"
    text = _demo_text(**{'dataset = "china_provinces"': 'regions = "data/provinces.shp"\nid = "adcode"'})
    cfg.write_text(text, encoding="utf-8")
    line = text.splitlines().index('regions = "data/provinces.shp"') + 1
    cli_fails(["run", cfg, "--out", tmp_path / "out"], "a.toml", f"line {line}", "[inputs]",
              "'data/provinces.shp' does not exist")


@case("config")
def config_wrong_type(tmp_path):
    cfg = tmp_path / "a.toml"
    cfg.write_text(_demo_text(**{"permutations = 9999": 'permutations = "9999"'}), encoding="utf-8")
    cli_fails(["run", cfg, "--out", tmp_path / "out"], "[statistics]", "permutations", "expected an integer")


@case("config")
def config_toml_syntax(tmp_path):
    cfg = tmp_path / "a.toml"
    cfg.write_text(_demo_text(**{'kind = "queen"': 'kind = queen'}), encoding="utf-8")
    cli_fails(["run", cfg, "--out", tmp_path / "out"], "not valid TOML", "line")


@case("config")
def config_file_missing(tmp_path):
    (tmp_path / "analysis.toml").write_text("")
    cli_fails(["run", tmp_path / "analysis.tml", "--out", tmp_path / "out"], "analysis.tml", "does not exist", "analysis.toml")


@case("cli")
def unwritable_output_folder(tmp_path):
    blocker = tmp_path / "results.txt"  # a file where a folder should be created
    blocker.write_text("keep me")
    cli_fails(["demo", "--out", blocker / "demo", "--quiet"], "cannot write the output folder", "--out")
    assert blocker.read_text() == "keep me"


@case("cli")
def output_folder_without_write_permission(tmp_path):
    """As root chmod does not stop writes, so the OS refusal is simulated where the build folder is made."""
    from unittest import mock

    denied = PermissionError(13, "Permission denied", str(tmp_path))
    with mock.patch("spatialcluster.pipeline.outdir.tempfile.mkdtemp", side_effect=denied):
        cli_fails(["demo", "--out", tmp_path / "demo", "--quiet"], "cannot write the output folder", "Permission denied",
                  str(tmp_path), "--out")
    assert list(tmp_path.iterdir()) == []


@case("cli")
def non_empty_output_without_overwrite(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("precious")
    cli_fails(["demo", "--out", out, "--quiet"], "not empty", "--overwrite")
    assert (out / "notes.txt").read_text() == "precious"


@case("cli")
def output_path_is_a_file(tmp_path):
    out = tmp_path / "out"
    out.write_text("precious")
    cli_fails(["demo", "--out", out, "--quiet"], "is a file", "--out")
    assert out.read_text() == "precious"


@case("cli")
def one_off_column_typo(tmp_path):
    regions = write_regions(tmp_path, grid())
    table = write_csv(tmp_path, "code,gdp\n" + "".join(f"{c},{i + 1}.5\n" for i, c in enumerate(CODES)))
    cli_fails(["moran", regions, table, "--on", "code", "--column", "gpd", "--permutations", "9"], "'gpd'", "Did you mean 'gdp'")


@case("cli")
def one_off_unmatched_keys(tmp_path):
    regions = write_regions(tmp_path, grid())
    table = write_csv(tmp_path, "code,gdp\n" + "".join(f"{c},{i + 1}.5\n" for i, c in enumerate(CODES[:-1])))
    cli_fails(["lisa", regions, table, "--on", "code", "--column", "gdp"], "210000", "--how left")


@case("cli")
def init_refuses_to_overwrite(tmp_path):
    path = tmp_path / "analysis.toml"
    path.write_text("mine")
    cli_fails(["init", path], "already exists", "--force")
    assert path.read_text() == "mine"


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(name, tmp_path):
    CASES[name](tmp_path)


def test_catalogue_size_and_stages():
    assert len(CASES) >= 30
    stages = {name.split(":")[0] for name in CASES}
    assert stages >= {"regions", "tables", "join", "weights", "statistics", "models", "config", "cli"}


def test_debug_shows_the_traceback(tmp_path):
    (tmp_path / "analysis.toml").write_text("")
    result, _ = cli("run", tmp_path / "nothere.toml", "--out", tmp_path / "out", "--debug")
    assert result.exit_code != 0 and isinstance(result.exception, sc.ConfigError)
    assert re.search("does not exist", str(result.exception))
