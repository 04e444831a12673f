"""Forms in .docx (also nested in a Word table) and in a .docx saved as PDF read alike."""
from __future__ import annotations

import docx
import pytest

from jixiao.rules.subject import Context, run_rules
from jixiao.model.writers import text_to_docx, text_to_pdf
from jixiao.model.report import load_report

pytest.importorskip("pdfplumber")

A_RULES = [f"A{i:02d}" for i in range(1, 11)]

HEADER = ["", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]


def _form_text(rate: str) -> str:
    rows = [HEADER, ["年度资金总额", "30.00", "40.00", "36.00", "10", rate, "9.00"],
            ["其中：财政拨款", "20.00", "25.00", "22.00", "", "88.00%", ""],
            ["其他资金", "10.00", "15.00", "14.00", "", "93.33%", ""]]
    table = "".join("".join(f"\t{c}\n" for c in row) + "\n" for row in rows)
    return ("项目支出绩效自评表\n一、项目资金情况（万元）\n" + table +
            "二、绩效目标完成情况\n项目按计划完成，资金执行率较高。\n")


def _findings(report):
    return sorted((f.rule, f.evidence, f.message) for f in run_rules(report, Context([report]), only=A_RULES))


@pytest.mark.parametrize("rate", ["90.00%", "95.00%"])
def test_a_docx_saved_as_pdf_gives_the_same_tables_and_findings(tmp_path, rate):
    text = _form_text(rate)
    d = load_report(text_to_docx(text, tmp_path / "form.docx"))
    p = load_report(text_to_pdf(text, tmp_path / "form.pdf", tables=True))
    assert len(d.tables) == len(p.tables) >= 1
    for a, b in zip(d.tables, p.tables):
        assert a.columns == b.columns
        assert a.frame.equals(b.frame)
    assert _findings(d) == _findings(p)
    if rate == "95.00%":  # 36 ÷ 40 = 90%: the altered rate is found in both
        assert any(r == "A01" and ev == "95.00%" for r, ev, _ in _findings(p))
    else:
        assert _findings(p) == []


def test_a_table_nested_in_a_word_table_is_read(tmp_path):
    document = docx.Document()
    document.add_paragraph("项目支出绩效自评表")
    outer = document.add_table(rows=2, cols=2)
    outer.cell(0, 0).text = "项目名称"
    outer.cell(0, 1).text = "农村道路维修"
    outer.cell(1, 0).text = "项目资金（万元）"
    inner = outer.cell(1, 1).add_table(rows=3, cols=4)
    for r, row in enumerate([["", "全年预算数", "全年执行数", "执行率"], ["年度资金总额", "40.00", "36.00", "95.00%"],
                             ["其中：财政拨款", "40.00", "36.00", "90.00%"]]):
        for k, value in enumerate(row):
            inner.cell(r, k).text = value
    document.add_paragraph("二、绩效目标完成情况")
    path = tmp_path / "nested.docx"
    document.save(path)
    report = load_report(path)
    assert "\t全年执行数\n" in report.text and "\t95.00%\n" in report.text
    found = _findings(report)
    assert [(r, ev) for r, ev, _ in found] == [("A01", "95.00%")]
