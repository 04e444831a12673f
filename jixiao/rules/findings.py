"""Findings and the JSON output contract (../shared/spec/checks.md §2)."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import NamedTuple

from ..errors import printable

SEVERITIES = ("high", "medium", "low", "info")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    message: str
    evidence: str
    start: int
    end: int

    def as_dict(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "message": self.message,
                "evidence": self.evidence, "start": self.start, "end": self.end}


def make_finding(text: str, rule: str, severity: str, start: int, end: int, message: str) -> Finding:
    """A finding whose evidence is exactly text[start:end], as the contract requires."""
    if severity not in SEVERITY_RANK:
        raise ValueError(f"unknown severity {severity!r}")
    if not 0 <= start < end <= len(text):
        raise ValueError(f"evidence span {start}-{end} outside the text (length {len(text)})")
    return Finding(rule, severity, message, text[start:end], start, end)


def sort_findings(findings) -> list[Finding]:
    """Deterministic order: by position, then rule, then message."""
    unique = {(f.rule, f.start, f.end, f.message): f for f in findings}
    return sorted(unique.values(), key=lambda f: (f.start, f.end, f.rule, f.message))


def dumps(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False, indent=1) + "\n"


def json_safe(value):
    """JSON-safe output: printable strings, and no Infinity/NaN (a figure of hundreds of digits is
    beyond a float; its value is then null, the text and offsets still say what was written)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


class Hit(NamedTuple):
    """What a B rule function yields: a span and its message; the registry adds the rule's id and,
    unless the rule grades this hit (`severity`), its default severity."""

    start: int
    end: int
    message: str
    severity: str | None = None
