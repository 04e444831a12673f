"""Benchmarks of jixiao: per-report check, the cross-report index, the notebook batch.

    python benchmarks/run.py check  [--n 1000]
    python benchmarks/run.py index  [--n 1000] [--pairs]
    python benchmarks/run.py batch  [--towns N]   (default: the 7 demo towns)

Each prints one JSON line of figures; benchmarks/RESULTS.md records them with the machine.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402


def _reports(n: int):
    from jixiao.report import parse_text
    return [parse_text(text, name) for name, text in corpus.generate(n, seed=1)]


def bench_check(n: int) -> dict:
    """Read, parse and run every per-report rule (all but B03/B05/B09, which need the corpus)."""
    from jixiao.check import Context, run_rules
    from jixiao.report import load_report
    from jixiao.rules import all_rules

    per_report = [r.id for r in all_rules() if r.scope == "report"]
    with tempfile.TemporaryDirectory() as tmp:
        paths = corpus.write(n, tmp, seed=1)
        run_rules(load_report(paths[0]), Context([]), only=per_report)  # imports and caches warm
        times, sizes = [], []
        for p in paths:
            t = time.perf_counter()
            report = load_report(p)
            run_rules(report, Context([report]), only=per_report)
            times.append(time.perf_counter() - t)
            sizes.append(len(report.text))
    times.sort()
    return {"benchmark": "check", "reports": n, "mean_chars": round(statistics.mean(sizes)),
            "median_ms": round(times[len(times) // 2] * 1000, 2), "p95_ms": round(times[int(len(times) * 0.95)] * 1000, 2),
            "rules": per_report}


def bench_index(n: int, pairs: bool) -> dict:
    """Build the reuse index over n reports and search every report against it.

    Reports are parsed in chunks, added, and dropped (as the batch does), then parsed again one by
    one for the search; parsing is timed apart from indexing and searching.
    """
    from jixiao.report import parse_text
    from jixiao.reuse import ReuseIndex

    texts = corpus.generate(n, seed=1)
    index = ReuseIndex()
    parse_s = build_s = 0.0
    for lo in range(0, n, 500):
        t = time.perf_counter()
        chunk = [parse_text(text, name) for name, text in texts[lo:lo + 500]]
        parse_s += time.perf_counter() - t
        t = time.perf_counter()
        index.add_many(chunk)
        build_s += time.perf_counter() - t
    del chunk
    build_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    search_s, found = 0.0, 0
    for name, text in texts:
        t = time.perf_counter()
        report = parse_text(text, name)
        parse_s += time.perf_counter() - t
        t = time.perf_counter()
        found += len(index.reuse(report))
        search_s += time.perf_counter() - t
    out = {"benchmark": "index", "reports": n, "parse_s": round(parse_s, 1), "build_s": round(build_s, 1),
           "search_s": round(search_s, 1), "index_and_search_s": round(build_s + search_s, 1), "passages_found": found,
           "clauses": sum(len(e.clauses) for e in index.reports.values()), "distinct_clauses": len(index.key_ids),
           "rss_after_build_mb": round(build_rss),
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    if pairs:
        from jixiao.passages import clauses
        keys = [{c.key for c in clauses(parse_text(text, name))} for name, text in texts]
        t4 = time.perf_counter()
        shared = sum(1 for i in range(n) for j in range(i + 1, n) if keys[i] & keys[j])
        out["all_pairs_exact_s"] = round(time.perf_counter() - t4, 1)
        out["all_pairs_sharing"] = shared
    return out


def bench_batch(towns: int) -> dict:
    """The whole batch against bare Papermill runs of a one-cell notebook, timed in one run: as many
    bare runs as towns (in this process, so without Papermill's import), then the batch at
    `--jobs 1` and `--jobs 2`, then the bare runs again. towns=0: the 7 demo towns (examples/reports);
    otherwise that many generated reports. The load average is given with each figure (other work on
    the machine slows everything)."""
    import nbformat
    import papermill as pm

    root = HERE.parent
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        empty = tmp / "empty.ipynb"
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("1 + 1")]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, empty)
        if towns:
            reports = tmp / "reports"
            corpus.write(towns, reports, seed=2)
        else:
            reports = root / "examples" / "reports"
        subprocess.run([sys.executable, "-m", "jixiao", "params", str(reports), "--out", str(tmp / "params")],
                       check=True, capture_output=True, cwd=root)
        n = len(list((tmp / "params").glob("*.yaml")))

        def bare() -> tuple[float, float]:
            load = os.getloadavg()[0]
            t = time.perf_counter()
            for k in range(n):
                pm.execute_notebook(str(empty), str(tmp / f"e{k}.ipynb"), progress_bar=False, kernel_name="python3")
            return time.perf_counter() - t, load

        def batch(jobs: int) -> tuple[float, float]:
            load = os.getloadavg()[0]
            t = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "jixiao", "batch", str(tmp / "params"), "--out",
                                   str(tmp / f"out{jobs}"), "--jobs", str(jobs), "--quiet"], capture_output=True, cwd=root)
            if done.returncode:
                raise SystemExit(done.stderr.decode()[-2000:])
            return time.perf_counter() - t, load

        bare1 = bare()
        jobs1 = batch(1)
        jobs2 = batch(2)
        bare2 = bare()
    bare_s = min(bare1[0], bare2[0])
    return {"benchmark": "batch", "towns": n, "bare_papermill_total_s": [round(bare1[0], 2), round(bare2[0], 2)],
            "batch_jobs1_s": round(jobs1[0], 2), "batch_jobs2_s": round(jobs2[0], 2),
            "ratio_jobs1_to_bare": round(jobs1[0] / bare_s, 2), "speedup_jobs2": round(jobs1[0] / jobs2[0], 2),
            "load_average_1min": {"bare1": bare1[1], "jobs1": jobs1[1], "jobs2": jobs2[1], "bare2": bare2[1]}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["check", "index", "batch"])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--towns", type=int, default=0, help="batch: generated towns (0: the 7 demo towns)")
    ap.add_argument("--pairs", action="store_true", help="also time the all-pairs baseline")
    a = ap.parse_args()
    result = {"check": lambda: bench_check(a.n), "index": lambda: bench_index(a.n, a.pairs),
              "batch": lambda: bench_batch(a.towns)}[a.what]()
    result["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
