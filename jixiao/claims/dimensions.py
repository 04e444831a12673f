"""Products for structures: an area or volume against the dimensions written beside it.

长22米，宽17米，建筑面积为374平方米 / 防护网109平方米（高1.4米，长78米）/ 100立方米。长度22米，高3.5米，
均厚1.3米 / 道路长1.2公里，宽4.5米，面积5400㎡. Two dimensions make an area, three a volume. The
dimensions count only when they stand right beside the measure — right after it (in brackets or the
next clauses), or right before it with the measure named only as 面积/体积 — and each names a
different side; a range, a bound or a second value for one side leaves the measure unchecked.
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from . import Claim, Operand
from .context import Facts, words

_SIDES = {"area": 2, "volume": 3}
_NAMES = {"area": "面积", "volume": "体积"}
_CANONICAL = {"area": "平方米", "volume": "立方米"}
_SEPARATORS = re.compile(r"^[\s,，、。（()）:：]*$")


@lru_cache(maxsize=1)
def _patterns():
    w = words()
    return (re.compile(w["dimension_label"]), re.compile(w["measure_label"]),
            {u: Decimal(str(v)) for u, v in w["metres"].items()})


def _side(facts: Facts, i: int) -> str | None:
    f = facts.figures[i]
    label, _, metres = _patterns()
    if f.kind != "length" or f.unit not in metres or f.number is None or f.bound is not None:
        return None
    m = label.search(f.label)
    return m.group(1) if m else None


def _gap(facts: Facts, a: int, b: int) -> str:
    """The text between figure a and figure b, less b's label."""
    fb = facts.figures[b]
    gap = facts.text[facts.figures[a].end:fb.start]
    return gap[:len(gap) - len(fb.label)] if fb.label and gap.endswith(fb.label) else gap


def _run(facts: Facts, i: int, step: int) -> list[int]:
    """The dimensions that follow (step 1) or precede (step -1) figure i with only separators between."""
    out, k = [], i
    while 0 <= k + step < len(facts.figures):
        j = k + step
        if _side(facts, j) is None:
            break
        a, b = (k, j) if step > 0 else (j, k)
        if not _SEPARATORS.match(_gap(facts, a, b)):
            break
        out.append(j)
        k = j
    return out if step > 0 else out[::-1]


def extract(facts: Facts) -> list[Claim]:
    _, measure_label, metres = _patterns()
    claims = []
    for i, f in enumerate(facts.figures):
        if f.kind not in _SIDES or f.unit != _CANONICAL[f.kind] or f.number is None or f.bound is not None:
            continue
        need = _SIDES[f.kind]
        dims = _run(facts, i, 1)
        if len(dims) != need:
            before = _run(facts, i, -1)
            dims = before if len(before) == need and measure_label.match(f.label) else []
        sides = [_side(facts, j) for j in dims]
        if not dims or len(set(sides)) != need:
            continue
        ops = []
        for j in dims:
            d = facts.figures[j]
            ops.append(Operand(d.label.strip(" ,，、"), d.number * metres[d.unit], d.start, d.end, "米", d.decimals))
        name = re.sub(r"(?:为|约|达|共|计)+$", "", f.label.strip(" ,，、"))
        name = name if name.endswith(("面积", "体积", "方量")) else name + _NAMES[f.kind]
        relation = f"{name} = {' × '.join(sides)}"
        claims.append(Claim("product", "product", relation, f.start, f.end, f.number, f.decimals, f.unit, ops))
    return claims
