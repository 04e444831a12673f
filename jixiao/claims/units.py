"""Units: money in the wrong unit (元 among 万元 of the same size), a missing unit, an impossible value."""
from __future__ import annotations

import re

from . import Claim, Operand
from .context import Facts, patterns

_MONEY_LABEL_END = patterns()["money_label_end"]


def extract(facts: Facts) -> list[Claim]:
    claims = []
    for i, suspect in facts.unit_suspects.items():
        f = facts.figures[i]
        peers = [facts.figures[j] for j in suspect.peers]
        claims.append(Claim("unit", "unit", f"{f.label or '金额'} 单位", f.start, f.end, f.number, f.decimals, f.unit,
                            [Operand(p.label or "同段金额", p.number, p.start, p.end) for p in peers],
                            detail={"kind": "yuan_among_wan", "label": f.label}))
    for i, f in enumerate(facts.figures):
        if f.table is not None or f.number is None:
            continue
        if f.kind == "number" and f.number >= 1 and _MONEY_LABEL_END.search(f.label) and not re.search(r"率|号|第", f.label):
            claims.append(Claim("unit", "unit", f"{f.label} 缺少单位", f.start, f.end, f.number, f.decimals, "",
                                detail={"kind": "missing", "label": f.label}))
        elif f.kind == "money" and f.number < 0 and facts.roles.get(i) in ("initial", "adjusted", "budget"):
            claims.append(Claim("unit", "unit", f"{f.label} 为负数", f.start, f.end, f.number, f.decimals, f.unit,
                                detail={"kind": "negative", "label": f.label}))
    return claims
