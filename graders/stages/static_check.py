"""Stage: syntax and banned APIs, decided on the source before anything runs.

One program, one view: the tree scanned here is parsed from the very bytes the sandbox
compiles, with the same call (`compile(source, filename, "exec", dont_inherit=True)`), so the
compiler decodes both the same way (PEP 263) and the scan reads exactly the program that runs.
Only the parse runs here, not code generation (whose cost is not linear in the source, and
whose rare errors the sandbox reports when it loads the module). A large source is parsed
and scanned in a short-lived child with CPU and memory limits (graders/limits.py).
"""
from __future__ import annotations

from typing import Any

from graders.bounded import BoundExceeded, run_bounded
from graders.context import Context
from graders.limits import (MAX_INPROCESS_SCAN_BYTES, MAX_SCAN_CPU_SECONDS, MAX_SCAN_MEMORY_MIB, MAX_SCAN_NODES,
                            MAX_SCAN_SECONDS)
from graders.stages.banned import ScanLimitExceeded, find_banned, parse_for_scan

TOO_COMPLEX = ("{file} is too large or too complex to check for banned APIs ({why}; the grader reads at most "
               "{nodes} syntax nodes, in {cpu} s of CPU and {mib} MiB). Split out data and generated code "
               "and upload it again.")


def static_check(ctx: Context) -> None:
    """Record a syntax error (every check will fail with it) and each target's banned uses."""
    targets = sorted({t for c in ctx.assignment.checks(public_only=ctx.job.public_only) for t in c.spec.target})
    outcome = bounded_outcome(ctx.source, ctx.filename, ctx.assignment.banned, targets)
    if "reject" in outcome:
        ctx.reject(TOO_COMPLEX.format(file=ctx.filename, why=outcome["reject"], nodes=MAX_SCAN_NODES,
                                      cpu=MAX_SCAN_CPU_SECONDS, mib=MAX_SCAN_MEMORY_MIB))
    elif "load_failure" in outcome:
        ctx.load_failure = outcome["load_failure"]
    else:
        ctx.banned = outcome["banned"]


def bounded_outcome(source: bytes, filename: str, banned: dict[str, tuple[str, ...]],
                    targets: list[str]) -> dict:
    """static_outcome, in this process for a small source, else in a short-lived limited child."""
    args = (source, filename, banned, targets)
    try:
        if len(source) <= MAX_INPROCESS_SCAN_BYTES:
            return static_outcome(*args)
        return run_bounded(static_outcome, *args, cpu_seconds=MAX_SCAN_CPU_SECONDS,
                           memory_mib=MAX_SCAN_MEMORY_MIB, wall_seconds=MAX_SCAN_SECONDS)
    except BoundExceeded as exc:
        return {"reject": str(exc)}


def static_outcome(source: bytes, filename: str, banned: dict[str, tuple[str, ...]],
                   targets: list[str]) -> dict[str, Any]:
    """{"load_failure": text} for a module that does not parse, {"reject": why} past the scan's
    budget, else {"banned": target -> messages}. Plain data: it may come from a child process."""
    try:
        tree = parse_for_scan(source, filename)
    except SyntaxError as exc:
        line = (exc.text or "").rstrip()
        return {"load_failure": f"{type(exc).__name__} in {filename}, line {exc.lineno}: {exc.msg}"
                                + (f"\n    {line.strip()}" if line.strip() else "")}
    except ValueError as exc:               # e.g. source the compiler refuses outright
        return {"load_failure": f"{filename} cannot be compiled: {exc}"}
    except (RecursionError, MemoryError):   # the parser's own bound on nesting
        return {"load_failure": f"{filename} cannot be compiled: it is nested too deeply or too large "
                                "for Python's compiler"}
    try:
        return {"banned": find_banned(tree, banned, set(targets))}
    except ScanLimitExceeded as exc:
        return {"reject": str(exc)}
