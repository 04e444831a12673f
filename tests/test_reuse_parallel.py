"""The reuse index at scale: forked keying and search, numpy LSH bands, stored keys reused —
each must give exactly what the serial, one-by-one path gives."""
from __future__ import annotations

import sys
from dataclasses import asdict

import numpy as np
import pytest

from jixiao.model.report import parse_text
from jixiao.reuse.index import MAX_CANDIDATES, NUM_PERM, THRESHOLD, ReuseIndex, _Bands, signatures

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import corpus  # noqa: E402

N = 120  # enough for add_many to split the keying between two processes (50 reports each at least)


@pytest.fixture(scope="module")
def texts():
    return corpus.generate(N, seed=7)


def _parse(texts):
    return [parse_text(text, name) for name, text in texts]


def _plain(results):
    return [[asdict(run) for run in runs] for runs in results]


def test_parallel_keying_and_search_equal_serial(texts, tmp_path):
    serial = ReuseIndex()
    serial.add_many(_parse(texts), jobs=1)
    parallel = ReuseIndex()
    parallel.add_many(_parse(texts), jobs=2)
    serial.save(tmp_path / "serial.idx")
    parallel.save(tmp_path / "parallel.idx")
    assert (tmp_path / "serial.idx").read_bytes() == (tmp_path / "parallel.idx").read_bytes()

    reports = _parse(texts)
    one_by_one = [serial.reuse(r) for r in reports]
    assert sum(map(len, one_by_one)) > N // 2, "the generated corpus copies passages: reuse must be found"
    assert {run.kind for runs in one_by_one for run in runs} >= {"copied", "stock"}
    assert _plain(parallel.reuse_many(reports, jobs=2)) == _plain(one_by_one)
    # a loaded index keys every report again (it does not know how they were keyed): the same runs
    loaded = ReuseIndex.load(tmp_path / "parallel.idx")
    assert _plain(loaded.reuse_many(_parse(texts), jobs=2)) == _plain(one_by_one)


def test_stored_keys_are_not_used_when_a_new_town_of_the_county_occurs_in_the_text(texts, tmp_path):
    """A report added later adds its town to the county's masked names: an earlier report that
    mentions that town must be keyed again for the search, not searched with its first keys."""
    texts = list(texts[:60])
    name, text = texts[0]
    head = text.split("\n")[0]
    county = head[:head.index(name.split("_")[1])]
    later = next(j for j in range(30, 60) if texts[j][1].startswith(county))  # a later report of its county
    later_town = texts[later][0].split("_")[1]
    lines = text.split("\n")
    lines.insert(6, f"我镇与{later_town}共同完成了农村人居环境整治项目的联合验收工作，群众满意度较高。")
    texts[0] = (name, "\n".join(lines))
    reports = _parse(texts)
    index = ReuseIndex()
    index.add_many(reports[:30])
    index.add_many(reports[30:])
    from jixiao.reuse.index import report_key
    assert index._stored(reports[0], report_key(reports[0])) is None
    assert index._stored(reports[1], report_key(reports[1])) is not None
    index.save(tmp_path / "i.idx")
    loaded = ReuseIndex.load(tmp_path / "i.idx")       # keys every report again, as before
    fresh = _parse(texts)
    assert _plain(index.reuse_many(fresh, jobs=2)) == _plain([loaded.reuse(r) for r in fresh])


def test_numpy_bands_find_the_candidates_datasketch_finds():
    from datasketch import LeanMinHash, MinHashLSH

    rng = np.random.default_rng(3)
    base = ["".join(rng.choice(list("预算执行率项目资金绩效目标完成情况良好群众满意度"), size=rng.integers(15, 60)))
            for _ in range(300)]
    edited = [s[:-2] + "较好" for s in base[:100]] + [s for s in base[:50]] + ["完成率0" * 5] * (MAX_CANDIDATES + 5)
    keys = base + edited
    sigs = signatures(keys)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    bands = _Bands()
    assert (lsh.b, lsh.r) == (bands.BANDS, bands.ROWS)
    for k, row in enumerate(sigs):
        lsh.insert(k, LeanMinHash(seed=1, hashvalues=row, scheme="legacy"))
    bands.add(sigs[:200])
    bands.add(sigs[200:])  # added in two parts, as add_many does
    found = bands.query(sigs)
    for k, row in enumerate(sigs):
        assert sorted(lsh.query(LeanMinHash(seed=1, hashvalues=row, scheme="legacy"))) == found[k].tolist()
    assert max(len(f) for f in found) > MAX_CANDIDATES and sum(len(f) > 1 for f in found) > 100


def test_a_bounded_query_gives_the_unbounded_candidates_or_none_when_more_than_the_limit():
    rng = np.random.default_rng(5)
    base = ["".join(rng.choice(list("预算执行率项目资金绩效目标完成情况"), size=rng.integers(15, 40))) for _ in range(200)]
    keys = base + [s[:-1] + "好" for s in base[:80]] + ["完成率0" * 5] * 30 + ["群众满意度0" * 4] * 12
    sigs = signatures(keys)
    bands = _Bands()
    bands.add(sigs)
    full = bands.query(sigs)
    assert full[0].dtype == np.int64 and max(len(f) for f in full) == 30
    for limit in (5, 12, 29, 30):
        bounded = bands.query(sigs, limit=limit)
        assert [None if len(f) > limit else f.tolist() for f in full] == [None if b is None else b.tolist() for b in bounded]
    assert [f.tolist() for f in bands.query(sigs[:0])] == []
