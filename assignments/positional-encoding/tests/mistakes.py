"""Classic wrong variants of positional.py, evaluated in float64 on the checks' own inputs.

Each builder returns {feedback message: what a submission with exactly that mistake returns}.
A check hands the mapping to expect_close(mistakes=...), so a miss that reproduces one of them
is reported by name. Variants that need another input shape to exist are None.
"""
import math

import torch

F64 = torch.float64


def _pair_index(dim: int) -> torch.Tensor:
    return torch.arange(dim // 2, dtype=F64)


def _interleave(even: torch.Tensor, odd: torch.Tensor) -> torch.Tensor:
    return torch.stack((even, odd), dim=-1).flatten(-2)


def _positions(length: int, first: int = 0) -> torch.Tensor:
    return torch.arange(first, first + length, dtype=F64)


# ------------------------------------------------------------------------------ sinusoidal

def _table(max_len: int, d_model: int, sin_freq: torch.Tensor, cos_freq: torch.Tensor | None = None,
           *, first: int = 0, even: str = "sin", halves: bool = False) -> torch.Tensor:
    """A sinusoidal table with per-pair frequencies; the knobs reproduce the mistakes below."""
    p = _positions(max_len, first)[:, None]
    sines = torch.sin(p * sin_freq)
    cosines = torch.cos(p * (sin_freq if cos_freq is None else cos_freq))
    if even == "cos":
        sines, cosines = torch.cos(p * sin_freq), torch.sin(p * sin_freq)
    if halves:
        return torch.cat((sines, cosines), dim=-1)
    return _interleave(sines, cosines)


def sinusoidal_table(max_len: int, d_model: int) -> torch.Tensor:
    """The correct table in float64, for the mistakes' own tests."""
    i = _pair_index(d_model)
    return _table(max_len, d_model, 10000.0 ** (-2 * i / d_model))


def sinusoidal(max_len: int, d_model: int) -> dict[str, torch.Tensor]:
    i = _pair_index(d_model)
    freq = 10000.0 ** (-2 * i / d_model)
    column = 2 * i                          # the column index j of pair i's sin entry
    return {
        "sin and cos are swapped: column 2i holds sin and column 2i+1 holds cos":
            _table(max_len, d_model, freq, even="cos"),
        "sin and cos are concatenated as two halves [sin ... | cos ...]; they must be interleaved, "
        "sin in column 2i and cos in column 2i+1":
            _table(max_len, d_model, freq, halves=True),
        "positions start at 1; the first row is position p = 0 (sin 0 = 0, cos 0 = 1)":
            _table(max_len, d_model, freq, first=1),
        "the exponent uses 2j/d_model where j is already the column index (j = 2i), so it doubles "
        "twice; pair i uses 10000^(2i/d_model)":
            _table(max_len, d_model, 10000.0 ** (-2 * column / d_model)),
        "the cos column uses 2(j+1)/d_model with j the column index; sin and cos of pair i share "
        "one angle, p / 10000^(2i/d_model)":
            _table(max_len, d_model, 10000.0 ** (-2 * column / d_model),
                   10000.0 ** (-2 * (column + 1) / d_model)),
        "the exponent is i/d_model with i the pair index; it must be 2i/d_model":
            _table(max_len, d_model, 10000.0 ** (-i / d_model)),
        "column 2i+1 uses the exponent (2i+1)/d_model; sin and cos of pair i share the exponent 2i/d_model":
            _table(max_len, d_model, freq, 10000.0 ** (-(column + 1) / d_model)),
        "the exponent is computed with integer division (2i // d_model is always 0); use true division":
            _table(max_len, d_model, torch.ones_like(freq)),
        "the frequencies grow with i: the angle is p / 10000^(2i/d_model), not p * 10000^(2i/d_model) "
        "(check the sign inside exp)":
            _table(max_len, d_model, 10000.0 ** (2 * i / d_model)),
    }


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


def rope_correct(x: torch.Tensor, base: float = 10000.0) -> torch.Tensor:
    """The correct rotation in float64, for the mistakes' own tests."""
    return _rotate(x, _theta(x.shape[-2], x.shape[-1], base))


def rope(x: torch.Tensor, base: float = 10000.0) -> dict[str, torch.Tensor | None]:
    length, dim = x.shape[-2], x.shape[-1]
    theta = _theta(length, dim, base)
    variants: dict[str, torch.Tensor | None] = {
        "the pairs are the two halves (x[i], x[i + d/2]) as in GPT-NeoX's rotate_half; this task "
        "rotates neighbouring pairs (x[2i], x[2i+1])":
            _rotate(x, theta, pairs="halves", out="halves"),
        "the rotated pairs are written back as halves [x'[2i] ... | x'[2i+1] ...]; put them back "
        "interleaved, at columns 2i and 2i+1":
            _rotate(x, theta, out="halves"),
        "the rotation goes the wrong way (the sign of sin is flipped): "
        "x'[2i] = x[2i] cos θ - x[2i+1] sin θ and x'[2i+1] = x[2i] sin θ + x[2i+1] cos θ":
            _rotate(x, theta, sign=-1.0),
        "θ uses the exponent i/d with i the pair index; pair i turns by p / base^(2i/d)":
            _rotate(x, _theta(length, dim, base, exponent="i")),
        "θ uses 2j/d where j is already the column index (j = 2i); pair i turns by p / base^(2i/d)":
            _rotate(x, _theta(length, dim, base, exponent="2j")),
        "the frequencies grow with i: θ = p / base^(2i/d), not p * base^(2i/d)":
            _rotate(x, _theta(length, dim, base, exponent="-2i")),
        "positions start at 1; the first position is p = 0, which is not rotated at all":
            _rotate(x, _theta(length, dim, base, first=1)),
    }
    if base != 10000.0:
        variants["the `base` argument is ignored (10000 is used whatever base is passed)"] = \
            _rotate(x, _theta(length, dim, 10000.0))
    return variants


# ------------------------------------------------------------------------------ learned embedding

def learned(x: torch.Tensor, weight: torch.Tensor) -> dict[str, torch.Tensor | None]:
    x, weight = x.double(), weight.double()
    batch, length = x.shape[0], x.shape[-2]
    max_len = weight.shape[0]
    shifted = weight[1:length + 1] if length < max_len else None
    from_batch_axis = weight[:batch] if batch in (1, length) and batch <= max_len else None
    return {
        "the slice starts at row 1; position 0 is weight[0], so add weight[:T]":
            None if shifted is None else x + shifted,
        "the last T rows of the table are added; positions 0..T-1 are its first T rows, weight[:T]":
            x + weight[max_len - length:],
        "T is read from the batch axis x.size(0); the sequence length is x.size(1)":
            None if from_batch_axis is None else x + from_batch_axis,
        "only the position embeddings are returned; forward must return x + weight[:T]":
            weight[:length].expand_as(x),
        "x is multiplied by the position embeddings; forward adds them":
            x * weight[:length],
    }


def learned_error(message: str, exc_types: tuple[str, ...], length: int, max_len: int) -> str | None:
    """Name the mistake behind an exception from forward on T positions, when it shows one."""
    if (length < max_len and "must match the size" in message
            and f"({length})" in message and f"({max_len})" in message):
        return ("the whole (max_len, d_model) table was added; for a sequence of T < max_len "
                "positions forward adds only weight[:T]")
    if length == max_len and "ValueError" in exc_types:
        return "T == max_len must be accepted; only T > max_len raises ValueError"
    return None
