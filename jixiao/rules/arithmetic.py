"""Rules A01–A10: each reports the claims decided to it that the report's own figures contradict.

Extractors say what a claim asserts (kind, op); `judge` decides its rule from the registry, verifies
it with the rule's tolerances and writes its message from the rule's template.
"""
from __future__ import annotations

from typing import Mapping

from ..claims import extract_claims
from ..claims.verify import Verdict, claims_table, verify
from . import Param, rule, rule_for

# Message templates by verification outcome (jixiao.claims.verify.OUTCOME_FIELDS lists their fields).
_NUMERIC = {
    "not_computed": "{relation}：无法计算",
    "consistent": "{relation}：报告 {stated}，计算 {computed}，相符",
    "differs": "{relation}：按{inputs}计算应为 {computed}，报告写 {stated}，相差 {difference}",
    "differs_many": "{relation}：按所列 {count} 项（{first}……）之和计算应为 {computed}，报告写 {stated}，相差 {difference}",
}
_RATIO = {
    "not_computed": _NUMERIC["not_computed"],
    "consistent": _NUMERIC["consistent"],
    "zero_base": "{relation}：分母为零",
    "rate_differs": "{relation}：按{inputs}计算应为 {computed}，报告写 {stated}，相差 {difference} 个百分点",
    "rate_differs_other_base": "{relation}：按{inputs}计算应为 {computed}，报告写 {stated}，相差 {difference} 个百分点"
                               "（报告数是按{base} 计算的）",
}
_SUM = {
    **_NUMERIC,
    "within_rounding": "{relation}：报告 {stated}，分项合计 {computed}，在分项舍入误差之内，相符",
    "may_overlap": "{relation}：所列分项合计 {computed}，与总数 {stated} 不等；人员分类可能交叉或未列全，不作判断",
    "part_cut": "{relation}：所列分项合计 {computed}，与总数 {stated} 不等；最后一项在文本截断处，数字可能不全，不作判断",
    "part_hidden": "{relation}：所列分项合计 {computed}，与总数 {stated} 不等；有分项的金额未显示（如“点击查看”），不作判断",
    "restated_differs": "{relation}：前文各项合计 {computed}，与此处 {stated} 不等；前文所列可能是计划，此处是完成数，不作判断",
    "maybe_partial": "{relation}：所列分项合计 {computed}，小于总数 {stated}，可能未列全",
}
_COUNT = {**_NUMERIC, "open_list": "{relation}：所列以“等”结尾，未列全，无法核对个数"}
_MEAN = {
    **_NUMERIC,
    "zero_count": "{relation}：数量为零",
    "floor_met": "{relation}：计算 {computed}，不低于 {stated}",
    "below_floor": "{relation}：{total} ÷ {count} = {computed}，低于所述标准 {stated}",
}
_EQUAL = {
    "same": "{relation}：两处一致",
    "differs_elsewhere": "{relation}：此处写 {stated}，{other} 为 {computed}，相差 {difference}",
}
_FULL_SCORE = "{where}自评 {stated} 分接近满分，但"
_BELOW = "执行率仅 {rates}（预算执行率权重10分，未全额执行不应满分）"
_ADMITTED = "报告自述“{admissions}”"

_GROSS_RATE = Param("rate_gross_points", 1.0, 0.0, 100.0, "比率相差超过此百分点数为严重（high）")
_GROSS_AMOUNT = Param("amount_gross_share", 0.01, 0.0, 1.0, "金额、个数相差超过此比例为严重（high）")


@rule("A01", "rate", "比率不符", "high", consumes=[("rate", "ratio"), ("share", "ratio"), ("growth", "ratio")],
      templates=_RATIO, params=[_GROSS_RATE], grades=["medium"])
def rate(report, ctx):
    """A stated percentage differs from the ratio of the figures it is computed from."""


@rule("A02", "total", "合计不符", "high",
      consumes=[("total", "sum"), ("total", "count"), ("weights", "sum"), ("weights", "equal")],
      templates={**_SUM, **_COUNT, **_EQUAL}, params=[_GROSS_AMOUNT], grades=["medium"])
def total(report, ctx):
    """A stated total differs from the sum of the items listed under it."""


@rule("A03", "count", "数量不符", "high", consumes=[("count", "count"), ("count", "tally"), ("total", "tally")],
      templates={**_SUM, **_COUNT}, params=[_GROSS_AMOUNT], grades=["medium"])
def count(report, ctx):
    """A stated count differs from the items listed, or parts do not add up to the whole."""


@rule("A04", "unit", "单位错误", "medium", consumes=[("unit", "unit")], grades=["low"], templates={
    "yuan_among_wan": "{label} {stated} 写作“元”，同处同类金额均以万元计（{peers}），按元只有 {computed} 万元，"
                      "差 10⁴ 倍，应为 {stated}万元",
    "unit_missing": "{label} {stated} 没有写单位（元还是万元？）",
    "negative": "{label} 为负数 {stated}",
})
def unit(report, ctx):
    """Money in the wrong unit (元 among 万元 of the same size), with no unit, or impossible."""


@rule("A05", "product", "乘积不符", "high",
      consumes=[("product", "product"), ("product", "mean"), ("weights", "product")],
      templates=_MEAN, params=[_GROSS_AMOUNT], grades=["medium"])
def product(report, ctx):
    """Quantity × unit price, or total ÷ count, differs from the stated amount or average."""


@rule("A06", "over", "超额执行", "high", consumes=[("rate", "over")], templates={
    "over_explained": "{stated}% 超过100%，报告有说明（“{explained}”）",
    "over_unexplained": "执行率写 {stated}%，超过100%（超出 {difference} 个百分点），支出大于预算而报告未作说明",
})
def over(report, ctx):
    """An execution or completion rate above 100% with no explanation."""


@rule("A07", "grade", "等级不符", "medium", consumes=[("grade", "grade")], grades=["high"], templates={
    "score_over_full": "得分 {stated} 分超过满分 {computed} 分（多 {difference} 分），不是有效得分，等级“{grade}”无从对应",
    "grade_matches": "得分 {stated} 分，等级“{grade}”相符",
    "grade_differs_own": "得分 {stated} 分按报告所定标准（{scale}）应为“{computed}”，报告写“{grade}”",
    "grade_differs_default": "得分 {stated} 分按默认标准（财预〔2020〕10号）（{scale}）应为“{computed}”，报告写“{grade}”",
})
def grade(report, ctx):
    """A score and its grade disagree under the thresholds in force, or a graded score exceeds the full marks."""


@rule("A08", "plausibility", "自评分虚高", "high", consumes=[("plausibility", "plausible")], grades=["medium"],
      templates={
    "score_fits": "自评 {stated} 分，与报告中的执行率和所述情况不矛盾",
    "score_below_rates": _FULL_SCORE + _BELOW,
    "score_admitted": _FULL_SCORE + _ADMITTED,
    "score_below_rates_admitted": _FULL_SCORE + _BELOW + "；" + _ADMITTED,
})
def plausibility(report, ctx):
    """A full or near-full self-score contradicted by the report's own figures or admissions."""


@rule("A09", "conflict", "前后矛盾", "medium", consumes=[("conflict", "equal")], templates=_EQUAL,
      params=[_GROSS_AMOUNT], grades=["high"])
def conflict(report, ctx):
    """The same quantity is given different values in different places of one report."""


@rule("A10", "year", "年度错误", "medium", consumes=[("year", "year")], templates={
    "title_year_differs": "此处标题写 {stated} 年度，前文标题（“{clause}”）为 {computed} 年度，相差 {difference} 年；"
                          "报告所评年度前后不一",
    "result_year_differs": "本报告评价 {computed} 年度，此处把成果（“{clause}”）写在 {stated} 年，相差 {difference} 年；"
                           "疑为沿用上年报告的文字",
})
def year(report, ctx):
    """A result attributed to the wrong fiscal year."""


def judge(claim, thresholds: Mapping | None = None) -> Verdict:
    """Decide the claim's rule from the registry, verify it with that rule's tolerances (its
    parameters, overridden by `thresholds`), and say the outcome in the rule's words."""
    r = rule_for(claim.kind, claim.op)
    given = thresholds or {}
    v = verify(claim, {p.name: given.get(p.name, p.default) for p in r.params})
    v.rule, v.message = r.id, r.render(v.outcome, v.fields)
    return v


def report_verdicts(report, facts=None, thresholds: Mapping | None = None) -> list[Verdict]:
    """Every claim of a report judged, in order of position (claims of one span by rule)."""
    verdicts = [judge(c, thresholds) for c in extract_claims(report, facts)]
    verdicts.sort(key=lambda v: (v.claim.start, v.claim.end, v.rule, v.claim.relation))
    return verdicts


def claims_frame(report, thresholds: Mapping | None = None):
    """The claims table of one report: stated, computed, difference, status, message."""
    return claims_table(report_verdicts(report, thresholds=thresholds), report.text)
