"""Maps and charts: classes against mapclassify, colours in the rendered PNG, Chinese glyphs, CRS."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import warnings

import geopandas as gpd
import mapclassify
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.colors import to_hex, to_rgb
from matplotlib.ft2font import FT2Font
from PIL import Image
from pyproj import Geod
from shapely.geometry import Point, box

import spatialcluster as sc
from spatialcluster import InputError, SpatialClusterWarning
from spatialcluster._palette import HOTSPOT_COLORS, LISA_COLORS
from spatialcluster.plot import CHINA_ALBERS, auto_crs, classify

NAMES_ZH = ["北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市",
            "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省"]


@pytest.fixture
def grid():
    """4 x 4 one-degree squares in China (lon 100-104, lat 30-34), ids are 6-digit codes."""
    geoms = [box(100 + i, 30 + j, 101 + i, 31 + j) for j in range(4) for i in range(4)]
    ids = pd.Index([f"{c}0000" for c in range(11, 27)], name="code")
    rng = np.random.default_rng(7)
    return gpd.GeoDataFrame(
        {
            "name_zh": NAMES_ZH,
            "value": np.round(rng.gamma(2.0, 10.0, 16), 2),
            "cluster": ["HH", "HH", "LL", "LL", "LH", "ns", "ns", "ns", "ns", "ns", "island", "ns", "HH", "LL", "ns", "ns"],
            "p_sim": [0.0005, 0.004, 0.03, 0.2, 0.04, 0.5, 0.3, 0.6, 0.8, 0.009, np.nan, 0.4, 0.001, 0.02, 0.7, 0.9],
            "bin": [3, 2, 1, 0, 0, -1, -2, -3, 0, 0, 0, 3, 0, 0, 0, 0],
        },
        geometry=geoms,
        index=ids,
        crs=4326,
    )


def render(ax, dpi=60) -> Image.Image:
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=dpi)
    plt.close(ax.figure)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def pixel_count(img: Image.Image, color) -> int:
    target = tuple(round(255 * c) for c in to_rgb(color))
    arr = np.asarray(img)
    return int(np.all(arr == np.array(target, dtype=arr.dtype), axis=-1).sum())


def legend_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


# ----------------------------------------------------------------- classification


@pytest.mark.parametrize(
    ("scheme", "make"),
    [
        ("quantiles", lambda y: mapclassify.Quantiles(y, k=5)),
        ("fisher_jenks", lambda y: mapclassify.FisherJenks(y, k=5)),
        ("natural_breaks", lambda y: mapclassify.FisherJenks(y, k=5)),
        ("equal_interval", lambda y: mapclassify.EqualInterval(y, k=5)),
        ("std_mean", lambda y: mapclassify.StdMean(y)),
    ],
)
def test_classify_matches_mapclassify(scheme, make):
    y = np.random.default_rng(3).lognormal(2.0, 0.6, 60)
    ref = make(y)
    got = classify(y, scheme=scheme, k=5)
    np.testing.assert_array_equal(got.upper, ref.bins)
    np.testing.assert_array_equal(got.yb, ref.yb)
    assert got.lower[0] == min(y.min(), ref.bins[0])
    np.testing.assert_array_equal(got.lower[1:], ref.bins[:-1])
    np.testing.assert_array_equal(got.counts(), ref.counts)


def test_classify_user_defined_and_missing():
    y = np.array([1.0, 5.0, np.nan, 12.0, 30.0])
    got = classify(y, bins=[5, 20])
    ref = mapclassify.UserDefined(y[~np.isnan(y)], [5, 20])
    np.testing.assert_array_equal(got.upper, ref.bins)  # mapclassify appends the maximum, 30
    assert list(got.yb) == [0, 0, -1, 1, 2]
    assert got.labels == ["1.0 – 5.0", "5.0 – 20.0", "20.0 – 30.0"]


def test_classify_open_first_class():
    y = np.array([1.0, 2.0, 2.0, 1.0])
    got = classify(y, scheme="std_mean")
    ref = mapclassify.StdMean(y)
    np.testing.assert_array_equal(got.upper, ref.bins)
    assert got.labels[0] == f"≤ {ref.bins[0]:.1f}" and got.counts()[0] == 0


def test_classify_bad_input():
    with pytest.raises(InputError, match="unknown classification scheme 'kmeans'"):
        classify([1.0, 2.0], scheme="kmeans")
    with pytest.raises(InputError, match="strictly increasing"):
        classify([1.0, 2.0], bins=[3, 1])
    with pytest.raises(InputError, match="every value is missing"):
        classify([np.nan, np.nan])


# ----------------------------------------------------------------- choropleth


def test_choropleth_classes_legend_and_colours(grid):
    ax = sc.plot.choropleth(grid, "value", scheme="quantiles", k=4, crs=None, fmt="{:.2f}")
    ref = mapclassify.Quantiles(grid["value"].to_numpy(), k=4)
    lows = [grid["value"].min(), *ref.bins[:-1]]
    expected = [f"{lo:.2f} – {hi:.2f} ({n})" for lo, hi, n in zip(lows, ref.bins, ref.counts, strict=True)]
    assert legend_texts(ax) == expected
    assert ax.get_legend().get_title().get_text() == "value"
    # each region is filled with the colour of its mapclassify class, sampled evenly from YlOrRd
    cmap = matplotlib.colormaps["YlOrRd"]
    class_colors = [to_hex(cmap(p)) for p in np.linspace(0, 1, 4)]
    faces = [to_hex(c) for c in ax.collections[0].get_facecolor()]
    assert faces == [class_colors[b] for b in ref.yb]
    img = render(ax)
    for color in class_colors:
        assert pixel_count(img, color) > 50


def test_z_scores_centre_the_diverging_colours_on_zero(grid):
    """Classes below 0 blue, above 0 red, even when the z-scores are not symmetric about 0."""
    grid["gdp_z"] = np.linspace(-1.0, 3.0, 16)
    ax = sc.plot.choropleth(grid, "gdp_z", k=4, crs=None)
    ref = mapclassify.Quantiles(grid["gdp_z"].to_numpy(), k=4)
    lows = np.array([-1.0, *ref.bins[:-1]])
    faces = ax.collections[0].get_facecolor()
    for (r, _g, b, _a), cls in zip(faces, ref.yb, strict=True):
        mid = (lows[cls] + ref.bins[cls]) / 2
        assert (b > r) if mid < 0 else (r > b), (cls, mid)
    assert to_hex(faces[-1]) == to_hex(matplotlib.colormaps["RdBu_r"](0.5 + 0.5 * (lows[3] + 3.0) / 2 / 3.0))
    plt.close("all")


def test_choropleth_missing_data_drawn_and_labelled(grid):
    grid.loc[["110000", "120000"], "value"] = np.nan
    ax = sc.plot.choropleth(grid, "value", scheme="equal_interval", k=3, crs=None, missing_label="无数据")
    texts = legend_texts(ax)
    assert texts[-1] == "无数据 (2)"
    assert sum(int(t.rsplit("(", 1)[1][:-1]) for t in texts[:-1]) == 14
    missing = ax.collections[1]
    assert missing.get_hatch() == "////"
    assert [to_hex(c) for c in missing.get_facecolor()] == ["#ffffff", "#ffffff"]


def test_choropleth_bad_input(grid):
    with pytest.raises(InputError, match="Did you mean 'value'"):
        sc.plot.choropleth(grid, "valeu")
    grid["text"] = "x"
    with pytest.raises(InputError, match="non-numeric values for regions 110000"):
        sc.plot.choropleth(grid, "text")


def test_every_function_draws_into_the_given_ax(grid):
    fig, axes = plt.subplots(2, 3)
    moran = type("M", (), {"z": np.array([-1.0, 0.5, 1.0]), "lag": np.array([-0.5, 0.1, 0.6]), "I": 0.5, "variable": "v"})()
    effects = pd.DataFrame({"direct": [0.1], "indirect": [0.2], "total": [0.3]}, index=["x"])
    calls = [
        lambda ax: sc.plot.choropleth(grid, "value", ax=ax),
        lambda ax: sc.plot.lisa_map(grid, ax=ax),
        lambda ax: sc.plot.significance_map(grid, ax=ax),
        lambda ax: sc.plot.hotspot_map(grid, ax=ax),
        lambda ax: sc.plot.moran_scatter(moran, ax=ax),
        lambda ax: sc.plot.effects_plot(effects, ax=ax),
    ]
    for call, ax in zip(calls, axes.flat, strict=True):
        assert call(ax) is ax
    plt.close(fig)


# ----------------------------------------------------------------- cluster maps


def test_lisa_map_colours_and_counts(grid):
    ax = sc.plot.lisa_map(grid, crs=None)
    assert legend_texts(ax) == [
        "Not significant (8)", "High-High (3)", "Low-Low (3)", "Low-High (1)", "High-Low (0)",
        "Island (no neighbours) (1)",
    ]
    island = ax.get_legend().legend_handles[-1]
    assert island.get_hatch() == ".."
    ax = sc.plot.lisa_map(grid, crs=None, legend=False)
    img = render(ax)
    for label in ("HH", "LL", "LH", "ns"):
        assert pixel_count(img, LISA_COLORS[label]) > 50, label
    assert pixel_count(img, LISA_COLORS["HL"]) == 0  # no High-Low region: its colour must not appear


def test_cluster_maps_draw_missing_labels_as_no_data(grid):
    grid.loc["110000", "cluster"] = None
    grid["bin"] = grid["bin"].astype(float)
    grid.loc[["110000", "120000"], "bin"] = np.nan
    ax = sc.plot.lisa_map(grid, crs=None, missing_label="无数据")
    assert legend_texts(ax)[1] == "High-High (2)" and legend_texts(ax)[-1] == "无数据 (1)"
    assert ax.get_legend().legend_handles[-1].get_hatch() == "////"
    ax = sc.plot.hotspot_map(grid, crs=None)
    assert legend_texts(ax)[-1] == "No data (2)" and legend_texts(ax)[0] == "Hot spot, 99 % (1)"
    grid.loc["130000", "p_sim"] = np.nan  # no p-value and not an island: missing
    ax = sc.plot.significance_map(grid, crs=None)
    assert legend_texts(ax)[-2:] == ["Island (no neighbours) (1)", "No data (1)"]
    plt.close("all")


def test_lisa_map_from_result_without_geometry(grid):
    class LocalResult:
        def to_frame(self):
            return pd.DataFrame(grid.drop(columns="geometry"))

    ax = sc.plot.lisa_map(LocalResult(), grid, crs=None)  # regions as the second argument (pipeline style)
    assert legend_texts(ax)[1] == "High-High (3)"
    # regions the result leaves out are drawn and counted as missing
    ax = sc.plot.lisa_map(grid.iloc[2:], regions=grid, crs=None)
    assert legend_texts(ax)[1] == "High-High (1)" and legend_texts(ax)[-1] == "No data (2)"
    with pytest.raises(InputError, match="no geometry for ids 110000"):
        sc.plot.lisa_map(grid, regions=grid.iloc[1:])
    with pytest.raises(InputError, match="pass regions="):
        sc.plot.lisa_map(LocalResult())
    bad = grid.assign(cluster="HX")
    with pytest.raises(InputError, match=r"unknown cluster labels \['HX'\]"):
        sc.plot.lisa_map(bad)


def test_significance_map_classes(grid):
    ax = sc.plot.significance_map(grid, crs=None)
    p = grid["p_sim"]
    n001 = int((p <= 0.001).sum())
    n01 = int(((p > 0.001) & (p <= 0.01)).sum())
    n05 = int(((p > 0.01) & (p <= 0.05)).sum())
    nns = int((p > 0.05).sum())
    assert legend_texts(ax) == [
        f"Not significant ({nns})", f"p ≤ 0.001 ({n001})", f"p ≤ 0.01 ({n01})", f"p ≤ 0.05 ({n05})",
        "Island (no neighbours) (1)",
    ]
    assert ax.get_legend().get_title().get_text() == "Pseudo p-value"
    adj = grid.assign(p_adjusted=np.minimum(1.0, grid["p_sim"] * 16))
    ax = sc.plot.significance_map(adj, crs=None)
    assert ax.get_legend().get_title().get_text() == "Adjusted p-value"
    plt.close("all")


def test_hotspot_map_colours(grid):
    ax = sc.plot.hotspot_map(grid, crs=None, legend=False)
    img = render(ax)
    for b, color in HOTSPOT_COLORS.items():
        assert (pixel_count(img, color) > 50) == (b in set(grid["bin"])), b
    ax = sc.plot.hotspot_map(grid, crs=None)
    assert legend_texts(ax)[0] == "Hot spot, 99 % (2)"
    assert sc.plot.hotspot_map(grid, crs=None, legend_kwds={"loc": "upper right"}).get_legend()._loc == 1
    with pytest.raises(InputError, match="regions 110000"):
        sc.plot.hotspot_map(grid.assign(bin=[4] + [0] * 15))
    plt.close("all")


# ----------------------------------------------------------------- charts


def test_moran_scatter_slope_is_morans_i():
    """The plotted line has slope I, which is the OLS slope of Wz on z for row-standardised W."""
    import esda
    from libpysal.weights import lat2W

    w = lat2W(6, 6, rook=True)
    w.transform = "r"
    y = np.random.default_rng(11).normal(size=36).cumsum()
    mi = esda.Moran(y, w, permutations=0)
    z = (y - y.mean()) / y.std()
    lag = w.sparse @ z
    slope = np.polyfit(z, lag, 1)[0]
    assert slope == pytest.approx(mi.I, abs=1e-12)  # the premise of the plot (Anselin 1996)

    res = type("MoranResult", (), {"z": z, "lag": lag, "I": mi.I, "variable": "城镇化率"})()
    ax = sc.plot.moran_scatter(res)
    line = ax.get_lines()[-1]
    xs, ys = line.get_data()
    assert (ys[1] - ys[0]) / (xs[1] - xs[0]) == pytest.approx(mi.I, rel=1e-12)
    np.testing.assert_array_equal(ax.collections[0].get_offsets(), np.column_stack([z, lag]))
    labels = {t.get_text(): t.get_position() for t in ax.texts}
    assert labels["HH"][0] > 0.5 < labels["HH"][1]
    assert labels["LL"][0] < 0.5 > labels["LL"][1]
    assert labels["LH"][0] < 0.5 < labels["LH"][1]
    assert labels["HL"][0] > 0.5 > labels["HL"][1]
    assert ax.get_title() == f"Moran's I = {mi.I:.3f}"
    plt.close("all")


def _interval_segments(ax):
    """(x_lo, x_hi) of every error bar, by effect label."""
    out = {}
    for cont in ax.containers:
        segs = cont.lines[2][0].get_segments()
        out[cont.get_label()] = [(s[0][0], s[1][0]) for s in segs]
    return out


def test_effects_plot_intervals():
    eff = pd.DataFrame(
        {"direct": [0.2, -0.1], "indirect": [0.5, 0.05], "total": [0.7, -0.05],
         "direct_lo": [0.1, -0.2], "direct_hi": [0.3, 0.0], "indirect_lo": [0.1, -0.1], "indirect_hi": [0.9, 0.2],
         "total_lo": [0.3, -0.3], "total_hi": [1.1, 0.2]},
        index=["urbanization", "lq"],
    )
    ax = sc.plot.effects_plot(eff)
    segs = _interval_segments(ax)
    for kind in ("direct", "indirect", "total"):
        np.testing.assert_allclose(segs[kind], eff[[f"{kind}_lo", f"{kind}_hi"]].to_numpy())
    assert [t.get_text() for t in ax.get_yticklabels()] == ["urbanization", "lq"]
    eff.attrs.update(ci=0.9, method="simulation")
    assert sc.plot.effects_plot(eff).get_xlabel().endswith("(90 % intervals, simulation)")

    se = pd.DataFrame({"direct": [0.2], "direct_se": [0.05], "indirect": [0.5], "indirect_se": [0.2]}, index=["x"])
    holder = type("SpilloverResult", (), {"effects": se})()
    ax = sc.plot.effects_plot(holder, level=0.9)
    assert ax.get_xlabel().endswith("(90 % normal intervals)")
    segs = _interval_segments(ax)
    assert segs["direct"][0] == pytest.approx((0.2 - 1.6448536 * 0.05, 0.2 + 1.6448536 * 0.05), abs=1e-7)
    with pytest.raises(InputError, match="no 'direct'"):
        sc.plot.effects_plot(pd.DataFrame({"x": [1.0]}))
    plt.close("all")


# ----------------------------------------------------------------- Chinese text


def test_chinese_labels_render_without_missing_glyphs(grid, monkeypatch):
    # Axes made while rcParams lack the CJK font (e.g. after plt.rcdefaults()) still get it.
    monkeypatch.setitem(matplotlib.rcParams, "font.family", ["sans-serif"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(8, 4))
        sc.plot.choropleth(grid, "value", ax=a1, title="城镇化率（%）", labels="name_zh", missing_label="无数据")
        sc.plot.lisa_map(grid, ax=a2, title="局部空间自相关 LISA 聚类", labels="name_zh")
        a2.set_xlabel("经度")  # text the user adds after the call renders too
        fig.savefig(io.BytesIO(), format="png", dpi=50)
    glyph = [str(w.message) for w in caught if "glyph" in str(w.message).lower() or "CJK" in str(w.message)]
    assert not glyph, glyph
    # the title's font list resolves to a font that has the glyphs (independent of matplotlib's warning)
    fonts = font_manager.fontManager._find_fonts_by_props(a1.title.get_fontproperties())
    for ch in "城镇化率":
        assert any(FT2Font(str(f)).get_char_index(ord(ch)) for f in fonts), ch
    plt.close(fig)


def test_missing_cjk_font_warns_once(monkeypatch):
    from spatialcluster.plot import _fonts

    monkeypatch.setattr(_fonts, "_state", {"family": None, "warned": False})
    monkeypatch.setattr(_fonts, "_find_family", lambda: None)
    with pytest.warns(SpatialClusterWarning, match="fonts-noto-cjk"):
        assert _fonts.use_cjk_font() is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _fonts.use_cjk_font() is None  # once only


def test_cjk_font_found_on_this_machine():
    family = sc.plot.cjk_family()
    if family is None and not os.environ.get("CI"):
        pytest.skip("no CJK font installed (Debian: apt-get install fonts-noto-cjk)")
    assert sc.plot.use_cjk_font() == family and family in matplotlib.rcParams["font.family"]
    assert family in sc.plot._fonts.PREFERRED or "CJK" in family


def test_chinese_text_in_a_fresh_process(tmp_path):
    """The user's flow in a new interpreter: the figure and its Chinese texts exist before sc.plot loads."""
    script = (
        "import matplotlib; matplotlib.use('Agg')\n"
        "import matplotlib.pyplot as plt, geopandas as gpd\n"
        "from shapely.geometry import box\n"
        "import spatialcluster as sc\n"
        "fig, (a1, a2) = plt.subplots(1, 2)\n"
        "a1.set_title('江苏省 城镇化率')\n"
        "a2.set_xlabel('经度')\n"
        "g = gpd.GeoDataFrame({'v': [1.0, 2.0], 'name': ['南京', '苏州']}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],"
        " crs=4326)\n"
        "sc.plot.choropleth(g, 'v', k=2, ax=a1, labels='name')\n"
        "fig.suptitle('中国')\n"
        f"fig.savefig(r'{tmp_path / 'fresh.png'}')\n"
    )
    proc = subprocess.run([sys.executable, "-W", "error::UserWarning", "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]


# ----------------------------------------------------------------- projection


def test_auto_crs_china_albers_is_equal_area(grid):
    assert auto_crs(grid) == CHINA_ALBERS
    assert auto_crs(grid.to_crs(3857)) is None  # projected data are kept
    small = gpd.GeoSeries([box(80.0, 40.0, 80.1, 40.1), box(120.0, 22.0, 120.1, 22.1)], crs=4326)
    geod = Geod(ellps="WGS84")
    projected = small.to_crs(CHINA_ALBERS).area.to_numpy()
    geodesic = np.array([abs(geod.geometry_area_perimeter(g)[0]) for g in small])
    np.testing.assert_allclose(projected, geodesic, rtol=1e-4)


def test_auto_crs_elsewhere_fits_the_extent():
    mexico = gpd.GeoSeries([box(-117.0, 14.5, -86.7, 32.7)], crs=4326).to_frame("geometry")
    crs = auto_crs(mexico)
    assert "+proj=aea" in crs and "+lat_1=17.5333" in crs and "+lat_2=29.6667" in crs and "+lon_0=-101.8500" in crs


def test_choropleth_draws_china_in_albers(grid):
    ax = sc.plot.choropleth(grid, "value")
    x0, x1 = ax.get_xlim()
    expected = grid.to_crs(CHINA_ALBERS).total_bounds
    assert x0 <= expected[0] < expected[2] <= x1
    assert x1 - x0 > 1e5  # metres, not degrees
    plt.close("all")


def test_china_provinces_map():
    try:
        prov = sc.datasets.china_provinces()
    except NotImplementedError:
        pytest.skip("sc.datasets.china_provinces() is not written yet")
    prov = prov.assign(v=np.arange(len(prov), dtype=float))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax = sc.plot.choropleth(prov, "v", scheme="fisher_jenks", title="中国各省", labels="name_zh")
        render(ax)
    assert not [w for w in caught if "glyph" in str(w.message).lower()]
    # five classes and Taiwan, Hong Kong and Macao drawn without data (the standard map's convention)
    assert len(ax.get_legend().get_texts()) == 6 and legend_texts(ax)[-1] == "No data (3)"


def test_south_china_sea_inset():
    try:
        prov = sc.datasets.china_provinces()
    except NotImplementedError:
        pytest.skip("sc.datasets.china_provinces() is not written yet")
    assert auto_crs(prov) == CHINA_ALBERS  # the islands down to 3.8° N do not change the projection
    vietnam = gpd.GeoSeries([box(102.0, 8.5, 109.5, 23.4)], crs=4326).to_frame("geometry")
    assert auto_crs(vietnam) != CHINA_ALBERS
    ax = sc.plot.lisa_map(prov.assign(cluster="ns"))
    (inset,) = ax.child_axes
    assert inset.get_label() == "south_china_sea_inset"
    assert len(inset.collections) == len(ax.collections)
    to_map = gpd.GeoSeries([Point(112.0, 16.0), Point(114.0, 10.0)], crs=4326).to_crs(CHINA_ALBERS)
    assert ax.get_ylim()[0] > to_map.y.max()  # the main frame stops north of the Paracels
    x0, x1 = inset.get_xlim()
    y0, y1 = inset.get_ylim()
    assert all(x0 < p.x < x1 and y0 < p.y < y1 for p in to_map)  # the inset shows them
    assert inset.texts[0].get_text() == "South China Sea Islands"
    (zh_inset,) = sc.plot.lisa_map(prov.assign(cluster="ns"), lang="zh").child_axes
    assert zh_inset.texts[0].get_text() == "南海诸岛"
    assert not sc.plot.lisa_map(prov.assign(cluster="ns"), inset=False).child_axes
    assert not sc.plot.lisa_map(prov.loc[["460000"]].assign(cluster="ns")).child_axes  # Hainan alone
    plt.close("all")
