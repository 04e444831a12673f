"""Text repeated inside one report: passages that occur twice (B01) and sibling sections that are
one template filled in again and again (B02)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .passages import Passage, jaccard, passages, shingles
from .report import Report
from .structure import Section

NEAR = 0.85          # 3-gram Jaccard for a near-exact repeat
TEMPLATED = 0.5      # share of a section's text found in its siblings


@dataclass
class Repeat:
    """A passage (run of sentences) that repeats an earlier one."""

    start: int
    end: int
    first_start: int
    first_end: int
    exact: bool


@dataclass
class TemplatedSection:
    section: Section
    siblings: int               # how many sibling sections the group has
    share: float                # of this section's text, the part shared with siblings
    shared: list[tuple[int, int]] = field(default_factory=list)  # spans of the shared sentences


def templated_sections(report: Report, units: list[Passage] | None = None) -> list[TemplatedSection]:
    """Groups of three or more sibling sections that share most of their text with each other."""
    units = passages(report) if units is None else units
    out: list[TemplatedSection] = []
    for parent in report.sections.walk():
        by_style: dict[str, list[Section]] = {}
        for child in parent.children:
            by_style.setdefault(child.marker.style, []).append(child)
        for group in by_style.values():
            if len(group) < 3:
                continue
            members = [[u for u in units if c.start <= u.start < c.end] for c in group]
            keys = [{u.masked for u in m} for m in members]
            results = []
            for k, (c, m) in enumerate(zip(group, members)):
                others = set().union(*(keys[j] for j in range(len(group)) if j != k))
                shared = [u for u in m if u.masked in others]
                total = sum(len(u.key) for u in m)
                share = sum(len(u.key) for u in shared) / total if total else 0.0
                results.append(TemplatedSection(c, len(group), share, [(u.start, u.end) for u in shared]))
            hits = [r for r in results if r.share >= TEMPLATED]
            if len(hits) >= 3 and len(hits) * 2 >= len(group):
                out.extend(hits)
    return out


def repeats(report: Report, units: list[Passage] | None = None,
            exclude: set[tuple[int, int]] | None = None) -> list[Repeat]:
    """Passages that occur again later in the report, exact or near-exact, merged into runs."""
    units = passages(report) if units is None else units
    exclude = exclude or set()
    units = [u for u in units if (u.start, u.end) not in exclude]
    first_of: dict[int, tuple[int, bool]] = {}
    seen: dict[str, int] = {}
    grams = [shingles(u.key) for u in units]
    for k, u in enumerate(units):
        if u.key in seen:
            first_of[k] = (seen[u.key], True)
            continue
        seen[u.key] = k
        for j in range(k):
            if j in first_of or abs(len(units[j].key) - len(u.key)) > 0.2 * len(u.key):
                continue
            if jaccard(grams[j], grams[k]) >= NEAR:
                first_of[k] = (j, False)
                break
    runs: list[Repeat] = []
    for k in sorted(first_of):
        j, exact = first_of[k]
        u, f = units[k], units[j]
        last = runs[-1] if runs else None
        if last is not None and k - 1 in first_of and first_of[k - 1][0] == j - 1 \
                and units[k - 1].end == last.end and units[k - 1].paragraph == u.paragraph:
            last.end, last.first_end, last.exact = u.end, f.end, last.exact and exact
        else:
            runs.append(Repeat(u.start, u.end, f.start, f.end, exact))
    return runs
