"""Claims: the relations a report's text asserts between its figures, extracted but not judged.

Extraction is kept apart from verification (jixiao.claims.verify), as statcheck keeps them apart: an
extractor only says "this stated figure should equal that operation on those figures" (its `kind` and
`op`); which rule that relation falls under, and whether it holds, are decided later (jixiao.rules).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..model.report import Report
from .context import Facts

# The contract's kinds (checks.md §2) and the operations a stated figure may be the result of.
KINDS = ("rate", "share", "growth", "total", "count", "weights", "product", "grade", "conflict", "year", "unit",
         "plausibility")
OPS = ("ratio", "sum", "tally", "count", "product", "mean", "equal", "grade", "over", "plausible", "unit", "year")


@dataclass
class Operand:
    label: str
    value: Decimal
    start: int | None = None
    end: int | None = None
    unit: str = ""
    decimals: int | None = None  # as written, in the claim's unit; None: not known


@dataclass
class Claim:
    """`stated` should equal `op` applied to `operands` (or, for qualitative ops, agree with `detail`).

    `kind` is what is asserted in the contract's words, `op` how it is recomputed ("tally": counts by
    category that add up to a whole count); no rule id — verification decides it from the registry."""

    kind: str
    op: str
    relation: str          # what is asserted, in words: "预算执行率 = 实际支出 ÷ 调整后预算"
    start: int             # evidence span in the source text
    end: int
    stated: Decimal | None = None
    decimals: int = 0
    unit: str = ""
    operands: list[Operand] = field(default_factory=list)
    alternatives: list[Operand] = field(default_factory=list)  # other readings of one operand
    bound: str | None = None  # "min": the stated value is a floor
    detail: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.kind not in KINDS or self.op not in OPS:
            raise ValueError(f"claim of unknown kind/op {self.kind!r}/{self.op!r}")


def extract_claims(report: Report, facts: Facts | None = None) -> list[Claim]:
    """Every claim of every kind, in order of position (the rules order claims of one span by rule)."""
    from . import (
        breakdowns, conflicts, dimensions, funds, grades, namelists, products, rates, recaps, shares, totals, units,
        weights, years
    )

    facts = facts or Facts(report)
    claims: list[Claim] = []
    for module in (units, rates, shares, totals, breakdowns, namelists, products, dimensions, recaps, grades, conflicts,
                   years, funds, weights):
        claims.extend(module.extract(facts))
    claims.sort(key=lambda c: (c.start, c.end, c.relation))
    return claims
