"""Export: GeoPackages and shapefiles that open styled in QGIS, journal tables, and a self-contained HTML report."""

from .geopackage import to_geopackage, to_shapefile
from .qml import LayerStyle, layer_style
from .report import write_report
from .tables import describe, with_names, write_table

__all__ = ["LayerStyle", "describe", "layer_style", "to_geopackage", "to_shapefile", "with_names", "write_report",
           "write_table"]
