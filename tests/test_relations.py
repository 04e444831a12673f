"""Prose relations, one generator per kind: consistent text gives a consistent claim and no A finding;
one altered figure gives exactly its finding at its offsets; what the text does not assert is not checked."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from jixiao.rules.subject import Context, run_rules
from jixiao.model.report import parse_text
from jixiao.claims.tolerance import sum_consistent
from jixiao.rules.arithmetic import report_verdicts

A_RULES = [f"A{i:02d}" for i in range(1, 11)]
HEAD = "某镇人民政府2023年度部门整体支出绩效自评报告\n一、基本情况\n"
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Generic name parts (made up, not from any report): names are 2–4 of these plus a kind of office.
_SYLLABLES = list("东南西北中安和平兴华文明康宁丰泰")
_KINDS = ["办公室", "服务中心", "管理所", "工作站"]
names = st.lists(st.tuples(st.text(alphabet=_SYLLABLES, min_size=2, max_size=3), st.sampled_from(_KINDS))
                 .map(lambda t: t[0] + t[1]), min_size=2, max_size=9, unique=True)
money = st.integers(min_value=100, max_value=900000).map(lambda c: Decimal(c) / 100)


def findings(text: str):
    report = parse_text(text, "generated.txt")
    return run_rules(report, Context([report]), only=A_RULES)


def verdicts(text: str, kind: str):
    return [v for v in report_verdicts(parse_text(text, "generated.txt")) if v.claim.kind == kind]


def only_finding_at(text: str, rule: str, lo: int, hi: int):
    got = findings(text)
    assert [f.rule for f in got] == [rule], [(f.rule, f.evidence, f.message) for f in got]
    f = got[0]
    assert f.start < hi and lo < f.end and text[f.start:f.end] == f.evidence
    return f


def wan(d: Decimal) -> str:
    return f"{d:.2f}万元"


# --- count against a list of names ---

@FAST
@given(names, st.sampled_from(["内设{n}个机构，分别为：{l}。", "设置了{n}个科室，分别是{l}。", "下设{n}个站所：{l}。",
                               "所属{n}家单位（{l}）。"]), st.integers(min_value=1, max_value=3))
def test_count_against_names(ns, shape, bump):
    text = HEAD + "本单位" + shape.format(n=len(ns), l="、".join(ns)) + "\n"
    vs = verdicts(text, "count")
    assert vs and all(v.status == "consistent" for v in vs), [(v.status, v.message) for v in vs]
    assert findings(text) == []
    wrong = HEAD + "本单位" + shape.format(n=len(ns) + bump, l="、".join(ns)) + "\n"
    lo = wrong.index(f"{len(ns) + bump}", len(HEAD))
    only_finding_at(wrong, "A03", lo, lo + len(str(len(ns) + bump)))


@FAST
@given(names)
def test_list_before_the_count_and_open_lists(ns):
    text = HEAD + f"全镇辖{'、'.join(ns)}{len(ns)}个村。\n"
    assert [v.status for v in verdicts(text, "count")] == ["consistent"]
    open_list = HEAD + f"本单位内设{len(ns) + 2}个机构，分别为：{'、'.join(ns)}等。\n"
    assert [v.status for v in verdicts(open_list, "count")] == ["not_checked"]
    assert findings(open_list) == []


@FAST
@given(names, st.sampled_from(["({k})", "（{k}）", "{k}.", "{k}、"]), st.booleans(), st.integers(min_value=1, max_value=3),
       st.booleans())
def test_count_against_a_numbered_list_that_follows(ns, style, self_too, bump, intro_line):
    """N个X。…X包括：then one name a line, numbered 1, 2, …; with 本级和N个 the list names 本级 too."""
    items = [f"{n}（本级）" if self_too and k == 0 else n for k, n in enumerate(ns)]
    n = len(items) - self_too
    listing = "".join(f"{style.format(k=k + 1)}{name}\n" for k, name in enumerate(items))
    count = f"本部门决算由{'本级决算和' if self_too else ''}{{n}}个下属单位决算组成。"
    intro = "\n纳入本部门决算编制范围的单位包括：\n" if intro_line else "所属单位包括：\n"

    def text(m):
        return HEAD + count.format(n=m) + intro + listing + "二、支出情况\n本年无此项内容。\n"

    assert [v.status for v in verdicts(text(n), "count")] == ["consistent"]
    assert findings(text(n)) == []
    wrong = text(n + bump)
    lo = wrong.index("个下属单位") - len(str(n + bump))
    only_finding_at(wrong, "A03", lo, lo + len(str(n + bump)))


@FAST
@given(names)
def test_a_numbered_list_of_other_things_or_of_sentences_is_no_count_of_names(ns):
    other = HEAD + f"本镇共有{len(ns) + 1}个村。主要工作如下：\n" + "".join(f"{k + 1}.{n}\n" for k, n in enumerate(ns))
    prose = HEAD + f"本镇共有{len(ns) + 1}个村，各村包括：\n" + "".join(
        f"{k + 1}.{n}，完成道路硬化，群众满意\n" for k, n in enumerate(ns))
    for text in (other, prose):
        assert verdicts(text, "count") == [] and findings(text) == []


# --- a count of people and its parts ---

people = st.lists(st.integers(min_value=0, max_value=80), min_size=3, max_size=5)


@FAST
@given(people, st.integers(min_value=1, max_value=9))
def test_people_and_their_parts(parts, delta):
    labels = ["在职人员", "退休人员", "聘用人员", "离休人员", "借调人员"]
    body = "、".join(f"{labels[k]}{n}人" for k, n in enumerate(parts))
    total = sum(parts)
    text = HEAD + f"本单位实有人数{total}人，其中：{body}。另有合作社3家。\n"
    vs = verdicts(text, "count")
    assert [v.status for v in vs] == ["consistent"], [v.message for v in vs]
    assert findings(text) == []
    wrong = HEAD + f"本单位实有人数{total + delta}人，其中：{body}。另有合作社3家。\n"
    lo = wrong.index(f"{total + delta}人")
    only_finding_at(wrong, "A03", lo, lo + len(str(total + delta)))


def test_a_hierarchy_and_units_that_differ_are_no_breakdown():
    text = HEAD + "设置绩效指标12个，其中一级指标3个，二级指标9个，三级指标12个。\n" \
                  "共有成员20人，其中：村干部5人、合作社3家、农户12人。\n"
    assert findings(text) == []
    assert not [v for v in verdicts(text, "count") if v.status == "inconsistent"]


# --- totals and their parts ---

amounts = st.lists(money, min_size=3, max_size=7)
SHAPES = [
    "下达资金{t}。其中：{p}。",
    "{p}，共计{t}。",
    "全年支出：{t}，其中{p}。",
]


@FAST
@given(amounts, st.sampled_from(SHAPES), st.integers(min_value=5, max_value=5000).map(lambda c: Decimal(c) / 100))
def test_totals_and_parts(parts, shape, delta):
    labels = ["道路维修", "人居环境整治", "村级运转", "防汛物资", "培训", "宣传", "办公设备"]
    body = "，".join(f"{labels[k]}{wan(v)}" for k, v in enumerate(parts))
    total = sum(parts)
    text = HEAD + shape.format(t=wan(total), p=body) + "\n"
    vs = verdicts(text, "total")
    assert vs and all(v.status == "consistent" for v in vs), [v.message for v in vs]
    assert findings(text) == []
    wrong = HEAD + shape.format(t=wan(total + delta), p=body) + "\n"
    lo = wrong.index(wan(total + delta))
    only_finding_at(wrong, "A02", lo, lo + len(wan(total + delta)))


@FAST
@given(st.integers(min_value=100, max_value=9000), st.integers(min_value=100, max_value=9000),
       st.integers(min_value=1, max_value=50))
def test_batches_add_up_to_the_task(a, b, delta):
    text = HEAD + f"上级分两批下达改造任务{a + b}户，第一批任务{a}户，第二批任务{b}户。\n"
    assert [v.status for v in verdicts(text, "count")] == ["consistent"]
    wrong = HEAD + f"上级分两批下达改造任务{a + b + delta}户，第一批任务{a}户，第二批任务{b}户。\n"
    lo = wrong.index(f"{a + b + delta}户")
    only_finding_at(wrong, "A03", lo, lo + len(str(a + b + delta)))


@FAST
@given(st.lists(money, min_size=2, max_size=2), st.integers(min_value=100, max_value=100000).map(lambda c: Decimal(c) / 100))
def test_partial_breakdown_is_not_checked(parts, more):
    total = sum(parts) + more
    for text in (HEAD + f"安排资金{wan(total)}（其中道路{wan(parts[0])}、水利{wan(parts[1])}）。\n",
                 HEAD + f"安排资金{wan(total)}，其中道路{wan(parts[0])}，水利{wan(parts[1])}。\n"):
        assert findings(text) == []
        assert [v.status for v in verdicts(text, "total")] == ["not_checked"]


@FAST
@given(st.lists(st.tuples(st.integers(min_value=1, max_value=99999), st.integers(min_value=0, max_value=2)),
                min_size=2, max_size=8))
def test_rounded_items_within_their_rounding(items):
    exact = [Decimal(c) / 1000 for c, _ in items]
    written = [(x.quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP), d) for x, (_, d) in zip(exact, items)]
    total = sum(exact).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert sum_consistent(total, 2, written)
    far = sum(Decimal(1).scaleb(-d) for _, d in written) + Decimal("0.02")
    assert not sum_consistent(total + far, 2, written)


# --- shares and year-on-year change ---

@FAST
@given(money, money, st.integers(min_value=2, max_value=900).map(lambda c: Decimal(c) / 100))
def test_share_against_its_named_whole(a, b, delta):
    whole = a + b
    r = (a / whole * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = HEAD + f"基本支出{wan(whole)}，其中：人员经费{wan(a)}，占基本支出的{r}%。\n"
    assert [v.status for v in verdicts(text, "share")] == ["consistent"]
    assert findings(text) == []
    bad = r + delta if r + delta <= 100 else r - delta
    wrong = HEAD + f"基本支出{wan(whole)}，其中：人员经费{wan(a)}，占基本支出的{bad:.2f}%。\n"
    lo = wrong.index(f"{bad:.2f}%")
    only_finding_at(wrong, "A01", lo, lo + len(f"{bad:.2f}"))


@FAST
@given(money, money, st.booleans())
def test_growth_against_last_years_base(prev, now, same_sentence):
    assume(prev != now and abs(now - prev) / prev > Decimal("0.02"))
    d = abs(now - prev)
    word, rate_word = ("增加", "增长") if now > prev else ("减少", "下降")
    r = (d / prev * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    lead = f"2023年度支出合计{wan(now)}" + ("，" if same_sentence else "。收支")
    text = HEAD + f"{lead}较上年{word}{wan(d)}，{rate_word}{r}%。\n"
    assert [v.status for v in verdicts(text, "growth")] == ["consistent"], [v.message for v in verdicts(text, "growth")]
    assert findings(text) == []
    wrong_base = (d / now * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assume(abs(wrong_base - r) > Decimal("0.2"))
    wrong = HEAD + f"{lead}较上年{word}{wan(d)}，{rate_word}{wrong_base}%。\n"
    lo = wrong.index(f"{wrong_base}%")
    f = only_finding_at(wrong, "A01", lo, lo + len(str(wrong_base)))
    assert "本年数" in f.message


# --- execution rates as real reports phrase them ---

@FAST
@given(money, st.integers(min_value=10, max_value=100), st.integers(min_value=2, max_value=30))
def test_arrival_rate(due, pct, delta):
    got = (due * pct / 100).quantize(Decimal("0.01"))
    r = (got / due * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = HEAD + f"上级安排资金{wan(due)}，应到位{wan(due)}，实际到位{wan(got)}，到位率{r}%。\n"
    assert findings(text) == []
    bad = r + delta if r + delta <= 100 else r - delta
    wrong = HEAD + f"上级安排资金{wan(due)}，应到位{wan(due)}，实际到位{wan(got)}，到位率{bad}%。\n"
    lo = wrong.index(f"{bad}%")
    only_finding_at(wrong, "A01", lo, lo + len(str(bad)))


# --- one document, two amounts ---

@FAST
@given(st.integers(min_value=1, max_value=99), st.integers(min_value=1, max_value=999), st.integers(min_value=1, max_value=50))
def test_same_document_same_amount(no, amount, delta):
    line = "根据某财农〔2023〕{no}号文件《关于下达资金的通知》，下达本县资金{a}万元。\n"
    text = HEAD + line.format(no=no, a=amount) + "二、执行情况\n" + line.format(no=no, a=amount)
    assert findings(text) == []
    wrong = HEAD + line.format(no=no, a=amount) + "二、执行情况\n" + line.format(no=no, a=amount + delta)
    got = findings(wrong)
    assert [f.rule for f in got] == ["A09"], [(f.rule, f.message) for f in got]


# --- results attributed to an earlier fiscal year ---

@FAST
@given(st.integers(min_value=1, max_value=3), st.integers(min_value=2, max_value=30))
def test_results_of_an_earlier_year(back, n):
    fy = 2023
    body = f"二、绩效目标完成情况\n本年度共实施项目{n}个。{fy - back}年度{n}个项目均已按期完成。\n"
    text = HEAD.replace("2023", str(fy)) + body
    got = findings(text)
    assert [f.rule for f in got] == ["A10"], [(f.rule, f.message) for f in got]
    lo = text.index(f"{fy - back}年度")
    assert got[0].start <= lo < got[0].end
    history = HEAD + f"二、绩效目标完成情况\n{fy - back - 1}年征地，{fy - back}年建设全部完成并投入使用。\n" \
                     f"项目依据《{fy - back}年实施方案》完成。\n"
    assert [f.rule for f in findings(history)] == []


# --- products of a period, and a part restated as its whole ---

@FAST
@given(st.sampled_from([("季度", 4), ("月", 12), ("半年", 2)]), st.integers(min_value=1, max_value=3),
       st.integers(min_value=1, max_value=5))
def test_times_per_period(period, k, delta):
    name, n = period
    line = "开展督导：一个{p}开展督导{k}次，共{t}次。\n"
    text = HEAD + line.format(p=name, k=k, t=k * n)
    assert [v.status for v in verdicts(text, "product")] == ["consistent"]
    assert findings(text) == []
    wrong = HEAD + line.format(p=name, k=k, t=k * n + delta)
    lo = wrong.index(f"共{k * n + delta}次") + 1
    only_finding_at(wrong, "A05", lo, lo + len(str(k * n + delta)))


@FAST
@given(money, money)
def test_a_source_part_restated_as_the_whole(a, b):
    assume(a != b)
    head = HEAD + f"项目总投资{wan(a + b)}，其中中央资金{wan(a)}，县级资金{wan(b)}。\n"
    assert findings(head + f"二、资金下达\n本年度中央资金{wan(a)}已全部到位。\n") == []
    wrong = head + f"二、资金下达\n本年度中央下达资金{wan(a + b)}。\n"
    lo = wrong.rindex(wan(a + b))
    only_finding_at(wrong, "A09", lo, lo + len(wan(a + b)))


@FAST
@given(st.lists(st.sampled_from(["数量", "质量", "时效", "成本", "社会效益", "经济效益", "可持续影响", "满意度"]),
                min_size=3, max_size=8, unique=True), st.integers(min_value=1, max_value=3))
def test_count_of_indicators_named_after_qizhong(kinds, bump):
    body = "；".join(f"{k}指标完成{n + 1}0%" for n, k in enumerate(kinds))
    text = HEAD + f"绩效目标指标设置{len(kinds)}项，其中{body}。\n"
    assert [v.status for v in verdicts(text, "count")] == ["consistent"]
    wrong = HEAD + f"绩效目标指标设置{len(kinds) + bump}项，其中{body}。\n"
    lo = wrong.index(f"设置{len(kinds) + bump}项") + 2
    only_finding_at(wrong, "A03", lo, lo + len(str(len(kinds) + bump)))


@FAST
@given(st.integers(min_value=10, max_value=500), st.integers(min_value=10, max_value=900), st.integers(min_value=2, max_value=40))
def test_completion_rate_over_the_planned_count(plan, done, delta):
    r = (Decimal(done) / plan * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    line = "下达改造计划任务{p}户。\n截至年底共完成改造{d}户，完工率{r}%。\n"
    text = HEAD + line.format(p=plan, d=done, r=r)
    assert [v.status for v in verdicts(text, "rate")] == ["consistent"]
    assert findings(text) == []
    bad = r + delta
    wrong = HEAD + line.format(p=plan, d=done, r=bad)
    lo = wrong.index(f"{bad}%")
    only_finding_at(wrong, "A01", lo, lo + len(str(bad)))


# --- spent and what is left; breakdowns with a hidden part; parts restating the total before ---

@FAST
@given(money, st.integers(min_value=1, max_value=99), st.integers(min_value=5, max_value=5000).map(lambda c: Decimal(c) / 100))
def test_spent_and_left_make_the_whole(total, pct, delta):
    spent = (total * pct / 100).quantize(Decimal("0.01"))
    left = total - spent
    line = "纳入评价的资金共计{t}，实际使用资金{s}，资金结转{l}。\n"
    text = HEAD + line.format(t=wan(total), s=wan(spent), l=wan(left))
    assert [v.status for v in verdicts(text, "total")] == ["consistent"]
    assert findings(text) == []
    wrong = HEAD + line.format(t=wan(total + delta), s=wan(spent), l=wan(left))
    lo = wrong.index(wan(total + delta))
    only_finding_at(wrong, "A02", lo, lo + len(wan(total + delta)))


@FAST
@given(amounts)
def test_a_hidden_part_is_not_checked(parts):
    body = "，".join(f"第{k + 1}项{wan(v)}" for k, v in enumerate(parts))
    text = HEAD + f"下达资金{wan(sum(parts) * 2)}，其中：{body}，其他项目（略）万元。\n"
    assert findings(text) == []
    assert [(v.status, "未显示" in v.message) for v in verdicts(text, "total")] == [("not_checked", True)]


@FAST
@given(amounts, st.integers(min_value=5, max_value=5000).map(lambda c: Decimal(c) / 100))
def test_parts_in_the_next_sentence_are_checked_only_when_they_add_up(parts, delta):
    labels = ["工资福利支出", "商品和服务支出", "对个人和家庭补助支出", "资本性支出", "其他支出", "债务利息支出", "基建支出"]
    body = "，".join(f"{labels[k]}{wan(v)}" for k, v in enumerate(parts))
    text = HEAD + f"本年全年支出{wan(sum(parts))}。\n本年{body}。\n"
    assert [v.status for v in verdicts(text, "total")] == ["consistent"]
    off = HEAD + f"本年全年支出{wan(sum(parts) + delta)}。\n本年{body}。\n"
    assert findings(off) == []


@FAST
@given(money, money, st.integers(min_value=5, max_value=5000).map(lambda c: Decimal(c) / 100))
def test_batches_elsewhere_add_up_to_an_earlier_total(a, b, delta):
    text = HEAD + f"上级下达补助资金{wan(a + b)}。\n二、资金到位情况\n第一批补助资金{wan(a)}于3月下达，第二批补助资金{wan(b)}于7月下达。\n"
    assert [v.status for v in verdicts(text, "total")] == ["consistent"]
    off = HEAD + f"上级下达补助资金{wan(a + b + delta)}。\n二、资金到位情况\n第一批补助资金{wan(a)}于3月下达，第二批补助资金{wan(b)}于7月下达。\n"
    assert findings(off) == []


@FAST
@given(st.integers(min_value=10, max_value=5000), st.integers(min_value=1, max_value=20), st.integers(min_value=1, max_value=20))
def test_a_standard_split_between_sources(n, a, b):
    a, b = a * 100, b * 100
    line = "任务{n}户，按{t}元/户的标准，市级配套资金{x}万元（{a}元/户），县级配套资金{y}万元（{b}元/户）。\n"
    fmt = lambda v: f"{(Decimal(v) / 10000).normalize():f}"  # noqa: E731
    text = HEAD + line.format(n=n, t=a + b, x=fmt(n * a), a=a, y=fmt(n * b), b=b)
    assert [v.status for v in verdicts(text, "total")] == ["consistent"]
    assert findings(text) == []
    wrong = HEAD + line.format(n=n, t=a + b, x=fmt(n * a + 10000), a=a, y=fmt(n * b), b=b)
    lo = wrong.index("市级配套资金") + len("市级配套资金")
    only_finding_at(wrong, "A05", lo, lo + len(fmt(n * a + 10000)))


@FAST
@given(st.integers(min_value=20, max_value=500), st.integers(min_value=1, max_value=300), st.integers(min_value=3, max_value=40))
def test_over_the_plan(plan, extra, delta):
    done = plan + extra
    r = (Decimal(extra) / plan * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    line = "全年实际改造数超任务{r}%。\n年初计划补助{p}户，最终完成改造{d}户。\n"
    text = HEAD + line.format(r=r, p=plan, d=done)
    assert [v.status for v in verdicts(text, "rate")] == ["consistent"]
    assert findings(text) == []
    bad = r + delta
    wrong = HEAD + line.format(r=bad, p=plan, d=done)
    lo = wrong.index(f"{bad}%")
    only_finding_at(wrong, "A01", lo, lo + len(str(bad)))


@FAST
@given(st.lists(st.integers(min_value=10, max_value=99999), min_size=3, max_size=5), st.integers(min_value=1, max_value=9))
def test_a_part_cut_off_with_the_text(parts, digits_lost):
    labels = ["办理类", "查询类", "打印类", "咨询类", "投诉类"]
    body = "、".join(f"{labels[k]}{v}件" for k, v in enumerate(parts))
    text = HEAD + f"累计办理业务{sum(parts)}件，其中{body}"[:-1]  # the excerpt ends before the last unit
    assert [v.status for v in verdicts(text, "count")] == ["consistent"]
    cut = text[:-1] if parts[-1] >= 100 else text  # and a digit of it too
    assert findings(cut) == []
    cut_verdicts = verdicts(cut, "count")
    assert cut_verdicts and all(v.status == "consistent" or "截断" in v.message for v in cut_verdicts)


@FAST
@given(st.sampled_from([(12, "十二"), (3, "三"), (7, "七"), (20, "二十")]), st.integers(min_value=1, max_value=5))
def test_things_counted_again_in_chinese_numerals(pair, delta):
    n, cn = pair
    text = HEAD + f"已建成{n}个发酵池，运行良好。\n项目增设发酵池{cn}个，完成验收。\n"
    assert [v.status for v in verdicts(text, "conflict")] == ["consistent"]
    other = HEAD + f"已建成{n + delta}个发酵池，运行良好。\n项目增设发酵池{cn}个，完成验收。\n"
    assert findings(other) == [] and verdicts(other, "conflict") == []


def test_the_report_naming_its_own_year_is_no_stale_result():
    text = "某镇人民政府\n现将2022年度部门整体支出绩效自评情况报告如下：\n一、基本情况\n2023年共实施项目5个，均已按期完成。\n"
    report = parse_text(text, "generated.txt")
    report.meta.year = 2023  # as a wrong reading of the year would give
    got = run_rules(report, Context([report]), only=A_RULES)
    assert [f.rule for f in got] == []


@FAST
@given(money, money, st.sampled_from([("上级资金", "本级资金"), ("中央资金", "地方资金"), ("基本支出", "项目支出")]),
       st.integers(min_value=2, max_value=500))
def test_a_two_way_partition_is_complete(a, b, names, bump):
    """其中 with the two halves of a known partition: an inflated total is reported, not taken as a
    breakdown that lists only some parts."""
    total = a + b
    text = HEAD + f"本年共计安排资金{wan(total)}，其中{names[0]}{wan(a)}，{names[1]}{wan(b)}。\n"
    assert findings(text) == []
    wrong_total = total + Decimal(bump) / 10
    wrong = HEAD + f"本年共计安排资金{wan(wrong_total)}，其中{names[0]}{wan(a)}，{names[1]}{wan(b)}。\n"
    lo = wrong.index(wan(wrong_total))
    only_finding_at(wrong, "A02", lo, lo + len(wan(wrong_total)))
