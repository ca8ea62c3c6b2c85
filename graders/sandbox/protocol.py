"""The data channel between the grader and a sandbox: framed JSON plus raw buffers.

A frame is `u32 header length | JSON header | u32 buffer count | (u64 length | bytes)*`.
Tensors travel as raw little-endian arrays with a whitelisted dtype and a shape. Nothing
here unpickles or evaluates anything: the grader turns what a sandbox sends into numbers,
strings and arrays, or rejects it. Both sides import this module; it must stay free of
any grader-only import.
"""
from __future__ import annotations

import collections
import json
import math
import re
import socket
import struct
import time
from typing import Any

import numpy as np

from graders import limits

MAX_HEADER = limits.REPLY_MAX_HEADER_BYTES       # a header bigger than this is a protocol violation
MAX_FRAME = limits.REPLY_MAX_BUFFER_BYTES        # all buffers of one frame together
MAX_BUFFERS = limits.REPLY_MAX_BUFFERS
ENCODE_MAX_DEPTH = limits.REPLY_MAX_DEPTH // 2   # deeper values travel as a marker, not refused
DTYPES = {                       # wire name -> (numpy dtype, torch dtype name)
    "float32": ("<f4", "float32"), "float64": ("<f8", "float64"), "float16": ("<f2", "float16"),
    "bfloat16": ("<u2", "bfloat16"), "int64": ("<i8", "int64"), "int32": ("<i4", "int32"),
    "int16": ("<i2", "int16"), "int8": ("i1", "int8"), "uint8": ("u1", "uint8"), "bool": ("?", "bool"),
}


class ProtocolError(Exception):
    """The other side sent something that is not a well-formed frame."""


class ChannelClosed(ProtocolError):
    """The other side went away (or was killed) mid-conversation."""


# ------------------------------------------------------------------------------ framing

def _recv_exact(sock: socket.socket, n: int) -> bytearray:
    # Grow with what really arrives: a forged length must not make us allocate it up front.
    # The bytearray itself is returned (no copy): arrays decoded from it share its memory.
    buf = bytearray()
    chunk = bytearray(min(n, 1 << 20))
    view = memoryview(chunk)
    while len(buf) < n:
        k = sock.recv_into(view, min(n - len(buf), len(chunk)))
        if k == 0:
            raise ChannelClosed("the sandbox closed the channel")
        buf += view[:k]
    return buf


def send_frame(sock: socket.socket, header: dict[str, Any], buffers: list[bytes] = ()) -> None:
    raw = json.dumps(header, separators=(",", ":"), allow_nan=True).encode("utf-8")
    parts = [struct.pack("<I", len(raw)), raw, struct.pack("<I", len(buffers))]
    for b in buffers:
        parts.append(struct.pack("<Q", len(b)))
        parts.append(b)
    sock.sendall(b"".join(parts))


def recv_frame(sock: socket.socket) -> tuple[dict[str, Any], list[bytearray]]:
    """One frame: its JSON header (parsed, not yet decoded) and its buffers (each a bytearray)."""
    (hlen,) = struct.unpack("<I", _recv_exact(sock, 4))
    if hlen > MAX_HEADER:
        raise ProtocolError(f"header of {hlen} bytes is too large")
    header = parse_header(_recv_exact(sock, hlen))
    (count,) = struct.unpack("<I", _recv_exact(sock, 4))
    if count > MAX_BUFFERS:
        raise ProtocolError(f"{count} buffers is too many")
    buffers, total = [], 0
    for _ in range(count):
        (blen,) = struct.unpack("<Q", _recv_exact(sock, 8))
        total += blen
        if total > MAX_FRAME:
            raise ProtocolError(f"frame larger than {MAX_FRAME >> 20} MiB")
        buffers.append(_recv_exact(sock, blen))
    return header, buffers


def parse_header(raw: bytes | bytearray) -> dict[str, Any]:
    """The JSON header; anything but a UTF-8 JSON object within the bounds is a ProtocolError."""
    if len(raw) > MAX_HEADER:
        raise ProtocolError(f"header of {len(raw)} bytes is too large")
    try:
        header = json.loads(str(raw, "utf-8"))
    except RecursionError:
        raise ProtocolError("the reply is nested too deeply") from None
    except ValueError as exc:      # not UTF-8, not JSON, or an integer of too many digits
        raise ProtocolError(f"header is not JSON: {str(exc)[:200]}") from None
    if not isinstance(header, dict):
        raise ProtocolError("header is not an object")
    return header


# ------------------------------------------------------------------------------ values

class Foreign:
    """A value the sandbox returned that has no plain-data form (only its type is known)."""

    def __init__(self, type_name: str, detail: str = "") -> None:
        self.type_name = type_name
        self.detail = detail

    def __repr__(self) -> str:
        return f"<{self.type_name}{' ' + self.detail if self.detail else ''}>"


class Handle:
    """A reference to an object living in the sandbox (e.g. a constructed nn.Module)."""

    def __init__(self, ident: int, type_name: str) -> None:
        self.ident = ident
        self.type_name = type_name


class Seed:
    """A torch.Generator to create in the sandbox, seeded with `seed`."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)


def tensor_leaves(value: Any, path: str = "", depth: int = 0) -> list[tuple[str, Any]]:
    """(path, tensor) for every tensor in plain lists, tuples and dicts: "[1]", "['w']"."""
    torch = _torch()
    if torch is not None and isinstance(value, torch.Tensor):
        return [(path, value)]
    if depth > 8:
        return []
    if type(value) in (list, tuple):
        return [leaf for i, v in enumerate(value) for leaf in tensor_leaves(v, f"{path}[{i}]", depth + 1)]
    if type(value) is dict:
        return [leaf for k, v in value.items() for leaf in tensor_leaves(v, f"{path}[{k!r}]", depth + 1)]
    return []


def encode(value: Any, buffers: list[bytes], *, handles: Any = None, depth: int = 0) -> Any:
    """Turn `value` into JSON-able data, appending array bytes to `buffers`.

    `handles`, when given, is a callable that registers an unencodable object and returns
    its id (the sandbox side); without it such objects become Foreign markers.
    """
    if depth >= ENCODE_MAX_DEPTH:
        return {"$foreign": "too deeply nested"}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        if type(value) is not int and not isinstance(value, bool):
            value = int(value)
        if -(1 << 63) <= value < (1 << 63):
            return value
        if value.bit_length() > limits.REPLY_MAX_BIGINT_DIGITS * 3:       # ~0.3 digits per bit
            return {"$foreign": "int", "detail": f"an integer of {value.bit_length()} bits"}
        return {"$bigint": str(value)}
    if isinstance(value, float):
        return {"$float": repr(float(value))} if value != value or value in (float("inf"), float("-inf")) else float(value)
    torch = _torch()
    if torch is not None and isinstance(value, torch.Tensor):
        return _encode_tensor(value, buffers, torch)
    if isinstance(value, np.ndarray):
        return _encode_array(value, buffers, "ndarray")
    if isinstance(value, np.generic):
        return encode(value.item(), buffers, handles=handles, depth=depth + 1)
    if torch is not None and isinstance(value, torch.dtype):
        return {"$dtype": str(value).removeprefix("torch.")}
    if isinstance(value, Seed):
        return {"$seed": value.seed}
    if isinstance(value, Handle):
        return {"$handle": value.ident}
    if isinstance(value, tuple) and type(value) is tuple:
        return {"$tuple": [encode(v, buffers, handles=handles, depth=depth + 1) for v in value]}
    if isinstance(value, list) and type(value) is list:
        return [encode(v, buffers, handles=handles, depth=depth + 1) for v in value]
    if isinstance(value, dict) and type(value) in (dict, collections.Counter, collections.OrderedDict, collections.defaultdict):
        kind = "Counter" if type(value) is collections.Counter else "dict"
        items = [[encode(k, buffers, handles=handles, depth=depth + 1),
                  encode(v, buffers, handles=handles, depth=depth + 1)] for k, v in value.items()]
        return {"$dict": items, "kind": kind}
    if handles is not None:
        return {"$handle": handles(value), "type": _type_label(value)}
    return {"$foreign": _type_label(value)}


def _type_label(value: Any) -> str:
    cls = type(value)
    module = getattr(cls, "__module__", "") or ""
    return f"{module}.{cls.__qualname__}" if module not in ("builtins", "") else cls.__qualname__


def _torch() -> Any:
    import sys
    return sys.modules.get("torch")


def _encode_tensor(t: Any, buffers: list[bytes], torch: Any) -> Any:
    exact = type(t) is torch.Tensor or type(t) is torch.nn.Parameter
    if not exact:
        # A subclass may override every method; report it instead of trusting its data.
        return {"$foreign": _type_label(t), "detail": "tensor subclass"}
    if t.is_complex() or t.layout != torch.strided:
        return {"$foreign": f"torch.Tensor({t.dtype}, {t.layout})"}
    name = str(t.dtype).removeprefix("torch.")
    if name not in DTYPES:
        return {"$foreign": f"torch.Tensor({t.dtype})"}
    data = t.detach().cpu().contiguous()
    if name == "bfloat16":
        arr = data.view(torch.int16).numpy().view("<u2")
    else:
        arr = data.numpy()
    return _encode_array(arr, buffers, "tensor", wire_dtype=name)


def _encode_array(arr: np.ndarray, buffers: list[bytes], kind: str, wire_dtype: str | None = None) -> Any:
    if wire_dtype is None:
        wire_dtype = next((k for k, (np_dt, _) in DTYPES.items() if np.dtype(np_dt) == arr.dtype.newbyteorder("<")
                           and k != "bfloat16"), None)
        if wire_dtype is None:
            return {"$foreign": f"numpy.ndarray({arr.dtype})"}
    # not ascontiguousarray: it turns 0-d arrays into 1-d ones
    arr = np.asarray(arr).astype(np.dtype(DTYPES[wire_dtype][0]), order="C", copy=False)
    buffers.append(arr.tobytes())
    return {"$array": len(buffers) - 1, "dtype": wire_dtype, "shape": list(arr.shape), "kind": kind}


# ------------------------------------------------------------------------------ decoding, bounded

class DeadlinePassed(ProtocolError):
    """Decoding ran past the call's deadline (the deadline covers the whole round trip)."""


class Budget:
    """What decoding one frame may still cost: items, bytes, buffers (each used once), time."""

    __slots__ = ("items", "markers", "bytes", "used", "deadline", "_next_look")

    def __init__(self, deadline: float | None = None) -> None:
        self.items = 0
        self.markers = 0
        self.bytes = 0
        self.used: set[int] = set()
        self.deadline = deadline
        self._next_look = limits.REPLY_DEADLINE_CHECK_EVERY

    def count(self, n: int = 1) -> None:
        self.items += n
        if self.items > limits.REPLY_MAX_ITEMS:
            raise ProtocolError(f"the reply holds more than {limits.REPLY_MAX_ITEMS} values")
        if self.items >= self._next_look:
            self._next_look = self.items + limits.REPLY_DEADLINE_CHECK_EVERY
            if self.deadline is not None and time.monotonic() > self.deadline:
                raise DeadlinePassed("the call's time ran out while its reply was decoded")

    def marker(self) -> None:
        self.markers += 1
        if self.markers > limits.REPLY_MAX_MARKERS:
            raise ProtocolError(f"the reply holds more than {limits.REPLY_MAX_MARKERS} arrays, objects or markers")

    def spend(self, nbytes: int) -> None:
        self.bytes += nbytes
        if self.bytes > limits.REPLY_MAX_DECODED_BYTES:
            raise ProtocolError(f"the reply decodes to more than {limits.REPLY_MAX_DECODED_BYTES >> 20} MiB")

    def claim(self, index: Any, buffers: list[Any]) -> Any:
        if type(index) is not int or not 0 <= index < len(buffers):
            raise ProtocolError("array refers to a missing buffer")
        if index in self.used:
            raise ProtocolError("a buffer is referenced twice")
        self.used.add(index)
        raw = buffers[index]
        self.spend(len(raw))
        return raw


_SCALARS = (type(None), bool, float)
_KEY_SCALARS = (type(None), bool, int, float, str)


def decode(data: Any, buffers: list[Any], *, resolve_handle: Any = None, budget: Budget | None = None,
           depth: int = 0) -> Any:
    """Rebuild a value from `encode`'s output (parsed JSON), validating every piece.

    Linear in the size of `data` and bounded by graders/limits.py ("sandbox replies"):
    items, depth, dict size and key collisions, string length, decoded bytes; each buffer is
    used at most once and never copied. Lists in `data` are reused for the result (the
    parsed JSON is consumed). Anything else raises ProtocolError (DeadlinePassed when the
    budget's deadline passes midway), never another exception.
    """
    return _Decoder(buffers, resolve_handle, budget or Budget()).value(data, depth)


class _Decoder:
    def __init__(self, buffers: list[Any], resolve_handle: Any, budget: Budget) -> None:
        self.buffers, self.resolve_handle, self.budget = buffers, resolve_handle, budget

    def value(self, data: Any, depth: int) -> Any:
        kind = type(data)
        if kind in _SCALARS:
            return data
        if kind is int:
            return _int64(data)
        if kind is str:
            return self.string(data)
        if depth >= limits.REPLY_MAX_DEPTH:
            raise ProtocolError(f"value nested deeper than {limits.REPLY_MAX_DEPTH} levels")
        if kind is list:
            return self.list(data, depth)
        if kind is not dict or not data:
            raise ProtocolError(f"unexpected value {kind.__name__}")
        self.budget.count()
        for key in data:
            method = _TAGS.get(key)
            if method is not None:
                if key in _MARKERS:
                    self.budget.marker()
                return method(self, data, depth)
        raise ProtocolError(f"unknown value tag {str(next(iter(data)))[:40]!r}")

    def string(self, text: str) -> str:
        if len(text) > limits.REPLY_MAX_STRING_CHARS:
            raise ProtocolError(f"a string longer than {limits.REPLY_MAX_STRING_CHARS} characters")
        self.budget.spend(len(text))
        return text

    def list(self, data: list[Any], depth: int) -> list[Any]:
        self.budget.count(1 + len(data))
        for i, item in enumerate(data):
            if type(item) not in _SCALARS:
                data[i] = self.value(item, depth + 1)
        return data

    def tuple(self, data: dict[str, Any], depth: int) -> tuple[Any, ...]:
        return tuple(self.list(_list(data["$tuple"]), depth))

    def dict(self, data: dict[str, Any], depth: int) -> dict[Any, Any]:
        pairs = _list(data["$dict"])
        if len(pairs) > limits.REPLY_MAX_DICT_ITEMS:
            raise ProtocolError(f"a dict of more than {limits.REPLY_MAX_DICT_ITEMS} entries")
        self.budget.count(len(pairs))
        keys, values = [], []
        for pair in pairs:
            if type(pair) is not list or len(pair) != 2:
                raise ProtocolError("malformed dict item")
            key = self.value(pair[0], depth + 1)
            if not _plain_key(key, depth + 1):
                raise ProtocolError(f"a dict key of type {type(key).__name__} is not allowed")
            keys.append(key)
            values.append(self.value(pair[1], depth + 1))
        _check_collisions(keys)
        out: dict[Any, Any] = collections.Counter() if data.get("kind") == "Counter" else {}
        for key, value in zip(keys, values):
            out[key] = value
        return out

    def special_float(self, data: dict[str, Any], depth: int) -> float:
        text = data["$float"]
        if text not in ("nan", "inf", "-inf"):
            raise ProtocolError("bad special float")
        return float(text)

    def bigint(self, data: dict[str, Any], depth: int) -> int:
        text = data["$bigint"]
        if type(text) is not str or len(text) > limits.REPLY_MAX_BIGINT_DIGITS or not _DIGITS.fullmatch(text):
            raise ProtocolError("bad big integer")
        return int(text)

    def dtype(self, data: dict[str, Any], depth: int) -> Any:
        torch = _torch()
        name = data["$dtype"]
        if type(name) is not str:
            raise ProtocolError("bad dtype")
        if torch is None or name not in DTYPES:
            return Foreign("torch.dtype", name[:200])
        return getattr(torch, name)

    def seed(self, data: dict[str, Any], depth: int) -> Seed:
        return Seed(_int64(data["$seed"]))

    def handle(self, data: dict[str, Any], depth: int) -> Any:
        if self.resolve_handle is None:
            raise ProtocolError("unexpected handle")
        type_name = data.get("type", "object")
        return self.resolve_handle({"$handle": _int64(data["$handle"]),
                                    "type": type_name[:200] if type(type_name) is str else "object"})

    def foreign(self, data: dict[str, Any], depth: int) -> Foreign:
        name, detail = data["$foreign"], data.get("detail", "")
        if type(name) is not str or type(detail) is not str:
            raise ProtocolError("bad foreign marker")
        return Foreign(name[:200], detail[:200])

    def array(self, data: dict[str, Any], depth: int) -> Any:
        dtype, shape = data.get("dtype"), data.get("shape")
        if type(dtype) is not str or dtype not in DTYPES:
            raise ProtocolError(f"dtype {str(dtype)[:40]!r} is not allowed")
        if type(shape) is not list or len(shape) > 32 or not all(type(d) is int and 0 <= d < (1 << 40) for d in shape):
            raise ProtocolError("bad shape")
        raw = self.budget.claim(data.get("$array"), self.buffers)
        np_dtype = np.dtype(DTYPES[dtype][0])
        if math.prod(shape) * np_dtype.itemsize != len(raw):
            raise ProtocolError(f"array of shape {shape} and dtype {dtype} does not match its {len(raw)} bytes")
        # Zero-copy: a bytearray buffer gives a writable array that owns no second copy.
        arr = np.frombuffer(raw, dtype=np_dtype).reshape(shape)
        if not arr.flags.writeable:
            arr = arr.copy()
        if data.get("kind") != "tensor":
            return arr
        torch = _torch()
        if torch is None:
            return arr
        if dtype == "bfloat16":
            return torch.from_numpy(arr.view(np.int16)).view(torch.bfloat16)
        return torch.from_numpy(arr)


_TAGS = {"$array": _Decoder.array, "$tuple": _Decoder.tuple, "$dict": _Decoder.dict,
         "$float": _Decoder.special_float, "$bigint": _Decoder.bigint, "$dtype": _Decoder.dtype,
         "$seed": _Decoder.seed, "$handle": _Decoder.handle, "$foreign": _Decoder.foreign}
_MARKERS = frozenset(("$array", "$bigint", "$dtype", "$seed", "$handle", "$foreign"))
_DIGITS = re.compile(r"-?[0-9]+")


def _int64(value: Any) -> int:
    if type(value) is not int or not -(1 << 63) <= value < (1 << 63):
        raise ProtocolError("an integer out of range")
    return value


def _list(value: Any) -> list[Any]:
    if type(value) is not list:
        raise ProtocolError("expected a list")
    return value


def _plain_key(key: Any, depth: int) -> bool:
    """Dict keys are plain scalars or tuples of them: nothing with a hash the sender chose."""
    if type(key) in _KEY_SCALARS:
        return True
    return type(key) is tuple and depth < limits.REPLY_MAX_DEPTH and all(_plain_key(k, depth + 1) for k in key)


def _check_collisions(keys: list[Any]) -> None:
    """Refuse keys crafted to share a hash: each insert would compare with all the others
    (quadratic time). Integers and tuples of them can be made to collide at will."""
    if len(keys) <= limits.REPLY_MAX_KEY_COLLISIONS:
        return
    hashes = np.fromiter((hash(k) for k in keys), dtype=np.int64, count=len(keys))
    _, counts = np.unique(hashes, return_counts=True)
    if int(counts.max()) > limits.REPLY_MAX_KEY_COLLISIONS:
        raise ProtocolError(f"more than {limits.REPLY_MAX_KEY_COLLISIONS} dict keys share one hash")
