"""Meta inferred from header, signature and body: checked on every seed and on variants."""
from __future__ import annotations

import pytest

from jixiao.meta import parse_admin, place_mentions
from jixiao.report import load_report, parse_text

# County, where the report names one; the expected file lists town and year.
NAMED_COUNTY = {"001": "青龙满族自治县", "002": "涞源县", "003": "徐水区", "000": None, "004": None}


def test_seed_meta_matches_expected(seeds, seed_expected):
    by_name = {p.name: p for p in seeds}
    for entry in seed_expected:
        meta = load_report(by_name[entry["file"]]).meta
        for key, value in entry["meta"].items():
            assert getattr(meta, key) == value, (entry["file"], key)
        assert meta.county == NAMED_COUNTY[entry["file"][:3]], entry["file"]


@pytest.mark.parametrize("unit, expected", [
    ("南屏市云台区长岭镇人民政府", {"city": "南屏市", "county": "云台区", "town": "长岭镇"}),
    ("白溪满族自治县鹤鸣镇人民政府", {"county": "白溪满族自治县", "town": "鹤鸣镇"}),
    ("江南省南屏市桐安市杏林镇人民政府", {"province": "江南省", "city": "南屏市", "county": "桐安市", "town": "杏林镇"}),
    ("桐溪县石门乡人民政府", {"county": "桐溪县", "town": "石门乡"}),
    ("南屏市云台区长岭街道办事处", {"city": "南屏市", "county": "云台区", "town": "长岭街道办事处"}),
])
def test_parse_admin(unit, expected):
    assert parse_admin(unit) == expected


def test_words_ending_in_suffix_characters_are_not_places():
    counts = place_mentions("根据当前市场行情，推进小城镇建设，落实乡村振兴，创建省级园林县城，全区范围内。")
    assert not counts


def test_report_without_header_names_itself_in_the_body():
    text = ("一、基本情况\n本部门2022年度预算资金300万元。\n"
            "二、项目情况\n（一）道路项目：红岩镇石桥村是我镇的重点村，资金用于道路硬化。\n"
            "（二）环境整治：红岩镇各村开展清洁行动。\n")
    meta = parse_text(text).meta
    assert meta.town == "红岩镇"
    assert meta.year == 2022
    assert meta.unit is None


def test_signature_gives_unit_and_date_and_year_falls_back_to_it():
    text = ("关于部门项目支出绩效自评的报告\n一、项目概况\n全年共实施项目5个。\n"
            "桐溪县白沙镇人民政府\n2024年3月5日\n")
    meta = parse_text(text).meta
    assert meta.unit == "桐溪县白沙镇人民政府"
    assert (meta.town, meta.county) == ("白沙镇", "桐溪县")
    assert meta.signature_date == "2024-03-05"
    assert meta.year == 2023
    assert meta.kind == "项目支出"


@pytest.mark.parametrize("title, kind", [
    ("2023年度部门整体支出绩效自评报告", "整体支出"),
    ("2023年度项目支出绩效自评报告", "项目支出"),
])
def test_kind_from_title(title, kind):
    assert parse_text(f"梅岭镇人民政府\n{title}\n一、概况\n正文。\n").meta.kind == kind
