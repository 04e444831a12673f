"""Tables in the source text, rebuilt into DataFrames.

Two flattened shapes are recognised: the Word shape (one cell per line, each line starting with a
tab, one blank line after each row) and web copies with `|`-separated rows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ..read.numerals import parse_arabic
from ..read.textnorm import compact, fold
from .structure import Line

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
    ragged: set = field(default_factory=set)   # rows with cells missing: not placed under the header

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
        first = _space_row(text, ln)
        if first is not None:
            j = i + 1
            while j < n and (row := _space_row(text, lines[j])) is not None and len(row) == len(first):
                j += 1
            if j - i >= 2:
                used = list(range(i, j))
                rows = [[Cell(r + 1, c, s, e, "") for c, (s, e) in enumerate(_space_row(text, lines[k]))]
                        for r, k in enumerate(used)]
                head = _space_header(text, lines[i - 1], len(first)) if i > 0 else None
                if head is not None:
                    rows.insert(0, [Cell(0, c, s, e, "") for c, (s, e) in enumerate(head)])
                    used.insert(0, i - 1)
                else:
                    for r, row in enumerate(rows):
                        for cell in row:
                            cell.row = r
                tables.append(_make_table(text, len(tables), rows, used, lines))
                i = j
                continue
        i += 1
    return tables + _form_tables(text, lines, tables)


_TOKEN = re.compile(r"[^\s\u3000]+")


def _space_row(text: str, ln: Line) -> list[tuple[int, int]] | None:
    """`label: v v v` or `label v v v` (a row squashed onto one line, cells separated by spaces):
    the cells' spans, the label without its colon; None for any other line."""
    line = text[ln.start:ln.end]
    if "|" in line or "\t" in line:
        return None
    tokens = [(ln.start + m.start(), ln.start + m.end()) for m in _TOKEN.finditer(line)]
    if len(tokens) < 3:
        return None
    kinds = [cell_kind(text[s:e]) for s, e in tokens]
    if kinds[0] != "text" or any(k not in ("number", "percent", "placeholder", "runon") for k in kinds[1:]) \
            or sum({"number": 1, "percent": 1, "runon": 2}.get(k, 0) for k in kinds[1:]) < 2:
        return None
    s, e = tokens[0]
    while e > s and text[e - 1] in ":：":
        e -= 1
    return [(s, e)] + tokens[1:]


def _space_header(text: str, ln: Line, width: int) -> list[tuple[int, int]] | None:
    """The header line above squashed rows: names only, one per column (the label column's may lack)."""
    line = text[ln.start:ln.end]
    if "|" in line or "\t" in line:
        return None
    tokens = [(ln.start + m.start(), ln.start + m.end()) for m in _TOKEN.finditer(line)]
    if len(tokens) not in (width, width - 1) or any(cell_kind(text[s:e]) != "text" for s, e in tokens):
        return None
    if len(tokens) == width - 1:  # no name over the row labels: an empty one, so columns do not shift
        return [(tokens[0][0], tokens[0][0])] + tokens
    return tokens


def _form_tables(text: str, lines: list[Line], tables: list[Table]) -> list[Table]:
    """The 资金情况 blocks of forms that no table above holds (one cell per line without tabs, a form
    flattened onto one line), as tables: rows under the header by role, offsets kept. Their lines stay
    text lines: a flattened form shares its line with prose."""
    from .forms import funds_blocks_in

    covered = [(t.start, t.end) for t in tables]
    out: list[Table] = []
    for block in funds_blocks_in(text):
        if any(s <= block.start < e for s, e in covered):
            continue
        roles = block.roles
        head = block.header[0]
        rows = [[Cell(0, 0, head.start, head.start, "")] +
                [Cell(0, k + 1, c.start, c.end, "") for k, c in enumerate(block.header)]]
        ragged = set()
        for r, row in enumerate(block.rows, start=1):
            cells = [Cell(r, 0, row.label.start, row.label.end, "")]
            if row.cells is None:
                ragged.add(r)
                cells += [Cell(r, k + 1, v.start, v.end, "") for k, v in enumerate(row.values) if v.kind != "empty"]
            else:
                for k, role in enumerate(roles):
                    v = row.cells.get(role)
                    at = cells[-1].end
                    cells.append(Cell(r, k + 1, v.start, v.end, "") if v is not None else Cell(r, k + 1, at, at, ""))
            rows.append(cells)
        t = _make_table(text, len(tables) + len(out), rows, [], lines, (block.start, block.end), ragged)
        t.ragged = ragged
        for r in ragged:
            t.frame.iloc[r - 1, 1:] = None
        out.append(t)
    return out


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


def _make_table(text: str, index: int, rows: list[list[Cell]], used: list[int], lines: list[Line],
                span: tuple[int, int] | None = None, placed: set | None = None) -> Table:
    """A table from its rows of cells; `placed`: the rows already put under the header (form tables)."""
    for row in rows:
        for cell in row:
            cell.text = text[cell.start:cell.end]
    first = rows[0]
    numeric_first = sum(_numeric(c.text) is not None for c in first if c.text)
    has_header = len(rows) > 1 and numeric_first <= len([c for c in first if c.text]) // 3
    width = max(len(r) for r in rows)
    ragged: set[int] = set()
    if has_header:
        header = [c.text for c in first]
        body_widths = [len(r) for r in rows[1:]]
        common = max(set(body_widths), key=body_widths.count)
        if placed is None and len(_no_padding(first)) == common - 1 and _labels_first(rows[1:]):
            header = [""] + header  # the header row lacks the row-label column: shift it, not the rows
            for cell in first:
                cell.col += 1
        header = header + [""] * (width - len(header))
        width = len(header)
        # a row with cells missing cannot be placed under the header: its cells get no column
        expected = len(_no_padding(first)) + (1 if header[0] == "" and first[0].col == 1 else 0)
        ragged = set() if placed is not None else {
            r for r, row in enumerate(rows) if r > 0 and len(row) < expected and any(_numeric(c.text) is not None for c in row)}
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
    caption = ""
    if span is not None:
        start, end = span
        caption = text[max(0, start - 60):start].strip()
    else:
        start = lines[min(used)].start
        end = lines[max(used)].end
        k = min(used) - 1
        while k >= 0 and not text[lines[k].start:lines[k].end].strip():
            k -= 1
        if k >= 0:
            caption = text[lines[k].start:lines[k].end].strip()[-60:]
    for r in ragged:
        frame.iloc[r - 1, 1:] = None
    return Table(index, start, end, rows, header, columns, frame, used, caption, has_header, ragged)


def _no_padding(row: list[Cell]) -> list[Cell]:
    """A row without the empty cells that pad its end (`||||`)."""
    out = list(row)
    while out and out[-1].start == out[-1].end:
        out.pop()
    return out


def _labels_first(body: list[list[Cell]]) -> bool:
    """Do body rows start with a text label and go on with figures?"""
    rows = [r for r in body if len(r) >= 2]
    return bool(rows) and all(_numeric(r[0].text) is None for r in rows) and \
        sum(any(_numeric(c.text) is not None for c in r[1:]) for r in rows) >= len(rows) / 2


# --- forms as a stream of cells -------------------------------------------------------------
# Real forms come flattened in many ways (one cell per line, `|` rows with padding, a whole form on
# one line with cells separated by spaces). Reading them as one stream of cells, in text order and
# with offsets, lets the form readers (claims.funds, claims.weights) ignore the layout.

_RUN_TOGETHER = re.compile(r"\d+\.\d+\.\d+(?:\.\d+)*")
_DATE_LIKE = re.compile(r"(?:19|20)\d{2}\.\d{1,2}(?:\.\d{1,2})?")
_PLACEHOLDERS = {"/", "—", "-", "－", "——", "--", "无", "／", "\\"}


@dataclass
class FormCell:
    """One cell of a form read as a stream; `line` is the source line it stands on."""

    start: int
    end: int
    text: str
    line: int

    @property
    def kind(self) -> str:
        """number | percent | placeholder | empty | runon | text."""
        return cell_kind(self.text)

    @property
    def empty(self) -> bool:
        return self.start == self.end


def cell_kind(text: str) -> str:
    t = fold(text).strip().replace(" ", "")
    if not t:
        return "empty"
    if t in _PLACEHOLDERS:
        return "placeholder"
    body = t[:-1] if t.endswith("%") else t
    if parse_arabic(body) is not None:
        return "percent" if t.endswith("%") else "number"
    if _RUN_TOGETHER.fullmatch(body) and not _DATE_LIKE.fullmatch(body):
        return "runon"
    return "text"


def cell_value(text: str):
    """(value, decimals) of a number or percent cell, else None."""
    from ..read.numerals import decimals_of
    t = fold(text).strip().replace(" ", "")
    body = t[:-1] if t.endswith("%") else t
    v = parse_arabic(body)
    if v is None:
        return None
    return v, decimals_of(body)


def cell_stream(text: str, start: int = 0, end: int | None = None) -> list[FormCell]:
    """The cells of text[start:end] in order.

    A line holding `|` or a tab is cut at them: whitespace between two separators is an empty cell
    (`||||` padding and missing cells keep their place), and so is a blank line ending in `|` and a
    line that is only `|`;
    nothing is made of a separator at a line's edge. A line with neither is cut at runs of spaces (a flattened form) — or is one cell when it
    has no space (one cell per line).
    """
    end = len(text) if end is None else end
    out: list[FormCell] = []
    line_no = text.count("\n", 0, start)
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        line = text[pos:stop]
        if line.strip(" \u3000\r") == "|":  # one cell per line: a lone `|` is an empty cell
            s = pos + line.index("|")
            out.append(FormCell(s, s, "", line_no))
        elif "|" in line or "\t" in line:
            pieces = re.split(r"([|\t])", line)
            offset = pos
            for k, piece in enumerate(pieces):
                if k % 2 == 1:  # a separator
                    offset += 1
                    continue
                stripped = piece.strip(" \u3000\r")
                # a blank before the line's first `|` is an empty cell (one cell per line: ` |`)
                skip = (k == len(pieces) - 1 and not stripped) or (k == 0 and not piece)
                if stripped or not skip:
                    s = offset + (len(piece) - len(piece.lstrip(" \u3000\r")))
                    out.append(FormCell(s, s + len(stripped), stripped, line_no))
                offset += len(piece)
        else:
            for m in re.finditer(r"[^\s\u3000]+", line):
                out.append(FormCell(pos + m.start(), pos + m.end(), m.group(0), line_no))
        pos = stop + 1
        line_no += 1
    return out
