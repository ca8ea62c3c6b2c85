"""The grader's outside view of a sandbox's GPU memory (NVML, through nvidia-smi).

Inside the sandbox, `torch.cuda.set_per_process_memory_fraction` bounds PyTorch's caching
allocator before the student's module loads; the student's process could still allocate
around it (another library's cudaMalloc), and what a process reports about itself is only
as honest as that process. So the grader also watches the sandbox from outside: NVML's
per-process used memory, sampled every POLL_SECONDS. Over the limit (plus the CUDA
context's own CONTEXT_MIB) the sandbox is killed, and the exit report says why. Where
nvidia-smi is missing or shows no processes (some virtualised GPUs), only the inside cap
holds, and the report says `gpu_watch: "unavailable"`.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from typing import Callable

POLL_SECONDS = 0.5
CONTEXT_MIB = 1024          # a CUDA context and cuDNN/cuBLAS workspaces, beyond the allocator's cap
QUERY = ["nvidia-smi", "--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits"]


def gpu_memory_by_pid() -> dict[int, int] | None:
    """MiB of GPU memory per process, from NVML; None when it cannot be read here."""
    if shutil.which(QUERY[0]) is None:
        return None
    try:
        out = subprocess.run(QUERY, capture_output=True, text=True, timeout=5, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return parse_compute_apps(out)


def parse_compute_apps(text: str) -> dict[int, int]:
    """Parse `pid, used_memory` lines; lines NVML could not fill ("[N/A]") are skipped."""
    used: dict[int, int] = {}
    for line in text.splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
            used[int(parts[0])] = used.get(int(parts[0]), 0) + int(parts[1])
    return used


class GpuWatch(threading.Thread):
    """Sample one sandbox's GPU memory until stopped; kill it when it goes over its limit."""

    def __init__(self, pid: int, limit_mib: int, *,
                 query: Callable[[], dict[int, int] | None] = gpu_memory_by_pid,
                 kill: Callable[[int], None] = lambda pid: os.kill(pid, signal.SIGKILL)) -> None:
        super().__init__(daemon=True, name=f"gpu-watch-{pid}")
        self.pid, self.limit_mib = pid, limit_mib
        self.query, self.kill = query, kill
        self.peak_mib = 0
        self.seen = False
        self.available = True
        self.over_limit = False
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            if self.over_limit:
                return
            self._stop_event.wait(POLL_SECONDS)

    def sample(self) -> None:
        used = self.query()
        if used is None:
            self.available = False
            self._stop_event.set()
            return
        mib = used.get(self.pid)
        if mib is None:
            return
        self.seen = True
        self.peak_mib = max(self.peak_mib, mib)
        if self.limit_mib > 0 and mib > self.limit_mib + CONTEXT_MIB and not self.over_limit:
            self.over_limit = True
            try:
                self.kill(self.pid)
            except OSError:
                pass

    def stop(self) -> dict[str, object]:
        """End the watch; what it saw, for the sandbox's exit report."""
        self._stop_event.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout=POLL_SECONDS + 5)
        report: dict[str, object] = {"gpu_peak_mib": self.peak_mib, "gpu_limit_mib": self.limit_mib,
                                     "gpu_watch": "nvml" if self.available else "unavailable"}
        if self.over_limit:
            report["gpu_over_limit"] = True
        return report
