"""Send grading runs to the workers by task name, so no service imports the task module.

Tasks take IDs (the run is re-read from the database), and a run is only ever sent once
the row that describes it is committed.
"""
from __future__ import annotations

from functools import partial

from django.db import transaction

GRADE_TASK = "seqlab.submissions.tasks.grade_submission"


def grading_enqueue(*, submission_id: int, run: int, queue: str) -> None:
    """Send one run to the workers of `queue` now."""
    from seqlab.config.celery import app
    app.send_task(GRADE_TASK, args=(submission_id, run), queue=queue)


def grading_enqueue_on_commit(*, submission_id: int, run: int, queue: str) -> None:
    """Send one run once the current transaction commits (never for a rolled-back row)."""
    transaction.on_commit(partial(grading_enqueue, submission_id=submission_id, run=run, queue=queue))
