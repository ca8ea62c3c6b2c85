"""Work that is the same for every submission of an assignment version, done once per version.

Checks draw their hidden inputs from a generator seeded per check, so for one assignment
version (its content hash) every submission meets the same inputs; the reference outputs and
the known-wrong variants computed from them are the same too. `MemoModule` wraps the `ref` and
`mistakes` fixtures: a plain function of the module called with plain data (tensors, numbers,
strings, None, and tuples/lists/dicts of them) is computed on first use and kept in the grader,
keyed by the content hash, the function's name and a digest of the arguments. Anything else
(classes, a generator, a callable, a tensor that requires grad, a result that is None or holds an
autograd graph) is passed through untouched, so a check sees exactly what it would without the memo.
A function seen changing its arguments or drawing from a global random generator is never
memoised again (its calls have effects a memo would skip).
Values are copied in and out: a check that changes a tensor it got cannot change the next one's.

The memo lives in the grader process only; nothing of it is ever sent to a sandbox. It is
bounded by bytes (least recently used entries go first).
"""
from __future__ import annotations

import functools
import hashlib
import inspect
import threading
import types
from collections import OrderedDict
from typing import Any, Callable

MAX_BYTES = 256 << 20              # all entries together
MAX_ENTRY_BYTES = 8 << 20          # larger results are recomputed every time
_MISSING = object()


class Unkeyable(Exception):
    """An argument or result the memo does not handle: call through."""


class Memo:
    """A byte-bounded LRU map; thread-safe (the engine closes sandboxes in another thread)."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes, self.size = max_bytes, 0
        self._items: OrderedDict[bytes, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = self.stores = 0
        self.impure: set[str] = set()        # functions seen changing their arguments or global RNG

    def get(self, key: bytes) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return _MISSING
            self._items.move_to_end(key)
            self.hits += 1
            return item[0]

    def put(self, key: bytes, value: Any, nbytes: int) -> None:
        if nbytes > MAX_ENTRY_BYTES:
            return
        with self._lock:
            self.stores += 1
            old = self._items.pop(key, None)
            self.size -= old[1] if old else 0
            self._items[key] = (value, nbytes)
            self.size += nbytes
            while self.size > self.max_bytes and self._items:
                _, (_, n) = self._items.popitem(last=False)
                self.size -= n

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.size = self.hits = self.misses = self.stores = 0
            self.impure.clear()


MEMO = Memo()


# ----------------------------------------------------------------------------- keys and copies

def fingerprint(value: Any) -> bytes:
    """A digest of plain data; raises Unkeyable for anything else."""
    digest = hashlib.blake2b(digest_size=20)
    _feed(digest, value)
    return digest.digest()


def _feed(digest: Any, value: Any) -> None:
    # Exact types first (the common case, cheapest test); every item is tagged with its type
    # and length, so two different values never feed the same bytes.
    torch, kind = _torch(), type(value)
    if kind is torch.Tensor:
        if value.requires_grad or value.layout is not torch.strided or not value.is_cpu:
            raise Unkeyable("tensor")
        digest.update(b"tensor:%s:%s;" % (str(value.dtype).encode(), str(tuple(value.shape)).encode()))
        if value.numel():
            value = value.contiguous()
            try:
                digest.update(value.numpy())          # the tensor's own memory, no copy
            except (TypeError, RuntimeError):          # dtypes numpy lacks (bfloat16), conj/neg views
                try:
                    digest.update(value.resolve_conj().resolve_neg().contiguous().view(-1).view(torch.uint8).numpy())
                except (TypeError, RuntimeError):
                    raise Unkeyable("tensor") from None
    elif kind in (tuple, list):
        digest.update(b"%s:%d(" % (kind.__name__.encode(), len(value)))
        for item in value:
            _feed(digest, item)
        digest.update(b")")
    elif value is None or isinstance(value, (bool, int, float, str)):     # subclasses too (np.float64)
        digest.update(f"{kind.__name__}:{value!r};".encode())
    elif kind is bytes:                  # not a subclass (a picture's other drawings are not in its value)
        digest.update(b"bytes:%d;" % len(value) + value)
    elif kind is dict:
        digest.update(b"dict:%d{" % len(value))
        for k in sorted(value, key=repr):
            _feed(digest, k)
            _feed(digest, value[k])
        digest.update(b"}")
    elif kind is MemoModule:             # `ref`, `mistakes`: one assignment version's module, by its key
        digest.update(b"memo-module:%s;" % value._namespace.encode())
    else:
        import numpy as np
        if isinstance(value, np.ndarray) and value.dtype != object:
            digest.update(f"ndarray:{value.dtype}:{value.shape};".encode() + np.ascontiguousarray(value).tobytes())
        else:
            raise Unkeyable(type(value).__name__)


@functools.cache
def _torch() -> Any:
    """torch, imported on first use (importing the memo imports no torch)."""
    import torch
    return torch


def copied(value: Any) -> tuple[Any, int]:
    """A private copy of a plain result and its size in bytes; raises Unkeyable otherwise."""
    import numpy as np
    import torch
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        if isinstance(value, bytes):      # a graders.pictures.Picture holds its Korean drawing too
            return value, len(value) + len(getattr(value, "ko", None) or b"")
        return value, len(value) if isinstance(value, str) else 8
    if isinstance(value, torch.Tensor):
        if type(value) is not torch.Tensor or value.requires_grad or value.grad_fn is not None:
            raise Unkeyable("tensor with autograd")
        return value.detach().clone(), value.numel() * value.element_size()
    if isinstance(value, np.ndarray) and value.dtype != object:
        return value.copy(), value.nbytes
    if type(value) in (tuple, list):
        parts = [copied(v) for v in value]
        return type(value)(p for p, _ in parts), sum(n for _, n in parts) + 8
    if type(value) is dict:
        parts = {k: copied(v) for k, v in value.items()}
        return {k: p for k, (p, _) in parts.items()}, sum(n for _, n in parts.values()) + 8
    raise Unkeyable(type(value).__name__)


def call(memo: Memo, namespace: str, func: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    """func(*args, **kwargs), from the memo when it holds the same call of this namespace."""
    name = f"{namespace}\0{func.__module__}.{func.__qualname__}"
    if name in memo.impure:
        return func(*args, **kwargs)
    try:
        arguments = fingerprint((list(args), kwargs))
    except Unkeyable:
        return func(*args, **kwargs)
    key = hashlib.blake2b(name.encode() + b"\0" + arguments, digest_size=20).digest()
    hit = memo.get(key)
    if hit is not _MISSING:
        return copied(hit)[0]
    rng = _global_rng()
    value = func(*args, **kwargs)
    # A function that changes its arguments or draws from a global generator is not a function of
    # its arguments: skipping it on a hit would change what happens next. Never memoise it.
    if fingerprint((list(args), kwargs)) != arguments or _global_rng() != rng:
        memo.impure.add(name)
        return value
    if value is not None:
        try:
            kept, nbytes = copied(value)
        except Unkeyable:
            return value
        memo.put(key, kept, nbytes)
    return value


def _global_rng() -> bytes:
    """A digest of the global generators a reference could draw from (torch, numpy, random)."""
    import random

    import numpy as np
    import torch
    state = np.random.get_state()
    return hashlib.blake2b(torch.random.get_rng_state().numpy().tobytes() + state[1].tobytes()
                           + repr(state[2:]).encode() + repr(random.getstate()).encode(),
                           digest_size=16).digest()


def pure(func: Callable[..., Any]) -> Callable[..., Any]:
    """Memoise a deterministic function of plain data (e.g. a picture of given values) in MEMO.
    The `ref` and `mistakes` fixtures count as plain data (keyed by their assignment version), so a
    check helper that builds the reference's module from given weights can be memoised too; one
    that draws from a global generator is not (wrap draws that do not matter in torch.random.fork_rng)."""
    namespace = f"{func.__module__}"

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return call(MEMO, namespace, func, args, kwargs)
    return wrapper


class MemoModule:
    """A module as a check sees it (`ref`, `mistakes`), with its plain functions memoised."""

    def __init__(self, module: types.ModuleType, namespace: str, memo: Memo = MEMO) -> None:
        self.__dict__.update(_module=module, _namespace=namespace, _memo=memo, _wrapped={})

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._module, name)
        if not (inspect.isfunction(value) and value.__module__ == self._module.__name__):
            return value                              # classes, constants, imported helpers
        wrapped = self._wrapped.get(name)
        if wrapped is None or wrapped.__wrapped__ is not value:
            memo, namespace = self._memo, self._namespace

            @functools.wraps(value)
            def wrapped(*args: Any, **kwargs: Any) -> Any:
                return call(memo, namespace, value, args, kwargs)
            self._wrapped[name] = wrapped
        return wrapped

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("the reference and mistakes modules are read-only in a check")

    def __dir__(self) -> list[str]:
        return dir(self._module)

    def __repr__(self) -> str:
        return f"<memoised {self._module.__name__}>"
