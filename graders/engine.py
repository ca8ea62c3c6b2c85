"""The warm grader: one zygote for many submissions.

    with Engine() as engine:
        result = engine.grade(Job(assignment_dir=..., filename="attention.py", content=...))

Whose fault it is. Everything the student's code does (exceptions, timeouts, running out of
memory, crashes it causes) is in the Result. A sandbox that could not be built
(SandboxUnavailable) or that died from outside (SandboxLost: SIGKILL with no memory, CPU or
wall limit reached, e.g. the host's OOM killer or an operator; a watcher that vanished) is not
the student's: `grade` grades the whole submission once more on fresh sandboxes (grading is
deterministic, so the retry gives the result the first try would have), and if that fails the
same way it raises **InfrastructureFault**. Nothing is charged to the student then: the caller
(the worker) retries the job later, on this host or another.

Off the critical path (`Engine(background=True)`, what a worker should use): the last sandbox of
a submission is closed (kill, memory report, cgroup removal) by a background thread after the
result is made, and a fresh sandbox for the next submission of the same assignment is spawned
there too, so neither costs a grading. Everything the student printed before the last reply is
in the result; the exit report of the last sandbox (cpu_seconds, memory, signal) is not:
`result.sandbox` says `closing: true` and `engine.sandbox_report(result)` waits for it.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
import weakref
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import replace
from types import TracebackType
from typing import Any, Callable

from graders import pipeline
from graders.budget import SandboxLost
from graders.contracts import Job, Limits, Result
from graders.sandbox.host import Sandbox, SandboxUnavailable, Zygote
from graders.sandbox.proxy import Session

log = logging.getLogger(__name__)
ATTEMPTS = 2                      # the first try and one retry on fresh sandboxes
# How long a spare sandbox may wait for a submission. Its watchdog (wall limit + 5 s from its
# spawn) gets this much more, so waiting never shortens the time the submission is granted; the
# watchdog only matters for a grader that hangs (a grader that dies takes its sandboxes with it).
SPARE_SECONDS = 120.0
KEPT_REPORTS = 64                 # exit reports of background closes kept for sandbox_report


class InfrastructureFault(Exception):
    """Grading failed twice for a reason that is not the student's; retry the job later."""


class Background:
    """One thread that closes used sandboxes and spawns spares while the engine grades."""

    def __init__(self) -> None:
        self.jobs: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="seqlab-sandbox-background", daemon=True)
        self.thread.start()

    def submit(self, job: Callable[[], None]) -> None:
        self.jobs.put(job)

    def _run(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                if job is None:
                    return
                job()
            except Exception:  # a failed close or spare must not stop the next ones
                log.exception("background sandbox work failed")
            finally:
                self.jobs.task_done()

    def settle(self) -> None:
        """Wait until every job submitted so far is done."""
        self.jobs.join()

    def stop(self) -> None:
        self.jobs.put(None)
        self.thread.join(timeout=30)


class Spares:
    """The zygote as the pipeline sees it, with one sandbox spawned ahead of need."""

    def __init__(self, zygote: Zygote, background: "Background") -> None:
        self.zygote, self.background = zygote, background
        self._spare: tuple[tuple[Any, int, str, tuple[str, ...]], float, Sandbox] | None = None
        self._filling = False
        self._cond = threading.Condition()

    @property
    def mode(self) -> str:
        return self.zygote.mode

    def spawn(self, limits: Limits, seed: int, device: str = "cpu", *, install: tuple[str, ...] = ()) -> Sandbox:
        """A fresh, never used sandbox: the spare if it fits and is idle (its tripwires for
        `install` already placed), else a new one."""
        with self._cond:
            self._cond.wait_for(lambda: not self._filling, timeout=10.0)
            spare, self._spare = self._spare, None
        if spare is not None:
            key, born, box = spare
            if key == (limits, seed, device, install) and time.monotonic() - born < SPARE_SECONDS and _idle(box):
                return box
            self.background.submit(box.close)          # stale or for another assignment: not on this path
        return self.zygote.spawn(limits, seed, device)

    def refill(self, limits: Limits, seed: int, device: str = "cpu", install: tuple[str, ...] = ()) -> None:
        """Spawn a spare for (limits, seed, device) with the tripwires of `install` placed, unless
        one is there (runs in the background thread)."""
        install = tuple(install)
        key = (limits, seed, device, install)
        with self._cond:
            if self._spare is not None and self._spare[0] == key:
                return
            self._filling = True
        box = None
        try:
            box = self.zygote.spawn(replace(limits, wall_seconds=limits.wall_seconds + SPARE_SECONDS), seed, device)
            if install:
                try:
                    box.install(install)
                except SandboxUnavailable:
                    box, failed = None, box
                    failed.close()
                    raise
        finally:
            with self._cond:
                old, self._filling = None, False
                if box is not None:
                    old, self._spare = self._spare, (key, time.monotonic(), box)
                self._cond.notify_all()
        if old is not None:
            old[2].close()

    def discard(self) -> None:
        with self._cond:
            spare, self._spare = self._spare, None
        if spare is not None:
            spare[2].close()


def _idle(box: Sandbox) -> bool:
    """A spare is usable if it is alive and has said nothing since it started (no exit, no data)."""
    import select
    if not box.alive or box.pending() is not None:
        return False
    ready, _, _ = select.select([box.ctl], [], [], 0)
    return not ready


class Engine:
    """Keeps torch imported in a zygote and forks a fresh sandbox per submission."""

    def __init__(self, *, background: bool = False) -> None:
        self.zygote = Zygote()
        self._lock = threading.Lock()
        self.started = False
        self.in_background = background
        self.background: Background | None = None
        self.spares: Spares | None = None
        self._closing: OrderedDict[int, tuple[Any, Future[dict[str, Any]]]] = OrderedDict()
        self._last_close: Future[dict[str, Any]] | None = None

    def start(self) -> "Engine":
        """Start the zygote and prove a sandbox can be built here (raises SandboxUnavailable)."""
        self.zygote.launch()
        import torch  # checks and references compute with it here, while the zygote imports it
        # Checks compute on small tensors: extra threads would only spin and take the CPU the
        # sandboxed submission needs (measured: a grading went from 6 s to 40 s on 2 busy cores).
        torch.set_num_threads(1)
        self.zygote.wait_ready()
        self.zygote.spawn(Limits(), 0).close()
        if self.in_background:
            self.background = Background()
            self.spares = Spares(self.zygote, self.background)
        self.started = True
        return self

    def grade(self, job: Job) -> Result:
        """Grade one submission. Student faults are in the result; infrastructure faults raise
        InfrastructureFault after one retry (AssignmentError: the assignment is broken)."""
        if not self.started:
            self.start()
        with self._lock:
            faults: list[str] = []
            for _ in range(ATTEMPTS):
                try:
                    return self._grade_once(job)
                except (SandboxLost, SandboxUnavailable) as exc:
                    faults.append(f"{type(exc).__name__}: {exc}")
            raise InfrastructureFault("grading failed on fresh sandboxes twice: " + " | ".join(faults))

    def _grade_once(self, job: Job) -> Result:
        if self.spares is None:
            return pipeline.grade(job, self.zygote)
        self._last_close = None
        result = pipeline.grade(job, self.spares, closer=self._close_later)
        if self._last_close is not None:
            self._closing[id(result)] = (weakref.ref(result), self._last_close)
            while len(self._closing) > KEPT_REPORTS:
                self._closing.popitem(last=False)
        return result

    def _close_later(self, session: Session) -> None:
        """Close the submission's last sandbox in the background, then spawn a spare like it."""
        assert self.background is not None and self.spares is not None
        done: Future[dict[str, Any]] = Future()
        self._last_close = done

        def close() -> None:
            try:
                done.set_result(session.close())
            except BaseException as exc:
                done.set_exception(exc)
                raise
            self.spares.refill(session.limits, session.seed, session.device, session.specs)
        self.background.submit(close)

    def sandbox_report(self, result: Result, timeout: float = 30.0) -> dict[str, Any]:
        """result.sandbox with the exit report of its last sandbox, waiting for a background close."""
        entry = self._closing.get(id(result))
        if entry is None or entry[0]() is not result:
            return dict(result.sandbox)
        report = entry[1].result(timeout=timeout)
        return {**report, **{k: v for k, v in result.sandbox.items() if k != "closing"}}

    def settle(self) -> None:
        """Wait for background closes and spares (tests, benchmarks, shutdown)."""
        if self.background is not None:
            self.background.settle()

    def close(self) -> None:
        if self.background is not None and self.spares is not None:
            self.background.settle()
            self.spares.discard()
            self.background.stop()
            self.background = self.spares = None
        self.zygote.stop()
        self.started = False

    def __enter__(self) -> "Engine":
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
