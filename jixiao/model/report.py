"""The report model: source text, paragraphs, section tree, tables, figures and meta."""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..read.ingest import Source, read_source
from ..read.textnorm import fold
from .figures import Figure, attach_table_cells, extract_figures
from .meta import Meta, infer_meta
from .structure import (
    Line, NumberingIssue, Paragraph, Section, Sentence, build_paragraphs, build_sections, split_lines, split_sentences
)
from .tables import Table, find_tables


@dataclass
class Report:
    path: str
    text: str  # the source text; every offset points into it
    format: str
    encoding: str | None
    folded: str = field(repr=False)
    lines: list[Line] = field(repr=False)
    paragraphs: list[Paragraph] = field(repr=False)
    sections: Section = field(repr=False)
    numbering_issues: list[NumberingIssue] = field(repr=False)
    tables: list[Table] = field(repr=False)
    figures: list[Figure] = field(repr=False)
    meta: Meta = field(default_factory=Meta)
    # Views of this text that later stages derive once and reuse (the reuse stage's passages, clause
    # keys, masks), by name: declared here so that they live and die with the report, not beside it.
    derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def name(self) -> str:
        return Path(self.path).name

    def paragraph_at(self, offset: int) -> Paragraph | None:
        lo, hi = 0, len(self.paragraphs)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.paragraphs[mid].end <= offset:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(self.paragraphs) and self.paragraphs[lo].start <= offset:
            return self.paragraphs[lo]
        return None

    def section_at(self, offset: int) -> Section:
        node = self.sections
        while True:
            inner = next((c for c in node.children if c.start <= offset < c.end), None)
            if inner is None:
                return node
            node = inner

    @cached_property
    def sentences(self) -> list[Sentence]:
        """Sentences of the text paragraphs, each with the indices of the figures in it."""
        out = split_sentences(self.text, self.paragraphs)
        starts = [s.start for s in out]
        for i, f in enumerate(self.figures):
            k = bisect_right(starts, f.start) - 1
            if k >= 0 and out[k].start <= f.start < out[k].end and f.table is None:
                out[k].figures.append(i)
        return out


def parse_source(source: Source) -> Report:
    text = source.text
    folded = fold(text)
    lines = split_lines(text)
    tables = find_tables(text, lines)
    table_lines = {k: t.index for t in tables for k in t.line_indices}
    paragraphs = build_paragraphs(text, folded, lines, table_lines, join_wrapped=source.format == "pdf")
    sections, issues = build_sections(text, paragraphs)
    figures = attach_table_cells(extract_figures(text, folded), tables)
    meta = infer_meta(text, paragraphs, figures)
    return Report(source.path, text, source.format, source.encoding, folded, lines, paragraphs, sections,
                  issues, tables, figures, meta)


def parse_text(text: str, path: str = "<text>", fmt: str = "txt") -> Report:
    return parse_source(Source(path, text, fmt, "utf-8"))


def load_report(path: str | Path) -> Report:
    """Read and parse one report file; raises ReportError when it cannot be read."""
    return parse_source(read_source(path))
