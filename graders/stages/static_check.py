"""Stage: syntax and banned APIs, decided on the source before anything runs.

One program, one view: the tree scanned here is compiled from the very bytes the sandbox
compiles, with the same call (`compile(source, filename, "exec", dont_inherit=True)`), so the
compiler decodes both the same way (PEP 263) and the scan reads exactly the program that runs.
"""
from __future__ import annotations

from graders.context import Context
from graders.limits import MAX_SCAN_NODES
from graders.stages.banned import ScanLimitExceeded, find_banned, parse_for_scan


def static_check(ctx: Context) -> None:
    """Record a syntax error (every check will fail with it) and each target's banned uses."""
    try:
        tree = parse_for_scan(ctx.source, ctx.filename)
        compile(tree, ctx.filename, "exec", dont_inherit=True)    # errors only code generation finds
    except SyntaxError as exc:
        line = (exc.text or "").rstrip()
        ctx.load_failure = (f"{type(exc).__name__} in {ctx.filename}, line {exc.lineno}: {exc.msg}"
                            + (f"\n    {line.strip()}" if line.strip() else ""))
        return
    except ValueError as exc:               # e.g. source the compiler refuses outright
        ctx.load_failure = f"{ctx.filename} cannot be compiled: {exc}"
        return
    except (RecursionError, MemoryError):   # the parser's own bound on nesting
        ctx.load_failure = (f"{ctx.filename} cannot be compiled: its expressions are nested too deeply "
                            "for Python's compiler")
        return
    targets = {t for c in ctx.assignment.checks(public_only=ctx.job.public_only) for t in c.spec.target}
    try:
        ctx.banned = find_banned(tree, ctx.assignment.banned, targets)
    except ScanLimitExceeded as exc:
        ctx.reject(f"{ctx.filename} is too large or too complex to check for banned APIs ({exc}; the "
                   f"grader reads at most {MAX_SCAN_NODES} syntax nodes). Split out data and generated "
                   "code and upload it again.")
