"""Region labels that stay readable: a white halo, and no two labels overlapping.

Small neighbouring regions (Beijing and Tianjin inside Hebei, Shanghai, Hong Kong and Macao)
would put their names on top of each other. Labels are placed largest region first at the
region's pole of inaccessibility (the interior point farthest from the boundary, Garcia-Castellanos
and Lombardo 2007, via :func:`shapely.ops.polylabel`), which keeps a label inside its region
better than the representative point; a label that would overlap one already placed moves out
along a ring of offsets and gets a leader line to its region, and one that finds no free place
is left out (with a warning) rather than printed over another.
"""

from __future__ import annotations

import warnings

import numpy as np
from matplotlib import patheffects
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from shapely.ops import polylabel

from .._errors import SpatialClusterWarning
from ._save import renderer_of

HALO = (patheffects.withStroke(linewidth=2.2, foreground="white"),)
# Offsets tried for a label that overlaps another: rings of radius (points) x 8 directions,
# east and north-east first since the sea lies east of China's crowded coast.
RADII = (10, 16, 24, 34, 46, 60, 76)
ANGLES = np.deg2rad([0, 45, -45, 90, -90, 135, -135, 180])


def anchor(geom):
    """Pole of inaccessibility of the largest polygon of ``geom``."""
    parts = getattr(geom, "geoms", [geom])
    poly = max(parts, key=lambda g: g.area)
    if poly.geom_type != "Polygon":
        return poly.representative_point()
    tolerance = max(np.sqrt(poly.area) / 100.0, 1e-9)
    return polylabel(poly, tolerance=tolerance)


def text_box(ann, renderer) -> Bbox:
    """Extent of an annotation's text alone (Annotation's own extent includes its leader line)."""
    ann.update_positions(renderer)
    return Text.get_window_extent(ann, renderer)


def _free(box: Bbox, placed: list[Bbox], frame: Bbox) -> bool:
    inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
    return inside and not any(box.overlaps(other) for other in placed)


def place_labels(ax, geoms, texts, fontsize=6, color="#252525"):
    """Write ``texts`` on ``geoms`` (in the axes' data coordinates) with halos and without overlaps.

    The legend and inset axes count as placed already, so no label hides under them.

    Returns the list of annotations, each labelled ``region_label``; those moved away from their
    region carry a leader line (an arrow patch without head).
    """
    items = [(g, str(t)) for g, t in zip(geoms, texts, strict=True) if g is not None and not g.is_empty and t]
    items.sort(key=lambda item: -item[0].area)
    renderer = renderer_of(ax.figure)
    frame = ax.get_window_extent(renderer)
    legend = ax.get_legend()
    placed = [a.get_window_extent(renderer) for a in ax.child_axes]
    placed += [legend.get_window_extent(renderer)] if legend is not None else []
    out, skipped = [], []
    for geom, text in items:
        pt = anchor(geom)
        kw = {"ha": "center", "va": "center", "fontsize": fontsize, "color": color, "path_effects": HALO,
              "textcoords": "offset points", "label": "region_label", "zorder": 5}
        ann = ax.annotate(text, (pt.x, pt.y), xytext=(0, 0), **kw)
        box = text_box(ann, renderer)
        if not _free(box, placed, frame):
            ann.remove()
            ann = _moved(ax, text, (pt.x, pt.y), kw, renderer, placed, frame)
            if ann is None:  # no room: leave it out rather than print it over another
                skipped.append(text)
                continue
            box = text_box(ann, renderer)
        placed.append(box)
        out.append(ann)
    if skipped:
        warnings.warn(f"{len(skipped)} of {len(items)} region labels left out, no room without overlapping "
                      f"({', '.join(skipped[:5])}{', ...' if len(skipped) > 5 else ''}); use a larger figure, "
                      "fewer or shorter labels", SpatialClusterWarning, stacklevel=4)
    return out


def _moved(ax, text, xy, kw, renderer, placed, frame):
    """The first offset position where the label is free, drawn with a leader line, or None."""
    for radius in RADII:
        for angle in ANGLES:
            offset = (radius * np.cos(angle), radius * np.sin(angle))
            ha = "left" if offset[0] > 1 else "right" if offset[0] < -1 else "center"
            ann = ax.annotate(text, xy, xytext=offset, **(kw | {"ha": ha}),
                              arrowprops={"arrowstyle": "-", "color": "#636363", "linewidth": 0.5,
                                          "shrinkA": 0, "shrinkB": 0})
            if _free(text_box(ann, renderer), placed, frame):
                return ann
            ann.remove()
    return None
