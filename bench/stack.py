"""A whole production SeqLab on this machine, owned by one script: its own PostgreSQL and Redis
on their own ports, migrations, a course with N students and API tokens, gunicorn, a grading
supervisor (two worker processes and the sweeper's), and beat. Every piece can be killed,
stopped and started again, which is what bench/burst.py, bench/faults.py and the fault tests do.

Nothing here touches a shared service: the database cluster is a fresh `initdb` in a temporary
folder, Redis a fresh `redis-server` without persistence, and both go away with the stack.
"""
from __future__ import annotations

import contextlib
import glob
import ipaddress
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[1]
PG_BIN = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]) if glob.glob("/usr/lib/postgresql/*/bin") else None


@contextlib.contextmanager
def own_stack(port_base: int, prefix: str) -> Iterator["Stack"]:
    """A Stack in a temporary folder, on free ports from `port_base` (PostgreSQL, Redis; the web
    2000 above), closed and removed afterwards."""
    pg, redis = free_ports(port_base, 2)
    (web,) = free_ports(port_base + 2000, 1)
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp, Stack(Path(tmp), ports=(pg, redis, web)) as stack:
        yield stack


def free_ports(base: int, n: int) -> tuple[int, ...]:
    """The first n ports from `base` (within 90) that nothing listens on."""
    ports = []
    for port in range(base, base + 90):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
        if len(ports) == n:
            return tuple(ports)
    raise RuntimeError(f"no {n} free ports from {base}")


def _as_postgres() -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class Stack:
    """One production-like deployment; `ports` = (PostgreSQL, Redis, web)."""

    def __init__(self, root: Path, *, ports: tuple[int, int, int], engine: str = "graders.engine.Engine",
                 extra_env: dict[str, str] | None = None, listen: str | None = None):
        self.root = Path(root)
        self.listen = listen             # one more address PostgreSQL and Redis listen on (a veth)
        self.pg_port, self.redis_port, self.web_port = ports
        self.engine = engine
        self.extra_env = extra_env or {}
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs = self.root / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        # Its own folder under /tmp: the `postgres` user must reach it, whatever `root`'s modes are.
        self._pg_parent = Path(tempfile.mkdtemp(prefix="seqlab-pg-"))
        os.chmod(self._pg_parent, 0o711)
        self.pgdata = self._pg_parent / "data"

    # ------------------------------------------------------------------ environment
    def env(self, **more: str) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE", "REDIS", "SEQLAB", "CELERY"))}
        return {**keep, "PYTHONPATH": f"{REPO / 'platform'}{os.pathsep}{REPO}",
                "DJANGO_SETTINGS_MODULE": "seqlab.config.settings.production",
                "DJANGO_SECRET_KEY": self._secret(), "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SEQLAB_SECURE_COOKIES": "0", "SEQLAB_SSL_REDIRECT": "0", "SEQLAB_VAR_DIR": str(self.root / "var"),
                "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{self.pg_port}/seqlab",
                "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
                "SEQLAB_ENGINE": self.engine, "SEQLAB_STOP_GRACE_SECONDS": "20", **self.extra_env, **more}

    def _secret(self) -> str:
        path = self.root / "secret"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
        return path.read_text()

    # ------------------------------------------------------------------ PostgreSQL
    def postgres_init(self) -> None:
        self.pgdata.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.pgdata, "postgres", "postgres")
        subprocess.run([*_as_postgres(), str(PG_BIN / "initdb"), "-D", str(self.pgdata), "-U", "postgres",
                        "--auth=trust", "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
        if self.listen:
            with open(self.pgdata / "pg_hba.conf", "a") as hba:
                hba.write(f"host all all {ipaddress.ip_network(self.listen + '/30', strict=False)} trust\n")
        self.postgres_start()
        subprocess.run([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres",
                        "seqlab"], check=True, capture_output=True)

    def postgres_start(self) -> None:
        addresses = ",".join(["127.0.0.1"] + ([self.listen] if self.listen else []))
        options = (f"-p {self.pg_port} -k {self.pgdata} -c listen_addresses={addresses} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        subprocess.run([*_as_postgres(), str(PG_BIN / "pg_ctl"), "-D", str(self.pgdata), "-l",
                        str(self.pgdata / "server.log"), "-o", options, "-w", "-t", "60", "start"],
                       check=True, capture_output=True)

    def postgres_stop(self, mode: str = "fast") -> None:
        subprocess.run([*_as_postgres(), str(PG_BIN / "pg_ctl"), "-D", str(self.pgdata), "-m", mode, "-w",
                        "stop"], capture_output=True)

    def sql(self, query: str, *params):
        import psycopg
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.pg_port}/seqlab", connect_timeout=5) as conn:
            return conn.execute(query, params).fetchall()

    # ------------------------------------------------------------------ Redis
    def redis_start(self) -> None:
        self._spawn("redis", ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
                              *([self.listen] if self.listen else []),
                              "--save", "", "--appendonly", "no", "--protected-mode", "no"])
        self._wait(lambda: self._redis_ping(), 20, "redis")

    def redis_stop(self) -> None:
        self.kill("redis")

    def _redis_ping(self) -> bool:
        import redis
        try:
            return redis.Redis(port=self.redis_port, socket_connect_timeout=1).ping()
        except redis.RedisError:
            return False

    def redis(self):
        import redis
        return redis.Redis(port=self.redis_port, socket_connect_timeout=2)

    # ------------------------------------------------------------------ the site
    def manage(self, *args: str, timeout: float = 300) -> str:
        out = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=self.env(), capture_output=True,
                             text=True, timeout=timeout)
        if out.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
        return out.stdout

    def migrate(self) -> None:
        self.manage("migrate", "--noinput", "-v", "0")

    def seed(self, *, assignment: Path, students: int) -> dict:
        """A course, an open offering of `assignment`, and `students` students with API tokens."""
        out = subprocess.run([sys.executable, "-m", "bench.seed", str(assignment), str(students)], cwd=REPO,
                             env=self.env(), capture_output=True, text=True, timeout=600)
        if out.returncode:
            raise RuntimeError(f"seeding failed:\n{out.stderr}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    def web_start(self, *, workers: int | None = None, threads: int | None = None) -> None:
        """gunicorn with the site's config (seqlab.config.gunicorn); workers/threads override it."""
        sizing = ([f"--workers={workers}"] if workers else []) + ([f"--threads={threads}"] if threads else [])
        self._spawn("web", [sys.executable, "-m", "gunicorn", "seqlab.config.wsgi:application", "--config",
                            "python:seqlab.config.gunicorn", "--bind", f"127.0.0.1:{self.web_port}", *sizing])
        self._wait(self._web_up, 60, "gunicorn")

    def _web_up(self) -> bool:
        import urllib.request
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{self.web_port}/accounts/login/", timeout=2)
            return True
        except OSError:
            return False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def workers_start(self, *, processes: int = 2, name: str = "workers", env: dict | None = None,
                      wrap: list[str] | None = None) -> None:
        """The grading supervisor: `processes` workers on the cpu queue plus the sweeper's process."""
        self._spawn(name, [*(wrap or []), sys.executable, "manage.py", "grading_worker", "--queues", "cpu",
                           "--processes", str(processes)], env=env)

    def workers_kill(self, name: str = "workers") -> None:
        """SIGKILL the supervisor and every worker it names, adopted ones (another group) too."""
        pids = list(self.worker_pids().values())
        self.kill(name, signal.SIGKILL)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def beat_start(self) -> None:
        self._spawn("beat", [sys.executable, "-m", "celery", "-A", "seqlab", "beat", "--loglevel=WARNING",
                             "--schedule", str(self.root / "beat-schedule")])

    def worker_pids(self, queues: str = "cpu") -> dict[str, int]:
        """The supervisor's workers, from its state file."""
        path = self.root / "var" / "run" / f"grading-{queues}.json"
        try:
            return json.loads(path.read_text())["children"]
        except (OSError, ValueError):
            return {}

    def wait_workers_ready(self, n: int, timeout: float = 180) -> None:
        """Until `n` grading processes beat (their engines are warm: they beat from worker_ready)."""
        def ready():
            try:
                beats = [json.loads(self.redis().get(k)) for k in self.redis().scan_iter(match="seqlab:worker:*")]
            except Exception:
                return False
            return sum(1 for b in beats if b.get("role") == "grading") >= n
        self._wait(ready, timeout, f"{n} warm grading workers")

    # ------------------------------------------------------------------ processes
    def _spawn(self, name: str, argv: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")
        proc = subprocess.Popen(argv, cwd=REPO, env=env or self.env(), stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        self.procs[name] = proc
        return proc

    def kill(self, name: str, sig: int = signal.SIGKILL, group: bool = True) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig) if group else proc.send_signal(sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    @staticmethod
    def _wait(predicate, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.25)
        raise TimeoutError(f"{what} not up after {timeout} s")

    def services_start(self) -> None:
        """Its own PostgreSQL and Redis, the database migrated."""
        self.postgres_init()
        self.redis_start()
        self.migrate()

    def start(self, *, assignment: Path, students: int, processes: int = 2, web: bool = True) -> dict:
        """Everything, in order; returns the seed (offering id, tokens)."""
        self.services_start()
        seeded = self.seed(assignment=assignment, students=students)
        if web:
            self.web_start()
        self.workers_start(processes=processes)
        self.beat_start()
        self.wait_workers_ready(processes)
        return seeded

    def close(self) -> None:
        """Stop everything this stack started (workers warm-stopped briefly, then killed)."""
        for name in [n for n in self.procs if n not in ("redis",)]:
            self.kill(name, signal.SIGTERM)
        for pid in self.worker_pids().values():     # adopted workers live in another process group
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.redis_stop()
        if self.pgdata.exists():
            self.postgres_stop("immediate")
        shutil.rmtree(self._pg_parent, ignore_errors=True)

    def __enter__(self) -> "Stack":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ------------------------------------------------------------------ process trees (faults, fault tests)
def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children, their children, ...), read from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cmdline(pid: int) -> str:
    """A process's command line ('' once it is gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
