"""Passages of a report for text comparison: sentences keyed by their normalised text.

The key drops what differs between copies without changing what they say: whitespace,
full/half width, a leading list number, the closing punctuation. `masked` also replaces every
run of digits, so that templated sentences that differ only in their figures compare equal.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

from ..model.report import Report
from ..read.textnorm import fold

_LEAD = re.compile(r"\s*(?:[(（]?[一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十\d]{1,3}[、.．]|[①-⑳])\s*[、.．]?\s*")
_DROP = re.compile(r"[\s\u3000，,。.；;：:、！!？?“”\"'‘’（）()《》〈〉【】\[\]…—\-·]")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")

_CLAUSE = re.compile(r"[，,。；;：:！!？?\n]")

MIN_CHARS = 15


@dataclass(frozen=True)
class Passage:
    start: int  # source span, the leading list number excluded
    end: int
    key: str
    masked: str
    paragraph: int
    sentence: int


def normalise(text: str) -> str:
    return _DROP.sub("", fold(text))


def _prose_paragraphs(report: Report) -> set[int]:
    """Paragraphs with sentence punctuation: titles, headings and signature lines are not prose."""
    cache = report.derived
    if "_prose" not in cache:
        cache["_prose"] = {p.index for p in report.paragraphs if _CLAUSE.search(p.text)}
    return cache["_prose"]


def passages(report: Report, min_chars: int = MIN_CHARS, places: frozenset[str] = frozenset()) -> list[Passage]:
    """Prose sentences of at least min_chars normalised characters (computed once per report).

    `places`: other towns' names, masked in the keys like the report's own (see own_names)."""
    cache = report.derived.setdefault("_passages", {})
    if (min_chars, places) not in cache:
        cache[(min_chars, places)] = _passages(report, min_chars, places)
    return cache[(min_chars, places)]


def _passages(report: Report, min_chars: int, places: frozenset[str] = frozenset()) -> list[Passage]:
    out = []
    prose = _prose_paragraphs(report)
    plain = _pinyin_free(report)  # then normalising a span of the text is dropping from the folded span
    kept, mask = _kept(report), _masker(report, places)
    dropped, names = _dropped_text(report), _name_starts(report, places)
    digits = _digit_counts(report)
    for s in report.sentences:
        if s.paragraph not in prose:
            continue
        raw = report.text[s.start:s.end]
        lead = _LEAD.match(raw)
        start = s.start + (lead.end() if lead else 0)
        while start < s.end and report.text[start] in " \t\u3000":
            start += 1
        end = s.end
        if plain:
            if kept[end] - kept[start] < min_chars:
                continue
            key = dropped[kept[start]:kept[end]]
        else:
            key = normalise(report.text[start:end])
            if len(key) < min_chars:
                continue
        k = bisect_left(names, start)
        if k == len(names) or names[k] >= end:  # no place name in the span: nothing to mask
            masked = dropped[kept[start]:kept[end]]
            if digits[kept[end]] > digits[kept[start]]:
                masked = _DIGITS.sub("0", masked)
        else:
            masked = _DIGITS.sub("0", _DROP.sub("", mask(start, end)))
        out.append(Passage(start, end, key, masked, s.paragraph, s.index))
    return out


@dataclass(frozen=True)
class Clause:
    """A clause (or a run of short clauses) of a sentence: the unit compared across reports."""

    start: int
    end: int
    key: str


def clauses(report: Report, min_chars: int = 8, places: frozenset[str] = frozenset()) -> list[Clause]:
    """Clauses of the prose sentences, short ones joined to a neighbour, each at least min_chars long.

    The key has digits masked, so a clause copied with its figures updated still matches.
    """
    cache = report.derived.setdefault("_clauses", {})
    if (min_chars, places) not in cache:
        cache[(min_chars, places)] = _clauses(report, min_chars, places)
    return cache[(min_chars, places)]


def _clauses(report: Report, min_chars: int, places: frozenset[str] = frozenset()) -> list[Clause]:
    key = _clause_keyer(report, places)
    return [Clause(begin, end, key(begin, end)) for begin, end in clause_spans(report, min_chars)]


def clause_spans(report: Report, min_chars: int = 8) -> list[tuple[int, int]]:
    """Where the clauses of the prose sentences are: split at clause punctuation, a clause shorter
    than min_chars normalised characters joined to the next, a short tail to the sentence's last
    clause, a leading list number left out. Sorted and disjoint."""
    cache = report.derived.setdefault("_clause_spans", {})
    if min_chars not in cache:
        cache[min_chars] = _clause_spans(report, min_chars)
    return cache[min_chars]


def _clause_spans(report: Report, min_chars: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    text, folded = report.text, report.folded
    prose = _prose_paragraphs(report)
    kept = _kept(report)
    lead_match, finditer = _LEAD.match, _CLAUSE.finditer
    for s in report.sentences:
        if s.paragraph not in prose:
            continue
        bounds = [m.end() for m in finditer(text, s.start, s.end)]
        if not bounds or bounds[-1] != s.end:
            bounds.append(s.end)
        first = len(out)
        start = s.start
        for end in bounds:
            if kept[end] - kept[start] < min_chars:
                continue  # too short alone: it joins the next clause
            lead = lead_match(folded, start, end)
            out.append((lead.end() if lead else start, end))
            start = end
        if start < s.end and len(out) > first:  # a short tail joins the sentence's last clause
            out[-1] = (out[-1][0], s.end)
    return out


def _clause_keyer(report: Report, places: frozenset[str]):
    """key(lo, hi): the clause key of text[lo:hi] (clause_key of the span with names masked)."""
    kept, mask = _kept(report), _masker(report, places)
    dropped, names = _dropped_text(report), _name_starts(report, places)
    digits = _digit_counts(report)

    def key(lo: int, hi: int) -> str:
        k = bisect_left(names, lo)
        if k == len(names) or names[k] >= hi:  # no place name in the span: the normalised text is a slice
            a, b = kept[lo], kept[hi]
            return _mask_digits(dropped[a:b]) if digits[b] > digits[a] else dropped[a:b]
        return clause_key(mask(lo, hi), folded=True)

    return key


def clause_codes(report: Report, min_chars: int = 8, places: frozenset[str] = frozenset()) \
        -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every clause's span and key, for the whole report in a few numpy passes instead of a string
    per clause: (spans (n, 2) int64, key code points concatenated (uint64), key lengths (int64)).
    The keys are those clauses() gives (a property test holds them equal): the folded text without
    the dropped characters, each run of digits one "0" where MASK_MIN_WORDS other characters remain.
    A clause holding a place name to mask, or a character beyond the basic plane, is keyed as
    clauses() keys it."""
    spans = np.array(clause_spans(report, min_chars), dtype=np.int64).reshape(-1, 2)
    n = len(spans)
    kept = _kept_array(report)
    a, b = kept[spans[:, 0]], kept[spans[:, 1]]
    codes = _dropped_codes(report)
    digit = _digit_table()[np.minimum(codes, 0x10000)]
    names = np.asarray(_name_starts(report, places), dtype=np.int64)
    at = np.searchsorted(names, spans[:, 0])
    slow = (at < len(names)) & (names[np.minimum(at, len(names) - 1)] < spans[:, 1]) if len(names) else np.zeros(n, bool)
    wide = np.flatnonzero(codes > 0xFFFF)
    if len(wide):
        k = np.searchsorted(wide, a)
        slow |= (k < len(wide)) & (wide[np.minimum(k, len(wide) - 1)] < b)
    width = b - a
    owner = np.repeat(np.arange(n), width)
    first = np.repeat(np.cumsum(width) - width, width)
    pos = np.repeat(a, width) + (np.arange(len(owner)) - first)
    d = digit[pos]
    run_start = d & ((np.arange(len(pos)) == first) | ~digit[np.maximum(pos - 1, 0)])
    ends = np.cumsum(width)
    counted = np.concatenate([[0], np.cumsum(d)])
    digits = counted[ends] - counted[ends - width]
    masked = (digits > 0) & (width - digits >= MASK_MIN_WORDS)
    masked_here = masked[owner]
    keep = ~(masked_here & d & ~run_start) & ~slow[owner]
    out = np.where(masked_here & d, np.uint64(48), codes[pos].astype(np.uint64))[keep]
    lengths = np.bincount(owner[keep], minlength=n).astype(np.int64)
    if slow.any():
        key = _clause_keyer(report, places)
        slow_keys = {i: key(int(spans[i, 0]), int(spans[i, 1])) for i in np.flatnonzero(slow).tolist()}
        pieces, cursor, offsets = [], 0, np.concatenate([[0], np.cumsum(lengths)])
        for i, k in slow_keys.items():
            pieces += [out[offsets[cursor]:offsets[i]], _codes(k)]
            lengths[i] = len(k)
            cursor = i + 1
        pieces.append(out[offsets[cursor]:])
        out = np.concatenate(pieces)
    return spans, out, lengths


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)


MASK_MIN_WORDS = 15


def place_names(*names: str | None) -> set[str]:
    """Names to mask for these places: each name and, for a town or county, its stem."""
    out = {n for n in names if n and len(n) >= 2}
    out |= {n[:-1] for n in names if n and len(n) >= 3 and n[-1] in "镇乡县区市"}
    return out


def own_names(report: Report, places: frozenset[str] = frozenset()) -> re.Pattern | None:
    """The report's own place names and `places`, longest first: masked in keys, so that a sentence
    copied from another town with only the name changed, or with the other town's name left in,
    still matches."""
    cache = report.derived.setdefault("_own_names", {})
    if places not in cache:
        m = report.meta
        names = place_names(m.unit, m.town, m.county, m.city) | set(places)
        names = sorted({fold(n) for n in names}, key=len, reverse=True)
        cache[places] = re.compile("|".join(map(re.escape, names))) if names else None
    return cache[places]


def _mask_names(report: Report, folded: str, places: frozenset[str] = frozenset()) -> str:
    pattern = own_names(report, places)
    return pattern.sub("某", folded) if pattern is not None else folded


def _kept(report: Report) -> list[int]:
    """kept[i]: the characters of folded[:i] that normalising keeps (not in _DROP), so that the
    normalised length of any span is a subtraction. _DROP is one character class: each distinct
    character of the report is tested once."""
    cache = report.derived
    if "_kept" not in cache:
        cache["_kept"] = _kept_array(report).tolist()
    return cache["_kept"]


def _kept_array(report: Report) -> np.ndarray:
    """_kept as an array, for the keying of many spans at once."""
    cache = report.derived
    if "_kept_array" not in cache:
        codes = np.frombuffer(report.folded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        keep = ~_dropped()[np.minimum(codes, 0x10000)]
        cache["_kept_array"] = np.concatenate([[0], np.cumsum(keep, dtype=np.int64)])
    return cache["_kept_array"]


def normalised_lengths(report: Report):
    """length(lo, hi) == len(normalise(report.text[lo:hi])), by prefix sums when the report holds no
    inline pinyin (folding a part of the text is then the part of the folded text)."""
    if _pinyin_free(report):
        kept = _kept(report)
        return lambda lo, hi: kept[hi] - kept[lo]
    return lambda lo, hi: len(normalise(report.text[lo:hi]))


def _pinyin_free(report: Report) -> bool:
    """Did folding blank no inline pinyin? Then fold(text[lo:hi]) == folded[lo:hi]. Pinyin starts
    with a bracket, which only folding's pinyin step turns into a blank."""
    cache = report.derived
    if "_pinyin_free" not in cache:
        text, folded = report.text, report.folded
        free = len(text) == len(folded)
        for bracket in "(（":
            at = text.find(bracket)
            while free and at >= 0:
                free = folded[at] != " "
                at = text.find(bracket, at + 1)
        cache["_pinyin_free"] = free
    return cache["_pinyin_free"]


_DROPPED: list[np.ndarray] = []


def _dropped() -> np.ndarray:
    """dropped[c]: does _DROP match chr(c)? For the basic multilingual plane, found by running
    _DROP once over all its characters; the last entry stands for every character beyond it."""
    if not _DROPPED:
        table = np.zeros(0x10001, dtype=bool)
        plane = "".join(map(chr, range(0x10000)))
        table[[m.start() for m in _DROP.finditer(plane)]] = True
        table[0x10000] = bool(_DROP.fullmatch("\U0001F600"))
        _DROPPED.append(table)
    return _DROPPED[0]


def _dropped_text(report: Report) -> str:
    """The folded text without the characters _DROP removes: _DROP.sub("", folded[lo:hi]) is
    dropped[kept[lo]:kept[hi]], a slice instead of a regex run per clause."""
    cache = report.derived
    if "_dropped_text" not in cache:
        cache["_dropped_text"] = _dropped_codes(report).tobytes().decode("utf-32-le", "surrogatepass")
    return cache["_dropped_text"]


def _dropped_codes(report: Report) -> np.ndarray:
    """The code points of _dropped_text (uint32)."""
    cache = report.derived
    if "_dropped_codes" not in cache:
        codes = np.frombuffer(report.folded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        cache["_dropped_codes"] = codes[~_dropped()[np.minimum(codes, 0x10000)]]
    return cache["_dropped_codes"]


def _digit_counts(report: Report) -> list[int]:
    """digits[i]: the characters of dropped[:i] that may be digits (all of _DIGITS' \\d in the
    basic plane, and any character beyond it): a span with none needs no digit masking."""
    cache = report.derived
    if "_digit_counts" not in cache:
        codes = _dropped_codes(report)
        cache["_digit_counts"] = np.concatenate([[0], np.cumsum(_digit_table()[np.minimum(codes, 0x10000)])]).tolist()
    return cache["_digit_counts"]


_DIGIT_TABLE: list[np.ndarray] = []


def _digit_table() -> np.ndarray:
    """table[c]: does \\d match chr(c)? For the basic plane; the last entry (any character beyond
    it) says it may."""
    if not _DIGIT_TABLE:
        table = np.zeros(0x10001, dtype=bool)
        table[[m.start() for m in re.finditer(r"\d", "".join(map(chr, range(0x10000))))]] = True
        table[0x10000] = True
        _DIGIT_TABLE.append(table)
    return _DIGIT_TABLE[0]


def _name_starts(report: Report, places: frozenset[str] = frozenset()) -> list[int]:
    """Where the names _masker masks occur in the folded text, sorted (a span with none of them
    is not changed by masking)."""
    _masker(report, places)
    return report.derived["_name_starts"][places]


def _masker(report: Report, places: frozenset[str] = frozenset()):
    """mask(lo, hi) == _mask_names(report, report.folded[lo:hi], places), without a regex: every
    occurrence of every name in the report is found once (str.find); a span then takes, from left
    to right, the longest name starting at the leftmost position that fits in the span — what the
    alternation of names, longest first, matches when run on the span alone."""
    cache = report.derived.setdefault("_maskers", {})
    if places not in cache:
        m = report.meta
        folded = report.folded
        names = {fold(n) for n in place_names(m.unit, m.town, m.county, m.city) | set(places)}
        found = []
        for name in names:
            at = folded.find(name)
            while at >= 0:
                found.append((at, -len(name)))
                at = folded.find(name, at + 1)
        found.sort()
        starts = [at for at, _ in found]
        report.derived.setdefault("_name_starts", {})[places] = starts
        ends = [at - neg for at, neg in found]

        def mask(lo: int, hi: int) -> str:
            k = bisect_left(starts, lo)
            if k == len(starts) or starts[k] >= hi:
                return folded[lo:hi]
            parts, cursor = [], lo
            for k in range(k, len(starts)):
                at = starts[k]
                if at >= hi:
                    break
                if at >= cursor and ends[k] <= hi:
                    parts += (folded[cursor:at], "某")
                    cursor = ends[k]
            parts.append(folded[cursor:hi])
            return "".join(parts)

        cache[places] = mask
    return cache[places]


def clause_key(raw: str, folded: bool = False) -> str:
    """A clause's key: digits masked when enough words remain to make the clause distinctive.

    "报废处置老旧电脑、打印机等资产17项，均按程序报县财政局审批" copied with 9 for 17 still matches;
    "年初预算1486.20万元" is a formula of the genre: it matches only with the same figure.
    """
    return _mask_digits(_DROP.sub("", raw) if folded else normalise(raw))


def _mask_digits(key: str) -> str:
    masked = _DIGITS.sub("0", key)
    return masked if len(masked) - masked.count("0") >= MASK_MIN_WORDS else key


def shingles(key: str, n: int = 3) -> set[str]:
    return {key[i:i + n] for i in range(max(1, len(key) - n + 1))}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0
