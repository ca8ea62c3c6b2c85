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
import socket
import struct
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


class Buffered:
    """A stream read through a small buffer: one system call brings a whole small frame, where
    reading each part exactly (length, header, count, each buffer's length and bytes) took one
    each, up to 9 for a call with three tensors. What was read ahead stays in the buffer:
    `buffered` says how many bytes wait there, which a reader checking that the other side is
    silent must count as much as bytes waiting in the socket. At most READ_AHEAD bytes are read
    ahead; larger reads go straight into the caller's memory."""

    READ_AHEAD = 64 << 10

    def __init__(self, sock: Any = None) -> None:
        self.sock = sock
        self._chunk = bytearray(self.READ_AHEAD)
        self._view = memoryview(self._chunk)
        self._pos = self._end = 0

    @property
    def buffered(self) -> int:
        return self._end - self._pos

    def _recv_raw(self, view: Any, nbytes: int) -> int:
        return self.sock.recv_into(view, nbytes)

    def recv_into(self, view: Any, nbytes: int) -> int:
        if self._pos == self._end:
            if nbytes >= self.READ_AHEAD:
                return self._recv_raw(view, nbytes)
            got = self._recv_raw(self._view, self.READ_AHEAD)
            if got == 0:
                return 0
            self._pos, self._end = 0, got
        n = min(nbytes, self._end - self._pos)
        view[:n] = self._view[self._pos:self._pos + n]
        self._pos += n
        return n


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


# Decoding lives in its own module (it imports the names above, so it is imported last).
from graders.sandbox.decoding import Budget, DeadlinePassed, decode  # noqa: E402,F401
