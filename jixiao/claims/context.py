"""What every claim extractor needs from a report, computed once: sentences, the role and scope of
each money figure, which paragraphs belong to one project, and money written in the wrong unit."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache

from ..model.figures import Figure
from ..model.forms import FormCell, FundsBlock, cell_stream, funds_blocks_in
from ..model.report import Report
from ..model.structure import Sentence
from ..wordlists import load

MAX_PARAGRAPH_FIGURES = 400  # more figures than any sentence-by-sentence prose: a dump, not read for relations


@lru_cache(maxsize=1)
def words() -> dict:
    data = load("arithmetic_words.yaml")
    data["money_roles"] = [(role, re.compile(p)) for role, p in data["money_roles"]]
    data["scopes"] = [(scope, re.compile(p)) for scope, p in data["scopes"]]
    for key in ("execution_rates", "over_rates", "over_explained", "score_labels", "not_a_score", "admissions",
                "list_cues", "year_ok_context", "year_results", "sub_item"):
        data[key] = re.compile(data[key])
    data["grade_level"] = {w: level for level, ws in enumerate(data["grades"]) for w in ws}
    return data


@lru_cache(maxsize=1)
def patterns() -> dict[str, re.Pattern]:
    """The extractors' patterns of arithmetic_words.yaml (`patterns:`), compiled; {grade_words}
    stands for the grade words, listed once."""
    data = load("arithmetic_words.yaml")
    grade_words = data["grade_words"]
    return {name: re.compile(p.replace("{grade_words}", grade_words)) for name, p in data["patterns"].items()}


_SCOPE_TERMS = patterns()["scope_terms"]
_GENERIC_TITLE = patterns()["generic_title"]
_PROJECT_NOUN = patterns()["project_noun"]
_PROJECT_PARAGRAPH = patterns()["project_paragraph"]


@dataclass
class UnitSuspect:
    """A money figure written in 元 among 万元 peers of the same size (a unit claim)."""

    figure: int
    peers: list[int]


_PROJECT_COUNT = patterns()["project_count"]


def _last_scope(text: str, scopes, strong_only: bool = False) -> str | None:
    best, best_pos = None, -1
    for scope, pat in scopes:
        for m in pat.finditer(text):
            if strong_only and m.group(0) in ("项目", "部门", "本级"):
                continue
            if m.start() > best_pos:
                best, best_pos = scope, m.start()
    if strong_only:
        for m in _PROJECT_COUNT.finditer(text):
            if m.start() > best_pos:
                best, best_pos = "project", m.start()
    return best


def _folded_labels(report: Report) -> list[Figure]:
    """The figures with labels read from the folded text, so that words match however the source
    writes them (full-width, or traditional characters where textnorm folds them); offsets unchanged."""
    from dataclasses import replace

    from ..model.figures import _label
    folded = getattr(report, "folded", None)
    if not folded or folded == report.text:
        return report.figures
    out = []
    for f in report.figures:
        label = _label(folded, f.start, report.text) if f.label else f.label
        out.append(f if label == f.label else replace(f, label=label))
    return out


class Facts:
    """Shared, lazily computed views of one report for the claim extractors."""

    def __init__(self, report: Report):
        self.report = report
        self.figures: list[Figure] = _folded_labels(report)
        self.text = report.text

    @cached_property
    def sentences_by_paragraph(self) -> dict[int, list[Sentence]]:
        """The sentences of each paragraph, in order."""
        out: dict[int, list[Sentence]] = {}
        for s in self.sentences:
            out.setdefault(s.paragraph, []).append(s)
        return out

    @cached_property
    def figures_by_paragraph(self) -> dict[int, list[int]]:
        """Figures of each text paragraph (its sentences'), in order."""
        return {p: [i for s in ss for i in s.figures] for p, ss in self.sentences_by_paragraph.items()}

    @cached_property
    def prose_paragraph_figures(self) -> dict[int, list[int]]:
        """figures_by_paragraph less the paragraphs holding more figures than any prose does (a dump of
        numbers, not read for relations, so the extractors stay linear on pathological input)."""
        return {p: figs for p, figs in self.figures_by_paragraph.items() if len(figs) <= MAX_PARAGRAPH_FIGURES}

    @cached_property
    def breakdowns(self) -> list:
        """Totals with their parts (claims.breakdowns), read once: shares and conflicts use them too."""
        from .breakdowns import extract_once
        return extract_once(self)

    @cached_property
    def item_lists(self) -> list:
        """Numbered lists and tables of items (claims.items), read once."""
        from .items import find_item_lists
        return find_item_lists(self)

    @cached_property
    def form_cells(self) -> list[FormCell]:
        """The report's text read as a stream of form cells (the 自评表's), once."""
        return cell_stream(self.text)

    @cached_property
    def funds_blocks(self) -> list[FundsBlock]:
        """The 资金情况 blocks of the report's forms, once."""
        return funds_blocks_in(self.text, self.form_cells)

    @cached_property
    def _figure_starts(self) -> dict[int, int]:
        return {f.start: i for i, f in reversed(list(enumerate(self.figures))) if f.number is not None}

    def figure_at(self, offset: int) -> int | None:
        """Index of the figure (with a number) that starts at `offset`, e.g. a table cell's."""
        return self._figure_starts.get(offset)

    @property
    def sentences(self) -> list[Sentence]:
        return self.report.sentences

    @cached_property
    def sentence_of(self) -> dict[int, int]:
        return {i: s.index for s in self.sentences for i in s.figures}

    def sentence_text(self, s: Sentence) -> str:
        return self.text[s.start:s.end]

    def before(self, i: int) -> str:
        """The sentence text before figure i (its label and everything earlier in the sentence)."""
        s = self.sentences[self.sentence_of[i]] if i in self.sentence_of else None
        f = self.figures[i]
        return self.text[s.start:f.start] if s else f.label

    @cached_property
    def roles(self) -> dict[int, str]:
        """Role of each money figure: initial, adjusted, spent, budget or other."""
        out: dict[int, str] = {}
        w = words()
        for s in self.sentences:
            last = None
            for i in s.figures:
                f = self.figures[i]
                if f.kind != "money":
                    continue
                label = _SCOPE_TERMS.sub("", f.label)
                role = next((r for r, pat in w["money_roles"] if pat.search(label)), None)
                if role is None and f.label.endswith("支出") and patterns()["up_to_date"].search(self.text[s.start:f.start]):
                    role = "spent"  # 截至5月底，项目支出X万元: spending to a date
                if role is None:
                    role = last or "budget"
                out[i] = role
                if role != "other":
                    last = role
        return out

    @cached_property
    def scopes(self) -> dict[int, str]:
        """Spending scope of each figure: named in its own label, else by a strong word (基本支出,
        项目支出…) or a count of projects earlier in its sentence, else the whole department."""
        out: dict[int, str] = {}
        w = words()
        for s in self.sentences:
            for i in s.figures:
                f = self.figures[i]
                scope = _last_scope(f.label, w["scopes"])
                if scope is None:
                    head = self.text[s.start:f.start]
                    first_fig = self.figures[s.figures[0]].start - s.start
                    breakdown = head.find("其中", first_fig)
                    if 0 <= first_fig < breakdown:
                        head = head[:breakdown]  # parts named after 其中 do not scope what follows them
                    scope = _last_scope(head, w["scopes"], strong_only=True)
                out[i] = scope or "total"
        return out

    @staticmethod
    def is_project_title(title: str) -> bool:
        return bool(_PROJECT_NOUN.search(title)) and not _GENERIC_TITLE.search(title)

    def project_section(self, offset: int):
        """The innermost section titled by a project that contains `offset`, if any."""
        node = self.report.section_at(offset)
        while node is not None and node.marker is not None:
            if self.is_project_title(node.title):
                return node
            node = node.parent
        return None

    @cached_property
    def project_paragraphs(self) -> set[int]:
        """Paragraphs that speak of one project: inside a section titled by a project, or opening with 项目一："""
        out: set[int] = set()
        for node in self.report.sections.walk():
            if node.marker is None or not self.is_project_title(node.title):
                continue
            for p in self.report.paragraphs:
                if node.start <= p.start < node.end:
                    out.add(p.index)
        for p in self.report.paragraphs:
            if _PROJECT_PARAGRAPH.match(p.text):
                out.add(p.index)
        from .items import project_list_paragraphs
        out |= project_list_paragraphs(self)
        return out

    def bracketed(self, i: int) -> bool:
        """Is figure i inside brackets within its sentence (a part named in passing)?"""
        s = self.sentences[self.sentence_of[i]] if i in self.sentence_of else None
        if s is None:
            return False
        head = self.text[s.start:self.figures[i].start]
        return head.count("（") + head.count("(") > head.count("）") + head.count(")")

    def in_project(self, i: int) -> bool:
        s = self.sentence_of.get(i)
        return s is not None and self.sentences[s].paragraph in self.project_paragraphs

    @cached_property
    def unit_suspects(self) -> dict[int, UnitSuspect]:
        """元 figures among 万元 peers of the same size: an adjusted budget of '637.11元' beside 453.56万元."""
        out: dict[int, UnitSuspect] = {}
        by_paragraph: dict[int, list[int]] = {}
        for i, f in enumerate(self.figures):
            p = self.report.paragraph_at(f.start)
            if p is not None:
                by_paragraph.setdefault(p.index, []).append(i)
        for i, f in enumerate(self.figures):
            if f.kind != "money" or f.unit != "元" or f.number is None or f.number <= 0 or f.table is not None:
                continue
            if self.roles.get(i) in (None, "other") or patterns()["per_unit_words"].search(f.label):
                continue
            p = self.report.paragraph_at(f.start)
            if p is None:
                continue
            candidates = list(by_paragraph.get(p.index, []))
            if p.marker is not None:  # a list item: its siblings are peers
                node = self.report.section_at(p.start)
                if node.parent is not None:
                    for sib in node.parent.children:
                        sp = self.report.paragraph_at(sib.start)
                        if sp is not None and sp.index != p.index:
                            candidates.extend(by_paragraph.get(sp.index, []))
            peers = [j for j in candidates if j != i and self.figures[j].kind == "money"
                     and self.figures[j].unit == "万元" and self.figures[j].number]
            same_size = [j for j in peers if self.figures[j].number / 10 <= f.number <= self.figures[j].number * 10
                         and self.roles.get(j) not in (None, "other")]
            if same_size:
                out[i] = UnitSuspect(i, same_size)
        return out

    def wan(self, i: int) -> Decimal | None:
        """Money figure i in 万元, reading a suspect 元 figure as 万元."""
        f = self.figures[i]
        if i in self.unit_suspects:
            return f.number
        return f.wan

    def money_facts(self) -> list[int]:
        """Report-level money figures (not one project's, not in a table), in order."""
        return self._money_facts

    def money_of(self, role: str, scope: str) -> list[int]:
        """The report-level money figures of one role and spending scope, in order."""
        return self._money_by_role_scope.get((role, scope), [])

    @cached_property
    def _money_by_role_scope(self) -> dict[tuple[str, str], list[int]]:
        out: dict[tuple[str, str], list[int]] = {}
        for i in self._money_facts:
            out.setdefault((self.roles[i], self.scopes.get(i, "total")), []).append(i)
        return out

    @cached_property
    def _money_facts(self) -> list[int]:
        return [i for i in self.roles if not self.in_project(i) and self.roles[i] != "other"]
