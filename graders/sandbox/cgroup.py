"""A memory and pids cgroup per sandbox, so limits cover its whole process tree.

RLIMIT_AS caps each process; a submission that forks N children could otherwise hold
N x the memory limit. Where the worker may create cgroups (root on the host, or a container
with cgroup delegation) the middle process creates one per sandbox, joins it before forking
the sandbox's PID 1 (so every descendant is inside), and removes it when the tree is dead.
Both cgroup v2 (unified) and v1 (separate memory and pids hierarchies) are supported; where
neither is writable the rlimits alone apply and the exit report says so.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

ROOT = "/sys/fs/cgroup"
GROUP = "seqlab-sandboxes"
# Pages the sandbox copies from the warm image as Python touches them (refcounts) are
# charged to it too: leave room for them on top of what the assignment grants.
IMAGE_SLACK = 32 << 20


@dataclass
class Cgroup:
    dirs: tuple[str, ...]           # one per hierarchy (v2: one)
    memory_dir: str
    v2: bool

    def join(self, pid: int) -> None:
        for d in self.dirs:
            _write(os.path.join(d, "cgroup.procs"), str(pid))

    def oom_kills(self) -> int:
        """How many processes the kernel killed for exceeding the memory limit."""
        name = "memory.events" if self.v2 else "memory.oom_control"
        try:
            with open(os.path.join(self.memory_dir, name)) as fh:
                fields = dict(line.split() for line in fh if line.strip())
        except (OSError, ValueError):
            return 0
        return int(fields.get("oom_kill", 0))

    def remove(self, leave_to_pid: int | None = None) -> None:
        """Move `leave_to_pid` (the caller, if it joined) out, then delete the empty groups."""
        for d in self.dirs:
            if leave_to_pid is not None:
                try:
                    _write(os.path.join(os.path.dirname(os.path.dirname(d)), "cgroup.procs"), str(leave_to_pid))
                except OSError:
                    pass
            try:
                os.rmdir(d)
            except OSError:
                pass


def _write(path: str, text: str) -> None:
    with open(path, "w") as fh:
        fh.write(text)


def _v2_base() -> str | None:
    """The cgroup2 mount where memory and pids can be delegated to our group."""
    for mount in (ROOT, os.path.join(ROOT, "unified")):
        controllers = os.path.join(mount, "cgroup.controllers")
        try:
            with open(controllers) as fh:
                available = fh.read().split()
        except OSError:
            continue
        if {"memory", "pids"} <= set(available):
            return mount
    return None


def create(name: str, *, memory_bytes: int, pids: int) -> Cgroup | None:
    """Make the sandbox's cgroup(s) with limits set, or None where we may not."""
    try:
        base = _v2_base()
        if base is not None:
            return _create_v2(base, name, memory_bytes, pids)
        return _create_v1(name, memory_bytes, pids)
    except OSError:
        return None


def _create_v2(base: str, name: str, memory_bytes: int, pids: int) -> Cgroup:
    group = os.path.join(base, GROUP)
    os.makedirs(group, exist_ok=True)
    _write(os.path.join(base, "cgroup.subtree_control"), "+memory +pids")
    _write(os.path.join(group, "cgroup.subtree_control"), "+memory +pids")
    d = os.path.join(group, name)
    os.mkdir(d)
    _write(os.path.join(d, "memory.max"), str(memory_bytes + IMAGE_SLACK))
    if os.path.exists(os.path.join(d, "memory.swap.max")):
        _write(os.path.join(d, "memory.swap.max"), "0")
    _write(os.path.join(d, "pids.max"), str(pids))
    return Cgroup(dirs=(d,), memory_dir=d, v2=True)


def _create_v1(name: str, memory_bytes: int, pids: int) -> Cgroup | None:
    mem_root, pids_root = os.path.join(ROOT, "memory"), os.path.join(ROOT, "pids")
    if not (os.path.isdir(mem_root) and os.path.isdir(pids_root)):
        return None
    mem = os.path.join(mem_root, GROUP, name)
    pid = os.path.join(pids_root, GROUP, name)
    os.makedirs(mem)
    os.makedirs(pid)
    cg = Cgroup(dirs=(mem, pid), memory_dir=mem, v2=False)
    try:
        _write(os.path.join(mem, "memory.limit_in_bytes"), str(memory_bytes + IMAGE_SLACK))
        swap = os.path.join(mem, "memory.memsw.limit_in_bytes")
        if os.path.exists(swap):
            _write(swap, str(memory_bytes + IMAGE_SLACK))
        _write(os.path.join(pid, "pids.max"), str(pids))
    except OSError:
        cg.remove()
        raise
    return cg


def sweep() -> None:
    """Remove sandbox cgroups whose middle process died without removing them (e.g. killed)."""
    for base in (os.path.join(ROOT, "memory", GROUP), os.path.join(ROOT, "pids", GROUP),
                 os.path.join(ROOT, GROUP), os.path.join(ROOT, "unified", GROUP)):
        try:
            names = [n for n in os.listdir(base) if n.startswith("box-")]
        except OSError:
            continue
        for name in names:
            try:
                os.kill(int(name[4:]), 0)
                continue                      # its middle process is alive: in use
            except (ValueError, ProcessLookupError):
                pass
            except PermissionError:
                continue
            try:
                os.rmdir(os.path.join(base, name))
            except OSError:
                pass                          # not empty yet: the next sweep gets it
