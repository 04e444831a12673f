"""A Papermill engine that keeps one warm kernel per process: the batch's towns run one after
another in the same kernel, its namespace reset before each (so no variable of one town is seen by
the next), its imports (jixiao, pandas, matplotlib) already loaded. A town whose notebook fails or
times out gets its kernel shut down, so the next town starts a fresh one.

Registered with Papermill as `jixiao_warm` (entry point group `papermill.engine`, and on import),
so `papermill --engine jixiao_warm …` uses it too. No kernel outlives the process that started it:
`shutdown()` runs at exit, and a kernel whose parent dies exits by itself (ipykernel watches it)."""
from __future__ import annotations

import atexit
import threading

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger

ENGINE = "jixiao_warm"
RESET = "get_ipython().reset(new_session=True, aggressive=False)"

_lock = threading.Lock()
_kernel: dict = {}   # the one warm kernel of this process: "km" (its manager) and "key" (how it was started)
starts = 0           # kernels started by this process (for tests and benchmarks)


def _warm_kernel(kernel_name: str, start_timeout: float, extra_arguments: list[str]):
    """This process's kernel, started on first use or when the kernel died; its namespace reset."""
    global starts
    from jupyter_client.blocking import BlockingKernelClient
    from jupyter_client.manager import AsyncKernelManager  # nbclient needs the asynchronous client
    from jupyter_core.utils import run_sync

    key = (kernel_name, tuple(extra_arguments))
    km = _kernel.get("km")
    if km is not None and (_kernel.get("key") != key or not run_sync(km.is_alive)()):
        shutdown()
        km = None
    if km is None:
        km = AsyncKernelManager(kernel_name=kernel_name)
        run_sync(km.start_kernel)(extra_arguments=list(extra_arguments))
        starts += 1
        _kernel.update(km=km, key=key)
        fresh = True
    else:
        fresh = False
    kc = BlockingKernelClient()
    kc.load_connection_info(km.get_connection_info())
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=start_timeout)
        if not fresh:
            reply = kc.execute_interactive(RESET, silent=True, store_history=False, timeout=start_timeout)
            if reply["content"].get("status") != "ok":
                raise RuntimeError("Kernel died: could not reset the warm kernel's namespace")
    except BaseException:
        kc.stop_channels()
        shutdown()
        raise
    kc.stop_channels()
    return km


def shutdown() -> None:
    """Stop this process's warm kernel, if any."""
    km = _kernel.pop("km", None)
    _kernel.pop("key", None)
    if km is not None:
        try:
            from jupyter_core.utils import run_sync
            run_sync(km.shutdown_kernel)(now=True)
        except Exception:  # already gone
            pass


atexit.register(shutdown)


class WarmEngine(NBClientEngine):
    """NBClientEngine with the kernel kept between notebooks of one process.

    `partial_path` (an engine argument): where to write the notebook as far as it ran when its
    execution ends by an exception (a time-out, a dead kernel) — for callers that turn off
    Papermill's save after every cell (request_save_on_cell_execute=False), which costs a full
    write and validation of the notebook twice per cell."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                 start_timeout=60, execution_timeout=None, **kwargs):
        extra = kwargs.pop("extra_arguments", None) or []
        partial = kwargs.pop("partial_path", None)
        for unused in ("input_path", "timeout", "startup_timeout", "km", "kc"):
            kwargs.pop(unused, None)
        with _lock:  # one kernel, one notebook at a time
            km = _warm_kernel(kernel_name, start_timeout, extra)
            client = PapermillNotebookClient(nb_man, km=km, timeout=execution_timeout, startup_timeout=start_timeout,
                                             kernel_name=kernel_name, log=logger, log_output=log_output,
                                             stdout_file=stdout_file, stderr_file=stderr_file, **kwargs)
            try:
                nb = client.execute()
            except BaseException:
                shutdown()  # a kernel that timed out or died is not trusted with the next town
                if partial:  # the notebook as far as it ran, for whoever debugs the town
                    from papermill.iorw import write_ipynb
                    write_ipynb(nb_man.nb, partial)
                raise
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()
            if _failed(nb_man.nb):
                shutdown()  # nor is the kernel of a notebook that failed
            return nb


def _failed(nb) -> bool:
    return any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


def register() -> None:
    papermill_engines.register(ENGINE, WarmEngine)


register()
