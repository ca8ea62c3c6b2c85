"""The warm process: torch already imported, it forks one contained child per request.

It is started by the grader with a scrubbed environment and knows nothing of checks or
expected values (so a child inherits nothing worth stealing). Requests arrive on a unix
socket as JSON plus three file descriptors (SCM_RIGHTS): the child's data channel, the
write end of its stdout/stderr pipe, and a control channel on which the middle process
reports the child's pid and, later, how it ended.

Process tree per sandbox:
    zygote ─fork→ middle (unshares namespaces; watchdog) ─fork→ child = PID 1 of a new
    PID namespace (builds its root, drops privileges, serves). Killing the child kills
    every process the student started.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import sys
import time
import traceback

PRELOAD = ("torch", "torch.nn", "torch.nn.functional", "numpy", "math", "collections", "itertools",
           "functools", "typing", "dataclasses", "random", "copy", "re", "string", "abc", "warnings",
           "inspect", "traceback", "linecache", "importlib.util", "heapq", "bisect", "operator",
           "statistics", "fractions", "decimal", "enum")


def preload() -> None:
    import importlib
    for name in PRELOAD:
        importlib.import_module(name)
    import torch
    # Warm the lazy paths most submissions hit, so no child pays for them.
    x = torch.zeros(2, 2, requires_grad=True)
    (torch.nn.functional.softmax(x @ x, -1).sum()).backward()
    # backward with explicit upstream gradients imports torch.fx's symbolic shapes (~1.5 s) on first use
    y = torch.tanh(x @ x)
    torch.autograd.backward([y], [torch.ones_like(y)])
    torch.nn.Linear(2, 2)(x)
    # The first seeding of each generator initialises it (numpy's costs ~18 ms): pay it once here.
    torch.manual_seed(0)
    import numpy
    numpy.random.seed(0)
    import graders.sandbox.child  # noqa: F401  (served from memory inside the sandbox)
    import graders.sandbox.isolate  # noqa: F401
    import graders.sandbox.doubles  # noqa: F401
    import graders.sandbox.cgroup  # noqa: F401
    from graders.sandbox import tripwire
    tripwire.prepare()                  # last: it indexes what is loaded now


def _json_send(sock: socket.socket, obj: dict) -> None:
    sock.send(json.dumps(obj).encode())      # SOCK_SEQPACKET: one message, one datagram


# Host memory a sandbox on CUDA needs beyond its limit: the CUDA context and the pages of
# the CUDA libraries it maps (charged to its memory cgroup).
CUDA_HOST_MIB = 3072


def middle(request: dict, chan: int, out: int, ctl: int) -> None:
    """Runs in the forked middle process: enter namespaces, fork the child, watch it."""
    from graders.sandbox import cgroup, isolate
    ctl_sock = socket.socket(fileno=ctl)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    plan = isolate.Plan(**{**request["plan"], "ro_paths": tuple(request["plan"]["ro_paths"]),
                           "symlinks": tuple(tuple(x) for x in request["plan"]["symlinks"]),
                           "devices": tuple(request["plan"]["devices"])})
    plan = isolate.for_sandbox(plan, os.getpid())
    limits = request["limits"]
    # Join before the namespaces (a user namespace could no longer write the host's cgroup
    # files) and before forking, so every process of the sandbox is counted.
    memory_mib = limits["memory_mib"] + (CUDA_HOST_MIB if request.get("device") == "cuda" else 0)
    group = cgroup.create(f"box-{os.getpid()}", memory_bytes=memory_mib << 20,
                          pids=limits["processes"], cpus=float(limits.get("cpus", 1.0))) if plan.isolate else None
    if group is not None:
        group.join(os.getpid())
    try:
        isolate.enter_namespaces(plan)
    except isolate.SandboxSetupError as exc:
        _json_send(ctl_sock, {"event": "error", "message": str(exc)})
        os._exit(3)
    pid = os.fork()
    if pid == 0:
        ctl_sock.close()
        sandbox_child(request, plan, chan, out)
        os._exit(0)
    os.close(chan)
    os.close(out)
    _json_send(ctl_sock, {"event": "started", "pid": pid})
    status, memory = _watch(pid, ctl_sock, time.monotonic() + float(request["wall_seconds"]))
    import resource
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = {"event": "exit", "maxrss_kib": usage.ru_maxrss, "cpu_seconds": usage.ru_utime + usage.ru_stime,
              **memory}
    report["tree_limits"] = group is not None
    if group is not None:
        report["oom_kills"] = group.oom_kills()
        report["cpu_throttled"] = group.throttled()
        report["cpu_quota"] = bool(group.cpu_dir)
        group.remove(os.getpid())
    if os.WIFSIGNALED(status):
        report["signal"] = signal.Signals(os.WTERMSIG(status)).name
    else:
        report["code"] = os.WEXITSTATUS(status)
    try:
        _json_send(ctl_sock, report)
    except OSError:
        pass
    os._exit(0)


def _watch(pid: int, ctl: socket.socket, deadline: float) -> tuple[int, dict]:
    """Wait for the child; kill it on the grader's word, when the grader goes, or at the deadline."""
    import select
    memory: dict = {}
    while True:
        got, status = os.waitpid(pid, os.WNOHANG)
        if got:
            return status, memory
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            _json_send(ctl, {"event": "wall"})
            continue
        ready, _, _ = select.select([ctl], [], [], 0.01)
        if not ready:
            continue
        try:
            msg = ctl.recv(4096)
        except OSError:
            msg = b""
        if msg and json.loads(msg).get("measure"):
            memory = _memory_of(pid)
        os.kill(pid, signal.SIGKILL)
        return os.waitpid(pid, 0)[1], memory


def _memory_of(pid: int) -> dict:
    """The child's own memory: pages it wrote or loaded beyond what it shares with the zygote."""
    fields = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) >= 2 and parts[1].isdigit():
                    fields[parts[0].rstrip(":")] = int(parts[1])
    except OSError:
        return {}
    private = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return {"private_kib": private, "pss_kib": fields.get("Pss", 0), "rss_kib": fields.get("Rss", 0)}


def sandbox_child(request: dict, plan, chan: int, out: int) -> None:
    from graders.sandbox import child, isolate
    limits = request["limits"]
    try:
        os.setsid()
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.close(out)
        os.dup2(chan, 3)
        if chan != 3:
            os.close(chan)
        isolate.close_other_fds(keep=(3,))
        isolate.build_root(plan)
        workdir = isolate.SCRATCH if plan.isolate else _private_dir()
        isolate.clean_environment()
        isolate.apply_rlimits(memory_mib=limits["memory_mib"], cpu_seconds=limits["cpu_seconds"],
                              processes=limits["processes"], open_files=limits["open_files"],
                              file_size_mib=limits["file_size_mib"],
                              # CUDA reserves far more address space than it uses: on a GPU the
                              # memory cgroup (with CUDA_HOST_MIB more room) is the memory limit.
                              address_space=request.get("device") != "cuda")
        isolate.drop_privileges(plan)
    except BaseException as exc:  # report, never run student code in a half-built sandbox
        message = f"{type(exc).__name__}: {exc}"
        try:
            from graders.sandbox import protocol
            protocol.send_frame(socket.socket(fileno=3), {"ok": False, "kind": "setup", "message": message})
        except Exception:
            os.write(2, message.encode())
        os._exit(4)
    child.run(3, workdir, limits["threads"], request["seed"], device=request.get("device", "cpu"),
              gpu_memory_mib=limits.get("gpu_memory_mib", 0))


def _private_dir() -> str:
    import tempfile
    path = tempfile.mkdtemp(prefix="seqlab-dev-sandbox-")
    os.chdir(path)
    return path


def serve(control: socket.socket) -> None:
    """Fork a middle process for every spawn request until the grader closes the socket."""
    from graders.sandbox import cgroup
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)   # middles are reaped by the kernel
    _json_send(control, {"event": "ready", "pid": os.getpid()})
    while True:
        try:
            msg, fds, _flags, _addr = socket.recv_fds(control, 1 << 20, 3)
        except OSError:
            return
        if not msg:
            return
        request = json.loads(msg)
        if len(fds) != 3:
            for fd in fds:
                os.close(fd)
            continue
        chan, out, ctl = fds
        cgroup.sweep()
        pid = os.fork()
        if pid == 0:
            control.close()
            try:
                middle(request, chan, out, ctl)
            except BaseException:
                traceback.print_exc()
            os._exit(5)
        for fd in fds:
            os.close(fd)


def main() -> None:
    fd = int(sys.argv[1])
    control = socket.socket(fileno=fd)
    preload()
    serve(control)


if __name__ == "__main__":
    main()
