"""Celery tasks: they take IDs, re-read the database, and are safe to run twice."""
from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import worker_ready, worker_shutdown
from django.conf import settings

from seqlab.grading import runner
from seqlab.submissions import services

log = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None,
             soft_time_limit=900, time_limit=960)
def grade_submission(self, submission_id: int, run: int) -> str:
    """Grade one run of one submission; retry with backoff only when infrastructure failed."""
    try:
        stored = services.submission_grade(submission_id=submission_id, run=run,
                                           worker=self.request.hostname or "")
    except Exception as exc:  # the engine reports student faults as results, so this is ours
        return _retry_or_fail(self, submission_id, run, exc)
    return "graded" if stored else "skipped"


def _retry_or_fail(task, submission_id: int, run: int, exc: Exception) -> str:
    error = f"{type(exc).__name__}: {exc}"
    if task.request.retries >= settings.SEQLAB_GRADE_RETRIES:
        log.error("giving up on submission %s run %s: %s", submission_id, run, error)
        services.submission_fail(submission_id=submission_id, run=run, error=error)
        return "failed"
    log.warning("retrying submission %s run %s: %s", submission_id, run, error)
    services.submission_release(submission_id=submission_id, run=run, error=error)
    raise task.retry(exc=exc, countdown=min(300, 2 ** (task.request.retries + 1)))


@shared_task(acks_late=True, ignore_result=True)
def sweep_stuck_submissions() -> int:
    """Re-queue runs stuck in queued/running (lost message, dead worker); beat calls it."""
    requeued = services.submission_requeue_stuck()
    if requeued:
        log.warning("re-queued stuck submissions %s", requeued)
    return len(requeued)


@worker_ready.connect
def _warm_engine(**_):
    """Pay the engine's start-up (torch import) before the first student waits for it."""
    try:
        runner.engine_warm()
    except Exception:  # the first task retries the start and reports the fault properly
        log.exception("the grading engine did not start")


@worker_shutdown.connect
def _close_engine(**_):
    runner.engine_close()
