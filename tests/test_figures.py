"""Figures: number, unit, precision, bound and offsets; generated cases with hypothesis."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.model.figures import extract_figures
from jixiao.model.report import load_report, parse_text

from .conftest import run_cli, seed


def _one(text):
    figs = [f for f in extract_figures(text) if f.kind not in ("year", "date")]
    assert len(figs) == 1, figs
    return figs[0]


def test_seed_001_figures_cli_lists_the_unit_error_and_the_rate():
    out = run_cli("figures", "--csv", str(seed("001")))
    assert out.returncode == 0, out.stderr
    from io import StringIO
    frame = pd.read_csv(StringIO(out.stdout.decode("utf-8")))
    assert ((frame["value"] == 1249.58) & (frame["unit"] == "元")).any()
    assert ((frame["value"] == 123.76) & (frame["unit"] == "%")).any()
    row = frame[(frame["value"] == 1249.58) & (frame["unit"] == "元")].iloc[0]
    text = seed("001").read_text(encoding="utf-8")
    assert text[row["start"]:row["end"]] == "1249.58元"


def test_seed_001_project_table():
    r = load_report(seed("001"))
    table = next(t for t in r.tables if t.column("项目名称"))
    df = table.frame
    assert len(df) == 19
    for name in ("预算金额", "自评分"):
        col = table.column(name)
        assert pd.api.types.is_numeric_dtype(df[col]), name
    assert round(df[table.column("预算金额")].sum(), 3) == 553.956
    assert df[table.column("自评分")].min() == 83.25


def test_table_cells_take_the_column_unit():
    r = load_report(seed("001"))
    cell_figs = [f for f in r.figures if f.table is not None and f.col == 3]
    assert len(cell_figs) == 19 and all(f.unit == "万元" and f.unit_inferred for f in cell_figs)


def test_spaces_fullwidth_separators_and_chinese_numerals():
    f = _one("年度实际支出率达 123.76 %。")
    assert (f.value, f.unit, f.decimals, f.text) == (123.76, "%", 2, "123.76 %")
    f = _one("执行率为１２３.４５％")
    assert (f.value, f.unit, f.decimals) == (123.45, "%", 2)
    f = _one("合计1,867.48万元")
    assert (f.number, f.unit) == (Decimal("1867.48"), "万元")
    f = _one("涉及四百一十二户")
    assert (f.value, f.unit, f.numeral) == (412, "户", "chinese")
    f = _one("资金5万，")
    assert (f.unit, f.kind, f.unit_written) == ("万元", "money", "万")
    f = _one("服务1.2万人")
    assert (f.value, f.unit) == (12000, "人")


def test_money_is_normalised_to_wan():
    figs = extract_figures("共50452元，合5.0452万元，计0.5亿元")
    assert [f.wan for f in figs] == [Decimal("5.0452"), Decimal("5.0452"), Decimal("5000.0")]


def test_targets_are_told_apart_from_values():
    figs = {f.text: f.bound for f in extract_figures(
        "覆盖率达到95%以上，投诉率5%以下，不低于5万元，约30人，执行率88.28%，得分80-90分")}
    assert figs == {"95%": "min", "5%": "max", "5万元": "min", "30人": "approx", "88.28%": None,
                    "80": "range", "90分": "range"}


def test_document_numbers_and_ordinals_are_not_figures():
    figs = extract_figures("（石发〔2019〕8号）第三批，《通知》（徐政财字〔2025〕19号），十三五期间")
    assert [f for f in figs if f.kind not in ("year",)] == []


def test_malformed_numbers_are_kept_as_malformed():
    f = _one("共计1,2,3.4.5万元")
    assert f.kind == "malformed" and f.number is None


def test_dates_and_years():
    figs = extract_figures("截至 2023 年 12 月 31日，2023年度项目")
    assert [(f.kind, f.value) for f in figs] == [("date", 2023.0), ("year", 2023.0)]


UNITS = ["万元", "元", "亿元", "%", "个", "户", "人", "亩", "分", "次", "元/亩"]
FILLER = st.text(alphabet="的资金项目预算执行情况良好全镇村级组织运转经费用于道路修建", min_size=1, max_size=12)


@st.composite
def figure_cases(draw):
    whole = draw(st.integers(min_value=0, max_value=10**7))
    decimals = draw(st.integers(min_value=0, max_value=4))
    frac = draw(st.integers(min_value=0, max_value=10**decimals - 1)) if decimals else None
    token = str(whole) + (f".{frac:0{decimals}d}" if decimals else "")
    unit = draw(st.sampled_from(UNITS))
    space = draw(st.sampled_from(["", " "]))
    fullwidth = draw(st.booleans())
    shown = token.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}) if fullwidth else token
    return token, decimals, unit, shown + space + unit


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(FILLER, figure_cases()), min_size=1, max_size=6), FILLER)
def test_generated_figures_are_found_with_value_unit_precision_and_offsets(parts, tail):
    text, expected = "", []
    for filler, (token, decimals, unit, written) in parts:
        text += filler + "，"
        expected.append((Decimal(token), unit, decimals, len(text), len(text) + len(written)))
        text += written + "。"
    text += tail
    got = [(f.number, f.unit, f.decimals, f.start, f.end) for f in extract_figures(text)]
    assert got == expected
    for f in extract_figures(text):
        assert text[f.start:f.end] == f.text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_and_offsets_stay_valid(text):
    r = parse_text(text)
    for f in r.figures:
        assert 0 <= f.start < f.end <= len(text) and text[f.start:f.end] == f.text
    for p in r.paragraphs:
        assert text[p.start:p.end] == p.text


def test_tolerance_follows_stated_precision():
    from jixiao.claims.tolerance import consistent, gross
    D = Decimal
    assert consistent(D("69"), 0, D("382.18") / D("553.96") * 100)          # 68.99 rounds to 69
    assert consistent(D("123.76"), 2, D("1249.58") / D("1009.62") * 100)   # 123.767 truncates to 123.76
    assert consistent(D("84.67"), 2, D("903.54") / D("1067.1") * 100)
    assert not consistent(D("84.68"), 2, D("903.54") / D("1067.1") * 100)
    assert not consistent(D("100"), 0, D(18) / D(19) * 100)
    assert gross(D("100"), D(18) / D(19) * 100, is_rate=True)
    assert not gross(D("84.68"), D("84.6719"), is_rate=True)
    assert gross(D("560.67"), D("553.956"), is_rate=False)
