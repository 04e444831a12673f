"""Section and list numbering markers: 一、 （一） 1. 1、 (1) （1） ① 第一部分.

Recognised on folded text (full-width brackets and digits already half-width), so mixed
full/half-width markers share one style.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..read.numerals import parse_chinese

STYLE_LABELS = {
    "cn_di": "第一部分", "cn_dun": "一、", "cn_paren": "（一）", "ar_dot": "1.",
    "ar_dun": "1、", "ar_paren": "（1）", "circled": "①",
}
# Styles that may stand for one another at one level; switching between them is a B07 defect.
PARALLEL = {frozenset({"cn_paren", "ar_paren"}), frozenset({"cn_dun", "ar_dun"}),
            frozenset({"ar_dot", "ar_dun"}), frozenset({"cn_dun", "ar_dot"})}

_CN = "一二三四五六七八九十百"
_PATTERNS = [
    ("cn_di", re.compile(rf"第([{_CN}]{{1,4}})(?:部分|章|节)[、.:]?")),
    ("cn_paren", re.compile(rf"\(([{_CN}]{{1,4}})\)[、.:]?")),
    ("ar_paren", re.compile(r"\((\d{1,3})\)[、.:]?")),
    ("cn_dun", re.compile(rf"([{_CN}]{{1,4}})(?:、|\.(?!\d)|,(?=\S))")),
    ("ar_dun", re.compile(r"(\d{1,3})、")),
    ("ar_dot", re.compile(r"(\d{1,3})\.(?!%)(?!\d(?!\d{3}年))")),  # 1.2023年… is item 1
    ("circled", re.compile(r"([\u2460-\u2473])")),
]


@dataclass(frozen=True)
class Marker:
    style: str
    number: int
    start: int  # source offsets of the marker itself
    end: int

    @property
    def label(self) -> str:
        return STYLE_LABELS[self.style]


def match_marker(folded: str, pos: int, end: int) -> Marker | None:
    """A numbering marker at folded[pos:end]'s start, or None."""
    for style, pattern in _PATTERNS:
        m = pattern.match(folded, pos, end)
        if not m:
            continue
        token = m.group(1)
        if style == "circled":
            number = ord(token) - 0x2460 + 1
        elif style.startswith("cn"):
            number = parse_chinese(token)
        else:
            number = int(token)
        if not number or number > 200:
            continue
        rest = folded[m.end():end].lstrip()
        if style == "ar_dot" and rest[:1] in ("", "%"):
            continue
        return Marker(style, number, m.start(), m.end())
    return None


def parallel(a: str, b: str) -> bool:
    return frozenset({a, b}) in PARALLEL
