"""Word lists are data: the words the extractors and readers match live in jixiao/data/*.yaml, read by
the one loader (jixiao.wordlists.load); code keeps only the structure around them (digits, brackets,
punctuation, units)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from jixiao.wordlists import load

PACKAGE = Path(__file__).resolve().parents[1] / "jixiao"
DATA = PACKAGE / "data"
# An alternation of Chinese words written in code: 通知|意见|办法.
WORD_ALTERNATION = re.compile(r"[\u4e00-\u9fff]{2,}\|[\u4e00-\u9fff]{2,}")
# Alternations that are grammar rather than vocabulary: money units and the bound words of a figure.
STRUCTURE = {"(?<![万亿])(?:万元|亿元|元)", r"\s*(?:\(含\)|（含）)?\s*(?:及|或)?(以上|以下|以内|之内|左右|上下)",
             "(亿元|万元|元|%|亩|户|人|个)"}


def word_alternations(source: str) -> list[tuple[int, str]]:
    """String constants of a module's code (not its docstrings) that alternate Chinese words."""
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
            and WORD_ALTERNATION.search(n.value) and n.value not in STRUCTURE]


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_word_list_is_written_in_code(path):
    found = word_alternations(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name}: word lists belong in jixiao/data/*.yaml: {found}"


def test_the_check_sees_a_word_list_in_code_but_not_in_a_docstring():
    source = '"""通知|意见 in a docstring is prose."""\nKINDS = re.compile(r"通知|意见|办法")\n'
    assert word_alternations(source) == [(2, "通知|意见|办法")]


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.yaml")))
def test_every_data_file_loads_and_its_patterns_compile(name):
    def patterns(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                yield from patterns(v, str(k))
        elif isinstance(node, list):
            for v in node:
                yield from patterns(v, key)
        elif isinstance(node, str) and re.search(r"[|()\[\]^$\\]", node):
            yield key, node

    data = load(name)
    assert data
    for key, pattern in patterns(data):
        re.compile(pattern.replace("{grade_words}", "优"))
