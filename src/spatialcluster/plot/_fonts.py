"""A CJK font as matplotlib's fallback, so Chinese region names and titles render as glyphs.

Every figure spatialcluster draws starts with :func:`new_axes`, which sets the fallback up
first: a text takes its font list when it is created, so setting it up later (or only when
the maps module is imported) leaves the first chart of a session with empty boxes.

matplotlib's default DejaVu Sans has no CJK glyphs; since matplotlib 3.6 every family listed in
``rcParams["font.family"]`` is a per-glyph fallback, so appending one CJK family keeps Latin text
in the user's font and draws Chinese characters from the CJK font.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

from .._errors import SpatialClusterWarning

# Preferred families, simplified Chinese first. The Noto / Source Han families are the ones
# Debian's fonts-noto-cjk and most Linux distributions ship; the rest are macOS / Windows fonts.
PREFERRED = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "Noto Sans CJK JP",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "Microsoft YaHei",
    "SimHei",
    "Noto Serif CJK SC",
    "AR PL UMing CN",
)
# File-name fragments of CJK fonts installed after matplotlib built its font cache.
_FILE_HINTS = ("notosanscjk", "sourcehansans", "notosanssc", "wqy", "wenquanyi", "simhei", "msyh", "pingfang")

_state: dict = {"family": None, "warned": False}


def _find_family() -> str | None:
    names = {f.name for f in font_manager.fontManager.ttflist}
    for family in PREFERRED:
        if family in names:
            return family
    # Installed after matplotlib's font cache was written: register the files now.
    added = False
    for path in font_manager.findSystemFonts():
        if any(h in Path(path).name.lower().replace("-", "").replace("_", "") for h in _FILE_HINTS):
            try:
                font_manager.fontManager.addfont(path)
                added = True
            except (OSError, RuntimeError):  # unreadable font file: try the others
                continue
    if added:
        names = {f.name for f in font_manager.fontManager.ttflist}
        for family in PREFERRED:
            if family in names:
                return family
        cjk = sorted(n for n in names if "CJK" in n)
        if cjk:
            return cjk[0]
    return None


def cjk_family() -> str | None:
    """Name of the CJK font family used as fallback, or None (with a warning, once) when none is installed."""
    if _state["family"] is None:
        _state["family"] = _find_family() or ""
    if not _state["family"]:
        if not _state["warned"]:
            _state["warned"] = True
            warnings.warn(
                "no CJK font found: Chinese labels will render as empty boxes. Install one "
                "(Debian/Ubuntu: `sudo apt-get install fonts-noto-cjk`; macOS and Windows ship one) "
                "and remove matplotlib's font cache (~/.cache/matplotlib) if it was installed just now.",
                SpatialClusterWarning,
                stacklevel=3,
            )
        return None
    return _state["family"]


def use_cjk_font() -> str | None:
    """Append an installed CJK family to ``rcParams["font.family"]`` as per-glyph fallback.

    Idempotent; warns once (:class:`~spatialcluster.SpatialClusterWarning`) when no CJK font
    is installed.

    Returns
    -------
    str or None
        The CJK family name, or None when there is none.
    """
    family = cjk_family()
    if family is None:
        return None
    current = mpl.rcParams["font.family"]
    current = [current] if isinstance(current, str) else list(current)
    if family not in current:
        mpl.rcParams["font.family"] = [*current, family]
    return family


def new_axes(ax=None, figsize=(7, 6)):
    """``ax``, or the axes of a new figure, with the CJK fallback font in place.

    Texts made with a figure's axes before the fallback was set (titles, axis labels) get it too.
    """
    family = use_cjk_font()
    if ax is not None and family is not None:
        for a in ax.figure.axes:
            for text in (a.title, a._left_title, a._right_title, a.xaxis.label, a.yaxis.label):
                text.set_fontfamily(mpl.rcParams["font.family"])
    if ax is None:
        import matplotlib.pyplot as plt  # on first use: importing the package must not pick a backend

        _, ax = plt.subplots(figsize=figsize)
    return ax
