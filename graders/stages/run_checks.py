"""Stage: run every check in the grader against the student's sandboxed module.

Each check is isolated from the others: a failure, a timeout or a crash in one costs that
check only (the session restarts the sandbox for the next one). A target (function or class
of the submission) that has timed out costs its later checks nothing more: they fail at once
with the same message (graders/budget.py). Faults of the infrastructure (SandboxUnavailable,
SandboxLost) propagate, even past a check that catches everything: they are not the student's.
"""
from __future__ import annotations

import inspect
import time
from typing import Any

from graders import outputs
from graders.assignment import Assignment, CheckInfo
from graders.budget import GradingSession, SandboxLost
from graders.checks import REPOSITORY_SEED_NOTE, CheckFailure, check_seed, grading_secret, seed_material
from graders.context import Context
from graders.contracts import Artifact, CheckResult
from graders.device import sandbox_device
from graders.errors import BannedCall
from graders.i18n import message_of, text
from graders.memo import MemoModule
from graders.pictures import Picture
from graders.sandbox.host import SandboxUnavailable
from graders.sandbox.proxy import StudentProxy

MAX_MESSAGE = 2000


class ArtifactSink:
    """The `artifacts` fixture: pictures a check attaches to its feedback."""

    def __init__(self, ctx: Context, check_name: str) -> None:
        self._ctx, self._check = ctx, check_name

    def image(self, name: str, data: bytes, *, caption: str = "", alt: str = "",
              media_type: str = "image/png") -> None:
        """Attach a picture: bytes, or a graders.pictures.Picture (drawn in each language)."""
        localized = data.localized() if isinstance(data, Picture) else ()
        self._ctx.artifacts.append(Artifact(name=name, media_type=media_type, data=bytes(data),
                                            check=self._check, caption=caption, alt=alt, localized=localized))


def run_checks(ctx: Context) -> None:
    """Run each check; fill ctx.results, ctx.stdout and the sandbox report."""
    checks = ctx.assignment.checks(public_only=ctx.job.public_only)
    ctx.secret = secret = grading_secret()
    ctx.seed = seed_material(ctx.assignment.seed, secret=secret, context=ctx.job.seed_context)
    if secret is None:
        ctx.notes.append(REPOSITORY_SEED_NOTE)
    limits = ctx.assignment.limits
    session = GradingSession(ctx.zygote, filename=ctx.filename, source=ctx.source, limits=limits,
                             seed=ctx.assignment.seed, banned=ctx.assignment.banned,
                             target_budgets=ctx.assignment.target_limits, default_budget=limits.target_seconds,
                             device=sandbox_device(ctx.assignment.queue))
    done = False
    try:
        for info in checks:
            ctx.results.append(_run_one(ctx, session, info))
            if session.lost:                         # even if the check swallowed the exception
                raise SandboxLost(session.lost)
        done = True
    finally:
        if done and ctx.closer is not None and session.box is not None:
            report = _close_later(ctx, session)
        else:
            report = session.close() if session.box is not None or session.reports else {}
            ctx.stdout = session.stdout()
        ctx.sandbox = {**report, "restarts": session.restarts, "timed_out": sorted(session.timed_out),
                       "slowest_call_s": {k: round(v, 4) for k, v in session.slowest.items() if k},
                       "target_s": {k: round(v, 4) for k, v in session.spent.items()},
                       "device": session.device}


def _close_later(ctx: Context, session: GradingSession) -> dict[str, Any]:
    """Keep what the live sandbox printed so far; hand it to the closer (kill, memory report and
    cgroup removal happen after the result is made). Returns the report known now."""
    box = session.box
    assert box is not None and ctx.closer is not None
    box.output.drain()
    ctx.stdout = "\n".join(session.outputs + ([box.output.text()] if box.output.text() else []))
    ctx.closer(session)
    return {"closing": True}              # Engine.sandbox_report(result) waits for the rest


def _run_one(ctx: Context, session: GradingSession, info: CheckInfo) -> CheckResult:
    spec = info.spec
    t0 = time.perf_counter()
    trips = len(session.trips)
    with outputs.collecting() as wrong_outputs:   # hashes of values that failed a comparison
        fraction, message = _outcome(ctx, session, info)
    if len(session.trips) > trips:             # a banned call at run time, even if the check caught it
        fraction, message, wrong_outputs = 0.0, str(BannedCall(**session.trips[trips])), []
    fraction = min(1.0, max(0.0, fraction))
    score = round(spec.points * fraction, 6)
    passed = fraction >= 1.0
    return CheckResult(name=spec.name, score=score, max_score=spec.points,
                       status="passed" if passed else "failed", output=text(message).cut(MAX_MESSAGE),
                       visibility=spec.visibility, tags=spec.tags + tuple(spec.target), number=info.number,
                       duration=time.perf_counter() - t0, key=info.key,
                       output_hashes=() if passed else tuple(wrong_outputs))


def _outcome(ctx: Context, session: GradingSession, info: CheckInfo) -> tuple[float, str]:
    spec = info.spec
    if ctx.load_failure and not _only_files(info):
        return 0.0, ctx.load_failure
    banned = [(t, m) for t in spec.target for m in ctx.banned.get(t, [])]
    if banned:
        uses = "; ".join(f"`{t}` uses {m}" for t, m in banned)
        return 0.0, f"Banned API: {uses}. Implement it yourself; this check scores 0."
    earlier = session.timeout_of(spec.target)
    if earlier is not None:                      # no new call: it would only time out again
        return 0.0, earlier
    session.begin_check(info.ident, spec.target)
    fixtures = _fixtures(ctx, session, info)     # an AssignmentError here is the author's, not the student's
    try:
        value = spec.func(**fixtures)
    except (SandboxLost, SandboxUnavailable):
        raise
    except CheckFailure as exc:
        return 0.0, message_of(exc)
    except AssertionError as exc:
        return 0.0, str(exc) or "an expectation of this check was not met"
    except Exception as exc:  # the check could not use what the student's code returned
        return 0.0, f"could not evaluate your result ({type(exc).__name__}: {exc})"
    if value is None or value is True:
        return 1.0, ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), "" if value >= 1 else f"partial credit: {float(value):.0%}"
    if isinstance(value, tuple) and len(value) == 2:
        return float(value[0]), text(value[1])
    return 0.0, "the check returned an unexpected value"


def _only_files(info: CheckInfo) -> bool:
    """A check of extra files alone (e.g. a diagram) does not need the module to compile."""
    return "student" not in inspect.signature(info.spec.func).parameters


def call_limit(assignment: Assignment, info: CheckInfo) -> float | None:
    """Seconds one call of this check may take: measured (limits.toml), else the check's own, else
    None (the assignment's call_seconds)."""
    return assignment.call_limits.get(info.ident, info.spec.timeout)


def _fixtures(ctx: Context, session: GradingSession, info: CheckInfo) -> dict[str, Any]:
    import torch
    assignment: Assignment = ctx.assignment
    seed = check_seed(assignment.seed, f"{info.folder}/{info.spec.func.__name__}", secret=ctx.secret,
                      context=ctx.job.seed_context)
    available = {
        "student": lambda: StudentProxy(session, timeout=call_limit(assignment, info), targets=info.spec.target),
        # Same inputs for every submission of this version: reference outputs and variants once.
        "ref": lambda: MemoModule(assignment.reference, f"{assignment.content_hash}:ref"),
        "rng": lambda: torch.Generator().manual_seed(seed),
        "mistakes": lambda: (MemoModule(assignment.mistakes, f"{assignment.content_hash}:mistakes")
                             if assignment.mistakes is not None else None),
        "artifacts": lambda: ArtifactSink(ctx, info.spec.name),
        "files": lambda: dict(ctx.files),
        "device": lambda: session.device,
    }
    params = inspect.signature(info.spec.func).parameters
    unknown = [p for p in params if p not in available]
    if unknown:
        raise TypeError(f"unknown fixture(s) {unknown} in {info.spec.key}")
    return {p: available[p]() for p in params}
