"""Warm Jupyter kernels, one per thread: the towns a thread runs go one after another through its
kernel, its namespace reset before each (so no variable of one town is seen by the next), its
imports (jixiao, pandas, matplotlib) already loaded.

One kernel per thread, not per process, because a kernel's client lives on the asyncio loop of the
thread that made it (jupyter_core gives each thread its own): a batch at --jobs N drives N kernels
from N threads of one process. This module imports jupyter_client only, not Papermill, so a batch
can start its kernels before its own heavy imports. No kernel outlives the process that started it:
`shutdown_all()` runs at exit, and a kernel whose parent dies exits by itself (ipykernel watches it)."""
from __future__ import annotations

import atexit
import threading

RESET = "get_ipython().reset(new_session=True, aggressive=False)"

_lock = threading.Lock()       # guards _kernels (each entry is only used by its own thread)
_kernels: dict[int, dict] = {}  # thread ident → "km" (manager), "kc" (its client), "key" (how it was started),
                                # "clean" (nothing has run in it yet), "ready" (it answered once)
starts = 0                     # kernels started by this process (for tests and benchmarks)


def current() -> dict:
    """This thread's kernel (empty when it has none)."""
    with _lock:
        return _kernels.get(threading.get_ident(), {})


def running() -> int:
    """How many kernels this process has running, over all its threads."""
    with _lock:
        return sum("km" in k for k in _kernels.values())


def _start(kernel_name: str, extra_arguments: list[str]) -> dict:
    """Start this thread's kernel and connect one client to it, kept for every town (a client per
    town costs its own wait for the kernel, up to a second). No heartbeat channel: whether the
    kernel lives is asked of its manager (the process), and jupyter_client's heartbeat thread,
    stopped before it has run, loops opening sockets until the process has no file descriptors
    left ("ZMQError: Too many open files" when a kernel is stopped right after its start)."""
    global starts
    from jupyter_client.manager import AsyncKernelManager  # nbclient needs the asynchronous client
    from jupyter_core.utils import run_sync

    km = AsyncKernelManager(kernel_name=kernel_name)
    run_sync(km.start_kernel)(extra_arguments=list(extra_arguments))
    kc = km.client()
    kc.allow_stdin = False  # as nbclient's own client: a notebook that asks for input fails, it does not hang
    kc.start_channels(hb=False)
    kernel = {"km": km, "kc": kc, "key": (kernel_name, tuple(extra_arguments)), "clean": True, "ready": False}
    with _lock:
        starts += 1
        _kernels[threading.get_ident()] = kernel
    return kernel


def prestart(kernel_name: str = "python3", extra_arguments: list[str] | None = None, warm_up: str | None = None) -> None:
    """Start this thread's kernel now, without waiting for it, and have it run `warm_up` (imports,
    say) while this process does other work; the thread's first notebook then finds it ready. The
    namespace is reset before that notebook like before any other."""
    if "km" in current():
        return
    kernel = _start(kernel_name, list(extra_arguments or []))
    if warm_up:
        kernel["kc"].execute(warm_up, silent=True, store_history=False)
        kernel["clean"] = False


def warm(kernel_name: str, start_timeout: float, extra_arguments: list[str], cwd: str | None = None):
    """This thread's kernel and client, started on first use or when the kernel died; its namespace
    reset and, with `cwd`, its working folder changed — both in one request (one round trip)."""
    from jupyter_core.utils import run_sync

    key = (kernel_name, tuple(extra_arguments))
    kernel = current()
    if "km" in kernel and (kernel.get("key") != key or not run_sync(kernel["km"].is_alive)()):
        shutdown()
        kernel = {}
    if "km" not in kernel:
        kernel = _start(kernel_name, extra_arguments)
    km, kc = kernel["km"], kernel["kc"]
    try:
        if not kernel["ready"]:
            run_sync(kc.wait_for_ready)(timeout=start_timeout)
            kernel["ready"] = True
        code = ([] if kernel["clean"] else [RESET]) + ([f"__import__('os').chdir({str(cwd)!r})"] if cwd else [])
        if code:
            reply = run_sync(kc.execute_interactive)("\n".join(code), silent=True, store_history=False,
                                                     timeout=start_timeout)
            if reply["content"].get("status") != "ok":
                raise RuntimeError(f"Kernel died: could not reset the warm kernel's namespace or enter {cwd}")
    except BaseException:
        shutdown()
        raise
    kernel["clean"] = False
    return km, kc


def shutdown() -> None:
    """Stop this thread's warm kernel, if any."""
    with _lock:
        kernel = _kernels.pop(threading.get_ident(), {})
    _stop(kernel)


def shutdown_all() -> None:
    """Stop every kernel of this process (at exit: threads that ended left theirs)."""
    with _lock:
        kernels = list(_kernels.values())
        _kernels.clear()
    for kernel in kernels:
        _stop(kernel)


def _stop(kernel: dict) -> None:
    km, kc = kernel.get("km"), kernel.get("kc")
    if kc is not None:
        try:
            kc.stop_channels()
        except Exception:
            pass
    if km is not None:
        _kill(km)
        try:
            from jupyter_core.utils import run_sync
            run_sync(km.shutdown_kernel)(now=True)  # the connection file and ports; the process is gone
        except Exception:  # already gone
            pass


def _kill(km) -> None:
    """Kill the kernel's process (its process group, as jupyter_client does) and reap it at once:
    shutdown_kernel(now=True) would first interrupt it, then kill it and look every 0.1 s whether
    it is gone (about 0.1 s a kernel, at the end of every batch). Nothing is lost: a kernel stopped
    here has no work the batch still wants."""
    import os
    import signal

    provisioner = getattr(km, "provisioner", None)
    process = getattr(provisioner, "process", None)
    if process is None or process.poll() is not None:
        return
    group = getattr(provisioner, "pgid", None)
    try:
        if group and hasattr(os, "killpg") and group != os.getpgrp():  # the kernel's own session, never ours
            os.killpg(group, signal.SIGKILL)
        else:
            process.kill()
    except OSError:
        try:
            process.kill()
        except OSError:
            return
    try:
        process.wait(timeout=5)
    except Exception:  # noqa: BLE001 — shutdown_kernel waits again and gives up the same way
        pass


atexit.register(shutdown_all)
