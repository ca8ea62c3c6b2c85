"""A stand-in for graders.engine.Engine at the project's edge, for fast web tests.

It grades code by comparing the upload with the assignment's solution: identical bytes earn
every check, anything else earns only the first. An empty upload is not gradable, and an
upload containing INFRA-FAULT raises, as the real engine does when its sandbox host breaks.
Quizzes and written parts need no sandbox, so their answers go through the engine's own
answer stage (graders/stages/answers.py), exactly as on a worker.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from graders import pipeline
from graders.assignment import load_assignment
from graders.contracts import Artifact, CheckResult, Job, Result

PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef"
                        "0000000049454e44ae426082")
entered: list[int] = []


class InfraFault(RuntimeError):
    pass


class FakeEngine:
    def __enter__(self):
        entered.append(1)
        return self

    def __exit__(self, *exc):
        return False

    def grade(self, job: Job) -> Result:
        if b"INFRA-FAULT" in job.content:
            raise InfraFault("sandbox host unreachable")
        sha = hashlib.sha256(job.content).hexdigest()
        if not job.content.strip():
            return Result(0, 0, 0.01, "", (), gradable=False, format_errors=("the file is empty",),
                          submission_sha256=sha)
        assignment = load_assignment(job.assignment_dir)
        if assignment.kind != "code":
            return pipeline.grade(job, zygote=None)
        correct = job.content == Path(assignment.solution_path).read_bytes()
        tests = tuple(self._check(info, correct or i == 0) for i, info in enumerate(assignment.checks()))
        return Result(sum(t.score for t in tests), sum(t.max_score for t in tests), 0.05, "graded by the fake",
                      tests, stdout="hello from the student", submission_sha256=sha,
                      assignment_hash=assignment.content_hash,
                      artifacts=(Artifact("plot.png", "image/png", PNG_1PX, check=tests[0].name, caption="a dot"),))

    @staticmethod
    def _check(info, passed: bool) -> CheckResult:
        return CheckResult(info.spec.name, info.spec.points if passed else 0.0, info.spec.points,
                           "passed" if passed else "failed",
                           "" if passed else f"{info.spec.name}: not the expected value",
                           info.spec.visibility, number=info.number)
