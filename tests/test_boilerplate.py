"""Rules B01–B09 and the cross-report index, on the seeds, the demo corpus and built corpora."""
from __future__ import annotations

import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.reuse.share import analyse, boilerplate_share, summary
from jixiao.rules.subject import Context, run_rules
from jixiao.run.check_files import check_paths
from jixiao.read.ingest import read_text
from jixiao.model.report import load_report, parse_text
from jixiao.reuse.index import ReuseIndex, build_index
from jixiao.run.score_expected import score

from .conftest import EXAMPLES, SEEDS, run_cli, seed, seeds_or_skip

B_RULES = [f"B{i:02d}" for i in range(1, 10)]
REPORTS = EXAMPLES / "reports"
EXPECTED = json.loads((EXAMPLES / "expected.json").read_text(encoding="utf-8"))


def b_findings(paths, rules=B_RULES):
    return {o.path: o.findings for o in check_paths(paths, only=rules)}


def test_seed_expectations_for_boilerplate(seed_expected):
    seeds_or_skip()
    result = {"reports": [o.as_dict() for o in check_paths(SEEDS, only=B_RULES)]}
    sc = score(seed_expected, result, rules=set(B_RULES))
    assert sc.misses == [] and sc.false_positives == [] and sc.broken == 0, sc.lines


def test_demo_expectations_for_boilerplate():
    result = {"reports": [o.as_dict() for o in check_paths([REPORTS], only=B_RULES)]}
    sc = score(EXPECTED, result, rules=set(B_RULES))
    assert sc.misses == [] and sc.false_positives == [] and sc.broken == 0, sc.lines


def test_seeds_001_and_002_name_each_other_as_source():
    a, b = seed("001"), seed("002")
    found = b_findings([a, b], ["B03"])
    spans = {str(p): [(f.start, f.end) for f in found[str(p)]] for p in (a, b)}
    for this, other in ((a, b), (b, a)):
        messages = [f.message for f in found[str(this)]]
        assert messages and all(other.name in m for m in messages), messages
    # the passage found in 001 is the text found in 002, and the other way round
    text_a, text_b = read_text(a), read_text(b)
    shared_a = {text_a[s:e] for s, e in spans[str(a)]}
    assert any(piece in text_b for piece in shared_a)


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of prose lines long enough to be worth copying."""
    out, pos = [], 0
    for line in text.split("\n"):
        if len(line) >= 60 and "。" in line and not line.startswith("\t"):
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


UNRELATED = ["01_baisha_2023.txt", "02_liuwan_2023.txt", "03_shimen_2023.pdf", "05_yuntai_2022.txt",
             "07_qingzhu_2023.txt"]


def test_unrelated_reports_give_no_reuse():
    found = b_findings([REPORTS / n for n in UNRELATED], ["B03"])
    assert all(v == [] for v in found.values()), {k: [f.message for f in v] for k, v in found.items()}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([n for n in UNRELATED if n.endswith(".txt")]),
       st.sampled_from([n for n in UNRELATED if n.endswith(".txt")]), st.randoms(use_true_random=False))
def test_inserted_paragraph_is_found_at_its_offsets_and_named(tmp_path_factory, source_name, target_name, rnd):
    if source_name == target_name:
        return
    tmp = tmp_path_factory.mktemp("corpus")
    source_text = read_text(REPORTS / source_name)
    target_text = read_text(REPORTS / target_name)
    s, e = rnd.choice(_paragraphs(source_text))
    inserted = source_text[s:e]
    at = rnd.choice([p_end + 1 for _, p_end in _paragraphs(target_text)])
    altered = target_text[:at] + inserted + "\n" + target_text[at:]
    source_path = tmp / source_name
    source_path.write_text(source_text, encoding="utf-8")
    target_path = tmp / ("x_" + target_name)
    target_path.write_text(altered, encoding="utf-8")
    found = b_findings([source_path, target_path], ["B03"])[str(target_path)]
    hits = [f for f in found if f.start < at + len(inserted) and at < f.end]
    assert hits, (inserted[:40], [f.message for f in found])
    assert all(source_path.name in f.message for f in hits)
    covered = set()
    for f in hits:
        covered.update(range(max(f.start, at), min(f.end, at + len(inserted))))
    assert len(covered) >= 0.8 * len(inserted)


def test_order_of_the_corpus_does_not_change_findings():
    paths = sorted(REPORTS.iterdir())
    first = {o.path: [f.as_dict() for f in o.findings] for o in check_paths(paths, only=B_RULES)}
    shuffled = list(paths)
    random.Random(7).shuffle(shuffled)
    second = {o.path: [f.as_dict() for f in o.findings] for o in check_paths(shuffled, only=B_RULES)}
    assert first == second


def test_saved_index_serves_later_runs_and_grows_without_rebuild(tmp_path):
    older, newer = load_report(REPORTS / "05_yuntai_2022.txt"), load_report(REPORTS / "06_yuntai_2023.txt")
    path = tmp_path / "reuse.idx"
    build_index([older]).save(path)
    index = ReuseIndex.load(path)
    assert len(index) == 1 and older in index
    assert index.add(newer) and not index.add(newer)
    index.save(path)
    again = ReuseIndex.load(path)
    fresh = build_index([older, newer])
    assert [(r.start, r.end, r.kind) for r in again.reuse(newer)] == [(r.start, r.end, r.kind) for r in fresh.reuse(newer)]
    runs = again.reuse(newer)
    assert runs and all(r.kind == "own-years" and r.sources[0].name == older.name for r in runs)


def test_check_with_a_saved_index_names_last_years_report(tmp_path):
    path = tmp_path / "reuse.idx"
    assert run_cli("index", "build", str(path), str(REPORTS / "05_yuntai_2022.txt")).returncode == 0
    out = run_cli("check", str(REPORTS / "06_yuntai_2023.txt"), "--index", str(path), "--json", "--rules", "B03")
    findings = json.loads(out.stdout)["reports"][0]["findings"]
    assert any("05_yuntai_2022.txt" in f["message"] and "%" in f["message"] for f in findings)


def test_broken_index_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.idx"
    bad.write_bytes(b"not a pickle")
    out = run_cli("check", str(REPORTS / "01_baisha_2023.txt"), "--index", str(bad))
    assert out.returncode == 1 and b"not a readable reuse index" in out.stderr and b"Traceback" not in out.stderr


def test_stock_phrases_are_told_apart_from_copying():
    phrase = "我镇严格执行财务管理制度，大额资金支出一律经镇党委会集体研究决定，全年未发生违反财经纪律的问题。"
    texts = [f"{t}人民政府\n2023年度部门整体支出绩效自评报告\n一、基本情况\n{t}本年度{own}\n{phrase}\n"
             for t, own in [("白沙镇", "完成道路硬化三公里，新修水渠两处，群众出行条件明显改善。"),
                            ("柳湾镇", "建成茶叶加工厂一座，带动周边农户增收，茶园面积继续扩大。"),
                            ("梅岭镇", "整治山塘两座，恢复灌溉面积八百亩，汛期安全度汛无事故。"),
                            ("石门镇", "改造危房十二户，新建村级卫生室一所，医疗条件持续提升。"),
                            ("云台镇", "发展家庭农场五家，培育合作社两家，产业基础不断夯实。")]]
    reports = [parse_text(t, f"r{k}.txt") for k, t in enumerate(texts)]
    ctx = Context(reports)
    findings = run_rules(reports[0], ctx, only=["B03"])
    assert [f.severity for f in findings] == ["info"] and "通用套话" in findings[0].message
    two = Context(reports[:2])
    findings = run_rules(reports[0], two, only=["B03"])
    # two towns share it, but it names nothing and states no figure: wording, not a copy
    assert [f.severity for f in findings] == ["low"] and "r1.txt" in findings[0].message
    assert "不含具体数字或名称" in findings[0].message


def test_copying_is_high_only_with_its_specifics():
    """A passage shared with its figures and village names is a copy; the same sentence pattern
    with other figures, or a form's cover fields, is the genre's stock."""
    copied = "桃源村新建垃圾分类收集点12个，配备保洁员7名，月均清运量下降约三成，群众反映良好。"
    pattern = "全年共开展安全生产检查{}次，排查整改隐患{}处，整改率达到{}%以上。"
    cover = "单位名称：{}人民政府  联系人：{}  联系电话：{}  填报日期：{}年3月{}日"
    rows = [("白沙镇", (14, 31, 96), ("王明", "13800000001", 2024, 5)),
            ("柳湾镇", (22, 48, 97), ("李强", "13900000002", 2024, 8))]
    own = {"白沙镇": "本镇全年完成道路硬化三公里，新修水渠两处，改造危房十二户，新建村级卫生室一所，发展家庭农场五家，"
                  "培育合作社两家，群众出行和就医条件明显改善，产业基础不断夯实，集体经济收入稳步增长。",
           "柳湾镇": "本镇建成茶叶加工厂一座，整治山塘两座，恢复灌溉面积八百亩，汛期安全度汛无事故，茶园面积继续扩大，"
                  "带动周边农户增收，农村人居环境整治持续推进，镇村道路保洁实现全覆盖，群众获得感不断增强。"}
    texts = [f"{t}人民政府\n2023年度部门整体支出绩效自评报告\n{cover.format(t, *c)}\n一、基本情况\n"
             f"{own[t]}\n{pattern.format(*p)}\n{copied}\n" for t, p, c in rows]
    reports = [parse_text(t, f"r{k}.txt") for k, t in enumerate(texts)]
    findings = run_rules(reports[0], Context(reports), only=["B03"])
    high = [f for f in findings if f.severity == "high"]
    assert [f.evidence for f in high] == [copied[:-1] if not copied.endswith("。") else copied]
    assert "12" in high[0].message and "桃源村" in high[0].message
    assert all(f.severity in ("low", "info") for f in findings if f not in high)


def test_templated_sections_and_repeats():
    block = "1、项目立项：项目申报程序规范，绩效目标明确，符合相关要求。\n2、资金管理：资金拨付按照审批程序办理，做到专款专用。\n"
    text = "三、项目情况\n" + "".join(f"（{c}）{name}\n{block}3、项目产出：完成{n}处。\n"
                                  for c, name, n in [("一", "道路维修", 3), ("二", "路灯安装", 40), ("三", "河道清淤", 2)])
    text += "四、问题\n部分项目前期论证不够充分，工程量估算偏粗，导致年中追加调整较多。\n五、措施\n部分项目前期论证不够充分，工程量估算偏粗，导致年中追加调整较多。\n"
    report = parse_text(text)
    found = run_rules(report, Context([report]), only=["B01", "B02"])
    assert [f.rule for f in found].count("B02") == 3
    b01 = [f for f in found if f.rule == "B01"]
    assert len(b01) == 1 and b01[0].start > text.index("五、措施")


def test_foreign_names_vague_indicators_stale_refs_and_misspelling():
    text = ("桐溪县白沙镇人民政府\n2023年度部门整体支出绩效自评报告\n"
            "按照区财政局要求，我乡开展自评，深入贯彻党的十九大精神。建设美丽新河口的目标进展顺利。\n"
            "1.质量指标：工程质量良好。\n2.数量指标：修建道路3.2公里。\n白沙镇辖9个村。铜溪县财政局批复。\n"
            "“十三五”期间完成的任务已验收。\n")
    report = parse_text(text)
    found = {(f.rule, f.evidence) for f in run_rules(report, Context([report]), only=B_RULES)}
    rules = sorted(r for r, _ in found)
    assert rules.count("B05") == 3  # 区财政局, 我乡, 新河口
    assert ("B06", "质量指标：工程质量良好") in found
    assert ("B08", "党的十九大精神") in found and not any(r == "B08" and "十三五" in e for r, e in found)
    assert ("B09", "铜溪县") in found


def test_boilerplate_share_and_summary():
    reports = [load_report(REPORTS / n) for n in ("05_yuntai_2022.txt", "06_yuntai_2023.txt", "01_baisha_2023.txt")]
    index = build_index(reports)
    shares = {r.name: boilerplate_share(r, analyse(r, index)) for r in reports}
    assert shares["06_yuntai_2023.txt"] > 0.5 and shares["01_baisha_2023.txt"] < 0.2
    s = summary(reports[1], analyse(reports[1], index), index)
    assert s["sources"]["05_yuntai_2022.txt"]["share"] > 0.5 and 0 < s["share"] <= 1


_STEMS = st.text(alphabet="桐溪鹤岚枫栖澜霞榕翠琅珂", min_size=2, max_size=2)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_STEMS, _STEMS, st.sampled_from(["人民政府", "党委"]), st.booleans())
def test_another_towns_government_opening_a_sentence_is_foreign(own, other, organ, with_county):
    """A town's report with another town's government or party committee as a sentence's subject
    (，某镇人民政府…; 本县某镇党委…) — copied from that town's report — is B05 there, even with no
    corpus; the same words glued to a preposition, a year or a verb are no town of their own."""
    if own == other:
        return
    head = f"桐川县{own}镇人民政府\n2023年度部门整体支出绩效自评报告\n一、基本情况\n本镇辖8个村。"
    county = "桐川县" if with_county else ""
    text = head + f"同时，{county}{other}镇{organ}统筹推进农村人居环境整治。\n"
    report = parse_text(text)
    found = [f for f in run_rules(report, Context([report]), only=["B05"])]
    at = text.index(f"{other}镇{organ}")
    assert [(f.start, f.end, f.severity) for f in found] == [(at, at + 3 + len(organ), "medium")]
    quiet = head + f"与{other}镇{organ}签订协议。2023年镇党委研究决定，审核后再提交镇党委。我镇党委、{own}镇人民政府高度重视。\n"
    report = parse_text(quiet)
    assert run_rules(report, Context([report]), only=["B05"]) == []


_SPAM_MARKERS = ["彩票网", "足球网", "投注官网", "娱乐城", "百家乐", "真人视讯", "新葡京"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_SPAM_MARKERS), min_size=1, max_size=3), st.text(alphabet="_-【手机中心", max_size=3),
       st.integers(min_value=1, max_value=4))
def test_web_spam_where_the_units_name_stood_is_foreign_at_every_place(markers, glue, times):
    """A report copied from a mirror page whose names were rewritten into a gambling site's
    (中共某市<spam>委): B05 at every place the inserted string stands, covering it from its first
    marker to its last; lottery funds (彩票公益金) and the report's own work against gambling are not spam."""
    spam = glue.join(markers)
    head = "桐川县青溪镇人民政府\n2023年度部门整体支出绩效自评报告\n一、基本情况\n"
    body = "".join(f"根据中共桐川县{spam}委批准，设立办事处。\n" for _ in range(times))
    text = head + body + "本年使用福利彩票公益金12万元、体育彩票公益金3万元。\n"
    report = parse_text(text)
    found = [(f.start, f.end) for f in run_rules(report, Context([report]), only=["B05"])]
    first, last = markers[0], markers[-1]
    want = []
    for line_start in [m for m in range(len(text)) if text.startswith(f"根据中共桐川县{spam}委", m)]:
        start = line_start + len("根据中共桐川县") + spam.index(first)
        end = line_start + len("根据中共桐川县") + spam.rindex(last) + len(last)
        while text[end] in "_-【】":
            end += 1
        want.append((start, end))
    assert found == want
    quiet = head + "开展打击百家乐等网络赌博专项整治，查处赌博网站2个。本年使用体育彩票公益金3万元。\n"
    report = parse_text(quiet)
    assert run_rules(report, Context([report]), only=["B05"]) == []
