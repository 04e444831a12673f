"""Generate township reports whose figures are consistent, with handles on figures to alter.

Used by the property-based tests: a generated report must give no arithmetic finding; altering
one figure beyond its precision must give exactly the finding that figure deserves.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import strategies as st

TOWNS = ["白沙镇", "柳湾镇", "梅岭镇", "云台镇", "青竹镇", "石门镇", "桂花镇"]
VILLAGES = ["河口村", "龙潭村", "新塘村", "马鞍村", "松坡村", "红旗村", "三合村", "水口村"]
PROJECTS = ["村级组织运转经费", "农村人居环境整治", "防汛抗旱应急经费", "森林防火专项经费", "便民桥维修工程",
            "党群服务中心维护", "产业路硬化工程", "公益性岗位补贴", "饮水安全巩固工程", "垃圾分类试点"]
GRADES = ["优", "良", "中", "差"]


def q2(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def grade_of(score: Decimal) -> str:
    return "优" if score >= 90 else "良" if score >= 80 else "中" if score >= 60 else "差"


@dataclass
class Generated:
    text: str
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> span of an alterable figure

    def alter(self, name: str, replacement: str) -> "Generated":
        s, e = self.spans[name]
        return Generated(self.text[:s] + replacement + self.text[e:], {name: (s, s + len(replacement))})


class _Writer:
    def __init__(self):
        self.parts: list[str] = []
        self.spans: dict[str, tuple[int, int]] = {}
        self.pos = 0

    def add(self, text: str, name: str | None = None) -> None:
        if name:
            self.spans[name] = (self.pos, self.pos + len(text))
        self.parts.append(text)
        self.pos += len(text)


money = st.integers(min_value=100, max_value=500000).map(lambda c: Decimal(c) / 100)


@st.composite
def consistent_reports(draw) -> Generated:
    town = draw(st.sampled_from(TOWNS))
    year = draw(st.integers(min_value=2020, max_value=2025))
    n = draw(st.integers(min_value=3, max_value=8))
    names = draw(st.permutations(PROJECTS))[:n]
    budgets = [draw(money) for _ in range(n)]
    spent = [q2(b * Decimal(draw(st.integers(min_value=70, max_value=100))) / 100) for b in budgets]
    scores = [Decimal(draw(st.integers(min_value=600, max_value=979))) / 10 for _ in range(n)]
    total_b, total_s = sum(budgets), sum(spent)
    basic = draw(money)
    initial = q2((total_b + basic) * Decimal(draw(st.integers(min_value=85, max_value=100))) / 100)
    adjusted = total_b + basic
    spent_all = total_s + basic
    w = _Writer()
    w.add(f"桐溪县{town}人民政府\n{year}年度部门整体支出绩效自评报告\n一、部门预算及执行情况\n")
    w.add(f"{year}年我镇年初预算{initial:.2f}万元，全年调整后预算为")
    w.add(f"{adjusted:.2f}万元", "adjusted")
    w.add(f"。全年实际支出{spent_all:.2f}万元，其中基本支出{basic:.2f}万元、项目支出")
    w.add(f"{total_s:.2f}万元", "part")
    w.add("，预算执行率")
    w.add(f"{q2(spent_all / adjusted * 100)}%", "rate")
    w.add("。\n二、项目支出情况\n")
    w.add("纳入自评的项目共")
    w.add(f"{n}个", "count")
    w.add(f"，预算资金{total_b:.2f}万元，实际支出{total_s:.2f}万元，执行率{q2(total_s / total_b * 100)}%，详见下表：\n")
    w.add("\t序号\n\t项目名称\n\t预算金额（万元）\n\t执行数（万元）\n\t自评分\n\t自评等级\n\n")
    for k in range(n):
        w.add(f"\t{k + 1}\n\t{names[k]}\n\t{budgets[k]:.2f}\n\t{spent[k]:.2f}\n\t")
        w.add(f"{scores[k]}\n\t{grade_of(scores[k])}", f"grade{k}")
        w.add("\n\n")
    w.add("\t合计\n\t—\n\t")
    w.add(f"{total_b:.2f}", "table_total")
    w.add(f"\n\t{total_s:.2f}\n\t—\n\t—\n\n")
    counts = {g: sum(grade_of(s) == g for s in scores) for g in GRADES}
    listed = [g for g in GRADES if counts[g]]
    w.add(f"全部{n}个项目中，" + "、".join(f"自评等级为“{g}”的{counts[g]}个" for g in listed))
    if len(listed) >= 2:
        w.add("，评优率为")
        w.add(f"{q2(Decimal(counts['优']) / n * 100)}%", "excellent_rate")
    w.add("。\n三、产出和效益\n")
    acres = Decimal(draw(st.integers(min_value=100, max_value=30000))) / 100
    price = draw(st.sampled_from([500, 800, 1000, 1200]))
    village = draw(st.sampled_from(VILLAGES))
    w.add(f"1.{village}产业基地占地{acres}亩，按每亩{price}元标准，年土地流转费用共")
    w.add(f"{acres * price}元", "rent")
    w.add("。\n")
    received = draw(st.integers(min_value=20, max_value=300))
    solved = draw(st.integers(min_value=10, max_value=received))
    w.add(f"2.全年受理矛盾纠纷{received}件，调解成功{solved}件，调解成功率")
    w.add(f"{q2(Decimal(solved) / received * 100)}%", "solved_rate")
    w.add("。\n")
    quota = draw(st.integers(min_value=20, max_value=80))
    staff = draw(st.integers(min_value=quota - 5, max_value=quota + 5))
    w.add(f"3.核定编制{quota}名，实有在编人员{staff}人，人员控制率{q2(Decimal(staff) / quota * 100)}%。\n")
    overall = Decimal(draw(st.integers(min_value=800, max_value=979))) / 10
    w.add(f"四、自评结论\n部门整体自评得分{overall}分，评价等级为“{grade_of(overall)}”。\n")
    w.add(f"桐溪县{town}人民政府\n{year + 1}年3月20日\n")
    return Generated("".join(w.parts), w.spans)
