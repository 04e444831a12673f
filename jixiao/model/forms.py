"""Reading the standard self-evaluation form (绩效自评表) out of a cell stream, whatever its layout.

The 资金情况 block (rows 年度资金总额 / 其中：财政拨款 / 其他资金… against columns 年初预算数 /
全年预算数 / 全年执行数 / 分值 / 执行率 / 得分) is found by its header cells; each row's values are
placed under the header by position, or — when cells are missing — around the one percentage (the
执行率), never by guessing. Shared by claims.funds and claims.weights.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..read.textnorm import compact, fold
from ..wordlists import load
from .tables import FormCell, cell_stream, clean_header

BUDGET_ROLES = ("initial", "full", "spent")
VALUE_KINDS = ("number", "percent", "placeholder", "empty", "runon")
ROLE_NAMES = {"initial": "年初预算数", "full": "全年预算数", "spent": "全年执行数", "points": "分值",
              "rate": "执行率", "score": "得分"}


@lru_cache(maxsize=1)
def form_words() -> dict:
    data = load("form_words.yaml")
    for key in ("funds_columns", "funds_rows", "indicator_columns"):
        data[key] = {k: re.compile(v) for k, v in data[key].items()}
    for key in ("funds_unit", "block_header", "block_umbrella", "total_row", "heading_points"):
        data[key] = re.compile(data[key])
    return data


def key(cell: FormCell) -> str:
    return _key(cell.text)


@lru_cache(maxsize=4096)
def _key(text: str) -> str:
    return compact(fold(text))


def _role(cell: FormCell, table: str) -> str | None:
    """The role a header cell names in one of form_words' tables of column patterns."""
    return _role_of(key(cell), table)


@lru_cache(maxsize=4096)
def _role_of(k: str, table: str) -> str | None:
    k = clean_header(k)  # 全年预算数（A）, 执行率（B/A）: the qualifier is not the name
    return next((r for r, pat in form_words()[table].items() if pat.match(k)), None)


@dataclass
class FundsRow:
    label: FormCell
    role: str                                          # "total" | "part"
    values: list[FormCell]
    cells: dict[str, FormCell] | None = None           # role -> cell; None when placement is ambiguous

    def value_cell(self, role: str) -> FormCell | None:
        c = (self.cells or {}).get(role)
        return c if c is not None and c.kind in ("number", "percent") else None


@dataclass
class FundsBlock:
    roles: list[str]
    header: list[FormCell]
    rows: list[FundsRow]
    unit: str
    start: int
    end: int
    closed: bool                                       # something follows the block: no row was cut off
    last_cell: int = 0                                 # index in the stream after the block
    runon: list[FormCell] = field(default_factory=list)


def _trimmed(values: list[FormCell], width: int) -> list[FormCell]:
    vals = list(values)
    while len(vals) > width and vals[-1].kind in ("empty", "placeholder"):
        vals.pop()
    return vals


def _core(values: list[FormCell]) -> list[FormCell]:
    vals = list(values)
    while vals and vals[-1].kind == "empty":
        vals.pop()
    return vals


def place(values: list[FormCell], roles: list[str], total: bool = True) -> list[str] | None:
    """The header role of each of a row's values; None when the cells cannot be placed for sure.

    All cells present: by position. Cells missing around the one percentage (the 执行率): those
    after it are the first columns after 执行率, and — in the total row only, whose 分值 is always
    filled — those before it are the last columns before it (an empty 年初预算数 is what goes missing).
    A part row with its budget cells only: the budget columns.
    """
    vals = _trimmed(values, len(roles))
    if len(vals) == len(roles) and all(r == "rate" for v, r in zip(vals, roles) if v.kind == "percent"):
        return list(roles)
    while vals and vals[-1].kind == "empty":
        vals.pop()
    percents = [k for k, v in enumerate(vals) if v.kind == "percent"]
    if "rate" in roles and len(percents) == 1:
        p, r = percents[0], roles.index("rate")
        before, after = vals[:p], vals[p + 1:]
        if len(after) > len(roles) - r - 1:
            return None
        if total and len(before) <= r:
            return roles[r - len(before):r] + ["rate"] + roles[r + 1:r + 1 + len(after)]
        budget = [x for x in roles[:r] if x in BUDGET_ROLES]
        if not total and len(before) == len(budget) and roles[:len(budget)] == budget:
            return budget + ["rate"] + roles[r + 1:r + 1 + len(after)]  # a part row: no 分值 of its own
        return None
    if percents:
        return None
    lead = 0
    while lead < len(roles) and roles[lead] in BUDGET_ROLES:
        lead += 1
    if len(vals) == lead:  # a part row with its budget cells only
        return roles[:lead]
    return None


def funds_blocks_in(text: str, cells: list[FormCell] | None = None) -> list[FundsBlock]:
    w = form_words()
    cells = cell_stream(text) if cells is None else cells
    out: list[FundsBlock] = []
    n = len(cells)
    i = 0
    while i < n:
        if _role(cells[i], "funds_columns") is None:
            i += 1
            continue
        roles: list[str] = []
        j = i
        while j < n and (r := _role(cells[j], "funds_columns")) is not None and r not in roles:
            roles.append(r)
            j += 1
        if len(roles) < 3 or "spent" not in roles or not {"full", "initial"} & set(roles):
            i = max(j, i + 1)
            continue
        unit = ""
        for c in cells[max(0, i - 3):j]:
            m = w["funds_unit"].search(fold(c.text))
            if m:
                unit = m.group(1)
        rows: list[FundsRow] = []
        k = j
        while k < n:
            m = _next_label(cells, k)
            if m is None:
                break
            label = cells[m]
            k = m + 1
            values = []
            while k < n and cells[k].kind in VALUE_KINDS:
                values.append(cells[k])
                k += 1
            kind = _row_kind(label)
            total = next((r for r in rows if r.role == "total" and r.cells is not None), None)
            pattern = None
            core = _core(values)
            if kind == "part" and total is not None and len(core) == len(_core(total.values)) \
                    and [v.kind == "percent" for v in core] == [v.kind == "percent" for v in _core(total.values)]:
                pattern = list(total.cells)  # a part row laid out like its total row
            if pattern is None:
                pattern = place(values, roles, kind == "total")
            vals = _trimmed(values, len(roles))
            rows.append(FundsRow(label, kind, values, dict(zip(pattern, vals)) if pattern else None))
        if any(r.role == "total" for r in rows):
            end = max([c.end for r in rows for c in [r.label, *r.values]])
            out.append(FundsBlock(roles, cells[i:j], rows, unit, cells[i].start, end, k < n, k,
                                  [c for r in rows for c in r.values if c.kind == "runon"]))
        i = max(k, i + 1)
    return out


def _row_kind(cell: FormCell) -> str | None:
    rows = form_words()["funds_rows"]
    k = key(cell)
    return "total" if rows["total"].match(k) else "part" if rows["part"].match(k) else None


def _next_label(cells: list[FormCell], k: int) -> int | None:
    """The next row label from k, past empty cells and at most one other text cell (a 原因 or 说明)."""
    skipped_text = False
    while k < len(cells):
        c = cells[k]
        if _row_kind(c) is not None:
            return k
        if c.kind == "text" and not skipped_text:
            skipped_text = True
        elif c.kind != "empty":
            return None
        k += 1
    return None


