"""What an assignment's check files use: the `@check` decorator and the `expect_*` helpers.

A check is a plain function in `assignments/<slug>/tests/{public,hidden}/*.py`. It runs in
the grader process, never in the sandbox; the student's code is reached only through the
`student` proxy, which sends inputs and receives plain data back. Fixtures are passed by
parameter name:

    student    the proxy: student.call("fn", *args, **kw), student.new("Class", ...),
               student.call_grad(...); see graders/sandbox/proxy.py
    ref        the reference module (solution/ or reference/<slug>.py), imported here
    rng        a torch.Generator seeded from the assignment seed and the check's name
    mistakes   tests/mistakes.py of the assignment (known-wrong variants), if present
    artifacts  artifacts.image(name, png_bytes, caption=...) attaches a picture

A check passes by returning normally and fails by raising CheckFailure (every `expect_*`
does that with a message a student can act on). Partial credit: return a float in [0, 1],
the fraction of the points earned.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import os
import zlib
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from graders.contracts import VISIBILITIES
from graders.errors import CheckFailure, StudentError

__all__ = ["CheckFailure", "StudentError", "CheckSpec", "check", "fail", "expect_true", "expect_tensor",
           "expect_close", "expect_equal", "expect_scalar", "expect_raises", "is_close", "diagnose"]


@dataclass(frozen=True)
class CheckSpec:
    func: Callable[..., Any]
    name: str
    points: float
    visibility: str
    target: tuple[str, ...]      # functions/classes of the submission this check grades
    tags: tuple[str, ...]
    timeout: float | None        # per-call limit override for this check

    @property
    def key(self) -> str:
        return f"{self.func.__module__}.{self.func.__name__}"


def check(*, points: float, visibility: str, name: str | None = None,
          target: str | Iterable[str] = (), tags: Iterable[str] = (),
          timeout: float | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a function as a check worth `points`, shown to students per `visibility`.

    `target` names the submission's function(s)/class(es) the check grades; a banned API
    used by a target (or a helper it calls) fails the check without running it.
    """
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {VISIBILITIES}, not {visibility!r}")
    if not (isinstance(points, (int, float)) and points >= 0):
        raise ValueError(f"points must be a non-negative number, not {points!r}")
    targets = (target,) if isinstance(target, str) else tuple(target)

    def mark(func: Callable[..., Any]) -> Callable[..., Any]:
        doc_name = (func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else ""
        func.__seqlab_check__ = CheckSpec(  # type: ignore[attr-defined]
            func=func, name=name or doc_name or func.__name__.replace("_", " "),
            points=float(points), visibility=visibility, target=targets,
            tags=tuple(tags), timeout=timeout)
        return func
    return mark


# --------------------------------------------------------------------------- the rng fixture's seed

SECRET_ENV = "SEQLAB_GRADING_SECRET"               # a deployment secret, never in git
SECRET_FILE = "/run/secrets/grading_secret"        # docker-compose.yml's secret, if the env is unset
REPOSITORY_SEED_NOTE = (f"Hidden inputs were drawn from the repository's seed ({SECRET_ENV} is not set): "
                        "anyone with the repository can regenerate them. Set it where students are graded.")


def grading_secret() -> bytes | None:
    """The deployment's secret for hidden inputs, or None (offline: the repository's seed)."""
    value = os.environ.get(SECRET_ENV, "")
    if not value:
        try:
            with open(SECRET_FILE, "rb") as fh:
                return fh.read().strip() or None
        except OSError:
            return None
    return value.encode()


def check_seed(assignment_seed: int, check_id: str, *, secret: bytes | None, context: str = "") -> int:
    """The rng fixture's seed for one check: from the assignment seed and the check alone
    without a secret (reproducible from the repository), else an HMAC of both under the
    secret and the offering (`Job.seed_context`), so no one without the secret can regenerate
    hidden inputs, and no two terms share them."""
    if secret is None:
        return zlib.crc32(f"{assignment_seed}:{check_id}".encode())
    mac = hmac.new(secret, f"{assignment_seed}\0{context}\0{check_id}".encode(), hashlib.sha256)
    return int.from_bytes(mac.digest()[:8], "little") >> 1


def seed_material(assignment_seed: int, *, secret: bytes | None, context: str = "") -> dict[str, str]:
    """What a result records of its seed: where it came from and a hash of the material (the
    secret never appears; whoever holds it can check the hash and regenerate the inputs)."""
    material = b"\0".join([secret or b"", str(assignment_seed).encode(), context.encode()])
    return {"source": "secret" if secret is not None else "repository", "context": context,
            "material_sha256": hashlib.sha256(material).hexdigest()}


# --------------------------------------------------------------------------- expectations

def fail(message: str) -> None:
    raise CheckFailure(message)


def expect_true(condition: Any, message: str) -> None:
    if not condition:
        raise CheckFailure(message)


def _shape_str(shape: Iterable[int]) -> str:
    dims = tuple(int(d) for d in shape)
    return "(" + ", ".join(map(str, dims)) + ("," if len(dims) == 1 else "") + ")"


def _as_array(value: Any) -> np.ndarray | None:
    try:
        import torch
        if isinstance(value, torch.Tensor):
            return value.detach().cpu().to(torch.float64 if value.is_floating_point() else value.dtype).numpy()
    except ImportError:  # pragma: no cover - torch is a dependency
        pass
    if isinstance(value, np.ndarray):
        return value
    return None


def _type_name(value: Any) -> str:
    """What the student's code returned, named as the student would name it."""
    from graders.sandbox.protocol import Foreign, Handle
    if value is None:
        return "None"
    if isinstance(value, Foreign):
        return f"{value.type_name} ({value.detail})" if value.detail else value.type_name
    if isinstance(value, Handle):
        return value.type_name
    return type(value).__name__


def expect_tensor(value: Any, *, what: str, shape: Iterable[int] | None = None,
                  dtype: Any = None) -> None:
    """Fail unless `value` is a torch.Tensor (of `shape` and `dtype`, when given)."""
    import torch
    if not isinstance(value, torch.Tensor):
        raise CheckFailure(f"{what}: expected a torch.Tensor, got {_type_name(value)}")
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise CheckFailure(f"{what}: expected shape {_shape_str(shape)}, got {_shape_str(value.shape)}")
    if dtype is not None and value.dtype != dtype:
        raise CheckFailure(f"{what}: expected dtype {dtype}, got {value.dtype}")


def _mismatch(actual: np.ndarray, expected: np.ndarray, atol: float, rtol: float,
              equal_nan: bool = False) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        bad = ~np.isclose(actual, expected, atol=atol, rtol=rtol, equal_nan=equal_nan)
    return bad


def is_close(actual: Any, expected: Any, *, atol: float = 1e-5, rtol: float = 1e-4,
             equal_nan: bool = False) -> bool:
    """True when both are arrays/tensors of one shape whose values agree within tolerance."""
    a, e = _as_array(actual), _as_array(expected)
    if a is None or e is None or a.shape != e.shape:
        return False
    return not _mismatch(a.astype(np.float64), e.astype(np.float64), atol, rtol, equal_nan).any()


Mistakes = Mapping[str, Any]   # message -> the variant's expected value (tensor/array)


def diagnose(actual: Any, mistakes: Mistakes | None, *, atol: float = 1e-5,
             rtol: float = 1e-4) -> str | None:
    """Name the known mistake whose output `actual` reproduces, if any."""
    # NaN where the variant has NaN counts as a match: "NaN on fully masked rows" is a mistake too.
    for message, variant in (mistakes or {}).items():
        if variant is not None and is_close(actual, variant, atol=atol, rtol=rtol, equal_nan=True):
            return message
    return None


def expect_close(actual: Any, expected: Any, *, what: str, atol: float = 1e-5,
                 rtol: float = 1e-4, mistakes: Mistakes | None = None,
                 check_dtype: bool = False) -> None:
    """Fail unless `actual` matches `expected` (a tensor) in type, shape and values.

    Messages never print expected values (hidden checks must not leak them); when the
    values miss, each of `mistakes` (message -> variant output) is tried and the first
    that matches is named.
    """
    import torch
    try:
        expect_tensor(actual, what=what, shape=tuple(expected.shape))
    except CheckFailure as exc:
        # A wrong shape can be a known mistake too (e.g. weights averaged over the heads).
        hint = diagnose(actual, mistakes, atol=atol, rtol=rtol) if isinstance(actual, torch.Tensor) else None
        raise CheckFailure(f"{exc}; {hint}" if hint else str(exc)) from None
    if check_dtype and actual.dtype != expected.dtype:
        raise CheckFailure(f"{what}: expected dtype {expected.dtype}, got {actual.dtype}")
    if actual.is_complex() or actual.dtype == torch.bool and expected.dtype != torch.bool:
        raise CheckFailure(f"{what}: expected dtype {expected.dtype}, got {actual.dtype}")
    a = _as_array(actual).astype(np.float64)
    e = _as_array(expected).astype(np.float64)
    if not np.isfinite(a).all() and np.isfinite(e).all():
        n_nan, n_inf = int(np.isnan(a).sum()), int(np.isinf(a).sum())
        parts = [f"{n} {kind}" for n, kind in ((n_nan, "NaN"), (n_inf, "inf")) if n]
        hint = diagnose(actual, mistakes, atol=atol, rtol=rtol)
        raise CheckFailure(f"{what}: contains {' and '.join(parts)} of {a.size} values"
                           + (f"; {hint}" if hint else ""))
    bad = _mismatch(a, e, atol, rtol)
    bad &= ~(np.isnan(a) & np.isnan(e))
    if not bad.any():
        return
    with np.errstate(invalid="ignore"):
        err = float(np.nanmax(np.abs(a - e)[bad])) if bad.any() else 0.0
    message = f"{what}: {int(bad.sum())} of {a.size} values differ from the expected ones (largest error {err:.3g})"
    hint = diagnose(actual, mistakes, atol=atol, rtol=rtol)
    if hint:
        message += f"; {hint}"
    raise CheckFailure(message)


def expect_equal(actual: Any, expected: Any, *, what: str) -> None:
    """Fail unless two plain values (or integer/bool tensors) are exactly equal."""
    a, e = _as_array(actual), _as_array(expected)
    if e is not None:
        expect_tensor(actual, what=what, shape=tuple(e.shape))
        if a.dtype != e.dtype:
            raise CheckFailure(f"{what}: expected dtype {expected.dtype}, got {actual.dtype}")
        n = int((a != e).sum())
        if n:
            raise CheckFailure(f"{what}: {n} of {a.size} entries differ from the expected ones")
        return
    if type(actual) is not type(expected) and not (
            isinstance(actual, (int, float)) and isinstance(expected, (int, float))
            and not isinstance(actual, bool)):
        raise CheckFailure(f"{what}: expected a {_type_name(expected)}, got {_type_name(actual)}")
    if actual != expected:
        raise CheckFailure(f"{what}: not the expected value")


def expect_scalar(actual: Any, expected: float, *, what: str, atol: float = 1e-5,
                  rtol: float = 1e-4, mistakes: Mapping[str, float] | None = None) -> None:
    """Fail unless `actual` is a real number (or 0-d tensor) close to `expected`."""
    import torch
    if isinstance(actual, torch.Tensor):
        if actual.numel() != 1:
            raise CheckFailure(f"{what}: expected a scalar, got a tensor of shape {_shape_str(actual.shape)}")
        actual = float(actual.reshape(()).item())
    if isinstance(actual, bool) or not isinstance(actual, (int, float)):
        raise CheckFailure(f"{what}: expected a number, got {_type_name(actual)}")
    if math.isnan(expected) and math.isnan(actual):
        return
    if math.isclose(actual, expected, rel_tol=rtol, abs_tol=atol):
        return
    message = f"{what}: not the expected value (off by {abs(actual - expected):.3g})"
    for hint, variant in (mistakes or {}).items():
        if variant is not None and math.isclose(actual, variant, rel_tol=rtol, abs_tol=atol):
            message += f"; {hint}"
            break
    raise CheckFailure(message)


def expect_raises(exc_name: str, func: Callable[..., Any], *args: Any, what: str, **kwargs: Any) -> None:
    """Fail unless calling `func` (e.g. student.call) makes the student's code raise `exc_name`."""
    try:
        func(*args, **kwargs)
    except StudentError as err:
        if err.kind == "exception" and exc_name in err.exc_types:
            return
        if err.kind != "exception":
            raise
        raise CheckFailure(f"{what}: expected {exc_name}, but it raised {err.exc_type}: {err.exc_message}") from None
    raise CheckFailure(f"{what}: expected {exc_name} to be raised, but the call returned normally")
