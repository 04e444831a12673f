"""Who reports, for which year, about what: meta read from the report's own title, header, form
fields and signature — not from page furniture, cited documents or places the body merely mentions.

Matching runs on folded text (simplified, half-width, pinyin blanked, whitespace dropped); names are
returned as written in the source.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass
from functools import lru_cache

from ..read.textnorm import compact, fold
from ..wordlists import load


@dataclass
class Meta:
    unit: str | None = None       # the reporting body as written
    town: str | None = None
    county: str | None = None
    city: str | None = None
    province: str | None = None
    year: int | None = None       # the fiscal year evaluated
    kind: str | None = None       # 整体支出 | 项目支出 | 部门决算 | mixed
    signature_date: str | None = None
    year_inferred: bool | None = None  # True when the year is the filing year minus one, not stated

    def as_dict(self) -> dict:
        return asdict(self)


@lru_cache(maxsize=1)
def place_words() -> dict:
    return load("place_words.yaml")


_W = load("meta_words.yaml")  # the vocabulary of titles, dates, fields and self-reference (regex alternations)
_CITED = rf"《[^》]{{0,80}}》|关于[^。，,;；《》]{{0,60}}?(?:{_W['document_kinds']})"  # a cited document's title


def _alt(words) -> str:
    return "|".join(map(re.escape, sorted(words, key=len, reverse=True)))


@lru_cache(maxsize=1)
def _patterns():
    w = place_words()
    level_of = {s: lvl for lvl, sufs in w["suffixes"].items() for s in sufs}
    suffix = re.compile(_alt(level_of))
    glue = re.compile(rf"(?:{_alt(w['glue_words'])})")
    glue_inside = re.compile(_alt(w["glue_words_inside"]))
    body = re.compile(rf"(?:{_alt(w['unit_bodies'] + w['department_bodies'])})")
    furniture = re.compile(_alt(w["page_furniture"]))
    publisher = re.compile(rf"(?:{_alt(w['publisher_fields'])})[:：]?(?P<name>[\u4e00-\u9fff]{{3,30}})")
    fields = [(re.compile(rf"(?:{_alt(words)})(?:\((?:{_W['seal']})\))?[:：|]*(?:\d+-)?"), rank)
              for rank, words in enumerate(w["unit_fields"])]
    return level_of, suffix, glue, glue_inside, body, furniture, publisher, fields


# ---------------------------------------------------------------- place names

def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def _scan_places(s: str, chained_only: bool = False) -> list[tuple[str, str, int, int]]:
    """Place names in a whitespace-free folded string: (name, level, start, end), anchored.

    A name is the run of Chinese characters before an administrative suffix, with glued words
    (field labels, verbs, prepositions: 单位名称某某县 → 某某县, 受X县 → X县) peeled off; what is left
    must have a place name's shape: one to four characters (more only with 族 in an autonomous
    area's name), not a word such as 县城 or 区域, and a one-character name (沛县) only where a
    government body or a lower place follows.
    """
    level_of, suffix_re, glue, glue_inside, *_ = _patterns()
    w = place_words()
    bad, generic, not_start = set(w["not_in_name"]), set(w["generic"]), tuple(w["not_start"])
    out: list[tuple[str, str, int, int]] = []
    last_end = 0
    pos = 0
    while True:
        m = suffix_re.search(s, pos)
        if not m:
            break
        pos = m.start() + 1
        suf, level = m.group(0), level_of[m.group(0)]
        lo = m.start()
        while lo > last_end and lo > m.start() - 12 and _is_cjk(s[lo - 1]) and s[lo - 1] not in bad:
            lo -= 1
        if lo > last_end and s[lo - 1] in bad and (lo - 1 == 0 or not _is_cjk(s[lo - 2])) and lo < m.start():
            lo -= 1  # a name starting with 于 or 全 at a line's start, not a preposition
        run = s[lo:m.start()]
        cut = 0
        higher = {"town": "县区市旗州", "county": "市州盟省", "city": "省"}.get(level, "")
        for k in range(len(run) - 2, 0, -1):
            if run[k] in higher and len(run) - k - 1 >= 2:
                cut = k + 1  # 租用某省某市: a place after a higher one that did not stand on its own
                break
        for g in glue_inside.finditer(run):
            cut = max(cut, g.end())
        start = lo + cut
        while True:
            g = glue.match(s, start, m.start())
            if not g or g.end() >= m.start():
                break
            start = g.end()
        name = s[start:m.start()]
        after = s[m.end():m.end() + 6]
        chained = out and out[-1][3] == start
        if chained_only and start != last_end:
            break
        if not _name_shape(name, suf, level, after, generic, not_start, chained=bool(chained)):
            continue
        if start == lo and lo > 0 and _is_cjk(s[lo - 1]) and s[lo - 1] not in bad and not chained and cut == 0:
            continue  # glued to a longer run we did not peel: not anchored
        if level != "town" and not chained and not after.startswith(tuple(w["follows_place"])) \
                and not _lower_place_follows(s, m.end()) and not chained_only:
            continue
        out.append((name + suf, level, start, m.end()))
        last_end = m.end()
        pos = m.end()
    return out


def _name_shape(name, suf, level, after, generic, not_start, chained: bool = False) -> bool:
    w = place_words()
    if not name or name + suf in generic:
        return False
    if not chained and ((name + suf)[-2:] in generic or (name + suf)[-3:] in generic):
        return False  # 小城镇, 各乡镇; but 遂城镇 right after its county is a name
    if name.endswith("自治"):
        return False
    if name.startswith(not_start):
        return False
    longest = 10 if "族" in name else (3 if level == "province" else 4)
    if len(name) > longest:
        return False
    if len(name) == 1 and (level not in ("county", "city")
                           or not (after.startswith(tuple(w["follows_place"])) or _lower_place_in(after))
                           or name in w["glue_words"] or name in w["not_in_name"] or name in w["one_char_not_name"]):
        return False  # 沛县 is a county; 经县财政局同意, 按县委要求 name none
    if after[:1] and (suf + after[:1]) in w["suffix_words"] and not _lower_place_in(after):
        return False
    if suf == "乡" and after[:1] and after[:1] in w["not_after_xiang"]:
        return False
    return True


def _lower_place_in(after: str) -> bool:
    """县城关镇: a lower place's suffix within the next few characters makes 县城 part of names."""
    _, suffix_re, *_ = _patterns()
    m = suffix_re.search(after, 1)
    return m is not None and m.start() <= 4 and all(_is_cjk(c) for c in after[:m.start()])


def _lower_place_follows(s: str, end: int) -> bool:
    level_of, suffix_re, *_ = _patterns()
    m = suffix_re.search(s, end + 1, end + 6)
    return m is not None and all(_is_cjk(c) for c in s[end:m.start()])


def parse_admin(name: str) -> dict[str, str]:
    """'南屏市云台区长岭镇人民政府' -> {'city': '南屏市', 'county': '云台区', 'town': '长岭镇'}."""
    out: dict[str, str] = {}
    s = compact(fold(name))
    written = _written(name)
    for place, level, start, end in _scan_places(s, chained_only=True):
        if level == "city" and "county" not in out and "town" not in out and "city" in out:
            level = "county"  # a county-level city under a prefecture-level one
        out.setdefault(level, written[start:end])
    if "city" in out and "town" in out and "county" not in out and "province" not in out:
        out["county"] = out.pop("city")  # a county-level city right above a town
    return out


def _written(source: str) -> str:
    """The source with the characters that folding blanks (whitespace, inline pinyin) dropped."""
    folded = fold(source)
    return "".join(c for c, f in zip(source, folded) if not f.isspace())


def place_mentions(text: str) -> Counter:
    """Anchored place names in `text`: (name, level) -> count."""
    counts: Counter = Counter()
    for line in fold(text).split("\n"):
        for name, level, *_ in _scan_places(compact(line)):
            counts[(name, level)] += 1
    return counts


# ---------------------------------------------------------------- lines of the report

@dataclass
class _Line:
    index: int
    c: str          # compact folded text
    w: str          # the same characters as written in the source
    kind: str
    furniture: bool


def _lines(text: str, paragraphs) -> list[_Line]:
    *_, furniture, _, _ = _patterns()
    folded = fold(text)
    out = []
    for i, p in enumerate(paragraphs):
        f, src = folded[p.start:p.end], text[p.start:p.end]
        if _SPACE.search(f):
            keep = [k for k, ch in enumerate(f) if not ch.isspace()]
            f, src = "".join(f[k] for k in keep), "".join(src[k] for k in keep)
        c = _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGIT), f) if "年" in f else f
        is_furniture = i < 40 and (bool(furniture.search(c)) or bool(_DATE_ONLY.fullmatch(c)))
        out.append(_Line(i, c, src, p.kind, is_furniture))
    return out


_SPACE = re.compile(r"\s")
_CN_DIGIT = str.maketrans("〇零○Ο一二三四五六七八九", "0000123456789")
_CN_YEAR = re.compile(r"(?<![一二三四五六七八九十〇零])[一二][〇零○Ο九][〇零○Ο一二三四五六七八九]{2}(?=年)")  # 二〇二三年 → 2023年, same length


def _small_number(s: str) -> int | None:
    """1–31 written in Arabic or Chinese numerals (三, 十二, 二十五)."""
    if s.isdigit():
        return int(s)
    digits = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    if "十" not in s:
        return digits.get(s)
    tens, _, ones = s.partition("十")
    return (digits.get(tens, 0) if tens else 1) * 10 + (digits.get(ones, 0) if ones else 0)


_DATE_ONLY = re.compile(r"(?:(?:19|20)\d{2}[-./年]\d{1,2}[-./月]\d{1,2}日?[\d:]*)(?:报告)?")


_TITLE_WORDS = re.compile(_W["title_words"])
_YEAR = r"((?:19|20)\d{2})"


def _title(lines: list[_Line]) -> tuple[str, str, list[int]]:
    """The report's own title (compact folded, as written, line indices): the last title-like line
    of the opening before the first numbered section, with the short lines just above it."""
    best = None
    for k, ln in enumerate(lines[:40]):
        c = ln.c
        if not c or ln.furniture:
            continue
        if re.match(r"^(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+部分|\([一二三四五六七八九十]+\))", c):
            if best is not None:
                break
            continue
        if c.startswith(("根据", "按照", "为", "我", "本")) or "《" in c[:2]:
            continue
        t = _TITLE_WORDS.search(c)
        if not t or t.start() > 60 or re.search(r"[。，,;；!?！？]", c[:t.start()]) or c.startswith("现将"):
            continue  # a sentence that mentions a report (现将…报告如下) is no title
        end = t.end()
        bracket = re.match(r"[(\[【][^()\[\]【】]{1,30}[)\]】]", c[end:])
        if bracket:
            end += bracket.end()
        best = (k, end)
        if k > 25:
            break
    if best is None:
        return "", "", []
    k, end = best
    idx = [k]
    parts_c, parts_w = [lines[k].c[:end]], [lines[k].w[:end]]
    j = k - 1
    while j >= 0 and len(idx) < 3:
        ln = lines[j]
        if not ln.c:
            j -= 1
            continue
        if ln.furniture or len(ln.c) > 40 or re.search(r"[。;；,，]", ln.c) or _TITLE_WORDS.search(ln.c) \
                or re.match(r"^[一二三四五六七八九十]+、|^目录$", ln.c):
            break
        idx.insert(0, j)
        parts_c.insert(0, ln.c)
        parts_w.insert(0, ln.w)
        j -= 1
    nxt = lines[k + 1] if k + 1 < len(lines) else None
    if nxt is not None and re.fullmatch(r"[(（].{2,40}[)）]", nxt.c):
        idx.append(k + 1)
        parts_c.append(nxt.c)
        parts_w.append(nxt.w)
    return "".join(parts_c), "".join(parts_w), idx


# ---------------------------------------------------------------- the unit

def _unit_in(c: str, w: str, at_start: bool = True) -> tuple[str, str] | None:
    """A reporting body's name at the start of `c` (place chain, department words, body word),
    cut before a year, 关于, a bracket or a project name: (compact folded, as written)."""
    *_, body, _, _, _ = _patterns()
    stop = re.search(_W["unit_name_stop"], c)
    seg = c[: stop.start()] if stop else c
    seg = seg[:40]
    ends = [m.end() for m in body.finditer(seg)]
    if not ends:
        return None
    e = ends[0]
    for x in ends[1:]:  # 人民政府办公室: body words right after each other belong together
        if body.match(seg, e) and body.match(seg, e).end() == x:
            e = x
    name = seg[:e]
    if c[e:].startswith(tuple(place_words()["project_verbs"])):
        return None  # 某某泵站改造项目: the project's object, not the reporting body
    if not re.search(r"[省市州县区旗镇乡]|街道", name):
        return None  # a unit's name starts with its place (a spam banner's 某某中心 does not)
    bad = set(place_words()["not_in_name"]) - set("和所委")
    if len(name) < 3 or any(ch in bad for ch in name[1:]) or not all(_is_cjk(ch) for ch in name):
        return None
    return name, w[:e]


def _strip_lead(c: str) -> int:
    """Length of a lead to skip before a name at a line's start: numbering, 附件N, 中共."""
    m = re.match(rf"^(?:\d+[、.]|附件\d*[:：]?|[(（]?\d+[)）])?(?:{_alt(place_words()['strip_prefix'])})?", c)
    return m.end() if m else 0


def _unit(lines: list[_Line], title_idx: list[int], title_c: str, title_w: str):
    """(unit, where): form field > title > a header line that is only a name > signature > the report
    naming itself > publisher; a fuller form of the same name elsewhere in the header or signature
    (某县某镇人民政府 for 某镇人民政府) is preferred."""
    unit, where = _unit_first(lines, title_idx, title_c, title_w)
    if unit:
        for other in _name_lines(lines):
            if len(other) > len(unit) and compact(fold(other)).endswith(compact(fold(unit))):
                return other, where
    return unit, where


def _in_full(lines: list[_Line], name_c: str) -> str | None:
    """A county or city body named without its place (市文化和广电旅游体育局): its one full form in the
    text, the place's name before it (东阳市文化和广电旅游体育局), as written."""
    *_, body, _, _, _ = _patterns()
    if name_c[:1] not in "省市州县区旗" or not body.search(name_c) or _scan_places(name_c, chained_only=True):
        return None
    found = set()
    for ln in lines[:80]:
        if ln.furniture:
            continue
        for k in (m.start() for m in re.finditer(re.escape(name_c[1:]), ln.c)):
            head = ln.c[max(0, k - 8):k]
            places = [p for p in _scan_places(head + name_c[1:]) if p[3] == len(head) and p[0].endswith(name_c[0])]
            if places:
                s = k - (len(head) - places[-1][2])
                found.add((ln.c[s:k + len(name_c) - 1], ln.w[s:k + len(name_c) - 1]))
    return next(iter(found))[1] if len(found) == 1 else None


def _name_lines(lines: list[_Line]) -> list[str]:
    """Lines of the opening and the end that are only a unit's name."""
    out = []
    for ln in lines[:12] + lines[-6:]:
        c = _TRAILING_DATE.sub("", ln.c)
        if ln.kind == "text" and not ln.furniture and 3 <= len(c) <= 30:
            u = _unit_in(c, ln.w)
            if u and len(u[0]) == len(c):
                out.append(u[1])
    return out


_TRAILING_DATE = re.compile(r"(?:19|20)\d{2}年(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:(?:\d{1,2}|[一二三四五六七八九十]{1,3})日)?$")


def _unit_first(lines: list[_Line], title_idx: list[int], title_c: str, title_w: str):
    *_, body, furniture, publisher, fields = _patterns()
    # form fields: 评价单位(公章):X, 单位名称 X, 部门:X, 实施单位 X, 主管部门 X (in that order of trust)
    found = []
    for k, ln in enumerate(lines[:80]):
        for rx, rank in fields:
            for m in rx.finditer(ln.c):
                if ln.c[max(0, m.start() - 2):m.start()] in ("主管", "实施", "项目", "用款"):
                    continue  # 主管部门: is not the 部门: field
                u = _unit_in(ln.c[m.end():], ln.w[m.end():])
                if u is None and m.end() == len(ln.c):  # the value in the next cell, one cell per line
                    nxt = next((x for x in lines[k + 1:k + 3] if x.c.strip("|")), None)
                    if nxt is not None:
                        c = nxt.c.lstrip("|")
                        u = _unit_in(c, nxt.w[len(nxt.c) - len(c):])
                if u:
                    found.append((rank, ln.index, u))
    if found:
        return min(found, key=lambda t: (t[0], t[1]))[2][1], "field"
    # the title, then a title-like line above it (a report's title above the title of its form)
    earlier = [i for i, ln in enumerate(lines[:title_idx[0]] if title_idx else [])
               if not ln.furniture and _TITLE_WORDS.search(ln.c) and not re.search(r"[。，,;；]", ln.c)]
    for i in title_idx + earlier[::-1]:
        ln = lines[i]
        k = _strip_lead(ln.c)
        c, w = ln.c[k:], ln.w[k:]
        y = re.match(rf"^{_YEAR}年度?", c)
        if y:
            c, w = c[y.end():], w[y.end():]
        u = _unit_in(c, w)
        if u and (i in title_idx or any(start == 0 for _, _, start, _ in _scan_places(u[0]))):
            return u[1], "title"
    head = lines[: title_idx[0]] if title_idx else lines[:6]
    for ln in head[-4:]:
        if not ln.furniture and 3 <= len(ln.c) <= 30:
            u = _unit_in(ln.c, ln.w)
            if u and len(u[0]) == len(ln.c):
                return u[1], "header"
    for ln in reversed([ln for ln in lines[-6:] if ln.c]):
        c = _TRAILING_DATE.sub("", ln.c)
        if ln.kind == "text" and 3 <= len(c) <= 30:
            u = _unit_in(c, ln.w)
            if u and len(u[0]) == len(c):
                return u[1], "signature"
    # the report naming itself in brackets: 我单位（某县某镇人民政府）
    for ln in lines:
        if ln.furniture:
            continue
        for m in re.finditer(_W["self_named"], ln.c):
            u = _unit_in(ln.c[m.end():], ln.w[m.end():])
            if u:
                return u[1], "self"
    # the publisher of the page, when it is the title's own place (or a body of it)
    title_places = {name for name, *_ in _scan_places(title_c)} | {name for name, *_ in _title_places(title_c)}
    for ln in lines[:30]:
        if not ln.furniture:
            continue
        for m in publisher.finditer(ln.c):
            name_c = m.group("name")
            pl = _scan_places(name_c, chained_only=True)
            if not pl or not title_places:
                continue
            if pl[-1][0] in title_places:
                u = _unit_in(name_c, ln.w[m.start("name"):m.end("name")])
                if u:
                    return u[1], "publisher"
                return ln.w[m.start("name"):m.start("name") + pl[-1][3]], "publisher"
    # the publisher named without its place (来源:市文化局) and written in full in the text (东阳市文化局…)
    for ln in lines[:30]:
        if not ln.furniture:
            continue
        for m in publisher.finditer(ln.c):
            fuller = _in_full(lines, m.group("name"))
            if fuller:
                return fuller, "publisher"
    # a title that starts with its places and then the year: 某县某镇2022年…报告
    for i in title_idx:
        ln = lines[i]
        k = _strip_lead(ln.c)
        pl = _scan_places(ln.c[k:], chained_only=True)
        if pl and re.match(r"\d|关于", ln.c[k + pl[-1][3]:]):
            return ln.w[k:k + pl[-1][3]], "title"
    # a paragraph of the opening that starts with the unit describing itself: X人民政府为行政单位
    verbs = tuple(place_words()["self_description"])
    for ln in lines[:60]:
        if ln.kind != "text" or ln.furniture:
            continue
        u = _unit_in(ln.c, ln.w)
        if u and ln.c[len(u[0]):].startswith(verbs):
            return u[1], "body"
    return None, None


# ---------------------------------------------------------------- meta

def infer_meta(text: str, paragraphs, figures) -> Meta:
    meta = Meta()
    lines = _lines(text, paragraphs)
    title_c, title_w, title_idx = _title(lines)
    unit, where = _unit(lines, title_idx, title_c, title_w)
    meta.unit = unit
    places = parse_admin(unit) if unit else {}
    if not places or not unit or where == "publisher":
        # the title's own places: a report titled 某县2023年…资金绩效自评报告 is the county's
        for name, level, *_ in _title_places(title_c):
            if level == "town" and places and "county" in places and "town" not in places and unit:
                continue
            places.setdefault(level, _written_name(title_c, title_w, name))
    if not places.get("town") and not unit:
        town = _self_named_town(text, lines)
        if town:
            places["town"] = town
    if "county" not in places and "town" in places:
        county = _body_county(lines)
        if county:
            places.setdefault("county", county)
    _higher_places(lines, places)
    if not unit:
        meta.unit = _evaluated_unit(lines, places)
    for level in ("town", "county", "city", "province"):
        setattr(meta, level, places.get(level))
    meta.signature_date = _signature_date(lines)
    meta.year, inferred = _fiscal_year(lines, title_c)
    meta.year_inferred = True if inferred else None
    meta.kind = _kind(lines, title_c, text)
    return meta


def _evaluated_unit(lines: list[_Line], places: dict[str, str]) -> str | None:
    """A report with no unit in its title or fields (a third party's): 对某县某镇人民政府2021年…进行绩效评价
    names the unit evaluated — taken when its name holds the report's own town."""
    town = places.get("town")
    if not town:
        return None
    for ln in lines[:60]:
        if ln.furniture:
            continue
        m = re.search(_W["self_evaluation_sentence"], ln.c)
        if m is None or not m.group(0).startswith("对"):
            continue
        u = _unit_in(ln.c[m.start() + 1:], ln.w[m.start() + 1:])
        if u and compact(fold(town)) in u[0]:
            return u[1]
    return None


def _higher_places(lines: list[_Line], places: dict[str, str]) -> None:
    """City and province from a chain anywhere in the text that runs down to the report's own county
    or town (河北省保定市某县 in an address): places the text ties to its own."""
    own = {compact(fold(places[k])) for k in ("county", "town") if places.get(k)}
    if not own or ("city" in places and "province" in places):
        return
    order = ("province", "city", "county", "town")
    for ln in lines:
        found = _scan_places(ln.c)
        for i, (name, level, start, end) in enumerate(found):
            if name not in own:
                continue
            j = i
            while j > 0 and found[j - 1][3] == found[j][2] and order.index(found[j - 1][1]) < order.index(found[j][1]):
                j -= 1
            for pname, plevel, ps, pe in found[j:i]:
                if plevel in ("city", "province") and ln.w[ps:pe] not in places.values():
                    places.setdefault(plevel, ln.w[ps:pe])
        if "city" in places and "province" in places:
            return


def _title_places(title_c: str) -> list[tuple[str, str, int, int]]:
    """The chain of places a title starts with, after numbering, 附件N and a leading year."""
    k = _strip_lead(title_c)
    y = re.match(rf"{_YEAR}年度?", title_c[k:])
    if y:
        k += y.end()
    return [(n, lvl, s + k, e + k) for n, lvl, s, e in _scan_places(title_c[k:], chained_only=True)]


def _written_name(c: str, w: str, name: str) -> str:
    i = c.find(name)
    return w[i:i + len(name)] if i >= 0 else name


def _self_named_town(text: str, lines: list[_Line]) -> str | None:
    """A report with no header names its town in the body: the most named town, when the text speaks
    as a town (我镇, 本乡, 全街道…)."""
    body = "".join(ln.c for ln in lines if not ln.furniture)
    selves = re.findall(_W["self_town_kind"], body)
    if not selves:
        return None
    kind = Counter(selves).most_common(1)[0][0]
    found = _most_named(lines, lambda name, level: level == "town" and name.endswith(kind))
    return found[0] if found else None


def _body_county(lines: list[_Line]) -> str | None:
    found = _most_named(lines, lambda name, level: level == "county")
    return found[0] if found and found[1] >= 2 else None


def _most_named(lines: list[_Line], wanted) -> tuple[str, int] | None:
    """The place the body names most often (ties: the longer name), as written, and how often."""
    counts = Counter()
    where = {}
    for ln in lines:
        if ln.furniture:
            continue
        for name, level, s, e in _scan_places(ln.c):
            if wanted(name, level):
                counts[name] += 1
                where.setdefault(name, ln.w[s:e])
    if not counts:
        return None
    name, n = max(counts.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))
    return where[name], n


# ---------------------------------------------------------------- the fiscal year

_FIELD_YEAR = re.compile(rf"(?:{_W['year_field_words']})年度[:：]?{_YEAR}(?!\d)")
_RANGE = re.compile(rf"{_YEAR}(?:年度?)?[-—~至到]{_YEAR}年度?")
_TITLE_YEAR = re.compile(rf"(?<!\d){_YEAR}(?:年度|年|(?=[)）]))")
_BODY_YEAR = re.compile(rf"(?<![\d〔\[【(（])(?<![\d.]){_YEAR}(年度|年)(?!\d{{1,2}}月)")
# 1985年1月至2000年, 1985年至20xx年: a span of years is history, neither end the year evaluated
# (a span inside one year, 2023年1月至2023年12月, is kept)
_HISTORY = re.compile(rf"{_YEAR}年(?:\d{{1,2}}月(?:\d{{1,2}}日)?)?[至到—~－]((?:19|20)(?:\d{{2}}|[xX×]{{2}}))年")
_DATE = re.compile(rf"(?<!\d){_YEAR}(?:年(\d{{1,2}})月(?:(\d{{1,2}})日)?|[.](\d{{1,2}})[.](\d{{1,2}})(?!\d)|-(\d{{1,2}})-(\d{{1,2}})(?!\d))")
_UP_TO = re.compile(rf"(?:{_W['up_to_words']})(?:{_YEAR})年(\d{{1,2}})月")


def _fiscal_year(lines: list[_Line], title_c: str) -> tuple[int | None, bool]:
    """The year the money was spent: a 评价年度 field, else the title's year, else the year the body
    speaks of most (dates included, cited documents and page furniture excluded); the filing or
    publication year minus one only as a last resort (then marked inferred)."""
    filing = _filing_year(lines)
    for ln in lines[:60]:
        m = _FIELD_YEAR.search(ln.c)
        if m and not ln.furniture:
            return int(m.group(1)), False
    if title_c:
        r = _RANGE.search(title_c)
        if r:
            return int(r.group(2)), False
        years = [int(y) for y in _TITLE_YEAR.findall(title_c)]
        if years and (filing is None or min(years) <= filing):
            return years[0], False
    score: Counter = Counter()
    signed = _signature(lines)
    for ln in lines:
        if ln.furniture or _is_filing_line(ln.c) or (signed and ln.index == signed[1]):
            continue
        c = _RANGE.sub(lambda m: "#" * len(m.group(0)), ln.c)
        c = _HISTORY.sub(lambda m: m.group(0) if m.group(1) == m.group(2) else "#" * len(m.group(0)), c)
        for m in re.finditer(_CITED, c):
            for y in _BODY_YEAR.finditer(m.group(0)):  # a cited document's year: weak evidence
                score[int(y.group(1))] += 0.5 if y.group(2) == "年度" else 0.25
        c = re.sub(_CITED + r"|〔[^〕]{0,8}〕|\[[^\]]{0,8}\]|【[^】]{0,8}】",
                   lambda m: "#" * len(m.group(0)), c)
        c = re.sub(rf"(?:{_W['future_words']})于?{_YEAR}", lambda m: "#" * len(m.group(0)), c)
        for m in _BODY_YEAR.finditer(c):
            score[int(m.group(1))] += 2 if m.group(2) == "年度" else 1
        for m in _DATE.finditer(c):
            score[int(m.group(1))] += 1
        for m in _UP_TO.finditer(c):
            if m.group(1):
                score[int(m.group(1))] += 3 if int(m.group(2)) >= 10 else 1
    if filing is not None:
        for y in [y for y in score if y > filing]:
            del score[y]
    if score:
        return max(score.items(), key=lambda kv: (kv[1], kv[0]))[0], False
    if filing is not None:
        return filing - 1, True
    return None, False


def _is_filing_line(c: str) -> bool:
    return bool(re.match(rf"^(?:{_W['filing_date_labels']})", c))


def _filing_year(lines: list[_Line]) -> int | None:
    """The year the report was filed or published: a 填报日期 / 公开时间 field, page furniture, the
    signature date. Essay-site posting dates do not count."""
    *_, furniture, _, _ = _patterns()
    essay = re.compile(_alt(place_words()["essay_site"]))
    years = []
    for ln in lines[:40]:
        if essay.search(ln.c):
            return None
        if ln.furniture or _is_filing_line(ln.c):
            for m in re.finditer(rf"(?<!\d){_YEAR}(?:年|-|\.|/)\d{{1,2}}", ln.c):
                years.append(int(m.group(1)))
            m = re.search(rf"(?:{_W['filing_date_fields']})[:：]?{_YEAR}\d{{2,4}}(?!\d)", ln.c)
            if m:
                years.append(int(m.group(1)))
    sig = _signature_date(lines)
    if sig:
        years.append(int(sig[:4]))
    return min(years) if years else None


def _signature_date(lines: list[_Line]) -> str | None:
    found = _signature(lines)
    return found[0] if found else None


def _signature(lines: list[_Line]) -> tuple[str, int] | None:
    """The date of the signature and its line: a short line at the end that ends with a date
    (二〇二四年三月五日 too), alone or after the unit's name."""
    num = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
    for ln in reversed([ln for ln in lines[-6:] if ln.c]):
        m = re.search(rf"{_YEAR}年{num}月(?:{num}日)?$", ln.c)
        if not m or len(ln.c) > 40 or (m.start() and not _unit_in(ln.c[:m.start()], ln.w[:m.start()])):
            continue
        y, mo = m.group(1), _small_number(m.group(2))
        d = _small_number(m.group(3)) if m.group(3) else None
        if not mo or mo > 12 or (d is not None and not 1 <= d <= 31):
            continue
        return (f"{y}-{mo:02d}-{d:02d}" if d else f"{y}-{mo:02d}"), ln.index
    return None


# ---------------------------------------------------------------- the kind

def _kind(lines: list[_Line], title_c: str, text: str) -> str | None:
    """From the title, else the report's statement of what it evaluates, else its section headings —
    not from 项目 anywhere in the body."""
    strict = "决算" in title_c and "部门决算" or _kind_of(title_c.replace("整体", "整体支出"), strict=True)
    if strict:
        return strict
    statement = _statement(lines)
    if statement:
        return "整体支出" if "整体" in statement else "项目支出"
    k = _kind_of(title_c, strict=False)
    if k:
        return k
    heads = [ln.c for ln in lines[:60] if len(ln.c) <= 40]
    votes = Counter()
    for kind, words in place_words()["kind_headings"].items():
        votes[kind] = sum(1 for h in heads if any(w in h for w in words))
    if votes["部门决算"] >= 2:
        return "部门决算"
    if votes["项目支出"] and votes["整体支出"]:
        return "mixed"
    if votes["项目支出"] or votes["整体支出"]:
        return "项目支出" if votes["项目支出"] else "整体支出"
    body = "".join(ln.c for ln in lines)
    w = body.count("整体支出") + body.count("部门整体")
    p = body.count("项目支出")
    if w and p:
        return "mixed" if min(w, p) * 3 >= max(w, p) else ("整体支出" if w > p else "项目支出")
    if w:
        return "整体支出"
    if p:
        return "项目支出"
    return None


def _kind_of(s: str, strict: bool) -> str | None:
    if not s:
        return None
    if "决算" in s and not strict:
        return "部门决算"
    whole = "整体支出" in s or "部门整体" in s or (not strict and "整体" in s)
    project = "项目支出" in s or (not strict and re.search(_W["project_kind_words"], s) is not None)
    if whole and project:
        return "mixed"
    if whole:
        return "整体支出"
    if project:
        return "项目支出"
    return None


def _statement(lines: list[_Line]) -> str:
    """The sentence that says what is evaluated: 对…进行/开展…评价, 现将…报告如下."""
    for ln in lines[:40]:
        if ln.furniture:
            continue
        m = re.search(_W["self_evaluation_sentence"], ln.c)
        if m:
            return m.group(0)
    return ""
