"""The command line end to end: the demo's output folder, determinism, --show-config, init, one-off subcommands."""

from __future__ import annotations

import json
import sqlite3
import tomllib

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import spatialcluster as sc
from spatialcluster import pipeline
from spatialcluster.cli import app
from spatialcluster.pipeline.outdir import MARKER, staged_folder

PERMS = "99"  # the shipped config uses 9999; the wiring is the same
runner = CliRunner()


def invoke(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, (result.output, result.stderr if result.stderr_bytes is not None else "", result.exception)
    return result


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "out"
    result = invoke("demo", "--out", out, "--permutations", PERMS)
    return out, result


@pytest.fixture(scope="module")
def demo_rerun(tmp_path_factory):
    """The same inputs again (maps and report off: they do not change tables or layers)."""
    out = tmp_path_factory.mktemp("demo2") / "out"
    pipeline.run_demo(out, quiet=True, overrides={"statistics": {"permutations": int(PERMS)},
                                                  "outputs": {"maps": False, "report": False}})
    return out


EXPECTED = [
    "manifest.json", "report.html", "results.gpkg",
    "maps/choropleth_urban_rate_2011_yearend.png", "maps/choropleth_pop_growth_2010_2020.png",
    "maps/choropleth_lq_gdp_pop_2020.png", "maps/choropleth_gdp_real_growth_2020.png",
    "maps/lisa_map_urban_rate_2011_yearend.png", "maps/lisa_map_lq_gdp_pop_2020.png",
    "maps/gistar_map_urban_rate_2011_yearend.png", "maps/gistar_map_lq_gdp_pop_2020.png",
    "maps/moran_scatter_urban_rate_2011_yearend.png", "maps/effects_sdm.png",
    "tables/weights_summary.csv", "tables/moran.csv", "tables/moran.md",
    "tables/lisa_urban_rate_2011_yearend.csv", "tables/gistar_lq_gdp_pop_2020.csv",
    "tables/model_selection.csv", "tables/model_selection_log.txt", "tables/model_sdm.csv",
    "tables/model_sdm_journal.md", "tables/effects_sdm.csv", "tables/effects_sdm.md", "tables/effects_by_weights.csv",
    # the panel: static and dynamic SDM, change over time, maps of two years
    "tables/panel_sdm.csv", "tables/panel_effects_sdm.csv", "tables/panel_dynamic_sdm.csv",
    "tables/panel_dynamic_effects_long_sdm.csv", "tables/markov_gdp_per_head.csv", "tables/dagum_gdp_per_head.csv",
    "tables/emerging_hotspots_gdp_per_head.csv", "tables/emerging_hotspots_urbanization.csv",
    "maps/choropleth_gdp_per_head_2005.png", "maps/choropleth_gdp_per_head_2019.png",
    "maps/emerging_map_gdp_per_head.png", "maps/choropleth_urbanization_2005.png", "maps/choropleth_urbanization_2019.png",
]


def test_demo_effects_under_every_weights(demo_run):
    out, _ = demo_run
    robust = pd.read_csv(out / "tables" / "effects_by_weights.csv").set_index(["model", "variable", "weights"])
    assert set(robust.index.get_level_values("weights")) == {"queen", "knn4"}
    primary = pd.read_csv(out / "tables" / "effects_sdm.csv", index_col=0)
    queen = robust.xs(("sdm", "queen"), level=("model", "weights"))
    pd.testing.assert_frame_equal(queen, primary[queen.columns].rename_axis("variable"), check_exact=True)


def test_demo_writes_every_file(demo_run):
    out, result = demo_run
    missing = [f for f in EXPECTED if not (out / f).is_file()]
    assert not missing
    # nothing else but the folder itself was created beside it (no build folders left over)
    assert [p.name for p in out.parent.iterdir()] == ["out"]
    # the step lines are plain text when not in a terminal (readable in a log file)
    err = result.stderr
    assert "> build weights queen" in err and "done: GeoPackage" in err and "\x1b[" not in err


def test_demo_maps_open(demo_run):
    from PIL import Image

    out, _ = demo_run
    pngs = sorted((out / "maps").glob("*.png"))
    assert len(pngs) >= 10
    for p in pngs:
        with Image.open(p) as im:
            im.verify()
        with Image.open(p) as im:
            assert im.size[0] > 300 and im.size[1] > 300
            assert len(im.convert("RGB").getcolors(1 << 20) or [0] * 1000) > 5  # not a blank canvas


def test_demo_geopackage_layers_and_styles(demo_run):
    import pyogrio

    out, _ = demo_run
    gpkg = out / "results.gpkg"
    layers = {name for name, _ in pyogrio.list_layers(gpkg)} - {"layer_styles"}
    assert {"regions", "lisa_urban_rate_2011_yearend", "lisa_lq_gdp_pop_2020", "gistar_urban_rate_2011_yearend",
            "gistar_lq_gdp_pop_2020"} <= layers
    for name in layers:
        gdf = pyogrio.read_dataframe(gpkg, layer=name)
        assert len(gdf) == 31 and gdf.geometry.notna().all() and gdf.crs is not None
    lisa = pyogrio.read_dataframe(gpkg, layer="lisa_urban_rate_2011_yearend")
    assert set(lisa["cluster"]) <= {"HH", "LL", "HL", "LH", "ns", "island"}
    gi = pyogrio.read_dataframe(gpkg, layer="gistar_lq_gdp_pop_2020")
    assert set(gi["bin"]) <= set(range(-3, 4))
    with sqlite3.connect(gpkg) as con:
        styled = {r[0] for r in con.execute("select f_table_name from layer_styles where useAsDefault")}
    assert layers <= styled


def test_demo_derived_variables_by_hand(demo_run):
    """The regions layer holds the derived columns, recomputed here from the bundled CSV."""
    import pyogrio

    out, _ = demo_run
    regions = pyogrio.read_dataframe(out / "results.gpkg", layer="regions").set_index("code")
    facts = pd.read_csv(pipeline.config.bundled_path("china_provinces_facts.csv"), dtype={"adcode": str}).set_index("adcode")
    facts = facts.loc[regions.index]
    lq = (facts.gdp_2020 / facts.gdp_2020.sum()) / (facts.pop_2020 / facts.pop_2020.sum())
    np.testing.assert_allclose(regions["lq_gdp_pop_2020"], lq, rtol=1e-12)
    np.testing.assert_allclose(regions["pop_growth_2010_2020"], 100 * (facts.pop_2020 / facts.pop_2010 - 1), rtol=1e-12)
    # Beijing's GDP per head is well above the national level, Gansu's well below
    assert lq["110000"] > 2 and lq["620000"] < 0.7


def test_demo_moran_table_matches_the_api(demo_run):
    out, _ = demo_run
    table = pd.read_csv(out / "tables" / "moran.csv").set_index(["variable", "weights"])
    assert set(table.index.get_level_values("weights")) == {"queen", "knn4"}
    data = sc.datasets.china_provinces()
    with pytest.warns(sc.SpatialClusterWarning, match="460000"):
        w = sc.build_weights(data, kind="queen", islands="nearest")
    g = sc.moran(data, "urban_rate_2011_yearend", w, permutations=0)
    row = table.loc[("urban_rate_2011_yearend", "queen")]
    assert row["I"] == pytest.approx(g.I, rel=1e-12)
    assert row["z_norm"] == pytest.approx(g.z_norm, rel=1e-12)
    assert 0 < row["p_sim"] <= 1 and row["p_sim"] * (int(PERMS) + 1) == pytest.approx(round(row["p_sim"] * (int(PERMS) + 1)))


def test_demo_manifest(demo_run):
    out, _ = demo_run
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {"software", "seeds", "inputs", "config", "config_source", "weights", "timings_seconds"} <= set(m)
    assert m["software"]["spatialcluster"] == sc.__version__ and m["software"]["numpy"] == np.__version__
    assert m["seeds"] == {"project": 20240601, "permutations": int(PERMS)}
    assert m["config"]["statistics"]["permutations"] == int(PERMS)
    assert tomllib.loads(m["config_source"])["project"]["seed"] == 20240601
    assert any(k.endswith("china_provinces_urban_rate_panel.csv") for k in m["inputs"])
    assert all(len(v) == 64 and int(v, 16) >= 0 for v in m["inputs"].values())
    q = m["weights"]["queen"]
    assert q["n"] == 31 and q["islands"] == "" and "460000" in q["island_links"]
    assert m["timings_seconds"]["total"] > 0


def test_demo_report(demo_run):
    out, _ = demo_run
    html = (out / "report.html").read_text(encoding="utf-8")
    for words in ("Spatial weights", "Moran", "LISA", "Gi*", "Spillover models", "LeSage", "Benjamini",
                  "Anselin", "numpy", "20240601", "GDP per head"):
        assert words in html, words
    assert html.count("data:image/png;base64,") >= 10


def test_demo_is_deterministic(demo_run, demo_rerun):
    import pyogrio

    out, _ = demo_run
    tables = sorted(p.name for p in (out / "tables").glob("*.csv"))
    assert tables == sorted(p.name for p in (demo_rerun / "tables").glob("*.csv"))
    for name in tables:
        assert (out / "tables" / name).read_bytes() == (demo_rerun / "tables" / name).read_bytes(), name
    for name, _ in pyogrio.list_layers(out / "results.gpkg"):
        a = pd.DataFrame(pyogrio.read_dataframe(out / "results.gpkg", layer=name))
        b = pd.DataFrame(pyogrio.read_dataframe(demo_rerun / "results.gpkg", layer=name))
        if name == "layer_styles":  # the styles are the same; only their time stamps differ
            a, b = a.drop(columns="update_time"), b.drop(columns="update_time")
        pd.testing.assert_frame_equal(a, b, check_exact=True)


SMALL = ('[inputs]\ndataset = "china_provinces"\n[[weights]]\nkind = "queen"\nislands = "nearest"\n'
         '[outputs]\nchoropleths = ["urban_rate_2011_yearend"]\nreport = false\n')


def test_quiet_prints_nothing_and_overwrite_replaces(tmp_path):
    cfg = tmp_path / "a.toml"
    cfg.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "out"
    with staged_folder(out, overwrite=False) as tmp:  # previous results, written by spatialcluster
        (tmp / "old.txt").write_text("old")
    result = invoke("run", cfg, "--out", out, "--quiet", "--overwrite")
    assert result.output == "" and result.stderr == ""
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "manifest.json", "maps", "results.gpkg", "tables"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.toml", "out"]  # the old folder is gone, no leftovers


def test_show_config_prints_the_shipped_config():
    result = invoke("demo", "--show-config")
    assert result.stdout == pipeline.demo_config_path().read_text(encoding="utf-8")
    assert tomllib.loads(result.stdout)["inputs"]["dataset"] == "china_provinces"


def test_init_writes_a_starter_that_validates(tmp_path):
    path = tmp_path / "my.toml"
    invoke("init", path)
    assert path.read_text(encoding="utf-8") == pipeline.starter_config_text()
    with pytest.raises(sc.ConfigError, match="regions.shp"):  # it points at files the user still has to provide
        pipeline.load_config(path)
    (tmp_path / "regions.shp").write_bytes(b"")
    (tmp_path / "indicators.csv").write_text("region\n")
    assert pipeline.load_config(path).data["weights"][0]["kind"] == "queen"
    invoke("init", path, "--force")


def test_run_on_the_bundled_files_config(tmp_path):
    """`spatialcluster run` on the shipped config that reads the bundled shapefile and CSV as files."""
    import pyogrio

    config = pipeline.demo_config_path().with_name("china_files.toml")
    invoke("run", config, "--out", tmp_path / "out", "--permutations", "19", "--quiet")
    out = tmp_path / "out"
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {"spatialcluster/datasets/shapefiles/china_provinces/china_provinces.shp",
            "spatialcluster/datasets/data/china_provinces_facts.csv"} <= set(m["inputs"])
    # the inner join's warning names Taiwan, Hong Kong and Macao, and is kept as a note
    assert any("710000" in n["message"] and "810000" in n["message"] for n in m["notes"])
    assert len(pyogrio.read_dataframe(out / "results.gpkg", layer="regions")) == 31
    for name in ("model_selection.csv", "model_sar.csv", "effects_sdm.csv", "moran.csv"):
        assert (out / "tables" / name).is_file(), name
    assert set(pd.read_csv(out / "tables" / "moran.csv")["weights"]) == {"queen", "knn6"}


def test_run_the_mexico_panel_config(tmp_path):
    """The shipped panel example: Moran's I and LISA transitions for every decade, from a bundled long table."""
    config = pipeline.demo_config_path().with_name("mexico_panel.toml")
    invoke("run", config, "--out", tmp_path / "out", "--permutations", "19", "--quiet")
    tables = tmp_path / "out" / "tables"
    by_year = pd.read_csv(tables / "moran_by_year_pcgdp.csv", index_col="year")
    assert list(by_year.index) == list(range(1940, 2001, 10)) and (by_year["n"] == 32).all()
    panel = sc.datasets.mexico_gdp_panel()
    w = sc.build_weights(sc.datasets.mexico_states(), kind="queen")
    y1970 = panel[panel.year == 1970].set_index("state")
    assert by_year.loc[1970, "I"] == pytest.approx(sc.moran(y1970, "pcgdp", w, permutations=1).I, rel=1e-12)
    transitions = pd.read_csv(tables / "lisa_transitions_pcgdp.csv", index_col=0)
    assert transitions.to_numpy().sum() == 32 * 6  # every state, every pair of consecutive decades
    assert (tmp_path / "out" / "maps" / "moran_by_year_pcgdp.png").is_file()


# --------------------------------------------------------------------------- user files
@pytest.fixture(scope="module")
def user_files(tmp_path_factory):
    """The bundled data as a user would have them: a shapefile with names and a CSV by Chinese name."""
    d = tmp_path_factory.mktemp("user")
    prov = sc.datasets.china_provinces()
    prov[["name_zh", "geometry"]].reset_index().rename(columns={"adcode": "code"}).to_file(
        d / "provinces.shp", engine="pyogrio", encoding="UTF-8")
    table = prov.drop(columns="geometry").reset_index(drop=True)[["name_zh", "urban_rate_2011_yearend", "gdp_2020", "pop_2020",
                                                                 "gdp_real_growth_2020"]]
    table["name_zh"] = table["name_zh"].str.replace(r"(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)$", "", regex=True)
    table.to_csv(d / "indicators.csv", index=False, encoding="utf-8-sig")
    return d


def test_run_on_user_files(user_files, tmp_path):
    cfg = tmp_path / "analysis.toml"
    cfg.write_text(f"""
[project]
seed = 1
[inputs]
regions = "{(user_files / 'provinces.shp').as_posix()}"
id = "code"
[[inputs.tables]]
path = "{(user_files / 'indicators.csv').as_posix()}"
on = "name_zh"
[variables.derived.lq]
kind = "location_quotient"
numerator = "gdp_2020"
denominator = "pop_2020"
[[weights]]
kind = "queen"
islands = "nearest"
[statistics]
permutations = 9
global = ["urban_rate_2011_yearend"]
local = ["lq"]
[outputs]
choropleths = ["lq"]
""", encoding="utf-8")
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in user_files.iterdir()}
    invoke("run", cfg, "--out", tmp_path / "out", "--quiet")
    # inputs are only read: same bytes, same modification times, no new files beside them
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in user_files.iterdir()} == before
    out = tmp_path / "out"
    m = json.loads((out / "manifest.json").read_text())
    import hashlib

    assert m["inputs"][str(user_files / "indicators.csv")] == hashlib.sha256(before["indicators.csv"][0]).hexdigest()
    assert {p.split("/")[-1] for p in m["inputs"]} >= {"provinces.shp", "provinces.dbf", "provinces.cpg", "indicators.csv"}
    lisa = pd.read_csv(out / "tables" / "lisa_lq.csv", dtype={"code": str}).set_index("code")
    assert len(lisa) == 31 and "cluster" in lisa.columns


@pytest.mark.parametrize("command,extra", [
    ("moran", ["--column", "urban_rate_2011_yearend"]),
    ("lisa", ["--column", "urban_rate_2011_yearend"]),
    ("hotspots", ["--column", "gdp_real_growth_2020", "--weights", "knn", "--k", "4"]),
])
def test_one_off_statistics(user_files, tmp_path, command, extra):
    gpkg = tmp_path / "one.gpkg"
    result = invoke(command, user_files / "provinces.shp", user_files / "indicators.csv", "--on", "name_zh",
                    "--id", "code", "--islands", "nearest", "--permutations", "19", "--gpkg", gpkg, *extra)
    assert "110000" in result.stdout or "I" in result.stdout
    import pyogrio

    assert [n for n, _ in pyogrio.list_layers(gpkg) if n != "layer_styles"]


def test_one_off_regress(user_files, tmp_path):
    result = invoke("regress", user_files / "provinces.shp", user_files / "indicators.csv", "--on", "name_zh",
                    "--id", "code", "--islands", "nearest", "--y", "gdp_real_growth_2020",
                    "--x", "urban_rate_2011_yearend", "--model", "sdm")
    assert "rho" in result.stdout and "indirect" in result.stdout


def test_every_option_and_argument_has_help_text():
    """``--help`` explains every option: a bare ``--y`` tells a user nothing."""
    import typer.main

    def commands(cmd, path=()):
        if hasattr(cmd, "commands"):  # a group (typer ships its own click, so no isinstance check)
            for name, sub in cmd.commands.items():
                yield from commands(sub, (*path, name))
        else:
            yield " ".join(path), cmd

    bare = [f"{path} {p.opts[0] if p.opts else p.name}" for path, cmd in commands(typer.main.get_command(app))
            for p in cmd.params if not (getattr(p, "help", None) or "").strip()]
    assert not bare, f"options without help text: {bare}"
