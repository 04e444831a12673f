"""Errors a user sees: one line, naming the file and the cause."""


class JixiaoError(Exception):
    """Base class for errors that are reported to the user without a traceback."""


class ReportError(JixiaoError):
    """A report file could not be read; the message names the file and the cause."""

    def __init__(self, path, cause):
        self.path = str(path)
        self.cause = cause
        super().__init__(f"{self.path}: {cause}")
