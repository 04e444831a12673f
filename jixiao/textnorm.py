"""Same-length normalisation: fold full-width forms so patterns can be written once.

Every function here maps one character to one character, so an offset into the folded text is
an offset into the source text.
"""
from __future__ import annotations

_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
del _FOLD[0xFF0C]  # keep the full-width comma: folding it would make "12，345" look like a thousands separator
_FOLD.update({
    0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20, 0x202F: 0x20,
    0x2212: 0x2D, 0x2013: 0x2D, 0x2014: 0x2D,  # − – — read as minus/range dash
    0x2236: 0x3A,  # ∶
    0x2267: 0x2265, 0x2266: 0x2264,  # ≧ ≦
    0xFE5D: 0x3014, 0xFE5E: 0x3015,  # ﹝﹞ → 〔〕
})

CJK_DIGITS = "零〇一二两三四五六七八九十百千万亿"
BLANKS = " \t\u3000\xa0\r\n\ufeff"


def fold(text: str) -> str:
    """Full-width ASCII to half-width, odd spaces to space, ≧≦ to ≥≤; length preserved."""
    return text.translate(_FOLD)


def compact(text: str) -> str:
    """Text with all whitespace removed (for matching spaced-out headers like 产 出 指 标)."""
    return "".join(text.split())
