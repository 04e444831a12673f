"""Rules A01–A10: each reports the claims of its kind that the report's own figures contradict."""
from __future__ import annotations

from ..claims.verify import Verdict, report_verdicts
from . import rule
from .findings import make_finding


def verdicts(report, ctx) -> list[Verdict]:
    """All claims of a report, verified once and shared by the ten rules."""
    return report_verdicts(report) if ctx is None else ctx.verdicts(report)


def _findings(rule_id: str, report, ctx):
    for v in verdicts(report, ctx):
        if v.claim.rule == rule_id and v.status == "inconsistent":
            yield make_finding(report.text, rule_id, v.severity or "medium", v.claim.start, v.claim.end, v.message)


@rule("A01", "rate", "比率不符", "high")
def rate(report, ctx):
    """A stated percentage differs from the ratio of the figures it is computed from."""
    return _findings("A01", report, ctx)


@rule("A02", "total", "合计不符", "high")
def total(report, ctx):
    """A stated total differs from the sum of the items listed under it."""
    return _findings("A02", report, ctx)


@rule("A03", "count", "数量不符", "high")
def count(report, ctx):
    """A stated count differs from the items listed, or parts do not add up to the whole."""
    return _findings("A03", report, ctx)


@rule("A04", "unit", "单位错误", "medium")
def unit(report, ctx):
    """Money in the wrong unit (元 among 万元 of the same size), with no unit, or impossible."""
    return _findings("A04", report, ctx)


@rule("A05", "product", "乘积不符", "high")
def product(report, ctx):
    """Quantity × unit price, or total ÷ count, differs from the stated amount or average."""
    return _findings("A05", report, ctx)


@rule("A06", "over", "超额执行", "high")
def over(report, ctx):
    """An execution or completion rate above 100% with no explanation."""
    return _findings("A06", report, ctx)


@rule("A07", "grade", "等级不符", "medium")
def grade(report, ctx):
    """A score and its grade disagree under the thresholds in force."""
    return _findings("A07", report, ctx)


@rule("A08", "plausibility", "自评分虚高", "high")
def plausibility(report, ctx):
    """A full or near-full self-score contradicted by the report's own figures or admissions."""
    return _findings("A08", report, ctx)


@rule("A09", "conflict", "前后矛盾", "medium")
def conflict(report, ctx):
    """The same quantity is given different values in different places of one report."""
    return _findings("A09", report, ctx)


@rule("A10", "year", "年度错误", "medium")
def year(report, ctx):
    """A result attributed to the wrong fiscal year."""
    return _findings("A10", report, ctx)
