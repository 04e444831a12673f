"""Plain views of a parsed report for the terminal and notebooks: outline and figures table."""
from __future__ import annotations

import pandas as pd

from ..model.report import Report

FIGURE_COLUMNS = ["start", "end", "text", "value", "unit", "kind", "decimals", "normalized", "norm_unit",
                  "bound", "label", "table", "row", "col"]


def figures_frame(report: Report) -> pd.DataFrame:
    frame = pd.DataFrame([f.as_row() for f in report.figures], columns=FIGURE_COLUMNS)
    for col in ("table", "row", "col"):
        frame[col] = frame[col].astype("Int64")
    return frame


def outline_text(report: Report) -> str:
    m = report.meta
    out = [f"{report.path}  [{report.format}{', ' + report.encoding if report.encoding else ''}]",
           "meta: " + ", ".join(f"{k}={v}" for k, v in m.as_dict().items() if v is not None), "", "sections:"]
    for node in report.sections.walk():
        if node.marker is None:
            continue
        out.append(f"{'  ' * node.depth}{node.number_label} {node.title}  [{node.start}-{node.end}]")
    out.append("")
    out.append(f"tables: {len(report.tables)}")
    for t in report.tables:
        rows, cols = t.frame.shape
        out.append(f"  table {t.index + 1}: {rows} rows × {cols} columns [{t.start}-{t.end}]  "
                   f"columns: {' | '.join(t.columns)}")
        numeric = [c for c in t.columns if pd.api.types.is_numeric_dtype(t.frame[c])]
        if numeric:
            out.append(f"    numeric: {', '.join(numeric)}")
    if report.numbering_issues:
        out.append("")
        out.append("numbering irregularities:")
        for issue in report.numbering_issues:
            out.append(f"  {issue.kind}: expected {issue.expected}, found {issue.found} at {issue.marker.start}")
    return "\n".join(out) + "\n"
