"""Numbers as written in reports: Arabic with separators, Chinese numerals, markers."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

_ARABIC = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def parse_arabic(token: str) -> Decimal | None:
    """'1,867.48' -> Decimal('1867.48'); None when the token is not one well-formed number."""
    token = token.strip()
    if not _ARABIC.fullmatch(token):
        return None
    try:
        return Decimal(token.replace(",", ""))
    except InvalidOperation:
        return None


@lru_cache(maxsize=4096)
def parse_chinese(token: str) -> int | None:
    """'四百一十二' -> 412, '两' -> 2, '二〇二三' -> 2023; None when not a numeral."""
    if not token:
        return None
    import cn2an  # loaded on first use: its tables take a tenth of a second to import

    try:
        value = cn2an.cn2an(token, "normal")
    except (ValueError, KeyError, IndexError, TypeError):
        try:
            value = cn2an.cn2an(token, "smart")
        except Exception:
            return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


def decimals_of(token: str) -> int:
    """How many decimals a written number has: its stated precision."""
    return len(token.split(".", 1)[1]) if "." in token else 0
