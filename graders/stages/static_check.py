"""Stage: syntax and banned APIs, decided on the source before anything runs."""
from __future__ import annotations

from graders.context import Context
from graders.stages.banned import find_banned


def static_check(ctx: Context) -> None:
    """Record a syntax error (every check will fail with it) and each target's banned uses."""
    text = ctx.source.decode("utf-8")
    try:
        compile(text, ctx.filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        line = (exc.text or "").rstrip()
        ctx.load_failure = (f"{type(exc).__name__} in {ctx.filename}, line {exc.lineno}: {exc.msg}"
                            + (f"\n    {line.strip()}" if line.strip() else ""))
        return
    except ValueError as exc:               # e.g. source the compiler refuses outright
        ctx.load_failure = f"{ctx.filename} cannot be compiled: {exc}"
        return
    targets = {t for c in ctx.assignment.checks(public_only=ctx.job.public_only) for t in c.spec.target}
    ctx.banned = find_banned(text, ctx.assignment.banned, targets)
