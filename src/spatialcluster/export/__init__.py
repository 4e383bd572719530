"""Export: GeoPackages and shapefiles that open styled in QGIS, and a self-contained HTML report."""

from .geopackage import to_geopackage, to_shapefile
from .qml import LayerStyle, layer_style
from .report import write_report

__all__ = ["LayerStyle", "layer_style", "to_geopackage", "to_shapefile", "write_report"]
