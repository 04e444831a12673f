"""The report at a glance: its projects (budget and spending) and its headline budget figures."""
from __future__ import annotations

import re

import pandas as pd

from ..model.report import Report
from .context import Facts, patterns
from .items import budget_column, linked_items, name_column, project_count, spent_column

PROJECT_COLUMNS = ["项目", "预算（万元）", "支出（万元）", "执行率（%）"]
_ITEM_NAME = re.compile(r"^\s*\S{1,4}?[、.．]\s*([^，。：:；（(]{2,30})")


def project_frame(report: Report, facts: Facts | None = None) -> pd.DataFrame:
    """One row per project with budget and spending in 万元, from the project table or list
    (`facts`: the report's facts when the caller has them, so they are built once)."""
    facts = facts or Facts(report)
    rows = []
    for t in report.tables:
        nc, bc, sc = name_column(t), budget_column(t), spent_column(t)
        if not nc or not bc:
            continue
        scale = 0.0001 if t.frame.attrs.get("units", {}).get(bc) == "元" else 1.0
        for cells, (_, r) in zip(t.body_rows(), t.frame.iterrows()):
            name = str(r[nc]).strip()
            budget = _number(r[bc])
            if t.is_total_row(cells) or name in ("", "—", "-") or budget is None:
                continue
            spent = _number(r[sc]) if sc else None
            rows.append((name, budget * scale, spent * scale if spent is not None else None))
        if rows:
            break
    if not rows:
        lists = [items for s in facts.sentences if any(project_count(facts, i) for i in s.figures)
                 for items in [linked_items(facts, s)] if items is not None and items.table is None]
        for items in lists[:1]:
            for lo, hi in items.spans:
                m = _ITEM_NAME.match(report.text[lo:hi])
                money = [j for j, f in enumerate(report.figures) if lo <= f.start < hi and f.kind == "money"]
                budget = next((facts.wan(j) for j in money if facts.roles.get(j) in ("budget", "initial", "adjusted")), None)
                spent = next((facts.wan(j) for j in money if facts.roles.get(j) == "spent"), None)
                if m and budget is not None:
                    rows.append((m.group(1).strip(), float(budget), float(spent) if spent is not None else None))
    frame = pd.DataFrame(rows, columns=PROJECT_COLUMNS[:3])
    frame[PROJECT_COLUMNS[3]] = [round(s / b * 100, 2) if s is not None and b else None
                                 for b, s in zip(frame[PROJECT_COLUMNS[1]], frame[PROJECT_COLUMNS[2]])]
    return frame


def _number(value) -> float | None:
    """A table cell as a number, or None (empty, or text such as 有效 in a column of figures)."""
    number = pd.to_numeric(value, errors="coerce")
    return None if pd.isna(number) else float(number)


def headline(report: Report, facts: Facts | None = None) -> dict:
    """The department's budget as the report states it: first report-level figure of each role."""
    facts = facts or Facts(report)
    out: dict = {}
    names = {"initial": "年初预算（万元）", "adjusted": "调整后预算（万元）", "spent": "实际支出（万元）"}
    for i in facts.money_facts():
        role = facts.roles[i]
        if role in names and names[role] not in out and facts.scopes.get(i) == "total":
            out[names[role]] = float(facts.wan(i))
    rate = next((f for f in report.figures if f.kind == "percent" and f.bound is None and f.number is not None
                 and patterns()["execution_rate_label"].search(f.label) and "控制率" not in f.label), None)
    if rate is not None:
        out["预算执行率（报告，%）"] = float(rate.number)
    if out.get("实际支出（万元）") and (out.get("调整后预算（万元）") or out.get("年初预算（万元）")):
        base = out.get("调整后预算（万元）") or out["年初预算（万元）"]
        out["预算执行率（计算，%）"] = round(out["实际支出（万元）"] / base * 100, 2)
    return out
