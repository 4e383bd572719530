"""Files as grids of cells: text decoding (byte-order marks, UTF-16, GB18030), the CSV
delimiter, and Excel sheets (refusing formulas whose values the workbook does not store)."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from .._errors import InputError


def _utf16_without_bom(raw: bytes, path: Path) -> tuple[str, str]:
    """Text with NUL bytes: UTF-16 whose byte-order mark was lost (every ASCII character has a NUL half)."""
    sample = raw[:65536]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    candidate = "utf-16-le" if odd > even else "utf-16-be"
    # a table's digits, separators and line breaks are ASCII: NUL high bytes on one side only, often
    if min(even, odd) * 10 > max(even, odd) or max(even, odd) * 4 < len(sample) // 2:
        candidate = None
    if candidate:
        try:
            text = raw.decode(candidate)
        except UnicodeDecodeError:
            text = ""
        if "\x00" not in text and any(mark in text for mark in ",;\t\n"):
            return text, candidate
    raise InputError(
        f"{path}: contains NUL bytes, so it is not UTF-8 or GB18030 text, and it does not decode as UTF-16 "
        "either. If it is a spreadsheet, save it as .xlsx or .csv; if it is text, pass encoding='...'."
    )


def _decode(raw: bytes, encoding: str | None, path: Path) -> tuple[str, str]:
    if encoding:
        try:
            if raw.startswith(codecs.BOM_UTF8) and codecs.lookup(encoding).name != "utf-8":
                raw = raw[3:]  # a stray UTF-8 mark in front of text in another encoding
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(f"{path}: cannot be decoded as {encoding!r} ({exc}).") from None
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            line = raw[3 : 3 + exc.start].count(b"\n") + 1
            try:
                raw[3:].decode("gb18030")
                hint = "The text after the mark reads as GB18030 (GBK): pass encoding='gb18030' to read it so"
            except UnicodeDecodeError:
                hint = "Pass encoding='...' (the file's real encoding)"
            raise InputError(
                f"{path}: starts with a UTF-8 byte-order mark, but the text after it is not UTF-8 (byte "
                f"{raw[3 + exc.start]:#04x} on line {line}); some tool added the mark to text in another "
                f"encoding. {hint}, or re-save the file as UTF-8."
            ) from None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: starts with a UTF-16 byte-order mark but is not UTF-16 text ({exc}).") from None
    if b"\x00" in raw:
        return _utf16_without_bom(raw, path)
    for candidate in ("utf-8", "gb18030"):
        try:
            return raw.decode(candidate), candidate
        except UnicodeDecodeError:
            pass
    raise InputError(f"{path}: neither UTF-8 nor GB18030 text; pass encoding='...' (the file's encoding).")


def csv_grid(path: Path, encoding: str | None, sep: str | None) -> tuple[list[list], str, str]:
    text, used = _decode(path.read_bytes(), encoding, path)
    lines = text.splitlines()
    if sep is None:
        counts = {s: sum(s in line for line in lines) for s in (",", "\t", ";")}
        sep = max(counts, key=counts.get)
    return list(csv.reader(io.StringIO(text), delimiter=sep)), used, sep


def _uncached_formulas(path: Path, sheet: str, grid: list[list]) -> list[str]:
    """Cells holding a formula whose value the workbook does not store (written by a script, never
    opened in a spreadsheet program): openpyxl reads them as empty."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    if not any(c is None for r in grid for c in r):
        return []
    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        cells = []
        for i, row in enumerate(book[sheet].iter_rows(values_only=True)):
            for j, formula in enumerate(row):
                value = grid[i][j] if i < len(grid) and j < len(grid[i]) else None
                if value is None and (isinstance(formula, str) and formula.startswith("=") or hasattr(formula, "text")):
                    cells.append(f"{get_column_letter(j + 1)}{i + 1}")
        return cells
    finally:
        book.close()


def excel_grid(path: Path, sheet) -> list[list]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for damaged files
        raise InputError(f"{path}: not a readable .xlsx workbook ({exc}).") from None
    try:
        grids = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    finally:
        book.close()
    filled = [t for t, g in grids.items() if any(c not in (None, "") for r in g for c in r)]
    if sheet is None:
        if len(filled) != 1:
            raise InputError(
                f"{path}: {len(filled)} non-empty sheets {filled}; choose one with sheet='<name>'."
            )
        sheet = filled[0]
    if isinstance(sheet, int):
        if not -len(grids) <= sheet < len(grids):
            raise InputError(f"{path}: no sheet number {sheet}; the workbook has {len(grids)} sheets {list(grids)}.")
        sheet = list(grids)[sheet]
    if sheet not in grids:
        raise InputError(f"{path}: no sheet {sheet!r}; sheets are {list(grids)}.")
    formulas = _uncached_formulas(path, sheet, grids[sheet])
    if formulas:
        shown = ", ".join(formulas[:20]) + (f" ... and {len(formulas) - 20} more" if len(formulas) > 20 else "")
        raise InputError(
            f"{path}, sheet {sheet!r}: formula cells without cached values: {shown} — open and save the file "
            "in Excel/LibreOffice so the values are stored (files written by scripts keep only the formulas)."
        )
    return grids[sheet]
