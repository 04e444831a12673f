"""Products: quantity × unit price against the stated amount, and averages against total ÷ count.

32.6亩 … 1000元/亩 … 共32600元;  岗位48人，每人每月补贴1200元，全年共计发放69.12万元;
资金84万元用于12个村 … 村均7万元.
"""
from __future__ import annotations

import re
from decimal import Decimal

from . import Claim, Operand
from .context import Facts, patterns, words

_PER = patterns()["per_unit_label"]
_AMOUNT_LABEL = patterns()["amount_label"]
_MEAN = patterns()["mean_label"]
_YUAN = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}


_PERIODIC = patterns()["times_per_period"]
_CN_SMALL = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _periodic(facts: Facts) -> list[Claim]:
    """一个季度开展督导一次，共4次: times per period × periods in a year = the stated number of times."""
    claims = []
    per_year = words()["periods_per_year"]
    for m in _PERIODIC.finditer(facts.text):
        k = _CN_SMALL.get(m.group(2)) or (int(m.group(2)) if m.group(2).isdigit() else None)
        if k is None:
            continue
        n = per_year[m.group(1)]
        claims.append(Claim("product", "product", f"次数 = 每{m.group(1)}{k}次 × 全年{n}个{m.group(1)}", m.start(3), m.end(3),
                            Decimal(m.group(3)), 0, "次", [Operand(f"每{m.group(1)}次数", Decimal(k)),
                                                           Operand(f"全年{m.group(1)}数", Decimal(n))]))
    return claims


def _split_standard(facts: Facts) -> list[Claim]:
    """按2500元/户的标准，市级资金…（1000元/户），区级资金…（1500元/户）: the sources' prices make up the
    standard. Checked only when they add up; the text does not say the sources are all listed."""
    from .tolerance import consistent
    claims = []
    for s in facts.sentences:
        prices = [i for i in s.figures if _price(facts, i) is not None]
        for k, i in enumerate(prices):
            if _bracket_owner(facts, i) is not None:
                continue
            per = _price(facts, i)[0]
            owned = [j for j in prices[k + 1:] if _bracket_owner(facts, j) is not None and _price(facts, j)[0] == per]
            if len(owned) < 2:
                continue
            total = sum((_price(facts, j)[2] for j in owned), Decimal(0))
            f = facts.figures[i]
            if consistent(_price(facts, i)[2], f.decimals, total):
                claims.append(Claim("total", "sum", "标准 = 各来源标准之和", f.start, f.end, _price(facts, i)[2], f.decimals,
                                    f"元/{per}", [Operand(facts.figures[j].text, _price(facts, j)[2],
                                                           facts.figures[j].start, facts.figures[j].end) for j in owned]))
    return claims


def extract(facts: Facts) -> list[Claim]:
    claims = _periodic(facts) + _split_standard(facts)
    for s in facts.sentences:
        paragraph_figs = facts.figures_by_paragraph[s.paragraph]
        for i in s.figures:
            f = facts.figures[i]
            price = _price(facts, i)
            if price is not None:
                claim = _product(facts, s, paragraph_figs, i, *price)
                if claim:
                    claims.append(claim)
            if f.kind == "money" and _MEAN.search(f.label + facts.text[f.start - 2:f.start]):
                claim = _mean(facts, paragraph_figs, i)
                if claim:
                    claims.append(claim)
    return claims


def _price(facts: Facts, i: int):
    """(per-unit, period, yuan per unit) when figure i is a unit price: 1000元/亩 or 每亩每年1000元."""
    f = facts.figures[i]
    if f.number is None or f.bound is not None:
        return None
    if f.kind == "unit_price":
        money, per = f.unit.split("/", 1)[0], f.unit.split("/")[1]
        period = f.unit.split("/")[2] if f.unit.count("/") == 2 else None
        if money in _YUAN:
            return per, period, f.number * _YUAN[money]
    if f.kind == "money":
        m = _PER.search(f.label)
        if m:
            return m.group(1), m.group(2), f.number * _YUAN[f.unit]
    return None


def _product(facts: Facts, s, paragraph_figs: list[int], i: int, per: str, period: str | None, yuan: Decimal):
    units = words()["per_units"].get(per, [per])
    before = [j for j in paragraph_figs if j < i]
    after_in_sentence = [j for j in s.figures if j > i]
    quantity = next((j for j in reversed(before) if facts.figures[j].kind in ("area", "count", "length")
                     and facts.figures[j].unit in units and facts.figures[j].bound is None
                     and facts.figures[j].number is not None), None)
    if quantity is None:
        quantity = next((j for j in after_in_sentence if facts.figures[j].kind in ("area", "count", "length")
                         and facts.figures[j].unit in units and facts.figures[j].number is not None), None)
    if quantity is None:
        return None
    owner = _bracket_owner(facts, i)
    if owner is not None:
        amount = owner  # 182.9万元（1000元/户）: the price in brackets is the one of the amount before it
    else:
        amount = next((j for j in paragraph_figs if j > i and facts.figures[j].kind == "money"
                       and facts.figures[j].number is not None and _AMOUNT_LABEL.search(facts.figures[j].label)
                       and not _PER.search(facts.figures[j].label) and facts.sentence_of.get(j, -1) - s.index <= 2),
                      None)
        if amount is not None and _own_price(facts, amount):
            return None  # that amount states its own price
    if amount is None:
        return None
    a = facts.figures[amount]
    q = facts.figures[quantity]
    factor = Decimal(12) if period == "月" and patterns()["whole_year"].search(a.label + facts.sentence_text(s)) else Decimal(1)
    expected_yuan = q.number * yuan * factor
    unit_scale = _YUAN[a.unit]
    ops = [Operand(q.label + q.text, q.number, q.start, q.end),
           Operand(facts.figures[i].text, yuan / unit_scale, facts.figures[i].start, facts.figures[i].end)]
    relation = f"{a.label or '金额'} = 数量 × 单价"
    if factor != 1:
        ops.append(Operand("12个月", factor))
        relation += " × 12个月"
    return Claim("product", "product", relation, a.start, a.end, a.number, a.decimals, a.unit, ops,
                 detail={"expected_in_unit": str(expected_yuan / unit_scale)})


def _mean(facts: Facts, paragraph_figs: list[int], i: int):
    f = facts.figures[i]
    m = _MEAN.search(f.label + facts.text[f.start - 2:f.start])
    units = words()["per_units"].get(m.group(1), [m.group(1)])
    counts = [j for j in paragraph_figs if j != i and facts.figures[j].kind in ("count", "area")
              and facts.figures[j].unit in units and facts.figures[j].number and facts.figures[j].bound is None]
    totals = [j for j in paragraph_figs if j != i and facts.figures[j].kind == "money" and facts.figures[j].number
              and facts.figures[j].bound is None and not _MEAN.search(facts.figures[j].label)
              and facts.roles.get(j) != "other"]
    pair = next(((t, c) for c in counts for t in totals if abs(paragraph_figs.index(t) - paragraph_figs.index(c)) == 1), None)
    if pair is None:
        return None
    t, c = facts.figures[pair[0]], facts.figures[pair[1]]
    scale = _YUAN[f.unit]
    return Claim("product", "mean", f"{m.group(0)} = 总额 ÷ 数量", f.start, f.end, f.number, f.decimals, f.unit,
                 [Operand(t.label + t.text, t.number * _YUAN[t.unit] / scale, t.start, t.end),
                  Operand(c.label + c.text, c.number, c.start, c.end)],
                 bound=f.bound)


def _bracket_owner(facts: Facts, i: int) -> int | None:
    """The money figure right before a price written in brackets after it: N万元（P元/户）."""
    if i == 0:
        return None
    prev = facts.figures[i - 1]
    if prev.kind == "money" and re.fullmatch(r"\s*[（(]\s*", facts.text[prev.end:facts.figures[i].start]):
        return i - 1
    return None


def _own_price(facts: Facts, j: int) -> bool:
    return j + 1 < len(facts.figures) and _bracket_owner(facts, j + 1) == j and _price(facts, j + 1) is not None
