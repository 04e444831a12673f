"""Errors a user sees: one line, naming the file and the cause."""


class JixiaoError(Exception):
    """Base class for errors that are reported to the user without a traceback."""


class ReportError(JixiaoError):
    """A report file could not be read; the message names the file and the cause."""

    def __init__(self, path, cause):
        self.path = str(path)
        self.cause = cause
        super().__init__(f"{self.path}: {cause}")


def printable(s: str) -> str:
    """A file name or message as valid Unicode: bytes that were not UTF-8 in a file name (kept by
    Python as lone surrogates) are written as \\xNN, so the name prints and fits in JSON."""
    if not any("\udc80" <= ch <= "\udcff" for ch in s):
        return s
    return s.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def failure_cause(exc: BaseException) -> str:
    """One deterministic line for any failure on one file: a ReportError's cause as it is, any
    other exception as 'internal error (Type: first line)', no traceback, no memory addresses."""
    if isinstance(exc, ReportError):
        return " ".join(str(exc.cause).split()) or "cannot be read"
    if isinstance(exc, RecursionError):
        return "internal error (RecursionError): the report's structure is nested too deeply"
    if isinstance(exc, MemoryError):
        return "internal error (MemoryError): the report needs more memory than is available"
    first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"internal error ({type(exc).__name__}{': ' + first if first else ''}); please report it with the file"
