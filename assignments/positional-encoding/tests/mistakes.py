"""Classic wrong variants of positional.py, evaluated in float64 on the checks' own inputs.

Each builder returns {feedback message: what a submission with exactly that mistake returns}.
A check hands the mapping to expect_close(mistakes=...), so a miss that reproduces one of them
is reported by name. Variants that need another input shape to exist are None. The values are
computed only when a miss asks for them: a correct submission never pays for the variants.
"""
from collections.abc import Callable, Iterator, Mapping

import torch

F64 = torch.float64


class Variants(Mapping):
    """message -> variant output, each built on first access (diagnose stops at the first match)."""

    def __init__(self, makers: dict[str, Callable[[], torch.Tensor | None]]):
        self._makers = makers
        self._built: dict[str, torch.Tensor | None] = {}

    def __getitem__(self, message: str) -> torch.Tensor | None:
        if message not in self._built:
            self._built[message] = self._makers[message]()
        return self._built[message]

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


def _pair_index(dim: int) -> torch.Tensor:
    return torch.arange(dim // 2, dtype=F64)


def _interleave(even: torch.Tensor, odd: torch.Tensor) -> torch.Tensor:
    return torch.stack((even, odd), dim=-1).flatten(-2)


def _positions(length: int, first: int = 0) -> torch.Tensor:
    return torch.arange(first, first + length, dtype=F64)


# ------------------------------------------------------------------------------ sinusoidal

def _table(max_len: int, sin_freq: torch.Tensor, cos_freq: torch.Tensor | None = None, *,
           first: int = 0, swapped: bool = False, halves: bool = False) -> torch.Tensor:
    """A sinusoidal table with per-pair frequencies; the knobs reproduce the mistakes below."""
    p = _positions(max_len, first)[:, None]
    even = torch.sin(p * sin_freq)
    odd = torch.cos(p * (sin_freq if cos_freq is None else cos_freq))
    if swapped:
        even, odd = odd, even
    if halves:
        return torch.cat((even, odd), dim=-1)
    return _interleave(even, odd)


def sinusoidal(max_len: int, d_model: int) -> Variants:
    i = _pair_index(d_model)
    freq = 10000.0 ** (-2 * i / d_model)
    column = 2 * i                          # the column index j of pair i's sin entry

    def table(*args, **kwargs):
        return lambda: _table(max_len, *args, **kwargs)
    return Variants({
        "sin and cos are swapped; sin belongs in the even columns 2i and cos in the odd columns 2i+1":
            table(freq, swapped=True),
        "sin and cos are concatenated as two halves [sin ... | cos ...]; they must be interleaved, "
        "sin in column 2i and cos in column 2i+1":
            table(freq, halves=True),
        "positions start at 1; the first row is position p = 0 (sin 0 = 0, cos 0 = 1)":
            table(freq, first=1),
        "the exponent uses 2j/d_model where j is already the column index (j = 2i), so it doubles "
        "twice; pair i uses 10000^(2i/d_model)":
            table(10000.0 ** (-2 * column / d_model)),
        "the cos column uses 2(j+1)/d_model with j the column index; sin and cos of pair i share "
        "one angle, p / 10000^(2i/d_model)":
            table(10000.0 ** (-2 * column / d_model), 10000.0 ** (-2 * (column + 1) / d_model)),
        "the exponent is i/d_model with i the pair index; it must be 2i/d_model":
            table(10000.0 ** (-i / d_model)),
        "column 2i+1 uses the exponent (2i+1)/d_model; sin and cos of pair i share the exponent 2i/d_model":
            table(freq, 10000.0 ** (-(column + 1) / d_model)),
        "the exponent is computed with integer division (2i // d_model is always 0); use true division":
            table(torch.ones_like(freq)),
        "the frequencies grow with i: the angle is p / 10000^(2i/d_model), not p * 10000^(2i/d_model) "
        "(check the sign inside exp)":
            table(10000.0 ** (2 * i / d_model)),
    })


# ------------------------------------------------------------------------------ RoPE

def _rotate(x: torch.Tensor, theta: torch.Tensor, *, pairs: str = "interleaved",
            out: str = "interleaved", sign: float = 1.0) -> torch.Tensor:
    """Rotate pairs of x (float64) by theta (T, d/2); the knobs reproduce the mistakes below."""
    x = x.double()
    half = x.shape[-1] // 2
    if pairs == "halves":
        a, b = x[..., :half], x[..., half:]
    else:
        a, b = x[..., 0::2], x[..., 1::2]
    cos, sin = theta.cos(), sign * theta.sin()
    ra, rb = a * cos - b * sin, a * sin + b * cos
    if out == "halves":
        return torch.cat((ra, rb), dim=-1)
    return _interleave(ra, rb)


def _theta(length: int, dim: int, base: float, *, exponent: str = "2i", first: int = 0) -> torch.Tensor:
    i = _pair_index(dim)
    power = {"2i": 2 * i / dim, "i": i / dim, "2j": 4 * i / dim, "-2i": -2 * i / dim}[exponent]
    return torch.outer(_positions(length, first), base ** (-power))


def rope(x: torch.Tensor, base: float = 10000.0) -> Variants:
    length, dim = x.shape[-2], x.shape[-1]

    def rotate(*, theta: dict | None = None, **kwargs):
        return lambda: _rotate(x, _theta(length, dim, **{"base": base, **(theta or {})}), **kwargs)
    makers = {
        "the pairs are the two halves (x[i], x[i + d/2]) as in GPT-NeoX's rotate_half; this task "
        "rotates neighbouring pairs (x[2i], x[2i+1])":
            rotate(pairs="halves", out="halves"),
        "the rotated pairs are written back as halves [x'[2i] ... | x'[2i+1] ...]; put them back "
        "interleaved, at columns 2i and 2i+1":
            rotate(out="halves"),
        "the rotation goes the wrong way (the sign of sin is flipped); it should be "
        "x'[2i] = x[2i] cos θ - x[2i+1] sin θ and x'[2i+1] = x[2i] sin θ + x[2i+1] cos θ":
            rotate(sign=-1.0),
        "θ uses the exponent i/d with i the pair index; pair i turns by p / base^(2i/d)":
            rotate(theta={"exponent": "i"}),
        "θ uses 2j/d where j is already the column index (j = 2i); pair i turns by p / base^(2i/d)":
            rotate(theta={"exponent": "2j"}),
        "the frequencies grow with i: θ = p / base^(2i/d), not p * base^(2i/d)":
            rotate(theta={"exponent": "-2i"}),
        "positions start at 1; the first position is p = 0, which is not rotated at all":
            rotate(theta={"first": 1}),
    }
    if base != 10000.0:
        makers["the `base` argument is ignored (10000 is used whatever base is passed)"] = \
            rotate(theta={"base": 10000.0})
    return Variants(makers)


# ------------------------------------------------------------------------------ learned embedding

SLICE_FROM_ONE = "the slice starts at row 1; position 0 is weight[0], so add weight[:T]"
LAST_ROWS = "the last T rows of the table are added; positions 0..T-1 are its first T rows, weight[:T]"
BATCH_AXIS = "T is read from the batch axis x.size(0); the sequence length is x.size(1)"
EMBEDDINGS_ONLY = "only the position embeddings are returned; forward must return x + weight[:T]"
MULTIPLIES = "x is multiplied by the position embeddings; forward adds them"
WHOLE_TABLE = ("the whole (max_len, d_model) table was added; for a sequence of T < max_len "
               "positions forward adds only weight[:T]")
FULL_LENGTH = "T == max_len must be accepted; only T > max_len raises ValueError"


def learned(x: torch.Tensor, weight: torch.Tensor) -> Variants:
    x, weight = x.double(), weight.double()
    batch, length = x.shape[0], x.shape[-2]
    max_len = weight.shape[0]
    return Variants({
        SLICE_FROM_ONE: lambda: x + weight[1:length + 1] if length < max_len else None,
        LAST_ROWS: lambda: x + weight[max_len - length:],
        # broadcasts only for a batch of 1 (or B == T, where it is right by accident)
        BATCH_AXIS: lambda: x + weight[:batch] if batch in (1, length) and batch <= max_len else None,
        EMBEDDINGS_ONLY: lambda: weight[:length].expand_as(x),
        MULTIPLIES: lambda: x * weight[:length],
    })


def learned_grad(x: torch.Tensor, weight: torch.Tensor, grad_out: torch.Tensor) -> Variants:
    """weight.grad as the forward mistakes of `learned` would produce it, for grad_out on x."""
    length, max_len = x.shape[-2], weight.shape[0]

    def rows(start: int, value: torch.Tensor) -> torch.Tensor:
        grad = torch.zeros(weight.shape, dtype=F64)
        grad[start:start + length] = value
        return grad
    return Variants({
        SLICE_FROM_ONE: lambda: rows(1, grad_out.double().sum(0)) if length < max_len else None,
        LAST_ROWS: lambda: rows(max_len - length, grad_out.double().sum(0)),
        MULTIPLIES: lambda: rows(0, (grad_out.double() * x.double()).sum(0)),
    })


def learned_error(message: str, exc_types: tuple[str, ...], shape: tuple[int, ...], max_len: int) -> str | None:
    """Name the mistake behind an exception from forward on x of `shape`, when it shows one."""
    batch, length = shape[0], shape[-2]
    sizes = "must match the size" in message     # torch's broadcasting error
    if sizes and length < max_len and f"({length})" in message and f"({max_len})" in message:
        return WHOLE_TABLE
    if sizes and batch != length and f"({length})" in message and f"({batch})" in message:
        return BATCH_AXIS
    if length == max_len and "ValueError" in exc_types:
        return FULL_LENGTH
    return None
