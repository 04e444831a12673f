"""The fast keying paths of passages (names masked without a regex, normalised lengths by prefix
sums) must give exactly what the plain regex paths give, on any text."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao import passages as P
from jixiao.report import parse_text

ALPHABET = "白沙镇县乡村甲乙，。 1２.、（）"
names = st.lists(st.text(alphabet="白沙镇县乡甲乙", min_size=2, max_size=4), max_size=5)


def _report(text: str):
    return parse_text(text, "t.txt")


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=ALPHABET, min_size=1, max_size=80), places=names, data=st.data())
def test_masker_equals_the_regex_on_every_span(text, places, data):
    report = _report(text)
    places = frozenset(places)
    mask = P._masker(report, places)
    n = len(report.folded)
    for _ in range(20):
        lo = data.draw(st.integers(0, n))
        hi = data.draw(st.integers(lo, n))
        assert mask(lo, hi) == P._mask_names(report, report.folded[lo:hi], places)


@settings(max_examples=100, deadline=None)
@given(text=st.text(min_size=0, max_size=60), data=st.data())
def test_kept_counts_what_normalising_keeps(text, data):
    report = _report(text)
    kept = P._kept(report)
    n = len(report.folded)
    lo = data.draw(st.integers(0, n))
    hi = data.draw(st.integers(lo, n))
    assert kept[hi] - kept[lo] == len(P._DROP.sub("", report.folded[lo:hi]))


def test_overlapping_names_take_the_leftmost_longest():
    report = _report("甲乙丙丁，乙丙丁戊。")
    mask = P._masker(report, frozenset({"乙丙", "甲乙", "乙丙丁戊"}))
    assert mask(0, len(report.folded)) == "某丙丁，某。"
    assert mask(1, 4) == "某丁"          # alone, the span starts with 乙丙
    assert mask(5, 8) == "某丁"          # 乙丙丁戊 does not fit: the shorter 乙丙 does
