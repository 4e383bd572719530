"""The TOML pipeline: config validation (locations, suggestions), derived variables, the staged output folder."""

from __future__ import annotations

import json
import os
import re
import tomllib

import numpy as np
import pandas as pd
import pytest

import spatialcluster as sc
from spatialcluster import pipeline
from spatialcluster.pipeline.config import format_location, line_index
from spatialcluster.pipeline.outdir import MARKER, staged_folder

DEMO = pipeline.demo_config_path().read_text(encoding="utf-8")


def _error(source, **kw) -> str:
    with pytest.raises(sc.ConfigError) as info:
        pipeline.parse_config(source, name="a.toml", **kw)
    return str(info.value)


def _line_of(source: str, needle: str) -> int:
    return next(i for i, line in enumerate(source.splitlines(), 1) if needle in line)


# --------------------------------------------------------------------------- shipped configs
def test_demo_config_validates_and_fills_defaults():
    cfg = pipeline.load_config(pipeline.demo_config_path())
    d = cfg.data
    assert d["inputs"]["dataset"] == "china_provinces"
    assert [w["name"] for w in d["weights"]] == ["queen", "knn4"] and cfg.primary_weights == "queen"
    assert d["weights"][0]["islands"] == "nearest"
    assert d["weights"][1]["transform"] == "r"  # default filled in
    assert d["models"]["cross_section"] == ["sdm"]
    assert set(d["variables"]["derived"]) == {"pop_growth_2010_2020", "lq_gdp_pop_2020", "urbanization", "lq_secondary",
                                               "gdp_per_head"}
    assert [t["name"] for t in d["inputs"]["tables"]] == ["panel"]


def test_starter_config_validates_once_its_files_exist(tmp_path):
    text = pipeline.starter_config_text()
    # every commented-out key is a valid key too: uncomment the simple ones and parse again
    (tmp_path / "regions.shp").write_bytes(b"")
    (tmp_path / "indicators.csv").write_text("region,gdp_2015,gdp_2020\n")
    cfg = pipeline.parse_config(text, name="starter.toml", base=tmp_path)
    assert cfg.data["inputs"]["id"] == "code"
    assert cfg.data["variables"]["derived"]["gdp_growth"]["years"] == 5


def test_overrides_are_merged_before_validation():
    cfg = pipeline.parse_config(DEMO, overrides={"statistics": {"permutations": 99}})
    assert cfg.data["statistics"]["permutations"] == 99
    with pytest.raises(sc.ConfigError, match="permutations"):
        pipeline.parse_config(DEMO, overrides={"statistics": {"permutations": "many"}})


# --------------------------------------------------------------------------- validation messages
def test_unknown_key_has_line_location_and_suggestion():
    bad = DEMO.replace("permutations = 9999", "permutatons = 9999")
    msg = _error(bad)
    line = _line_of(bad, "permutatons")
    assert f"line {line}, [statistics] key \"permutatons\"" in msg
    assert "Did you mean 'permutations'?" in msg


def test_unknown_table_is_suggested():
    msg = _error(DEMO.replace("[statistics]", "[statistic]"))
    assert "[statistic]" in msg and "Did you mean 'statistics'?" in msg


def test_wrong_type_in_second_weights_table():
    bad = DEMO.replace("k = 4", 'k = "4"')
    msg = _error(bad)
    assert f"line {_line_of(bad, 'k = ')}, [[weights]] #2, key \"k\"" in msg
    assert "expected an integer" in msg and "without quotes" in msg


def test_bad_choice_suggests_closest():
    msg = _error(DEMO.replace('kind = "knn"', 'kind = "knnn"'))
    assert "'knnn' is not one of" in msg and "Did you mean 'knn'?" in msg


def test_list_element_location():
    bad = DEMO.replace('cross_section = ["sdm"]', 'cross_section = ["sdm", "sdn"]')
    msg = _error(bad)
    assert '[models] key "cross_section[2]"' in msg and "Did you mean 'sdm'" in msg


def test_all_problems_reported_together():
    bad = DEMO.replace("k = 4", 'k = "4"').replace("complete_run = true", 'complete_run = "yes"').replace("alpha = 0.05", "alpha = 5")
    msg = _error(bad)
    assert msg.splitlines()[0].endswith("3 problems in the config")


def test_missing_required_key():
    bad = DEMO.replace('kind = "knn"\n', "")
    msg = _error(bad)
    assert "[[weights]] #2" in msg and "required key 'kind' is missing" in msg


def test_toml_syntax_error_names_line():
    bad = DEMO.replace("seed = 20240601", "seed = 2024 0601")
    msg = _error(bad)
    assert "not valid TOML" in msg and f"line {_line_of(bad, 'seed = 2024')}" in msg


def test_missing_files_are_reported_relative_to_config(tmp_path):
    (tmp_path / "provinces.shp").write_bytes(b"")
    bad = DEMO.replace('dataset = "china_provinces"', 'regions = "provinces.shpp"\nid = "code"')
    msg = _error(bad, base=tmp_path)
    assert "'provinces.shpp' does not exist" in msg and "Did you mean 'provinces.shp'?" in msg


def test_unknown_bundled_file_lists_bundled_files():
    msg = _error(DEMO.replace('dataset = "china_provinces_panel"\nname = "panel"\n', 'path = "bundled:urban_panel.csv"\nname = "panel"\n'))
    assert "no bundled file 'urban_panel.csv'" in msg and "china_provinces_urban_rate_panel.csv" in msg


def test_regions_and_dataset_are_exclusive(tmp_path):
    (tmp_path / "r.gpkg").write_bytes(b"")
    msg = _error(DEMO.replace('dataset = "china_provinces"', 'dataset = "china_provinces"\nregions = "r.gpkg"'), base=tmp_path)
    assert "either 'dataset'" in msg


def test_kind_specific_requirements():
    msg = _error(DEMO.replace("k = 4\n", ""))
    assert "weights of kind 'knn' need 'k'" in msg
    msg = _error(DEMO.replace('end = "pop_2020"\n', ""))
    assert "[variables.derived.pop_growth_2010_2020] key \"end\"" in msg and "needs 'end'" in msg


def test_duplicate_weights_names():
    msg = _error(DEMO.replace('name = "knn4"', 'name = "queen"'))
    assert "weights name 'queen' is used twice" in msg


def test_by_year_must_name_a_panel_table():
    bad = DEMO.replace('[statistics.by_year]\ntable = "panel"', '[statistics.by_year]\ntable = "panl"')
    msg = _error(bad)
    assert "'panl' is not a panel table" in msg and "Did you mean 'panel'?" in msg


def test_statistics_need_weights():
    bad = re.sub(r"\[\[weights\]\].*?(?=\[statistics\])", "", DEMO, flags=re.S)
    msg = _error(bad)
    assert "at least one [[weights]]" in msg


def test_missing_config_file(tmp_path):
    (tmp_path / "analysis.toml").write_text("")
    with pytest.raises(sc.ConfigError, match="does not exist.*Did you mean 'analysis.toml'"):
        pipeline.load_config(tmp_path / "analyss.toml")


def test_line_index_handles_arrays_of_tables_and_multiline_values():
    src = '[a]\nx = """\n[not.a.header]\ny = 1\n"""\nz = [\n  1,\n  2,\n]\nw = 2\n[[b]]\nk = 1\n[[b]]\nk = 2\n[b.sub]\nq = 3\n'
    tomllib.loads(src)  # it is valid TOML
    idx = line_index(src)
    assert idx[("a", "x")] == 2 and ("not", "a") not in idx and ("a", "y") not in idx
    assert idx[("a", "z")] == 6 and idx[("a", "w")] == 10
    assert idx[("b", 0, "k")] == 12 and idx[("b", 1, "k")] == 14
    assert idx[("b", 1, "sub", "q")] == 16


def test_format_location():
    assert format_location(("weights", 1, "kind")) == '[[weights]] #2, key "kind"'
    assert format_location(("statistics", "global", 0)) == '[statistics] key "global[1]"'
    assert format_location(("inputs", "tables", 0, "read", "sheet")) == '[[inputs.tables]] #1, [read] key "sheet"'
    assert format_location(("statistic",)) == "[statistic]"


# --------------------------------------------------------------------------- derived variables
def _frame():
    return pd.DataFrame(
        {"p10": [100.0, 200.0, 50.0], "p20": [121.0, 180.0, 50.0], "gdp": [10.0, 30.0, 60.0]},
        index=pd.Index(["a", "b", "c"], name="id"),
    )


def test_derived_growth_difference_log_ratio():
    spec = {
        "g": {"kind": "growth", "start": "p10", "end": "p20"},
        "ga": {"kind": "growth", "start": "p10", "end": "p20", "years": 2},
        "d": {"kind": "difference", "start": "p10", "end": "p20"},
        "l": {"kind": "log", "column": "gdp"},
        "r": {"kind": "ratio", "numerator": "gdp", "denominator": "p20", "scale": 100.0},
    }
    out, notes = pipeline.derive(_frame(), spec)
    np.testing.assert_allclose(out["g"], [21.0, -10.0, 0.0], rtol=1e-12)
    np.testing.assert_allclose(out["ga"], [10.0, 100 * (0.9**0.5 - 1), 0.0], rtol=1e-12)  # 1.1^2 = 1.21
    np.testing.assert_allclose(out["d"], [21.0, -20.0, 0.0])
    np.testing.assert_allclose(out["l"], np.log([10.0, 30.0, 60.0]))
    np.testing.assert_allclose(out["r"], [1000 / 121, 3000 / 180, 120.0])
    assert set(notes) == set(spec)


def test_derived_location_quotient_by_hand():
    out, _ = pipeline.derive(_frame(), {"lq": {"kind": "location_quotient", "numerator": "gdp", "denominator": "p20"}})
    # shares: gdp 0.1, 0.3, 0.6; p20 121/351, 180/351, 50/351
    expected = np.array([0.1, 0.3, 0.6]) / (np.array([121.0, 180.0, 50.0]) / 351.0)
    np.testing.assert_allclose(out["lq"], expected, rtol=1e-12)


def test_derived_refuses_nonpositive_bases_by_region():
    df = _frame()
    df.loc["b", "p10"] = 0
    with pytest.raises(sc.InputError, match="zero or negative for regions b"):
        pipeline.derive(df, {"g": {"kind": "growth", "start": "p10", "end": "p20"}})


def test_derived_unknown_column_suggests():
    cfg = pipeline.parse_config(DEMO)
    with pytest.raises(sc.ConfigError, match=r"'p2O' is not in the joined data\. Did you mean 'p20'\?"):
        pipeline.derive(_frame(), {"g": {"kind": "growth", "start": "p10", "end": "p2O"}}, cfg)


# --------------------------------------------------------------------------- output folder
def test_staged_folder_is_atomic_and_keeps_old_results_on_failure(tmp_path):
    out = tmp_path / "out"
    with staged_folder(out, overwrite=False) as tmp:
        assert tmp.parent == tmp_path and not out.exists()
        (tmp / "a.txt").write_text("first")
    assert (out / "a.txt").read_text() == "first"
    # a failing run leaves the previous folder as it was, and no build folder behind
    with pytest.raises(RuntimeError):
        with staged_folder(out, overwrite=True) as tmp:
            (tmp / "a.txt").write_text("half")
            raise RuntimeError("interrupted")
    assert (out / "a.txt").read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    # non-empty without overwrite: refused before anything is written
    with pytest.raises(sc.InputError, match="not empty; pass --overwrite"):
        with staged_folder(out, overwrite=False):
            pass
    with staged_folder(out, overwrite=True) as tmp:
        (tmp / "b.txt").write_text("second")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "b.txt"]  # the mark that lets --overwrite replace it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_staged_folder_unwritable_parent(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("")
    with pytest.raises(sc.InputError, match="cannot write the output folder"):
        with staged_folder(blocker / "out", overwrite=False):
            pass


def test_markdown_table():
    df = pd.DataFrame({"I": [0.123456, np.nan], "label": ["a|b", "c"]}, index=pd.Index(["x", "y"], name="id"))
    md = pipeline.markdown_table(df)
    assert md.splitlines() == ["| id | I | label |", "|---|---|---|", "| x | 0.1235 | a\\|b |", "| y |  | c |"]


def test_manifest_software_versions_are_real():
    v = pipeline.software_versions()
    assert v["numpy"] == np.__version__ and v["pandas"] == pd.__version__
    json.dumps(v)
    assert os.sep not in v["python"]


# --------------------------------------------------------------------------- panels through the pipeline
def test_panel_steps_run_from_files(tmp_path):
    """A regions file, a panel CSV, by-year statistics and a panel model: tables land where expected."""
    import geopandas as gpd
    from shapely.geometry import box

    ids = [f"r{i}" for i in range(16)]
    regions = gpd.GeoDataFrame({"code": ids}, geometry=[box(i % 4, i // 4, i % 4 + 1, i // 4 + 1) for i in range(16)],
                               crs="EPSG:3857")
    regions.to_file(tmp_path / "grid.gpkg", engine="pyogrio")
    rng = np.random.default_rng(3)
    rows = [{"code": c, "year": y, "y": rng.normal() + i % 4, "x": rng.normal()} for i, c in enumerate(ids)
            for y in (2018, 2019, 2020, 2021)]
    pd.DataFrame(rows).to_csv(tmp_path / "panel.csv", index=False)
    (tmp_path / "a.toml").write_text("""
[inputs]
regions = "grid.gpkg"
id = "code"
[[inputs.tables]]
path = "panel.csv"
on = "code"
time = "year"
[[weights]]
kind = "rook"
[statistics]
permutations = 19
[statistics.by_year]
table = "panel"
columns = ["y"]
[models.panel]
table = "panel"
y = "y"
x = ["x"]
model = "sar"
effects = "region"
[outputs]
report = false
""", encoding="utf-8")
    res = pipeline.run(pipeline.load_config(tmp_path / "a.toml"), tmp_path / "out", quiet=True)
    tables = tmp_path / "out" / "tables"
    by_year = pd.read_csv(tables / "moran_by_year_y.csv", index_col=0)
    assert list(by_year.index) == [2018, 2019, 2020, 2021]
    # the pipeline's Moran's I by year is the API's on the same year
    w = sc.build_weights(regions.set_index("code"), kind="rook")
    year = pd.read_csv(tmp_path / "panel.csv", dtype={"code": str}).query("year == 2019").set_index("code")
    assert by_year.loc[2019, "I"] == pytest.approx(sc.moran(year, "y", w, permutations=0).I, rel=1e-12)
    assert (tables / "lisa_transitions_y.csv").is_file() and (tables / "panel_sar.csv").is_file()
    assert "maps/moran_by_year_y.png" in res.files


def test_non_finite_numbers_are_refused():
    msg = _error(DEMO.replace("alpha = 0.05", "alpha = nan"))
    assert '[statistics] key "alpha"' in msg and "not a finite number" in msg


def test_user_matrix_weights_from_a_csv(tmp_path):
    """A square CSV keyed by region ids (here rook adjacency written by hand) = the same weights built from geometry."""
    import geopandas as gpd
    from shapely.geometry import box

    ids = [f"r{i}" for i in range(9)]
    grid = gpd.GeoDataFrame({"code": ids, "v": np.arange(9.0) ** 1.5},
                            geometry=[box(i % 3, i // 3, i % 3 + 1, i // 3 + 1) for i in range(9)], crs="EPSG:3857")
    grid.to_file(tmp_path / "grid.gpkg", engine="pyogrio")
    adj = pd.DataFrame(0, index=pd.Index(ids, name="code"), columns=ids)
    for i in range(9):
        for j in range(9):
            adj.iloc[i, j] = int(abs(i % 3 - j % 3) + abs(i // 3 - j // 3) == 1)
    adj.to_csv(tmp_path / "rook.csv")
    (tmp_path / "a.toml").write_text("""
[inputs]
regions = "grid.gpkg"
id = "code"
[[weights]]
name = "hand"
kind = "matrix"
path = "rook.csv"
[[weights]]
kind = "rook"
[statistics]
permutations = 9
global = ["v"]
[outputs]
maps = false
report = false
gpkg = false
""", encoding="utf-8")
    pipeline.run(pipeline.load_config(tmp_path / "a.toml"), tmp_path / "out", quiet=True)
    moran = pd.read_csv(tmp_path / "out" / "tables" / "moran.csv").set_index("weights")
    assert moran.loc["hand", "I"] == pytest.approx(moran.loc["rook", "I"], rel=1e-12)
    assert moran.loc["hand", "z_norm"] == pytest.approx(moran.loc["rook", "z_norm"], rel=1e-12)


def test_interrupted_run_leaves_nothing(tmp_path, monkeypatch):
    """Ctrl-C in the middle of a run: exit status 130, the previous folder intact, no build folder left."""
    from typer.testing import CliRunner

    import importlib

    from spatialcluster.cli import app

    run_module = importlib.import_module("spatialcluster.pipeline.run")  # the module, not the function

    out = tmp_path / "out"
    with staged_folder(out, overwrite=False) as tmp:  # previous results, written by spatialcluster
        (tmp / "old.txt").write_text("previous results")

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_module, "derive", interrupt)
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--overwrite", "--quiet"])
    assert result.exit_code == 130 and "interrupted" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "old.txt"]


def test_reader_options_are_checked_and_passed_on(tmp_path):
    msg = _error(DEMO.replace('time = "year"\n', 'time = "year"\n[inputs.tables.read]\nsheat = "2020"\n'))
    assert '[[inputs.tables]] #1, [read] key "sheat"' in msg and "Did you mean 'sheet'?" in msg
    # a semicolon-separated GB18030 table with its own placeholder, read through the options
    import geopandas as gpd
    from shapely.geometry import box

    gpd.GeoDataFrame({"code": ["a", "b", "c", "d"]}, geometry=[box(i, 0, i + 1, 1) for i in range(4)],
                     crs="EPSG:3857").to_file(tmp_path / "r.gpkg", engine="pyogrio")
    (tmp_path / "t.csv").write_bytes("code;值\na;1\nb;2\nc;缺\nd;4\n".encode("gb18030"))
    (tmp_path / "a.toml").write_text("""
[inputs]
regions = "r.gpkg"
id = "code"
[[inputs.tables]]
path = "t.csv"
on = "code"
[inputs.tables.read]
sep = ";"
encoding = "gb18030"
na_values = ["缺"]
[outputs]
choropleths = ["值"]
maps = false
report = false
""", encoding="utf-8")
    res = pipeline.run(pipeline.load_config(tmp_path / "a.toml"), tmp_path / "out", quiet=True)
    assert res.data["值"].tolist()[:2] == [1, 2] and np.isnan(res.data.loc["c", "值"])


def test_unexpected_errors_are_one_message(monkeypatch, tmp_path):
    """A bug (not bad input) still ends in one line and exit status 1; --debug re-raises it."""
    import importlib

    from typer.testing import CliRunner

    from spatialcluster.cli import app

    run_module = importlib.import_module("spatialcluster.pipeline.run")

    def boom(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(run_module, "derive", boom)
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 1 and "unexpected ZeroDivisionError" in result.output and "--debug" in result.output
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "out"), "--quiet", "--debug"])
    assert isinstance(result.exception, ZeroDivisionError)
    assert list(tmp_path.iterdir()) == []


def test_sar_taiwan_drawn_as_no_data_only_for_the_china_dataset():
    from spatialcluster.pipeline.context import map_regions

    cfg = pipeline.parse_config(DEMO)
    assert cfg.data["outputs"]["include_sar_taiwan"] is True
    data = sc.datasets.china_provinces().to_crs(3857)
    drawn = map_regions(cfg.data, data)
    assert len(drawn) == 34 and drawn.crs == data.crs
    extra = drawn.loc[["710000", "810000", "820000"]]
    assert extra.drop(columns="geometry").isna().all().all()  # no statistics: "No data" on every map
    assert not extra.geometry.is_empty.any()
    off = pipeline.parse_config(DEMO, overrides={"outputs": {"include_sar_taiwan": False}})
    assert map_regions(off.data, data) is data
    mexico = {"inputs": {"dataset": "mexico_states"}, "outputs": {"include_sar_taiwan": True}}
    assert map_regions(mexico, data) is data  # the default true adds nothing to another dataset's maps
