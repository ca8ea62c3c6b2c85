"""Which failures are whose: the database's, the grading host's, or the student's.

The engine turns everything the student's code does into a result. What it cannot grade
because the host failed it raises (SandboxUnavailable: "cannot build the grading sandbox",
a zygote that died, a sandbox killed from outside), or flags on the result. Either way the
student is not charged: the worker retries on a fresh engine, later, and never stores it.
"""
from __future__ import annotations

from django.db import InterfaceError, OperationalError

DATABASE_DOWN = (OperationalError, InterfaceError)

# Names a Result may carry to say "this grading was cut short by the host, not the student".
_RESULT_FLAGS = ("infrastructure_fault", "infra_fault", "infrastructure_error")


class InfrastructureFault(Exception):
    """The engine returned a result it marked as spoiled by the host; grade it again."""


def database_down(exc: BaseException) -> bool:
    """True when the exception says the database cannot be reached now (retry, no charge)."""
    return isinstance(exc, DATABASE_DOWN)


def result_fault(result) -> str:
    """The host fault a result reports ('' for a result the student earned)."""
    for name in _RESULT_FLAGS:
        value = getattr(result, name, None)
        if value:
            return value if isinstance(value, str) else f"{name}: the grading host failed"
    extra = getattr(result, "extra_data", None) or {}
    for name in _RESULT_FLAGS:
        if isinstance(extra, dict) and extra.get(name):
            value = extra[name]
            return value if isinstance(value, str) else f"{name}: the grading host failed"
    return ""
