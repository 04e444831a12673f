"""Run the rules over reports given together, and build the JSON output of `jixiao check`."""
from __future__ import annotations

import os
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from ..errors import ReportError, failure_cause, printable
from ..model.report import Report, load_report
from ..read.ingest import expand_paths
from ..rules import all_rules
from ..rules.findings import Finding, json_safe
from ..rules.subject import Context

if TYPE_CHECKING:
    from ..audit import Audit

FINDING_FIELDS = ("rule", "severity", "message", "evidence", "start", "end")


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
        return json_safe({"path": self.path, "meta": self.report.meta.as_dict(),
                       "findings": [f.as_dict() for f in self.findings], "claims": self.claims})


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
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)  # again every 0.5 s: one raised where it is lost is not the last
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_paths(paths: Iterable[str | Path], only: Iterable[str] | None = None, index=None,
                progress=None, thresholds: dict | None = None) -> list[Outcome]:
    """Check reports given together; a file that fails, whatever the cause, is listed with its
    one-line error and the rest go on.

    progress: wraps each loop (an iterable and a label → an iterable), e.g. a tqdm bar.
    thresholds: overrides of the registry's thresholds for every report (checked before any is read)."""
    from ..audit import analyse
    from ..rules import check_thresholds

    check_thresholds(thresholds)
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
    ctx = Context([o.report for o in outcomes if o.report is not None], index=index, thresholds=thresholds)
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
