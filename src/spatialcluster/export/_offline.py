"""Does a page load anything from the internet? The check behind the HTML report and the docs build.

A page that fetches its scripts, stylesheets or fonts from the web breaks without a network:
MathJax from a CDN leaves raw LaTeX on the page. Links the reader may follow are fine.
"""

from __future__ import annotations

import re

# <script src=...>, <link href=...> (stylesheets, preloads, fonts), <img src=...>, <iframe src=...>
# and CSS url() / @import pointing to http(s) or protocol-relative addresses.
_TAG = re.compile(r"""<(script|link|img|iframe|source)\b[^>]*?\b(?:src|href)\s*=\s*["']((?:https?:)?//[^"']+)["']""",
                  re.IGNORECASE)
_CSS = re.compile(r"""(?:url\(|@import\s+)["']?((?:https?:)?//[^"')\s]+)""", re.IGNORECASE)


def remote_assets(text: str) -> list[str]:
    """Web addresses that ``text`` (HTML or CSS) would load when shown: scripts, styles, fonts, images."""
    return [url for _tag, url in _TAG.findall(text)] + _CSS.findall(text)
