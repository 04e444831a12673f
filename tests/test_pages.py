"""Pages as files: written with the umask's mode; the index sorts in a real browser; the page
template loads nothing from anywhere and names the town."""
from __future__ import annotations

import os
import re
import subprocess

import pytest

from .conftest import ROOT
from .test_batch import CHROMIUM


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_outputs_follow_the_umask(tmp_path, umask, mode):
    from jixiao.audit import write_json
    from jixiao.files import write_atomic

    old = os.umask(umask)
    try:
        write_atomic(tmp_path / "a.html", b"x")
        write_json(tmp_path / "b.json", {"x": 1})
    finally:
        os.umask(old)
    assert (tmp_path / "a.html").stat().st_mode & 0o777 == mode
    assert (tmp_path / "b.json").stat().st_mode & 0o777 == mode


def test_index_sorts_by_a_clicked_column(tmp_path):
    from jixiao.present.exports import index_html

    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Chromium (.ci/run installs Debian's chromium)")
        pytest.skip("headless Chromium is not installed (apt-get install chromium)")
    towns = [{"name": n, "town": n, "year": 2023, "status": "ok", "counts": {"high": h}, "share": s}
             for n, h, s in (("甲镇", 2, 0.5), ("乙镇", 10, 0.1), ("丙镇", 1, 0.9))]
    click = """<script>window.addEventListener("load", function () {
      var th = Array.from(document.querySelectorAll("th")).find(function (h) { return h.textContent === "%s"; });
      th.click(); %s
      document.documentElement.setAttribute("data-order",
        Array.from(document.querySelectorAll("tbody tr")).map(function (r) { return r.cells[0].textContent; }).join(","));
    });</script>"""
    orders = {}
    for label, twice in (("高", ""), ("套话占比", "th.click();")):
        page = tmp_path / f"index-{len(orders)}.html"
        page.write_text(index_html(towns).replace("</body>", click % (label, twice) + "</body>"), encoding="utf-8")
        result = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                 "--disable-background-networking", f"--user-data-dir={tmp_path / 'chromium'}",
                                 "--virtual-time-budget=2000", "--dump-dom", page.as_uri()], capture_output=True,
                                timeout=120)
        orders[label] = re.search(r'data-order="([^"]*)"', result.stdout.decode()).group(1)
    assert orders["高"] == "丙镇,甲镇,乙镇"            # numbers as numbers: 1 < 2 < 10
    assert orders["套话占比"] == "丙镇,甲镇,乙镇"       # clicked twice: descending


def test_page_template_loads_nothing_and_names_the_town(tmp_path):
    from jixiao.run.batch import page_header, to_html

    target = tmp_path / "review.html"
    to_html(ROOT / "notebooks" / "audit.ipynb", target, no_input=True, title="白沙镇 2023年度 绩效自评报告审核",
            header=page_header("白沙镇 2023年度 绩效自评报告审核", [("← 返回索引", "../index.html")]))
    html = target.read_text(encoding="utf-8")
    assert "<title>白沙镇 2023年度 绩效自评报告审核</title>" in html and 'href="../index.html"' in html
    assert not re.search(r"<script[^>]*\bsrc=", html) and "MathJax" not in html and "require" not in html.lower()
    assert "jx-card" in html and "@page" in html


def test_pages_print_on_a4(tmp_path):
    import pypdf

    from jixiao.run.batch import page_header, to_html

    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Chromium (.ci/run installs Debian's chromium)")
        pytest.skip("headless Chromium is not installed (apt-get install chromium)")
    page = tmp_path / "summary.html"
    to_html(ROOT / "notebooks" / "summary.ipynb", page, no_input=True, title="全县汇总", header=page_header("全县汇总", []))
    pdf = tmp_path / "summary.pdf"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", f"--user-data-dir={tmp_path / 'chromium'}",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()], capture_output=True, timeout=120)
    pages = pypdf.PdfReader(pdf).pages
    assert len(pages) >= 2
    for p in pages:
        width, height = float(p.mediabox.width), float(p.mediabox.height)
        assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4 in points, portrait


def test_locations_give_section_paragraph_and_docx_page(tmp_path):
    import docx

    from jixiao.audit import location, page_starts
    from jixiao.model.report import load_report

    document = docx.Document()
    for line in ("桐溪县某镇人民政府", "2023年度部门整体支出绩效自评报告", "一、基本情况", "（一）部门职能", "第一页的内容。"):
        document.add_paragraph(line)
    document.add_page_break()
    for line in ("二、预算执行情况", "（一）收入", "1.财政拨款", "第二页的内容，全年预算执行率为95%。"):
        document.add_paragraph(line)
    document.save(tmp_path / "r.docx")
    report = load_report(tmp_path / "r.docx")
    starts = page_starts(report)
    first = location(report, starts, report.text.index("第一页"))
    second = location(report, starts, report.text.index("95%"))
    assert first == {"section": "一、（一）", "paragraph": 5, "page": 1}
    assert second["section"] == "二、（一）1." and second["page"] == 2
    assert second["paragraph"] == first["paragraph"] + 4  # counted as the report model counts them


def _elements(html: str) -> list:
    """Every element of a page in document order: its name, its attributes, its own text."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    return [(tag.name, sorted((k, " ".join(v) if isinstance(v, list) else v) for k, v in tag.attrs.items()),
             [str(s) for s in tag.find_all(string=True, recursive=False)]) for tag in soup.find_all(True)]


@pytest.mark.parametrize("no_input", [False, True])
def test_pages_are_nbconverts_pages_without_its_soup_pass(tmp_path, no_input):
    """jixiao's exporter skips HTMLExporter's BeautifulSoup pass and adds its attributes (alt on
    images, tabindex on inputs and outputs) itself: both pages of an executed notebook — tables,
    charts, markdown, code — parse to the same elements, attributes and text as nbconvert's own."""
    from jixiao.run import batch

    notebook = ROOT / "notebooks" / "audit.ipynb"  # committed executed: every kind of output a town's page has
    ours, stock = tmp_path / "ours.html", tmp_path / "stock.html"
    batch.to_html(notebook, ours, no_input=no_input, title="标题", header=batch.page_header("标题", [("索引", "index.html")]))
    exporter = batch._exporter(stock=True)
    original = batch._exporter
    try:
        batch._exporter = lambda: exporter
        batch.to_html(notebook, stock, no_input=no_input, title="标题",
                      header=batch.page_header("标题", [("索引", "index.html")]))
    finally:
        batch._exporter = original
    mine, theirs = ours.read_text(encoding="utf-8"), stock.read_text(encoding="utf-8")
    assert 'tabindex="0"' in mine and "<img" in mine and "No description has been provided" in mine
    assert _elements(mine) == _elements(theirs)


def test_remembered_code_cells_give_the_same_pages(tmp_path):
    """Highlighting and cleaning of code cells are remembered per source (every town's page shows
    the template's code): a page made with them remembered is byte-identical to one made from
    nothing, and a changed cell is highlighted anew, never taken for another one."""
    import nbformat

    from jixiao.run import batch

    notebook = ROOT / "notebooks" / "audit.ipynb"
    header = batch.page_header("标题", [("索引", "index.html")])
    batch._CODE_MEMO.clear()
    batch.to_html(notebook, tmp_path / "fresh.html", no_input=False, title="标题", header=header)
    assert batch._CODE_MEMO  # the code cells were remembered
    batch.to_html(notebook, tmp_path / "again.html", no_input=False, title="标题", header=header)
    assert (tmp_path / "again.html").read_bytes() == (tmp_path / "fresh.html").read_bytes()

    nb = nbformat.read(notebook, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code" and "show_claims" in c.source)
    code.source = code.source.replace("show_claims", "show_claims_changed")
    nbformat.write(nb, tmp_path / "changed.ipynb")
    batch.to_html(tmp_path / "changed.ipynb", tmp_path / "changed.html", no_input=False, title="标题", header=header)
    remembered = (tmp_path / "changed.html").read_text(encoding="utf-8")
    batch._CODE_MEMO.clear()
    batch.to_html(tmp_path / "changed.ipynb", tmp_path / "changed2.html", no_input=False, title="标题", header=header)
    assert "show_claims_changed" in remembered
    assert remembered == (tmp_path / "changed2.html").read_text(encoding="utf-8")
