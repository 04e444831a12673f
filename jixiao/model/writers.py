"""Write a report's text as .docx or .pdf — for the demo corpus, tests and benchmarks.

The inverse of jixiao.read.ingest: `read_text(text_to_docx(t))` gives back `t` for a text whose tables
are in the flattened shape (one tab-prefixed cell per line, a blank line after each row); a PDF
gives back the text with long lines wrapped. Output is byte-stable: fixed dates, fixed zip times.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from .structure import split_lines
from .tables import find_tables

_FIXED = dt.datetime(2024, 1, 1, 0, 0, 0)


def text_to_docx(text: str, path: str | Path) -> Path:
    import docx

    document = docx.Document()
    props = document.core_properties
    props.author = props.last_modified_by = "jixiao"
    props.created = props.modified = props.last_printed = _FIXED
    props.revision = 1
    lines = split_lines(text)
    tables = {min(t.line_indices): t for t in find_tables(text, lines) if t.line_indices}
    i = 0
    while i < len(lines):
        if i in tables:
            t = tables[i]
            width = max(len(r) for r in t.rows)
            table = document.add_table(rows=len(t.rows), cols=width)
            table.style = "Table Grid"
            for r, row in enumerate(t.rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell.text
            i = max(t.line_indices) + 1
            if i < len(lines) and not text[lines[i].start:lines[i].end].strip():
                i += 1  # the blank line after the last row is part of the flattened table
            continue
        document.add_paragraph(text[lines[i].start:lines[i].end])
        i += 1
    buf = io.BytesIO()
    document.save(buf)
    out = Path(path)
    out.write_bytes(_stable_zip(buf.getvalue()))
    return out


def _stable_zip(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return buf.getvalue()


def text_to_pdf(text: str, path: str | Path, font_size: float = 10.5, draw_box: bool = False,
                chars_per_line: float = 38, title: str | None = None, tables: bool = False) -> Path:
    """A PDF with a text layer (reportlab's built-in CJK font STSong-Light, nothing to install).

    Lines longer than `chars_per_line` CJK characters (ASCII counting half) wrap as a word
    processor would (see wrap_line). `draw_box` adds a filled rectangle, so a text-less call
    makes an image-only, 'scanned' page.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = Path(path)
    c = canvas.Canvas(str(out), pagesize=A4, invariant=1)
    if title:
        c.setTitle(title)
    c.setAuthor("jixiao")
    width, height = A4
    margin, leading = 64, font_size * 1.52
    y = height - margin
    c.setFont("STSong-Light", font_size)
    if draw_box:
        c.rect(margin, height / 2, width - 2 * margin, 100, fill=1)
    pieces: list = pdf_lines(text, chars_per_line) if not tables else _lines_and_tables(text, chars_per_line)
    for piece in pieces:
        rows = piece if isinstance(piece, list) else None
        need = leading * (len(rows) + 1) if rows else 0
        if y < margin or (rows and y - need < margin):
            c.showPage()
            c.setFont("STSong-Light", font_size)
            y = height - margin
        if rows:  # a ruled table, as a .docx saved as PDF has it
            width_each = (width - 2 * margin) / max(len(r) for r in rows)
            h = leading * 1.4
            widest = max(sum(_width(ch) for ch in cell) for row in rows for cell in row) or 1
            size = min(font_size, (width_each - 4) / widest)  # a cell's text fits its cell
            c.setFont("STSong-Light", size)
            for r, row in enumerate(rows):
                for k, cell in enumerate(row):
                    c.rect(margin + k * width_each, y - (r + 1) * h + font_size, width_each, h)
                    c.drawString(margin + k * width_each + 2, y - (r + 1) * h + font_size + (h - size) / 2, cell)
            c.setFont("STSong-Light", font_size)
            y -= h * len(rows) + leading * 0.5
            continue
        if piece:
            c.drawString(margin, y, piece)
        y -= leading
    c.showPage()
    c.save()
    return out


def _lines_and_tables(text: str, chars_per_line: float) -> list:
    """The text's lines (wrapped), with each flattened table as one item: its rows of cell texts."""
    lines = split_lines(text)
    tables = {min(t.line_indices): t for t in find_tables(text, lines) if t.line_indices}
    out: list = []
    i = 0
    while i < len(lines):
        if i in tables:
            t = tables[i]
            out.append([[cell.text for cell in row] for row in t.rows])
            i = max(t.line_indices) + 1
            while i < len(lines) and not text[lines[i].start:lines[i].end].strip():
                i += 1
            continue
        line = text[lines[i].start:lines[i].end]
        if line.strip():
            out.extend(wrap_line(line, chars_per_line))
        i += 1
    return out


def pdf_lines(text: str, chars_per_line: float = 38) -> list[str]:
    """The lines a PDF made by text_to_pdf holds: each source line wrapped."""
    body = text[:-1] if text.endswith("\n") else text
    return [piece for line in body.split("\n") for piece in wrap_line(line, chars_per_line)] if body else []


_NO_LINE_START = set("，。、；：！？）》」』”’%％·…—")
_NO_LINE_END = set("（《「『“‘")


def _width(ch: str) -> float:
    return 0.5 if ord(ch) < 128 else 1.0


def _break_ok(prev: str, nxt: str) -> bool:
    """Like a word processor: numbers and ASCII words stay whole and keep their unit, closing
    punctuation never starts a line and opening punctuation never ends one."""
    if ord(prev) < 128 and not prev.isspace() and ord(nxt) < 128 and not nxt.isspace():
        return False
    if prev.isdigit() or prev in ".%":
        return False
    return nxt not in _NO_LINE_START and prev not in _NO_LINE_END


def wrap_line(line: str, limit: float = 38) -> list[str]:
    """Wrap one line at `limit` units (CJK 1, ASCII 0.5), breaking only where allowed."""
    out: list[str] = []
    rest = line
    while True:
        width, i = 0.0, 0
        while i < len(rest) and width + _width(rest[i]) <= limit:
            width += _width(rest[i])
            i += 1
        if i >= len(rest):
            out.append(rest)
            return out
        j = i
        while j > 0 and not _break_ok(rest[j - 1], rest[j]):
            j -= 1
        if j == 0:
            j = i
        out.append(rest[:j])
        rest = rest[j:]
