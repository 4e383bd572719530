"""Province-level names and codes of China, and the normalisation of region keys.

The table covers the 31 mainland provinces plus Hong Kong, Macao and Taiwan, keyed by the
6-digit administrative division code of GB/T 2260 (the codes the National Bureau of
Statistics publishes). Each row lists the official name, the short name, the English name
used by the NBS yearbooks, and the other spellings that occur in real tables (pinyin,
Wade-Giles, the official suffix-less forms of the autonomous regions).
"""

from __future__ import annotations

import math
import re
import unicodedata
from numbers import Integral, Real

# code, official name, short name, English name, other Chinese forms, other Latin spellings
PROVINCES: tuple[tuple[str, str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("110000", "北京市", "北京", "Beijing", (), ("Peking",)),
    ("120000", "天津市", "天津", "Tianjin", (), ("Tientsin",)),
    ("130000", "河北省", "河北", "Hebei", (), ("Hopeh", "Hopei")),
    ("140000", "山西省", "山西", "Shanxi", (), ("Shansi",)),
    ("150000", "内蒙古自治区", "内蒙古", "Inner Mongolia", ("内蒙", "內蒙古"),
     ("Nei Mongol", "Nei Menggu", "Neimenggu")),
    ("210000", "辽宁省", "辽宁", "Liaoning", (), ()),
    ("220000", "吉林省", "吉林", "Jilin", (), ("Kirin",)),
    ("230000", "黑龙江省", "黑龙江", "Heilongjiang", (), ()),
    ("310000", "上海市", "上海", "Shanghai", (), ()),
    ("320000", "江苏省", "江苏", "Jiangsu", (), ("Kiangsu",)),
    ("330000", "浙江省", "浙江", "Zhejiang", (), ("Chekiang",)),
    ("340000", "安徽省", "安徽", "Anhui", (), ("Anhwei",)),
    ("350000", "福建省", "福建", "Fujian", (), ("Fukien",)),
    ("360000", "江西省", "江西", "Jiangxi", (), ("Kiangsi",)),
    ("370000", "山东省", "山东", "Shandong", (), ("Shantung",)),
    ("410000", "河南省", "河南", "Henan", (), ("Honan",)),
    ("420000", "湖北省", "湖北", "Hubei", (), ("Hupeh",)),
    ("430000", "湖南省", "湖南", "Hunan", (), ()),
    ("440000", "广东省", "广东", "Guangdong", ("廣東",), ("Kwangtung",)),
    ("450000", "广西壮族自治区", "广西", "Guangxi", ("广西自治区", "广西壮族"),
     ("Guangxi Zhuang", "Guangxi Zhuangzu", "Kwangsi")),
    ("460000", "海南省", "海南", "Hainan", (), ()),
    ("500000", "重庆市", "重庆", "Chongqing", (), ("Chungking",)),
    ("510000", "四川省", "四川", "Sichuan", (), ("Szechwan", "Szechuan")),
    ("520000", "贵州省", "贵州", "Guizhou", (), ("Kweichow",)),
    ("530000", "云南省", "云南", "Yunnan", (), ()),
    ("540000", "西藏自治区", "西藏", "Tibet", (), ("Xizang",)),
    ("610000", "陕西省", "陕西", "Shaanxi", (), ("Shensi",)),
    ("620000", "甘肃省", "甘肃", "Gansu", (), ("Kansu",)),
    ("630000", "青海省", "青海", "Qinghai", (), ("Tsinghai",)),
    ("640000", "宁夏回族自治区", "宁夏", "Ningxia", ("宁夏自治区", "宁夏回族"),
     ("Ningxia Hui", "Ningsia")),
    ("650000", "新疆维吾尔自治区", "新疆", "Xinjiang", ("新疆自治区", "新疆维吾尔"),
     ("Xinjiang Uygur", "Xinjiang Uyghur", "Xinjiang Uighur", "Sinkiang")),
    ("710000", "台湾省", "台湾", "Taiwan", ("臺灣", "台灣", "臺灣省", "台灣省"), ()),
    ("810000", "香港特别行政区", "香港", "Hong Kong", ("香港特区",),
     ("Hongkong", "Xianggang")),
    ("820000", "澳门特别行政区", "澳门", "Macao", ("澳門", "澳门特区"),
     ("Macau", "Aomen")),
)
# "City"/"Shi" are accepted only after the four municipalities: "Jilin City" is a prefecture.
_MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})

# Generic words that English and pinyin tables append to a province name.
_LATIN_SUFFIXES = (
    "specialadministrativeregion", "autonomousregion", "municipality", "province",
    "zizhiqu", "sheng", "sar",
)
_PREFIXES = frozenset(code[:2] for code, *_ in PROVINCES)


def _latin(text: str) -> str:
    """Lower case, letters and digits only: 'Nei Mongol' and 'nei-mongol' compare equal."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _build_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, full, short, english, zh_other, latin_other in PROVINCES:
        for name in (full, short, *zh_other):
            lookup[name] = code
        for name in (english, *latin_other):
            lookup[_latin(name)] = code
    return lookup


_LOOKUP = _build_lookup()
NAME_ZH = {code: full for code, full, *_ in PROVINCES}
NAME_EN = {code: english for code, _full, _short, english, *_ in PROVINCES}


def _from_digits(digits: str) -> str | None:
    if len(digits) == 6 and digits[:2] in _PREFIXES:
        return digits
    if len(digits) == 2 and digits in _PREFIXES:
        return digits + "0000"
    return None


def clean_name(text: str) -> str:
    """A name without the padding yearbooks put around and inside short names.

    Yearbooks align two-character names with three-character ones by full-width spaces
    (``北　京``, ``全　国``) and indent sub-totals; the spaces carry no meaning.

    Examples
    --------
    >>> clean_name("　北　京 "), clean_name("New York")
    ('北京', 'New York')
    """
    return re.sub(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])", "", text.strip())


def normalize_region_key(value) -> str | None:
    """Return the 6-digit administrative code a province key stands for, or None.

    Recognises 6-digit codes (as text, integers, or floats such as ``110000.0``) and their
    2-digit province prefixes, and the names of the 31 provinces, Hong Kong, Macao and
    Taiwan: official Chinese names with or without their suffix (北京 / 北京市, 广西 /
    广西壮族自治区), English names and pinyin or older romanisations (Inner Mongolia / Nei
    Mongol, Tibet / Xizang, Macao / Macau / Aomen), ignoring case, spaces, punctuation and
    generic words such as "Province" or "Autonomous Region". Six-digit codes of lower levels
    (e.g. ``"320100"``) are returned unchanged when their province prefix exists.

    Parameters
    ----------
    value : str, int, float or None

    Returns
    -------
    str or None
        The code, or None when the key is not recognised (so that callers fall back to
        matching the key as it is).

    Examples
    --------
    >>> normalize_region_key("内蒙古"), normalize_region_key(110000.0), normalize_region_key("Xizang")
    ('150000', '110000', '540000')
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Integral):
        return _from_digits(f"{int(value):02d}") if value >= 0 else None
    if isinstance(value, Real):
        if not math.isfinite(value) or value != int(value):
            return None
        return normalize_region_key(int(value))
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        return None
    numeric = re.fullmatch(r"(\d+)(?:\.0*)?", text)
    if numeric:
        return _from_digits(numeric.group(1))
    text = re.sub(r"\s+", "", text)
    if text in _LOOKUP:
        return _LOOKUP[text]
    latin = _latin(text)
    if latin in _LOOKUP:
        return _LOOKUP[latin]
    for suffix in _LATIN_SUFFIXES:
        if latin.endswith(suffix) and latin[: -len(suffix)] in _LOOKUP:
            return _LOOKUP[latin[: -len(suffix)]]
    for suffix in ("city", "shi"):
        code = _LOOKUP.get(latin[: -len(suffix)]) if latin.endswith(suffix) else None
        if code in _MUNICIPALITIES:
            return code
    return None
