"""Find grading runs that are really lost and send them again; leave merely waiting ones alone.

A run is lost when nothing will ever grade it:
- claimed (running) by a worker process that no longer beats, or that beats but no longer
  holds the run's message (it was dropped when the broker went away);
- queued, but its message is neither in the broker's queue nor held by a live worker
  (a Redis restart without persistence, a publish that failed).
A run must look lost for SEQLAB_LOST_CONFIRM_SECONDS (two sweeps or more) before it is sent
again: a message moving from the queue to a worker, or a heartbeat late under load, is seen
once and then found. A re-sent run that was not lost after all is refused by the claim, so
the worst case of a wrong guess is one extra delivery, never a second result.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.utils import timezone

from seqlab.grading import broker, heartbeat
from seqlab.grading.conf import setting
from seqlab.core import pagecache
from seqlab.submissions.models import Status, Submission

log = logging.getLogger(__name__)
_suspects: dict[str, float] = {}     # run key -> when it first looked lost (this sweeper process)


@dataclass(frozen=True)
class Pending:
    id: int
    run: int
    status: str
    worker: str
    queue: str
    since: float                      # epoch seconds: queued_at or started_at

    @property
    def key(self) -> str:
        return heartbeat.run_key(self.id, self.run)


def _pending() -> list[Pending]:
    rows = Submission.objects.filter(status__in=[Status.QUEUED, Status.RUNNING]).values_list(
        "id", "run", "status", "worker", "offering__assignment__queue", "queued_at", "started_at")
    return [Pending(i, r, s, w, q, (started if s == Status.RUNNING and started else queued).timestamp())
            for i, r, s, w, q, queued, started in rows]


def _lost(pending: list[Pending], workers: dict[str, dict], waiting: set[str], now: float) -> set[str]:
    held_by = {identity: set(beat.get("held", [])) | {beat.get("running", "")}
               for identity, beat in workers.items()}
    held_anywhere = set().union(*held_by.values()) if held_by else set()
    young = setting("SEQLAB_LOST_CONFIRM_SECONDS")
    lost = set()
    for p in pending:
        if now - p.since < young:
            continue
        if p.status == Status.RUNNING and p.key not in held_by.get(p.worker, ()):
            lost.add(p.key)
        elif p.status == Status.QUEUED and p.key not in waiting and p.key not in held_anywhere:
            lost.add(p.key)
    return lost


def _confirmed(lost: set[str], now: float) -> set[str]:
    for key in list(_suspects):
        if key not in lost:
            del _suspects[key]
    return {key for key in lost if now - _suspects.setdefault(key, now) >= setting("SEQLAB_LOST_CONFIRM_SECONDS")}


def _resend(p: Pending) -> bool:
    from seqlab.submissions.tasks import grade_submission
    rows = Submission.objects.filter(pk=p.id, run=p.run, status=p.status)
    if p.status == Status.RUNNING:
        with pagecache.owned_by(Submission.student_of(p.id)):
            touched = rows.filter(worker=p.worker).update(
                status=Status.QUEUED, queued_at=timezone.now(),
                error=f"re-queued: worker {p.worker[:150]} stopped grading it")
    else:
        touched = rows.exists()
    if touched:
        grade_submission.apply_async(args=(p.id, p.run), queue=p.queue)
        _suspects.pop(p.key, None)
    return bool(touched)


def sweep(*, now: float | None = None) -> list[int]:
    """Send again every run that is really lost; return their submission ids."""
    client = heartbeat.redis_client()
    if client is None:               # no heartbeats to read (filesystem broker): fall back to age
        from seqlab.submissions.services import submission_requeue_stuck
        return submission_requeue_stuck()
    now = time.time() if now is None else now
    pending = _pending()
    if not pending:
        _suspects.clear()
        return []
    waiting = broker.queued_runs(client, {p.queue for p in pending})
    workers = heartbeat.live_workers(client)
    confirmed = _confirmed(_lost(pending, workers, waiting, now), now)
    return [p.id for p in pending if p.key in confirmed and _resend(p)]
