"""The state one grading run carries from stage to stage."""
from __future__ import annotations

from graders.i18n import T

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from graders.assignment import Assignment
from graders.contracts import Artifact, CheckResult, Job, Result


@dataclass
class Context:
    job: Job
    assignment: Assignment
    zygote: Any                                   # graders.sandbox.host.Zygote (or the engine's Spares)
    # Takes the session of the last sandbox and closes it off the critical path (see Engine);
    # None: run_checks closes it before the result is made.
    closer: Callable[[Any], None] | None = None
    started: float = field(default_factory=time.perf_counter)
    source: bytes = b""                           # the module the sandbox will load
    filename: str = ""
    files: dict[str, bytes] = field(default_factory=dict)   # the assignment's extra files, as data
    banned: dict[str, list[str]] = field(default_factory=dict)
    load_failure: str | None = None               # syntax error: every check fails with it
    results: list[CheckResult] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stdout: str = ""
    sandbox: dict[str, Any] = field(default_factory=dict)
    seed: dict[str, str] = field(default_factory=dict)
    secret: bytes | None = None                   # graders.checks.grading_secret(), read once per grading
    stage_times: dict[str, float] = field(default_factory=dict)
    gradable: bool = True
    format_errors: list[str] = field(default_factory=list)
    stopped: bool = False

    def run(self, stage: Callable[["Context"], None]) -> "Context":
        """Run one stage, timing it; a stage stops the pipeline by setting `stopped`."""
        t0 = time.perf_counter()
        stage(self)
        name = getattr(stage, "__name__", "stage")
        self.stage_times[name] = self.stage_times.get(name, 0.0) + time.perf_counter() - t0
        return self

    def reject(self, message: str) -> None:
        """The upload cannot be graded at all (costs the student no attempt)."""
        self.gradable = False
        self.format_errors.append(message)
        self.stopped = True

    def result(self) -> Result:
        score = round(sum(r.score for r in self.results), 6)
        max_score = round(sum(r.max_score for r in self.results), 6)
        if not self.gradable:
            max_score = self.assignment.total_points(public_only=self.job.public_only)
        output = T("\n", "\n").join(self.notes + self.format_errors)      # both languages kept
        return Result(
            score=score, max_score=max_score, execution_time=time.perf_counter() - self.started,
            output=output, tests=tuple(self.results), gradable=self.gradable,
            format_errors=tuple(self.format_errors), stdout=self.stdout, artifacts=tuple(self.artifacts),
            assignment_hash=self.assignment.content_hash,
            submission_sha256=hashlib.sha256(self.job.content).hexdigest(),
            stage_times=dict(self.stage_times), sandbox=dict(self.sandbox), seed=dict(self.seed))
