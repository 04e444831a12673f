"""Generated 绩效自评表 forms in the layouts real reports come in (for the form property tests)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import strategies as st

SHAPES = ("pipe", "pipe_missing", "lines", "tabs", "flat", "label_colon")
COLUMNS = ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
TWO = Decimal("0.01")


@dataclass
class Form:
    text: str
    cells: dict          # (row, column) -> (start, end) of each written value
    shape: str


def _money(draw, lo=1000, hi=500000) -> Decimal:
    return Decimal(draw(st.integers(lo, hi))) / 100


@st.composite
def funds_rows(draw):
    """Rows 年度资金总额 / 其中：财政拨款 / 其他资金 whose columns add up, with rate and score."""
    parts = []
    for _ in range(2):
        initial, full = _money(draw), _money(draw)
        spent = (full * Decimal(draw(st.integers(50, 100))) / 100).quantize(TWO)
        parts.append([initial, full, spent])
    total = [parts[0][k] + parts[1][k] for k in range(3)]
    rows = []
    for label, (initial, full, spent), scored in (("年度资金总额", total, True),
                                                  ("其中：财政拨款", parts[0], False), ("其他资金", parts[1], False)):
        rate = (spent / full * 100).quantize(TWO, ROUND_HALF_UP)
        values = [f"{initial:.2f}", f"{full:.2f}", f"{spent:.2f}"]
        if scored:
            score = (10 * min(rate, Decimal(100)) / 100).quantize(TWO, ROUND_HALF_UP)
            values += ["10", f"{rate:.2f}%", f"{score:.2f}"]
        else:
            values += ["", f"{rate:.2f}%", ""]
        rows.append((label, values))
    return rows


def render(rows, shape: str, title: str = "项目支出绩效自评表") -> Form:
    """Write the funds block of a form in one layout, remembering each value's offsets."""
    out: list[str] = [f"{title}\n项目资金（万元）"]
    cells: dict = {}
    pos = [sum(len(x) for x in out)]

    def put(piece: str, key=None):
        if key is not None:
            cells[key] = (pos[0], pos[0] + len(piece))
        out.append(piece)
        pos[0] += len(piece)

    if shape in ("pipe", "pipe_missing"):
        put("\n| " + " | ".join(COLUMNS) + " |\n")
        for r, (label, values) in enumerate(rows):
            put(f"{label} |")
            for c, v in enumerate(values):
                if shape == "pipe_missing" and c == 0:
                    continue  # a missing leading cell: columns must not shift
                if v == "" and shape == "pipe_missing":
                    v = "/"
                put(" ")
                put(v, (r, c) if v not in ("", "/") else None)
                put(" |")
            put("|||\n")
    elif shape == "lines":
        put("\n" + "".join(f"{h} |\n" for h in COLUMNS))
        for r, (label, values) in enumerate(rows):
            put(f"{label} |\n")
            for c, v in enumerate(values):
                put(v, (r, c) if v else None)
                put(" |\n")
    elif shape == "tabs":
        put("\n\n" + "".join(f"\t{h}\n" for h in COLUMNS) + "\n")
        for r, (label, values) in enumerate(rows):
            put(f"\t{label}\n")
            for c, v in enumerate(values):
                put("\t")
                put(v, (r, c) if v else None)
                put("\n")
            put("\n")
    else:  # flat: the whole block on one line, cells separated by spaces
        put(" " + " ".join(COLUMNS))
        for r, (label, values) in enumerate(rows):
            put(f" {label}{'：' if shape == 'label_colon' else ''}")
            for c, v in enumerate(values):
                if v:
                    put(" ")
                    put(v, (r, c))
    put("\n年度总体目标\n完成年度目标。\n")
    return Form("".join(out), cells, shape)


def alter(form: Form, key, delta: Decimal) -> str:
    s, e = form.cells[key]
    old = form.text[s:e]
    pct = old.endswith("%")
    value = Decimal(old.rstrip("%"))
    new = value - delta if value - delta > 0 else value + delta
    written = f"{new:.2f}" + ("%" if pct else "")
    return form.text[:s] + written + form.text[e:], (s, s + len(written))
