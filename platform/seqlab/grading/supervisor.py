"""The supervisor owns its workers: a restarted one adopts them, and orphans do not linger.

- Each worker watches its supervisor (a thread, every second). When the supervisor dies (even
  by SIGKILL) the worker keeps grading for SEQLAB_ADOPT_GRACE_SECONDS, waiting for a new
  supervisor to adopt it; if none does, it stops taking work and finishes the grading in hand
  (Celery's warm shutdown). Nothing runs unsupervised for long, and a quick restart costs no
  worker its warm engine.
- A new supervisor reads its predecessor's state file and adopts every worker of it that still
  lives (checked by its command line), starting only the missing ones: never doubled.
- A lock file (flock) per queue set: a second supervisor for the same queues on this host
  refuses to start while the first lives; the kernel drops the lock when its holder dies.
- The state file, rewritten every second, names the supervisor and its workers; the container
  health check (`python -m seqlab.grading.health`) and the workers read it.
"""
from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

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


def alive(pid: int) -> bool:
    """True while the process runs (a zombie waiting for its reaper is dead)."""
    if pid <= 0:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


def read_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


class Adopted:
    """A worker a previous supervisor started: watched by its pid, as Popen would be."""

    def __init__(self, pid: int):
        self.pid, self.returncode = pid, None

    def poll(self):
        if self.returncode is None and not alive(self.pid):
            self.returncode = -1
        return self.returncode

    def send_signal(self, sig: int) -> None:
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def wait(self, timeout: float | None = None):
        deadline = time.monotonic() + (timeout if timeout is not None else 1e9)
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout)
            time.sleep(0.2)
        return self.returncode


def adoptable(queues: str) -> dict[str, Adopted]:
    """The predecessor's workers that still run a Celery worker, by name."""
    found = {}
    for name, pid in read_state(state_path(queues)).get("children", {}).items():
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if alive(int(pid)) and b"celery" in cmdline and b"worker" in cmdline:
            found[name] = Adopted(int(pid))
    return found


def watch_supervisor(*, grace: float, every: float = 1.0) -> None:
    """In a worker: stop (warm) if the supervisor is gone and no new one adopts us within `grace`."""
    state = Path(os.environ["SEQLAB_SUPERVISOR_STATE"])
    parent = first = int(os.environ["SEQLAB_SUPERVISOR_PID"])
    me = os.getpid()

    def supervised() -> bool:
        # our own parent's death shows at once in getppid(); an adopter is watched by its pid
        return os.getppid() == first if parent == first else alive(parent)

    def loop() -> None:
        nonlocal parent
        orphaned_at = None
        while True:
            time.sleep(every)
            if supervised():
                orphaned_at = None
                continue
            current = read_state(state)
            if alive(int(current.get("pid", 0))) and me in current.get("children", {}).values():
                parent = int(current["pid"])          # adopted
                continue
            orphaned_at = orphaned_at or time.monotonic()
            if time.monotonic() - orphaned_at >= grace:
                os.kill(me, signal.SIGTERM)            # Celery's warm shutdown: finish, take nothing new
                return
    threading.Thread(target=loop, name="seqlab-supervisor-watch", daemon=True).start()


def write_state(queues: str, children: dict[str, int]) -> None:
    """Record the supervisor and its workers (atomically: the health check may read it now)."""
    path = state_path(queues)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), "queues": queues, "children": children, "at": time.time()}))
    tmp.replace(path)


def remove_state(queues: str) -> None:
    state_path(queues).unlink(missing_ok=True)
