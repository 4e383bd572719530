"""Figures a journal accepts: glyphs, the standard China map's layers, labels, titles, formats, language.

Image tests look at what is drawn: every character of every text has a glyph in the fonts the
text resolves to; Taiwan, Hong Kong, Macao and the boundary line are present; text bounding
boxes stay inside the figure and region labels do not overlap.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import textwrap

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.collections import LineCollection
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text
from PIL import Image
from shapely.geometry import box

import spatialcluster as sc
from spatialcluster.plot._china import boundary_line, is_national
from spatialcluster.plot._placement import text_box
from spatialcluster.plot._save import texts_outside


def missing_glyphs(fig) -> list[tuple[str, str]]:
    """(text, character) pairs for which no font in the text's font list has a glyph."""
    out = []
    for text in fig.findobj(Text):
        content = text.get_text()
        if not content.strip():
            continue
        fonts = [FT2Font(str(f)) for f in font_manager.fontManager._find_fonts_by_props(text.get_fontproperties())]
        out += [(content, ch) for ch in set(content) if ch.strip() and not any(f.get_char_index(ord(ch)) for f in fonts)]
    return out


@pytest.fixture(scope="module")
def prov():
    return sc.datasets.china_provinces()


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_first_figure_of_a_session_renders_chinese(tmp_path):
    """``moran_by_year(...).plot()`` as the first figure in a new interpreter (it showed boxes)."""
    script = textwrap.dedent(f"""
        import matplotlib; matplotlib.use("Agg")
        import numpy as np, pandas as pd, geopandas as gpd
        from shapely.geometry import box
        import spatialcluster as sc
        g = gpd.GeoDataFrame(index=pd.Index([f"r{{i}}" for i in range(16)], name="code"),
                             geometry=[box(i % 4, i // 4, i % 4 + 1, i // 4 + 1) for i in range(16)], crs=3857)
        w = sc.build_weights(g, kind="queen")
        rng = np.random.default_rng(0)
        panel = pd.DataFrame([(c, y, rng.normal()) for y in (2010, 2011) for c in g.index],
                             columns=["code", "year", "城镇化率"])
        ax = sc.moran_by_year(panel, "城镇化率", w, permutations=9, seed=1).plot()
        ax.figure.savefig(r"{tmp_path / 'first.png'}")
        print(ax.get_title())
    """)
    proc = subprocess.run([sys.executable, "-W", "error::UserWarning", "-c", script], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]  # a missing glyph is a UserWarning, here an error
    assert "城镇化率" in proc.stdout


def test_every_map_in_chinese_has_its_glyphs(prov):
    data = prov.assign(cluster="ns", bin=0, p_sim=0.5)
    fig, axes = plt.subplots(2, 2, figsize=(12, 10))
    sc.plot.choropleth(data, "urban_rate_2011_yearend", ax=axes[0, 0], lang="zh", labels="name_zh", title="城镇化")
    sc.plot.lisa_map(data, ax=axes[0, 1], lang="zh")
    sc.plot.significance_map(data, ax=axes[1, 0], lang="zh")
    sc.plot.hotspot_map(data, ax=axes[1, 1], lang="zh")
    fig.canvas.draw()
    assert not missing_glyphs(fig)
    legend = [t.get_text() for t in axes[0, 0].get_legend().get_texts()]
    assert axes[0, 0].get_legend().get_title().get_text() == "2011年城镇化率（%）"  # the catalogue, not the column
    assert legend[-1] == "无数据 (3)"
    assert [t.get_text() for t in axes[0, 1].get_legend().get_texts()][:2] == ["不显著 (31)", "高-高 (0)"]
    assert axes[1, 1].get_legend().get_title().get_text() == "Gi*冷热点"


def test_china_map_has_taiwan_hong_kong_macao_by_default(prov):
    """31 provinces in, 34 regions drawn; the three added ones have no data; explicit opt-out."""
    assert len(prov) == 31 and is_national(prov) and not is_national(prov.loc[["320000", "310000"]])
    pref = sc.datasets.china_prefectures()  # Sansha lies at 4-17° N: still a national map
    assert is_national(pref) and len(sc.plot._china.complete(pref)) == len(pref) + 3
    ax = sc.plot.lisa_map(prov.assign(cluster="ns"))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[-1] == "No data (3)"
    drawn = sum(len(c.get_paths()) for c in ax.collections if not isinstance(c, LineCollection))
    assert drawn == 34  # one path per region
    ax = sc.plot.lisa_map(prov.assign(cluster="ns"), include_sar_taiwan=False)
    assert "No data" not in " ".join(t.get_text() for t in ax.get_legend().get_texts())
    full = sc.datasets.china_provinces(include_sar_taiwan=True).assign(cluster="ns")
    ax = sc.plot.lisa_map(full)  # already there: nothing added
    assert "No data" not in " ".join(t.get_text() for t in ax.get_legend().get_texts())


def test_inset_shows_the_boundary_line(prov):
    line = boundary_line()
    assert len(line) == 10 and line.total_bounds[1] < 4.0  # ten dashes, down to ~3.4° N
    ax = sc.plot.choropleth(prov, "pop_2020")
    (inset,) = ax.child_axes
    (dashes,) = [c for c in inset.collections if isinstance(c, LineCollection)]
    assert dashes.get_label() == "boundary_line" and len(dashes.get_segments()) == 10
    x0, x1 = inset.get_xlim()
    y0, y1 = inset.get_ylim()
    inside = [all(x0 <= x <= x1 and y0 <= y <= y1 for x, y in seg) for seg in dashes.get_segments()]
    assert sum(inside) >= 9  # the dash east of Taiwan may leave the window; the main map has it
    assert any(isinstance(c, LineCollection) for c in ax.collections)
    assert not sc.plot.choropleth(prov, "pop_2020", inset=False).child_axes


def test_province_labels_have_halos_and_do_not_overlap(prov):
    ax = sc.plot.choropleth(prov, "pop_2020", labels="name_zh")
    renderer = ax.figure.canvas.get_renderer()
    labels = [t for t in ax.texts if t.get_label() == "region_label"]
    assert len(labels) == 34  # Taiwan, Hong Kong and Macao are named too
    assert all(t.get_path_effects() for t in labels)
    boxes = {t.get_text(): text_box(t, renderer) for t in labels}
    names = list(boxes)
    overlaps = [(a, b) for i, a in enumerate(names) for b in names[i + 1:] if boxes[a].overlaps(boxes[b])]
    assert not overlaps
    # Hong Kong and Macao are too small and too close for their names: moved, with a leader line
    moved = {t.get_text() for t in labels if t.arrow_patch is not None}
    assert moved & {"香港特别行政区", "澳门特别行政区"}
    beijing = next(t for t in labels if t.get_text() == "北京市")
    assert beijing.get_window_extent(renderer).overlaps(ax.get_window_extent(renderer))
    assert not texts_outside(ax.figure)  # every label inside the figure


def test_long_titles_are_not_clipped(tmp_path):
    """The Moran scatter of population growth had its title cut off at both edges."""
    sc.set_label("pop_growth_2010_2020", en="Population growth 2010-2020")
    res = type("R", (), {"z": np.linspace(-2, 2, 31), "lag": np.linspace(-1, 1, 31), "I": 0.5,
                         "variable": "pop_growth_2010_2020"})()
    title = "Moran scatter plot of " + sc.labels.label("pop_growth_2010_2020", "en") + ", 31 provinces, queen contiguity"
    fig, ax = plt.subplots(figsize=(4, 4))
    sc.plot.moran_scatter(res, ax=ax, title=title)
    fig.canvas.draw()
    assert texts_outside(fig)  # the test can fail: the title is wider than the figure
    files = sc.save_figure(fig, tmp_path / "scatter.png", formats=("png",))
    assert not texts_outside(fig) and "\n" in ax.get_title()
    assert files == [tmp_path / "scatter.png"]


def test_save_figure_formats(tmp_path, prov):
    ax = sc.plot.choropleth(prov, "urban_rate_2011_yearend", lang="zh", title="城镇化率")
    files = sc.save_figure(ax, tmp_path / "map.png")
    assert [f.suffix for f in files] == [".png", ".pdf", ".svg"]
    png = Image.open(files[0])
    assert png.info["dpi"] == pytest.approx((300, 300), abs=0.5)
    pdf = files[1].read_bytes()
    assert pdf[:5] == b"%PDF-"
    fonts = set(re.findall(rb"/BaseFont /\w+\+([\w-]+)", pdf))  # embedded subsets
    cjk = (sc.plot.cjk_family() or "no CJK font").replace(" ", "").encode()[:11]
    assert b"DejaVuSans" in fonts and any(cjk in f for f in fonts)  # the Chinese title's font is embedded
    svg = files[2].read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "<image" not in svg  # vector, no raster
    again = sc.save_figure(ax, tmp_path / "again.svg", formats="svg")
    assert again[0].read_bytes() == files[2].read_bytes()  # no date, fixed ids: the same bytes
    with pytest.raises(sc.InputError, match="unknown figure formats"):
        sc.save_figure(ax, tmp_path / "x", formats=("jpg",))


def test_hotspot_legend_agrees_with_alpha():
    geoms = [box(i, 0, i + 1, 1) for i in range(7)]
    gdf = gpd.GeoDataFrame({"bin": [3, 2, 1, 0, -1, -2, -3]}, geometry=geoms, crs=3857)
    res = type("R", (), {"alpha": 0.05, "to_frame": lambda self: gdf})()
    ax = sc.plot.hotspot_map(res, crs=None)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Hot spot, 99 % (1)", "Hot spot, 95 % (1)", "Not significant (p > 0.05) (3)",
                      "Cold spot, 95 % (1)", "Cold spot, 99 % (1)"]
    ax = sc.plot.hotspot_map(res, crs=None, alpha=0.01, lang="zh")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["热点（99%） (1)", "不显著 (p > 0.01) (5)",
                                                                  "冷点（99%） (1)"]
    assert len(sc.plot.hotspot_map(gdf, crs=None).get_legend().get_texts()) == 7  # a frame: all levels
    from spatialcluster.plot.maps import HOTSPOT_LEVELS
    from spatialcluster.stats.hotspots import LEVELS

    assert tuple(HOTSPOT_LEVELS[k] for k in (1, 2, 3)) == LEVELS


def test_png_of_the_standard_map_shows_the_line(prov):
    """In pixels: removing the boundary line changes the inset's image."""
    ax = sc.plot.choropleth(prov, "pop_2020")
    (inset,) = ax.child_axes

    def inset_pixels():
        buf = io.BytesIO()
        ax.figure.savefig(buf, format="png", dpi=ax.figure.dpi)  # pixels = display units
        img = np.asarray(Image.open(buf).convert("L")).astype(int)
        b = inset.get_window_extent()
        return img[int(img.shape[0] - b.y1):int(img.shape[0] - b.y0), int(b.x0):int(b.x1)]

    with_line = inset_pixels()
    (dashes,) = [c for c in inset.collections if isinstance(c, LineCollection)]
    dashes.remove()
    changed = (np.abs(with_line - inset_pixels()) > 40).sum()
    assert changed > 40  # ten dashes of ~1 mm each


def test_maps_built_on_the_category_map_get_the_standard_layers(prov):
    """Other modules' maps (local Geary, emerging hot spots, join counts) call _category_map positionally."""
    from spatialcluster.plot._crs import project
    from spatialcluster.plot.maps import _category_map, _new_ax

    gdf = project(prov, "auto")
    codes = pd.Series(["a" if code != "110000" else None for code in gdf.index], index=gdf.index, dtype=object)
    ax = _category_map(_new_ax(None), gdf, codes, ["a"], {"a": "#cccccc"}, {"a": "A"}, {}, "t", True, "kind", None)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["A (30)", "No data (4)"]
    (inset,) = ax.child_axes
    assert any(c.get_label() == "boundary_line" for c in inset.collections)


def test_china_maps_sets_the_default_for_a_block(prov):
    with sc.plot.china_maps(include_sar_taiwan=False):
        ax = sc.plot.lisa_map(prov.assign(cluster="ns"))
        assert "No data" not in " ".join(t.get_text() for t in ax.get_legend().get_texts())
        ax = sc.plot.lisa_map(prov.assign(cluster="ns"), include_sar_taiwan=True)  # an explicit value wins
        assert ax.get_legend().get_texts()[-1].get_text() == "No data (3)"
    ax = sc.plot.choropleth(prov, "pop_2020")  # restored
    assert ax.get_legend().get_texts()[-1].get_text() == "No data (3)"


def test_long_axis_labels_are_wrapped(tmp_path):
    fig, ax = plt.subplots(figsize=(3, 3))
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("Population growth between the 2010 and 2020 censuses (%) (standardised)")
    ax.set_ylabel("spatial lag of population growth between the 2010 and 2020 censuses (%)")
    assert texts_outside(fig)
    sc.save_figure(fig, tmp_path / "f.png", formats=("png",))
    assert not texts_outside(fig) and "\n" in ax.get_xlabel() and "\n" in ax.get_ylabel()


def test_titles_fit_after_an_earlier_tight_layout(tmp_path):
    """The pipeline calls tight_layout before saving: save_figure must still make room."""
    fig, ax = plt.subplots(figsize=(3, 3))
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("Population growth between the 2010 and 2020 censuses (%) (standardised)")
    fig.tight_layout()
    sc.save_figure(fig, tmp_path / "f.png", formats=("png",))
    assert not texts_outside(fig)


def test_finish_keeps_the_signature_other_map_modules_call(prov):
    """plot.gwr calls _finish(ax, gdf, inset, title, handles, legend_title, legend) positionally."""
    from spatialcluster.plot._crs import project
    from spatialcluster.plot.maps import _draw_missing, _finish, _new_ax

    ax = _new_ax(None)
    g = project(prov, "auto")
    _finish(ax, g, True, "t", [_draw_missing(ax, g, "Not significant")], "shown", True)
    assert ax.get_title() == "t" and ax.child_axes


def test_effects_plot_one_panel_per_variable_when_scales_differ():
    eff = pd.DataFrame({"direct": [0.012, 4.1], "indirect": [0.03, -2.2], "total": [0.042, 1.9],
                        "direct_se": [0.004, 1.0], "indirect_se": [0.01, 1.5], "total_se": [0.012, 1.8]},
                       index=["urban_rate_2011_yearend", "lq_gdp_pop_2020"])
    axes = sc.plot.effects_plot(eff, lang="zh", title="SDM")
    assert len(axes) == 2 and [a.get_title(loc="left") for a in axes] == ["2011年城镇化率（%）", "2020年GDP区位商"]
    lo, hi = axes[0].get_xlim()
    assert hi - lo < 0.2  # the small effects get their own scale, not squashed by the other's
    fig = axes[0].figure
    fig.canvas.draw()
    assert not missing_glyphs(fig) and not texts_outside(fig)
    single = sc.plot.effects_plot(eff.assign(direct=[1.2, 4.1], indirect=[3.0, -2.2], total=[4.2, 1.9]))
    assert not isinstance(single, np.ndarray) and [t.get_text() for t in single.get_yticklabels()] == [
        "Urbanization rate 2011 (%)", "GDP location quotient 2020"]
    assert not isinstance(sc.plot.effects_plot(eff, panels=False), np.ndarray)


def test_moran_scatter_axes_use_the_catalogue():
    res = type("R", (), {"z": np.linspace(-2, 2, 5), "lag": np.linspace(-1, 1, 5), "I": 0.5,
                         "variable": "urban_rate_2011_yearend"})()
    ax = sc.plot.moran_scatter(res, lang="zh")
    assert ax.get_xlabel() == "2011年城镇化率（%）（标准化）" and ax.get_title() == "莫兰指数 I = 0.500"
    assert sc.plot.moran_scatter(res).get_ylabel() == "spatial lag of Urbanization rate 2011 (%)"
