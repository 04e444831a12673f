"""B01: passages repeated inside one report, down to a clause inside longer, different sentences."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.rules.subject import Context, run_rules
from jixiao.model.report import parse_text

CLAUSES = ["新建村级文化活动广场一处并配套安装健身器材和照明路灯",
           "对辖区内十二条主要道路两侧的排水沟渠进行了全面清淤疏通",
           "聘请第三方机构对全部农村危房开展安全鉴定并建立一户一档"]
OPENERS = ["项目实施以来，", "经过全体干部的共同努力，", "按照年初工作计划，"]
CLOSERS = ["，群众反映良好。", "，有效改善了村容村貌。", "，各项任务均按期完成。"]


def b01(text: str):
    report = parse_text(text)
    return [f for f in run_rules(report, Context([report]), only=["B01"]) if f.rule == "B01"]


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(CLAUSES), st.permutations(range(3)), st.permutations(range(3)))
def test_a_clause_repeated_inside_longer_different_sentences_is_found(clause, o, c):
    first = f"{OPENERS[o[0]]}{clause}{CLOSERS[c[0]]}"
    second = f"{OPENERS[o[1]]}{clause}{CLOSERS[c[1]]}"
    text = f"某镇2023年度项目支出绩效自评报告\n一、项目概况\n{first}\n二、项目实施情况\n{second}\n"
    found = b01(text)
    assert len(found) == 1
    assert found[0].start == text.rindex(clause) and clause in found[0].evidence


def test_parallel_sentences_about_different_subjects_are_no_repeat():
    text = ("某单位2023年度部门决算\n1.收入情况。2023年度收入合计192.01万元，较上年决算数减少27.31万元，主要原因是上年有疫情防控经费和一次性项目经费而本年度未再安排。\n"
            "2.支出情况。2023年度支出合计192.01万元，较上年决算数减少27.31万元，主要原因是上年有疫情防控经费和一次性项目经费而本年度未再安排。\n")
    reason = "主要原因是上年有疫情防控经费和一次性项目经费而本年度未再安排。"
    # the sentences are parallel (收入 / 支出 under 收入情况 / 支出情况); only the reason repeats
    assert [f.evidence for f in b01(text)] == [reason]
    # the same two sentences without their subjects in the lead are a near repeat as a whole
    unlabelled = text.replace("1.收入情况。", "1.").replace("2.支出情况。", "2.")
    found = b01(unlabelled)
    assert len(found) == 1 and found[0].evidence.startswith("2023年度支出合计")


def test_a_sites_summary_line_repeating_the_opening_is_not_the_reports_repeat():
    body = ("一、绩效目标分解下达情况\n本年度下达财政专项扶贫资金四十万元，全部用于村集体产业发展项目建设。"
            "项目建成后带动十四户脱贫户稳定增收，村集体经济收入明显增加。\n二、自评开展情况\n成立自评小组，逐项核对。\n")
    teaser = "财政专项扶贫资金绩效自评报告 " + body.replace("\n", " ")[:70]
    assert b01(teaser + "\n" + body) == []
