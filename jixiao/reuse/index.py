"""Text reused across reports (B03).

Two indexes over every report given together (and any saved earlier): exact clause keys (digits
masked, so copies with updated figures match), held as 64-bit hashes in numpy arrays (postings by
sorting, no Python object per clause), and MinHash LSH over character shingles of sentences, for
copies that were edited a little; every LSH candidate is verified by exact comparison. MinHash signatures are computed for many sentences at once with numpy, and the
LSH bands are numpy arrays (the candidates datasketch's MinHashLSH finds, without its per-sentence
Python). Keying many reports and searching many reports run in forked processes (`jobs`): the
index is only read by the search, so the workers share it. The index is saved as data (a JSON header and raw numpy arrays, with a format version;
never pickle, which runs code when loaded), written atomically; adding reports updates it in place.

Each report keeps its town and year, so a report repeating its own town's other years is told
apart from one copying another town, and the number of reports sharing a passage tells the
genre's stock phrases from copying between two or three towns.
"""
from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing as mp
import os
import re
import struct
import tempfile
from bisect import bisect_left
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Iterator

import numpy as np

from ..errors import JixiaoError
from ..model.report import Report
from ..read.textnorm import fold
from .passages import MIN_CHARS, Passage, clause_codes, normalised_lengths, passages, place_names

FORMAT_VERSION = 4      # 4: clause keys as 64-bit hashes (3: keys as strings; 2 was a pickle, refused)
SNAPSHOT_VERSION = 1
INDEX_MAGIC = b"JIXIAO-REUSE-INDEX\n"
SNAPSHOT_FORMAT = "jixiao-reuse-results"
SHINGLE = 5
NUM_PERM = 32
THRESHOLD = 0.8         # LSH: sentences this similar are candidates; a copy edited in a few words still is
MIN_RUN = 20            # normalised characters a reused passage must have
MAX_GAP = 40            # changed characters that still join two runs from the same sources
MAX_SOURCES = 20        # a clause in more reports than this is a stock phrase; its sources are not listed
MAX_CANDIDATES = 4 * MAX_SOURCES  # LSH candidates beyond which a sentence is common, not verified one by one
STOCK_MIN_REPORTS = 4   # a passage in at least this many reports, and …
STOCK_MIN_SHARE = 0.3   # … in at least this share of the corpus, is a stock phrase of the genre
SEARCH_STEP = 64        # reports searched together (one lookup of all their clauses and sentences)
_PRIME = np.uint64((1 << 61) - 1)
_rng = np.random.RandomState(1)
_A = _rng.randint(1, 1 << 31, size=NUM_PERM).astype(np.uint64)
_B = _rng.randint(0, 1 << 31, size=NUM_PERM).astype(np.uint64)
_KEY_BASE = np.uint64(0x9E3779B97F4A7C15)   # odd: a polynomial over the characters, modulo 2**64
_KEY_POWERS: list[np.ndarray] = []


@dataclass(eq=False)   # arrays inside: equal means the same entry
class IndexedReport:
    key: str
    name: str
    path: str
    town: str | None
    year: int | None
    clauses: np.ndarray                          # (n, 3) int64: start, end, normalised length of the key
    hashes: np.ndarray                           # (n,) uint64: the clause keys' hashes (key_hashes)
    sentences: list[tuple[int, int, str]]        # start, end, normalised key (digits masked)
    number: int = -1                             # position in the index (postings name reports by it)
    # what the keys were made with (place names masked), known while in memory only
    masking: tuple | None = field(default=None, compare=False, repr=False)


@dataclass(slots=True)   # millions of them in a large search: no dict each
class SourceSpan:
    report: str       # IndexedReport.key
    name: str
    town: str | None
    year: int | None
    start: int
    end: int


@dataclass(slots=True)
class Reuse:
    """A passage of a report also found in other reports of the index."""

    start: int
    end: int
    chars: int                                   # normalised characters shared
    sources: list[SourceSpan] = field(default_factory=list)
    reports_sharing: int = 0                     # this report included
    kind: str = "copied"                         # "copied" | "own-years" | "stock"


def report_key(report: Report) -> str:
    return hashlib.sha1(report.text.encode("utf-8")).hexdigest()[:16]


def key_hashes(keys: list[str]) -> np.ndarray:
    """64-bit hashes of many strings at once (the same in every process and run, unlike hash()):
    a polynomial over the characters modulo 2**64, mixed with the length by splitmix64's finaliser.
    The index keeps these instead of the clause keys: arrays, not millions of strings."""
    lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    codes = np.frombuffer("".join(keys).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    return code_hashes(codes, lengths)


def code_hashes(codes: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """key_hashes of strings given as their code points concatenated (uint64) and their lengths."""
    n = len(lengths)
    ends = np.cumsum(lengths)
    h = np.zeros(n, dtype=np.uint64)
    if len(codes):
        longest = int(lengths.max())
        if not _KEY_POWERS or len(_KEY_POWERS[0]) < longest:
            powers = np.full(max(longest, 256), _KEY_BASE, dtype=np.uint64)
            powers[0] = 1
            _KEY_POWERS[:] = [np.cumprod(powers, dtype=np.uint64)]   # wraps modulo 2**64, as meant
        owner = np.repeat(np.arange(n), lengths)
        terms = (codes + np.uint64(1)) * _KEY_POWERS[0][ends[owner] - 1 - np.arange(len(codes))]
        filled = lengths > 0
        h[filled] = np.add.reduceat(terms, (ends - lengths)[filled])
    z = h ^ (lengths.astype(np.uint64) * np.uint64(0xD6E8FEB86659FD93))
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def signatures(keys: list[str]) -> np.ndarray:
    """MinHash signatures of many strings at once: character 5-gram shingles, NUM_PERM hashes each.

    All strings are hashed in one numpy pass: a rolling hash over their concatenation, the windows
    that cross from one string into the next dropped, the minimum per string and permutation kept.
    Each value is the low 32 bits of a hash (uint32; the saved index writes them as 64-bit numbers).
    """
    if not keys:
        return np.zeros((0, NUM_PERM), dtype=np.uint32)
    padded = [k if len(k) >= SHINGLE else k + " " * (SHINGLE - len(k)) for k in keys]
    lengths = np.fromiter((len(k) for k in padded), dtype=np.int64, count=len(padded))
    codes = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(codes) - SHINGLE + 1
    h = np.zeros(n, dtype=np.uint64)
    for i in range(SHINGLE):
        h = (h * np.uint64(1000003) + codes[i:i + n]) & np.uint64(0xFFFFFFFF)
    ends = np.cumsum(lengths)
    owner = np.repeat(np.arange(len(padded)), lengths)[:n]
    valid = np.arange(n) + SHINGLE <= ends[owner]
    h, owner = h[valid], owner[valid]
    out = np.empty((len(keys), NUM_PERM), dtype=np.uint32)
    step = 16_384   # rows of 32 values: the temporaries stay in the processor's cache (3.5x faster than 250,000)
    for lo in range(0, len(h), step):
        x = h[lo:lo + step, None] * _A + _B                 # < 2**64: h < 2**32, _A and _B < 2**31
        x = (x & _PRIME) + (x >> np.uint64(61))             # x mod (2**61 - 1), without a division
        x -= _PRIME * (x >= _PRIME)
        values = x.astype(np.uint32)                         # the low 32 bits, as `& 0xFFFFFFFF`
        chunk_owner = owner[lo:lo + step]
        first = np.flatnonzero(np.r_[True, chunk_owner[1:] != chunk_owner[:-1]])
        mins = np.minimum.reduceat(values, first, axis=0)
        rows = chunk_owner[first]
        if lo == 0:
            out[rows] = mins
        else:
            fresh = rows > owner[lo - 1]
            out[rows[fresh]] = mins[fresh]
            out[rows[~fresh]] = np.minimum(out[rows[~fresh]], mins[~fresh])
    return out


class _Bands:
    """MinHash LSH over sentence signatures, as datasketch's MinHashLSH(threshold=THRESHOLD,
    num_perm=NUM_PERM) finds candidates (the same bands, the same exact band equality), held in
    numpy arrays: inserting is appending, a query is a binary search per band, and a forked
    worker reads the arrays without copying them."""

    BANDS, ROWS = 3, 10   # datasketch's optimal (b, r) for threshold 0.8 and 32 permutations

    def __init__(self):
        self.parts: list[np.ndarray] = []
        self.sigs = np.zeros((0, NUM_PERM), dtype=np.uint32)   # 32-bit values: half the memory of uint64
        self.sorted: list[tuple[np.ndarray, np.ndarray]] | None = None

    def __len__(self) -> int:
        return len(self.sigs) + sum(len(p) for p in self.parts)

    def add(self, sigs: np.ndarray) -> None:
        self.parts.append(np.asarray(sigs, dtype=np.uint32))
        self.sorted = None

    def _band_keys(self, sigs: np.ndarray) -> list[np.ndarray]:
        keys = []
        for b in range(self.BANDS):
            h = np.zeros(len(sigs), dtype=np.uint64)
            for col in range(b * self.ROWS, (b + 1) * self.ROWS):
                h = h * np.uint64(0x9E3779B97F4A7C15) + sigs[:, col] + np.uint64(1)
            keys.append(h)
        return keys

    def freeze(self) -> None:
        if self.parts:
            self.sigs = np.concatenate([self.sigs, *self.parts])
            self.parts = []
        if self.sorted is None:
            self.sorted = []
            for h in self._band_keys(self.sigs):
                order = np.argsort(h)   # the order within a bucket changes no query's answer
                self.sorted.append((h[order], order))

    def query(self, sigs: np.ndarray, limit: int | None = None) -> list[np.ndarray | None]:
        """For each row of sigs, the ids of the stored sentences sharing a band with it exactly.

        With `limit`, a row whose candidates are more than `limit` gets None instead, found without
        verifying the whole of a crowded bucket: one band with more than `limit` exact matches
        decides it, as the union of the bands has at least as many. Without it, the cost of the
        genre's stock sentences would grow with the corpus for every report searched."""
        self.freeze()
        n, size_all = len(sigs), len(self.sigs)
        crowded = np.zeros(n, dtype=bool)
        found_q, found_id = [], []
        for b, (h, (keys, order)) in enumerate(zip(self._band_keys(sigs), self.sorted)):
            lo, hi = _sorted_search(keys, h, "left"), _sorted_search(keys, h, "right")
            cols = slice(b * self.ROWS, (b + 1) * self.ROWS)
            size = hi - lo
            if limit is not None:
                for q in np.flatnonzero(size > limit):
                    if crowded[q]:
                        continue
                    found, at, step = 0, int(lo[q]), 2 * (limit + 1)
                    while at < hi[q] and found <= limit:
                        ids = order[at:min(at + step, int(hi[q]))]
                        found += int((self.sigs[ids, cols] == sigs[q, cols]).all(axis=1).sum())
                        at += step
                    crowded[q] = found > limit
            qs = np.flatnonzero((size > 0) & ~crowded)
            rep = size[qs]
            # every (query, stored sentence) pair of the buckets at once, verified exactly, as datasketch
            first = np.repeat(np.cumsum(rep) - rep, rep)
            ids = order[np.repeat(lo[qs], rep) + (np.arange(int(rep.sum())) - first)]
            qq = np.repeat(qs, rep)
            same = (self.sigs[ids, cols] == sigs[qq, cols]).all(axis=1)
            found_q.append(qq[same])
            found_id.append(ids[same])
        pairs = np.unique(np.concatenate(found_q + [np.zeros(0, np.int64)]).astype(np.int64) * size_all
                          + np.concatenate(found_id + [np.zeros(0, np.int64)]))
        owner, ids = np.divmod(pairs, max(size_all, 1))
        counts = np.bincount(owner, minlength=n)
        parts = np.split(ids, np.cumsum(counts)[:-1]) if n else []
        return [None if crowded[q] or (limit is not None and counts[q] > limit) else parts[q] for q in range(n)]


class ReuseIndex:
    def __init__(self):
        self.version = FORMAT_VERSION
        self.bands = _Bands()
        self.reports: dict[str, IndexedReport] = {}
        self.entries: list[IndexedReport] = []      # IndexedReport.number -> entry
        self.places: dict[str | None, frozenset[str]] = {}  # county -> its towns' names, masked in keys
        self._postings: "_Tables | None" = None  # built when first searched after reports were added
        self._crowded: set[str] = set()          # sentences found common in this process's searches
        self._folded: dict[str, str] = {}        # place name -> its folded form

    def _fold(self, name: str) -> str:
        folded = self._folded.get(name)
        if folded is None:
            folded = self._folded[name] = fold(name)
        return folded

    def __len__(self) -> int:
        return len(self.reports)

    def __contains__(self, report: Report) -> bool:
        return report_key(report) in self.reports

    def known_towns(self) -> set[str]:
        return {e.town for e in self.reports.values() if e.town}

    def places_of(self, report: Report) -> frozenset[str]:
        """The names of the towns of the report's county in the index: masked in its keys, so that
        a passage copied from a neighbour with the neighbour's name left in still matches."""
        return self.places.get(report.meta.county, frozenset())

    def add(self, report: Report) -> bool:
        """Index a report; False when the same text is indexed already."""
        return self.add_many([report]) == 1

    def add_many(self, reports: list[Report], jobs: int = 1) -> int:
        """Index many reports at once; returns how many were new. With jobs > 1 the reports are
        keyed (clauses, sentences, signatures) in forked processes; the index is the same."""
        with _no_gc():
            return self._add_many(reports, jobs)

    def _add_many(self, reports: list[Report], jobs: int) -> int:
        self._crowded, self._postings = set(), None
        new, seen = [], set()
        for report in reports:
            key = report_key(report)
            if key in self.reports or key in seen:
                continue
            seen.add(key)
            new.append((key, report))
        for _, r in new:
            county = r.meta.county
            self.places[county] = self.places.get(county, frozenset()) | frozenset(place_names(r.meta.town))
        sigs = []
        for i, (rows, hashes, sentences, report_sigs) in enumerate(self._keyed([r for _, r in new], jobs)):
            key, report = new[i]
            sigs.append(report_sigs)
            self._add_entry(IndexedReport(key, report.name, report.path, report.meta.town, report.meta.year, rows,
                                          hashes, sentences, masking=_masking(report, self.places_of(report))))
        self.bands.add(np.concatenate(sigs) if sigs else signatures([]))
        return len(new)

    def _add_entry(self, entry: IndexedReport) -> None:
        entry.number = len(self.entries)
        self.entries.append(entry)
        self.reports[entry.key] = entry

    def _keyed(self, reports: list[Report], jobs: int) -> Iterator[tuple[np.ndarray, np.ndarray, list, np.ndarray]]:
        """Each report's clauses (start, end, key length; key hashes), sentences (start, end, masked
        key) and the sentences' signatures, in order; in forked processes when jobs > 1 (only the keys come
        back), while this process posts the keys of the parts already done."""
        jobs = max(1, min(jobs, len(reports) // 50))
        if jobs > 1 and _can_fork():
            global _SHARED
            _SHARED = (self, reports)
            try:
                with _frozen(), mp.get_context("fork").Pool(jobs) as pool:
                    step = max(1, min(100, len(reports) // (4 * jobs)))
                    for part in pool.imap(_keyed_at, [(lo, lo + step) for lo in range(0, len(reports), step)]):
                        yield from part
            finally:
                _SHARED = None
        else:
            yield from self._keyed_range(reports)

    def _keyed_range(self, reports: list[Report], known: dict | None = None) -> list[tuple[np.ndarray, np.ndarray, list, np.ndarray]]:
        """`known`: signatures of sentences keyed before (a worker keeps them from one part to the
        next: the genre's stock sentences recur in every part)."""
        known = {} if known is None else known
        out, codes, lengths = [], [], []
        for report in reports:
            places = self.places_of(report)
            spans, report_codes, report_lengths = clause_codes(report, places=places)
            codes.append(report_codes)
            lengths.append(report_lengths)
            out.append((np.column_stack([spans, report_lengths]),
                        [(p.start, p.end, p.masked) for p in passages(report, MIN_CHARS, places)]))
        hashes = code_hashes(np.concatenate([np.zeros(0, np.uint64)] + codes),    # all the reports' clauses
                             np.concatenate([np.zeros(0, np.int64)] + lengths))   # in one numpy pass
        masked = [s[2] for _, sentences in out for s in sentences]
        fresh = [k for k in dict.fromkeys(masked) if k not in known]   # each distinct sentence hashed once
        known.update(zip(fresh, signatures(fresh)))
        sigs = np.array([known[k] for k in masked], dtype=np.uint32).reshape(-1, NUM_PERM)
        bounds = np.cumsum([0] + [len(sentences) for _, sentences in out])
        ends = np.cumsum([len(rows) for rows, _ in out])
        return [(rows, hashes[end - len(rows):end], sentences, sigs[lo:hi])
                for (rows, sentences), end, lo, hi in zip(out, ends, bounds, bounds[1:])]

    def _prepare(self) -> None:
        """Band tables and postings, built side by side: both are mostly numpy sorts and copies,
        which run without the interpreter lock (at 10,000 reports 0.75 s instead of 1.7–2.1 s)."""
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1, thread_name_prefix="jixiao-postings") as pool:
            postings = pool.submit(self._tables)
            self.bands.freeze()
            postings.result()

    def _tables(self) -> "_Tables":
        """The postings and sentence owners of every indexed report, built when first searched
        after reports were added."""
        if self._postings is None:
            self._postings = _Tables(self.entries)
        return self._postings

    def distinct_clauses(self) -> int:
        return len(self._tables().keys)

    def save(self, path: str | Path) -> None:
        """Write the index as data: magic line, header length, JSON header, raw little-endian arrays.
        The LSH tables are not written: they are rebuilt from the saved signatures on load."""
        entries = self.entries
        clause_rows = np.concatenate([np.zeros((0, 3), dtype=np.int64)] + [e.clauses for e in entries]).astype("<i8")
        hashes = np.concatenate([np.zeros(0, dtype=np.uint64)] + [e.hashes for e in entries]).astype("<u8")
        self.bands.freeze()
        arrays = {"clauses": clause_rows, "hashes": hashes, "signatures": self.bands.sigs.astype("<u8")}
        meta = {"format": "jixiao-reuse-index", "version": FORMAT_VERSION, "num_perm": NUM_PERM, "shingle": SHINGLE,
                "threshold": THRESHOLD,
                "reports": [{"key": e.key, "name": e.name, "path": e.path, "town": e.town, "year": e.year,
                             "clauses": len(e.clauses), "sentences": [list(s) for s in e.sentences]} for e in entries],
                "places": sorted([county, sorted(names)] for county, names in self.places.items()
                                 if county is not None) + ([[None, sorted(self.places[None])]] if None in self.places else [])}
        blobs, offset, layout = [], 0, {}
        for name, array in arrays.items():
            data = np.ascontiguousarray(array).tobytes()
            layout[name] = {"dtype": array.dtype.str, "shape": list(array.shape), "offset": offset, "nbytes": len(data)}
            blobs.append(data)
            offset += len(data)
        meta["arrays"] = layout
        header = json.dumps(meta, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
        _write_atomic(Path(path), [INDEX_MAGIC, struct.pack("<Q", len(header)), header, *blobs])

    @classmethod
    def load(cls, path: str | Path) -> "ReuseIndex":
        """Read a saved index; anything else (an older version, a pickle, a crafted or damaged file)
        is refused with a one-line JixiaoError — nothing in the file is ever executed."""
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            raise JixiaoError(f"{path}: reuse index not found") from None
        except OSError as exc:
            raise JixiaoError(f"{path}: cannot read the reuse index ({exc.strerror or type(exc).__name__})") from None
        if data[:1] == b"\x80":
            raise JixiaoError(f"{path}: an old reuse index (pickle, format 2) is not loaded, as pickle can run code; "
                              f"rebuild it with `jixiao index build`")
        if not data.startswith(INDEX_MAGIC):
            raise JixiaoError(f"{path}: not a readable reuse index (not a jixiao index file)")
        try:
            with _no_gc():
                return cls._from_bytes(data, path)
        except JixiaoError:
            raise
        except Exception as exc:  # noqa: BLE001 — a damaged or crafted file
            raise JixiaoError(f"{path}: not a readable reuse index ({type(exc).__name__})") from None

    @classmethod
    def _from_bytes(cls, data: bytes, path) -> "ReuseIndex":
        start = len(INDEX_MAGIC)
        (size,) = struct.unpack_from("<Q", data, start)
        body = start + 8 + size
        if body > len(data):
            raise ValueError("header beyond the end of the file")
        meta = json.loads(data[start + 8:body].decode("utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != "jixiao-reuse-index":
            raise ValueError("no format")
        if meta.get("version") != FORMAT_VERSION or meta.get("num_perm") != NUM_PERM or meta.get("shingle") != SHINGLE:
            raise JixiaoError(f"{path}: reuse index of format version {str(meta.get('version'))[:10]}, this jixiao "
                              f"reads version {FORMAT_VERSION}; rebuild it with `jixiao index build`")
        arrays = {}
        for name, dtype, width in (("clauses", "<i8", 3), ("hashes", "<u8", None), ("signatures", "<u8", NUM_PERM)):
            spec = meta["arrays"][name]
            shape = tuple(int(x) for x in spec["shape"])
            lo, n = body + int(spec["offset"]), int(spec["nbytes"])
            if spec["dtype"] != dtype or lo < body or n != 8 * int(np.prod(shape)) or lo + n > len(data) \
                    or len(shape) != (1 if width is None else 2) or (width is not None and shape[1] != width):
                raise ValueError(f"array {name} does not fit the file")
            arrays[name] = np.frombuffer(data, dtype=dtype, count=n // 8, offset=lo).reshape(shape)
        rows, hashes = arrays["clauses"].astype(np.int64), arrays["hashes"].astype(np.uint64)
        if len(rows) != len(hashes) or (len(rows) and not ((0 <= rows[:, 0]) & (rows[:, 0] <= rows[:, 1])
                                                           & (rows[:, 2] >= 0)).all()):
            raise ValueError("clauses do not fit")
        index = cls()
        index.places = {(None if county is None else str(county)): frozenset(str(n) for n in names)
                        for county, names in meta["places"]}
        at = sentences_total = 0
        for r in meta["reports"]:
            n = int(r["clauses"])
            if n < 0 or at + n > len(rows):
                raise ValueError("clauses do not fit")
            key = str(r["key"])
            if key in index.reports:
                raise ValueError("duplicate reports")
            sentences = [(int(a), int(b), str(t)) for a, b, t in r["sentences"]]
            sentences_total += len(sentences)
            year = r["year"]
            index._add_entry(IndexedReport(key, str(r["name"]), str(r["path"]),
                                           None if r["town"] is None else str(r["town"]),
                                           None if year is None else int(year), rows[at:at + n], hashes[at:at + n],
                                           sentences))
            at += n
        if at != len(rows) or sentences_total != len(arrays["signatures"]):
            raise ValueError("arrays do not match the reports")
        sigs = arrays["signatures"]
        if len(sigs) and int(sigs.max()) >> 32:
            raise ValueError("signatures beyond 32 bits")
        index.bands.add(sigs.astype(np.uint32))
        return index

    def reuse(self, report: Report) -> list[Reuse]:
        """Passages of `report` found in other indexed reports, merged into maximal runs."""
        return self._unpack(self._search_many([report])[0])

    def _search_many(self, reports: list[Report]) -> list[list[tuple]]:
        """reuse() of each report, its runs as tuples (see _unpack): what a worker sends back. The
        index is read for all the reports at once (one sorted lookup of all their clauses, one LSH
        query of all their sentences), not report by report."""
        searched, hashes, owners = [], [], []
        for report in reports:
            own_key = report_key(report)
            entry = self.reports.get(own_key)
            own = -1 if entry is None else entry.number
            stored = self._stored(report, own_key)
            if stored is not None:  # an indexed report, keyed the same way: its keys are known already
                rows, report_hashes = stored.clauses, stored.hashes
            else:
                spans, codes, lengths = clause_codes(report, places=self.places_of(report))
                rows, report_hashes = np.column_stack([spans, lengths]), code_hashes(codes, lengths)
            searched.append((report, own, stored, [tuple(row) for row in rows.tolist()]))
            hashes.append(report_hashes)
            owners.append(np.full(len(report_hashes), own, dtype=np.int64))
        found = self._tables().sources(np.concatenate([np.zeros(0, np.uint64)] + hashes),
                                       np.concatenate([np.zeros(0, np.int64)] + owners))
        bounds = np.cumsum([0] + [len(h) for h in hashes]).tolist()
        matched = [found[lo:hi] for lo, hi in zip(bounds, bounds[1:])]
        common = [[len(sources) >= MAX_SOURCES for sources in m] for m in matched]
        self._near(searched, matched, common)
        return [self._runs(report, units, m, c) for (report, _, _, units), m, c in zip(searched, matched, common)]

    def _stored(self, report: Report, own: str) -> IndexedReport | None:
        """The index's entry for this report when its keys would come out the same now: the same
        text and place names, and no town added to its county since that occurs in its text."""
        entry = self.reports.get(own)
        if entry is None or entry.masking is None:
            return None
        meta, places = entry.masking
        now = _masking(report, self.places_of(report))
        if now[0] != meta:
            return None
        if now[1] != places and any(self._fold(n) in report.folded for n in now[1] - places):
            return None
        return entry

    def reuse_many(self, reports: list[Report], jobs: int = 1) -> list[list[Reuse]]:
        """reuse() of each report, in `jobs` forked processes: the index is only read, so the
        workers share it with this process (copy-on-write) and nothing is sent but the results.
        Gives exactly what reuse() gives one by one, in the same order. No garbage collection
        meanwhile (here nor in the workers, forked with it off): the search makes no lasting cycles,
        and each collection would visit every object of the reports searched."""
        with _no_gc():
            return self._reuse_many(reports, jobs)

    def _reuse_many(self, reports: list[Report], jobs: int) -> list[list[Reuse]]:
        jobs = max(1, min(jobs, len(reports)))
        step = max(1, min(SEARCH_STEP, len(reports) // (8 * jobs)))
        spans = [(lo, min(lo + step, len(reports))) for lo in range(0, len(reports), step)]
        if jobs == 1 or not _can_fork():
            return [self._unpack(runs) for lo, hi in spans for runs in self._search_many(reports[lo:hi])]
        self._prepare()  # before forking, so that no worker builds the band tables or postings again
        global _SHARED
        _SHARED = (self, reports)
        try:
            with _frozen(), mp.get_context("fork").Pool(jobs) as pool:
                # unpacked while the workers search the next reports (imap keeps the order)
                return [self._unpack(runs) for part in pool.imap(_reuse_range, spans) for runs in part]
        finally:
            _SHARED = None

    def _unpack(self, packed: list[tuple]) -> list[Reuse]:
        """Runs from tuples of numbers and strings, (start, end, chars, reports sharing, kind,
        ((report number, start, end), …)): made once, where they are used (pickling dataclasses
        from a worker, a class reference and a dict per object, cost as much as the search)."""
        entries = self.entries
        out = []
        for start, end, chars, sharing, kind, sources in packed:
            spans = []
            for number, a, b in sources:
                e = entries[number]
                spans.append(SourceSpan(e.key, e.name, e.town, e.year, a, b))
            out.append(Reuse(start, end, chars, spans, sharing, kind))
        return out

    def _near(self, searched: list[tuple], matched: list[list[dict]], common: list[list[bool]]) -> None:
        """Sentences copied with small edits: LSH candidates, verified, mark the sentence's clauses
        (of each searched report: (report, own number, stored entry, clause rows)).

        Sentences already matched exactly are skipped; a sentence with more candidates than
        MAX_SOURCES is a stock phrase and is not verified candidate by candidate.
        """
        crowded, todo, sigs = self._crowded, [], []
        for r, (report, own, stored, units) in enumerate(searched):
            if stored is not None:
                sentences = [Passage(start, end, "", masked, -1, -1) for start, end, masked in stored.sentences]
            else:
                sentences = passages(report, MIN_CHARS, self.places_of(report))
            starts = [c[0] for c in units]
            here, flags = matched[r], common[r]
            mine = []
            for j, p in enumerate(sentences):
                lo, hi = bisect_left(starts, p.start), bisect_left(starts, p.end)
                if lo == hi or all(here[k] for k in range(lo, hi)):
                    continue
                if p.masked in crowded:
                    for k in range(lo, hi):
                        flags[k] = True
                    continue
                mine.append((j, p.masked, range(lo, hi)))
            sigs.append(self._signatures(own, sentences, [j for j, _, _ in mine]))
            todo += [(r, own, masked, ks) for _, masked, ks in mine]
        tables, entries = self._tables(), self.entries
        candidates = self.bands.query(np.concatenate([np.zeros((0, NUM_PERM), np.uint32)] + sigs), limit=MAX_CANDIDATES)
        for (r, own, masked, ks), ids in zip(todo, candidates):
            if ids is None:  # a crowded bucket: a sentence of the genre, not a copy
                crowded.add(masked)
                for k in ks:
                    common[r][k] = True
                continue
            owners = tables.sentence_report[ids]
            local = ids - tables.first_sentence[owners]
            # in the order of "report key:sentence number" strings, as the sources were always tried
            others = sorted((f"{entries[o].key}:{i}", o, i) for o, i in zip(owners.tolist(), local.tolist()) if o != own)
            if len({o for _, o, _ in others}) >= MAX_SOURCES:
                for k in ks:
                    common[r][k] = True
                continue
            here = matched[r]
            for _, o, i in others:
                start, end, other = entries[o].sentences[i]
                if not _same(masked, other):
                    continue
                for k in ks:
                    if o not in here[k] and len(here[k]) < MAX_SOURCES:
                        here[k][o] = (start, end)

    def _signatures(self, own: int, sentences, which: list[int]) -> np.ndarray:
        """Signatures of sentences[j] for j in which: those saved in the index when the report is
        indexed with the same sentence keys, else computed."""
        entry = self.entries[own] if own >= 0 else None
        if entry is not None and len(entry.sentences) == len(sentences) \
                and all(s[2] == p.masked for s, p in zip(entry.sentences, sentences)):
            self.bands.freeze()
            return self.bands.sigs[int(self._tables().first_sentence[own]) + np.asarray(which, dtype=np.int64)]
        return signatures([sentences[j].masked for j in which])

    def _runs(self, report: Report, units, matched, common) -> list[tuple]:
        """Consecutive clauses found in the same other reports, merged into runs (packed, see
        _unpack). A run's sources are the reports all its clauses share, each with its span: from
        its start in the run's first clause to its furthest end; while the run grows only the set of
        its sources is kept. Runs from the same sources separated by a little changed text (updated
        wording) are then joined, and runs shorter than MIN_RUN dropped."""
        gap = normalised_lengths(report)
        partial: list[list] = []    # [start, end, chars, first clause's sources, all clauses' sources, set, common]
        current: list | None = None
        for (start, end, chars), found, is_common in zip(units, matched, common):
            if current is not None and found:
                keys = current[5]
                if not keys.isdisjoint(found) and not gap(current[1], start):
                    current[1] = end
                    current[2] += chars
                    if not found.keys() >= keys:
                        current[5] = found.keys() & keys
                    current[4].append(found)
                    current[6] = current[6] or is_common
                    continue
            if current is not None:
                partial.append(current)
            current = [start, end, chars, found, [found], set(found), is_common] if found else None
        if current is not None:
            partial.append(current)
        rank = self._tables().rank
        by_rank = lambda span: rank[span[0]]
        joined: list[list] = []     # [start, end, chars, spans [[number, start, end], …] in rank order, set, common]
        for start, end, chars, first, founds, keys, is_common in partial:
            if len(founds) == 1:
                spans = [[k, a, b] for k, (a, b) in first.items()]
            else:
                ends = {k: first[k][1] for k in keys}
                seen = first
                for found in founds:
                    if found is not seen:   # a crowded clause's sources are one shared dict
                        seen = found
                        for k, furthest in ends.items():
                            if found[k][1] > furthest:
                                ends[k] = found[k][1]
                spans = [[k, first[k][0], ends[k]] for k in first if k in keys]
            spans.sort(key=by_rank)
            prev = joined[-1] if joined else None
            if prev is not None and prev[4] == keys and gap(prev[1], start) <= MAX_GAP:
                prev[1] = end
                prev[2] += chars
                for a, b in zip(prev[3], spans):
                    a[2] = max(a[2], b[2])
                prev[5] = prev[5] or is_common
                continue
            joined.append([start, end, chars, spans, keys, is_common])
        entries, town = self.entries, report.meta.town
        corpus = len(self.reports) + (0 if report_key(report) in self.reports else 1)
        out = []
        for start, end, chars, spans, _, is_common in joined:
            if chars < MIN_RUN:
                continue
            sharing = 1 + len(spans)
            if is_common or (sharing >= STOCK_MIN_REPORTS and sharing >= STOCK_MIN_SHARE * corpus):
                kind = "stock"
            elif town and all(entries[k].town == town for k, _, _ in spans):
                kind = "own-years"
            else:
                kind = "copied"
            out.append((start, end, chars, sharing, kind, tuple(map(tuple, spans))))
        return out


class _Tables:
    """Postings and sentence owners of the indexed reports as numpy arrays, built by sorting: for
    each distinct clause hash, the reports holding it (a report's first occurrence only: the search
    uses no other) in the order they were indexed, with the clause's span in each. Forked workers
    read them without touching a Python object per clause (nothing copied page by page), and the
    search of one report costs the same however many reports hold its clauses."""

    def __init__(self, entries: list[IndexedReport]):
        self._shared: dict = {}  # a crowded clause's sources, made once per process and shared by its searches
        counts = np.fromiter((len(e.hashes) for e in entries), dtype=np.int64, count=len(entries))
        hashes = np.concatenate([np.zeros(0, dtype=np.uint64)] + [e.hashes for e in entries])
        rows = np.concatenate([np.zeros((0, 3), dtype=np.int64)] + [e.clauses for e in entries])
        report = np.repeat(np.arange(len(entries), dtype=np.int64), counts)
        order = np.argsort(hashes, kind="stable")
        h, r = hashes[order], report[order]
        first = np.ones(len(h), dtype=bool)
        first[1:] = (h[1:] != h[:-1]) | (r[1:] != r[:-1])
        order, h = order[first], h[first]
        heads = np.flatnonzero(np.r_[True, h[1:] != h[:-1]]) if len(h) else np.zeros(0, dtype=np.int64)
        self.keys = h[heads]                                    # distinct clause hashes, sorted
        self.bounds = np.r_[heads, len(h)].astype(np.int64)     # postings of keys[g]: bounds[g]:bounds[g + 1]
        self.report = report[order]
        self.start, self.end = rows[order, 0], rows[order, 1]
        sentences = np.fromiter((len(e.sentences) for e in entries), dtype=np.int64, count=len(entries))
        self.first_sentence = np.cumsum(sentences) - sentences  # report number -> its first sentence's id
        self.sentence_report = np.repeat(np.arange(len(entries), dtype=np.int64), sentences)
        order = sorted(range(len(entries)), key=lambda k: (entries[k].name, entries[k].key))
        self.rank = [0] * len(entries)                          # report number -> place in sources' order
        for place, k in enumerate(order):
            self.rank[k] = place

    def sources(self, hashes: np.ndarray, own: np.ndarray) -> list[dict[int, tuple[int, int]]]:
        """For each clause hash, the first MAX_SOURCES other reports holding it (report number ->
        the clause's span there), in the order they were indexed: at most MAX_SOURCES + 1 postings
        read per clause, however many reports hold it.

        `own`: for each hash, the number of the report searched (-1: not indexed), never its own source.
        A clause held by more than MAX_SOURCES reports, `own` not among the first MAX_SOURCES, gets
        the same dict for every report searched: made once per process and shared (the search adds
        sources only to dicts holding fewer than MAX_SOURCES, so a shared one is never changed)."""
        n, width = len(hashes), MAX_SOURCES + 1
        if not n or not len(self.keys):
            return [{} for _ in range(n)]
        g = np.minimum(_sorted_search(self.keys, hashes), len(self.keys) - 1)
        lo = self.bounds[g]
        size = np.where(self.keys[g] == hashes, self.bounds[g + 1] - lo, 0)
        cols = np.arange(width)
        at = np.minimum(lo[:, None] + cols, len(self.report) - 1)
        report = self.report[at]
        mine = report == own[:, None]
        full = (size > MAX_SOURCES) & ~mine[:, :MAX_SOURCES].any(axis=1)
        keep = (cols < size[:, None]) & ~mine & ~full[:, None]
        keep &= np.cumsum(keep, axis=1) <= MAX_SOURCES
        rows, cols = np.nonzero(keep)
        at = at[rows, cols]
        reports, spans = report[rows, cols].tolist(), list(zip(self.start[at].tolist(), self.end[at].tolist()))
        bounds = np.searchsorted(rows, np.arange(n + 1)).tolist()
        out = [dict(zip(reports[lo:hi], spans[lo:hi])) if hi > lo else {} for lo, hi in zip(bounds, bounds[1:])]
        shared = self._shared
        for q, group in zip(np.flatnonzero(full).tolist(), g[full].tolist()):
            found = shared.get(group)
            if found is None:
                first = np.arange(self.bounds[group], self.bounds[group] + MAX_SOURCES)
                found = shared[group] = dict(zip(self.report[first].tolist(),
                                                 zip(self.start[first].tolist(), self.end[first].tolist())))
            out[q] = found
        return out


def _sorted_search(keys: np.ndarray, needles: np.ndarray, side: str = "left") -> np.ndarray:
    """np.searchsorted(keys, needles, side), the needles sorted first: numpy then starts each
    binary search from the last one's place, so a large index is read in order, not at random."""
    order = np.argsort(needles, kind="stable")
    out = np.empty(len(needles), dtype=np.int64)
    out[order] = np.searchsorted(keys, needles[order], side)
    return out


_SHARED: "tuple[ReuseIndex, list[Report]] | None" = None  # what reuse_many's forked workers read


@contextmanager
def _frozen():
    """Objects that exist at the fork are left out of the workers' garbage collections: a
    collection would visit (and so copy, page by page) the whole inherited index in each worker."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def _no_gc():
    """No garbage collection while the index grows: it only adds objects that live as long as the
    index (no cycles to free), and each full collection would visit all of them again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _can_fork() -> bool:
    """A pool needs fork (the workers share the index) and a process allowed children (not a
    daemonic worker of another pool); otherwise the work runs here, with the same results."""
    return "fork" in mp.get_all_start_methods() and not mp.current_process().daemon


def _masking(report: Report, places: frozenset[str]) -> tuple:
    """What a report's keys depend on besides its text: its place names and its county's."""
    m = report.meta
    return (m.unit, m.town, m.county, m.city), places


_WORKER_SIGNATURES: dict[str, np.ndarray] = {}  # a keying worker's sentence signatures (empty in the parent)


def _keyed_at(span: tuple[int, int]) -> list[tuple[np.ndarray, np.ndarray, list, np.ndarray]]:
    index, reports = _SHARED
    return index._keyed_range(reports[span[0]:span[1]], _WORKER_SIGNATURES)


def _reuse_range(span: tuple[int, int]) -> list[list[tuple]]:
    index, reports = _SHARED
    return index._search_many(reports[span[0]:span[1]])


def shared_with(report: Report, reuses: list[Reuse]) -> dict[str, float]:
    """For each other report, the share of this report's text found in it."""
    from .passages import normalise
    total = len(normalise(report.text)) or 1
    per: dict[str, int] = {}
    for r in reuses:
        if r.kind == "stock":
            continue
        for s in r.sources:
            per[s.report] = per.get(s.report, 0) + r.chars
    return {k: v / total for k, v in per.items()}


def _same(a: str, b: str) -> bool:
    """Verify a candidate: the sentences agree exactly, or differ only in a small part."""
    if a == b:
        return True
    sm = SequenceMatcher(None, a, b, autojunk=False)
    matched = sum(block.size for block in sm.get_matching_blocks() if block.size >= 4)
    return matched >= 0.8 * max(len(a), len(b))


@dataclass
class ReportEntry:
    """What a finding needs to name another report."""

    key: str
    name: str
    town: str | None
    year: int | None


@dataclass
class ReuseSnapshot:
    """One report's reuse, computed once by the batch from the full index, for its town's notebook:
    loading this is cheap where loading an index of thousands of reports is not."""

    key: str
    runs: list[Reuse]
    reports: dict[str, ReportEntry]     # the reports its runs name
    towns: list[str]                    # town names of the corpus found in this report's text
    size: int                           # reports in the index

    def __len__(self) -> int:
        return self.size

    def reuse(self, report: Report) -> list[Reuse]:
        if report_key(report) != self.key:
            raise JixiaoError(f"{report.path}: the saved reuse results are for another report")
        return self.runs

    def known_towns(self) -> set[str]:
        return set(self.towns)

    def save(self, path: str | Path) -> None:
        """JSON with a format name and version: data only, readable by any tool."""
        data = {"format": SNAPSHOT_FORMAT, "version": SNAPSHOT_VERSION, "key": self.key, "size": self.size,
                "towns": list(self.towns), "reports": {k: asdict(v) for k, v in sorted(self.reports.items())},
                "runs": [asdict(r) for r in self.runs]}
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
        _write_atomic(Path(path), [text.encode("utf-8")])

    @classmethod
    def load(cls, path: str | Path) -> "ReuseSnapshot":
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            raise JixiaoError(f"{path}: cannot read the reuse results ({exc.strerror or type(exc).__name__})") from None
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
                raise ValueError("no format")
        except Exception as exc:  # noqa: BLE001
            raise JixiaoError(f"{path}: not readable reuse results ({type(exc).__name__})") from None
        if data.get("version") != SNAPSHOT_VERSION:
            raise JixiaoError(f"{path}: reuse results of format version {str(data.get('version'))[:10]}, this jixiao "
                              f"reads version {SNAPSHOT_VERSION}; run the batch again")
        try:
            runs = [Reuse(int(r["start"]), int(r["end"]), int(r["chars"]),
                          [SourceSpan(str(s["report"]), str(s["name"]), _opt_str(s["town"]), _opt_int(s["year"]),
                                      int(s["start"]), int(s["end"])) for s in r["sources"]],
                          int(r["reports_sharing"]), str(r["kind"])) for r in data["runs"]]
            reports = {str(k): ReportEntry(str(v["key"]), str(v["name"]), _opt_str(v["town"]), _opt_int(v["year"]))
                       for k, v in data["reports"].items()}
            return cls(str(data["key"]), runs, reports, [str(t) for t in data["towns"]], int(data["size"]))
        except Exception as exc:  # noqa: BLE001
            raise JixiaoError(f"{path}: not readable reuse results ({type(exc).__name__})") from None


def _opt_str(v) -> str | None:
    return None if v is None else str(v)


def _opt_int(v) -> int | None:
    return None if v is None else int(v)


def _write_atomic(path: Path, parts: list[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            for part in parts:
                fh.write(part)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_reuse(path: str | Path) -> "ReuseIndex | ReuseSnapshot":
    """A saved index (`jixiao index build`) or one report's saved reuse results (the batch's), told
    apart by the file's first bytes, not its name."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(INDEX_MAGIC))
    except OSError:
        head = b""
    return ReuseSnapshot.load(path) if head.lstrip()[:1] == b"{" else ReuseIndex.load(path)


def snapshot(index: ReuseIndex, report: Report) -> ReuseSnapshot:
    runs = index.reuse(report)
    named = {s.report for r in runs for s in r.sources}
    towns = sorted({e.town for e in index.reports.values() if e.town and e.town in report.text})
    return ReuseSnapshot(report_key(report), runs,
                         {k: ReportEntry(k, index.reports[k].name, index.reports[k].town, index.reports[k].year)
                          for k in sorted(named)}, towns, len(index))


def build_index(reports: list[Report], index: ReuseIndex | None = None) -> ReuseIndex:
    index = index or ReuseIndex()
    index.add_many(reports)
    return index


_FIGURE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])")
_YEARLIKE = re.compile(r"(?:19|20)\d\d(?=年|$)")
_NAME = re.compile(r"(?<![全各每本该个两三四五六七八九十])[^\W\d_一二三四五六七八九十两几各全每本该个]{2}村(?![级委民集干组])")
_GENERIC_VILLAGE = {"行政村", "自然村", "贫困村", "建制村", "示范村", "重点村", "出列村", "脱贫村", "试点村", "中心村",
                    "空心村", "美丽村", "农村", "乡村", "城村", "新村", "各村", "全村", "该村", "本村", "到村", "驻村",
                    "进村", "在村", "个村", "镇村", "乡村", "县村", "区村"}
_CODE = re.compile(r"\[\d+\]|〔\d+〕|\d+号")
_LABEL = re.compile(r"[^\s:：,，。;；|]{1,10}[:：]")


def _figures(text: str) -> set[str]:
    """The figures of a passage that say something specific: amounts, counts, rates (not years)."""
    out = set()
    folded = _CODE.sub(lambda m: " " * len(m.group(0)), fold(text))  # codes and document numbers
    for m in _FIGURE.finditer(folded):
        token = m.group(0)
        if _YEARLIKE.match(folded, m.start()) or len(token) < 2 or token in ("100", "100.0", "100.00"):
            continue  # years, list numbers and 100% say nothing specific
        out.add(token.rstrip("0").rstrip(".") if "." in token else token)
    return out


def _names(text: str) -> set[str]:
    return {m.group(0) for m in _NAME.finditer(text) if m.group(0)[-3:] not in _GENERIC_VILLAGE
            and m.group(0)[-2:] not in _GENERIC_VILLAGE}


def copy_evidence(here: str, there: str | None) -> tuple[str, str]:
    """What a passage shared with another report shares: ("specifics", what) when figures or names
    recur with it (a copy); else the genre's stock: ("labels", what) a form's field labels,
    ("differing", what) a sentence pattern filled in with other figures, ("generic", what) wording
    that names nothing and states no figure.

    `there` is the other report's passage, None when that report is not at hand (a saved index)."""
    from .passages import normalise

    if len(normalise(_LABEL.sub("", here))) < MIN_RUN:
        return "labels", "共有的只是表格栏目名称（单位名称、联系人、填报日期等），属表格格式"
    figs, names = _figures(here), _names(here)
    if there is None:
        if figs or names:
            listed = "、".join(sorted(names)[:3] + sorted(figs)[:4])
            return "specifics", f"含具体内容（{listed}）"
        return "generic", "不含具体数字或名称，属通用表述"
    same_figs = figs & _figures(there)
    same_names = names & _names(there)
    if same_figs or same_names:
        listed = "、".join(sorted(same_names)[:3] + sorted(same_figs, key=lambda x: (len(x), x))[:5])
        return "specifics", f"连具体内容也相同（{listed}）"
    if figs:
        return "differing", "句式相同而数字各不相同，属本类报告的通用模板"
    return "generic", "不含具体数字或名称，属通用表述"


def copy_segments(report: Report, start: int, end: int, there: str | None) -> list[tuple[int, int, str, str]]:
    """A reused run cut into (start, end, how, what) pieces: how is "specifics" (copied with its
    figures or names) or "template". Sentences with other figures and form labels are template;
    the generic sentences between them go with a neighbouring copied sentence if there is one."""
    bounds = sorted({start, end} | {s.start for s in report.sentences if start < s.start < end}
                    | {p.start for p in report.paragraphs if start < p.start < end})
    pieces = []
    for lo, hi in zip(bounds, bounds[1:]):
        if report.text[lo:hi].strip():
            pieces.append((lo, hi, *copy_evidence(report.text[lo:hi], there)))
    groups: list[list[tuple[int, int, str, str]]] = []
    for piece in pieces:
        stock = piece[2] in ("labels", "differing")
        if groups and (groups[-1][-1][2] in ("labels", "differing")) == stock:
            groups[-1].append(piece)
        else:
            groups.append([piece])
    result = []
    for group in groups:
        lo, hi = group[0][0], group[-1][1]
        text = report.text[lo:hi]
        lo += len(text) - len(text.lstrip())
        hi -= len(text) - len(text.rstrip())
        copied = [p for p in group if p[2] == "specifics"]
        if copied:
            what = copied[0][3]
            for p in copied[1:]:
                what = _merge_listed(what, p[3])
            result.append((lo, hi, "specifics", what))
        else:
            kinds = {p[2] for p in group}
            what = next(p[3] for p in group if p[2] == ("differing" if "differing" in kinds else group[0][2]))
            result.append((lo, hi, "template", what))
    return result


def _merge_listed(a: str, b: str) -> str:
    """Two "连具体内容也相同（x、y）" messages as one list."""
    inner = lambda s: s[s.find("（") + 1:s.rfind("）")].split("、") if "（" in s else []
    items = list(dict.fromkeys(inner(a) + inner(b)))[:8]
    head = a[:a.find("（")] if "（" in a else a
    return f"{head}（{'、'.join(items)}）"
