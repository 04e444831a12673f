"""The bundled demo corpus: rebuildable from its sources, quotes present, meta right."""
from __future__ import annotations

import json
import sys

import pytest

from jixiao.model.writers import text_to_docx, text_to_pdf
from jixiao.read.ingest import read_source, read_text
from jixiao.model.report import load_report

from .conftest import EXAMPLES

EXPECTED = json.loads((EXAMPLES / "expected.json").read_text(encoding="utf-8"))
REPORTS = EXAMPLES / "reports"


def test_corpus_has_every_format_and_every_rule_planted():
    formats = {(read_source(p).format, read_source(p).encoding) for p in REPORTS.iterdir()}
    assert {("txt", "utf-8"), ("txt", "gb18030"), ("docx", None), ("pdf", None)} <= formats
    planted = set()
    for entry in EXPECTED:
        for item in entry["must_find"]:
            planted.update([item["rule"]] if isinstance(item["rule"], str) else item["rule"])
    assert planted >= {f"A{i:02d}" for i in range(1, 11)} | {f"B{i:02d}" for i in range(1, 10)}
    assert len(EXPECTED) >= 6


@pytest.mark.parametrize("entry", EXPECTED, ids=lambda e: e["file"])
def test_demo_meta_and_quotes(entry):
    path = REPORTS / entry["file"]
    report = load_report(path)
    for key, value in entry["meta"].items():
        assert getattr(report.meta, key) == value, key
    for item in entry["must_find"] + entry["must_not_find"]:
        if item["quote"] is not None:
            assert item["quote"] in report.text, item["quote"]


@pytest.mark.parametrize("name", [p.name for p in REPORTS.iterdir() if p.suffix in (".docx", ".pdf")])
def test_docx_and_pdf_regenerate_from_their_sources(tmp_path, name):
    source = (EXAMPLES / "src" / (name.rsplit(".", 1)[0] + ".txt")).read_text(encoding="utf-8")
    out = tmp_path / name
    (text_to_docx if name.endswith(".docx") else text_to_pdf)(source, out)
    assert read_text(out) == read_text(REPORTS / name)
    if name.endswith(".docx"):
        assert out.read_bytes() == (REPORTS / name).read_bytes()  # fixed dates and zip times


def test_build_script_check_passes():
    sys.path.insert(0, str(EXAMPLES))
    try:
        import check_expected
        assert check_expected.main([]) == 0
    finally:
        sys.path.remove(str(EXAMPLES))
