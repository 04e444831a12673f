"""A02 totals against their items and A03 counts against the things counted.

Items are a table column (with or without a 合计 row), the numbered list a sentence introduces,
a parenthesised breakdown right after a figure, or the parts after 其中; counts are 共N个项目
against the listed items, and grade distributions (优 N 个, 良 M 个…) against the whole.
"""
from __future__ import annotations

import re
from decimal import Decimal

from . import Claim, Operand
from .context import Facts, words
from .grades import grade_parts
from .items import budget_column, has_catch_all, linked_items, project_count, spent_column

_TOTAL_LABEL = re.compile(r"共|合计|总计|总额|总金额|累计|全部|全年|总")
_QIZHONG = re.compile(r"其中")


def extract(facts: Facts) -> list[Claim]:
    claims: list[Claim] = []
    claims += _table_total_rows(facts)
    claims += _linked_totals_and_counts(facts)
    claims += _parenthesised(facts)
    claims += _qizhong(facts)
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
    from ..tables import cell_kind
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
    from .forms import funds_blocks
    claims = []
    funds = [b.start for b in funds_blocks(facts)]
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
                claims.append(Claim("A02", "sum", f"{col}合计 = 各行之和（{len(values)}行）", stated.start, stated.end,
                                    stated.number, stated.decimals, stated.unit or "",
                                    [Operand(f"第{v.row}行", v.number, v.start, v.end) for v in values]))
    return claims


def _run_together(table) -> list[Claim]:
    """643.56252.18163.68: cells written with no separator; splitting them would be a guess."""
    from ..tables import cell_kind
    return [Claim("A02", "count", f"单元格数字连写、无分隔（{c.text}），无法确定各栏数值", c.start, c.end, None, 0, "",
                  [Operand("连写单元格", None, c.start, c.end)], kind="total")
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
        if (id(items), "count") not in seen and not has_catch_all(facts, items):
            seen.add((id(items), "count"))
            where = "表中所列项目" if items.table is not None else "其后所列各项"
            claims.append(Claim("A03", "count", f"项目个数 = {where}", f.start, f.end, f.number, 0, f.unit,
                                [Operand(where, Decimal(len(items)), items.start, items.end)]))
        for i in s.figures:
            g = facts.figures[i]
            role = facts.roles.get(i)
            if g.kind != "money" or i < n or role in (None, "other") or g.bound is not None:
                continue
            key = (id(items), "spent" if role == "spent" else "budget")
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
            claims.append(Claim("A02", "sum", f"{g.label or '合计'} = {where}之和（{len(values)}项）", g.start, g.end,
                                facts.wan(i), g.decimals, "万元", [Operand(*v) for v in values]))
    return claims


def _as_wan(fig) -> Decimal | None:
    if fig.kind == "money":
        return fig.wan
    return fig.number


def _parenthesised(facts: Facts) -> list[Claim]:
    """共46.8亩（东坡20.5亩，西坡26.3亩）: the parts in brackets right after a figure."""
    claims = []
    for s in facts.sentences:
        for i in s.figures:
            f = facts.figures[i]
            if f.number is None or f.bound is not None or f.kind not in ("money", "area", "count", "length"):
                continue
            m = re.match(r"\s*[（(](?:其中|含|包括)?[:：]?", facts.text[f.end:f.end + 6])
            if not m:
                continue
            close = facts.text.find("）", f.end, s.end + 60)
            close_half = facts.text.find(")", f.end, s.end + 60)
            close = min(x for x in (close, close_half, len(facts.text)) if x >= 0)
            parts = [j for j, g in enumerate(facts.figures) if f.end < g.start < close and g.kind == f.kind
                     and g.number is not None]
            if len(parts) < 2 or any(facts.figures[j].number == f.number for j in parts):
                continue
            value = facts.wan(i) if f.kind == "money" else f.number
            ops = [Operand(facts.figures[j].label or f"第{k + 1}项", facts.wan(j) if f.kind == "money"
                           else facts.figures[j].number, facts.figures[j].start, facts.figures[j].end)
                   for k, j in enumerate(parts)]
            claims.append(Claim("A02", "sum", "合计 = 括号内各项之和", f.start, f.end, value, f.decimals,
                                "万元" if f.kind == "money" else f.unit or "", ops))
    return claims


def _qizhong(facts: Facts) -> list[Claim]:
    """年初预算1486.20万元，其中基本支出1032.64万元、项目支出453.56万元: parts after 其中."""
    claims = []
    partitions = [tuple(p) for p in words()["partitions"]]
    for s in facts.sentences:
        text = facts.sentence_text(s)
        for m in _QIZHONG.finditer(text):
            at = s.start + m.start()
            after = [i for i in s.figures if facts.figures[i].start > at]
            if not after:
                continue
            kind = facts.figures[after[0]].kind
            if kind not in ("money", "area"):
                continue
            before = [i for i in s.figures if facts.figures[i].end <= at and facts.figures[i].kind == kind]
            if not before and m.start() <= 2 and s.index > 0:
                prev = facts.sentences[s.index - 1]
                if prev.paragraph == s.paragraph:
                    before = [i for i in prev.figures if facts.figures[i].kind == kind]
            if not before:
                continue
            total_i = before[-1]
            nxt = re.search(r"其中", text[m.end():])
            stop = s.start + m.end() + nxt.start() if nxt else s.end
            if m.start() > 0 and text[m.start() - 1] in "（(":
                close = re.search(r"[）)]", text[m.end():])
                stop = min(stop, s.start + m.end() + close.start()) if close else stop
            total_role = facts.roles.get(before[-1])
            parts = [i for i in after if facts.figures[i].start < stop and facts.figures[i].kind == kind
                     and facts.roles.get(i) != "other" and facts.figures[i].bound is None
                     and (kind != "money" or facts.roles.get(i) == total_role)]
            if len(parts) < 2:
                continue
            total = facts.wan(total_i) if kind == "money" else facts.figures[total_i].number
            values = [facts.wan(i) if kind == "money" else facts.figures[i].number for i in parts]
            if total is None or any(v is None for v in values) or any(v == total for v in values):
                continue
            part_text = facts.text[at:stop]
            exhaustive = any(all(word in part_text for word in p) for p in partitions)
            tf = facts.figures[total_i]
            claims.append(Claim("A02", "sum", f"{tf.label or '合计'} = 其中各项之和", tf.start,
                                facts.figures[parts[-1]].end,
                                total, tf.decimals, "万元" if kind == "money" else tf.unit or "",
                                [Operand(facts.figures[i].label or "分项", v, facts.figures[i].start, facts.figures[i].end)
                                 for i, v in zip(parts, values)],
                                detail={"exhaustive": exhaustive, "parts_span": (at, stop)}))
    return claims


def _grade_distribution(facts: Facts) -> list[Claim]:
    """优 6 个，良 1 个，一般 1 个…: the parts must add up to the number of projects."""
    claims = []
    for s in facts.sentences:
        parts = grade_parts(facts, s)
        if len(parts) < 2:
            continue
        total_i = next((j for j in s.figures if j < parts[0].figure and project_count(facts, j)), None)
        if total_i is None:
            same = [t for t in facts.sentences if t.paragraph <= s.paragraph and t.index < s.index]
            for t in reversed(same[-6:]):
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
        claims.append(Claim("A03", "sum", f"各等级个数之和 = 项目总数 {total.text}", lo, hi, total.number, 0,
                            total.unit or "个",
                            [Operand(p.category, facts.figures[p.figure].number, facts.figures[p.figure].start,
                                     facts.figures[p.figure].end) for p in parts],
                            detail={"total_at": (total.start, total.end)}))
    return claims
