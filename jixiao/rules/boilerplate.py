"""Rules B01–B09: boilerplate, copying, template residue, foreign names, vague indicators,
numbering, stale references and misspelt own names."""
from __future__ import annotations

import re

from ..model.meta import place_words
from ..read.textnorm import compact
from ..reuse.index import copy_segments, report_key
from ..reuse.repeats import NEAR, TEMPLATED
from ..wordlists import indicators, load, stale_references
from . import Param, parameter, rule
from .findings import Hit
from .numbering_defects import numbering_defects
from .vague import find_vague


# Read by the batch and the pages: a boilerplate share at or above it is flagged (套话占比预警线).
parameter(Param("boilerplate_share_alert", 0.3, 0.0, 1.0, "套话占比预警线"))


def _where(report, pos: int) -> str:
    line = report.text.count("\n", 0, pos) + 1
    node = report.section_at(pos)
    label = f"{node.number_label}{node.title[:12]}" if node.marker else ""
    return f"第{line}行" + (f"（{label}）" if label else "")


def _quote(text: str, n: int = 16) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


@rule("B01", "repeated", "段落重复", "medium", analysis="passages repeated within the report",
      params=[Param("repeat_similarity", NEAR, 0.5, 1.0, "段落重复：两段文字相似度（三字组重合率）达到此值即算重复")])
def repeated(report, ctx):
    """A passage of 15 or more characters occurs twice or more in one report."""
    for r in ctx.within(report).repeated:
        how = "完全相同" if r.exact else "几乎相同"
        yield Hit(r.start, r.end, f"这段文字（{len(compact(report.text[r.start:r.end]))}字，“{_quote(report.text[r.start:r.end])}”）"
                           f"与{_where(report, r.first_start)}的一段{how}，重复出现")


@rule("B02", "templated", "模板化章节", "medium", analysis="sibling sections sharing their text",
      params=[Param("templated_share", TEMPLATED, 0.1, 1.0, "模板化章节：一节文字与同级各节相同的比例达到此值")])
def templated(report, ctx):
    """Sibling sections are near-identical, so they say nothing specific; reports the shared share."""
    for t in ctx.within(report).templated:
        start, end = t.shared[0][0], t.shared[-1][1]
        head = f"{t.section.number_label}{t.section.title[:16]}"
        yield Hit(start, end, f"{head}：{t.share:.0%} 的文字与同级其余 {t.siblings - 1} 个段落相同（仅数字不同也算），"
                           f"未写出本项目的具体情况")


@rule("B03", "reused", "跨报告雷同", "high", scope="corpus", analysis="passages shared with the corpus",
      grades=["medium", "low", "info"],
      params=[Param("whole_report_share", 0.5, 0.05, 1.0, "跨报告雷同：与另一份报告相同的文字占比达到此值即为整篇抄用")])
def reused(report, ctx):
    """A passage also occurs in another report of the corpus; names the other report(s) and where."""
    index = ctx.reuse_index()
    analysis = ctx.text_reuse(report)
    texts = {report_key(r): r.text for r in ctx.reports}
    for r in analysis.reused:
        names = "、".join(f"{s.name}（{s.town or '?'}{s.year or ''}，第{s.start}–{s.end}字）" for s in r.sources[:4])
        more = f"等 {len(r.sources)} 份" if len(r.sources) > 4 else ""
        if r.kind == "stock":
            pieces = [(r.start, r.end, "info",
                       f"属于本类报告的通用套话：语料 {len(index)} 份报告中有 {r.reports_sharing} 份含有这段文字")]
        elif r.kind == "own-years":
            pieces = [(r.start, r.end, "medium", "与本镇其他年度的报告相同，疑为沿用往年报告")]
        else:
            source = r.sources[0]
            other = texts.get(source.report)
            pieces = []
            for lo, hi, how, shared in copy_segments(report, r.start, r.end,
                                                     other[source.start:source.end] if other is not None else None):
                if how == "specifics":
                    pieces.append((lo, hi, "high", f"仅 {r.reports_sharing} 份报告共有，{shared}，疑为相互抄用"))
                else:
                    pieces.append((lo, hi, "low", f"仅 {r.reports_sharing} 份报告共有，但{shared}，不足以说明抄用"))
        for lo, hi, severity, what in pieces:
            chars = len(compact(report.text[lo:hi])) if (lo, hi) != (r.start, r.end) else r.chars
            yield Hit(lo, hi, f"这段文字（{chars}字，“{_quote(report.text[lo:hi])}”）也见于 {names}{more}；{what}", severity)
    for key, share in sorted(analysis.shared_with.items()):
        if share < ctx.thresholds["whole_report_share"]:
            continue
        entry = index.reports[key]
        runs = [r for r in analysis.reused if any(s.report == key for s in r.sources)]
        biggest = max(runs, key=lambda r: (r.chars, -r.start))
        same_town = entry.town and entry.town == report.meta.town
        yield Hit(biggest.start, biggest.end, f"本报告 {share:.0%} 的文字与 {entry.name}（{entry.town or '?'}{entry.year or ''}）相同"
                           f"{'，基本是本镇另一年度报告的翻版' if same_town else '，疑为整篇抄用'}")


def _generic_before(text: str, pos: int) -> bool:
    return pos == 0 or text[pos - 1] in place_words()["generic_before"] or text[pos - 1].isspace()


def _own_kind(name: str) -> str | None:
    """镇, 乡 or 街道: the kind of township unit a name is."""
    for kind in sorted(load("unit_kinds.yaml")["town_kinds"], key=len, reverse=True):
        if name.endswith(kind) or name.endswith(kind + "办事处"):
            return kind
    return None


def _wrong_town_kind(report):
    """A 镇 report calling itself 乡 (我乡, 乡政府驻地) or 街道 (本街道, 街道党的建设): copied from that kind's report."""
    data = load("unit_kinds.yaml")
    text, own = report.text, report.meta.town or ""
    kind = _own_kind(own)
    if kind is None:
        return
    for wrong in data["town_kinds"]:
        if wrong == kind or wrong in own:
            continue
        after = data["not_after"].get(wrong, "")
        pattern = re.compile(rf"(?:{data['self_prefix']}){wrong}(?![{after}])|{wrong}(?={data['organs']})")
        bare_before = re.compile(rf"(?:{data['bare_before']})$")
        for m in pattern.finditer(text):
            if not m.group(0).startswith(tuple(data["self_prefix"].split("|"))):
                if not (m.start() == 0 or bare_before.search(text[max(0, m.start() - 2):m.start()])):
                    continue  # a named place's 乡政府 (another unit), not this one's
            end = min(len(text), m.end() + 4)
            yield Hit(m.start(), end, f"本报告是{own}（{kind}）的，此处却写“{text[m.start():end]}”；疑为抄自某{wrong}的报告", "medium")


def _other_town_organs(report, known: set[str]):
    """A township's report naming another township's government or party committee as a body of its
    own sentence (，某镇人民政府…; 本县某镇党委…): text copied from that town's report. Towns of the
    corpus are reported already; a name glued to the words before it (与某镇人民政府) is not taken."""
    own, county = report.meta.town or "", report.meta.county or ""
    if not own:
        return
    data = load("unit_kinds.yaml")
    generic = set(place_words()["generic"])
    kinds = "|".join(data["town_kinds"])
    # at a sentence's or line's start a two-character name (青石镇); after the county's name, three too
    after_county = rf"{re.escape(county)}([\u4e00-\u9fff]{{2,3}}?(?:{kinds}))" if county else "(?!)"
    pattern = re.compile(rf"(?:(?<=^)|(?<=[\n，。；：！？,;:]))\s*(?:{after_county}|([\u4e00-\u9fff]{{2}}(?:{kinds})))"
                         rf"(?:{data['town_organs']})", re.M)
    for m in pattern.finditer(report.folded):
        g = 1 if m.group(1) else 2
        name = m.group(g)
        if name in generic or name in own or own in name or any(name in k or k in name for k in known if k) \
                or name[0] in place_words()["not_in_name"]:
            continue
        yield Hit(m.start(g), m.end(), f"报告写“{report.text[m.start(g):m.end()]}”，但本报告是{own}的；"
                                       f"疑为抄自{name}的报告", "medium")


def _listed_place_kinds(report):
    """In a list of places, a name written once with another kind than everywhere else (繁昌县 once,
    繁昌区 twice): the wrong kind of unit."""
    text = report.text
    pattern = re.compile(load("unit_kinds.yaml")["listed_place"])
    seen = [(m.group(1), m.group(2), m.start(), m.end()) for m in pattern.finditer(text)]
    counts: dict[tuple[str, str], int] = {}
    for stem, kind, _, _ in seen:
        counts[(stem, kind)] = counts.get((stem, kind), 0) + 1
    for stem, kind, start, end in seen:
        if counts[(stem, kind)] != 1:
            continue
        other = max((k for (s2, k), n in counts.items() if s2 == stem and k != kind and n >= 2),
                    key=lambda k: counts[(stem, k)], default=None)
        if other:
            yield Hit(start, end, f"“{stem}{kind}”在本报告其余 {counts[(stem, other)]} 处都写作“{stem}{other}”；"
                               f"此处的单位类型（{kind}）有误", "medium")


def _web_spam(report):
    """A gambling site's name where the unit's name stood (中共某市<spam>委): the report was copied
    from a mirror of the published page that rewrote names, so its own unit cannot be read from it.
    Every occurrence is a place where the unit's name is wrong: each is marked, as other towns' names are."""
    data = load("web_spam.yaml")
    text = report.text
    found = sorted((m.start(), m.start() + len(marker)) for marker in data["markers"]
                   for m in re.finditer(re.escape(marker), text))   # overlapping markers (手机彩票, 彩票网) too
    own_work = re.compile(rf"(?:{data['not_after_words']})\S{{0,4}}$")
    glue = set(data["glue"])
    spans: list[list[int]] = []
    for start, end in found:
        gap = text[spans[-1][1]:start] if spans else None
        if gap is not None and len(gap) <= data["join_gap"] and not re.search(r"[\s。，、；：！？,;:!?]", gap):
            spans[-1][1] = max(spans[-1][1], end)
        elif not own_work.search(text[max(0, start - 8):start]):
            spans.append([start, end])
    for span in spans:
        while span[1] < len(text) and text[span[1]] in glue:
            span[1] += 1
    for k, (start, end) in enumerate(spans, 1):
        where = f"（第 {k} 处，共 {len(spans)} 处）" if len(spans) > 1 else ""
        yield Hit(start, end, f"报告中有网络垃圾文字“{_quote(text[start:end], 30)}”{where}，出现在单位名称的位置：疑为从"
                              f"被篡改的转载网页复制，单位名称已被替换；请按原始发布稿核对报告单位", "medium")


@rule("B05", "foreign", "他单位名称", "high", scope="corpus", analysis="place and unit names", grades=["medium"])
def foreign(report, ctx):
    """Another unit's name, or the wrong kind of unit (乡 in a 镇 report, 区 in a 县), in the report."""
    text, meta = report.text, report.meta
    own = meta.town or ""
    # Only a township's report is foreign to the other towns: a county department names its towns.
    for town in sorted(ctx.known_towns() - {own}) if own else ():
        if own and (town in own or own in town):
            continue
        for m in re.finditer(re.escape(town), text):
            yield Hit(m.start(), m.end(), f"报告提到另一乡镇“{town}”（语料中另有该镇的报告），本报告是{own or '本单位'}的；疑为抄自他镇报告")
    yield from _other_town_organs(report, ctx.known_towns() | {own})
    yield from _wrong_town_kind(report)
    yield from _listed_place_kinds(report)
    yield from _web_spam(report)
    county = meta.county or ""
    kinds = load("unit_kinds.yaml")
    own_kind = next((k for k in kinds["county_kinds"] if county.endswith(k)), None)
    for other in [k for k in kinds["county_kinds"] if k != own_kind] if own_kind else ():
        pattern = (rf"{other}(?:{kinds['county_organs']})|(?:{kinds['county_self_prefix']}){other}"
                   rf"(?![{kinds['county_not_after']}])")
        for m in re.finditer(pattern, text):
            if m.group(0)[0] == other and not _generic_before(text, m.start()):
                continue
            end = min(len(text), m.end() + 6)
            yield Hit(m.start(), end, f"本单位属{county}（{county[-1]}），此处却写“{m.group(0)}”；疑为抄自某{other}的报告", "medium")
    stems = [n[:-1] for n in (own, county, meta.city or "") if len(n) >= 3]
    not_place = set(place_words()["slogan_not_place"]) | set(load("unit_kinds.yaml")["provinces"])
    for m in re.finditer(place_words()["slogan"], text):
        name = m.group(1)
        if name in not_place or any(name.startswith(s[:2]) or s.startswith(name) for s in stems if s):
            continue
        yield Hit(m.start(1), m.end(1), f"口号中的地名“{name}”不是本单位（{own or county or '?'}）；疑为抄自他地报告")


@rule("B04", "residue", "模板残留", "medium", analysis="template residue", grades=["low"])
def residue(report, ctx):
    """Template instructions, placeholders or word-processor artefacts left in the report."""
    for r in ctx.within(report).residue:
        yield Hit(r.start, r.end, f"{r.what}：“{_quote(report.text[r.start:r.end], 24)}”", r.severity)


@rule("B06", "vague", "指标空泛", "low", analysis="indicator values without a number")
def vague(report, ctx):
    """A performance indicator whose target or actual has no number: an adjective states no result."""
    _, adjectives = indicators()
    for x in find_vague(report):
        if x.how == "empty":
            message = f"指标“{_quote(x.label, 20)}”有目标值，完成值一栏却是空的，无法衡量是否完成"
        elif x.how == "target":
            message = f"{x.label}的完成情况写作“{_quote(x.value, 20)}”，只是重复目标值（≥/≤），没有写实际测得的数值"
        elif x.how == "cell":
            message = f"指标“{_quote(x.label, 20)}”的指标值或完成值只写“{x.value}”，没有数值，无法衡量（应写明目标值与实际完成值）"
        elif x.how == "prose":
            message = f"“{x.value}”只用形容词描述绩效，没有数值，无法衡量"
        else:
            adj = adjectives.search(x.value)
            reason = f"只用“{adj.group(0)}”这样的词描述，" if adj else ""
            message = f"{x.label}“{_quote(x.value, 20)}”{reason}没有数值，无法衡量（应写明目标值与实际完成值）"
        yield Hit(x.start, x.end, message)


@rule("B07", "numbering", "编号错乱", "low", analysis="section and list numbering")
def numbering(report, ctx):
    """Section or list numbering skips, repeats, or switches style at one level."""
    for issue in numbering_defects(report):
        mk = issue.marker
        p = report.paragraph_at(mk.start)
        end = min(p.end, mk.end + 20) if p is not None else mk.end
        message = {
            "skip": f"编号从上一项跳到“{issue.found}”，缺少“{issue.expected}”",
            "repeat": f"编号“{issue.found}”与上一项重复或倒退（此处应为“{issue.expected}”）",
            "switch": f"同一层级的编号由“{issue.expected}”式改成了“{issue.found}”式",
            "start": f"这一组编号从“{issue.found}”开始，没有“{issue.expected}”",
            "lost": f"这一项的编号丢失（按前后顺序应为“{issue.expected}”）"
                    + ("，只剩下顿号“、”" if issue.found == "、" else ""),
        }[issue.kind]
        yield Hit(mk.start, end, message)


@rule("B08", "stale", "过时提法", "medium", analysis="references dated by the report year")
def stale(report, ctx):
    """A reference that expired before the report's year: 十九大 after 2022, 十三五 after 2020…"""
    year = report.meta.year
    if year is None:
        return
    entries, historical_after, historical_before = stale_references()
    text = report.text
    for pattern, last_year, why in entries:
        if year <= last_year:
            continue
        for m in pattern.finditer(text):
            if historical_after.match(text, m.end()) or historical_before.search(text[max(0, m.start() - 4):m.start()]):
                continue
            yield Hit(m.start(), m.end(), f"“{m.group(0)}”在 {year} 年度报告中已过时：{why}")
    if getattr(report.meta, "year_inferred", False):
        return  # a guessed year cannot date a cited notice
    notice = re.compile(load("stale_references.yaml")["cited_notice"])
    for m in notice.finditer(report.folded):
        cited = int(m.group(1))
        if cited < year:
            yield Hit(m.start(), m.end(), f"{year} 年度的自评以“{_quote(text[m.start():m.end()], 30)}”为依据，"
                               f"该通知部署的是 {cited} 年度的评价（早 {year - cited} 年），疑为沿用上年报告")


@rule("B09", "misspelt", "本地地名错写", "medium", scope="corpus", analysis="spelling of place names")
def misspelt(report, ctx):
    """A near-miss spelling of a place name: one of the report's own names one character off or with
    its first character dropped, or a listed place written once as a homophone of its usual spelling."""
    meta = report.meta
    own = [n for n in (meta.town, meta.county, meta.city) if n and len(n) >= 3]
    known = set(own) | ctx.known_towns() | {r.meta.county for r in ctx.reports if r.meta.county}
    text = report.text
    for name in own:
        times = text.count(name)
        stem, suffix = name[:-1], name[-1]
        near = []
        for m in re.finditer(rf"(?=([\u4e00-\u9fff]{{{len(stem)}}}){re.escape(suffix)})", text):
            cand = m.group(1) + suffix
            if cand in known or sum(a != b for a, b in zip(cand, name)) != 1:
                continue
            if any(cand in k for k in known if len(k) > len(cand)):
                continue
            if text.count(cand) > times:
                continue  # the "misspelling" is more common than the name: the name was misread
            near.append((m.start(), cand))
        if len({c for _, c in near}) >= 3:
            near = []  # many variants of one name: the name itself is a misreading (受桐溪县 for 桐溪县)
        for start, cand in near:
            yield Hit(start, start + len(cand), f"“{cand}”与本单位地名“{name}”只差一个字，疑为笔误（正文中“{name}”出现 {times} 次）")
        short = name[1:]
        if len(short) >= 2 and times >= 2:
            for m in re.finditer(re.escape(short), text):
                before = text[m.start() - 1] if m.start() else ""
                if before and ("\u4e00" <= before <= "\u9fff" or before.isalnum()):
                    continue  # inside a longer name (南桐溪县 holds 桐溪县) or a word
                yield Hit(m.start(), m.end(), f"“{short}”少了本单位地名“{name}”的第一个字，疑为笔误（正文中“{name}”出现 {times} 次）")
    yield from _listed_homophones(report)


def _listed_homophones(report):
    """In a list of places, a name written once that differs from a name written at least twice by one
    character of the same sound (湾址区 / 湾沚区): an input-method slip."""
    text = report.text
    pattern = re.compile(load("unit_kinds.yaml")["listed_place"])
    seen = [(m.group(1) + m.group(2), m.start(), m.end()) for m in pattern.finditer(text)]
    counts: dict[str, int] = {}
    for name, _, _ in seen:
        counts[name] = counts.get(name, 0) + 1
    for name, start, end in seen:
        if counts[name] != 1:
            continue
        for usual, n in sorted(counts.items()):
            if n < 2 or len(usual) != len(name) or usual[-1] != name[-1]:
                continue
            diff = [(a, b) for a, b in zip(name, usual) if a != b]
            if len(diff) == 1 and _same_sound(*diff[0]):
                yield Hit(start, end, f"“{name}”与本报告中出现 {n} 次的“{usual}”只差一个同音字（{diff[0][0]}/{diff[0][1]}），疑为笔误")
                break


def _same_sound(a: str, b: str) -> bool:
    from pypinyin import Style, pinyin

    pa = {p for p in pinyin(a, style=Style.NORMAL, heteronym=True)[0]}
    pb = {p for p in pinyin(b, style=Style.NORMAL, heteronym=True)[0]}
    return bool(pa & pb)
