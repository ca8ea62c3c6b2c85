"""The grading session's budgets: per-check call limits, per-target time, and whose fault a death is.

A hostile submission must cost seconds, not the whole wall limit:

* every call to the student's code is bounded by its check's call limit (`limits.toml` of the
  assignment, measured from correct solutions; else the check's `timeout=`; else
  `[limits] call_seconds`);
* once a call for a target (a function or class of the submission) has timed out, every later
  call for that target fails at once with the same message: no new call, no new wait;
* a target whose call ran out of memory (a MemoryError, or the kernel's OOM kill) is treated the
  same way: a memory bomb otherwise costs a fresh sandbox and a gigabyte of zeroed pages for
  every check that calls it (0.5-1 s each), and, since under load the same bomb sometimes times
  out before it runs out of memory, any other rule would make its score depend on the load;
* each target has its own time budget (`limits.toml` `[targets]`, else `[limits] target_seconds`),
  so a submission that has spent it on one target still has time for the others.

A sandbox that dies with no sign that the student's code caused it (SIGKILL without an OOM
kill, a wall-limit kill or a used-up CPU limit; a watcher that vanished) is not the student's
fault: the session raises SandboxLost, which the engine answers by grading the submission again
on fresh sandboxes (graders/engine.py).
"""
from __future__ import annotations

import time
from typing import Any

from graders.sandbox.proxy import Session, StudentError

# SIGKILL is the one signal the student's code cannot send its sandbox: the sandbox is PID 1 of
# its own PID namespace, which the kernel shields from SIGKILL sent inside the namespace.
OUTSIDE_SIGNALS = ("SIGKILL",)
MEMORY_STRIKES = 1           # memory failures of one target after which its later calls fail at once


class SandboxLost(Exception):
    """The sandbox died from outside the student's code (host OOM killer, an operator, a lost watcher)."""


class GradingSession(Session):
    """A Session that enforces per-check call limits and per-target budgets, and spots outside kills."""

    def __init__(self, *args: Any, target_budgets: dict[str, float] | None = None,
                 default_budget: float = 0.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target_budgets = dict(target_budgets or {})
        self.default_budget = default_budget           # 0: the wall limit alone bounds a target
        self.targets: tuple[str, ...] = ()              # the targets of the check now running
        self.spent: dict[str, float] = {}               # seconds spent in calls, per target
        self.timed_out: dict[str, str] = {}             # target -> the message its later calls fail with
        self.memory_failures: dict[str, int] = {}       # target -> calls that ran out of memory
        self.slowest: dict[str, float] = {}             # check id -> its slowest call (s)
        self.check_id = ""
        self.lost: str | None = None                    # why the sandbox was lost, if it was

    # ------------------------------------------------------------------ budgets
    def begin_check(self, check_id: str, targets: tuple[str, ...]) -> None:
        self.check_id, self.targets = check_id, targets

    def budget(self, target: str) -> float:
        budget = self.target_budgets.get(target, self.default_budget)
        return budget if budget > 0 else self.limits.wall_seconds

    def timeout_of(self, targets: tuple[str, ...]) -> str | None:
        """The recorded timeout of the first of `targets` that has one."""
        return next((self.timed_out[t] for t in targets if t in self.timed_out), None)

    def call(self, header: dict[str, Any], values: dict[str, Any], *, what: str,
             timeout: float | None) -> tuple[dict[str, Any], dict[str, Any]]:
        targets = self.targets or ((str(header["target"]),) if header.get("target") else (what,))
        earlier = self.timeout_of(targets)
        if earlier is not None:
            raise StudentError("timeout", earlier)
        limit = timeout or self.limits.call_seconds
        left = min(self.budget(t) - self.spent.get(t, 0.0) for t in targets)
        if left <= 0:
            raise self._record(targets, StudentError("timeout", self._spent_text(targets)))
        t0 = time.monotonic()
        try:
            return super().call(header, values, what=what, timeout=min(limit, left))
        except StudentError as err:
            if err.kind == "timeout":
                if left < limit and time.monotonic() - t0 >= left:
                    err = StudentError("timeout", f"{err}; {self._spent_text(targets)}")
                raise self._record(targets, err) from None
            if err.kind == "memory":
                for t in targets:
                    self.memory_failures[t] = self.memory_failures.get(t, 0) + 1
                if max(self.memory_failures[t] for t in targets) >= MEMORY_STRIKES:
                    raise self._record(targets, err) from None
            raise
        finally:
            took = time.monotonic() - t0
            for t in targets:
                self.spent[t] = self.spent.get(t, 0.0) + took
            self.slowest[self.check_id] = max(self.slowest.get(self.check_id, 0.0), took)

    def _spent_text(self, targets: tuple[str, ...]) -> str:
        t = min(targets, key=lambda t: self.budget(t) - self.spent.get(t, 0.0))
        return f"`{t}` used up its time budget of {self.budget(t):g} s"

    def _record(self, targets: tuple[str, ...], err: StudentError) -> StudentError:
        for t in targets:
            self.timed_out.setdefault(t, str(err))
        return err

    # ------------------------------------------------------------------ whose fault a death is
    def _death(self, report: dict[str, Any]) -> str:
        reason = self.outside_kill(report)
        if reason is not None:
            self.lost = reason
            raise SandboxLost(reason)
        return super()._death(report)

    def outside_kill(self, report: dict[str, Any]) -> str | None:
        """Why this exit report shows a death the student's code did not cause, or None."""
        if not report:
            return "the sandbox's watcher process vanished before reporting how the sandbox ended"
        if report.get("signal") not in OUTSIDE_SIGNALS or report.get("oom_kills") or report.get("wall"):
            return None
        if float(report.get("cpu_seconds", 0.0)) >= self.limits.cpu_seconds:
            return None                                 # RLIMIT_CPU's hard limit sends SIGKILL
        if self.zygote.mode != "namespaces":
            return None                                 # without a PID namespace the code can SIGKILL itself
        return "the sandbox was killed by SIGKILL from outside (no memory, CPU or wall limit was reached)"
