"""Writing outputs: whole files or nothing, with the mode the umask gives (not mkstemp's 0600)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def umask_mode(mode: int = 0o666) -> int:
    """`mode` less the process umask: what open() would give a new file (0644 under umask 022)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mode & ~mask


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write through a temporary file and a rename; the file gets the umask's mode, not mkstemp's 0600,
    so a web server or a share can read the outputs."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, umask_mode())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
