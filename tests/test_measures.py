"""Works measured in the text: an area or volume against the dimensions beside it (A05), and a total
restated after its items in their own words (A02). Consistent text gives a consistent claim and no
A finding; one altered figure gives exactly its finding, or, for a restated total that may be the plan
against what was done, a claim left unchecked."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from .test_relations import FAST, HEAD, findings, only_finding_at, verdicts

_WORKS = ["道路硬化", "沟渠清淤", "挡墙建设", "边沟修建", "场地平整"]
_PLACES = list("东南西北中安和平兴华")
metres = st.integers(min_value=5, max_value=3000).map(lambda c: Decimal(c) / 10)


def _round(d: Decimal, places: int) -> Decimal:
    return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _m(d: Decimal) -> str:
    return f"{d.normalize():f}米"


SHAPES = {  # name → (sides, template); {a} is the measure, the sides in the order the template names them
    "before": (2, "新建文化广场一处，长{x}，宽{y}，建筑面积为{a}平方米。"),
    "brackets": (2, "安装防护网{a}平方米（高{x}，长{y}），钢管加固。"),
    "after": (3, "新建挡土墙一堵，{a}立方米。长度{x}，高{y}，均厚{z}；"),
    "road": (2, "硬化道路长{x}，宽{y}，面积{a}平方米。"),
}


@FAST
@given(st.sampled_from(sorted(SHAPES)), st.lists(metres, min_size=3, max_size=3), st.integers(0, 1),
       st.integers(min_value=3, max_value=50))
def test_area_or_volume_against_its_dimensions(shape, sides, places, bump):
    n, template = SHAPES[shape]
    product = Decimal(1)
    for d in sides[:n]:
        product *= d
    stated = _round(product, places)
    dims = dict(zip("xyz", map(_m, sides)))
    text = HEAD + template.format(a=f"{stated:f}", **dims) + "\n"
    vs = verdicts(text, "product")
    assert len(vs) == 1 and vs[0].status == "consistent", [(v.status, v.message) for v in vs]
    assert findings(text) == []
    wrong_value = stated + bump * max(Decimal(1), _round(product / 10, 0))
    wrong = HEAD + template.format(a=f"{wrong_value:f}", **dims) + "\n"
    lo = len(HEAD) + len(template.split("{a}")[0].format(**dims))  # where the measure stands
    f = only_finding_at(wrong, "A05", lo, lo + len(f"{wrong_value:f}"))
    assert f"报告写 {wrong_value:f}" in f.message and "计算应为" in f.message


@FAST
@given(st.sampled_from(_WORKS), st.lists(st.integers(min_value=50, max_value=5000), min_size=2, max_size=6),
       st.integers(min_value=1, max_value=400))
def test_total_restated_after_its_items(work, values, bump):
    items = "；".join(f"{_PLACES[k]}村{work}{v}平方米" for k, v in enumerate(values))
    total = sum(values)
    text = HEAD + f"项目建设内容：{items}。目前已完成全镇{work}{total}平方米。\n"
    vs = verdicts(text, "total")
    assert len(vs) == 1 and vs[0].status == "consistent", [(v.status, v.message) for v in vs]
    assert findings(text) == []
    differs = HEAD + f"项目建设内容：{items}。目前已完成全镇{work}{total + bump + len(values)}平方米。\n"  # beyond rounding
    vs = verdicts(differs, "total")
    assert len(vs) == 1 and vs[0].status == "not_checked", [(v.status, v.message) for v in vs]
    assert findings(differs) == []


def test_dimensions_of_another_object_are_not_its_own():
    """The ditch's dimensions, then the road's area named by its own work: no relation asserted."""
    text = HEAD + "修建排水沟长200米，宽0.5米，硬化道路1000平方米。\n"
    assert verdicts(text, "product") == []


def test_items_in_one_list_are_not_a_total_of_each_other():
    text = HEAD + "完成东村道路硬化700平方米，南村道路硬化900平方米，西村道路硬化400平方米。\n"
    assert verdicts(text, "total") == []
