"""Score findings against an expected-findings file (the format of seed_expected.json).

The semantics are those of ../shared/tools/score_findings.py; the difference is that report text
is read with jixiao's own ingest, so expected files can cover .docx, .pdf and GB18030 reports.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from ..read.ingest import read_text


@dataclass
class Score:
    found: int = 0
    total: int = 0
    violations: int = 0
    broken: int = 0
    lines: list[str] = field(default_factory=list)
    misses: list[dict] = field(default_factory=list)
    false_positives: list[dict] = field(default_factory=list)
    meta_errors: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.total if self.total else 1.0


def _rules(entry) -> set[str]:
    r = entry["rule"]
    return set(r) if isinstance(r, list) else {r}


def _matching(findings, entry, text) -> list[dict]:
    cands = [f for f in findings if f.get("rule") in _rules(entry)]
    if entry.get("quote") is None:
        return cands
    spans = [(m.start(), m.end()) for m in re.finditer(re.escape(entry["quote"]), text)]
    if not spans:
        raise ValueError(f"expected quote not in source text: {entry['quote']!r}")
    return [f for f in cands if any(f["start"] < e and s < f["end"] for s, e in spans)]


def score(expected: list[dict], result: dict, reports_dir: str | None = None,
          rules: set[str] | None = None) -> Score:
    """Recall over must_find and violations over must_not_find; `rules` limits both to some rules."""
    by_name = {os.path.basename(r["path"]): r for r in result.get("reports", [])}
    sc = Score()
    for exp in expected:
        name = exp["file"]
        must_find = [e for e in exp.get("must_find", []) if rules is None or _rules(e) & rules]
        must_not = [e for e in exp.get("must_not_find", []) if rules is None or _rules(e) & rules]
        rep = by_name.get(name)
        if rep is None:
            sc.total += len(must_find)
            sc.lines.append(f"{name}: MISSING from findings")
            continue
        text = read_text(os.path.join(reports_dir, name) if reports_dir else rep["path"])
        findings = rep.get("findings", [])
        for f in findings:
            if text[f["start"]:f["end"]] != f.get("evidence"):
                sc.broken += 1
        for entry in must_find:
            sc.total += 1
            if _matching(findings, entry, text):
                sc.found += 1
            else:
                sc.misses.append({"file": name, **entry})
                sc.lines.append(f"  MISS {name} {'/'.join(sorted(_rules(entry)))} {entry.get('quote')!r:.50}")
        for entry in must_not:
            hit = _matching(findings, entry, text)
            if hit:
                sc.violations += 1
                sc.false_positives.append({"file": name, **entry, "message": hit[0].get("message", "")})
                sc.lines.append(f"  FALSE {name} {'/'.join(sorted(_rules(entry)))} {entry['quote']!r:.50}")
        for k, v in (exp.get("meta") or {}).items():
            got = (rep.get("meta") or {}).get(k)
            if got != v:
                sc.meta_errors.append(f"{name} {k}: expected {v!r}, got {got!r}")
                sc.lines.append(f"  META {name} {k}: expected {v!r}, got {got!r}")
    return sc
