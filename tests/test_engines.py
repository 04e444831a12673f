"""Warm kernels: the towns of one worker run in one kernel, each with a clean namespace; a failing
notebook's kernel is replaced; no kernel outlives the batch."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill as pm
import pytest
import yaml

from jixiao.run import engines, kernels

from .conftest import EXAMPLES, ROOT


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _run(src: Path, out: Path) -> list[str]:
    pm.execute_notebook(str(src), str(out), engine_name=engines.ENGINE, kernel_name="python3", progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    return [o.get("text") or o.get("data", {}).get("text/plain", "") for c in nb.cells for o in c.outputs]


def test_notebooks_share_a_warm_kernel_with_a_clean_namespace(tmp_path):
    engines.shutdown()
    before = kernels.starts
    first = _run(_notebook(tmp_path / "a.ipynb", "import os\nleft_behind = 1\nos.getpid()"), tmp_path / "a.out.ipynb")
    second = _run(_notebook(tmp_path / "b.ipynb", "import os\nos.getpid()", "'left_behind' in dir()"),
                  tmp_path / "b.out.ipynb")
    assert first[0] == second[0]            # the same kernel process
    assert second[1] == "False"              # nothing of the first notebook is left in it
    assert kernels.starts == before + 1
    engines.shutdown()


def test_a_failing_notebook_gets_its_kernel_replaced(tmp_path):
    engines.shutdown()
    first = _run(_notebook(tmp_path / "a.ipynb", "import os\nos.getpid()"), tmp_path / "a.out.ipynb")
    with pytest.raises(pm.PapermillExecutionError):
        _run(_notebook(tmp_path / "bad.ipynb", "raise ValueError('town failed')"), tmp_path / "bad.out.ipynb")
    after = _run(_notebook(tmp_path / "c.ipynb", "import os\nos.getpid()"), tmp_path / "c.out.ipynb")
    assert first[0] != after[0]
    engines.shutdown()


def test_registered_with_papermill():
    from papermill.engines import papermill_engines

    assert papermill_engines.get_engine(engines.ENGINE) is engines.WarmEngine


def _kernels_of(runtime: Path) -> list[int]:
    """Live processes whose command line names a connection file in `runtime`."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if str(runtime).encode() in cmdline:
            found.append(int(pid))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to list processes")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_no_kernel_outlives_the_batch(tmp_path, jobs):
    params = tmp_path / "params"
    params.mkdir()
    for name, town in (("02_liuwan_2023.txt", "柳湾镇"), ("03_shimen_2023.pdf", "石门乡"), ("01_baisha_2023.txt", "白沙镇")):
        data = {"town": town, "year": 2023, "report": str(EXAMPLES / "reports" / name),
                "corpus": str(EXAMPLES / "reports")}
        (params / f"2023_{town}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime)}
    result = subprocess.run([sys.executable, "-m", "jixiao", "batch", str(params), "--out", str(tmp_path / "out"),
                             "--jobs", jobs, "--quiet"], capture_output=True, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr.decode()[-800:]
    assert _kernels_of(runtime) == []
    shutil.rmtree(runtime, ignore_errors=True)


def test_a_kernel_started_ahead_is_used_and_its_warm_up_leaves_nothing(tmp_path):
    engines.shutdown()
    before = kernels.starts
    engines.prestart("python3", [], "import os\nwarmed = os.getpid()")
    assert kernels.starts == before + 1
    got = _run(_notebook(tmp_path / "a.ipynb", "import os\nos.getpid()", "'warmed' in dir()"), tmp_path / "a.out.ipynb")
    assert got[1] == "False"                 # the warm-up's names are gone
    assert kernels.starts == before + 1      # and the notebook ran in that kernel
    engines.prestart("python3", [], "x = 1")  # a kernel already running is kept
    assert kernels.starts == before + 1
    engines.shutdown()


@pytest.mark.parametrize("first", ["jixiao.run.engines", "papermill", "jixiao.run.batch"])
def test_the_engine_module_imports_before_or_after_papermill(first):
    """Papermill loads its engines' entry points on import; importing the engine module first must
    not make it look for the engine in a half-run module."""
    code = f"import {first}; import jixiao.run.engines; from papermill.engines import papermill_engines; " \
           "print(papermill_engines.get_engine('jixiao_warm').__name__)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "WarmEngine"


def test_a_stopped_kernel_is_gone_at_once_and_only_it(tmp_path):
    """shutdown() kills the kernel's own process group and reaps it before returning (no polling
    every 0.1 s as jupyter_client does); this process, in another group, lives on."""
    engines.shutdown()
    engines.prestart("python3", [], None)
    process = kernels.current()["km"].provisioner.process
    assert process.poll() is None
    assert os.getpgid(process.pid) != os.getpgrp()  # the kernel has its own session
    engines.shutdown()
    assert process.poll() is not None and kernels.running() == 0


def test_kernels_stopped_right_after_their_start_leave_no_thread_failing(monkeypatch):
    """A kernel stopped at once (a batch refused after its kernels started, a test) must not leave
    a client thread failing: jupyter_client's heartbeat thread, stopped before it ran, looped
    opening sockets until "Too many open files" (seen in about one start in four). The batch's
    clients start no heartbeat; a dead kernel is still found dead (through its manager)."""
    import threading

    failures = []
    monkeypatch.setattr(threading, "excepthook", lambda args: failures.append(repr(args.exc_value)))
    engines.shutdown()
    for _ in range(8):
        engines.prestart("python3", [], None)
        engines.shutdown()
    assert failures == []
    engines.prestart("python3", [], None)
    kernel = kernels.current()
    kernel["km"].provisioner.process.kill()
    kernel["km"].provisioner.process.wait()
    from jupyter_core.utils import run_sync
    assert not run_sync(kernel["kc"].is_alive)()
    engines.shutdown()


def test_the_batchs_kernels_keep_no_history_and_enter_the_towns_folder(tmp_path):
    """The batch's kernel arguments turn IPython's history database off (every cell would be written
    to SQLite, shared by all kernels); the warm engine runs each notebook in the folder given as
    kernel_cwd, also when the kernel was used before (reset and folder change are one request)."""
    from jixiao.run.batch import KERNEL_ARGS

    engines.shutdown()
    src = _notebook(tmp_path / "a.ipynb", "import os\nos.getcwd()", "get_ipython().history_manager.enabled")
    for k in range(2):
        folder = tmp_path / f"town{k}"
        folder.mkdir()
        pm.execute_notebook(str(src), str(folder / "a.out.ipynb"), engine_name=engines.ENGINE, kernel_name="python3",
                            progress_bar=False, extra_arguments=KERNEL_ARGS, kernel_cwd=str(folder))
        nb = nbformat.read(folder / "a.out.ipynb", as_version=4)
        got = [o.get("data", {}).get("text/plain", "") for c in nb.cells for o in c.outputs]
        assert got == [repr(str(folder)), "False"]
    engines.shutdown()
