"""Text repeated inside one report: passages that occur twice (B01) and sibling sections that are
one template filled in again and again (B02)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from ..model.report import Report
from ..model.structure import Section
from .passages import MIN_CHARS, Passage, normalise, passages, shingles

NEAR = 0.85          # 3-gram Jaccard for a near-exact repeat
TEMPLATED = 0.5      # share of a section's text found in its siblings
_CITED = re.compile(r"《[^》]*》|[〔【\[(（]\d{4}[〕】\])）]\s*\d*号?")  # a cited document is no prose of the report
CLAUSE_WORDS = 14    # Chinese characters a clause repeated inside other sentences must have (not a
                     # citation, an amount or a label restated)


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


def templated_sections(report: Report, units: list[Passage] | None = None,
                        share: float = TEMPLATED) -> list[TemplatedSection]:
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
                part = sum(len(u.key) for u in shared) / total if total else 0.0
                results.append(TemplatedSection(c, len(group), part, [(u.start, u.end) for u in shared]))
            hits = [r for r in results if r.share >= share]
            if len(hits) >= 3 and len(hits) * 2 >= len(group):
                out.extend(hits)
    return out


def repeats(report: Report, units: list[Passage] | None = None,
            exclude: set[tuple[int, int]] | None = None, near: float = NEAR) -> list[Repeat]:
    """Passages that occur again later in the report, exact or near-exact, merged into runs."""
    units = passages(report) if units is None else units
    exclude = exclude or set()
    teaser = _teaser(report, units)
    units = [u for u in units if (u.start, u.end) not in exclude and u.paragraph != teaser]
    first_of: dict[int, tuple[int, bool]] = {}
    seen: dict[str, int] = {}
    grams = [shingles(u.key) for u in units]
    for k, u in enumerate(units):
        if u.key in seen:
            first_of[k] = (seen[u.key], True)
            continue
        seen[u.key] = k
        size = len(grams[k])
        for j in range(k):
            if j in first_of or abs(len(units[j].key) - len(u.key)) > 0.2 * len(u.key):
                continue
            other = len(grams[j])
            if min(size, other) < near * max(size, other):
                continue  # the Jaccard similarity is at most min/max of the two sizes
            common = len(grams[j] & grams[k])
            if common / (size + other - common) >= near and not _parallel(report, units[j], u):  # Jaccard
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


def _teaser(report: Report, units: list[Passage]) -> int | None:
    """A copying site's summary line: the first paragraph, whose text reappears below it (cut in
    10-character pieces, 60 % of them found later). Repeats of it are the site's, not the report's."""
    if not units:
        return None
    first = units[0].paragraph
    if first != 0:
        return None  # only the text's very first line can be a site's summary
    para = report.paragraphs[first]
    head = normalise(para.text)
    rest = normalise(report.text[para.end:])
    pieces = [head[i:i + 10] for i in range(0, len(head) - 9, 10)]
    if len(pieces) < 3:
        return None
    return first if sum(p in rest for p in pieces) >= 0.6 * len(pieces) else None


def _parallel(report: Report, a: Passage, b: Passage) -> bool:
    """Two sentences of one pattern about different subjects (收入合计… / 支出合计… under 收入情况 /
    支出情况): each differs from the other only in words naming its own paragraph's subject."""
    ops = [op for op in SequenceMatcher(None, a.key, b.key, autojunk=False).get_opcodes() if op[0] != "equal"]
    if not ops or any(op[0] != "replace" for op in ops):
        return False
    lead_a = normalise(report.text[report.paragraphs[a.paragraph].start:a.start])
    lead_b = normalise(report.text[report.paragraphs[b.paragraph].start:b.start])
    return all(a.key[i1:i2] in lead_a and b.key[j1:j2] in lead_b for _, i1, i2, j1, j2 in ops)


def clause_repeats(report: Report, found: list[Repeat], exclude: set[tuple[int, int]] | None = None,
                   min_chars: int = MIN_CHARS) -> list[Repeat]:
    """Clauses of min_chars or more repeated inside longer, different sentences (the sentences
    themselves are no repeat), merged into runs of consecutive clauses."""
    covered = [(r.start, r.end) for r in found] + [(r.first_start, r.first_end) for r in found]
    covered += list(exclude or ())
    units = passages(report)
    teaser = _teaser(report, units)
    teaser_span = next(((p.start, p.end) for p in report.paragraphs if p.index == teaser), None)
    if teaser_span:
        covered.append(teaser_span)

    def free(c) -> bool:
        return not any(s <= c.start and c.end <= e for s, e in covered)

    seen: dict[str, object] = {}
    runs: list[Repeat] = []
    last_first = None
    for c in _raw_clauses(report):
        key = normalise(report.text[c.start:c.end])
        words = sum(1 for ch in _CITED.sub("", report.text[c.start:c.end]) if "\u4e00" <= ch <= "\u9fff")
        if len(key) < min_chars or words < CLAUSE_WORDS or report.text[c.start:c.end].rstrip()[-1:] in ":：" \
                or not free(c):
            last_first = None
            continue
        first = seen.get(key)
        if first is None:
            seen[key] = c
            last_first = None
            continue
        if runs and last_first is not None and runs[-1].end <= c.start and not normalise(report.text[runs[-1].end:c.start]) \
                and not normalise(report.text[last_first.end:first.start]):
            runs[-1].end, runs[-1].first_end = c.end, first.end
        else:
            runs.append(Repeat(c.start, c.end, first.start, first.end, True))
        last_first = first
    return runs


_CLAUSE_STOP = re.compile(r"[，,；;：:。！!？?]")
_LEAD_NUMBER = re.compile(r"\s*(?:[(（]?[一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十\d]{1,3}[、.．]|[①-⑳])\s*")


@dataclass(frozen=True)
class _Span:
    start: int
    end: int


def _raw_clauses(report: Report) -> list[_Span]:
    """Every clause of the text paragraphs, cut at clause punctuation (kept), list numbers dropped."""
    out = []
    text = report.text
    for p in report.paragraphs:
        if p.kind != "text" or not _CLAUSE_STOP.search(text, p.start, p.end):
            continue  # titles and headings are no prose
        pos = p.start
        for m in list(_CLAUSE_STOP.finditer(text, p.start, p.end)) + [None]:
            end = m.end() if m else p.end
            lead = _LEAD_NUMBER.match(text, pos, end)
            start = lead.end() if lead else pos
            if end > start:
                out.append(_Span(start, end))
            pos = end
            if pos >= p.end:
                break
    return out
