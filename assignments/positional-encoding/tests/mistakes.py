"""Classic wrong variants of positional.py, evaluated in float64 on the checks' own inputs.

Each builder returns {feedback message: what a submission with exactly that mistake returns}.
A check hands the mapping to expect_close(mistakes=...), so a miss that reproduces one of them
is reported by name. Variants that need another input shape to exist are None. The values are
computed only when a miss asks for them: a correct submission never pays for the variants.
"""
from collections.abc import Callable, Iterator, Mapping

import torch

from graders.i18n import Mistake, T

F64 = torch.float64

# Named mistakes: a stable id and the text in both languages.
SIN_COS_SWAPPED = Mistake(
    "positional-encoding/sin-cos-swapped",
    "sin and cos are swapped; sin belongs in the even columns 2i and cos in the odd columns 2i+1",
    "sin과 cos가 뒤바뀌었습니다. sin은 짝수 열 2i에, cos는 홀수 열 2i+1에 들어갑니다")
SIN_COS_HALVES = Mistake(
    "positional-encoding/sin-cos-halves",
    "sin and cos are concatenated as two halves [sin ... | cos ...]; they must be interleaved, sin in column 2i and "
    "cos in column 2i+1",
    "sin과 cos를 두 절반 [sin ... | cos ...]으로 이어 붙였습니다. 번갈아 배치해야 합니다: 2i 열에 sin, 2i+1 열에 cos")
POSITIONS_FROM_ONE = Mistake(
    "positional-encoding/positions-from-one",
    "positions start at 1; the first row is position p = 0 (sin 0 = 0, cos 0 = 1)",
    "위치가 1부터 시작합니다. 첫 행은 위치 p = 0입니다 (sin 0 = 0, cos 0 = 1)")
EXPONENT_COLUMN_DOUBLED = Mistake(
    "positional-encoding/exponent-column-doubled",
    "the exponent uses 2j/d_model where j is already the column index (j = 2i), so it doubles twice; pair i uses "
    "10000^(2i/d_model)",
    "지수에 2j/d_model을 썼는데 j가 이미 열 번호(j = 2i)라서 2가 두 번 곱해졌습니다. i번째 쌍은 10000^(2i/d_model)을 "
    "씁니다")
EXPONENT_COS_NEXT = Mistake(
    "positional-encoding/exponent-cos-next-column",
    "the cos column uses 2(j+1)/d_model with j the column index; sin and cos of pair i share one angle, "
    "p / 10000^(2i/d_model)",
    "cos 열에 2(j+1)/d_model(j는 열 번호)을 썼습니다. i번째 쌍의 sin과 cos는 같은 각도 p / 10000^(2i/d_model)을 "
    "공유합니다")
EXPONENT_PAIR_INDEX = Mistake(
    "positional-encoding/exponent-i-over-d",
    "the exponent is i/d_model with i the pair index; it must be 2i/d_model",
    "지수가 i/d_model(i는 쌍 번호)입니다. 2i/d_model이어야 합니다")
EXPONENT_ODD_COLUMN = Mistake(
    "positional-encoding/exponent-odd-column",
    "column 2i+1 uses the exponent (2i+1)/d_model; sin and cos of pair i share the exponent 2i/d_model",
    "2i+1 열에 지수 (2i+1)/d_model을 썼습니다. i번째 쌍의 sin과 cos는 지수 2i/d_model을 공유합니다")
EXPONENT_INT_DIV = Mistake(
    "positional-encoding/exponent-integer-division",
    "the exponent is computed with integer division (2i // d_model is always 0); use true division",
    "지수를 정수 나눗셈으로 계산했습니다 (2i // d_model은 항상 0입니다). 실수 나눗셈(/)을 쓰세요")
FREQUENCIES_GROW = Mistake(
    "positional-encoding/frequencies-grow",
    "the frequencies grow with i: the angle is p / 10000^(2i/d_model), not p * 10000^(2i/d_model) (check the sign "
    "inside exp)",
    "i가 커질수록 주파수가 커집니다: 각도는 p * 10000^(2i/d_model)이 아니라 p / 10000^(2i/d_model)입니다 "
    "(exp 안의 부호를 확인하세요)")

ROPE_HALVES = Mistake(
    "positional-encoding/rope-rotate-half",
    "the pairs are the two halves (x[i], x[i + d/2]) as in GPT-NeoX's rotate_half; this task rotates neighbouring "
    "pairs (x[2i], x[2i+1])",
    "GPT-NeoX의 rotate_half처럼 두 절반 (x[i], x[i + d/2])을 쌍으로 묶었습니다. 이 과제는 이웃한 쌍 "
    "(x[2i], x[2i+1])을 회전합니다")
ROPE_OUT_HALVES = Mistake(
    "positional-encoding/rope-output-halves",
    "the rotated pairs are written back as halves [x'[2i] ... | x'[2i+1] ...]; put them back interleaved, at "
    "columns 2i and 2i+1",
    "회전한 쌍을 두 절반 [x'[2i] ... | x'[2i+1] ...]으로 써 넣었습니다. 2i 열과 2i+1 열에 번갈아 다시 넣으세요")
ROPE_WRONG_WAY = Mistake(
    "positional-encoding/rope-wrong-direction",
    "the rotation goes the wrong way (the sign of sin is flipped); it should be x'[2i] = x[2i] cos θ - x[2i+1] sin θ "
    "and x'[2i+1] = x[2i] sin θ + x[2i+1] cos θ",
    "회전 방향이 반대입니다 (sin의 부호가 뒤집혔습니다). x'[2i] = x[2i] cos θ - x[2i+1] sin θ, "
    "x'[2i+1] = x[2i] sin θ + x[2i+1] cos θ여야 합니다")
ROPE_EXPONENT_I = Mistake(
    "positional-encoding/rope-exponent-i-over-d",
    "θ uses the exponent i/d with i the pair index; pair i turns by p / base^(2i/d)",
    "θ에 지수 i/d(i는 쌍 번호)를 썼습니다. i번째 쌍은 p / base^(2i/d)만큼 회전합니다")
ROPE_EXPONENT_2J = Mistake(
    "positional-encoding/rope-exponent-column-doubled",
    "θ uses 2j/d where j is already the column index (j = 2i); pair i turns by p / base^(2i/d)",
    "θ에 2j/d를 썼는데 j가 이미 열 번호(j = 2i)입니다. i번째 쌍은 p / base^(2i/d)만큼 회전합니다")
ROPE_FREQUENCIES_GROW = Mistake(
    "positional-encoding/rope-frequencies-grow",
    "the frequencies grow with i: θ = p / base^(2i/d), not p * base^(2i/d)",
    "i가 커질수록 주파수가 커집니다: θ는 p * base^(2i/d)가 아니라 p / base^(2i/d)입니다")
ROPE_FROM_ONE = Mistake(
    "positional-encoding/rope-positions-from-one",
    "positions start at 1; the first position is p = 0, which is not rotated at all",
    "위치가 1부터 시작합니다. 첫 위치는 p = 0이고, 전혀 회전하지 않습니다")
ROPE_BASE_IGNORED = Mistake(
    "positional-encoding/rope-base-ignored",
    "the `base` argument is ignored (10000 is used whatever base is passed)",
    "`base` 인자를 무시했습니다 (어떤 base가 들어와도 10000을 씁니다)")

SLICE_FROM_ONE = Mistake(
    "positional-encoding/learned-slice-from-one",
    "the slice starts at row 1; position 0 is weight[0], so add weight[:T]",
    "슬라이스가 1번 행부터 시작합니다. 위치 0은 weight[0]이므로 weight[:T]를 더하세요")
LAST_ROWS = Mistake(
    "positional-encoding/learned-last-rows",
    "the last T rows of the table are added; positions 0..T-1 are its first T rows, weight[:T]",
    "표의 마지막 T개 행을 더했습니다. 위치 0..T-1은 처음 T개 행 weight[:T]입니다")
BATCH_AXIS = Mistake(
    "positional-encoding/learned-batch-axis",
    "T is read from the batch axis x.size(0); the sequence length is x.size(1)",
    "T를 배치 축 x.size(0)에서 읽었습니다. 시퀀스 길이는 x.size(1)입니다")
EMBEDDINGS_ONLY = Mistake(
    "positional-encoding/learned-embeddings-only",
    "only the position embeddings are returned; forward must return x + weight[:T]",
    "위치 임베딩만 반환했습니다. forward는 x + weight[:T]를 반환해야 합니다")
MULTIPLIES = Mistake(
    "positional-encoding/learned-multiplies",
    "x is multiplied by the position embeddings; forward adds them",
    "x에 위치 임베딩을 곱했습니다. forward는 더해야 합니다")
WHOLE_TABLE = Mistake(
    "positional-encoding/learned-whole-table",
    "the whole (max_len, d_model) table was added; for a sequence of T < max_len positions forward adds only "
    "weight[:T]",
    "(max_len, d_model) 표 전체를 더했습니다. 길이 T < max_len인 시퀀스에는 weight[:T]만 더합니다")
FULL_LENGTH = Mistake(
    "positional-encoding/learned-rejects-max-len",
    "T == max_len must be accepted; only T > max_len raises ValueError",
    "T == max_len은 받아들여야 합니다. T > max_len일 때만 ValueError를 일으킵니다")
LIKELY = T("\nLikely mistake: ", "\n예상되는 실수: ")


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
        SIN_COS_SWAPPED: table(freq, swapped=True),
        SIN_COS_HALVES: table(freq, halves=True),
        POSITIONS_FROM_ONE: table(freq, first=1),
        EXPONENT_COLUMN_DOUBLED: table(10000.0 ** (-2 * column / d_model)),
        EXPONENT_COS_NEXT: table(10000.0 ** (-2 * column / d_model), 10000.0 ** (-2 * (column + 1) / d_model)),
        EXPONENT_PAIR_INDEX: table(10000.0 ** (-i / d_model)),
        EXPONENT_ODD_COLUMN: table(freq, 10000.0 ** (-(column + 1) / d_model)),
        EXPONENT_INT_DIV: table(torch.ones_like(freq)),
        FREQUENCIES_GROW: table(10000.0 ** (2 * i / d_model)),
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
        ROPE_HALVES: rotate(pairs="halves", out="halves"),
        ROPE_OUT_HALVES: rotate(out="halves"),
        ROPE_WRONG_WAY: rotate(sign=-1.0),
        ROPE_EXPONENT_I: rotate(theta={"exponent": "i"}),
        ROPE_EXPONENT_2J: rotate(theta={"exponent": "2j"}),
        ROPE_FREQUENCIES_GROW: rotate(theta={"exponent": "-2i"}),
        ROPE_FROM_ONE: rotate(theta={"first": 1}),
    }
    if base != 10000.0:
        makers[ROPE_BASE_IGNORED] = rotate(theta={"base": 10000.0})
    return Variants(makers)


# ------------------------------------------------------------------------------ learned embedding

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


# ------------------------------------------------------------------------------ module structure

NO_WEIGHT = Mistake(
    "positional-encoding/learned-no-weight",
    "{module} has no parameter named `weight` (its state_dict has {found})",
    "{module}에 `weight`라는 파라미터가 없습니다 (state_dict에 있는 것: {found})")
WEIGHT_IS_BUFFER = Mistake(
    "positional-encoding/learned-weight-buffer",
    "`weight` is a buffer, so it is not trained; wrap it in nn.Parameter",
    "`weight`가 버퍼라서 학습되지 않습니다. nn.Parameter로 감싸세요")
WEIGHT_NESTED = Mistake(
    "positional-encoding/learned-weight-in-submodule",
    "the table is inside a submodule ({name}); the contract asks for a parameter named `weight` on the module itself",
    "표가 하위 모듈({name}) 안에 있습니다. 명세는 모듈 자체에 `weight`라는 파라미터를 요구합니다")
INPLACE = Mistake(
    "positional-encoding/learned-in-place",
    "forward changed its argument `x` in place (e.g. `x += ...`); return a new tensor, x + weight[:T]",
    "forward가 인자 `x`를 제자리(in place)에서 바꿨습니다(예: `x += ...`). 새 텐서 x + weight[:T]를 반환하세요")
NO_GRAD_WEIGHT = Mistake(
    "positional-encoding/learned-weight-no-grad",
    "weight received no gradient: it must be an nn.Parameter used in forward",
    "weight에 그래디언트가 전달되지 않았습니다: forward에서 쓰이는 nn.Parameter여야 합니다")
NO_GRAD_X = Mistake(
    "positional-encoding/learned-x-no-grad",
    "x received no gradient: forward must keep the graph from x to the output",
    "x에 그래디언트가 전달되지 않았습니다: forward는 x에서 출력까지 계산 그래프를 유지해야 합니다")
NOT_A_MODULE = T("{cls} must subclass torch.nn.Module (got a {got})",
                 "{cls}은(는) torch.nn.Module의 하위 클래스여야 합니다 (실제: {got})")
WEIGHT_SHAPE = T("{module}.weight has shape {got}; it must be (max_len, d_model)",
                 "{module}.weight의 형태가 {got}입니다. (max_len, d_model)이어야 합니다")
EXTRA_PARAMS = T("{cls} has parameters besides `weight`: {extra}", "{cls}에 `weight` 말고도 파라미터가 있습니다: {extra}")
NOTHING = T("nothing", "없음")


def on_x(module, shape):
    """`module` applied to x of `shape`, as a label for messages."""
    return T("{module} on x of shape {shape}", "{module}, 입력 x의 형태 {shape}").format(module=module, shape=shape)


def with_hint(err, hint):
    from graders.i18n import message_of
    return message_of(err) + LIKELY + hint
