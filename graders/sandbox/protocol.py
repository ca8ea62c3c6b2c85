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

MAX_HEADER = 16 << 20            # a header bigger than this is a protocol violation
MAX_FRAME = 512 << 20            # all buffers of one frame together
MAX_BUFFERS = 4096
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

def _recv_exact(sock: socket.socket, n: int) -> bytes:
    # Grow with what really arrives: a forged length must not make us allocate it up front.
    buf = bytearray()
    chunk = bytearray(min(n, 1 << 20))
    while len(buf) < n:
        k = sock.recv_into(chunk, min(n - len(buf), len(chunk)))
        if k == 0:
            raise ChannelClosed("the sandbox closed the channel")
        buf += chunk[:k]
    return bytes(buf)


def send_frame(sock: socket.socket, header: dict[str, Any], buffers: list[bytes] = ()) -> None:
    raw = json.dumps(header, separators=(",", ":"), allow_nan=True).encode("utf-8")
    parts = [struct.pack("<I", len(raw)), raw, struct.pack("<I", len(buffers))]
    for b in buffers:
        parts.append(struct.pack("<Q", len(b)))
        parts.append(b)
    sock.sendall(b"".join(parts))


def recv_frame(sock: socket.socket) -> tuple[dict[str, Any], list[bytes]]:
    (hlen,) = struct.unpack("<I", _recv_exact(sock, 4))
    if hlen > MAX_HEADER:
        raise ProtocolError(f"header of {hlen} bytes is too large")
    try:
        header = json.loads(_recv_exact(sock, hlen).decode("utf-8"))
    except RecursionError:
        raise ProtocolError("the reply is nested too deeply") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"header is not JSON: {exc}") from None
    if not isinstance(header, dict):
        raise ProtocolError("header is not an object")
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
    if depth > 64:
        return {"$foreign": "too deeply nested"}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        if type(value) is not int and not isinstance(value, bool):
            value = int(value)
        return value if -(1 << 63) <= value < (1 << 63) else {"$bigint": str(value)}
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


def decode(data: Any, buffers: list[bytes], *, resolve_handle: Any = None, depth: int = 0) -> Any:
    """Rebuild a value from `encode`'s output, validating every piece."""
    if depth > 70:
        raise ProtocolError("value nested too deeply")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(v, buffers, resolve_handle=resolve_handle, depth=depth + 1) for v in data]
    if not isinstance(data, dict) or len(data) == 0:
        raise ProtocolError(f"unexpected value {type(data).__name__}")
    if "$array" in data:
        return _decode_array(data, buffers)
    if "$tuple" in data:
        return tuple(decode(v, buffers, resolve_handle=resolve_handle, depth=depth + 1) for v in _list(data["$tuple"]))
    if "$dict" in data:
        out = collections.Counter() if data.get("kind") == "Counter" else {}
        for pair in _list(data["$dict"]):
            if not isinstance(pair, list) or len(pair) != 2:
                raise ProtocolError("malformed dict item")
            key = decode(pair[0], buffers, resolve_handle=resolve_handle, depth=depth + 1)
            try:
                hash(key)
            except TypeError:
                raise ProtocolError("unhashable dict key") from None
            out[key] = decode(pair[1], buffers, resolve_handle=resolve_handle, depth=depth + 1)
        return out
    if "$float" in data:
        text = str(data["$float"])
        if text not in ("nan", "inf", "-inf"):
            raise ProtocolError("bad special float")
        return float(text)
    if "$bigint" in data:
        return int(str(data["$bigint"])[:5000])
    if "$dtype" in data:
        torch = _torch()
        name = str(data["$dtype"])
        if torch is None or name not in DTYPES:
            return Foreign("torch.dtype", name)
        return getattr(torch, name)
    if "$seed" in data:
        return Seed(int(data["$seed"]))
    if "$handle" in data:
        if resolve_handle is None:
            raise ProtocolError("unexpected handle")
        return resolve_handle(data)
    if "$foreign" in data:
        return Foreign(str(data["$foreign"])[:200], str(data.get("detail", ""))[:200])
    raise ProtocolError(f"unknown value tag {sorted(data)[:3]}")


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ProtocolError("expected a list")
    return value


def _decode_array(data: dict[str, Any], buffers: list[bytes]) -> Any:
    idx, dtype, shape = data.get("$array"), data.get("dtype"), data.get("shape")
    if not isinstance(idx, int) or not 0 <= idx < len(buffers):
        raise ProtocolError("array refers to a missing buffer")
    if dtype not in DTYPES:
        raise ProtocolError(f"dtype {dtype!r} is not allowed")
    if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape) or len(shape) > 32:
        raise ProtocolError("bad shape")
    np_dtype = np.dtype(DTYPES[dtype][0])
    count = int(np.prod(shape, dtype=np.int64)) if shape else 1
    raw = buffers[idx]
    if count * np_dtype.itemsize != len(raw):
        raise ProtocolError(f"array of shape {shape} and dtype {dtype} does not match its {len(raw)} bytes")
    arr = np.frombuffer(raw, dtype=np_dtype).reshape(shape).copy()
    if data.get("kind") != "tensor":
        return arr
    torch = _torch()
    if torch is None:
        return arr
    if dtype == "bfloat16":
        t = torch.from_numpy(arr.view(np.int16)).view(torch.bfloat16)
    else:
        t = torch.from_numpy(arr)
    return t
