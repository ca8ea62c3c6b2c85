"""The sandbox side: load the student's module and answer the grader's requests.

Runs inside the contained child (after graders.sandbox.isolate has built its world).
It only executes what the grader names (a function, a class, a method) on data the
grader sent, and answers with data. It holds no expected values, no checks and no
reference code, so nothing the student's code does here can change a score except the
values it returns.
"""
from __future__ import annotations

import importlib.util
import inspect
import io
import os
import socket
import sys
import traceback
from contextlib import nullcontext
from typing import Any

import torch

from graders.device import to_device
from graders.sandbox import protocol, tripwire

MAX_TRACE = 4000
# Taken before any tripwire is placed: the server's own backward must not trip a ban on autograd.
_BACKWARD = torch.autograd.backward


class Server:
    def __init__(self, sock: socket.socket, workdir: str, device: str = "cpu") -> None:
        self.sock = sock
        self.reader = protocol.Buffered(sock)
        self.workdir = workdir
        self.device = device             # where the grader's tensors and new modules are placed
        self.module: Any = None
        self.filename = ""
        self.objects: dict[int, Any] = {}
        self.next_id = 1
        self.board: tripwire.Board | None = None
        self.bans: Any = []

    # ------------------------------------------------------------------ plumbing
    def register(self, obj: Any) -> int:
        ident = self.next_id
        self.next_id += 1
        self.objects[ident] = obj
        return ident

    def resolve(self, data: dict[str, Any]) -> Any:
        ident = data.get("$handle")
        if ident not in self.objects:
            raise protocol.ProtocolError(f"unknown object {ident}")
        return self.objects[ident]

    def decode(self, value: Any, buffers: list[bytes]) -> Any:
        out = protocol.decode(value, buffers, resolve_handle=self.resolve)
        return to_device(_materialise(out), self.device)

    def student(self) -> Any:
        """Arm the bans of the current request while the student's code runs."""
        return self.board.arm(self.bans) if self.board is not None else nullcontext()

    def reply(self, header: dict[str, Any], values: dict[str, Any] | None = None) -> None:
        header["tripwires"] = self.board.state() if self.board is not None else "none"
        buffers: list[bytes] = []
        for key, value in (values or {}).items():
            header[key] = protocol.encode(value, buffers, handles=self.register)
        _flush_stdio()
        protocol.send_frame(self.sock, header, buffers)

    def serve(self) -> None:
        while True:
            try:
                header, buffers = protocol.recv_frame(self.reader)
            except protocol.ChannelClosed:
                return
            op = header.get("op")
            if op == "bye":
                return
            self.bans = header.get("bans", [])
            handler = getattr(self, f"op_{op}", None)
            if handler is None:
                self.reply({"ok": False, "kind": "protocol", "message": f"unknown op {op!r}"})
                continue
            try:
                handler(header, buffers)
            except BaseException as exc:  # the student's code may raise anything, even SystemExit
                self.reply(self.describe(exc))

    def describe(self, exc: BaseException) -> dict[str, Any]:
        names = [c.__name__ for c in type(exc).__mro__]
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == self.filename]
        trace = "".join(traceback.format_list(frames[-8:]))
        try:
            message = str(exc)
        except BaseException:
            message = "<unprintable message>"
        return {"ok": False, "kind": "exception", "exc_type": type(exc).__name__, "exc_types": names,
                "message": message[:MAX_TRACE], "traceback": trace[-MAX_TRACE:]}

    # ------------------------------------------------------------------ operations
    def op_load(self, header: dict[str, Any], buffers: list[bytes]) -> None:
        self.filename = str(header["filename"])
        source = bytes(buffers[0])
        path = os.path.join(self.workdir, self.filename)
        with open(path, "wb") as fh:
            fh.write(source)
        try:
            code = compile(source, self.filename, "exec", dont_inherit=True)
        except SyntaxError as exc:
            self.reply({"ok": False, "kind": "syntax", "exc_type": type(exc).__name__,
                        "message": str(exc.msg), "lineno": exc.lineno or 0, "offset": exc.offset or 0,
                        "text": (exc.text or "").rstrip()[:500]})
            return
        name = str(header["module"])
        spec = importlib.util.spec_from_loader(name, loader=None, origin=path)
        module = importlib.util.module_from_spec(spec)
        module.__file__ = path
        sys.modules[name] = module
        if header.get("install") and self.board is None:     # before the student's first line runs
            self._install(header["install"])
        if self.board is not None:
            self.board.student_file = self.filename
        with self.student():
            exec(code, module.__dict__)  # noqa: S102 - this is the student's module, inside the sandbox
        self.module = module
        self.reply({"ok": True, "names": sorted(k for k in vars(module) if not k.startswith("__"))})

    def op_install(self, header: dict[str, Any], buffers: list[bytes]) -> None:
        """Place the tripwires before any submission is here (a spare sandbox, off the grading's path)."""
        if self.board is not None or self.module is not None:
            raise protocol.ProtocolError("tripwires are placed once, before the module loads")
        self._install(header.get("install") or [])
        self.reply({"ok": True})

    def _install(self, specs: Any) -> None:
        self.board = tripwire.Board(self.sock.fileno(), self.filename)
        self.board.install([str(s) for s in specs])

    def target(self, name: str) -> Any:
        if self.module is None:
            raise protocol.ProtocolError("no module loaded")
        if not hasattr(self.module, name):
            raise AttributeError(f"{self.filename} does not define {name!r}")
        return getattr(self.module, name)

    def op_call(self, header: dict[str, Any], buffers: list[bytes]) -> None:
        if "handle" in header:
            obj = self.resolve({"$handle": header["handle"]})
            method = str(header.get("method", "__call__"))
            func = obj if method == "__call__" else getattr(obj, method)
        else:
            func = self.target(str(header["target"]))
        args = self.decode(header.get("args", []), buffers)
        kwargs = self.decode(header.get("kwargs", {"$dict": []}), buffers)
        if header.get("grad") is not None:
            self.call_with_grad(func, args, kwargs, header, buffers)
            return
        before = _clone_tensors(args, kwargs) if header.get("check_inputs") else None
        with self.student():
            value = func(*args, **kwargs)
        values: dict[str, Any] = {"value": value}
        if before is not None:
            values["inputs_after"] = _clone_tensors(args, kwargs)
            values["input_names"] = _param_names(func, len(args))
        self.reply({"ok": True}, values)

    def call_with_grad(self, func: Any, args: list[Any], kwargs: dict[str, Any],
                       header: dict[str, Any], buffers: list[bytes]) -> None:
        import torch
        leaves = []
        for i, a in enumerate(args):
            if isinstance(a, torch.Tensor) and a.is_floating_point():
                args[i] = a.detach().clone().requires_grad_(True)
                leaves.append(args[i])
            else:
                leaves.append(None)
        grad_outputs = self.decode(header["grad"], buffers)
        with self.student():         # the backward pass runs the student's hooks and Functions too
            value = func(*args, **kwargs)
            outs = [value] if isinstance(value, torch.Tensor) else [v for v in value if isinstance(v, torch.Tensor)]
            grads = grad_outputs if isinstance(grad_outputs, (list, tuple)) else [grad_outputs]
            pairs = [(o, g) for o, g in zip(outs, grads) if g is not None and o.requires_grad]
            if pairs:
                _BACKWARD([o for o, _ in pairs], [g for _, g in pairs])
        params = {}
        if isinstance(getattr(func, "__self__", None), torch.nn.Module) or isinstance(func, torch.nn.Module):
            module = func if isinstance(func, torch.nn.Module) else func.__self__
            params = {n: p.grad for n, p in module.named_parameters()}
        self.reply({"ok": True}, {"value": value,
                                  "input_grads": [leaf.grad if leaf is not None else None for leaf in leaves],
                                  "param_grads": params})

    def op_new(self, header: dict[str, Any], buffers: list[bytes]) -> None:
        cls = self.target(str(header["target"]))
        args = self.decode(header.get("args", []), buffers)
        kwargs = self.decode(header.get("kwargs", {"$dict": []}), buffers)
        with self.student():
            obj = to_device(cls(*args, **kwargs), self.device)
        self.reply({"ok": True, "handle": self.register(obj), "type": type(obj).__name__})

    def op_load_state_dict(self, header: dict[str, Any], buffers: list[bytes]) -> None:
        obj = self.resolve({"$handle": header["handle"]})
        state = self.decode(header["state"], buffers)
        with self.student():
            result = obj.load_state_dict(state, strict=bool(header.get("strict", True)))
        missing = list(getattr(result, "missing_keys", []))
        unexpected = list(getattr(result, "unexpected_keys", []))
        self.reply({"ok": True, "missing": missing, "unexpected": unexpected})

    def op_state_dict(self, header: dict[str, Any], buffers: list[bytes]) -> None:
        obj = self.resolve({"$handle": header["handle"]})
        with self.student():
            state = dict(obj.state_dict())
        self.reply({"ok": True}, {"value": state})

    def op_structure(self, header: dict[str, Any], buffers: list[bytes]) -> None:
        import torch
        obj = self.resolve({"$handle": header["handle"]})
        info: dict[str, Any] = {"type": type(obj).__name__, "is_module": isinstance(obj, torch.nn.Module)}
        if isinstance(obj, torch.nn.Module):
            info["modules"] = {n: type(m).__name__ for n, m in obj.named_modules() if n}
            info["parameters"] = {n: list(p.shape) for n, p in obj.named_parameters()}
            info["buffers"] = {n: list(b.shape) for n, b in obj.named_buffers()}
        self.reply({"ok": True, "info": info})

    def op_getattr(self, header: dict[str, Any], buffers: list[bytes]) -> None:
        value = self.resolve({"$handle": header["handle"]})
        with self.student():
            for part in filter(None, str(header["name"]).split(".")):
                value = getattr(value, part)
        self.reply({"ok": True}, {"value": value})

    def op_setattr(self, header: dict[str, Any], buffers: list[bytes]) -> None:
        obj = self.resolve({"$handle": header["handle"]})
        value = self.decode(header["value"], buffers)
        with self.student():
            setattr(obj, str(header["name"]), value)
        self.reply({"ok": True})

    def op_double(self, header: dict[str, Any], buffers: list[bytes]) -> None:
        """Build one of graders.sandbox.doubles from data, for the student's code to use."""
        from graders.sandbox.doubles import DOUBLES
        cls = DOUBLES.get(str(header["target"]))
        if cls is None:
            raise protocol.ProtocolError(f"no test double {header['target']!r}")
        obj = cls(*self.decode(header.get("args", []), buffers), **self.decode(header.get("kwargs", {"$dict": []}), buffers))
        self.reply({"ok": True, "handle": self.register(obj), "type": cls.__name__})

    def op_tensor(self, header: dict[str, Any], buffers: list[bytes]) -> None:
        """Keep a tensor here, so several calls can share it (e.g. parameters and their optimizer)."""
        import torch
        value = self.decode(header["value"], buffers)
        if not isinstance(value, torch.Tensor):
            raise protocol.ProtocolError("tensor() needs a tensor")
        value = value.detach().clone().requires_grad_(bool(header.get("requires_grad")))
        self.reply({"ok": True, "handle": self.register(value), "type": "Tensor"})


def _materialise(value: Any) -> Any:
    """Turn wire markers the grader sent (seeded generators) into live objects."""
    if isinstance(value, protocol.Seed):
        import torch
        return torch.Generator().manual_seed(value.seed)
    # Exact types only: a namedtuple or custom dict from a handle must reach the code as itself.
    if type(value) is list:
        return [_materialise(v) for v in value]
    if type(value) is tuple:
        return tuple(_materialise(v) for v in value)
    if type(value) is dict:
        return {k: _materialise(v) for k, v in value.items()}
    return value


def _clone_tensors(args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Copies of every tensor argument, also inside lists and dicts, keyed by where it sits."""
    return {f"{key}{path}": t.detach().clone()
            for key, value in list(enumerate(args)) + list(kwargs.items())
            for path, t in protocol.tensor_leaves(value)}


def _param_names(func: Any, n: int) -> list[str]:
    try:
        params = list(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"argument {i + 1}" for i in range(n)]


def _flush_stdio() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def run(chan_fd: int, workdir: str, threads: int, seed: int, *, device: str = "cpu",
        gpu_memory_mib: int = 0) -> None:
    """Serve the grader on `chan_fd` until it says bye or goes away."""
    import random

    import numpy as np
    import torch
    torch.set_num_threads(max(1, threads))
    torch.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed % (1 << 32))
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8",
                                  errors="replace", line_buffering=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8",
                                  errors="replace", line_buffering=True)
    sys.stdin = io.TextIOWrapper(io.BytesIO(b""))
    sys.path[:] = [workdir] + [p for p in sys.path if p and os.path.isdir(p)]
    sys.argv = [""]
    sock = socket.socket(fileno=chan_fd)
    if device == "cuda":
        from graders.device import prepare_sandbox_gpu
        try:
            prepare_sandbox_gpu(gpu_memory_mib)
        except Exception as exc:  # the host's fault, not the student's: say so before any code runs
            protocol.send_frame(sock, {"ok": False, "kind": "setup",
                                       "message": f"CUDA unavailable in the sandbox: {type(exc).__name__}: {exc}"})
            return
    protocol.send_frame(sock, {"ok": True, "event": "ready", "pid": os.getpid()})
    Server(sock, workdir, device).serve()
