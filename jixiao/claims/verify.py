"""Verification: recompute each claim from the report's own figures and compare, within the
tolerance of the stated precision; say what was stated, what the figures give, and the difference."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, getcontext

import pandas as pd

from . import Claim, Operand
from .tolerance import consistent, gross, sum_consistent

getcontext().prec = 28

STATUS = ("inconsistent", "consistent", "not_checked")  # the words of the output contract


@dataclass
class Verdict:
    claim: Claim
    status: str                  # one of STATUS
    computed: Decimal | str | None
    difference: Decimal | None
    severity: str | None
    message: str


def num(value: Decimal | int | None, decimals: int | None = None) -> str:
    """A number as an auditor writes it: fixed decimals when asked, else no trailing zeros."""
    if value is None:
        return "—"
    d = Decimal(value)
    if decimals is not None:
        return f"{d:.{decimals}f}"
    return f"{d.normalize():f}"


def _op_text(o: Operand) -> str:
    return f"{o.label} {num(o.value)}{o.unit}" if o.unit or not o.label.endswith(tuple("0123456789元亩人个户份件次名%")) \
        else o.label


def verify(claim: Claim) -> Verdict:
    handler = _HANDLERS[claim.op]
    return handler(claim)


def _numeric(claim: Claim, computed: Decimal | None, is_rate: bool, rule_note: str = "",
             lenient_below: bool = False) -> Verdict:
    if computed is None or claim.stated is None:
        return Verdict(claim, "not_checked", None, None, None, f"{claim.relation}：无法计算")
    show = max(claim.decimals, 2)
    diff = claim.stated - computed
    ok = consistent(claim.stated, claim.decimals, computed) or (lenient_below and diff < 0)
    unit = claim.unit
    stated = f"{num(claim.stated, claim.decimals)}{unit}"
    exact = Decimal(computed).normalize()
    got = f"{num(computed) if -exact.as_tuple().exponent <= 4 and not is_rate else num(computed, show)}{unit}"
    diff_text = f"{num(abs(diff), show)}{' 个百分点' if is_rate else unit}"
    if ok:
        return Verdict(claim, "consistent", computed, diff, None, f"{claim.relation}：报告 {stated}，计算 {got}，相符")
    severity = "high" if gross(claim.stated, computed, is_rate) else "medium"
    if claim.op == "sum" and len(claim.operands) > 4:
        inputs = f"所列 {len(claim.operands)} 项（{'，'.join(_op_text(o) for o in claim.operands[:3])}……）之和"
    else:
        inputs = "，".join(_op_text(o) for o in claim.operands)
    message = f"{claim.relation}：按{inputs}计算应为 {got}，报告写 {stated}，相差 {diff_text}{rule_note}"
    return Verdict(claim, "inconsistent", computed, diff, severity, message)


def _ratio(claim: Claim) -> Verdict:
    a, b = claim.operands[0].value, claim.operands[1].value
    if not b:
        return Verdict(claim, "not_checked", None, None, None, f"{claim.relation}：分母为零")
    computed = a / b * 100
    note = ""
    for alt in claim.alternatives:
        if alt.value and consistent(claim.stated, claim.decimals, a / alt.value * 100):
            note = f"（报告数是按{alt.label} {num(alt.value)}{alt.unit} 计算的）"
            break
    return _numeric(claim, computed, True, note)


def _sum(claim: Claim) -> Verdict:
    computed = sum((o.value for o in claim.operands), Decimal(0))
    if claim.stated is not None and claim.operands and all(o.decimals is not None for o in claim.operands) \
            and sum_consistent(claim.stated, claim.decimals, [(o.value, o.decimals) for o in claim.operands]):
        return Verdict(claim, "consistent", computed, claim.stated - computed, None,
                       f"{claim.relation}：报告 {num(claim.stated, max(claim.decimals, 0))}{claim.unit}，"
                       f"分项合计 {num(computed)}{claim.unit}，在分项舍入误差之内，相符")
    v = _numeric(claim, computed, False)
    if v.status == "inconsistent" and claim.detail.get("may_overlap"):
        return Verdict(claim, "not_checked", computed, v.difference, None,
                       f"{claim.relation}：所列分项合计 {num(computed)}，与总数 {num(claim.stated)} 不等；"
                       f"人员分类可能交叉或未列全，不作判断")
    if v.status == "inconsistent" and claim.detail.get("restated"):
        return Verdict(claim, "not_checked", computed, v.difference, None,
                       f"{claim.relation}：前文各项合计 {num(computed)}，与此处 {num(claim.stated)} 不等；"
                       f"前文所列可能是计划，此处是完成数，不作判断")
    if v.status == "inconsistent" and claim.detail.get("exhaustive") is False and computed < claim.stated:
        return Verdict(claim, "not_checked", computed, v.difference, None,
                       f"{claim.relation}：所列分项合计 {num(computed)}，小于总数 {num(claim.stated)}，可能未列全")
    return v


def _count(claim: Claim) -> Verdict:
    if claim.detail.get("open"):
        return Verdict(claim, "not_checked", claim.operands[0].value, None, None,
                       f"{claim.relation}：所列以“等”结尾，未列全，无法核对个数")
    return _numeric(claim, claim.operands[0].value, False)


def _product(claim: Claim) -> Verdict:
    computed = Decimal(1)
    for o in claim.operands:
        computed *= o.value
    return _numeric(claim, computed, False)


def _mean(claim: Claim) -> Verdict:
    total, count = claim.operands[0].value, claim.operands[1].value
    if not count:
        return Verdict(claim, "not_checked", None, None, None, f"{claim.relation}：数量为零")
    computed = total / count
    if claim.bound == "min":
        if computed >= claim.stated or consistent(claim.stated, claim.decimals, computed):
            return Verdict(claim, "consistent", computed, claim.stated - computed, None,
                           f"{claim.relation}：计算 {num(computed, 2)}{claim.unit}，不低于 {num(claim.stated)}{claim.unit}")
        return Verdict(claim, "inconsistent", computed, claim.stated - computed, "medium",
                       f"{claim.relation}：{_op_text(claim.operands[0])} ÷ {_op_text(claim.operands[1])} = "
                       f"{num(computed, 2)}{claim.unit}，低于所述标准 {num(claim.stated)}{claim.unit}")
    return _numeric(claim, computed, False)


def _equal(claim: Claim) -> Verdict:
    other = claim.operands[0]
    od = claim.detail.get("other_decimals", claim.decimals)
    agree = consistent(claim.stated, claim.decimals, other.value) if claim.decimals <= od else \
        consistent(other.value, od, claim.stated)
    diff = claim.stated - other.value
    if agree:
        return Verdict(claim, "consistent", other.value, diff, None, f"{claim.relation}：两处一致")
    severity = "high" if gross(claim.stated, other.value, False) else "medium"
    return Verdict(claim, "inconsistent", other.value, diff, severity,
                   f"{claim.relation}：此处写 {num(claim.stated, claim.decimals)}{claim.unit}，{other.label} 为 "
                   f"{num(other.value, od)}{claim.unit}，相差 {num(abs(diff), max(claim.decimals, od))}{claim.unit}")


def _grade(claim: Claim) -> Verdict:
    from .grades import expected_level
    bounds = [Decimal(b) for b in claim.detail["thresholds"]]
    want = expected_level(claim.stated, bounds)
    names = claim.detail["names"]
    if want == claim.detail["level"]:
        return Verdict(claim, "consistent", names[want], None, None, f"得分 {num(claim.stated)} 分，等级“{claim.detail['grade']}”相符")
    source = "报告所定标准" if claim.detail["source"] == "report" else "默认标准（财预〔2020〕10号）"
    scale = "、".join(f"{names[k]}≥{num(bounds[k])}" for k in range(len(bounds) - 1))
    return Verdict(claim, "inconsistent", names[want], None, "medium",
                   f"得分 {num(claim.stated)} 分按{source}（{scale}）应为“{names[want]}”，报告写“{claim.detail['grade']}”")


def _over(claim: Claim) -> Verdict:
    over = claim.stated - 100
    if claim.detail.get("explained"):
        return Verdict(claim, "consistent", Decimal(100), over, None,
                       f"{num(claim.stated, claim.decimals)}% 超过100%，报告有说明（“{claim.detail['explained']}”）")
    return Verdict(claim, "inconsistent", Decimal(100), over, "high",
                   f"执行率写 {num(claim.stated, claim.decimals)}%，超过100%（超出 {num(over, claim.decimals)} 个百分点），"
                   f"支出大于预算而报告未作说明")


def _plausible(claim: Claim) -> Verdict:
    below, admissions = claim.detail["below"], claim.detail["admissions"]
    if not below and not admissions:
        return Verdict(claim, "consistent", None, None, None, f"自评 {num(claim.stated)} 分，与报告中的执行率和所述情况不矛盾")
    reasons = []
    if below:
        reasons.append(f"执行率仅 {'、'.join(below)}（预算执行率权重10分，未全额执行不应满分）")
    if admissions:
        reasons.append("报告自述“" + "”“".join(a.strip() for a in admissions) + "”")
    where = "该项目" if claim.detail["scope"] == "project" else "本部门"
    return Verdict(claim, "inconsistent", None, None, "high" if below else "medium",
                   f"{where}自评 {num(claim.stated)} 分接近满分，但{'；'.join(reasons)}")


def _unit(claim: Claim) -> Verdict:
    kind = claim.detail["kind"]
    label = claim.detail.get("label") or "金额"
    if kind == "yuan_among_wan":
        peers = "、".join(f"{num(o.value)}万元" for o in claim.operands[:4])
        return Verdict(claim, "inconsistent", claim.stated, None, "medium",
                       f"{label} {num(claim.stated, claim.decimals)} 写作“元”，同处同类金额均以万元计（{peers}），"
                       f"按元只有 {num(claim.stated / 10000)} 万元，差 10⁴ 倍，应为 {num(claim.stated, claim.decimals)}万元")
    if kind == "missing":
        return Verdict(claim, "inconsistent", None, None, "low", f"{label} {num(claim.stated)} 没有写单位（元还是万元？）")
    return Verdict(claim, "inconsistent", None, None, "medium", f"{label} 为负数 {num(claim.stated)}{claim.unit}")


def _year(claim: Claim) -> Verdict:
    fy = claim.operands[0].value
    if claim.detail.get("titles"):
        return Verdict(claim, "inconsistent", fy, claim.stated - fy, "medium",
                       f"此处标题写 {num(claim.stated)} 年度，前文标题（“{claim.detail['clause'][:30]}”）为 {num(fy)} 年度，"
                       f"相差 {num(abs(claim.stated - fy))} 年；报告所评年度前后不一")
    return Verdict(claim, "inconsistent", fy, claim.stated - fy, "medium",
                   f"本报告评价 {num(fy)} 年度，此处把成果（“{claim.detail['clause'][:24]}”）写在 {num(claim.stated)} 年，"
                   f"相差 {num(abs(claim.stated - fy))} 年；疑为沿用上年报告的文字")


_HANDLERS = {"ratio": _ratio, "sum": _sum, "count": _count, "product": _product, "mean": _mean, "equal": _equal,
             "grade": _grade, "over": _over, "plausible": _plausible, "unit": _unit, "year": _year}


KIND_OF_OP = {"ratio": "rate", "sum": "total", "count": "count", "product": "product", "mean": "product",
              "equal": "conflict", "grade": "grade", "over": "rate", "plausible": "plausibility", "unit": "unit",
              "year": "year"}


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def claim_record(v: Verdict, text: str) -> dict:
    """One claim as the output contract lists it (checks.md §2): what was asserted and what was found."""
    c = v.claim
    record = {"rule": c.rule, "kind": c.kind or KIND_OF_OP[c.op], "relation": c.relation,
              "stated": _plain(c.stated), "computed": _plain(v.computed), "difference": _plain(v.difference),
              "status": v.status}
    if v.status == "not_checked":
        record["reason"] = v.message
    record.update({"evidence": text[c.start:c.end], "start": c.start, "end": c.end})
    return record


def claims_table(verdicts: list[Verdict], text: str) -> pd.DataFrame:
    """One row per claim: what the notebooks show as the arithmetic table."""
    rows = []
    for v in verdicts:
        c = v.claim
        rows.append({"rule": c.rule, "relation": c.relation, "evidence": text[c.start:c.end],
                     "stated": None if c.stated is None else float(c.stated),
                     "computed": float(v.computed) if isinstance(v.computed, Decimal) else v.computed,
                     "difference": None if v.difference is None else float(v.difference),
                     "status": v.status, "severity": v.severity or "", "message": v.message,
                     "start": c.start, "end": c.end})
    columns = ["rule", "relation", "evidence", "stated", "computed", "difference", "status", "severity", "message",
               "start", "end"]
    return pd.DataFrame(rows, columns=columns)


def report_verdicts(report) -> list[Verdict]:
    from . import extract_claims
    return [verify(c) for c in extract_claims(report)]


def claims_frame(report) -> pd.DataFrame:
    """The claims table of one report: stated, computed, difference, status."""
    return claims_table(report_verdicts(report), report.text)
