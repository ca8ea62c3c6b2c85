"""Plan the grading worker processes: one per GPU (pinned), or N on the CPU queue.

Each process is a Celery worker with the solo pool, so the task runs in the process that
holds the warm engine: no pool child to re-import torch, no daemon process that may not fork.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PLATFORM_DIR = Path(__file__).resolve().parents[2]
REPO_ROOT = PLATFORM_DIR.parent


@dataclass(frozen=True)
class WorkerSpec:
    name: str
    queues: str
    env: dict[str, str]

    def command(self) -> list[str]:
        return [sys.executable, "-m", "celery", "-A", "seqlab", "worker", "--pool=solo",
                "--concurrency=1", f"--queues={self.queues}", f"--hostname={self.name}@%h",
                "--without-mingle", "--without-gossip", "--loglevel=INFO"]


MAINTENANCE_QUEUE = "maintenance"


def maintenance_spec() -> WorkerSpec:
    """The stuck-work sweeper's own process and queue: never behind a grading, never a torch import."""
    return WorkerSpec("maintenance", MAINTENANCE_QUEUE, {**_base_env(), "SEQLAB_WORKER_ROLE": "maintenance",
                                                         "CUDA_VISIBLE_DEVICES": ""})


def gpu_ids() -> list[str]:
    """GPU indices from SEQLAB_GPU_IDS ("0,1", or "none"), else nvidia-smi, else none."""
    configured = os.environ.get("SEQLAB_GPU_IDS", "").strip()
    if configured:
        return [] if configured == "none" else [g.strip() for g in configured.split(",") if g.strip()]
    if not shutil.which("nvidia-smi"):
        return []
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=index", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in out.splitlines() if line.strip()]


def _base_env() -> dict[str, str]:
    env = dict(os.environ)
    paths = [str(PLATFORM_DIR), str(REPO_ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def plan(*, queues: str, processes: int, gpus: list[str], maintenance: bool = False) -> list[WorkerSpec]:
    """One pinned process per GPU for the gpu queue; otherwise `processes` CPU processes.

    With `maintenance`, one more light process consumes the sweeper's queue.
    """
    extra = [maintenance_spec()] if maintenance else []
    if "gpu" in queues.split(",") and gpus:
        return [WorkerSpec(f"gpu{g}", queues, {**_base_env(), "CUDA_VISIBLE_DEVICES": g}) for g in gpus] + extra
    # No GPU: the same code runs on the CPU, and torch must not go looking for a device.
    env = {**_base_env(), "CUDA_VISIBLE_DEVICES": ""}
    label = queues.replace(",", "-")
    return [WorkerSpec(f"{label}{i}", queues, env) for i in range(max(1, processes))] + extra
