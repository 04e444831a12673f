"""Conflicts: the same quantity given different values in different places of one report.

Three shapes: a report-level total stated twice (年初预算 … 年初预算); the same count of projects
restated with a different budget (项目8个，预算301.20万元 … 项目8个，预算资金310.20万元); and one
project's budget in a table or list against the same project named in the text.
"""
from __future__ import annotations

import re
from decimal import Decimal

from . import Claim, Operand
from .context import Facts, patterns
from .items import budget_column, name_column, numbered_lists, project_count

_STRONG_SPENT = patterns()["strong_spent"]
_NAME_TAIL = patterns()["name_before_budget"]
_OTHER_YEAR = patterns()["other_year"]


def _agree(a: Decimal, da: int, b: Decimal, db: int) -> bool:
    """Two statements of one quantity agree when the more precise rounds to the less precise."""
    from .tolerance import consistent
    if da <= db:
        return consistent(a, da, b)
    return consistent(b, db, a)


def extract(facts: Facts) -> list[Claim]:
    return _restated_totals(facts) + _restated_project_budgets(facts) + _named_projects(facts) + \
        _same_document(facts) + _source_restated(facts) + _restated_counts(facts)


_NOUN_AFTER = re.compile(r"[\u4e00-\u9fff]{2,4}")
_NOUN_BEFORE = re.compile(r"([\u4e00-\u9fff]{2,4})$")


def _restated_counts(facts: Facts) -> list[Claim]:
    """12个发酵池 … 增设发酵池十二个: the same things counted again, in Arabic or Chinese numerals. The same
    number confirms the restatement; a different one may count another set, so it is not checked."""
    seen: dict[tuple, int] = {}
    claims = []
    text = facts.text
    for i, f in enumerate(facts.figures):
        if f.kind != "count" or f.number is None or f.bound is not None or f.table is not None or f.unit != "个":
            continue
        after = _NOUN_AFTER.match(text, f.end)
        before = _NOUN_BEFORE.search(text[max(0, f.start - 4):f.start])
        nouns = [n for n in (after.group(0) if after else None, before.group(1) if before else None) if n]
        for noun in nouns:
            key = (f.unit, noun[-3:])
            if key not in seen:
                seen[key] = i
                continue
            j = seen[key]
            g = facts.figures[j]
            if g.number == f.number and f.number >= 2 and len(noun) >= 3:
                claims.append(Claim("conflict", "equal", f"“{noun}”的个数 与前文所述应一致", f.start, f.end, f.number, 0, f.unit,
                                    [Operand(g.text + noun, g.number, g.start, g.end)]))
            break
    return claims


def _source_restated(facts: Facts) -> list[Claim]:
    """总投资61.8万元，其中中央资金30.9万元…；中央下达资金61.8万元: a part named by its funding source,
    stated elsewhere as the whole it is part of."""
    from . import breakdowns
    from .context import words
    source = re.compile(words()["funding_sources"])
    parts: dict[str, tuple[int, Decimal, int]] = {}
    members: set[int] = set()
    for c in breakdowns.extract(facts):
        if c.unit != "万元":
            continue
        members.add(c.detail["total"])
        members.update(c.detail["parts"])
        for j in c.detail["parts"]:
            m = source.search(facts.figures[j].label)
            if m and c.stated is not None:
                parts.setdefault(m.group(0), (j, c.stated, c.detail["total"]))
    claims = []
    for i, f in enumerate(facts.figures):
        if f.kind != "money" or i in members or f.bound is not None or f.table is not None:
            continue
        m = source.search(f.label)
        if not m or m.group(0) not in parts or "资金" not in f.label:
            continue
        j, whole, total_i = parts[m.group(0)]
        value = facts.wan(i)
        if value is None or value == facts.wan(j) or not _agree(value, f.decimals, whole, facts.figures[total_i].decimals):
            continue  # the same as the part, or some other amount (another batch, another year): not asserted
        g = facts.figures[j]
        claims.append(Claim("conflict", "equal", f"{m.group(0)}资金 与前文分项所述应一致（此处数额等于总额）", f.start, f.end, value,
                            f.decimals, "万元", [Operand(g.label + g.text, facts.wan(j), g.start, g.end)],
                            detail={"other_decimals": g.decimals}))
    return claims


def _same_document(facts: Facts) -> list[Claim]:
    """The same document (呼财农指【2023】41号) said to allocate different amounts in different places."""
    from collections import Counter

    from .context import words
    w = words()
    docno = re.compile(w["document_number"])
    allocates = re.compile(w["allocates"])
    text = facts.text
    mentions: dict[tuple, list[int]] = {}
    from bisect import bisect_left
    starts = [f.start for f in facts.figures]
    for m in docno.finditer(text):
        stop = re.compile(r"[。；;\n]").search(text, m.end())
        hi = stop.start() if stop else len(text)
        lo_k = bisect_left(starts, m.end())
        k = None
        for kk in range(lo_k, len(facts.figures)):
            g = facts.figures[kk]
            if g.start >= hi:
                break
            if g.kind == "money" and g.number is not None and g.bound is None:
                k = kk
                break
        if k is None:
            continue
        between = text[m.end():facts.figures[k].start]
        tail = between.rsplit("》", 1)[-1]  # the verb after the document's title, not inside it
        if not allocates.search(tail) or patterns()["not_the_whole_allocation"].search(tail):
            continue
        mentions.setdefault((m.group(1)[-4:], m.group(2), m.group(3)), []).append(k)
    claims = []
    for key, ks in mentions.items():
        if len(ks) < 2:
            continue
        values = Counter(facts.wan(k) for k in ks)
        common = values.most_common(1)[0][0] if values.most_common(1)[0][1] > 1 else facts.wan(ks[-1])
        ref = next(k for k in ks if facts.wan(k) == common)
        for k in ks:
            if k == ref:
                continue
            f, g = facts.figures[k], facts.figures[ref]
            claims.append(Claim("conflict", "equal", f"{key[0]}〔{key[1]}〕{key[2]}号文件下达的金额 与他处所述应一致", f.start,
                                f.end, facts.wan(k), f.decimals, "万元", [Operand(g.label + g.text, facts.wan(ref), g.start,
                                                                                   g.end)],
                                detail={"other_decimals": g.decimals}))
    return claims


def _restated_totals(facts: Facts) -> list[Claim]:
    claims = []
    first: dict[tuple[str, str], int] = {}
    for i in facts.money_facts():
        role = facts.roles[i]
        f = facts.figures[i]
        if role not in ("initial", "adjusted", "spent") or f.number is None or f.bound is not None:
            continue
        if role == "spent" and not _STRONG_SPENT.search(f.label):
            continue
        if _OTHER_YEAR.search(facts.before(i)) or _other_year_in_sentence(facts, i):
            continue
        key = (role, facts.scopes.get(i, "total"))
        if key not in first:
            first[key] = i
            continue
        j = first[key]
        g = facts.figures[j]
        claims.append(Claim("conflict", "equal", f"{f.label or role} 与前文 {g.label} 应为同一数", f.start, f.end,
                            facts.wan(i), f.decimals, "万元",
                            [Operand(g.label + g.text, facts.wan(j), g.start, g.end)],
                            detail={"other_decimals": g.decimals}))
    return claims


def _other_year_in_sentence(facts: Facts, i: int) -> bool:
    fy = facts.report.meta.year
    s = facts.sentences[facts.sentence_of[i]]
    return fy is not None and any(facts.figures[j].kind == "year" and facts.figures[j].number != fy
                                  for j in s.figures)


def _restated_project_budgets(facts: Facts) -> list[Claim]:
    claims = []
    stated: dict[Decimal, list[int]] = {}
    for s in facts.sentences:
        counts = [i for i in s.figures if project_count(facts, i)]
        if not counts:
            continue
        n = facts.figures[counts[0]].number
        money = [i for i in s.figures if i > counts[0] and facts.figures[i].kind == "money"
                 and facts.roles.get(i) in ("initial", "adjusted", "budget") and facts.figures[i].bound is None
                 and not facts.bracketed(i)][:1]
        for i in money:
            earlier = stated.get(n, [])
            f = facts.figures[i]
            if earlier and not any(_agree(facts.wan(i), f.decimals, facts.wan(j), facts.figures[j].decimals)
                                   for j in earlier):
                g = facts.figures[earlier[0]]
                claims.append(Claim("conflict", "equal", f"{n}个项目的预算 与前文所述应一致", f.start, f.end, facts.wan(i),
                                    f.decimals, "万元", [Operand(g.label + g.text, facts.wan(earlier[0]), g.start, g.end)],
                                    detail={"other_decimals": g.decimals}))
            stated.setdefault(n, []).append(i)
    return claims


def _project_budgets(facts: Facts) -> dict[str, tuple[int, Decimal, int]]:
    """name -> (figure index, budget in 万元, decimals) from tables and numbered project lists."""
    out: dict[str, tuple[int, Decimal, int]] = {}
    for t in facts.report.tables:
        nc, bc = name_column(t), budget_column(t)
        if not nc or not bc:
            continue
        ni, bi = t.columns.index(nc), t.columns.index(bc)
        for row in t.body_rows():
            if len(row) <= max(ni, bi) or t.is_total_row(row):
                continue
            name = "".join(row[ni].text.split())
            k = facts.figure_at(row[bi].start)
            if len(name) >= 4 and k is not None:
                value = facts.figures[k].wan if facts.figures[k].kind == "money" else facts.figures[k].number
                out.setdefault(name, (k, value, facts.figures[k].decimals))
    for items in numbered_lists(facts):
        for lo, hi in items.spans:
            m = _NAME_TAIL.match(re.sub(r"^\s*\S{1,4}?[、.．]\s*", "", facts.text[lo:hi].split("\n", 1)[0]))
            k = next((k for k, f in enumerate(facts.figures) if lo <= f.start < hi and f.kind == "money"
                      and facts.roles.get(k) in ("budget", "initial", "adjusted")), None)
            if m and k is not None and facts.figures[k].start - lo < 40:
                out.setdefault(m.group(1), (k, facts.wan(k), facts.figures[k].decimals))
    return out


def _named_projects(facts: Facts) -> list[Claim]:
    claims = []
    budgets = _project_budgets(facts)
    for name, (k, value, decimals) in budgets.items():
        if value is None:
            continue
        for m in re.finditer(re.escape(name), facts.text):
            after = [j for j, f in enumerate(facts.figures) if m.end() <= f.start <= m.end() + 12 and f.kind == "money"
                     and j != k and f.table is None]
            if not after:
                continue
            j = after[0]
            f = facts.figures[j]
            if facts.roles.get(j) not in ("budget", "initial", "adjusted") or not re.search(r"预算", f.label):
                continue
            if not _agree(facts.wan(j), f.decimals, value, decimals):
                g = facts.figures[k]
                where = "表中" if g.table is not None else "项目清单中"
                claims.append(Claim("conflict", "equal", f"“{name}”的预算 与{where}所列应一致", f.start, f.end, facts.wan(j),
                                    f.decimals, "万元", [Operand(f"{where}{g.text}", value, g.start, g.end)],
                                    detail={"other_decimals": decimals}))
    return claims
