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
"""
from __future__ import annotations

import threading
from types import TracebackType

from graders import pipeline
from graders.budget import SandboxLost
from graders.contracts import Job, Limits, Result
from graders.sandbox.host import SandboxUnavailable, Zygote

ATTEMPTS = 2                      # the first try and one retry on fresh sandboxes


class InfrastructureFault(Exception):
    """Grading failed twice for a reason that is not the student's; retry the job later."""


class Engine:
    """Keeps torch imported in a zygote and forks a fresh sandbox per submission."""

    def __init__(self) -> None:
        self.zygote = Zygote()
        self._lock = threading.Lock()
        self.started = False

    def start(self) -> "Engine":
        """Start the zygote and prove a sandbox can be built here (raises SandboxUnavailable)."""
        self.zygote.launch()
        import torch  # checks and references compute with it here, while the zygote imports it
        # Checks compute on small tensors: extra threads would only spin and take the CPU the
        # sandboxed submission needs (measured: a grading went from 6 s to 40 s on 2 busy cores).
        torch.set_num_threads(1)
        self.zygote.wait_ready()
        self.zygote.spawn(Limits(), 0).close()
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
                    return pipeline.grade(job, self.zygote)
                except (SandboxLost, SandboxUnavailable) as exc:
                    faults.append(f"{type(exc).__name__}: {exc}")
            raise InfrastructureFault("grading failed on fresh sandboxes twice: " + " | ".join(faults))

    def close(self) -> None:
        self.zygote.stop()
        self.started = False

    def __enter__(self) -> "Engine":
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
