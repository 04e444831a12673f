"""Write a report's text as .docx or .pdf — for the demo corpus, tests and benchmarks.

The inverse of jixiao.ingest: `read_text(text_to_docx(t))` gives back `t` for a text whose tables
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
    tables = {min(t.line_indices): t for t in find_tables(text, lines)}
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
                chars_per_line: int = 38) -> Path:
    """A PDF with a text layer (reportlab's built-in CJK font STSong-Light, nothing to install).

    Lines longer than `chars_per_line` CJK characters (ASCII counting half) wrap, as a PDF's do.
    `draw_box` adds a filled rectangle, so a text-less call makes an image-only, 'scanned' page.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = Path(path)
    c = canvas.Canvas(str(out), pagesize=A4, invariant=1)
    width, height = A4
    margin, leading = 56, font_size * 1.6
    y = height - margin
    c.setFont("STSong-Light", font_size)
    if draw_box:
        c.rect(margin, height / 2, width - 2 * margin, 100, fill=1)
    for line in text.split("\n"):
        for piece in wrap_line(line, chars_per_line):
            if y < margin:
                c.showPage()
                c.setFont("STSong-Light", font_size)
                y = height - margin
            if piece:
                c.drawString(margin, y, piece)
            y -= leading
    c.showPage()
    c.save()
    return out


def wrap_line(line: str, chars_per_line: int) -> list[str]:
    """Split a line where it would overflow, counting ASCII as half a CJK character."""
    pieces, current, used = [], "", 0.0
    for ch in line:
        w = 0.5 if ord(ch) < 0x2E80 else 1.0
        if used + w > chars_per_line and current:
            pieces.append(current)
            current, used = "", 0.0
        current += ch
        used += w
    pieces.append(current)
    return pieces
