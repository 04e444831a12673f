"""Parameters files: written from the reports' meta, refused with a clear message when bad."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from jixiao.rules import default_thresholds
from jixiao.run.params import ParamsError, load_params, safe_name, write_params

from .conftest import EXAMPLES, run_cli


def test_params_written_for_every_demo_town(tmp_path):
    written, errors = write_params(EXAMPLES / "reports", tmp_path)
    assert errors == [] and len(written) == 7
    loaded = [load_params(p) for p in written]
    assert {(p.town, p.year) for p in loaded} == {("白沙镇", 2023), ("柳湾镇", 2023), ("石门乡", 2023), ("梅岭镇", 2023),
                                                  ("云台镇", 2022), ("云台镇", 2023), ("青竹镇", 2023)}
    assert all(p.report.is_file() and p.corpus.is_dir() for p in loaded)


def test_committed_params_load(monkeypatch):
    monkeypatch.chdir(EXAMPLES.parent)  # their paths are relative to the project root (papermill -f runs there)
    files = sorted((EXAMPLES.parent / "params").glob("*.yaml"))
    assert len(files) == 7
    for f in files:
        load_params(f)


def _write(tmp_path, **data):
    report = tmp_path / "r.txt"
    report.write_text("白沙镇人民政府\n2023年度报告\n", encoding="utf-8")
    base = {"town": "白沙镇", "year": 2023, "report": "r.txt"}
    base.update(data)
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump({k: v for k, v in base.items() if v is not ...}, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("change, cause", [
    ({"town": "../../etc"}, "not a valid name"),
    ({"town": ""}, "town is missing"),
    ({"town": ...}, "town is missing"),
    ({"year": "2023年"}, "year must be a whole number"),
    ({"year": 1850}, "year must be a whole number"),
    ({"report": "missing.txt"}, "report missing.txt does not exist"),
    ({"corpus": "nowhere"}, "corpus folder nowhere does not exist"),
    ({"colour": "red"}, "unknown key(s) colour"),
    ({"thresholds": {"boilerplate_share_alert": 2}}, "must be a number from 0 to 1"),
    ({"rules": "A01"}, "rules must be a list of rule ids"),
    ({"rules": ["A01", "Z99"]}, "unknown rule(s) 'Z99'"),
])
def test_bad_values_are_refused_with_the_file_and_the_cause(tmp_path, change, cause):
    path = _write(tmp_path, **change)
    with pytest.raises(ParamsError) as err:
        load_params(path)
    assert str(path) in str(err.value) and cause in str(err.value) and "\n" not in str(err.value)


def test_safe_name_keeps_chinese_and_drops_paths():
    assert safe_name("2023_白沙镇") == "2023_白沙镇"
    assert "/" not in safe_name("../../etc") and not safe_name("../../etc").startswith(".")


def test_two_reports_of_one_town_and_year_get_two_files(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    text = "桐溪县白沙镇人民政府\n2023年度部门整体支出绩效自评报告\n一、概况\n全年支出100万元。\n"
    (reports / "a.txt").write_text(text, encoding="utf-8")
    (reports / "b.txt").write_text(text + "补充说明。\n", encoding="utf-8")
    written, _ = write_params(reports, tmp_path / "params")
    assert len({p.name for p in written}) == 2


def test_params_cli_reports_unreadable_files(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "ok.txt").write_text("梅岭镇人民政府\n2023年度项目支出绩效自评报告\n", encoding="utf-8")
    (reports / "bad.docx").write_bytes(b"nope")
    out = run_cli("params", str(reports), "--out", str(tmp_path / "params"))
    assert out.returncode == 1 and b"bad.docx" in out.stderr and b"2023_" in out.stdout


def test_rules_and_thresholds_reach_the_notebook_as_typed_parameters(tmp_path):
    path = _write(tmp_path, rules=["B03", "A01", "A01"], thresholds={"boilerplate_share_alert": 0.5})
    given = load_params(path).notebook_parameters()
    assert given["rules"] == ["A01", "B03"]
    assert given["thresholds"] == {**default_thresholds(), "boilerplate_share_alert": 0.5}  # every one, one overridden
    assert given["report"] == str((tmp_path / "r.txt").resolve()) and given["year"] == 2023


def test_papermill_shows_a_type_for_every_parameter_of_the_audit_notebook():
    import papermill as pm

    declared = pm.inspect_notebook(str(EXAMPLES.parent / "notebooks" / "audit.ipynb"))
    assert {"report", "corpus", "audit_path", "town", "year", "thresholds", "rules"} <= set(declared)
    assert all(p["inferred_type_name"] not in ("None", "", None) for p in declared.values()), declared
    assert all(p["help"] for p in declared.values())
    from jixiao.run.params import KEYS
    assert set(KEYS) <= set(declared)  # every key of a parameters file is a parameter of the notebook


def test_papermill_runs_the_audit_notebook_on_a_params_file_from_the_project_root(tmp_path):
    """The YAML that `jixiao params` writes is what `papermill … -f` takes: every key a parameter,
    every path valid from the project root, where papermill's kernel runs."""
    import subprocess
    import sys

    import nbformat

    root = EXAMPLES.parent
    params = tmp_path / "2023_柳湾镇.yaml"
    subprocess.run([sys.executable, "-m", "jixiao", "params", "examples/reports", "--out", str(tmp_path)],
                   cwd=root, check=True, capture_output=True)
    data = yaml.safe_load(params.read_text(encoding="utf-8"))
    assert not Path(data["report"]).is_absolute()
    out = tmp_path / "out.ipynb"
    done = subprocess.run([sys.executable, "-m", "papermill", "notebooks/audit.ipynb", str(out), "-f", str(params),
                           "--no-progress-bar"], cwd=root, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()[-800:]
    assert b"unknown parameter" not in done.stderr.lower()
    nb = nbformat.read(out, as_version=4)
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells for o in c.get("outputs", []))
    assert "柳湾镇" in html and "jx-card" in html  # its meta and its findings


def test_the_committed_demo_params_are_what_the_demo_command_writes(tmp_path):
    """`./dev.sh demo` rewrites params/ from the demo reports: the committed files must be exactly what
    it writes, or the demo leaves a checkout with changes (the README's first command must not)."""
    from .conftest import ROOT

    result = run_cli("params", "examples/reports", "--out", str(tmp_path / "params"))
    assert result.returncode == 0, result.stderr.decode()
    written = {p.name: p.read_bytes() for p in (tmp_path / "params").glob("*.yaml")}
    committed = {p.name: p.read_bytes() for p in (ROOT / "params").glob("*.yaml")}
    assert written == committed
