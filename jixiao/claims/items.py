"""Where a report lists its items: numbered lists and tables, and the counts that refer to them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model.tables import Table
from .context import Facts, Sentence, patterns, words

_NAME_COL = patterns()["name_column"]
_BUDGET_COL = patterns()["budget_column"]
_SPENT_COL = patterns()["spent_column"]
_SCORE_COL = patterns()["score_column"]
_GRADE_COL = patterns()["grade_column"]
_PROJECT_AFTER = patterns()["project_after_count"]
_PROJECT_BEFORE = patterns()["project_before_count"]
_CATCH_ALL = patterns()["catch_all_item"]


@dataclass
class ItemList:
    """A run of sibling items numbered from 1, or the body rows of a table."""

    start: int
    end: int
    paragraphs: list[int]            # first paragraph of each item (empty for a table)
    table: Table | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)  # each item's text span

    def __len__(self) -> int:
        return len(self.spans)


def numbered_lists(facts: Facts) -> list[ItemList]:
    out = []
    for node in facts.report.sections.walk():
        run: list = []
        for child in node.children + [None]:
            if child is not None and run and child.marker.style == run[-1].marker.style \
                    and child.marker.number == run[-1].marker.number + 1:
                run.append(child)
                continue
            if len(run) >= 2:
                out.append(ItemList(run[0].start, run[-1].end, [c.paragraph for c in run],
                                    spans=[(c.start, c.end) for c in run]))
            run = [child] if child is not None and child.marker.number == 1 else []
    return sorted(out, key=lambda l: l.start)


def table_lists(facts: Facts) -> list[ItemList]:
    out = []
    for t in facts.report.tables:
        body = [r for r in t.body_rows() if not t.is_total_row(r)]
        if len(body) >= 2:
            out.append(ItemList(t.start, t.end, [], t, [(r[0].start, r[-1].end) for r in body]))
    return out


def all_item_lists(facts: Facts) -> list[ItemList]:
    return facts.item_lists


def find_item_lists(facts: Facts) -> list[ItemList]:
    """The report's numbered lists and tables of items, in order (read once: Facts.item_lists)."""
    return sorted(numbered_lists(facts) + table_lists(facts), key=lambda l: l.start)


def project_count(facts: Facts, i: int) -> bool:
    """Is figure i a count of projects (N个 … 项目 / 项目 … N个)?"""
    f = facts.figures[i]
    if f.kind != "count" or f.unit not in ("个", "项") or f.bound is not None or f.number is None:
        return False
    after = facts.text[f.end:f.end + 8]
    return bool(_PROJECT_AFTER.match(after)) or bool(_PROJECT_BEFORE.search(f.label))


def linked_items(facts: Facts, s: Sentence) -> ItemList | None:
    """The list or table that a sentence introduces: the next one, with at most two paragraphs between."""
    paragraphs = facts.report.paragraphs
    for items in all_item_lists(facts):
        if items.start < s.end:
            continue
        first_index = next((p.index for p in paragraphs if p.end > items.start), len(paragraphs))
        gap = [p for p in paragraphs[s.paragraph + 1:first_index] if p.kind == "text"]
        cue = words()["list_cues"].search(facts.text[s.start:s.end]) is not None
        if len(gap) <= (2 if cue else 1) and first_index > s.paragraph and all(p.marker is None for p in gap):
            return items
        return None
    return None


def has_catch_all(facts: Facts, items: ItemList) -> bool:
    """A list whose items include 其他/其余 groups several things in one item: not one item each."""
    return any(_CATCH_ALL.match(facts.text[lo:hi]) for lo, hi in items.spans)


def project_list_paragraphs(facts: Facts) -> set[int]:
    """Paragraphs of the lists that a count of projects introduces: each item is one project."""
    out: set[int] = set()
    for s in facts.sentences:
        if not any(project_count(facts, i) for i in s.figures):
            continue
        items = linked_items(facts, s)
        if items is None or items.table is not None:
            continue
        for p in facts.report.paragraphs:
            if items.start <= p.start < items.end:
                out.add(p.index)
    return out


def column(table: Table, pattern: re.Pattern, exclude: re.Pattern | None = None) -> str | None:
    for name in table.columns:
        if pattern.search(name) and (exclude is None or not exclude.search(name)):
            return name
    return None


def budget_column(table: Table) -> str | None:
    return column(table, _BUDGET_COL, _SPENT_COL)


def spent_column(table: Table) -> str | None:
    return column(table, _SPENT_COL)


def score_column(table: Table) -> str | None:
    return column(table, _SCORE_COL)


def grade_column(table: Table) -> str | None:
    return column(table, _GRADE_COL)


def name_column(table: Table) -> str | None:
    return column(table, _NAME_COL, _BUDGET_COL)
