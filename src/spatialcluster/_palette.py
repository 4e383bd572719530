"""Colours shared by the matplotlib maps and the QGIS styles, so both look the same."""

# GeoDa's LISA cluster colours.
LISA_COLORS = {
    "HH": "#e31a1c",
    "LL": "#1f78b4",
    "HL": "#fb9a99",
    "LH": "#a6cee3",
    "ns": "#d9d9d9",
    "island": "#ffffff",
}

# Gi* bins -3..3: cold spots blue, hot spots red (ArcGIS convention).
HOTSPOT_COLORS = {
    -3: "#4575b4",
    -2: "#91bfdb",
    -1: "#e0f3f8",
    0: "#f0f0f0",
    1: "#fee090",
    2: "#fc8d59",
    3: "#d73027",
}

# GeoDa's local Geary cluster colours (Anselin 2019).
GEARY_COLORS = {
    "High-High": "#b2182b",
    "Low-Low": "#ef8a62",
    "Other positive": "#fddbc7",
    "Positive": "#d6604d",
    "Negative": "#67adc7",
    "ns": "#d9d9d9",
    "island": "#ffffff",
}

MISSING_COLOR = "#ffffff"
SEQUENTIAL_CMAP = "YlOrRd"
DIVERGING_CMAP = "RdBu_r"
