"""Find every figure in a report: the number, its unit, written precision, bound and offsets.

Extraction only — nothing here decides whether a figure is right.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from ..read.numerals import decimals_of, parse_arabic, parse_chinese
from ..read.textnorm import fold
from ..wordlists import load

# unit as written -> (kind, canonical unit)
_UNITS: dict[str, tuple[str, str]] = {}
for _u in ("万元/亩", "元/亩", "元/人", "万元/人", "元/户", "万元/户", "元/年", "元/月", "元/平方米", "元/吨",
           "元/公里", "万元/公里", "万元/个", "元/个", "万元/村", "元/村", "元/人/月", "元/人/年", "元/次"):
    _UNITS[_u] = ("unit_price", _u)
_UNITS.update({"亿元": ("money", "亿元"), "万元": ("money", "万元"), "元": ("money", "元"),
               "%": ("percent", "%"), "‰": ("permille", "‰"),
               "人次": ("count", "人次"), "户次": ("count", "户次"),
               "平方公里": ("area", "平方公里"), "平方千米": ("area", "平方公里"), "平方米": ("area", "平方米"),
               "㎡": ("area", "平方米"), "立方米": ("volume", "立方米"), "m³": ("volume", "立方米"),
               "厘米": ("length", "厘米"), "毫米": ("length", "毫米"), "公顷": ("area", "公顷"), "亩": ("area", "亩"),
               "公里": ("length", "公里"), "千米": ("length", "公里"), "米": ("length", "米"),
               "吨": ("weight", "吨"), "公斤": ("weight", "公斤"), "千克": ("weight", "公斤"),
               "小时": ("time", "小时"), "天": ("time", "天"), "个月": ("time", "个月"), "周": ("time", "周"),
               "分": ("score", "分"), "倍": ("ratio", "倍")})
COUNT_UNITS = "个户人家项次名件台辆座处条村所间批期套份张棵株盏块眼口栋场支队所"
for _u in COUNT_UNITS:
    _UNITS.setdefault(_u, ("count", _u))
_UNIT_RE = re.compile("|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True)))
_NOT_SCORE_AFTER = set("钟别类项析配布管批期局工解散享段支成红组子数值摊担级级")
_NOT_COUNT_AFTER = set("性面些般样致切直律起同体员型级类部门头")

# Invisible format characters (zero-width space/joiners, bidi marks, embeddings, overrides and
# isolates, word joiner, BOM, soft hyphen) may stand inside a figure: pasted from the web or put
# there to make a figure read differently. They are read through — the figure's text and offsets
# keep them, its number is parsed without them — so "5\u200b00" is 500, not 5 and 00. Bidi controls
# change only how a figure is displayed, not the order its digits are stored in.
INVISIBLE = "\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")
_Z = f"[{INVISIBLE}]*"
_ARABIC_RUN = re.compile(rf"(?<![\d.])(?<!\d,)(-?)(\d(?:{_Z}[\d,])*(?:{_Z}\.(?:{_Z}\d)+)*)")
_CN_RUN = re.compile(r"(?<!第)[零〇一二两三四五六七八九十百千万亿]+(?=[" + COUNT_UNITS + "亩])")
_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?")
_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})\s*(年度|年)")
_AFTER_BOUND = re.compile(r"\s*(?:\(含\)|（含）)?\s*(?:及|或)?(以上|以下|以内|之内|左右|上下)")
_BEFORE_MIN = ("≥", ">", "不低于", "不少于", "不小于", "至少", "高于", "大于", "超过", "不得低于", "不得少于")
_BEFORE_MAX = ("≤", "<", "不超过", "不高于", "不大于", "低于", "少于", "控制在", "不得超过", "以内")
_BEFORE_APPROX = ("约", "近", "接近", "大约")
_RANGE_SEP = re.compile(r"\s*(?:\(含\)|（含）)?\s*[-~至到]\s*")
_DOCNO_OPEN = "〔[【(（"
_CLAUSE_BREAK = re.compile(r"[，,。；;：:、\n\t（(]")


@dataclass(frozen=True)
class Figure:
    """A number as written, with its unit and where it stands."""

    start: int
    end: int
    text: str
    number: Decimal | None
    unit: str | None
    kind: str
    decimals: int = 0
    bound: str | None = None  # "min" (…以上) | "max" (…以下) | "approx" | "range"
    label: str = ""
    numeral: str = "arabic"  # "arabic" | "chinese" | "fullwidth"
    unit_written: str | None = None
    unit_inferred: bool = False
    table: int | None = None
    row: int | None = None
    col: int | None = None
    num_start: int = 0
    num_end: int = 0

    @property
    def value(self) -> float | None:
        return float(self.number) if self.number is not None else None

    @property
    def wan(self) -> Decimal | None:
        """Money normalised to 万元 (exact); None for other kinds."""
        if self.kind != "money" or self.number is None:
            return None
        return self.number * {"元": Decimal("0.0001"), "万元": Decimal(1), "亿元": Decimal(10000)}[self.unit]

    @property
    def normalized(self) -> tuple[float | None, str | None]:
        if self.kind == "money":
            wan = self.wan
            return (float(wan) if wan is not None else None), "万元"
        return self.value, self.unit

    def as_row(self) -> dict:
        norm_value, norm_unit = self.normalized
        return {"start": self.start, "end": self.end, "text": self.text, "value": self.value,
                "unit": self.unit, "kind": self.kind, "decimals": self.decimals,
                "normalized": norm_value, "norm_unit": norm_unit, "bound": self.bound or "",
                "label": self.label, "table": self.table, "row": self.row, "col": self.col}


def extract_figures(text: str, folded: str | None = None) -> list[Figure]:
    """Every figure of `text`, in order of position."""
    f = fold(text) if folded is None else folded
    figures: list[Figure] = []
    taken = bytearray(len(text))

    def claim(s: int, e: int) -> bool:
        if any(taken[s:e]):
            return False
        taken[s:e] = b"\x01" * (e - s)
        return True

    for m in _DATE.finditer(f):
        if claim(m.start(), m.end()):
            figures.append(Figure(m.start(), m.end(), text[m.start():m.end()], Decimal(m.group(1)), "年", "date",
                                  num_start=m.start(1), num_end=m.end(1)))
    for m in _YEAR.finditer(f):
        s = m.start(1)
        if s > 0 and f[s - 1] in _DOCNO_OPEN:
            claim(m.start(), m.end())
            continue
        if claim(m.start(), m.end()):
            figures.append(Figure(m.start(), m.end(), text[m.start():m.end()], Decimal(m.group(1)), "年", "year",
                                  num_start=m.start(1), num_end=m.end(1)))
    for m in _ARABIC_RUN.finditer(f):
        raw = m.group(2).rstrip(".,")
        s = m.start(2)
        e = s + len(raw)
        token = _INVISIBLE_RE.sub("", raw) if not raw.isascii() else raw
        if any(taken[s:e]):
            continue
        if (s > 0 and f[s - 1] in _DOCNO_OPEN and _looks_docno(f, e)) or f.startswith("号", e) \
                or (s > 0 and f[s - 1] in "〕]】"):
            continue
        number = parse_arabic(token)
        if number is not None and m.group(1) == "-" and _is_sign(f, m.start(1)):
            number, s = -number, m.start(1)
        fig = _with_unit(text, f, s, e, number, decimals_of(token) if number is not None else 0,
                         "fullwidth" if any("\uff10" <= ch <= "\uff19" for ch in text[s:e]) else "arabic")
        if fig is not None and claim(fig.start, fig.end):
            figures.append(fig)
    for m in _CN_RUN.finditer(f):
        s, e = m.start(), m.end()
        value = parse_chinese(m.group(0))
        if value is None or any(taken[s:e]):
            continue
        fig = _with_unit(text, f, s, e, Decimal(value), 0, "chinese")
        if fig is not None and fig.unit is not None and claim(fig.start, fig.end):
            figures.append(fig)
    figures.sort(key=lambda g: (g.start, g.end))
    return _mark_ranges(text, f, figures)


def _is_sign(f: str, pos: int) -> bool:
    return pos == 0 or not (f[pos - 1].isalnum() or f[pos - 1] in "%)")


def _looks_docno(f: str, end: int) -> bool:
    return end < len(f) and f[end] in "〕]】)）" or re.match(r"\d*号", f[end:end + 6]) is not None


def _with_unit(text: str, f: str, s: int, e: int, number: Decimal | None, decimals: int, numeral: str) -> Figure | None:
    pos = e
    while pos < len(f) and (f[pos] == " " or (f[pos] > "\x7f" and _INVISIBLE_RE.match(f, pos))):
        pos += 1
    unit = kind = written = None
    multiplier = Decimal(1)
    if number is not None and pos < len(f) and f[pos] in "万亿" and not f.startswith(("万元", "亿元"), pos):
        mult_char = f[pos]
        nxt = _UNIT_RE.match(f, pos + 1)
        if nxt and _UNITS[nxt.group(0)][0] in ("count", "area"):
            multiplier = Decimal(10000) if mult_char == "万" else Decimal(100000000)
            pos += 1
        else:
            unit, kind, written = ("万元" if mult_char == "万" else "亿元"), "money", mult_char
            pos += 1
    if unit is None:
        um = _UNIT_RE.match(f, pos)
        if um:
            cand = um.group(0)
            after = f[um.end():um.end() + 1]
            ok = True
            if cand == "分" and (after in _NOT_SCORE_AFTER or after == "钟"):
                ok = False
            if _UNITS[cand][0] == "count" and len(cand) == 1 and after in _NOT_COUNT_AFTER:
                ok = False
            if cand == "个" and f.startswith("个月", pos):
                cand = "个月"
            if ok:
                kind, unit = _UNITS[cand]
                written = cand
                pos += len(cand)
    if unit is None:
        pos = e
        kind = "number" if number is not None else "malformed"
    if number is None:
        kind = "malformed"
    elif multiplier != 1:
        number = number * multiplier
    end = pos
    bound = None
    am = _AFTER_BOUND.match(f, end)
    if am and unit is not None:
        bound = {"以上": "min", "以下": "max", "以内": "max", "之内": "max", "左右": "approx", "上下": "approx"}[am.group(1)]
    before = f[max(0, s - 5):s].rstrip()
    if bound is None:
        if before.endswith(_BEFORE_MIN):
            bound = "min"
        elif before.endswith(_BEFORE_MAX):
            bound = "max"
        elif before.endswith(_BEFORE_APPROX):
            bound = "approx"
    if bound is None and re.match(r"\s*[≤<]", f[e:e + 3]) and unit is None:
        bound = "min"
    return Figure(s, end, text[s:end], number, unit, kind, decimals, bound, _label(text, s), numeral, written,
                  num_start=s, num_end=e)


def _label(text: str, s: int, source: str | None = None) -> str:
    """The words before a figure, back to the clause break. text: folded text; source: the text it was
    folded from, whose inline pinyin folding blanked — those blanks are no gap between words."""
    lo = max(0, s - 30)
    if source is not None and " " in text[lo:s]:
        while lo > 0 and (blanked := sum(text[k] == " " and not source[k].isspace() for k in range(lo, s))) and s - lo < 30 + blanked:
            lo = max(0, s - 30 - blanked)
    window = text[lo:s]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    if breaks:
        lo += breaks[-1].end()
        window = text[lo:s]
    if source is not None and " " in window:
        window = "".join(ch for k, ch in enumerate(window, lo) if ch != " " or source[k].isspace())
    return window.strip()[-24:]


def _mark_ranges(text: str, f: str, figures: list[Figure]) -> list[Figure]:
    """'80-90分': both ends of a range are bounds, the first taking the second's unit."""
    out = list(figures)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        gap = f[a.end:b.start]
        if a.number is None or b.number is None or not _RANGE_SEP.fullmatch(gap) or a.kind in ("year", "date"):
            continue
        if a.unit is None or a.unit == b.unit:
            out[i] = replace(a, bound="range", unit=b.unit, kind=b.kind if a.unit is None else a.kind,
                             unit_inferred=a.unit is None)
            out[i + 1] = replace(b, bound="range")
    return out


def attach_table_cells(figures: list[Figure], tables) -> list[Figure]:
    """Tag figures that stand in table cells, and give unitless ones their column's unit."""
    if not tables:
        return figures
    cells = {}
    for t in tables:
        for row in t.rows:
            for cell in row:
                cells[(cell.start, cell.end)] = (t, cell)
    spans = sorted(cells)
    out = []
    import bisect
    starts = [s for s, _ in spans]
    for fig in figures:
        k = bisect.bisect_right(starts, fig.start) - 1
        if k >= 0 and spans[k][0] <= fig.start and fig.end <= spans[k][1]:
            t, cell = cells[spans[k]]
            if cell.row in t.ragged:  # cells missing in its row: which column it is would be a guess
                out.append(replace(fig, table=t.index, row=cell.row))
                continue
            unit, kind, inferred = fig.unit, fig.kind, False
            if fig.unit is None and fig.number is not None:
                unit, kind = _column_unit(t, cell.col)
                inferred = unit is not None
                if unit is None:
                    kind = fig.kind
            fig = replace(fig, table=t.index, row=cell.row, col=cell.col, unit=unit, kind=kind,
                          unit_inferred=inferred or fig.unit_inferred, label=t.header[cell.col] if cell.col < len(t.header) else fig.label)
        out.append(fig)
    return out


_MONEY_COL = re.compile(load("form_words.yaml")["column_kinds"]["money"])
_SCORE_COL = re.compile(load("form_words.yaml")["column_kinds"]["score"])
_RATE_COL = re.compile(r"率")


def _column_unit(table, col: int) -> tuple[str | None, str | None]:
    if col >= len(table.columns) or not table.has_header:
        return None, None
    name = table.columns[col]
    stated = table.frame.attrs.get("units", {}).get(name)
    if stated:
        return stated, _UNITS.get(stated, ("number", stated))[0]
    caption_unit = re.search(r"单位[:：]\s*(万元|元|亿元)", table.caption)
    if _SCORE_COL.search(name):
        return "分", "score"
    if _RATE_COL.search(name):
        return "%", "percent"
    if _MONEY_COL.search(name):
        return (caption_unit.group(1) if caption_unit else "万元"), "money"
    return None, None
