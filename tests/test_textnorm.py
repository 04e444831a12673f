"""Folding keeps every offset: full-width forms, traditional characters and inline pinyin."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.model.figures import extract_figures
from jixiao.read.textnorm import compact, fold

# Characters of the shapes real mirror sites produce: CJK, traditional, pinyin letters, brackets, digits.
_ALPHABET = st.sampled_from(list("項目績效預算萬元億總計鎮縣區鄉國後於乾坤干(（)）jiānxàgzhèü0123456789.,，。 \n\t３５％"))


@given(st.text(alphabet=_ALPHABET, max_size=80) | st.text(max_size=80))
@settings(max_examples=300, deadline=None)
def test_fold_keeps_length(text):
    assert len(fold(text)) == len(text)


@given(st.text(alphabet=_ALPHABET, max_size=80))
@settings(max_examples=200, deadline=None)
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


def test_traditional_characters_fold_to_simplified_one_by_one():
    assert fold("白溪縣石門鄉人民政府總計萬元億元") == "白溪县石门乡人民政府总计万元亿元"


def test_simplified_text_that_gb2312_holds_is_left_alone():
    text = "乾坤朗朗，于是镇政府干部按时完成"
    assert fold(text) == text


def test_inline_pinyin_becomes_blanks_that_compact_drops():
    source = "績效目標(biāo)完成情況(kuàng)說明"
    folded = fold(source)
    assert len(folded) == len(source)
    assert compact(folded) == "绩效目标完成情况说明"
    assert "(" not in folded and "biāo" not in folded


def test_brackets_that_are_not_pinyin_stay():
    for text in ("面积(km)", "项目(一)", "(a)款", "资金(元)", "2023(年度)"):
        assert fold(text) == text


@given(st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False), st.sampled_from(["萬元", "億元", "万元"]))
@settings(max_examples=100, deadline=None)
def test_traditional_money_units_are_units(amount, unit):
    text = f"下達(dá)補助資金{amount}{unit}。"
    figures = [f for f in extract_figures(text) if f.kind == "money"]
    assert len(figures) == 1
    f = figures[0]
    assert f.number == amount and f.unit == {"萬元": "万元", "億元": "亿元"}.get(unit, unit)
    assert text[f.start:f.end] == f"{amount}{unit}"


@given(st.lists(st.sampled_from(["(shí)", "(jì)", "(huà)", "(dào)", "(zhàng)"]), min_size=8, max_size=8),
       st.lists(st.booleans(), min_size=8, max_size=8), st.decimals(min_value=1, max_value=9999, places=2))
@settings(max_examples=100, deadline=None)
def test_a_mirrors_inline_pinyin_leaves_no_gap_in_a_figures_label(pinyin, where, amount):
    """A label the mirror broke with pinyin (實(shí)際到賬) reads as the same words as without it, so word
    lists match it and reviewers read 实际到账, not 实     际到账."""
    from jixiao.claims.context import Facts
    from jixiao.model.report import parse_text

    words = "計劃投入實際到賬"
    mirrored = "".join(ch + (p if w else "") for ch, p, w in zip(words, pinyin, where))
    plain, mirror = (Facts(parse_text(f"三、資金情況\n本年{w}資金{amount}萬元，已全部撥付。\n")) for w in (words, mirrored))
    label = [f.label for f in plain.figures if f.kind == "money"]
    assert label == [f.label for f in mirror.figures if f.kind == "money"] and label[0].endswith("计划投入实际到账资金")
