"""Reads for operators: how long the queues are, how old their oldest work, which workers live."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q
from django.utils import timezone

from seqlab.grading import broker, heartbeat
from seqlab.submissions.models import Status, Submission


@dataclass(frozen=True)
class QueueView:
    name: str
    queued: int                    # runs waiting, by the database
    running: int
    in_broker: int | None          # messages waiting in Redis (None: not a Redis broker)
    oldest_wait_seconds: float | None


@dataclass(frozen=True)
class Overview:
    queues: list[QueueView]
    workers: list[dict] = field(default_factory=list)
    broker_error: str = ""

    @property
    def grading_workers(self) -> int:
        return sum(1 for w in self.workers if w.get("role") == "grading")


def queue_overview() -> Overview:
    """One aggregate query over pending runs, plus the broker's lists and the heartbeats."""
    now = timezone.now()
    rows = (Submission.objects.filter(status__in=[Status.QUEUED, Status.RUNNING])
            .values("offering__assignment__queue")
            .annotate(queued=Count("id", filter=Q(status=Status.QUEUED)),
                      running=Count("id", filter=Q(status=Status.RUNNING)),
                      oldest=Min("queued_at", filter=Q(status=Status.QUEUED))))
    pending = {r["offering__assignment__queue"]: r for r in rows}
    names = sorted(set(pending) | {"cpu", "gpu"})
    lengths, workers, error = {}, [], ""
    client = heartbeat.redis_client()
    if client is not None:
        try:
            lengths = broker.queue_lengths(client, set(names))
            workers = sorted(heartbeat.live_workers(client).values(), key=lambda w: w.get("identity", ""))
        except Exception as exc:  # the page must show the database's view even when Redis is down
            error = f"{type(exc).__name__}: {exc}"
    for w in workers:
        w["age"] = max(0.0, time.time() - float(w.get("at", 0)))
    queues = [QueueView(name, pending.get(name, {}).get("queued", 0), pending.get(name, {}).get("running", 0),
                        lengths.get(name) if client is not None and not error else None,
                        (now - pending[name]["oldest"]).total_seconds() if pending.get(name, {}).get("oldest") else None)
              for name in names]
    return Overview(queues, workers, error)
