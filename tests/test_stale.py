"""B08: references that expired before the report's fiscal year."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.rules.subject import Context, run_rules
from jixiao.model.report import parse_text


def b08(text: str):
    report = parse_text(text)
    return [f.evidence for f in run_rules(report, Context([report]), only=["B08"]) if f.rule == "B08"]


@settings(max_examples=20, deadline=None)
@given(st.integers(2019, 2025), st.integers(0, 3))
def test_a_cited_notice_for_an_earlier_years_evaluation(year, back):
    notice = f"关于开展{year - back}年度水利发展资金绩效评价工作的通知"
    text = (f"某县水利局{year}年度项目支出绩效自评报告\n一、自评依据\n"
            f"本项目自评依据为《{notice}》，对{year}年度资金开展自评。\n")
    assert b08(text) == ([notice] if back else [])


def test_poverty_wording_after_2020_but_not_fund_names():
    text = ("某镇2022年度项目支出绩效自评报告\n解决农村贫困人口饮水问题，受益建档立卡贫困人口数24人。\n"
            "贫困人口生态护林员项目资金到位100万元。\n")
    assert b08(text) == ["农村贫困人口", "建档立卡贫困人口"]
    assert b08(text.replace("2022年度", "2020年度")) == []
