"""HTML for notebooks and reviewer pages. Report text is data: every piece of it is escaped here
before it reaches IPython.display.HTML, a Styler or a page — nbconvert passes HTML through as is."""
from __future__ import annotations

from html import escape

import pandas as pd

from ..rules.findings import SEVERITY_RANK

SEVERITY_COLOURS = {"high": "#c62828", "medium": "#ef6c00", "low": "#f9a825", "info": "#607d8b"}
SEVERITY_NAMES = {"high": "高", "medium": "中", "low": "低", "info": "提示"}
STATUS_NAMES = {"consistent": "相符", "inconsistent": "不符", "not_checked": "未核对"}
STYLE = """<style>
.jx-card.jx-fp{opacity:.6;background:#f5f5f5}
.jx-card.jx-fp h4{text-decoration:line-through}
.jx-review{border:1px solid #999;border-radius:3px;padding:0 5px;font-size:12px;margin-left:6px;color:#333}
.jx-loc{color:#555;font-weight:normal}
table.jx-table tr.jx-bad td{background:#ffebee}
table.jx-table tr.jx-bad td:last-child{color:#c62828;font-weight:bold}
.jx-card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;margin:6px 0;font-size:14px;line-height:1.6}
.jx-card h4{margin:0 0 4px 0}
.jx-sev{color:#fff;border-radius:3px;padding:1px 6px;font-size:12px;margin-right:6px}
.jx-ctx{color:#444;background:#fafafa;padding:4px 8px;border-left:3px solid #bbb;white-space:pre-wrap}
.jx-ctx mark{background:#ffe082;padding:0 1px}
table.jx-table{border-collapse:collapse;font-size:13px}
table.jx-table td,table.jx-table th{border:1px solid #ddd;padding:3px 6px;vertical-align:top;text-align:left!important}
table.jx-table td:last-child{white-space:nowrap}
</style>"""


def text(value) -> str:
    """Any value as escaped HTML text."""
    return escape("" if value is None else str(value))


def badge(severity: str) -> str:
    colour = SEVERITY_COLOURS.get(severity, "#999")
    return f'<span class="jx-sev" style="background:{colour}">{text(SEVERITY_NAMES.get(severity, severity))}</span>'


def in_context(source: str, start: int, end: int, width: int = 60) -> str:
    """The evidence highlighted with `width` characters of context either side, all escaped."""
    lo, hi = max(0, start - width), min(len(source), end + width)
    before, evidence, after = source[lo:start], source[start:end], source[end:hi]
    return (f'<div class="jx-ctx">{"…" if lo else ""}{text(before)}<mark>{text(evidence)}</mark>'
            f'{text(after)}{"…" if hi < len(source) else ""}</div>')


def location_text(location: dict | None) -> str:
    """三、（二）2. · 第12段 · 第2页 (the page only where the format has pages)."""
    if not location:
        return ""
    parts = [location.get("section") or "",
             f"第{location['paragraph']}段" if location.get("paragraph") else "",
             f"第{location['page']}页" if location.get("page") else ""]
    return " · ".join(p for p in parts if p)


def merge_overlapping(findings: list[dict]) -> list[list[dict]]:
    """Findings of one rule whose spans overlap (one passage reused from several reports) as one group."""
    groups: list[list[dict]] = []
    for f in sorted(findings, key=lambda f: (f["rule"], f["start"], f["end"])):
        last = groups[-1] if groups else None
        if last and last[0]["rule"] == f["rule"] and f["start"] < max(g["end"] for g in last):
            last.append(f)
        else:
            groups.append([f])
    return groups


def finding_cards(source: str, findings: list[dict], limit: int | None = None) -> str:
    """Findings sorted by severity, each shown once (overlapping spans of one rule merged), with its
    rule's Chinese name, where it is, the reviewer's mark, its message and its evidence in context."""
    groups = merge_overlapping(findings)
    groups.sort(key=lambda g: ({f.get("review") for f in g} == {"误报"},  # dismissed ones last
                               min(SEVERITY_RANK.get(f["severity"], 9) for f in g), g[0]["start"], g[0]["rule"]))
    cards = []
    for group in groups[:limit]:
        first = min(group, key=lambda f: SEVERITY_RANK.get(f["severity"], 9))
        start, end = min(f["start"] for f in group), max(f["end"] for f in group)
        marks = {f.get("review") for f in group}
        false_positive = marks == {"误报"}
        mark = "".join(f'<span class="jx-review">复核：{text(m)}</span>' for m in sorted(m for m in marks if m))
        title = f'{text(first["rule"])} {text(first.get("title") or "")}'.strip()
        where = location_text(first.get("location")) or f"字符 {start}–{end}"
        messages = list(dict.fromkeys(f["message"] for f in group))
        body = (text(messages[0]) if len(messages) == 1
                else "<ul>" + "".join(f"<li>{text(m)}</li>" for m in messages) + "</ul>")
        note = '<p class="jx-loc">复核结论为误报：不计入统计和图表。</p>' if false_positive else ""
        cards.append(f'<div class="jx-card{" jx-fp" if false_positive else ""}"><h4>{badge(first["severity"])}{title} '
                     f'<small class="jx-loc">{text(where)}</small>{mark}</h4>{note}{body}'
                     f'{in_context(source, start, end)}</div>')
    more = f"<p>…另有 {len(groups) - limit} 条</p>" if limit is not None and len(groups) > limit else ""
    return STYLE + '<div class="tex2jax_ignore mathjax_ignore">' + "".join(cards) + more + "</div>"


def table(frame: pd.DataFrame, max_rows: int = 200, bad_rows: list[bool] | None = None) -> str:
    """A DataFrame as an HTML table whose every cell is escaped text; rows flagged in `bad_rows` are
    highlighted (class jx-bad)."""
    head = "".join(f"<th>{text(c)}</th>" for c in frame.columns)
    rows = []
    for k, (_, row) in enumerate(frame.head(max_rows).iterrows()):
        cls = ' class="jx-bad"' if bad_rows is not None and bad_rows[k] else ""
        rows.append(f"<tr{cls}>" + "".join(f"<td>{text(_cell(v))}</td>" for v in row) + "</tr>")
    more = f"<p>…共 {len(frame)} 行</p>" if len(frame) > max_rows else ""
    return (f'{STYLE}<table class="jx-table tex2jax_ignore mathjax_ignore"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>{more}')


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


def links_list(links: list[tuple[str, str | None]]) -> str:
    """A list of labelled links; a label without a page is plain text."""
    items = [f'<li><a href="{text(page)}">{text(label)}</a></li>' if page else f"<li>{text(label)}</li>"
             for label, page in links]
    return f"{STYLE}<ul>{''.join(items)}</ul>"
