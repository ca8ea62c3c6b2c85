"""The one place a device is chosen: CUDA when the worker has a GPU, the CPU otherwise.

The same grading code runs on both; a GPU worker pins each grading process to one GPU
with CUDA_VISIBLE_DEVICES before the engine starts, so "cuda" always means that GPU.
"""
from __future__ import annotations

import os


def grading_device() -> str:
    """"cuda" if this process sees a GPU (and may use it), else "cpu"."""
    if os.environ.get("SEQLAB_FORCE_CPU") == "1":
        return "cpu"
    import torch
    return "cuda" if torch.cuda.is_available() else "cpu"
