"""The data files of word lists and reference tables, loaded once."""
from __future__ import annotations

import copy
import re
from functools import lru_cache
from importlib import resources

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it: ten times faster


def load(name: str):
    """The one loader of jixiao/data: a data file's content, parsed once per process; each caller
    gets its own copy (some compile their patterns into what they receive)."""
    return copy.deepcopy(_parsed(name))


@lru_cache(maxsize=None)
def _parsed(name: str):
    with resources.files("jixiao.data").joinpath(name).open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_LOADER)


@lru_cache(maxsize=1)
def template_residue() -> list[tuple[re.Pattern, str, re.Pattern | None]]:
    return [(re.compile(e["pattern"]), e["what"], re.compile(e["needs"]) if e.get("needs") else None)
            for e in load("template_residue.yaml")]


@lru_cache(maxsize=1)
def stale_references() -> tuple[list[tuple[re.Pattern, int, str]], re.Pattern, re.Pattern]:
    data = load("stale_references.yaml")
    entries = [(re.compile(e["pattern"]), int(e["last_year"]), e["why"]) for e in data["references"]]
    return entries, re.compile(data["historical_after"]), re.compile(data["historical_before"])


@lru_cache(maxsize=1)
def indicators() -> tuple[re.Pattern, re.Pattern]:
    data = load("indicators.yaml")
    labels = "|".join(sorted(map(re.escape, data["labels"]), key=len, reverse=True))
    pattern = re.compile(rf"(?:^|(?<=[\s、.．。；;，,:：）)\d]))({labels})\s*[：:。.，,]\s*([^。；;\n]*)", re.M)
    return pattern, re.compile(data["vague"])
