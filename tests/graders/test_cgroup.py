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


# ------------------------------------------------------------------ CPU is a limit too

import ctypes  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402

from graders.contracts import Job  # noqa: E402

FILES = Path(__file__).parent / "files"
TOY = Path(__file__).parent / "toy"


def _toy_with(tmp_path, **limits):
    folder = tmp_path / "toy"
    shutil.copytree(TOY, folder)
    manifest = folder / "assignment.toml"
    text = manifest.read_text()
    for key, value in limits.items():
        text = re.sub(rf"(?m)^{key} = .*\n", "", text).replace("[limits]\n", f"[limits]\n{key} = {value}\n")
    manifest.write_text(text)
    return folder


def test_a_forking_busy_loop_gets_no_more_cpu_than_the_quota(engine, tmp_path):
    probe = cgroup.create("box-probe", memory_bytes=1 << 20, pids=4)
    if probe is None:
        pytest.skip("this worker may not create cgroups")
    probe.remove()
    folder = _toy_with(tmp_path, cpus=0.25, call_seconds=10)
    result = engine.grade(Job(assignment_dir=str(folder), filename="toy.py",
                              content=(FILES / "cpu_fork_busy.py").read_bytes()))
    used, wall = map(float, re.search(r"SEQLAB_CPU used=([\d.]+) wall=([\d.]+)", result.stdout).groups())
    # 12 spinning processes for 1 s of wall time: a quota of 0.25 CPU lets them have ~0.25 s.
    assert used <= 0.25 * wall * 1.5 + 0.05, (used, wall)
    assert result.sandbox["cpu_quota"] is True and result.sandbox["cpu_throttled"] > 0


def test_cpus_is_an_assignment_limit_with_a_default_of_one(tmp_path):
    from graders.assignment import AssignmentError, load_assignment
    assert load_assignment(TOY).limits.cpus == 1.0
    assert load_assignment(_toy_with(tmp_path, cpus=2)).limits.cpus == 2
    with pytest.raises(AssignmentError, match="cpus"):
        load_assignment(_toy_with(tmp_path / "bad", cpus=0))


def _as_delegated_user(uid: int, work) -> dict:
    """Fork; in the child delegate a cgroup subtree to `uid`, become it, run `work(uid)`."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            cgroup.delegate(uid, uid)
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            out = work()
        except BaseException as exc:  # report anything to the test
            import traceback
            out = {"error": f"{type(exc).__name__}: {exc}", "where": traceback.format_exc()[-3000:].replace(chr(10), " / ")}
        os.write(w, repr(out).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 4096):
        data += chunk
    status = os.waitpid(pid, 0)[1]
    for group in Path(cgroup.ROOT).glob(f"*/{cgroup.GROUP}"):      # hand the tree back to root
        for box in group.glob(f"box-{pid}"):
            _rmdir_when_empty(box)
        for path in [group] + [group / n for n in ("cgroup.procs", "tasks", "cgroup.subtree_control")]:
            if path.exists():
                os.chown(path, 0, 0)
    if not data:
        return {"error": f"the child reported nothing (wait status {status:#x})"}
    return eval(data.decode())  # noqa: S307 - our own child's repr of a dict of numbers


def _rmdir_when_empty(path: Path, seconds: float = 5.0) -> None:
    """A cgroup is busy until the kernel has finished reaping its last process."""
    import time
    deadline = time.monotonic() + seconds
    while True:
        try:
            path.rmdir()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _busy_and_bomb() -> dict:
    """As the non-root worker: one sandbox-like group, 12 spinners, then 12 memory hogs."""
    group = cgroup.create(f"box-{os.getpid()}", memory_bytes=96 << 20, pids=64, cpus=0.25)
    if group is None:
        return {"error": "no cgroup for the non-root worker"}
    group.join(os.getpid())
    start, kids = time.monotonic(), []
    for _ in range(12):
        pid = os.fork()
        if pid == 0:
            while time.monotonic() - start < 1.0:
                pass
            os._exit(0)
        kids.append(pid)
    used = sum(sum(os.wait4(k, 0)[2][:2]) for k in kids)
    wall = time.monotonic() - start
    hogs = []
    for _ in range(12):
        pid = os.fork()
        if pid == 0:
            try:
                # The reporter must outlive the OOM killer, which picks by size, not by what the
                # group is charged: the reporter (a copy of this test process) may be the biggest.
                ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)      # PR_SET_DUMPABLE: /proc/self is ours
                Path("/proc/self/oom_score_adj").write_text("1000")
                block = bytearray(16 << 20)
                for i in range(0, len(block), 4096):
                    block[i] = 1
                # Hold it until every hog has allocated: under the 0.25-CPU quota (and a loaded
                # host) the hogs start one after another; one that left early would free its 16 MiB.
                time.sleep(5.0)
            finally:
                os._exit(0)
        hogs.append(pid)
    killed = sum(os.WIFSIGNALED(s) and os.WTERMSIG(s) == signal.SIGKILL for s in (os.waitpid(h, 0)[1] for h in hogs))
    return {"used": used, "wall": wall, "throttled": group.throttled(), "killed": killed,
            "oom_kills": group.oom_kills(), "uid": os.getuid()}


def test_a_non_root_worker_gets_the_same_tree_limits_through_delegation():
    probe = cgroup.create("box-probe2", memory_bytes=1 << 20, pids=4) if os.getuid() == 0 else None
    if probe is None:
        pytest.skip("delegation is set up by root")
    probe.remove()
    uid = 2_100_000_000 + os.getpid() % 1000
    got = _as_delegated_user(uid, _busy_and_bomb)
    assert "error" not in got, got
    assert got["uid"] == uid
    assert got["used"] <= 0.25 * got["wall"] * 1.5 + 0.05 and got["throttled"] > 0, got
    # 12 x 16 MiB against 96 MiB (+ the image slack) for the whole group: the kernel kills some.
    assert got["killed"] >= 1 and got["oom_kills"] >= 1, got


def test_compose_workers_delegate_their_cgroups_to_the_non_root_user():
    import yaml
    repo = Path(__file__).resolve().parents[2]
    services = yaml.safe_load((repo / "docker-compose.yml").read_text())["services"]
    assert "USER seqlab" in (repo / "Dockerfile").read_text()
    for name in ("worker-cpu", "worker-gpu"):
        worker = services[name]
        assert worker["user"] == "root" and worker["cgroup"] == "private"
        assert worker["entrypoint"] == ["python", "-m", "graders.sandbox.cgroup", "delegate", "--user", "seqlab", "--"]
