"""Grades against scores, self-scores against the report's own figures (plausibility), and the
grade distributions (优 N 个, 良 M 个…) that counts and rates use."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from . import Claim, Operand
from .context import Facts, Sentence, patterns, words
from .items import grade_column, score_column

_GRADE_AFTER_SCORE = patterns()["grade_after_score"]
_GRADE_IN_PART = patterns()["grade_in_part"]
_THRESHOLD_CLAUSE = patterns()["grade_threshold_clause"]


def level_of(word: str) -> int | None:
    return words()["grade_level"].get(word)


@dataclass
class Part:
    figure: int
    category: str   # a grade word, or a score band like "90分以上"
    level: int | None


def grade_parts(facts: Facts, s: Sentence) -> list[Part]:
    """Counts by grade or score band in one sentence: “优”的9个、“良”的2个 / 90分以上的6个."""
    parts: list[Part] = []
    prev_end = s.start
    prev = None
    for i in s.figures:
        f = facts.figures[i]
        if f.kind == "count" and f.unit in ("个", "项") and f.number is not None:
            gap = facts.text[prev_end:f.start]
            m = _GRADE_IN_PART.search(gap)
            if m:
                parts.append(Part(i, m.group(1), level_of(m.group(1))))
            elif prev is not None and facts.figures[prev].kind == "score" and facts.figures[prev].bound \
                    and re.fullmatch(r"[的\s]*", gap):
                parts.append(Part(i, facts.figures[prev].text, None))
        prev, prev_end = i, f.end
    return parts


def thresholds(facts: Facts) -> tuple[list[Decimal], str]:
    """Lower bounds of the four grade levels: stated in the report if it states two or more, else the default."""
    found: dict[int, Decimal] = {}
    for s in facts.sentences:
        text = facts.sentence_text(s)
        if not re.search(words()["grade_words"], text) or "分" not in text:
            continue
        for m in _THRESHOLD_CLAUSE.finditer(text):
            level = level_of(m.group(1))
            clause_start, clause_end = s.start + m.start(), s.start + m.end()
            scores = [facts.figures[i] for i in s.figures if clause_start <= facts.figures[i].start < clause_end
                      and facts.figures[i].kind in ("score", "number") and facts.figures[i].number is not None]
            if level is None or not scores:
                continue
            lows = [f.number for f in scores if f.bound in ("min", "range")]
            if lows:
                found.setdefault(level, min(lows))
            elif all(f.bound == "max" for f in scores):
                found.setdefault(level, Decimal(0))
    if len(found) >= 2:
        default = [Decimal(x) for x in words()["default_thresholds"]]
        return [found.get(k, default[k]) for k in range(4)], "report"
    return [Decimal(x) for x in words()["default_thresholds"]], "default"


def expected_level(score: Decimal, bounds: list[Decimal]) -> int:
    for level, low in enumerate(bounds):
        if score >= low:
            return level
    return len(bounds) - 1


def _grade_claim(score_fig, grade_word: str, start: int, end: int, bounds, source) -> Claim | None:
    level = level_of(grade_word)
    if level is None or score_fig.number is None or score_fig.number < 0:
        return None  # above 100 is kept: a score over the full marks has no grade (verification says so)
    return Claim("grade", "grade", "自评等级与得分对应", start, end, score_fig.number, score_fig.decimals, "分",
                 detail={"grade": grade_word, "level": level, "thresholds": [str(b) for b in bounds],
                         "source": source, "names": [ws[0] for ws in words()["grades"]]})


def extract(facts: Facts) -> list[Claim]:
    bounds, source = thresholds(facts)
    claims: list[Claim] = []
    for s in facts.sentences:
        for i in s.figures:
            f = facts.figures[i]
            if f.kind != "score" or f.bound is not None or f.number is None:
                continue
            m = _GRADE_AFTER_SCORE.match(facts.text[f.end:f.end + 20])
            if m:
                c = _grade_claim(f, m.group(1), f.start, f.end + m.end(), bounds, source)
                if c:
                    claims.append(c)
            claim = _plausibility(facts, i)
            if claim:
                claims.append(claim)
    for t in facts.report.tables:
        sc, gc = score_column(t), grade_column(t)
        if not sc or not gc:
            continue
        si, gi = t.columns.index(sc), t.columns.index(gc)
        for row in t.body_rows():
            if len(row) <= max(si, gi) or t.is_total_row(row):
                continue
            score_cell, grade_cell = row[si], row[gi]
            k = facts.figure_at(score_cell.start)
            score_fig = facts.figures[k] if k is not None else None
            word = grade_cell.text.strip().strip("“”\"")
            if score_fig is not None and level_of(word) is not None:
                c = _grade_claim(score_fig, word, score_cell.start, grade_cell.end, bounds, source)
                if c:
                    claims.append(c)
    return claims


def _plausibility(facts: Facts, i: int) -> Claim | None:
    """Plausibility: a full or near-full self-score, and what in its scope speaks against it."""
    f = facts.figures[i]
    w = words()
    if f.number < 98 or f.number > 100 or not w["score_labels"].search(facts.before(i)[-10:]) or w["not_a_score"].search(
            facts.text[max(0, f.start - 6):f.end + 4]):
        return None
    s = facts.sentences[facts.sentence_of[i]]
    paragraph = facts.report.paragraphs[s.paragraph]
    section = facts.project_section(f.start)
    if not facts.in_project(i):
        lo, hi, scope = 0, len(facts.text), "report"
    elif section is not None:
        lo, hi, scope = section.start, section.end, "project"
    else:
        lo, hi, scope = paragraph.start, paragraph.end, "project"
    rates = [j for j, g in enumerate(facts.figures) if lo <= g.start < hi and g.kind == "percent" and g.bound is None
             and g.number is not None and w["execution_rates"].search(g.label) and "控制率" not in g.label
             and (scope == "project" or not facts.in_project(j))]
    if scope == "report" and not rates:
        return None
    below = [j for j in rates if facts.figures[j].number < 100]
    admissions = [(m.start() + lo, m.end() + lo) for m in w["admissions"].finditer(facts.text[lo:hi])]
    return Claim("plausibility", "plausible", "满分自评与本报告的执行率和所述问题", f.start, f.end, f.number, f.decimals, "分",
                 [Operand(facts.figures[j].label + facts.figures[j].text, facts.figures[j].number,
                          facts.figures[j].start, facts.figures[j].end) for j in rates],
                 detail={"below": [facts.figures[j].text for j in below],
                         "admissions": [_clause(facts.text, a[0], lo, hi) for a in admissions[:3]],
                         "scope": scope})



def _clause(text: str, pos: int, lo: int, hi: int) -> str:
    """The clause around position pos, for quoting an admission."""
    start = max((text.rfind(c, lo, pos) for c in "，。；,;：:\n"), default=-1) + 1
    ends = [e for e in (text.find(c, pos, hi) for c in "，。；,;\n") if e >= 0]
    end = min(ends) if ends else hi
    return text[max(start, lo):end].strip()[:30]
