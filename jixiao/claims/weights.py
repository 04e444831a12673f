"""Weights and scores: points a form or heading states against the points of what it holds.

- a heading's points (（一）投入（满分15分，实得15分）) against its sub-headings' points;
- a block of the form (产出指标（50分）, 预算执行情况（10分）) against the 分值 of its rows;
- the form's 合计/总分 row against its blocks (or, with no blocks, against every row's 分值 and 得分).
A block whose rows run to the end of the text may be cut off: fewer points than stated is then
not_checked, never a finding.
"""
from __future__ import annotations

import re
from decimal import Decimal

from ..model.forms import form_words, key
from ..model.tables import FormCell, cell_value
from . import Claim, Operand
from .context import Facts


def extract(facts: Facts) -> list[Claim]:
    claims = _headings(facts)
    claims += _form_blocks(facts)
    return claims


# --- headings -----------------------------------------------------------------------------------

def _heading_points(facts: Facts, node):
    """{series: (value, start, end)} of a heading: 'points' (满分/分值) and 'score' (实得/自评得分)."""
    text = facts.text
    p = facts.report.paragraphs[node.paragraph] if node.paragraph is not None else None
    if p is None:
        return {}
    head = text[p.start:p.end]
    cut = min([k for k in (head.find(ch) for ch in "：:。；;") if k >= 0] + [len(head), 80])
    m = form_words()["heading_points"].search(head[:cut + 1])
    if not m:
        return {}
    out = {}
    first = "score" if m.group(1) in ("自评得分", "得分") and m.group(4) is None else "points"
    out[first] = (Decimal(m.group(2)), p.start + m.start(2), p.start + m.end(2))
    if m.group(4) is not None:
        out["score"] = (Decimal(m.group(4)), p.start + m.start(4), p.start + m.end(4))
    return out


def _headings(facts: Facts) -> list[Claim]:
    claims = []
    rest = facts.text
    for node in facts.report.sections.walk():
        if node.marker is None or len(node.children) < 2:
            continue
        own = _heading_points(facts, node)
        if not own:
            continue
        kids = [_heading_points(facts, c) for c in node.children]
        closed = bool(rest[node.end:].strip())
        for series, (value, s, e) in own.items():
            if not all(series in k for k in kids):
                continue
            what = "满分" if series == "points" else "得分"
            title = re.split(r"[（(]", node.title)[0][:16]
            claims.append(Claim("weights", "sum", f"{title}{what} = 下级各项{what}之和（{len(kids)}项）", s, e,
                                value, _decimals(facts.text[s:e]), "分",
                                [Operand(c.title[:12], k[series][0], k[series][1], k[series][2])
                                 for c, k in zip(node.children, kids)],
                                detail={"exhaustive": closed}))
    return claims


def _decimals(t: str) -> int:
    return len(t.split(".", 1)[1]) if "." in t else 0


# --- the form -----------------------------------------------------------------------------------

def _block_header(cell: FormCell):
    m = form_words()["block_header"].match(key(cell))
    return (m.group(1), Decimal(m.group(2))) if m else None


def _is_total_row(cell: FormCell) -> bool:
    return bool(form_words()["total_row"].match(key(cell)))


def _header(cells: list[FormCell], k: int) -> tuple[list[str], int]:
    """The indicator header starting at k: roles of its cells, and the index after it."""
    cols = form_words()["indicator_columns"]
    roles = []
    while k < len(cells):
        r = next((name for name, pat in cols.items() if pat.match(key(cells[k]))), None)
        if r is None:
            break
        roles.append(r)
        k += 1
    return roles, k


def _trailing_pair(row: list[FormCell]):
    """(分值, 得分) as the last two numbers of a row (one text or placeholder cell may follow)."""
    cells = [c for c in row if c.kind != "empty"]
    if not any(c.kind in ("number", "percent", "runon") for c in cells):
        return "none"
    if cells and cells[-1].kind in ("text", "placeholder"):
        cells = cells[:-1]
    if len(cells) >= 2 and cells[-1].kind == cells[-2].kind == "number":
        w, s = cell_value(cells[-2].text)[0], cell_value(cells[-1].text)[0]
        if 0 < w and s <= w:
            return cells[-2], cells[-1]
    return None


def read_rows(facts: Facts, cells: list[FormCell], roles: list[str]):
    """(分值 cell, 得分 cell) of each row among `cells`; None when a row with figures cannot be read."""
    if not cells:
        return []
    text = facts.text
    by_line: dict[int, list[FormCell]] = {}
    for c in cells:
        by_line.setdefault(c.line, []).append(c)
    lines = list(by_line.values())
    rows: list[list[FormCell]] = []
    if all(len(l) <= 1 for l in lines):  # one cell per line
        gaps = [k for k in range(1, len(cells)) if cells[k].line > cells[k - 1].line + 1]
        if gaps:  # the Word shape: a blank line after each row
            bounds = [0] + gaps + [len(cells)]
            rows = [cells[a:b] for a, b in zip(bounds, bounds[1:])]
        else:  # rows are as wide as the header
            width = len(roles)
            if width < 3 or "points" not in roles or len(cells) % width:
                return None
            rows = [cells[k:k + width] for k in range(0, len(cells), width)]
    else:
        for line in lines:
            src = text[line[0].start - 1:line[-1].end + 1] if line[0].start else text[:line[-1].end + 1]
            if "|" in src or "\t" in src or len(line) < 3:
                rows.append(line)
                continue
            run: list[FormCell] = []   # a flattened form: each run of bare numbers ends one row
            for c in line + [None]:
                if c is not None and c.kind == "number":
                    run.append(c)
                    continue
                if run:
                    if len(run) < 2:
                        return None
                    rows.append(run)
                    run = []
    out = []
    for row in rows:
        if roles and len(row) == len(roles) and "points" in roles and "score" in roles:
            w, s = row[roles.index("points")], row[roles.index("score")]
            if w.kind == "number":
                out.append((w, s if s.kind == "number" else None))
                continue
            if any(c.kind in ("number", "percent") for c in row):
                return None
            continue
        pair = _trailing_pair(row)
        if pair == "none":
            continue
        if pair is None:
            return None
        out.append(pair)
    return out


def _value(cell: FormCell) -> Decimal:
    return cell_value(cell.text)[0]


def _form_blocks(facts: Facts) -> list[Claim]:
    cells = facts.form_cells
    n = len(cells)
    w = form_words()
    claims: list[Claim] = []
    funds = facts.funds_blocks
    funds_at = {}
    for fb in funds:
        k0 = next(k for k, c in enumerate(cells) if c.start == fb.header[0].start)
        funds_at[k0] = fb
    headers = [k for k in range(n) if _block_header(cells[k])]
    stops = {k for k in range(n) if _is_total_row(cells[k])} | set(funds_at)
    blocks = []  # (index, name, points, end index, closed)
    for k in headers:
        name, points = _block_header(cells[k])
        umbrella = bool(w["block_umbrella"].match(name))
        end = k + 1
        while end < n and end not in stops and not (
                (h := _block_header(cells[end])) and (not umbrella or w["block_umbrella"].match(h[0]) or
                                                      h[0].endswith("情况"))):
            end += 1
        blocks.append((k, name, points, umbrella, end, end < n))
    for k, name, points, umbrella, end, closed in blocks:
        stated = cells[k]
        s, e = _points_span(stated)
        if name.endswith("情况"):
            fb = next((fb for k0, fb in funds_at.items() if k < k0 < end), None)
            total = next((r for r in fb.rows if r.role == "total"), None) if fb else None
            cell = total.value_cell("points") if total else None
            if cell is not None:
                claims.append(Claim("weights", "equal", f"{name}分值 = 资金表中的分值", s, e, points, 0, "分",
                                    [Operand(f"资金表分值 {cell.text}", _value(cell), cell.start, cell.end)],
                                    detail={"other_decimals": _decimals(cell.text)}))
            continue
        subs = [b for b in blocks if k < b[0] < end and not b[3]]
        if umbrella and subs:
            ops = [Operand(b[1], b[2], *_points_span(cells[b[0]])) for b in subs]
        else:
            roles, body = _header(cells, k + 1)
            pairs = read_rows(facts, cells[body:end], roles)
            if not pairs:
                continue
            ops = [Operand("分值", _value(wc), wc.start, wc.end) for wc, _ in pairs]
        claims.append(Claim("weights", "sum", f"{name}分值 = 所属各指标分值之和（{len(ops)}项）", s, e, points, 0, "分",
                            ops, detail={"exhaustive": closed}))
    claims += _total_rows(facts, cells, blocks, funds_at)
    return claims


def _points_span(cell: FormCell) -> tuple[int, int]:
    """The 'N分' of a block header cell, for evidence."""
    m = re.search(r"\d+(?:\.\d+)?\s*分", cell.text)
    return (cell.start + m.start(), cell.start + m.end()) if m else (cell.start, cell.end)


def _total_rows(facts: Facts, cells, blocks, funds_at) -> list[Claim]:
    claims = []
    last_total = -1
    for t in range(len(cells)):
        if not _is_total_row(cells[t]):
            continue
        nums = []
        j = t + 1
        while j < len(cells) and len(nums) < 2 and cells[j].kind in ("number", "empty"):
            if cells[j].kind == "number":
                nums.append(cells[j])
            j += 1
        starts = [k0 for k0 in funds_at if last_total < k0 < t]
        last_total = t
        if not nums or not starts:
            continue
        k0 = starts[-1]
        fb = funds_at[k0]
        top = [b for b in blocks if k0 - 3 <= b[0] < t]
        umbrellas = [b for b in top if b[3] or b[1].endswith("情况")]
        if top:
            use = umbrellas if any(b[3] for b in umbrellas) else top
            if not any(b[1].endswith("情况") for b in use):
                total = next((r for r in fb.rows if r.role == "total"), None)
                cell = total.value_cell("points") if total else None
                if cell is None:
                    continue
                ops = [Operand(f"资金表分值 {cell.text}", _value(cell), cell.start, cell.end)]
            else:
                ops = []
            ops += [Operand(b[1], b[2], *_points_span(cells[b[0]])) for b in use]
            score_ops = None
        else:
            total = next((r for r in fb.rows if r.role == "total"), None)
            wc = total.value_cell("points") if total else None
            sc = total.value_cell("score") if total else None
            if wc is None:
                continue
            pairs = read_rows(facts, cells[fb.last_cell:t], [])
            if not pairs:
                continue
            ops = [Operand("资金分值", _value(wc), wc.start, wc.end)] + \
                [Operand("分值", _value(a), a.start, a.end) for a, _ in pairs]
            score_ops = None
            if sc is not None and all(b is not None for _, b in pairs):
                score_ops = [Operand("资金得分", _value(sc), sc.start, sc.end)] + \
                    [Operand("得分", _value(b), b.start, b.end) for _, b in pairs]
        label = cells[t].text.rstrip(":：")
        claims.append(Claim("weights", "sum", f"{label}（分值）= 各部分分值之和（{len(ops)}项）", nums[0].start, nums[0].end,
                            _value(nums[0]), _decimals(nums[0].text), "分", ops))
        if score_ops and len(nums) > 1:
            claims.append(Claim("weights", "sum", f"{label}（得分）= 各项得分之和（{len(score_ops)}项）", nums[1].start,
                                nums[1].end, _value(nums[1]), _decimals(nums[1].text), "分", score_ops))
    return claims
