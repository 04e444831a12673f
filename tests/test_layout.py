"""The package layout follows the pipeline: each stage imports only from itself and earlier stages.

read → model → claims | reuse → rules → audit → present → run → cli. The module-level and the
function-level imports both count (a lazy import upward is still a dependency upward); claims and
reuse are siblings and do not import each other.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "jixiao"
STAGES = {"errors": 0, "files": 0, "wordlists": 0, "__init__": 0,
          "read": 1, "model": 2, "claims": 3, "reuse": 3, "rules": 4,
          "audit": 5, "county": 5, "review": 5, "present": 6, "run": 7, "cli": 8, "__main__": 8}
SIBLINGS = {frozenset({"claims", "reuse"})}


def _unit(parts: list[str]) -> str:
    """The stage a dotted module inside jixiao belongs to: its first component (a name the package
    itself defines, such as __version__, belongs to the package's __init__)."""
    if not parts or not ((PACKAGE / parts[0]).is_dir() or (PACKAGE / f"{parts[0]}.py").exists()):
        return "__init__"
    return parts[0]


def _imports(path: Path):
    rel = path.relative_to(PACKAGE).with_suffix("").parts
    package = list(rel[:-1])  # a module's package, or for an __init__ the package it opens
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = base + (node.module.split(".") if node.module else [])
            elif node.module and node.module.split(".")[0] == "jixiao":
                target = node.module.split(".")[1:]
            else:
                continue
            if node.module is None:
                for alias in node.names:
                    yield node.lineno, target + [alias.name]
            else:
                yield node.lineno, target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "jixiao":
                    yield node.lineno, alias.name.split(".")[1:]


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_stage():
    unknown = {_unit(list(p.relative_to(PACKAGE).with_suffix("").parts)) for p in MODULES} - set(STAGES)
    assert not unknown, f"modules outside the pipeline's stages: {sorted(unknown)}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_module_imports_a_later_stage(path):
    own = _unit(list(path.relative_to(PACKAGE).with_suffix("").parts))
    upward = []
    for line, target in _imports(path):
        other = _unit(target)
        if other == own:
            continue
        if STAGES[other] > STAGES[own] or frozenset({own, other}) in SIBLINGS:
            upward.append(f"line {line}: {own} imports {'.'.join(target)} ({other})")
    assert not upward, "\n".join(upward)


def test_the_checker_sees_an_upward_import(tmp_path, monkeypatch):
    """The test above can fail: a lazy import of the audit inside a model module is caught."""
    fake = tmp_path / "jixiao"
    (fake / "model").mkdir(parents=True)
    (fake / "audit.py").write_text("", encoding="utf-8")
    (fake / "model" / "x.py").write_text("def f():\n    from ..audit import analyse\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "PACKAGE", fake)
    with pytest.raises(AssertionError, match="model imports audit"):
        test_no_module_imports_a_later_stage(fake / "model" / "x.py")
