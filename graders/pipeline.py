"""The stage list: upload → static checks → sandboxed checks (answers only, for quizzes)."""
from __future__ import annotations

from typing import Any

from graders.assignment import load_assignment
from graders.context import Context
from graders.contracts import Job, Result
from graders.stages.answers import stage_answers
from graders.stages.run_checks import run_checks
from graders.stages.static_check import static_check
from graders.stages.upload import stage_upload

STAGES = (stage_upload, static_check, run_checks)
ANSWER_STAGES = (stage_answers,)          # quizzes and written parts: data, no sandbox


def grade(job: Job, zygote: Any, *, closer: Any = None) -> Result:
    """Grade one job with a started zygote. Raises AssignmentError if the assignment is broken."""
    ctx = Context(job=job, assignment=load_assignment(job.assignment_dir), zygote=zygote, closer=closer)
    for stage in STAGES if ctx.assignment.kind == "code" else ANSWER_STAGES:
        ctx.run(stage)
        if ctx.stopped:
            break
    return ctx.result()
