"""A Papermill engine that keeps a warm kernel per thread (jixiao.run.kernels): the towns a thread
runs go one after another through the same kernel, its namespace reset before each, its imports
already loaded. A town whose notebook fails or times out gets its kernel shut down, so the next town
starts a fresh one.

Registered with Papermill as `jixiao_warm` (entry point group `papermill.engine`, and on import),
so `papermill --engine jixiao_warm …` uses it too. No kernel outlives the process that started it."""
from __future__ import annotations

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger

from . import kernels
from .kernels import prestart, shutdown, shutdown_all  # noqa: F401  (this module's interface, as before)

ENGINE = "jixiao_warm"


class WarmEngine(NBClientEngine):
    """NBClientEngine with the kernel kept between the notebooks one thread runs.

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
        # this thread's kernel (one notebook at a time), in the notebook's own folder, as a fresh
        # kernel started there would have it
        km, kc = kernels.warm(kernel_name, start_timeout, extra, cwd)
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
