"""Celery tasks: they take IDs, re-read the database, and are safe to run twice."""
from __future__ import annotations

import logging
import os

from celery import shared_task
from celery.signals import worker_init, worker_ready, worker_shutdown
from django.conf import settings

from seqlab.grading import heartbeat, recovery, runner, supervisor
from seqlab.grading.conf import setting
from seqlab.grading.faults import database_down
from seqlab.grading.services import Delivery, run_grade

log = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None,
             soft_time_limit=900, time_limit=960)
def grade_submission(self, submission_id: int, run: int, release: str = "", faults: int = 0,
                     outages: int = 0, error: str = "") -> str:
    """Grade one run of one submission; retry later when the database or the host failed.

    The retry is decided without the database: a claim this delivery made is handed to the
    retry (`release`), which gives it back once the database answers again.
    """
    delivery = Delivery(submission_id, run, heartbeat.worker_identity(self.request.hostname))
    try:
        stored = run_grade(delivery, release=release, error=error)
    except Exception as exc:
        holder = delivery.worker if delivery.claimed else release
        if database_down(exc):
            return _retry_outage(self, delivery, holder, faults, outages, error, exc)
        return _retry_or_fail(self, delivery, holder, faults, outages, exc)
    return "graded" if stored else "skipped"


def _retry_outage(task, delivery: Delivery, holder: str, faults: int, outages: int, error: str, exc) -> str:
    log.warning("database unavailable for submission %s run %s: %s", delivery.submission_id, delivery.run, exc)
    if outages >= setting("SEQLAB_OUTAGE_RETRIES"):
        return "given up: the database stayed down (the sweeper sends it again)"
    raise task.retry(args=(delivery.submission_id, delivery.run),
                     kwargs={"release": holder, "faults": faults, "outages": outages + 1, "error": error},
                     countdown=min(setting("SEQLAB_OUTAGE_RETRY_MAX_SECONDS"), 1 + outages), exc=exc)


def _retry_or_fail(task, delivery: Delivery, holder: str, faults: int, outages: int, exc) -> str:
    """The host failed the grading: try again on a fresh engine, a bounded number of times."""
    from seqlab.submissions.services import submission_fail
    error = f"{type(exc).__name__}: {exc}"
    if faults >= settings.SEQLAB_GRADE_RETRIES:
        log.error("giving up on submission %s run %s: %s", delivery.submission_id, delivery.run, error)
        try:
            submission_fail(submission_id=delivery.submission_id, run=delivery.run, error=error)
        except Exception as db_exc:
            if not database_down(db_exc):
                raise
            return _retry_outage(task, delivery, holder, faults, outages, error, db_exc)
        return "failed"
    log.warning("retrying submission %s run %s: %s", delivery.submission_id, delivery.run, error)
    raise task.retry(args=(delivery.submission_id, delivery.run),
                     kwargs={"release": holder, "faults": faults + 1, "outages": outages, "error": error},
                     countdown=min(60, 2 ** faults), exc=exc)


@shared_task(ignore_result=True)
def sweep_stuck_submissions() -> int:
    """Send again the runs that are really lost (dead worker, vanished message); beat calls it."""
    try:
        requeued = recovery.sweep()
    except Exception as exc:
        if not database_down(exc):
            raise
        log.warning("sweep skipped, the database is unavailable: %s", exc)
        return 0
    if requeued:
        log.warning("re-queued lost submissions %s", requeued)
    return len(requeued)


def _role() -> str:
    return os.environ.get("SEQLAB_WORKER_ROLE", "grading")


@worker_ready.connect
def _warm_engine(sender=None, **_):
    """Pay the engine's start-up (torch import) before the first student waits for it, then beat."""
    if _role() == "grading":
        try:
            runner.engine_warm()
        except Exception:  # the first task retries the start and reports the fault properly
            log.exception("the grading engine did not start")
    heartbeat.start(hostname=getattr(sender, "hostname", None), role=_role())


@worker_init.connect
def _watch_supervisor(**_):
    """From the start (before the engine warms): a worker nobody supervises must not linger."""
    if os.environ.get("SEQLAB_SUPERVISOR_STATE"):
        supervisor.watch_supervisor(grace=setting("SEQLAB_ADOPT_GRACE_SECONDS"))


@worker_shutdown.connect
def _close_engine(**_):
    heartbeat.stop()
    runner.engine_close()
