"""Run the per-town notebooks on a Dask distributed cluster instead of local processes.

`--scheduler tcp://host:8786` submits to a running cluster; `--scheduler local:N` starts a
LocalCluster of N worker processes on this machine. Workers must have jixiao installed and see the
same file system as the batch (the params' report paths and the output folder).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..errors import JixiaoError


def _client(scheduler: str):
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise JixiaoError("--scheduler needs Dask: pip install 'jixiao[cluster]'") from None
    if scheduler.startswith("local:"):
        try:
            n = int(scheduler.split(":", 1)[1])
        except ValueError:
            raise JixiaoError(f"--scheduler {scheduler}: expected local:N with N a number of workers") from None
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
        return Client(cluster), cluster
    try:
        return Client(scheduler, timeout=30), None
    except OSError as exc:
        raise JixiaoError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc})") from None


def run_on_dask(scheduler: str, towns, staging: Path, index_path: Path, extra: dict | None = None) -> Iterator:
    """Submit one task per town (pure=False: every run executes); yield each TownRun as it ends.

    extra: town name → further arguments of run_town (the pages' neighbours, the review store, the time
    limit per town). A LocalCluster's worker processes exit when the batch dies (distributed watches
    its parent through a pipe), and their kernels follow them."""
    from dask.distributed import as_completed

    from .batch import TownRun, _cause, run_town

    client, cluster = _client(scheduler)
    try:
        futures = {client.submit(run_town, t, staging, index_path, *(extra or {}).get(t.name, ()), pure=False,
                                 key=f"town-{t.name}"): t for t in towns}
        for fut in as_completed(futures):
            t = futures[fut]
            try:
                yield fut.result()
            except Exception as exc:
                yield TownRun(t.name, t.town, t.year, "failed", _cause(exc))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
