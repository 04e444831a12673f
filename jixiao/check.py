"""Run the rules over reports given together, and build the JSON output of `jixiao check`."""
from __future__ import annotations

import math
import os
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .errors import ReportError
from .findings import Finding, sort_findings
from .ingest import TEXT_SUFFIXES
from .report import Report, load_report
from .rules import all_rules

if TYPE_CHECKING:
    from .audit import Audit
    from .boilerplate import TextReuse
    from .reuse import ReuseIndex, ReuseSnapshot

REPORT_SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf", ".doc"}
FINDING_FIELDS = ("rule", "severity", "message", "evidence", "start", "end")


@dataclass
class Context:
    """What rules share: the other reports of the corpus, and the cross-report index built once for all."""

    reports: list[Report] = field(default_factory=list)
    index: "ReuseIndex | ReuseSnapshot | None" = None  # a saved index, or one report's saved reuse results
    _built: "ReuseIndex | ReuseSnapshot | None" = field(default=None, init=False, repr=False)

    def reuse_index(self) -> "ReuseIndex | ReuseSnapshot":
        """The cross-report index: the saved one (if any) with every report of this run added, or
        the batch's precomputed results for the one report of this run."""
        if self._built is None:
            from .reuse import ReuseSnapshot, build_index
            self._built = (self.index if isinstance(self.index, ReuseSnapshot)
                           else build_index(self.reports, self.index))
        return self._built

    def known_towns(self) -> set[str]:
        towns = {r.meta.town for r in self.reports if r.meta.town}
        if self.index is not None:
            towns |= self.index.known_towns()
        return towns


class Subject:
    """One report under audit in its context: the work its rules share (facts, verdicts, repeats,
    reuse), each part computed at most once, on first use, and held by this object alone — so no
    cache keyed by object identity is needed. Rules receive it where they receive a Context."""

    def __init__(self, report: Report, ctx: Context):
        self.report, self.ctx = report, ctx

    @property
    def reports(self) -> list[Report]:
        return self.ctx.reports

    @property
    def index(self):
        return self.ctx.index

    def reuse_index(self):
        return self.ctx.reuse_index()

    def known_towns(self) -> set[str]:
        return self.ctx.known_towns()

    def _own(self, report: Report) -> None:
        if report is not self.report:
            raise ValueError("a Subject serves the rules of its own report only")

    @cached_property
    def facts(self):
        from .claims.context import Facts
        return Facts(self.report)

    @cached_property
    def _verdicts(self) -> list:
        from .claims import extract_claims
        from .verify import verify
        return [verify(c) for c in extract_claims(self.report, self.facts)]

    @cached_property
    def _within(self) -> "TextReuse":
        from .boilerplate import within
        return within(self.report)

    @cached_property
    def _text_reuse(self) -> "TextReuse":
        from .boilerplate import analyse
        return analyse(self.report, self.ctx.reuse_index(), self._within)

    def verdicts(self, report: Report) -> list:
        """Every claim of the report, verified once and shared by the ten A rules."""
        self._own(report)
        return self._verdicts

    def within(self, report: Report) -> "TextReuse":
        """Repeats, templated sections and residue of one report: no corpus needed."""
        self._own(report)
        return self._within

    def text_reuse(self, report: Report) -> "TextReuse":
        """The report's boilerplate including what it shares with the corpus (builds the index)."""
        self._own(report)
        return self._text_reuse


@dataclass
class Outcome:
    path: str
    report: Report | None = None
    findings: list[Finding] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    error: str | None = None
    audit: "Audit | None" = None

    def as_dict(self) -> dict:
        if self.error is not None:
            return {"path": printable(self.path), "error": printable(self.error), "findings": []}
        return _clean({"path": self.path, "meta": self.report.meta.as_dict(),
                       "findings": [f.as_dict() for f in self.findings], "claims": self.claims})


def printable(s: str) -> str:
    """A file name or message as valid Unicode: bytes that were not UTF-8 in a file name (kept by
    Python as lone surrogates) are written as \\xNN, so the name prints and fits in JSON."""
    if not any("\udc80" <= ch <= "\udcff" for ch in s):
        return s
    return s.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _clean(value):
    """JSON-safe output: printable strings, and no Infinity/NaN (a figure of hundreds of digits is
    beyond a float; its value is then null, the text and offsets still say what was written)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def expand_paths(paths: Iterable[str | Path]) -> list[str]:
    """Files as given; a directory stands for the report files inside it, sorted by name.

    A folder that cannot be listed stands for itself, so that reading it gives its error."""
    out: list[str] = []
    for p in paths:
        path = Path(p)
        try:
            if path.is_dir():
                out.extend(str(c) for c in sorted(path.iterdir()) if c.is_file() and c.suffix.lower() in REPORT_SUFFIXES)
                continue
        except OSError:
            pass
        out.append(str(p))
    return out


def run_rules(report: Report, ctx: "Context | Subject", only: Iterable[str] | None = None) -> list[Finding]:
    subject = ctx if isinstance(ctx, Subject) else Subject(report, ctx)
    subject._own(report)
    findings: list[Finding] = []
    for r in all_rules(only):
        findings.extend(r.func(report, subject))
    return sort_findings(findings)


TIME_LIMIT_S = 60  # per file, reading and rules together; JIXIAO_TIME_LIMIT overrides (seconds)


def time_limit_s() -> float:
    try:
        return max(0.1, float(os.environ.get("JIXIAO_TIME_LIMIT", TIME_LIMIT_S)))
    except ValueError:
        return TIME_LIMIT_S


@contextmanager
def time_limit(seconds: float, path: str, budget: float | None = None):
    """Bound the work on one file: a report that takes longer is reported, not waited for.

    `seconds` is what is left of the file's `budget` (the limit the message names). Uses SIGALRM,
    so it applies in the main thread on Unix; elsewhere it does nothing.
    """
    budget = seconds if budget is None else budget
    if seconds <= 0:
        raise ReportError(path, f"took longer than {budget:g} s to process; the file is too large or too complex")
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise ReportError(path, f"took longer than {budget:g} s to process; the file is too large or too complex")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def failure_cause(exc: BaseException) -> str:
    """One deterministic line for any failure on one file: a ReportError's cause as it is, any
    other exception as 'internal error (Type: first line)', no traceback, no memory addresses."""
    if isinstance(exc, ReportError):
        return " ".join(str(exc.cause).split()) or "cannot be read"
    if isinstance(exc, RecursionError):
        return "internal error (RecursionError): the report's structure is nested too deeply"
    if isinstance(exc, MemoryError):
        return "internal error (MemoryError): the report needs more memory than is available"
    first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"internal error ({type(exc).__name__}{': ' + first if first else ''}); please report it with the file"


def check_paths(paths: Iterable[str | Path], only: Iterable[str] | None = None, index=None,
                progress=None) -> list[Outcome]:
    """Check reports given together; a file that fails, whatever the cause, is listed with its
    one-line error and the rest go on.

    progress: wraps each loop (an iterable and a label → an iterable), e.g. a tqdm bar."""
    from .audit import analyse

    show = progress or (lambda items, label: items)
    outcomes: list[Outcome] = []
    limit = time_limit_s()
    spent: list[float] = []  # one budget per file (by position): reading and rules together
    for path in show(expand_paths(paths), "读取"):
        start = time.monotonic()
        try:
            with time_limit(limit, path):
                outcomes.append(Outcome(path, load_report(path)))
        except Exception as exc:  # noqa: BLE001 — every failure is this file's error, never the run's
            outcomes.append(Outcome(path, error=failure_cause(exc)))
        spent.append(time.monotonic() - start)
    ctx = Context([o.report for o in outcomes if o.report is not None], index=index)
    left = sum(max(0.0, limit - t) for o, t in zip(outcomes, spent) if o.report is not None)
    index_time = _build_corpus_index(ctx, outcomes, only, max(0.1 * limit, left), limit)
    spent = [t + index_time / max(1, len(ctx.reports)) for t in spent]  # the index's time is shared by all
    for k, o in enumerate(show(outcomes, "核对")):
        if o.report is None:
            continue
        try:
            with time_limit(limit - spent[k], o.path, limit):
                o.audit = analyse(o.report, ctx, only)
                o.findings = [Finding(**{k: f[k] for k in FINDING_FIELDS}) for f in o.audit.findings]
                o.claims = o.audit.claims
        except Exception as exc:  # noqa: BLE001
            o.report, o.findings, o.claims, o.audit, o.error = None, [], [], None, failure_cause(exc)
    return outcomes


def _build_corpus_index(ctx: Context, outcomes: list[Outcome], only, budget: float, limit: float) -> float:
    """Build the cross-report index before the rules, on what the reports have left of their
    budgets together, so that one large file does not spend the first report's budget alone; its
    time is then shared by all. Should even that run out, every report fails with the same line."""
    if not ctx.reports or not any(r.scope == "corpus" for r in all_rules(only)):
        return 0.0
    start = time.monotonic()
    try:
        with time_limit(budget, "<the cross-report index>", limit):
            ctx.reuse_index()
    except ReportError as exc:  # the time limit: the files took too long, as when one file does alone
        cause = failure_cause(exc)
    except Exception as exc:  # noqa: BLE001
        cause = f"the cross-report index of this run failed: {failure_cause(exc)}"
    else:
        cause = None
    if cause is not None:
        for o in outcomes:
            if o.report is not None:
                o.report, o.error = None, cause
    return time.monotonic() - start


def as_json(outcomes: list[Outcome]) -> dict:
    """The output contract; every string printable, every number finite."""
    return {"reports": [o.as_dict() for o in outcomes]}
