"""The HTML report: parses, embeds its images, shows tables, escapes text, is written atomically."""

from __future__ import annotations

import base64
import io
from html.parser import HTMLParser

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from PIL import Image

import spatialcluster as sc
from spatialcluster import InputError


class Collector(HTMLParser):
    """Collects tags, image sources, table captions, headings and the text of <pre> blocks."""

    VOID = {"meta", "img", "br", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.images, self.captions, self.h2, self.pre, self.cells = [], [], [], [], [], []
        self.balanced = True

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.balanced = False

    def handle_data(self, data):
        where = self.stack[-1] if self.stack else None
        {"caption": self.captions, "h2": self.h2, "pre": self.pre, "td": self.cells, "th": self.cells}.get(
            where, []
        ).append(data)


@pytest.fixture
def png(tmp_path):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, 1])
    path = tmp_path / "map.png"
    fig.savefig(path, dpi=40)
    plt.close(fig)
    return path


def parse(path) -> Collector:
    p = Collector()
    p.feed(path.read_text(encoding="utf-8"))
    p.close()
    return p


def test_report_is_self_contained(tmp_path, png):
    moran = pd.DataFrame({"I": [0.412345678], "p_sim": [0.001]}, index=pd.Index(["urban_rate"], name="variable"))
    fig, ax = plt.subplots(figsize=(2, 2))
    sections = [
        {"title": "Data", "text": "Provinces of China.\n\nSecond paragraph.\nAnselin, L. (1995)."},
        {
            "title": "Global autocorrelation",
            "tables": [("Moran's I", moran), pd.DataFrame({"a": [1, 2]})],
            "images": [("Moran scatter plot", png), fig],
            "log": "LM-lag 12.3\nLM-error 4.5 <robust>",
        },
        {"title": "Clusters", "tables": {"Counts": pd.DataFrame({"regions": [3, 28]}, index=["HH", "ns"])},
         "images": {"LISA map": png}},
    ]
    meta = {"software": {"spatialcluster": "0.1", "esda": "2.6"}, "seed": 12345, "inputs": ["a.csv", "b.shp"]}
    out = sc.write_report(tmp_path / "report.html", title="Urbanisation 城镇化", sections=sections, meta=meta)
    plt.close(fig)
    doc = parse(out)
    assert doc.balanced
    assert doc.h2 == ["Contents", "Data", "Global autocorrelation", "Clusters", "Run information"]
    assert len(doc.images) == 3
    for img in doc.images:
        head, data = img["src"].split(",", 1)
        assert head == "data:image/png;base64"
        Image.open(io.BytesIO(base64.b64decode(data))).verify()  # a complete PNG
    assert base64.b64decode(doc.images[0]["src"].split(",", 1)[1]) == png.read_bytes()
    assert doc.images[0]["alt"] == "Moran scatter plot"
    assert doc.captions == ["Moran's I", "Counts"]
    assert "0.4123" in doc.cells and "urban_rate" in doc.cells
    assert "12345" in doc.cells and "spatialcluster = 0.1; esda = 2.6" in doc.cells and "a.csv, b.shp" in doc.cells
    assert doc.pre == ["LM-lag 12.3\nLM-error 4.5 <robust>"]  # escaped in the file, intact once parsed
    html = out.read_text(encoding="utf-8")
    assert "<title>Urbanisation 城镇化</title>" in html
    assert "<p>Provinces of China.</p>\n<p>Second paragraph.<br>Anselin, L. (1995).</p>" in html
    assert "src=\"http" not in html and "href=\"http" not in html  # nothing external
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.png", "report.html"]


def test_report_escapes_text(tmp_path):
    out = sc.write_report(tmp_path / "r.html", title="<b>t</b>", sections=[
        {"title": "<script>alert(1)</script>", "text": "a < b & c", "tables": [pd.DataFrame({"<x>": ["<y>"]})]},
    ])
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "a &lt; b &amp; c" in html and "&lt;y&gt;" in html and "<b>t</b>" not in html


def test_report_bad_input(tmp_path, png):
    with pytest.raises(InputError, match="unknown keys \\['tabels'\\]"):
        sc.write_report(tmp_path / "r.html", title="t", sections=[{"title": "x", "tabels": []}])
    with pytest.raises(InputError, match="must be a dict with at least a 'title'"):
        sc.write_report(tmp_path / "r.html", title="t", sections=[{"text": "x"}])
    with pytest.raises(InputError, match="does not exist"):
        sc.write_report(tmp_path / "r.html", title="t", sections=[{"title": "x", "images": [tmp_path / "no.png"]}])
    with pytest.raises(InputError, match="unsupported type '.pdf'"):
        sc.write_report(tmp_path / "r.html", title="t", sections=[{"title": "x", "images": [tmp_path / "a.pdf"]}])
    with pytest.raises(InputError, match="must be DataFrames"):
        sc.write_report(tmp_path / "r.html", title="t", sections=[{"title": "x", "tables": [[1, 2]]}])
    assert not (tmp_path / "r.html").exists()
