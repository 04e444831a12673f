"""The rule registry: every check is one small function declared with its id, name and severity.

A rule takes a parsed Report and a shared Context and yields Findings. Rule modules register
themselves on import; `all_rules()` imports them and returns the registry in id order.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

_ID = re.compile(r"[AB]\d{2}")
_MODULES: tuple[str, ...] = ("jixiao.rules.arithmetic", "jixiao.rules.boilerplate")


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    title: str     # the Chinese name reviewers read (执行率不符, 合计不符…)
    severity: str  # the default severity; a finding may say otherwise
    func: Callable = field(repr=False)
    scope: str = "report"  # "report": sees one report; "corpus": also sees the others

    @property
    def doc(self) -> str:
        return (self.func.__doc__ or "").strip()


REGISTRY: dict[str, Rule] = {}


def rule(id: str, name: str, title: str, severity: str, scope: str = "report"):
    """Register a rule function under its catalogue id (A01–A10, B01–B09)."""
    if not _ID.fullmatch(id):
        raise ValueError(f"rule id {id!r} is not of the catalogue's form")

    def register(func: Callable) -> Callable:
        if id in REGISTRY and REGISTRY[id].func is not func:
            raise ValueError(f"rule {id} registered twice")
        REGISTRY[id] = Rule(id, name, title, severity, func, scope)
        return func

    return register


def all_rules(only: Iterable[str] | None = None) -> list[Rule]:
    for module in _MODULES:
        importlib.import_module(module)
    wanted = set(only) if only else None
    return [REGISTRY[k] for k in sorted(REGISTRY) if wanted is None or k in wanted]


def rule_titles() -> dict[str, str]:
    """Rule id → Chinese name, for pages, workbooks and the CLI."""
    return {r.id: r.title for r in all_rules()}
