"""Passages of a report for text comparison: sentences keyed by their normalised text.

The key drops what differs between copies without changing what they say: whitespace,
full/half width, a leading list number, the closing punctuation. `masked` also replaces every
run of digits, so that templated sentences that differ only in their figures compare equal.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .report import Report
from .textnorm import fold

_LEAD = re.compile(r"^\s*(?:[(（]?[一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十\d]{1,3}[、.．]|[①-⑳])\s*[、.．]?\s*")
_DROP = re.compile(r"[\s\u3000，,。.；;：:、！!？?“”\"'‘’（）()《》〈〉【】\[\]…—\-·]")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")

_CLAUSE = re.compile(r"[，,。；;：:！!？?\n]")

MIN_CHARS = 15


@dataclass(frozen=True)
class Passage:
    start: int  # source span, the leading list number excluded
    end: int
    key: str
    masked: str
    paragraph: int
    sentence: int


def normalise(text: str) -> str:
    return _DROP.sub("", fold(text))


def _prose_paragraphs(report: Report) -> set[int]:
    """Paragraphs with sentence punctuation: titles, headings and signature lines are not prose."""
    return {p.index for p in report.paragraphs if _CLAUSE.search(p.text)}


def passages(report: Report, min_chars: int = MIN_CHARS) -> list[Passage]:
    out = []
    prose = _prose_paragraphs(report)
    for s in report.sentences:
        if s.paragraph not in prose:
            continue
        raw = report.text[s.start:s.end]
        lead = _LEAD.match(raw)
        start = s.start + (lead.end() if lead else 0)
        while start < s.end and report.text[start] in " \t\u3000":
            start += 1
        end = s.end
        key = normalise(report.text[start:end])
        if len(key) < min_chars:
            continue
        out.append(Passage(start, end, key, _DIGITS.sub("0", key), s.paragraph, s.index))
    return out


@dataclass(frozen=True)
class Clause:
    """A clause (or a run of short clauses) of a sentence: the unit compared across reports."""

    start: int
    end: int
    key: str


def clauses(report: Report, min_chars: int = 8) -> list[Clause]:
    """Clauses of the text paragraphs, short ones joined to the next, each at least min_chars long."""
    out: list[Clause] = []
    text = report.text
    prose = _prose_paragraphs(report)
    for s in report.sentences:
        if s.paragraph not in prose:
            continue
        pos = s.start
        pending = None
        bounds = [m.end() for m in _CLAUSE.finditer(text, s.start, s.end)]
        if not bounds or bounds[-1] != s.end:
            bounds.append(s.end)
        for end in bounds:
            start = pending if pending is not None else pos
            key = normalise(text[start:end])
            pos = end
            if len(key) < min_chars:
                pending = start
                continue
            pending = None
            lead = _LEAD.match(text[start:end])
            if lead:
                start += lead.end()
            out.append(Clause(start, end, key))
    return out


def shingles(key: str, n: int = 3) -> set[str]:
    return {key[i:i + n] for i in range(max(1, len(key) - n + 1))}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0
