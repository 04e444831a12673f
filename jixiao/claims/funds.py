"""The 资金情况 block of a 绩效自评表: each column's total equals its parts, 执行率 = 全年执行数 ÷
全年预算数, and 得分 = 分值 × 执行率 (no more than 分值). Cells run together are not_checked."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ..model.forms import BUDGET_ROLES, ROLE_NAMES, FundsBlock
from ..model.tables import cell_value
from . import Claim, Operand
from .context import Facts
from .tolerance import consistent


def extract(facts: Facts) -> list[Claim]:
    claims: list[Claim] = []
    for block in facts.funds_blocks:
        claims += _runon(block)
        claims += _rates_and_scores(block)
        claims += _totals(block)
    return claims


def _operand(block: FundsBlock, role: str, cell, unit: str = "") -> Operand:
    value, _ = cell_value(cell.text)
    return Operand(_name(block, role), value, cell.start, cell.end, unit)


def _name(block: FundsBlock, role: str) -> str:
    k = block.roles.index(role)
    from ..model.forms import key
    return key(block.header[k]) or ROLE_NAMES[role]


def _runon(block: FundsBlock) -> list[Claim]:
    """643.56252.18163.68: several cells with no separator; splitting them would be a guess."""
    return [Claim("total", "count", f"单元格数字连写、无分隔（{c.text}），无法确定各栏数值", c.start, c.end,
                  None, 0, "", [Operand("连写单元格", None, c.start, c.end)]) for c in block.runon]


def _rates_and_scores(block: FundsBlock) -> list[Claim]:
    claims = []
    for row in block.rows:
        rate = row.value_cell("rate")
        spent, full = row.value_cell("spent"), row.value_cell("full")
        label = row.label.text.rstrip(":：")
        if rate is not None and spent is not None and full is not None:
            stated, decimals = cell_value(rate.text)
            alts = []
            initial = row.value_cell("initial")
            if initial is not None:
                alts.append(_operand(block, "initial", initial, block.unit))
            claims.append(Claim("rate", "ratio", f"{label}{_name(block, 'rate')} = {_name(block, 'spent')} ÷ "
                                f"{_name(block, 'full')}", rate.start, rate.end, stated, decimals, "%",
                                [_operand(block, "spent", spent, block.unit), _operand(block, "full", full, block.unit)],
                                alts))
        points, score = row.value_cell("points"), row.value_cell("score")
        if rate is not None and points is not None and score is not None:
            stated, decimals = cell_value(score.text)
            r, _ = cell_value(rate.text)
            spent_v = cell_value(spent.text)[0] if spent is not None else None
            full_v = cell_value(full.text)[0] if full is not None else None
            _, rate_dec = cell_value(rate.text)
            if spent_v is not None and full_v and not consistent(r, rate_dec, spent_v / full_v * 100):
                # the written rate is wrong: score against the rate the figures give
                # (written to the precision the form writes its rate with)
                exact = (spent_v / full_v * 100).quantize(Decimal(1).scaleb(-rate_dec), ROUND_HALF_UP)
                ratio, lo, hi, shown = exact / 100, spent.start, full.end, f"{spent.text}÷{full.text}"
            else:
                ratio, lo, hi, shown = r / 100, rate.start, rate.end, rate.text
            capped = min(ratio, Decimal(1))
            claims.append(Claim("weights", "product", f"{label}{_name(block, 'score')} = {_name(block, 'points')} × "
                                f"{_name(block, 'rate')}（不超过{_name(block, 'points')}）", score.start, score.end,
                                stated, decimals, "分",
                                [_operand(block, "points", points),
                                 Operand(f"{_name(block, 'rate')} {shown}", capped, lo, hi)]))
    return claims


def _totals(block: FundsBlock) -> list[Claim]:
    """Per budget column: the 年度资金总额 row against its 其中 rows."""
    claims = []
    totals = [r for r in block.rows if r.role == "total"]
    if len(totals) != 1 or totals[0].cells is None:
        return claims
    total = totals[0]
    parts = [r for r in block.rows if r.role == "part"]
    if not parts or any(r.cells is None and any(v.kind in ("number", "percent") for v in r.values) for r in parts):
        return claims  # a part whose cells cannot be placed: the column sums would be guesses
    for role in BUDGET_ROLES:
        if role not in block.roles:
            continue
        stated_cell = total.value_cell(role)
        items = [(r, r.value_cell(role)) for r in parts]
        items = [(r, c) for r, c in items if c is not None]
        if stated_cell is None or not items:
            continue
        stated, decimals = cell_value(stated_cell.text)
        ops = [Operand(r.label.text.rstrip(":："), cell_value(c.text)[0], c.start, c.end, block.unit)
               for r, c in items]
        claims.append(Claim("total", "sum", f"{total.label.text.rstrip(':：')}{_name(block, role)} = 其中各项之和",
                            stated_cell.start, stated_cell.end, stated, decimals, block.unit, ops,
                            detail={"exhaustive": block.closed}))
    return claims
