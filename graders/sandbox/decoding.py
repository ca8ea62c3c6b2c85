"""Decoding a frame's values, bounded: what the grader turns a sandbox's reply into.

Part of the protocol (graders/sandbox/protocol.py re-exports `decode`, `Budget` and
`DeadlinePassed`; import them from there). Linear in the reply's size, within the bounds of
graders/limits.py ("sandbox replies").
"""
from __future__ import annotations

import collections
import math
import re
import time
from typing import Any

import numpy as np

from graders import limits
from graders.sandbox.protocol import DTYPES, Foreign, ProtocolError, Seed, _torch

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
