"""The engine's data: what a grading job is and what it produces.

Everything here is plain, frozen data so that a job can be logged, a result stored or
exported as Gradescope's results.json, and neither carries live objects around.
"""
from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ENGINE_VERSION = "0.1.0"

Visibility = Literal["hidden", "after_due_date", "after_published", "visible"]
VISIBILITIES: tuple[str, ...] = ("hidden", "after_due_date", "after_published", "visible")
Status = Literal["passed", "failed"]


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission's sandbox (assignment.toml `[limits]`)."""

    wall_seconds: float = 120.0   # the whole submission, all checks and restarts included
    call_seconds: float = 10.0    # one request to the student's code
    cpu_seconds: int = 120        # RLIMIT_CPU of one sandbox
    memory_mib: int = 1024        # address space the student may add to the warm process
    processes: int = 64           # RLIMIT_NPROC (threads count too)
    open_files: int = 256         # RLIMIT_NOFILE
    file_size_mib: int = 16       # RLIMIT_FSIZE: largest file the student may write
    scratch_mib: int = 64         # size of the private writable tmpfs
    output_kib: int = 64          # stdout+stderr kept; the rest is counted and dropped
    threads: int = 1              # torch intra-op threads inside the sandbox
    gpu_memory_mib: int = 8192    # GPU memory one sandbox may take when it computes on CUDA

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> "Limits":
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown limit(s): {', '.join(sorted(unknown))}")
        return cls(**data)


@dataclass(frozen=True)
class Job:
    """One submission to grade: the assignment folder and the submitted bytes."""

    assignment_dir: str
    filename: str
    content: bytes
    public_only: bool = False     # run only tests/public (a student's local check)
    solution: bool = False        # grading the reference itself (`graders check`)
    # Other files of the submission the assignment names in `extra_files` (e.g. diagram.dot).
    # They are data for checks in the grader; they are never executed.
    attachments: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True)
class Artifact:
    """A picture (or other file) produced while grading, shown beside the feedback."""

    name: str
    media_type: str               # "image/png", "image/svg+xml", "text/vnd.graphviz"
    data: bytes
    check: str = ""               # name of the check that made it ("" = whole submission)
    caption: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "media_type": self.media_type, "check": self.check,
            "caption": self.caption, "data": base64.b64encode(self.data).decode("ascii"),
        }


@dataclass(frozen=True)
class CheckResult:
    name: str
    score: float
    max_score: float
    status: Status
    output: str
    visibility: str
    tags: tuple[str, ...] = ()
    number: str = ""
    duration: float = 0.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["tags"] = list(self.tags)
        data["output_format"] = "text"
        data["extra_data"] = {"duration": round(self.duration, 4)}
        del data["duration"]
        if not self.number:
            del data["number"]
        return data


@dataclass(frozen=True)
class Result:
    """A graded submission, in Gradescope's results.json shape plus reproducibility data."""

    score: float
    max_score: float
    execution_time: float
    output: str
    tests: tuple[CheckResult, ...]
    gradable: bool = True                 # False: the upload itself was unusable (no attempt lost)
    format_errors: tuple[str, ...] = ()
    stdout: str = ""                      # student's own prints, shown to staff only by default
    artifacts: tuple[Artifact, ...] = ()
    engine_version: str = ENGINE_VERSION
    assignment_hash: str = ""
    submission_sha256: str = ""
    stage_times: dict[str, float] = field(default_factory=dict)
    sandbox: dict[str, Any] = field(default_factory=dict)

    def to_json(self, *, with_artifacts: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "score": self.score,
            "max_score": self.max_score,
            "execution_time": round(self.execution_time, 4),
            "output": self.output,
            "output_format": "text",
            "stdout_visibility": "hidden",
            "tests": [t.to_json() for t in self.tests],
            "extra_data": {
                "gradable": self.gradable,
                "format_errors": list(self.format_errors),
                "stdout": self.stdout,
                "engine_version": self.engine_version,
                "assignment_hash": self.assignment_hash,
                "submission_sha256": self.submission_sha256,
                "stage_times": {k: round(v, 4) for k, v in self.stage_times.items()},
                "sandbox": self.sandbox,
            },
        }
        if with_artifacts:
            data["extra_data"]["artifacts"] = [a.to_json() for a in self.artifacts]
        return data
