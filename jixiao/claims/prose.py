"""How the prose extractors read a figure: the quantity it measures (money in 万元, people, 户, 个,
length…), its value and written precision in that quantity's unit, and the words around it.

Two figures can stand in one sum or ratio only when they measure the same quantity: 个 and 人 are
not summed, 3家合作社 is not 3 people.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from .context import Facts, words

_PERSON = {"人", "名"}
_MONEY_SHIFT = {"元": 4, "万元": 0, "亿元": -4}


@lru_cache(maxsize=1)
def pw() -> dict:
    """The prose word lists of arithmetic_words.yaml, compiled."""
    w = dict(words())
    for key in ("comparison", "per_unit", "total_opening", "total_words", "hierarchy", "ordinal_part", "share",
                "previous_period", "growth_rate", "decrease", "name_list_cue", "remainder", "post_title"):
        w[key] = re.compile(w[key])
    return w


@dataclass(frozen=True)
class Quantity:
    index: int
    cls: tuple[str, str]
    value: Decimal
    decimals: int     # written precision in the class unit (元 written to 2 decimals is 6 in 万元)
    start: int
    end: int


def quantity(facts: Facts, i: int) -> Quantity | None:
    """Figure i as a quantity that sums with others of its class, or None (rates, years, bounds…)."""
    f = facts.figures[i]
    if f.number is None or f.bound is not None:
        return None
    if f.kind == "money":
        value = facts.wan(i)
        if value is None:
            return None
        shift = 0 if i in facts.unit_suspects else _MONEY_SHIFT.get(f.unit, 0)
        return Quantity(i, ("money", "万元"), value, f.decimals + shift, f.start, f.end)
    if f.kind == "count":
        cls = ("count", "person" if f.unit in _PERSON else f.unit)
        return Quantity(i, cls, f.number, f.decimals, f.start, f.end)
    if f.kind in ("area", "volume", "length", "weight"):
        return Quantity(i, (f.kind, f.unit), f.number, f.decimals, f.start, f.end)
    if f.kind == "number":
        raw = facts.text[f.end:f.end + 4]
        after = raw.lstrip(" ")
        at = f.end + len(raw) - len(after)
        w = pw()
        for latin, unit in w["latin_length"].items():
            if after.lower().startswith(latin) and not after[len(latin):len(latin) + 1].isalpha():
                return Quantity(i, ("length", unit), f.number, f.decimals, f.start, at + len(latin))
        if after[:1] and after[0] in w["extra_count_units"]:
            return Quantity(i, ("count", after[0]), f.number, f.decimals, f.start, at + 1)
    return None


def label(facts: Facts, i: int) -> str:
    return facts.figures[i].label


def is_comparison(facts: Facts, i: int) -> bool:
    return bool(pw()["comparison"].search(label(facts, i)))


def is_per_unit(facts: Facts, i: int) -> bool:
    f = facts.figures[i]
    return f.kind == "unit_price" or bool(pw()["per_unit"].search(f.label)) \
        or facts.text[f.end:f.end + 1] in ("/", "／")


def names_total(facts: Facts, i: int) -> bool:
    return bool(pw()["total_words"].search(label(facts, i)))




def paragraph_figures(facts: Facts) -> dict[int, list[int]]:
    """Figures of each text paragraph (not table cells), in order; paragraphs holding more figures than
    any prose does are left out, so the relation extractors stay linear on pathological input."""
    return facts.prose_paragraph_figures


def sentence_of_offset(facts: Facts, offset: int):
    for s in facts.sentences:
        if s.start <= offset < s.end:
            return s
    return None


def open_brackets(text: str) -> int:
    return text.count("（") + text.count("(") - text.count("）") - text.count(")")
