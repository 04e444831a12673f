"""The batch: one Papermill run per town in parallel, reviewer pages without code, a failing town
listed with its reason while the others finish, outputs replaced whole on a re-run."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import openpyxl
import pytest
import yaml

from jixiao.run.batch import MARKER

from .conftest import EXAMPLES, ROOT, run_cli

HOSTILE = ("一、基本情况\n内容主要包括<script>document.body.setAttribute('data-pwned','1')</script> <b>粗体</b> "
           "<img src=x onerror=\"document.body.setAttribute('data-pwned','2')\"> **markdown** 等。\n")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _params(folder, town, year, report, corpus):
    folder.mkdir(exist_ok=True)
    data = {"town": town, "year": year, "report": str(report), "corpus": str(corpus)}
    (folder / f"{year}_{town}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _sleeping_notebook(folder) -> None:
    """An audit notebook whose one cell sleeps a minute: a town that is still running when it is
    killed or timed out."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("report = None", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import time\ntime.sleep(60)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "audit.ipynb")


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
    from jixiao.present.exports import ISSUE_HEADERS, write_xlsx

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
    from jixiao.audit import Audit

    data = Audit.load(out / "2023_柳湾镇" / "audit.json").results()
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


# --- operator mistakes and interrupted runs ------------------------------------------------------

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\ntown: [*b, *b, *b, *b, *b, *b]\n"


def _one_town(tmp_path):
    """A params folder with one tiny good town and three broken parameters files."""
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(EXAMPLES / "reports" / "02_liuwan_2023.txt", reports / "liuwan.txt")
    params = tmp_path / "params"
    _params(params, "柳湾镇", 2023, reports / "liuwan.txt", reports)
    (params / "bomb.yaml").write_text(BOMB, encoding="utf-8")
    (params / "deep.yaml").write_text("town: " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    (params / "folder.yaml").mkdir()
    return reports, params


def _tree(folder):
    """Every file under folder with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _leftovers(out):
    return sorted(p.name for p in out.parent.iterdir() if re.match(rf"\.{re.escape(out.name)}\.(staging|old)-", p.name))


def test_out_that_holds_other_files_is_refused_and_nothing_deleted(tmp_path, monkeypatch):
    from jixiao.run.batch import run_batch
    from jixiao.errors import JixiaoError

    reports, params = _one_town(tmp_path)
    cases = {tmp_path / "mine": "did not make", reports: "holds the batch's inputs", params: "holds the batch's inputs",
             tmp_path: "holds the batch's inputs"}
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_bytes(b"years of work")
    before = _tree(tmp_path)
    for out, cause in list(cases.items())[:2]:  # as a user runs it…
        result = run_cli("batch", str(params), "--out", str(out), "--quiet")
        assert result.returncode == 1 and cause in result.stderr.decode("utf-8"), result.stderr.decode()
        assert b"Traceback" not in result.stderr
    for out, cause in cases.items():  # …and each case in-process (no kernel starts before the check)
        with pytest.raises(JixiaoError, match=re.escape(cause)):
            run_batch(params, out, progress=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    with pytest.raises(JixiaoError, match="current directory"):
        run_batch(params, ".", progress=False)
    with pytest.raises(JixiaoError, match="current directory"):
        run_batch(params, tmp_path, progress=False)
    assert _tree(tmp_path) == before  # nothing deleted, nothing added
    assert _leftovers(tmp_path / "mine") == [] and not list(tmp_path.glob(".*.staging-*"))


def _marked(pid):
    """Processes whose environment carries the test's token: the batch and everything it started."""
    token = f"JIXIAO_TEST_TOKEN={pid}".encode()
    found = []
    for proc in os.listdir("/proc"):
        if proc.isdigit():
            try:
                with open(f"/proc/{proc}/environ", "rb") as fh:
                    if token in fh.read().split(b"\0"):
                        found.append(int(proc))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to find the batch's processes")
def test_killed_batch_leaves_outputs_and_the_next_run_cleans_up(tmp_path):
    """A batch killed by SIGKILL while its towns run: the previous outputs are byte-identical, no
    worker or kernel outlives it, a second batch on the same --out meanwhile is refused, the next
    run completes with no staging folder left. Broken parameters files fail only their towns."""
    import signal
    import sys
    import time

    from .conftest import ROOT

    reports, params = _one_town(tmp_path)
    out = tmp_path / "outputs"
    first = run_cli("batch", str(params), "--out", str(out), "--quiet")
    assert first.returncode == 1  # the three broken files failed…
    status = {t["name"]: t for t in json.loads((out / "batch.json").read_text(encoding="utf-8"))["towns"]}
    assert status["2023_柳湾镇"]["status"] == "ok"  # …and the good town completed
    assert {n for n, t in status.items() if t["status"] == "failed"} == {"bomb", "deep", "folder"}
    assert "aliases" in status["bomb"]["error"] and "x, x" not in status["bomb"]["error"]
    assert "nested" in status["deep"]["error"] and "is a folder" in status["folder"]["error"]
    assert all(len(t["error"] or "") < 200 for t in status.values())
    assert (out / MARKER).exists() and (out / "2023_柳湾镇" / "review.html").exists()
    before = _tree(out)

    extra = [params / f"2023_extra{k}.yaml" for k in range(6)]
    for path in extra:
        shutil.copy(params / "2023_柳湾镇.yaml", path)
    slow = tmp_path / "slow"  # towns whose notebook takes a minute: the killed run is busy until it is killed
    slow.mkdir()
    _sleeping_notebook(slow)
    token = str(os.getpid())
    env = {**os.environ, "JIXIAO_TEST_TOKEN": token, "PYTHONPATH": str(ROOT), "JIXIAO_NOTEBOOKS": str(slow)}
    batch = subprocess.Popen([sys.executable, "-m", "jixiao", "batch", str(params), "--out", str(out), "--quiet",
                              "--jobs", "2"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob(".outputs.staging-*/2023_extra5/audit.json")) and time.monotonic() < deadline:
            assert batch.poll() is None, batch.stderr.read().decode()
            time.sleep(0.2)
        time.sleep(1)  # every town is analysed, the first towns' kernels are running
        second = run_cli("batch", str(params), "--out", str(out), "--quiet")
        assert second.returncode == 1 and b"another batch is writing to" in second.stderr
        assert f"pid {batch.pid}".encode() in second.stderr
        assert len(_marked(token)) >= 2  # the batch and at least a worker or a kernel
    finally:
        batch.send_signal(signal.SIGKILL)
        batch.wait()
    deadline = time.monotonic() + 15  # kernels notice their parent is gone within a second or two
    while _marked(token) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _marked(token) == [], "processes outlived the killed batch"
    assert _tree(out) == before
    assert _leftovers(out) == [f".outputs.staging-{batch.pid}"]
    for path in extra:
        path.unlink()

    again = run_cli("batch", str(params), "--out", str(out), "--quiet")
    assert again.returncode == 1 and b"Traceback" not in again.stderr
    assert _leftovers(out) == []
    assert json.loads((out / "batch.json").read_text(encoding="utf-8")) == json.loads(before["batch.json"])


def test_colliding_names_get_unique_outputs(tmp_path):
    from jixiao.run.batch import unique_names

    files = [tmp_path / n for n in ("2023 白沙镇.yaml", "2023_白沙镇.yaml", "2023_白沙镇.yml", "A.yaml", "a.yaml")]
    names = unique_names(files)
    assert len({n.casefold() for n in names}) == len(names) == 5
    assert names[:3] == ["2023_白沙镇", "2023_白沙镇-2", "2023_白沙镇-3"]


def test_out_made_by_jixiao_or_empty_is_accepted(tmp_path):
    from jixiao.run.batch import check_out_dir

    for name, files in (("empty", []), ("gitkeep", [".gitkeep"]), ("marked", [MARKER, "index.html"])):
        folder = tmp_path / name
        folder.mkdir()
        for f in files:
            (folder / f).write_text("", encoding="utf-8")
        check_out_dir(folder, [tmp_path / "params"])
    check_out_dir(tmp_path / "new", [tmp_path / "params"])


def test_a_second_batch_on_a_locked_out_is_refused(tmp_path):
    from jixiao.run.batch import BatchLock

    _, params = _one_town(tmp_path)
    out = tmp_path / "outputs"
    with BatchLock(out):
        result = run_cli("batch", str(params), "--out", str(out), "--quiet")
    assert result.returncode == 1 and b"another batch is writing to" in result.stderr
    assert not out.exists() and _leftovers(out) == []


def test_town_over_the_time_limit_fails_and_is_named(tmp_path, monkeypatch):
    from jixiao.run import kernels
    from jixiao.run.batch import run_town
    from jixiao.run.params import load_params

    slow = tmp_path / "notebooks"
    slow.mkdir()
    _sleeping_notebook(slow)
    monkeypatch.setenv("JIXIAO_NOTEBOOKS", str(slow))  # a town whose cell runs past the limit, warm kernel or not
    reports, params = _one_town(tmp_path)
    town = load_params(params / "2023_柳湾镇.yaml")
    started = kernels.starts
    run = run_town(town, tmp_path / "staging", None, timeout=2)
    assert run.status == "failed" and "time limit per town" in run.error, run.error
    assert (tmp_path / "staging" / "2023_柳湾镇" / "audit.ipynb").exists()  # the partial notebook is kept
    assert kernels.running() == 0  # the busy kernel was stopped, not handed to the next town
    assert kernels.starts >= started


def test_failed_town_results_leave_every_output(tmp_path):
    from jixiao.run.batch import TownRun, _retire_failed

    for name in ("ok", "bad"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "audit.json").write_text("{}", encoding="utf-8")
    _retire_failed([TownRun("ok"), TownRun("bad", status="failed", error="chart")], tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.glob("*/audit.json")) == ["ok/audit.json"]
    assert (tmp_path / "bad" / "audit.failed.json").exists()


def test_a_run_killed_between_its_two_renames_gets_its_outputs_back(tmp_path):
    from jixiao.run.batch import clean_stale

    out = tmp_path / "outputs"
    old = tmp_path / ".outputs.old-4242"   # the previous outputs, renamed away just before the kill
    old.mkdir()
    (old / MARKER).write_text("", encoding="utf-8")
    (old / "index.html").write_text("previous", encoding="utf-8")
    (tmp_path / ".outputs.staging-4242").mkdir()   # the killed run's finished staging
    (tmp_path / ".other.staging-4242").mkdir()     # another --out's: not ours to touch
    clean_stale(out)
    assert (out / "index.html").read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.staging-4242", "outputs"]


def test_one_kernel_started_ahead_runs_every_town_and_the_summary(tmp_path):
    """--jobs 1: the kernel started while the reports are read is the one every town and the summary
    run in (a kernel started again would mean the warm-up was wasted), and each town's notebook
    still shows only its own town."""
    from jixiao.run import batch, kernels

    kernels.shutdown_all()
    params = tmp_path / "params"
    for town, name in (("柳湾镇", "02_liuwan_2023.txt"), ("白沙镇", "01_baisha_2023.txt")):
        _params(params, town, 2023, EXAMPLES / "reports" / name, EXAMPLES / "reports")
    before = kernels.starts
    runs = batch.run_batch(params, tmp_path / "out", jobs=1, progress=False)
    assert [r.status for r in runs] == ["ok", "ok"], [r.error for r in runs]
    assert kernels.starts == before + 1
    assert kernels.running() == 0  # stopped with the batch
    for r in runs:
        page = (tmp_path / "out" / r.name / "review.html").read_text(encoding="utf-8")
        other = "白沙镇" if r.town == "柳湾镇" else "柳湾镇"
        assert f"<h1>{r.town} 2023年度" in page and f"<h1>{other}" not in page


def test_towns_are_handed_on_in_the_analysis_order_and_its_failure_is_raised():
    from jixiao.run.batch import _in_order_of

    assert list(_in_order_of(lambda ready: [ready(n) for n in ("b", "a", "c")])) == ["b", "a", "c"]

    def broken(ready):
        ready("a")
        raise ValueError("index could not be built")

    got = []
    with pytest.raises(ValueError, match="index could not be built"):
        for name in _in_order_of(broken):
            got.append(name)
    assert got == ["a"]


def test_a_failing_analysis_fails_the_batch_while_towns_run(tmp_path, monkeypatch):
    """The analysis runs while the workers already run the first towns: when it fails, the error
    reaches the caller (not lost in its thread) and no output or staging folder is left."""
    from jixiao.run import batch

    params = tmp_path / "params"
    for town, name in (("柳湾镇", "02_liuwan_2023.txt"), ("白沙镇", "01_baisha_2023.txt"), ("青竹镇", "07_qingzhu_2023.txt")):
        _params(params, town, 2023, EXAMPLES / "reports" / name, EXAMPLES / "reports")
    real = batch.analyse_towns

    def fails_after_the_first(towns, staging, review_path=None, ready=None):
        def first_only(name):
            ready(name)
            raise RuntimeError("disk full while saving an audit")
        return real(towns, staging, review_path, first_only)

    monkeypatch.setattr(batch, "analyse_towns", fails_after_the_first)
    with pytest.raises(RuntimeError, match="disk full"):
        batch.run_batch(params, tmp_path / "out", jobs=2, progress=False)
    assert not (tmp_path / "out").exists() and _leftovers(tmp_path / "out") == []


def test_a_rerun_gives_the_same_pages_workbook_and_audits(tmp_path):
    """Two batches of the same towns (one at --jobs 1, one at --jobs 2) write the same bytes in every
    output but the executed notebooks (whose metadata records when each cell ran); each notebook is
    given its audit relative to its own folder, so it runs again where it was written."""
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in ("01_baisha_2023.txt", "02_liuwan_2023.txt"):
        shutil.copy(EXAMPLES / "reports" / name, reports / name)
    params = tmp_path / "params"
    _params(params, "白沙镇", 2023, reports / "01_baisha_2023.txt", reports)
    _params(params, "柳湾镇", 2023, reports / "02_liuwan_2023.txt", reports)
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        result = run_cli("batch", str(params), "--out", str(out), "--jobs", jobs, "--quiet")
        assert result.returncode == 0, result.stderr.decode()
        outs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outs[0].keys() == outs[1].keys()
    differ = [name for name in outs[0] if outs[0][name] != outs[1][name]]
    assert differ and all(name.endswith(".ipynb") for name in differ), differ
    nb = json.loads(outs[1]["2023_白沙镇/audit.ipynb"])
    injected = next(c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
    assert 'audit_path = "audit.json"' in "".join(injected["source"])


def test_lanes_run_side_by_side_each_in_its_own_thread_and_kernel():
    """--jobs 2: two calls run at the same time (each waits for the other at a barrier, which one
    lane could never pass), in two threads, each with its own kernel started ahead; closing the
    lanes stops both kernels."""
    import threading

    from jixiao.run import batch, kernels

    kernels.shutdown_all()
    before = kernels.starts
    barrier = threading.Barrier(2, timeout=120)

    def meet():
        barrier.wait()
        return threading.get_ident(), kernels.current().get("km")

    lanes = batch.Lanes(2)
    try:
        assert kernels.running() == 2  # both kernels launched before Lanes hands back (the batch goes on after)
        got = [f.result(timeout=180) for f in [lanes.submit(meet) for _ in range(2)]]
    finally:
        lanes.close()
    assert got[0][0] != got[1][0]                                   # two threads…
    assert None not in (got[0][1], got[1][1]) and got[0][1] is not got[1][1]  # …each with its own kernel
    assert kernels.starts == before + 2 and kernels.running() == 0


def test_closing_lanes_with_cancel_starts_no_waiting_call():
    """A failed batch lets the running town finish but starts none of those still waiting."""
    import threading

    from jixiao.run import batch

    lanes = batch.Lanes(1)
    started, release = threading.Event(), threading.Event()
    ran = []

    def first():
        started.set()
        release.wait(120)
        ran.append("first")

    running = lanes.submit(first)
    assert started.wait(120)
    waiting = lanes.submit(lambda: ran.append("second"))
    threading.Timer(0.5, release.set).start()
    lanes.close(cancel=True)
    assert running.done() and waiting.cancelled() and ran == ["first"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_town_failing_while_the_early_summary_runs_is_left_out_of_it(tmp_path, monkeypatch, jobs):
    """--jobs 2 starts the county summary in the idle kernel while the last town still runs (--jobs 1
    queues it behind the last town); when that town then fails, the summary is made again without
    it (as with every failed town)."""
    import nbformat

    from jixiao.run import batch

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(ROOT / "notebooks" / "summary.ipynb", notebooks / "summary.ipynb")
    nb = nbformat.v4.new_notebook()  # the last town in name order takes a while, then fails
    nb.cells = [nbformat.v4.new_code_cell("town = None", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import time\nif town == '青竹镇':\n    time.sleep(4)\n"
                                          "    raise ValueError('town failed')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, notebooks / "audit.ipynb")
    monkeypatch.setenv("JIXIAO_NOTEBOOKS", str(notebooks))
    params = tmp_path / "params"
    for town, name in (("柳湾镇", "02_liuwan_2023.txt"), ("白沙镇", "01_baisha_2023.txt"), ("青竹镇", "07_qingzhu_2023.txt")):
        _params(params, town, 2023, EXAMPLES / "reports" / name, EXAMPLES / "reports")
    summaries = []
    real = batch.execute

    def execute(template, *args):
        if template.name == "summary.ipynb":
            summaries.append(template)
        return real(template, *args)

    monkeypatch.setattr(batch, "execute", execute)
    runs = batch.run_batch(params, tmp_path / "out", jobs=jobs, progress=False)
    assert [r.status for r in runs] == ["ok", "ok", "failed"], [r.error for r in runs]
    assert len(summaries) == 2  # started early, then made again
    text = (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")
    assert "柳湾镇" in text and "白沙镇" in text and "青竹镇" not in text


def test_one_kernel_runs_the_summary_right_after_its_last_town(tmp_path, monkeypatch):
    """--jobs 1: the county summary is queued behind the last town, so the kernel runs it while that
    town's pages are still being rendered (not after them), and only once when every town succeeds."""
    import threading
    import time

    import nbformat

    from jixiao.run import batch

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(ROOT / "notebooks" / "summary.ipynb", notebooks / "summary.ipynb")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("town = None", metadata={"tags": ["parameters"]})]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, notebooks / "audit.ipynb")
    monkeypatch.setenv("JIXIAO_NOTEBOOKS", str(notebooks))
    params = tmp_path / "params"
    for town, name in (("柳湾镇", "02_liuwan_2023.txt"), ("白沙镇", "01_baisha_2023.txt")):
        _params(params, town, 2023, EXAMPLES / "reports" / name, EXAMPLES / "reports")
    events, lock = [], threading.Lock()
    real_execute, real_render = batch.execute, batch.render_town

    def execute(template, *args):
        if template.name == "summary.ipynb":
            with lock:
                events.append("summary starts")
        return real_execute(template, *args)

    def render_town(params, *args):
        if params.town == "白沙镇":  # the last town handed on: its pages take a while
            time.sleep(3)
        done = real_render(params, *args)
        with lock:
            events.append(f"{params.town} pages done")
        return done

    monkeypatch.setattr(batch, "execute", execute)
    monkeypatch.setattr(batch, "render_town", render_town)
    runs = batch.run_batch(params, tmp_path / "out", jobs=1, progress=False)
    assert [r.status for r in runs] == ["ok", "ok"], [r.error for r in runs]
    assert events.count("summary starts") == 1
    assert events.index("summary starts") < events.index("白沙镇 pages done"), events


def test_an_out_refused_before_the_parameters_are_read_starts_no_kernel(tmp_path):
    """The kernels start before the parameters are checked, but only once --out passed what can be
    checked without them: a refused --out starts none, and is refused for the most precise cause
    (here, the folder of the reports: it holds the batch's inputs)."""
    from jixiao.errors import JixiaoError
    from jixiao.run import kernels
    from jixiao.run.batch import run_batch

    reports, params = _one_town(tmp_path)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_bytes(b"years of work")
    before = kernels.starts
    with pytest.raises(JixiaoError, match="did not make"):
        run_batch(params, tmp_path / "mine", progress=False)
    assert kernels.starts == before
    with pytest.raises(JixiaoError, match="holds the batch's inputs"):
        run_batch(params, reports, progress=False)
    assert kernels.starts == before and kernels.running() == 0


_AT_EXIT = """
import atexit, runpy, sys
marks = sys.argv.pop(1)
atexit.register(lambda: open(marks, "a").write("exit handler ran\\n"))
class Torn:
    def __del__(self, _open=open, _marks=marks):  # builtins and globals are gone by then
        _open(_marks, "a").write("torn down\\n")
kept = Torn()  # freed only by the interpreter's teardown of this module
sys.argv[0] = "jixiao"
runpy.run_module("jixiao", run_name="__main__", alter_sys=True)
"""


@pytest.mark.parametrize("fails", [False, True])
def test_the_batch_command_ends_without_tearing_down_but_runs_its_exit_handlers(tmp_path, monkeypatch, fails):
    """`jixiao batch` ends its process as soon as the outputs are written: the exit handlers run
    (a caller's own, the kernels'), everything printed is there, the status is the batch's — but
    Python's teardown of every module (half a second) is skipped."""
    import nbformat

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(ROOT / "notebooks" / "summary.ipynb", notebooks / "summary.ipynb")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("town = None", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("raise ValueError('town failed')" if fails else "1")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, notebooks / "audit.ipynb")
    params = tmp_path / "params"
    _params(params, "柳湾镇", 2023, EXAMPLES / "reports" / "02_liuwan_2023.txt", EXAMPLES / "reports")
    marks = tmp_path / "marks.txt"
    result = subprocess.run([sys.executable, "-c", _AT_EXIT, str(marks), "batch", str(params), "--out",
                             str(tmp_path / "out"), "--quiet"], capture_output=True, cwd=ROOT,
                            env={**os.environ, "JIXIAO_NOTEBOOKS": str(notebooks)})
    assert result.returncode == (1 if fails else 0), result.stderr.decode()[-800:]
    assert f"{0 if fails else 1} of 1 towns done".encode() in result.stdout
    assert marks.read_text(encoding="utf-8") == "exit handler ran\n"
    assert (tmp_path / "out" / "index.html").is_file()
