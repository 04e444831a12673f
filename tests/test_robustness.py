"""Bad inputs: a one-line error naming the file and the cause, or a correct result; never a
traceback, never a hang; the good files of a batch go on."""
from __future__ import annotations

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.check import check_paths, time_limit
from jixiao.errors import ReportError
from jixiao.ingest import decode_text, read_source
from jixiao.report import parse_text

from .badinputs import CASES, make
from .conftest import run_cli, seeds_or_skip


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    make(folder)
    return folder


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_bad_input(bad, case):
    path = bad / case.name
    start = time.perf_counter()
    [outcome] = check_paths([path])
    assert time.perf_counter() - start < 30
    if case.cause is None:
        assert outcome.error is None, outcome.error
        assert all(outcome.report.text[f.start:f.end] == f.evidence for f in outcome.findings)
    else:
        assert outcome.error is not None and case.cause in outcome.error and "\n" not in outcome.error


def test_external_entities_are_not_resolved(bad):
    text = read_source(bad / "xxe.docx").text
    with open("/etc/hostname", encoding="utf-8") as fh:
        assert fh.read().strip() not in text.replace("红岩镇", "")
    assert "预算执行率" in text


def test_malformed_numbers_are_not_read_as_figures(bad):
    report = read_source(bad / "malformed_numbers.txt")
    figures = {f.text: f for f in parse_text(report.text).figures}
    assert figures["1,2,3.4.5万元"].kind == "malformed" and figures["1,2,3.4.5万元"].number is None
    assert figures["１２３.４５％"].value == 123.45


def test_check_on_seeds_mixed_with_bad_inputs(bad):
    seeds = [str(p) for p in seeds_or_skip()]
    alone = json.loads(run_cli("check", *seeds, "--json").stdout)
    mixed = run_cli("check", *seeds, str(bad), "--json")
    assert mixed.returncode == 1
    errors = mixed.stderr.decode("utf-8").strip().splitlines()
    failing = [c.name for c in CASES if c.cause is not None]
    assert len(errors) == len(failing) and "Traceback" not in mixed.stderr.decode("utf-8")
    for name in failing:
        assert sum(name in line for line in errors) == 1
    together = {r["path"]: r for r in json.loads(mixed.stdout)["reports"]}
    for report in alone["reports"]:
        assert together[report["path"]] == report  # the seeds' findings are unchanged


def test_work_on_one_file_is_bounded_in_time():
    with pytest.raises(ReportError, match="took longer than 1 s"):
        with time_limit(1, "slow.txt"):
            while True:
                pass


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_decode_or_give_a_report_error(data):
    try:
        text, encoding = decode_text(data, "fuzz.txt")
    except ReportError as exc:
        assert "\n" not in str(exc)
    else:
        assert isinstance(text, str) and encoding


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=20), st.decimals(allow_nan=False, allow_infinity=False, places=3),
                          st.sampled_from(["万元", "元", "亿元", "%", "亩", "个", "户", "人", "分", "次", "元/亩", ""])),
                max_size=8))
def test_figure_extractor_on_arbitrary_numbers_and_units(parts):
    text = "".join(f"{words}{number}{unit}" for words, number, unit in parts)
    report = parse_text(text)
    for f in report.figures:
        assert text[f.start:f.end] == f.text and f.start < f.end
