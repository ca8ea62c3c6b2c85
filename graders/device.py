"""The one place a device is chosen: CUDA when the worker has a GPU, the CPU otherwise.

The same grading code runs on both; a GPU worker pins each grading process to one GPU
with CUDA_VISIBLE_DEVICES before the engine starts, so "cuda" always means that GPU.

Who decides what:
  * `grading_device()`: what this (grader) process can use.
  * `sandbox_device(queue)`: where a submission's sandbox computes. Assignments on the
    `gpu` queue run on CUDA when there is one; `cpu`-queue assignments stay on the CPU, so
    a CPU worker and a GPU worker give the same score. `SEQLAB_DEVICE=cuda|cpu` overrides
    it for every assignment (bench/gpu_check.sh grades the CPU assignments on CUDA with it);
    `SEQLAB_FORCE_CPU=1` beats everything.
  * Inside the sandbox, `prepare_sandbox_gpu` caps the process's share of the GPU before the
    student's module loads, and `to_device` places what the grader sends. The grader checks
    the cap from outside as well (graders.sandbox.gpu watches NVML through nvidia-smi).

The zygote never touches CUDA (a CUDA context does not survive fork); each sandbox that
computes on CUDA starts its own.
"""
from __future__ import annotations

import os
from typing import Any

FORCE_CPU_ENV = "SEQLAB_FORCE_CPU"
DEVICE_ENV = "SEQLAB_DEVICE"
DEVICES = ("cpu", "cuda")


def grading_device() -> str:
    """"cuda" if this process sees a GPU (and may use it), else "cpu"."""
    if os.environ.get(FORCE_CPU_ENV) == "1":
        return "cpu"
    import torch
    return "cuda" if torch.cuda.is_available() else "cpu"


def sandbox_device(queue: str) -> str:
    """Where a submission of an assignment on `queue` ("cpu" | "gpu") computes."""
    wanted = os.environ.get(DEVICE_ENV, "").strip().lower()
    if wanted and wanted not in DEVICES:
        raise ValueError(f"{DEVICE_ENV} must be one of {DEVICES}, not {wanted!r}")
    if wanted == "cpu":
        return "cpu"
    if wanted == "cuda" or queue == "gpu":
        return grading_device()
    return "cpu"


def prepare_sandbox_gpu(limit_mib: int) -> dict[str, Any]:
    """Inside a sandbox on CUDA: start CUDA and cap this process's share of the GPU.

    Runs before the student's module loads, so every allocation through PyTorch's caching
    allocator is bounded; what escapes it (a context, a library's own cudaMalloc) is what
    the grader's outside watch is for.
    """
    import torch
    torch.cuda.init()
    props = torch.cuda.get_device_properties(0)
    total = int(props.total_memory)
    fraction = min(1.0, max(0.0, (limit_mib << 20) / total)) if limit_mib > 0 else 1.0
    torch.cuda.set_per_process_memory_fraction(fraction, 0)
    return {"name": props.name, "total_mib": total >> 20, "fraction": fraction}


def to_device(value: Any, device: str) -> Any:
    """`value` with every tensor (also inside lists, tuples and dicts) moved to `device`."""
    if device == "cpu":
        return value
    import torch
    if isinstance(value, torch.Tensor):
        moved = value.detach().to(device)
        return moved.requires_grad_(True) if value.requires_grad else moved
    if isinstance(value, torch.nn.Module):
        return value.to(device)
    if type(value) is list:
        return [to_device(v, device) for v in value]
    if type(value) is tuple:
        return tuple(to_device(v, device) for v in value)
    if type(value) is dict:
        return {k: to_device(v, device) for k, v in value.items()}
    return value
