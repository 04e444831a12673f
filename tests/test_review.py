"""The review fingerprint survives re-runs, edits elsewhere and next year's figures around it; the
store is JSON; the CLI refuses bad rule ids and job counts, and every subcommand's help has an example."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.review import fingerprint, import_workbook, load_store

from .conftest import run_cli

HAN = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=40)
BEFORE = "二、预算执行情况\n全年预算执行率为"
EVIDENCE = "114.58%"
AFTER = "，超过年初计划。\n"


def _fp(text: str, town: str = "甲镇") -> str:
    start = text.index(EVIDENCE)
    return fingerprint(text, "A06", start, start + len(EVIDENCE), town)


@settings(max_examples=60, deadline=None)
@given(head=HAN, tail=HAN)
def test_fingerprint_ignores_edits_elsewhere(head, tail):
    base = BEFORE + EVIDENCE + AFTER
    assert _fp(head + "\n" + base + tail) == _fp(base)


@settings(max_examples=40, deadline=None)
@given(year=st.integers(2015, 2035), figure=st.integers(1, 9999))
def test_fingerprint_carries_to_next_year_but_not_to_another_figure(year, figure):
    this_year = f"{year}年" + BEFORE + EVIDENCE + f"，较{year - 1}年提高5个点。\n"
    next_year = f"{year + 1}年" + BEFORE + EVIDENCE + f"，较{year}年提高{figure % 10}个点。\n"
    assert _fp(this_year) == _fp(next_year)  # digits in the context are masked
    changed = this_year.replace(EVIDENCE, "104.58%")
    start = changed.index("104.58%")
    assert fingerprint(changed, "A06", start, start + 7, "甲镇") != _fp(this_year)
    assert _fp(this_year, "乙镇") != _fp(this_year)
    spaced = this_year.replace("执行率为", "执行率为 ")
    assert _fp(spaced) == _fp(this_year)  # whitespace is not content


def test_same_evidence_in_two_places_gets_two_fingerprints():
    text = "一、收入\n收入执行率为" + EVIDENCE + "。\n二、支出\n支出执行率为" + EVIDENCE + "。\n"
    first = text.index(EVIDENCE)
    second = text.index(EVIDENCE, first + 1)
    assert fingerprint(text, "A06", first, first + 7) != fingerprint(text, "A06", second, second + 7)


def test_import_refuses_bad_decisions_and_keeps_json(tmp_path):
    from jixiao.present.exports import write_xlsx

    results = [{"name": "a.txt", "meta": {"town": "甲镇", "year": 2023},
                "findings": [{"rule": "B04", "severity": "medium", "message": "m", "evidence": "e", "start": 0, "end": 1,
                              "fingerprint": "f1"},
                             {"rule": "B06", "severity": "low", "message": "m", "evidence": "e", "start": 2, "end": 3,
                              "fingerprint": "f2"}]}]
    write_xlsx(tmp_path / "w.xlsx", results)
    import openpyxl
    book = openpyxl.load_workbook(tmp_path / "w.xlsx")
    ws = book["问题清单"]
    header = [c.value for c in ws[2]]
    ws.cell(row=3, column=header.index("复核结论") + 1).value = "误报"
    ws.cell(row=4, column=header.index("复核结论") + 1).value = "不知道"
    book.save(tmp_path / "w.xlsx")
    stored, removed, problems = import_workbook(tmp_path / "w.xlsx", tmp_path / "review.json")
    assert (stored, removed) == (1, 0) and len(problems) == 1 and "不知道" in problems[0]
    data = json.loads((tmp_path / "review.json").read_text(encoding="utf-8"))
    assert data["decisions"]["f1"]["decision"] == "误报" and "f2" not in data["decisions"]
    assert load_store(tmp_path / "review.json")["f1"]["town"] == "甲镇"


@pytest.mark.parametrize("args, message", [
    (("check", "examples/reports/01_baisha_2023.txt", "--rules", "a01"), "upper case: A01"),
    (("check", "examples/reports/01_baisha_2023.txt", "--rules", "A99"), "unknown rule 'A99'"),
    (("batch", "params", "--jobs", "0"), "must be 1 or more"),
    (("batch", "params", "--jobs", "-2"), "must be 1 or more"),
])
def test_cli_refuses_bad_rules_and_jobs(args, message):
    result = run_cli(*args)
    assert result.returncode == 2 and message in result.stderr.decode()


def test_fail_on_sets_the_exit_status():
    report = "examples/reports/01_baisha_2023.txt"  # has high findings (its expectations say so)
    assert run_cli("check", report, "--fail-on", "high", "--quiet").returncode == 3
    assert run_cli("check", report, "--rules", "B07", "--fail-on", "high", "--quiet").returncode == 0


def test_every_subcommand_help_has_an_example():
    from jixiao.cli import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert {"check", "batch", "review", "index", "params"} <= set(commands)
    for name, sub in commands.items():
        assert "example:\n  jixiao " in sub.format_help(), name
