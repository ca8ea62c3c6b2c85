"""A memory, pids and CPU cgroup per sandbox, so limits cover its whole process tree.

RLIMIT_AS caps each process and RLIMIT_CPU each process's CPU seconds; a submission that forks
N children could otherwise hold N x the memory limit and keep every core busy. Where the
worker may create cgroups the middle process creates one per sandbox (memory.max, pids.max,
cpu.max = `Limits.cpus` CPUs), joins it before forking the sandbox's PID 1 (so every
descendant is inside), and removes it when the tree is dead. Both cgroup v2 (unified) and v1
(separate memory, pids and cpu hierarchies) are supported; where none is writable the rlimits
alone apply and the exit report says so (`tree_limits: false`).

A worker that is not root (docker-compose.yml runs workers as `seqlab`) gets the same limits
through delegation, the mechanism systemd's `Delegate=yes` uses: `python -m
graders.sandbox.cgroup delegate --user seqlab -- CMD` runs as root at container start, makes
a cgroup subtree the user owns (v2: SEQLAB_CGROUP_ROOT, holding the worker's own leaf and the
sandboxes; v1: the sandboxes' group in each hierarchy), moves itself in, drops to the user and
execs CMD. The kernel lets an owner create child groups, set their limits and move its own
processes between groups of the subtree, and nothing more.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass

ROOT = "/sys/fs/cgroup"
ROOT_ENV = "SEQLAB_CGROUP_ROOT"        # a delegated v2 subtree (set by `delegate`); default ROOT
GROUP = "seqlab-sandboxes"
V1_HIERARCHIES = ("memory", "pids", "cpu")
CPU_PERIOD_US = 100_000
# Pages the sandbox copies from the warm image as Python touches them (refcounts) are
# charged to it too: leave room for them on top of what the assignment grants.
IMAGE_SLACK = 32 << 20


@dataclass
class Cgroup:
    dirs: tuple[str, ...]           # one per hierarchy (v2: one)
    memory_dir: str
    v2: bool
    cpu_dir: str = ""               # "" where no CPU controller could be used

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

    def throttled(self) -> int:
        """How many CPU periods the tree was held back for using its quota."""
        try:
            with open(os.path.join(self.cpu_dir, "cpu.stat")) as fh:
                fields = dict(line.split() for line in fh if line.strip())
        except (OSError, ValueError):
            return 0
        return int(fields.get("nr_throttled", 0))

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


def _read(path: str) -> str:
    try:
        with open(path) as fh:
            return fh.read()
    except OSError:
        return ""


def root() -> str:
    return os.environ.get(ROOT_ENV) or ROOT


def _v2_base() -> str | None:
    """The cgroup2 directory under which memory and pids (and cpu, if offered) can be used."""
    for mount in (root(), os.path.join(ROOT, "unified")):
        if {"memory", "pids"} <= set(_read(os.path.join(mount, "cgroup.controllers")).split()):
            return mount
    return None


def create(name: str, *, memory_bytes: int, pids: int, cpus: float = 1.0) -> Cgroup | None:
    """Make the sandbox's cgroup(s) with limits set, or None where we may not."""
    try:
        base = _v2_base()
        if base is not None:
            return _create_v2(base, name, memory_bytes, pids, cpus)
        return _create_v1(name, memory_bytes, pids, cpus)
    except OSError:
        return None


def _enable(directory: str, controllers: list[str]) -> None:
    """Enable controllers for the children of `directory`, unless they already are (a delegated
    subtree's owner may not write its parent's subtree_control, and need not)."""
    have = set(_read(os.path.join(directory, "cgroup.subtree_control")).split())
    missing = [c for c in controllers if c not in have]
    if missing:
        _write(os.path.join(directory, "cgroup.subtree_control"), " ".join("+" + c for c in missing))


def _create_v2(base: str, name: str, memory_bytes: int, pids: int, cpus: float) -> Cgroup:
    offered = set(_read(os.path.join(base, "cgroup.controllers")).split())
    controllers = ["memory", "pids"] + (["cpu"] if "cpu" in offered else [])
    group = os.path.join(base, GROUP)
    os.makedirs(group, exist_ok=True)
    _enable(base, controllers)
    _enable(group, controllers)
    d = os.path.join(group, name)
    os.mkdir(d)
    cg = Cgroup(dirs=(d,), memory_dir=d, v2=True, cpu_dir=d if "cpu" in controllers else "")
    try:
        _write(os.path.join(d, "memory.max"), str(memory_bytes + IMAGE_SLACK))
        if os.path.exists(os.path.join(d, "memory.swap.max")):
            _write(os.path.join(d, "memory.swap.max"), "0")
        _write(os.path.join(d, "pids.max"), str(pids))
        if cg.cpu_dir:
            _write(os.path.join(d, "cpu.max"), f"{_quota_us(cpus)} {CPU_PERIOD_US}")
    except OSError:
        cg.remove()
        raise
    return cg


def _quota_us(cpus: float) -> int:
    return max(1000, int(round(cpus * CPU_PERIOD_US)))


def _create_v1(name: str, memory_bytes: int, pids: int, cpus: float) -> Cgroup | None:
    roots = {h: os.path.join(ROOT, h) for h in V1_HIERARCHIES}
    if not (os.path.isdir(roots["memory"]) and os.path.isdir(roots["pids"])):
        return None
    use_cpu = os.path.exists(os.path.join(roots["cpu"], "cpu.cfs_quota_us"))
    made = [os.path.join(roots[h], GROUP, name) for h in V1_HIERARCHIES if h != "cpu" or use_cpu]
    for d in made:
        os.makedirs(d)
    mem, pid = made[0], made[1]
    cg = Cgroup(dirs=tuple(made), memory_dir=mem, v2=False, cpu_dir=made[2] if use_cpu else "")
    try:
        _write(os.path.join(mem, "memory.limit_in_bytes"), str(memory_bytes + IMAGE_SLACK))
        swap = os.path.join(mem, "memory.memsw.limit_in_bytes")
        if os.path.exists(swap):
            _write(swap, str(memory_bytes + IMAGE_SLACK))
        _write(os.path.join(pid, "pids.max"), str(pids))
        if use_cpu:
            _write(os.path.join(cg.cpu_dir, "cpu.cfs_period_us"), str(CPU_PERIOD_US))
            _write(os.path.join(cg.cpu_dir, "cpu.cfs_quota_us"), str(_quota_us(cpus)))
    except OSError:
        cg.remove()
        raise
    return cg


def sweep() -> None:
    """Remove sandbox cgroups whose middle process died without removing them (e.g. killed)."""
    places = [os.path.join(ROOT, h, GROUP) for h in V1_HIERARCHIES]
    places += [os.path.join(root(), GROUP), os.path.join(ROOT, "unified", GROUP)]
    for base in places:
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


# ------------------------------------------------------------------ delegation to a non-root worker

def delegate(uid: int, gid: int) -> str | None:
    """As root: give `uid` a cgroup subtree for its sandboxes and move this process into it.

    Returns the v2 subtree to use as SEQLAB_CGROUP_ROOT (None on v1, where the sandboxes'
    group of each hierarchy is handed over instead)."""
    _remount_writable()
    if "memory" in _read(os.path.join(ROOT, "cgroup.controllers")).split():
        return _delegate_v2(uid, gid)
    for h in V1_HIERARCHIES:
        group = os.path.join(ROOT, h, GROUP)
        if os.path.isdir(os.path.join(ROOT, h)):
            os.makedirs(group, exist_ok=True)
            _chown_group(group, uid, gid)
    return None


def _delegate_v2(uid: int, gid: int) -> str:
    # A v2 group with controllers for its children may hold no process itself: move whatever
    # runs in the (namespace's) root to a leaf first, then hand out the subtree.
    init = os.path.join(ROOT, "init")
    os.makedirs(init, exist_ok=True)
    for pid in _read(os.path.join(ROOT, "cgroup.procs")).split():
        try:
            _write(os.path.join(init, "cgroup.procs"), pid)
        except OSError:
            pass                              # kernel threads stay where they are
    controllers = [c for c in ("memory", "pids", "cpu") if c in _read(os.path.join(ROOT, "cgroup.controllers")).split()]
    _enable(ROOT, controllers)
    base = os.path.join(ROOT, "seqlab")
    worker = os.path.join(base, "worker")
    os.makedirs(worker, exist_ok=True)
    _enable(base, controllers)
    _write(os.path.join(worker, "cgroup.procs"), str(os.getpid()))
    for d in (base, worker):
        _chown_group(d, uid, gid)
    return base


def _chown_group(directory: str, uid: int, gid: int) -> None:
    os.chown(directory, uid, gid)
    for name in ("cgroup.procs", "cgroup.subtree_control", "cgroup.threads", "tasks"):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            os.chown(path, uid, gid)


def _remount_writable() -> None:
    """Docker mounts cgroupfs read-only; with CAP_SYS_ADMIN in its own cgroup namespace the
    container may remount its view writable (the host's other groups stay out of sight)."""
    import ctypes
    import ctypes.util
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    ms_remount = 32
    for path in [ROOT] + [os.path.join(ROOT, h) for h in V1_HIERARCHIES]:
        if os.path.ismount(path) and not os.access(path, os.W_OK):
            libc.mount(None, path.encode(), None, ms_remount, None)


def main(argv: list[str]) -> None:
    """`delegate --user NAME -- CMD...`: the worker container's entrypoint (run as root)."""
    import pwd
    if len(argv) < 5 or argv[0] != "delegate" or argv[1] != "--user" or argv[3] != "--":
        sys.exit("usage: python -m graders.sandbox.cgroup delegate --user NAME -- CMD...")
    user = pwd.getpwnam(argv[2])
    try:
        subtree = delegate(user.pw_uid, user.pw_gid)
    except OSError as exc:
        print(f"WARNING: no cgroup could be delegated to {argv[2]} ({exc}); sandboxes get "
              "rlimits only (tree_limits: false in every result)", file=sys.stderr)
        subtree = None
    if subtree:
        os.environ[ROOT_ENV] = subtree
    os.environ["HOME"] = user.pw_dir
    os.setgroups([])
    os.setgid(user.pw_gid)
    os.setuid(user.pw_uid)
    os.execvp(argv[4], argv[4:])


if __name__ == "__main__":
    main(sys.argv[1:])
