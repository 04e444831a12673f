"""Generate N realistic township reports for benchmarks, without real data.

Each report is put together from the demo corpus (examples/src): its paragraphs, with the demo
towns' and villages' names replaced by generated ones, around a budget section and a project table
whose figures are generated — consistent in most reports, with one planted defect in some — and,
in some reports, a passage copied from an earlier generated report. Deterministic for a seed.
"""
from __future__ import annotations

import random
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "examples" / "src"
SYLLABLES = "安宝北碧长城丹东峰凤福高关桂河红华黄吉嘉金锦景靖康岭柳龙隆梅明南宁平清庆泉仁三山上石双水顺松太桃天田万文西溪霞仙新兴杏阳永玉云泽樟竹"
DEMO_NAMES = re.compile(r"(白沙|柳湾|石门|梅岭|云台|青竹|梅玲)(镇|乡)|桐溪县|铜溪县|南屏市")
PROJECTS = ["村级组织运转经费", "农村人居环境整治", "防汛抗旱应急经费", "森林防火专项经费", "便民桥维修工程", "党群服务中心维护",
            "产业路硬化工程", "公益性岗位补贴", "饮水安全巩固工程", "垃圾分类试点", "山塘清淤整治", "文化广场提质改造",
            "退役军人服务站运行", "综治维稳工作经费", "农田灌溉渠道修复", "护林员补助"]


def q2(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _pool() -> list[str]:
    """Prose paragraphs of the demo sources, to be reused with other place names."""
    out = []
    for path in sorted(SOURCES.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            line = re.sub(r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+[、.．])\s*", "", line)
            if len(line) >= 40 and "。" in line and not line.startswith("\t") and not re.search(r"\d{3,}", line):
                out.append(line)
    return out


SUBJECTS = ["村两委", "镇财政所", "项目实施办公室", "驻村工作队", "农业综合服务中心", "社会事务办", "平安建设办", "经发办",
            "村务监督委员会", "镇纪委", "应急管理站", "文化服务站", "退役军人服务站", "自然资源所"]
VERBS = ["组织开展", "完成", "督促落实", "新建", "维修", "清理", "排查", "走访", "培训", "验收", "改造", "补充", "登记", "公示"]
OBJECTS = ["村组道路", "灌溉渠道", "危旧房屋", "公益性岗位人员", "防汛物资", "护林员", "农户旱厕", "文化广场", "便民服务点",
           "村级台账", "矛盾纠纷", "安全隐患", "路灯", "垃圾收集池", "山塘", "护坡", "饮水管网", "产业基地"]
UNITS = ["处", "公里", "户", "人次", "个", "座", "件", "米", "批", "次"]


def _clause(rng: random.Random, village: str) -> str:
    """A clause nobody else wrote: who did what, where, how much."""
    return (f"{village}{rng.choice(SUBJECTS)}{rng.choice(VERBS)}{rng.choice(OBJECTS)}{rng.randint(2, 900)}"
            f"{rng.choice(UNITS)}")


def _paragraph(rng: random.Random, pool: list[str], village: str, local) -> str:
    """Mostly the town's own sentences, sometimes a stock sentence of the genre."""
    parts = []
    for _ in range(rng.randint(2, 4)):
        if rng.random() < 0.25:
            parts.append(local(rng.choice(pool)).rstrip("。"))
        else:
            parts.append("，".join(_clause(rng, village) for _ in range(rng.randint(2, 4))))
    return "。".join(parts) + "。"


def _name(rng: random.Random, suffix: str, used: set[str]) -> str:
    while True:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3)))) + suffix
        if name not in used:
            used.add(name)
            return name


def generate(n: int, seed: int = 1) -> list[tuple[str, str]]:
    """(file name, text) of n reports: about 5,000 characters each."""
    rng = random.Random(seed)
    pool = _pool()
    used: set[str] = set()
    counties = [_name(rng, "县", used) for _ in range(max(1, n // 25))]
    out: list[tuple[str, str]] = []
    for k in range(n):
        county = counties[k % len(counties)]
        town = _name(rng, rng.choice(("镇", "镇", "镇", "乡")), used)
        year = rng.choice((2022, 2023, 2023, 2024))
        defect = rng.random() < 0.3
        text = _report(rng, pool, county, town, year, defect)
        if out and rng.random() < 0.1:  # copy a passage from an earlier report
            donor = rng.choice(out)[1].split("\n")
            passage = rng.choice([line for line in donor if len(line) >= 60] or donor)
            lines = text.split("\n")
            lines.insert(rng.randrange(5, len(lines)), passage)
            text = "\n".join(lines)
        out.append((f"{k:05d}_{town}_{year}.txt", text))
    return out


def _report(rng: random.Random, pool: list[str], county: str, town: str, year: int, defect: bool) -> str:
    def local(paragraph: str) -> str:
        return DEMO_NAMES.sub(lambda m: county if m.group(0).endswith("县") else town if m.group(2) else county[:-1] + "市",
                              paragraph)

    n = rng.randint(5, 9)
    names = rng.sample(PROJECTS, n)
    villages = ["".join(rng.choice(SYLLABLES) for _ in range(2)) + "村" for _ in range(6)]
    budgets = [Decimal(rng.randint(100, 900000)) / 100 for _ in range(n)]
    spent = [q2(b * Decimal(rng.randint(70, 100)) / 100) for b in budgets]
    scores = [Decimal(rng.randint(600, 990)) / 10 for _ in range(n)]
    basic = Decimal(rng.randint(50000, 200000)) / 100
    adjusted, spent_all = sum(budgets) + basic, sum(spent) + basic
    initial = q2(adjusted * Decimal(rng.randint(85, 100)) / 100)
    rate = q2(spent_all / adjusted * 100)
    total_row = sum(budgets)
    if defect:
        which = rng.choice(("rate", "total", "grade"))
        if which == "rate":
            rate = q2(spent_all / initial * 100)
        elif which == "total":
            total_row += Decimal(rng.randint(1, 500)) / 100
        else:
            scores[0] = Decimal(85)
    grade = lambda s: "优" if s >= 90 else "良" if s >= 80 else "中" if s >= 60 else "差"  # noqa: E731
    lines = [f"{county}{town}人民政府", f"{year}年度部门整体支出绩效自评报告", "",
             f"按照{county}财政局关于开展{year}年度预算绩效自评工作的通知要求，{town}人民政府对{year}年度部门整体支出开展了绩效自评，现将情况报告如下。",
             "一、部门预算及执行情况",
             f"{year}年我镇年初预算{initial:.2f}万元，全年调整后预算为{adjusted:.2f}万元。全年实际支出{spent_all:.2f}万元，"
             f"其中基本支出{basic:.2f}万元、项目支出{sum(spent):.2f}万元，预算执行率{rate}%。",
             "二、项目支出情况",
             f"纳入自评的项目共{n}个，预算资金{sum(budgets):.2f}万元，实际支出{sum(spent):.2f}万元，详见下表：", "",
             "\t序号\n\t项目名称\n\t预算金额（万元）\n\t执行数（万元）\n\t自评分\n\t自评等级\n"]
    for k in range(n):
        g = grade(scores[k]) if not (defect and k == 0 and scores[0] == 85) else "优"
        lines.append(f"\t{k + 1}\n\t{names[k]}\n\t{budgets[k]:.2f}\n\t{spent[k]:.2f}\n\t{scores[k]}\n\t{g}\n")
    lines.append(f"\t合计\n\t—\n\t{total_row:.2f}\n\t{sum(spent):.2f}\n\t—\n\t—\n")
    lines.append("三、各项目绩效目标完成情况")
    chinese = "一二三四五六七八九十"
    for k in range(n):
        lines.append(f"（{chinese[k]}）{names[k]}")
        for _ in range(rng.randint(2, 3)):
            lines.append(_paragraph(rng, pool, rng.choice(villages), local))
    lines.append("四、存在的问题及改进措施")
    for _ in range(rng.randint(3, 5)):
        lines.append(_paragraph(rng, pool, rng.choice(villages), local))
    lines += ["", f"{county}{town}人民政府", f"{year + 1}年3月{rng.randint(1, 28)}日", ""]
    return "\n".join(lines)


def write(n: int, folder: str | Path, seed: int = 1) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in generate(n, seed):
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    import sys
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    target = sys.argv[2] if len(sys.argv) > 2 else f"/tmp/jixiao-corpus-{count}"
    print(f"{len(write(count, target))} reports in {target}")
