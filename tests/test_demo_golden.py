"""The demo's findings and reviewer pages carry the same content as before a change of structure.

tests/golden/ holds what the demo produced when it was last reviewed: `jixiao check --json` of the
demo reports (findings and claims) and the visible text of every reviewer page of a batch. A refactor
must leave both unchanged; a change meant to alter them regenerates the files with
`JIXIAO_UPDATE_GOLDEN=1 pytest tests/test_demo_golden.py` and the diff is reviewed in the commit.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from .conftest import EXAMPLES, ROOT, run_cli
from .pagetext import page_text

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("JIXIAO_UPDATE_GOLDEN") == "1"


def _compare(name: str, got) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    want = json.loads(path.read_text(encoding="utf-8"))
    if got != want:
        for key in sorted(set(want) | set(got)):
            assert got.get(key) == want.get(key), f"{name}: {key} differs from the golden copy"
    assert got == want


def test_demo_check_output_is_unchanged():
    reports = sorted(p.relative_to(ROOT).as_posix() for p in (EXAMPLES / "reports").iterdir())
    result = run_cli("check", *reports, "--json")
    assert result.returncode in (0, 3), result.stderr.decode()
    got = {r["path"]: {k: r.get(k) for k in ("meta", "findings", "claims", "error")}
           for r in json.loads(result.stdout)["reports"]}
    _compare("demo_check.json", got)


def test_demo_pages_read_the_same(tmp_path):
    params, out = tmp_path / "params", tmp_path / "out"
    assert run_cli("params", str(EXAMPLES / "reports"), "--out", str(params)).returncode == 0
    result = run_cli("batch", str(params), "--out", str(out), "--jobs", "2", "--quiet")
    assert result.returncode == 0, result.stderr.decode()
    pages = sorted(p for p in out.rglob("*.html") if p.name != "full.html")
    got = {p.relative_to(out).as_posix(): page_text(p.read_text(encoding="utf-8")) for p in pages}
    assert len(got) == 7 + 2  # a reviewer page per town, the index and the summary
    _compare("demo_pages.json", got)
