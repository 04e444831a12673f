"""Shares and year-on-year changes (rates of kind share and growth).

- share: 人员经费1945.31万元，占基本支出的91.39% — the part over its stated whole; when the whole
  is not named (其中：A万元，占59.2%；B万元，占40.8%), the total the part belongs to;
- growth: 支出192.01万元，较上年减少27.31万元，下降12.5% — the change over last year's base
  (this year's figure minus an increase, plus a decrease), with this year's figure found in the
  sentence before when the sentence itself has none. A rate computed on this year's figure instead
  of last year's is the finding.
"""
from __future__ import annotations

import re

from . import Claim, Operand, breakdowns
from .context import Facts
from .prose import is_comparison, is_per_unit, names_total, paragraph_figures, pw, quantity


def extract(facts: Facts) -> list[Claim]:
    parent: dict[int, int] = {}
    for c in breakdowns.extract(facts):
        for j in c.detail["parts"]:
            parent.setdefault(j, c.detail["total"])
    claims = []
    for p, figs in paragraph_figures(facts).items():
        for k, i in enumerate(figs):
            f = facts.figures[i]
            if f.kind != "percent" or f.number is None or f.bound is not None:
                continue
            claim = _growth(facts, p, figs[:k], i) or _share(facts, p, figs[:k], i, parent) \
                or _completion(facts, p, figs[:k], i) or _over_plan(facts, i)
            if claim is not None:
                claims.append(claim)
    return claims


def _clause_start(facts: Facts, pos: int, lo: int) -> int:
    k = max(facts.text.rfind(ch, lo, pos) for ch in "。；;！？")
    return max(lo, k + 1)


def _share(facts: Facts, p: int, before: list[int], i: int, parent: dict[int, int]) -> Claim | None:
    f = facts.figures[i]
    m = pw()["share"].search(f.label)
    if m is None:
        return None
    para = facts.report.paragraphs[p]
    lo = _clause_start(facts, f.start, para.start)
    near = [q for q in (quantity(facts, j) for j in before) if q is not None and q.start >= lo
            and not is_comparison(facts, q.index) and not is_per_unit(facts, q.index)]
    if not near:
        return None
    part = near[-1]
    whole_name = (m.group("whole") or "").strip() if "whole" in m.groupdict() else ""
    whole = None
    if whole_name:
        key = whole_name.replace("总", "").replace("全年", "").replace("本年", "")
        cands = [q for q in (quantity(facts, j) for j in before) if q is not None and q.cls == part.cls
                 and q.index != part.index and key and key in facts.figures[q.index].label
                 and q.value >= part.value]
        whole = cands[-1] if cands else None
    elif part.index in parent:
        whole = quantity(facts, parent[part.index])
    if whole is None or not whole.value:
        return None
    what = whole_name or (facts.figures[whole.index].label or "合计")
    return Claim("share", "ratio", f"占比 = {facts.figures[part.index].label or '分项'} ÷ {what}", f.start, f.end,
                 f.number, f.decimals, "%",
                 [Operand(facts.figures[part.index].label + facts.figures[part.index].text, part.value, part.start,
                          part.end),
                  Operand(facts.figures[whole.index].label + facts.figures[whole.index].text, whole.value, whole.start,
                          whole.end)])


def _growth(facts: Facts, p: int, before: list[int], i: int) -> Claim | None:
    f = facts.figures[i]
    w = pw()
    if not w["growth_rate"].search(f.label):
        return None
    para = facts.report.paragraphs[p]
    head = max(facts.text.rfind("。", para.start, f.start) + 1, para.start)
    if not w["previous_period"].search(facts.text[head:f.start]):
        return None
    qs = [q for q in (quantity(facts, j) for j in before) if q is not None]
    change = next((q for q in reversed(qs) if q.start >= head and is_comparison(facts, q.index)), None)
    if change is None:
        return None
    same = [q for q in qs if head <= q.start < change.start and q.cls == change.cls
            and not is_comparison(facts, q.index)]
    current = same[-1] if same else None
    if current is None:
        prev_head = max(facts.text.rfind("。", para.start, max(head - 1, para.start)) + 1, para.start)
        prev = [q for q in qs if prev_head <= q.start < head and q.cls == change.cls
                and not is_comparison(facts, q.index)]
        if not prev and p > 0:
            pf = paragraph_figures(facts)
            earlier = [k for k in pf if k < p]
            if earlier:
                prev = [q for q in (quantity(facts, j) for j in pf[max(earlier)]) if q is not None
                        and q.cls == change.cls and not is_comparison(facts, q.index)]
        named = [q for q in prev if names_total(facts, q.index)]
        current = (named or prev or [None])[0]
    if current is None:
        return None
    down = bool(w["decrease"].search(facts.figures[change.index].label + f.label))
    base = current.value + change.value if down else current.value - change.value
    if base <= 0:
        return None
    cf = facts.figures[current.index]
    unit = "万元" if current.cls[0] == "money" else (cf.unit or "")
    return Claim("growth", "ratio", f"{'降幅' if down else '增幅'} = 增减额 ÷ 上年数（{cf.label or '本年数'} "
                 f"{'+' if down else '−'} 增减额）", f.start, f.end, f.number, f.decimals, "%",
                 [Operand(facts.figures[change.index].label + facts.figures[change.index].text, change.value,
                          change.start, change.end, unit),
                  Operand("上年数", base, None, None, unit)],
                 alternatives=[Operand(f"本年数（{cf.label}{cf.text}）", current.value, current.start, current.end,
                                       unit)])


def _completion(facts: Facts, p: int, before: list[int], i: int) -> Claim | None:
    """共完成改造129户，完工率243%: done over the planned count (计划任务53户) in the same unit, earlier."""
    f = facts.figures[i]
    w = pw()
    if not re.search(w["completion_rate"], f.label):
        return None
    para = facts.report.paragraphs[p]
    head = max(facts.text.rfind("。", para.start, f.start) + 1, para.start)
    done = next((q for q in (quantity(facts, j) for j in reversed(before)) if q is not None and q.start >= head
                 and q.cls[0] == "count"), None)
    if done is None:
        return None
    planned = re.compile(w["planned"])
    plan = None
    for j in range(done.index - 1, -1, -1):
        q = quantity(facts, j)
        window = re.split(r"[。，,；;：:]", facts.report.folded[max(0, q.start - 24):q.start])[-1] if q else ""
        if q is not None and q.cls == done.cls and planned.search(window):
            plan = q
            break
    if plan is None or not plan.value:
        return None
    return Claim("rate", "ratio", "完成率 = 完成数 ÷ 计划数", f.start, f.end, f.number, f.decimals, "%",
                 [Operand(facts.figures[done.index].label + facts.figures[done.index].text, done.value, done.start,
                          done.end),
                  Operand(facts.figures[plan.index].label + facts.figures[plan.index].text, plan.value, plan.start,
                          plan.end)])


def _window(facts: Facts, q) -> str:
    return re.split(r"[。，,；;：:\n]", facts.report.folded[max(0, q.start - 24):q.start])[-1]


def _over_plan(facts: Facts, i: int) -> Claim | None:
    """实际改造数超任务43%: (done − planned) ÷ planned, with the one planned count and the one done count of
    the same unit that the report states; more than one candidate of either and it is not checked."""
    f = facts.figures[i]
    w = pw()
    if not re.search(w["over_plan_rate"], f.label):
        return None
    planned, done = re.compile(w["planned"]), re.compile(w["done_words"])
    counts = [q for q in (quantity(facts, j) for j in range(len(facts.figures))) if q is not None and q.cls[0] == "count"]
    for cls in dict.fromkeys(q.cls for q in counts):
        plans = {q.value: q for q in counts if q.cls == cls and planned.search(_window(facts, q))}
        top = max(plans) if plans else None
        dones = {q.value: q for q in counts if q.cls == cls and done.search(_window(facts, q)) and top is not None
                 and not planned.search(_window(facts, q)) and q.value > top}  # over the plan: more was done
        if len(plans) != 1 or len(dones) != 1:
            continue
        plan, got = next(iter(plans.values())), next(iter(dones.values()))
        if not plan.value or got.value <= plan.value:
            continue
        return Claim("rate", "ratio", "超任务比例 = （完成数 − 计划数）÷ 计划数", f.start, f.end, f.number, f.decimals, "%",
                     [Operand(f"超出数（{got.value} − {plan.value}）", got.value - plan.value),
                      Operand(facts.figures[plan.index].label + facts.figures[plan.index].text, plan.value, plan.start,
                              plan.end)])
    return None
