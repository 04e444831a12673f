"""Counts against the names the text lists for them.

内设13个机构，分别为A、B、C… / 设置了7个岗位：A、B… / 3家单位（A、B和C） / A、B、C9个街道 (the
list before the count). A list ends at the end of its clause; a list ending in 等 is open, so the
count is not checked; 四个科室和一个服务站 names one more thing than it counts.
"""
from __future__ import annotations

import re
from decimal import Decimal

from . import Claim, Operand
from .context import Facts
from .prose import paragraph_figures, pw

_END = re.compile(r"[，,。；;\n]")
_NOUN = re.compile(r"[^，,。；;：:、（(\n\d]{1,12}")
_OPEN = re.compile(r"等\s*$|等[\u4e00-\u9fff]{0,4}$")
_MAX_NAME = 24
_BREAK = re.compile(r"[，,。；;：:\n（(]")


def extract(facts: Facts) -> list[Claim]:
    claims = []
    units = pw()["name_count_units"]
    for i, f in enumerate(facts.figures):
        bare = f.kind == "number" and facts.text[f.end:f.end + 1] in units and f.decimals == 0
        if not (f.kind == "count" and f.unit in units or bare) or f.number is None or f.bound is not None \
                or f.table is not None:
            continue
        if facts.sentence_of.get(i) is None:
            continue
        if facts.sentences[facts.sentence_of[i]].paragraph not in paragraph_figures(facts):
            continue  # a paragraph holding more figures than prose does
        claim = _after(facts, i) or _before(facts, i) or _clauses(facts, i)
        if claim is not None:
            claims.append(claim)
    return claims


def _split(text: str) -> list[str]:
    """Names separated by 、 (not inside brackets)."""
    out, depth, cur = [], 0, ""
    for ch in text:
        depth += ch in "（(“"
        depth -= ch in "）)”"
        if ch == "、" and depth <= 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [n.strip() for n in out]


def _list_end(text: str, pos: int, limit: int) -> int:
    depth = 0
    for k in range(pos, limit):
        ch = text[k]
        depth += ch in "（(“"
        depth -= ch in "）)”"
        if depth <= 0 and _END.match(ch):
            return k
    return limit


def _unit_end(facts: Facts, i: int) -> int:
    f = facts.figures[i]
    return f.end + 1 if f.kind == "number" else f.end


def _claim(facts: Facts, i: int, names: list[str], lo: int, hi: int, extra: int, where: str) -> Claim | None:
    f = facts.figures[i]
    if len(names) < 2 or any(not n or len(n) > _MAX_NAME for n in names[1:]) or not names[0] \
            or any(re.search(r"\d", n) for n in names[1:]):
        return None
    open_list = bool(_OPEN.search(facts.text[lo:hi]))
    relation = f"{f.text} = {where}所列名称个数" + ("（另加所述一类）" if extra else "")
    end = _unit_end(facts, i)
    claim = Claim("count", "count", relation, f.start, end, f.number, 0, facts.text[f.num_end:end].strip(),
                  [Operand(f"所列名称（{'、'.join(n[:8] for n in names[:3])}……）", Decimal(len(names) - extra), lo, hi)],
                  detail={"open": open_list})
    return claim


def _after(facts: Facts, i: int) -> Claim | None:
    """N个X，分别为：A、B、C / N个X：A、B / N个X（A、B和C） / N个X甲、乙、丙."""
    f = facts.figures[i]
    s = facts.sentences[facts.sentence_of[i]]
    para = facts.report.paragraphs[s.paragraph]
    text = facts.text
    noun = _NOUN.match(text, _unit_end(facts, i))
    if noun is None:
        return None
    head_end = noun.end()
    rest = text[head_end:para.end]
    # 设有5个股室综合股、财务股…: the first name is glued to the noun, after a verb of setting up
    glued = rest.startswith("、") and re.search(r"(?:设|设有|设置|下设|辖|包括)\s*$", text[max(0, f.start - 4):f.start])
    m = pw()["name_list_cue"].match(rest)
    if glued:
        lo = _unit_end(facts, i)
    elif m and (m.group(0).strip(" ，,") or rest[:1] in "（("):
        lo = head_end + m.end()
        if text[lo:lo + 1] in "（(":
            lo += 1
    else:
        return None
    hi = _list_end(text, lo, para.end)
    if text[lo:lo + 1] in ("（", "(") or "、" not in text[lo:hi]:
        return None
    if text[hi - 1:hi] in "）)" and text[f.end:lo].rstrip().endswith(("（", "(")):
        hi -= 1
    names = _split(text[lo:hi])
    extra = 1 if re.search(r"[和及与]", text[_unit_end(facts, i):head_end]) else 0
    names_count = len(names) - extra
    if names_count <= 0:
        return None
    return _claim(facts, i, names, lo, hi, extra, "其后")


def _before(facts: Facts, i: int) -> Claim | None:
    """A、B、C9个街道: the names run right up to the count."""
    f = facts.figures[i]
    s = facts.sentences[facts.sentence_of[i]]
    text = facts.text
    k = f.start
    lo = s.start
    m = None
    for m in _BREAK.finditer(text, s.start, k):
        pass
    if m is not None:
        lo = m.end()
    if text[k - 1:k] in "、，, " or "、" not in text[lo:k]:
        return None
    noun = _NOUN.match(text, _unit_end(facts, i))
    if noun is None or not re.match(r"(?:街道|社区|村|乡镇|乡|镇|县|区|市|州|单位|部门|科室|机构|学校)", noun.group(0)):
        return None
    names = _split(text[lo:k])
    return _claim(facts, i, names, lo, k, 0, "其前")


def _clauses(facts: Facts, i: int) -> Claim | None:
    """绩效指标设置9项，其中数量指标…；质量指标…；…: one indicator per ；-separated clause."""
    f = facts.figures[i]
    folded = facts.report.folded
    end = _unit_end(facts, i)
    m = re.match(r"[^，,。；;\n]{0,6}?[，,]\s*其中[:：]?", folded[end:end + 12])
    if m is None:
        return None
    lo = end + m.end()
    stop = re.compile(r"[。\n]").search(folded, lo)
    hi = stop.start() if stop else len(folded)
    segments = [seg for seg in re.split(r"[；;]", folded[lo:hi]) if seg.strip()]
    item = re.compile(pw()["indicator_item"])
    if len(segments) < 3 or not all(item.match(seg) for seg in segments):
        return None
    return Claim("count", "count", f"{f.text} = 其中所列指标个数", f.start, end, f.number, 0,
                 folded[f.num_end:end].strip(), [Operand("其中所列指标", Decimal(len(segments)), lo, hi)])
