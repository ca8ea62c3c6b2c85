"""The bounded child that parses and scans large sources: limits hold, and nothing is left behind."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from graders.bounded import BoundExceeded, run_bounded
from graders.stages.static_check import static_outcome


def _children() -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        try:
            found |= {int(p) for p in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


def _spin() -> None:
    while True:
        pass


def _allocate() -> int:
    return len(bytearray(2 << 30))


def test_the_value_comes_back():
    assert run_bounded(lambda a, b: {"sum": a + b}, 2, 3, cpu_seconds=2, memory_mib=64, wall_seconds=10) == {"sum": 5}


@pytest.mark.parametrize("work", [_spin, _allocate])
def test_cpu_and_memory_are_bounded_and_the_child_is_gone(work):
    before = _children()
    started = time.monotonic()
    with pytest.raises(BoundExceeded):
        run_bounded(work, cpu_seconds=1, memory_mib=128, wall_seconds=30)
    assert time.monotonic() - started < 30
    assert _children() <= before


def test_a_stuck_child_is_killed_at_the_wall_deadline():
    before = _children()
    with pytest.raises(BoundExceeded, match="more than 0.5 s"):
        run_bounded(time.sleep, 60, cpu_seconds=5, memory_mib=64, wall_seconds=0.5)
    assert _children() <= before


def test_the_static_outcome_is_the_same_in_the_child():
    source = b"import torch.nn.functional as F\ndef attn(q):\n    return F.scaled_dot_product_attention(q, q, q)\n"
    args = (source, "attention.py", {"*": ("torch.nn.functional.scaled_dot_product_attention",)}, ["attn"])
    assert run_bounded(static_outcome, *args, cpu_seconds=5, memory_mib=256, wall_seconds=30) == static_outcome(*args)
