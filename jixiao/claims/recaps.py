"""Totals for work items: a total restated after the items it sums, in the items' own words.

A村道路硬化700平方米；B村道路硬化900平方米；C村道路硬化400平方米 … 已完成道路硬化2000平方米 — the
later figure names the same work (its label ends as every item's label ends: 道路硬化), in the same
unit, with a word of totalling (完成, 共, 累计…) between the last item and it. When the items add up to it, the relation is
consistent; when they do not, it is left unchecked: the items are often the plan and the total what
was done, which may rightly differ.
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import Claim, Operand
from .context import Facts, words
from .prose import paragraph_figures, quantity

MIN_SUFFIX = 2   # characters of work named alike (硬化, 挡墙建设)
_MEASURES = ("area", "volume", "length", "weight")  # counts have their own extractors
_CJK = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def _cue() -> re.Pattern:
    return re.compile(words()["recap_cue"])


def _common_suffix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return a[len(a) - n:]


def _work(label: str) -> str:
    return label.strip(" ，,、：:")


def extract(facts: Facts) -> list[Claim]:
    claims = []
    folded = getattr(facts.report, "folded", None) or facts.text
    for figs in paragraph_figures(facts).values():
        qs = [q for q in (quantity(facts, i) for i in figs) if q is not None and q.cls[0] in _MEASURES and q.value > 0]
        for k, total in enumerate(qs):
            label = _work(facts.figures[total.index].label)
            items = []
            for q in reversed(qs[:k]):
                if q.cls != total.cls:
                    continue
                item_label = _work(facts.figures[q.index].label)
                if _cue().search(item_label):
                    break
                suffix = _common_suffix(item_label, label)
                if len(suffix) < MIN_SUFFIX or not _CJK.search(suffix):
                    break
                items.append(q)
            items.reverse()
            if len(items) < 2 or not _cue().search(folded[items[-1].end:total.start]):
                continue
            shared = label
            for q in items:
                shared = _common_suffix(_work(facts.figures[q.index].label), shared)
            if len(shared) < MIN_SUFFIX:
                continue
            f = facts.figures[total.index]
            ops = [Operand(_work(facts.figures[q.index].label) + facts.figures[q.index].text, q.value, q.start, q.end,
                           decimals=q.decimals) for q in items]
            claims.append(Claim("total", "sum", f"{shared} 合计 = 前文各项之和（{len(items)}项）", f.start, f.end, total.value,
                                total.decimals, f.unit or "", ops, detail={"exhaustive": False, "restated": True}))
    return claims
