"""Is a stated figure consistent with what its inputs give? Precision as written decides.

As statcheck does for statistics: a value written with d decimals is consistent when the exact
result, rounded (half up or half even) or truncated to d decimals, equals it. Beyond 1 percentage
point (rates) or 1% relative (amounts) an inconsistency is gross (`high`).
"""
from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext


def quantum(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def consistent(stated: Decimal, decimals: int, exact: Decimal) -> bool:
    q = quantum(decimals)
    # quantize needs the context's precision to hold every digit: a figure of 27+ digits would
    # raise InvalidOperation at the default 28, so the precision grows with the figures.
    digits = max(stated.adjusted(), exact.adjusted(), 0) + decimals + 3
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, digits)
        return _consistent(stated, q, exact)


def _consistent(stated: Decimal, q: Decimal, exact: Decimal) -> bool:
    return any(exact.quantize(q, rounding=mode) == stated.quantize(q) for mode in
               (ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_DOWN)) or (
        exact < 0 and exact.quantize(q, rounding=ROUND_DOWN) == stated.quantize(q))


def gross(stated: Decimal, exact: Decimal, is_rate: bool, points: Decimal = Decimal(1),
          share: Decimal = Decimal("0.01")) -> bool:
    """Beyond `points` percentage points for a rate, or `share` relative for an amount or count
    (1 point and 1% unless the rule's parameters say otherwise)."""
    diff = abs(stated - exact)
    if is_rate:
        return diff > points
    base = max(abs(exact), abs(stated))
    return base > 0 and diff / base > share


def half_unit(decimals: int) -> Decimal:
    return quantum(decimals) / 2


def sum_consistent(stated: Decimal, decimals: int, items: list[tuple[Decimal, int]]) -> bool:
    """A total against items that are themselves rounded: n items written to d decimals may each be
    off by half a unit of d, so their sum may miss the exact total by up to the sum of those halves
    (plus the half unit of the stated total itself)."""
    total = sum((v for v, _ in items), Decimal(0))
    if consistent(stated, decimals, total):
        return True
    slack = half_unit(decimals) + sum((half_unit(d) for _, d in items), Decimal(0))
    return abs(stated - total) <= slack
