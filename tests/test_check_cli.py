"""`jixiao check`: the JSON contract, per-file errors, exit status and byte-identical output."""
from __future__ import annotations

import json
import re

import pytest

from jixiao.rules.findings import make_finding, sort_findings
from jixiao.rules import rule

from .conftest import run_cli, seeds_or_skip


KINDS = {"rate", "share", "growth", "total", "count", "weights", "product", "grade", "conflict", "year", "unit",
         "plausibility"}


def test_check_json_shape_and_determinism(tmp_path):
    seeds = [str(p) for p in seeds_or_skip()]
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a zip")
    args = ["check", *seeds, str(bad), "--json"]
    first, second = run_cli(*args), run_cli(*args)
    assert first.stdout == second.stdout
    assert first.returncode == 1  # one file failed
    assert first.stderr.decode().strip().splitlines() == [f"jixiao: {bad}: not a valid .docx file (not a zip archive, or truncated)"]
    data = json.loads(first.stdout)
    assert [r["path"] for r in data["reports"]] == seeds + [str(bad)]
    for entry in data["reports"][:-1]:
        assert set(entry) == {"path", "meta", "findings", "claims"}
        assert {"unit", "town", "county", "year", "kind"} <= set(entry["meta"])
        text = open(entry["path"], encoding="utf-8").read()
        for f in entry["findings"] + entry["claims"]:
            assert text[f["start"]:f["end"]] == f["evidence"]
        for c in entry["claims"]:
            assert c["status"] in ("consistent", "inconsistent", "not_checked")
            assert c["kind"] in KINDS
            assert ("reason" in c) == (c["status"] == "not_checked")
    # every finding of an A rule is an inconsistent claim at the same place
    for entry in data["reports"][:-1]:
        bad_claims = {(c["rule"], c["start"], c["end"]) for c in entry["claims"] if c["status"] == "inconsistent"}
        for f in entry["findings"]:
            if f["rule"].startswith("A"):
                assert (f["rule"], f["start"], f["end"]) in bad_claims
    assert data["reports"][-1] == {"path": str(bad), "error": "not a valid .docx file (not a zip archive, or truncated)",
                                   "findings": []}


def test_check_of_good_files_exits_zero():
    out = run_cli("check", str(seeds_or_skip()[0]))
    assert out.returncode == 0, out.stderr


def test_check_accepts_a_folder(tmp_path):
    (tmp_path / "a.txt").write_text("白沙镇人民政府\n2023年度整体支出绩效自评报告\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("柳湾镇人民政府\n2023年度项目支出绩效自评报告\n", encoding="utf-8")
    (tmp_path / "skip.json").write_text("{}", encoding="utf-8")
    data = json.loads(run_cli("check", str(tmp_path), "--json").stdout)
    assert [r["meta"]["town"] for r in data["reports"]] == ["白沙镇", "柳湾镇"]


def test_a_threshold_given_to_check_changes_its_rules_decision(tmp_path):
    """--threshold overrides a rule's threshold for the run: three sibling sections sharing about 75 % of
    their text are B02 under the default (0.5) and not under 0.9; a bad override is one line, exit 2."""
    block = "1、项目立项：项目申报程序规范，绩效目标明确，符合相关要求。\n2、资金管理：资金拨付按照审批程序办理，做到专款专用。\n"
    text = "三、项目情况\n" + "".join(f"（{c}）{name}\n{block}3、项目产出：{what}。\n" for c, name, what in [
        ("一", "道路维修", "维修后路面平整无坑槽，村民出行更加方便"), ("二", "路灯安装", "夜间照明覆盖主要街道和集市路口"),
        ("三", "河道清淤", "清淤后汛期排水通畅，沿岸农田未再受淹")])
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")

    def b02(*extra):
        out = run_cli("check", str(path), "--json", "--rules", "B02", *extra)
        assert out.returncode == 0, out.stderr
        return len(json.loads(out.stdout)["reports"][0]["findings"])

    assert b02() == 3 and b02("--threshold", "templated_share=0.9") == 0
    bad = run_cli("check", str(path), "--threshold", "templated_share=2")
    assert bad.returncode == 2 and "templated_share must be a number from 0.1 to 1" in bad.stderr.decode()
    assert bad.stderr.decode().strip().splitlines()[-1].startswith("jixiao check: error: argument --threshold")


def test_finding_evidence_is_the_source_slice():
    text = "预算执行率123.76%"
    f = make_finding(text, "A06", "high", 5, 12, "m")
    assert f.evidence == "123.76%"
    with pytest.raises(ValueError):
        make_finding(text, "A06", "high", 5, 99, "m")
    with pytest.raises(ValueError):
        make_finding(text, "A06", "severe", 5, 6, "m")


def test_findings_sort_by_position_and_drop_duplicates():
    text = "abcdefghij"
    a = make_finding(text, "B01", "low", 5, 7, "x")
    b = make_finding(text, "A01", "high", 1, 3, "y")
    assert sort_findings([a, b, a]) == [b, a]


def test_rule_ids_follow_the_catalogue():
    with pytest.raises(ValueError):
        rule("X99", "nope", "无此规则", "low")


def test_every_rule_has_a_chinese_title():
    from jixiao.rules import rule_titles
    titles = rule_titles()
    assert sorted(titles) == [f"A{i:02d}" for i in range(1, 11)] + [f"B{i:02d}" for i in range(1, 10)]
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,8}", t) for t in titles.values())
    assert len(set(titles.values())) == len(titles)
