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
    artifacts  artifacts.image(name, picture, caption=T(...), alt=T(...)) attaches a picture
               (PNG/SVG bytes, or a graders.pictures.Picture drawn in each language)

Every text a student reads is bilingual (graders/i18n.py): a check's name is its docstring's
first line in English plus `ko=` in the decorator; messages are `T(en, ko)`, and named
mistakes are `Mistake(id, en, ko)` values from the assignment's tests/mistakes.py.

A check passes by returning normally and fails by raising CheckFailure (every `expect_*`
does that with a message a student can act on). Partial credit: return a float in [0, 1],
the fraction of the points earned.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import os
import re
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping

import numpy as np

from graders import outputs
from graders.contracts import VISIBILITIES
from graders.errors import CheckFailure, StudentError
from graders.i18n import Mistake, T, message_of

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
    # `name` is a T (English and Korean) when the check gives `ko=`; `graders check` refuses
    # a check whose name is English only.

    @property
    def key(self) -> str:
        return f"{self.func.__module__}.{self.func.__name__}"


def check(*, points: float, visibility: str, name: str | None = None,
          target: str | Iterable[str] = (), tags: Iterable[str] = (),
          timeout: float | None = None, ko: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a function as a check worth `points`, shown to students per `visibility`.

    The check's name is `name` or its docstring's first line (English); `ko` is its Korean name.

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
        en = name or doc_name or func.__name__.replace("_", " ")
        func.__seqlab_check__ = CheckSpec(  # type: ignore[attr-defined]
            func=func, name=T(en, ko) if ko and not isinstance(en, T) else en,
            points=float(points), visibility=visibility, target=targets,
            tags=tuple(tags), timeout=timeout)
        return func
    return mark


# --------------------------------------------------------------------------- the rng fixture's seed

SECRET_ENV = "SEQLAB_GRADING_SECRET"               # a deployment secret, never in git
SECRET_FILE = "/run/secrets/grading_secret"        # docker-compose.yml's secret, if the env is unset
REPOSITORY_SEED_NOTE = T(
    f"Hidden inputs were drawn from the repository's seed ({SECRET_ENV} is not set): "
    "anyone with the repository can regenerate them. Set it where students are graded.",
    f"비공개 입력을 저장소의 시드로 만들었습니다({SECRET_ENV}가 설정되지 않음). 저장소를 가진 사람은 누구나 "
    "같은 입력을 다시 만들 수 있습니다. 학생을 채점하는 곳에서는 이 값을 설정하세요.")


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
    """Fail the check with `message` (a T: both languages)."""
    raise CheckFailure(message)


def expect_true(condition: Any, message: str) -> None:
    if not condition:
        raise CheckFailure(message)


def _then(message: Any, hint: str | None) -> T:
    """`message; hint` in both languages (the hint names a known mistake)."""
    base = message_of(message) if isinstance(message, BaseException) else message_of(CheckFailure(message))
    return base + (T("; ", "; ") + hint if hint else T("", ""))


ATOL, RTOL = 1e-5, 1e-4          # the helpers' default tolerance


@contextmanager
def _noting(value: Any, *, what: Any, atol: float = 0.0, rtol: float = 0.0) -> Iterator[None]:
    """Run one comparison; when it fails, note the hash of the student's value (graders/outputs.py:
    tolerance-aware, kept in the check's result for the similarity report, never shown to students)."""
    try:
        yield
    except CheckFailure:
        outputs.record(value, what=what, atol=atol, rtol=rtol)
        raise


# Messages of the expect_* helpers; `what` names the value checked (often code, or a T).
GOT_TYPE = T("{what}: expected a torch.Tensor, got {got}", "{what}: torch.Tensor여야 하는데 {got}입니다")
GOT_SHAPE = T("{what}: expected shape {want}, got {got}", "{what}: 형태(shape)가 {want}이어야 하는데 {got}입니다")
GOT_DTYPE = T("{what}: expected dtype {want}, got {got}", "{what}: dtype이 {want}이어야 하는데 {got}입니다")
NOT_FINITE = T("{what}: contains {parts} of {size} values", "{what}: 값 {size}개 중 {parts}가 있습니다")
NOT_FINITE_AND = T(" and ", "와 ")
VALUES_DIFFER = T("{what}: {n} of {size} values differ from the expected ones (largest error {err})",
                  "{what}: 값 {size}개 중 {n}개가 기대한 값과 다릅니다 (최대 오차 {err})")
ENTRIES_DIFFER = T("{what}: {n} of {size} entries differ from the expected ones",
                   "{what}: 원소 {size}개 중 {n}개가 기대한 값과 다릅니다")
GOT_KIND = T("{what}: expected a {want}, got {got}", "{what}: {want} 값이어야 하는데 {got}입니다")
NOT_EXPECTED = T("{what}: not the expected value", "{what}: 기대한 값이 아닙니다")
NOT_SCALAR = T("{what}: expected a scalar, got a tensor of shape {shape}",
               "{what}: 스칼라여야 하는데 형태가 {shape}인 텐서입니다")
NOT_NUMBER = T("{what}: expected a number, got {got}", "{what}: 숫자여야 하는데 {got}입니다")
OFF_BY = T("{what}: not the expected value (off by {diff})", "{what}: 기대한 값이 아닙니다 (차이 {diff})")
RAISED_OTHER = T("{what}: expected {want}, but it raised {got}: {message}",
                 "{what}: {want} 예외가 발생해야 하는데 {got} 예외가 발생했습니다: {message}")
RAISED_NOTHING = T("{what}: expected {want} to be raised, but the call returned normally",
                   "{what}: {want} 예외가 발생해야 하는데 예외 없이 정상적으로 반환되었습니다")


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
        return _foreign_name(value.type_name, value.detail)
    if isinstance(value, Handle):
        return value.type_name
    return type(value).__name__


def _foreign_name(type_name: str, detail: str) -> str:
    """A value the sandbox could not send, named in code rather than in English words, so the
    feedback reads the same in either language (the sentence around it is translated)."""
    bits = re.fullmatch(r"an integer of (\d{1,7}) bits", detail or "")
    if bits:
        return f"int (bit_length={bits.group(1)})"
    if detail == "tensor subclass":
        return f"class {type_name}(torch.Tensor)"
    if type_name == "too deeply nested" and not detail:
        return "[[[[…]]]]"
    return f"{type_name} ({detail})" if detail else type_name


def expect_tensor(value: Any, *, what: str, shape: Iterable[int] | None = None,
                  dtype: Any = None) -> None:
    """Fail unless `value` is a torch.Tensor (of `shape` and `dtype`, when given)."""
    with _noting(value, what=what, atol=ATOL, rtol=RTOL):
        _expect_tensor(value, what=what, shape=shape, dtype=dtype)


def _expect_tensor(value: Any, *, what: str, shape: Iterable[int] | None = None, dtype: Any = None) -> None:
    import torch
    if not isinstance(value, torch.Tensor):
        raise CheckFailure(GOT_TYPE.format(what=what, got=_type_name(value)))
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise CheckFailure(GOT_SHAPE.format(what=what, want=_shape_str(shape), got=_shape_str(value.shape)))
    if dtype is not None and value.dtype != dtype:
        raise CheckFailure(GOT_DTYPE.format(what=what, want=dtype, got=value.dtype))


def _mismatch(actual: np.ndarray, expected: np.ndarray, atol: float, rtol: float,
              equal_nan: bool = False) -> np.ndarray:
    """Where two float arrays of one shape are not close: ~np.isclose(actual, expected, ...),
    entry for entry (tests/graders/test_checks_close.py), without its per-call overhead, which
    was most of a comparison's cost for the small arrays checks compare (thousands a grading)."""
    with np.errstate(invalid="ignore", over="ignore"):
        close = np.abs(actual - expected) <= atol + rtol * np.abs(expected)
        close &= np.isfinite(expected)
        close |= actual == expected
        if equal_nan:
            close |= np.isnan(actual) & np.isnan(expected)
    return ~close


def is_close(actual: Any, expected: Any, *, atol: float = 1e-5, rtol: float = 1e-4,
             equal_nan: bool = False) -> bool:
    """True when both are arrays/tensors of one shape whose values agree within tolerance."""
    a, e = _as_array(actual), _as_array(expected)
    if a is None or e is None or a.shape != e.shape:
        return False
    return not _mismatch(a.astype(np.float64, copy=False), e.astype(np.float64, copy=False), atol, rtol,
                         equal_nan).any()


Mistakes = Mapping[Mistake, Any]   # named mistake -> the variant's expected value (tensor/array)


def diagnose(actual: Any, mistakes: Mistakes | None, *, atol: float = 1e-5,
             rtol: float = 1e-4) -> Mistake | None:
    """Name the known mistake whose output `actual` reproduces, if any.

    The keys are `Mistake`s (id and both texts), so the feedback that names one carries it
    as data (`tests[].extra_data.mistakes`).
    """
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
    with _noting(actual, what=what, atol=atol, rtol=rtol):
        _expect_close(actual, expected, what=what, atol=atol, rtol=rtol, mistakes=mistakes, check_dtype=check_dtype)


def _expect_close(actual: Any, expected: Any, *, what: str, atol: float, rtol: float, mistakes: Mistakes | None,
                  check_dtype: bool) -> None:
    import torch
    try:
        _expect_tensor(actual, what=what, shape=tuple(expected.shape))
    except CheckFailure as exc:
        # A wrong shape can be a known mistake too (e.g. weights averaged over the heads).
        hint = diagnose(actual, mistakes, atol=atol, rtol=rtol) if isinstance(actual, torch.Tensor) else None
        raise CheckFailure(_then(exc, hint)) from None
    if check_dtype and actual.dtype != expected.dtype:
        raise CheckFailure(GOT_DTYPE.format(what=what, want=expected.dtype, got=actual.dtype))
    if actual.is_complex() or actual.dtype == torch.bool and expected.dtype != torch.bool:
        raise CheckFailure(GOT_DTYPE.format(what=what, want=expected.dtype, got=actual.dtype))
    a = _as_array(actual).astype(np.float64, copy=False)
    e = _as_array(expected).astype(np.float64, copy=False)
    if not np.isfinite(a).all() and np.isfinite(e).all():
        n_nan, n_inf = int(np.isnan(a).sum()), int(np.isinf(a).sum())
        parts = [T(f"{n} {kind}", f"{kind} {n}개") for n, kind in ((n_nan, "NaN"), (n_inf, "inf")) if n]
        hint = diagnose(actual, mistakes, atol=atol, rtol=rtol)
        raise CheckFailure(_then(NOT_FINITE.format(what=what, parts=NOT_FINITE_AND.join(parts), size=a.size),
                                 hint))
    bad = _mismatch(a, e, atol, rtol)
    bad &= ~(np.isnan(a) & np.isnan(e))
    if not bad.any():
        return
    with np.errstate(invalid="ignore"):
        err = float(np.nanmax(np.abs(a - e)[bad])) if bad.any() else 0.0
    message = VALUES_DIFFER.format(what=what, n=int(bad.sum()), size=a.size, err=f"{err:.3g}")
    raise CheckFailure(_then(message, diagnose(actual, mistakes, atol=atol, rtol=rtol)))


def expect_equal(actual: Any, expected: Any, *, what: str) -> None:
    """Fail unless two plain values (or integer/bool tensors) are exactly equal."""
    with _noting(actual, what=what):
        _expect_equal(actual, expected, what=what)


def _expect_equal(actual: Any, expected: Any, *, what: str) -> None:
    a, e = _as_array(actual), _as_array(expected)
    if e is not None:
        _expect_tensor(actual, what=what, shape=tuple(e.shape))
        if a.dtype != e.dtype:
            raise CheckFailure(GOT_DTYPE.format(what=what, want=expected.dtype, got=actual.dtype))
        n = int((a != e).sum())
        if n:
            raise CheckFailure(ENTRIES_DIFFER.format(what=what, n=n, size=a.size))
        return
    if type(actual) is not type(expected) and not (
            isinstance(actual, (int, float)) and isinstance(expected, (int, float))
            and not isinstance(actual, bool)):
        raise CheckFailure(GOT_KIND.format(what=what, want=_type_name(expected), got=_type_name(actual)))
    if actual != expected:
        raise CheckFailure(NOT_EXPECTED.format(what=what))


def expect_scalar(actual: Any, expected: float, *, what: str, atol: float = 1e-5,
                  rtol: float = 1e-4, mistakes: Mapping[Mistake, float] | None = None) -> None:
    """Fail unless `actual` is a real number (or 0-d tensor) close to `expected`."""
    # A one-element tensor and the number it holds are the same answer to this helper, and to its hash.
    with _noting(_number_in(actual), what=what, atol=atol, rtol=rtol):
        _expect_scalar(actual, expected, what=what, atol=atol, rtol=rtol, mistakes=mistakes)


def _number_in(value: Any) -> Any:
    import torch
    try:
        if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_complex():
            return float(value.detach().reshape(()).item())
    except (RuntimeError, TypeError, ValueError):   # e.g. a meta tensor: _expect_scalar says what is wrong
        pass
    return value


def _expect_scalar(actual: Any, expected: float, *, what: str, atol: float, rtol: float,
                   mistakes: Mapping[Mistake, float] | None) -> None:
    import torch
    if isinstance(actual, torch.Tensor):
        if actual.numel() != 1:
            raise CheckFailure(NOT_SCALAR.format(what=what, shape=_shape_str(actual.shape)))
        actual = float(actual.reshape(()).item())
    if isinstance(actual, bool) or not isinstance(actual, (int, float)):
        raise CheckFailure(NOT_NUMBER.format(what=what, got=_type_name(actual)))
    if math.isnan(expected) and math.isnan(actual):
        return
    if math.isclose(actual, expected, rel_tol=rtol, abs_tol=atol):
        return
    message = OFF_BY.format(what=what, diff=f"{abs(actual - expected):.3g}")
    hint = next((m for m, variant in (mistakes or {}).items()
                 if variant is not None and math.isclose(actual, variant, rel_tol=rtol, abs_tol=atol)), None)
    raise CheckFailure(_then(message, hint))


def expect_raises(exc_name: str, func: Callable[..., Any], *args: Any, what: str, **kwargs: Any) -> None:
    """Fail unless calling `func` (e.g. student.call) makes the student's code raise `exc_name`."""
    try:
        func(*args, **kwargs)
    except StudentError as err:
        if err.kind == "exception" and exc_name in err.exc_types:
            return
        if err.kind != "exception":
            raise
        raise CheckFailure(RAISED_OTHER.format(what=what, want=exc_name, got=err.exc_type,
                                               message=err.exc_message)) from None
    raise CheckFailure(RAISED_NOTHING.format(what=what, want=exc_name))
