"""What the notebooks call: each function computes with jixiao and displays the result.

A notebook cell is one call here; nothing in a notebook decides anything.
"""
from __future__ import annotations

import base64
import gc
import io
import warnings

import pandas as pd

from ..audit import Audit, load_audit, run_audit  # noqa: F401  (re-exported for the notebooks)
from ..county import County, load_county  # noqa: F401
from . import charts, views
from .fonts import use_cjk_font


def _display(obj) -> None:
    from IPython.display import HTML, display
    from matplotlib.figure import Figure

    if isinstance(obj, Figure):  # what the inline backend would show, drawn once (see png)
        display({"image/png": base64.b64encode(png(obj)).decode("ascii"), "text/plain": repr(obj)}, raw=True)
    else:
        display(HTML(obj) if isinstance(obj, str) else obj)


def png(fig) -> bytes:
    """The figure as PNG at its own size and dpi. Not cropped to a tight bounding box as the inline
    backend does by default: the charts are laid out tight already (tight_layout), and the crop
    draws every text twice more — Chinese text layout is most of a chart's cost."""
    import matplotlib.pyplot as plt

    data = io.BytesIO()
    with plt.rc_context({"text.parse_math": False}):  # labels stay plain text
        fig.savefig(data, format="png", bbox_inches=None)
    return data.getvalue()


def setup() -> None:
    """Stable display options (nbval compares stored tables) and a CJK font for charts."""
    pd.set_option("display.max_rows", 200)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 200)
    pd.set_option("display.precision", 4)
    warnings.simplefilter("ignore")  # a warning would reach the reviewer's page as a stderr block
    import logging

    import matplotlib
    logging.getLogger("matplotlib").setLevel(logging.ERROR)
    matplotlib.rcParams["figure.dpi"] = 80
    use_cjk_font()


def warm_up() -> None:
    """Pay in advance what a kernel's first notebook would: the imports (the rules' too), the CJK
    font found and loaded, one small chart drawn and encoded as PNG. The batch runs this in a
    kernel it starts while it reads the reports; nothing is displayed and nothing is left open."""
    import matplotlib.pyplot as plt

    from ..rules import rule_titles

    setup()
    rule_titles()  # every rule module imported: a town's overview and claims name rules and their defaults
    fig = charts.share_ranking(pd.DataFrame({"乡镇": ["镇"], "套话占比": [0.5]}))
    png(fig)
    plt.close(fig)
    gc.collect()
    gc.freeze()  # what the warm-up made lives as long as the kernel: no collection need visit it again


def show_overview(audit: Audit, town: str | None = None, year: int | None = None,
                  thresholds: dict | None = None) -> None:
    """Meta, headline budget figures and the project table; warns when the parameters disagree,
    and marks a boilerplate share at or above the alert threshold."""
    for key, given, found in audit.parameter_mismatches(town, year):
        _display(f'<p style="color:#c62828">参数中的{"乡镇" if key == "town" else "年度"}为 {views.text(given)}，'
                 f'报告本身却是 {views.text(found)}：请核对参数文件。</p>')
    counts = audit.counts()
    dismissed = len(audit.dismissed())
    extra = {"发现（高/中/低/提示）": f"{counts['high']} / {counts['medium']} / {counts['low']} / {counts['info']}"
             + (f"（另有 {dismissed} 条经复核为误报，未计入）" if dismissed else ""),
             "套话占比": f"{audit.reuse_summary['share']:.1%}"}
    alert = audit.share_alert(thresholds)
    if alert is not None:
        extra["套话占比"] += f"（达到预警线 {alert:.0%}）"
    extra.update({k: f"{v:,.2f}" for k, v in audit.headline.items()})
    changed = audit.changed_thresholds()
    if changed:
        extra["阈值（非默认）"] = "；".join(f"{name} = {value:g}（默认 {default:g}）" for name, (value, default) in changed.items())
    _display(views.meta_card(audit.meta, extra))
    projects = audit.projects_frame()
    if not projects.empty:
        _display(views.table(projects))


def show_claims(audit: Audit) -> None:
    frame = audit.claims_frame()
    if frame.empty:
        _display("<p>报告中没有可核对的算术关系。</p>")
        return
    from ..rules import rule_titles

    titles = rule_titles()
    shown = frame[["rule", "relation", "evidence", "stated", "computed", "difference", "status"]].copy()
    bad = list(shown["status"] == "inconsistent")
    shown["rule"] = [f"{r} {titles.get(r, '')}".strip() for r in shown["rule"]]
    shown["status"] = [views.STATUS_NAMES.get(s, s) for s in shown["status"]]
    _display(views.table(shown.rename(columns={"rule": "规则", "relation": "关系", "evidence": "原文", "stated": "报告数",
                                               "computed": "计算数", "difference": "差额", "status": "结论"}),
                         bad_rows=bad))


def show_boilerplate(audit: Audit) -> None:
    s = audit.reuse_summary
    rows = [("套话占比", f"{s['share']:.1%}")] + [(charts.CATEGORY_NAMES[k], f"{s[k]} 字") for k in charts.CATEGORY_NAMES]
    rows += [(f"与 {name} 相同", f"{v['share']:.1%}（{v['town'] or '?'} {v['year'] or ''}）") for name, v in s["sources"].items()]
    _display(views.table(pd.DataFrame(rows, columns=["项目", "数值"])))
    _display("<p>每处套话、重复和模板残留的原文与位置列在下一节“全部发现”中（每条只列一次）。</p>")


def show_findings(audit: Audit) -> None:
    """Every finding once, by severity, with its location and the reviewer's mark."""
    records = audit.findings
    _display(views.finding_cards(audit.text, records) if records else "<p>没有发现。</p>")


def chart_budget(audit: Audit) -> None:
    _display(charts.budget_vs_spent(audit.projects_frame()))
    _close()


def chart_boilerplate(audit: Audit) -> None:
    """The boilerplate strip, without passages a reviewer marked 误报."""
    _display(charts.boilerplate_map(len(audit.text), audit.sections, audit.kept_boilerplate_spans()))
    _close()


def _close() -> None:
    import matplotlib.pyplot as plt
    plt.close("all")


def show_county_findings(county: County) -> None:
    frame = county.findings_by_rule()
    _display(views.table(frame.reset_index()))
    if not frame.empty:
        _display(charts.findings_heatmap(frame))
        _close()


def show_share_ranking(county: County) -> None:
    frame = county.share_frame()
    _display(views.table(frame))
    if not frame.empty:
        _display(charts.share_ranking(frame))
        _close()


def show_copy_graph(county: County) -> None:
    edges = county.copy_edges()
    if edges.empty:
        _display("<p>各乡镇报告之间没有大段相同的文字。</p>")
        return
    _display(views.table(edges))
    _display(charts.copy_graph(edges, county.towns()))
    _close()


def show_execution(county: County) -> None:
    _display(views.table(county.execution_frame()))


def show_links(county: County) -> None:
    _display(views.links_list(county.links()))
