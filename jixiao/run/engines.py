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
_kernel: dict = {}   # this process's warm kernel: "km" (manager), "kc" (its client), "key" (how it was started),
                     # "clean" (nothing has run in it yet)
starts = 0           # kernels started by this process (for tests and benchmarks)


def _start(kernel_name: str, extra_arguments: list[str]) -> None:
    """Start this process's kernel and connect one client to it, kept for every town (a client per
    town costs its own wait for the kernel, up to a second)."""
    global starts
    from jupyter_client.manager import AsyncKernelManager  # nbclient needs the asynchronous client
    from jupyter_core.utils import run_sync

    km = AsyncKernelManager(kernel_name=kernel_name)
    run_sync(km.start_kernel)(extra_arguments=list(extra_arguments))
    starts += 1
    kc = km.client()
    kc.allow_stdin = False  # as nbclient's own client: a notebook that asks for input fails, it does not hang
    kc.start_channels()
    _kernel.update(km=km, kc=kc, key=(kernel_name, tuple(extra_arguments)), clean=True, ready=False)


def prestart(kernel_name: str = "python3", extra_arguments: list[str] | None = None, warm_up: str | None = None) -> None:
    """Start this process's kernel now, without waiting for it, and have it run `warm_up` (imports,
    say) while this process does other work; the first notebook then finds it ready. The namespace
    is reset before that notebook like before any other."""
    with _lock:
        if "km" in _kernel:
            return
        _start(kernel_name, list(extra_arguments or []))
        if warm_up:
            _kernel["kc"].execute(warm_up, silent=True, store_history=False)
            _kernel["clean"] = False


def _warm_kernel(kernel_name: str, start_timeout: float, extra_arguments: list[str]):
    """This process's kernel and client, started on first use or when the kernel died; its namespace reset."""
    from jupyter_core.utils import run_sync

    key = (kernel_name, tuple(extra_arguments))
    km = _kernel.get("km")
    if km is not None and (_kernel.get("key") != key or not run_sync(km.is_alive)()):
        shutdown()
    if "km" not in _kernel:
        _start(kernel_name, extra_arguments)
    km, kc = _kernel["km"], _kernel["kc"]
    try:
        if not _kernel["ready"]:
            run_sync(kc.wait_for_ready)(timeout=start_timeout)
            _kernel["ready"] = True
        if not _kernel["clean"]:
            reply = run_sync(kc.execute_interactive)(RESET, silent=True, store_history=False, timeout=start_timeout)
            if reply["content"].get("status") != "ok":
                raise RuntimeError("Kernel died: could not reset the warm kernel's namespace")
    except BaseException:
        shutdown()
        raise
    _kernel["clean"] = False
    return km, kc


def _in_kernel(kc, code: str, timeout: float) -> None:
    from jupyter_core.utils import run_sync

    reply = run_sync(kc.execute_interactive)(code, silent=True, store_history=False, timeout=timeout)
    if reply["content"].get("status") != "ok":
        shutdown()
        raise RuntimeError(f"Kernel died: could not run {code!r}")


def shutdown() -> None:
    """Stop this process's warm kernel, if any."""
    km, kc = _kernel.pop("km", None), _kernel.pop("kc", None)
    _kernel.clear()
    if kc is not None:
        try:
            kc.stop_channels()
        except Exception:
            pass
    if km is not None:
        try:
            from jupyter_core.utils import run_sync
            run_sync(km.shutdown_kernel)(now=True)
        except Exception:  # already gone
            pass


atexit.register(shutdown)


class WarmEngine(NBClientEngine):
    """NBClientEngine with the kernel kept between notebooks of one process.

    `kernel_cwd` (an engine argument): the folder the notebook runs in, so that paths given to it
    relative to its own folder hold (the kept kernel does not start there as a fresh one would).
    `partial_path` (an engine argument): where to write the notebook as far as it ran when its
    execution ends by an exception (a time-out, a dead kernel) — for callers that turn off
    Papermill's save after every cell (request_save_on_cell_execute=False), which costs a full
    write and validation of the notebook twice per cell."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                 start_timeout=60, execution_timeout=None, **kwargs):
        extra = kwargs.pop("extra_arguments", None) or []
        partial = kwargs.pop("partial_path", None)
        cwd = kwargs.pop("kernel_cwd", None)
        for unused in ("input_path", "timeout", "startup_timeout", "km", "kc"):
            kwargs.pop(unused, None)
        with _lock:  # one kernel, one notebook at a time
            km, kc = _warm_kernel(kernel_name, start_timeout, extra)
            if cwd:  # the notebook's own folder, as a fresh kernel started there would have it
                _in_kernel(kc, f"__import__('os').chdir({str(cwd)!r})", start_timeout)
            client = PapermillNotebookClient(nb_man, km=km, timeout=execution_timeout, startup_timeout=start_timeout,
                                             kernel_name=kernel_name, log=logger, log_output=log_output,
                                             stdout_file=stdout_file, stderr_file=stderr_file, **kwargs)
            client.kc = kc  # the kept client: nbclient then neither connects a new one nor waits for the kernel
            try:
                nb = client.execute()
            except BaseException:
                shutdown()  # a kernel that timed out or died is not trusted with the next town
                if partial:  # the notebook as far as it ran, for whoever debugs the town
                    from papermill.iorw import write_ipynb
                    write_ipynb(nb_man.nb, partial)
                raise
            if _failed(nb_man.nb):
                shutdown()  # nor is the kernel of a notebook that failed
            return nb


def _failed(nb) -> bool:
    return any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


def register() -> None:
    papermill_engines.register(ENGINE, WarmEngine)


register()
