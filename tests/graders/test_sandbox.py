"""The isolation properties of one sandbox, probed from inside and checked from the host.

A probe module runs in a real sandbox forked from the session's warm zygote and reports
what it can see and do; the host side checks the process tree with /proc. Each test
states one property of DESIGN.md's invariant 2.
"""
from __future__ import annotations

import os
import sys
import signal
import statistics
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from graders.contracts import Limits
from graders.sandbox import isolate
from graders.sandbox.proxy import Session, StudentProxy
from tests.conftest import REPO
from tests.graders import hostcheck

LIMITS = Limits(wall_seconds=30, call_seconds=5, cpu_seconds=20, memory_mib=256, processes=48, open_files=200,
                file_size_mib=8, scratch_mib=24, output_kib=16)

PROBE = r'''
import ctypes, errno, os, resource, signal, socket, sys, time

def _err(fn):
    try:
        fn()
        return 0
    except OSError as exc:
        return exc.errno

def identity():
    status = dict(l.split(":", 1) for l in open("/proc/self/status"))
    return {"ids": [os.getuid(), os.geteuid(), os.getgid(), os.getegid()], "groups": os.getgroups(),
            "caps": {k: int(status[k], 16) for k in ("CapInh", "CapPrm", "CapEff", "CapAmb", "CapBnd")},
            "no_new_privs": int(status["NoNewPrivs"]), "seccomp": int(status["Seccomp"]),
            "setuid0": _err(lambda: os.setuid(0)), "pid": os.getpid(), "ppid": os.getppid()}

def network():
    out = {"interfaces": [n for _, n in socket.if_nameindex()]}
    for host, port in (("127.0.0.1", 6379), ("127.0.0.1", 5432), ("8.8.8.8", 53)):
        s = socket.socket()
        s.settimeout(1)
        out[f"{host}:{port}"] = _err(lambda: s.connect((host, port)))
        s.close()
    try:
        socket.getaddrinfo("example.com", 80)
        out["dns"] = "resolved"
    except OSError as exc:
        out["dns"] = type(exc).__name__
    return out

def write_errors(paths):
    def create(p):
        with open(p, "w") as fh:
            fh.write("x")
    return {p: _err(lambda p=p: create(p)) for p in paths}

def mounts():
    rows = []
    for line in open("/proc/self/mountinfo"):
        left, right = line.split(" - ")
        f = left.split()
        rows.append({"root": f[3], "point": f[4], "options": f[5].split(","), "fstype": right.split()[0]})
    return rows

def visible(paths):
    return {p: os.path.exists(p) for p in paths}

def pids():
    return sorted(int(p) for p in os.listdir("/proc") if p.isdigit())

def environment():
    return {"environ": dict(os.environ), "path": list(sys.path), "cwd": os.getcwd(), "argv": list(sys.argv)}

def limits():
    return {name: list(resource.getrlimit(getattr(resource, name)))
            for name in ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_FSIZE", "RLIMIT_CORE")}

def vm_size():
    for line in open("/proc/self/status"):
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024

def scratch():
    st = os.stat("/tmp")
    vfs = os.statvfs("/tmp")
    with open("/tmp/mine.txt", "w") as fh:
        fh.write("left by an earlier sandbox")
    return {"mode": st.st_mode & 0o7777, "owner": [st.st_uid, st.st_gid], "uid": os.getuid(),
            "bytes": vfs.f_blocks * vfs.f_frsize,
            "entries": sorted(os.listdir("/tmp"))}

def fill_scratch():
    written = 0
    for i in range(100):
        try:
            with open(f"/tmp/fill{i}", "wb") as fh:
                for _ in range(4):
                    fh.write(b"\0" * (1 << 20))
                    written += 1 << 20
        except OSError as exc:
            return {"written": written, "errno": exc.errno}
    return {"written": written, "errno": 0}

def fds():
    return {int(fd): os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
            if os.path.exists(f"/proc/self/fd/{fd}")}

def keyring():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    nr = {"x86_64": 248, "aarch64": 217}[os.uname().machine]
    key = libc.syscall(nr, b"user", b"seqlab_test", b"x", 1, ctypes.c_int(-4))    # KEY_SPEC_USER_KEYRING
    return [key, ctypes.get_errno()]

def user_namespace():
    libc = ctypes.CDLL(None, use_errno=True)
    return [libc.unshare(0x10000000), ctypes.get_errno()]

def hog_processes():
    """Fork sleeping children until the kernel refuses; return how many."""
    got = 0
    while True:
        try:
            pid = os.fork()
        except OSError:
            return got
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        got += 1

def start_threads(n):
    import threading
    stop = threading.Event()
    for i in range(n):
        try:
            threading.Thread(target=stop.wait, daemon=True).start()
        except RuntimeError:
            return i
    return n

def spawn_tree():
    """A sleeping child, a setsid() double-forked daemon and a thread; return the pids seen here."""
    import subprocess, threading
    child = subprocess.Popen(["/bin/sh", "-c", "sleep 1000"])
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv("/bin/sh", ["/bin/sh", "-c", "while :; do sleep 1; done"])
        os._exit(0)
    threading.Thread(target=time.sleep, args=(1000,), daemon=True).start()
    time.sleep(0.2)
    return pids()
'''


@contextmanager
def sandbox(engine, limits: Limits = LIMITS):
    session = Session(engine.zygote, filename="probe.py", source=PROBE.encode(), limits=limits, seed=0)
    try:
        yield StudentProxy(session), session
    finally:
        session.close()


@pytest.fixture(scope="module")
def probe(engine):
    """One sandbox for the read-only questions (each test asks its own)."""
    with sandbox(engine) as (student, _session):
        yield student


def test_runs_as_an_unprivileged_sandbox_user_without_capabilities(probe):
    me = probe.call("identity")
    uid = me["ids"][0]
    assert me["ids"] == [uid] * 4 and me["groups"] == [] and uid != 0 and isolate.is_sandbox_uid(uid)
    assert me["caps"]["CapInh"] == me["caps"]["CapPrm"] == me["caps"]["CapEff"] == me["caps"]["CapAmb"] == 0
    assert me["no_new_privs"] == 1 and me["seccomp"] == 2          # 2: a seccomp filter is installed
    assert me["setuid0"] == 1                                      # EPERM


def test_is_pid_1_of_its_own_pid_namespace_and_sees_only_itself(probe):
    me = probe.call("identity")
    assert me["pid"] == 1 and me["ppid"] == 0
    assert probe.call("pids") == [1]


def test_has_no_network(probe):
    net = probe.call("network")
    assert net["interfaces"] == ["lo"]
    assert net["127.0.0.1:6379"] == net["127.0.0.1:5432"] == net["8.8.8.8:53"] == 101   # ENETUNREACH
    assert net["dns"] == "gaierror"


def test_the_root_is_read_only_and_only_the_scratch_is_writable(probe):
    import sys
    targets = ["/x", "/usr/x", "/usr/lib/x", "/etc/x", "/etc/passwd", f"{sys.prefix}/x", "/dev/x", "/root/x",
               "/tmp/x"]
    errors = probe.call("write_errors", targets)
    assert errors.pop("/tmp/x") == 0
    assert set(errors.values()) <= {30, 2}, errors                  # EROFS, or ENOENT for a missing folder
    assert errors["/usr/x"] == errors["/etc/passwd"] == errors[f"{sys.prefix}/x"] == 30
    rows = probe.call("mounts")
    writable = sorted(r["point"] for r in rows if "rw" in r["options"])
    assert writable == ["/dev/full", "/dev/null", "/dev/random", "/dev/urandom", "/dev/zero", "/proc", "/tmp"]
    assert all("nosuid" in r["options"] for r in rows if not r["point"].startswith("/dev/"))


def _venv_holder_under(folder: str) -> str | None:
    """The first folder under `folder` on the way to a virtualenv interpreter there, if any."""
    venv = Path(sys.prefix).resolve()
    if sys.prefix == sys.base_prefix or not venv.is_relative_to(folder):
        return None
    return venv.relative_to(folder).parts[0]


def test_the_repository_and_host_secrets_are_not_visible(probe):
    paths = [str(REPO), str(REPO / "reference"), str(REPO / "assignments"), str(REPO / "graders" / "checks.py"),
             "/work", "/home", "/var", "/run", "/sys", "/etc/shadow", "/root/.ssh", "/proc/kcore"]
    seen = probe.call("visible", paths)
    # A virtualenv inside the repository (scripts/install's .venv) is shown, read-only; the folder that
    # holds it then exists as its parent, empty but for it. Nothing else of the repository is there.
    venv = Path(sys.prefix).resolve() if sys.prefix != sys.base_prefix else None
    holds_venv = venv is not None and venv.is_relative_to(REPO)
    if venv is not None:             # the folders above the interpreter exist, as a path only
        for folder in venv.parents:
            seen.pop(str(folder), None)
    assert not any(seen.values()), seen
    assert not any((str(REPO) in r["root"] or str(REPO) in r["point"])
                   and not (holds_venv and Path(r["point"]).is_relative_to(venv)) for r in probe.call("mounts"))
    env = probe.call("environment")
    assert not any(str(REPO) in p and not (holds_venv and (p == str(REPO) or Path(p).is_relative_to(venv)))
                   for p in env["path"]), env["path"]


def test_the_environment_is_scrubbed(engine, probe):
    env = probe.call("environment")
    assert set(env["environ"]) == {"PATH", "HOME", "TMPDIR", "LANG", "PYTHONDONTWRITEBYTECODE", "OMP_NUM_THREADS",
                                   "MPLCONFIGDIR", "USER"}
    assert env["environ"]["HOME"] == env["environ"]["TMPDIR"] == env["cwd"] == isolate.SCRATCH
    assert not any(str(REPO) in v for v in env["environ"].values())
    # The warm process itself was started with an explicit environment, not the worker's.
    zygote_env = Path(f"/proc/{engine.zygote.proc.pid}/environ").read_bytes().split(b"\0")
    names = {e.split(b"=", 1)[0].decode() for e in zygote_env if e}
    assert names <= {"PATH", "LANG", "HOME", "PYTHONPATH", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                     "PYTHONDONTWRITEBYTECODE", "PYTHONHASHSEED"}, names


def test_rlimits_are_set_from_the_limits(probe):
    got = probe.call("limits")
    assert got["RLIMIT_CPU"] == [LIMITS.cpu_seconds, LIMITS.cpu_seconds + 1]
    assert got["RLIMIT_NPROC"] == [LIMITS.processes] * 2
    assert got["RLIMIT_NOFILE"] == [LIMITS.open_files] * 2
    assert got["RLIMIT_FSIZE"] == [LIMITS.file_size_mib << 20] * 2
    assert got["RLIMIT_CORE"] == [0, 0]
    soft, hard = got["RLIMIT_AS"]
    assert soft == hard and 0 < soft - probe.call("vm_size") <= LIMITS.memory_mib << 20


def test_only_stdio_and_the_channel_are_open(probe):
    fds = probe.call("fds")
    assert set(fds) <= {0, 1, 2, 3, 4}                              # 4: listdir's own fd, if still open
    assert fds[0] == "/dev/null" and fds[1].startswith("pipe:") and fds[3].startswith("socket:")


def test_the_kernel_keyring_and_new_user_namespaces_are_refused(probe):
    assert probe.call("keyring") == [-1, 1]                        # EPERM from the seccomp filter
    assert probe.call("user_namespace") == [-1, 1]


def test_the_scratch_is_private_fresh_and_size_limited(engine):
    Path("/tmp/seqlab_host_only").write_text("host")
    try:
        with sandbox(engine) as (student, _):
            first = student.call("scratch")
            filled = student.call("fill_scratch")
        with sandbox(engine) as (student, _):
            second = student.call("scratch")
    finally:
        Path("/tmp/seqlab_host_only").unlink()
    assert first["mode"] == 0o700 and first["owner"] == [first["uid"]] * 2
    assert first["bytes"] == LIMITS.scratch_mib << 20
    # not the host's /tmp, nothing from the first sandbox (a checkout under /tmp whose .venv is the
    # interpreter leaves the folder that holds the .venv: see the test above)
    holder = {_venv_holder_under(isolate.SCRATCH)} - {None}
    assert [e for e in first["entries"] if e not in holder] == ["mine.txt", "probe.py"]
    assert [e for e in second["entries"] if e not in holder] == ["mine.txt", "probe.py"]
    assert filled["errno"] == 28 and filled["written"] <= LIMITS.scratch_mib << 20   # ENOSPC
    assert not Path("/tmp/mine.txt").exists() or Path("/tmp/mine.txt").read_text() != "left by an earlier sandbox"


def test_each_sandbox_has_a_uid_of_its_own(engine):
    if engine.zygote.plan.use_userns:
        pytest.skip("a worker that is not root separates sandboxes by user namespace instead")
    with sandbox(engine) as (a, _), sandbox(engine) as (b, _):
        assert a.call("identity")["ids"][0] != b.call("identity")["ids"][0]


def test_one_sandboxs_processes_do_not_count_against_another(engine):
    """RLIMIT_NPROC counts per uid: a fork bomb must not leave a concurrent sandbox without threads."""
    with sandbox(engine) as (bomber, _), sandbox(engine) as (bystander, _):
        assert bystander.call("start_threads", 1) == 1             # B is up before A hogs
        hogged = bomber.call("hog_processes")
        assert LIMITS.processes - 2 <= hogged < LIMITS.processes   # A's own limit holds ...
        assert bystander.call("start_threads", 3) == 3              # ... and costs B nothing (it was 0)


def test_the_whole_process_tree_dies_on_close(engine):
    with sandbox(engine) as (student, session):
        inside = student.call("spawn_tree")
        root = session.box.pid
        procs = hostcheck.processes()
        tree = [p for p in procs if root in hostcheck.ancestors(p, procs)] + [root]
        middle = procs[root]["ppid"]
    assert len(inside) >= 4 and len(tree) >= 4                     # sh + sleep, the daemon, PID 1
    assert len({procs[p]["uid"] for p in tree}) == 1 and isolate.is_sandbox_uid(procs[root]["uid"])
    assert procs[middle]["uid"] == 0 and procs[middle]["ppid"] == engine.zygote.proc.pid
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and (set(tree) | {middle}) & set(hostcheck.processes()):
        time.sleep(0.05)
    assert not (set(tree) | {middle}) & set(hostcheck.processes())


def test_the_tree_dies_when_its_watchdog_is_killed(engine):
    """pdeathsig: the sandbox's PID 1 dies with the middle process, and with it every descendant."""
    with sandbox(engine) as (student, session):
        student.call("spawn_tree")
        root = session.box.pid
        procs = hostcheck.processes()
        tree = [p for p in procs if root in hostcheck.ancestors(p, procs)] + [root]
        os.kill(procs[root]["ppid"], signal.SIGKILL)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and set(tree) & set(hostcheck.processes()):
            time.sleep(0.05)
        assert not set(tree) & set(hostcheck.processes())


def test_the_tree_dies_when_the_grader_goes_away(engine):
    """The middle kills the sandbox when its control socket closes (the grader died)."""
    with sandbox(engine) as (student, session):
        student.call("spawn_tree")
        root = session.box.pid
        procs = hostcheck.processes()
        tree = [p for p in procs if root in hostcheck.ancestors(p, procs)] + [root, procs[root]["ppid"]]
        session.box.ctl.close()
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and set(tree) & set(hostcheck.processes()):
            time.sleep(0.05)
        assert not set(tree) & set(hostcheck.processes())
        session.box.exit = {"event": "exit"}                       # nothing left to ask the middle
        session.box.chan.close()


def test_warm_spawn_stays_fast(engine):
    """Forking from the warm zygote must stay in the tens of milliseconds (importing torch costs seconds)."""
    times = []
    for _ in range(10):
        t0 = time.perf_counter()
        engine.zygote.spawn(LIMITS, 0).close()
        times.append(time.perf_counter() - t0)
    assert statistics.median(times) < 0.5, times


# ------------------------------------------------------------------ hidden inputs are secret

def _seed_line(result):
    import re
    found = re.search(r"SEQLAB_SEED initial=(\d+) predicted=(True|False)", result.stdout)
    return int(found.group(1)), found.group(2) == "True"


def test_with_a_deployment_secret_hidden_inputs_cannot_be_regenerated(engine, monkeypatch):
    from pathlib import Path

    from graders.contracts import Job
    from tests.conftest import TOY
    probe = (Path(__file__).parent / "files" / "seed_probe.py").read_bytes()
    monkeypatch.setenv("SEQLAB_GRADING_SECRET", "s3cret-for-this-test")

    def grade(context):
        return engine.grade(Job(assignment_dir=str(TOY), filename="toy.py", content=probe, seed_context=context))
    spring = grade("2027-spring")
    initial, predicted = _seed_line(spring)
    assert not predicted and initial not in (7, 0)
    assert spring.seed["source"] == "secret" and "s3cret" not in str(spring.to_json())
    assert "repository's seed" not in spring.output
    # Another offering (term) draws other hidden inputs from the same secret; each result says which.
    autumn = grade("2027-fall")
    assert autumn.seed["context"] == "2027-fall" and autumn.seed["material_sha256"] != spring.seed["material_sha256"]
    assert _seed_line(autumn)[0] == initial            # the sandbox's seed does not depend on the secret


def test_without_the_secret_the_repository_seed_is_used_and_said(grade_toy, monkeypatch):
    from pathlib import Path
    monkeypatch.delenv("SEQLAB_GRADING_SECRET", raising=False)
    result = grade_toy((Path(__file__).parent / "files" / "seed_probe.py").read_bytes())
    initial, predicted = _seed_line(result)
    assert predicted                                   # reproducible from the repository, as said:
    assert "repository's seed" in result.output and result.seed["source"] == "repository"
    assert initial != 7                                # the sandbox's own seed is a hash all the same


# ------------------------------------------------------------------ tripwires cover the aliases

def _tripped_in_a_fork(spec: str, calls: str) -> list[str]:
    """In a forked child (tripwires patch torch for the whole process): install a tripwire for
    `spec`, arm it, run each line of `calls`, and return what each did (tripped / passed)."""
    import json
    import os
    import socket as socket_mod
    import struct
    grader, sandbox = socket_mod.socketpair()
    pid = os.fork()
    if pid == 0:
        grader.close()
        import torch  # (the zygote has it loaded before any tripwire is placed)

        from graders.sandbox import tripwire
        board = tripwire.Board(sandbox.fileno(), "student.py")
        board.install([spec])
        results, namespace = [], {"torch": torch}
        for line in calls.strip().splitlines():
            with board.arm([spec]):
                try:
                    exec(compile(line, "student.py", "exec"), namespace)  # noqa: S102
                    results.append("passed")
                except tripwire.BannedAPIError:
                    results.append("tripped")
                except BaseException as exc:  # noqa: BLE001 - reported to the test
                    results.append(f"error {type(exc).__name__}: {exc}")
        with board.arm([]):
            exec(compile(calls.strip().splitlines()[0], "student.py", "exec"), namespace)  # noqa: S102
        results.append(board.state())
        body = json.dumps({"results": results}).encode()
        sandbox.sendall(struct.pack("<I", len(body)) + body + struct.pack("<I", 0))
        os._exit(0)
    sandbox.close()
    from graders.sandbox import host
    trips: list = []
    chan = host.Channel(grader, 60.0)
    chan.expect_within(60.0)
    reply, _ = host.recv_reply(chan, trips)
    os.waitpid(pid, 0)
    grader.close()
    return reply["results"], trips


def test_a_tripwire_covers_every_name_of_a_banned_function():
    calls = """
import torch.nn.functional as F; q = torch.ones(1, 2, 3); F.scaled_dot_product_attention(q, q, q)
q = torch.ones(1, 2, 3); torch._C._nn.scaled_dot_product_attention(q, q, q)
q = torch.ones(1, 2, 3); torch.ops.aten.scaled_dot_product_attention(q, q, q)
q = torch.ones(1, 2, 3); torch.ops.aten.scaled_dot_product_attention.default(q, q, q)
q = torch.ones(1, 2, 3); getattr(torch.ops.aten, "_scaled_dot_product_flash_attention_for_cpu")(q[None], q[None], q[None])
import torch.nn.functional as F; q = torch.ones(1, 2, 3); vars(F)["scaled_dot_" + "product_attention"](q, q, q)
import torch.nn.functional as F; q = torch.ones(1, 2, 3); F.__dict__["scaled_dot_product_attention"](q, q, q)
q = torch.ones(1, 2, 3); torch.softmax(q, -1)
"""
    results, trips = _tripped_in_a_fork("torch.nn.functional.scaled_dot_product_attention", calls)
    assert results == ["tripped"] * 7 + ["passed", "intact"], results
    assert len(trips) == 7 and trips[0] == {"api": "torch.nn.functional.scaled_dot_product_attention", "line": 1}


def test_banned_classes_methods_and_modules_trip_and_unarmed_calls_pass():
    results, _ = _tripped_in_a_fork("torch.nn.MultiheadAttention", """
torch.nn.MultiheadAttention(4, 2)
class Mine(torch.nn.MultiheadAttention): pass
Mine(4, 2)
torch.nn.Linear(2, 2)
""")
    assert results == ["tripped", "passed", "tripped", "passed", "intact"], results
    results, _ = _tripped_in_a_fork(".backward", """
x = torch.ones(2, requires_grad=True); (x * 2).sum().backward()
x = torch.ones(2, requires_grad=True); torch.Tensor.__dict__["backward"]((x * 2).sum())
""")
    assert results == ["tripped", "tripped", "intact"], results
    results, _ = _tripped_in_a_fork("torch.optim", """
torch.optim.SGD([torch.ones(2, requires_grad=True)], lr=0.1)
class Opt(torch.optim.Optimizer): pass
Opt([torch.ones(2, requires_grad=True)], {})
""")
    assert results == ["tripped", "passed", "tripped", "intact"], results
