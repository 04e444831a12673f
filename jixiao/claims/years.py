"""A10: results or budgets of the evaluated year attributed to an earlier fiscal year (a leftover of an
earlier report's text), unless the words around the year mark it as history."""
from __future__ import annotations

import re

from . import Claim, Operand
from .context import Facts, words

_CLAUSE_END = re.compile(r"[，,。；;：:]")
_LOOKBACK = 3  # years: older ones are history, not a stale copy


def extract(facts: Facts) -> list[Claim]:
    fy = facts.report.meta.year
    if fy is None:
        return []
    w = words()
    claims = []
    for s in facts.sentences:
        for i in s.figures:
            f = facts.figures[i]
            if f.kind != "year" or f.number is None or not fy - _LOOKBACK <= int(f.number) < fy:
                continue  # any earlier fiscal year, not only the one before
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
            claims.append(Claim("A10", "year", "所述成果应属本报告的评价年度", f.start, hi, f.number, 0, "年",
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
