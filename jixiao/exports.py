"""Batch outputs for people who do not run code: the spreadsheet, the CSV and the index page."""
from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from pathlib import Path

from .views import STYLE, SEVERITY_COLOURS, text

FINDING_FIELDS = ["town", "year", "report", "rule", "severity", "message", "evidence", "start", "end"]
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def write_atomic(path: str | Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def finding_rows(results: list[dict]) -> list[dict]:
    rows = []
    for r in results:
        for f in r["findings"]:
            rows.append({"town": r["meta"].get("town") or "", "year": r["meta"].get("year") or "", "report": r["name"],
                         **{k: f[k] for k in ("rule", "severity", "message", "evidence", "start", "end")}})
    return rows


def write_xlsx(path: str | Path, results: list[dict]) -> None:
    """One sheet for all towns and one per town; every text cell stored as text, never a formula."""
    from openpyxl import Workbook

    wb = Workbook()
    sheets = [("全部", finding_rows(results))]
    used = {"全部"}
    for r in results:
        name = _sheet_name(f"{r['meta'].get('town') or r['name']}{r['meta'].get('year') or ''}", used)
        sheets.append((name, finding_rows([r])))
    first = True
    for name, rows in sheets:
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = name
        ws.append(FINDING_FIELDS)
        for row in rows:
            ws.append([None] * len(FINDING_FIELDS))
            for col, key in enumerate(FINDING_FIELDS, start=1):
                cell = ws.cell(row=ws.max_row, column=col)
                value = row[key]
                if isinstance(value, str):
                    cell.value = _ILLEGAL_XML.sub("\ufffd", value)
                    cell.data_type = "s"  # text, even when it starts with '='
                else:
                    cell.value = value
        ws.freeze_panes = "A2"
        for col, width in zip("ABCDEFGHI", (10, 6, 22, 6, 8, 70, 40, 7, 7)):
            ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    write_atomic(path, buf.getvalue())


def _sheet_name(name: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub("_", name)[:28] or "sheet"
    candidate, k = base, 2
    while candidate in used:
        candidate, k = f"{base[:26]}_{k}", k + 1
    used.add(candidate)
    return candidate


def write_csv(path: str | Path, results: list[dict]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=FINDING_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in finding_rows(results):
        writer.writerow({k: ("'" + v if isinstance(v, str) and v[:1] in "=+-@" else v) for k, v in row.items()})
    write_atomic(path, buf.getvalue().encode("utf-8-sig"))


def index_html(towns: list[dict], title: str = "绩效自评报告审核结果") -> str:
    """The page linking everything: a line per town with its findings by severity, share and status.

    towns: dicts with name, town, year, status ("ok"/"failed"), error, counts, share, alert, pages.
    """
    head = "".join(f"<th>{h}</th>" for h in ("乡镇", "年度", "状态", "高", "中", "低", "提示", "套话占比", "页面"))
    rows = []
    for t in towns:
        counts = t.get("counts") or {}
        cells = [text(t.get("town") or t["name"]), text(t.get("year") or "")]
        if t["status"] == "ok":
            cells.append('<span style="color:#2e7d32">完成</span>')
        else:
            cells.append(f'<span style="color:#c62828">失败：{text(t.get("error") or "")}</span>')
        for sev in ("high", "medium", "low", "info"):
            n = counts.get(sev, "")
            style = f' style="color:{SEVERITY_COLOURS[sev]};font-weight:bold"' if n else ""
            cells.append(f"<span{style}>{text(n)}</span>")
        share = t.get("share")
        share_text = "" if share is None else f"{share:.1%}"
        if t.get("alert"):
            share_text = f'<b style="color:#c62828">{share_text}</b>'
        cells.append(share_text)
        links = " · ".join(f'<a href="{text(href)}">{text(label)}</a>' for label, href in t.get("pages", []))
        cells.append(links)
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    failed = sum(t["status"] != "ok" for t in towns)
    note = f'<p style="color:#c62828">{failed} 个乡镇处理失败，原因见表中。</p>' if failed else ""
    extra = ('<p><a href="summary.html">全县汇总</a> · <a href="findings.xlsx">全部发现（Excel）</a> · '
             '<a href="findings.csv">全部发现（CSV）</a></p>')
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{text(title)}</title>'
            f'{STYLE}</head><body><h2>{text(title)}</h2>{extra}{note}'
            f'<table class="jx-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f"</body></html>\n")
