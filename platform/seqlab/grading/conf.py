"""The grading side's knobs, each from the environment with a default that fits one course.

Read through `setting(NAME)`: a Django setting of that name wins (tests override it there).
"""
from __future__ import annotations

from django.conf import settings

from seqlab.config.env import env_int

DEFAULTS = {
    # A worker process writes its heartbeat this often; it expires after the TTL.
    "SEQLAB_HEARTBEAT_EVERY": env_int("SEQLAB_HEARTBEAT_EVERY", 3),
    "SEQLAB_HEARTBEAT_TTL": env_int("SEQLAB_HEARTBEAT_TTL", 15),
    # A run must look lost this long (over two sweeps or more) before it is sent again.
    "SEQLAB_LOST_CONFIRM_SECONDS": env_int("SEQLAB_LOST_CONFIRM_SECONDS", 8),
    # While the database is down a delivery retries this often (1 s, 2 s, ... up to the max).
    "SEQLAB_OUTAGE_RETRIES": env_int("SEQLAB_OUTAGE_RETRIES", 200),
    "SEQLAB_OUTAGE_RETRY_MAX_SECONDS": env_int("SEQLAB_OUTAGE_RETRY_MAX_SECONDS", 15),
    # A worker whose supervisor died waits this long for a new one to adopt it, then stops.
    "SEQLAB_ADOPT_GRACE_SECONDS": env_int("SEQLAB_ADOPT_GRACE_SECONDS", 30),
    # What a 503 during a database outage tells clients to wait.
    "SEQLAB_RETRY_AFTER_SECONDS": env_int("SEQLAB_RETRY_AFTER_SECONDS", 10),
}


def setting(name: str):
    return getattr(settings, name, DEFAULTS[name])
