"""Reach the real services the way CI provides them; fail loudly when CI says they must exist."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
REQUIRE_SERVICES = os.environ.get("SEQLAB_REQUIRE_SERVICES") == "1"


def unavailable(reason: str):
    """Fail under SEQLAB_REQUIRE_SERVICES=1 (CI), else skip with the reason."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable: {reason}")
    pytest.skip(reason)


def require_postgres_and_redis(settings) -> str:
    from django.db import connection
    if connection.vendor != "postgresql":
        unavailable("a worker process needs a shared database: set DATABASE_URL=postgresql://...")
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        unavailable("set REDIS_URL=redis://... to test through Redis")
    import redis
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis at {url}: {exc}")
    return url


def database_url() -> str:
    """The URL of the test database this process uses, for a child process to share."""
    from django.db import connection
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class WorkerProcess:
    """A real `celery worker` in a child process, with its log kept for assertions."""

    def __init__(self, env: dict[str, str], queues: str = "cpu"):
        command = [sys.executable, "-m", "celery", "-A", "seqlab", "worker", "--pool=solo", "-Q", queues,
                   "--without-mingle", "--without-gossip", "--loglevel=INFO", "--hostname=test@%h"]
        full_env = {**os.environ, "PYTHONPATH": f"{REPO / 'platform'}{os.pathsep}{REPO}", **env}
        self.proc = subprocess.Popen(command, cwd=REPO, env=full_env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def wait_ready(self, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log:
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited early:\n{self.log}")
            time.sleep(0.2)
        raise AssertionError(f"worker not ready after {timeout} s:\n{self.log}")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def wait_for(predicate, timeout: float, what: str, log=lambda: ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{log()}")
