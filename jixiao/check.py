"""Run the rules over reports given together, and build the JSON output of `jixiao check`."""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .errors import ReportError
from .findings import Finding, sort_findings
from .ingest import TEXT_SUFFIXES
from .report import Report, load_report
from .rules import all_rules

if TYPE_CHECKING:
    from .boilerplate import TextReuse
    from .reuse import ReuseIndex, ReuseSnapshot

REPORT_SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf", ".doc"}


@dataclass
class Context:
    """What rules share: the other reports of the corpus, and anything computed once for all."""

    reports: list[Report] = field(default_factory=list)
    cache: dict = field(default_factory=dict)
    index: "ReuseIndex | ReuseSnapshot | None" = None  # a saved index, or one report's saved reuse results

    def reuse_index(self) -> "ReuseIndex | ReuseSnapshot":
        """The cross-report index: the saved one (if any) with every report of this run added, or
        the batch's precomputed results for the one report of this run."""
        if "reuse_index" not in self.cache:
            from .reuse import ReuseSnapshot, build_index
            self.cache["reuse_index"] = (self.index if isinstance(self.index, ReuseSnapshot)
                                         else build_index(self.reports, self.index))
        return self.cache["reuse_index"]

    def within(self, report: Report) -> "TextReuse":
        """Repeats, templated sections and residue of one report: no corpus needed."""
        key = ("within", id(report))
        if key not in self.cache:
            from .boilerplate import within
            self.cache[key] = within(report)
        return self.cache[key]

    def text_reuse(self, report: Report) -> "TextReuse":
        """The report's boilerplate including what it shares with the corpus (builds the index)."""
        key = ("text_reuse", id(report))
        if key not in self.cache:
            from .boilerplate import analyse
            self.cache[key] = analyse(report, self.reuse_index(), self.within(report))
        return self.cache[key]

    def known_towns(self) -> set[str]:
        towns = {r.meta.town for r in self.reports if r.meta.town}
        if self.index is not None:
            towns |= self.index.known_towns()
        return towns


@dataclass
class Outcome:
    path: str
    report: Report | None = None
    findings: list[Finding] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict:
        if self.error is not None:
            return {"path": self.path, "error": self.error, "findings": []}
        return {"path": self.path, "meta": self.report.meta.as_dict(),
                "findings": [f.as_dict() for f in self.findings], "claims": self.claims}


def expand_paths(paths: Iterable[str | Path]) -> list[str]:
    """Files as given; a directory stands for the report files inside it, sorted by name."""
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(str(c) for c in sorted(path.iterdir()) if c.is_file() and c.suffix.lower() in REPORT_SUFFIXES)
        else:
            out.append(str(p))
    return out


def run_rules(report: Report, ctx: Context, only: Iterable[str] | None = None) -> list[Finding]:
    findings: list[Finding] = []
    for r in all_rules(only):
        findings.extend(r.func(report, ctx))
    return sort_findings(findings)


TIME_LIMIT_S = 60


@contextmanager
def time_limit(seconds: int, path: str):
    """Bound the work on one file: a report that takes longer is reported, not waited for.

    Uses SIGALRM, so it applies in the main thread on Unix; elsewhere it does nothing.
    """
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise ReportError(path, f"took longer than {seconds} s to process; the file is too large or too complex")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_paths(paths: Iterable[str | Path], only: Iterable[str] | None = None, index=None,
                progress=None) -> list[Outcome]:
    """Check reports given together; a file that fails is listed with its error and the rest go on.
    progress: wraps each loop (an iterable and a label → an iterable), e.g. a tqdm bar."""
    show = progress or (lambda items, label: items)
    outcomes: list[Outcome] = []
    for path in show(expand_paths(paths), "读取"):
        try:
            with time_limit(TIME_LIMIT_S, path):
                outcomes.append(Outcome(path, load_report(path)))
        except ReportError as exc:
            outcomes.append(Outcome(path, error=exc.cause))
    ctx = Context([o.report for o in outcomes if o.report is not None], index=index)
    for o in show(outcomes, "核对"):
        if o.report is None:
            continue
        try:
            with time_limit(TIME_LIMIT_S, o.path):
                o.findings = run_rules(o.report, ctx, only)
                o.claims = claim_records(o.report, ctx)
        except ReportError as exc:
            o.report, o.error = None, exc.cause
    return outcomes


def claim_records(report: Report, ctx: Context) -> list[dict]:
    """Every arithmetic relation the report asserts, checked or not, as the contract lists them."""
    from .rules.arithmetic import verdicts
    from .verify import claim_record
    return [claim_record(v, report.text) for v in verdicts(report, ctx)]


def as_json(outcomes: list[Outcome]) -> dict:
    return {"reports": [o.as_dict() for o in outcomes]}
