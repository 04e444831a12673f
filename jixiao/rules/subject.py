"""What the rules of one report share: its corpus (Context) and the work done once for it (Subject)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Iterable, Mapping

from ..model.report import Report
from . import all_rules, check_thresholds
from .findings import Finding, sort_findings

if TYPE_CHECKING:
    from ..reuse.index import ReuseIndex, ReuseSnapshot
    from ..reuse.share import TextReuse


@dataclass
class Context:
    """What rules share: the other reports of the corpus, and the cross-report index built once for all."""

    reports: list[Report] = field(default_factory=list)
    index: "ReuseIndex | ReuseSnapshot | None" = None  # a saved index, or one report's saved reuse results
    thresholds: Mapping | None = None  # the batch's thresholds (None: the registry's defaults)
    _built: "ReuseIndex | ReuseSnapshot | None" = field(default=None, init=False, repr=False)

    def reuse_index(self) -> "ReuseIndex | ReuseSnapshot":
        """The cross-report index: the saved one (if any) with every report of this run added, or
        the batch's precomputed results for the one report of this run."""
        if self._built is None:
            from ..reuse.index import ReuseSnapshot, build_index
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

    def __init__(self, report: Report, ctx: Context, thresholds: Mapping | None = None):
        self.report, self.ctx = report, ctx
        self.thresholds = check_thresholds(ctx.thresholds if thresholds is None else thresholds)

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
        from ..claims.context import Facts
        return Facts(self.report)

    @cached_property
    def _verdicts(self) -> list:
        from .arithmetic import report_verdicts
        return report_verdicts(self.report, self.facts, self.thresholds)

    @cached_property
    def _within(self) -> "TextReuse":
        from ..reuse.share import within
        return within(self.report, self.thresholds["repeat_similarity"], self.thresholds["templated_share"])

    @cached_property
    def _text_reuse(self) -> "TextReuse":
        from ..reuse.share import analyse
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


def run_rules(report: Report, ctx: "Context | Subject", only: Iterable[str] | None = None) -> list[Finding]:
    subject = ctx if isinstance(ctx, Subject) else Subject(report, ctx)
    subject._own(report)
    findings: list[Finding] = []
    for r in all_rules(only):
        findings.extend(r.findings(report, subject))
    return sort_findings(findings)
