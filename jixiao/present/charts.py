"""Charts for the notebooks: Chinese labels, drawn with the CJK font found on this machine (or pip's).

Labels come from report text (project names, town names): they are drawn as plain text, never as
mathtext, so a `$` in a project name cannot break a chart or be typeset.
"""
from __future__ import annotations

import functools

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd

from .fonts import use_cjk_font


def _chart(func):
    """Draw with the CJK font and with mathtext off for every text the chart creates."""
    @functools.wraps(func)
    def draw(*args, **kwargs):
        use_cjk_font()
        with plt.rc_context({"text.parse_math": False}):
            fig = func(*args, **kwargs)
            for ax in fig.axes:  # every tick label created now, under this context (no drawing: text layout costs)
                for axis in (ax.xaxis, ax.yaxis):
                    axis.get_major_ticks()
                    axis.get_minor_ticks()
        for t in fig.findobj(lambda a: hasattr(a, "set_parse_math")):
            t.set_parse_math(False)
        return fig
    return draw


def _fit(fig, pad: float = 1.08) -> None:
    """What tight_layout does for a chart of one Axes, from the texts around it measured once each:
    tight_layout asks the Axes for its whole tight box, which measures every tick label several
    times and was a quarter of a town chart's cost (Chinese text layout). Margins in points:
    `pad` font sizes at the edge, then the tick labels, ticks, axis labels and the title."""
    get_renderer = getattr(fig.canvas, "get_renderer", None)
    if get_renderer is None or len(fig.axes) != 1:
        fig.tight_layout(pad=pad)
        return
    renderer, ax, rc = get_renderer(), fig.axes[0], matplotlib.rcParams
    to_pt = 72.0 / fig.dpi

    def size(texts) -> tuple[float, float]:
        boxes = [t.get_window_extent(renderer) for t in texts if t.get_visible() and t.get_text()]
        return (max((b.width for b in boxes), default=0.0) * to_pt, max((b.height for b in boxes), default=0.0) * to_pt)

    def ticks(axis, which: str) -> float:
        return (rc[f"{which}tick.major.size"] + rc[f"{which}tick.major.pad"]) if axis.get_visible() else 0.0

    def shown(labels, where, limits) -> list:  # tick labels outside the view are kept, not drawn
        lo, hi = sorted(limits)
        return [t for t, v in zip(labels, where) if lo <= v <= hi] if visible else []

    edge, visible = pad * rc["font.size"], ax.axison
    xlabels = shown(ax.get_xticklabels(), ax.get_xticks(), ax.get_xlim())
    ylabels = shown(ax.get_yticklabels(), ax.get_yticks(), ax.get_ylim())
    ytick_w, _ = size(ylabels)
    xtick_w, xtick_h = size(xlabels)
    _, xlabel_h = size([ax.xaxis.label]) if visible else (0.0, 0.0)
    ylabel_w, _ = size([ax.yaxis.label]) if visible else (0.0, 0.0)
    _, title_h = size([ax.title])
    left = edge + (ytick_w + ticks(ax.yaxis, "y") + (ylabel_w + rc["axes.labelpad"] if ylabel_w else 0.0) if visible else 0.0)
    bottom = edge + (xtick_h + ticks(ax.xaxis, "x") + (xlabel_h + rc["axes.labelpad"] if xlabel_h else 0.0) if visible else 0.0)
    top = edge + (title_h + rc["axes.titlepad"] if title_h else 0.0)
    right = edge + (xtick_w / 2 if xlabels else 0.0)   # the last tick's label may stand half past the edge
    width, height = fig.get_size_inches() * 72.0
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height)


CATEGORY_COLOURS = {"repeated": "#8e24aa", "templated": "#3949ab", "reused": "#c62828", "stock": "#90a4ae",
                    "residue": "#ef6c00"}
CATEGORY_NAMES = {"repeated": "本报告内重复", "templated": "模板化段落", "reused": "与其他报告相同", "stock": "通用套话",
                  "residue": "模板残留"}


@_chart
def budget_vs_spent(projects: pd.DataFrame, title: str = "各项目预算与支出"):
    """Horizontal bars: budget and spending per project (万元)."""
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.42 * len(projects) + 1)))
    if projects.empty:
        ax.text(0.5, 0.5, "报告中没有可识别的项目表或项目清单", ha="center", va="center")
        ax.set_axis_off()
        return fig
    names = [n if len(n) <= 16 else n[:15] + "…" for n in projects["项目"]]
    y = range(len(projects))
    ax.barh([k + 0.2 for k in y], projects["预算（万元）"], height=0.4, label="预算", color="#90caf9")
    spent = pd.to_numeric(projects["支出（万元）"], errors="coerce").fillna(0)
    ax.barh([k - 0.2 for k in y], spent, height=0.4, label="支出", color="#1565c0")
    ax.set_yticks(list(y), names)
    ax.invert_yaxis()
    ax.set_xlabel("万元")
    ax.set_title(title)
    ax.legend(loc="lower right")
    _fit(fig)
    return fig


@_chart
def boilerplate_map(length: int, section_starts: list[int], spans: list[tuple[int, int, str]],
                    title: str = "套话与重复文字在文中的位置"):
    """A strip along the document of `length` characters: where the boilerplate lies, by kind,
    with the top-level sections' starts marked."""
    fig, ax = plt.subplots(figsize=(9, 2.2))
    n = max(1, length)
    rows = {k: i for i, k in enumerate(CATEGORY_NAMES)}
    for start, end, kind in spans:
        ax.broken_barh([(start / n * 100, max(0.3, (end - start) / n * 100))], (rows[kind] - 0.4, 0.8),
                       color=CATEGORY_COLOURS[kind])
    for start in section_starts:
        ax.axvline(start / n * 100, color="#bbb", lw=0.8, zorder=0)
    ax.set_yticks(list(rows.values()), list(CATEGORY_NAMES.values()))
    ax.set_xlim(0, 100)
    ax.set_xlabel("在文中的位置（%，竖线为一级标题）")
    ax.set_title(title)
    _fit(fig)
    return fig


@_chart
def share_ranking(frame: pd.DataFrame, title: str = "各乡镇套话占比"):
    """Bars of the boilerplate share per town, highest first."""
    data = frame.sort_values("套话占比", ascending=True)
    fig, ax = plt.subplots(figsize=(7, max(2.5, 0.4 * len(data) + 1)))
    ax.barh(data["乡镇"], data["套话占比"] * 100, color="#c62828")
    ax.set_xlabel("%")
    ax.set_xlim(0, 100)
    ax.set_title(title)
    _fit(fig)
    return fig


@_chart
def copy_graph(edges: pd.DataFrame, towns: list[str], title: str = "乡镇之间的文字相同（箭头：共有文字占该报告的比例）"):
    """Which towns share text with which: nodes on a circle, edge width by shared share."""
    import math

    fig, ax = plt.subplots(figsize=(6.5, 6.5))
    pos = {t: (math.cos(2 * math.pi * k / max(1, len(towns))), math.sin(2 * math.pi * k / max(1, len(towns))))
           for k, t in enumerate(towns)}
    for _, e in edges.iterrows():
        (x0, y0), (x1, y1) = pos[e["报告"]], pos[e["相同于"]]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops={"arrowstyle": "->", "lw": 0.5 + 6 * e["占比"], "color": "#c62828", "alpha": 0.7,
                                "shrinkA": 18, "shrinkB": 18})
        ax.text((x0 + x1) / 2, (y0 + y1) / 2, f"{e['占比']:.0%}", fontsize=8, color="#c62828")
    for t, (x, y) in pos.items():
        ax.scatter([x], [y], s=900, color="#e3f2fd", edgecolors="#1565c0", zorder=3)
        ax.text(x, y, t, ha="center", va="center", fontsize=9, zorder=4)
    ax.set_xlim(-1.4, 1.4)
    ax.set_ylim(-1.4, 1.4)
    ax.set_axis_off()
    ax.set_title(title)
    _fit(fig)
    return fig


@_chart
def findings_heatmap(frame: pd.DataFrame, title: str = "各乡镇 × 规则 发现数"):
    fig, ax = plt.subplots(figsize=(max(6, 0.45 * len(frame.columns) + 2), max(2.5, 0.45 * len(frame) + 1)))
    im = ax.imshow(frame.values, cmap="Reds", aspect="auto")
    ax.set_xticks(range(len(frame.columns)), frame.columns, rotation=45, ha="right")
    ax.set_yticks(range(len(frame.index)), frame.index)
    for (r, c), v in pd.DataFrame(frame.values).stack().items():
        if v:
            ax.text(c, r, int(v), ha="center", va="center", fontsize=8)
    fig.colorbar(im, ax=ax, fraction=0.03)
    ax.set_title(title)
    _fit(fig)
    return fig
