"""B05 / B09 on place names: the wrong kind of unit, and near-miss spellings."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.rules.subject import Context, run_rules
from jixiao.model.report import parse_text

PLACES = ["青山区", "白石区", "东湖区", "西岭县", "南川县", "北塘县"]
HOMOPHONE = {"青山区": "清山区", "白石区": "白实区", "东湖区": "冬湖区", "西岭县": "西领县", "南川县": "南穿县",
             "北塘县": "北唐县"}
OTHER_SOUND = {"青山区": "青岩区", "白石区": "白沙区", "东湖区": "东港区", "西岭县": "西峰县", "南川县": "南江县",
               "北塘县": "北林县"}


def found(text: str, rules=("B05", "B09")):
    report = parse_text(text)
    return [(f.rule, f.evidence) for f in run_rules(report, Context([report]), only=list(rules)) if f.rule in rules]


def allocation(names: list[str]) -> str:
    lines = ["某市文化和旅游局2022年度项目支出绩效自评报告", "一、资金分配情况"]
    for k in range(3):
        lines.append(f"{k + 1}.分配" + "，".join(f"{n}{10 + 3 * j + k}.5万元" for j, n in enumerate(names)) + "。")
    return "\n".join(lines) + "\n"


@settings(max_examples=25, deadline=None)
@given(st.permutations(PLACES), st.integers(0, 5), st.integers(0, 2), st.sampled_from(["kind", "sound", "other"]))
def test_a_listed_place_written_once_otherwise(names, which, row, how):
    text = allocation(list(names))
    assert found(text) == []
    name = names[which]
    wrong = {"kind": name[:-1] + ("县" if name.endswith("区") else "区"), "sound": HOMOPHONE[name],
             "other": OTHER_SOUND[name]}[how]
    lines = text.split("\n")
    lines[2 + row] = lines[2 + row].replace(name, wrong)
    got = found("\n".join(lines))
    expected = {"kind": [("B05", wrong)], "sound": [("B09", wrong)], "other": []}[how]
    assert got == expected


def test_a_township_report_speaking_as_another_kind_of_unit():
    base = "某县角山乡人民政府2024年度部门整体支出绩效自评报告\n一、部门职责\n角山乡人民政府负责{}的党的建设。距{}驻地12公里。\n"
    assert found(base.format("本乡", "乡政府"), ["B05"]) == []
    assert [e[:3] for _, e in found(base.format("本街道", "乡政府"), ["B05"])] == ["本街道"]
    assert [e[:3] for _, e in found(base.format("本乡", "镇政府"), ["B05"])] == ["镇政府"]
    named = "某县角山乡人民政府2024年度报告\n本乡距石桥镇政府驻地12公里。\n"
    assert found(named, ["B05"]) == []


def test_a_county_department_names_its_towns_and_a_province_slogan_is_no_foreign_unit():
    town = parse_text("桐溪县石桥镇人民政府\n2024年度部门整体支出绩效自评报告\n石桥镇全年完成道路硬化三公里。\n", "a.txt")
    dept = parse_text("桐溪县数据管理局\n2024年度部门整体支出绩效自评报告\n为石桥镇等12个乡镇提供政务服务，"
                      "奋力建设美丽新湖南。\n", "b.txt")
    ctx = Context([town, dept])
    assert town.meta.town and not dept.meta.town
    assert [f for f in run_rules(dept, ctx, only=["B05"]) if f.rule == "B05"] == []
    other = parse_text("桐溪县柳河镇人民政府\n2024年度部门整体支出绩效自评报告\n柳河镇借鉴石桥镇经验，建设美丽新桃源。\n", "c.txt")
    found = [f.evidence for f in run_rules(other, Context([town, other]), only=["B05"]) if f.rule == "B05"]
    assert found == ["石桥镇", "桃源"]
