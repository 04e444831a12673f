"""Meta inferred from header, signature and body: checked on every seed and on variants."""
from __future__ import annotations

import pytest

from jixiao.model.meta import parse_admin, place_mentions
from jixiao.model.report import load_report, parse_text

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


# ---------------------------------------------------------------- generated headers (hypothesis)

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_CHARS = "桐溪鹤岚枫栖澜霞榕翠琅珂"
_name = st.text(alphabet=_CHARS, min_size=2, max_size=2)
_year = st.integers(min_value=2013, max_value=2030)
_month = st.integers(min_value=1, max_value=12)
_day = st.integers(min_value=1, max_value=28)


def _header(shape: str, year: int, county: str, town: str, month: int, day: int) -> str:
    unit = f"{county}县{town}镇人民政府"
    filed = f"{year + 1}年{month}月{day}日"
    published = f"发布日期:{year + 1}-{month:02d}-{day:02d}\n"
    body = ("一、基本情况\n本单位全年预算资金300万元，执行率95%。\n"
            f"根据《关于下达{year - 1}年度乡村振兴资金的通知》安排资金，预计于{year + 1}年6月全部完工。\n")
    if shape == "field":
        return f"部门整体支出绩效自评报告\n评价年度:{year}\n评价单位(公章):{unit}\n填报日期:{filed}\n{body}"
    if shape == "bracket":
        return f"{published}部门预算项目支出绩效自评表({year}年度)\n实施单位:{unit}\n{body}"
    if shape == "title":
        return f"{published}{year}年度{unit}部门整体支出绩效自评报告\n{body}"
    dated = {"up_to": f"截至{year}年11月底，资金已全部支付。",
             "dotted": f"项目于{year}.6.30完工验收。",
             "dashed": f"项目于{year}-03-15开工建设。"}[shape]
    return f"{published}{unit}项目支出绩效自评报告\n{body}{dated}\n{unit}\n{filed}\n"


@given(st.sampled_from(["field", "bracket", "title", "up_to", "dotted", "dashed"]), _year, _name, _name, _month, _day)
@settings(max_examples=120, deadline=None)
def test_each_year_shape_gives_the_evaluated_year_not_the_filing_year(shape, year, county, town, month, day):
    meta = parse_text(_header(shape, year, county, town, month, day)).meta
    assert meta.year == year, shape
    assert not meta.year_inferred


@given(_year, _name, _name, _month, _day, st.booleans())
@settings(max_examples=60, deadline=None)
def test_filing_year_minus_one_only_when_no_year_is_stated_and_marked_inferred(year, county, town, month, day, signed):
    unit = f"{county}县{town}镇人民政府"
    head = "" if signed else f"填报日期:{year + 1}年{month}月{day}日\n"
    tail = f"{unit}\n{year + 1}年{month}月{day}日\n" if signed else ""
    meta = parse_text(f"{unit}部门整体支出绩效自评报告\n{head}一、基本情况\n本单位执行率95%。\n{tail}").meta
    assert (meta.year, meta.year_inferred) == (year, True)


def test_no_date_at_all_gives_no_year():
    meta = parse_text("部门整体支出绩效自评报告\n一、基本情况\n本单位执行率95%。\n").meta
    assert meta.year is None and not meta.year_inferred


def test_an_essay_site_posting_date_is_no_filing_date():
    text = "村级道路项目绩效自评报告\n时间:2025-11-02 10:41:07 小编整理 我要投稿\n一、项目概况\n20XX年度资金执行率95%。\n"
    assert parse_text(text).meta.year is None


# ---------------------------------------------------------------- place names anchored to their shapes

@pytest.mark.parametrize("sentence, not_a_place", [
    ("全面落实区委要求，推进工作。", "落实区"),
    ("我镇着力打造文明县城。", "文明县"),
    ("单位名称某某县人民政府", "名称某某县"),
    ("根据受桐溪县财政局委托开展评价", "受桐溪县"),
    ("2021年度桐溪县乡村振兴专项资金", "度桐溪县"),
    ("经县财政局同意，开展自评。", "经县"),
    ("按县委要求开展自评。", "按县"),
])
def test_a_suffix_glued_to_the_words_before_it_is_no_place(sentence, not_a_place):
    names = {name for name, _ in place_mentions(sentence)}
    assert not_a_place not in names
    assert not any(n.endswith(not_a_place[-2:]) and len(n) > 4 for n in names)


@pytest.mark.parametrize("sentence, county", [
    ("单位名称:某某县人民政府", "某某县"),
    ("根据受桐溪县财政局委托开展评价", "桐溪县"),
    ("沛县财政局安排资金", "沛县"),
    ("按照易县人民政府要求", "易县"),
])
def test_anchored_counties_are_found_one_character_names_too(sentence, county):
    assert (county, "county") in place_mentions(sentence)


def test_county_town_with_a_suffix_word_inside_is_still_a_chain():
    assert parse_admin("桐溪县城关镇人民政府") == {"county": "桐溪县", "town": "城关镇"}


def test_a_county_level_city_right_above_a_town_is_the_county():
    assert parse_admin("桐安市杏林镇人民政府") == {"county": "桐安市", "town": "杏林镇"}


# ---------------------------------------------------------------- the unit and the kind

def test_the_unit_comes_from_the_title_not_a_cited_document_or_a_banner():
    text = ("南屏市人民政府门户网站\n索引号 001-2024 发布机构 南屏市人民政府办公室\n"
            "南屏市云台区林业和草原局2023年度项目支出绩效自评报告\n"
            "根据《南屏市财政局关于开展2023年度绩效自评工作的通知》，现将自评情况报告如下：\n"
            "一、项目概况\n长岭镇、杏林镇等乡镇实施森林管护，资金拨付到长岭镇人民政府。\n")
    meta = parse_text(text).meta
    assert meta.unit == "南屏市云台区林业和草原局"
    assert (meta.county, meta.town, meta.year, meta.kind) == ("云台区", None, 2023, "项目支出")


@pytest.mark.parametrize("unit", ["桐溪县第二中学", "桐溪县人民医院", "桐溪县农业技术推广站", "桐溪县政务服务中心",
                                  "桐溪县林业工作站", "桐溪县白沙镇卫生院"])
def test_county_departments_schools_and_hospitals_are_units(unit):
    meta = parse_text(f"{unit}2023年度项目支出绩效自评报告\n一、项目概况\n资金用于石门乡、鹤鸣镇的服务。\n").meta
    assert meta.unit == unit and meta.county == "桐溪县"
    assert meta.town == (parse_admin(unit).get("town"))


def test_a_form_field_names_the_unit_even_one_cell_per_line():
    text = "部门预算项目支出绩效自评表(2023年度) |\n项目名称 |\n道路养护 |\n实施单位 (盖章) |\n桐溪县交通运输局 |\n"
    meta = parse_text(text).meta
    assert (meta.unit, meta.year, meta.kind) == ("桐溪县交通运输局", 2023, "项目支出")


@pytest.mark.parametrize("title, kind", [
    ("桐溪县白沙镇人民政府2023年度部门决算", "部门决算"),
    ("桐溪县白沙镇人民政府2023年度部门整体支出绩效自评报告", "整体支出"),
    ("桐溪县白沙镇2023年度农村道路项目绩效自评报告", "项目支出"),
    ("桐溪县白沙镇2023年度财政专项资金绩效自评报告", "项目支出"),
])
def test_kind_from_the_title_not_from_project_words_in_the_body(title, kind):
    body = "一、基本情况\n全年实施项目12个，项目资金300万元，项目支出执行率95%，项目全部完工。\n" * 3
    assert parse_text(f"{title}\n{body}").meta.kind == kind


def test_kind_from_the_statement_of_what_is_evaluated_when_the_title_says_little():
    text = "绩效自评报告\n本镇对2023年度整体支出情况开展了自评。\n一、项目情况\n项目12个。\n"
    assert parse_text(text).meta.kind == "整体支出"


def test_a_traditional_character_header_gives_meta_with_names_as_written():
    text = ("監(jiān)督索引號001\n桐溪縣白沙鎮(zhèn)人民政府2023年度部門決算\n目錄\n"
            "第一部分 部門概況\n一、主要職能\n本年收入總計268.15萬元。\n")
    meta = parse_text(text).meta
    assert (meta.unit, meta.county, meta.town) == ("桐溪縣白沙鎮人民政府", "桐溪縣", "白沙鎮")
    assert (meta.year, meta.kind) == (2023, "部门决算")


# ---------------------------------------------------------------- on the real development set, when present

def _real():
    import json

    from .conftest import SHARED
    real = SHARED / "real"
    if not (real / "expected_arithmetic.json").exists():
        pytest.skip("../shared/real is not beside this checkout (the real reports are not part of the repo)")
    return real, json.loads((real / "expected_arithmetic.json").read_text(encoding="utf-8"))


def test_real_reports_fiscal_year_right_in_95_percent():
    real, expected = _real()
    right = total = 0
    for entry in expected:
        year = (entry.get("meta") or {}).get("year")
        if year is None:
            continue
        total += 1
        right += load_report(real / entry["file"]).meta.year == year
    assert total and right / total >= 0.95, f"{right}/{total}"


def test_a_sentence_that_mentions_the_report_is_not_taken_for_the_title():
    text = ("桐溪县白沙镇人民政府2023年度部门整体支出绩效自评报告\n"
            "经县财政局同意，开展自评，现将项目支出自评情况报告如下：\n一、基本情况\n正文。\n")
    meta = parse_text(text).meta
    assert (meta.unit, meta.kind, meta.year) == ("桐溪县白沙镇人民政府", "整体支出", 2023)


@given(st.sampled_from(["根据", "按照", "受", "经", "由", "单位名称", "单位名称:", "2021年度", "落实", "，", "\n", "关于"]),
       _name, st.sampled_from(["县财政局", "县人民政府", "县委", "县农业农村局"]))
@settings(max_examples=120, deadline=None)
def test_a_county_after_any_glue_word_is_the_name_alone(prefix, name, rest):
    counties = [n for (n, level) in place_mentions(f"{prefix}{name}{rest}要求开展自评。") if level == "county"]
    assert counties == [f"{name}县"]


def test_the_implementing_unit_outranks_the_supervising_department():
    text = "项目支出绩效自评表(2023年度)\n主管部门:桐溪县教育局\n实施单位:桐溪县第二中学\n一、项目概况\n正文。\n"
    assert parse_text(text).meta.unit == "桐溪县第二中学"


def test_real_reports_kind_right_in_90_percent():
    import json
    real, _ = _real()
    index = json.loads((real / "index.json").read_text(encoding="utf-8"))
    names = {"决算": "部门决算"}
    right = sum(load_report(real / e["file"]).meta.kind == names.get(e["kind"], e["kind"]) for e in index)
    assert right / len(index) >= 0.9, f"{right}/{len(index)}"


@pytest.mark.parametrize("tail, date", [
    ("桐溪县白沙镇人民政府\n二〇二四年三月五日\n", "2024-03-05"),
    ("桐溪县白沙镇人民政府 2024年3月15日\n", "2024-03-15"),
    ("桐溪县白沙镇人民政府\n二〇二四年十二月二十八日\n", "2024-12-28"),
])
def test_signature_dates_in_chinese_numerals_or_after_the_unit(tail, date):
    meta = parse_text(f"部门整体支出绩效自评报告\n一、基本情况\n执行率95%。\n{tail}").meta
    assert meta.signature_date == date
    assert (meta.year, meta.year_inferred) == (2023, True)
    assert meta.unit == "桐溪县白沙镇人民政府"


def test_a_title_year_in_chinese_numerals():
    meta = parse_text("桐溪县白沙镇人民政府二〇二三年度部门整体支出绩效自评报告\n一、基本情况\n执行率95%。\n").meta
    assert (meta.year, meta.unit) == (2023, "桐溪县白沙镇人民政府")


def test_city_from_an_address_that_runs_down_to_the_own_county():
    text = ("桐溪县白沙镇人民政府\n2023年度部门整体支出绩效自评报告\n一、基本情况\n"
            "本单位办公地点位于江南省南屏市桐溪县福安路18号。南屏市云台区另有安排。\n")
    meta = parse_text(text).meta
    assert (meta.county, meta.town, meta.city, meta.province) == ("桐溪县", "白沙镇", "南屏市", "江南省")


def test_a_city_the_text_does_not_tie_to_the_own_county_is_not_taken():
    text = "桐溪县白沙镇人民政府\n2023年度部门整体支出绩效自评报告\n一、基本情况\n根据南屏市财政局通知开展自评。\n"
    assert parse_text(text).meta.city is None


def test_a_one_character_county_above_a_town_is_a_chain():
    assert parse_admin("沛县白沙镇人民政府") == {"county": "沛县", "town": "白沙镇"}
    assert parse_admin("某县石门乡人民政府") == {"county": "某县", "town": "石门乡"}


@pytest.mark.parametrize("lead", ["", "手机网站"])
def test_unit_from_the_report_title_above_its_forms_title(lead):
    """A report's title names the unit; the form's own title below it does not. The unit comes from
    the report's title, when that line starts with a place (not with a banner glued before it)."""
    text = (f"{lead}桐溪县农业农村局2023年度转移支付预算执行情况绩效自评报告\n"
            "农业发展资金绩效自评\n一、绩效目标分解下达情况\n下达资金100万元。\n")
    unit = parse_text(text, "x.txt").meta.unit
    assert unit == (None if lead else "桐溪县农业农村局")


@settings(max_examples=40, deadline=None)
@given(_name, _name, _name, _year)
def test_a_third_partys_report_takes_the_unit_it_evaluates_when_it_is_the_titles_town(county, town, other, year):
    """No unit in the title or fields: 对某县某镇人民政府…进行绩效评价 names the unit, when that unit holds the
    report's own town (another town's office named there is no unit of this report)."""
    title = f"{year}年度{county}县{town}镇乡村振兴专项资金绩效评价报告\n上会报字（{year + 1}）第0011号\n"
    said = "为规范资金管理，{}会计师事务所成立评价工作组对{}县{}镇人民政府{}年乡村振兴专项资金项目进行绩效评价。\n"
    own = parse_text(title + said.format(other, county, town, year)).meta
    assert own.unit == f"{county}县{town}镇人民政府" and own.town == f"{town}镇"
    if other != town:
        elsewhere = parse_text(title + said.format(other, county, other, year)).meta
        assert elsewhere.unit is None and elsewhere.town == f"{town}镇"


@settings(max_examples=40, deadline=None)
@given(_name, _name, st.sampled_from(["财政局", "文化和广电旅游体育局", "农业农村局", "卫生健康委员会"]),
       st.sampled_from(["县", "市"]))
def test_a_publisher_named_without_its_place_takes_its_full_name_from_the_text(county, other, body, kind):
    """来源:县财政局 on a government page, and the text naming 某县财政局 in full: that is the unit; two
    different places before the body leave it unknown."""
    page = f"您所在的位置:首页\n发布日期:2021-10-12 16:58 来源:{kind}{body}\n浏览次数:\n2020年度绩效评价\n"
    said = "项目全年预算数为1050万元。一是2020年，{}{}{}及其下属各单位开展了各项工作。\n"
    meta = parse_text(page + said.format(county, kind, body)).meta
    assert meta.unit == f"{county}{kind}{body}"
    if other != county:
        both = parse_text(page + said.format(county, kind, body) + said.format(other, kind, body)).meta
        assert both.unit is None


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1960, max_value=2015), _month, _year)
def test_the_start_of_a_span_is_no_fiscal_year(built, month, year):
    """小区1985年1月至2000年陆续建成: when a history began says nothing of the year evaluated; a report
    whose own years are placeholders (20xx) has no year rather than that one."""
    text = ("根据市住建局20xx年度老旧小区改造绩效评价要求，对我县20xx年老旧小区改造进行了自评。\n"
            f"该小区{built}年{month}月至{built + 5}年陆续建成，至今已有多年。\n")
    assert parse_text(text).meta.year is None
    dated = text + f"{year}年{month}月开工，当年完成改造。\n"
    assert parse_text(dated).meta.year == year
