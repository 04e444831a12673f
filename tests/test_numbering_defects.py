"""B07: what a reviewer should see about numbering, and what is no defect."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.rules.subject import Context, run_rules
from jixiao.rules.numbering_defects import label
from jixiao.model.report import parse_text

TITLES = ["收入支出决算总体情况说明", "收入决算情况说明", "支出决算情况说明", "财政拨款收入支出决算总体情况说明",
          "一般公共预算财政拨款支出决算情况说明", "政府性基金预算支出决算情况说明", "国有资本经营预算支出决算情况说明",
          "机关运行经费支出情况说明", "政府采购支出情况说明", "国有资产占用情况说明", "预算绩效情况说明"]


def b07(text: str):
    report = parse_text(text)
    return [f for f in run_rules(report, Context([report]), only=["B07"]) if f.rule == "B07"]


def toc(n: int) -> list[str]:
    return [f"{label('cn_dun', k + 1)}{TITLES[k]}" for k in range(n)]


def test_no_finding_for_a_copy_that_starts_mid_document():
    text = "项目由村委会组织实施，资金实行报账制。\n（二）项目绩效目标\n1.新建道路。\n2.整治水渠。\n二、项目资金情况\n（一）资金申报\n正文。\n"
    assert b07(text) == []


def test_no_finding_for_markers_on_lines_of_their_own_or_nested_lists_reusing_the_parents_style():
    alone = "某镇2023年度报告\n一、\n部门概况\n本镇辖12个村。\n二、\n项目情况\n（一）\n基本情况\n正文。\n（二）\n资金情况\n三、\n结论\n"
    nested = "某镇2023年度报告\n一、甲\n二、乙\n（一）分项\n一、第一条\n二、第二条\n三、第三条\n三、丙\n"
    continued = "某镇2023年度报告\n一、指标\n（一）产出\n1.数量\n2.质量\n（二）效益\n3.社会效益\n4.满意度\n"
    assert b07(alone) == [] and b07(nested) == [] and b07(continued) == []


@settings(max_examples=30, deadline=None)
@given(st.integers(6, 11), st.data())
def test_a_lost_numeral_in_a_table_of_contents_is_one_finding_on_that_line(n, data):
    lines = toc(n)
    body = "\n第二部分 名词解释\n"
    head = "某单位2023年度部门决算\n目录\n第一部分 部门决算情况说明\n"
    assert b07(head + "\n".join(lines) + body) == []
    k = data.draw(st.integers(2, n - 1))
    how = data.draw(st.sampled_from(["dun", "none"]))
    lost = ("、" if how == "dun" else "") + TITLES[k]
    if how == "none" and k == n - 1:
        pass  # the last item, before the next part
    altered = lines[:k] + [lost] + lines[k + 1:]
    text = head + "\n".join(altered) + body
    found = b07(text)
    assert len(found) == 1, [f.message for f in found]
    assert found[0].start == text.index(lost) and label("cn_dun", k + 1) in found[0].message


def test_a_style_switch_inside_an_inline_list():
    text = "某镇2023年度报告\n（一）资金到位：①甲补助到位100%；②乙补助到位100%；③丙补助到位30%；4丁补助到位0%。\n"
    found = b07(text)
    assert [f.evidence[:2] for f in found] == ["4丁"]
    half = "某馆2018年度报告\n（一）主要职能：1)宣传政策；(2)组织活动；(3)辅导培训；(4)研究理论。\n"
    assert [f.evidence[:2] for f in b07(half)] == ["1)"]
    fine = "某馆2018年度报告\n（一）主要职能：(1)宣传政策；(2)组织活动；(3)辅导培训，完成5项任务。\n"
    assert b07(fine) == []


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 6), st.data())
def test_a_body_heading_without_the_number_the_contents_give_it_is_one_finding_on_that_line(n, data):
    """目录 numbers the headings of each part; the body repeats the part and drops one heading's
    number (a web copy of an HTML list): B07 on that heading, naming the number the contents give it."""
    part = "第一部分 部门决算情况说明"
    contents = "某单位2023年度部门决算\n目录\n" + part + "\n" + "\n".join(toc(n)) + "\n第二部分 名词解释\n"

    def body(drop: int | None) -> str:
        lines = [TITLES[k] if k == drop else line for k, line in enumerate(toc(n))]
        return part + "\n" + "".join(f"{line}\n本年度收支情况详见附表，较上年有所变化。\n" for line in lines)

    assert b07(contents + body(None)) == []
    k = data.draw(st.integers(0, n - 1))
    text = contents + body(k)
    found = b07(text)
    at = text.index("\n" + TITLES[k] + "\n", text.index(part, len(contents))) + 1
    assert [(f.start, label("cn_dun", k + 1) in f.message) for f in found] == [(at, True)]
    other_part = contents + "第三部分 附表\n" + TITLES[k] + "\n本年度收支情况详见附表。\n"
    assert b07(other_part) == []  # the same words under another part are no lost number
