"""Tables a journal accepts: region names next to codes, a descriptive-statistics table, and
three-line (booktabs) tables in LaTeX and Word, CSV that Excel on Chinese Windows opens.

* CSV is written as UTF-8 with a byte-order mark (``utf-8-sig``) by default: Excel reads a CSV
  without a BOM in the system's code page (GBK on Chinese Windows), which garbles Chinese names;
  with the BOM it reads UTF-8. pandas, R and LibreOffice read both. ``bom=False`` writes plain UTF-8.
* LaTeX uses booktabs' ``\\toprule`` / ``\\midrule`` / ``\\bottomrule`` (the three-line table of
  Chinese and most English journals; ``\\usepackage{booktabs}``, and ``ctex`` for Chinese text).
* Word tables are built with python-docx (the ``docx`` extra): a thick rule above and below
  the table, a thin one under the header, no vertical lines.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import InputError, SpatialClusterWarning
from .._validate import _names
from ..labels import check_lang, label, term

TABLE_FORMATS = ("csv", "tex", "docx")
NAME_COLUMNS = {"zh": ("name_zh", "name", "name_en"), "en": ("name_en", "name", "name_zh")}


@cache
def _known_names() -> pd.DataFrame:
    """Chinese and English names of China's provinces and prefecture-level units, by code."""
    from ..io.names import PROVINCES

    rows = {code: (short, en) for code, _official, short, en, *_ in PROVINCES}
    try:
        import pyogrio

        from ..datasets import shapefile_path

        pref = pyogrio.read_dataframe(shapefile_path("china_prefectures"), read_geometry=False, encoding="UTF-8")
        for code, name in zip(pref["code"].astype(str), pref["name_zh"], strict=True):
            rows.setdefault(code, (name, None))
    except (ImportError, FileNotFoundError):  # prefecture names are optional: provinces still work
        pass
    return pd.DataFrame.from_dict(rows, orient="index", columns=["zh", "en"])


def region_names(ids, lang: str | None = None) -> pd.Series:
    """Names of Chinese region codes (provinces, prefectures) in ``lang``; missing where unknown."""
    lang = check_lang(lang)
    table = _known_names()
    ids = pd.Index([str(i) for i in ids])
    names = table.reindex(ids)
    out = names[lang].fillna(names["zh"]) if lang == "en" else names["zh"]
    return pd.Series(out.to_numpy(), index=ids, dtype=object)


def with_names(frame: pd.DataFrame, names=None, lang: str | None = None, id_name: str | None = None) -> pd.DataFrame:
    """``frame`` with its region ids as the first column and their names next to them.

    Parameters
    ----------
    frame : DataFrame
        Indexed by region id (or by region and period), or with the id in column ``id_name``.
    names : Series or mapping, optional
        id -> name. Default: the frame's own ``name_zh`` / ``name_en`` / ``name`` column (in
        ``lang``), else the bundled names of Chinese province and prefecture codes.
    lang : {"en", "zh"}, optional
    id_name : str, optional
        Column holding the id when the index does not (default: the index).

    Returns
    -------
    DataFrame
        A plain ``RangeIndex``, the id column (named ``code`` unless it has a name), then
        ``name``, then the other columns; geometry columns are dropped.
    """
    lang = check_lang(lang)
    out = pd.DataFrame(frame).copy()
    geom = [c for c in out.columns if str(out[c].dtype) == "geometry"]
    out = out.drop(columns=geom)
    if id_name is None:
        if isinstance(out.index, pd.RangeIndex) and out.index.name is None:
            raise InputError("the table has no region ids: index it by region id or pass id_name=<column>")
        levels = [n if n is not None else ("code" if i == 0 else f"level_{i}") for i, n in enumerate(out.index.names)]
        out.index = out.index.set_names(levels)
        id_name = levels[0]
        out = out.reset_index()
    elif id_name not in out.columns:
        raise InputError(f"no column {id_name!r} with the region ids; columns: {list(out.columns)}")
    ids = out[id_name].astype(str)
    own = next((c for c in NAME_COLUMNS[lang] if c in out.columns), None)
    if names is not None:
        lookup = names if isinstance(names, Mapping) else pd.Series(names)
        name = ids.map(lambda i: lookup.get(i))
    elif own is not None:
        name = out[own]
    else:
        name = pd.Series(region_names(ids, lang).to_numpy(), index=out.index)
    unnamed = ids[pd.isna(name.to_numpy())].unique()
    if len(unnamed):
        warnings.warn(f"with_names: no name for {len(unnamed)} region id(s): {_names(unnamed)}; their name cell is "
                      "left empty. Pass names={id: name} (or a name column) to name them.", SpatialClusterWarning,
                      stacklevel=2)
    out = out.drop(columns=[c for c in ("name", "name_zh", "name_en") if c in out.columns])
    out.insert(out.columns.get_loc(id_name) + 1, "name", name.to_numpy())
    return out.reset_index(drop=True)


def describe(data: pd.DataFrame, columns=None, lang: str | None = None) -> pd.DataFrame:
    """Descriptive statistics of numeric variables: N, mean, standard deviation, minimum, maximum.

    Parameters
    ----------
    data : DataFrame
    columns : list of str, optional
        Default: every numeric column.
    lang : {"en", "zh"}, optional
        Language of the row labels (from the variable catalogue, with units) and column heads.

    Returns
    -------
    DataFrame
        One row per variable, indexed by its label; ``N`` counts non-missing values and the
        standard deviation is the sample one (``ddof=1``), as Stata's ``summarize`` reports it.
    """
    lang = check_lang(lang)
    if columns is None:
        columns = [c for c in data.columns if pd.api.types.is_numeric_dtype(data[c])
                   and not pd.api.types.is_bool_dtype(data[c])]
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise InputError(f"describe: no columns {missing}; available: {list(data.columns)}")
    values = pd.DataFrame({c: pd.to_numeric(data[c], errors="coerce") for c in columns})
    stats = pd.DataFrame({
        "N": values.count(), "mean": values.mean(), "sd": values.std(ddof=1),
        "min": values.min(), "max": values.max(),
    })
    stats.index = pd.Index([label(c, lang) for c in columns], name=term("variable", lang))
    stats.columns = [term(c, lang) for c in stats.columns]
    return stats


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """A labelled index becomes the first column (no pandas index rows in the written table)."""
    frame = pd.DataFrame(frame)
    if not (isinstance(frame.index, pd.RangeIndex) and frame.index.name is None):
        frame = frame.reset_index()
    return frame.drop(columns=[c for c in frame.columns if str(frame[c].dtype) == "geometry"])


def _formatted(frame: pd.DataFrame, digits: int) -> pd.DataFrame:
    """Cells as text: floats to ``digits`` decimals, integers as they are, missing as empty."""

    def cell(v):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return ""
        if isinstance(v, float | np.floating):
            return f"{v:,.{digits}f}" if abs(v) >= 1e4 else f"{v:.{digits}f}"
        return str(v)

    return frame.map(cell) if hasattr(frame, "map") else frame.applymap(cell)


def to_latex(frame: pd.DataFrame, path=None, caption=None, label_=None, digits: int = 3) -> str:
    """A booktabs three-line LaTeX table (via pandas' Styler); written to ``path`` when given."""
    text = _formatted(_plain(frame), digits)
    text.columns = [str(c) for c in text.columns]
    styler = text.style.hide(axis="index").format(escape="latex")
    styler = styler.format_index(escape="latex", axis="columns")
    tex = styler.to_latex(hrules=True, caption=caption, label=label_, position_float="centering" if caption else None,
                          column_format="l" + "r" * (text.shape[1] - 1))
    if path is not None:
        Path(path).write_text(tex, encoding="utf-8")
    return tex


def _border(cell_or_table, edges: dict) -> None:
    """Set borders on a python-docx cell or table: ``{"top": 12, "bottom": 6}`` in eighths of a point."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = cell_or_table._tbl if hasattr(cell_or_table, "_tbl") else cell_or_table._tc
    props = element.tblPr if hasattr(cell_or_table, "_tbl") else element.get_or_add_tcPr()
    tag = "w:tblBorders" if hasattr(cell_or_table, "_tbl") else "w:tcBorders"
    borders = props.find(qn(tag))
    if borders is None:
        borders = OxmlElement(tag)
        props.append(borders)
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        size = edges.get(edge)
        el.set(qn("w:val"), "single" if size else "nil")
        if size:
            el.set(qn("w:sz"), str(size))
            el.set(qn("w:color"), "000000")
        borders.append(el)


def to_docx(frame: pd.DataFrame, path, caption=None, digits: int = 3) -> Path:
    """A three-line table in a Word document (python-docx): 1.5 pt rules above and below, 0.75 pt under the header."""
    try:
        import docx
        from docx.enum.text import WD_ALIGN_PARAGRAPH
    except ImportError as exc:
        raise InputError("Word tables need python-docx: pip install 'spatialcluster[docx]'") from exc
    text = _formatted(_plain(frame), digits)
    document = docx.Document()
    if caption:
        document.add_paragraph(caption)
    table = document.add_table(rows=len(text) + 1, cols=text.shape[1])
    _border(table, {"top": 12, "bottom": 12})
    for j, head in enumerate(text.columns):
        cell = table.cell(0, j)
        cell.text = str(head)
        _border(cell, {"top": 12, "bottom": 6})
        cell.paragraphs[0].runs[0].bold = True
    for i, row in enumerate(text.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            cell.text = value
            if j:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    path = Path(path)
    document.save(path)
    return path


def to_csv(frame: pd.DataFrame, path, bom: bool = True) -> Path:
    """CSV without pandas index rows, UTF-8 with BOM by default (Excel on Chinese Windows reads it right)."""
    path = Path(path)
    _plain(frame).to_csv(path, index=False, encoding="utf-8-sig" if bom else "utf-8")
    return path


def write_table(frame: pd.DataFrame, path, formats=("csv",), caption=None, digits: int = 3, bom: bool = True):
    """Write ``frame`` as CSV, LaTeX and / or Word next to ``path`` (its suffix is replaced).

    Parameters
    ----------
    frame : DataFrame
        A labelled index (e.g. region ids, variable labels) is written as the first column;
        use :func:`with_names` first to put region names next to codes.
    path : str or Path
    formats : str or sequence of {"csv", "tex", "docx"}
    caption : str, optional
        Caption of the LaTeX and Word tables.
    digits : int
        Decimals of floats in the LaTeX and Word tables (CSV keeps full precision).
    bom : bool
        Write the CSV as UTF-8 with a byte-order mark (default), which Excel needs to read Chinese.

    Returns
    -------
    list of Path
    """
    formats = (formats,) if isinstance(formats, str) else tuple(formats)
    bad = [f for f in formats if f not in TABLE_FORMATS]
    if bad:
        raise InputError(f"unknown table formats {bad}; choose from {list(TABLE_FORMATS)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for fmt in formats:
        target = path.with_suffix(f".{fmt}")
        if fmt == "csv":
            to_csv(frame, target, bom=bom)
        elif fmt == "tex":
            to_latex(frame, target, caption=caption, digits=digits)
        else:
            to_docx(frame, target, caption=caption, digits=digits)
        out.append(target)
    return out
