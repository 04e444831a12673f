"""Benchmarks of jixiao: per-report check, the cross-report index, the notebook batch.

    python benchmarks/run.py check  [--n 1000]
    python benchmarks/run.py index  [--n 1000] [--jobs 2] [--pairs]
    python benchmarks/run.py index  --sizes 1000,10000 [--jobs 2]
    python benchmarks/run.py batch  [--towns N]   (default: the 7 demo towns)
    python benchmarks/run.py all               (check, index at 1000 and 10000, batch: one run)

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
ROUNDS = 3  # batch: bare runs, --jobs 1 and --jobs 2 taken in turn this many times; medians compared
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402


def _reports(n: int):
    from jixiao.model.report import parse_text
    return [parse_text(text, name) for name, text in corpus.generate(n, seed=1)]


def bench_check(n: int) -> dict:
    """Read, parse and run every per-report rule (all but B03/B05/B09, which need the corpus)."""
    from jixiao.rules.subject import Context, run_rules
    from jixiao.model.report import load_report
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


class _Memory:
    """Peak memory of this process and its forked workers together: the sum of their proportional
    set sizes (pages shared copy-on-write counted once), sampled every 0.5 s (reading a large
    process's smaps_rollup takes the kernel a while: at 0.2 s the sampling took ~9 % of the samples
    of a 10,000-report run, on a 2-core machine where the workers need both cores)."""

    def __init__(self):
        import threading
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def _pss(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                return next(int(line.split()[1]) for line in fh if line.startswith("Pss:")) * 1024
        except (OSError, StopIteration, ValueError):
            return 0

    def _tree(self) -> list[int]:
        pids, todo = [], [os.getpid()]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                with open(f"/proc/{pid}/task/{pid}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
            except OSError:
                pass
        return pids

    def _run(self):
        while not self._stop.wait(0.5):
            self.peak = max(self.peak, sum(self._pss(p) for p in self._tree()))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def _texts(n: int) -> list[tuple[str, str]]:
    """The generated corpus, cached as JSON in the temporary folder (generating 10,000 takes a while)."""
    cache = Path(tempfile.gettempdir()) / f"jixiao-bench-corpus-{n}-seed1.json"
    if cache.exists():
        return [tuple(pair) for pair in json.loads(cache.read_text(encoding="utf-8"))]
    texts = corpus.generate(n, seed=1)
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, cache)
    return texts


def _cpu() -> float:
    """CPU seconds (user + system) of this process and of its workers that have ended: with other
    work on the machine, a fairer yardstick between two versions than the wall time."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bench_index(n: int, pairs: bool, jobs: int = 2, dump: str | None = None) -> dict:
    """Build the reuse index over n reports and search every report against it, in `jobs` processes.

    Reports are parsed in chunks, added, and dropped (as a batch of any size must), then parsed
    again chunk by chunk for the search; parsing is timed apart from indexing and searching.
    `dump`: a folder to write the saved index and every report's runs (JSON) into, to compare
    two versions of the code.
    """
    from jixiao.model.report import parse_text
    from jixiao.reuse.index import ReuseIndex

    memory = _Memory()
    texts = _texts(n)
    index = ReuseIndex()
    parse_s = build_s = build_cpu = search_cpu = 0.0
    for lo in range(0, n, 1000):
        t = time.perf_counter()
        chunk = [parse_text(text, name) for name, text in texts[lo:lo + 1000]]
        parse_s += time.perf_counter() - t
        t, c = time.perf_counter(), _cpu()
        index.add_many(chunk, jobs=jobs)
        build_s += time.perf_counter() - t
        build_cpu += _cpu() - c
    del chunk
    build_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    search_s, found, dumped = 0.0, 0, []
    for lo in range(0, n, 1000):
        t = time.perf_counter()
        chunk = [parse_text(text, name) for name, text in texts[lo:lo + 1000]]
        parse_s += time.perf_counter() - t
        t, c = time.perf_counter(), _cpu()
        results = index.reuse_many(chunk, jobs=jobs)
        search_s += time.perf_counter() - t
        search_cpu += _cpu() - c
        found += sum(len(runs) for runs in results)
        if dump:
            from dataclasses import asdict
            dumped += [[asdict(run) for run in runs] for runs in results]
    del chunk
    if dump:
        Path(dump).mkdir(parents=True, exist_ok=True)
        index.save(Path(dump) / "index.bin")
        (Path(dump) / "runs.json").write_text(json.dumps(dumped, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    out = {"benchmark": "index", "reports": n, "jobs": jobs, "parse_s": round(parse_s, 1), "build_s": round(build_s, 1),
           "search_s": round(search_s, 1), "index_and_search_s": round(build_s + search_s, 1),
           "build_cpu_s": round(build_cpu, 1), "search_cpu_s": round(search_cpu, 1), "passages_found": found,
           "clauses": sum(len(e.clauses) for e in index.reports.values()), "distinct_clauses": index.distinct_clauses(),
           "rss_after_build_mb": round(build_rss),
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
           "peak_rss_worker_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
           "peak_pss_all_mb": round(memory.stop() / 2**20),
           "load_before": os.getloadavg()}
    if pairs:
        from jixiao.reuse.passages import clauses
        keys = [{c.key for c in clauses(parse_text(text, name))} for name, text in texts]
        t4 = time.perf_counter()
        shared = sum(1 for i in range(n) for j in range(i + 1, n) if keys[i] & keys[j])
        out["all_pairs_exact_s"] = round(time.perf_counter() - t4, 1)
        out["all_pairs_sharing"] = shared
    return out


def bench_index_sizes(sizes: list[int], jobs: int, pairs: bool) -> list[dict]:
    """One fresh process per size (so that each peak is its own), run one after the other; the
    last line gives the time ratio of the largest to the smallest, measured in the same run."""
    lines = []
    for n in sizes:
        args = [sys.executable, __file__, "index", "--n", str(n), "--jobs", str(jobs)] + (["--pairs"] if pairs else [])
        done = subprocess.run(args, check=True, capture_output=True, text=True)
        lines.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(json.dumps(lines[-1], ensure_ascii=False), flush=True)
    small, large = lines[0], lines[-1]
    return [{"benchmark": "index-ratio", "reports": [small["reports"], large["reports"]], "jobs": jobs,
             "time_ratio": round(large["index_and_search_s"] / small["index_and_search_s"], 2),
             "load_after": os.getloadavg()}]


def bench_batch(towns: int) -> dict:
    """The whole batch against bare Papermill runs of a one-cell notebook, timed in one run: as many
    bare runs as towns (in this process, so without Papermill's import), then the batch at
    `--jobs 1` and `--jobs 2`, all three in turn ROUNDS times (one run of each varies by ±20 % on
    this machine); the medians are compared. towns=0: the 7 demo towns (examples/reports);
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

        def cpu_now() -> float:
            own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
            return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

        def bare() -> tuple[float, float, float, list[float]]:
            """Wall time, load average at the start, CPU seconds (this process's and the kernels'),
            and each run's time: one bare run in five or so stalls about 3 s in jupyter_client's
            kernel shutdown, which would flatter the batch; the baseline is n × the median run."""
            load, cpu = os.getloadavg()[0], cpu_now()
            t, each = time.perf_counter(), []
            for k in range(n):
                t1 = time.perf_counter()
                pm.execute_notebook(str(empty), str(tmp / f"e{k}.ipynb"), progress_bar=False, kernel_name="python3")
                each.append(time.perf_counter() - t1)
            return time.perf_counter() - t, load, cpu_now() - cpu, each

        def batch(jobs: int, k: int) -> tuple[float, float, list[float]]:
            """Wall time, load average at the start, CPU seconds of the batch process and of its
            kernels (rusage, which the load does not distort)."""
            load = os.getloadavg()[0]
            cpu = tmp / f"cpu{jobs}_{k}.json"
            t = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", _WITH_CPU, str(cpu), "batch", str(tmp / "params"), "--out",
                                   str(tmp / f"out{jobs}_{k}"), "--jobs", str(jobs), "--quiet"], capture_output=True, cwd=root)
            if done.returncode:
                raise SystemExit(done.stderr.decode()[-2000:])
            return time.perf_counter() - t, load, [round(x, 2) for x in json.loads(cpu.read_text())]

        rounds = [(bare(), batch(1, k), batch(2, k)) for k in range(ROUNDS)]
    med = lambda xs: round(statistics.median(xs), 2)
    jobs1_s, jobs2_s = (med([r[i][0] for r in rounds]) for i in (1, 2))
    runs = [x for r in rounds for x in r[0][3]]
    bare_s = round(n * statistics.median(runs), 2)
    return {"benchmark": "batch", "towns": n, "rounds": ROUNDS,
            "bare_papermill_total_s": [round(r[0][0], 2) for r in rounds],
            "bare_run_s": {"median": round(statistics.median(runs), 3), "min": round(min(runs), 3),
                           "max": round(max(runs), 3), "stalled_over_2s": sum(x > 2 for x in runs)},
            "batch_jobs1_s": [round(r[1][0], 2) for r in rounds], "batch_jobs2_s": [round(r[2][0], 2) for r in rounds],
            "median_s": {"bare_n_times_median_run": bare_s, "jobs1": jobs1_s, "jobs2": jobs2_s},
            "ratio_jobs1_to_bare": round(jobs1_s / bare_s, 2), "speedup_jobs2": round(jobs1_s / jobs2_s, 2),
            "cpu_s_batch_process_and_kernels": {"jobs1": [r[1][2] for r in rounds], "jobs2": [r[2][2] for r in rounds]},
            "cpu_s_bare": [round(r[0][2], 2) for r in rounds],
            "load_average_1min": [[round(x[1], 2) for x in r] for r in rounds]}


# `jixiao …` in a Python that writes, when it exits, its own CPU seconds and those of the processes it
# waited for (its kernels) to the file given as first argument
_WITH_CPU = """
import atexit, json, resource, runpy, sys
out = sys.argv.pop(1)
def cpu():
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out, "w") as fh:
        json.dump([own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime], fh)
atexit.register(cpu)
sys.argv[0] = "jixiao"
runpy.run_module("jixiao", run_name="__main__", alter_sys=True)
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["check", "index", "batch", "all"],
                    help="all: check (--n), index (--sizes, default 1000,10000) and batch, one after the other")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--sizes", help="index: several sizes, each in its own process, e.g. 1000,10000")
    ap.add_argument("--jobs", type=int, default=2, help="index: processes that key and search")
    ap.add_argument("--towns", type=int, default=0, help="batch: generated towns (0: the 7 demo towns)")
    ap.add_argument("--pairs", action="store_true", help="also time the all-pairs baseline")
    ap.add_argument("--dump", help="index: write the saved index and every report's runs into this folder")
    a = ap.parse_args()
    if a.what == "all":  # every figure of RESULTS.md in one run, each line with the load it ran under
        machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        steps = [lambda: [bench_check(a.n)],
                 lambda: bench_index_sizes([int(x) for x in (a.sizes or "1000,10000").split(",")], a.jobs, a.pairs),
                 lambda: [bench_batch(a.towns)]]
        for step in steps:
            load = os.getloadavg()[0]
            for line in step():
                line.update({"machine": machine, "load_average_1min_at_start": round(load, 2)})
                print(json.dumps(line, ensure_ascii=False), flush=True)
        return
    if a.what == "index" and a.sizes:
        for line in bench_index_sizes([int(x) for x in a.sizes.split(",")], a.jobs, a.pairs):
            line["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
            print(json.dumps(line, ensure_ascii=False))
        return
    result = {"check": lambda: bench_check(a.n), "index": lambda: bench_index(a.n, a.pairs, a.jobs, a.dump),
              "batch": lambda: bench_batch(a.towns)}[a.what]()
    result["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
