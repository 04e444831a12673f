"""B07: the numbering defects worth a reviewer's time, from the section builder's irregularities.

The builder (structure.build_sections) reports every irregular marker. Here that list is refined:
- dropped: a list that starts above 1 because the text starts mid-document (an opening cut from a
  longer page), and a list that continues the numbering of the previous list of its style
  (1.–4. under （一）, 5. under （二）);
- added: an item whose numeral was lost (a line starting with 、, or unnumbered lines standing
  exactly where the skipped numbers belong, or at the end of a table of contents, or a heading that
  the table of contents numbers under the same part), and a style
  switch inside an inline list (①②③④ then 5; 1) then (2) (3)).
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter

from ..model.numbering import Marker
from ..model.structure import NumberingIssue, Paragraph

_PROSE = re.compile(r"[。；;！!？?]")
_LOST = re.compile(r"[ \t\u3000]*、(?=\S)")
_INLINE_AT = re.compile(r"(?:^|(?<=[:：;；。]))[ \t]*")
_INLINE = [
    ("ar_paren", re.compile(r"\((\d{1,2})\)")),
    ("ar_half", re.compile(r"(\d{1,2})\)(?!\))")),
    ("circled", re.compile(r"([\u2460-\u2473])")),
    ("ar_dun", re.compile(r"(\d{1,2})、")),
    ("ar_dot", re.compile(r"(\d{1,2})\.(?!\d)")),
    ("bare", re.compile(r"(\d{1,2})(?=[\u4e00-\u9fff])(?![年月日个万元亿%号次人户项])")),
]
_INLINE_LABEL = {"ar_paren": "({})", "ar_half": "{})", "circled": "{}", "ar_dun": "{}、", "ar_dot": "{}.",
                 "bare": "{}"}
_CN = "零一二三四五六七八九"


def _cn(n: int) -> str:
    if n < 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n - 10] if n > 10 else "")
    if n < 100:
        return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")
    return str(n)


def label(style: str, n: int) -> str:
    """How item n of a list of this style is written (for messages)."""
    if style == "circled":
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if style in ("cn_dun", "cn_paren", "cn_di"):
        return {"cn_dun": "{}、", "cn_paren": "（{}）", "cn_di": "第{}部分"}[style].format(_cn(n))
    return {"ar_dot": "{}.", "ar_dun": "{}、", "ar_paren": "（{}）"}.get(style, _INLINE_LABEL.get(style, "{}")).format(n)


def _heading_like(p: Paragraph) -> bool:
    return p.marker is None and len(p.text) <= 40 and not _PROSE.search(p.text)


def _starts_mid_document(paragraphs: list[Paragraph]) -> bool:
    """The text's first paragraph is body prose, not a title: the copy starts inside a document."""
    first = next((p for p in paragraphs if p.kind == "text"), None)
    return first is not None and first.marker is None and bool(_PROSE.search(first.text))


def _lost(p: Paragraph, style: str, number: int) -> NumberingIssue:
    return NumberingIssue("lost", Marker(style, number, p.start, p.start), label(style, number), "")


def numbering_defects(report) -> list[NumberingIssue]:
    """The B07 issues of a report, in text order."""
    paragraphs = [p for p in report.paragraphs if p.kind == "text"]
    folded = report.folded
    at = {p.start: k for k, p in enumerate(paragraphs)}
    mid = _starts_mid_document(paragraphs)
    issues: list[NumberingIssue] = []
    replaced: set[int] = set()  # paragraphs given a "lost" issue
    seen_styles: set[str] = set()
    last_of: dict[str, int] = {}
    before: dict[int, tuple[set[str], dict[str, int]]] = {}
    for k, p in enumerate(paragraphs):
        before[k] = (set(seen_styles), dict(last_of))
        if p.marker is not None:
            seen_styles.add(p.marker.style)
            last_of[p.marker.style] = p.marker.number
    # Lines whose numeral was lost: "、其他需要说明的事项".
    last_cn = 0
    for k, p in enumerate(paragraphs):
        if p.marker is not None and p.marker.style == "cn_dun":
            last_cn = p.marker.number
        elif p.marker is None and _LOST.match(folded, p.start, p.end):
            last_cn += 1
            issues.append(NumberingIssue("lost", Marker("cn_dun", last_cn, p.start, p.start),
                                         label("cn_dun", last_cn), "、"))
            replaced.add(k)
    for issue in report.numbering_issues:
        k = at.get(_paragraph_start(report, issue.marker.start))
        mk = issue.marker
        if k is None:
            issues.append(issue)
            continue
        styles, last = before[k]
        if issue.kind == "switch" and mk.style.startswith("cn") and not issue.expected[:1] in "（(一二三四五六七八九十":
            # 1. 2. then 三、: a heading of the level above, not the list switching style.
            issue = NumberingIssue("start", mk, label(mk.style, 1), issue.found)
        if issue.kind == "start" and (
                last.get(mk.style) == mk.number - 1                      # continues the previous list
                or (mid and mk.style not in styles)):                    # the copy starts mid-document
            continue
        if issue.kind == "skip":
            gap = _unnumbered_before(paragraphs, k, mk)
            if gap is not None:
                for j, q in enumerate(gap):
                    idx = at[q.start]
                    if idx not in replaced:
                        issues.append(_lost(q, mk.style, mk.number - len(gap) + j))
                        replaced.add(idx)
                continue
        issues.append(issue)
    issues += _toc_tail(paragraphs, replaced)
    restored = _against_contents(report, paragraphs, replaced)
    marked: dict[str, tuple[list[int], list[int]]] = {}
    for p in paragraphs:
        if p.marker is not None:
            starts, numbers = marked.setdefault(p.marker.style, ([], []))
            starts.append(p.marker.start)
            numbers.append(p.marker.number)
    issues = [i for i in issues if not _explained_start(i, restored, marked)] + restored
    issues += _inline_switches(report, paragraphs)
    issues.sort(key=lambda i: (i.marker.start, i.kind))
    return issues


def _paragraph_start(report, offset: int) -> int:
    p = report.paragraph_at(offset)
    return p.start if p is not None else -1


def _unnumbered_before(paragraphs: list[Paragraph], k: int, mk: Marker) -> list[Paragraph] | None:
    """The unnumbered heading lines between a skipped-to marker and its list's previous item, when
    they are exactly as many as the numbers skipped."""
    gap = []
    j = k - 1
    while j >= 0 and paragraphs[j].marker is None:
        gap.append(paragraphs[j])
        j -= 1
    if j < 0 or not gap:
        return None
    prev = paragraphs[j].marker
    gap.reverse()
    if prev.style != mk.style or mk.number - prev.number - 1 != len(gap):
        return None
    if not all(_heading_like(q) for q in gap):
        return None
    return gap


def _toc_tail(paragraphs: list[Paragraph], replaced: set[int]) -> list[NumberingIssue]:
    """Unnumbered lines after the last item of a run of bare headings (a table of contents),
    before the next part: their numerals were lost ("八、…说明" then "其他需要说明的事项")."""
    out = []
    for k, p in enumerate(paragraphs):
        mk = p.marker
        if mk is None or k < 2 or mk.style != "cn_dun":
            continue
        run = paragraphs[k - 2:k + 1]
        if not all(q.marker is not None and q.marker.style == mk.style and _heading_like_marked(q) for q in run):
            continue
        if [q.marker.number for q in run] != [mk.number - 2, mk.number - 1, mk.number]:
            continue
        tail = []
        j = k + 1
        while j < len(paragraphs) and paragraphs[j].marker is None and len(tail) < 3:
            tail.append(j)
            j += 1
        if not tail or j >= len(paragraphs) or paragraphs[j].marker is None or paragraphs[j].marker.style != "cn_di":
            continue
        ends = Counter(q.text[-2:] for q in run)
        for n, idx in enumerate(tail, start=1):
            q = paragraphs[idx]
            if idx in replaced or not _heading_like(q) or not ends.get(q.text[-2:]):
                break
            out.append(_lost(q, mk.style, mk.number + n))
            replaced.add(idx)
    return out


def _against_contents(report, paragraphs: list[Paragraph], replaced: set[int]) -> list[NumberingIssue]:
    """A heading written without its number although the table of contents numbers it under the same
    part: 目录 `第一部分 部门概况 / 一、部门职责`, body `第一部分 部门概况 / 部门职责` (a web copy drops
    the numbers of an HTML list)."""
    folded = report.folded

    def title(p: Paragraph) -> str:
        return "".join(folded[p.marker.end if p.marker else p.start:p.end].split()).strip("、.．")

    def above(style: str) -> Paragraph | None:
        """The nearest heading so far of another style than `style` (the part a heading of it is under)."""
        found = [(j, q) for other, (j, q) in latest.items() if other != style]
        return max(found, key=lambda t: t[0])[1] if found else None

    latest: dict[str, tuple[int, Paragraph]] = {}
    numbered: dict[tuple[str, str, str], tuple[Paragraph, Paragraph]] = {}  # (style, part, title) → (entry, its part)
    out = []
    for k, p in enumerate(paragraphs):
        if p.marker is not None:
            up = above(p.marker.style)
            if up is not None and _heading_like_marked(p):
                numbered.setdefault((p.marker.style, title(up), title(p)), (p, up))
            latest[p.marker.style] = (k, p)
            continue
        if k in replaced or not _heading_like(p) or len(title(p)) < 2:
            continue
        for style in sorted(latest):
            up = above(style)
            hit = numbered.get((style, title(up), title(p))) if up is not None else None
            if hit is not None and hit[1] is not up:  # the same part again: the body after its contents
                out.append(_lost(p, style, hit[0].marker.number))
                replaced.add(k)
                break
    return out


def _explained_start(issue: NumberingIssue, restored: list[NumberingIssue], marked: dict) -> bool:
    """A list that starts at 二, or skips from 一 to 三, where the headings whose numbers were lost
    stand: one defect, reported once (on the heading). marked: style → ([starts], [numbers]) in order."""
    mk = issue.marker
    if issue.kind not in ("start", "skip") or not restored or mk.style not in marked:
        return False
    starts, numbers = marked[mk.style]
    k = bisect_left(starts, mk.start)  # the markers of this style before this one
    prev, lo = (numbers[k - 1], starts[k - 1]) if k and issue.kind == "skip" else (0, -1)
    filled = {i.marker.number for i in restored if i.marker.style == mk.style and lo < i.marker.start < mk.start}
    return bool(filled) and filled == set(range(prev + 1, mk.number))


def _heading_like_marked(p: Paragraph) -> bool:
    return len(p.text) <= 40 and not _PROSE.search(p.text)


def _inline_switches(report, paragraphs: list[Paragraph]) -> list[NumberingIssue]:
    """Inside one paragraph, a run of list items 1, 2, 3… where some items use another style."""
    out = []
    folded = report.folded
    for p in paragraphs:
        items: list[tuple[str, int, int, int]] = []  # style, number, start, end
        for m in _INLINE_AT.finditer(folded, p.start, p.end):
            pos = m.end()
            for style, pattern in _INLINE:
                mm = pattern.match(folded, pos, p.end)
                if mm:
                    token = mm.group(1)
                    n = ord(token) - 0x2460 + 1 if style == "circled" else int(token)
                    items.append((style, n, mm.start(), mm.end()))
                    break
        runs: list[list[tuple[str, int, int, int]]] = []
        for it in items:
            if runs and it[1] == runs[-1][-1][1] + 1:
                runs[-1].append(it)
            elif it[1] == 1 and it[0] != "bare":
                runs.append([it])
        for run in runs:
            if len(run) < 3:
                continue
            dominant, count = Counter(s for s, *_ in run).most_common(1)[0]
            if count * 2 <= len(run) or dominant == "bare":
                continue
            prev_odd = False
            for style, n, s, e in run:
                odd = style != dominant
                if odd and not prev_odd:
                    out.append(NumberingIssue("switch", Marker("ar_paren", n, s, e), label(dominant, n),
                                              label(style, n)))
                prev_odd = odd
    return out
