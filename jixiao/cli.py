"""The `jixiao` command: text, outline, figures, check, score."""
from __future__ import annotations

import argparse
import json
import sys

from . import __version__
from .errors import JixiaoError


def _safe(s: str) -> str:
    from .errors import printable
    return printable(s)


def _out(s: str) -> None:
    """UTF-8 whatever the locale; a file name that is not UTF-8 is written with \\xNN escapes."""
    sys.stdout.buffer.write(_safe(s).encode("utf-8", "backslashreplace"))
    sys.stdout.flush()


def _err(s: str) -> None:
    sys.stderr.buffer.write(f"jixiao: {_safe(s)}\n".encode("utf-8", "backslashreplace"))
    sys.stderr.flush()


def _progress(quiet: bool = False):
    """A tqdm bar on stderr for long runs: shown after 2 s, only on a terminal, never with --quiet."""
    from tqdm import tqdm

    def wrap(items, label):
        items = list(items)
        return tqdm(items, desc=label, unit="份", file=sys.stderr, delay=2, leave=False,
                    disable=True if quiet else None)
    return wrap


def threshold_pair(value: str) -> tuple[str, float]:
    """--threshold NAME=VALUE: a registered threshold and a number in its range."""
    from .rules import PARAMETERS, RegistryError, default_thresholds

    default_thresholds()
    name, sep, number = value.partition("=")
    name = name.strip()
    if not sep or name not in PARAMETERS:
        raise argparse.ArgumentTypeError(f"give NAME=VALUE with NAME one of {', '.join(sorted(PARAMETERS))}; not {value[:40]!r}")
    try:
        return name, PARAMETERS[name].check(float(number))
    except (ValueError, RegistryError) as exc:
        raise argparse.ArgumentTypeError(str(exc) if isinstance(exc, RegistryError) else
                                         f"{name}: {number.strip()[:20]!r} is not a number") from None


def rule_list(value: str) -> list[str]:
    """--rules A01,B03: registered ids only, written as the catalogue writes them (upper case)."""
    from .rules import rule_titles

    titles = rule_titles()
    ids = [v.strip() for v in value.split(",") if v.strip()]
    if not ids:
        raise argparse.ArgumentTypeError("no rule id given (e.g. --rules A01,B03)")
    for rid in ids:
        if rid not in titles:
            hint = f"; rule ids are upper case: {rid.upper()}" if rid.upper() in titles else ""
            raise argparse.ArgumentTypeError(f"unknown rule {rid!r}{hint} (known: {', '.join(titles)})")
    return ids


def positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n <= 0:
        raise argparse.ArgumentTypeError(f"must be 1 or more (got {n})")
    return n


FAIL_ON = {"high": ("high",), "medium": ("high", "medium")}
EXIT_FINDINGS = 3


def cmd_text(args) -> int:
    from .read.ingest import read_text
    _out(read_text(args.file))
    return 0


def cmd_outline(args) -> int:
    from .model.report import load_report
    from .present.text_views import outline_text
    _out(outline_text(load_report(args.file)))
    return 0


def cmd_figures(args) -> int:
    from .model.report import load_report
    from .present.text_views import figures_frame
    frame = figures_frame(load_report(args.file))
    if args.csv:
        _out(frame.to_csv(index=False))
    else:
        import pandas as pd
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                               "display.max_colwidth", 30):
            _out(frame.to_string(index=False) + "\n")
    return 0


def cmd_claims(args) -> int:
    import pandas as pd

    from .rules.arithmetic import claims_frame
    from .model.report import load_report
    frame = claims_frame(load_report(args.file))
    if args.all is False:
        frame = frame[frame["status"] != "consistent"]
    if args.csv:
        _out(frame.to_csv(index=False))
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 250,
                               "display.max_colwidth", 60):
            _out(frame.drop(columns=["message"]).to_string(index=False) + "\n")
    return 0


def cmd_check(args) -> int:
    from .rules.findings import dumps
    from .run.check_files import as_json, check_paths
    index = None
    if args.index:
        from .reuse.index import ReuseIndex
        index = ReuseIndex.load(args.index)
    outcomes = check_paths(args.files, only=args.rules, index=index, progress=_progress(args.quiet),
                           thresholds=dict(args.threshold) if args.threshold else None)
    failed = [o for o in outcomes if o.error is not None]
    for o in failed:
        _err(f"{o.path}: {o.error}")
    if args.json:
        _out(dumps(as_json(outcomes)))
    else:
        for o in outcomes:
            if o.error is not None:
                _out(f"{o.path}: ERROR {o.error}\n")
                continue
            m = o.report.meta
            _out(f"{o.path}: {m.unit or m.town or '?'} {m.year or '?'} {m.kind or ''} — {len(o.findings)} findings\n")
            for f in o.findings:
                _out(f"  {f.rule} {f.severity:<6} {f.start}-{f.end} {f.message}\n")
    if failed:
        return 1
    if args.fail_on and any(f.severity in FAIL_ON[args.fail_on] for o in outcomes for f in o.findings):
        return EXIT_FINDINGS
    return 0


def cmd_index(args) -> int:
    from .errors import ReportError
    from .model.report import load_report
    from .read.ingest import expand_paths
    from .reuse.index import ReuseIndex
    if args.action == "show":
        index = ReuseIndex.load(args.index)
        for entry in sorted(index.reports.values(), key=lambda e: (e.town or "", e.year or 0, e.name)):
            _out(f"{entry.key}  {entry.town or '?'}  {entry.year or '?'}  {len(entry.clauses):4d} clauses  {entry.path}\n")
        _out(f"{len(index)} reports\n")
        return 0
    index = ReuseIndex.load(args.index) if args.action == "add" else ReuseIndex()
    failed = 0
    added = 0
    for path in _progress(args.quiet)(expand_paths(args.files), "索引"):
        try:
            added += index.add(load_report(path))
        except ReportError as exc:
            _err(str(exc))
            failed += 1
    index.save(args.index)
    _out(f"{args.index}: {len(index)} reports ({added} added)\n")
    return 1 if failed else 0


def cmd_params(args) -> int:
    from .run.params import write_params
    written, errors = write_params(args.reports_dir, args.out, args.corpus)
    for e in errors:
        _err(e)
    for w in written:
        _out(f"{w}\n")
    return 1 if errors else 0


def cmd_batch(args) -> int:
    from .run.batch import run_batch
    runs = run_batch(args.params_dir, args.out, jobs=args.jobs, scheduler=args.scheduler, progress=not args.quiet,
                     review_path=args.review, town_timeout=args.town_timeout)
    failed = [r for r in runs if r.status != "ok"]
    for r in failed:
        _err(f"{r.name}: {r.error}")
    import os
    _out(f"{len(runs) - len(failed)} of {len(runs)} towns done; open {os.path.abspath(os.path.join(args.out, 'index.html'))}\n")
    if getattr(args, "own_process", False):  # the command line's process: ended at once (end_process)
        from .run.batch import end_process
        end_process(1 if failed else 0)
    return 1 if failed else 0


def cmd_review(args) -> int:
    from .review import import_workbook, load_store
    if args.action == "import":
        if not args.workbook:
            _err("review import: give the workbook (e.g. jixiao review import outputs/findings.xlsx)")
            return 2
        stored, removed, problems = import_workbook(args.workbook, args.store)
        for p in problems:
            _err(p)
        _out(f"{args.store}: {stored} decisions stored, {removed} removed; the next `jixiao batch` shows them\n")
        return 1 if problems else 0
    store = load_store(args.store)
    for fp, e in store.items():
        _out(f"{fp}  {e.get('decision')}  {e.get('town') or '?'} {e.get('year') or ''}  {e.get('rule') or ''}  "
             f"{(e.get('evidence') or '')[:40]}\n")
    _out(f"{len(store)} decisions in {args.store}\n")
    return 0


def cmd_score(args) -> int:
    from .run.score_expected import score
    with open(args.expected, encoding="utf-8") as fh:
        expected = json.load(fh)
    with open(args.findings, encoding="utf-8") as fh:
        result = json.load(fh)
    sc = score(expected, result, args.reports, set(args.rules.split(",")) if args.rules else None)
    _out("\n".join(sc.lines + [""]) if sc.lines else "")
    ok = sc.recall >= args.min_recall and sc.violations <= args.max_violations and sc.broken == 0
    _out(f"recall {sc.found}/{sc.total} = {sc.recall:.2f}; false positives on known-correct figures: "
         f"{sc.violations}; broken evidence spans: {sc.broken}; {'PASS' if ok else 'FAIL'}\n")
    return 0 if ok else 1


EXAMPLES = {
    "text": "jixiao text examples/reports/01_baisha_2023.txt | less",
    "outline": "jixiao outline examples/reports/03_shimen_2023.pdf",
    "figures": "jixiao figures examples/reports/01_baisha_2023.txt --csv > figures.csv",
    "claims": "jixiao claims examples/reports/01_baisha_2023.txt --all",
    "check": "jixiao check examples/reports --json > findings.json\n  jixiao check reports/ --rules A01,B03 --fail-on high",
    "index": "jixiao index build reuse.idx reports/2022/\n  jixiao index add reuse.idx reports/2023/",
    "params": "jixiao params reports/ --out params",
    "batch": "jixiao params reports/ --out params && jixiao batch params --out outputs --jobs 4",
    "review": "jixiao review import outputs/findings.xlsx --store params/review.json\n  jixiao batch params --out outputs",
    "score": "jixiao score expected.json findings.json --reports reports/",
}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jixiao", description="Audit 绩效自评报告 (budget performance self-evaluation reports).",
                                epilog="example:\n  jixiao params reports/ --out params && jixiao batch params --out outputs\n"
                                       "run `jixiao COMMAND -h` for each command's options and an example",
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"jixiao {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    plain_add = sub.add_parser

    def add_parser(name, **kw):
        return plain_add(name, epilog=f"example:\n  {EXAMPLES[name]}", formatter_class=argparse.RawDescriptionHelpFormatter,
                         description=kw.get("help"), **kw)
    sub.add_parser = add_parser
    s = sub.add_parser("text", help="print a report's source text (what offsets refer to)")
    s.add_argument("file")
    s.set_defaults(func=cmd_text)
    s = sub.add_parser("outline", help="print the section tree, tables and numbering irregularities")
    s.add_argument("file")
    s.set_defaults(func=cmd_outline)
    s = sub.add_parser("figures", help="print every figure with its unit, precision and offsets")
    s.add_argument("file")
    s.add_argument("--csv", action="store_true", help="CSV instead of an aligned table")
    s.set_defaults(func=cmd_figures)
    s = sub.add_parser("claims", help="print the arithmetic claims table: stated, computed, difference, status")
    s.add_argument("file")
    s.add_argument("--all", action="store_true", help="include claims that check out (default: only the others)")
    s.add_argument("--csv", action="store_true")
    s.set_defaults(func=cmd_claims)
    s = sub.add_parser("check", help="check reports given together; --json prints the output contract")
    s.add_argument("files", nargs="+", metavar="FILE", help="report files, or folders of them")
    s.add_argument("--json", action="store_true")
    s.add_argument("--rules", type=rule_list, help="comma-separated rule ids to run, as in the catalogue: A01,B03 (default: all)")
    s.add_argument("--index", help="a saved reuse index (jixiao index build) to search besides the given reports")
    s.add_argument("--threshold", type=threshold_pair, action="append", metavar="NAME=VALUE",
                   help="override one of the rules' thresholds (repeatable), e.g. --threshold repeat_similarity=0.9; "
                        "`jixiao params` writes every threshold with its default")
    s.add_argument("--fail-on", choices=sorted(FAIL_ON), help=f"exit with status {EXIT_FINDINGS} when a finding of this "
                   "severity or higher is found (for scripts and CI)")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_check)
    s = sub.add_parser("index", help="build, extend or list the cross-report reuse index")
    s.add_argument("action", choices=["build", "add", "show"])
    s.add_argument("index", help="the index file")
    s.add_argument("files", nargs="*", metavar="FILE", help="report files, or folders of them")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_index)
    s = sub.add_parser("params", help="write one parameters YAML per township from the reports' own meta")
    s.add_argument("reports_dir")
    s.add_argument("--out", default="params", help="folder for the YAML files (default: params)")
    s.add_argument("--corpus", help="folder of reports to compare with (default: REPORTS_DIR)")
    s.set_defaults(func=cmd_params)
    s = sub.add_parser("batch", help="run the audit notebook for every township and render the pages")
    s.add_argument("params_dir", nargs="?", default="params")
    s.add_argument("--out", default="outputs", help="output folder, replaced whole; only an empty folder or one "
                                                     "made by jixiao is replaced (default: outputs)")
    s.add_argument("--jobs", type=positive_int, default=1, help="parallel processes on this machine (1 or more)")
    s.add_argument("--town-timeout", type=float, default=600, metavar="SECONDS",
                   help="time limit per town, per notebook cell (default: 600); a town over it fails")
    s.add_argument("--review", help="reviewers' decisions (jixiao review import; default: PARAMS_DIR/review.json)")
    s.add_argument("--scheduler", help="a Dask scheduler address, or local:N for a LocalCluster of N workers")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_batch)
    s = sub.add_parser("review", help="store the 复核结论 filled in the workbook, for the next batch")
    s.add_argument("action", choices=["import", "show"])
    s.add_argument("workbook", nargs="?", help="findings.xlsx with the 复核结论 column filled (for import)")
    s.add_argument("--store", default="params/review.json",
                   help="the decisions file, JSON (default: params/review.json, where `jixiao batch params` looks)")
    s.set_defaults(func=cmd_review)
    s = sub.add_parser("score", help="score a findings JSON against an expected-findings file")
    s.add_argument("expected")
    s.add_argument("findings")
    s.add_argument("--reports", help="folder holding the reports (default: the paths in the findings)")
    s.add_argument("--rules", help="comma-separated rule ids to score (default: all)")
    s.add_argument("--min-recall", type=float, default=0.0)
    s.add_argument("--max-violations", type=int, default=10**9)
    s.set_defaults(func=cmd_score)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.own_process = argv is None  # called as the `jixiao` command, not main([...]) from Python
    try:
        return args.func(args)
    except JixiaoError as exc:
        _err(str(exc))
        return 1
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except Exception as exc:  # one line, never a traceback (JIXIAO_DEBUG=1 shows it)
        import os
        if os.environ.get("JIXIAO_DEBUG"):
            raise
        from .errors import failure_cause
        where = getattr(args, "file", None)
        _err(f"{where + ': ' if where else ''}{failure_cause(exc)}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
