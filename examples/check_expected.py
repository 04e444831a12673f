#!/usr/bin/env python3
"""Check examples/expected.json against the built reports in examples/reports/.

Every must_find / must_not_find quote must occur in jixiao.read.ingest.read_text(report);
every report must have an entry and every entry a report. Exits non-zero on any problem.

    python examples/check_expected.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

RULES = {f"A{i:02d}" for i in range(1, 11)} | {f"B{i:02d}" for i in range(1, 10)}


def _rules(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def main(argv: list[str]) -> int:
    from jixiao.read.ingest import read_text

    expected_path = Path(argv[0]) if argv else HERE / "expected.json"
    reports = HERE / "reports"
    entries = json.loads(expected_path.read_text(encoding="utf-8"))
    problems = 0
    seen = set()
    planted: dict[str, int] = {}
    for entry in entries:
        name = entry["file"]
        seen.add(name)
        path = reports / name
        if not path.exists():
            print(f"MISSING REPORT {name}")
            problems += 1
            continue
        text = read_text(path)
        for key in ("must_find", "must_not_find"):
            for item in entry.get(key, []):
                rules = _rules(item["rule"])
                bad = [r for r in rules if r not in RULES]
                if bad:
                    print(f"{name}: unknown rule {bad} in {key}")
                    problems += 1
                quote = item.get("quote")
                if not quote:
                    print(f"{name}: {key} {rules} has no quote")
                    problems += 1
                    continue
                n = text.count(quote)
                if n == 0:
                    print(f"{name}: {key} {rules} quote not found: {quote!r}")
                    problems += 1
                if key == "must_find":
                    for r in rules:
                        planted[r] = planted.get(r, 0) + 1
    for p in sorted(reports.iterdir()):
        if p.name not in seen:
            print(f"NO ENTRY for report {p.name}")
            problems += 1
    missing_rules = sorted(RULES - set(planted))
    if missing_rules:
        print(f"rules with no planted instance: {missing_rules}")
        problems += 1
    total_find = sum(len(e.get("must_find", [])) for e in entries)
    total_not = sum(len(e.get("must_not_find", [])) for e in entries)
    status = "OK" if not problems else f"{problems} PROBLEM(S)"
    print(f"check_expected: {len(entries)} reports, {total_find} must_find, {total_not} must_not_find, "
          f"all 19 rules planted: {not missing_rules} -> {status}")
    return problems


if __name__ == "__main__":
    sys.exit(1 if main(sys.argv[1:]) else 0)
