"""Charts draw Chinese with a CJK font (a system one, else pip's); chart labels are never mathtext;
report text reaching HTML is escaped; the workbook is what an auditor's 问题清单 is."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.present import charts, views
from jixiao.present.fonts import find_cjk_font, font_file, pip_font_file

from .conftest import ROOT

NO_SYSTEM_FONTS = ROOT / "tests" / "nosysfonts"
DRAW = """
import warnings, json, sys
import matplotlib.font_manager as fm
from jixiao.present.fonts import CANDIDATES, find_cjk_font, font_file
visible = sorted({f.name for f in fm.fontManager.ttflist})
warnings.simplefilter("always")
with warnings.catch_warnings(record=True) as caught:
    import pandas as pd
    from jixiao.present import charts
    frame = pd.DataFrame({"项目": ["村级组织运转经费", "河道整治工程"], "预算（万元）": [84.0, 50.0],
                          "支出（万元）": [84.0, 43.2]})
    fig = charts.budget_vs_spent(frame)
    fig.savefig(sys.argv[1], format="png")
    label = fig.axes[0].get_yticklabels()[0]
    used = fm.findfont(fm.FontProperties(family=label.get_fontfamily()), fallback_to_default=False)
print(json.dumps({"visible": visible, "font": find_cjk_font(), "file": font_file(find_cjk_font()), "used": used,
                  "warnings": [str(w.message) for w in caught]}))
"""


def _draw_in_fresh_process(tmp_path, stale: bool = False) -> dict:
    """Draw a chart in a new Python whose matplotlib has a fresh cache folder and sees no system font
    (tests/nosysfonts/sitecustomize.py), or, with stale=True, a cache that does not know them."""
    import json

    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl"),
           "PYTHONPATH": os.pathsep.join([str(NO_SYSTEM_FONTS), str(ROOT)])}
    env.pop("JIXIAO_STALE_FONT_CACHE", None)
    if stale:
        env["JIXIAO_STALE_FONT_CACHE"] = "1"
    result = subprocess.run([sys.executable, "-c", DRAW, str(tmp_path / "chart.png")], env=env, capture_output=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert result.stderr == b"", result.stderr.decode()[-2000:]
    return json.loads(result.stdout)


def test_with_no_system_font_charts_draw_chinese_with_the_pip_font(tmp_path):
    if pip_font_file() is None:
        pytest.fail("mplfonts is a dependency of jixiao: pip install -e . installs Noto Sans CJK SC with it")
    seen = _draw_in_fresh_process(tmp_path)
    assert not [n for n in seen["visible"] if "CJK" in n or "WenQuanYi" in n or "Hei" in n], seen["visible"]
    assert seen["font"] == "Noto Sans CJK SC"
    assert Path(seen["file"]) == pip_font_file() and Path(seen["used"]) == pip_font_file()
    assert not [w for w in seen["warnings"] if "missing from font" in w or "CJK" in w], seen["warnings"]
    assert (tmp_path / "chart.png").stat().st_size > 5000


def test_a_system_font_is_preferred_and_found_past_a_stale_cache(tmp_path):
    system = find_cjk_font()
    if system is None or Path(font_file(system)) == pip_font_file():
        pytest.skip("no system CJK font on this machine: only the pip font can be tested here")
    seen = _draw_in_fresh_process(tmp_path, stale=True)  # the cache forgot the system fonts; their files remain
    assert seen["font"] == system and Path(seen["used"]) != pip_font_file()


def test_chart_text_is_drawn_with_a_cjk_font_not_dejavu():
    assert find_cjk_font() is not None  # a system font, or the one pip installed
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


@pytest.mark.parametrize("name", ["费$\\nocmd{x}$", "$x^2$项目", "甲$乙$丙", "一$"])
def test_dollar_signs_in_labels_are_plain_text(name):
    frame = pd.DataFrame({"项目": [name, "其他项目"], "预算（万元）": [10.0, 5.0], "支出（万元）": [9.0, 5.0]})
    fig = charts.budget_vs_spent(frame)
    fig.savefig(io.BytesIO(), format="png")  # outside jixiao's context: mathtext would raise or typeset here
    assert fig.axes[0].get_yticklabels()[0].get_text() == name
    share = charts.share_ranking(pd.DataFrame({"乡镇": [name, "乙镇"], "套话占比": [0.3, 0.1]}))
    share.savefig(io.BytesIO(), format="png")


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


def test_cards_show_chinese_severity_rule_name_location_and_merge_overlaps():
    from jixiao.rules import rule_titles

    text = "一、情况\n" + "甲" * 200
    reused = [{"rule": "B03", "severity": "high", "message": f"也见于 {k}.txt", "start": 10 + k, "end": 60 + k,
               "title": rule_titles()["B03"], "location": {"section": "一、", "paragraph": 2, "page": 3}}
              for k in range(3)]
    other = {"rule": "B01", "severity": "low", "message": "另一条", "start": 100, "end": 120}
    html = views.finding_cards(text, reused + [other])
    assert html.count('class="jx-card') == 2  # three overlapping B03 spans shown as one card
    assert all(f"也见于 {k}.txt" in html for k in range(3))
    assert f"B03 {rule_titles()['B03']}" in html and "一、 · 第2段 · 第3页" in html
    assert ">高<" in html and ">低<" in html and ">high<" not in html
    marked = views.finding_cards(text, [{**other, "review": "误报"}])
    assert "jx-fp" in marked and "复核：误报" in marked


def test_claims_rows_that_do_not_add_up_are_highlighted():
    frame = pd.DataFrame({"结论": ["相符", "不符", "未核对"]})
    html = views.table(frame, bad_rows=[False, True, False])
    rows = html.split("<tbody>")[1].split("</tr>")
    assert 'class="jx-bad"' in rows[1] and "jx-bad" not in rows[0] + rows[2]


def _result(town, findings, year=2023):
    return {"name": f"{town}.txt", "meta": {"town": town, "year": year}, "findings": findings}


def test_workbook_sheets_headers_autofilter_print_setup_and_long_cells(tmp_path):
    import openpyxl

    from jixiao.present.exports import EXCEL_CELL_MAX, ISSUE_HEADERS, write_csv, write_xlsx
    from jixiao.rules import rule_titles

    f = {"rule": "B04", "severity": "low", "message": "=HYPERLINK(\"http://x\")", "evidence": "=1+1", "start": 0, "end": 4}
    high = {"rule": "A01", "severity": "high", "message": "比率不符", "evidence": "95%", "start": 9, "end": 12,
            "amount": "120.50万元", "location": {"section": "三、（二）2.", "paragraph": 7, "page": None}}
    huge = {"rule": "B03", "severity": "medium", "message": "长", "evidence": "长" * 40000, "start": 20, "end": 40020}
    results = [_result("白沙镇", [f, huge]), _result("柳湾镇", [high])]
    write_xlsx(tmp_path / "f.xlsx", results)
    book = openpyxl.load_workbook(tmp_path / "f.xlsx")
    assert book.sheetnames[:2] == ["问题清单", "汇总"]
    ws = book["问题清单"]
    header = [c.value for c in ws[2]]
    assert header[:11] == ["序号", "乡镇/单位", "年度", "问题类型", "问题描述", "原文摘录", "位置", "涉及金额", "依据", "整改建议",
                           "复核结论"]
    assert header == ISSUE_HEADERS
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A2:") and ws.freeze_panes == "A3"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"  # 9 = A4
    assert ws.print_title_rows == "$1:$2"
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3)]
    assert [r[3] for r in rows] == [f"A01 {rule_titles()['A01']}", f"B03 {rule_titles()['B03']}",
                                    f"B04 {rule_titles()['B04']}"]  # most severe first
    assert rows[0][6] == "三、（二）2. · 第7段" and rows[0][7] == "120.50万元" and "财预〔2020〕10号" in rows[0][8]
    assert ws.cell(row=3, column=6).alignment.wrap_text
    assert max(len(str(c.value or "")) for r in ws.iter_rows() for c in r) <= EXCEL_CELL_MAX
    formula = next(c for r in ws.iter_rows(min_row=3) for c in r if c.value == "=1+1")
    assert formula.data_type == "s"
    summary = book["汇总"]
    head = [c.value for c in summary[2]]
    assert head[:2] == ["乡镇/单位", "年度"] and f"A01 {rule_titles()['A01']}" in head and summary.auto_filter.ref
    write_csv(tmp_path / "f.csv", results)
    assert "'=1+1" in (tmp_path / "f.csv").read_text(encoding="utf-8-sig")


def test_index_page_is_sortable_and_escaped():
    from jixiao.present.exports import index_html

    page = index_html([{"name": "x", "town": "<script>", "status": "failed", "error": "<img src=x>"},
                       {"name": "y", "town": "乙镇", "status": "ok", "counts": {"high": 2}, "share": 0.25}])
    assert "<script>" not in page.split("</style>")[-1].split("<script>\n")[0] and "&lt;img" in page
    assert "jx-sortable" in page and 'data-sort="2"' in page and "<th>高</th>" in page
    assert not re.search(r"<(script|img|link)[^>]*\b(src|href)=", page)  # nothing loaded from anywhere


def test_rule_advice_names_only_registered_rules():
    from jixiao.present.exports import rule_advice
    from jixiao.rules import rule_titles

    assert set(rule_advice()) <= set(rule_titles())


def test_the_same_findings_give_the_same_workbook_bytes(tmp_path):
    """openpyxl stamps the time of saving in the workbook's properties and on every zip member; the
    workbook is dated alike whenever it is written, so a re-run changes no byte."""
    import zipfile

    from jixiao.present.exports import write_xlsx

    results = [_result("白沙镇", [{"rule": "A01", "severity": "high", "message": "m", "evidence": "95%",
                                   "start": 0, "end": 3}])]
    write_xlsx(tmp_path / "a.xlsx", results)
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode("utf-8")
    assert "2000-01-01T00:00:00" in core and core.count("2000-01-01") == 2
    write_xlsx(tmp_path / "b.xlsx", results)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    import openpyxl
    assert openpyxl.load_workbook(tmp_path / "b.xlsx")["问题清单"].max_row >= 3


def test_a_kernels_warm_up_imports_what_the_first_town_would():
    """warm_up (run in each batch kernel while the reports are read) leaves the first town nothing
    to import: the rule modules (named on the overview and the claims) among them; and what it made
    is frozen out of the garbage collector's way (each town's collections visit only its own objects)."""
    code = ("import gc, sys\nimport jixiao.present.notebook as jx\njx.warm_up()\nimport jixiao.rules as rules\n"
            "missing = [m for m in rules._MODULES if m not in sys.modules]\n"
            "frozen = gc.get_freeze_count()\n"
            "before = len(sys.modules)\nrules.rule_titles(); jx.setup()\n"
            "print(missing, len(sys.modules) - before)\nprint(frozen > 50_000)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["[] 0", "True"], done.stdout + done.stderr


def _drawn_texts(fig):
    """The texts a chart shows: titles, axis and tick labels within the view (Axes drawn), legends,
    annotations — matplotlib keeps tick labels outside the view, which it does not draw."""
    from matplotlib.text import Text

    out = []
    for ax in fig.axes:
        out += [ax.title] + list(ax.texts)
        if ax.get_legend() is not None:
            out += ax.get_legend().get_texts()
        if ax.axison:
            out += [ax.xaxis.label, ax.yaxis.label]
            for labels, where, (lo, hi) in ((ax.get_xticklabels(), ax.get_xticks(), ax.get_xlim()),
                                            (ax.get_yticklabels(), ax.get_yticks(), ax.get_ylim())):
                out += [t for t, v in zip(labels, where) if min(lo, hi) <= v <= max(lo, hi)]
    return [t for t in out if isinstance(t, Text) and t.get_visible() and t.get_text()]


_NAMES = st.text(alphabet="村级组织运转经费河道整治工程 ABCxyz0123（）-", min_size=1, max_size=24)


@settings(max_examples=15, deadline=None)
@given(st.lists(_NAMES, min_size=1, max_size=12), st.floats(min_value=0.5, max_value=5000), st.booleans())
def test_charts_are_laid_out_tight_without_cutting_a_label(names, top, ranking):
    """Charts are fitted from their texts' sizes (cheaper than tight_layout): every text drawn
    lies inside the figure, and no margin is more than 4 % of the figure wider than tight_layout's."""
    import matplotlib.pyplot as plt

    from jixiao.present.notebook import png, setup

    setup()
    budgets = [top * (k + 1) / len(names) for k in range(len(names))]
    if ranking:
        make = lambda: charts.share_ranking(pd.DataFrame({"乡镇": [f"{n}{k}" for k, n in enumerate(names)],
                                                         "套话占比": [b / top / 1.01 for b in budgets]}))
    else:
        make = lambda: charts.budget_vs_spent(pd.DataFrame({"项目": names, "预算（万元）": budgets,
                                                           "支出（万元）": [b * 0.9 for b in budgets]}))
    fig = make()
    png(fig)
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    for text in _drawn_texts(fig):
        box = text.get_window_extent(renderer)
        assert box.x0 >= -1 and box.y0 >= -1 and box.x1 <= width + 1 and box.y1 <= height + 1, text.get_text()
    ours = fig.subplotpars
    mine = (ours.left, 1 - ours.right, ours.bottom, 1 - ours.top)
    plt.close(fig)
    fig = make()
    fig.tight_layout()
    theirs = fig.subplotpars
    tight = (theirs.left, 1 - theirs.right, theirs.bottom, 1 - theirs.top)
    plt.close(fig)
    assert all(m <= t + 0.04 for m, t in zip(mine, tight)), (mine, tight)
