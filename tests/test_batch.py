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

from jixiao.batch import MARKER

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
    (out / MARKER).write_text("", encoding="utf-8")  # made by an earlier batch: replaced whole
    (out / "stale.txt").write_text("from an earlier run", encoding="utf-8")

    result = run_cli("batch", str(params), "--out", str(out), "--jobs", "2", "--quiet")
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
    assert book.sheetnames[0] == "全部" and {"柳湾镇2023", "梅岭镇2023", "红岩镇2023"} <= set(book.sheetnames)
    assert book["全部"].max_row > 5
    assert (out / "summary.html").exists() and "全县汇总" in (out / "summary.html").read_text(encoding="utf-8")


def _script_did_not_run(page, tmp_path):
    """Load the reviewer page in headless Chromium and look at the live DOM after scripts ran."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Chromium (.ci/run installs Debian's chromium)")
        pytest.skip("headless Chromium is not installed (apt-get install chromium)")
    result = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                             "--disable-background-networking", "--disable-component-update", "--disable-sync",
                             f"--user-data-dir={tmp_path / 'chromium'}", "--virtual-time-budget=3000", "--dump-dom",
                             page.as_uri()], capture_output=True, timeout=120)
    dom = result.stdout.decode("utf-8", "replace")
    assert "红岩镇" in dom, result.stderr.decode()[-300:]
    body = re.search(r"<body[^>]*>", dom).group(0)
    assert "data-pwned" not in body
