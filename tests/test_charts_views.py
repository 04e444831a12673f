"""Charts draw Chinese with a CJK font; report text reaching HTML is escaped."""
from __future__ import annotations

import os
import warnings

import pandas as pd
import pytest

from jixiao import charts, views
from jixiao.fonts import find_cjk_font


def _need_font():
    if find_cjk_font() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install a CJK font (.ci/run installs fonts-wqy-microhei)")
        pytest.skip("no CJK font on this machine (apt-get install fonts-wqy-microhei or fonts-noto-cjk)")


def test_chart_text_is_drawn_with_a_cjk_font_not_dejavu():
    _need_font()
    from matplotlib.font_manager import FontProperties, findfont

    frame = pd.DataFrame({"项目": ["村级组织运转经费", "河道整治工程"], "预算（万元）": [84.0, 50.0], "支出（万元）": [84.0, 43.2]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = charts.budget_vs_spent(frame)
        fig.canvas.draw()
    assert not [w for w in caught if "missing from font" in str(w.message)]
    for text in [fig.axes[0].title] + fig.axes[0].get_yticklabels():
        path = findfont(FontProperties(family=text.get_fontfamily()))
        assert "DejaVu" not in path, (text.get_text(), path)
    assert fig.axes[0].get_title() == "各项目预算与支出"


def test_report_text_is_escaped_everywhere():
    hostile = "前文<script>alert(1)</script><img src=x onerror=alert(2)>后文"
    start = hostile.index("<script>")
    html = views.finding_cards(hostile, [{"rule": "B04", "severity": "medium", "message": "<b>消息</b>",
                                          "start": start, "end": start + 25}])
    assert "<script>" not in html and "<img" not in html and "<b>消息</b>" not in html
    assert "&lt;script&gt;" in html and "<mark>" in html
    table = views.table(pd.DataFrame({"原文": [hostile]}))
    assert "<script>" not in table and "&lt;img" in table
    card = views.meta_card({"town": "<i>x</i>"})
    assert "<i>x</i>" not in card


def test_exports_keep_formulas_as_text(tmp_path):
    import openpyxl

    from jixiao.exports import index_html, write_csv, write_xlsx

    results = [{"name": "a.txt", "meta": {"town": "白沙镇", "year": 2023},
                "findings": [{"rule": "B04", "severity": "medium", "message": "=HYPERLINK(\"http://x\")",
                              "evidence": "=1+1", "start": 0, "end": 4}]}]
    write_xlsx(tmp_path / "f.xlsx", results)
    ws = openpyxl.load_workbook(tmp_path / "f.xlsx")["全部"]
    assert ws["G2"].value == "=1+1" and ws["G2"].data_type == "s"
    write_csv(tmp_path / "f.csv", results)
    assert "'=1+1" in (tmp_path / "f.csv").read_text(encoding="utf-8-sig")
    page = index_html([{"name": "x", "town": "<script>", "status": "failed", "error": "<img src=x>"}])
    assert "<script>" not in page.split("</style>")[1] and "&lt;img" in page
