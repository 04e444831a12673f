"""Text reused across reports (B03): an index of the clauses of every report, searched with
MinHash LSH over character shingles (datasketch), every candidate verified by exact comparison.

The index is built once per batch and saved (pickle, written atomically); a town's run loads it;
adding reports updates it in place. It keeps each report's town and year, so that a report that
repeats the same town's other years is told apart from one that copies another town, and the
number of reports sharing a passage tells stock phrases of the genre from copying.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from datasketch import MinHash, MinHashLSH

from .errors import JixiaoError
from .passages import Clause, clauses, normalise
from .report import Report

FORMAT_VERSION = 1
SHINGLE = 5
NUM_PERM = 64
THRESHOLD = 0.5
MIN_RUN = 20            # normalised characters a reused passage must have
MAX_GAP = 40            # normalised characters of changed text that still join two runs from one source
WHOLE_REPORT = 0.5      # share of a report reused from one other report that is a finding of its own
STOCK_MIN_REPORTS = 4   # a passage in at least this many reports, and …
STOCK_MIN_SHARE = 0.3   # … in at least this share of the corpus, is a stock phrase of the genre


@dataclass
class IndexedReport:
    key: str
    name: str
    path: str
    town: str | None
    year: int | None
    clauses: list[tuple[int, int, str]]  # start, end, normalised key


@dataclass
class SourceSpan:
    report: str       # IndexedReport.key
    name: str
    town: str | None
    year: int | None
    start: int
    end: int


@dataclass
class Reuse:
    """A passage of a report also found in other reports of the index."""

    start: int
    end: int
    chars: int                                   # normalised characters
    sources: list[SourceSpan] = field(default_factory=list)
    reports_sharing: int = 0                     # this report included
    kind: str = "copied"                         # "copied" | "own-years" | "stock"


def report_key(report: Report) -> str:
    return hashlib.sha1(report.text.encode("utf-8")).hexdigest()[:16]


def _minhash(key: str) -> MinHash:
    m = MinHash(num_perm=NUM_PERM, seed=1)
    grams = {key[i:i + SHINGLE] for i in range(max(1, len(key) - SHINGLE + 1))}
    m.update_batch([g.encode("utf-8") for g in sorted(grams)])
    return m


class ReuseIndex:
    def __init__(self):
        self.version = FORMAT_VERSION
        self.lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self.reports: dict[str, IndexedReport] = {}

    def __len__(self) -> int:
        return len(self.reports)

    def __contains__(self, report: Report) -> bool:
        return report_key(report) in self.reports

    def add(self, report: Report) -> bool:
        """Index a report's clauses; False when the same text is indexed already."""
        key = report_key(report)
        if key in self.reports:
            return False
        units = clauses(report)
        entry = IndexedReport(key, report.name, report.path, report.meta.town, report.meta.year,
                              [(c.start, c.end, c.key) for c in units])
        self.reports[key] = entry
        with self.lsh.insertion_session() as session:
            for k, c in enumerate(units):
                session.insert(f"{key}:{k}", _minhash(c.key))
        return True

    def remove(self, key: str) -> None:
        entry = self.reports.pop(key, None)
        if entry is not None:
            for k in range(len(entry.clauses)):
                self.lsh.remove(f"{key}:{k}")

    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(self, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | Path) -> "ReuseIndex":
        try:
            with open(path, "rb") as fh:
                index = pickle.load(fh)
        except FileNotFoundError:
            raise JixiaoError(f"{path}: reuse index not found") from None
        except Exception as exc:
            raise JixiaoError(f"{path}: not a readable reuse index ({type(exc).__name__})") from None
        if not isinstance(index, cls) or getattr(index, "version", None) != FORMAT_VERSION:
            raise JixiaoError(f"{path}: reuse index of another version; rebuild it with `jixiao index build`")
        return index

    def reuse(self, report: Report) -> list[Reuse]:
        """Passages of `report` found in other indexed reports, merged into maximal runs."""
        own = report_key(report)
        units = clauses(report)
        matched: list[dict[str, tuple[int, int]]] = []
        for c in units:
            found: dict[str, tuple[int, int]] = {}
            for cand in sorted(self.lsh.query(_minhash(c.key))):
                rkey, k = cand.rsplit(":", 1)
                if rkey == own:
                    continue
                start, end, other = self.reports[rkey].clauses[int(k)]
                if _same(c.key, other) and rkey not in found:
                    found[rkey] = (start, end)
            matched.append(found)
        return self._runs(report, units, matched)

    def _runs(self, report: Report, units: list[Clause], matched: list[dict]) -> list[Reuse]:
        runs: list[Reuse] = []
        current: Reuse | None = None
        current_keys: set[str] = set()
        for c, found in zip(units, matched):
            keys = set(found)
            joinable = current is not None and keys & current_keys and not normalise(report.text[current.end:c.start])
            if joinable:
                current.end = c.end
                current.chars += len(c.key)
                current_keys &= keys
                for src in current.sources:
                    if src.report in found:
                        src.end = max(src.end, found[src.report][1])
                current.sources = [s for s in current.sources if s.report in current_keys]
                continue
            if current is not None:
                runs.append(current)
            current, current_keys = None, set()
            if keys:
                current = Reuse(c.start, c.end, len(c.key), [
                    SourceSpan(k, self.reports[k].name, self.reports[k].town, self.reports[k].year, *found[k])
                    for k in sorted(keys, key=lambda k: (self.reports[k].name, k))])
                current_keys = keys
        if current is not None:
            runs.append(current)
        runs = _join_gaps(report, runs)
        corpus = len(self.reports) + (0 if report_key(report) in self.reports else 1)
        out = []
        for run in runs:
            if run.chars < MIN_RUN:
                continue
            run.reports_sharing = 1 + len(run.sources)
            towns = {s.town for s in run.sources}
            if run.reports_sharing >= STOCK_MIN_REPORTS and run.reports_sharing >= STOCK_MIN_SHARE * corpus:
                run.kind = "stock"
            elif report.meta.town and towns == {report.meta.town}:
                run.kind = "own-years"
            out.append(run)
        return out


def _join_gaps(report: Report, runs: list[Reuse]) -> list[Reuse]:
    """Join runs from the same sources separated by a little changed text (updated figures)."""
    out: list[Reuse] = []
    for run in runs:
        prev = out[-1] if out else None
        if prev is not None and {s.report for s in prev.sources} == {s.report for s in run.sources} \
                and len(normalise(report.text[prev.end:run.start])) <= MAX_GAP:
            prev.end = run.end
            prev.chars += run.chars
            for a, b in zip(prev.sources, run.sources):
                a.end = max(a.end, b.end)
            continue
        out.append(run)
    return out


def shared_with(report: Report, reuses: list[Reuse]) -> dict[str, float]:
    """For each other report, the share of this report's text found in it."""
    total = len(normalise(report.text)) or 1
    per: dict[str, int] = {}
    for r in reuses:
        for s in r.sources:
            per[s.report] = per.get(s.report, 0) + r.chars
    return {k: v / total for k, v in per.items()}


def _same(a: str, b: str) -> bool:
    """Verify a candidate: the clauses agree exactly, or differ only in a small part."""
    if a == b:
        return True
    sm = SequenceMatcher(None, a, b, autojunk=False)
    matched = sum(block.size for block in sm.get_matching_blocks() if block.size >= 4)
    return matched >= 0.8 * max(len(a), len(b))


def build_index(reports: list[Report], index: ReuseIndex | None = None) -> ReuseIndex:
    index = index or ReuseIndex()
    for r in reports:
        index.add(r)
    return index
