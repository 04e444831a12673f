"""Scale: the benchmark corpus generator, vectorised MinHash, and batches on a Dask cluster."""
from __future__ import annotations

import filecmp
import sys

import numpy as np
import pytest
import yaml

from jixiao.reuse.index import ReuseSnapshot, build_index, signatures, snapshot

from .conftest import EXAMPLES, ROOT, run_cli

sys.path.insert(0, str(ROOT / "benchmarks"))
import corpus  # noqa: E402


def test_generated_corpus_is_deterministic_and_report_sized():
    a, b = corpus.generate(20, seed=3), corpus.generate(20, seed=3)
    assert a == b and len({name for name, _ in a}) == 20
    sizes = [len(text) for _, text in a]
    assert 3000 < sum(sizes) / len(sizes) < 8000


def test_batched_signatures_equal_one_at_a_time():
    keys = ["年初设定的目标任务", "ab", "完成率0", "各项工作有序推进产出指标大多能够量化群众满意度较好"] * 3
    together = signatures(keys)
    alone = np.vstack([signatures([k]) for k in keys])
    assert (together == alone).all()
    assert (together[0] == together[4]).all() and not (together[0] == together[3]).all()


def test_snapshot_gives_the_same_reuse_as_the_index(tmp_path):
    from jixiao.model.report import load_report
    reports = [load_report(EXAMPLES / "reports" / n) for n in ("05_yuntai_2022.txt", "06_yuntai_2023.txt")]
    index = build_index(reports)
    snap = snapshot(index, reports[1])
    snap.save(tmp_path / "r.json")
    loaded = ReuseSnapshot.load(tmp_path / "r.json")
    assert loaded.reuse(reports[1]) == index.reuse(reports[1]) and len(loaded) == 2
    with pytest.raises(Exception, match="another report"):
        loaded.reuse(reports[0])


def test_dask_local_cluster_gives_the_same_outputs_as_local_processes(tmp_path):
    pytest.importorskip("distributed")
    params = tmp_path / "params"
    params.mkdir()
    for name, town in (("02_liuwan_2023.txt", "柳湾镇"), ("04_meiling_2023.docx", "梅岭镇")):
        data = {"town": town, "year": 2023, "report": str(EXAMPLES / "reports" / name),
                "corpus": str(EXAMPLES / "reports")}
        (params / f"2023_{town}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    local = run_cli("batch", str(params), "--out", str(tmp_path / "local"), "--jobs", "2", "--quiet")
    dask = run_cli("batch", str(params), "--out", str(tmp_path / "dask"), "--scheduler", "local:2", "--quiet")
    assert local.returncode == 0 and dask.returncode == 0, dask.stderr.decode()[-500:]
    for town in ("2023_柳湾镇", "2023_梅岭镇"):
        assert filecmp.cmp(tmp_path / "local" / town / "audit.json", tmp_path / "dask" / town / "audit.json",
                           shallow=False)
    assert filecmp.cmp(tmp_path / "local" / "findings.csv", tmp_path / "dask" / "findings.csv", shallow=False)
