"""Worker liveness: each worker process says every few seconds that it lives and what it holds.

A heartbeat is a Redis key with a short expiry, written by a thread in the worker process:
`seqlab:worker:<identity>` -> {"identity", "host", "pid", "role", "running", "held", "at"}.
`running` is the run the process is grading now ("<submission>:<run>"), `held` every grading
message it has taken from the broker and not yet acknowledged (the one it grades, retries
waiting for their countdown). The stuck-work sweeper reads them: a claimed run whose worker has
no heartbeat is lost, and a queued run is lost when neither the broker nor a live worker holds
its message. Redis is the broker already; a heartbeat costs one SET per process every few seconds.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time

from django.conf import settings

from seqlab.grading.conf import setting

log = logging.getLogger(__name__)
PREFIX = "seqlab:worker:"
GRADE_TASK = "seqlab.submissions.tasks.grade_submission"

_state = {"running": "", "identity": "", "role": "grading"}
_stop = threading.Event()
_thread: threading.Thread | None = None


def worker_identity(hostname: str | None) -> str:
    """The name a claim records: Celery's node name plus the process id (a restart is a new worker)."""
    return f"{hostname or socket.gethostname()}#{os.getpid()}"


_clients: dict[str, object] = {}


def redis_client():
    """A Redis client on the broker, or None when the broker is not Redis (laptop, unit tests)."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    if url not in _clients:      # one pool per URL; redis-py clients are thread-safe
        import redis
        _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    return _clients[url]


def run_key(submission_id: int, run: int) -> str:
    return f"{submission_id}:{run}"


def set_running(key: str) -> None:
    """Say (on the next beat, and now) which run this process grades; '' when idle."""
    _state["running"] = key
    if _thread is not None:
        beat_once()


def _held() -> list[str]:
    """Grading messages this process took from the broker and has not acknowledged."""
    from celery.worker import state
    held = set()
    for _ in range(5):          # the worker's thread changes these sets while we copy them
        try:
            requests = list(state.reserved_requests) + list(state.active_requests)
            break
        except RuntimeError:
            continue
    else:
        requests = []
    for request in requests:
        if request.task_name == GRADE_TASK and len(request.args or ()) >= 2:
            held.add(run_key(*request.args[:2]))
    return sorted(held)


def beat_once(client=None) -> None:
    """Write this process's heartbeat now (errors are logged: a missed beat is not a crash)."""
    identity = _state["identity"]
    if not identity:
        return
    payload = {"identity": identity, "host": identity.split("#")[0], "pid": os.getpid(),
               "role": _state["role"], "running": _state["running"], "held": _held(), "at": time.time()}
    try:
        client = client or redis_client()
        if client is not None:
            client.set(PREFIX + identity, json.dumps(payload), ex=setting("SEQLAB_HEARTBEAT_TTL"))
    except Exception as exc:  # Redis restarting or unreachable: the next beat tries again
        log.warning("heartbeat not written: %s", exc)


def start(*, hostname: str | None, role: str) -> None:
    """Start the heartbeat thread of this worker process (once)."""
    global _thread
    if _thread is not None or redis_client() is None:
        return
    _state.update(identity=worker_identity(hostname), role=role)
    _stop.clear()
    _thread = threading.Thread(target=_loop, name="seqlab-heartbeat", daemon=True)
    _thread.start()


def _loop() -> None:
    client = redis_client()
    while not _stop.is_set():
        beat_once(client)
        _stop.wait(setting("SEQLAB_HEARTBEAT_EVERY"))


def stop() -> None:
    """Stop beating and remove the key: a clean shutdown is not a lost worker."""
    global _thread
    _stop.set()
    if _thread is None:
        return
    _thread = None
    try:
        client = redis_client()
        if client is not None:
            client.delete(PREFIX + _state["identity"])
    except Exception:
        pass


def live_workers(client) -> dict[str, dict]:
    """Every worker process with a current heartbeat, by identity."""
    workers = {}
    for key in client.scan_iter(match=PREFIX + "*", count=500):
        raw = client.get(key)
        if raw:
            try:
                beat = json.loads(raw)
            except ValueError:
                continue
            workers[beat.get("identity", "")] = beat
    return workers
