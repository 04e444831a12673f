"""Batch outputs for people who do not run code: the spreadsheet, the CSV and the index page."""
from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from pathlib import Path

from ..files import write_atomic
from ..review import FINGERPRINT_HEADER, ISSUES_SHEET, REVIEW_HEADER
from .views import SEVERITY_COLOURS, STYLE, text

FINDING_FIELDS = ["town", "year", "report", "rule", "severity", "message", "evidence", "start", "end"]
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def finding_rows(results: list[dict]) -> list[dict]:
    rows = []
    for r in results:
        for f in r["findings"]:
            rows.append({"town": r["meta"].get("town") or "", "year": r["meta"].get("year") or "", "report": r["name"],
                         **{k: f[k] for k in ("rule", "severity", "message", "evidence", "start", "end")}})
    return rows


SUMMARY_SHEET = "汇总"
ISSUE_HEADERS = ["序号", "乡镇/单位", "年度", "问题类型", "问题描述", "原文摘录", "位置", "涉及金额", "依据", "整改建议",
                 REVIEW_HEADER, "严重程度", "报告文件", FINGERPRINT_HEADER]
ISSUE_WIDTHS = [6, 14, 7, 14, 50, 40, 20, 12, 36, 30, 10, 8, 22, 22]
EXCEL_CELL_MAX = 32767
TRUNCATED = "…（已截断）"


def _cell_text(value: str) -> str:
    """Text an Excel cell can hold: no XML control characters, at most 32,767 characters."""
    value = _ILLEGAL_XML.sub("\ufffd", value)
    if len(value) > EXCEL_CELL_MAX:
        value = value[:EXCEL_CELL_MAX - len(TRUNCATED)] + TRUNCATED
    return value


def rule_advice() -> dict[str, dict]:
    """依据 and 整改建议 per rule, as the registry binds them (from jixiao/data/rule_advice.yaml)."""
    from ..rules import all_rules
    return {r.id: r.advice for r in all_rules()}


def issue_rows(results: list[dict]) -> list[list]:
    """The 问题清单 rows, most severe first, then by town, year, rule and position."""
    from ..rules import rule_titles
    from ..rules.findings import SEVERITY_RANK
    from .views import SEVERITY_NAMES, location_text

    titles, advice = rule_titles(), rule_advice()
    found = []
    for r in results:
        meta = r["meta"]
        for f in r["findings"]:
            found.append((SEVERITY_RANK.get(f["severity"], 9), meta.get("town") or meta.get("unit") or r["name"],
                          meta.get("year") or 0, f["rule"], f["start"], r, f))
    found.sort(key=lambda x: x[:5])
    rows = []
    for number, (_, town, year, rule, _, r, f) in enumerate(found, start=1):
        meta, tips = r["meta"], advice.get(rule) or {}
        rows.append([number, meta.get("unit") or town, year or None, f"{rule} {f.get('title') or titles.get(rule, '')}".strip(),
                     f["message"], f["evidence"], location_text(f.get("location")) or f"字符 {f['start']}–{f['end']}",
                     f.get("amount"), tips.get("basis", ""), tips.get("advice", ""), f.get("review") or None,
                     SEVERITY_NAMES.get(f["severity"], f["severity"]), r["name"], f.get("fingerprint") or None])
    return rows


def summary_rows(results: list[dict]) -> tuple[list[str], list[list]]:
    """Towns × problem types (误报 left out), with a total and the number of 误报."""
    from ..rules import rule_titles

    columns = {rule: f"{rule} {title}" for rule, title in rule_titles().items()}
    header = ["乡镇/单位", "年度"] + list(columns.values()) + ["合计", "复核误报"]
    rows = []
    for r in sorted(results, key=lambda r: (r["meta"].get("town") or r["name"], r["meta"].get("year") or 0)):
        counts = {rule: 0 for rule in columns}
        dismissed = 0
        for f in r["findings"]:
            if f.get("review") == "误报":
                dismissed += 1
            elif f["rule"] in counts:
                counts[f["rule"]] += 1
        rows.append([r["meta"].get("town") or r["meta"].get("unit") or r["name"], r["meta"].get("year")]
                    + list(counts.values()) + [sum(counts.values()), dismissed])
    return header, rows


def _sheet(ws, title: str, header: list[str], rows: list[list], widths: list[int]) -> None:
    """Title row, header row, data; autofilter, frozen header, wrapped text, A4 landscape with the
    title and header rows repeated on every printed page."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for number, row in enumerate(rows, start=3):  # below the title and the header
        ws.append([None] * len(header))
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row=number, column=col)  # not ws.max_row: it scans every cell of the sheet
            if isinstance(value, str):
                cell.value = _cell_text(value)
                cell.data_type = "s"  # text, even when it starts with '='
            else:
                cell.value = value
            cell.alignment = wrap
    last = get_column_letter(len(header))
    ws.auto_filter.ref = f"A2:{last}{max(2, ws.max_row)}"
    ws.freeze_panes = "A3"
    for k, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(k)].width = width
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:2"
    ws.print_options.gridLines = True


def write_xlsx(path: str | Path, results: list[dict], title: str = "绩效自评报告审核问题清单") -> None:
    """问题清单 (one row per finding, Chinese headers, 复核结论 to fill in, most severe first) and 汇总
    (towns × problem types). Every text cell is stored as text, never a formula."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    from ..review import DECISIONS

    wb = Workbook()
    issues = wb.active
    issues.title = ISSUES_SHEET
    rows = issue_rows(results)
    _sheet(issues, title, ISSUE_HEADERS, rows, ISSUE_WIDTHS)
    col = {h: k for k, h in enumerate(ISSUE_HEADERS)}
    review_letter = chr(ord("A") + col[REVIEW_HEADER])
    check = DataValidation(type="list", formula1='"' + ",".join(DECISIONS) + '"', allow_blank=True,
                           showErrorMessage=True, errorTitle=REVIEW_HEADER, error="请填 " + "、".join(DECISIONS) + " 之一")
    check.add(f"{review_letter}3:{review_letter}{max(3, issues.max_row + 500)}")
    issues.add_data_validation(check)
    issues.column_dimensions[chr(ord("A") + col[FINGERPRINT_HEADER])].hidden = True
    header, summary = summary_rows(results)
    _sheet(wb.create_sheet(SUMMARY_SHEET), "各乡镇问题汇总（不含复核误报）", header, summary, [14, 7] + [9] * (len(header) - 2))
    wb.properties.creator = "jixiao"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    write_atomic(path, _fixed_zip_times(buf.getvalue()))


FIXED_TIME = datetime.datetime(2000, 1, 1)  # a workbook's dates say nothing about its findings


def _fixed_zip_times(data: bytes) -> bytes:
    """The same workbook as the same bytes: every zip member dated alike and the properties' 'modified'
    fixed (openpyxl stamps the time of saving on both); members, order and compression unchanged."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type, fixed.external_attr = info.compress_type, info.external_attr
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl sets the time of saving as 'modified'
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", data)
            dst.writestr(fixed, data)
    return out.getvalue()


def write_csv(path: str | Path, results: list[dict]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=FINDING_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in finding_rows(results):
        writer.writerow({k: ("'" + v if isinstance(v, str) and v[:1] in "=+-@" else v) for k, v in row.items()})
    write_atomic(path, buf.getvalue().encode("utf-8-sig"))


SORT_SCRIPT = """<script>
// Click a column heading to sort by it; click again to reverse. Cells sort by data-sort when given.
document.querySelectorAll("table.jx-sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, col) {
    th.addEventListener("click", function () {
      var body = table.tBodies[0], rows = Array.from(body.rows);
      var dir = th.dataset.dir === "asc" ? -1 : 1;
      table.querySelectorAll("th").forEach(function (h) { delete h.dataset.dir; });
      th.dataset.dir = dir === 1 ? "asc" : "desc";
      function key(row) {
        var cell = row.cells[col], v = cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
        var n = parseFloat(v);
        return v !== "" && !isNaN(n) && isFinite(v) ? [0, n] : [v === "" ? 2 : 1, v];
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x[0] !== y[0]) return x[0] - y[0];
        return (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0) * dir;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
</script>"""
PAGE_CSS = """<style>
table.jx-sortable th{cursor:pointer;background:#e3f2fd;white-space:nowrap}
table.jx-sortable th[data-dir=asc]::after{content:" ▲"}
table.jx-sortable th[data-dir=desc]::after{content:" ▼"}
@page{size:A4;margin:14mm 12mm}
@media print{table,tr{break-inside:avoid}thead{display:table-header-group}h2{break-after:avoid}}
</style>"""


def index_html(towns: list[dict], title: str = "绩效自评报告审核结果") -> str:
    """The page linking everything: a line per town with its findings by severity, share and status;
    sortable by any column (a click on its heading).

    towns: dicts with name, town, year, status ("ok"/"failed"), error, counts, share, alert, pages.
    """
    from .views import SEVERITY_NAMES

    severities = ("high", "medium", "low", "info")
    head = "".join(f"<th>{h}</th>" for h in ("乡镇", "年度", "状态", *(SEVERITY_NAMES[s] for s in severities),
                                              "套话占比", "页面"))
    rows = []
    for t in towns:
        counts = t.get("counts") or {}
        cells = [("", text(t.get("town") or t["name"])), ("", text(t.get("year") or ""))]
        if t["status"] == "ok":
            cells.append(("", '<span style="color:#2e7d32">完成</span>'))
        else:
            cells.append(("", f'<span style="color:#c62828">失败：{text(t.get("error") or "")}</span>'))
        for sev in severities:
            n = counts.get(sev, "")
            style = f' style="color:{SEVERITY_COLOURS[sev]};font-weight:bold"' if n else ""
            cells.append((f' data-sort="{text(n)}"', f"<span{style}>{text(n)}</span>"))
        share = t.get("share")
        share_text = "" if share is None else f"{share:.1%}"
        if t.get("alert"):
            share_text = f'<b style="color:#c62828">{share_text}</b>'
        cells.append((f' data-sort="{"" if share is None else f"{share:.6f}"}"', share_text))
        links = " · ".join(f'<a href="{text(href)}">{text(label)}</a>' for label, href in t.get("pages", []))
        cells.append(("", links))
        rows.append("<tr>" + "".join(f"<td{attr}>{c}</td>" for attr, c in cells) + "</tr>")
    failed = sum(t["status"] != "ok" for t in towns)
    note = f'<p style="color:#c62828">{failed} 个乡镇处理失败，原因见表中。</p>' if failed else ""
    extra = ('<p><a href="summary.html">全县汇总</a> · <a href="findings.xlsx">问题清单（Excel，可填复核结论）</a> · '
             '<a href="findings.csv">全部发现（CSV）</a></p><p style="color:#555">点击表头可按该列排序。'
             '经复核为误报的发现不计入各列数字。</p>')
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{text(title)}</title>'
            f'{STYLE}{PAGE_CSS}</head><body><h2>{text(title)}</h2>{extra}{note}'
            f'<table class="jx-table jx-sortable"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f"{SORT_SCRIPT}</body></html>\n")
