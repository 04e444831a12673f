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


QUALIFIED = ["年初预算数", "全年预算数（A）", "全年执行数（B）", "分值", "执行率（B/A）", "得分"]


def render(rows, shape: str, title: str = "项目支出绩效自评表", qualified: bool = False) -> Form:
    """Write the funds block of a form in one layout, remembering each value's offsets."""
    columns = QUALIFIED if qualified else COLUMNS
    out: list[str] = [f"{title}\n项目资金（万元）"]
    cells: dict = {}
    pos = [sum(len(x) for x in out)]

    def put(piece: str, key=None):
        if key is not None:
            cells[key] = (pos[0], pos[0] + len(piece))
        out.append(piece)
        pos[0] += len(piece)

    if shape in ("pipe", "pipe_missing"):
        put("\n| " + " | ".join(columns) + " |\n")
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
        put("\n" + "".join(f"{h} |\n" for h in columns))
        for r, (label, values) in enumerate(rows):
            put(f"{label} |\n")
            for c, v in enumerate(values):
                put(v, (r, c) if v else None)
                put(" |\n")
    elif shape == "tabs":
        put("\n\n" + "".join(f"\t{h}\n" for h in columns) + "\n")
        for r, (label, values) in enumerate(rows):
            put(f"\t{label}\n")
            for c, v in enumerate(values):
                put("\t")
                put(v, (r, c) if v else None)
                put("\n")
            put("\n")
    else:  # flat: the whole block on one line, cells separated by spaces
        put(" " + " ".join(columns))
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


INDICATOR_HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]


@st.composite
def indicator_blocks(draw):
    """Blocks 产出指标(N分)… whose rows' 分值 add up to N, scores no higher than their 分值."""
    blocks = []
    for name in ("产出指标", "效益指标", "满意度指标"):
        k = draw(st.integers(2, 4))
        weights = [draw(st.integers(2, 15)) for _ in range(k)]
        scores = [draw(st.integers(0, w)) for w in weights]
        rows = [(f"{name[:2]}{i + 1}", f"≥{draw(st.integers(1, 99))}个", f"{draw(st.integers(1, 99))}个", w, s)
                for i, (w, s) in enumerate(zip(weights, scores))]
        blocks.append((name, sum(weights), rows))
    return blocks


def render_weights(blocks, shape: str) -> Form:
    """A form's indicator part with its 合计 row; cells remembers each block's 'N分' and the total."""
    out: list[str] = []
    cells: dict = {}
    pos = [0]

    def put(piece: str, key=None):
        if key is not None:
            cells[key] = (pos[0], pos[0] + len(piece))
        out.append(piece)
        pos[0] += len(piece)

    funds = render(_fixed_funds(sum(b[1] for b in blocks)), "pipe" if shape != "tabs" else "tabs")
    put(funds.text)
    if shape == "tabs":  # the Word shape: one tab-prefixed cell per line, a blank line after each row
        put("".join(f"\t{h}\n" for h in ["绩效指标"] + INDICATOR_HEADER) + "\n")
        for b, (name, points, rows) in enumerate(blocks):
            for r, (label, target, actual, w, s) in enumerate(rows):
                if r == 0:
                    put(f"\t{name}(")
                    put(f"{points}分", ("block", b))
                    put(")\n")
                put("".join(f"\t{c}\n" for c in [label, "指标", target, actual, str(w), str(s)]) + "\n")
        put("\t合计\n\t")
        put(str(sum(b[1] for b in blocks) + 10), ("total",))
        put("\n\n评价结论\n良好。\n")
        return Form("".join(out), cells, shape)
    sep = {"pipe": " | ", "flat": " "}[shape]
    end = {"pipe": " |\n", "flat": " "}[shape]
    put("绩效指标" + sep + sep.join(INDICATOR_HEADER) + end)
    for b, (name, points, rows) in enumerate(blocks):
        put(f"{name}(")
        put(f"{points}分", ("block", b))
        put(")")
        for label, target, actual, w, s in rows:
            put(sep + sep.join([label, "指标", target, actual, str(w), str(s)]) + end)
    put("合计" + sep)
    put(str(sum(b[1] for b in blocks) + 10), ("total",))
    put(end + "\n评价结论\n良好。\n")
    return Form("".join(out), cells, shape)


def _fixed_funds(_points):
    return [("年度资金总额", ["20.00", "20.00", "20.00", "10", "100.00%", "10.00"]),
            ("其中：财政拨款", ["20.00", "20.00", "20.00", "", "100.00%", ""])]


@st.composite
def heading_tree(draw):
    """（一）投入（满分A分，实得B分） with numbered items whose 满分 and 实得 add up."""
    parts = []
    for name in ("投入", "过程", "产出"):
        k = draw(st.integers(2, 3))
        full = [draw(st.integers(2, 20)) for _ in range(k)]
        got = [draw(st.integers(0, f)) for f in full]
        parts.append((name, full, got))
    return parts


def render_headings(parts) -> Form:
    out: list[str] = ["关于项目绩效自评的报告\n一、自评情况\n"]
    cells: dict = {}
    pos = [len(out[0])]  # noqa: the title and first heading

    def put(piece: str, key=None):
        if key is not None:
            cells[key] = (pos[0], pos[0] + len(piece))
        out.append(piece)
        pos[0] += len(piece)

    cn = "一二三四五"
    for p, (name, full, got) in enumerate(parts):
        put(f"（{cn[p]}）{name}（满分")
        put(str(sum(full)), ("full", p))
        put("分，实得")
        put(str(sum(got)), ("got", p))
        put("分）\n")
        for i, (f, g) in enumerate(zip(full, got)):
            put(f"{i + 1}.第{i + 1}项（满分{f}分，实得{g}分）\n按要求完成。\n")
    put("二、存在问题\n无。\n")
    return Form("".join(out), cells, "headings")


TABLE_SHAPES = ("tabs", "pipe", "pipe_no_label_header", "spaces", "label_colon")


@st.composite
def item_table(draw):
    """Items with 预算 and 实际支出 and a 合计 row that adds them up."""
    k = draw(st.integers(2, 6))
    items = [(f"第{i + 1}项工程", _money(draw), _money(draw)) for i in range(k)]
    return items


def render_table(items, shape: str, runon: bool = False) -> Form:
    """A table of items and their 合计 in one layout; cells remembers ('total', c) and (row, c)."""
    header = ["项目名称", "预算金额", "实际支出"]
    total = [sum(i[1] for i in items), sum(i[2] for i in items)]
    rows = [(name, [f"{a:.2f}", f"{b:.2f}"]) for name, a, b in items] + [("合计", [f"{total[0]:.2f}", f"{total[1]:.2f}"])]
    out: list[str] = ["一、项目支出情况（单位：万元）\n"]
    cells: dict = {}
    pos = [len(out[0])]

    def put(piece: str, key=None):
        if key is not None:
            cells[key] = (pos[0], pos[0] + len(piece))
        out.append(piece)
        pos[0] += len(piece)

    def keyof(r, c):
        return ("total", c) if r == len(rows) - 1 else (r, c)

    if shape == "tabs":
        put("".join(f"\t{h}\n" for h in header) + "\n")
        for r, (label, values) in enumerate(rows):
            put(f"\t{label}\n")
            if runon and r == 0:
                put("\t")
                put("".join(values), ("runon",))
                put("\n\t\n")
            else:
                for c, v in enumerate(values):
                    put("\t")
                    put(v, keyof(r, c))
                    put("\n")
            put("\n")
    elif shape in ("pipe", "pipe_no_label_header"):
        names = header if shape == "pipe" else header[1:]
        put("| " + " | ".join(names) + " |||\n")
        for r, (label, values) in enumerate(rows):
            put(f"| {label} |")
            if runon and r == 0:
                put(" ")
                put("".join(values), ("runon",))
                put(" | |")
            else:
                for c, v in enumerate(values):
                    put(" ")
                    put(v, keyof(r, c))
                    put(" |")
            put("||\n")
    else:
        put(" ".join(header[1:]) + "\n")
        for r, (label, values) in enumerate(rows):
            put(label + ("：" if shape == "label_colon" else ""))
            if runon and r == 0:
                put(" ")
                put("".join(values), ("runon",))
                put(" —")
            else:
                for c, v in enumerate(values):
                    put(" ")
                    put(v, keyof(r, c))
            put("\n")
    put("二、绩效目标完成情况\n按计划完成。\n")
    return Form("".join(out), cells, shape)
