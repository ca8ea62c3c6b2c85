"""Celery tasks of insight: they take ids, re-read the rows, and can run twice harmlessly."""
from __future__ import annotations

from celery import shared_task

from seqlab.insight import services


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, soft_time_limit=600, time_limit=660,
             ignore_result=True)
def similarity_task(self, run_id: int) -> None:
    """Compute one similarity report (see services.similarity_compute)."""
    try:
        services.similarity_compute(run_id=run_id)
    except Exception as exc:
        services.similarity_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        raise
