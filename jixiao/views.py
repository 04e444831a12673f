"""HTML for notebooks and reviewer pages. Report text is data: every piece of it is escaped here
before it reaches IPython.display.HTML, a Styler or a page — nbconvert passes HTML through as is."""
from __future__ import annotations

from html import escape

import pandas as pd

from .findings import SEVERITY_RANK

SEVERITY_COLOURS = {"high": "#c62828", "medium": "#ef6c00", "low": "#f9a825", "info": "#607d8b"}
STYLE = """<style>
.jx-card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;margin:6px 0;font-size:14px;line-height:1.6}
.jx-card h4{margin:0 0 4px 0}
.jx-sev{color:#fff;border-radius:3px;padding:1px 6px;font-size:12px;margin-right:6px}
.jx-ctx{color:#444;background:#fafafa;padding:4px 8px;border-left:3px solid #bbb;white-space:pre-wrap}
.jx-ctx mark{background:#ffe082;padding:0 1px}
table.jx-table{border-collapse:collapse;font-size:13px}
table.jx-table td,table.jx-table th{border:1px solid #ddd;padding:3px 6px;vertical-align:top;text-align:left}
</style>"""


def text(value) -> str:
    """Any value as escaped HTML text."""
    return escape("" if value is None else str(value))


def badge(severity: str) -> str:
    colour = SEVERITY_COLOURS.get(severity, "#999")
    return f'<span class="jx-sev" style="background:{colour}">{text(severity)}</span>'


def in_context(source: str, start: int, end: int, width: int = 60) -> str:
    """The evidence highlighted with `width` characters of context either side, all escaped."""
    lo, hi = max(0, start - width), min(len(source), end + width)
    before, evidence, after = source[lo:start], source[start:end], source[end:hi]
    return (f'<div class="jx-ctx">{"…" if lo else ""}{text(before)}<mark>{text(evidence)}</mark>'
            f'{text(after)}{"…" if hi < len(source) else ""}</div>')


def finding_cards(source: str, findings: list[dict], limit: int | None = None) -> str:
    """Findings sorted by severity, each with its message and its evidence in context."""
    ordered = sorted(findings, key=lambda f: (SEVERITY_RANK.get(f["severity"], 9), f["start"], f["rule"]))
    cards = []
    for f in ordered[:limit]:
        cards.append(f'<div class="jx-card"><h4>{badge(f["severity"])}{text(f["rule"])} '
                     f'<small>字符 {f["start"]}–{f["end"]}</small></h4>{text(f["message"])}'
                     f'{in_context(source, f["start"], f["end"])}</div>')
    more = f"<p>…另有 {len(ordered) - limit} 条</p>" if limit is not None and len(ordered) > limit else ""
    return STYLE + "".join(cards) + more


def table(frame: pd.DataFrame, max_rows: int = 200) -> str:
    """A DataFrame as an HTML table whose every cell is escaped text."""
    head = "".join(f"<th>{text(c)}</th>" for c in frame.columns)
    rows = []
    for _, row in frame.head(max_rows).iterrows():
        rows.append("<tr>" + "".join(f"<td>{text(_cell(v))}</td>" for v in row) + "</tr>")
    more = f"<p>…共 {len(frame)} 行</p>" if len(frame) > max_rows else ""
    return f'{STYLE}<table class="jx-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{more}'


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def meta_card(meta: dict, extra: dict | None = None) -> str:
    labels = {"unit": "报告单位", "town": "乡镇", "county": "县（区）", "city": "市", "province": "省", "year": "评价年度",
              "kind": "报告类型", "signature_date": "落款日期"}
    rows = "".join(f"<tr><th>{text(labels.get(k, k))}</th><td>{text(v)}</td></tr>"
                   for k, v in {**meta, **(extra or {})}.items() if v not in (None, ""))
    return f'{STYLE}<table class="jx-table">{rows}</table>'
