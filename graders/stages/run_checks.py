"""Stage: run every check in the grader against the student's sandboxed module.

Each check is isolated from the others: a failure, a timeout or a crash in one costs that
check only (the session restarts the sandbox for the next one). Faults of the
infrastructure (SandboxUnavailable) propagate: they are not the student's.
"""
from __future__ import annotations

import inspect
import time
import zlib
from typing import Any

from graders.assignment import Assignment, CheckInfo
from graders.checks import CheckFailure
from graders.context import Context
from graders.contracts import Artifact, CheckResult
from graders.device import sandbox_device
from graders.sandbox.proxy import Session, StudentProxy

MAX_MESSAGE = 2000


class ArtifactSink:
    """The `artifacts` fixture: pictures a check attaches to its feedback."""

    def __init__(self, ctx: Context, check_name: str) -> None:
        self._ctx, self._check = ctx, check_name

    def image(self, name: str, data: bytes, *, caption: str = "", media_type: str = "image/png") -> None:
        self._ctx.artifacts.append(Artifact(name=name, media_type=media_type, data=bytes(data),
                                            check=self._check, caption=caption))


def run_checks(ctx: Context) -> None:
    """Run each check; fill ctx.results, ctx.stdout and the sandbox report."""
    checks = ctx.assignment.checks(public_only=ctx.job.public_only)
    session = Session(ctx.zygote, filename=ctx.filename, source=ctx.source,
                      limits=ctx.assignment.limits, seed=ctx.assignment.seed,
                      device=sandbox_device(ctx.assignment.queue))
    try:
        for info in checks:
            ctx.results.append(_run_one(ctx, session, info))
    finally:
        report = session.close() if session.box is not None or session.reports else {}
        ctx.stdout = session.stdout()
        ctx.sandbox = {**report, "restarts": session.restarts, "device": session.device}


def _run_one(ctx: Context, session: Session, info: CheckInfo) -> CheckResult:
    spec = info.spec
    t0 = time.perf_counter()
    fraction, message = _outcome(ctx, session, info)
    fraction = min(1.0, max(0.0, fraction))
    score = round(spec.points * fraction, 6)
    passed = fraction >= 1.0
    return CheckResult(name=spec.name, score=score, max_score=spec.points,
                       status="passed" if passed else "failed", output=message[:MAX_MESSAGE],
                       visibility=spec.visibility, tags=spec.tags + tuple(spec.target), number=info.number,
                       duration=time.perf_counter() - t0)


def _outcome(ctx: Context, session: Session, info: CheckInfo) -> tuple[float, str]:
    spec = info.spec
    if ctx.load_failure and not _only_files(info):
        return 0.0, ctx.load_failure
    banned = [(t, m) for t in spec.target for m in ctx.banned.get(t, [])]
    if banned:
        uses = "; ".join(f"`{t}` uses {m}" for t, m in banned)
        return 0.0, f"Banned API: {uses}. Implement it yourself; this check scores 0."
    fixtures = _fixtures(ctx, session, info)     # an AssignmentError here is the author's, not the student's
    try:
        value = spec.func(**fixtures)
    except CheckFailure as exc:
        return 0.0, str(exc)
    except AssertionError as exc:
        return 0.0, str(exc) or "an expectation of this check was not met"
    except Exception as exc:  # the check could not use what the student's code returned
        return 0.0, f"could not evaluate your result ({type(exc).__name__}: {exc})"
    if value is None or value is True:
        return 1.0, ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), "" if value >= 1 else f"partial credit: {float(value):.0%}"
    if isinstance(value, tuple) and len(value) == 2:
        return float(value[0]), str(value[1])
    return 0.0, "the check returned an unexpected value"


def _only_files(info: CheckInfo) -> bool:
    """A check of extra files alone (e.g. a diagram) does not need the module to compile."""
    return "student" not in inspect.signature(info.spec.func).parameters


def _fixtures(ctx: Context, session: Session, info: CheckInfo) -> dict[str, Any]:
    import torch
    assignment: Assignment = ctx.assignment
    seed = zlib.crc32(f"{assignment.seed}:{info.folder}/{info.spec.func.__name__}".encode())
    available = {
        "student": lambda: StudentProxy(session, timeout=info.spec.timeout),
        "ref": lambda: assignment.reference,
        "rng": lambda: torch.Generator().manual_seed(seed),
        "mistakes": lambda: assignment.mistakes,
        "artifacts": lambda: ArtifactSink(ctx, info.spec.name),
        "files": lambda: dict(ctx.files),
        "device": lambda: session.device,
    }
    params = inspect.signature(info.spec.func).parameters
    unknown = [p for p in params if p not in available]
    if unknown:
        raise TypeError(f"unknown fixture(s) {unknown} in {info.spec.key}")
    return {p: available[p]() for p in params}
