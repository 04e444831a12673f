"""The rule registry: everything about a rule is declared once, where the rule is registered.

A rule has an id, a name, a Chinese title, a default severity, its parameters (thresholds, with
defaults, overridable per batch), what it consumes — claim kinds and ops (A rules: verification
decides a claim's rule here, as statcheck's decision step does) or an analysis of the report (B
rules) — its message templates, and its advice (依据/整改建议, data in rule_advice.yaml, bound on
load). Rule modules register themselves on import; `all_rules()` imports them and returns the
registry in id order. Nothing outside the registry types a list of rule ids.
"""
from __future__ import annotations

import importlib
import re
import string
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Iterable, Mapping

_ID = re.compile(r"[AB]\d{2}")
_MODULES: tuple[str, ...] = ("jixiao.rules.arithmetic", "jixiao.rules.boilerplate")


class RegistryError(ValueError):
    """A rule, parameter or claim the registry does not know; the message is one line."""


@dataclass(frozen=True)
class Param:
    """A threshold a rule decides with: a number with a default and a range, overridable per batch
    (the params files' `thresholds` mapping, the notebook's `thresholds` parameter)."""

    name: str
    default: float
    low: float
    high: float
    doc: str  # what it is, in the reviewers' words

    def check(self, value) -> float:
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not self.low <= value <= self.high:
            raise RegistryError(f"threshold {self.name} must be a number from {self.low:g} to {self.high:g}, "
                                f"not {_show(value)}")
        return float(value)


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    title: str     # the Chinese name reviewers read (比率不符, 合计不符…)
    severity: str  # the default severity; a rule with grades may say otherwise per finding
    func: Callable = field(repr=False)
    scope: str = "report"  # "report": sees one report; "corpus": also sees the others
    consumes: tuple[tuple[str, str], ...] = ()  # (claim kind, op) pairs verified under this rule
    analysis: str = ""                          # what a rule that consumes no claims reads
    templates: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)  # outcome → message
    params: tuple[Param, ...] = ()
    grades: tuple[str, ...] = ()  # every severity a finding of this rule may have (its default first)

    @property
    def doc(self) -> str:
        return (self.func.__doc__ or "").strip()

    @property
    def advice(self) -> dict:
        """依据 (basis) and 整改建议 (advice) from rule_advice.yaml; empty strings when not given."""
        return _advice().get(self.id, {"basis": "", "advice": ""})

    def template_fields(self, outcome: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self.templates[outcome]) if name}

    def render(self, outcome: str, fields: Mapping) -> str:
        """The message of an outcome: the rule's template filled with stated, computed, difference…"""
        if outcome not in self.templates:
            raise RegistryError(f"rule {self.id} has no message template for outcome {outcome!r}")
        return self.templates[outcome].format_map(dict(fields))

    def findings(self, report, subject):
        """The rule's findings: an A rule's are the inconsistent verdicts decided to it; a B rule's
        function yields Hits (span, message, optional severity) and the registry makes the findings."""
        from .findings import make_finding

        if self.consumes:
            hits = ((v.claim.start, v.claim.end, v.message, v.severity) for v in subject.verdicts(report)
                    if v.rule == self.id and v.status == "inconsistent")
        else:
            hits = self.func(report, subject)
        for start, end, message, severity in hits:
            severity = severity or self.severity
            if severity not in self.grades:
                raise ValueError(f"rule {self.id} declares severities {', '.join(self.grades)}, not {severity!r}")
            yield make_finding(report.text, self.id, severity, start, end, message)


def _show(value) -> str:
    """A given value for a one-line message: short, and never the whole of a huge one."""
    try:
        text = repr(value)
    except ValueError:  # an integer of thousands of digits
        return "a number too long to show"
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


REGISTRY: dict[str, Rule] = {}
PARAMETERS: dict[str, Param] = {}  # every threshold by name, whether a rule's or the batch's


def rule(id: str, name: str, title: str, severity: str, scope: str = "report", *,
         consumes: Iterable[tuple[str, str]] = (), analysis: str = "", templates: Mapping[str, str] | None = None,
         params: Iterable[Param] = (), grades: Iterable[str] = ()):
    """Register a rule function under its catalogue id (A01–A10, B01–B09) with all it declares;
    `grades`: the other severities its findings may have (a gross inconsistency, a weaker copy…)."""
    if not _ID.fullmatch(id):
        raise ValueError(f"rule id {id!r} is not of the catalogue's form")
    consumes, params = tuple(consumes), tuple(params)
    if bool(consumes) == bool(analysis):
        raise ValueError(f"rule {id} must consume claim kinds or name an analysis, not both or neither")

    def register(func: Callable) -> Callable:
        if id in REGISTRY and REGISTRY[id].func is not func:
            raise ValueError(f"rule {id} registered twice")
        for p in params:
            parameter(p)
        REGISTRY[id] = Rule(id, name, title, severity, func, scope, consumes, analysis,
                            MappingProxyType(dict(templates or {})), params,
                            (severity,) + tuple(g for g in grades if g != severity))
        return func

    return register


def parameter(p: Param) -> Param:
    """Declare a threshold (a rule's, or one the batch reads such as the boilerplate alert)."""
    if PARAMETERS.get(p.name, p) != p:
        raise ValueError(f"threshold {p.name} declared twice with different values")
    PARAMETERS[p.name] = p
    return p


def all_rules(only: Iterable[str] | None = None) -> list[Rule]:
    _load()
    wanted = set(only) if only else None
    return [REGISTRY[k] for k in sorted(REGISTRY) if wanted is None or k in wanted]


def _load() -> None:
    for module in _MODULES:
        importlib.import_module(module)


def rule_ids() -> list[str]:
    return [r.id for r in all_rules()]


def rule_titles() -> dict[str, str]:
    """Rule id → Chinese name, for pages, workbooks and the CLI."""
    return {r.id: r.title for r in all_rules()}


def get_rule(rule_id: str) -> Rule:
    _load()
    if rule_id not in REGISTRY:
        raise RegistryError(f"unknown rule {str(rule_id)[:20]!r}; known: {', '.join(sorted(REGISTRY))}")
    return REGISTRY[rule_id]


def check_rules(rules: Iterable) -> list[str]:
    """Rule ids as given (params file, notebook, CLI), checked against the registry, sorted."""
    known = set(rule_ids())
    rules = list(rules)
    unknown = [_show(r) for r in rules if r not in known]
    if unknown:
        raise RegistryError(f"unknown rule(s) {', '.join(unknown[:5])}; known: {min(known)}–{max(known)}")
    return sorted(set(rules))


def rule_for(kind: str, op: str) -> Rule:
    """The decision step: the one rule a claim of this kind and op falls under."""
    table = _decisions()
    if (kind, op) not in table:
        raise RegistryError(f"no rule consumes claims of kind {kind!r} with op {op!r}")
    return table[(kind, op)]


_DECISIONS: dict[tuple[str, str], Rule] = {}


def _decisions() -> dict[tuple[str, str], Rule]:
    if not _DECISIONS:
        table: dict[tuple[str, str], Rule] = {}
        for r in all_rules():
            for pair in r.consumes:
                if pair in table:
                    raise ValueError(f"claims {pair} consumed by both {table[pair].id} and {r.id}")
                table[pair] = r
        _DECISIONS.update(table)
    return _DECISIONS


def default_thresholds() -> dict[str, float]:
    _load()
    return {name: p.default for name, p in sorted(PARAMETERS.items())}


def check_thresholds(given: Mapping | None) -> dict[str, float]:
    """Every threshold: the defaults, overridden by `given` (each checked against its declaration)."""
    values = default_thresholds()
    if given is None:
        return values
    if not isinstance(given, Mapping):
        raise RegistryError("thresholds must be a mapping of threshold name to number")
    for key, value in given.items():
        if key not in PARAMETERS:
            raise RegistryError(f"unknown threshold {_show(key)}; known: {', '.join(sorted(PARAMETERS))}")
        values[key] = PARAMETERS[key].check(value)
    return values


_ADVICE: dict = {}


def _advice() -> dict:
    """rule_advice.yaml, checked on first use: every key a registered rule."""
    if not _ADVICE:
        from ..wordlists import load
        data = load("rule_advice.yaml") or {}
        _load()
        unknown = sorted(set(data) - set(REGISTRY))
        if unknown:
            raise RegistryError(f"rule_advice.yaml names unknown rule(s) {', '.join(unknown)}")
        _ADVICE.update({k: {"basis": v.get("basis", ""), "advice": v.get("advice", "")} for k, v in data.items()})
    return _ADVICE
