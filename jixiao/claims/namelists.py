"""Counts against the names the text lists for them.

内设13个机构，分别为A、B、C… / 设置了7个岗位：A、B… / 3家单位（A、B和C） / A、B、C9个街道 (the
list before the count). A list ends at the end of its clause; a list ending in 等 is open, so the
count is not checked; 四个科室和一个服务站 names one more thing than it counts. A count may also be
followed by a numbered list of names, one per line (由本级和2个下属单位组成。…单位包括：1.… 2.…).
"""
from __future__ import annotations

import re
from decimal import Decimal

from . import Claim, Operand
from .context import Facts, patterns
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
        claim = _after(facts, i) or _before(facts, i) or _clauses(facts, i) or _numbered(facts, i)
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
    glued = rest.startswith("、") and patterns()["setting_up_verb"].search(text[max(0, f.start - 4):f.start])
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
    if noun is None or not patterns()["named_place_kinds"].match(noun.group(0)):
        return None
    names = _split(text[lo:k])
    return _claim(facts, i, names, lo, k, 0, "其前")


def _clauses(facts: Facts, i: int) -> Claim | None:
    """绩效指标设置9项，其中数量指标…；质量指标…；…: one indicator per ；-separated clause."""
    f = facts.figures[i]
    folded = facts.report.folded
    end = _unit_end(facts, i)
    m = patterns()["qizhong_after_count"].match(folded[end:end + 12])
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


_MAX_ITEM = _MAX_NAME + 8
_SELF = patterns()["self_and_units"]


def _numbered(facts: Facts, i: int) -> Claim | None:
    """N个X。 (an introduction ending in a colon that names X again:) 1.A 2.B …, one name a line,
    numbered from 1 in one style: N against the names listed. 本级和N个下属单位 lists 本级 too."""
    f = facts.figures[i]
    report, text = facts.report, facts.text
    paras = report.paragraphs
    k = facts.sentences[facts.sentence_of[i]].paragraph
    end = _unit_end(facts, i)
    noun = _NOUN.match(text, end)
    if noun is None or len(noun.group(0)) < 2:
        return None
    intro = text[end:paras[k].end]
    if not intro.rstrip().endswith(("：", ":")):
        if k + 1 >= len(paras) or len(paras[k + 1].text) > 60 or not paras[k + 1].text.rstrip().endswith(("：", ":")):
            return None
        intro = paras[k + 1].text
        k += 1
    words = noun.group(0)[:4]
    if not any(words[j:j + 2] in intro for j in range(len(words) - 1)):
        return None  # the list introduced is not a list of what was counted
    items, names = [], []
    for p in paras[k + 1:]:
        m = p.marker
        if m is None or m.number != len(items) + 1 or (items and m.style != items[0].marker.style):
            break
        name = text[m.end:p.end].strip(" 　.、")
        if not name or len(name) > _MAX_ITEM or re.search(r"[，,。；;：:]", name):
            return None
        items.append(p)
        names.append(name)
    if len(items) < 2:
        return None
    self_too = bool(_SELF.search(text[max(0, f.start - 6):f.start]))
    if self_too and sum("本级" in n for n in names) != 1:
        return None
    lo, hi = items[0].start, items[-1].end
    relation = f"{f.text} = 其后编号所列名称个数" + ("（另列本级）" if self_too else "")
    return Claim("count", "count", relation, f.start, end, f.number, 0, text[f.num_end:end].strip(),
                 [Operand(f"所列名称（{'、'.join(n[:8] for n in names[:3])}……）", Decimal(len(items) - self_too), lo, hi)])
