"""Per-township parameters: one YAML file per town, written from the reports' own meta and
checked before any kernel starts, so a batch never runs on a bad or missing value."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from .check import expand_paths
from .exports import write_atomic
from .errors import JixiaoError, ReportError
from .report import load_report

KEYS = ("town", "year", "report", "corpus", "thresholds")
DEFAULT_THRESHOLDS = {"boilerplate_share_alert": 0.3}
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
    thresholds: dict = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    source: Path | None = None   # the YAML file

    def notebook_parameters(self) -> dict:
        return {"report": str(self.report), "corpus": str(self.corpus) if self.corpus else None,
                "town": self.town, "year": self.year}


def safe_name(name: str) -> str:
    """A file name from a town name: no path separators, no leading dot, nothing hidden."""
    cleaned = re.sub(r"[\\/:*?\"<>|{}\x00-\x1f\s]+", "_", name).strip("._")
    return cleaned or "report"


def load_params(path: str | Path) -> TownParams:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParamsError(path, "parameters file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ParamsError(path, f"not valid YAML ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise ParamsError(path, "expected a mapping of town, year, report, corpus")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ParamsError(path, f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(KEYS)}")
    town = data.get("town")
    if not isinstance(town, str) or not town.strip():
        raise ParamsError(path, "town is missing or empty")
    if _UNSAFE.search(town):
        raise ParamsError(path, f"town {town!r} is not a valid name (path separators, '..' or control characters)")
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise ParamsError(path, f"year must be a whole number between 2000 and 2100, not {year!r}")
    base = path.parent
    report = data.get("report")
    if not isinstance(report, str) or not report:
        raise ParamsError(path, "report path is missing")
    report_path = (base / report).resolve()
    if not report_path.is_file():
        raise ParamsError(path, f"report {report} does not exist")
    corpus = data.get("corpus")
    corpus_path = None
    if corpus is not None:
        if not isinstance(corpus, str):
            raise ParamsError(path, "corpus must be a folder path")
        corpus_path = (base / corpus).resolve()
        if not corpus_path.is_dir():
            raise ParamsError(path, f"corpus folder {corpus} does not exist")
    thresholds = dict(DEFAULT_THRESHOLDS)
    given = data.get("thresholds") or {}
    if not isinstance(given, dict):
        raise ParamsError(path, "thresholds must be a mapping")
    for key, value in given.items():
        if key not in DEFAULT_THRESHOLDS:
            raise ParamsError(path, f"unknown threshold {key!r}; known: {', '.join(DEFAULT_THRESHOLDS)}")
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
            raise ParamsError(path, f"threshold {key} must be a number from 0 to 1, not {value!r}")
        thresholds[key] = float(value)
    return TownParams(safe_name(path.stem), town, year, report_path, corpus_path, thresholds, path)


def write_params(reports_dir: str | Path, out_dir: str | Path, corpus: str | Path | None = None) -> tuple[list[Path], list[str]]:
    """One YAML per readable report, named by year and town; returns the files written and the errors."""
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
                "report": _relative(Path(p), out_dir), "corpus": _relative(corpus, out_dir),
                "thresholds": dict(DEFAULT_THRESHOLDS)}
        write_atomic(target, yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8"))
        written.append(target)
    return written, errors


def _relative(path: Path, base: Path) -> str:
    import os
    return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()


def as_dict(p: TownParams) -> dict:
    d = asdict(p)
    return {k: str(v) if isinstance(v, Path) else v for k, v in d.items()}
