"""Paragraphs and the section tree of a report, with offsets into the source text."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..read.textnorm import BLANKS
from .numbering import Marker, match_marker, parallel

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_SENTENCE_BREAK = re.compile(r"[。；;！!？?]")
_SENTENCE_END = "。；;！!？?：:”’）)"


@dataclass
class Line:
    start: int
    end: int  # excludes the line terminator


@dataclass
class Paragraph:
    """One paragraph: a line of the source (for PDFs, wrapped lines joined)."""

    index: int
    start: int  # first non-blank character
    end: int    # after the last non-blank character
    text: str
    kind: str = "text"  # "text" | "cell"
    marker: Marker | None = None
    table: int | None = None


@dataclass
class NumberingIssue:
    """Where numbering skips, repeats, or switches style at one level (for B07)."""

    kind: str  # "skip" | "repeat" | "switch" | "start"
    marker: Marker
    expected: str
    found: str


@dataclass
class Section:
    marker: Marker | None
    title: str
    start: int
    end: int
    paragraph: int | None  # index of the paragraph holding the marker
    depth: int = 0
    children: list["Section"] = field(default_factory=list)
    parent: "Section | None" = field(default=None, repr=False)

    def walk(self):
        """Every section in document order (pre-order), without recursion: numbering can nest a
        thousand deep (a thousand lines starting "1.")."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    @property
    def number_label(self) -> str:
        return _format_number(self.marker) if self.marker else ""


@dataclass
class Sentence:
    """A sentence of a text paragraph (split at 。；！？), with the figures standing in it."""

    index: int
    paragraph: int
    start: int
    end: int
    figures: list[int] = field(default_factory=list)


def split_sentences(text: str, paragraphs: list[Paragraph]) -> list[Sentence]:
    out: list[Sentence] = []
    for p in paragraphs:
        if p.kind != "text":
            continue
        pos = p.start
        for m in _SENTENCE_BREAK.finditer(text, p.start, p.end):
            out.append(Sentence(len(out), p.index, pos, m.end()))
            pos = m.end()
        if pos < p.end:
            out.append(Sentence(len(out), p.index, pos, p.end))
    return out


def split_lines(text: str) -> list[Line]:
    lines = []
    for m in _LINE.finditer(text):
        if m.start() == len(text) and m.start() == m.end():
            break
        body = m.group(0).rstrip("\r\n")
        lines.append(Line(m.start(), m.start() + len(body)))
    return lines


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in BLANKS:
        start += 1
    while end > start and text[end - 1] in BLANKS:
        end -= 1
    return start, end


def build_paragraphs(text: str, folded: str, lines: list[Line], table_lines: dict[int, int],
                     join_wrapped: bool = False) -> list[Paragraph]:
    """Paragraphs from lines; table cell lines become 'cell' paragraphs of their table.

    join_wrapped joins a line to the next when it was evidently wrapped by layout (PDF text):
    the line is long, does not end a sentence, and the next line starts no numbered item.
    """
    spans: list[tuple[int, int, int | None]] = []
    longest = max((ln.end - ln.start for ln in lines), default=0)
    i = 0
    while i < len(lines):
        ln = lines[i]
        if i in table_lines:
            spans.append((ln.start, ln.end, table_lines[i]))
            i += 1
            continue
        start, end = ln.start, ln.end
        while join_wrapped and i + 1 < len(lines) and i + 1 not in table_lines:
            s, e = _trim(text, start, end)
            nxt = lines[i + 1]
            ns, ne = _trim(text, nxt.start, nxt.end)
            wrapped = (e - ln.start >= 0.8 * longest and e > s and text[e - 1] not in _SENTENCE_END
                       and ne > ns and match_marker(folded, ns, ne) is None)
            if not wrapped:
                break
            end = nxt.end
            ln = nxt
            i += 1
        spans.append((start, end, None))
        i += 1
    paragraphs = []
    for start, end, table in spans:
        s, e = _trim(text, start, end)
        if s == e:
            continue
        kind = "cell" if table is not None else "text"
        marker = match_marker(folded, s, e) if table is None else None
        paragraphs.append(Paragraph(len(paragraphs), s, e, text[s:e], kind, marker, table))
    return paragraphs


def _format_number(marker: Marker) -> str:
    n = marker.number
    if marker.style in ("cn_dun", "cn_paren", "cn_di"):
        digits = _to_chinese(n)
        return {"cn_dun": f"{digits}、", "cn_paren": f"（{digits}）", "cn_di": f"第{digits}部分"}[marker.style]
    if marker.style == "circled":
        return chr(0x2460 + n - 1) if n <= 20 else str(n)
    return {"ar_dot": f"{n}.", "ar_dun": f"{n}、", "ar_paren": f"（{n}）"}[marker.style]


def _to_chinese(n: int) -> str:
    units = "零一二三四五六七八九"
    if n < 10:
        return units[n]
    if n < 20:
        return "十" + (units[n - 10] if n > 10 else "")
    if n < 100:
        return units[n // 10] + "十" + (units[n % 10] if n % 10 else "")
    return str(n)


def _title(text: str) -> str:
    m = re.search(r"[：:。；;]", text)
    title = text[: m.start()] if m else text
    return title.strip()[:40]


@dataclass
class _Frame:
    style: str
    last: int
    node: Section


def build_sections(text: str, paragraphs: list[Paragraph]) -> tuple[Section, list[NumberingIssue]]:
    """The section tree from numbered paragraphs, and the places its numbering is irregular.

    A marker continues the open list of its style that expects that number; a 1 starts a nested
    list (reports reuse 一、 inside a section); anything else is an irregularity, attached to the
    nearest open list of that style, or read as a style switch when a parallel style's next
    number, or as a list that does not start at 1.
    """
    root = Section(None, "", 0, len(text), None, 0)
    stack: list[_Frame] = []
    issues: list[NumberingIssue] = []
    for p in paragraphs:
        mk = p.marker
        if mk is None:
            continue
        node = Section(mk, _title(text[mk.end:p.end]), p.start, len(text), p.index)
        same = [i for i, f in enumerate(stack) if f.style == mk.style]
        match = [i for i in same if stack[i].last + 1 == mk.number]
        if match:
            frame_at = match[-1]
        elif mk.number == 1:
            frame_at = None
        elif same:
            frame_at = same[-1]
            f = stack[frame_at]
            kind = "repeat" if mk.number <= f.last else "skip"
            issues.append(NumberingIssue(kind, mk, _format_number(Marker(mk.style, f.last + 1, 0, 0)),
                                         _format_number(mk)))
        elif stack and parallel(stack[-1].style, mk.style) and stack[-1].last + 1 == mk.number:
            frame_at = len(stack) - 1
            prev = stack[frame_at]
            issues.append(NumberingIssue("switch", mk, _format_number(Marker(prev.style, mk.number, 0, 0)),
                                         _format_number(mk)))
        else:
            frame_at = None
            issues.append(NumberingIssue("start", mk, _format_number(Marker(mk.style, 1, 0, 0)),
                                         _format_number(mk)))
        if frame_at is None:
            parent = stack[-1].node if stack else root
            stack.append(_Frame(mk.style, mk.number, node))
        else:
            del stack[frame_at + 1:]
            parent = stack[frame_at].node.parent or root
            stack[frame_at].last = mk.number
            stack[frame_at].node = node
        node.parent = parent
        node.depth = parent.depth + 1
        parent.children.append(node)
    _close(root)
    return root, issues


def _close(root: Section) -> None:
    """Each section ends where its next sibling starts, or where its parent ends (iterative)."""
    for node in root.walk():
        for i, child in enumerate(node.children):
            child.end = node.children[i + 1].start if i + 1 < len(node.children) else node.end
