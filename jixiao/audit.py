"""One report's audit, the pipeline's single product: `analyse(report, corpus)` computes, once,
everything that `check`, the pages, the workbook and the county summary show — meta, verdicts,
findings with their locations, reuse runs, boilerplate share, projects, headline figures — as
plain data. An Audit is saved as JSON with a format version and loaded back to be displayed."""
from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import pandas as pd

from .errors import JixiaoError, ReportError
from .model.report import Report, load_report
from .review import FALSE_POSITIVE, decisions, fingerprint, load_store
from .rules.findings import SEVERITIES

if TYPE_CHECKING:
    from .reuse.index import ReuseIndex, ReuseSnapshot
    from .rules.subject import Context

FORMAT_VERSION = 2  # 2: the thresholds it was decided with
FINDING_COLUMNS = ["rule", "severity", "message", "evidence", "start", "end"]
CLAIM_COLUMNS = ["rule", "relation", "evidence", "stated", "computed", "difference", "status", "severity", "message",
                 "start", "end"]
PROJECT_COLUMNS = ["项目", "预算（万元）", "支出（万元）", "执行率（%）"]


class AuditFormatError(JixiaoError):
    """A saved audit this version of jixiao cannot read (another format version, or not an audit)."""


@dataclass
class Audit:
    """Plain data only (str, numbers, lists, dicts), so that it is saved and loaded as JSON."""

    path: str
    name: str
    text: str                                   # the source text every offset refers to
    meta: dict
    sections: list = field(default_factory=list)       # offsets where the top-level sections start
    findings: list = field(default_factory=list)       # contract fields + title, location, amount, fingerprint, review
    claims: list = field(default_factory=list)         # the contract's claim records (checks.md §2)
    verdicts: list = field(default_factory=list)       # the claims table: stated, computed, difference, message
    reuse_runs: list = field(default_factory=list)     # passages also found in other reports, with their sources
    boilerplate_spans: list = field(default_factory=list)  # [start, end, category] of every boilerplate passage
    boilerplate: dict | None = None                    # share and characters by kind and source (None: not analysed)
    projects: list = field(default_factory=list)       # one dict per project row (PROJECT_COLUMNS)
    headline: dict = field(default_factory=dict)
    corpus: list = field(default_factory=list)         # the other reports compared with
    skipped: list = field(default_factory=list)        # corpus files that could not be read
    thresholds: dict = field(default_factory=dict)     # every threshold the rules decided with (name → value)

    @property
    def reuse_summary(self) -> dict:
        return self.boilerplate or {}

    def counts(self) -> dict:
        """Findings by severity, every severity present (0 when none); 误报 marked by a reviewer left out."""
        out = {s: 0 for s in SEVERITIES}
        for f in self.findings:
            if f.get("review") != FALSE_POSITIVE:
                out[f["severity"]] += 1
        return out

    def dismissed(self) -> list[dict]:
        return [f for f in self.findings if f.get("review") == FALSE_POSITIVE]

    def kept_boilerplate_spans(self) -> list[tuple]:
        """The boilerplate passages, less those a reviewer marked 误报 (what the strip chart shows)."""
        dismissed = [(f["start"], f["end"]) for f in self.dismissed()]
        return [tuple(s) for s in self.boilerplate_spans if not any(a < s[1] and s[0] < b for a, b in dismissed)]

    def parameter_mismatches(self, town: str | None = None, year: int | None = None) -> list[tuple[str, object, object]]:
        """(field, given, found) where the batch's parameters name another town or year than the report."""
        return [(key, given, self.meta[key]) for key, given in (("town", town), ("year", year))
                if given and self.meta.get(key) and self.meta[key] != given]

    def share_alert(self, thresholds: dict | None = None) -> float | None:
        """The alert line when the boilerplate share reaches it (thresholds: the batch's), else None."""
        alert = (thresholds or {}).get("boilerplate_share_alert")
        return alert if alert is not None and self.reuse_summary.get("share", 0) >= alert else None

    def changed_thresholds(self) -> dict[str, tuple[float, float]]:
        """The thresholds this audit was decided with that differ from the registry's defaults:
        name → (value, default), for the page to say the rules did not run as shipped."""
        from .rules import default_thresholds

        defaults = default_thresholds()
        return {k: (v, defaults[k]) for k, v in sorted(self.thresholds.items()) if k in defaults and v != defaults[k]}

    def apply_review(self, marks: dict[str, str]) -> "Audit":
        """Set each finding's 复核结论 from the reviewers' decisions (fingerprint → decision)."""
        for f in self.findings:
            f["review"] = marks.get(f["fingerprint"]) if marks else None
        return self

    def records(self) -> list[dict]:
        return self.findings

    def findings_frame(self) -> pd.DataFrame:
        rank = {s: i for i, s in enumerate(SEVERITIES)}
        rows = sorted(({k: f[k] for k in FINDING_COLUMNS} for f in self.findings),
                      key=lambda f: (rank[f["severity"]], f["start"], f["rule"]))
        return pd.DataFrame(rows, columns=FINDING_COLUMNS)

    def claims_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.verdicts, columns=CLAIM_COLUMNS)

    def projects_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.projects, columns=PROJECT_COLUMNS)

    def results(self) -> dict:
        """What the county summary and the spreadsheet read of this town."""
        return {"path": self.path, "name": self.name, "meta": self.meta, "counts": self.counts(),
                "headline": self.headline, "boilerplate": self.reuse_summary, "findings": self.findings}

    def as_dict(self) -> dict:
        return {"format_version": FORMAT_VERSION, **{f.name: getattr(self, f.name) for f in dataclasses.fields(self)}}

    def save(self, path: str | Path) -> None:
        """JSON (no pickle): every number finite, the same audit always the same bytes."""
        from .rules.findings import json_safe as _clean
        write_json(path, _clean(self.as_dict()))

    @classmethod
    def load(cls, path: str | Path) -> "Audit":
        """A saved audit; one of another format version is refused with a one-line message."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise AuditFormatError(f"{path}: not a saved audit ({type(exc).__name__})") from None
        version = data.get("format_version") if isinstance(data, dict) else None
        if version != FORMAT_VERSION:
            raise AuditFormatError(f"{path}: saved audit format version {version!r}, this jixiao reads version "
                                   f"{FORMAT_VERSION}; run the audit again to write it anew")
        names = {f.name for f in dataclasses.fields(cls)}
        missing = sorted(n for n in names if n not in data and n not in ("corpus", "skipped"))
        if missing:
            raise AuditFormatError(f"{path}: saved audit lacks {', '.join(missing)}")
        return cls(**{k: v for k, v in data.items() if k in names})


def analyse(report: Report, corpus: "Context | ReuseIndex | ReuseSnapshot | list[Report] | None" = None,
            only: Iterable[str] | None = None, review: dict[str, str] | None = None,
            thresholds: dict | None = None) -> Audit:
    """The audit of one report, computed once: its facts and verdicts once, its rules once, its
    reuse once. `corpus` is what it is compared with: a Context shared by the reports of one run
    (check, the batch), other parsed reports, a saved index or the batch's reuse results, or
    nothing. `only` selects rules (unknown ids are refused); reuse is analysed only when a corpus rule
    is selected. `thresholds` overrides the registry's (else the Context's) thresholds for this report
    (an unknown name or a value out of range is refused)."""
    from .claims.projects import headline, project_frame
    from .claims.verify import claim_record, claims_table
    from .reuse.index import ReuseIndex, ReuseSnapshot
    from .rules import all_rules, check_rules, rule_titles
    from .rules.subject import Context, Subject, run_rules

    only = check_rules(only) if only else None  # a notebook's `rules` parameter, checked like a params file's
    if isinstance(corpus, Context):
        ctx = corpus
    elif isinstance(corpus, (ReuseIndex, ReuseSnapshot)):
        ctx = Context([report], index=corpus)
    else:
        ctx = Context([report] + [r for r in corpus or [] if r is not report])
    subject = Subject(report, ctx, thresholds)
    rules = all_rules(only)
    findings = run_rules(report, subject, only)
    text, titles = report.text, rule_titles()
    boilerplate, spans, runs = None, [], []
    if any(r.scope == "corpus" for r in rules):
        from .reuse.share import summary
        reuse = subject.text_reuse(report)
        boilerplate = summary(report, reuse, ctx.reuse_index())
        spans = [list(s) for s in reuse.spans()]
        runs = [dataclasses.asdict(r) for r in reuse.reused]
    starts = page_starts(report)
    town = report.meta.town
    records = [{**f.as_dict(), "title": titles.get(f.rule, f.rule), "location": location(report, starts, f.start),
                "amount": amount(report, f), "fingerprint": fingerprint(text, f.rule, f.start, f.end, town),
                "review": None} for f in findings]
    verdicts = subject.verdicts(report)
    projects = project_frame(report, subject.facts)
    audit = Audit(path=report.path, name=report.name, text=text, meta=report.meta.as_dict(),
                  sections=[node.start for node in report.sections.children], findings=records,
                  claims=[claim_record(v, text) for v in verdicts],
                  verdicts=_plain_rows(claims_table(verdicts, text)), reuse_runs=runs, boilerplate_spans=spans,
                  boilerplate=boilerplate, projects=_plain_rows(projects),
                  headline=headline(report, subject.facts),
                  corpus=[r.path for r in ctx.reports if r is not report], thresholds=dict(subject.thresholds))
    return audit.apply_review(review or {})


def _plain_rows(frame: pd.DataFrame) -> list[dict]:
    """A frame's rows as dicts of plain values (NaN → None, numpy numbers → Python numbers)."""
    rows = []
    for row in frame.to_dict("records"):
        rows.append({k: (None if isinstance(v, float) and v != v else v.item() if hasattr(v, "item") else v)
                     for k, v in row.items()})
    return rows


def location(report: Report, starts: list[int], start: int) -> dict:
    """Where an auditor finds an offset: section path (三、（二）2.), paragraph number, page when known."""
    node = report.section_at(start)
    labels = []
    while node is not None and node.marker is not None:
        labels.append(node.number_label)
        node = node.parent
    para = report.paragraph_at(start)
    if para is None:
        para = next((p for p in report.paragraphs if p.start >= start), None)
    page = bisect_right(starts, start) if starts else None
    return {"section": "".join(reversed(labels)), "paragraph": para.index + 1 if para else None, "page": page}


def amount(report: Report, f) -> str | None:
    """For an arithmetic finding, the largest sum of money inside its evidence, as written
    (637.11元 stays 637.11元: for a unit error the written form is the point)."""
    if not _arithmetic(f.rule):
        return None
    money = [g for g in report.figures
             if f.start <= g.start and g.end <= f.end and g.kind == "money" and g.wan is not None]
    if not money:
        return None
    g = max(money, key=lambda g: abs(g.wan))
    written = report.text[g.start:g.end]
    return written if g.unit and g.unit in written else f"{written}{g.unit or ''}"


def _arithmetic(rule_id: str) -> bool:
    """Rules that consume claims (a sum of money is what they are about)."""
    from .rules import REGISTRY, all_rules

    if not REGISTRY:
        all_rules()
    rule = REGISTRY.get(rule_id)
    return rule is not None and bool(rule.consumes)


def write_json(path: str | Path, data) -> None:
    """Write JSON atomically: to a temporary file beside it, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        from .files import umask_mode
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

    from .read.ingest import _table_text

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
              index_path: str | Path | None = None, review_path: str | Path | None = None,
              only: Iterable[str] | None = None, thresholds: dict | None = None) -> Audit:
    """Audit one report file against a corpus (a folder or list of report files) and/or a saved
    reuse index (`jixiao index build`): what a notebook used interactively computes."""
    from .read.ingest import expand_paths
    from .rules.subject import Context

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
        from .reuse.index import load_reuse
        index = load_reuse(index_path)
    audit = analyse(report, Context([report] + others, index=index), only=only,
                    review=decisions(load_store(review_path)), thresholds=thresholds)
    audit.skipped = skipped
    return audit


def load_audit(audit_path: str | Path | None = None, report: str | Path | None = None, corpus=None,
               index_path: str | Path | None = None, review_path: str | Path | None = None,
               only: Iterable[str] | None = None, thresholds: dict | None = None) -> Audit:
    """The audit a notebook shows: the one the batch saved (audit_path), else computed from the report."""
    if audit_path:
        return Audit.load(audit_path)
    if not report:
        raise JixiaoError("give either audit_path (a saved audit) or report (a report file)")
    return run_audit(report, corpus, index_path, review_path, only, thresholds)
