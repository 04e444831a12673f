"""Read report files (.txt in any common Chinese encoding, .docx, .pdf) into one source text.

The source text is what offsets refer to. For .txt it is the decoded file content exactly as
read; for .docx and .pdf it is the extracted text, with tables written one cell per line,
tab-prefixed, one blank line after each row — the shape flattened Word reports have as text —
so that every later stage treats every format alike.
"""
from __future__ import annotations

import codecs
import io
import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer

from .errors import ReportError
from .textnorm import compact, fold

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DOCX_INFLATED_BYTES = 200 * 1024 * 1024
MAX_DOCX_ENTRIES = 2000
MAX_TEXT_CHARS = 2_000_000
GENRE_WORDS = ("绩效", "预算", "自评", "资金", "项目", "支出", "评价")
TEXT_SUFFIXES = {".txt", ".text"}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CODEC_NAMES = {"utf_8": "utf-8", "utf_16": "utf-16", "utf_16_le": "utf-16-le",
                "utf_16_be": "utf-16-be", "gbk": "gb18030", "gb2312": "gb18030",
                "hz": "gb18030", "big5": "big5", "big5hkscs": "big5hkscs"}


@dataclass(frozen=True)
class Source:
    """A report's text as read, with where it came from."""

    path: str
    text: str
    format: str  # "txt" | "docx" | "pdf"
    encoding: str | None = None


def read_source(path: str | Path) -> Source:
    """Read one report file; raise ReportError with a one-line cause when it cannot be read."""
    p = Path(path)
    if not p.exists():
        raise ReportError(p, "file not found")
    if p.is_dir():
        raise ReportError(p, "is a directory, not a report file")
    suffix = p.suffix.lower()
    if suffix == ".doc":
        raise ReportError(p, "old Word .doc format is not supported; save it as .docx and try again")
    if suffix not in TEXT_SUFFIXES | {".docx", ".pdf"}:
        raise ReportError(p, f"unsupported file type {suffix or '(no extension)'}; expected .txt, .docx or .pdf")
    size = p.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ReportError(p, f"file too large ({size / 1048576:.1f} MB; the limit is {MAX_FILE_BYTES // 1048576} MB)")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ReportError(p, f"cannot read file ({exc.strerror or exc})") from None
    if suffix == ".docx":
        source = Source(str(p), docx_text(data, p), "docx")
    elif suffix == ".pdf":
        source = Source(str(p), pdf_text(data, p), "pdf")
    else:
        text, encoding = decode_text(data, p)
        source = Source(str(p), text, "txt", encoding)
    check_text(source.text, p)
    return source


def check_text(text: str, path: str | Path = "<text>") -> None:
    """Refuse text that cannot be a report: too long to audit, or with none of the genre's words."""
    if len(text) > MAX_TEXT_CHARS:
        raise ReportError(path, f"text too long ({len(text):,} characters; a report has far fewer, the limit is "
                                f"{MAX_TEXT_CHARS:,})")
    if not _has_genre_word(text):
        raise ReportError(path, "not a performance self-evaluation report (none of 绩效/预算/自评/资金/项目 occurs)")


def _has_genre_word(text: str) -> bool:
    """One of the genre's words, also in traditional characters or split by inline pinyin (績效, 項(xiàng)目)."""
    if any(word in text for word in GENRE_WORDS):
        return True
    folded = compact(fold(text))
    return any(word in folded for word in GENRE_WORDS)


def read_text(path: str | Path) -> str:
    return read_source(path).text


def decode_text(data: bytes, path: str | Path = "<bytes>") -> tuple[str, str]:
    """Decode report bytes, detecting the encoding: a BOM if present, else charset detection.

    A UTF-8 BOM is kept in the text (as U+FEFF), so offsets agree with a plain UTF-8 read.
    """
    if not data.strip():
        raise ReportError(path, "empty file" if not data else "file contains only whitespace")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), ("utf-8-sig" if codec == "utf-8" else codec)
            except UnicodeDecodeError as exc:
                raise ReportError(path, f"starts with a {codec} byte-order mark but is not valid {codec} ({exc.reason})") from None
    if b"\x00" in data:
        best = charset_normalizer.from_bytes(data).best()
        if best is not None and best.encoding.startswith(("utf_16", "utf_32")):
            codec = _CODEC_NAMES.get(best.encoding, best.encoding)
            return _text_only(data.decode(codec), path), codec
        raise ReportError(path, f"contains NUL bytes (first at byte {data.index(0)}): binary data, not a text report")
    try:
        return _text_only(data.decode("utf-8"), path), "utf-8"
    except UnicodeDecodeError:
        pass
    _refuse_mixed(data, path)
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise ReportError(path, "cannot determine the text encoding; the file looks binary, not text")
    codec = _CODEC_NAMES.get(best.encoding, best.encoding)
    try:
        return _text_only(data.decode(codec), path), codec
    except (UnicodeDecodeError, LookupError):
        raise ReportError(path, f"cannot decode as {codec}, the detected encoding") from None


def _text_only(text: str, path) -> str:
    """Refuse decoded 'text' that is mostly control characters: binary data that happened to decode."""
    controls = sum(1 for ch in text[:100_000] if ord(ch) < 32 and ch not in "\t\n\r\x0c")
    if controls > max(5, len(text[:100_000]) // 100):
        raise ReportError(path, f"{controls} control characters: binary data, not a text report")
    return text


def _refuse_mixed(data: bytes, path) -> None:
    """A file whose lines are partly UTF-8 and partly another encoding cannot be read as one text."""
    utf8_lines = other = 0
    first_other = None
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_lines += 1
        except UnicodeDecodeError:
            other += 1
            first_other = first_other or number
    if utf8_lines >= 2 and other:
        more = f" and {other - 1} more" if other > 1 else ""
        raise ReportError(path, f"mixed encodings: {utf8_lines} lines are UTF-8 but line {first_other}{more} "
                                f"not; save the file in one encoding")


def docx_text(data: bytes, path: str | Path = "<bytes>") -> str:
    """Paragraphs and tables of a .docx in document order, tables flattened one cell per line."""
    import docx
    from docx.table import Table

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if len(zf.infolist()) > MAX_DOCX_ENTRIES:
                raise ReportError(path, f"refusing a .docx with {len(zf.infolist())} parts (a zip bomb?)")
            inflated = sum(info.file_size for info in zf.infolist())
            if inflated > MAX_DOCX_INFLATED_BYTES:
                raise ReportError(path, f"refusing a .docx that inflates to {inflated / 1048576:.0f} MB (a zip bomb?)")
            if "word/document.xml" not in zf.namelist():
                raise ReportError(path, "not a Word .docx file (no word/document.xml inside)")
    except zipfile.BadZipFile:
        raise ReportError(path, "not a valid .docx file (not a zip archive, or truncated)") from None
    try:
        document = docx.Document(io.BytesIO(data))
        out: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                out.append(_table_text(block))
            else:
                out.append(block.text + "\n")
    except ReportError:
        raise
    except Exception as exc:  # python-docx raises many types on broken files
        raise ReportError(path, f"broken .docx file ({type(exc).__name__}: {str(exc)[:120]})") from None
    return "".join(out)


def _table_text(table) -> str:
    lines: list[str] = []
    for row in table.rows:
        seen = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell repeats
                continue
            seen.add(id(cell._tc))
            lines.append("\t" + " ".join(cell.text.split("\n")) + "\n")
        lines.append("\n")
    return "".join(lines)


def pdf_text(data: bytes, path: str | Path = "<bytes>") -> str:
    """The text layer of a PDF, pages joined by newlines; a PDF without one needs OCR."""
    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:
                ok = 0
            if not ok:
                raise ReportError(path, "password-protected PDF; save an unprotected copy and try again")
        pages = [(page.extract_text() or "").rstrip("\n") for page in reader.pages]
    except ReportError:
        raise
    except Exception as exc:
        raise ReportError(path, f"broken PDF file ({type(exc).__name__}: {str(exc)[:120]})") from None
    text = "\n".join(pages) + "\n"
    if sum(not ch.isspace() for ch in text) < 20:
        raise ReportError(path, "PDF has no text layer (a scanned image?); it needs OCR first")
    return text
