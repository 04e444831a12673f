"""B06 vague indicators in every table shape and in prose: numeric rows give nothing; a row whose
target or actual is a word gives exactly one finding, on that row."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.rules.subject import Context, run_rules
from jixiao.model.report import parse_text

INDICATORS = [("数量指标", "改造农户数量", "户"), ("质量指标", "工程验收合格率", "%"),
              ("时效指标", "资金拨付及时率", "%"), ("成本指标", "项目总成本", "万元"),
              ("社会效益指标", "群众出行条件改善比例", "%"), ("满意度指标", "受益群众满意度", "%")]
HEADER = ["一级指标", "二级指标", "三级指标", "指标值", "度量单位", "完成值", "权重", "得分"]


def b06(text: str):
    report = parse_text(text)
    return [f for f in run_rules(report, Context([report]), only=["B06"]) if f.rule == "B06"]


def render(rows: list[list[str]], shape: str) -> str:
    if shape == "bars":
        return "".join(" | ".join(r) + " | ||\n" for r in rows)
    if shape == "cells":
        return "".join(c + " |\n" for r in rows for c in r)
    return " ".join(c for r in rows for c in r) + "\n"


@st.composite
def tables(draw):
    n = draw(st.integers(2, len(INDICATORS)))
    picked = draw(st.permutations(INDICATORS))[:n]
    rows = [HEADER]
    for cat, name, unit in picked:
        target = draw(st.integers(5, 100))
        actual = draw(st.integers(1, target))
        rows.append(["产出指标" if "效益" not in cat and "满意" not in cat else "效益指标", cat, name,
                     str(target), unit, str(actual), "10", "10"])
    return rows


@settings(max_examples=40, deadline=None)
@given(tables(), st.sampled_from(["bars", "cells", "squashed"]), st.sampled_from(["有效", "良好", "效果明显", "达标", "完成"]),
       st.integers(3, 5), st.data())
def test_a_word_for_a_figure_in_any_table_shape_is_one_finding_on_its_row(rows, shape, word, column, data):
    head = "某镇2023年度项目支出绩效自评表\n绩效指标完成情况\n"
    assert b06(head + render(rows, shape)) == []
    k = data.draw(st.integers(1, len(rows) - 1))
    altered = [list(r) for r in rows]
    altered[k][column if column != 4 else 5] = word
    text = head + render(altered, shape)
    found = b06(text)
    assert len(found) == 1
    name = altered[k][2]
    assert text[found[0].start:found[0].end].startswith(name)
    assert word in found[0].evidence


def test_an_empty_actual_under_a_header_is_found_once():
    rows = [HEADER + ["未完成原因分析"], ["产出指标", "数量指标", "发放覆盖率", "=", "100", "%", "", "60", "", ""],
            ["效益指标", "社会效益指标", "参保率", "=", "100", "%", "98", "30", "30", ""]]
    header = rows[0]
    rows[0] = header[:3] + ["指标性质"] + header[3:]
    text = "项目支出绩效自评表\n" + "".join(c + " |\n" for r in rows for c in r)
    found = b06(text)
    assert [f.evidence.split(" |")[0] for f in found] == ["发放覆盖率"]


def test_prose_indicators_with_adjectives_only():
    text = ("某镇2023年度项目绩效自评报告\n三、绩效目标完成情况\n"
            "项目实施后经济效益较为明显，各项指标均有所提升，受益群众满意度非常高。\n"
            "群众满意度达到96.5%，社会效益明显提高了12个百分点。\n")
    found = b06(text)
    assert [f.evidence for f in found] == ["经济效益较为明显", "各项指标均有所提升", "受益群众满意度非常高"]


def test_a_target_floor_restated_as_the_result_only_in_a_completion_section():
    done = "某镇2023年度绩效自评报告\n3.满意度指标完成情况分析\n服务对象满意度：服务对象满意度≥80%。\n"
    assert [f.evidence for f in b06(done)] == ["服务对象满意度：服务对象满意度≥80%"]
    target = "某镇2023年度绩效自评报告\n一、绩效目标设定情况\n服务对象满意度：服务对象满意度≥80%。\n"
    assert b06(target) == []
