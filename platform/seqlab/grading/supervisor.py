"""The supervisor owns its worker processes: they die with it, and only one runs per queue set.

- Each worker gets PR_SET_PDEATHSIG=SIGTERM: when the supervisor dies (even by SIGKILL), the
  kernel tells its workers, which stop taking work at once and finish the grading in hand
  (Celery's warm shutdown). A restarted supervisor therefore never doubles them.
- A lock file (flock) per queue set: a second supervisor for the same queues on this host
  refuses to start while the first lives; the kernel drops the lock when its holder dies.
- A state file, rewritten every few seconds, names the supervisor and its workers; the
  container health check (`python -m seqlab.grading.health`) reads it.
"""
from __future__ import annotations

import ctypes
import fcntl
import json
import os
import signal
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1


class AlreadyRunning(Exception):
    """Another supervisor holds the lock for these queues on this host."""


def run_dir() -> Path:
    base = os.environ.get("SEQLAB_VAR_DIR") or str(Path(__file__).resolve().parents[3] / "var")
    return Path(base) / "run"


def state_path(queues: str) -> Path:
    return run_dir() / f"grading-{queues.replace(',', '-')}.json"


def lock(queues: str):
    """Hold the per-queue-set lock for this process's life; raise AlreadyRunning if taken."""
    run_dir().mkdir(parents=True, exist_ok=True)
    handle = open(run_dir() / f"grading-{queues.replace(',', '-')}.lock", "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        raise AlreadyRunning(f"a grading supervisor for {queues} already runs here (pid {handle.read().strip()})") from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def die_with_parent(parent_pid: int):
    """A preexec_fn: SIGTERM this child when the supervisor dies; exit if it already has."""
    def arm() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent_pid:     # the parent died between fork and prctl
            os._exit(1)
    return arm


def write_state(queues: str, children: dict[str, int]) -> None:
    """Record the supervisor and its workers (atomically: the health check may read it now)."""
    path = state_path(queues)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), "queues": queues, "children": children, "at": time.time()}))
    tmp.replace(path)


def remove_state(queues: str) -> None:
    state_path(queues).unlink(missing_ok=True)
