"""B06: performance indicators whose target or actual is a word, not a figure.

Read from the text itself, in every shape an indicator takes: `label：value` lines, table cells
(`|` rows, one cell per line, rows squashed onto one line), and prose sentences that report
indicators with adjectives only (效益较为明显, 各项指标均有所提升). Independent of the table model.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..model.report import Report
from ..wordlists import load

_FIGURE = re.compile(r"\d")
_TARGET_ONLY = re.compile(r"^[^\d≥≤><]*[≥≤><]=?\s*\d+(?:\.\d+)?\s*%?[。.]?$")
_CLAUSE_END = re.compile(r"[，,。；;！!？?\n]")


@dataclass(frozen=True)
class Vague:
    start: int
    end: int
    label: str
    value: str
    how: str  # "label" | "cell" | "empty" | "target" | "prose"


@dataclass(frozen=True)
class _Vocab:
    label_value: re.Pattern
    adjectives: re.Pattern
    cell_vague: frozenset
    table_context: re.Pattern
    category: re.Pattern
    header_name: frozenset
    header_actual: frozenset
    done_context: re.Pattern
    prose: tuple
    unit_cell: re.Pattern
    operator: re.Pattern


@lru_cache(maxsize=1)
def vocab() -> _Vocab:
    data = load("indicators.yaml")
    labels = "|".join(sorted(map(re.escape, data["labels"]), key=len, reverse=True))
    label_value = re.compile(rf"(?:^|(?<=[\s、.．。；;，,:：）)\d|]))({labels})\s*(?:{data['label_note']})?\s*[：:。.，,]\s*([^。；;\n|]*)", re.M)
    return _Vocab(label_value, re.compile(data["vague"]), frozenset(data["cell_vague"]),
                  re.compile(data["table_context"]), re.compile(data["category"]),
                  frozenset(data["header_name"]), frozenset(data["header_actual"]),
                  re.compile(data["done_context"]), tuple(re.compile(p) for p in data["prose"]),
                  re.compile(data["unit_cell"]),
                  re.compile(rf"^(?:[=≥≤><≧≦═]+|{'|'.join(map(re.escape, data['operator_words']))})$"))


@dataclass(frozen=True)
class Cell:
    start: int
    end: int
    text: str


def cells(folded: str) -> list[Cell]:
    """The text cut into cells: at |, tabs and line ends; a line of many short space-separated
    tokens (a squashed table row) also at spaces. Empty cells between bars are kept."""
    out: list[Cell] = []
    for m in re.finditer(r"[^\n]*", folded):
        line, base = m.group(0), m.start()
        if not line.strip():
            continue
        if "|" in line:
            s, e = 0, len(line)
            body = line.strip()
            s = line.index(body[0]) if body else 0
            e = s + len(body)
            if line[s:e].startswith("|"):
                s += 1
            if line[s:e].endswith("|") and e - 1 >= s:
                e -= 1
            pos = s
            for piece in line[s:e].split("|"):
                lead = len(piece) - len(piece.lstrip())
                text = piece.strip()
                out.append(Cell(base + pos + lead, base + pos + lead + len(text), text))
                pos += len(piece) + 1
            continue
        parts = line.split("\t") if "\t" in line.strip() else None
        if parts is None:
            tokens = line.split()
            squashed = len(tokens) >= 6 and sum(len(t) <= 12 for t in tokens) >= 0.7 * len(tokens)
            parts = None if squashed else [line]
            if squashed:
                for t in re.finditer(r"\S+", line):
                    out.append(Cell(base + t.start(), base + t.end(), t.group(0)))
                continue
        pos = 0
        for piece in parts:
            lead = len(piece) - len(piece.lstrip())
            text = piece.strip()
            if text:
                out.append(Cell(base + pos + lead, base + pos + lead + len(text), text))
            pos += len(piece) + 1
    return out


def find_vague(report: Report) -> list[Vague]:
    """Every vague indicator of the report, one per indicator, in text order."""
    v = vocab()
    folded = report.folded
    found: list[Vague] = []
    found += _labelled(report, v)
    cs = cells(folded)
    found += _table_cells(folded, cs, v)
    found += _empty_actuals(cs, v)
    found += _prose(report, v)
    found.sort(key=lambda x: (x.start, -x.end))
    out: list[Vague] = []
    for x in found:
        if out and x.start < out[-1].end:
            continue
        out.append(x)
    return out


def _in_done_section(report: Report, pos: int) -> bool:
    v = vocab()
    node = report.section_at(pos)
    while node is not None:
        if node.marker and v.done_context.search(node.title):
            return True
        node = node.parent
    return False


def _labelled(report: Report, v: _Vocab) -> list[Vague]:
    out = []
    figures = [f.start for f in report.figures if f.kind != "year"]  # a date measures a 时效指标
    for m in v.label_value.finditer(report.folded):
        value_start, value_end = m.start(2), m.end(2)
        value = m.group(2).strip()
        if value_end - value_start < 2 or not value:
            continue
        if v.category.match(value) or value.startswith(("二、", "三、", "四、", "五、")):
            continue  # the label of a heading, the next heading
        if any(value_start <= s < value_end for s in figures):
            if _TARGET_ONLY.match(value) and _in_done_section(report, m.start()):
                out.append(Vague(m.start(1), value_end, m.group(1), value, "target"))
            continue
        out.append(Vague(m.start(1), value_end, m.group(1), value, "label"))
    return out


def _is_vague_cell(c: Cell, v: _Vocab) -> bool:
    return c.text in v.cell_vague


def _is_name(c: Cell, v: _Vocab) -> bool:
    t = "".join(c.text.split())  # spaced-out labels: 经济效益 指标
    return (len(t) >= 2 and not _FIGURE.search(t) and not v.operator.match(t) and t not in v.cell_vague
            and not v.category.match(t) and not v.unit_cell.match(t) and t not in v.header_name and t not in v.header_actual)


def _table_cells(folded: str, cs: list[Cell], v: _Vocab) -> list[Vague]:
    out = []
    k = 0
    while k < len(cs):
        c = cs[k]
        if not _is_vague_cell(c, v) or not v.table_context.search(folded, max(0, c.start - 400), c.start):
            k += 1
            continue
        j = k
        while j + 1 < len(cs) and _is_vague_cell(cs[j + 1], v):
            j += 1
        at = next((i for i in range(k - 1, max(-1, k - 6), -1) if _is_name(cs[i], v)), None)
        if at is not None and at == k - 1 and at > 0 and _is_name(cs[at - 1], v):
            at -= 1  # name, then a target in words, then the actual: 经费审批流程规范性 严格执行相关制度规定 达成预期指标
        name = cs[at] if at is not None else None
        if name is not None and not v.category.match(name.text) and name.start >= c.start - 200:
            values = " ".join(cs[i].text for i in range(k, j + 1))
            out.append(Vague(name.start, cs[j].end, name.text, values, "cell"))
        k = j + 1
    return out


def _empty_actuals(cs: list[Cell], v: _Vocab) -> list[Vague]:
    """Rows under a header with a name column and an actual column whose actual cell is empty."""
    out = []
    texts = [c.text for c in cs]
    for h, t in enumerate(texts):
        if t not in v.header_name:
            continue
        actual = next((a for a in range(h + 1, min(len(texts), h + 10)) if texts[a] in v.header_actual), None)
        if actual is None:
            continue
        offset = actual - h
        for k in range(actual + 1, min(len(cs), actual + 400)):
            if texts[k] in v.header_name:
                break
            if not v.category.match(texts[k]) or k + 1 >= len(cs) or not _is_name(cs[k + 1], v):
                continue
            name = k + 1
            if name + offset >= len(cs):
                break
            target = cs[name + 1:name + offset]
            cell = cs[name + offset]
            if cell.text == "" and any(_FIGURE.search(x.text) for x in target):
                out.append(Vague(cs[name].start, cs[name + offset - 1].end, cs[name].text, "", "empty"))
    return out


def _prose(report: Report, v: _Vocab) -> list[Vague]:
    out = []
    folded = report.folded
    for p in report.paragraphs:
        if p.kind != "text":
            continue
        for pattern in v.prose:
            for m in pattern.finditer(folded, p.start, p.end):
                cs = max([p.start] + [x.end() for x in _CLAUSE_END.finditer(folded, p.start, m.start())])
                ce = _CLAUSE_END.search(folded, m.end(), p.end)
                ce = ce.start() if ce else p.end
                if _FIGURE.search(folded, cs, ce):
                    continue
                out.append(Vague(m.start(), m.end(), m.group(0), m.group(0), "prose"))
    return out
