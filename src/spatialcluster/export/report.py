"""A self-contained HTML report of a run: text, tables, embedded images, logs and run metadata."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import io
import os
import re
import uuid
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from .._errors import InputError
from ..labels import check_lang, term

SECTION_KEYS = {"title", "text", "tables", "images", "log"}
_MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".svg": "image/svg+xml"}


@lru_cache(maxsize=1)
def _template():
    env = Environment(loader=PackageLoader("spatialcluster", "export/templates"), autoescape=True,
                      undefined=StrictUndefined)
    return env.get_template("report.html.j2")


def _captioned(item):
    """``(caption, x)`` or ``x`` -> ``(caption or None, x)``."""
    if isinstance(item, tuple):
        if len(item) != 2:
            raise InputError(f"expected (caption, item), got a tuple of {len(item)}")
        return item
    return None, item


def _items(value) -> list:
    """A list of items or ``(caption, item)`` pairs; a dict is read as caption -> item."""
    if value is None:
        return []
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, pd.DataFrame | str | Path) or hasattr(value, "savefig"):
        return [value]
    return list(value)


def _table(item, float_format) -> Markup:
    caption, df = _captioned(item)
    if isinstance(df, pd.Series):
        df = df.to_frame()
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"report tables must be DataFrames, got {type(df).__name__}")
    if not (isinstance(df.index, pd.RangeIndex) and df.index.name is None):
        # The index becomes an ordinary first column: pandas would add a header row for its name.
        df = df.reset_index().rename(columns={"index": ""})
    html = df.to_html(border=0, classes="data", float_format=float_format.format, na_rep="–", escape=True,
                      index=False)
    if caption:
        head, rest = html.split(">", 1)
        html = f"{head}><caption>{escape(caption)}</caption>{rest}"
    return Markup(f'<div class="table-wrap">{html}</div>')


def _image(item) -> dict:
    caption, src = _captioned(item)
    if hasattr(src, "savefig"):  # a matplotlib Figure
        buf = io.BytesIO()
        src.savefig(buf, format="png", dpi=150, bbox_inches="tight")
        return {"caption": caption, "name": "figure", "mime": "image/png",
                "data": base64.b64encode(buf.getvalue()).decode("ascii")}
    p = Path(src)
    mime = _MIME.get(p.suffix.lower())
    if mime is None:
        raise InputError(f"image {p}: unsupported type {p.suffix!r}; use one of {sorted(_MIME)}")
    if not p.is_file():
        raise InputError(f"image {p} does not exist")
    return {"caption": caption, "name": p.name, "mime": mime, "data": base64.b64encode(p.read_bytes()).decode("ascii")}


def _meta_value(value) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k} = {v}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def write_report(path, *, title, sections, meta=None, float_format="{:.4g}", lang=None):
    """Write a self-contained HTML report.

    Parameters
    ----------
    path : str or Path
        Output ``.html`` file, written to a temporary file beside it and moved into place.
    title : str
    sections : list of dict or dataclass
        Each (a dict, or a dataclass with these fields such as a pipeline step's section) with ``title`` (str) and optionally ``text`` (str; paragraphs separated by blank
        lines, single line breaks kept), ``tables`` (DataFrames or ``(caption, DataFrame)`` pairs, or a dict caption ->
        DataFrame), ``images`` (file paths or matplotlib Figures, optionally as
        ``(caption, path)`` pairs or a dict caption -> path; embedded as base64), ``log`` (str,
        shown preformatted).
    meta : dict, optional
        Run information shown as a table (software versions, seeds, inputs, ...).
    float_format : str
        Format of floats in the tables.
    lang : {"en", "zh"}, optional
        Language of the report's own words (contents, run information; default
        :func:`spatialcluster.set_language`). Tables show their index as a first column, never
        as an extra header row, and wide tables wrap their headers or scroll within the page.

    Returns
    -------
    Path
    """
    from .. import __version__

    path = Path(path)
    if not path.parent.exists():
        raise InputError(f"folder {path.parent} does not exist; create it first")
    if isinstance(sections, dict):
        sections = [sections]
    prepared = []
    for i, sec in enumerate(sections):
        if dataclasses.is_dataclass(sec) and not isinstance(sec, type):
            sec = {f.name: getattr(sec, f.name) for f in dataclasses.fields(sec)}
        if not isinstance(sec, dict) or "title" not in sec:
            raise InputError(f"section {i} must be a dict with at least a 'title'")
        unknown = set(sec) - SECTION_KEYS
        if unknown:
            raise InputError(f"section {sec['title']!r} has unknown keys {sorted(unknown)}; allowed: {sorted(SECTION_KEYS)}")
        text = str(sec.get("text") or "")
        prepared.append({
            "title": str(sec["title"]),
            "anchor": f"section-{i + 1}",
            # blank lines separate paragraphs; a single line break stays a line break
            "paragraphs": [[" ".join(line.split()) for line in block.splitlines() if line.strip()]
                           for block in re.split(r"\n\s*\n", text) if block.strip()],
            "tables": [_table(t, float_format) for t in _items(sec.get("tables"))],
            "images": [_image(im) for im in _items(sec.get("images"))],
            "log": str(sec.get("log") or ""),
        })
    lang = check_lang(lang)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    html = _template().render(
        lang="zh-CN" if lang == "zh" else "en",
        words={key: term(key, lang) for key in ("contents", "run_information", "self_contained")},
        generated_line=term("generated", lang).format(when=generated, version=__version__),
        title=str(title),
        sections=prepared,
        meta=[(str(k), _meta_value(v)) for k, v in (meta or {}).items()],
        version=__version__,
    )
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        tmp.write_text(html, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
    return path
