"""Run a pure function of untrusted data in a short-lived forked child with CPU and memory limits.

The grader process runs outside every sandbox; work whose cost a submission controls (parsing
a large source, say) runs here instead, so that a pathological input costs at most the named
bounds and never the grader's memory. The child only computes: it gets the arguments by
fork, returns JSON-able data through a pipe and exits; it never touches the grader's state.
"""
from __future__ import annotations

import json
import os
import resource
import select
import signal
import time
from typing import Any, Callable


class BoundExceeded(Exception):
    """The work needed more CPU time, memory or wall time than its bounds."""


def run_bounded(func: Callable[..., Any], *args: Any, cpu_seconds: int, memory_mib: int,
                wall_seconds: float) -> Any:
    """`func(*args)` in a forked child; its JSON-able return value, or BoundExceeded."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:                                   # the child: compute, write, exit; never return
        status = 1
        try:
            os.close(read_fd)
            _limit(cpu_seconds, memory_mib)
            data = json.dumps({"value": func(*args)}).encode()
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view):]
            status = 0
        except BaseException:                      # MemoryError, RecursionError, ...: the parent says why
            status = 1
        finally:
            os._exit(status)
    os.close(write_fd)
    try:
        data = _read_until(read_fd, time.monotonic() + wall_seconds)
    finally:
        os.close(read_fd)
        _reap(pid)
    if data is None:
        raise BoundExceeded(f"more than {wall_seconds:g} s")
    try:
        return json.loads(data)["value"]
    except (ValueError, KeyError):
        raise BoundExceeded(f"more than {cpu_seconds} s of CPU or {memory_mib} MiB of memory") from None


def _limit(cpu_seconds: int, memory_mib: int) -> None:
    """Limits relative to what the forked grader already maps (torch maps a lot)."""
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    mapped = _vm_size()
    if mapped:
        limit = mapped + (memory_mib << 20)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _vm_size() -> int:
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _read_until(fd: int, deadline: float) -> bytes | None:
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _reap(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:                      # reaped already by a SIGCHLD handler
        pass
