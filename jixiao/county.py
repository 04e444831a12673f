"""The county view over every town of a batch: findings by town × rule, boilerplate ranking,
who shares text with whom, execution rates, and links to each town's pages."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd


def _rule_columns() -> dict[str, str]:
    """Rule id → the column heading (id and Chinese name), from the registry."""
    from .rules import rule_titles
    return {rule: f"{rule} {title}" for rule, title in rule_titles().items()}


def counted(findings: list[dict]) -> list[dict]:
    """The findings that count: a reviewer's 误报 left out."""
    return [f for f in findings if f.get("review") != "误报"]


@dataclass
class County:
    towns_results: list[dict]   # Audit.results() of each town, with "page" when a batch made one

    def label(self, r: dict) -> str:
        meta = r["meta"]
        return f"{meta.get('town') or r['name']}{meta.get('year') or ''}"

    def towns(self) -> list[str]:
        return [self.label(r) for r in self.towns_results]

    def findings_by_rule(self) -> pd.DataFrame:
        """Findings per town and rule (误报 left out); columns named by the registry."""
        columns = _rule_columns()
        rows = {self.label(r): {c: 0 for c in columns.values()} for r in self.towns_results}
        for r in self.towns_results:
            for f in counted(r["findings"]):
                rows[self.label(r)][columns.get(f["rule"], f["rule"])] += 1
        frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(columns.values()))
        frame.index.name = "乡镇"
        return frame.loc[:, (frame != 0).any(axis=0)] if not frame.empty else frame

    def share_frame(self) -> pd.DataFrame:
        rows = [(self.label(r), r["boilerplate"]["share"], r["counts"]["high"], r["counts"]["medium"])
                for r in self.towns_results]
        frame = pd.DataFrame(rows, columns=["乡镇", "套话占比", "高", "中"])
        return frame.sort_values(["套话占比", "乡镇"], ascending=[False, True]).reset_index(drop=True)

    def copy_edges(self, min_share: float = 0.02) -> pd.DataFrame:
        by_name = {r["name"]: self.label(r) for r in self.towns_results}
        rows = []
        for r in self.towns_results:
            for name, v in r["boilerplate"]["sources"].items():
                if name in by_name and v["share"] >= min_share:
                    rows.append((self.label(r), by_name[name], v["share"]))
        return pd.DataFrame(rows, columns=["报告", "相同于", "占比"]).sort_values(["报告", "相同于"]).reset_index(drop=True)

    def execution_frame(self) -> pd.DataFrame:
        rows = []
        for r in self.towns_results:
            h = r.get("headline", {})
            rows.append((self.label(r), h.get("调整后预算（万元）"), h.get("实际支出（万元）"), h.get("预算执行率（报告，%）"),
                         h.get("预算执行率（计算，%）")))
        return pd.DataFrame(rows, columns=["乡镇", "调整后预算（万元）", "实际支出（万元）", "执行率·报告（%）", "执行率·计算（%）"])

    def links(self) -> list[tuple[str, str | None]]:
        """Each town's label and its page (None when the town has no page)."""
        return [(self.label(r), r.get("page")) for r in self.towns_results]


AUDIT_FILE = "audit.json"   # each town's saved Audit in a batch's output folder


def load_county(results_dir: str | Path | None = None, reports_dir: str | Path | None = None) -> County:
    """A batch's saved audits (audit.json of each town), or, with no batch, audits of a folder of reports."""
    from .audit import Audit

    if results_dir:
        results = []
        for path in sorted(Path(results_dir).glob(f"*/{AUDIT_FILE}")):
            data = Audit.load(path).results()
            data["page"] = f"{path.parent.name}/review.html"
            results.append(data)
        return County(results)
    from .audit import analyse
    from .errors import ReportError
    from .model.report import load_report
    from .read.ingest import expand_paths
    from .rules.subject import Context
    reports = []
    for p in expand_paths([reports_dir]):
        try:
            reports.append(load_report(p))
        except ReportError:
            continue
    ctx = Context(reports)
    return County([analyse(r, ctx).results() for r in reports])
