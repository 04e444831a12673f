"""The batch: one Papermill run per town in parallel, reviewer pages without code, a failing town
listed with its reason while the others finish, outputs replaced whole on a re-run."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import openpyxl
import pytest
import yaml

from .conftest import EXAMPLES, run_cli

HOSTILE = ("一、基本情况\n内容主要包括<script>document.body.setAttribute('data-pwned','1')</script> <b>粗体</b> "
           "<img src=x onerror=\"document.body.setAttribute('data-pwned','2')\"> **markdown** 等。\n")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _params(folder, town, year, report, corpus):
    folder.mkdir(exist_ok=True)
    data = {"town": town, "year": year, "report": str(report), "corpus": str(corpus)}
    (folder / f"{year}_{town}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_batch_with_an_unreadable_town(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in ("02_liuwan_2023.txt", "04_meiling_2023.docx"):
        shutil.copy(EXAMPLES / "reports" / name, reports / name)
    hostile = reports / "hostile.txt"
    hostile.write_text("桐溪县红岩镇人民政府\n2023年度部门整体支出绩效自评报告\n" + HOSTILE, encoding="utf-8")
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a word file")
    params = tmp_path / "params"
    _params(params, "柳湾镇", 2023, reports / "02_liuwan_2023.txt", reports)
    _params(params, "梅岭镇", 2023, reports / "04_meiling_2023.docx", reports)
    _params(params, "红岩镇", 2023, hostile, reports)
    _params(params, "坏镇", 2023, broken, reports)
    out = tmp_path / "outputs"
    out.mkdir()
    (out / "stale.txt").write_text("from an earlier run", encoding="utf-8")
    store, dismissed = _mark_two_false_positives(reports / "02_liuwan_2023.txt", reports, tmp_path)

    old_umask = os.umask(0o022)
    try:
        result = run_cli("batch", str(params), "--out", str(out), "--jobs", "2", "--quiet", "--review", str(store))
    finally:
        os.umask(old_umask)
    assert result.returncode == 1, result.stderr.decode()
    assert b"2023_\xe5\x9d\x8f\xe9\x95\x87" in result.stderr  # the failed town is named on stderr
    assert not (out / "stale.txt").exists()  # the outputs were replaced whole

    status = {t["name"]: t for t in json.loads((out / "batch.json").read_text(encoding="utf-8"))["towns"]}
    assert status["2023_坏镇"]["status"] == "failed" and "not a valid .docx" in status["2023_坏镇"]["error"]
    assert (out / "2023_坏镇" / "audit.ipynb").exists()  # the partial notebook is kept for debugging
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "失败" in index and "not a valid .docx" in index

    for name in ("2023_柳湾镇", "2023_梅岭镇", "2023_红岩镇"):
        assert status[name]["status"] == "ok", status[name]
        review = (out / name / "review.html").read_text(encoding="utf-8")
        full = (out / name / "full.html").read_text(encoding="utf-8")
        assert "show_findings" not in review and "show_findings" in full  # no code on the reviewer page
        assert f"{name}/review.html" in index
    review = (out / "2023_红岩镇" / "review.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;document.body" in review and "&lt;b&gt;粗体&lt;/b&gt;" in review
    assert "<script>document.body" not in review and "<b>粗体</b>" not in review and "<img src=x" not in review
    _script_did_not_run(out / "2023_红岩镇" / "review.html", tmp_path)

    book = openpyxl.load_workbook(out / "findings.xlsx")
    assert book.sheetnames == ["问题清单", "汇总"] and book["问题清单"].max_row > 5
    assert book["问题清单"].auto_filter.ref
    summary = (out / "summary.html").read_text(encoding="utf-8")
    assert "<title>全县汇总</title>" in summary and 'href="index.html"' in summary

    _pages_are_offline_titled_and_linked(out, index)
    for page in (out / "summary.html", out / "index.html", out / "2023_柳湾镇" / "full.html"):
        _no_network_request(page, tmp_path)
    _outputs_are_readable_by_others(out)
    _false_positives_are_shown_and_not_counted(out, dismissed, book)


def _mark_two_false_positives(report, corpus, tmp_path):
    """The auditor's side: the workbook of a first run, two findings marked 误报, `jixiao review import`."""
    from jixiao.audit import run_audit
    from jixiao.exports import ISSUE_HEADERS, write_xlsx

    first = tmp_path / "first.xlsx"
    write_xlsx(first, [run_audit(report, corpus).results()])
    book = openpyxl.load_workbook(first)
    ws = book["问题清单"]
    col = {h: k + 1 for k, h in enumerate(ISSUE_HEADERS)}
    dismissed = []
    for row in (3, 4):
        ws.cell(row=row, column=col["复核结论"]).value = "误报"
        dismissed.append(ws.cell(row=row, column=col["指纹"]).value)
    ws.cell(row=5, column=col["复核结论"]).value = "确认"
    book.save(first)
    store = tmp_path / "review.json"
    result = run_cli("review", "import", str(first), "--store", str(store))
    assert result.returncode == 0, result.stderr.decode()
    assert "3 decisions stored" in result.stdout.decode()
    return store, dismissed


def _false_positives_are_shown_and_not_counted(out, dismissed, book):
    data = json.loads((out / "2023_柳湾镇" / "results.json").read_text(encoding="utf-8"))
    marks = {f["fingerprint"]: f["review"] for f in data["findings"]}
    assert [marks[fp] for fp in dismissed] == ["误报", "误报"]
    assert list(marks.values()).count("确认") == 1
    counted = [f for f in data["findings"] if f["review"] != "误报"]
    assert sum(data["counts"].values()) == len(counted) == len(data["findings"]) - 2
    review = (out / "2023_柳湾镇" / "review.html").read_text(encoding="utf-8")
    assert review.count("复核：误报") == 2 and "复核：确认" in review
    status = {t["name"]: t for t in json.loads((out / "batch.json").read_text(encoding="utf-8"))["towns"]}
    assert status["2023_柳湾镇"]["counts"] == data["counts"]
    ws = book["问题清单"]
    header = [c.value for c in ws[2]]
    rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=3)]
    assert sorted(r["指纹"] for r in rows if r["复核结论"] == "误报") == sorted(dismissed)
    summary = book["汇总"]
    head = [c.value for c in summary[2]]
    town = next(dict(zip(head, (c.value for c in r))) for r in summary.iter_rows(min_row=3) if r[0].value == "柳湾镇")
    assert town["合计"] == len(counted) and town["复核误报"] == 2


def _pages_are_offline_titled_and_linked(out, index):
    """Every page: no script, style or image from elsewhere; MathJax absent; the town in <title> and
    header; links to the index, the neighbours and the source report that all resolve."""
    remote = re.compile(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*[\"']?(https?:|//)", re.I)
    pages = sorted(out.glob("*/review.html")) + sorted(out.glob("*/full.html")) + [out / "summary.html",
                                                                                   out / "index.html"]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not remote.search(html), page
        assert not re.search(r"url\(\s*[\"']?(https?:|//)", html), page
        assert "MathJax" not in html and "require.js" not in html and "mermaid.esm" not in html, page
        if page.name != "full.html":  # no warning or traceback reaches a reviewer's page
            assert "vnd.jupyter.stderr" not in html.split("<body", 1)[-1] and "Traceback" not in html, page
        for href in re.findall(r'<a href="([^"#]+)"', html):
            if not href.startswith(("http:", "https:", "mailto:")):
                assert (page.parent / href).exists(), (page, href)
    page = (out / "2023_柳湾镇" / "review.html").read_text(encoding="utf-8")
    assert "<title>柳湾镇 2023年度 绩效自评报告审核</title>" in page and "<h1>柳湾镇 2023年度" in page
    assert 'href="../index.html"' in page and "上一个：" in page and "下一个：" in page
    assert 'href="report.txt">报告原文' in page and (out / "2023_柳湾镇" / "report.txt").is_file()
    assert ">高<" in page and ">high<" not in page
    assert re.search(r"[一二三四五六七八九十]、[^<]* · 第\d+段", page)  # locations, not offsets
    pdf = (out / "2023_梅岭镇" / "review.html").read_text(encoding="utf-8")
    assert 'href="report.docx"' in pdf


def _outputs_are_readable_by_others(out):
    for path in [out, *out.rglob("*")]:
        mode = path.stat().st_mode & 0o777
        assert mode == (0o755 if path.is_dir() else 0o644), (path, oct(mode))


PROBE = """<script>window.addEventListener("load", function () {
  document.documentElement.setAttribute("data-resources",
    JSON.stringify(performance.getEntriesByType("resource").map(function (e) { return e.name; })));
});</script>"""


def _load_in_chromium(page, tmp_path) -> str:
    """The live DOM of a copy of `page` (beside it, so relative links resolve) after its scripts ran,
    with every resource the page requested listed in data-resources on <html>."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Chromium (.ci/run installs Debian's chromium)")
        pytest.skip("headless Chromium is not installed (apt-get install chromium)")
    probe = page.with_name(f".probe-{page.name}")
    html = page.read_text(encoding="utf-8")
    probe.write_text(html.replace("</body>", PROBE + "</body>") if "</body>" in html else html + PROBE, encoding="utf-8")
    try:
        result = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                                 f"--user-data-dir={tmp_path / 'chromium'}", "--virtual-time-budget=3000", "--dump-dom",
                                 probe.as_uri()], capture_output=True, timeout=120)
    finally:
        probe.unlink()
    dom = result.stdout.decode("utf-8", "replace")
    assert "data-resources" in dom, result.stderr.decode()[-300:]
    return dom


def _no_network_request(page, tmp_path) -> str:
    dom = _load_in_chromium(page, tmp_path)
    requested = json.loads(re.search(r'data-resources="([^"]*)"', dom).group(1).replace("&quot;", '"'))
    assert all(url.startswith(("file:", "data:")) for url in requested), (page, requested)
    return dom


def _script_did_not_run(page, tmp_path):
    """Load the reviewer page in headless Chromium and look at the live DOM after scripts ran."""
    dom = _no_network_request(page, tmp_path)
    assert "红岩镇" in dom
    body = re.search(r"<body[^>]*>", dom).group(0)
    assert "data-pwned" not in body