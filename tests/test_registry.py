"""The rule registry binds everything about a rule: the claims it consumes (the decision step),
its message templates and their fields, its thresholds (overridable per batch), its advice."""
from __future__ import annotations

import ast
import dataclasses
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.audit import analyse
from jixiao.claims import KINDS, OPS, Claim, Operand, extract_claims
from jixiao.claims.verify import OUTCOME_FIELDS, OUTCOMES_OF_OP
from jixiao.model.report import load_report, parse_text
from jixiao.rules import (PARAMETERS, RegistryError, all_rules, check_rules, check_thresholds, default_thresholds,
                          get_rule, rule_for)
from jixiao.rules.arithmetic import judge, report_verdicts
from jixiao.rules.findings import SEVERITIES, Hit
from jixiao.rules.subject import Context, run_rules
from jixiao.run.params import ParamsError, load_params
from jixiao.wordlists import load

from .conftest import EXAMPLES
from .reportgen import consistent_reports

CLAIMS_DIR = Path(__file__).resolve().parents[1] / "jixiao" / "claims"
FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _constants(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _branches(node: ast.AST) -> list[ast.AST]:
    return _branches(node.body) + _branches(node.orelse) if isinstance(node, ast.IfExp) else [node]


def _extractor_pairs() -> set[tuple[str, str]]:
    """(kind, op) of every Claim(...) written in an extractor, read from the source: string constants,
    each branch of a conditional, or names bound together (`kind, op = (…, …) if … else (…, …)`)."""
    pairs = set()
    for path in sorted(CLAIMS_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bound: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple):
                names = tuple(getattr(t, "id", "") for t in node.targets[0].elts)
                branches = _branches(node.value)
                if all(isinstance(b, ast.Tuple) and all(isinstance(e, ast.Constant) for e in b.elts) for b in branches):
                    bound[names] = {tuple(e.value for e in b.elts) for b in branches}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Claim":
                args = {k.arg: k.value for k in node.keywords}
                kind = node.args[0] if node.args else args["kind"]
                op = node.args[1] if len(node.args) > 1 else args["op"]
                if isinstance(kind, ast.Name):
                    found = bound.get((kind.id, getattr(op, "id", "")), set())
                else:
                    found = {(k, o) for k in _constants(kind) for o in _constants(op)}
                assert found, f"{path.name}:{node.lineno}: Claim without a readable kind and op"
                assert all(k in KINDS and o in OPS for k, o in found), (path.name, node.lineno, found)
                pairs |= found
    return pairs


def test_every_claim_kind_the_extractors_produce_maps_to_exactly_one_rule():
    pairs = _extractor_pairs()
    assert len(pairs) >= 15  # the reading of the source found the extractors
    rules = all_rules()
    for kind, op in sorted(pairs):
        owners = [r.id for r in rules if (kind, op) in r.consumes]
        assert len(owners) == 1, (kind, op, owners)
        assert rule_for(kind, op).id == owners[0]
    consumed = {pair for r in rules for pair in r.consumes}
    assert consumed == pairs, f"declared but never produced: {consumed - pairs}"


def test_claims_seen_in_the_demo_reports_are_decided_by_the_registry():
    seen = set()
    for path in sorted((EXAMPLES / "reports").iterdir()):
        report = load_report(path)
        for v in report_verdicts(report):
            seen.add((v.claim.kind, v.claim.op))
            assert v.rule == rule_for(v.claim.kind, v.claim.op).id
            assert v.outcome in OUTCOMES_OF_OP[v.claim.op]
            assert set(v.fields) == set(OUTCOME_FIELDS[v.outcome]), v.outcome
    assert seen <= _extractor_pairs()


def test_a_claim_nobody_consumes_is_refused_in_one_line():
    with pytest.raises(RegistryError) as err:
        rule_for("grade", "sum")
    assert "\n" not in str(err.value) and "grade" in str(err.value)
    with pytest.raises(ValueError):
        Claim("money", "sum", "x", 0, 1)


@pytest.mark.parametrize("r", all_rules(), ids=lambda r: r.id)
def test_every_rule_declares_what_it_is(r):
    assert r.title and r.name and r.doc and r.severity in SEVERITIES
    assert r.grades[0] == r.severity and set(r.grades) <= set(SEVERITIES)
    assert bool(r.consumes) != bool(r.analysis)
    assert r.advice["basis"] and r.advice["advice"]
    for p in r.params:
        assert PARAMETERS[p.name] == p and p.low <= p.default <= p.high


@pytest.mark.parametrize("r", [r for r in all_rules() if r.consumes], ids=lambda r: r.id)
def test_every_template_renders_with_its_declared_fields(r):
    needed = {o for _, op in r.consumes for o in OUTCOMES_OF_OP[op]}
    assert needed <= set(r.templates), f"{r.id} lacks templates for {needed - set(r.templates)}"
    for outcome in r.templates:
        declared = OUTCOME_FIELDS[outcome]
        assert r.template_fields(outcome) <= set(declared), (r.id, outcome)
        values = {name: f"〈{name}〉" for name in declared}
        message = r.render(outcome, values)
        assert all(f"〈{name}〉" in message for name in r.template_fields(outcome))
        assert "{" not in message and "}" not in message


def test_a_template_missing_a_field_is_an_error_not_a_silent_message():
    r = rule_for("rate", "ratio")
    with pytest.raises(KeyError):
        r.render("rate_differs", {"relation": "x"})
    with pytest.raises(RegistryError):
        r.render("grade_matches", {})


def _rate_claim(stated: str, spent: str, budget: str) -> Claim:
    return Claim("rate", "ratio", "执行率 = 支出 ÷ 预算", 0, 5, Decimal(stated), len(stated.split(".")[-1]), "%",
                 [Operand("支出", Decimal(spent)), Operand("预算", Decimal(budget))])


@given(st.integers(min_value=1000, max_value=99999), st.integers(min_value=101, max_value=900))
def test_the_rate_threshold_decides_the_severity(budget, off):
    """A rate off by `off`/100 points is high beyond the rule's rate_gross_points, medium within."""
    spent = Decimal(budget) / 2
    stated = f"{Decimal(50) + Decimal(off) / 100:.2f}"
    points = Decimal(off) / 100
    default = judge(_rate_claim(stated, str(spent), str(budget)))
    assert default.rule == "A01" and default.status == "inconsistent" and default.severity == "high"
    lenient = judge(_rate_claim(stated, str(spent), str(budget)), {"rate_gross_points": float(points) + 0.5})
    assert lenient.severity == "medium" and lenient.message == default.message


def _params_file(tmp_path: Path, text: str, **thresholds) -> Path:
    report = tmp_path / "r.txt"
    report.write_text(text, encoding="utf-8")
    data = {"town": "白沙镇", "year": 2023, "report": "r.txt"}
    if thresholds:
        data["thresholds"] = thresholds
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_threshold_overridden_in_a_params_file_changes_the_decision(tmp_path):
    text = ("白沙镇人民政府\n2023年度部门整体支出绩效自评报告\n一、预算执行\n调整后预算1000.00万元，"
            "全年实际支出800.00万元，预算执行率81.50%。\n")
    plain = load_params(_params_file(tmp_path, text))
    assert plain.thresholds == default_thresholds()
    strict = load_params(_params_file(tmp_path, text, rate_gross_points=2))
    assert strict.thresholds["rate_gross_points"] == 2.0
    report = parse_text(text, "r.txt")

    def a01(params):
        return [(f["severity"], f["message"]) for f in analyse(report, thresholds=params.thresholds).findings
                if f["rule"] == "A01"]

    assert [s for s, _ in a01(plain)] == ["high"] and [s for s, _ in a01(strict)] == ["medium"]
    assert [m for _, m in a01(plain)] == [m for _, m in a01(strict)]
    ctx = Context([report], thresholds=strict.thresholds)  # the batch's thresholds, shared by a Context
    assert [f.severity for f in run_rules(report, ctx, only=["A01"])] == ["medium"]


@pytest.mark.parametrize("thresholds, rules, cause", [
    ({"no_such_threshold": 1}, None, "unknown threshold 'no_such_threshold'"),
    ({"amount_gross_share": 3}, None, "amount_gross_share must be a number from 0 to 1"),
    ({"rate_gross_points": True}, None, "rate_gross_points must be a number"),
    (None, ["A01", "Q42"], "unknown rule(s) 'Q42'"),
])
def test_an_unknown_threshold_or_rule_is_refused_in_one_line(tmp_path, thresholds, rules, cause):
    path = _params_file(tmp_path, "白沙镇\n", **(thresholds or {}))
    if rules:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        path.write_text(yaml.safe_dump({**data, "rules": rules}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ParamsError) as err:
        load_params(path)
    assert cause in str(err.value) and "\n" not in str(err.value) and str(path) in str(err.value)
    with pytest.raises(RegistryError) as err:
        check_thresholds(thresholds) if thresholds else check_rules(rules)
    assert cause in str(err.value) and "\n" not in str(err.value)


def test_the_registry_makes_b_findings_with_the_rules_id_and_default_severity():
    text = ("白沙镇人民政府\n2023年度部门整体支出绩效自评报告\n一、概况\n二、情况\n四、问题\n"
            "以上内容主要包括（单位名称）的填写说明。\n")
    report = parse_text(text, "r.txt")
    found = run_rules(report, Context([report]), only=["B07"])
    b07 = get_rule("B07")
    assert found and all(f.rule == b07.id and f.severity == b07.severity for f in found)


@FAST
@given(consistent_reports())
def test_every_verdict_of_a_generated_report_is_said_in_its_rules_words(gen):
    report = parse_text(gen.text, "generated.txt")
    claims = extract_claims(report)
    verdicts = report_verdicts(report)
    assert len(verdicts) == len(claims)
    for v in verdicts:
        r = rule_for(v.claim.kind, v.claim.op)
        assert v.rule == r.id and v.message == r.render(v.outcome, v.fields)
    order = [(v.claim.start, v.claim.end, v.rule, v.claim.relation) for v in verdicts]
    assert order == sorted(order)


def test_no_module_outside_the_registry_types_a_rule_id():
    """Pages, workbook, CLI and county read ids and names from the registry: no string constant
    that is a rule id (or a list of them) appears in the package outside rules/."""
    package = Path(__file__).resolve().parents[1] / "jixiao"
    typed = []
    for path in sorted(package.rglob("*.py")):
        if path.relative_to(package).parts[0] == "rules":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and re.fullmatch(r"[AB]\d{2}(?:[,，、 ][AB]\d{2})*", node.value.strip()):
                typed.append(f"{path.relative_to(package)}:{node.lineno} {node.value!r}")
    assert typed == []


def test_a_finding_has_its_rules_default_or_one_of_its_declared_grades():
    report = parse_text("白沙镇\n一、概况\n二、情况\n四、问题\n", "r.txt")
    numbering = get_rule("B07")
    assert numbering.grades == ("low",)
    graded = dataclasses.replace(numbering, func=lambda r, s: [Hit(0, 2, "x"), Hit(0, 2, "y", "high")])
    found = graded.findings(report, None)
    assert next(found).severity == "low"
    with pytest.raises(ValueError, match="B07 declares severities low, not 'high'"):
        next(found)
    residue = {e.get("severity", "medium") for e in load("template_residue.yaml")}
    assert residue <= set(get_rule("B04").grades)
    for path in sorted((EXAMPLES / "reports").iterdir()):
        audit = analyse(load_report(path))
        assert all(f["severity"] in get_rule(f["rule"]).grades for f in audit.findings)


def test_analyse_refuses_an_unknown_rule_or_threshold_as_a_notebook_would_pass_them():
    report = parse_text("白沙镇人民政府\n2023年度部门整体支出绩效自评报告\n", "r.txt")
    with pytest.raises(RegistryError, match="unknown rule"):
        analyse(report, only=["A01", "Q42"])
    with pytest.raises(RegistryError, match="unknown threshold"):
        analyse(report, thresholds={"boilerplate_alert": 0.2})
    assert [f["rule"] for f in analyse(report, only=["B07"]).findings] == []


def test_rules_can_be_kept_in_sets_and_as_keys():
    rules = all_rules()
    assert len(set(rules)) == len(rules) and {r: r.id for r in rules}[get_rule("A01")] == "A01"


_BLOCK = "1、项目立项：项目申报程序规范，绩效目标明确，符合相关要求。\n2、资金管理：资金拨付按照审批程序办理，做到专款专用。\n"
_SIBLINGS = "三、项目情况\n" + "".join(f"（{c}）{name}\n{_BLOCK}3、项目产出：完成{n}处，{what}。\n" for c, name, n, what in [
    ("一", "道路维修", 3, "维修后路面平整无坑槽，村民出行更加方便"), ("二", "路灯安装", 40, "夜间照明覆盖主要街道和集市路口"),
    ("三", "河道清淤", 2, "清淤后汛期排水通畅，沿岸农田未再受淹")])


@FAST
@given(st.floats(min_value=0.1, max_value=1.0))
def test_the_templated_share_threshold_decides_b02(threshold):
    """Three sibling sections sharing most of their text: B02 for each exactly when their shared share
    reaches the templated_share threshold (the registry's default or the batch's)."""
    from jixiao.reuse.repeats import templated_sections

    report = parse_text(_SIBLINGS)
    shares = [t.share for t in templated_sections(report, share=0.1)]
    assert len(shares) == 3 and all(0.5 < s < 1 for s in shares)
    found = run_rules(report, Context([report], thresholds={"templated_share": threshold}), only=["B02"])
    assert len(found) == (3 if all(s >= threshold for s in shares) else 0)


@FAST
@given(st.floats(min_value=0.5, max_value=1.0))
def test_the_repeat_similarity_threshold_decides_b01(threshold):
    """A paragraph restated with a few words changed is a B01 repeat exactly when its 3-gram similarity
    to the first reaches repeat_similarity."""
    from jixiao.reuse.passages import jaccard, passages, shingles

    first = "部分项目前期论证不够充分，工程量估算偏粗，导致年中追加调整较多，影响了资金的使用效率。"
    again = "部分项目前期论证不够充分，工程量估算偏粗，导致年底追加调整较多，影响了资金的使用效率。"
    report = parse_text(f"四、问题\n{first}\n五、措施\n{again}\n")
    keys = [u.key for u in passages(report)]
    assert len(keys) == 2
    similarity = jaccard(shingles(keys[0]), shingles(keys[1]))
    assert 0.5 < similarity < 1
    found = run_rules(report, Context([report], thresholds={"repeat_similarity": threshold}), only=["B01"])
    assert len(found) == (1 if similarity >= threshold else 0)


@FAST
@given(st.floats(min_value=0.05, max_value=1.0))
def test_the_whole_report_share_threshold_decides_b03s_whole_copy_finding(threshold):
    """A report that copies part of another: the whole-report B03 finding exactly when the copied share
    reaches whole_report_share; the passage findings do not depend on it."""
    own = "本镇今年重点推进农村人居环境整治，新建公厕两座，清理沟渠十二公里，群众反映良好。"
    copied = ("全年围绕乡村振兴战略，统筹推进产业发展、基础设施建设和民生保障各项工作，"
              "严格执行预算管理制度，资金拨付规范及时，未发现挤占挪用情况。")
    a = parse_text(f"白沙镇人民政府\n2023年度部门整体支出绩效自评报告\n一、基本情况\n{copied}\n{own}\n", "a.txt")
    b = parse_text(f"青竹镇人民政府\n2023年度部门整体支出绩效自评报告\n一、基本情况\n{copied}\n"
                   "本镇今年修缮村道三条，更换路灯四十盏，建成便民服务点一处，方便群众办事。\n", "b.txt")
    ctx = Context([a, b], thresholds={"whole_report_share": threshold})
    from jixiao.reuse.index import report_key
    from jixiao.reuse.share import analyse as reuse_of

    share = reuse_of(a, ctx.reuse_index()).shared_with[report_key(b)]
    assert 0.05 < share < 1
    whole = [f for f in run_rules(a, ctx, only=["B03"]) if "的文字与" in f.message]
    assert len(whole) == (1 if share >= threshold else 0)
