"""What checks hold: a proxy to the student's module living in a sandbox.

A `Session` owns the sandbox of one submission: it spawns it on first use, loads the
student's module, and after a timeout or a crash kills it and starts a fresh one for the
next check (so one infinite loop costs one check, not the submission). Every failure of
the student's code surfaces as StudentError, a CheckFailure with a message to act on.
"""
from __future__ import annotations

import hashlib
import time
from typing import Any

from graders.contracts import Limits
from graders.errors import BannedCall, CheckFailure, StudentError
from graders.sandbox import protocol, tripwire
from graders.sandbox.host import CallTimeout, Sandbox, Zygote, recv_reply

SIGNAL_TEXT = {
    "SIGXCPU": "used up its CPU time limit",
    "SIGXFSZ": "wrote a file larger than the limit",
    "SIGSEGV": "crashed (segmentation fault)",
    "SIGBUS": "crashed (bus error)",
    "SIGABRT": "aborted",
    "SIGILL": "crashed (illegal instruction)",
    "SIGFPE": "crashed (arithmetic fault)",
}


__all__ = ["BannedCall", "CheckFailure", "StudentError", "Session", "StudentProxy", "RemoteObject"]


def sandbox_seed(seed: int) -> int:
    """The seed of the sandbox's own generators (torch, numpy, random), for code that draws
    without a generator: reproducible, but a hash, so `torch.initial_seed()` in the sandbox
    tells nothing of the seeds the checks draw hidden inputs from (graders/checks.py)."""
    digest = hashlib.sha256(b"seqlab-sandbox\0%d" % int(seed)).digest()
    return int.from_bytes(digest[:8], "little") >> 1


class Session:
    """The sandbox of one submission, restarted after a fault, killed at the end."""

    def __init__(self, zygote: Zygote, *, filename: str, source: bytes, limits: Limits, seed: int,
                 banned: dict[str, tuple[str, ...]] | None = None, device: str = "cpu") -> None:
        self.zygote, self.filename, self.source, self.limits = zygote, filename, source, limits
        self.seed = sandbox_seed(seed)
        self.banned = dict(banned or {})
        self.specs = tuple(tripwire.all_specs(self.banned))    # every tripwire the sandbox places
        self.trips: list[dict[str, Any]] = []     # banned calls reported at run time, in order
        self.device = device             # graders.device.sandbox_device: "cpu" or "cuda"
        self.module = filename.rsplit(".", 1)[0]
        self.deadline = time.monotonic() + limits.wall_seconds
        self.box: Sandbox | None = None
        self.generation = 0
        self.load_error: StudentError | None = None
        self.names: list[str] = []
        self.outputs: list[str] = []
        self.reports: list[dict[str, Any]] = []
        self.restarts = 0

    # ------------------------------------------------------------------ lifecycle
    def sandbox(self) -> Sandbox:
        if self.load_error is not None:
            raise self.load_error
        if self.box is not None and self.box.alive and self.box.pending() is None:
            return self.box
        # Dead, or it wrote to its channel between requests (bytes no request asked for, or
        # a closed channel): whatever it sent would be read as the next check's reply.
        self._retire()
        self.restarts += 1 if self.generation else 0
        self._check_deadline("starting your code")
        self.box = self.zygote.spawn(self.limits, self.seed, self.device, install=self.specs)
        self.generation += 1
        try:
            reply = self._send({"op": "load", "filename": self.filename, "module": self.module,
                                "install": [] if self.box.installed == self.specs else list(self.specs),
                                "bans": self.bans_for(())},
                               raw=[self.source], what=f"importing {self.filename}",
                               timeout=self.limits.call_seconds)[0]
        except BannedCall as err:
            self.load_error = err
            raise
        except StudentError as err:
            # Loading is deterministic: a module that failed once fails every check the same way.
            err.kind = "import" if err.kind == "exception" else err.kind
            self.load_error = err
            raise
        if not reply["ok"]:
            self.load_error = self._load_failure(reply)
            raise self.load_error
        self.names = list(reply.get("names", []))
        return self.box

    def _retire(self, *, measure: bool = False) -> None:
        if self.box is None:
            return
        report = self.box.close(measure=measure)
        self.reports.append(report)
        text = self.box.output.text()
        if text:
            self.outputs.append(text)
        self.box = None

    def close(self) -> dict[str, Any]:
        """Kill the sandbox; return its last exit report (memory and CPU used)."""
        self._retire(measure=True)
        return self.reports[-1] if self.reports else {}

    def stdout(self) -> str:
        return "\n".join(self.outputs)

    # ------------------------------------------------------------------ requests
    def bans_for(self, names: Any) -> list[str]:
        """The banned APIs armed while the sandbox serves a request to `names`."""
        return tripwire.specs_for(self.banned, names)

    def _check_deadline(self, what: str) -> None:
        if time.monotonic() >= self.deadline:
            raise StudentError("timeout", f"the submission used up its total time limit of "
                                          f"{self.limits.wall_seconds:g} s before {what}")

    def _send(self, header: dict[str, Any], values: dict[str, Any] | None = None, *, raw: list[bytes] = (),
              what: str, timeout: float | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        box = self.box
        assert box is not None
        seen = len(box.trips)
        limit = min(timeout or self.limits.call_seconds, max(0.0, self.deadline - time.monotonic()))
        try:
            if raw:
                protocol.send_frame(box.chan, header, list(raw))
                reply, decoded = self._await(box, limit)
            else:
                reply, decoded = box.request(header, values, timeout=limit, resolve_handle=self._handle)
        except CallTimeout:
            self._retire()
            total = limit < (timeout or self.limits.call_seconds)
            oom = self.reports[-1].get("oom_kills") if self.reports else 0
            raise StudentError("timeout", f"timed out after {limit:.3g} s in {what}"
                               + (" (the submission's total time limit ran out)" if total else "")
                               + (f"; meanwhile the kernel killed {oom} of its processes for going over the "
                                  f"memory limit ({self.limits.memory_mib} MiB for all its processes)"
                                  if oom else "")) from None
        except (protocol.ChannelClosed, ConnectionError):   # a reset or broken pipe: the sandbox is gone
            report = self.box.close() if self.box else {}
            self._retire()
            kind = "memory" if report.get("oom_kills") else "crashed"
            raise StudentError(kind, f"{what}: {self._death(report)}") from None
        except protocol.ProtocolError as exc:
            raise self._malformed(what, exc) from None
        try:
            check_reply(reply)
        except protocol.ProtocolError as exc:
            raise self._malformed(what, exc) from None
        if len(box.trips) > seen:     # reported by the tripwire before the student's code went on
            self.trips += box.trips[seen:]
            raise BannedCall(box.trips[seen]["api"], box.trips[seen]["line"])
        # A module that did not compile ran no code of the student's: no tripwires were placed yet.
        if self.banned and reply.get("tripwires") != "intact" and reply.get("kind") != "syntax":
            self._retire()
            raise StudentError("banned", f"{what}: the sandbox's record of banned API calls is missing or was "
                                         f"tampered with (tripwires: {str(reply.get('tripwires'))[:20]}); "
                                         "this check scores 0")
        if not reply["ok"] and reply.get("kind") in ("exception", "protocol"):
            raise self._exception(reply, what)
        return reply, decoded

    def _malformed(self, what: str, exc: Exception) -> StudentError:
        """Charge a malformed reply to the check that got it, and retire the sandbox that sent it."""
        self._retire()
        return StudentError("protocol", f"{what}: the sandbox sent malformed data ({exc})")

    def _await(self, box: Sandbox, limit: float) -> tuple[dict[str, Any], dict[str, Any]]:
        import select
        ready, _, _ = select.select([box.chan], [], [], limit)
        if not ready:
            raise CallTimeout(limit)
        reply, _ = recv_reply(box.chan, box.trips)
        box.expect_silence()
        return reply, {}

    def _death(self, report: dict[str, Any]) -> str:
        sig = report.get("signal")
        if report.get("gpu_over_limit"):
            return (f"your code used {report.get('gpu_peak_mib', '?')} MiB of GPU memory; the limit is "
                    f"{self.limits.gpu_memory_mib} MiB")
        if report.get("oom_kills"):
            return f"your code ran out of memory (limit {self.limits.memory_mib} MiB for all its processes)"
        if report.get("wall"):
            return f"the submission's total time limit of {self.limits.wall_seconds:g} s ran out"
        if sig in SIGNAL_TEXT:
            return f"your code {SIGNAL_TEXT[sig]}"
        if sig == "SIGKILL":
            return ("your code was killed (it may have exceeded the memory limit of "
                    f"{self.limits.memory_mib} MiB)")
        if sig:
            return f"your code was killed by {sig}"
        return (f"your code ended the process (exit code {report.get('code', '?')}); "
                "do not call exit() or os._exit() in a submission")

    def _exception(self, reply: dict[str, Any], what: str) -> StudentError:
        exc_type = str(reply.get("exc_type", "Exception"))
        types = tuple(str(t) for t in reply.get("exc_types", [exc_type]))
        message = str(reply.get("message", ""))
        trace = str(reply.get("traceback", ""))
        if reply.get("kind") == "protocol":
            return StudentError("protocol", f"{what}: {message}")
        if exc_type == "OutOfMemoryError" or "CUDA out of memory" in message:
            return StudentError("memory", f"{what}: ran out of GPU memory (limit {self.limits.gpu_memory_mib} MiB "
                                          "on the GPU); use smaller batches or free tensors you no longer need",
                                exc_type=exc_type, exc_types=types, exc_message=message, trace=trace)
        if exc_type == "MemoryError" or "can't allocate memory" in message or "not enough memory" in message:
            return StudentError("memory", f"{what}: ran out of memory (limit {self.limits.memory_mib} MiB)",
                                exc_type=exc_type, exc_types=types, exc_message=message, trace=trace)
        text = f"{what} raised {exc_type}: {message}" if message else f"{what} raised {exc_type}"
        if trace:
            text += "\n" + trace.rstrip()
        return StudentError("exception", text, exc_type=exc_type, exc_types=types, exc_message=message,
                            trace=trace)

    def _load_failure(self, reply: dict[str, Any]) -> StudentError:
        where = f"{self.filename}, line {reply.get('lineno', 0)}"
        text = reply.get("text") or ""
        return StudentError("syntax", f"{reply.get('exc_type', 'SyntaxError')} in {where}: "
                                      f"{reply.get('message', '')}" + (f"\n    {text.strip()}" if text else ""))

    def _check_handles(self, value: Any, what: str) -> None:
        """Objects from a sandbox that has since been restarted cannot be passed on."""
        if isinstance(value, RemoteObject) and value._generation != self.generation:
            raise StudentError("restarted", f"{what}: the sandbox was restarted after an earlier failure, "
                                            f"so an object it held is gone")
        if isinstance(value, (list, tuple)):
            for v in value:
                self._check_handles(v, what)
        elif isinstance(value, dict):
            for v in value.values():
                self._check_handles(v, what)

    def handle_of(self, reply: dict[str, Any], what: str) -> int:
        """The object id a reply must carry (a reply without one is malformed)."""
        if "handle" not in reply:
            raise self._malformed(what, protocol.ProtocolError("a reply without the object's handle"))
        return reply["handle"]

    def _handle(self, data: dict[str, Any]) -> "RemoteObject":
        return RemoteObject(self, int(data["$handle"]), str(data.get("type", "object")))

    def call(self, header: dict[str, Any], values: dict[str, Any], *, what: str,
             timeout: float | None) -> tuple[dict[str, Any], dict[str, Any]]:
        self.sandbox()
        self._check_handles(values, what)
        self._check_deadline(what)
        return self._send(header, values, what=what, timeout=timeout)


class StudentProxy:
    """The submitted module, as checks see it."""

    def __init__(self, session: Session, *, timeout: float | None = None, targets: tuple[str, ...] = ()) -> None:
        self._session = session
        self._timeout = timeout
        self._targets = tuple(targets)       # the check's targets: their bans are armed on every call

    def _bans(self, name: str) -> list[str]:
        return self._session.bans_for(self._targets + (name,))

    def has(self, name: str) -> bool:
        self._session.sandbox()
        return name in self._session.names

    def call(self, name: str, *args: Any, check_inputs: bool = False, **kwargs: Any) -> Any:
        """Call the submission's function `name`; return its result as data."""
        reply, values = self._session.call(
            {"op": "call", "target": name, "check_inputs": check_inputs, "bans": self._bans(name)},
            {"args": list(args), "kwargs": kwargs}, what=name, timeout=self._timeout)
        if check_inputs:
            _compare_inputs(name, args, kwargs, values.get("inputs_after", {}), reply)
        return values.get("value")

    def call_grad(self, name: str, *args: Any, grad_outputs: Any, **kwargs: Any) -> tuple[Any, list[Any]]:
        """Call `name` with float tensor arguments requiring grad and back-propagate `grad_outputs`."""
        _, values = self._session.call(
            {"op": "call", "target": name, "bans": self._bans(name)},
            {"args": list(args), "kwargs": kwargs, "grad": grad_outputs},
            what=f"{name} (backward)", timeout=self._timeout)
        return values.get("value"), values.get("input_grads", [])

    def tensor(self, value: Any, *, requires_grad: bool = False) -> "RemoteObject":
        """Place a tensor in the sandbox; the handle can be passed to several calls (e.g. as a
        parameter to an optimizer), updated with .setattr("grad", g) and read with .value()."""
        reply, _ = self._session.call({"op": "tensor", "requires_grad": requires_grad}, {"value": value},
                                      what="creating a tensor", timeout=self._timeout)
        return RemoteObject(self._session, self._session.handle_of(reply, "creating a tensor"), "Tensor",
                            timeout=self._timeout)

    def double(self, name: str, *args: Any, **kwargs: Any) -> "RemoteObject":
        """Place a test double (graders/sandbox/doubles.py: Recorder, TableLM) in the sandbox."""
        reply, _ = self._session.call({"op": "double", "target": name}, {"args": list(args), "kwargs": kwargs},
                                      what=f"creating {name}", timeout=self._timeout)
        return RemoteObject(self._session, self._session.handle_of(reply, f"creating {name}"),
                            str(reply.get("type", name)), timeout=self._timeout)

    def new(self, name: str, *args: Any, **kwargs: Any) -> "RemoteObject":
        """Construct the submission's class `name`; return a handle to the object."""
        reply, _ = self._session.call({"op": "new", "target": name, "bans": self._bans(name)},
                                      {"args": list(args), "kwargs": kwargs},
                                      what=f"{name}(...)", timeout=self._timeout)
        return RemoteObject(self._session, self._session.handle_of(reply, f"{name}(...)"),
                            str(reply.get("type", name)), timeout=self._timeout, bans=self._bans(name))


class RemoteObject(protocol.Handle):
    """An object living in the sandbox (e.g. the student's nn.Module); pass it as an argument
    to later calls and the sandbox receives the object itself."""

    def __init__(self, session: Session, ident: int, type_name: str, *, timeout: float | None = None,
                 bans: list[str] | None = None) -> None:
        super().__init__(ident, type_name)
        self._session, self._ident, self.type_name, self._timeout = session, ident, type_name, timeout
        self._bans = bans if bans is not None else session.bans_for(())
        self._generation = session.generation

    def _request(self, header: dict[str, Any], values: dict[str, Any], what: str) -> tuple[dict, dict]:
        if self._generation != self._session.generation or self._session.box is None:
            raise StudentError("restarted", f"{what}: the sandbox was restarted after an earlier failure, "
                                            f"so this {self.type_name} object is gone")
        return self._session.call({**header, "handle": self._ident, "bans": self._bans}, values, what=what,
                                  timeout=self._timeout)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.call("__call__", *args, **kwargs)

    def call(self, method: str, *args: Any, check_inputs: bool = False, **kwargs: Any) -> Any:
        what = f"{self.type_name}.forward" if method == "__call__" else f"{self.type_name}.{method}"
        reply, values = self._request({"op": "call", "method": method, "check_inputs": check_inputs},
                                      {"args": list(args), "kwargs": kwargs}, what)
        if check_inputs:
            _compare_inputs(what, args, kwargs, values.get("inputs_after", {}), reply)
        return values.get("value")

    def call_grad(self, *args: Any, grad_outputs: Any, **kwargs: Any) -> tuple[Any, list[Any], dict[str, Any]]:
        _, values = self._request({"op": "call", "method": "__call__"},
                                  {"args": list(args), "kwargs": kwargs, "grad": grad_outputs},
                                  f"{self.type_name}.forward (backward)")
        return values.get("value"), values.get("input_grads", []), values.get("param_grads", {})

    def load_state_dict(self, state: dict[str, Any], strict: bool = True) -> None:
        self._request({"op": "load_state_dict", "strict": strict}, {"state": dict(state)},
                      f"{self.type_name}.load_state_dict")

    def state_dict(self) -> dict[str, Any]:
        _, values = self._request({"op": "state_dict"}, {}, f"{self.type_name}.state_dict")
        value = values.get("value")
        if not isinstance(value, dict):
            raise CheckFailure(f"{self.type_name}.state_dict() did not return a dict")
        return value

    def structure(self) -> dict[str, Any]:
        reply, _ = self._request({"op": "structure"}, {}, f"inspecting {self.type_name}")
        return reply.get("info", {})

    def getattr(self, name: str) -> Any:
        _, values = self._request({"op": "getattr", "name": name}, {}, f"{self.type_name}.{name}")
        return values.get("value")

    def setattr(self, name: str, value: Any) -> None:
        self._request({"op": "setattr", "name": name}, {"value": value}, f"setting {self.type_name}.{name}")

    def value(self) -> Any:
        """The object itself as data (for a tensor made by student.tensor: its current values)."""
        return self.getattr("")


def _compare_inputs(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], after: Any,
                    reply: dict[str, Any]) -> None:
    import torch
    names = list(reply.get("input_names", []))
    leaves = [(key, path, t) for key, value in list(enumerate(args)) + list(kwargs.items())
              for path, t in protocol.tensor_leaves(value)]
    for key, path, before in leaves:
        now = after.get(f"{key}{path}") if isinstance(after, dict) else None
        label = (names[key] if isinstance(key, int) and key < len(names) else str(key)) + path
        if not isinstance(now, torch.Tensor) or now.shape != before.shape or now.dtype != before.dtype \
                or not _same(now, before):
            raise CheckFailure(f"{name} changed its argument `{label}` in place; "
                               "functions must not mutate their inputs (work on a copy)")


def _same(a: Any, b: Any) -> bool:
    import torch
    if torch.equal(a, b):
        return True
    # NaN never equals itself; an input holding NaN is unchanged if NaNs stayed put.
    return a.is_floating_point() and torch.equal(a.isnan(), b.isnan()) and torch.equal(a.nan_to_num(0.0), b.nan_to_num(0.0))


# What each field of a reply may hold; anything else is malformed (and retires the sandbox).
_REPLY_FIELDS: dict[str, tuple[type, ...]] = {
    "ok": (bool,), "kind": (str,), "message": (str,), "exc_type": (str,), "traceback": (str,),
    "text": (str,), "lineno": (int,), "offset": (int,), "handle": (int,), "type": (str,), "api": (str,),
    "line": (int,), "exc_types": (list,), "names": (list,), "input_names": (list,), "info": (dict,),
    "missing": (list,), "unexpected": (list,), "event": (str,), "pid": (int,),
}
_STRING_LISTS = ("exc_types", "names", "input_names", "missing", "unexpected")


def check_reply(reply: dict[str, Any]) -> None:
    """Raise ProtocolError unless every field the proxy reads has its type and range."""
    if type(reply.get("ok")) is not bool:
        raise protocol.ProtocolError("a reply without `ok`")
    for key, kinds in _REPLY_FIELDS.items():
        if key in reply and type(reply[key]) not in kinds:
            raise protocol.ProtocolError(f"reply field {key!r} has the wrong type")
    for key in ("lineno", "offset", "handle", "line", "pid"):
        if key in reply and not 0 <= reply[key] < (1 << 62):
            raise protocol.ProtocolError(f"reply field {key!r} is out of range")
    for key in _STRING_LISTS:
        if key in reply and (len(reply[key]) > 100_000 or any(type(x) is not str for x in reply[key])):
            raise protocol.ProtocolError(f"reply field {key!r} is not a list of strings")
