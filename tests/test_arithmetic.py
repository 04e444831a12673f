"""Rules A01–A10: the seeds' and demo corpus's expectations, and generated reports."""
from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.rules.subject import Context, run_rules
from jixiao.run.check_files import check_paths
from jixiao.model.report import parse_text
from jixiao.rules import all_rules
from jixiao.run.score_expected import score

from .conftest import EXAMPLES, SEEDS, seeds_or_skip
from .reportgen import consistent_reports

A_RULES = [f"A{i:02d}" for i in range(1, 11)]


def a_findings(text: str):
    report = parse_text(text, "generated.txt")
    return run_rules(report, Context([report]), only=A_RULES)


def test_ten_arithmetic_rules_are_registered_with_docstrings():
    rules = {r.id: r for r in all_rules(A_RULES)}
    assert sorted(rules) == A_RULES
    for r in rules.values():
        assert r.doc and r.name and r.severity in ("high", "medium", "low", "info")


def test_seed_expectations_for_arithmetic(seed_expected):
    seeds_or_skip()
    result = {"reports": [o.as_dict() for o in check_paths(SEEDS, only=A_RULES)]}
    sc = score(seed_expected, result, rules=set(A_RULES))
    assert sc.misses == [] and sc.false_positives == [] and sc.broken == 0, sc.lines


def test_demo_expectations_for_arithmetic():
    expected = json.loads((EXAMPLES / "expected.json").read_text(encoding="utf-8"))
    result = {"reports": [o.as_dict() for o in check_paths([EXAMPLES / "reports"], only=A_RULES)]}
    sc = score(expected, result, rules=set(A_RULES))
    assert sc.misses == [] and sc.false_positives == [] and sc.broken == 0, sc.lines


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(consistent_reports())
def test_consistent_reports_give_no_arithmetic_finding(gen):
    findings = a_findings(gen.text)
    assert findings == [], [(f.rule, f.evidence, f.message) for f in findings]


def _shift_rate(text: str, delta: Decimal) -> str:
    """Move a rate by delta, downwards when upwards would pass 100% (that would deserve A06 too)."""
    value = Decimal(text.rstrip("%"))
    return f"{value + delta if value + delta <= 100 else value - delta:.2f}%"


ALTERATIONS = {
    # name of the figure -> (rule it deserves, how to alter its text)
    "rate": ("A01", lambda t, d: _shift_rate(t, d)),
    "solved_rate": ("A01", lambda t, d: _shift_rate(t, d)),
    "table_total": ("A02", lambda t, d: f"{Decimal(t) + d:.2f}"),
    "count": ("A03", lambda t, d: f"{int(t.rstrip('个')) + 1}个"),
    "adjusted": ("A04", lambda t, d: t.replace("万元", "元")),
    "rent": ("A05", lambda t, d: f"{Decimal(t.rstrip('元')) + d * 100}元"),
    "grade0": ("A07", lambda t, d: t.split("\n")[0] + "\n\t" + ("差" if t.endswith(("优", "良")) else "优")),
}


@FAST
@given(consistent_reports(), st.sampled_from(sorted(ALTERATIONS)),
       st.integers(min_value=5, max_value=500).map(lambda c: Decimal(c) / 100))
def test_one_altered_figure_gives_exactly_its_finding(gen, name, delta):
    rule_id, alter = ALTERATIONS[name]
    s, e = gen.spans[name]
    altered = gen.alter(name, alter(gen.text[s:e], delta))
    findings = a_findings(altered.text)
    lo, hi = altered.spans[name]
    assert [f.rule for f in findings] == [rule_id], [(f.rule, f.evidence, f.message) for f in findings]
    f = findings[0]
    assert f.start < hi and lo < f.end, (f.evidence, altered.text[lo:hi])
    assert altered.text[f.start:f.end] == f.evidence


def test_rate_against_initial_budget_names_the_cause():
    text = ("一、预算执行\n2023年我镇年初预算1000.00万元，调整后预算1250.00万元，全年实际支出1250.00万元，"
            "预算执行率125.00%。\n")
    findings = {f.rule: f for f in a_findings(text)}
    assert set(findings) == {"A01", "A06"}
    assert "100.00%" in findings["A01"].message and "年初预算" in findings["A01"].message
    assert findings["A01"].severity == "high"


def test_target_floors_and_explained_excess_are_not_findings():
    text = ("一、产出\n计划培训400人次，实际培训450人次，完成率112.50%，超出计划主要是增加了两期培训。\n"
            "巡查覆盖率达到95%以上，群众满意度90%以上。\n"
            "共设绩效指标18个，其中一级指标3个、二级指标8个、三级指标18个。\n")
    assert a_findings(text) == []


def test_stated_thresholds_override_the_default():
    text = ("评分标准：得分≥85分为优秀；75≤得分＜85分为良好；60≤得分＜75分为一般；得分＜60分为较差。\n"
            "项目甲自评得分87分，评价等级为“优秀”。项目乙自评得分83.6分，评价等级为“优秀”。\n")
    findings = a_findings(text)
    assert [f.rule for f in findings] == ["A07"]
    assert findings[0].evidence.startswith("83.6分") and "良好" in findings[0].message


@given(st.decimals(min_value=0, max_value=130, places=1), st.sampled_from(["优", "良", "中", "差"]),
       st.sampled_from(["综合评价，部门整体自评得分{s}分，评价等级为{g}。", "项目自评得分{s}分，等级为“{g}”。"]))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_graded_score_above_full_marks_is_no_score(score, grade, shape):
    """A score and its grade: above 100 (the 百分制's full marks) it is an A07 `high` at the score, saying
    how far over; at or below 100 only a grade other than the default scale's is a finding."""
    text = "三、结论\n" + shape.format(s=score, g=grade) + "\n"
    found = [f for f in a_findings(text) if f.rule == "A07"]
    want = "优" if score >= 90 else "良" if score >= 80 else "中" if score >= 60 else "差"
    if score > 100:
        assert len(found) == 1 and found[0].severity == "high" and found[0].evidence.startswith(f"{score}分")
        assert f"超过满分 100 分（多 {score - 100:f}".rstrip("0").rstrip(".") in found[0].message
    else:
        assert len(found) == (grade != want) and all(f.severity == "medium" for f in found)


def test_full_score_with_low_execution_and_admitted_delay():
    text = ("一、预算执行\n2023年我镇调整预算500.00万元，实际支出440.00万元，预算执行率88.00%。\n"
            "二、存在的问题\n部分项目进度滞后。\n三、结论\n综合评价，部门整体自评得分100分，评价等级为优。\n")
    findings = [f for f in a_findings(text) if f.rule == "A08"]
    assert len(findings) == 1 and "88.00%" in findings[0].message and "进度滞后" in findings[0].message


def test_year_of_the_previous_report_left_in():
    text = ("白沙镇人民政府\n2023年度项目支出绩效自评报告\n一、基本情况\n2023年全镇共实施项目5个。\n"
            "二、绩效目标实现情况\n我镇2022年度5个项目均已完成。其中含2022年结转资金3.00万元。\n")
    findings = a_findings(text)
    assert [f.rule for f in findings] == ["A10"]
    assert findings[0].evidence.startswith("2022年度5个项目")


FUZZ_ALPHABET = st.sampled_from(list("0123456789.,%，。；：、（）()一二三十百万元亩个户人分年度预算执行率调整实际支出其中共计合计优良中差得分等级为项目村镇每\n\t"))


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=FUZZ_ALPHABET, max_size=400))
def test_rules_never_raise_and_evidence_is_exact(text):
    report = parse_text(text)
    for f in run_rules(report, Context([report])):
        assert text[f.start:f.end] == f.evidence and f.start < f.end
