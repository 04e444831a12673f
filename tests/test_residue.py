"""B04 template residue: one finding per artefact, at its offsets; none in a report without residue."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.rules.subject import Context, run_rules
from jixiao.model.report import parse_text

from .reportgen import consistent_reports


def b04(text: str):
    report = parse_text(text)
    return [f for f in run_rules(report, Context([report]), only=["B04"]) if f.rule == "B04"]


placeholders = st.one_of(
    st.builds(lambda c, n: c * n, st.sampled_from("XxＸｘ×"), st.integers(2, 6)),
    st.builds(lambda c, n, m: c * n + "." + c * m, st.sampled_from("Xx×"), st.integers(2, 3), st.integers(1, 3)),
    st.builds(lambda c, n: "20" + c * n, st.sampled_from("XxＸｘ×"), st.integers(1, 2)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consistent_reports(), placeholders, st.sampled_from(["年度", "万元", "个村", "户", "号"]), st.data())
def test_a_placeholder_of_any_case_or_length_is_one_finding_at_its_offsets(gen, token, after, data):
    clean = b04(gen.text)
    assert clean == []
    sentences = [k + 1 for k, ch in enumerate(gen.text) if ch == "。"]
    at = data.draw(st.sampled_from(sentences))
    text = gen.text[:at] + f"全年完成{token}{after}的任务。" + gen.text[at:]
    found = b04(text)
    start = at + len("全年完成")
    assert [(f.start, f.end) for f in found] == [(start, start + len(token))]
    assert found[0].evidence == token


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consistent_reports(), st.sampled_from([
    ("（此处按项目逐条列示）", "（此处按项目逐条列示）"),
    ("（参照上表填写）", "（参照上表填写）"),
    ("\n注：请部门根据实际情况填写页码\n", "注：请部门根据实际情况填写页码"),
    ("\n简要说明资金下达、使用及调整的有关情况。\n", "简要说明资金下达、使用及调整的有关情况。"),
    ("\n结合自评情况，分析存在的问题及原因。（200字以内）\n", "结合自评情况，分析存在的问题及原因。（200字以内）"),
    ("\n填报日期：\n", "填报日期"),
    ("我乡（镇）", "我乡（镇）"),
    ("\n3.……\n", "3.……"),
    ("本镇或乡人民政府", "镇或乡人民政府"),
    ("领导本工作，", "本工作"),
]))
def test_drafting_instructions_and_blank_fields_are_found_once(gen, case):
    inserted, evidence = case
    at = gen.text.index("二、项目支出情况")
    text = gen.text[:at] + inserted.lstrip("\n") + ("\n" if not inserted.endswith("\n") else "") + gen.text[at:]
    found = b04(text)
    assert [f.evidence for f in found] == [evidence]


def test_filled_fields_numbers_and_form_notes_are_not_residue():
    text = ("某镇2023年度部门整体支出绩效自评报告\n填报日期：\n2024年3月5日\n联系人：\n王某\n"
            "1.预算执行率=预算执行数/调整后预算数，预算执行率未达到90%的需说明原因（100字以内）\n"
            "说明：本镇2023年共完成项目12个，已全部验收。\n"
            "项目总面积3×4平方米，X光机1台，Windows系统XXL版。\n")
    assert b04(text) == []


def test_an_empty_last_heading_is_residue_only_when_its_siblings_have_content():
    filled = ("一、概况\n（一）基本情况\n本镇辖12个村。\n（二）资金情况\n全年预算100万元。\n"
              "（三）上年评价整改情况\n二、自评工作开展情况\n本次自评由财政所负责。\n")
    found = b04(filled)
    assert [f.evidence for f in found] == ["（三）上年评价整改情况"]
    toc = "目录\n一、概况\n（一）基本情况\n（二）资金情况\n（三）整改情况\n二、自评工作\n本次自评由财政所负责。\n"
    assert b04(toc) == []
