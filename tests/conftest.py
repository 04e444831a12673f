from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("JIXIAO_SHARED") or ROOT.parent / "shared")  # a worktree elsewhere sets it
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
EXAMPLES = ROOT / "examples"


def seeds_or_skip() -> list[Path]:
    if not SEEDS:
        pytest.skip("../shared/seeds is not beside this checkout (the seed reports are not part of the repo)")
    return SEEDS


@pytest.fixture
def seeds() -> list[Path]:
    return seeds_or_skip()


@pytest.fixture
def seed_expected() -> list[dict]:
    path = SHARED / "spec" / "seed_expected.json"
    if not path.exists():
        pytest.skip("../shared/spec/seed_expected.json is not beside this checkout")
    return json.loads(path.read_text(encoding="utf-8"))


def seed(prefix: str) -> Path:
    for p in seeds_or_skip():
        if p.name.startswith(prefix):
            return p
    pytest.skip(f"seed {prefix} not found in ../shared/seeds")


def run_cli(*args: str, check: bool = False) -> subprocess.CompletedProcess:
    """Run the installed command as a user would, capturing bytes."""
    return subprocess.run([sys.executable, "-m", "jixiao", *args], capture_output=True, check=check, cwd=ROOT)
