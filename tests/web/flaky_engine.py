"""An engine whose host fails its first grading of each submission, as an outside kill would.

It reports the fault the way an engine may: a flag on the result (`infrastructure_fault`),
with a score of zero that must never reach the student. Every later grading is the fake
engine's honest one.
"""
from __future__ import annotations

from dataclasses import dataclass

from graders.contracts import Result
from tests.web.fake_engine import FakeEngine

seen: set[bytes] = set()


@dataclass(frozen=True)
class SpoiledResult(Result):
    infrastructure_fault: str = "the sandbox was killed by SIGKILL, not by the student's code"


class FlakyEngine(FakeEngine):
    def grade(self, job):
        if job.content in seen:
            return super().grade(job)
        seen.add(job.content)
        return SpoiledResult(0.0, 6.0, 0.01, "crashed", ())
