"""The grader's side of the sandbox: start the warm zygote, spawn and talk to children.

Infrastructure faults (the zygote died, the kernel refused a namespace) raise
SandboxUnavailable; everything the student's code does comes back as a reply, a
timeout or an exit report, never as a crash of the grader.
"""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import asdict
from typing import Any

from graders.contracts import Limits
from graders.sandbox import isolate, protocol

MODE_ENV = "SEQLAB_SANDBOX"          # "namespaces" (default) or "process" (development only)
ZYGOTE_START_SECONDS = 120.0
SPAWN_SECONDS = 10.0
REPLY_VALUES = ("value", "inputs_after", "input_grads", "param_grads")   # the decoded parts of a reply


class SandboxUnavailable(Exception):
    """The sandbox cannot be provided here; nothing untrusted was run."""


class CallTimeout(Exception):
    pass


def sandbox_mode() -> str:
    mode = os.environ.get(MODE_ENV, "namespaces")
    if mode not in ("namespaces", "process"):
        raise SandboxUnavailable(f"{MODE_ENV} must be 'namespaces' or 'process', not {mode!r}")
    return mode


class OutputCollector(threading.Thread):
    """Drain the child's stdout/stderr, keeping the first `limit` bytes and counting the rest."""

    def __init__(self, fd: int, limit: int) -> None:
        super().__init__(daemon=True)
        self.fd, self.limit = fd, limit
        self.kept = bytearray()
        self.dropped = 0
        self.lock = threading.Lock()          # held while a chunk is read and kept (see drain)
        self.done = False

    def run(self) -> None:
        poller = select.poll()                # not select(): a busy worker may hold fds past 1024
        poller.register(self.fd, select.POLLIN)
        os.set_blocking(self.fd, False)       # drain() may have taken what poll() announced
        try:
            while True:
                poller.poll()
                with self.lock:
                    try:
                        chunk = os.read(self.fd, 1 << 16)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        break
                    self._keep(chunk)
        finally:
            with self.lock:
                self.done = True
                os.close(self.fd)

    def _keep(self, chunk: bytes) -> None:
        room = self.limit - len(self.kept)
        if room > 0:
            self.kept += chunk[:room]
        self.dropped += max(0, len(chunk) - max(room, 0))

    def drain(self) -> None:
        """Keep every byte already in the pipe, without waiting for the child to exit: the child
        flushes its output before each reply, so after a reply all it printed so far is kept."""
        import fcntl
        import termios
        with self.lock:
            while not self.done:
                waiting = int.from_bytes(fcntl.ioctl(self.fd, termios.FIONREAD, b"\0\0\0\0"), "little")
                if waiting <= 0:
                    return
                self._keep(os.read(self.fd, waiting))

    def text(self) -> str:
        out = self.kept.decode("utf-8", errors="replace")
        if self.dropped:
            out += f"\n[... {self.dropped} more bytes of output were dropped]"
        return out


class Channel(protocol.Buffered):
    """The data channel to one sandbox, with a deadline on everything sent or received.

    The sandbox's code can write to its end (fd 3) itself: a frame that announces more
    bytes than it ever sends, or dribbles them in one at a time, must not hold the grader
    past the request's time limit (a per-recv socket timeout would be reset by every byte).
    So each request arms an absolute deadline when it is sent; sending (a sandbox may stop
    reading) and every receive of the reply are bounded by it and raise CallTimeout after.
    Quacks like the socket for protocol.send_frame/recv_frame and select().
    """

    def __init__(self, sock: socket.socket, default_timeout: float) -> None:
        super().__init__(sock)
        self.default_timeout = default_timeout
        self.deadline: float | None = None
        self._next: float | None = None

    def fileno(self) -> int:
        return self.sock.fileno()

    def arm(self, timeout: float) -> None:
        """The next request (its send and its reply) must be done within `timeout` s."""
        self._next = timeout

    def expect_within(self, timeout: float) -> None:
        """Bound the frames received from now on by `timeout` s (e.g. the start-up frame)."""
        self.deadline = time.monotonic() + timeout

    def _left(self) -> float | None:
        if self.deadline is None:
            return None
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise CallTimeout(self.deadline)
        return left

    def sendall(self, data: bytes) -> None:
        timeout = self.default_timeout if self._next is None else self._next
        self._next = None
        self.expect_within(timeout)
        self.sock.settimeout(self._left())
        try:
            self.sock.sendall(data)
        except (socket.timeout, TimeoutError):
            raise CallTimeout(timeout) from None

    def _recv_raw(self, view: Any, nbytes: int) -> int:
        self.sock.settimeout(self._left())
        try:
            return self.sock.recv_into(view, nbytes)
        except (socket.timeout, TimeoutError):
            raise CallTimeout(self.deadline) from None

    def check_deadline(self) -> None:
        """Raise CallTimeout if the current request's deadline has passed."""
        self._left()

    def settimeout(self, timeout: float | None) -> None:
        pass                      # the deadline rules; kept for callers of the socket API

    def close(self) -> None:
        self.sock.close()


MAX_TRIPS = 16                      # tripwire reports one request may bring before its reply


def recv_reply(chan: Channel, trips: list[dict[str, Any]] | None = None) -> tuple[dict[str, Any], list[bytes]]:
    """The reply frame from the sandbox, after any tripwire reports (graders/sandbox/tripwire.py),
    which go to `trips`; anything malformed (even JSON nested too deeply for the parser, which
    raises RecursionError) is a ProtocolError, so the caller retires the box."""
    for _ in range(MAX_TRIPS + 1):
        try:
            header, buffers = protocol.recv_frame(chan)
        except RecursionError:
            raise protocol.ProtocolError("the reply is nested too deeply") from None
        if header.get("event") != "trip":
            return header, buffers
        api, line = header.get("api"), header.get("line")
        if type(api) is not str or type(line) is not int or buffers:
            raise protocol.ProtocolError("a malformed tripwire report")
        if trips is not None:
            trips.append({"api": api[:200], "line": max(0, min(line, 1 << 30))})
    raise protocol.ProtocolError(f"more than {MAX_TRIPS} tripwire reports for one request")


class Sandbox:
    """One contained child. Never reused for another submission."""

    def __init__(self, chan: socket.socket, ctl: socket.socket, output: OutputCollector,
                 limits: Limits) -> None:
        self.chan = Channel(chan, limits.call_seconds)
        self.ctl, self.output, self.limits = ctl, output, limits
        self.pid = 0
        self.alive = True
        self.exit: dict[str, Any] = {}
        self.wall_killed = False
        self.trips: list[dict[str, Any]] = []      # banned calls the sandbox reported, in order
        self.gpu_watch: Any = None       # graders.sandbox.gpu.GpuWatch on CUDA
        self.installed: tuple[str, ...] = ()       # tripwires placed before the module (install())

    def install(self, specs: tuple[str, ...], timeout: float = 10.0) -> None:
        """Place the tripwires of `specs` now, before any submission is here (a spare does this
        off the grading's path, so the module load does not). Raises SandboxUnavailable."""
        try:
            reply, _ = self.request({"op": "install", "install": list(specs), "bans": []}, timeout=timeout)
        except (CallTimeout, OSError, protocol.ProtocolError) as exc:
            raise SandboxUnavailable(f"could not place the tripwires in a fresh sandbox: {exc}") from None
        if not reply.get("ok") or reply.get("tripwires") != "intact":
            raise SandboxUnavailable(f"could not place the tripwires in a fresh sandbox: {str(reply)[:200]}")
        self.installed = tuple(specs)

    def request(self, header: dict[str, Any], values: dict[str, Any] | None = None, *,
                timeout: float, resolve_handle: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
        """Send one request and wait up to `timeout` s for its reply."""
        buffers: list[bytes] = []
        for key, value in (values or {}).items():
            header[key] = protocol.encode(value, buffers)
        self.chan.arm(max(0.0, timeout))
        try:
            protocol.send_frame(self.chan, header, buffers)
        except OSError as exc:
            self.alive = False
            raise protocol.ChannelClosed(str(exc)) from None
        try:
            reply, bufs = recv_reply(self.chan, self.trips)
        except protocol.ChannelClosed:
            self.alive = False
            raise
        # The deadline covers decoding too: the budget looks at it as it goes, and again here.
        budget = protocol.Budget(deadline=self.chan.deadline)
        try:
            decoded = {k: protocol.decode(reply[k], bufs, resolve_handle=resolve_handle, budget=budget)
                       for k in REPLY_VALUES if k in reply}
        except protocol.DeadlinePassed:
            raise CallTimeout(timeout) from None
        self.chan.check_deadline()
        self.expect_silence()
        return reply, decoded

    def pending(self) -> str | None:
        """What waits unread on the channel between requests: "data", "closed" or None."""
        if self.chan.sock.fileno() < 0:
            return "closed"
        if self.chan.buffered:               # read ahead with the last reply: sent after it
            return "data"
        ready, _, _ = select.select([self.chan.sock], [], [], 0)
        if not ready:
            return None
        try:
            peek = self.chan.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError, socket.timeout):
            return None
        except OSError:
            return "closed"
        return "data" if peek else "closed"

    def expect_silence(self) -> None:
        """After a reply the sandbox must be silent: bytes already waiting were sent out of
        turn (a forged frame written by the student's code before the real reply), and
        would otherwise be read as the next check's reply."""
        if self.pending() == "data":
            raise protocol.ProtocolError("the sandbox sent more than one reply")

    def close(self, *, measure: bool = False) -> dict[str, Any]:
        """Kill the child's whole tree and return how it ended (signal, memory, CPU)."""
        if self.exit or self.ctl.fileno() < 0:      # closed before (the report may be empty: its watcher died)
            return self.exit
        try:
            self.ctl.send(json.dumps({"cmd": "kill", "measure": measure}).encode())
        except OSError:
            pass
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.ctl], [], [], deadline - time.monotonic())
            if not ready:
                break
            try:
                msg = self.ctl.recv(65536)
            except OSError:          # the watcher itself was killed (an outside kill of the whole tree)
                break
            if not msg:
                break
            try:
                event = json.loads(msg)
            except ValueError:
                break
            if event.get("event") == "wall":
                self.wall_killed = True
            elif event.get("event") == "exit":
                # Say so in the report itself: whoever reads it may no longer hold this box.
                self.exit = event | ({"wall": True} if self.wall_killed else {})
                break
        self.alive = False
        self.chan.close()
        self.ctl.close()
        self.output.join(timeout=2.0)
        if self.gpu_watch is not None:
            self.exit = self.exit | self.gpu_watch.stop()
        return self.exit


class Zygote:
    """The warm process. Start once; spawn a sandbox per submission (and per restart)."""

    def __init__(self) -> None:
        self.mode = sandbox_mode()
        self.proc: subprocess.Popen[bytes] | None = None
        self.control: socket.socket | None = None
        self.plan = isolate.plan_for(isolate=self.mode == "namespaces", scratch_mib=64,
                                     hide=isolate.repo_paths())
        self.spawn_lock = threading.Lock()

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start the zygote without waiting (it imports torch meanwhile); see wait_ready."""
        if self.mode == "process":
            warnings.warn(f"{MODE_ENV}=process: student code runs WITHOUT namespaces (no network, "
                          "file or process isolation). Use this only for development on trusted code.",
                          stacklevel=2)
            print(f"WARNING: {MODE_ENV}=process - the sandbox is NOT isolated; never grade untrusted code "
                  "this way.", file=sys.stderr)
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp",
               "PYTHONPATH": isolate.repo_paths()[0], "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
               # a GPU worker is pinned to its GPU before the engine starts; children inherit it
               **{k: os.environ[k] for k in isolate.GPU_ENV + isolate.LIBRARY_ENV if k in os.environ}}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "graders.sandbox.zygote", str(child.fileno())],
            pass_fds=[child.fileno()], env=env, cwd="/", stdin=subprocess.DEVNULL,
            start_new_session=True)
        child.close()
        self.control = parent

    def wait_ready(self) -> None:
        assert self.control is not None
        ready, _, _ = select.select([self.control], [], [], ZYGOTE_START_SECONDS)
        msg = self.control.recv(4096) if ready else b""
        if not msg:
            self.stop()
            raise SandboxUnavailable("the warm sandbox process failed to start (see its stderr above)")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.control is not None:
            self.control.close()
            self.control = None
        if self.proc is not None:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            self.proc = None

    def spawn(self, limits: Limits, seed: int, device: str = "cpu", *, install: tuple[str, ...] = ()) -> Sandbox:
        """Fork a fresh contained child from the warm process, computing on `device`. `install`:
        the tripwires the module load will place (a spare of graders.engine.Spares may hold them
        already; here the load places them: Sandbox.installed stays empty)."""
        with self.spawn_lock:
            if not self.alive():
                self.stop()
                self.start()
            chan_parent, chan_child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            ctl_parent, ctl_child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            out_read, out_write = os.pipe()
            plan = asdict(self.plan) | {"scratch_mib": limits.scratch_mib}
            request = {"plan": plan, "limits": asdict(limits), "seed": seed, "device": device,
                       "wall_seconds": limits.wall_seconds + 5.0}
            try:
                socket.send_fds(self.control, [json.dumps(request).encode()],
                                [chan_child.fileno(), out_write, ctl_child.fileno()])
            except OSError as exc:
                raise SandboxUnavailable(f"the warm sandbox process is gone: {exc}") from None
            finally:
                chan_child.close()
                ctl_child.close()
                os.close(out_write)
        output = OutputCollector(out_read, limits.output_kib << 10)
        output.start()
        box = Sandbox(chan_parent, ctl_parent, output, limits)
        self._await_start(box)
        if device == "cuda":
            from graders.sandbox.gpu import GpuWatch
            box.gpu_watch = GpuWatch(box.pid, limits.gpu_memory_mib)
            box.gpu_watch.start()
        return box

    def _await_start(self, box: Sandbox) -> None:
        ready, _, _ = select.select([box.ctl], [], [], SPAWN_SECONDS)
        event = json.loads(box.ctl.recv(65536) or b"{}") if ready else {}
        if event.get("event") != "started":
            box.close()
            raise SandboxUnavailable(_unavailable(event.get("message", "the sandbox did not start")))
        box.pid = int(event["pid"])
        try:
            box.chan.expect_within(SPAWN_SECONDS)
            reply, _ = recv_reply(box.chan)
        except CallTimeout:
            box.close()
            raise SandboxUnavailable(_unavailable("the sandbox did not answer in time")) from None
        except protocol.ProtocolError as exc:
            box.close()
            raise SandboxUnavailable(_unavailable(f"the sandbox died while starting ({exc}); "
                                                  f"output: {box.output.text()[-500:]}")) from None
        if not reply.get("ok"):
            box.close()
            raise SandboxUnavailable(_unavailable(reply.get("message", "setup failed")))


def _unavailable(reason: str) -> str:
    return (f"cannot build the grading sandbox: {reason}. The grader needs Linux namespaces "
            "(run it as root, or enable unprivileged user namespaces: "
            "sysctl kernel.unprivileged_userns_clone=1), and refuses untrusted code without them. "
            f"For development on trusted code only, set {MODE_ENV}=process.")
