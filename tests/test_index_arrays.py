"""The reuse index's numpy parts: clause keys as 64-bit hashes and postings built by sorting must
give what the strings and a dict of postings lists gave."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.reuse.index import MAX_SOURCES, IndexedReport, _Tables, key_hashes

_CHARS = st.sampled_from(list("预算执行率项目资金绩效目标完成情况良好群众满意度0１a，\U0001F600"))
_KEYS = st.text(_CHARS, min_size=0, max_size=40)


@given(st.lists(_KEYS, max_size=30))
def test_hashes_of_a_batch_equal_one_at_a_time_and_follow_the_strings(keys):
    together = key_hashes(keys)
    assert together.dtype == np.uint64 and len(together) == len(keys)
    assert together.tolist() == [int(key_hashes([k])[0]) for k in keys]
    for a, ha in zip(keys, together.tolist()):
        for b, hb in zip(keys, together.tolist()):
            assert (ha == hb) == (a == b)


@given(_KEYS, _KEYS.filter(len))
def test_where_a_batch_splits_its_strings_changes_the_hashes(a, b):
    """Strings are hashed over their concatenation: moving a character across the boundary
    between two strings gives other hashes."""
    assert key_hashes([a + b[:1], b[1:]]).tolist() != key_hashes([a, b]).tolist()


def test_hash_is_the_documented_polynomial():
    """A plain-Python restatement of key_hashes: polynomial over (code + 1) modulo 2**64, base
    0x9E3779B97F4A7C15, the length mixed in, splitmix64's finaliser."""
    def reference(key: str) -> int:
        mask = (1 << 64) - 1
        h = 0
        for ch in key:
            h = (h * 0x9E3779B97F4A7C15 + ord(ch) + 1) & mask
        z = h ^ ((len(key) * 0xD6E8FEB86659FD93) & mask)
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        return z ^ (z >> 31)
    keys = ["", "a", "年初预算0万元", "完成率0" * 40, "\U0001F600好"]
    assert key_hashes(keys).tolist() == [reference(k) for k in keys]


def _entries(reports: list[list[int]]) -> list[IndexedReport]:
    out = []
    for number, keys in enumerate(reports):
        rows = np.array([(10 * j, 10 * j + 5 + number, 5) for j in range(len(keys))], dtype=np.int64).reshape(-1, 3)
        entry = IndexedReport(f"r{number}", f"n{number}", "", None, None, rows, np.array(keys, dtype=np.uint64),
                              [(0, 1, "x")] * (number % 3))
        entry.number = number
        out.append(entry)
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 6), max_size=12), min_size=1, max_size=3 * MAX_SOURCES),
       st.lists(st.integers(0, 8), max_size=12), st.lists(st.integers(-1, 3 * MAX_SOURCES), min_size=1, max_size=3))
def test_postings_by_sorting_give_what_a_dict_of_lists_gave(reports, query, owns):
    """As the index kept them before: postings[key] lists (report, first clause with the key) in
    the order reports were added; a clause's sources are the first MAX_SOURCES other reports. Several
    searches in a row (the dicts of crowded clauses are shared between them)."""
    postings: dict[int, list[tuple[int, int]]] = {}
    for number, keys in enumerate(reports):
        for j, key in enumerate(keys):
            if all(r != number for r, _ in postings.get(key, [])):
                postings.setdefault(key, []).append((number, j))
    tables = _Tables(_entries(reports))
    for own in owns + owns[::-1]:
        expected = [dict([(r, (10 * j, 10 * j + 5 + r)) for r, j in postings.get(key, []) if r != own][:MAX_SOURCES])
                    for key in query]
        got = tables.sources(np.array(query, dtype=np.uint64), np.full(len(query), own))
        assert got == expected
        assert [list(d) for d in got] == [list(d) for d in expected]       # the same order
    mixed = [owns[i % len(owns)] for i in range(len(query))]     # many reports searched at once
    expected = [dict([(r, (10 * j, 10 * j + 5 + r)) for r, j in postings.get(key, []) if r != own][:MAX_SOURCES])
                for key, own in zip(query, mixed)]
    assert tables.sources(np.array(query, dtype=np.uint64), np.array(mixed, dtype=np.int64)) == expected
    assert len(tables.keys) == len({k for keys in reports for k in keys})
    assert tables.sentence_report.tolist() == [n for n in range(len(reports)) for _ in range(n % 3)]
    assert tables.first_sentence.tolist() == np.cumsum([0] + [n % 3 for n in range(len(reports))])[:-1].tolist()


def test_a_saved_index_with_signatures_beyond_32_bits_is_refused(tmp_path):
    """Signatures are 32-bit values held as such in memory; a file claiming more is not ours."""
    import json
    import struct

    import pytest

    from jixiao.errors import JixiaoError
    from jixiao.model.report import parse_text
    from jixiao.reuse.index import INDEX_MAGIC, ReuseIndex

    index = ReuseIndex()
    index.add(parse_text("白沙镇2023年项目资金到位率达到百分之百，群众满意度较高。\n资金按时拨付到项目单位，未发现挤占挪用。", "a.txt"))
    path = tmp_path / "i.bin"
    index.save(path)
    assert len(ReuseIndex.load(path).bands) == len(index.bands) > 0
    data = bytearray(path.read_bytes())
    start = len(INDEX_MAGIC)
    (size,) = struct.unpack_from("<Q", data, start)
    spec = json.loads(data[start + 8:start + 8 + size])["arrays"]["signatures"]
    data[start + 8 + size + spec["offset"] + 7] = 1          # the high byte of the first value
    path.write_bytes(bytes(data))
    with pytest.raises(JixiaoError, match="not a readable reuse index"):
        ReuseIndex.load(path)
