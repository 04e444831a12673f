"""Rates against their inputs, and rates above 100%: execution rates (spent ÷ budget),
category rates (评优率 = 优 ÷ all), and named ratios of two counts (调解成功率 = 成功 ÷ 受理)."""
from __future__ import annotations

import re
from bisect import bisect_left
from decimal import Decimal

from . import Claim, Operand
from .context import Facts, Sentence, patterns, words
from .grades import grade_parts
from .items import project_count

_CATEGORY_RATE = patterns()["category_rate"]
_PERSON = {"人", "名"}
_STEM_DROP = patterns()["rate_stem_drop"]
_DENOMINATOR_ORDER = ("adjusted", "budget", "initial")
_ROLE_NAMES = {"adjusted": "调整后预算", "budget": "预算", "initial": "年初预算", "spent": "实际支出"}


def extract(facts: Facts) -> list[Claim]:
    claims: list[Claim] = []
    w = words()
    for s in facts.sentences:
        for i in s.figures:
            f = facts.figures[i]
            if f.kind != "percent" or f.bound is not None or f.number is None:
                continue
            claim = None
            if w["execution_rates"].search(f.label):
                claim = _execution(facts, s, i)
            if claim is None and _CATEGORY_RATE.search(f.label):
                claim = _category(facts, s, i)
            if claim is None:
                claim = _count_ratio(facts, s, i)
            if claim is not None:
                claims.append(claim)
            if w["over_rates"].search(f.label) and f.number > 100 and "控制率" not in f.label:
                claims.append(_over(facts, s, i))
    return claims


def _role_candidates(facts: Facts, s: Sentence, i: int) -> list[int]:
    """Money figures that may feed rate i: its sentence, then its paragraph, before it."""
    same_paragraph = [t for t in facts.sentences_by_paragraph[s.paragraph] if t.index <= s.index]
    out = []
    for t in reversed(same_paragraph):
        out.extend(j for j in reversed(t.figures) if j < i and j in facts.roles)
    return out


def _execution(facts: Facts, s: Sentence, i: int) -> Claim | None:
    f = facts.figures[i]
    scope = facts.scopes.get(i, "total")
    in_project = facts.in_project(i)

    def same_scope(j: int) -> bool:
        return in_project or facts.scopes.get(j, "total") == scope

    sub = _is_sub_item(facts, i, enumerated_only=True)
    lo = _head(facts, f.start, "。！？!?")
    clause_lo = _head(facts, f.start, "。；;！？!?")
    candidates = _role_candidates(facts, s, i)
    if sub:  # ①…应到位68万元，实际到位21万元，到位率30.88%: one item's rate uses that item's figures
        candidates = [j for j in candidates if facts.figures[j].start >= clause_lo]
    scoped = [j for j in candidates if same_scope(j)]
    spent = next((j for j in scoped if facts.roles[j] == "spent"), None)
    if spent is None:  # the sentence names its spending with another scope word (项目 …执行数)
        spent = next((j for j in candidates if facts.roles[j] == "spent" and facts.figures[j].start >= lo), None)
    near = [j for j in candidates if same_scope(j) or facts.figures[j].start >= lo]
    if spent is None:
        return None

    def fits(j: int) -> bool:
        return j != spent and not facts.bracketed(j) and (sub or not _is_sub_item(facts, j))  # an item is no whole

    denominators: dict[str, int] = {}
    for j in near:
        role = facts.roles[j]
        if role in _DENOMINATOR_ORDER and role not in denominators and fits(j):
            denominators[role] = j
    if not in_project and not sub:  # a role not found nearby: the report's nearest earlier money of it
        taken = set(near)
        for role in _DENOMINATOR_ORDER:
            if role not in denominators:
                same = facts.money_of(role, scope)
                earlier = (same[k] for k in range(bisect_left(same, i) - 1, -1, -1))
                found = next((j for j in earlier if j not in taken and fits(j)), None)
                if found is not None:
                    denominators[role] = found
    chosen = next((r for r in _DENOMINATOR_ORDER if r in denominators), None)
    if chosen is None:
        return None
    num = Operand(_ROLE_NAMES["spent"], facts.wan(spent), facts.figures[spent].start, facts.figures[spent].end, "万元")
    den_i = denominators[chosen]
    den = Operand(_ROLE_NAMES[chosen], facts.wan(den_i), facts.figures[den_i].start, facts.figures[den_i].end, "万元")
    alts = [Operand(_ROLE_NAMES[r], facts.wan(j), facts.figures[j].start, facts.figures[j].end, "万元")
            for r, j in denominators.items() if r != chosen and facts.wan(j) != den.value]
    if not den.value:
        return None
    name = re.sub(r"^.*?([^，。、；\s]*率)[为达是:：\s]*$", r"\1", f.label) or "执行率"
    return Claim("rate", "ratio", f"{name} = {num.label} ÷ {den.label}", f.start, f.end, f.number, f.decimals, "%",
                 [num, den], alts)


def _category(facts: Facts, s: Sentence, i: int) -> Claim | None:
    f = facts.figures[i]
    parts = [p for p in grade_parts(facts, s) if p.figure < i and p.level is not None]
    if not parts:
        return None
    top = 1 if "优良" in f.label else 0
    good = sum(facts.figures[p.figure].number for p in parts if p.level <= top)
    total_i = next((j for j in s.figures if j < parts[0].figure and project_count(facts, j)), None)
    total = facts.figures[total_i].number if total_i is not None else sum(facts.figures[p.figure].number for p in parts)
    if not total:
        return None
    what = "优良" if top else "优"
    source = "所述项目总数" if total_i is not None else "各等级个数之和"
    return Claim("rate", "ratio", f"{'优良率' if top else '评优率'} = “{what}”个数 ÷ {source}", f.start, f.end, f.number,
                 f.decimals, "%", [Operand(f"“{what}”个数", good), Operand(source, total)])


def _unit_class(unit: str | None) -> str | None:
    if unit in _PERSON:
        return "person"
    return unit


def _stem_bigrams(text: str) -> set[str]:
    stem = _STEM_DROP.sub("", text)
    return {stem[k:k + 2] for k in range(len(stem) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", stem[k:k + 2])}


def _count_ratio(facts: Facts, s: Sentence, i: int) -> Claim | None:
    """A rate named after one of two counts before it in the sentence: 调解成功80件 … 调解成功率96.4%."""
    f = facts.figures[i]
    if not re.search(r"(?:[率度比]|占[^，。；]*)(?:为|达到|达|是|:|：)?\s*$", f.label):
        return None  # a named ratio (调解成功率96.4%), not any percentage after two counts
    rate_grams = _stem_bigrams(re.sub(r"[^，。；、]*[，。；、]", "", f.label))
    if not rate_grams:
        return None
    counts = [j for j in s.figures if j < i and facts.figures[j].kind == "count" and facts.figures[j].number is not None
              and facts.figures[j].bound is None]
    for k in range(len(counts) - 1, 0, -1):
        num_i = counts[k]
        prev_end = facts.figures[counts[k - 1]].end
        context = facts.text[prev_end:facts.figures[num_i].start]
        if not (_stem_bigrams(context) & rate_grams):
            continue
        cls = _unit_class(facts.figures[num_i].unit)
        den_i = next((j for j in reversed(counts[:k]) if _unit_class(facts.figures[j].unit) == cls), None)
        if den_i is None or not facts.figures[den_i].number:
            return None
        if patterns()["score_between"].search(facts.text[facts.figures[den_i].end:f.start]):
            return None  # rows of a flattened indicator table, not one sentence's counts
        num, den = facts.figures[num_i], facts.figures[den_i]
        name = re.sub(r"^.*?([^，。、；\s]*[率度])[为达是:：\s]*$", r"\1", f.label)
        return Claim("rate", "ratio", f"{name} = {num.label or '分子'} ÷ {den.label or '总数'}", f.start, f.end,
                     f.number, f.decimals, "%",
                     [Operand(num.label + num.text, num.number, num.start, num.end),
                      Operand(den.label + den.text, den.number, den.start, den.end)])
    return None


def _over(facts: Facts, s: Sentence, i: int) -> Claim:
    f = facts.figures[i]
    following = facts.sentences[s.index + 1] if s.index + 1 < len(facts.sentences) else None
    context = facts.sentence_text(s)
    if following is not None and following.paragraph in (s.paragraph, s.paragraph + 1):
        context += facts.sentence_text(following)
    explained = words()["over_explained"].search(context)
    return Claim("rate", "over", "执行率不应超过100%", f.start, f.end, f.number, f.decimals, "%",
                 [Operand("上限", Decimal(100))],
                 detail={"explained": explained.group(0) if explained else None})


def _head(facts: Facts, pos: int, stops: str) -> int:
    p = facts.report.paragraph_at(pos)
    lo = p.start if p is not None else 0
    return max(lo, max(facts.text.rfind(ch, lo, pos) for ch in stops) + 1)


def _is_sub_item(facts: Facts, i: int, enumerated_only: bool = False) -> bool:
    """Is figure i one item of a list (after ①, 分别, 如下 — or 其中 — in its sentence)?"""
    f = facts.figures[i]
    lo = _head(facts, f.start, "。！？!?")
    found = words()["sub_item"].findall(facts.text[lo:f.start])
    return any(not (enumerated_only and w == "其中") for w in found)
