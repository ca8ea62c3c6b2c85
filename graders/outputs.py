"""Fingerprints of a student's wrong outputs: "the same wrong tensor", hashed to the check's tolerance.

When a comparison in a check fails (`expect_close`, `expect_equal`, `expect_scalar`,
`expect_tensor`; graders/checks.py), the value the grader received and validated is hashed here
and kept in the check's result (`tests[].extra_data.output_hashes`, failed checks only). Two
students whose outputs agree to the tolerance get the same hash; outputs that differ by more
than a grid cell get different ones. The similarity report (platform/seqlab/insight/) compares
these hashes; nothing of them is shown to students. The hash is of the student's own value
only: never of an expected value, a hidden input or anything the sandbox claims about itself.

How a value becomes a hash:

* Each element x is mapped to tolerance units, t(x) = sign(x) * log1p(|x| * rtol / atol) / rtol
  (x / atol when rtol is 0): its derivative is 1 / (atol + rtol * |x|), so one unit is the
  check's own tolerance at x, as `np.isclose` measures it. t is cut into cells GRID units wide.
  Float noise between machines and summation orders (1e-7 relative in float32, a few
  thousandths of a unit) moves a value across a cell boundary only when it lies within the
  noise of one; values that differ by more than GRID units always land in different cells.
* Boundary straddling: every value is hashed on two grids, the second shifted by half a cell;
  two outputs are the same when either hash matches (`hash` or `alt`). A tiny perturbation
  flips a grid's hash only if some sampled element lies within it of that grid's boundary; both
  flip only if that happens on both grids at once (tests/graders/test_output_hashes.py measures
  the rate).
* NaN, +inf and -inf are classes of their own; -0.0 equals 0.0; the dtype and shape are part of
  the hash (a float64 answer is not a float32 one).
* Bounded work: at most SAMPLE elements (evenly spaced over the flattened value, the same
  positions for every value of one size) are quantised; beyond that, counts of NaN and inf and
  the mean and mean absolute value of at most STATS_SAMPLE evenly strided elements stand for
  the rest. Under a millisecond for the attention assignment's largest tensors (measured in
  tests/graders/test_output_hashes.py).
* Exact comparisons (`expect_equal`, tolerance 0) hash the values themselves.

Digests are sha256 of an explicit little-endian encoding (never Python's `hash()`), cut to 16
hex digits: the same in every process and on every machine.
"""
from __future__ import annotations

import contextvars
import hashlib
import itertools
import math
from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np

from graders.limits import MAX_OUTPUT_HASHES, MAX_OUTPUT_WHAT

VERSION = "o1"                 # part of every digest: a new algorithm never collides with an old one
GRID = 4.0                     # a cell's width, in tolerance units
SAMPLE = 256                   # elements quantised one by one
STATS_SAMPLE = 1 << 14         # elements the summary statistics of a larger value read
MAX_ITEMS = 256                # items of plain data (lists, dicts, strings) a hash reads
MAX_TEXT = 1000                # characters of one string a hash reads
HEX = 16

_log: contextvars.ContextVar[list[dict[str, str]] | None] = contextvars.ContextVar("seqlab_outputs", default=None)


# --------------------------------------------------------------------------- collecting per check

@contextmanager
def collecting() -> Iterator[list[dict[str, str]]]:
    """Collect the hashes of the failed comparisons made inside the block (one check's run)."""
    found: list[dict[str, str]] = []
    token = _log.set(found)
    try:
        yield found
    finally:
        _log.reset(token)


def record(value: Any, *, what: Any, atol: float = 0.0, rtol: float = 0.0) -> None:
    """Note the hash of a value that failed a comparison, if a check is being run (else nothing).

    Never raises: a fingerprint is evidence for staff, never a reason for a check to crash.
    """
    found = _log.get()
    if found is None or len(found) >= MAX_OUTPUT_HASHES:
        return
    try:
        digest, alt = fingerprint(value, atol=atol, rtol=rtol)
    except Exception:  # noqa: BLE001 - an unhashable oddity costs the evidence, not the check
        return
    name = str.__str__(what) if isinstance(what, str) else str(what)      # a T: its English text
    found.append({"what": name[:MAX_OUTPUT_WHAT], "hash": digest, "alt": alt})


# --------------------------------------------------------------------------- the fingerprint

def fingerprint(value: Any, *, atol: float, rtol: float) -> tuple[str, str]:
    """(hash, alt): `value` hashed on the tolerance grid and on the grid shifted by half a cell."""
    numbers = _numbers(value)
    if numbers is None:
        digest = _digest(b"data", _plain(value, [MAX_ITEMS]).encode("utf-8", "replace"))
        return digest, digest
    dtype, shape, sample, stats = numbers
    head = f"{dtype}|{shape}".encode()
    atol, rtol = abs(float(atol)), abs(float(rtol))
    if atol == 0.0 and rtol == 0.0:
        digest = _digest(b"exact", head, *_exact_parts(sample, stats))
        return digest, digest
    return _grid_hashes(head, sample, stats, atol, rtol)


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256(VERSION.encode())
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()[:HEX]


def _indices(n: int, k: int) -> np.ndarray:
    """k evenly spaced positions of n (all of them when n <= k): the same for every value of size n."""
    if n <= k:
        return np.arange(n, dtype=np.int64)
    return np.linspace(0, n - 1, k).round().astype(np.int64)


def _numbers(value: Any) -> tuple[str, str, np.ndarray, np.ndarray] | None:
    """(dtype, shape, sampled elements, elements for the statistics) of a tensor, array or number."""
    import torch
    if isinstance(value, torch.Tensor):
        if value.layout != torch.strided:
            return None
        t = value.detach()
        dtype, shape = str(t.dtype).removeprefix("torch."), _shape(t.shape)
        if t.is_complex():
            t = torch.view_as_real(t.resolve_conj())
        flat = t.reshape(-1)
        try:
            array = flat.numpy()                          # a view: no copy, no torch dispatch per step
        except (TypeError, RuntimeError):                 # bfloat16, or not on the CPU
            n = flat.numel()
            sample = flat[torch.from_numpy(_indices(n, SAMPLE)).to(flat.device)]
            stats = flat[::-(-n // STATS_SAMPLE)] if n > SAMPLE else flat[:0]
            return dtype, shape, _plain_array(sample), _plain_array(stats)
        return (dtype, shape, *_sampled(array))
    if isinstance(value, np.generic) and not isinstance(value, float):
        value = np.asarray(value)                         # a numpy scalar: a 0-d array
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufc":
        arr = np.atleast_1d(value.astype(np.complex128)).view(np.float64) if value.dtype.kind == "c" else value
        return (f"numpy.{value.dtype.name}", _shape(value.shape), *_sampled(arr.reshape(-1)))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        kind = "int" if isinstance(value, int) else "float"
        if kind == "int" and abs(value) >= 1 << 62:
            return None                                   # a big integer: hashed as data, exactly
        arr = np.array([value], dtype=np.int64 if kind == "int" else np.float64)
        return kind, "()", arr, arr[:0]
    return None


def _sampled(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sampled elements and the elements for the statistics of a flat array, as float64 or int64."""
    n = flat.size
    stats = flat[::-(-n // STATS_SAMPLE)] if n > SAMPLE else flat[:0]
    return _np_plain(flat[_indices(n, SAMPLE)]), _np_plain(stats)


def _shape(shape: Any) -> str:
    return "(" + ",".join(str(int(d)) for d in shape) + ")"


def _plain_array(t: Any) -> np.ndarray:
    """A small tensor as float64 (floating) or int64 (integers, bools) on the CPU."""
    import torch
    t = t.cpu()
    if t.is_floating_point():
        return t.to(torch.float64).numpy()
    return t.to(torch.int64).numpy()


def _np_plain(a: np.ndarray) -> np.ndarray:
    return a.astype(np.float64) if a.dtype.kind == "f" else a.astype(np.int64)


def _kinds(x: np.ndarray) -> np.ndarray:
    """0 finite, 1 NaN, 2 +inf, 3 -inf, per element."""
    if x.dtype.kind != "f":
        return np.zeros(x.shape, dtype=np.uint8)
    kinds = np.zeros(x.shape, dtype=np.uint8)
    kinds[np.isnan(x)] = 1
    kinds[x == np.inf] = 2
    kinds[x == -np.inf] = 3
    return kinds


def _counts(stats: np.ndarray) -> bytes:
    kinds = _kinds(stats)
    return np.array([stats.size, *(int((kinds == k).sum()) for k in (1, 2, 3))], dtype="<i8").tobytes()


def _exact_parts(sample: np.ndarray, stats: np.ndarray) -> list[bytes]:
    if sample.dtype.kind == "f":
        kinds = _kinds(sample)
        values = np.where(kinds == 0, sample, 0.0) + 0.0           # + 0.0 makes -0.0 into 0.0
        parts = [kinds.tobytes(), values.astype("<f8").tobytes()]
    else:
        parts = [sample.astype("<i8").tobytes()]
    if stats.size:
        finite = stats[np.isfinite(stats)] if stats.dtype.kind == "f" else stats
        total = float(np.sum(finite, dtype=np.float64)) + 0.0 if finite.size else 0.0
        parts += [_counts(stats), np.array([total], dtype="<f8").tobytes()]
    return parts


def units(x: np.ndarray, atol: float, rtol: float) -> np.ndarray:
    """Values in tolerance units: neighbours within the check's tolerance are about one unit apart."""
    a = atol if atol > 0 else 1e-30
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if rtol <= 0:
            return x / a
        return np.sign(x) * np.log1p(np.abs(x) * (rtol / a)) / rtol


def _grid_hashes(head: bytes, sample: np.ndarray, stats: np.ndarray, atol: float, rtol: float) -> tuple[str, str]:
    """The hashes on the grid and on the grid shifted by half a cell; the work shared by both is done once."""
    values = sample.astype(np.float64)
    kinds = _kinds(values)
    if stats.size:                  # a value larger than the sample: its NaN/inf counts and means stand in
        x = stats.astype(np.float64)
        finite = x[np.isfinite(x)]
        means = np.array([finite.mean(), np.abs(finite).mean()] if finite.size else [0.0, 0.0])
        values, kinds = np.concatenate([values, means]), np.concatenate([kinds, np.zeros(2, np.uint8)])
        counts = _counts(x)
    else:
        counts = b""
    t = units(np.where(kinds == 0, values, 0.0), atol, rtol) / GRID
    first, second = (_digest(b"grid", head, kinds.tobytes(), counts, _floor(t + offset).tobytes())
                     for offset in (0.0, 0.5))
    return first, second


def _floor(t: np.ndarray) -> np.ndarray:
    """Cell numbers, as little-endian int64 (the far ends of the float range share a cell)."""
    limit = 2.0 ** 60
    return np.floor(np.clip(np.nan_to_num(t, nan=0.0, posinf=limit, neginf=-limit), -limit, limit)).astype("<i8")


# --------------------------------------------------------------------------- plain data

def _plain(value: Any, budget: list[int]) -> str:
    """A bounded canonical text of plain data (what `expect_equal` compares exactly)."""
    budget[0] -= 1
    if budget[0] < 0:
        return "…"
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return str(value) if abs(value) < 10 ** 60 else f"int~{value.bit_length()}bits"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value + 0.0)
    if isinstance(value, str):
        return f"str{len(value)}:{value[:MAX_TEXT]!r}"
    if isinstance(value, (bytes, bytearray)):
        return f"bytes{len(value)}:{hashlib.sha256(bytes(value[:1 << 20])).hexdigest()[:HEX]}"
    if isinstance(value, (list, tuple)):
        inner = ",".join(_plain(v, budget) for v in value[:MAX_ITEMS])
        return f"{type(value).__name__}{len(value)}[{inner}]"
    if isinstance(value, dict):
        items = itertools.islice(value.items(), MAX_ITEMS)
        inner = ",".join(f"{_plain(k, budget)}:{_plain(v, budget)}" for k, v in items)
        return f"dict{len(value)}{{{inner}}}"
    numbers = _numbers(value) if budget[0] > MAX_ITEMS // 2 else None
    if numbers is not None:
        budget[0] -= 16
        dtype, shape, sample, stats = numbers
        return f"tensor:{dtype}{shape}:" + _digest(b"exact", *_exact_parts(sample, stats))
    return _type_text(value)


def _type_text(value: Any) -> str:
    """What a value that is no data is (None, a proxy handle, a foreign object), bounded."""
    from graders.sandbox.protocol import Foreign, Handle
    if isinstance(value, Foreign):
        return f"foreign:{str(value.type_name)[:MAX_OUTPUT_WHAT]}:{str(value.detail)[:MAX_OUTPUT_WHAT]}"
    if isinstance(value, Handle):
        return f"handle:{str(value.type_name)[:MAX_OUTPUT_WHAT]}"
    return f"type:{type(value).__module__}.{type(value).__qualname__}"[:MAX_OUTPUT_WHAT]
