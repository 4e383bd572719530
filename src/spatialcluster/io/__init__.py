"""Reading regions and tables, and joining them.

* :func:`read_regions`: shapefiles (also zipped), GeoPackages, GeoJSON -> GeoDataFrame indexed by string ids;
* :func:`read_table`: CSV, Excel, the data.stats.gov.cn export -> DataFrame with numbers parsed;
* :func:`join`: both, matched on normalised keys (:func:`normalize_region_key`), never losing a region silently;
* :func:`handle_missing`: gaps in a table -> an error naming them, or whole regions or periods dropped;
* :func:`prefecture_changes`: prefecture codes abolished since 2011 (``join(recode="latest")`` maps them).
"""

from .crosswalk import prefecture_changes
from .join import join, region_key
from .missing import MissingReport, handle_missing
from .names import PROVINCES, normalize_region_key
from .partitioned import read_partitioned
from .regions import read_regions
from .tables import PLACEHOLDERS, parse_number, read_table

__all__ = [
    "PLACEHOLDERS",
    "PROVINCES",
    "MissingReport",
    "handle_missing",
    "join",
    "normalize_region_key",
    "parse_number",
    "prefecture_changes",
    "read_partitioned",
    "read_regions",
    "read_table",
    "region_key",
]
