"""Errors that both the checks and the sandbox proxy raise, below both in the import order.

Imports flow cli → engine → pipeline → stages → checks → sandbox → contracts; the proxy
raises a check's failure and a check catches the proxy's errors, so the classes live here,
importing nothing of the engine. `graders.checks` and `graders.sandbox.proxy` re-export
them under their old names for the assignments' check files.
"""
from __future__ import annotations


class CheckFailure(Exception):
    """A check failed; the message is shown to the student (subject to visibility)."""


class StudentError(CheckFailure):
    """The student's code failed: raised, timed out, ran out of memory, died, sent malformed
    data, or called a banned API (`kind` says which)."""

    def __init__(self, kind: str, message: str, *, exc_type: str = "", exc_types: tuple[str, ...] = (),
                 exc_message: str = "", trace: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.exc_type, self.exc_types, self.exc_message, self.trace = exc_type, exc_types, exc_message, trace


class BannedCall(StudentError):
    """The student's code called a banned API at run time (a tripwire in the sandbox fired)."""

    def __init__(self, api: str, line: int) -> None:
        at = f" (line {line})" if line else ""
        super().__init__("banned", f"Banned API {api} called at runtime{at}. Implement it yourself; "
                                   "this check scores 0.")
        self.api, self.line = api, line
