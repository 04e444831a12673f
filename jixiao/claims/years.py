"""Years: results or budgets of the evaluated year attributed to an earlier fiscal year (a leftover of an
earlier report's text), unless the words around the year mark it as history."""
from __future__ import annotations

import re
from decimal import Decimal

from . import Claim, Operand
from .context import Facts, words

_CLAUSE_END = re.compile(r"[，,。；;：:]")
_LOOKBACK = 3  # years: older ones are history, not a stale copy


def _title_years(facts: Facts) -> list[Claim]:
    """《…2022年度…绩效自评表》 above a form titled 2023年度…绩效自评表: the report's own titles disagree on
    its fiscal year. Only titles standing at a line start or opening a 《》 count, not a cited report."""
    text = facts.text
    titles = []
    for m in re.finditer(words()["report_title"], text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        quote = text.rfind("《", line_start, m.start())
        lead = text[(quote + 1 if quote >= 0 else line_start):m.start()]
        if len(lead) <= 20 and not re.search(r"[，,。；;：:]", lead):
            titles.append(m)
    claims = []
    for m in titles[1:]:
        first = titles[0]
        if m.group(1) != first.group(1):
            claims.append(Claim("year", "year", "报告标题所述年度应前后一致", m.start(), m.end(), Decimal(m.group(1)), 0, "年",
                                [Operand("前文标题年度", Decimal(first.group(1)), first.start(1), first.end(1))],
                                detail={"titles": True, "clause": first.group(0)}))
            break
    return claims


def extract(facts: Facts) -> list[Claim]:
    claims = _title_years(facts)
    fy = facts.report.meta.year
    if fy is None:
        return claims
    w = words()
    titles = [(m.start(), m.end()) for m in re.finditer(w["report_title"], facts.text)]
    for s in facts.sentences:
        for i in s.figures:
            f = facts.figures[i]
            if f.kind != "year" or f.number is None or not fy - _LOOKBACK <= int(f.number) < fy:
                continue  # any earlier fiscal year, not only the one before
            if any(a <= f.start < b for a, b in titles):
                continue  # the report naming itself (…年度…自评报告): its year is meta's business, not a result
            if any(facts.figures[j].kind in ("year", "date") and facts.figures[j].number is not None
                   and facts.figures[j].number < f.number for j in s.figures if j < i):
                continue  # a chronology (2017年征地…，2018年建成…): history, not this year's result
            lo, hi = _clause_after(facts.text, f.end, s.end)
            clause = facts.text[lo:hi].strip()
            before = facts.text[max(s.start, f.start - 4):f.start]
            if not clause or w["year_ok_context"].search(clause) or w["year_ok_context"].search(before):
                continue
            if not w["year_results"].search(clause):
                continue
            claims.append(Claim("year", "year", "所述成果应属本报告的评价年度", f.start, hi, f.number, 0, "年",
                                [Operand("评价年度", fy)], detail={"clause": clause}))
    return claims


def _clause_after(text: str, pos: int, limit: int) -> tuple[int, int]:
    """The span of the clause after a year; when the year stands alone before a comma, the next clause."""
    if text.startswith("度", pos):
        pos += 1
    m = _CLAUSE_END.search(text, pos, limit)
    hi = m.start() if m else limit
    if not text[pos:hi].strip() and m:
        pos = m.end()
        m2 = _CLAUSE_END.search(text, pos, limit)
        hi = m2.start() if m2 else limit
    return pos, hi
