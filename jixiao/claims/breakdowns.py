"""Totals and counts in prose: a total and the parts the text breaks it into, in every order real reports use.

- total, then parts: 共有N人，其中A人、B人 / 支出：N万元。其中… / 长3.47km：右岸…，左岸… /
  下达任务N户，第一批…户，第二批…户 / N万元（其中A万元、B万元）;
- parts, then total: A万元；B万元；共计N万元 / A，另有B，共计C;
- parts in the sentence after a total that restate it without a cue (implicit): only checked when
  they add up, never a finding, because the text does not say they are complete.

Parts sum only with parts of the same quantity (prose.quantity). A breakdown the text does not
assert to be complete (in brackets, or one or two parts after 其中) whose parts fall short is
not_checked, never a finding; a hierarchy (一级3个，二级9个) is no breakdown at all.
"""
from __future__ import annotations

import re
from decimal import Decimal

from . import Claim, Operand
from .context import Facts, patterns, words
from .prose import Quantity, is_comparison, is_per_unit, names_total, open_brackets, paragraph_figures, pw, quantity
from .tolerance import sum_consistent

_CUE = patterns()["breakdown_cue"]
_ROLES = ("initial", "adjusted", "budget", "spent")
_STOP = re.compile(r"[。！？!?]")
_SEMI = re.compile(r"[；;]")
_CN_NUM = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def extract(facts: Facts) -> list[Claim]:
    """Computed once per report (Facts.breakdowns): shares and conflicts read the same breakdowns."""
    return list(facts.breakdowns)


def extract_once(facts: Facts) -> list[Claim]:
    claims: list[Claim] = []
    used: set[int] = set()
    for p, figs in paragraph_figures(facts).items():
        qs = [q for q in (quantity(facts, i) for i in figs) if q is not None]
        if len(qs) < 2:
            continue
        for claim in _cued(facts, p, qs) + _colon(facts, qs) + _ordinal(facts, qs) + _closing_total(facts, qs):
            if claim.detail["total"] in used:
                continue
            used.add(claim.detail["total"])
            used.update(claim.detail["parts"])
            claims.append(claim)
    for p, figs in paragraph_figures(facts).items():
        claims += _ordinal_elsewhere(facts, [q for q in (quantity(facts, i) for i in figs) if q is not None], used)
    claims += _implicit(facts, used)
    claims += _remainder(facts, used)
    return claims


def _remainder(facts: Facts, used: set[int]) -> list[Claim]:
    """资金共计T，使用S，结转R / 支付S，未支R: what was spent and what is left make the whole. The whole
    is the budget before them in the sentence (checked either way), else the nearest earlier budget of
    the report (checked only when it adds up: the text does not say which whole it means)."""
    w = pw()
    claims = []
    remainder = re.compile(w["remainder"])
    money = None
    for s in facts.sentences:
        for k in range(1, len(s.figures)):
            j, r = s.figures[k - 1], s.figures[k]
            if facts.roles.get(j) != "spent" or not remainder.search(facts.figures[r].label):
                continue
            sq, rq = quantity(facts, j), quantity(facts, r)
            if sq is None or rq is None or sq.cls != rq.cls or sq.cls[0] != "money":
                continue
            head = _sentence_head(facts, sq.start, 0)
            def whole(i: int) -> bool:
                return i < j and facts.roles.get(i) in ("budget", "adjusted", "initial") and not is_comparison(facts, i)
            local = [quantity(facts, i) for i in s.figures if whole(i) and facts.figures[i].start >= head]
            local = [q for q in local if q is not None and q.value >= sq.value]
            if money is None:
                money = [(i, quantity(facts, i)) for i in facts.money_facts()]
            cands = [q for i, q in money if whole(i) and q is not None and q.value >= sq.value]
            if local:
                claims.append(_claim(facts, local[-1], [sq, rq], True, "支出与结余"))
            else:
                total = next((q for q in reversed(cands) if _adds_up(q, [sq, rq])), None)
                if total is not None:
                    claims.append(_claim(facts, total, [sq, rq], False, "支出与结余", span=(sq.start, rq.end)))
    return claims


def _claim(facts: Facts, total: Quantity, parts: list[Quantity], exhaustive: bool, how: str,
           span: tuple[int, int] | None = None) -> Claim:
    f = facts.figures[total.index]
    kind, op = ("count", "tally") if total.cls[0] == "count" else ("total", "sum")
    unit = "万元" if total.cls[0] == "money" else (f.unit or "")
    scale, shift = Decimal(1), 0
    if total.cls[0] == "money" and f.unit == "元" and total.index not in facts.unit_suspects:
        unit, scale, shift = "元", Decimal(10000), 4  # say it in the unit the report used
    start, end = span or (total.start, total.end)
    exact = kind == "count"  # things counted are whole: no rounding to allow for
    ops = [Operand(facts.figures[q.index].label or f"第{k + 1}项", q.value * scale, q.start, q.end, unit,
                   None if exact else q.decimals - shift) for k, q in enumerate(parts)]
    name = f.label or "合计"
    return Claim(kind, op, f"{name} = {how}各项之和（{len(parts)}项）", start, end, total.value * scale,
                 total.decimals - shift, unit, ops,
                 detail={"exhaustive": exhaustive, "total": total.index, "parts": [q.index for q in parts]})


def _adds_up(total: Quantity, parts: list[Quantity]) -> bool:
    if total.cls[0] == "count":
        return sum(q.value for q in parts) == total.value
    return sum_consistent(total.value, total.decimals, [(q.value, q.decimals) for q in parts])


def _money_side(facts: Facts, i: int) -> str | None:
    role = facts.roles.get(i)
    return "spent" if role == "spent" else ("budget" if role in ("initial", "adjusted") else None)


def _parts_after(facts: Facts, qs: list[Quantity], cue_end: int, limit: int, cls,
                 total: Quantity | None = None) -> list[Quantity]:
    """Quantities of class `cls` after a cue, up to the end of its sentence (。), the next 其中, or a
    new total after ；."""
    out: list[Quantity] = []
    pos = cue_end
    for q in qs:
        if q.start < cue_end:
            continue
        if q.start >= limit:
            break
        gap = facts.text[pos:q.start]
        if _STOP.search(gap) or _CUE.search(gap):
            break
        semi = None
        for semi in _SEMI.finditer(gap):
            pass
        if semi is not None and pw()["total_words"].search(gap[semi.end():]):
            break
        pos = q.end
        if q.cls != cls or is_comparison(facts, q.index) or is_per_unit(facts, q.index):
            continue
        if open_brackets(facts.text[cue_end:q.start]) > 0:
            continue  # said in passing, inside brackets within one part
        if total is not None and cls[0] == "money" and _money_side(facts, q.index) == "spent" \
                and facts.roles.get(total.index) != "spent":
            continue  # 其中项目管理费A万元，已拨付B万元: what was paid is no part of what was budgeted
        if out and names_total(facts, q.index):
            break  # a new total, not a part
        out.append(q)
    return out


def _before_semicolon(facts: Facts, total: Quantity, parts: list[Quantity]) -> list[Quantity]:
    """Parts that run on past a ； and do not add up: the breakdown is the clause before the first ；
    when that adds up (其中A，B；另一事项C)."""
    if _adds_up(total, parts):
        return parts
    for k in range(2, len(parts)):
        if _SEMI.search(facts.text[parts[k - 1].end:parts[k].start]):
            return parts[:k] if _adds_up(total, parts[:k]) else parts
    return parts


def _sentence_head(facts: Facts, pos: int, lo: int) -> int:
    """Start of the 。-sentence that holds `pos` (not before `lo`)."""
    k = max(facts.text.rfind(ch, lo, pos) for ch in "。！？!?")
    return max(lo, k + 1)


def _whole(facts: Facts, qs: list[Quantity], cls, lo: int, hi: int) -> Quantity | None:
    cands = [q for q in qs if lo <= q.start and q.end <= hi and q.cls == cls and not is_comparison(facts, q.index)
             and not is_per_unit(facts, q.index)]
    if not cands:
        return None
    named = [q for q in cands if names_total(facts, q.index)]
    return (named or cands)[-1]


def _trim_hierarchy(facts: Facts, total: Quantity, parts: list[Quantity]) -> list[Quantity] | None:
    """Parts that break the total down; None when they are levels of a hierarchy."""
    if any(pw()["hierarchy"].search(facts.figures[q.index].label) for q in parts):
        return None
    if _adds_up(total, parts):
        return parts
    for k, q in enumerate(parts):
        if q.value == total.value and total.value:
            return parts[:k] if k >= 2 and _adds_up(total, parts[:k]) else None
    return parts


def _complete(facts: Facts, cue_text: str, parts: list[Quantity]) -> bool:
    partitions = [tuple(p) for p in words()["partitions"]]
    return len(parts) >= 3 or any(all(w in cue_text for w in p) for p in partitions)


def _cued(facts: Facts, p: int, qs: list[Quantity]) -> list[Claim]:
    """Total … 其中 parts, also when 其中 opens the next sentence, and N（其中…）."""
    para = facts.report.paragraphs[p]
    text = facts.text
    claims = []
    cues = [(m.start(), m.end()) for m in _CUE.finditer(text, para.start, para.end)]
    owner: dict[int, Quantity] = {}
    for q in qs:  # N万元（A万元、B万元）: brackets right after a figure, with or without 其中
        m = patterns()["bracket_breakdown"].match(text[q.end:q.end + 6])
        if m:
            cues = [(a, b) for a, b in cues if not q.end <= a <= q.end + m.end()]
            cues.append((q.end + m.start(), q.end + m.end()))
            owner[q.end + m.start()] = q
    for a, b in sorted(cues):
        bracketed = a in owner or text[max(para.start, a - 2):a + 1].rstrip("其中").endswith(("（", "("))
        limit = para.end
        if bracketed:
            depth, k = 0, a
            while k < para.end:
                depth += text[k] in "（("
                depth -= text[k] in "）)"
                if depth <= 0 and text[k] in "）)":
                    break
                k += 1
            limit = k
        classes = []
        for q in qs:
            if q.start > b and q.start < limit and q.cls not in classes:
                classes.append(q.cls)
        head = _sentence_head(facts, a, para.start)
        if a in owner:
            classes = [owner[a].cls]
        for cls in classes:
            lo_head = head
            total = owner[a] if a in owner else _whole(facts, qs, cls, head, a)
            if total is None and not any(head <= q.start < a for q in qs):
                prev = _sentence_head(facts, max(para.start, head - 1), para.start)
                if prev < head:
                    total, lo_head = _whole(facts, qs, cls, prev, head), prev
                elif head == para.start and p - 1 in paragraph_figures(facts):
                    before = [r for r in (quantity(facts, j) for j in paragraph_figures(facts)[p - 1]) if r is not None]
                    pp = facts.report.paragraphs[p - 1]
                    lo_head = _sentence_head(facts, max(pp.start, pp.end - 1), pp.start)
                    total = _whole(facts, before, cls, lo_head, pp.end)
                    qs_head = before
            if total is None:
                continue
            parts = _parts_after(facts, qs, b, limit, cls, total) + _cut_off_part(facts, p, qs, cls, limit)
            if len(parts) < 2:
                continue
            if cls[0] == "money" and a not in owner:
                split = _by_role(facts, qs if lo_head >= para.start else qs_head, lo_head, a, parts)
                if split is not None:
                    claims.extend(split)
                    continue
            parts = _trim_hierarchy(facts, total, parts)
            if not parts or len(parts) < 2:
                continue
            parts = _before_semicolon(facts, total, parts)
            complete = not bracketed and _complete(facts, text[a:limit], parts)
            overlap = False
            if cls == ("count", "person"):
                # people are counted under categories that may overlap (党员, 女职工) or name posts only
                # (局长1名、副局长2名): complete only after 其中： with three or more categories that are not posts
                complete = complete and text[b:b + 2].lstrip().startswith(("：", ":")) and not all(
                    pw()["post_title"].search(facts.figures[q.index].label) for q in parts)
                overlap = not complete
            claim = _claim(facts, total, parts, complete, "其中", span=(total.start, parts[-1].end))
            tail = _STOP.search(text, parts[-1].end, limit)
            cut = any(facts.figures[q.index].kind == "number" and q.cls[0] != "length" and q.index == parts[-1].index
                      and facts.figures[q.index].end >= len(facts.text.rstrip()) for q in parts)
            # a part cut off with the text may have lost digits too: checked only when it adds up
            hidden = _redacted(facts, b, tail.start() if tail else limit, cls)
            claim.detail["may_overlap"] = "overlap" if overlap else "cut" if cut else "hidden" if hidden else None
            claims.append(claim)
    return claims


def _by_role(facts: Facts, qs: list[Quantity], lo: int, hi: int, parts: list[Quantity]) -> list[Claim] | None:
    """①…应到位68万元，实际到位21万元；②…: parts of two kinds of money, each summing to its own total.
    The kinds are read from the words, so a group that does not add up is not checked."""
    groups: dict[str, list[Quantity]] = {}
    for q in parts:
        groups.setdefault(facts.roles.get(q.index, "budget"), []).append(q)
    if len([g for g in groups.values() if len(g) >= 2]) < 2:
        return None
    claims = []
    for role, group in groups.items():
        heads = [q for q in qs if lo <= q.start and q.end <= hi and facts.roles.get(q.index) == role
                 and q.cls == group[0].cls and not is_comparison(facts, q.index)]
        if role not in _ROLES or len(group) < 2 or not heads:
            continue
        total = heads[-1]
        first = next(q for q in heads if q.value == total.value)
        claims.append(_claim(facts, total, group, False, "所列", span=(first.start, first.end)))
    return claims


def _cut_off_part(facts: Facts, p: int, qs: list[Quantity], cls, limit: int) -> list[Quantity]:
    """打印类92579 at the very end of a text cut mid-sentence: the last part lost its unit with the cut,
    so it takes its siblings' unit."""
    para = facts.report.paragraphs[p]
    if para.end < len(facts.text.rstrip()) or not qs or qs[-1].cls != cls:
        return []
    last = max(i for i, f in enumerate(facts.figures) if f.start < para.end)
    f = facts.figures[last]
    if f.kind != "number" or f.number is None or f.end != para.end or f.start >= limit or last <= qs[-1].index \
            or not re.search(r"[\u4e00-\u9fff]$", facts.text[qs[-1].end:f.start]):
        return []
    return [Quantity(last, cls, f.number, f.decimals, f.start, f.end)]


def _redacted(facts: Facts, lo: int, hi: int, cls) -> bool:
    """A unit with no number before it among the parts (点击查看>> 万元, （略）万元): a part is hidden."""
    if cls[0] != "money":
        return False
    span = facts.report.folded[lo:hi]
    for m in re.finditer(r"(?<![万亿])(?:万元|亿元|元)", span):
        before = span[:m.start()].rstrip()
        if not before or not before[-1].isdigit():
            return True
    return "略" in span


def _colon(facts: Facts, qs: list[Quantity]) -> list[Claim]:
    """长3.47km：右岸0.98km，左岸2.49km — a total with its parts after a colon."""
    claims = []
    text = facts.text
    for q in qs:
        m = re.match(r"\s*[:：]", text[q.end:q.end + 3])
        if not m:
            continue
        b = q.end + m.end()
        stop = re.compile(r"[。；;！？\n:：]").search(text, b)
        limit = stop.start() if stop else len(text)
        head = max(_sentence_head(facts, q.start, 0), max(text.rfind(ch, 0, q.start) for ch in "；;：:\n") + 1)
        classes = []
        for r in qs:
            if b <= r.start < limit and r.cls not in classes:
                classes.append(r.cls)
        for cls in classes:
            total = q if cls == q.cls else _whole(facts, qs, cls, head, q.end)
            if total is None:
                continue
            parts = _parts_after(facts, qs, b, limit, cls)
            parts = _trim_hierarchy(facts, total, parts) if len(parts) >= 2 else None
            if parts and len(parts) >= 2:
                claims.append(_claim(facts, total, parts, len(parts) >= 3, "冒号后"))
    return claims


def _ordinal(facts: Facts, qs: list[Quantity]) -> list[Claim]:
    """分两批下达任务N户，第一批A户，第二批B户."""
    claims = []
    text = facts.text
    for k, q in enumerate(qs):
        if pw()["ordinal_part"].search(facts.figures[q.index].label):
            continue
        parts = []
        for r in qs[k + 1:]:
            if _STOP.search(text[q.end:r.start]):
                break
            if r.cls == q.cls and pw()["ordinal_part"].search(facts.figures[r.index].label):
                parts.append(r)
            elif r.cls == q.cls:
                break
        if len(parts) < 2:
            continue
        head = text[_sentence_head(facts, q.start, 0):q.start]
        m = patterns()["batches_announced"].search(head)
        n = (_CN_NUM.get(m.group(1)) or int(m.group(1))) if m and (m.group(1) in _CN_NUM or m.group(1).isdigit()) else None
        claims.append(_claim(facts, q, parts, n == len(parts), "分批"))
    return claims


def _ordinal_elsewhere(facts: Facts, qs: list[Quantity], used: set[int]) -> list[Claim]:
    """第一批A万元…，第二批B万元 with no total in their sentence: checked against an earlier total of the
    report only when they add up to one (the text does not say which total they split)."""
    claims = []
    text = facts.text
    runs: list[list[Quantity]] = []
    for q in qs:
        label = re.split(r"[，,。；;：:、\n]", text[max(0, q.start - 24):q.start])[-1]
        if q.index in used or not patterns()["ordinal_batch_label"].search(label):
            continue
        if runs and runs[-1][-1].cls == q.cls and not _STOP.search(text[runs[-1][-1].end:q.start]):
            runs[-1].append(q)
        else:
            runs.append([q])
    for run in runs:
        if len(run) < 2:
            continue
        earlier = [quantity(facts, i) for i, f in enumerate(facts.figures) if f.end <= run[0].start]
        total = next((t for t in reversed([t for t in earlier if t is not None and t.cls == run[0].cls])
                      if t.index not in {q.index for q in run} and _adds_up(t, run)), None)
        if total is not None:
            claims.append(_claim(facts, total, run, False, "分批", span=(run[0].start, run[0].end)))
    return claims


def _closing_total(facts: Facts, qs: list[Quantity]) -> list[Claim]:
    """A；B；共计C — parts before a total that opens with 共计/合计."""
    claims = []
    text = facts.text
    for k, t in enumerate(qs):
        if not pw()["total_opening"].search(facts.figures[t.index].label):
            continue
        run: list[Quantity] = []
        depth_t = open_brackets(text[_sentence_head(facts, t.start, 0):t.start])
        pos = t.start
        for q in reversed(qs[:k]):
            if _STOP.search(text[q.end:pos]):
                break
            pos = q.start
            if q.cls != t.cls:
                continue
            if is_comparison(facts, q.index) or is_per_unit(facts, q.index):
                break
            if names_total(facts, q.index) or q.value > t.value:
                break
            if open_brackets(text[q.end:t.start]) < 0 and depth_t == 0:
                continue  # inside brackets of another part
            run.insert(0, q)
        if len(run) < 2:
            continue
        chosen = run
        if not _adds_up(t, run):
            for s in range(1, len(run) - 1):
                if _adds_up(t, run[s:]):
                    chosen = run[s:]
                    break
        claims.append(_claim(facts, t, chosen, True, "所列"))
    return claims


def _implicit(facts: Facts, used: set[int]) -> list[Claim]:
    """Parts in the sentence after a total, with no cue: checked only when they add up to it."""
    claims = []
    text = facts.text
    pf = paragraph_figures(facts)
    order = sorted(pf)
    for n, p in enumerate(order):
        qs = [q for q in (quantity(facts, i) for i in pf[p]) if q is not None]
        para = facts.report.paragraphs[p]
        heads = sorted({_sentence_head(facts, q.start, para.start) for q in qs})
        for h in heads:
            m = _STOP.search(text, h, para.end)
            end = m.end() if m else para.end
            parts = [q for q in qs if h <= q.start < end and q.cls[0] == "money" and q.index not in used
                     and not is_comparison(facts, q.index) and not is_per_unit(facts, q.index)]
            if len(parts) < 3 or _CUE.search(text, h, end) or len({q.cls for q in parts}) != 1:
                continue
            before = [q for q in qs if q.end <= h and q.cls == parts[0].cls]
            if not before and n > 0:
                prev = [quantity(facts, i) for i in pf[order[n - 1]]]
                before = [q for q in prev if q is not None and q.cls == parts[0].cls]
            for t in reversed(before[-8:]):
                if _adds_up(t, parts):
                    claims.append(_claim(facts, t, parts, False, "次句所列", span=(parts[0].start, parts[0].end)))
                    break
    return claims
