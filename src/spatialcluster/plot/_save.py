"""Writing figures for print: vector PDF and SVG next to a 300 dpi PNG, with no text cut off."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.layout_engine import ConstrainedLayoutEngine

from .._errors import InputError

FORMATS = ("png", "pdf", "svg")
# No creation date (and no software version in the PNG), so the same figure gives the same bytes.
_METADATA = {"pdf": {"CreationDate": None}, "svg": {"Date": None}, "png": {"Software": None}}
DEFAULT_FORMATS = FORMATS
DPI = 300


def check_formats(formats) -> tuple[str, ...]:
    """``formats`` as a tuple of known suffixes (a single string is one format)."""
    formats = (formats,) if isinstance(formats, str) else tuple(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise InputError(f"unknown figure formats {bad or formats}; choose from {list(FORMATS)}")
    return formats


def renderer_of(fig):
    """The figure's renderer (Agg's or, for other canvases, a cached one)."""
    get = getattr(fig.canvas, "get_renderer", None)
    return get() if get is not None else fig._get_renderer()


def fit_titles(fig, share: float = 0.96) -> None:
    """Wrap titles and axis labels longer than ``share`` of the figure (its width; its height
    for y labels) onto several lines.

    A long label from the variable catalogue (e.g. "Moran scatter plot: population growth
    2010-2020 (%)") over a square Moran scatter plot would otherwise run off both edges.
    """
    renderer = renderer_of(fig)
    texts = [(t, "x") for ax in fig.axes for t in (ax.title, ax._left_title, ax._right_title, ax.xaxis.label)]
    texts += [(ax.yaxis.label, "y") for ax in fig.axes]
    if getattr(fig, "_suptitle", None) is not None:
        texts.append((fig._suptitle, "x"))
    for text, along in texts:
        content = " ".join(text.get_text().split("\n"))
        if not content or not text.get_visible():
            continue
        text.set_text(content)  # measure it on one line
        box = text.get_window_extent(renderer)
        size, room = (box.width, fig.bbox.width) if along == "x" else (box.height, fig.bbox.height)
        if size <= share * room:
            continue
        # Characters per line in proportion to the room (CJK text has no spaces: break_long_words
        # splits it anywhere).
        chars = max(8, int(len(content) * 0.96 * share * room / size))
        text.set_text("\n".join(textwrap.wrap(content, chars, break_long_words=True)))


def texts_outside(fig) -> list[str]:
    """What of the figure's text leaves it: the titles of axes whose drawn extent (tick labels,
    titles, legends, annotations) crosses the figure's edge, and figure texts that do."""
    fig.draw_without_rendering()  # legend and tick positions are settled at draw time
    renderer = renderer_of(fig)
    frame = fig.bbox

    def outside(box):
        return box.x0 < frame.x0 - 0.5 or box.x1 > frame.x1 + 0.5 or box.y0 < frame.y0 - 0.5 or box.y1 > frame.y1 + 0.5

    out = [ax.get_title() or ax.get_label() or "axes" for ax in fig.axes
           if ax.get_visible() and outside(ax.get_tightbbox(renderer))]
    out += [t.get_text() for t in fig.texts if t.get_visible() and t.get_text() and outside(t.get_window_extent(renderer))]
    return out


def save_figure(fig_or_ax, path, formats=DEFAULT_FORMATS, dpi=DPI, close=False) -> list[Path]:
    """Write a figure in several formats: vector PDF and SVG, PNG at ``dpi`` (300 by default).

    Titles and axis labels longer than the figure are wrapped first, a figure with text still
    outside it (and no constrained layout) gets :meth:`~matplotlib.figure.Figure.tight_layout`,
    and the saved area is the figure's tight bounding box, so no title, label or legend is cut off.

    Parameters
    ----------
    fig_or_ax : matplotlib Figure or Axes
    path : str or Path
        Output path; its suffix is replaced by each format's (``out/lisa.png`` writes
        ``out/lisa.png``, ``out/lisa.pdf``, ``out/lisa.svg``).
    formats : str or sequence of {"png", "pdf", "svg"}
    dpi : int
        Resolution of the PNG (the vector formats do not depend on it).
    close : bool
        Close the figure afterwards (frees memory when writing many figures).

    Returns
    -------
    list of Path
        The files written, in the order of ``formats``.
    """
    fig = fig_or_ax.figure if isinstance(fig_or_ax, Axes) else fig_or_ax
    formats = check_formats(formats)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Wrap, make room (tight_layout moves the axes, so a label centred on them may still stick
    # out), and wrap narrower until everything is inside.
    # Constrained layout makes room itself; tight_layout run before leaves only a placeholder.
    own_layout = isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    for share in (0.96, 0.8, 0.65):
        fit_titles(fig, share)
        if not texts_outside(fig) or own_layout:
            break
        fig.tight_layout()
        if not texts_outside(fig):
            break
    written = []
    for fmt in formats:
        target = path.with_suffix(f".{fmt}")
        # A fixed salt makes the SVG's element ids, otherwise random, the same on every run.
        with mpl.rc_context({"svg.hashsalt": "spatialcluster"}):
            fig.savefig(target, format=fmt, dpi=dpi, bbox_inches="tight", pad_inches=0.05,
                        metadata=_METADATA[fmt])
        written.append(target)
    if close:
        import matplotlib.pyplot as plt

        plt.close(fig)
    return written
