"""The fast keying paths of passages (names masked without a regex, normalised lengths by prefix
sums) must give exactly what the plain regex paths give, on any text."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.reuse import passages as P
from jixiao.model.report import parse_text

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


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet="項目资金（xiàng）(mù)，。 １2.a", min_size=0, max_size=60), data=st.data())
def test_normalised_length_equals_normalising_the_span(text, data):
    report = _report(text)
    n = len(report.text)
    for _ in range(10):
        lo = data.draw(st.integers(0, n))
        hi = data.draw(st.integers(lo, n))
        assert P.normalised_lengths(report)(lo, hi) == len(P.normalise(report.text[lo:hi]))


@settings(max_examples=100, deadline=None)
@given(body=st.lists(st.text(alphabet="項目资金（xiàng），。 １2.甲乙村٣\U0001D7D9", min_size=1, max_size=30), min_size=1, max_size=6),
       places=names)
def test_passages_and_clauses_key_as_the_plain_regex_path(body, places):
    """Keys made the plain way: fold each span, mask the names with the regex, normalise."""
    report = _report("。\n".join(body) + "。")
    places = frozenset(places)
    for p in P.passages(report, 3, places):
        assert p.key == P.normalise(report.text[p.start:p.end])
        assert p.masked == P._DIGITS.sub("0", P._DROP.sub("", P._mask_names(report, report.folded[p.start:p.end], places)))
    for c in P.clauses(report, 3, places):
        assert c.key == P.clause_key(P._mask_names(report, report.folded[c.start:c.end], places), folded=True)


def test_pinyin_is_seen_and_then_spans_are_normalised_the_plain_way():
    report = _report("项(xiàng)目资金（zī）到位，完成(一)项。")
    assert not P._pinyin_free(report) and P._pinyin_free(_report("项目（一）资金到位，完成(2)项。"))
    n = len(report.text)
    assert all(P.normalised_lengths(report)(lo, hi) == len(P.normalise(report.text[lo:hi]))
               for lo in range(n) for hi in range(lo, n + 1))


@settings(max_examples=150, deadline=None)
@given(body=st.lists(st.text(alphabet="項目资金白沙镇（xiàng），。 １2034.甲乙村٣\U0001D7D9", min_size=1, max_size=40),
                     min_size=1, max_size=6),
       places=names, min_chars=st.integers(1, 10))
def test_clause_codes_hash_as_the_clause_keys(body, places, min_chars):
    """The index keys clauses in numpy (clause_codes, code_hashes): the same spans, key lengths and
    hashes as clauses()' key strings, whatever digits, names to mask and wide characters hold."""
    from jixiao.reuse.index import code_hashes, key_hashes

    report = _report("。\n".join(body) + "。")
    places = frozenset(places)
    found = P.clauses(report, min_chars, places)
    spans, codes, lengths = P.clause_codes(report, min_chars, places)
    assert [(a, b) for a, b in spans.tolist()] == [(c.start, c.end) for c in found]
    assert lengths.tolist() == [len(c.key) for c in found]
    assert code_hashes(codes, lengths).tolist() == key_hashes([c.key for c in found]).tolist()


def test_clause_codes_mask_digits_from_exactly_mask_min_words_on():
    from jixiao.reuse.index import code_hashes, key_hashes

    for words in range(P.MASK_MIN_WORDS - 6, P.MASK_MIN_WORDS):
        report = _report("项目" + "资" * (words - 2) + "12.5与07，其后。")
        found = P.clauses(report, 8)
        spans, codes, lengths = P.clause_codes(report, 8)
        assert ("0" in found[0].key and "1" not in found[0].key) == (words + 3 >= P.MASK_MIN_WORDS)  # 与 and the joined tail 其后 are words too
        assert code_hashes(codes, lengths).tolist() == key_hashes([c.key for c in found]).tolist()
