"""One township's audit: everything the per-town notebook shows, computed in one call."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .boilerplate import TextReuse, summary
from .check import Context, expand_paths, run_rules
from .errors import ReportError
from .findings import SEVERITIES, Finding
from .projects import headline, project_frame
from .report import Report, load_report
from .verify import claims_frame

FINDING_COLUMNS = ["rule", "severity", "message", "evidence", "start", "end"]


@dataclass
class Audit:
    report: Report
    findings: list[Finding]
    reuse: TextReuse
    reuse_summary: dict
    corpus: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # corpus files that could not be read

    @property
    def meta(self) -> dict:
        return self.report.meta.as_dict()

    def findings_frame(self) -> pd.DataFrame:
        rank = {s: i for i, s in enumerate(SEVERITIES)}
        rows = sorted((f.as_dict() for f in self.findings), key=lambda f: (rank[f["severity"]], f["start"], f["rule"]))
        return pd.DataFrame(rows, columns=FINDING_COLUMNS)

    def counts(self) -> dict:
        """Findings by severity, every severity present (0 when none)."""
        out = {s: 0 for s in SEVERITIES}
        for f in self.findings:
            out[f.severity] += 1
        return out

    def claims_frame(self) -> pd.DataFrame:
        return claims_frame(self.report)

    def projects(self) -> pd.DataFrame:
        return project_frame(self.report)

    def headline(self) -> dict:
        return headline(self.report)

    def results(self) -> dict:
        """What the batch keeps of this town for the county summary and the spreadsheet."""
        return {"path": self.report.path, "name": self.report.name, "meta": self.meta,
                "counts": self.counts(), "headline": self.headline(), "boilerplate": self.reuse_summary,
                "findings": [f.as_dict() for f in self.findings]}

    def save(self, path: str | Path) -> None:
        write_json(path, self.results())


def write_json(path: str | Path, data) -> None:
    """Write JSON atomically: to a temporary file beside it, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1, sort_keys=False)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run_audit(report_path: str | Path, corpus: str | Path | list | None = None,
              index_path: str | Path | None = None) -> Audit:
    """Audit one report against a corpus (a folder or list of reports) and/or a saved reuse index
    (`jixiao index build`), or the reuse results the batch saved for this report (reuse.json)."""
    report = load_report(report_path)
    others, skipped = [], []
    paths = expand_paths(corpus if isinstance(corpus, list) else [corpus]) if corpus else []
    own = Path(report_path).resolve()
    for p in paths:
        if Path(p).resolve() == own:
            continue
        try:
            others.append(load_report(p))
        except ReportError as exc:
            skipped.append(str(exc))
    index = None
    if index_path:
        from .reuse import load_reuse
        index = load_reuse(index_path)
    audit = audit_in_context(report, Context([report] + others, index=index))
    audit.corpus, audit.skipped = [o.path for o in others], skipped
    return audit


def audit_in_context(report: Report, ctx: Context) -> Audit:
    """The audit of one report of a corpus whose shared work (the reuse index) lives in ctx."""
    reuse = ctx.text_reuse(report)
    return Audit(report, run_rules(report, ctx), reuse, summary(report, reuse, ctx.reuse_index()))
