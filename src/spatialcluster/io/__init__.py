"""Reading regions and tables, and joining them.

* :func:`read_regions`: shapefiles (also zipped), GeoPackages, GeoJSON -> GeoDataFrame indexed by string ids;
* :func:`read_table`: CSV, Excel, the data.stats.gov.cn export -> DataFrame with numbers parsed;
* :func:`join`: both, matched on normalised keys (:func:`normalize_region_key`), never losing a region silently.
"""

from .join import join, region_key
from .names import PROVINCES, normalize_region_key
from .partitioned import read_partitioned
from .regions import read_regions
from .tables import PLACEHOLDERS, parse_number, read_table

__all__ = [
    "PLACEHOLDERS",
    "PROVINCES",
    "join",
    "normalize_region_key",
    "parse_number",
    "read_partitioned",
    "read_regions",
    "read_table",
    "region_key",
]
