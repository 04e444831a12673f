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
import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import charset_normalizer

from ..errors import ReportError
from .textnorm import compact, fold

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DOCX_INFLATED_BYTES = 200 * 1024 * 1024
MAX_DOCX_ENTRIES = 2000
MAX_TEXT_CHARS = 2_000_000
GENRE_WORDS = ("绩效", "预算", "自评", "资金", "项目", "支出", "评价")
TEXT_SUFFIXES = {".txt", ".text"}
REPORT_SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf", ".doc"}

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
        raise ReportError(p, "is a symbolic link to nothing (or to itself)" if p.is_symlink() else "file not found")
    if p.is_dir():
        raise ReportError(p, "is a directory, not a report file")
    suffix = p.suffix.lower()
    if suffix == ".doc":
        raise ReportError(p, "old Word .doc format is not supported; save it as .docx and try again")
    if suffix not in TEXT_SUFFIXES | {".docx", ".pdf"}:
        raise ReportError(p, f"unsupported file type {suffix or '(no extension)'}; expected .txt, .docx or .pdf")
    data = read_bounded(p)
    if suffix == ".docx":
        source = Source(str(p), docx_text(data, p), "docx")
    elif suffix == ".pdf":
        source = Source(str(p), pdf_text(data, p), "pdf")
    else:
        text, encoding = decode_text(data, p)
        source = Source(str(p), text, "txt", encoding)
    check_text(source.text, p)
    return source


_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def read_bounded(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file, at most `limit` of them.

    Opened without blocking (a FIFO would wait for a writer forever) and checked on the open
    descriptor (a symlink to a device is refused, whatever stat said before); then at most
    limit + 1 bytes are read, so a file that grows or lies about its size cannot exhaust memory.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise ReportError(path, f"cannot open file ({exc.strerror or type(exc).__name__})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
            raise ReportError(path, f"is {kind}, not a report file; only regular files are read")
        if info.st_size > limit:
            raise ReportError(path, f"file too large ({info.st_size / 1048576:.1f} MB; the limit is {limit // 1048576} MB)")
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise ReportError(path, f"cannot read file ({exc.strerror or type(exc).__name__})") from None
    finally:
        os.close(fd)
    if total > limit:
        raise ReportError(path, f"file too large (more than {limit // 1048576} MB, the limit)")
    return b"".join(chunks)


def check_zip(data: bytes, path: str | Path = "<bytes>") -> None:
    """Refuse a .docx whose zip is not sound or inflates beyond the limits.

    The sizes a zip declares are not trusted: every member is inflated (and thrown away) while the
    bytes actually produced are counted against MAX_DOCX_INFLATED_BYTES; a lying size or a bad
    checksum is a broken file."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_DOCX_ENTRIES:
                raise ReportError(path, f"refusing a .docx with {len(infos)} parts (a zip bomb?)")
            declared = sum(info.file_size for info in infos)
            if declared > MAX_DOCX_INFLATED_BYTES:
                raise ReportError(path, f"refusing a .docx that inflates to {declared / 1048576:.0f} MB (a zip bomb?)")
            if "word/document.xml" not in zf.namelist():
                raise ReportError(path, "not a Word .docx file (no word/document.xml inside)")
            inflated = 0
            for info in infos:
                with zf.open(info) as member:
                    while chunk := member.read(1 << 20):
                        inflated += len(chunk)
                        if inflated > MAX_DOCX_INFLATED_BYTES:
                            raise ReportError(path, f"refusing a .docx that inflates to more than "
                                                    f"{MAX_DOCX_INFLATED_BYTES // 1048576} MB (a zip bomb?)")
    except ReportError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
        raise ReportError(path, "not a valid .docx file (not a zip archive, or truncated)") from None
    except Exception as exc:  # zlib.error and others: a damaged member
        raise ReportError(path, f"not a valid .docx file (damaged part: {type(exc).__name__})") from None


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

    check_zip(data, path)
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
    """One tab-prefixed line per cell, a blank line after each row; a table nested in a cell follows
    the row that holds it, in the same shape (a cell's own text never includes it)."""
    lines: list[str] = []
    for row in table.rows:
        seen = set()
        nested = []
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell repeats
                continue
            seen.add(id(cell._tc))
            lines.append("\t" + " ".join(cell.text.split("\n")) + "\n")
            nested.extend(cell.tables)
        lines.append("\n")
        lines.extend(_table_text(inner) for inner in nested)
    return "".join(lines)


def table_rows_text(rows: list[list[str | None]]) -> str:
    """Rows of cells in the .docx shape; None is the continuation of a merged cell, written once."""
    out: list[str] = []
    for row in rows:
        out.extend("\t" + " ".join((cell or "").split()) + "\n" for cell in row if cell is not None)
        out.append("\n")
    return "".join(out)


def _pdf_page_with_tables(data: bytes) -> dict[int, str]:
    """Pages whose ruled tables pdfplumber finds, as text: lines outside the tables and each table in
    the .docx shape, top to bottom — so a .docx saved as PDF reads as the .docx does."""
    try:
        import pdfplumber
    except ImportError:  # optional: without it, tables read as pypdf lays them out
        return {}
    out: dict[int, str] = {}
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for k, page in enumerate(pdf.pages):
                tables = page.find_tables()
                if not tables:
                    continue
                outside = page
                for t in tables:
                    outside = outside.outside_bbox(t.bbox)
                items = [(line["top"], 0, line["text"] + "\n") for line in outside.extract_text_lines()]
                items += [(t.bbox[1], 1, table_rows_text(t.extract())) for t in tables]
                out[k] = "".join(piece for _, _, piece in sorted(items, key=lambda x: (x[0], x[1])))
    except Exception:  # whatever pdfplumber cannot read, pypdf's text layer still gives
        return {}
    return out


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
        with_tables = _pdf_page_with_tables(data)
        pages = [(with_tables.get(k) or page.extract_text() or "").rstrip("\n") for k, page in enumerate(reader.pages)]
    except ReportError:
        raise
    except Exception as exc:
        raise ReportError(path, f"broken PDF file ({type(exc).__name__}: {str(exc)[:120]})") from None
    text = "\n".join(pages) + "\n"
    if sum(not ch.isspace() for ch in text) < 20:
        raise ReportError(path, "PDF has no text layer (a scanned image?); it needs OCR first")
    return text


def expand_paths(paths: Iterable[str | Path]) -> list[str]:
    """Files as given; a directory stands for the report files inside it, sorted by name.

    A folder that cannot be listed stands for itself, so that reading it gives its error."""
    out: list[str] = []
    for p in paths:
        path = Path(p)
        try:
            if path.is_dir():
                out.extend(str(c) for c in sorted(path.iterdir()) if c.is_file() and c.suffix.lower() in REPORT_SUFFIXES)
                continue
        except OSError:
            pass
        out.append(str(p))
    return out
