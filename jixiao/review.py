"""The auditor's review round trip: 复核结论 (确认 / 误报 / 待核) filled in the workbook, stored as JSON
keyed by a fingerprint of each finding, shown by the next batch, and carried to next year's reports.

The fingerprint must survive a re-run and small edits elsewhere in the report, so it holds no
offsets: the town, the rule, the finding's evidence (whitespace removed, full-width folded) and a
few characters of context either side with digits masked (so that the context of next year's
report, whose figures changed, still matches; the evidence keeps its digits, so a wrong figure
that changed is a new finding).
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from .errors import JixiaoError
from .read.textnorm import fold

DECISIONS = ("确认", "误报", "待核")
FALSE_POSITIVE = "误报"
CONTEXT = 8
STORE_VERSION = 1
ISSUES_SHEET = "问题清单"            # the workbook sheet and the columns the round trip reads back
REVIEW_HEADER, FINGERPRINT_HEADER = "复核结论", "指纹"
_DIGITS = re.compile(r"[0-9０-９零〇一二两三四五六七八九十百千]")


def _norm(text: str) -> str:
    return "".join(fold(text).split())


def fingerprint(text: str, rule: str, start: int, end: int, town: str | None = None) -> str:
    """A key for one finding that does not depend on where in the report it stands."""
    before = _DIGITS.sub("#", _norm(text[max(0, start - 4 * CONTEXT):start]))[-CONTEXT:]
    after = _DIGITS.sub("#", _norm(text[end:end + 4 * CONTEXT]))[:CONTEXT]
    key = "\x1f".join((_norm(town or ""), rule, _norm(text[start:end]), before, after))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]


def load_store(path: str | Path | None) -> dict[str, dict]:
    """fingerprint → {"decision", "rule", "town", "year", "evidence"}; empty when there is no store."""
    if not path or not Path(path).is_file():
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise JixiaoError(f"{path}: not a review store ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("decisions"), dict):
        raise JixiaoError(f"{path}: not a review store (no 'decisions')")
    return data["decisions"]


def save_store(path: str | Path, decisions: dict[str, dict]) -> None:
    from .files import write_atomic

    data = {"version": STORE_VERSION, "decisions": dict(sorted(decisions.items()))}
    write_atomic(path, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def decisions(store: dict[str, dict]) -> dict[str, str]:
    return {fp: entry["decision"] for fp, entry in store.items() if entry.get("decision") in DECISIONS}


def import_workbook(workbook: str | Path, store_path: str | Path) -> tuple[int, int, list[str]]:
    """Read 复核结论 from the workbook's 问题清单 sheet into the store. A blank cell removes an earlier
    decision. Returns (decisions stored, decisions removed, problems — one line per bad row)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(workbook, read_only=True, data_only=True)
    except Exception as exc:
        raise JixiaoError(f"{workbook}: cannot read the workbook ({type(exc).__name__}: {exc})") from None
    if ISSUES_SHEET not in book.sheetnames:
        raise JixiaoError(f"{workbook}: no sheet {ISSUES_SHEET} (is it a workbook written by jixiao batch?)")
    rows = book[ISSUES_SHEET].iter_rows(values_only=True)
    header, number = [], 0
    for number, row in enumerate(rows, start=1):  # the header row, below the title row(s)
        header = [str(c or "").strip() for c in row]
        if (REVIEW_HEADER in header and FINGERPRINT_HEADER in header) or number >= 5:
            break
    if REVIEW_HEADER not in header or FINGERPRINT_HEADER not in header:
        raise JixiaoError(f"{workbook}: sheet {ISSUES_SHEET} has no {REVIEW_HEADER} or {FINGERPRINT_HEADER} column")
    col_review, col_fp = header.index(REVIEW_HEADER), header.index(FINGERPRINT_HEADER)
    named = {h: header.index(h) for h in ("乡镇/单位", "年度", "问题类型", "原文摘录") if h in header}
    store = load_store(store_path)
    stored = removed = 0
    problems = []
    for number, row in enumerate(rows, start=number + 1):
        fp = str(row[col_fp] or "").strip() if col_fp < len(row) else ""
        value = str(row[col_review] or "").strip() if col_review < len(row) else ""
        if not fp:
            continue
        if not value:
            removed += store.pop(fp, None) is not None
            continue
        if value not in DECISIONS:
            problems.append(f"{workbook}: row {number}: {REVIEW_HEADER} {value!r} is not one of {'/'.join(DECISIONS)}")
            continue
        get = {h: (row[k] if k < len(row) else None) for h, k in named.items()}
        store[fp] = {"decision": value, "town": get.get("乡镇/单位"), "year": get.get("年度"),
                     "rule": get.get("问题类型"), "evidence": str(get.get("原文摘录") or "")[:200]}
        stored += 1
    book.close()
    save_store(store_path, store)
    return stored, removed, problems
