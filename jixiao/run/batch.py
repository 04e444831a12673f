"""Run the audit notebook for every township: the reuse index once, one Papermill execution per
town in --jobs warm kernels (each driven by a thread of this process), HTML for reviewers, the
spreadsheet, the county summary and the index page. A town that fails is listed
with its error and its partial notebook kept; the others finish. Outputs are built in a staging
folder and swapped in at the end, so a re-run replaces them whole.

What overlaps (a batch of a county should take seconds): the kernels start first, and import what
the notebooks need, while this process imports its own modules and reads and indexes the reports; the audits are made in a thread
and each town's notebook starts as soon as its audit is saved; a town's pages are rendered by
another thread while the kernel runs the next town; a notebook is written once, when it ends (as
far as it ran, when it fails or times out), not after every cell.

Safety of --out: it is only replaced when it is empty or holds jixiao's marker file (a folder of
other files, the inputs, the current directory are refused); a lock beside it refuses a second
batch on the same folder; staging folders of dead runs (no lock held) are removed at the next run;
each town has a time limit (Papermill's execution timeout); kernels die with the batch."""
from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

from ..errors import JixiaoError
from .params import ParamsError, TownParams, load_params

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
KERNEL_RETRIES = 1
MARKER = ".jixiao-batch"             # in every output folder jixiao made: only such a folder is replaced
TOWN_TIMEOUT_S = 600                 # per notebook cell, i.e. per town's audit (Papermill execution_timeout)
AUDIT = "audit.json"                 # a town's Audit, computed by the batch; its notebook only displays it
KERNEL = "python3"
# no output cache (Out, _, __): nothing a batch needs, and without it resetting the namespace between
# towns skips IPython's flush of that cache, a full garbage collection (about 0.1 s a town); no input
# history: IPython would write every cell to its SQLite file (~/.ipython), shared by every kernel
KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL", "--InteractiveShell.cache_size=0", "--HistoryManager.enabled=False"]
WARM_UP = "import jixiao.present.notebook as _jx\n_jx.warm_up()\ndel _jx"  # run in a kernel started ahead
LAUNCH_WAIT_S = 10                   # at most, for the kernels' processes to be launched before the batch goes on


@dataclass
class TownRun:
    name: str
    town: str | None = None
    year: int | None = None
    status: str = "ok"                  # "ok" | "failed"
    error: str | None = None
    counts: dict = field(default_factory=dict)
    share: float | None = None
    alert: bool = False
    pages: list = field(default_factory=list)  # (label, relative href)


def skip_unused_format_checks() -> None:
    """Keep jsonschema (imported by nbformat, so by Papermill and nbconvert) from loading the optional
    rfc3987_syntax package: when it is installed (JupyterLab brings it), its import builds 38 Lark
    grammars, 1–3 s in every batch process, for the "iri" string format that no notebook schema uses.
    Without it jsonschema simply has no "iri" check; every other check is unchanged."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # None: `import rfc3987_syntax` raises ImportError


def notebook_path(name: str) -> Path:
    """The notebook templates: beside the package in a checkout, or set JIXIAO_NOTEBOOKS."""
    base = Path(os.environ.get("JIXIAO_NOTEBOOKS", NOTEBOOKS))
    path = base / name
    if not path.is_file():
        raise JixiaoError(f"{path}: notebook template not found (set JIXIAO_NOTEBOOKS to the notebooks folder)")
    return path


TEMPLATES = Path(__file__).resolve().parents[1] / "present" / "templates"


def page_header(title: str, links: list[tuple[str, str]]) -> str:
    """The header of a page: its title and a line of links (label, relative href), all escaped."""
    from ..present.views import text

    nav = "".join(f'<a href="{text(href)}">{text(label)}</a>' for label, href in links)
    return f'<header class="jx-head"><h1>{text(title)}</h1><nav class="jx-nav">{nav}</nav></header>'


def to_html(notebook: Path, target: Path, no_input: bool, title: str | None = None, header: str = "") -> None:
    """A self-contained page: no remote script (require.js, MathJax, mermaid, widgets are not
    loaded), no stderr output (warnings and logs are not for reviewers), `title` in <title>."""
    skip_unused_format_checks()
    import nbformat

    from ..files import write_atomic

    nb = nbformat.read(notebook, as_version=4)
    for k, cell in enumerate(nb.cells):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = f"injected-parameters-{k}"  # Papermill's is random: the same run, the same page
        if cell.get("outputs"):
            cell.outputs = [_for_reviewers(o) if no_input else o for o in cell.outputs
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    nb.metadata.pop("widgets", None)
    if title:
        nb.metadata["title"] = title
    with _EXPORTER_LOCK:
        exporter = _exporter()
        exporter.exclude_input = no_input  # read at each conversion (nbconvert's global content filter)
        body, _ = exporter.from_notebook_node(nb, resources={"jixiao_header": header})
    write_atomic(target, body.encode("utf-8"))


_EXPORTERS: dict = {}
_EXPORTER_LOCK = threading.Lock()


def _exporter(stock: bool = False):
    """One exporter per process, for both kinds of page: building one compiles the whole template
    tree (about a quarter of a second), converting with it again does not. stock=True: nbconvert's
    HTMLExporter itself (for tests: the pages must not differ from its pages but in markup)."""
    from nbconvert import HTMLExporter

    key = "stock" if stock else "page"
    exporter = _EXPORTERS.get(key)
    if exporter is None:
        kind = HTMLExporter if stock else _page_exporter()
        exporter = kind(template_name="jixiao_page", extra_template_basedirs=[str(TEMPLATES)])
        exporter.require_js_url = exporter.mathjax_url = exporter.mermaid_js_url = ""
        exporter.mermaid_layout_elk_js_url = exporter.jquery_url = exporter.widget_renderer_url = ""
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
        if not stock:
            exporter.register_filter("clean_html", _clean_html_once)
        _EXPORTERS[key] = exporter
    return exporter


_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt=)")
_FOCUSABLE = re.compile(r'<div class="(?:[^"]*\s)?(?:jp-Cell-inputWrapper|jp-OutputArea-output)(?:\s[^"]*)?"')


def _page_exporter():
    """nbconvert's HTMLExporter without its last step: it parses the finished page with
    BeautifulSoup to give images without an alt text one and to make the cells' input and output
    focusable (tabindex), then prints the whole tree again — half the cost of a page. The same two
    attributes are added here to the markup nbconvert's own template wrote (a test checks that the
    pages parse to the same elements, attributes and text). Falls back to the stock exporter when
    nbconvert's internals it relies on are not there."""
    from nbconvert import HTMLExporter

    try:
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    except ImportError:
        return HTMLExporter

    class PageExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            if not hasattr(self, "_nb_metadata") or not hasattr(self, "_init_resources"):
                return super().from_notebook_node(nb, resources, **kw)
            langinfo = nb.metadata.get("language_info", {})  # as HTMLExporter.from_notebook_node does
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            if type(highlight_code) is Highlight2HTML:
                highlight_code = _SameCode(highlight_code)
            resources = self._init_resources(resources)
            data_types = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", data_types)
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _accessible(html), resources

    return PageExporter


_CODE_MEMO: dict = {}   # (filter, arguments) → HTML: a town's code cells are the template's, page after page
_CODE_MEMO_LIMIT = 2000  # entries; code cells are short (longer strings are not kept)


def _memo(key, compute):
    """compute(), or what it returned for the same key before. Only under _EXPORTER_LOCK."""
    if key in _CODE_MEMO:
        return _CODE_MEMO[key]
    value = compute()
    if len(key[-1]) <= 20_000:
        if len(_CODE_MEMO) >= _CODE_MEMO_LIMIT:
            _CODE_MEMO.clear()
        _CODE_MEMO[key] = value
    return value


class _SameCode:
    """nbconvert's highlight_code filter (pygments), remembering what it gave each source: every
    town's page shows the same code cells. The result depends on the source, the language and the
    cell's `magics_language` only (nbconvert.filters.highlight), so only those make the key."""

    def __init__(self, highlight):
        self.highlight = highlight

    def __call__(self, source, language=None, metadata=None):
        magics = metadata.get("magics_language") if metadata else None
        key = ("highlight", self.highlight.pygments_lexer, repr(self.highlight.extra_formatter_options), language,
               magics, str(source))
        return _memo(key, lambda: self.highlight(source, language, metadata))


def _clean_html_once(element):
    """nbconvert's clean_html (bleach, half the cost of a page with code), remembered per string:
    the code cells it cleans are the same on every town's page. A pure function of its text."""
    from nbconvert.filters.strings import clean_html

    text = element.decode() if isinstance(element, bytes) else str(element)
    return _memo(("clean_html", text), lambda: clean_html(text))


def _accessible(html: str) -> str:
    """What HTMLExporter's BeautifulSoup pass adds: an alt text on images without one, tabindex 0
    on the cells' input wrappers and outputs. The page's text is escaped by the template (report
    text never holds a raw tag), so the tags matched here are the template's."""
    html = _IMG_WITHOUT_ALT.sub('<img alt="No description has been provided for this image"', html)
    return _FOCUSABLE.sub(lambda m: m.group(0) + ' tabindex="0"', html)


def _warm_pages() -> None:
    """Import nbconvert and compile the page template now, by converting an empty notebook: while
    the kernels run the first towns, before the first town's pages are due."""
    skip_unused_format_checks()
    import nbformat

    with _EXPORTER_LOCK:
        _exporter().from_notebook_node(nbformat.v4.new_notebook(), resources={"jixiao_header": ""})


def _for_reviewers(output):
    """An error as one escaped line for the reviewer's page (the traceback stays on the full page)."""
    import nbformat

    from ..present.views import text

    if output.get("output_type") != "error":
        return output
    first = (str(output.get("evalue") or "").splitlines() or [""])[0][:300]
    html = f'<p style="color:#c62828">这一步出错，本页其后的内容不完整：{text(output.get("ename"))}: {text(first)}</p>'
    return nbformat.v4.new_output("display_data", data={"text/html": html})


def town_title(params: TownParams) -> str:
    return f"{params.town or params.name} {params.year or ''}年度 绩效自评报告审核".replace("  ", " ")


def copy_source(params: TownParams, folder: Path) -> str | None:
    """A copy of the source report beside the pages (report.txt / .docx / .pdf); its file name."""
    source = Path(params.report)
    if not source.is_file():
        return None
    name = "report" + source.suffix.lower()
    shutil.copyfile(source, folder / name)
    return name


def _kernel_trouble(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    return any(s in text for s in ("Address already in use", "Kernel didn't respond", "Kernel died", "ZMQError",
                                   "kernel died", "TimeoutError"))


class TownTimeout(Exception):
    """A town's notebook ran past the time limit."""


def _timed_out(exc: BaseException) -> bool:
    return type(exc).__name__ == "CellTimeoutError" or "cell timed out" in str(exc)


def execute(template: Path, output: Path, parameters: dict, timeout: float | None = None) -> None:
    """One Papermill run in this thread's warm kernel (jixiao.run.engines), each cell limited to
    `timeout` seconds; a kernel that fails to start is retried once before the town fails; a cell
    that runs too long is not retried. The notebook is written once, at the end, also when it
    fails or times out (then as far as it ran)."""
    skip_unused_format_checks()
    import papermill as pm

    from .engines import ENGINE

    for attempt in range(KERNEL_RETRIES + 1):
        try:
            pm.execute_notebook(str(template), str(output), parameters=parameters, progress_bar=False,
                                engine_name=ENGINE, request_save_on_cell_execute=False, partial_path=str(output),
                                kernel_cwd=str(output.parent),
                                log_output=False, kernel_name=KERNEL, start_timeout=120,
                                execution_timeout=max(1, math.ceil(timeout)) if timeout else None,
                                extra_arguments=KERNEL_ARGS)
            return
        except pm.PapermillExecutionError:
            raise
        except Exception as exc:
            if _timed_out(exc):
                raise TownTimeout(f"took longer than {timeout:g} s, the time limit per town (--town-timeout)") from None
            if attempt < KERNEL_RETRIES and _kernel_trouble(exc):
                continue
            raise


def _one_line(text: str, limit: int = 300) -> str:
    return " ".join(str(text).split())[:limit]


def run_town(params: TownParams, staging: Path, index_path: Path, neighbours: tuple = (None, None),
             review_path: Path | None = None, timeout: float | None = TOWN_TIMEOUT_S) -> TownRun:
    """Execute the audit notebook for one town and render its pages; never raises.

    neighbours: the previous and next town's (folder name, label), for the pages' links."""
    try:
        return _run_town(params, staging, index_path, neighbours, review_path, timeout)
    except BaseException as exc:  # noqa: BLE001 — a town's failure is the town's, never the batch's
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return TownRun(params.name, params.town, params.year, "failed", _cause(exc))


def _cause(exc: BaseException) -> str:
    first = _one_line(str(exc).splitlines()[0] if str(exc).strip() else "")
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _run_town(params: TownParams, staging: Path, index_path: Path, neighbours: tuple, review_path: Path | None,
              timeout: float | None) -> TownRun:
    return render_town(params, staging, _execute_town(params, staging, index_path, review_path, timeout), neighbours)


def execute_town(params: TownParams, staging: Path, index_path: Path | None = None, review_path: Path | None = None,
                 timeout: float | None = TOWN_TIMEOUT_S) -> TownRun:
    """The town's notebook only (its pages are render_town's); never raises."""
    try:
        return _execute_town(params, staging, index_path, review_path, timeout)
    except BaseException as exc:  # noqa: BLE001
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return TownRun(params.name, params.town, params.year, "failed", _cause(exc))


def _execute_town(params: TownParams, staging: Path, index_path: Path | None, review_path: Path | None,
                  timeout: float | None) -> TownRun:
    import papermill as pm

    run = TownRun(params.name, params.town, params.year)
    folder = staging / params.name
    folder.mkdir(parents=True, exist_ok=True)
    saved = folder / AUDIT
    try:
        # the saved audit when the batch could make one; else the notebook computes it (and shows why it fails)
        execute(notebook_path("audit.ipynb"), folder / "audit.ipynb",
                {**params.notebook_parameters(), "audit_path": AUDIT if saved.exists() else None,
                 "index_path": os.path.relpath(index_path, folder) if index_path else None,
                 "review_path": str(Path(review_path).resolve()) if review_path else None}, timeout)
    except pm.PapermillExecutionError as exc:
        value = _one_line(str(exc.evalue).splitlines()[0] if exc.evalue and str(exc.evalue).strip() else "")
        where = f"in cell {exc.exec_count}" if exc.exec_count else "in the notebook"
        run.status, run.error = "failed", f"{exc.ename}: {value}" if value else f"{exc.ename} {where}"
    except TownTimeout as exc:
        run.status, run.error = "failed", str(exc)
    except Exception as exc:  # kernel could not start, notebook missing…
        run.status, run.error = "failed", _cause(exc)
    return run


def render_town(params: TownParams, staging: Path, run: TownRun, neighbours: tuple = (None, None)) -> TownRun:
    """The pages of a town whose notebook has run (execute_town): the full page and the reviewer's,
    a copy of the source report, the counts from its audit; never raises.

    neighbours: the previous and next town's (folder name, label), for the pages' links."""
    try:
        return _render_town(params, staging, run, neighbours)
    except BaseException as exc:  # noqa: BLE001
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return TownRun(params.name, params.town, params.year, "failed", run.error or _cause(exc))


def _render_town(params: TownParams, staging: Path, run: TownRun, neighbours: tuple) -> TownRun:
    from ..files import write_atomic

    folder = staging / params.name
    folder.mkdir(parents=True, exist_ok=True)
    notebook = folder / "audit.ipynb"
    saved = folder / AUDIT
    links = [("← 返回索引", "../index.html"), ("全县汇总", "../summary.html")]
    for word, neighbour in zip(("上一个", "下一个"), neighbours):
        if neighbour:
            links.append((f"{word}：{neighbour[1]}", f"../{neighbour[0]}/review.html"))
    try:
        source = copy_source(params, folder)
    except OSError:
        source = None
    if source:
        links.append(("报告原文", source))
    title = town_title(params)
    if notebook.exists():
        try:
            to_html(notebook, folder / "full.html", no_input=False, title=f"{title}（含代码）",
                    header=page_header(f"{title}（含代码）", links + [("审核页面", "review.html")]))
            run.pages.append(("完整页面", f"{params.name}/full.html"))
            to_html(notebook, folder / "review.html", no_input=True, title=title,
                    header=page_header(title, links + [("完整页面（含代码）", "full.html")]))
            if run.status == "ok":
                run.pages.insert(0, ("审核页面", f"{params.name}/review.html"))
        except Exception as exc:
            run.status, run.error = "failed", run.error or f"HTML: {_cause(exc)}"
        run.pages.append(("笔记本", f"{params.name}/audit.ipynb"))
    if not (folder / "review.html").exists():  # the neighbours' links lead somewhere
        from ..present.views import text
        write_atomic(folder / "review.html", (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
                                              f'<title>{text(title)}</title></head><body>{page_header(title, links)}'
                                              f'<p>处理失败：{text(run.error or "")}</p></body></html>\n').encode("utf-8"))
    if source:
        run.pages.append(("报告原文", f"{params.name}/{source}"))
    if run.status == "ok" and saved.exists():
        try:
            from ..audit import Audit
            audit = Audit.load(saved)
            run.counts = audit.counts()
            run.share = audit.reuse_summary["share"]
            run.alert = audit.share_alert(params.thresholds) is not None
        except Exception as exc:
            run.status, run.error = "failed", f"unreadable audit: {_cause(exc)}"
    elif run.status == "ok":
        run.status, run.error = "failed", "the batch could not analyse the report"
    return run


def analyse_towns(towns: list[TownParams], staging: Path, review_path: Path | None = None,
                  ready=None) -> list[str]:
    """Read every report of every town and corpus once, index them once, and save each town's
    Audit (jixiao.audit.analyse, run once per town) beside its notebook, which then only displays
    it. Returns one line per file that could not be read or town that could not be analysed; such
    a town's notebook computes its audit itself, so that its page shows the failure.

    ready: called with each town's name, in order, once its audit is saved (or could not be made),
    so that its notebook can run while the next towns are analysed."""
    from ..audit import analyse
    from ..errors import failure_cause
    from ..model.report import load_report
    from ..read.ingest import expand_paths
    from ..reuse.index import ReuseIndex, snapshot
    from ..review import decisions, load_store
    from ..rules.subject import Context

    errors, reports = [], {}
    files = [str(t.report) for t in towns] + [p for t in towns if t.corpus for p in expand_paths([t.corpus])]
    for p in files:
        key = str(Path(p).resolve())
        if key in reports:
            continue
        try:
            reports[key] = load_report(p)
        except Exception as exc:  # noqa: BLE001 — the town's own notebook will report it
            reports[key] = None
            errors.append(f"{p}: {failure_cause(exc)}")
    index = ReuseIndex()
    index.add_many([r for r in reports.values() if r is not None])
    marks = decisions(load_store(review_path)) if review_path else {}
    for t in towns:
        try:
            report = reports.get(str(Path(t.report).resolve()))
            if report is None:
                continue
            others, skipped = [], []
            for p in expand_paths([t.corpus]) if t.corpus else []:
                key = str(Path(p).resolve())
                if key == str(Path(t.report).resolve()):
                    continue
                if reports.get(key) is None:
                    skipped.append(next((e for e in errors if e.startswith(f"{p}: ")), f"{p}: cannot be read"))
                else:
                    others.append(reports[key])
            try:
                audit = analyse(report, Context([report] + others, index=snapshot(index, report)), only=t.rules,
                                review=marks, thresholds=t.thresholds)
            except Exception as exc:  # noqa: BLE001
                errors.append(f"{t.name}: {failure_cause(exc)}")
                continue
            audit.skipped = skipped
            audit.save(staging / t.name / AUDIT)
        finally:
            if ready is not None:
                ready(t.name)
    return errors


def run_batch(params_dir: str | Path, out_dir: str | Path, jobs: int = 1, scheduler: str | None = None,
              progress: bool = True, review_path: str | Path | None = None,
              town_timeout: float | None = TOWN_TIMEOUT_S) -> list[TownRun]:
    """review_path: the reviewers' decisions (jixiao review import); by default PARAMS_DIR/review.json."""
    skip_unused_format_checks()
    params_dir, out_dir = Path(params_dir), Path(out_dir)
    files = sorted(p for p in params_dir.glob("*.y*ml") if p.suffix in (".yaml", ".yml")) if params_dir.is_dir() else []
    if not files:
        raise JixiaoError(f"{params_dir}: no parameters files (*.yaml); write them with `jixiao params REPORTS_DIR`")
    out_dir = Path(os.path.abspath(out_dir))
    try:  # what can be refused before the parameters are read: then no kernel starts
        check_out_dir(out_dir, [params_dir, *files])
    except JixiaoError:
        towns, _ = _load_towns(files)
        check_out_dir(out_dir, _inputs(params_dir, files, towns))  # the more precise cause first (it holds a report)
        raise
    try:
        # the kernels start first: they warm up while the parameters are checked (which imports every
        # rule) and the reports read; a --out refused after all (it holds a report) stops them again
        with _start_kernels(max(1, min(jobs, len(files))), scheduler) as lanes:
            return _batch(params_dir, files, out_dir, lanes, scheduler, progress, review_path, town_timeout)
    finally:
        if "jixiao.run.kernels" in sys.modules:  # no kernel of this batch outlives it
            sys.modules["jixiao.run.kernels"].shutdown_all()


def _load_towns(files: list[Path]) -> tuple[list[TownParams], list[TownRun]]:
    """Each parameters file's town, or a failed TownRun when the file cannot be used."""
    towns, runs = [], []
    for f, name in zip(files, unique_names(files)):
        try:
            t = load_params(f)
            t.name = name
            towns.append(t)
        except ParamsError as exc:
            runs.append(TownRun(name, status="failed", error=exc.cause))
        except Exception as exc:  # noqa: BLE001 — a bad params file fails its own town only
            runs.append(TownRun(name, status="failed", error=f"cannot read parameters ({type(exc).__name__})"))
    return towns, runs


def _inputs(params_dir: Path, files: list[Path], towns: list[TownParams]) -> list[Path]:
    """What a batch reads: --out must hold none of it."""
    return [params_dir, *files] + [t.report for t in towns] + [t.corpus for t in towns if t.corpus]


def _batch(params_dir: Path, files: list[Path], out_dir: Path, lanes, scheduler, progress, review_path,
           town_timeout) -> list[TownRun]:
    towns, runs = _load_towns(files)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    inputs = _inputs(params_dir, files, towns)
    check_out_dir(out_dir, inputs)  # before the lock, so a refused --out leaves no lock file beside it
    with BatchLock(out_dir):
        check_out_dir(out_dir, inputs)  # again: another run may have changed it meanwhile
        clean_stale(out_dir)
        staging = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        (staging / MARKER).write_text("made by jixiao batch; this folder is replaced whole by the next batch\n",
                                      encoding="utf-8")
        try:
            review = Path(review_path) if review_path else params_dir / "review.json"
            review = review.resolve() if review.is_file() else None
            summary = []  # the summary notebook, started early in an idle kernel while the last towns run
                          # (with one kernel: queued behind its last town);
                          # it reads only the towns' saved audits, all made by then, and is run again
                          # if a town fails after all (its audit is then retired: _retire_failed)
            runs += _run_all(towns, staging, None, scheduler, progress, review, town_timeout, lanes,
                             analysis=lambda ready: analyse_towns(towns, staging, review, ready),
                             early=lambda: summary.append(lanes.submit(execute, *_summary_notebook(staging))))
            runs.sort(key=lambda r: r.name)
            _retire_failed(runs, staging)
            _finish(runs, staging, lanes, summary[0] if summary else None)
            fix_modes(staging)
            _swap(staging, out_dir)
        except BaseException:
            if lanes is not None:  # first let the running towns end: they write into the staging folder
                lanes.close(cancel=True)
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return runs


def end_process(status: int):
    """End this process with `status` once a batch is done, without Python's teardown of its ~2,000
    modules one by one (half a second, after every output is written). What an exit must still do
    is done first: the standard streams flushed, the exit handlers run (the kernels' shutdown,
    logging's flush, a caller's own). For the `jixiao batch` command's own process only (cli)."""
    import atexit

    def flush() -> None:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 — a closed pipe: nothing more can be said on it
                pass

    flush()
    atexit._run_exitfuncs()
    flush()   # what the exit handlers wrote
    os._exit(status)


def neighbours(towns: list[TownParams]) -> dict[str, tuple]:
    """Each town's previous and next town in name order: (folder name, label) or None."""
    ordered = sorted(towns, key=lambda t: t.name)
    labels = [(t.name, f"{t.town or t.name}{t.year or ''}") for t in ordered]
    return {t.name: (labels[k - 1] if k else None, labels[k + 1] if k + 1 < len(labels) else None)
            for k, t in enumerate(ordered)}


def fix_modes(folder: Path) -> None:
    """Every output readable as the umask allows (0644 / 0755 under umask 022), whatever wrote it."""
    from ..files import umask_mode

    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(umask_mode(0o777) if path.is_dir() else umask_mode())


def unique_names(files: list[Path]) -> list[str]:
    """One output name per parameters file, even when two stems sanitise to the same name (or differ
    only in case, for case-insensitive disks): the later file, in sorted order, gets a suffix."""
    from .params import safe_name

    names, taken = [], set()
    for f in files:
        base = safe_name(f.stem)
        name, k = base, 2
        while name.casefold() in taken:
            name, k = f"{base}-{k}", k + 1
        taken.add(name.casefold())
        names.append(name)
    return names


def _inside(path: Path, folder: Path) -> bool:
    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(folder))
        return True
    except ValueError:
        return False


def check_out_dir(out_dir: Path, inputs: list[Path]) -> None:
    """Refuse an --out that replacing would lose work: the current directory or one above it, a
    folder holding the inputs, a symlink, a file, or a non-empty folder jixiao did not make."""
    real = Path(os.path.realpath(out_dir))
    if out_dir.is_symlink():
        raise JixiaoError(f"--out {out_dir}: is a symbolic link; give the folder itself")
    if _inside(Path.cwd(), real) or real == Path(real.anchor) or _inside(Path.home(), real):
        raise JixiaoError(f"--out {out_dir}: is the current directory, your home or a folder above them; "
                          f"refusing to replace it (give a new folder, e.g. --out outputs)")
    for p in inputs:
        if _inside(p, real):
            raise JixiaoError(f"--out {out_dir}: holds the batch's inputs ({p.name}); refusing to replace it")
    if real.exists():
        if not real.is_dir():
            raise JixiaoError(f"--out {out_dir}: is a file, not a folder")
        try:
            entries = [e.name for e in os.scandir(real)]
        except OSError as exc:
            raise JixiaoError(f"--out {out_dir}: cannot be listed ({exc.strerror})") from None
        if entries and MARKER not in entries and set(entries) != {".gitkeep"}:
            raise JixiaoError(f"--out {out_dir}: holds {len(entries)} file(s) that jixiao did not make (no {MARKER}); "
                              f"refusing to replace it — give an empty or new folder")


class BatchLock:
    """An exclusive lock on --out (fcntl on a file beside it): a second batch on the same folder is
    refused at once. The kernel drops the lock when the process dies, even by SIGKILL, so a lock
    file left behind never blocks the next run."""

    def __init__(self, out_dir: Path):
        self.path = out_dir.parent / f".{out_dir.name}.lock"
        self.fd: int | None = None

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            import fcntl
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # not Unix: an exclusive create stands in for the lock
            pass
        except OSError:
            holder = os.read(self.fd, 200).decode("utf-8", "replace").strip() or "?"
            os.close(self.fd)
            self.fd = None
            raise JixiaoError(f"another batch is writing to {self.path.parent / self.path.name[1:-5]} "
                              f"({holder}); wait for it to finish, or give another --out") from None
        os.ftruncate(self.fd, 0)
        os.write(self.fd, f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            os.close(self.fd)  # closing releases the lock; the empty file stays (removing it would race)
            self.fd = None


_LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?P<kind>staging|old)-(?P<pid>\d+)$")


def clean_stale(out_dir: Path) -> list[Path]:
    """Remove staging and old folders of earlier runs on out_dir. Called with the lock held, so
    their runs are dead: a live run would hold the lock. A run killed between its two renames left
    the previous outputs as an old folder and no out_dir: they are put back first."""
    leftovers = []
    for entry in sorted(out_dir.parent.iterdir()):
        m = _LEFTOVER.match(entry.name)
        if m and m["name"] == out_dir.name and int(m["pid"]) != os.getpid():
            leftovers.append((m["kind"], entry))
    for kind, entry in leftovers:
        if kind == "old" and not out_dir.exists() and (entry / MARKER).exists():
            os.replace(entry, out_dir)
    removed = []
    for kind, entry in leftovers:
        if entry.exists():
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _retire_failed(runs: list[TownRun], staging: Path) -> None:
    """One list of towns for every output: a failed town's results (if its notebook wrote any before
    failing) are renamed, so the summary, the spreadsheet and the index all leave it out alike."""
    for r in runs:
        saved = staging / r.name / AUDIT
        if r.status != "ok" and saved.exists():
            os.replace(saved, saved.with_name("audit.failed.json"))


def _engines():
    """jixiao.run.engines, imported when a batch first runs a notebook (it imports Papermill)."""
    skip_unused_format_checks()
    from . import engines
    return engines


class Lanes:
    """`jobs` threads of this process, each with its own kernel, started at once and warming up
    (imports, font, a first chart) while the batch reads and indexes the reports; `submit` hands a
    call to the first free thread, which runs its notebook in its kernel. Threads, not processes:
    a worker process would import Papermill and jixiao again before its first town (about a second
    of CPU each), and the kernels are processes already (one thread drives one kernel through its
    own event loop; Papermill is only unsafe across threads when given a `cwd`, which jixiao does
    not pass — the warm engine moves the kernel into the town's folder instead)."""

    def __init__(self, jobs: int):
        import queue
        import threading

        self._tasks: queue.Queue = queue.Queue()
        self._closed = False
        launched = [threading.Event() for _ in range(max(1, jobs))]
        self._threads = [threading.Thread(target=self._lane, args=(event,), name=f"jixiao-kernel-{k}", daemon=True)
                         for k, event in enumerate(launched)]
        for thread in self._threads:
            thread.start()
        # the kernels' processes are launched before this process's own work competes with their
        # threads for the interpreter: a kernel's start is the longer way to the first town
        for event in launched:
            event.wait(LAUNCH_WAIT_S)

    def _lane(self, launched) -> None:
        from . import kernels

        try:
            kernels.prestart(KERNEL, KERNEL_ARGS, WARM_UP)
        except Exception:  # noqa: BLE001 — the first town starts it again, and fails with the cause if it cannot
            pass
        finally:
            launched.set()
        try:
            _engines()  # Papermill imported while the kernel warms up, not when the first town is due
        except Exception:  # noqa: BLE001 — the first town imports it again, and fails with the cause
            pass
        try:
            while (task := self._tasks.get()) is not None:
                future, fn, args = task
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(fn(*args))
                    except BaseException as exc:  # noqa: BLE001 — handed to whoever waits for it
                        future.set_exception(exc)
        finally:
            kernels.shutdown()  # this thread's kernel ends with the batch

    @property
    def size(self) -> int:
        return len(self._threads)

    def submit(self, fn, *args):
        from concurrent.futures import Future

        future: Future = Future()
        self._tasks.put((future, fn, args))
        return future

    def close(self, cancel: bool = False) -> None:
        """Let the threads finish (their running notebooks end; with `cancel`, none still waiting
        is started) and stop their kernels. Closing again does nothing."""
        import queue

        if self._closed:
            return
        self._closed = True
        if cancel:
            while True:
                try:
                    task = self._tasks.get_nowait()
                except queue.Empty:
                    break
                if task is not None:
                    task[0].cancel()
        for _ in self._threads:
            self._tasks.put(None)
        for thread in self._threads:
            thread.join()


@contextlib.contextmanager
def _start_kernels(jobs: int, scheduler: str | None):
    """The kernels that will run the notebooks, `jobs` of them (Lanes, yielded), started now so that
    they warm up while this process checks the parameters and reads and indexes the reports. A Dask
    cluster starts its own."""
    if scheduler:
        yield None
        return
    lanes = Lanes(jobs)
    try:
        yield lanes
    except BaseException:
        lanes.close(cancel=True)  # the batch failed: no town still waiting is started
        raise
    lanes.close()


def _in_order_of(analysis) -> Iterator[str]:
    """Run `analysis(ready)` in a thread of this process and yield each town's name as the analysis
    passes it to `ready`; what the analysis raises is raised here."""
    import queue
    import threading

    done = object()
    names: queue.Queue = queue.Queue()

    def work() -> None:
        try:
            analysis(names.put)
        except BaseException as exc:  # noqa: BLE001 — handed to the batch's thread
            names.put(exc)
        else:
            names.put(done)

    thread = threading.Thread(target=work, name="jixiao-analysis", daemon=True)
    thread.start()
    while (item := names.get()) is not done:
        if isinstance(item, BaseException):
            raise item
        yield item
    thread.join()


def _run_all(towns, staging, index_path, scheduler, progress, review=None,
             timeout=TOWN_TIMEOUT_S, lanes=None, analysis=None, early=None) -> list[TownRun]:
    """Every town's notebook (in a kernel of `lanes` — this thread's without them — or Dask's) and its pages.

    analysis: a function that makes the towns' audits and calls its argument with each town's name
    once that town's audit is saved (analyse_towns): it runs in a thread, and each town's notebook
    starts as soon as its audit exists. The pages of a town are rendered by another thread of this
    process while the kernels run the next towns.

    early: called once, with lanes, when every town is analysed and handed on, none has failed so far,
    and fewer towns are still running than there are kernels (one is idle) — with one kernel, at once
    (its queue runs the call right after its last town, while the pages are rendered): see run_batch."""
    from concurrent.futures import ThreadPoolExecutor

    from tqdm import tqdm

    near = neighbours(towns)
    by_name = {t.name: t for t in towns}
    if analysis is None or scheduler:
        if analysis is not None:
            analysis(lambda name: None)
        order = [t.name for t in towns]
    else:
        order = _in_order_of(analysis)

    bar = tqdm(total=len(towns), desc="乡镇", unit="个", disable=not progress, file=sys.stderr)
    out = []
    if scheduler:
        from .distributed import run_on_dask
        for run in run_on_dask(scheduler, towns, staging, index_path, {t.name: (near[t.name], review, timeout) for t in towns}):
            out.append(run)
            bar.update()
        bar.close()
        return out
    pages = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="jixiao-pages") as renderer:
        def run(t: TownParams):
            """A town's notebook, then its pages handed to the renderer (before the town counts as done)."""
            try:
                done = execute_town(t, staging, index_path, review, timeout)
            except Exception as exc:  # noqa: BLE001 — execute_town never raises but for an interrupt
                done = TownRun(t.name, t.town, t.year, "failed", _cause(exc))
            page = renderer.submit(render_town, t, staging, done, near[t.name])
            page.add_done_callback(lambda _: bar.update())
            return done.status, page

        if lanes is None:
            pages = [run(by_name[name])[1] for name in order]
        else:
            from concurrent.futures import FIRST_COMPLETED, wait

            futures = []
            for name in order:
                futures.append(lanes.submit(run, by_name[name]))
                if len(futures) == 1:
                    renderer.submit(_warm_pages)  # nbconvert imported while the kernels run the first towns
            pending = set(futures)  # every town analysed and handed on from here
            failed = any(f.done() and (f.exception() is not None or f.result()[0] != "ok") for f in futures)
            while pending:
                if early is not None and not failed and (len(pending) < lanes.size or lanes.size == 1):
                    early()  # a kernel is idle, or the only one takes it after its last town (see run_batch)
                    early = None
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                failed = failed or any(f.exception() is not None or f.result()[0] != "ok" for f in done)
            pages = [f.result()[1] for f in futures]
        out = [p.result() for p in pages]
    bar.close()
    return out


def _summary_notebook(staging: Path) -> tuple:
    """execute()'s arguments for the county summary notebook."""
    return notebook_path("summary.ipynb"), staging / "summary.ipynb", {"results_dir": "."}


def _finish(runs: list[TownRun], staging: Path, lanes=None, early=None) -> None:
    """The spreadsheet, the CSV, the county summary (its notebook run by a warm kernel of `lanes`
    while this thread writes the spreadsheet, or here), the index page and a machine-readable status.

    early: the summary notebook's run, started while the last towns ran (run_batch); kept when every
    town succeeded, else run again once it has ended (it may have seen a town's audit since retired)."""
    from concurrent.futures import wait

    from ..audit import Audit
    from ..files import write_atomic
    from ..present.exports import index_html, write_csv, write_xlsx

    summary = _summary_notebook(staging)
    running = early
    if early is not None and any((staging / r.name / "audit.failed.json").exists() for r in runs):
        wait([early])  # a town it counted has failed since (_retire_failed); both runs write summary.ipynb
        running = None
    if running is None and lanes is not None:
        running = lanes.submit(execute, *summary)
    results = []
    for r in runs:
        path = staging / r.name / AUDIT
        if r.status == "ok" and path.exists():
            results.append(Audit.load(path).results())
    write_xlsx(staging / "findings.xlsx", results)
    write_csv(staging / "findings.csv", results)
    try:
        running.result() if running is not None else execute(*summary)
        to_html(staging / "summary.ipynb", staging / "summary.html", no_input=True, title="全县汇总",
                header=page_header("全县汇总", [("← 返回索引", "index.html"), ("问题清单（Excel）", "findings.xlsx")]))
    except Exception as exc:
        write_atomic(staging / "summary.html", f"<p>全县汇总生成失败：{type(exc).__name__}</p>".encode("utf-8"))
    write_atomic(staging / "index.html", index_html([asdict(r) for r in runs]).encode("utf-8"))
    status = {"towns": [asdict(r) for r in runs], "failed": sum(r.status != "ok" for r in runs)}
    write_atomic(staging / "batch.json", (json.dumps(status, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def _swap(staging: Path, out_dir: Path) -> None:
    """Replace out_dir by the staging folder: two renames, the old outputs removed after."""
    old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
    keep = [p for p in out_dir.iterdir() if p.name == ".gitkeep"] if out_dir.exists() else []
    for p in keep:
        shutil.copy2(p, staging / p.name)
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(staging, out_dir)
    shutil.rmtree(old, ignore_errors=True)
