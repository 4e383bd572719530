"""Nothing lost (issue 10, section 1): what an output may never replace, GeoPackage layers, locks,
colliding file names, symbolic links, the umask; and the command line's own terms (section 3)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import box
from typer.testing import CliRunner

import spatialcluster as sc
from spatialcluster import pipeline
from spatialcluster.cli import app
from spatialcluster.pipeline import outdir

runner = CliRunner()


def cli(*args, code=None):
    result = runner.invoke(app, [str(a) for a in args])
    if code is not None:
        assert result.exit_code == code, (result.output, result.exception)
    return result


def flat(text: str) -> str:
    """Terminal output on one line, without the frame rich draws around usage errors."""
    return " ".join(text.replace("│", " ").split())


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path):
    """A user's project folder: a config, its table, a notes file; a sibling project beside it."""
    d = tmp_path / "project"
    d.mkdir()
    (d / "t.csv").write_text("code,v\n110000,1\n", encoding="utf-8")
    (d / "notes.txt").write_text("my notes")
    (d / "analysis.toml").write_text(
        '[inputs]\ndataset = "china_provinces"\n[[inputs.tables]]\npath = "t.csv"\non = "code"\nhow = "left"\n'
        "[outputs]\nmaps = false\nreport = false\n", encoding="utf-8")
    (tmp_path / "sibling").mkdir()
    (tmp_path / "sibling" / "data.csv").write_text("theirs")
    return d


@pytest.fixture
def grid(tmp_path):
    """4 x 4 unit squares in metres plus one far away (an island under queen weights), as a GeoPackage
    with a second layer, and their table as CSV and as a workbook with two sheets."""
    d = tmp_path / "grid"
    d.mkdir()
    geoms = [box(i, j, i + 1, j + 1) for j in range(4) for i in range(4)] + [box(10, 10, 11, 11)]
    codes = [f"r{i:02d}" for i in range(17)]
    regions = gpd.GeoDataFrame({"code": codes}, geometry=geoms, crs="EPSG:3857")
    regions.to_file(d / "regions.gpkg", layer="regions", engine="pyogrio")
    regions.iloc[:3].to_file(d / "regions.gpkg", layer="other", engine="pyogrio")
    table = pd.DataFrame({"code": codes, "v": np.random.default_rng(3).normal(size=17).round(3)})
    table.to_csv(d / "t.csv", index=False)
    with pd.ExcelWriter(d / "t.xlsx") as xl:
        table.to_excel(xl, sheet_name="y2020", index=False)
        table.to_excel(xl, sheet_name="y2021", index=False)
    return d


# --------------------------------------------------------------------------- 1. --out may not hold what the run did not write
@pytest.mark.parametrize("where", [".", ""])
def test_out_is_the_working_folder(project, monkeypatch, where):
    """`run analysis.toml --out . --overwrite` (and `--out ""`) deleted the config and the inputs: refused, nothing touched."""
    monkeypatch.chdir(project)
    before = snapshot(project.parent)
    result = cli("run", "analysis.toml", "--out", where, "--overwrite", "--quiet", code=1)
    assert "refusing --out" in result.output and "the working folder" in result.output
    assert "analysis.toml" in result.output and "notes.txt" in result.output  # what would have been lost
    assert "an empty --out, or '.', means the working folder" in result.output
    assert f"--out {project / 'results'}" in result.output  # what to do instead
    assert snapshot(project.parent) == before


def test_out_is_the_config_folder_or_an_ancestor(project, tmp_path, monkeypatch):
    """`--out <the config's folder>` and `--out <an ancestor>` (a sibling project went too): refused, named."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    before = snapshot(tmp_path)
    result = cli("run", project / "analysis.toml", "--out", project, "--overwrite", "--quiet", code=1)
    assert "the input t.csv and the input analysis.toml" in result.output
    result = cli("run", project / "analysis.toml", "--out", tmp_path, "--overwrite", "--quiet", code=1)
    assert "the working folder" in result.output and "the input t.csv" in result.output
    assert "project/analysis.toml" in result.output and "elsewhere" in result.output
    assert snapshot(tmp_path) == before


def test_out_is_home_or_root(project, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    with pytest.raises(sc.InputError, match="it is or contains your home folder"):
        pipeline.run(pipeline.load_config(project / "analysis.toml"), home, overwrite=True, quiet=True)
    with pytest.raises(sc.InputError, match="it is or contains the file system root"):
        outdir.check_target(tmp_path.anchor, overwrite=True)  # the check alone: nothing is written


def test_out_inside_an_input_folder(tmp_path):
    """A folder input (a FileGDB, a folder of shapefiles) is only read: no output inside it."""
    gdb = tmp_path / "regions.gdb"
    gdb.mkdir()
    with pytest.raises(sc.InputError, match="it is inside the input regions.gdb"):
        with outdir.staged_folder(gdb / "out", overwrite=False, protect=[gdb]):
            pass


def test_overwrite_replaces_only_a_folder_spatialcluster_wrote(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.docx").write_text("two years of work")
    with pytest.raises(sc.InputError) as info:
        with outdir.staged_folder(out, overwrite=True):
            pass
    msg = str(info.value)
    assert "--overwrite replaces only a folder that spatialcluster wrote" in msg and "thesis.docx" in msg
    assert "Nothing was changed" in msg and (out / "thesis.docx").read_text() == "two years of work"
    # a folder it wrote, to which the user then added or changed files: refused, naming them
    (out / "thesis.docx").unlink()
    out.rmdir()
    with outdir.staged_folder(out, overwrite=False) as tmp:
        (tmp / "tables").mkdir()
        (tmp / "tables" / "moran.csv").write_text("I\n0.1\n")
    (out / "tables" / "moran.csv").write_text("I\n0.1 checked by hand\n")
    (out / "my_figure.png").write_bytes(b"png")
    with pytest.raises(sc.InputError, match=r"did not write: my_figure.png \(added\), tables/moran.csv \(changed\)"):
        with outdir.staged_folder(out, overwrite=True):
            pass
    assert (out / "my_figure.png").exists()


# --------------------------------------------------------------------------- 3. two runs at once
def test_second_run_into_the_same_out_fails_naming_the_first(tmp_path):
    out = tmp_path / "new"
    with outdir.staged_folder(out, overwrite=False) as tmp:
        (tmp / "a.txt").write_text("first")
        with pytest.raises(sc.InputError, match=rf"another spatialcluster run \(pid {os.getpid()}\) is writing"):
            with outdir.staged_folder(out, overwrite=True):
                pass
    assert (out / "a.txt").read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new"]  # the lock file is gone with the run


def test_a_killed_run_does_not_block_the_next(tmp_path):
    """kill -9 during a run: the OS drops its lock; the next run goes ahead (a stale lock file is no lock)."""
    out = tmp_path / "out"
    code = textwrap.dedent(f"""
        import sys, time
        from spatialcluster.pipeline.outdir import staged_folder
        with staged_folder({str(out)!r}, overwrite=False):
            print("locked", flush=True)
            time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(sc.InputError, match=rf"pid {proc.pid}"):
            with outdir.staged_folder(out, overwrite=False):
                pass
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert (tmp_path / ".out.lock").exists()  # left behind by the kill
    with outdir.staged_folder(out, overwrite=False) as tmp:
        (tmp / "a.txt").write_text("after the kill")
    assert (out / "a.txt").exists() and not (tmp_path / ".out.lock").exists()


# --------------------------------------------------------------------------- 4. colliding file names
def test_variables_with_the_same_file_name_keep_their_own_tables(tmp_path):
    """"gdp growth" and "gdp_growth" both sanitise to gdp_growth: both tables are written, with a note."""
    (tmp_path / "a.toml").write_text("""
[inputs]
dataset = "china_provinces"
[variables.derived."gdp growth"]
kind = "ratio"
numerator = "gdp_2020"
denominator = "pop_2020"
[variables.derived.gdp_growth]
kind = "log"
column = "gdp_2020"
[[weights]]
kind = "knn"
k = 4
[statistics]
permutations = 9
local = ["gdp growth", "gdp_growth"]
[outputs]
maps = false
report = false
gpkg = false
""", encoding="utf-8")
    res = pipeline.run(pipeline.load_config(tmp_path / "a.toml"), tmp_path / "out", quiet=True)
    tables = tmp_path / "out" / "tables"
    names = sorted(p.name for p in tables.glob("lisa_gdp_growth*.csv"))[::-1]
    assert len(names) == 2 and names[0] == "lisa_gdp_growth.csv" and names[1].startswith("lisa_gdp_growth-")
    first, second = (pd.read_csv(tables / n) for n in names)
    data = res.data
    assert first["value"].to_numpy() == pytest.approx(data["gdp growth"].to_numpy(), rel=1e-12)
    assert second["value"].to_numpy() == pytest.approx(data["gdp_growth"].to_numpy(), rel=1e-12)
    assert any("have the same file name tables/lisa_gdp_growth" in n["message"] for n in res.manifest["notes"])
    # the same config gives the same names
    again = pipeline.run(pipeline.load_config(tmp_path / "a.toml"), tmp_path / "out2", quiet=True)
    assert sorted(again.files) == sorted(res.files)


# --------------------------------------------------------------------------- 5./6. symbolic links, umask
def test_symlinked_out_stays_a_link(tmp_path):
    scratch = tmp_path / "scratch" / "results"
    scratch.parent.mkdir()
    link = tmp_path / "out"
    link.symlink_to(scratch, target_is_directory=True)
    for text in ("first", "second"):
        with outdir.staged_folder(link, overwrite=True) as tmp:
            assert tmp.parent == scratch.parent  # built on the scratch disk, renamed there
            (tmp / "a.txt").write_text(text)
        assert link.is_symlink() and (scratch / "a.txt").read_text() == text
    assert sorted(p.name for p in scratch.parent.iterdir()) == ["results"]


@pytest.mark.parametrize("mask", [0o022, 0o027])
def test_outputs_follow_the_umask(tmp_path, mask):
    old = os.umask(mask)
    try:
        with outdir.staged_folder(tmp_path / "out", overwrite=False) as tmp:
            outdir.atomic_write_text(tmp / "a.txt", "x")
            (tmp / "maps").mkdir()
    finally:
        os.umask(old)
    out = tmp_path / "out"
    assert out.stat().st_mode & 0o777 == 0o777 & ~mask
    assert (out / "a.txt").stat().st_mode & 0o777 == 0o666 & ~mask
    assert (out / outdir.MARKER).stat().st_mode & 0o777 == 0o666 & ~mask


# --------------------------------------------------------------------------- 2. GeoPackages: only our own layers
def _user_gpkg(path):
    """A user's GeoPackage: a layer 'roads' with a QGIS style row of its own."""
    roads = gpd.GeoDataFrame({"name": ["A1"]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:3857")
    roads.to_file(path, layer="roads", engine="pyogrio")
    style = pd.DataFrame({"f_table_catalog": [""], "f_table_schema": [""], "f_table_name": ["roads"],
                          "f_geometry_column": ["geom"], "styleName": ["mine"], "styleQML": ["<qgis/>"],
                          "styleSLD": [""], "useAsDefault": [True], "description": ["my style"], "owner": [""],
                          "ui": [""], "update_time": [pd.Timestamp("2026-01-01", tz="UTC")]})
    pyogrio.write_dataframe(style, path, layer="layer_styles", driver="GPKG", layer_options={"FID": "id"})


def _styles(path):
    with sqlite3.connect(path) as con:
        return sorted(con.execute("SELECT f_table_name, styleName FROM layer_styles").fetchall())


def test_to_geopackage_keeps_the_other_layers(tmp_path):
    path = tmp_path / "mine.gpkg"
    _user_gpkg(path)
    regions = gpd.GeoDataFrame({"v": [1.0, 2.0]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:3857",
                               index=pd.Index(["a", "b"], name="code"))
    sc.to_geopackage(path, {"regions": regions}, overwrite=True)
    sc.to_geopackage(path, {"regions": regions.assign(v=[3.0, 4.0])}, overwrite=True)  # ours: replaced
    assert sorted(n for n, _ in pyogrio.list_layers(path)) == ["layer_styles", "regions", "roads"]
    assert pyogrio.read_dataframe(path, layer="regions")["v"].tolist() == [3.0, 4.0]
    assert _styles(path) == [("regions", "regions"), ("roads", "mine")]
    with pytest.raises(sc.InputError, match="already has layer\\(s\\) 'regions'; pass overwrite=True"):
        sc.to_geopackage(path, {"regions": regions}, overwrite=False)
    with pytest.raises(sc.InputError, match="already has layer\\(s\\) 'roads' that spatialcluster did not write"):
        sc.to_geopackage(path, {"Roads": regions}, overwrite=True)
    (tmp_path / "notes.gpkg").write_text("not a geopackage")
    with pytest.raises(sc.InputError, match="is not a GeoPackage"):
        sc.to_geopackage(tmp_path / "notes.gpkg", {"regions": regions})
    assert (tmp_path / "notes.gpkg").read_text() == "not a geopackage"


def test_gpkg_option_adds_its_layer_and_never_writes_an_input(grid, tmp_path):
    target = tmp_path / "mine.gpkg"
    _user_gpkg(target)
    args = ["lisa", grid / "regions.gpkg", grid / "t.csv", "--on", "code", "--id", "code", "--layer", "regions",
            "--islands", "nearest", "--permutations", "9", "--column", "v", "--quiet"]
    cli(*args, "--gpkg", target, code=0)
    cli(*args, "--gpkg", target, code=0)  # again: replaces its own layer
    assert sorted(n for n, _ in pyogrio.list_layers(target)) == ["layer_styles", "lisa_v", "roads"]
    assert _styles(target) == [("lisa_v", "lisa_v"), ("roads", "mine")]
    before = (grid / "regions.gpkg").read_bytes()
    result = cli(*args, "--gpkg", grid / "regions.gpkg", code=1)
    assert "is an input of this command; it is only read" in result.output and "regions_results.gpkg" in result.output
    assert (grid / "regions.gpkg").read_bytes() == before


# --------------------------------------------------------------------------- 7. islands = "drop" in the pipeline
def test_islands_drop_runs_and_names_the_dropped_regions(tmp_path):
    (tmp_path / "a.toml").write_text("""
[inputs]
dataset = "china_provinces"
[[weights]]
kind = "queen"
islands = "drop"
[[weights]]
name = "knn4"
kind = "knn"
k = 4
[statistics]
permutations = 9
global = ["urban_rate_2011_yearend"]
local = ["urban_rate_2011_yearend"]
[outputs]
maps = false
report = false
""", encoding="utf-8")
    res = pipeline.run(pipeline.load_config(tmp_path / "a.toml"), tmp_path / "out", quiet=True)
    assert res.manifest["dropped_islands"] == {"460000": "460000 (海南省 / Hainan)"}
    assert any('islands = "drop": 460000 (海南省 / Hainan) left out' in n["message"] for n in res.manifest["notes"])
    lisa = pd.read_csv(tmp_path / "out" / "tables" / "lisa_urban_rate_2011_yearend.csv", dtype={"code": str})
    assert len(lisa) == 30 and "460000" not in set(lisa["code"])
    assert len(pyogrio.read_dataframe(tmp_path / "out" / "results.gpkg", layer="regions")) == 30
    mask = outdir.umask()  # what the run wrote has the modes of any new file, not mkdtemp's 0700 / mkstemp's 0600
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o777 & ~mask
    for name in ("manifest.json", "tables/moran.csv", "results.gpkg"):
        assert (tmp_path / "out" / name).stat().st_mode & 0o777 == 0o666 & ~mask, name
    # every weights specification covers the same 30 regions: Moran's I under knn4 is that of the 30
    moran = pd.read_csv(tmp_path / "out" / "tables" / "moran.csv").set_index("weights")
    data = sc.datasets.china_provinces().drop(index="460000")
    expected = sc.moran(data, "urban_rate_2011_yearend", sc.build_weights(data, kind="knn", k=4), permutations=1).I
    assert moran.loc["knn4", "I"] == pytest.approx(expected, rel=1e-12)


def test_islands_drop_in_a_one_off_command(grid):
    result = cli("moran", grid / "regions.gpkg", grid / "t.csv", "--on", "code", "--id", "code", "--layer", "regions",
                 "--islands", "drop", "--permutations", "9", "--column", "v", code=0)
    assert "r16" in result.output  # the dropped island is named


# --------------------------------------------------------------------------- 8.-10. the command line's own terms
def test_errors_speak_command_line_options(grid):
    base = [grid / "regions.gpkg", grid / "t.csv", "--on", "code", "--id", "code", "--permutations", "9", "--column", "v"]
    out = cli("lisa", *base, "--layer", "regions", code=1).output
    assert "--islands nearest" in out and "--islands drop" in out and "--weights knn" in out
    assert "islands=" not in out and "kind=" not in out and "w.unique_ids" not in out
    out = cli("lisa", *base, "--islands", "nearest", code=1).output  # two layers, none chosen
    assert "choose one with --layer <name>" in out and "layer=" not in out


def test_config_errors_speak_config_keys(grid, tmp_path):
    (tmp_path / "a.toml").write_text(f"""
[inputs]
regions = "{(grid / 'regions.gpkg').as_posix()}"
layer = "regions"
id = "code"
[[weights]]
kind = "queen"
[outputs]
maps = false
report = false
""", encoding="utf-8")
    out = cli("run", tmp_path / "a.toml", "--out", tmp_path / "out", "--quiet", code=1).output
    assert 'islands = "nearest"' in out and 'kind = "knn"' in out and "islands='" not in out


def test_one_off_reader_options(grid, tmp_path):
    base = [grid / "regions.gpkg", grid / "t.xlsx", "--on", "code", "--id", "code", "--layer", "regions",
            "--islands", "nearest", "--permutations", "9", "--column", "v", "--quiet"]
    out = cli("moran", *base, code=1).output
    assert "choose one with --sheet <name>" in out and "sheet=" not in out
    assert cli("moran", *base, "--sheet", "y2021", code=0).output
    assert cli("moran", *base, "--sheet", "1", code=0).output  # a sheet by number
    (tmp_path / "t.csv").write_bytes((grid / "t.csv").read_text().replace("code", "cod\xe9").encode("latin-1"))
    out = cli("moran", grid / "regions.gpkg", tmp_path / "t.csv", "--on", "cod\xe9", "--id", "code", "--layer", "regions",
              "--islands", "nearest", "--permutations", "9", "--column", "v", "--encoding", "latin-1", code=0).output
    assert "Moran" in out


@pytest.mark.parametrize("command", ["moran", "lisa", "hotspots"])
def test_permutations_out_of_range_name_the_option(grid, command):
    out = flat(cli(command, grid / "regions.gpkg", grid / "t.csv", "--on", "code", "--column", "v",
                   "--permutations", "100000000000000", code=2).output)
    assert "Invalid value for '--permutations'" in out and "1000000" in out and "probably a bug" not in out


@pytest.mark.parametrize("option,value", [("--seed", "-1"), ("--k", "0"), ("--alpha", "1.5"), ("--threshold", "-5")])
def test_option_ranges_are_checked_up_front(grid, option, value):
    """A negative seed reached numpy's ValueError ("probably a bug"); the ranges are now the options' own."""
    out = flat(cli("lisa", grid / "regions.gpkg", grid / "t.csv", "--on", "code", "--column", "v", option, value,
                   code=2).output)
    assert f"Invalid value for '{option}'" in out and "probably a bug" not in out


def test_run_permutations_out_of_range(project):
    out = flat(cli("run", project / "analysis.toml", "--out", project / "out", "--permutations", "0", code=2).output)
    assert "Invalid value for '--permutations'" in out and "probably a bug" not in out
    assert not (project / "out").exists()


def test_memory_error_is_not_called_a_bug(grid, monkeypatch):
    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(sc, "moran", exhausted)
    out = cli("moran", grid / "regions.gpkg", grid / "t.csv", "--on", "code", "--id", "code", "--layer", "regions",
              "--islands", "nearest", "--column", "v", code=1).output
    assert "not enough memory" in out and "lower --permutations" in out and "probably a bug" not in out


def test_marker_lists_what_the_run_wrote(tmp_path):
    with outdir.staged_folder(tmp_path / "out", overwrite=False) as tmp:
        (tmp / "a.txt").write_text("abc")
    mark = json.loads((tmp_path / "out" / outdir.MARKER).read_text())
    assert mark == {"written_by": "spatialcluster", "files": {"a.txt": 3}}
