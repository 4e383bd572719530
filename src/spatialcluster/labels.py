"""The variable catalogue: what a column is called on figures and in tables, in Chinese and English.

Figures, legends, axes, tables and the report write ``城镇化率 (%)`` or ``Urbanization rate
(%)`` instead of a column name such as ``urban_rate_2011_yearend``. The catalogue holds one
:class:`Variable` per column (Chinese and English name, unit in each language); the bundled
dataset's columns are preset, others are added with :func:`set_label` (or the pipeline's
``[labels]`` table, which calls it). Fixed words of the figures (legend titles, class names)
come from :func:`term`. Columns without an entry keep their name, so nothing fails for lack of
a label.

This module depends on nothing else in the package, so every stage (plot, export, report) can
use it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace

from ._errors import ConfigError

LANGS = ("en", "zh")


@dataclass(frozen=True)
class Variable:
    """Names and unit of one column.

    Attributes
    ----------
    column : str
        The column name in the data.
    en, zh : str or None
        English and Chinese names (None: the other language's name, else the column name).
    unit_en, unit_zh : str or None
        Unit in each language (``"%"``, ``"10,000 persons"`` / ``"万人"``); None for unitless.
    """

    column: str
    en: str | None = None
    zh: str | None = None
    unit_en: str | None = None
    unit_zh: str | None = None

    def name(self, lang: str) -> str:
        """The name in ``lang``, falling back to the other language and then the column name."""
        first, second = (self.zh, self.en) if lang == "zh" else (self.en, self.zh)
        return first or second or self.column

    def unit(self, lang: str) -> str | None:
        return (self.unit_zh or self.unit_en) if lang == "zh" else (self.unit_en or self.unit_zh)

    def label(self, lang: str, unit: bool = True) -> str:
        """``name (unit)`` in ``lang`` (full-width brackets in Chinese, as Chinese journals print them)."""
        text, u = self.name(lang), self.unit(lang) if unit else None
        if not u:
            return text
        return f"{text}（{u}）" if lang == "zh" else f"{text} ({u})"


# The bundled dataset's columns (see datasets/data/SOURCES.md for units) and the demo's derived ones.
_PRESET = (
    Variable("urban_rate_2020", "Urbanization rate 2020", "2020年城镇化率", "%", "%"),
    Variable("urban_rate_2010", "Urbanization rate 2010", "2010年城镇化率", "%", "%"),
    Variable("urban_rate_2011_yearend", "Urbanization rate 2011", "2011年城镇化率", "%", "%"),
    Variable("urban_rate_2010_derived", "Urbanization rate 2010 (derived)", "2010年城镇化率（推算）", "%", "%"),
    Variable("urban_change_2010_2020_pp", "Change in urbanization 2010-2020", "2010—2020年城镇化率变化",
             "percentage points", "百分点"),
    Variable("urban_rate", "Urbanization rate", "城镇化率", "%", "%"),
    Variable("pop_2020", "Resident population 2020", "2020年常住人口", "persons", "人"),
    Variable("pop_2010", "Resident population 2010", "2010年常住人口", "persons", "人"),
    Variable("pop_growth_2010_2020", "Population growth 2010-2020", "2010—2020年人口增长率", "%", "%"),
    Variable("gdp_2019", "GDP 2019", "2019年地区生产总值", "100 million yuan", "亿元"),
    Variable("gdp_2020", "GDP 2020", "2020年地区生产总值", "100 million yuan", "亿元"),
    Variable("gdp_real_growth_2020", "Real GDP growth 2020", "2020年实际GDP增长率", "%", "%"),
    Variable("lq_gdp_pop_2020", "GDP location quotient 2020", "2020年GDP区位商"),
)

# Fixed words of figures and tables, keyed by an English identifier.
TERMS = {
    "no_data": ("No data", "无数据"),
    "not_significant": ("Not significant", "不显著"),
    "lisa_cluster": ("LISA cluster", "LISA聚类"),
    "HH": ("High-High", "高-高"),
    "LL": ("Low-Low", "低-低"),
    "HL": ("High-Low", "高-低"),
    "LH": ("Low-High", "低-高"),
    "ns": ("Not significant", "不显著"),
    "island": ("Island (no neighbours)", "孤立区域（无邻居）"),
    "hot_spot": ("Hot spot", "热点"),
    "cold_spot": ("Cold spot", "冷点"),
    "gi_hotspots": ("Gi* hot spots", "Gi*冷热点"),
    "adjusted_p": ("Adjusted p-value", "校正p值"),
    "pseudo_p": ("Pseudo p-value", "伪p值"),
    "standardised": ("standardised", "标准化"),
    "spatial_lag": ("spatial lag of", "空间滞后："),
    "morans_i": ("Moran's I", "莫兰指数 I"),
    "year": ("year", "年份"),
    "south_china_sea": ("South China Sea Islands", "南海诸岛"),
    "code": ("Code", "代码"),
    "region": ("Region", "地区"),
    "variable": ("Variable", "变量"),
    "N": ("N", "样本数"),
    "mean": ("Mean", "均值"),
    "sd": ("SD", "标准差"),
    "min": ("Min", "最小值"),
    "max": ("Max", "最大值"),
    "direct": ("direct", "直接效应"),
    "indirect": ("indirect", "间接效应"),
    "total": ("total", "总效应"),
    "effect_axis": ("effect on the dependent variable", "对被解释变量的效应"),
    "descriptive_statistics": ("Descriptive statistics", "描述性统计"),
    "contents": ("Contents", "目录"),
    "run_information": ("Run information", "运行信息"),
    "self_contained": ("Self-contained report: images are embedded, no external files are needed.",
                       "独立报告：图片已嵌入，无需其他文件。"),
    "generated": ("Generated {when} by spatialcluster {version}.", "由 spatialcluster {version} 生成于 {when}。"),
    # change over time (plot.dynamics); {var} is the variable's label
    "period": ("period", "时期"),
    "from_t": ("from (t)", "t 期类别"),
    "to_t1": ("to (t + 1)", "t + 1 期类别"),
    "to_t1_by_lag": ("to (t + 1), by the neighbours' class at t", "t + 1 期类别（按 t 期邻居类别）"),
    "neighbour_class": ("neighbours: class {lag}", "邻居：第 {lag} 类"),
    "var_standardised": ("{var} (standardised)", "{var}（标准化）"),
    "spatial_lag_axis": ("spatial lag", "空间滞后"),
    "lisa_paths_title": ("LISA time paths of {var}", "{var}的LISA时间路径"),
    "emerging_hotspots": ("Emerging hot spots", "新兴热点"),
    "gini_share": ("share of the Gini", "占基尼系数的比重"),
    "within_share": ("within", "区域内"),
    "between_share": ("between", "区域间"),
    "transvariation_share": ("transvariation", "超变密度"),
    "dagum_title": ("Dagum decomposition of the Gini of {var}", "{var}基尼系数的Dagum分解"),
    "density_axis": ("density", "密度"),
    "density_title": ("Distribution of {var} by period (Gaussian KDE, {rule})", "{var}的分时期分布（高斯核密度，{rule}）"),
    "relative_to_first": ("relative to the first period", "相对于首期"),
    "sigma_title": ("Sigma convergence of {var}", "{var}的σ收敛"),
    "beta_line": ("beta = {beta:.3f}, half-life = {half_life:.1f}", "β = {beta:.3f}，半衰期 = {half_life:.1f}"),
    "log_initial": ("log {var} (initial)", "初期{var}（对数）"),
    "log_growth": ("log growth", "对数增长率"),
    "absolute_beta_title": ("Absolute beta convergence ({model})", "绝对β收敛（{model}）"),
    "conditional_beta_title": ("Conditional beta convergence ({model})", "条件β收敛（{model}）"),
    "kendall_tau": ("Kendall's tau", "Kendall τ"),
    "mobility_title": ("Rank mobility of {var}", "{var}的位序流动性"),
    "divergent": ("divergent", "发散"),
    "club_n": ("club {club}", "俱乐部 {club}"),
    "transition_path": ("relative transition path h", "相对转移路径 h"),
    "clubs_title": ("Convergence clubs of {var} (Phillips & Sul)", "{var}的收敛俱乐部（Phillips & Sul）"),
    "ellipse_title": ("Standard deviational ellipse and centre of gravity", "标准差椭圆与重心"),
    # emerging hot-spot categories (ArcGIS Pro's, as in dynamics.emerging)
    "new hot spot": ("New hot spot", "新增热点"),
    "consecutive hot spot": ("Consecutive hot spot", "连续热点"),
    "intensifying hot spot": ("Intensifying hot spot", "加强热点"),
    "persistent hot spot": ("Persistent hot spot", "持续热点"),
    "diminishing hot spot": ("Diminishing hot spot", "减弱热点"),
    "sporadic hot spot": ("Sporadic hot spot", "零星热点"),
    "oscillating hot spot": ("Oscillating hot spot", "振荡热点"),
    "historical hot spot": ("Historical hot spot", "历史热点"),
    "new cold spot": ("New cold spot", "新增冷点"),
    "consecutive cold spot": ("Consecutive cold spot", "连续冷点"),
    "intensifying cold spot": ("Intensifying cold spot", "加强冷点"),
    "persistent cold spot": ("Persistent cold spot", "持续冷点"),
    "diminishing cold spot": ("Diminishing cold spot", "减弱冷点"),
    "sporadic cold spot": ("Sporadic cold spot", "零星冷点"),
    "oscillating cold spot": ("Oscillating cold spot", "振荡冷点"),
    "historical cold spot": ("Historical cold spot", "历史冷点"),
    "no pattern detected": ("No pattern detected", "无显著模式"),
}

# The phrases that open the figure titles the pipeline steps and the results write ("Emerging hot spots:
# gdp"), with their Chinese: :func:`caption` translates them where they are written, so the steps need
# no language of their own.
CAPTIONS = {
    "Emerging hot spots": "新兴热点",
    "Markov chain": "马尔可夫链",
    "Spatial Markov chain": "空间马尔可夫链",
    "LISA Markov chain": "LISA马尔可夫链",
    "LISA clusters": "LISA聚类",
    "Gi* hot and cold spots": "Gi*冷热点",
    "Local Geary clusters": "局部Geary聚类",
    "Local join counts": "局部连接计数",
    "Composite index": "综合指数",
    "Moran scatter plot": "莫兰散点图",
    "Geary scatter plot": "Geary散点图",
    "Krugman specialisation index (vs the nation)": "克鲁格曼专业化指数（相对全国）",
}
# Run details in brackets after a caption: (999 permutations, fdr correction, alpha 0.05), (queen weights).
_DETAILS = (
    (re.compile(r" ?\((\d+) permutations, (\S+) correction, alpha ([\d.]+)\)"), r"（\1次置换，\2校正，显著性水平\3）"),
    (re.compile(r" ?\(([^()]+) weights\)"), r"（\1权重）"),
)

_catalogue: dict[str, Variable] = {v.column: v for v in _PRESET}
_default = {"lang": "en"}


def check_lang(lang: str | None) -> str:
    """``lang`` or the default language; a clear error for anything but "en" / "zh"."""
    if lang is None:
        return _default["lang"]
    if lang not in LANGS:
        raise ConfigError(f"lang must be 'en' or 'zh', got {lang!r}")
    return lang


def set_language(lang: str) -> None:
    """Default language of figures and tables made without ``lang=``."""
    _default["lang"] = check_lang(lang)


def set_label(column, en=None, zh=None, unit=None, *, unit_en=None, unit_zh=None) -> Variable:
    """Add or update the catalogue entry of ``column``.

    Parameters
    ----------
    column : str
    en, zh : str, optional
        English and Chinese names; an update keeps the fields not given.
    unit : str, optional
        Unit in both languages (e.g. ``"%"``); ``unit_en`` / ``unit_zh`` set one language.

    Returns
    -------
    Variable
        The entry now in the catalogue.

    Examples
    --------
    >>> import spatialcluster as sc
    >>> sc.set_label("grp_pc", en="GRP per capita", zh="人均地区生产总值", unit_en="yuan", unit_zh="元").label("zh")
    '人均地区生产总值（元）'
    """
    column = str(column)
    old = _catalogue.get(column, Variable(column))
    changes = {k: v for k, v in {"en": en, "zh": zh, "unit_en": unit_en or unit, "unit_zh": unit_zh or unit}.items()
               if v is not None}
    for key, value in changes.items():
        if not isinstance(value, str):
            raise ConfigError(f"label {key!r} of {column!r} must be text, got {value!r}")
    _catalogue[column] = replace(old, **changes)
    return _catalogue[column]


def set_labels(mapping: Mapping) -> None:
    """Several entries at once: ``{column: {"en": ..., "zh": ..., "unit": ...}}`` (the config's ``[labels]``)."""
    allowed = {"en", "zh", "unit", "unit_en", "unit_zh"}
    for column, entry in mapping.items():
        if not isinstance(entry, Mapping):
            raise ConfigError(f"[labels] {column}: expected a table with keys {sorted(allowed)}, got {entry!r}")
        unknown = set(entry) - allowed
        if unknown:
            raise ConfigError(f"[labels] {column}: unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}")
        set_label(column, **entry)


def variable(column) -> Variable:
    """The catalogue entry of ``column`` (an entry holding only the column name when there is none)."""
    return _catalogue.get(str(column), Variable(str(column)))


def label(column, lang: str | None = None, unit: bool = True) -> str:
    """Display label of ``column`` in ``lang``, with its unit: ``label("urban_rate", "zh") == "城镇化率（%）"``."""
    return variable(column).label(check_lang(lang), unit=unit)


def term(key: str, lang: str | None = None) -> str:
    """A fixed word of the figures (see :data:`TERMS`) in ``lang``."""
    en, zh = TERMS[key]
    return zh if check_lang(lang) == "zh" else en


def caption(text: str, lang: str | None = None) -> str:
    """A figure title or caption in ``lang``.

    In Chinese, a line opening with a phrase of :data:`CAPTIONS` (``"Emerging hot spots: gdp"``) gets
    the Chinese phrase and a full-width colon, a catalogued column after it its label, and the run
    details in brackets are put into Chinese too; other text is kept as it is. English text is
    returned unchanged.
    """
    if check_lang(lang) != "zh" or not text:
        return text
    lines = []
    for line in text.split("\n"):
        for pattern, zh in _DETAILS:
            line = pattern.sub(zh, line)
        head, colon, rest = line.partition(": ")
        if colon and head in CAPTIONS:
            line = f"{CAPTIONS[head]}：{label(rest, 'zh') if rest in _catalogue else rest}"
        lines.append(line)
    return "\n".join(lines)


@contextmanager
def using(mapping: Mapping | None = None, lang: str | None = None):
    """Within the block: the catalogue entries of ``mapping`` (as :func:`set_labels`) and ``lang``
    as the default language; both restored afterwards (a pipeline run's ``[labels]`` and ``lang``)."""
    saved, saved_lang = dict(_catalogue), _default["lang"]
    try:
        set_labels(mapping or {})
        if lang is not None:
            set_language(lang)
        yield
    finally:
        _catalogue.clear()
        _catalogue.update(saved)
        _default["lang"] = saved_lang
