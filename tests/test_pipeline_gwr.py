"""The pipeline's GWR step ([models.gwr]): its tables equal sc.gwr's, its layer has the QGIS
coefficient style, its section reaches the report; the config refuses bad values."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest

import spatialcluster as sc
from spatialcluster import pipeline


@pytest.fixture
def project(tmp_path):
    """An 8 x 8 grid (metres) whose y depends on x with a slope that grows eastwards."""
    import geopandas as gpd
    from shapely.geometry import box

    rng = np.random.default_rng(5)
    ids = [f"r{i:02d}" for i in range(64)]
    col = np.arange(64) % 8
    x = rng.normal(size=64)
    y = 1.0 + (0.2 + 0.3 * col) * x + rng.normal(scale=0.3, size=64)
    gpd.GeoDataFrame({"code": ids, "y": y, "x": x},
                     geometry=[box(1000 * (i % 8), 1000 * (i // 8), 1000 * (i % 8 + 1), 1000 * (i // 8 + 1))
                               for i in range(64)], crs="EPSG:3857").to_file(tmp_path / "grid.gpkg", engine="pyogrio")
    return tmp_path


def _run(project, text):
    (project / "a.toml").write_text('inputs = { regions = "grid.gpkg", id = "code" }\n' + text, encoding="utf-8")
    return pipeline.run(pipeline.load_config(project / "a.toml"), project / "out", quiet=True)


def test_gwr_step_tables_layer_and_report(project):
    res = _run(project, '[models.gwr]\ny = "y"\nx = ["x"]\nbandwidth = 30\n[outputs]\nmaps = true\n')
    out = project / "out"
    local = pd.read_csv(out / "tables" / "gwr_local.csv", index_col=0)
    data = sc.read_regions(project / "grid.gpkg", id="code")
    api = sc.gwr(data, y="y", x=["x"], bandwidth=30)
    np.testing.assert_allclose(local[["const", "x"]].to_numpy(), api.params.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(local["se_x"].to_numpy(), api.std_err["x"].to_numpy(), rtol=1e-12)
    assert "tables/gwr_summary.csv" in res.files and any(f.startswith("maps/gwr_map_x") for f in res.files)
    with sqlite3.connect(out / "results.gpkg") as con:
        qml = con.execute("select styleQML from layer_styles where f_table_name = 'gwr'").fetchone()[0]
    assert "&quot;sig_x&quot; AND" in qml or '"sig_x" AND' in qml or "&#34;sig_x&#34; AND" in qml
    assert "Not significant" in qml
    assert "Local coefficients (GWR)" in (out / "report.html").read_text(encoding="utf-8")


def test_mgwr_step_and_config_errors(project):
    _run(project, '[models.gwr]\ny = "y"\nx = ["x"]\nmultiscale = true\n[outputs]\nmaps = false\nreport = false\n')
    summary = pd.read_csv(project / "out" / "tables" / "gwr_summary.csv", index_col=0)
    assert list(summary.index) == ["const", "x"]
    with pytest.raises(sc.ConfigError, match="kernel"):
        pipeline.parse_config('inputs = { regions = "g.gpkg", id = "code" }\n[models.gwr]\ny = "y"\nx = ["x"]\n'
                              'kernel = "tricube"\n', name="a.toml")


def test_gwr_settings_match_the_schema():
    import dataclasses

    from spatialcluster.pipeline import schema, settings

    fields = {f.name for f in dataclasses.fields(settings.GWRModel)}
    assert fields == set(schema.SCHEMA.keys["models"].keys["gwr"].keys)


def test_cli_gwr_prints_and_writes_a_styled_layer(project):
    """`spatialcluster gwr` gives the API's fit and a GeoPackage layer with the coefficient style."""
    from typer.testing import CliRunner

    from spatialcluster.cli import app

    data = sc.read_regions(project / "grid.gpkg", id="code")
    data.drop(columns="geometry").to_csv(project / "table.csv")
    (project / "regions.gpkg").write_bytes((project / "grid.gpkg").read_bytes())
    result = CliRunner().invoke(app, ["gwr", str(project / "regions.gpkg"), str(project / "table.csv"), "--on", "code",
                                      "--id", "code", "--y", "y", "--x", "x", "--bandwidth", "30", "--gpkg",
                                      str(project / "gwr.gpkg"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "GWR: y ~ x" in result.output and "bandwidth 30 neighbours" in result.output
    import geopandas as gpd

    layer = gpd.read_file(project / "gwr.gpkg", layer="gwr")
    api = sc.gwr(data, y="y", x=["x"], bandwidth=30)
    np.testing.assert_allclose(layer.set_index("code").loc[api.params.index, "x"], api.params["x"], rtol=1e-12)
