"""Who reports, for which year, about what: meta inferred from header, signature and body."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources

import yaml

from .textnorm import compact


@dataclass
class Meta:
    unit: str | None = None       # the reporting body as written
    town: str | None = None
    county: str | None = None
    city: str | None = None
    province: str | None = None
    year: int | None = None       # the fiscal year evaluated
    kind: str | None = None       # 整体支出 | 项目支出 | mixed
    signature_date: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@lru_cache(maxsize=1)
def place_words() -> dict:
    with resources.files("jixiao.data").joinpath("place_words.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=1)
def _patterns():
    w = place_words()
    level_of = {s: lvl for lvl, sufs in w["suffixes"].items() for s in sufs}
    suffix_alt = "|".join(sorted(level_of, key=len, reverse=True))
    bad = re.escape(w["not_in_name"])
    name = rf"[\u4e00-\u9fff](?:(?![{bad}])[\u4e00-\u9fff]){{1,6}}?"
    chain = re.compile(rf"({name})({suffix_alt})")
    boundary = r"(?:^|(?<=[\s，。；：、,.;:（()）\"“”》《\]】〕县区市旗省州]))"
    mention = re.compile(rf"{boundary}((?:(?![{bad}])[\u4e00-\u9fff]){{2,7}}?)({suffix_alt})", re.M)
    bodies = "|".join(w["unit_bodies"])
    unit = re.compile(rf"{boundary}((?:{name}(?:{suffix_alt}))+)(?:{bodies})", re.M)
    return level_of, chain, mention, unit


def parse_admin(name: str) -> dict[str, str]:
    """'南屏市云台区长岭镇人民政府' -> {'city': '南屏市', 'county': '云台区', 'town': '长岭镇'}."""
    level_of, chain, _, _ = _patterns()
    out: dict[str, str] = {}
    pos = 0
    name = compact(name)
    while True:
        m = chain.match(name, pos)
        if not m:
            break
        level = level_of[m.group(2)]
        token = m.group(0)
        if level == "city" and "county" not in out and "town" not in out and "city" in out:
            level = "county"  # a county-level city under a prefecture-level one
        out.setdefault(level, token)
        pos = m.end()
    return out


def place_mentions(text: str) -> Counter:
    """Place names standing after a clear boundary: (name, level) -> count."""
    level_of, _, mention, _ = _patterns()
    w = place_words()
    generic = set(w["generic"])
    counts: Counter = Counter()
    for m in mention.finditer(text):
        name, suffix = _strip_prefix(m.group(1)), m.group(2)
        word, level = name + suffix, level_of[suffix]
        if len(name) < 2 or word in generic or word[-2:] in generic or word[-3:] in generic:
            continue
        if name.startswith(tuple(w["not_start"])):
            continue
        if suffix == "乡" and text[m.end():m.end() + 1] in w["not_after_xiang"]:
            continue
        if level != "town":
            after = text[m.end():m.end() + 6]
            if not (after.startswith(tuple(w["follows_place"])) or _chain_follows(after)):
                continue
        counts[(word, level)] += 1
    return counts


def _strip_prefix(name: str) -> str:
    for prefix in place_words()["strip_prefix"]:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _chain_follows(after: str) -> bool:
    """True when another place name of a lower level starts right after."""
    _, chain, _, _ = _patterns()
    return chain.match(after + "  ") is not None and len(after) >= 3


def infer_meta(text: str, paragraphs, figures) -> Meta:
    meta = Meta()
    body = [p for p in paragraphs if p.kind == "text"]
    first_marked = next((i for i, p in enumerate(body) if p.marker is not None), len(body))
    header = body[: min(first_marked, 6)]
    tail = body[-5:]
    _, _, _, unit_re = _patterns()

    def units_in(paras) -> list[str]:
        found = []
        for p in paras:
            for m in unit_re.finditer(compact(p.text)):
                found.append(_strip_prefix(m.group(0)))
        return found

    header_units = [u for p in header for u in units_in([p]) if len(compact(p.text)) <= 40]
    tail_units = [u for p in tail for u in units_in([p]) if len(compact(p.text)) <= 40]
    body_units = Counter(units_in(body))
    unit = (header_units or tail_units or [None])[0]
    if unit is None and body_units:
        unit = max(body_units.items(), key=lambda kv: (kv[1], len(kv[0])))[0]
    meta.unit = unit
    places = parse_admin(unit) if unit else {}

    mentions = place_mentions("\n".join(p.text for p in body))
    title_text = "\n".join(p.text for p in header)
    title_places = place_mentions(title_text)
    for level in ("town", "county", "city", "province"):
        if level in places:
            continue
        ranked = [(n, c + 5 * title_places.get((n, lvl), 0)) for (n, lvl), c in mentions.items() if lvl == level]
        for u, c in body_units.items():
            for lvl, n in parse_admin(u).items():
                if lvl == level:
                    ranked.append((n, c * 3))
        if ranked:
            score = Counter()
            for n, c in ranked:
                score[n] += c
            places[level] = max(score.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))[0]
    for level in ("town", "county", "city", "province"):
        setattr(meta, level, places.get(level))

    meta.year = _fiscal_year(header, body, figures)
    meta.kind = _kind(title_text, text)
    meta.signature_date = _signature_date(tail, figures)
    if meta.year is None and meta.signature_date:
        meta.year = int(meta.signature_date[:4]) - 1
    return meta


def _fiscal_year(header, body, figures) -> int | None:
    for p in header:
        m = re.search(r"((?:19|20)\d{2})\s*年", p.text)
        if m:
            return int(m.group(1))
    years = [int(f.number) for f in figures if f.kind == "year" and f.table is None and f.number is not None]
    annual = Counter(int(f.number) for f in figures if f.kind == "year" and f.text.endswith("年度"))
    if annual:
        return max(annual.items(), key=lambda kv: (kv[1], kv[0]))[0]
    if years:
        return max(Counter(years).items(), key=lambda kv: (kv[1], kv[0]))[0]
    return None


def _kind(title_text: str, text: str) -> str | None:
    t = compact(title_text)
    whole, project = "整体" in t, "项目" in t
    if whole and not project:
        return "整体支出"
    if project and not whole:
        return "项目支出"
    body = compact(text)
    w, p = body.count("整体支出") + body.count("部门整体"), body.count("项目支出")
    if w and p:
        return "mixed"
    if w:
        return "整体支出"
    if p or "项目" in body:
        return "项目支出"
    return None


def _signature_date(tail, figures) -> str | None:
    if not tail:
        return None
    lo = tail[0].start
    dates = [f for f in figures if f.kind == "date" and f.start >= lo]
    if not dates:
        return None
    m = re.match(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?", dates[-1].text.translate(
        {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}))
    if not m:
        return None
    y, mo, d = m.group(1), int(m.group(2)), m.group(3)
    return f"{y}-{mo:02d}-{int(d):02d}" if d else f"{y}-{mo:02d}"
