"""What the boilerplate checks share: the repeats, templated sections and reused passages of a
report, computed once per report and corpus, and the boilerplate share built from them."""
from __future__ import annotations

from dataclasses import dataclass, field

from .passages import passages
from .repeats import Repeat, TemplatedSection, repeats, templated_sections
from .report import Report
from .reuse import Reuse, ReuseIndex, ReuseSnapshot, shared_with
from .wordlists import template_residue


@dataclass
class Residue:
    start: int
    end: int
    what: str


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


def find_residue(report: Report) -> list[Residue]:
    out = []
    for pattern, what, needs in template_residue():
        for m in pattern.finditer(report.text):
            if m.end() <= m.start():
                continue
            if needs is not None and not needs.search(report.text[max(0, m.start() - 10):m.end()]):
                continue
            out.append(Residue(m.start(), m.end(), what))
    return sorted(out, key=lambda r: (r.start, r.end))


def within(report: Report) -> TextReuse:
    """The boilerplate one report shows by itself: repeats, templated sections, residue."""
    units = passages(report)
    templated = templated_sections(report, units)
    shared = {span for t in templated for span in t.shared}
    return TextReuse(repeats(report, units, exclude=shared), templated, [], find_residue(report))


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
