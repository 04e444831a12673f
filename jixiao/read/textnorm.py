"""Same-length normalisation: fold full-width forms and traditional characters so patterns can be
written once, in simplified Chinese and half-width ASCII.

Every function here keeps the text's length: one character maps to one character (inline pinyin
becomes blanks of the same length), so an offset into the folded text is an offset into the source.
"""
from __future__ import annotations

import re
from functools import lru_cache

_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
del _WIDTH[0xFF0C]  # keep the full-width comma: folding it would make "12，345" look like a thousands separator
_WIDTH.update({
    0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20, 0x202F: 0x20,
    0x2212: 0x2D, 0x2013: 0x2D, 0x2014: 0x2D,  # − – — read as minus/range dash
    0x2236: 0x3A,  # ∶
    0x2267: 0x2265, 0x2266: 0x2264,  # ≧ ≦
    0xFE5D: 0x3014, 0xFE5E: 0x3015,  # ﹝﹞ → 〔〕
})

# Traditional characters that GB2312 also holds (so simplified text may use them as they are, as in
# 乾坤 or a surname) are kept, except these, which simplified text writes only in traditional phrases.
_TRADITIONAL_ALSO_IN_GB2312 = "後於徵"
_CJK_BLOCKS = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))

# Inline pinyin of traditional-character mirror sites: 項(xiàng)目 — a tone-marked syllable in brackets
# right after a Chinese character.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
PINYIN = re.compile(rf"(?<=[\u3400-\u9fff])[(（](?=[a-zü{_TONED}]{{1,6}}[)）])[a-zü]*[{_TONED}][a-zü]*[)）]")

CJK_DIGITS = "零〇一二两三四五六七八九十百千万亿"
BLANKS = " \t\u3000\xa0\r\n\ufeff"


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, int]:
    """Width folding plus every traditional character that the converter maps to one simplified one."""
    import opencc

    convert = opencc.OpenCC("t2s").convert
    table = dict(_WIDTH)
    for lo, hi in _CJK_BLOCKS:
        for cp in range(lo, hi):
            ch = chr(cp)
            simple = convert(ch)
            if len(simple) != 1 or simple == ch:
                continue
            if ch not in _TRADITIONAL_ALSO_IN_GB2312:
                try:
                    ch.encode("gb2312")
                    continue
                except UnicodeEncodeError:
                    pass
            table[cp] = ord(simple)
    return table


def fold(text: str) -> str:
    """Full-width ASCII to half-width, odd spaces to space, ≧≦ to ≥≤, traditional to simplified
    characters, inline pinyin to blanks; length preserved."""
    out = text.translate(_fold_table())
    if "(" in out and PINYIN.search(out):
        out = PINYIN.sub(lambda m: " " * len(m.group(0)), out)
    return out


def fold_width(text: str) -> str:
    """Only the width folding of `fold` (full-width ASCII, odd spaces, ≧≦); length preserved."""
    return text.translate(_WIDTH)


def compact(text: str) -> str:
    """Text with all whitespace removed (for matching spaced-out headers like 产 出 指 标)."""
    return "".join(text.split())
