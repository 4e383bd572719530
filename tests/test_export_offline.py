"""Nothing loads from the internet: the HTML report and the built documentation work offline."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import spatialcluster as sc
from spatialcluster.export._offline import remote_assets

DOCS_BUILD = Path(__file__).resolve().parents[1] / "docs" / "_build" / "html"


def test_remote_assets_finds_what_a_page_would_load():
    cdn = '<script defer src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>'
    assert remote_assets(cdn) == ["https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"]
    assert remote_assets('<link rel="stylesheet" href="//fonts.example.org/css?f=Lato">') == ["//fonts.example.org/css?f=Lato"]
    assert remote_assets("@font-face { src: url('https://example.org/f.woff2') }") == ["https://example.org/f.woff2"]
    local = '<script defer src="_static/mathjax/tex-chtml.js"></script><a href="https://doi.org/10.1111/j.1538-4632">x</a>'
    assert remote_assets(local) == []  # local scripts and links to read are fine


def test_report_loads_nothing_from_the_internet(tmp_path):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.set_title("城镇化率")
    table = pd.DataFrame({"I": [0.4]}, index=pd.Index(["urban_rate"], name="variable"))
    out = sc.write_report(tmp_path / "r.html", title="t", sections=[{"title": "s", "tables": [table], "images": [fig]}])
    plt.close(fig)
    html = out.read_text(encoding="utf-8")
    assert remote_assets(html) == []
    assert "<script" not in html  # no MathJax or other script needed


@pytest.mark.skipif(not DOCS_BUILD.exists(), reason="docs not built (make docs); docs/conf.py runs the same check")
def test_built_docs_load_nothing_from_the_internet():
    pages = [*DOCS_BUILD.rglob("*.html"), *DOCS_BUILD.rglob("*.css")]
    bad = {str(p): remote_assets(p.read_text(encoding="utf-8", errors="replace")) for p in pages}
    assert not {k: v for k, v in bad.items() if v}
    assert (DOCS_BUILD / "_static" / "mathjax" / "tex-chtml.js").exists()  # maths renders from the shipped MathJax
