"""Bad inputs: a one-line error naming the file and the cause, or a correct result; never a
traceback, never a hang; the good files of a batch go on."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.run.check_files import check_paths, time_limit
from jixiao.errors import ReportError
from jixiao.read.ingest import decode_text, read_source
from jixiao.model.report import parse_text

from .badinputs import CASES, NON_UTF8_NAME, make, run_each
from .conftest import ROOT, run_cli, seeds_or_skip

LIMIT = 10  # seconds per file in these tests (the default is 60): the cases over it fail sooner


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    make(folder)
    return folder


@pytest.fixture(scope="module")
def runs(bad):
    """`jixiao check CASE --json` on every case, each in a process of its own, two at a time."""
    if not hasattr(os, "fork"):
        pytest.skip("the corpus runner forks (Unix)")
    return run_each(bad, CASES, time_limit=LIMIT, parallel=2)


def test_the_corpus_covers_the_classes():
    assert len(CASES) >= 60 and len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name.encode("ascii", "backslashreplace").decode())
def test_each_bad_input(bad, runs, case):
    """Valid JSON, no traceback, one line per error, within the time limit (+5 s) and 2 GB."""
    run = runs[case.name]
    assert b"Traceback" not in run.stderr and run.code in (0, 1), run.stderr.decode("utf-8", "replace")[-2000:]
    [report] = json.loads(run.stdout.decode("utf-8"), parse_constant=_no_constants)["reports"]
    assert run.seconds < LIMIT + 5 and run.peak_mb < 2048, (run.seconds, run.peak_mb)
    if case.slow and "error" in report:
        assert report["error"] == f"took longer than {LIMIT} s to process; the file is too large or too complex"
        assert run.code == 1 and len(run.stderr.decode("utf-8").splitlines()) == 1
    elif case.cause is None:
        assert "error" not in report, report["error"]
        assert run.code == 0 and run.stderr == b""
        text = read_source(bad / case.name).text
        for item in report["findings"] + report["claims"]:
            assert text[item["start"]:item["end"]] == item["evidence"]
    else:
        assert case.cause in report["error"] and "\n" not in report["error"], report["error"]
        assert run.code == 1 and len(run.stderr.decode("utf-8").splitlines()) == 1


def _no_constants(name):
    raise ValueError(f"{name} is not valid JSON")


def test_external_entities_are_not_resolved(bad):
    text = read_source(bad / "xxe.docx").text
    with open("/etc/hostname", encoding="utf-8") as fh:
        assert fh.read().strip() not in text.replace("红岩镇", "")
    assert "预算执行率" in text


def test_malformed_numbers_are_not_read_as_figures(bad):
    report = read_source(bad / "malformed_numbers.txt")
    figures = {f.text: f for f in parse_text(report.text).figures}
    assert figures["1,2,3.4.5万元"].kind == "malformed" and figures["1,2,3.4.5万元"].number is None
    assert figures["１２３.４５％"].value == 123.45


def test_check_on_seeds_mixed_with_bad_inputs(bad):
    seeds = [str(p) for p in seeds_or_skip()]
    alone = json.loads(run_cli("check", *seeds, "--json").stdout)
    env = {**os.environ, "JIXIAO_TIME_LIMIT": str(LIMIT), "PYTHONPATH": str(ROOT)}
    mixed = subprocess.run([sys.executable, "-m", "jixiao", "check", *seeds, str(bad), "--json"], capture_output=True,
                           cwd=ROOT, env=env)
    assert mixed.returncode == 1
    errors = mixed.stderr.decode("utf-8").strip().splitlines()
    listed = [c for c in CASES if os.path.isfile(bad / c.name)]  # a folder stands for its regular files
    failing = [c.name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
               for c in listed if c.cause is not None]
    slow = [line for line in errors if any(f"/{c.name}: took longer than" in line for c in listed if c.slow)]
    assert len(errors) == len(failing) + len(slow) and "Traceback" not in mixed.stderr.decode("utf-8")
    for name in failing:
        assert sum(f"/{name}:" in line for line in errors) == 1
    together = {r["path"]: r for r in json.loads(mixed.stdout)["reports"]}
    for report in alone["reports"]:
        assert together[report["path"]] == report  # the seeds' findings are unchanged


def test_work_on_one_file_is_bounded_in_time():
    with pytest.raises(ReportError, match="took longer than 1 s"):
        with time_limit(1, "slow.txt"):
            while True:
                pass


def test_the_time_limit_holds_when_its_first_alarm_is_caught_by_the_work():
    """Work that catches the limit's exception (a broad except, a cleanup) is stopped by the next alarm."""
    import time

    started = time.monotonic()
    with pytest.raises(ReportError, match="took longer than 0.2 s"):
        with time_limit(0.2, "slow.txt"):
            try:
                while True:
                    pass
            except ReportError:
                pass
            while True:
                pass
    assert time.monotonic() - started < 5


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_decode_or_give_a_report_error(data):
    try:
        text, encoding = decode_text(data, "fuzz.txt")
    except ReportError as exc:
        assert "\n" not in str(exc)
    else:
        assert isinstance(text, str) and encoding


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=20), st.decimals(allow_nan=False, allow_infinity=False, places=3),
                          st.sampled_from(["万元", "元", "亿元", "%", "亩", "个", "户", "人", "分", "次", "元/亩", ""])),
                max_size=8))
def test_figure_extractor_on_arbitrary_numbers_and_units(parts):
    text = "".join(f"{words}{number}{unit}" for words, number, unit in parts)
    report = parse_text(text)
    for f in report.figures:
        assert text[f.start:f.end] == f.text and f.start < f.end


def test_non_utf8_file_name_is_printed_with_escapes(bad):
    out = run_cli("check", str(bad / NON_UTF8_NAME), "--json")
    [report] = json.loads(out.stdout.decode("utf-8"))["reports"]
    assert out.returncode == 0 and report["path"].endswith("\\xb1\\xa8\\xb8\\xe6_gbk_name.txt")
    text = run_cli("outline", str(bad / NON_UTF8_NAME))
    assert text.returncode == 0 and b"\\xb1\\xa8" in text.stdout


def test_fifo_and_device_do_not_block_text_or_outline(bad):
    for name, cause, commands in (("fifo.txt", b"named pipe", ("text", "outline")),
                                  ("dev_zero.txt", b"character device", ("figures",))):
        for command in commands:
            out = subprocess.run([sys.executable, "-m", "jixiao", command, str(bad / name)], capture_output=True,
                                 cwd=ROOT, timeout=30)
            assert out.returncode == 1 and cause in out.stderr and b"Traceback" not in out.stderr


def test_a_thousand_nested_sections_need_no_recursion():
    text = "绩效自评报告\n" + "1. 项目资金100万元。\n" * 3000
    report = parse_text(text)
    nodes = list(report.sections.walk())
    assert len(nodes) == 3001 and max(n.depth for n in nodes) == 3000
    assert all(n.start <= n.end for n in nodes)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=4))
def test_long_figures_are_checked_exactly(digits, decimals):
    """A consistent sum of amounts of any length gives no arithmetic finding; one changed digit does."""
    from decimal import Decimal
    a = Decimal("7" * digits + ("." + "5" * decimals if decimals else ""))
    b = Decimal("3" * digits + ("." + "2" * decimals if decimals else ""))
    head = "桐溪县红岩镇人民政府\n2023年度部门整体支出绩效自评报告\n一、部门预算及执行情况\n"
    fmt = f".{decimals}f"
    text = head + f"全年支出合计{a + b:{fmt}}万元，其中基本支出{a:{fmt}}万元，项目支出{b:{fmt}}万元。\n"
    [outcome] = check_paths_text(text)
    assert outcome.error is None and not [f for f in outcome.findings if f.rule.startswith("A")]


def check_paths_text(text):
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.txt"
        path.write_text(text, encoding="utf-8")
        return check_paths([path])


_INVISIBLE = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u202a",
                              "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u00ad"])


@settings(max_examples=100, deadline=None)
@given(st.decimals(min_value=1, max_value=10**9, places=2, allow_nan=False, allow_infinity=False), _INVISIBLE,
       st.integers(min_value=1, max_value=20))
def test_invisible_characters_inside_a_figure_are_read_through(number, mark, at):
    """Zero-width and bidi controls inside a figure: one figure, the same number, offsets unchanged."""
    written = f"{number:.2f}"
    at = min(at, len(written) - 1)
    figure = written[:at] + mark + written[at:]
    text = f"项目资金{figure}万元。"
    [fig] = [f for f in parse_text(text).figures]
    assert fig.number == Decimal(written) and fig.unit == "万元" and fig.decimals == 2
    assert (fig.start, fig.end) == (4, 4 + len(figure) + 2) and text[fig.start:fig.end] == fig.text


# --- one file's failure, whatever it is, is that file's line ---------------------------------------

def test_any_exception_in_a_rule_is_that_files_one_line_error(tmp_path, monkeypatch):
    import jixiao.rules.subject as subject
    import jixiao.run.check_files as check
    good, odd = tmp_path / "good.txt", tmp_path / "odd.txt"
    head = "桐溪县红岩镇人民政府\n2023年度部门整体支出绩效自评报告\n"
    good.write_text(head + "年初预算500万元，实际支出475万元，预算执行率95%。\n", encoding="utf-8")
    odd.write_text(head + "触发\n", encoding="utf-8")
    real = subject.run_rules

    def flaky(report, ctx, only=None):
        if "触发" in report.text:
            raise RuntimeError("boom\nsecond line")
        return real(report, ctx, only)

    monkeypatch.setattr(subject, "run_rules", flaky)
    first = check.check_paths([good, odd])
    again = check.check_paths([odd, good])
    assert first[0].error is None and first[0].report is not None
    assert first[1].error == "internal error (RuntimeError: boom); please report it with the file"
    assert again[0].error == first[1].error and again[1].error is None


# --- parameters files ------------------------------------------------------------------------------

@pytest.mark.parametrize("name, content, cause", [
    ("bomb.yaml", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                  "town: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n", "aliases"),
    ("deep.yaml", "town: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    ("deepmap.yaml", "town: " + "{a: " * 2000 + "1" + "}" * 2000 + "\n", "nested too deeply"),
    ("nested.yaml", "thresholds: {a: {b: {c: {d: 1}}}}\n", "nested more than"),
    ("object.yaml", "town: !!python/object/apply:os.system ['echo pwned']\n", "not valid YAML"),
    ("bigint.yaml", "town: x\nyear: " + "9" * 5000 + "\n", "not valid YAML"),
    ("long.yaml", "town: " + "镇" * 100_000 + "/x\nyear: 2023\n", "larger than 64 KB"),
    ("longtown.yaml", "town: " + "镇" * 5000 + "/x\nyear: 2023\n", "is not a valid name"),
    ("binary.yaml", b"\xff\xfe\x00\x01", "not UTF-8"),
    ("list.yaml", "- town\n- year\n", "expected a mapping"),
])
def test_bad_params_file_is_one_short_line(tmp_path, name, content, cause):
    from jixiao.run.params import ParamsError, load_params
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    with pytest.raises(ParamsError) as err:
        load_params(path)
    message = str(err.value)
    assert cause in message and "\n" not in message and len(message) < len(str(path)) + 160, message


def test_params_that_are_not_files(tmp_path):
    from jixiao.run.params import ParamsError, load_params
    (tmp_path / "folder.yaml").mkdir()
    os.mkfifo(tmp_path / "fifo.yaml")
    with pytest.raises(ParamsError, match="is a folder"):
        load_params(tmp_path / "folder.yaml")
    with pytest.raises(ParamsError, match="named pipe"):
        load_params(tmp_path / "fifo.yaml")
    with pytest.raises(ParamsError, match="not found"):
        load_params(tmp_path / "missing.yaml")


# --- the reuse index is data ----------------------------------------------------------------------

def _two_reports():
    from jixiao.model.report import load_report

    from .conftest import EXAMPLES
    return [load_report(EXAMPLES / "reports" / n) for n in ("05_yuntai_2022.txt", "06_yuntai_2023.txt")]


def test_index_saves_as_data_byte_identical_and_loads_the_same(tmp_path):
    from jixiao.reuse.index import INDEX_MAGIC, ReuseIndex, build_index
    reports = _two_reports()
    index = build_index(reports)
    index.save(tmp_path / "a.idx")
    build_index(list(reports)).save(tmp_path / "b.idx")
    data = (tmp_path / "a.idx").read_bytes()
    assert data.startswith(INDEX_MAGIC) and data == (tmp_path / "b.idx").read_bytes()
    loaded = ReuseIndex.load(tmp_path / "a.idx")
    assert loaded.reuse(reports[1]) == index.reuse(reports[1]) and loaded.places == index.places
    for a, b in zip(loaded.entries, index.entries, strict=True):
        assert (a.key, a.number, a.sentences) == (b.key, b.number, b.sentences)
        assert (a.clauses == b.clauses).all() and (a.hashes == b.hashes).all() and len(a.hashes) > 10
    assert loaded.distinct_clauses() == index.distinct_clauses() > 10


def test_crafted_or_old_index_files_are_refused_without_running_anything(tmp_path):
    import pickle  # only to craft the hostile file: jixiao itself never imports it

    from jixiao.errors import JixiaoError
    from jixiao.reuse.index import INDEX_MAGIC, ReuseIndex, ReuseSnapshot, build_index, load_reuse
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    (tmp_path / "pickle.idx").write_bytes(pickle.dumps(Exploit()))
    good = tmp_path / "good.idx"
    build_index(_two_reports()).save(good)
    data = good.read_bytes()
    header_end = len(INDEX_MAGIC) + 8 + int.from_bytes(data[len(INDEX_MAGIC):len(INDEX_MAGIC) + 8], "little")
    header = json.loads(data[len(INDEX_MAGIC) + 8:header_end])
    crafted = {
        "pickle.idx": None,
        "truncated.idx": data[: len(data) // 2],
        "version.idx": _with_header(data, header_end, {**header, "version": 2}),
        "version3.idx": _with_header(data, header_end, {**header, "version": 3}),
        "shape.idx": _with_header(data, header_end, {**header, "arrays": {**header["arrays"], "signatures": {
            **header["arrays"]["signatures"], "shape": [10 ** 9, 32]}}}),
        "hashes.idx": _with_header(data, header_end, {**header, "arrays": {**header["arrays"], "hashes": {
            **header["arrays"]["hashes"], "shape": [1], "nbytes": 8}}}),
        "reports.idx": _with_header(data, header_end, {**header, "reports": header["reports"][:1]}),
        "noise.idx": os.urandom(4000),
        "snapshot.json": b'{"format": "jixiao-reuse-results", "version": 99}',
        "other.json": b'{"a": 1}',
    }
    for name, content in crafted.items():
        if content is not None:
            (tmp_path / name).write_bytes(content)
        with pytest.raises(JixiaoError) as err:
            load_reuse(tmp_path / name)
        assert "\n" not in str(err.value) and str(tmp_path / name) in str(err.value)
    assert not marker.exists()
    with pytest.raises(JixiaoError, match="pickle"):
        ReuseIndex.load(tmp_path / "pickle.idx")
    with pytest.raises(JixiaoError, match="version 2"):
        ReuseIndex.load(tmp_path / "version.idx")
    with pytest.raises(JixiaoError, match="format version 3, this jixiao reads version 4; rebuild it"):
        ReuseIndex.load(tmp_path / "version3.idx")
    with pytest.raises(JixiaoError, match="version 99"):
        ReuseSnapshot.load(tmp_path / "snapshot.json")


def _with_header(data: bytes, header_end: int, header: dict) -> bytes:
    from jixiao.reuse.index import INDEX_MAGIC
    raw = json.dumps(header).encode("utf-8")
    return INDEX_MAGIC + len(raw).to_bytes(8, "little") + raw + data[header_end:]


def test_no_pickle_in_the_project():
    import re
    use = re.compile(r"import (c?pickle|dill|shelve|joblib)|from (c?pickle|dill|joblib) import|pickle\.(loads?|dumps?)\(|"
                     r"allow_pickle=True")
    offenders = [str(p.relative_to(ROOT)) for folder in ("jixiao", "notebooks", "benchmarks")
                 for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".ipynb")
                 and use.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
