"""One audit per report: `analyse` runs once per report, its product is saved as JSON with a format
version, and every consumer (check, the batch's notebooks, the county summary) shows that product."""
from __future__ import annotations

import contextlib
import json
from collections import Counter
from pathlib import Path

import pytest

from jixiao.audit import FORMAT_VERSION, Audit, AuditFormatError, analyse, run_audit
from jixiao.rules import default_thresholds
from jixiao.run.check_files import FINDING_FIELDS, as_json, check_paths

from .conftest import EXAMPLES

REPORTS = EXAMPLES / "reports"


def test_saved_audit_loads_back_equal_and_saves_to_the_same_bytes(tmp_path):
    audit = run_audit(REPORTS / "02_liuwan_2023.txt", REPORTS)
    assert audit.findings and audit.claims and audit.boilerplate["share"] > 0
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    audit.save(first)
    loaded = Audit.load(first)
    loaded.save(second)
    assert first.read_bytes() == second.read_bytes()
    assert loaded.results() == json.loads(json.dumps(audit.results()))
    assert b"pickle" not in first.read_bytes() and json.loads(first.read_text(encoding="utf-8"))["format_version"] == 2
    for f in loaded.findings:  # offsets still point at the evidence in the saved text
        assert loaded.text[f["start"]:f["end"]] == f["evidence"]


def test_a_saved_audit_records_the_thresholds_it_was_decided_with(tmp_path):
    path = tmp_path / "audit.json"
    run_audit(REPORTS / "01_baisha_2023.txt", thresholds={"templated_share": 0.8}).save(path)
    saved = Audit.load(path).thresholds
    assert saved == {**default_thresholds(), "templated_share": 0.8}


@pytest.mark.parametrize("version", [0, 1, FORMAT_VERSION + 1, None, "1"])
def test_a_saved_audit_of_another_format_version_is_refused_in_one_line(tmp_path, version):
    path = tmp_path / "audit.json"
    run_audit(REPORTS / "01_baisha_2023.txt").save(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    if version is None:
        del data["format_version"]
    else:
        data["format_version"] = version
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(AuditFormatError) as err:
        Audit.load(path)
    assert "format version" in str(err.value) and "\n" not in str(err.value) and str(path) in str(err.value)


def test_a_file_that_is_not_an_audit_is_refused(tmp_path):
    path = tmp_path / "audit.json"
    path.write_bytes(b"\x80\x04\x95 a pickle, not JSON")
    with pytest.raises(AuditFormatError, match="not a saved audit"):
        Audit.load(path)


def _counting(monkeypatch):
    """Count reads (load_report) and fact extractions (Facts) per report file."""
    import jixiao.model.report
    from jixiao.claims.context import Facts

    reads, facts = Counter(), Counter()
    real_load, real_init = jixiao.model.report.load_report, Facts.__init__

    def load_report(path, *args, **kwargs):
        reads[Path(path).name] += 1
        return real_load(path, *args, **kwargs)

    def init(self, report, *args, **kwargs):
        facts[Path(report.path).name] += 1
        real_init(self, report, *args, **kwargs)

    for module in ("jixiao.model.report", "jixiao.audit", "jixiao.run.check_files"):
        monkeypatch.setattr(f"{module}.load_report", load_report)
    monkeypatch.setattr(Facts, "__init__", init)
    return reads, facts


def test_check_reads_and_extracts_facts_once_per_report(monkeypatch):
    reads, facts = _counting(monkeypatch)
    outcomes = check_paths([REPORTS])
    names = {Path(o.path).name for o in outcomes}
    assert len(names) == 7 and all(o.error is None for o in outcomes)
    assert reads == Counter({n: 1 for n in names}) and facts == Counter({n: 1 for n in names})


def test_a_batch_reads_and_extracts_facts_once_per_report_and_shows_what_check_finds(tmp_path, monkeypatch):
    """The whole batch in this process, its notebooks replaced by what their cells call: every
    report is read once and its facts built once, whatever the number of towns comparing with it;
    the notebook and the summary load the saved audits; they hold what `check` finds."""
    import nbformat

    import jixiao.run.batch
    from jixiao.present.notebook import load_audit, load_county
    from jixiao.run.params import write_params

    shown = {}

    def execute(template, output, parameters, timeout=None):
        with contextlib.chdir(output.parent):  # where the batch's kernel runs each notebook
            if "results_dir" in parameters:
                shown["county"] = load_county(parameters["results_dir"])
            else:
                assert parameters["audit_path"], "the batch saved no audit for this town"
                shown[parameters["town"], parameters["year"]] = load_audit(
                    parameters["audit_path"], parameters["report"], parameters["corpus"], parameters["index_path"],
                    parameters["review_path"], parameters["rules"])
        nbformat.write(nbformat.v4.new_notebook(), str(output))

    monkeypatch.setattr(jixiao.run.batch, "execute", execute)
    written, _ = write_params(REPORTS, tmp_path / "params")
    reads, facts = _counting(monkeypatch)
    runs = jixiao.run.batch.run_batch(tmp_path / "params", tmp_path / "out", jobs=1, progress=False)
    assert [r.status for r in runs] == ["ok"] * 7
    names = {p.name for p in REPORTS.iterdir() if p.suffix in (".txt", ".docx", ".pdf")}
    assert reads == Counter({n: 1 for n in names}) and facts == Counter({n: 1 for n in names})

    monkeypatch.undo()
    checked = as_json(check_paths([REPORTS]))["reports"]
    by_path = {Path(r["path"]).name: r for r in checked}
    assert len(shown) == 8 and len(shown["county"].towns_results) == 7
    for key, audit in shown.items():
        if key == "county":
            continue
        expected = by_path[Path(audit.path).name]
        assert [{k: f[k] for k in FINDING_FIELDS} for f in audit.findings] == expected["findings"]
        assert json.loads(json.dumps(audit.claims)) == expected["claims"]
        assert audit.meta == expected["meta"]
    county = {r["name"]: r for r in shown["county"].towns_results}
    assert {n: len(r["findings"]) for n, r in county.items()} == \
        {Path(r["path"]).name: len(r["findings"]) for r in checked}


def test_analyse_takes_a_corpus_of_parsed_reports_or_a_saved_index(tmp_path):
    from jixiao.model.report import load_report
    from jixiao.reuse.index import ReuseIndex, load_reuse

    reports = [load_report(p) for p in sorted(REPORTS.glob("0[56]_*.txt"))]
    with_list = analyse(reports[1], reports)
    index = ReuseIndex()
    index.add_many(reports)
    index.save(tmp_path / "reuse.idx")
    with_index = analyse(reports[1], load_reuse(tmp_path / "reuse.idx"))
    assert with_list.findings == with_index.findings
    assert with_list.boilerplate["sources"] and with_list.boilerplate == with_index.boilerplate
    alone = analyse(reports[1], only=["A01", "A02"])
    assert alone.boilerplate is None and {f["rule"] for f in alone.findings} <= {"A01", "A02"}


def test_what_the_overview_shows_is_decided_by_the_audit():
    """Parameters that name another town or year, the share alert, and the strip without 误报
    passages are computed by the Audit; the notebook only displays them."""
    audit = Audit(path="x.txt", name="x", text="甲" * 100, meta={"town": "白石镇", "year": 2023},
                  boilerplate_spans=[[0, 10, "repeat"], [20, 30, "reused"], [50, 60, "residue"]],
                  boilerplate={"share": 0.3},
                  findings=[{"start": 22, "end": 25, "review": "误报"}, {"start": 55, "end": 58, "review": "确认"}])
    assert audit.parameter_mismatches("白石镇", 2023) == []
    assert audit.parameter_mismatches("红岩镇", 2022) == [("town", "红岩镇", "白石镇"), ("year", 2022, 2023)]
    assert audit.parameter_mismatches(None, None) == []
    assert audit.share_alert({"boilerplate_share_alert": 0.3}) == 0.3
    assert audit.share_alert({"boilerplate_share_alert": 0.31}) is None
    assert audit.share_alert(None) is None
    assert audit.kept_boilerplate_spans() == [(0, 10, "repeat"), (50, 60, "residue")]


def test_the_overview_names_the_thresholds_that_are_not_the_defaults(monkeypatch):
    """An audit decided with a changed threshold says so on the page (name, value, default); one
    decided with the defaults shows no such line."""
    from jixiao.present import notebook

    shown = []
    monkeypatch.setattr(notebook, "_display", lambda html: shown.append(str(html)))
    plain = run_audit(REPORTS / "01_baisha_2023.txt")
    changed = run_audit(REPORTS / "01_baisha_2023.txt", thresholds={"templated_share": 0.8, "rate_gross_points": 1.0})
    assert plain.changed_thresholds() == {}
    assert changed.changed_thresholds() == {"templated_share": (0.8, 0.5)}
    notebook.show_overview(plain)
    assert not any("阈值" in h for h in shown)
    notebook.show_overview(changed)
    assert any("阈值（非默认）" in h and "templated_share = 0.8（默认 0.5）" in h for h in shown)
