"""The per-sandbox cgroup: limits the whole tree where the worker may create cgroups, then goes."""
from pathlib import Path

import pytest

from graders.sandbox import cgroup

PLACES = [Path(cgroup.ROOT) / "memory" / cgroup.GROUP, Path(cgroup.ROOT) / "pids" / cgroup.GROUP,
          Path(cgroup.ROOT) / cgroup.GROUP, Path(cgroup.ROOT) / "unified" / cgroup.GROUP]


def leftovers():
    """Sandbox cgroups with no process left (live ones may belong to other engines grading now)."""
    return [p for place in PLACES if place.is_dir() for p in place.glob("box-*")
            if not (p / "cgroup.procs").read_text().strip()]


def test_sandbox_cgroups_are_removed_and_limits_reported(grade_toy):
    probe = cgroup.create("box-probe", memory_bytes=1 << 20, pids=4)
    if probe is None:
        pytest.skip("this worker may not create cgroups; rlimits alone apply (reported as tree_limits=False)")
    probe.remove()
    result = grade_toy((Path(__file__).parent / "toy" / "solution" / "toy.py").read_text())
    assert result.sandbox["tree_limits"] is True and result.sandbox["oom_kills"] == 0
    assert leftovers() == []
