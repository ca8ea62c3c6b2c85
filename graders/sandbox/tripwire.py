"""Banned APIs at run time: tripwires in place of the banned callables, inside the sandbox.

The static scan (graders/stages/banned.py) reads the source and gives line numbers, but no
scan of Python sees every lookup (`getattr` with a built string, `vars(F)[...]`,
`torch.ops.aten...`). So before the student's module loads, every banned callable is replaced,
on every module and class it is reachable from by name, by a Tripwire: `torch.nn.functional.X`
and its alias `torch._C._nn.X`, `torch.X`, `torch.Tensor.X`, `torch._C._VariableFunctions.X`,
and the ATen overload packets `torch.ops.aten.X` / `torch.ops.aten._X*` (whose overloads,
`.default` and so on, are tripwires too). A banned class trips when constructed; a banned
module (`torch.autograd`) trips on its public functions; `.name` trips on `torch.Tensor.name`.

When a tripwire is called while its ban is armed (only during the grader's request to a
target the ban applies to), it reports the call (API, line of the innermost frame of the
student's file) on the data channel AT ONCE, with functions captured before the student's
code ran, and only then raises BannedAPIError (a BaseException, which `except Exception`
does not swallow). The report is on its way to the grader before control returns to the
student's code, so catching the error cannot undo it. The sandbox also says in every reply
whether every tripwire is still in place; the grader treats a missing or false answer as a
violation. What this does not stop (README, "Security"): code that digs the original out of
the interpreter (gc, a tripwire's own attributes) and also forges the sandbox's replies; the
process is the student's, and so is anything it says about itself.
"""
from __future__ import annotations

import os
import signal
import struct
import sys
import types
from contextlib import contextmanager
from typing import Any, Iterator

# Captured at import, in the warm zygote: the student's code cannot rebind what these names hold.
_write, _fstat, _kill, _getpid, _getframe = os.write, os.fstat, os.kill, os.getpid, sys._getframe
_pack_u32 = struct.Struct("<I").pack
_isinstance, _type, _getattr, _len = isinstance, type, getattr, len
MAX_ALIASES = 128                  # callables one spec may cover


class BannedAPIError(BaseException):
    """Raised in the student's code by a tripwire (not an Exception: it is not for catching)."""


class Tripwire:
    """Stands in for one banned callable; passes calls through while its ban is not armed."""

    __slots__ = ("_board", "_spec", "_original")

    def __init__(self, board: "Board", spec: str, original: Any) -> None:
        object.__setattr__(self, "_board", board)
        object.__setattr__(self, "_spec", spec)
        object.__setattr__(self, "_original", original)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        board = object.__getattribute__(self, "_board")
        spec = object.__getattribute__(self, "_spec")
        if spec in board.armed:
            board.trip(spec)
        return object.__getattribute__(self, "_original")(*args, **kwargs)

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        # Stands in for methods too (torch.Tensor.softmax): bind like a function would.
        return self if obj is None else types.MethodType(self, obj)

    def __getattr__(self, name: str) -> Any:
        # Overloads of an ATen packet (`.default`, `.out`) are the same banned operation.
        value = _getattr(object.__getattribute__(self, "_original"), name)
        if callable(value) and not name.startswith("__") and not _isinstance(value, type):
            return Tripwire(object.__getattribute__(self, "_board"), object.__getattribute__(self, "_spec"), value)
        return value

    def __repr__(self) -> str:
        return f"<banned {object.__getattribute__(self, '_spec')}>"


class Board:
    """All tripwires of one sandbox: which bans are armed, where each tripwire sits."""

    def __init__(self, channel_fd: int, student_file: str) -> None:
        self.fd, self.student_file = channel_fd, student_file
        self.channel_inode = _fstat(channel_fd).st_ino
        self.armed: frozenset[str] = frozenset()
        self.placed: list[tuple[Any, str, Tripwire]] = []

    def install(self, specs: list[str]) -> None:
        """Replace every banned callable of `specs` wherever it is reachable by name."""
        self.finder = ImportTripwire(self, [s for s in specs if unloaded(s)])
        sys.meta_path.insert(0, self.finder)
        for spec in specs:
            for owner, name, original in resolve(spec) if not unloaded(spec) else ():
                if _isinstance(original, Tripwire):
                    continue
                wire = Tripwire(self, spec, original)
                try:
                    setattr(owner, name, wire)
                except (AttributeError, TypeError):
                    continue                 # a read-only slot: the static scan still covers it
                self.placed.append((owner, name, wire))

    @contextmanager
    def arm(self, specs: Any) -> Iterator[None]:
        """Trip on `specs` while the student's code runs for one request."""
        before = self.armed
        self.armed = frozenset(s for s in specs if _type(s) is str) if _type(specs) is list else frozenset()
        try:
            yield
        finally:
            self.armed = before

    def trip(self, spec: str) -> None:
        """Report the call on the channel now, then raise; if the channel was tampered with, die."""
        line = self._student_line()
        body = b'{"event":"trip","api":"%s","line":%d}' % (spec.encode("ascii", "replace"), line)
        frame = _pack_u32(_len(body)) + body + _pack_u32(0)
        try:
            if _fstat(self.fd).st_ino != self.channel_inode:
                raise OSError("the data channel was replaced")
            while frame:
                frame = frame[_write(self.fd, frame):]
        except OSError:
            _kill(_getpid(), signal.SIGKILL)     # no record can be sent: fail closed
        self.armed = frozenset()                 # one report per request is enough
        raise BannedAPIError(f"{spec} is banned in this assignment (called at line {line})")

    def _student_line(self) -> int:
        frame = _getframe(2)
        while frame is not None:
            if frame.f_code.co_filename == self.student_file:
                return frame.f_lineno
            frame = frame.f_back
        return 0

    def state(self) -> str:
        """"intact" while every tripwire is where it was put; "disturbed" otherwise."""
        if self.finder.specs and (not sys.meta_path or sys.meta_path[0] is not self.finder):
            return "disturbed"
        for owner, name, wire in self.placed:
            held = vars(owner).get(name) if _isinstance(owner, (type, types.ModuleType)) else None
            if held is not wire:
                return "disturbed"
        return "intact"


class ImportTripwire:
    """First on sys.meta_path: importing a banned module that is not loaded yet trips."""

    def __init__(self, board: Board, specs: list[str]) -> None:
        self.board, self.specs = board, tuple(specs)

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        for spec in self.specs:
            if (name == spec or name.startswith(spec + ".")) and spec in self.board.armed:
                self.board.trip(spec)
        return None


# ------------------------------------------------------------------ where a banned name lives

def resolve(spec: str) -> list[tuple[Any, str, Any]]:
    """(owner, attribute, callable) for every place the banned `spec` is reachable by name."""
    if spec.startswith("."):
        return _method_everywhere(spec[1:])
    target = _lookup(spec)
    if target is None:
        return []
    owner, name, value = target
    if _isinstance(value, types.ModuleType):
        return _module_members(value)
    if _isinstance(value, type):
        return [(value, "__init__", value.__init__)]          # constructing it (or a subclass) trips
    found = [(owner, name, value)] + _aliases(name, value) + _same_name(name) + _aten(name)
    return _unique([f for f in found if callable(f[2])])[:MAX_ALIASES]


def _lookup(spec: str) -> tuple[Any, str, Any] | None:
    """Find `spec` among the modules already loaded (never import one for it: see unloaded())."""
    parts = spec.split(".")
    for cut in range(len(parts), 0, -1):
        obj = sys.modules.get(".".join(parts[:cut]))
        if obj is None:
            continue
        owner = sys.modules.get(".".join(parts[:cut - 1])) if cut > 1 else None
        try:
            for part in parts[cut:]:
                owner, obj = obj, getattr(obj, part)
        except Exception:
            return None
        return owner, parts[-1], obj
    return None


def unloaded(spec: str) -> bool:
    """A banned module no one has imported yet (sacrebleu): importing it is what trips."""
    return not spec.startswith(".") and spec.split(".")[0] not in sys.modules


# What resolve() searches, indexed once in the warm zygote (prepare()): walking every torch
# module and dir(torch) in each sandbox cost ~20 ms a child, mostly copy-on-write page faults.
_INDEX: dict[str, Any] = {}


def prepare() -> None:
    """In the warm zygote: index torch's names so that no sandbox walks torch to place tripwires."""
    import torch
    by_name: dict[str, list[Any]] = {}
    torch_modules = [(n, m) for n, m in list(sys.modules.items()) if n.startswith("torch")]
    for _, module in torch_modules:
        for attr in _getattr(module, "__dict__", {}):
            by_name.setdefault(attr, []).append(module)
    _INDEX.update(modules=len(sys.modules), by_name=by_name,
                  dirs={id(o): _by_first_word(dir(o)) for o in _same_name_owners()},
                  aten=_by_first_word(_aten_ops()))


def _first_word(attr: str) -> str:
    return attr.strip("_").split("_")[0]


def _by_first_word(names: list[str]) -> dict[str, tuple[str, ...]]:
    """Names grouped by first word: related() never pairs names whose first words differ."""
    groups: dict[str, list[str]] = {}
    for n in names:
        groups.setdefault(_first_word(n), []).append(n)
    return {k: tuple(v) for k, v in groups.items()}


def _indexed() -> bool:
    """The index still describes this process (nothing imported since the zygote made it)."""
    return _INDEX.get("modules") == len(sys.modules)


def _aliases(name: str, value: Any) -> list[tuple[Any, str, Any]]:
    """The same object under the same name in any loaded torch module (torch._C._nn.X)."""
    if _indexed():
        candidates = _INDEX["by_name"].get(name, ())
    else:
        candidates = [m for n, m in list(sys.modules.items()) if n.startswith("torch")]
    return [(module, name, value) for module in candidates
            if _getattr(module, "__dict__", {}).get(name) is value]


def _same_name(name: str) -> list[tuple[Any, str, Any]]:
    """What the static scan also counts as this API: `torch.X`, `tensor.X(...)`, their C twins."""
    import torch
    found = [(torch.nn.functional, name, _getattr(torch.nn.functional, name, None))]
    dirs = _INDEX.get("dirs", {}) if _indexed() else {}
    for owner in _same_name_owners():
        names = dirs[id(owner)].get(_first_word(name), ()) if id(owner) in dirs else dir(owner)
        for attr in [a for a in names if related(a, name)]:
            value = getattr(owner, attr, None)
            if callable(value) and not _isinstance(value, type):
                found.append((owner, attr, value))
    return found


def _same_name_owners() -> tuple[Any, ...]:
    import torch
    return (torch, torch.Tensor, torch._C._VariableFunctions, torch._C._nn, torch._VF)


_ATEN_OPS: list[str] = []


def _aten_ops() -> list[str]:
    import torch
    if not _ATEN_OPS:
        _ATEN_OPS.extend(sorted({n.split("::", 1)[1].split(".", 1)[0] for n in torch._C._dispatch_get_all_op_names()
                                 if n.startswith("aten::")}))
    return _ATEN_OPS


def _aten(name: str) -> list[tuple[Any, str, Any]]:
    """ATen overload packets `torch.ops.aten.X` and its private variants `_X...`."""
    import torch
    found = []
    ops = _INDEX["aten"].get(_first_word(name), ()) if _indexed() else _aten_ops()
    for op in ops:
        if related(op, name):
            try:
                found.append((torch.ops.aten, op, getattr(torch.ops.aten, op)))
            except (AttributeError, RuntimeError):
                continue
    return found


def related(attr: str, name: str) -> bool:
    """`attr` is `name` or a private kernel of it: `_scaled_dot_product_flash_attention_for_cpu`
    for `scaled_dot_product_attention` (its words, in order, in a name starting with `_`)."""
    if attr == name:
        return True
    if not attr.startswith("_") or attr.startswith("__"):
        return False
    have, want = attr.strip("_").split("_"), name.strip("_").split("_")
    if have[0] != want[0]:           # `_log_softmax` is another function than `softmax`
        return False
    words = iter(have)
    return all(any(w == part for w in words) for part in want)


def _module_members(module: types.ModuleType) -> list[tuple[Any, str, Any]]:
    """A banned module: the public functions and classes it defines (torch.autograd: backward,
    grad, Function; torch.optim: Optimizer, Adam, ...), but not what torch also exports under a
    name of its own (torch.no_grad lives in torch.autograd, and is not banned with it)."""
    import torch
    found = []
    for attr, value in sorted(vars(module).items()):
        defined_here = (_getattr(value, "__module__", "") or "").startswith(module.__name__)
        if attr.startswith("_") or not defined_here or vars(torch).get(attr) is value:
            continue
        if _isinstance(value, (types.FunctionType, types.BuiltinFunctionType)):
            found.append((module, attr, value))
        elif _isinstance(value, type) and _type(value) is type:
            found.append((value, "__init__", value.__init__))
    return found[:MAX_ALIASES]


def _method_everywhere(name: str) -> list[tuple[Any, str, Any]]:
    """`.name`: that attribute on tensors, and the functions of that name in torch and F."""
    import torch
    found = []
    for owner in (torch.Tensor, torch, torch.nn.functional):
        value = getattr(owner, name, None)
        if callable(value) and not _isinstance(value, type):
            found.append((owner, name, value))
    return found


def _unique(found: list[tuple[Any, str, Any]]) -> list[tuple[Any, str, Any]]:
    seen, out = set(), []
    for owner, name, value in found:
        if (id(owner), name) not in seen:
            seen.add((id(owner), name))
            out.append((owner, name, value))
    return out


def specs_for(banned: dict[str, tuple[str, ...]], names: Any) -> list[str]:
    """The bans that apply to a request touching `names` (check targets, the called name)."""
    out = list(banned.get("*", ()))
    for name in names:
        out += [s for s in banned.get(name, ()) if s not in out]
    return out


def all_specs(banned: dict[str, tuple[str, ...]]) -> list[str]:
    return sorted({s for specs in banned.values() for s in specs})

