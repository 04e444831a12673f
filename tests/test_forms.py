"""The 绩效自评表 in every layout real reports come in: funds block, weights, cells run together."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.rules.subject import Context, run_rules
from jixiao.claims import extract_claims
from jixiao.model.report import parse_text
from jixiao.model.tables import cell_stream
from jixiao.claims.verify import verify

from .formgen import (SHAPES, TABLE_SHAPES, alter, funds_rows, heading_tree, indicator_blocks, item_table, render,
                      render_headings, render_table,
                      render_weights)

A_RULES = [f"A{i:02d}" for i in range(1, 11)]
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def findings(text: str):
    report = parse_text(text, "form.txt")
    return run_rules(report, Context([report]), only=A_RULES)


def claims_of(text: str, kind: str | None = None):
    report = parse_text(text, "form.txt")
    out = [(c, verify(c)) for c in extract_claims(report)]
    return [(c, v) for c, v in out if kind is None or c.kind == kind]


def test_cell_stream_keeps_offsets_and_places():
    text = "a | b ||||\n| 1 |  | 3 |\n\tx\n|\nflat 2 3"
    cells = cell_stream(text)
    assert all(text[c.start:c.end] == c.text for c in cells)
    assert [c.text for c in cells] == ["a", "b", "", "", "", "1", "", "3", "x", "", "flat", "2", "3"]


@FAST
@given(funds_rows(), st.sampled_from(SHAPES), st.booleans())
def test_consistent_funds_block_in_every_shape(rows, shape, qualified):
    form = render(rows, shape, qualified=qualified)
    found = findings(form.text)
    assert found == [], (shape, [(f.rule, f.evidence, f.message) for f in found])
    checked = [(c, v) for c, v in claims_of(form.text) if v.status == "consistent"]
    spans = {(c.start, c.end) for c, _ in checked}
    assert form.cells[(0, 4)] in spans          # the total row's 执行率
    assert form.cells[(0, 5)] in spans          # its 得分
    assert form.cells[(0, 1)] in spans          # its 全年预算数 against the parts


@FAST
@given(funds_rows(), st.sampled_from(SHAPES), st.sampled_from([(0, 0), (0, 4), (0, 5)]),
       st.integers(100, 5000))
def test_one_altered_cell_gives_exactly_its_finding(rows, shape, key, cents):
    form = render(rows, shape)
    if shape == "pipe_missing" and key == (0, 0):
        key = (0, 1)  # no 年初 column there; altering 全年预算数 also moves the rate: skip below
        return
    text, span = alter(form, key, Decimal(cents) / 100)
    found = findings(text)
    want = {(0, 0): "A02", (0, 4): "A01", (0, 5): "A05"}[key]
    assert [(f.rule, (f.start, f.end)) for f in found] == [(want, span)], \
        (shape, [(f.rule, f.evidence, f.message) for f in found])


def test_total_row_left_at_zero_is_found_per_column():
    rows = [("年度资金总额", ["0", "0", "0", "10", "0", "0"]),
            ("其中：财政拨款", ["202.64", "132.91", "132.91", "", "", ""]), ("其他资金", ["", "", "", "", "", ""])]
    form = render(rows, "label_colon")
    rules = [f.rule for f in findings(form.text)]
    assert rules == ["A02", "A02", "A02"]




def test_cells_run_together_are_not_checked_never_split():
    rows = [("年度资金总额", ["643.56252.18163.68", "10", "100.00%", "10"]),
            ("其中：财政拨款", ["643.56", "252.18", "163.68", "", "", ""])]
    form = render(rows, "flat")
    records = claims_of(form.text)
    runon = [(c, v) for c, v in records if "连写" in c.relation]
    assert len(runon) == 1 and runon[0][1].status == "not_checked"
    c = runon[0][0]
    assert form.text[c.start:c.end] == "643.56252.18163.68"
    assert findings(form.text) == []


@FAST
@given(indicator_blocks(), st.sampled_from(["pipe", "flat", "tabs"]))
def test_consistent_weights_give_no_finding_and_are_checked(blocks, shape):
    form = render_weights(blocks, shape)
    assert findings(form.text) == [], [(f.rule, f.evidence, f.message) for f in findings(form.text)]
    checked = {(c.start, c.end) for c, v in claims_of(form.text, "weights") if v.status == "consistent"}
    for b in range(len(blocks)):
        assert form.cells[("block", b)] in checked
    assert form.cells[("total",)] in checked


@FAST
@given(indicator_blocks(), st.sampled_from(["pipe", "flat", "tabs"]), st.integers(0, 2), st.integers(1, 5))
def test_an_altered_block_weight_is_found_there(blocks, shape, b, delta):
    name, points, rows = blocks[b]
    blocks = list(blocks)
    blocks[b] = (name, points + delta, rows)
    form = render_weights(blocks, shape)
    found = [(f.rule, (f.start, f.end)) for f in findings(form.text)]
    # the block's own sum, and the form's total that the block's stated points feed into
    assert ("A02", form.cells[("block", b)]) in found
    assert set(found) <= {("A02", form.cells[("block", b)]), ("A02", form.cells[("total",)])}


@FAST
@given(heading_tree())
def test_heading_points_add_up(parts):
    form = render_headings(parts)
    assert findings(form.text) == []
    checked = {(c.start, c.end) for c, v in claims_of(form.text, "weights") if v.status == "consistent"}
    for p in range(len(parts)):
        assert form.cells[("full", p)] in checked and form.cells[("got", p)] in checked


@FAST
@given(heading_tree(), st.integers(0, 2), st.sampled_from(["full", "got"]))
def test_an_altered_heading_total_is_found_there(parts, p, which):
    name, full, got = parts[p]
    parts = list(parts)
    parts[p] = (name, full[:-1] + [full[-1] + 3], got) if which == "full" else (name, full, [0] * len(got))
    form = render_headings(parts)
    # the sub-item changed: the heading's stated sum no longer matches
    if which == "got" and sum(got) == 0:
        return
    form_text = form.text
    if which == "full":
        s, e = form.cells[("full", p)]
        form_text = form_text[:s] + str(sum(full)) + form_text[e:] if len(str(sum(full))) == e - s else None
        if form_text is None:
            return
        span = (s, s + len(str(sum(full))))
    else:
        s, e = form.cells[("got", p)]
        if len(str(sum(got))) != e - s:
            return
        form_text = form_text[:s] + str(sum(got)) + form_text[e:]
        span = (s, e)
    found = [(f.rule, (f.start, f.end)) for f in findings(form_text)]
    assert found == [("A02", span)]


@FAST
@given(item_table(), st.sampled_from(TABLE_SHAPES))
def test_a_consistent_table_in_every_shape_adds_up(items, shape):
    form = render_table(items, shape)
    assert findings(form.text) == [], (shape, [(f.rule, f.evidence, f.message) for f in findings(form.text)])
    checked = {(c.start, c.end) for c, v in claims_of(form.text) if v.status == "consistent"}
    assert form.cells[("total", 0)] in checked and form.cells[("total", 1)] in checked, shape


@FAST
@given(item_table(), st.sampled_from(TABLE_SHAPES), st.data())
def test_one_altered_item_gives_exactly_the_total_finding(items, shape, data):
    form = render_table(items, shape)
    r = data.draw(st.integers(0, len(items) - 1))
    c = data.draw(st.integers(0, 1))
    text, span = alter(form, (r, c), Decimal(data.draw(st.integers(100, 900))) / 100)
    shift = len(text) - len(form.text)  # the altered figure may be shorter or longer
    s, e = form.cells[("total", c)]
    found = [(f.rule, (f.start, f.end)) for f in findings(text)]
    assert found == [("A02", (s + shift, e + shift))], (shape, found)


@FAST
@given(item_table(), st.sampled_from(TABLE_SHAPES))
def test_cells_run_together_in_a_table_are_not_checked(items, shape):
    form = render_table(items, shape, runon=True)
    records = claims_of(form.text)
    runon = [(c, v) for c, v in records if "连写" in c.relation]
    assert [(c.start, c.end, v.status) for c, v in runon] == [(*form.cells[("runon",)], "not_checked")], shape
    assert findings(form.text) == []


@FAST
@given(st.sampled_from(["全年执行数", "共计", "预算资金"]), st.integers(1, 99999), st.integers(0, 99),
       st.booleans())
def test_a_figure_right_after_a_half_width_comma_is_read(label, whole, cents, thousands):
    from jixiao.model.figures import extract_figures
    number = f"{whole:,}" if thousands else str(whole)
    written = f"{number}.{cents:02d}万元"
    text = f"{label},{written},执行率100%"
    figs = [f for f in extract_figures(text) if f.unit == "万元"]
    assert [(f.start, f.end, f.number) for f in figs] == \
        [(len(label) + 1, len(label) + 1 + len(written), Decimal(f"{whole}.{cents:02d}"))]
