"""What the boilerplate checks share: the repeats, templated sections and reused passages of a
report, computed once per report and corpus, and the boilerplate share built from them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..model.report import Report
from ..wordlists import load
from .index import Reuse, ReuseIndex, ReuseSnapshot, shared_with
from .passages import passages
from .repeats import NEAR, TEMPLATED, Repeat, TemplatedSection, clause_repeats, repeats, templated_sections


@dataclass
class Residue:
    start: int
    end: int
    what: str
    severity: str = "medium"


@dataclass
class TextReuse:
    """Everything boilerplate about one report, with spans into its source text."""

    repeated: list[Repeat] = field(default_factory=list)
    templated: list[TemplatedSection] = field(default_factory=list)
    reused: list[Reuse] = field(default_factory=list)
    residue: list[Residue] = field(default_factory=list)
    shared_with: dict[str, float] = field(default_factory=dict)  # other report key -> share of this text

    def spans(self) -> list[tuple[int, int, str]]:
        """(start, end, category) of every boilerplate passage, for the share and the charts."""
        out = [(r.start, r.end, "repeated") for r in self.repeated]
        out += [(s, e, "templated") for t in self.templated for s, e in t.shared]
        out += [(r.start, r.end, "stock" if r.kind == "stock" else "reused") for r in self.reused]
        out += [(r.start, r.end, "residue") for r in self.residue]
        return sorted(out)


@dataclass(frozen=True)
class ResiduePattern:
    pattern: re.Pattern
    what: str
    needs: re.Pattern | None = None
    severity: str = "medium"
    detector: str | None = None
    group: int = 0


@lru_cache(maxsize=1)
def residue_patterns() -> tuple[ResiduePattern, ...]:
    """The B04 entries of template_residue.yaml (patterns match the folded text)."""
    return tuple(ResiduePattern(re.compile(e["pattern"]), e["what"],
                                re.compile(e["needs"]) if e.get("needs") else None,
                                e.get("severity", "medium"), e.get("detector"), int(e.get("group", 0)))
                 for e in load("template_residue.yaml"))


_INSTRUCTION_NOT = re.compile(r"[我本已了均]|\d(?!\d*字)")
_LABEL_LINE = re.compile(r"[^\n|:：]{1,12}[:：][ \t|]*$")
_HEADING = re.compile(r"[(（]?[一二三四五六七八九十\d]{1,3}[)）、.]")


def _next_content_line(text: str, pos: int) -> str:
    """The next line after pos that holds more than blanks and table bars ('' at the end)."""
    for line in text[pos:].split("\n")[1:]:
        body = line.strip(" \t\u3000|")
        if body:
            return body
    return ""


def _is_residue(rp: ResiduePattern, text: str, folded: str, start: int, end: int) -> bool:
    if rp.detector == "instruction":
        # A paragraph that only tells what to write: no figure, no 我/本/已 of a written answer.
        return not _INSTRUCTION_NOT.search(folded, start, end) and end - start <= 90
    if rp.detector == "blank_field":
        # Blank when the next line is no value of it: another label, a heading, a long paragraph.
        nxt = _next_content_line(folded, end)
        return (not nxt or bool(_LABEL_LINE.match(nxt)) or bool(_HEADING.match(nxt)) or len(nxt) > 40)
    return True


def find_residue(report: Report) -> list[Residue]:
    """Template residue, one finding per artefact: overlapping matches are merged."""
    text, folded = report.text, report.folded
    hits: list[Residue] = []
    for rp in residue_patterns():
        for m in rp.pattern.finditer(folded):
            start, end = m.span(rp.group)
            if end <= start:
                continue
            if rp.needs is not None and not rp.needs.search(folded[max(0, m.start() - 10):m.end()]):
                continue
            if not _is_residue(rp, text, folded, start, end):
                continue
            hits.append(Residue(start, end, rp.what, rp.severity))
    hits.extend(empty_sections(report))
    hits.sort(key=lambda r: (r.start, -r.end))
    out: list[Residue] = []
    for r in hits:
        if out and r.start < out[-1].end:
            last = out[-1]
            if r.end > last.end:
                out[-1] = Residue(last.start, r.end, last.what, _worse(last.severity, r.severity))
            continue
        out.append(r)
    return out


def _worse(a: str, b: str) -> str:
    order = ["info", "low", "medium", "high"]
    return max(a, b, key=order.index)


def empty_sections(report: Report) -> list[Residue]:
    """A template heading left with no content: the last of its siblings, the others filled in.

    (In a table of contents every heading is empty, so a heading counts only when its earlier
    siblings each have content.)"""
    out = []
    paragraphs = report.paragraphs
    for node in report.sections.walk():
        kids = node.children
        for k, child in enumerate(kids):
            if k == 0 or k + 1 != len(kids) or child.children or child.paragraph is None:
                continue
            head = paragraphs[child.paragraph]
            nxt = paragraphs[child.paragraph + 1] if child.paragraph + 1 < len(paragraphs) else None
            if nxt is None or nxt.marker is None or nxt.start < child.end:
                continue  # content follows, or the text ends (an opening cut short)
            if re.search(r"[。；;:：]", head.text) or len(head.text) > 40:
                continue
            filled = all(s.children or paragraphs[s.paragraph + 1].marker is None
                         for s in kids[:k] if s.paragraph is not None and s.paragraph + 1 < len(paragraphs))
            if filled:
                out.append(Residue(head.start, head.end, "模板中的章节标题下没有内容（标题留着，正文未写）"))
    return out


def within(report: Report, near: float = NEAR, templated_share: float = TEMPLATED) -> TextReuse:
    """The boilerplate one report shows by itself: repeats, templated sections, residue.
    near, templated_share: the B01 and B02 thresholds (the registry's, overridable per batch)."""
    units = passages(report)
    templated = templated_sections(report, units, templated_share)
    shared = {span for t in templated for span in t.shared}
    repeated = repeats(report, units, exclude=shared, near=near)
    repeated = sorted(repeated + clause_repeats(report, repeated, shared), key=lambda r: (r.start, r.end))
    return TextReuse(repeated, templated, [], find_residue(report))


def analyse(report: Report, index: ReuseIndex | ReuseSnapshot | None, inside: TextReuse | None = None) -> TextReuse:
    """Everything: what the report shows by itself and what it shares with the indexed reports."""
    inside = inside or within(report)
    reused = index.reuse(report) if index is not None else []
    return TextReuse(inside.repeated, inside.templated, reused, inside.residue, shared_with(report, reused))


def boilerplate_share(report: Report, analysis: TextReuse) -> float:
    """The fraction of the report's non-blank characters that lie in boilerplate passages."""
    covered = bytearray(len(report.text))
    for start, end, _ in analysis.spans():
        covered[start:end] = b"\x01" * (end - start)
    text = report.text
    total = sum(1 for ch in text if not ch.isspace())
    inside = sum(1 for k, ch in enumerate(text) if covered[k] and not ch.isspace())
    return inside / total if total else 0.0


def summary(report: Report, analysis: TextReuse, index: ReuseIndex | ReuseSnapshot | None) -> dict:
    """Per-report text-reuse summary: the share and the characters by kind and by source."""
    def chars(spans):
        covered = set()
        for s, e in spans:
            covered.update(k for k in range(s, e) if not report.text[k].isspace())
        return len(covered)

    by_kind: dict[str, list[tuple[int, int]]] = {}
    for s, e, kind in analysis.spans():
        by_kind.setdefault(kind, []).append((s, e))
    sources = {}
    if index is not None:
        for key, share in sorted(analysis.shared_with.items()):
            entry = index.reports[key]
            sources[entry.name] = {"town": entry.town, "year": entry.year, "share": round(share, 4)}
    return {"share": round(boilerplate_share(report, analysis), 4),
            "chars": sum(1 for ch in report.text if not ch.isspace()),
            **{kind: chars(by_kind.get(kind, [])) for kind in ("repeated", "templated", "reused", "stock", "residue")},
            "sources": sources}
