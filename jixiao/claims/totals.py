"""Totals against their items and counts against the things counted (tables and numbered lists;
prose breakdowns — 其中, brackets, 共计 — are in breakdowns.py).

Items are a table column (with or without a 合计 row) or the numbered list a sentence introduces;
counts are 共N个项目
against the listed items, and grade distributions (优 N 个, 良 M 个…) against the whole.
"""
from __future__ import annotations

from decimal import Decimal

from . import Claim, Operand
from .context import Facts
from .grades import grade_parts
from .items import budget_column, has_catch_all, linked_items, project_count, spent_column


def extract(facts: Facts) -> list[Claim]:
    claims: list[Claim] = []
    claims += _table_total_rows(facts)
    claims += _linked_totals_and_counts(facts)
    claims += _grade_distribution(facts)
    return claims


def _cell_figure(facts: Facts, cell):
    k = facts.figure_at(cell.start)
    return facts.figures[k] if k is not None else None


def _column_values(facts: Facts, table, col: str) -> list:
    k = table.columns.index(col)
    out = []
    if table.ragged:
        return []  # rows with cells missing: the column cannot be read for sure
    from ..model.tables import cell_kind
    for row in table.body_rows():
        if any(cell_kind(c.text) == "runon" for c in row):
            return []  # cells run together: which column holds what is unknown
        if table.is_total_row(row) or k >= len(row):
            continue
        fig = _cell_figure(facts, row[k])
        if fig is None or fig.kind not in ("money", "number", "count", "area"):
            if row[k].text.strip() not in ("", "—", "-", "/"):
                return []
            continue
        out.append(fig)
    return out


def _table_total_rows(facts: Facts) -> list[Claim]:
    claims = []
    funds = [b.start for b in facts.funds_blocks]
    for t in facts.report.tables:
        if any(t.start <= s <= t.end for s in funds):
            continue  # a form's 资金情况 block: claims.funds reads it by role
        claims += _run_together(t)
        totals = [r for r in t.body_rows() if t.is_total_row(r)]
        if not totals:
            continue
        for col in (budget_column(t), spent_column(t)):
            if not col:
                continue
            k = t.columns.index(col)
            values = _column_values(facts, t, col)
            for row in totals:
                stated = _cell_figure(facts, row[k]) if k < len(row) else None
                if stated is None or not values:
                    continue
                claims.append(Claim("total", "sum", f"{col}合计 = 各行之和（{len(values)}行）", stated.start, stated.end,
                                    stated.number, stated.decimals, stated.unit or "",
                                    [Operand(f"第{v.row}行", v.number, v.start, v.end) for v in values]))
    return claims


def _run_together(table) -> list[Claim]:
    """643.56252.18163.68: cells written with no separator; splitting them would be a guess."""
    from ..model.tables import cell_kind
    return [Claim("total", "count", f"单元格数字连写、无分隔（{c.text}），无法确定各栏数值", c.start, c.end, None, 0, "",
                  [Operand("连写单元格", None, c.start, c.end)])
            for row in table.rows for c in row if cell_kind(c.text) == "runon"]


def _item_money(facts: Facts, items, roles: tuple[str, ...]) -> list | None:
    """The first money figure of each list item with one of `roles`; None unless every item has one."""
    out = []
    for lo, hi in items.spans:
        j = next((j for j, f in enumerate(facts.figures) if lo <= f.start < hi and f.kind == "money"
                  and facts.roles.get(j) in roles), None)
        if j is None:
            return None
        out.append(j)
    return out


def _linked_totals_and_counts(facts: Facts) -> list[Claim]:
    claims: list[Claim] = []
    seen: set = set()
    for s in facts.sentences:
        counts = [i for i in s.figures if project_count(facts, i)]
        if not counts:
            continue
        items = linked_items(facts, s)
        if items is None:
            continue
        n = counts[0]
        f = facts.figures[n]
        if (items.start, items.end, "count") not in seen and not has_catch_all(facts, items):
            seen.add((items.start, items.end, "count"))
            where = "表中所列项目" if items.table is not None else "其后所列各项"
            claims.append(Claim("count", "count", f"项目个数 = {where}", f.start, f.end, f.number, 0, f.unit,
                                [Operand(where, Decimal(len(items)), items.start, items.end)]))
        for i in s.figures:
            g = facts.figures[i]
            role = facts.roles.get(i)
            if g.kind != "money" or i < n or role in (None, "other") or g.bound is not None:
                continue
            key = (items.start, items.end, "spent" if role == "spent" else "budget")
            if key in seen:
                continue
            values = None
            if items.table is not None:
                col = spent_column(items.table) if role == "spent" else budget_column(items.table)
                if col:
                    figs = _column_values(facts, items.table, col)
                    if len(figs) == len(items):
                        values = [(f"第{v.row}行", _as_wan(v), v.start, v.end) for v in figs]
            else:
                js = _item_money(facts, items, ("spent",) if role == "spent" else ("budget", "initial", "adjusted"))
                if js is not None:
                    values = [(f"第{k + 1}项", facts.wan(j), facts.figures[j].start, facts.figures[j].end)
                              for k, j in enumerate(js)]
            if not values or any(v[1] is None for v in values):
                continue
            seen.add(key)
            where = "表中各行" if items.table is not None else "所列各项"
            claims.append(Claim("total", "sum", f"{g.label or '合计'} = {where}之和（{len(values)}项）", g.start, g.end,
                                facts.wan(i), g.decimals, "万元", [Operand(*v) for v in values]))
    return claims


def _as_wan(fig) -> Decimal | None:
    if fig.kind == "money":
        return fig.wan
    return fig.number


def _grade_distribution(facts: Facts) -> list[Claim]:
    """优 6 个，良 1 个，一般 1 个…: the parts must add up to the number of projects."""
    claims = []
    for s in facts.sentences:
        parts = grade_parts(facts, s)
        if len(parts) < 2:
            continue
        total_i = next((j for j in s.figures if j < parts[0].figure and project_count(facts, j)), None)
        if total_i is None:
            for t in reversed(facts.sentences[max(0, s.index - 6):s.index]):  # the six sentences before
                total_i = next((j for j in reversed(t.figures) if project_count(facts, j)), None)
                if total_i is not None:
                    break
        if total_i is None:
            continue
        total = facts.figures[total_i]
        values = [facts.figures[p.figure].number for p in parts]
        if any(v == total.number for v in values) and len([v for v in values if v]) > 1:
            continue  # a hierarchy, not a partition
        lo, hi = facts.figures[parts[0].figure].start, facts.figures[parts[-1].figure].end
        claims.append(Claim("total", "tally", f"各等级个数之和 = 项目总数 {total.text}", lo, hi, total.number, 0,
                            total.unit or "个",
                            [Operand(p.category, facts.figures[p.figure].number, facts.figures[p.figure].start,
                                     facts.figures[p.figure].end) for p in parts],
                            detail={"total_at": (total.start, total.end)}))
    return claims
