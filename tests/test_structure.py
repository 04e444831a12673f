"""Paragraphs, the section tree from mixed numbering, and numbering irregularities."""
from __future__ import annotations

from jixiao.model.report import load_report, parse_text

from .conftest import seed


def _tree(report):
    return [(n.depth, n.number_label, n.title) for n in report.sections.walk() if n.marker]


def test_mixed_full_and_half_width_markers_nest():
    text = ("一、总体情况\n(一) 预算安排\n1.年初预算\n2．调整预算\n（二）执行情况\n（1）上半年\n(2) 下半年\n"
            "①村级\n②镇级\n二、问题\n1、资金拨付慢\n2、指标不细\n")
    r = parse_text(text)
    assert _tree(r) == [
        (1, "一、", "总体情况"), (2, "（一）", "预算安排"), (3, "1.", "年初预算"), (3, "2.", "调整预算"),
        (2, "（二）", "执行情况"), (3, "（1）", "上半年"), (3, "（2）", "下半年"), (4, "①", "村级"), (4, "②", "镇级"),
        (1, "二、", "问题"), (2, "1、", "资金拨付慢"), (2, "2、", "指标不细")]
    assert r.numbering_issues == []


def test_section_offsets_cover_their_text():
    text = "一、甲\n内容一\n二、乙\n内容二\n"
    r = parse_text(text)
    first, second = [n for n in r.sections.walk() if n.marker]
    assert text[first.start:first.end] == "一、甲\n内容一\n"
    assert text[second.start:second.end] == "二、乙\n内容二\n"


def test_skip_repeat_and_switch_are_reported():
    text = ("一、甲\n二、乙\n四、丁\n"            # skip 三
            "（一）子一\n（2）子二\n"            # style switch
            "1、项\n2、项\n2、项\n")             # repeat
    kinds = [(i.kind, i.expected, i.found) for i in parse_text(text).numbering_issues]
    assert kinds == [("skip", "三、", "四、"), ("switch", "（二）", "（2）"), ("repeat", "3、", "2、")]


def test_list_reusing_top_level_style_nests_and_top_level_resumes():
    text = "一、甲\n二、乙\n（一）分项\n一、第一条\n二、第二条\n三、第三条\n四、第四条\n三、丙\n"
    r = parse_text(text)
    assert [(d, lab) for d, lab, _ in _tree(r)] == [
        (1, "一、"), (1, "二、"), (2, "（一）"), (3, "一、"), (3, "二、"), (3, "三、"), (3, "四、"), (1, "三、")]
    assert r.numbering_issues == []


def test_numbers_that_are_not_markers():
    r = parse_text("2023年全镇预算。\n12.5万元用于道路。\n一是加强领导。\n十三五期间成效。\n")
    assert all(p.marker is None for p in r.paragraphs)


def _b07_quote(seed_expected, prefix):
    entry = next(e for e in seed_expected if e["file"].startswith(prefix))
    return next(m["quote"] for m in entry["must_find"] if m["rule"] == "B07")


def test_seed_001_numbering_jump_from_eight_to_ten(seed_expected):
    r = load_report(seed("001"))
    jumps = [(i.kind, i.expected, i.found) for i in r.numbering_issues]
    assert ("skip", "九、", "十、") in jumps
    issue = next(i for i in r.numbering_issues if i.found == "十、")
    assert r.text.index(_b07_quote(seed_expected, "001")) == issue.marker.start


def test_seed_004_style_switch(seed_expected):
    r = load_report(seed("004"))
    issue = next(i for i in r.numbering_issues if i.kind == "switch")
    assert r.text.index(_b07_quote(seed_expected, "004")) == issue.marker.start


def test_tab_prefixed_single_line_is_a_paragraph_not_a_table():
    r = parse_text("正文一段。\n\t二、绩效目标实现情况\n正文二段。\n")
    assert r.tables == []
    assert r.paragraphs[1].marker is not None and r.paragraphs[1].text == "二、绩效目标实现情况"


def test_pipe_table():
    text = "项目表\n|序号|项目名称|金额（万元）||||\n|1|道路|10.5|||\n|2|路灯||\n正文。\n"
    r = parse_text(text)
    assert len(r.tables) == 1
    t = r.tables[0]
    assert list(t.columns) == ["序号", "项目名称", "金额"]
    assert t.frame["金额"].tolist()[0] == 10.5
    assert t.frame.attrs["units"] == {"金额": "万元"}
