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


# The outcomes verification can reach, each with the fields it fills; the rule a claim falls under
# (jixiao.rules) holds one message template per outcome it may receive and renders it from these.
OUTCOME_FIELDS: dict[str, tuple[str, ...]] = {
    "not_computed": ("relation",),
    "consistent": ("relation", "stated", "computed"),
    "differs": ("relation", "inputs", "computed", "stated", "difference"),
    "differs_many": ("relation", "count", "first", "computed", "stated", "difference"),
    "zero_base": ("relation",),
    "rate_differs": ("relation", "inputs", "computed", "stated", "difference"),
    "rate_differs_other_base": ("relation", "inputs", "computed", "stated", "difference", "base"),
    "within_rounding": ("relation", "stated", "computed"),
    "may_overlap": ("relation", "computed", "stated"),
    "part_cut": ("relation", "computed", "stated"),
    "part_hidden": ("relation", "computed", "stated"),
    "restated_differs": ("relation", "computed", "stated"),
    "maybe_partial": ("relation", "computed", "stated"),
    "open_list": ("relation",),
    "zero_count": ("relation",),
    "floor_met": ("relation", "computed", "stated"),
    "below_floor": ("relation", "total", "count", "computed", "stated"),
    "same": ("relation",),
    "differs_elsewhere": ("relation", "stated", "other", "computed", "difference"),
    "grade_matches": ("stated", "grade"),
    "grade_differs_own": ("stated", "scale", "computed", "grade"),
    "grade_differs_default": ("stated", "scale", "computed", "grade"),
    "score_over_full": ("stated", "computed", "difference", "grade"),
    "over_explained": ("stated", "explained"),
    "over_unexplained": ("stated", "difference"),
    "score_fits": ("stated",),
    "score_below_rates": ("where", "stated", "rates"),
    "score_admitted": ("where", "stated", "admissions"),
    "score_below_rates_admitted": ("where", "stated", "rates", "admissions"),
    "yuan_among_wan": ("label", "stated", "peers", "computed"),
    "unit_missing": ("label", "stated"),
    "negative": ("label", "stated"),
    "title_year_differs": ("stated", "clause", "computed", "difference"),
    "result_year_differs": ("computed", "clause", "stated", "difference"),
}

# Which outcomes each op can reach: a rule consuming an op must hold a template for each of them.
OUTCOMES_OF_OP: dict[str, tuple[str, ...]] = {
    "ratio": ("not_computed", "zero_base", "consistent", "rate_differs", "rate_differs_other_base"),
    "sum": ("not_computed", "consistent", "differs", "differs_many", "within_rounding", "may_overlap", "part_cut",
            "part_hidden", "restated_differs", "maybe_partial"),
    "count": ("not_computed", "consistent", "differs", "open_list"),
    "product": ("not_computed", "consistent", "differs", "differs_many"),
    "mean": ("not_computed", "consistent", "differs", "zero_count", "floor_met", "below_floor"),
    "equal": ("same", "differs_elsewhere"),
    "grade": ("grade_matches", "grade_differs_own", "grade_differs_default", "score_over_full"),
    "over": ("over_explained", "over_unexplained"),
    "plausible": ("score_fits", "score_below_rates", "score_admitted", "score_below_rates_admitted"),
    "unit": ("yuan_among_wan", "unit_missing", "negative"),
    "year": ("title_year_differs", "result_year_differs"),
}
OUTCOMES_OF_OP["tally"] = OUTCOMES_OF_OP["sum"]

FULL_MARKS = Decimal(100)  # the grade scale's full marks (百分制): a graded score above it is no score

# Default tolerances beyond which an inconsistency is gross (high); a rule's parameters may override them.
GROSS = {"rate_gross_points": Decimal(1), "amount_gross_share": Decimal("0.01")}


@dataclass
class Verdict:
    """What verification found for one claim: status, the figures, and the outcome with its fields.
    `rule` and `message` are filled by the rule the claim falls under (jixiao.rules.arithmetic.judge)."""

    claim: Claim
    status: str                  # one of STATUS
    computed: Decimal | str | None
    difference: Decimal | None
    severity: str | None
    outcome: str                 # a key of OUTCOME_FIELDS
    fields: dict
    rule: str = ""
    message: str = ""


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


def verify(claim: Claim, tolerances: dict | None = None) -> Verdict:
    """The claim recomputed and compared; `tolerances` overrides GROSS (the rule's parameters)."""
    handler = _HANDLERS[claim.op]
    limits = {k: Decimal(str(v)) for k, v in {**GROSS, **(tolerances or {})}.items() if k in GROSS}
    return handler(claim, limits)


def _verdict(claim: Claim, status: str, computed, difference, severity, outcome: str, /, **fields) -> Verdict:
    return Verdict(claim, status, computed, difference, severity, outcome, fields)


def _gross(stated: Decimal, exact: Decimal, is_rate: bool, limits: dict) -> bool:
    return gross(stated, exact, is_rate, limits["rate_gross_points"], limits["amount_gross_share"])


def _numeric(claim: Claim, computed: Decimal | None, is_rate: bool, limits: dict, base: str | None = None,
             lenient_below: bool = False) -> Verdict:
    if computed is None or claim.stated is None:
        return _verdict(claim, "not_checked", None, None, None, "not_computed", relation=claim.relation)
    show = max(claim.decimals, 2)
    diff = claim.stated - computed
    ok = consistent(claim.stated, claim.decimals, computed) or (lenient_below and diff < 0)
    unit = claim.unit
    stated = f"{num(claim.stated, claim.decimals)}{unit}"
    exact = Decimal(computed).normalize()
    got = f"{num(computed) if -exact.as_tuple().exponent <= 4 and not is_rate else num(computed, show)}{unit}"
    if ok:
        return _verdict(claim, "consistent", computed, diff, None, "consistent", relation=claim.relation,
                        stated=stated, computed=got)
    severity = "high" if _gross(claim.stated, computed, is_rate, limits) else "medium"
    figures = dict(relation=claim.relation, computed=got, stated=stated)
    if is_rate:
        figures["difference"] = num(abs(diff), show)
        figures["inputs"] = "，".join(_op_text(o) for o in claim.operands)
        if base is not None:
            return _verdict(claim, "inconsistent", computed, diff, severity, "rate_differs_other_base", base=base,
                            **figures)
        return _verdict(claim, "inconsistent", computed, diff, severity, "rate_differs", **figures)
    figures["difference"] = f"{num(abs(diff), show)}{unit}"
    if claim.op in ("sum", "tally") and len(claim.operands) > 4:
        return _verdict(claim, "inconsistent", computed, diff, severity, "differs_many", count=len(claim.operands),
                        first="，".join(_op_text(o) for o in claim.operands[:3]), **figures)
    return _verdict(claim, "inconsistent", computed, diff, severity, "differs",
                    inputs="，".join(_op_text(o) for o in claim.operands), **figures)


def _ratio(claim: Claim, limits: dict) -> Verdict:
    a, b = claim.operands[0].value, claim.operands[1].value
    if not b:
        return _verdict(claim, "not_checked", None, None, None, "zero_base", relation=claim.relation)
    computed = a / b * 100
    base = None
    for alt in claim.alternatives:
        if alt.value and consistent(claim.stated, claim.decimals, a / alt.value * 100):
            base = f"{alt.label} {num(alt.value)}{alt.unit}"
            break
    return _numeric(claim, computed, True, limits, base)


def _sum(claim: Claim, limits: dict) -> Verdict:
    computed = sum((o.value for o in claim.operands), Decimal(0))
    if claim.stated is not None and claim.operands and all(o.decimals is not None for o in claim.operands) \
            and sum_consistent(claim.stated, claim.decimals, [(o.value, o.decimals) for o in claim.operands]):
        return _verdict(claim, "consistent", computed, claim.stated - computed, None, "within_rounding",
                        relation=claim.relation, stated=f"{num(claim.stated, max(claim.decimals, 0))}{claim.unit}",
                        computed=f"{num(computed)}{claim.unit}")
    v = _numeric(claim, computed, False, limits)
    unsure = claim.detail.get("may_overlap")
    if v.status == "inconsistent" and unsure:
        outcome = {"cut": "part_cut", "hidden": "part_hidden"}.get(unsure, "may_overlap")
        return _verdict(claim, "not_checked", computed, v.difference, None, outcome, relation=claim.relation,
                        computed=num(computed), stated=num(claim.stated))
    if v.status == "inconsistent" and claim.detail.get("restated"):
        return _verdict(claim, "not_checked", computed, v.difference, None, "restated_differs",
                        relation=claim.relation, computed=num(computed), stated=num(claim.stated))
    if v.status == "inconsistent" and claim.detail.get("exhaustive") is False and computed < claim.stated:
        return _verdict(claim, "not_checked", computed, v.difference, None, "maybe_partial", relation=claim.relation,
                        computed=num(computed), stated=num(claim.stated))
    return v


def _count(claim: Claim, limits: dict) -> Verdict:
    if claim.detail.get("open"):
        return _verdict(claim, "not_checked", claim.operands[0].value, None, None, "open_list", relation=claim.relation)
    return _numeric(claim, claim.operands[0].value, False, limits)


def _product(claim: Claim, limits: dict) -> Verdict:
    computed = Decimal(1)
    for o in claim.operands:
        computed *= o.value
    return _numeric(claim, computed, False, limits)


def _mean(claim: Claim, limits: dict) -> Verdict:
    total, count = claim.operands[0].value, claim.operands[1].value
    if not count:
        return _verdict(claim, "not_checked", None, None, None, "zero_count", relation=claim.relation)
    computed = total / count
    if claim.bound == "min":
        if computed >= claim.stated or consistent(claim.stated, claim.decimals, computed):
            return _verdict(claim, "consistent", computed, claim.stated - computed, None, "floor_met",
                            relation=claim.relation, computed=f"{num(computed, 2)}{claim.unit}",
                            stated=f"{num(claim.stated)}{claim.unit}")
        return _verdict(claim, "inconsistent", computed, claim.stated - computed, "medium", "below_floor",
                        relation=claim.relation, total=_op_text(claim.operands[0]), count=_op_text(claim.operands[1]),
                        computed=f"{num(computed, 2)}{claim.unit}", stated=f"{num(claim.stated)}{claim.unit}")
    return _numeric(claim, computed, False, limits)


def _equal(claim: Claim, limits: dict) -> Verdict:
    other = claim.operands[0]
    od = claim.detail.get("other_decimals", claim.decimals)
    agree = consistent(claim.stated, claim.decimals, other.value) if claim.decimals <= od else \
        consistent(other.value, od, claim.stated)
    diff = claim.stated - other.value
    if agree:
        return _verdict(claim, "consistent", other.value, diff, None, "same", relation=claim.relation)
    severity = "high" if _gross(claim.stated, other.value, False, limits) else "medium"
    return _verdict(claim, "inconsistent", other.value, diff, severity, "differs_elsewhere", relation=claim.relation,
                    stated=f"{num(claim.stated, claim.decimals)}{claim.unit}", other=other.label,
                    computed=f"{num(other.value, od)}{claim.unit}",
                    difference=f"{num(abs(diff), max(claim.decimals, od))}{claim.unit}")


def _grade(claim: Claim, limits: dict) -> Verdict:
    from .grades import expected_level
    if claim.stated > FULL_MARKS:
        over = claim.stated - FULL_MARKS
        return _verdict(claim, "inconsistent", FULL_MARKS, over, "high", "score_over_full", stated=num(claim.stated),
                        computed=num(FULL_MARKS), difference=num(over), grade=claim.detail["grade"])
    bounds = [Decimal(b) for b in claim.detail["thresholds"]]
    want = expected_level(claim.stated, bounds)
    names = claim.detail["names"]
    if want == claim.detail["level"]:
        return _verdict(claim, "consistent", names[want], None, None, "grade_matches", stated=num(claim.stated),
                        grade=claim.detail["grade"])
    outcome = "grade_differs_own" if claim.detail["source"] == "report" else "grade_differs_default"
    scale = "、".join(f"{names[k]}≥{num(bounds[k])}" for k in range(len(bounds) - 1))
    return _verdict(claim, "inconsistent", names[want], None, "medium", outcome, stated=num(claim.stated),
                    scale=scale, computed=names[want], grade=claim.detail["grade"])


def _over(claim: Claim, limits: dict) -> Verdict:
    over = claim.stated - 100
    if claim.detail.get("explained"):
        return _verdict(claim, "consistent", Decimal(100), over, None, "over_explained",
                        stated=num(claim.stated, claim.decimals), explained=claim.detail["explained"])
    return _verdict(claim, "inconsistent", Decimal(100), over, "high", "over_unexplained",
                    stated=num(claim.stated, claim.decimals), difference=num(over, claim.decimals))


def _plausible(claim: Claim, limits: dict) -> Verdict:
    below, admissions = claim.detail["below"], claim.detail["admissions"]
    if not below and not admissions:
        return _verdict(claim, "consistent", None, None, None, "score_fits", stated=num(claim.stated))
    outcome = "score_below_rates_admitted" if below and admissions else \
        "score_below_rates" if below else "score_admitted"
    fields = {"where": "该项目" if claim.detail["scope"] == "project" else "本部门", "stated": num(claim.stated)}
    if below:
        fields["rates"] = "、".join(below)
    if admissions:
        fields["admissions"] = "”“".join(a.strip() for a in admissions)
    return _verdict(claim, "inconsistent", None, None, "high" if below else "medium", outcome, **fields)


def _unit(claim: Claim, limits: dict) -> Verdict:
    kind = claim.detail["kind"]
    label = claim.detail.get("label") or "金额"
    if kind == "yuan_among_wan":
        peers = "、".join(f"{num(o.value)}万元" for o in claim.operands[:4])
        return _verdict(claim, "inconsistent", claim.stated, None, "medium", "yuan_among_wan", label=label,
                        stated=num(claim.stated, claim.decimals), peers=peers, computed=num(claim.stated / 10000))
    if kind == "missing":
        return _verdict(claim, "inconsistent", None, None, "low", "unit_missing", label=label, stated=num(claim.stated))
    return _verdict(claim, "inconsistent", None, None, "medium", "negative", label=label,
                    stated=f"{num(claim.stated)}{claim.unit}")


def _year(claim: Claim, limits: dict) -> Verdict:
    fy = claim.operands[0].value
    if claim.detail.get("titles"):
        return _verdict(claim, "inconsistent", fy, claim.stated - fy, "medium", "title_year_differs",
                        stated=num(claim.stated), clause=claim.detail["clause"][:30], computed=num(fy),
                        difference=num(abs(claim.stated - fy)))
    return _verdict(claim, "inconsistent", fy, claim.stated - fy, "medium", "result_year_differs",
                    computed=num(fy), clause=claim.detail["clause"][:24], stated=num(claim.stated),
                    difference=num(abs(claim.stated - fy)))


_HANDLERS = {"ratio": _ratio, "sum": _sum, "tally": _sum, "count": _count, "product": _product, "mean": _mean,
             "equal": _equal, "grade": _grade, "over": _over, "plausible": _plausible, "unit": _unit, "year": _year}


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def claim_record(v: Verdict, text: str) -> dict:
    """One claim as the output contract lists it (checks.md §2): what was asserted and what was found."""
    c = v.claim
    record = {"rule": v.rule, "kind": c.kind, "relation": c.relation,
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
        rows.append({"rule": v.rule, "relation": c.relation, "evidence": text[c.start:c.end],
                     "stated": None if c.stated is None else float(c.stated),
                     "computed": float(v.computed) if isinstance(v.computed, Decimal) else v.computed,
                     "difference": None if v.difference is None else float(v.difference),
                     "status": v.status, "severity": v.severity or "", "message": v.message,
                     "start": c.start, "end": c.end})
    columns = ["rule", "relation", "evidence", "stated", "computed", "difference", "status", "severity", "message",
               "start", "end"]
    return pd.DataFrame(rows, columns=columns)
