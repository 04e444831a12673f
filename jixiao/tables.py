"""Tables in the source text, rebuilt into DataFrames.

Two flattened shapes are recognised: the Word shape (one cell per line, each line starting with a
tab, one blank line after each row) and web copies with `|`-separated rows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from .numerals import parse_arabic
from .structure import Line
from .textnorm import compact, fold

_PAREN_TAIL = re.compile(r"[（(][^（()）]*[)）]$")
_UNIT_IN_HEADER = re.compile(r"(亿元|万元|元|%|亩|户|人|个)")
_TOTAL_WORDS = ("合计", "总计", "小计", "总额", "合 计")


@dataclass
class Cell:
    row: int
    col: int
    start: int
    end: int
    text: str


@dataclass
class Table:
    """A table with its cells' offsets; `frame` has the header row as columns."""

    index: int
    start: int
    end: int
    rows: list[list[Cell]]
    header: list[str]
    columns: list[str]
    frame: pd.DataFrame
    line_indices: list[int] = field(default_factory=list, repr=False)
    caption: str = ""
    has_header: bool = True

    def column(self, name: str) -> str | None:
        """The column whose name is or starts with `name` (header qualifiers dropped)."""
        for col in self.columns:
            if col == name:
                return col
        for col in self.columns:
            if col.startswith(name) or name in col:
                return col
        return None

    def body_rows(self) -> list[list[Cell]]:
        return self.rows[1:] if self.has_header else self.rows

    def is_total_row(self, row: list[Cell]) -> bool:
        return any(any(w in compact(c.text) for w in _TOTAL_WORDS) for c in row[:3])


def _is_blank(text: str, ln: Line) -> bool:
    return not text[ln.start:ln.end].strip()


def find_tables(text: str, lines: list[Line]) -> list[Table]:
    """All tables; a block of tab-cell lines needs two rows and a row of two cells to count."""
    tables: list[Table] = []
    i = 0
    n = len(lines)
    while i < n:
        ln = lines[i]
        if text.startswith("\t", ln.start):
            j = i
            groups: list[list[int]] = [[]]
            while j < n:
                lj = lines[j]
                if text.startswith("\t", lj.start):
                    groups[-1].append(j)
                elif _is_blank(text, lj):
                    if groups[-1]:
                        groups.append([])
                else:
                    break
                j += 1
            groups = [g for g in groups if g]
            if len(groups) >= 2 and max(len(g) for g in groups) >= 2:
                rows = [[Cell(r, c, *_cell_span(text, lines[k]), "") for c, k in enumerate(g)]
                        for r, g in enumerate(groups)]
                used = [k for g in groups for k in g]
                tables.append(_make_table(text, len(tables), rows, used, lines))
                i = max(used) + 1
                continue
        if text.count("|", ln.start, ln.end) >= 2:
            j = i
            while j < n and text.count("|", lines[j].start, lines[j].end) >= 2:
                j += 1
            if j - i >= 2:
                rows = [_pipe_cells(text, lines[k], r) for r, k in enumerate(range(i, j))]
                tables.append(_make_table(text, len(tables), rows, list(range(i, j)), lines))
                i = j
                continue
        i += 1
    return tables


def _cell_span(text: str, ln: Line) -> tuple[int, int]:
    s, e = ln.start + 1, ln.end
    while s < e and text[s] in " \t\u3000":
        s += 1
    while e > s and text[e - 1] in " \t\u3000":
        e -= 1
    return s, e


def _pipe_cells(text: str, ln: Line, r: int) -> list[Cell]:
    cells = []
    pos = ln.start
    parts = text[ln.start:ln.end].split("|")
    for part in parts:
        s = pos + len(part) - len(part.lstrip())
        e = pos + len(part.rstrip())
        cells.append(Cell(r, 0, s, max(s, e), ""))
        pos += len(part) + 1
    while cells and cells[-1].start == cells[-1].end:
        cells.pop()
    while cells and cells[0].start == cells[0].end:
        cells.pop(0)
    for c, cell in enumerate(cells):
        cell.col = c
    return cells


def _numeric(cell_text: str):
    t = fold(cell_text).strip().rstrip("%").replace(" ", "")
    for unit in ("万元", "亿元", "元", "分", "个", "亩", "户", "人"):
        if t.endswith(unit):
            t = t[: -len(unit)]
            break
    value = parse_arabic(t)
    return float(value) if value is not None else None


def clean_header(name: str) -> str:
    """'预算金额（调整后）' -> '预算金额'; '产 出 指 标' -> '产出指标'."""
    name = compact(name)
    stripped = _PAREN_TAIL.sub("", name)
    return stripped or name


def _make_table(text: str, index: int, rows: list[list[Cell]], used: list[int], lines: list[Line]) -> Table:
    for row in rows:
        for cell in row:
            cell.text = text[cell.start:cell.end]
    first = rows[0]
    numeric_first = sum(_numeric(c.text) is not None for c in first if c.text)
    has_header = len(rows) > 1 and numeric_first <= len([c for c in first if c.text]) // 3
    width = max(len(r) for r in rows)
    if has_header:
        header = [c.text for c in first] + [""] * (width - len(first))
        body = rows[1:]
    else:
        header = [f"列{i + 1}" for i in range(width)]
        body = rows
    columns, seen = [], {}
    for i, h in enumerate(header):
        name = clean_header(h) or f"列{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        columns.append(name)
    data = [[c.text for c in r] + [""] * (width - len(r)) for r in body]
    frame = pd.DataFrame(data, columns=columns)
    for col in columns:
        values = [v for v in frame[col] if v.strip()]
        parsed = [_numeric(v) for v in values]
        if values and sum(p is not None for p in parsed) >= 0.8 * len(values):
            frame[col] = [(_numeric(v) if v.strip() else None) for v in frame[col]]
            frame[col] = pd.to_numeric(frame[col], errors="coerce")
    frame.attrs["headers"] = header
    frame.attrs["units"] = {col: u.group(1) for col, h in zip(columns, header)
                            if (p := _PAREN_TAIL.search(compact(h))) and (u := _UNIT_IN_HEADER.search(p.group(0)))}
    start = lines[min(used)].start
    end = lines[max(used)].end
    caption = ""
    k = min(used) - 1
    while k >= 0 and not text[lines[k].start:lines[k].end].strip():
        k -= 1
    if k >= 0:
        caption = text[lines[k].start:lines[k].end].strip()[-60:]
    return Table(index, start, end, rows, header, columns, frame, used, caption, has_header)
