"""Per-township parameters: one YAML file per town, written from the reports' own meta and
checked before any kernel starts, so a batch never runs on a bad or missing value."""
from __future__ import annotations

import re
import reprlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from ..errors import JixiaoError, ReportError
from ..files import write_atomic

KEYS = ("town", "year", "report", "corpus", "thresholds", "rules")  # each one a parameter of the audit notebook
MAX_PARAMS_BYTES = 64 * 1024    # a parameters file is a few lines; anything larger is not one
MAX_DEPTH = 4                   # mapping → thresholds → value: deeper nesting is refused
_UNSAFE = re.compile(r"[\\/:*?\"<>|{}\x00-\x1f]|^\.|\.\.")


class ParamsError(JixiaoError):
    """A parameters file that cannot be used; the message names the file and the value."""

    def __init__(self, path, cause):
        self.path, self.cause = str(path), cause
        super().__init__(f"{path}: {cause}")


@dataclass
class TownParams:
    name: str                    # the file's stem: the town's name in outputs
    town: str
    year: int
    report: Path                 # absolute
    corpus: Path | None = None   # absolute
    thresholds: dict = field(default_factory=lambda: default_thresholds())  # every one the registry declares
    source: Path | None = None   # the YAML file
    rules: list[str] | None = None  # the rules to run (None: all)

    def notebook_parameters(self) -> dict:
        return {"report": str(self.report), "corpus": str(self.corpus) if self.corpus else None,
                "town": self.town, "year": self.year, "thresholds": dict(self.thresholds), "rules": self.rules}


def default_thresholds() -> dict:
    """Every threshold the rule registry declares, at its default (a params file may override any)."""
    from ..rules import default_thresholds as defaults
    return defaults()


def safe_name(name: str) -> str:
    """A file name from a town name: no path separators, no leading dot, nothing hidden."""
    cleaned = re.sub(r"[\\/:*?\"<>|{}\x00-\x1f\s]+", "_", name).strip("._")
    return cleaned or "report"


_short = reprlib.Repr()
_short.maxstring, _short.maxother, _short.maxlist, _short.maxdict, _short.maxlevel = 40, 40, 3, 3, 2


def show(value) -> str:
    """A value for an error message: never whole (a bomb or a long string would flood the terminal)."""
    return _short.repr(value)


class _Loader(yaml.SafeLoader):
    """Safe YAML without aliases: an alias is how a YAML bomb multiplies itself."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in a parameters file",
                                              event.start_mark)
        if len(self.anchors) > 100 or getattr(self, "_depth", 0) > 20:
            raise yaml.composer.ComposerError(None, None, "nested too deeply", self.peek_event().start_mark)
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _depth(value, limit: int = MAX_DEPTH) -> int:
    """Nesting depth, counted without recursion and stopping past the limit."""
    stack, deepest = [(value, 1)], 0
    while stack:
        v, d = stack.pop()
        deepest = max(deepest, d)
        if deepest > limit:
            break
        if isinstance(v, dict):
            stack.extend((x, d + 1) for x in list(v.values())[:50])
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v[:50])
    return deepest


def _read_yaml(path: Path):
    from ..read.ingest import read_bounded

    if path.is_dir():
        raise ParamsError(path, "is a folder, not a parameters file")
    try:
        raw = read_bounded(path, MAX_PARAMS_BYTES)
    except ReportError as exc:
        if not path.exists():
            raise ParamsError(path, "parameters file not found") from None
        if "too large" in exc.cause:
            raise ParamsError(path, f"larger than {MAX_PARAMS_BYTES // 1024} KB; a parameters file is a few lines") from None
        raise ParamsError(path, exc.cause.replace("a report file", "a parameters file")) from None
    try:
        return yaml.load(raw.decode("utf-8"), Loader=_Loader)  # noqa: S506 — a SafeLoader subclass
    except UnicodeDecodeError:
        raise ParamsError(path, "not UTF-8 text") from None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None)
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ParamsError(path, f"not valid YAML ({type(exc).__name__}{': ' + show(problem)[1:-1] if problem else ''}"
                                f"{where})") from None
    except RecursionError:
        raise ParamsError(path, "not valid YAML (nested too deeply)") from None
    except Exception as exc:  # e.g. an integer of thousands of digits
        raise ParamsError(path, f"not valid YAML ({type(exc).__name__})") from None


def load_params(path: str | Path) -> TownParams:
    """One town's parameters, checked; any problem is a ParamsError naming the file and the cause,
    never the whole value (a bad file fails its own town, not the batch)."""
    path = Path(path)
    data = _read_yaml(path)
    if _depth(data) > MAX_DEPTH:
        raise ParamsError(path, f"nested more than {MAX_DEPTH} levels deep; expected town, year, report, corpus")
    if not isinstance(data, dict):
        raise ParamsError(path, "expected a mapping of town, year, report, corpus")
    unknown = sorted((show(k) if not isinstance(k, str) else k[:40] for k in data if k not in KEYS), key=str)
    if unknown:
        raise ParamsError(path, f"unknown key(s) {', '.join(unknown[:5])}{' …' if len(unknown) > 5 else ''}; "
                                f"allowed: {', '.join(KEYS)}")
    town = data.get("town")
    if not isinstance(town, str) or not town.strip():
        raise ParamsError(path, "town is missing or empty")
    if _UNSAFE.search(town):
        raise ParamsError(path, f"town {show(town)} is not a valid name (path separators, '..' or control characters)")
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise ParamsError(path, f"year must be a whole number between 2000 and 2100, not {show(year)}")
    base = path.parent
    report = data.get("report")
    if not isinstance(report, str) or not report:
        raise ParamsError(path, "report path is missing")
    if "\x00" in report:
        raise ParamsError(path, "report path contains a NUL character")
    report_path = _resolve(base, report, Path.is_file)
    if not report_path.is_file():
        raise ParamsError(path, f"report {show(report)[1:-1]} does not exist")
    corpus = data.get("corpus")
    corpus_path = None
    if corpus is not None:
        if not isinstance(corpus, str):
            raise ParamsError(path, "corpus must be a folder path")
        if "\x00" in corpus:
            raise ParamsError(path, "corpus path contains a NUL character")
        corpus_path = _resolve(base, corpus, Path.is_dir)
        if not corpus_path.is_dir():
            raise ParamsError(path, f"corpus folder {show(corpus)[1:-1]} does not exist")
    from ..rules import RegistryError, check_rules, check_thresholds
    given = data.get("thresholds") or {}
    if not isinstance(given, dict):
        raise ParamsError(path, "thresholds must be a mapping")
    try:
        thresholds = check_thresholds(given)
    except RegistryError as exc:
        raise ParamsError(path, str(exc)) from None
    rules = data.get("rules")
    if rules is not None:
        if not isinstance(rules, list) or not rules or not all(isinstance(r, str) for r in rules):
            raise ParamsError(path, f"rules must be a list of rule ids such as [A01, B03], not {show(rules)}")
        try:
            rules = check_rules(rules)
        except RegistryError as exc:
            raise ParamsError(path, str(exc)) from None
    return TownParams(safe_name(path.stem), town, year, report_path, corpus_path, thresholds, path, rules)


def _resolve(base: Path, given: str, exists) -> Path:
    """A path of a parameters file: relative to the file's folder, or else to the current folder
    (`jixiao params` writes them relative to the folder it ran in, the project root, which is where
    `papermill notebooks/audit.ipynb out.ipynb -f params/TOWN.yaml` runs its kernel)."""
    beside = (base / given).resolve()
    if exists(beside) or Path(given).is_absolute():
        return beside
    here = Path(given).resolve()
    return here if exists(here) else beside


def write_params(reports_dir: str | Path, out_dir: str | Path, corpus: str | Path | None = None) -> tuple[list[Path], list[str]]:
    """One YAML per readable report, named by year and town; returns the files written and the errors."""
    from ..model.report import load_report  # imported here: it imports pandas, and a batch needs only
    from ..read.ingest import expand_paths  # load_params before it starts its kernels

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    corpus = Path(corpus) if corpus else Path(reports_dir)
    written, errors, used = [], [], set()
    for p in expand_paths([reports_dir]):
        try:
            report = load_report(p)
        except ReportError as exc:
            errors.append(str(exc))
            continue
        meta = report.meta
        if not meta.town or not meta.year:
            errors.append(f"{p}: cannot tell the {'town' if not meta.town else 'year'} from the report; "
                          f"write its parameters file by hand")
            continue
        stem = safe_name(f"{meta.year}_{meta.town}")
        if stem in used:  # two reports of one town and year: keep both, told apart by file name
            stem = safe_name(f"{stem}_{Path(p).stem}")
        used.add(stem)
        target = out_dir / f"{stem}.yaml"
        data = {"town": meta.town, "year": meta.year,
                "report": _relative(Path(p), Path.cwd()), "corpus": _relative(corpus, Path.cwd()),
                "thresholds": default_thresholds()}
        write_atomic(target, yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8"))
        written.append(target)
    return written, errors


def _relative(path: Path, base: Path) -> str:
    """`path` relative to `base` when it lies inside it, else absolute."""
    path, base = path.resolve(), base.resolve()
    try:
        return path.relative_to(base).as_posix() or "."
    except ValueError:
        return path.as_posix()


def as_dict(p: TownParams) -> dict:
    d = asdict(p)
    return {k: str(v) if isinstance(v, Path) else v for k, v in d.items()}
