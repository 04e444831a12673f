"""One township's audit: everything the per-town notebook shows, computed in one call."""
from __future__ import annotations

import json
import os
import tempfile
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from .boilerplate import TextReuse, summary
from .check import Context, expand_paths, run_rules
from .errors import ReportError
from .findings import SEVERITIES, Finding
from .projects import headline, project_frame
from .report import Report, load_report
from .review import FALSE_POSITIVE, decisions, fingerprint, load_store
from .rules import rule_titles
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
    review: dict = field(default_factory=dict)  # fingerprint → 复核结论 (jixiao review import)

    @property
    def meta(self) -> dict:
        return self.report.meta.as_dict()

    def findings_frame(self) -> pd.DataFrame:
        rank = {s: i for i, s in enumerate(SEVERITIES)}
        rows = sorted((f.as_dict() for f in self.findings), key=lambda f: (rank[f["severity"]], f["start"], f["rule"]))
        return pd.DataFrame(rows, columns=FINDING_COLUMNS)

    def counts(self) -> dict:
        """Findings by severity, every severity present (0 when none); 误报 marked by a reviewer left out."""
        out = {s: 0 for s in SEVERITIES}
        for f in self.findings:
            if self.mark(f) != FALSE_POSITIVE:
                out[f.severity] += 1
        return out

    def fingerprint(self, f: Finding) -> str:
        return fingerprint(self.report.text, f.rule, f.start, f.end, self.meta.get("town"))

    def mark(self, f: Finding) -> str | None:
        """The reviewer's 复核结论 for this finding (确认 / 误报 / 待核), or None."""
        return self.review.get(self.fingerprint(f)) if self.review else None

    @cached_property
    def _page_starts(self) -> list[int]:
        return page_starts(self.report)

    def location(self, start: int) -> dict:
        """Where an auditor finds an offset: section path (三、（二）2.), paragraph number, page when known."""
        node = self.report.section_at(start)
        labels = []
        while node is not None and node.marker is not None:
            labels.append(node.number_label)
            node = node.parent
        para = self.report.paragraph_at(start)
        if para is None:
            para = next((p for p in self.report.paragraphs if p.start >= start), None)
        page = bisect_right(self._page_starts, start) if self._page_starts else None
        return {"section": "".join(reversed(labels)), "paragraph": para.index + 1 if para else None, "page": page}

    def amount(self, f: Finding) -> str | None:
        """For an arithmetic finding, the largest sum of money inside its evidence, as written
        (637.11元 stays 637.11元: for a unit error the written form is the point)."""
        if not _arithmetic(f.rule):
            return None
        money = [g for g in self.report.figures
                 if f.start <= g.start and g.end <= f.end and g.kind == "money" and g.wan is not None]
        if not money:
            return None
        g = max(money, key=lambda g: abs(g.wan))
        written = self.report.text[g.start:g.end]
        return written if g.unit and g.unit in written else f"{written}{g.unit or ''}"

    def records(self) -> list[dict]:
        """Each finding as the contract has it, with its rule's Chinese name, location, amount,
        fingerprint and 复核结论: what pages and the workbook show."""
        titles = rule_titles()
        out = []
        for f in self.findings:
            out.append({**f.as_dict(), "title": titles.get(f.rule, f.rule), "location": self.location(f.start),
                        "amount": self.amount(f), "fingerprint": self.fingerprint(f), "review": self.mark(f)})
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
                "findings": self.records()}

    def save(self, path: str | Path) -> None:
        write_json(path, self.results())


def _arithmetic(rule_id: str) -> bool:
    """Rules registered by the arithmetic module (a sum of money is what they are about)."""
    from .rules import REGISTRY, all_rules

    if not REGISTRY:
        all_rules()
    rule = REGISTRY.get(rule_id)
    return rule is not None and rule.func.__module__.endswith(".arithmetic")


def write_json(path: str | Path, data) -> None:
    """Write JSON atomically: to a temporary file beside it, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        from .exports import umask_mode
        os.fchmod(fd, umask_mode())
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1, sort_keys=False)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def page_starts(report: Report) -> list[int]:
    """Offsets where each page starts in the source text, where the file knows its pages: a PDF's
    pages (its text layer read again the way ingest joins it), a .docx's page breaks (hard breaks
    and the breaks Word recorded when it last laid the document out). Empty when unknown."""
    try:
        if report.format == "pdf":
            return _pdf_page_starts(report)
        if report.format == "docx":
            return _docx_page_starts(report)
    except Exception:  # a page number is a convenience: never a reason to fail an audit
        return []
    return []


def _pdf_page_starts(report: Report) -> list[int]:
    import pypdf

    reader = pypdf.PdfReader(report.path)
    if reader.is_encrypted:
        reader.decrypt("")
    lengths = [len((page.extract_text() or "").rstrip("\n")) for page in reader.pages]
    starts, offset = [], 0
    for n in lengths:
        starts.append(offset)
        offset += n + 1
    return starts if offset == len(report.text) else []


def _docx_page_starts(report: Report) -> list[int]:
    """The blocks of the .docx in ingest's order, their offsets, and the page breaks inside them."""
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table

    from .ingest import _table_text

    document = docx.Document(report.path)
    breaks, offset = [], 0
    for block in document.iter_inner_content():
        element = block._tbl if isinstance(block, Table) else block._p
        block_text = _table_text(block) if isinstance(block, Table) else block.text + "\n"
        seen = 0
        for el in element.iter():
            if el.tag == qn("w:t"):
                seen += len(el.text or "")
            elif el.tag == qn("w:lastRenderedPageBreak") or (el.tag == qn("w:br") and el.get(qn("w:type")) == "page"):
                breaks.append(offset + min(seen, len(block_text)))
        offset += len(block_text)
    if offset != len(report.text) or not breaks:
        return []
    return [0] + sorted(b for b in set(breaks) if 0 < b < len(report.text))


def run_audit(report_path: str | Path, corpus: str | Path | list | None = None,
              index_path: str | Path | None = None, review_path: str | Path | None = None) -> Audit:
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
    audit.review = decisions(load_store(review_path))
    return audit


def audit_in_context(report: Report, ctx: Context) -> Audit:
    """The audit of one report of a corpus whose shared work (the reuse index) lives in ctx."""
    reuse = ctx.text_reuse(report)
    return Audit(report, run_rules(report, ctx), reuse, summary(report, reuse, ctx.reuse_index()))
