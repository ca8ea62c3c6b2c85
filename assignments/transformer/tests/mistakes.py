"""Known-wrong variants of the transformer reference, evaluated on a check's own inputs.

The model is rebuilt here as plain functions of the state dict the check copied into the
student's module, with switches for the classic departures from the paper. Each
`*_variants` function returns {message: output} in the order a diagnosis should try them
(the likeliest mistake first), built lazily: a check hands the mapping to
`expect_close(..., mistakes=...)` only after a miss, and it stops at the first variant the
student's output reproduces. Messages are shown to students, so they say what the code
does and what the statement wants, never a number. Loaded in the grader only.
"""
import math
from collections.abc import Callable, Iterator, Mapping

import torch

from graders.i18n import Mistake, T


class Variants(Mapping):
    """message -> variant output, each built on first access; None where the mistake cannot run
    on these inputs (a submission making it would have crashed on shapes, not returned values)."""

    def __init__(self, makers: dict[str, Callable[[], torch.Tensor]]):
        self._makers = makers
        self._built: dict[str, torch.Tensor] = {}

    def __getitem__(self, message):
        if message not in self._built:
            try:
                self._built[message] = self._makers[message]()
            except (RuntimeError, IndexError, ValueError):
                self._built[message] = None
        return self._built[message]

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self):
        return len(self._makers)


# --------------------------------------------------------------------------- messages

LN_ANNOTATED = Mistake(
    "transformer/ln-annotated",
    "LayerNorm divides by (std + eps) with the unbiased std (x.std(-1), as in the Annotated "
    "Transformer); nn.LayerNorm uses the biased variance and eps inside the root: (x - mean) / "
    "sqrt(var + eps)",
    "LayerNorm이 불편(unbiased) 표준편차(x.std(-1), Annotated Transformer 방식)에 eps를 더한 (std + eps)로 "
    "나눕니다. nn.LayerNorm은 편향(biased) 분산을 쓰고 eps를 제곱근 안에 넣습니다: (x - mean) / sqrt(var + eps)")
LN_UNBIASED = Mistake(
    "transformer/ln-unbiased",
    "LayerNorm uses the unbiased variance (divided by d - 1: torch.var's default); layer "
    "normalisation divides by d (unbiased=False)",
    "LayerNorm이 불편 분산(d - 1로 나눔: torch.var의 기본값)을 씁니다. 층 정규화는 d로 나눕니다 (unbiased=False)")
LN_EPS_OUTSIDE = Mistake(
    "transformer/ln-eps-outside",
    "LayerNorm adds eps to the standard deviation, (x - mean) / (std + eps); eps belongs inside: "
    "sqrt(var + eps)",
    "LayerNorm이 eps를 표준편차에 더합니다: (x - mean) / (std + eps). eps는 제곱근 안에 들어가야 합니다: sqrt(var + eps)")
LN_EPS_IGNORED = Mistake(
    "transformer/ln-eps-ignored",
    "LayerNorm ignores its eps argument (it behaves as if eps were {value})",
    "LayerNorm이 eps 인자를 무시합니다 (eps가 {value}인 것처럼 동작합니다)")
LN_NO_EPS = Mistake(
    "transformer/ln-no-eps",
    "LayerNorm does not add eps to the variance: (x - mean) / sqrt(var + eps)",
    "LayerNorm이 분산에 eps를 더하지 않습니다: (x - mean) / sqrt(var + eps)")
LN_TWO_AXES = Mistake(
    "transformer/ln-two-axes",
    "LayerNorm normalises over the last two axes; it normalises each position's features, the "
    "last axis only",
    "LayerNorm이 마지막 두 축에 대해 정규화합니다. 각 위치의 특성, 즉 마지막 축만 정규화해야 합니다")
LN_BATCH_AXIS = Mistake(
    "transformer/ln-batch-axis",
    "LayerNorm takes its mean and variance over the batch axis (that is batch normalisation); "
    "use the last axis",
    "LayerNorm이 평균과 분산을 배치 축에 대해 구합니다(그것은 배치 정규화입니다). 마지막 축을 쓰세요")
LN_SWAPPED = Mistake(
    "transformer/ln-swapped",
    "LayerNorm swaps gamma and beta: the output is gamma * x_hat + beta",
    "LayerNorm에서 gamma와 beta가 뒤바뀌었습니다: 출력은 gamma * x_hat + beta입니다")
LN_NO_AFFINE = Mistake(
    "transformer/ln-no-affine",
    "LayerNorm does not apply gamma and beta: the output is gamma * x_hat + beta",
    "LayerNorm이 gamma와 beta를 적용하지 않습니다: 출력은 gamma * x_hat + beta입니다")

FFN_NO_RELU = Mistake(
    "transformer/ffn-no-relu",
    "the feed-forward network has no ReLU: FFN(x) = linear2(relu(linear1(x)))",
    "피드포워드 네트워크에 ReLU가 없습니다: FFN(x) = linear2(relu(linear1(x)))")
FFN_RELU_AFTER = Mistake(
    "transformer/ffn-relu-after",
    "the ReLU comes after linear2; it belongs between the layers: linear2(relu(linear1(x)))",
    "ReLU가 linear2 다음에 있습니다. 두 층 사이에 들어가야 합니다: linear2(relu(linear1(x)))")
FFN_RELU_BOTH = Mistake(
    "transformer/ffn-relu-both",
    "a ReLU follows both linear layers; only the hidden layer has one: linear2(relu(linear1(x)))",
    "두 선형 층 모두 뒤에 ReLU가 있습니다. 은닉층에만 있어야 합니다: linear2(relu(linear1(x)))")
FFN_GELU = Mistake(
    "transformer/ffn-gelu",
    "the feed-forward network uses GELU; the paper's is ReLU: linear2(relu(linear1(x)))",
    "피드포워드 네트워크에 GELU를 썼습니다. 논문은 ReLU를 씁니다: linear2(relu(linear1(x)))")
FFN_RESIDUAL = Mistake(
    "transformer/ffn-residual",
    "PositionwiseFFN adds its input (x + FFN(x)); the residual connection belongs to the layer's "
    "Add & Norm, not to the FFN",
    "PositionwiseFFN이 입력을 더합니다(x + FFN(x)). 잔차 연결은 FFN이 아니라 층의 Add & Norm에 속합니다")

ATTN_NO_SCALE = Mistake(
    "transformer/attn-no-scale",
    "the attention scores are not divided by sqrt(d_k), with d_k = d_model / num_heads",
    "어텐션 점수를 sqrt(d_k)로 나누지 않았습니다 (d_k = d_model / num_heads)")
ATTN_SCALE_D_MODEL = Mistake(
    "transformer/attn-scale-d-model",
    "the attention scores are divided by sqrt(d_model); each head scales by sqrt(d_model / "
    "num_heads)",
    "어텐션 점수를 sqrt(d_model)로 나눴습니다. 각 헤드는 sqrt(d_model / num_heads)로 나눕니다")
ATTN_NO_TRANSPOSE = Mistake(
    "transformer/attn-no-transpose",
    "the heads are split with reshape(B, h, T, d_k) without a transpose; reshape to (B, T, h, "
    "d_k), then transpose to (B, h, T, d_k)",
    "헤드를 transpose 없이 reshape(B, h, T, d_k)로 나눴습니다. (B, T, h, d_k)로 reshape한 다음 (B, h, T, d_k)로 "
    "transpose하세요")

PRE_NORM = Mistake(
    "transformer/pre-norm",
    "pre-norm: x + Sublayer(LayerNorm(x)); the paper's layers (and this assignment's) are "
    "post-norm: LayerNorm(x + Sublayer(x))",
    "사전 정규화(pre-norm) x + Sublayer(LayerNorm(x))를 썼습니다. 논문의 층(그리고 이 과제의 층)은 사후 "
    "정규화(post-norm)입니다: LayerNorm(x + Sublayer(x))")
NORM_THEN_ADD = Mistake(
    "transformer/norm-then-add",
    "x + LayerNorm(Sublayer(x)): the LayerNorm applies to the sum, LayerNorm(x + Sublayer(x))",
    "x + LayerNorm(Sublayer(x))를 썼습니다. LayerNorm은 합에 적용합니다: LayerNorm(x + Sublayer(x))")
NO_RESIDUAL_SELF = Mistake(
    "transformer/no-residual-self",
    "the residual connection around self-attention is missing: LayerNorm(x + SelfAttention(x))",
    "셀프 어텐션을 감싸는 잔차 연결이 빠졌습니다: LayerNorm(x + SelfAttention(x))")
NO_RESIDUAL_FFN = Mistake(
    "transformer/no-residual-ffn",
    "the residual connection around the feed-forward network is missing: LayerNorm(x + FFN(x))",
    "피드포워드 네트워크를 감싸는 잔차 연결이 빠졌습니다: LayerNorm(x + FFN(x))")
NO_RESIDUALS = Mistake(
    "transformer/no-residuals",
    "the residual connections are missing: every sub-layer is LayerNorm(x + Sublayer(x))",
    "잔차 연결이 빠졌습니다: 모든 하위 층은 LayerNorm(x + Sublayer(x))입니다")
NORMS_SWAPPED = Mistake(
    "transformer/norms-swapped",
    "norm1 and norm2 are used the other way round: norm1 follows self-attention, norm2 the FFN",
    "norm1과 norm2를 반대로 썼습니다: norm1은 셀프 어텐션 다음, norm2는 FFN 다음입니다")
MASK_IGNORED = Mistake(
    "transformer/mask-ignored",
    "the mask is not applied in the self-attention",
    "셀프 어텐션에 마스크를 적용하지 않았습니다")
MASK_INVERTED = Mistake(
    "transformer/mask-inverted",
    "the mask is inverted: True means 'this key may be attended'",
    "마스크를 반대로 적용했습니다: True는 '이 키를 볼 수 있음'을 뜻합니다")

NO_RESIDUAL_CROSS = Mistake(
    "transformer/no-residual-cross",
    "the residual connection around cross-attention is missing: LayerNorm(x + CrossAttention(x, "
    "memory))",
    "크로스 어텐션을 감싸는 잔차 연결이 빠졌습니다: LayerNorm(x + CrossAttention(x, memory))")
CROSS_READS_X = Mistake(
    "transformer/cross-reads-x",
    "cross-attention attends over the decoder's own states (keys and values from x); its keys "
    "and values come from the encoder output `memory`, its queries from the decoder",
    "크로스 어텐션이 디코더 자신의 상태(x에서 온 키와 값)를 봅니다. 키와 값은 인코더 출력 `memory`에서, 쿼리는 디코더에서 옵니다")
CROSS_QUERIES_MEMORY = Mistake(
    "transformer/cross-queries-memory",
    "cross-attention takes its queries from memory and its keys and values from the decoder; "
    "queries come from the decoder, keys and values from memory",
    "크로스 어텐션이 쿼리를 memory에서, 키와 값을 디코더에서 가져옵니다. 쿼리는 디코더에서, 키와 값은 memory에서 옵니다")
CROSS_QUERY_INPUT = Mistake(
    "transformer/cross-query-input",
    "cross-attention takes its queries from the layer's input; they are the output of the first "
    "Add & Norm (after masked self-attention)",
    "크로스 어텐션이 쿼리를 층의 입력에서 가져옵니다. 쿼리는 첫 번째 Add & Norm(마스크드 셀프 어텐션 다음)의 출력입니다")
CROSS_SELF_WEIGHTS = Mistake(
    "transformer/cross-self-weights",
    "cross-attention uses self_attn's weights; it has its own module, cross_attn",
    "크로스 어텐션에 self_attn의 가중치를 썼습니다. 크로스 어텐션에는 자기 모듈 cross_attn이 있습니다")
CROSS_FIRST = Mistake(
    "transformer/cross-first",
    "cross-attention comes before the masked self-attention; the order is self-attention, "
    "cross-attention, FFN",
    "크로스 어텐션이 마스크드 셀프 어텐션보다 먼저 옵니다. 순서는 셀프 어텐션, 크로스 어텐션, FFN입니다")
TGT_MASK_IGNORED = Mistake(
    "transformer/tgt-mask-ignored",
    "tgt_mask is not applied in the self-attention",
    "셀프 어텐션에 tgt_mask를 적용하지 않았습니다")
TGT_MASK_INVERTED = Mistake(
    "transformer/tgt-mask-inverted",
    "tgt_mask is inverted: True means 'this position may be attended'",
    "tgt_mask를 반대로 적용했습니다: True는 '이 위치를 볼 수 있음'을 뜻합니다")
TGT_MASK_IN_CROSS = Mistake(
    "transformer/tgt-mask-in-cross",
    "tgt_mask is applied in cross-attention too; it only masks the self-attention",
    "tgt_mask를 크로스 어텐션에도 적용했습니다. tgt_mask는 셀프 어텐션만 가립니다")
MEMORY_MASK_IGNORED = Mistake(
    "transformer/memory-mask-ignored",
    "memory_mask is not applied in the cross-attention",
    "크로스 어텐션에 memory_mask를 적용하지 않았습니다")
MEMORY_MASK_INVERTED = Mistake(
    "transformer/memory-mask-inverted",
    "memory_mask is inverted: True means 'this source position may be attended'",
    "memory_mask를 반대로 적용했습니다: True는 '이 소스 위치를 볼 수 있음'을 뜻합니다")

EMB_NOT_SCALED = Mistake(
    "transformer/emb-not-scaled",
    "the embeddings are not multiplied by sqrt(d_model) before the positions are added",
    "위치 인코딩을 더하기 전에 임베딩에 sqrt(d_model)을 곱하지 않았습니다")
EMB_DIVIDED = Mistake(
    "transformer/emb-divided",
    "the embeddings are divided by sqrt(d_model); they are multiplied by it",
    "임베딩을 sqrt(d_model)로 나눴습니다. sqrt(d_model)을 곱해야 합니다")
EMB_TIMES_D = Mistake(
    "transformer/emb-times-d",
    "the embeddings are multiplied by d_model; the factor is sqrt(d_model)",
    "임베딩에 d_model을 곱했습니다. 곱하는 값은 sqrt(d_model)입니다")
EMB_SUM_SCALED = Mistake(
    "transformer/emb-sum-scaled",
    "the sum (embedding + positional encoding) is multiplied by sqrt(d_model); only the "
    "embedding is: embedding * sqrt(d_model) + PE",
    "합(임베딩 + 위치 인코딩)에 sqrt(d_model)을 곱했습니다. 임베딩에만 곱합니다: embedding * sqrt(d_model) + PE")
PE_MISSING = Mistake(
    "transformer/pe-missing",
    "no positional encoding is added to the embeddings",
    "임베딩에 위치 인코딩을 더하지 않았습니다")
PE_SWAPPED = Mistake(
    "transformer/pe-swapped",
    "sin and cos are swapped in the positional encoding: sin in the even columns 2i, cos in the "
    "odd 2i+1",
    "위치 인코딩에서 sin과 cos가 뒤바뀌었습니다: 짝수 열 2i에 sin, 홀수 열 2i+1에 cos")
PE_HALVES = Mistake(
    "transformer/pe-halves",
    "the positional encoding puts sin and cos in two halves [sin ... | cos ...]; they are "
    "interleaved, sin in column 2i and cos in column 2i+1",
    "위치 인코딩이 sin과 cos를 두 절반 [sin ... | cos ...]에 넣었습니다. 번갈아 배치해야 합니다: 2i 열에 sin, 2i+1 열에 cos")
PE_FROM_ONE = Mistake(
    "transformer/pe-from-one",
    "the positions start at 1; the first token is position 0",
    "위치가 1부터 시작합니다. 첫 토큰은 위치 0입니다")
PE_EXP_COLUMN = Mistake(
    "transformer/pe-exp-column",
    "the positional encoding's exponent uses the column index j (10000^(j/d_model)); sin and cos "
    "of pair i share the angle p / 10000^(2i/d_model)",
    "위치 인코딩의 지수에 열 번호 j를 썼습니다(10000^(j/d_model)). i번째 쌍의 sin과 cos는 같은 각도 p / 10000^(2i/d_model)을 "
    "공유합니다")
PE_EXP_I = Mistake(
    "transformer/pe-exp-i",
    "the positional encoding's exponent is i/d_model with i the pair index; it is 2i/d_model",
    "위치 인코딩의 지수가 i/d_model(i는 쌍 번호)입니다. 2i/d_model이어야 합니다")
PE_EXP_2J = Mistake(
    "transformer/pe-exp-2j",
    "the positional encoding's exponent is 2j/d_model with j the column index (j = 2i); pair i "
    "uses 10000^(2i/d_model)",
    "위치 인코딩의 지수가 2j/d_model(j는 열 번호, j = 2i)입니다. i번째 쌍은 10000^(2i/d_model)을 씁니다")
CAUSAL_NONE = Mistake(
    "transformer/causal-none",
    "the decoder's self-attention is not masked: a position sees later target tokens; the "
    "Transformer must apply a causal mask itself",
    "디코더의 셀프 어텐션이 가려지지 않았습니다: 각 위치가 뒤쪽 타깃 토큰을 봅니다. Transformer가 직접 인과 마스크를 적용해야 합니다")
SEES_FUTURE = Mistake(
    "transformer/sees-future",
    "the decoder sees the future: position i may attend only to target positions 0..i, so the "
    "Transformer applies a causal mask (True on and below the diagonal) in every decoder layer's "
    "self-attention",
    "디코더가 미래를 봅니다: 위치 i는 타깃 위치 0..i만 볼 수 있으므로, Transformer는 모든 디코더 층의 셀프 어텐션에 인과 마스크(대각선과 그 아래가 "
    "True)를 적용합니다")
CAUSAL_INVERTED = Mistake(
    "transformer/causal-inverted",
    "the causal mask is inverted (True above the diagonal, PyTorch's nn.Transformer convention); "
    "here True means 'may attend': on and below the diagonal",
    "인과 마스크를 반대로 만들었습니다(대각선 위가 True, PyTorch nn.Transformer의 관례). 여기서 True는 '볼 수 있음'을 뜻합니다: 대각선과 "
    "그 아래")
CAUSAL_STRICT = Mistake(
    "transformer/causal-strict",
    "the causal mask blocks the diagonal: position i must also see itself (True on and below the "
    "diagonal)",
    "인과 마스크가 대각선까지 가립니다: 위치 i는 자기 자신도 봐야 합니다 (대각선과 그 아래가 True)")
CAUSAL_ENCODER = Mistake(
    "transformer/causal-encoder",
    "the encoder's self-attention is masked causally too; the encoder sees the whole source",
    "인코더의 셀프 어텐션에도 인과 마스크를 적용했습니다. 인코더는 소스 전체를 봅니다")
MEMORY_PER_LAYER = Mistake(
    "transformer/memory-per-layer",
    "decoder layer i reads the output of encoder layer i; every decoder layer reads the final "
    "encoder output",
    "디코더 층 i가 인코더 층 i의 출력을 읽습니다. 모든 디코더 층은 인코더의 최종 출력을 읽습니다")
MEMORY_EMBEDDINGS = Mistake(
    "transformer/memory-embeddings",
    "the decoder reads the source embeddings, not the encoder's output",
    "디코더가 인코더의 출력이 아니라 소스 임베딩을 읽습니다")
TGT_WITH_SRC_EMBED = Mistake(
    "transformer/tgt-with-src-embed",
    "the target tokens are embedded with src_embed; they use tgt_embed",
    "타깃 토큰을 src_embed로 임베딩했습니다. 타깃에는 tgt_embed를 씁니다")
FINAL_NORM = Mistake(
    "transformer/final-norm",
    "an extra LayerNorm follows the last encoder and decoder layers (nn.Transformer adds one); "
    "in the paper's post-norm model every layer already ends in its own Add & Norm",
    "마지막 인코더 층과 디코더 층 뒤에 LayerNorm이 하나 더 있습니다(nn.Transformer는 추가합니다). 논문의 사후 정규화 모델에서는 모든 층이 이미 "
    "자기 Add & Norm으로 끝납니다")
OUT_SOFTMAX = Mistake(
    "transformer/out-softmax",
    "forward returns probabilities (a softmax over the vocabulary); it returns the logits, "
    "out_proj's output",
    "forward가 확률(어휘에 대한 softmax)을 반환합니다. out_proj의 출력인 로짓을 반환해야 합니다")
OUT_LOG_SOFTMAX = Mistake(
    "transformer/out-log-softmax",
    "forward returns log-probabilities (log_softmax); it returns the logits, out_proj's output",
    "forward가 로그 확률(log_softmax)을 반환합니다. out_proj의 출력인 로짓을 반환해야 합니다")


# --------------------------------------------------------------------------- LayerNorm

def layer_norm(x, gamma, beta, eps=1e-5, *, unbiased=False, eps_outside=False, eps_value=None,
               dims=(-1,), affine="right"):
    """The reference LayerNorm with switches for the classic departures."""
    eps = eps if eps_value is None else eps_value
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, unbiased=unbiased, keepdim=True)
    x_hat = (x - mean) / (var.sqrt() + eps if eps_outside else torch.sqrt(var + eps))
    if affine == "none":
        return x_hat
    return x_hat * beta + gamma if affine == "swapped" else x_hat * gamma + beta


def _ln_switches(eps):
    # Unless the variance is near eps, the place of eps is invisible: the Annotated Transformer's
    # LayerNorm then shows as the unbiased variance, and only tiny-variance rows name it in full.
    yield LN_UNBIASED, dict(unbiased=True)
    yield LN_EPS_OUTSIDE, dict(eps_outside=True)
    yield LN_ANNOTATED, dict(unbiased=True, eps_outside=True)
    yield LN_NO_EPS, dict(eps_value=0.0)
    for value in (1e-5, 1e-6, 1e-12):
        if value != eps:
            yield LN_EPS_IGNORED.format(value=f"{value:g}"), dict(eps_value=value)
    yield LN_TWO_AXES, dict(dims=(-2, -1))
    yield LN_BATCH_AXIS, dict(dims=(0,))
    yield LN_SWAPPED, dict(affine="swapped")
    yield LN_NO_AFFINE, dict(affine="none")


def layer_norm_variants(x, gamma, beta, eps=1e-5):
    """{message: output} for each classic LayerNorm mistake."""
    return Variants({msg: (lambda kw=kw: layer_norm(x, gamma, beta, eps, **kw)) for msg, kw in _ln_switches(eps)})


# --------------------------------------------------------------------------- FFN and attention

def _linear(x, state, name):
    return torch.nn.functional.linear(x, state[f"{name}.weight"], state.get(f"{name}.bias"))


ACTIVATIONS = {"relu": torch.relu, "gelu": torch.nn.functional.gelu}


def ffn(state, prefix, x, *, act="relu", where="hidden", residual=False):
    """linear2(relu(linear1(x))) from `state` under `prefix`, with switches."""
    f = ACTIVATIONS[act]
    h = _linear(x, state, prefix + "linear1")
    if where in ("hidden", "both"):
        h = f(h)
    y = _linear(h, state, prefix + "linear2")
    if where in ("output", "both"):
        y = f(y)
    return x + y if residual else y


FFN_SWITCHES = ((FFN_NO_RELU, dict(where="none")), (FFN_RELU_AFTER, dict(where="output")),
                (FFN_RELU_BOTH, dict(where="both")), (FFN_GELU, dict(act="gelu")),
                (FFN_RESIDUAL, dict(residual=True)))


def ffn_variants(state, x):
    """{message: output} for each classic PositionwiseFFN mistake (state of the FFN itself)."""
    return Variants({msg: (lambda kw=kw: ffn(state, "", x, **kw)) for msg, kw in FFN_SWITCHES})


def _masked_softmax(scores, mask):
    if mask is None:
        return torch.softmax(scores, dim=-1)
    weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
    return weights.masked_fill(~mask, 0.0)


def attention(state, prefix, query, key, value, mask, num_heads, *, scale="d_k", split="right"):
    """Multi-head attention's output from `state` under `prefix` (W_q, W_k, W_v, W_o)."""
    B, n_q, d = query.shape
    d_k = d // num_heads

    def heads(t):
        if split == "no_transpose":
            return t.reshape(B, num_heads, t.shape[1], d_k)
        return t.reshape(B, t.shape[1], num_heads, d_k).transpose(1, 2)
    q, k, v = (heads(_linear(t, state, prefix + name))
               for t, name in ((query, "W_q"), (key, "W_k"), (value, "W_v")))
    factor = {"d_k": 1 / math.sqrt(d_k), "d_model": 1 / math.sqrt(d), "none": 1.0}[scale]
    weights = _masked_softmax(q @ k.transpose(-2, -1) * factor, None if mask is None else mask.unsqueeze(-3))
    out = weights @ v
    out = out.reshape(B, n_q, d) if split == "no_transpose" else out.transpose(1, 2).reshape(B, n_q, d)
    return _linear(out, state, prefix + "W_o")


ATTN_SWITCHES = ((ATTN_NO_SCALE, dict(scale="none")), (ATTN_SCALE_D_MODEL, dict(scale="d_model")),
                 (ATTN_NO_TRANSPOSE, dict(split="no_transpose")))


# --------------------------------------------------------------------------- layers

def _mask(mask, mode):
    if mask is None or mode == "ignored":
        return None
    return ~mask if mode == "inverted" else mask


def _sublayers(state, prefix, x, steps, *, norm="post", residual=None, ln=None):
    """Run (sub-layer, norm name) pairs as Add & Norm blocks in the given style."""
    residual = residual or (True,) * len(steps)
    for (sub, norm_name), keep in zip(steps, residual):
        def normed(h, name=norm_name):
            return layer_norm(h, state[f"{prefix}{name}.gamma"], state[f"{prefix}{name}.beta"], **(ln or {}))
        skip = x if keep else 0
        if norm == "pre":
            x = skip + sub(normed(x))
        elif norm == "norm_then_add":
            x = skip + normed(sub(x))
        else:
            x = normed(skip + sub(x))
    return x


def encoder_layer(state, prefix, x, mask, num_heads, *, norm="post", residual=None, mask_mode="right",
                  norms_swapped=False, ln=None, ffn_kw=None, attn=None):
    """EncoderLayer.forward from `state` under `prefix`, with switches."""
    def self_attn(h):
        return attention(state, prefix + "self_attn.", h, h, h, _mask(mask, mask_mode), num_heads, **(attn or {}))

    def feed_forward(h):
        return ffn(state, prefix + "ffn.", h, **(ffn_kw or {}))
    norms = ("norm2", "norm1") if norms_swapped else ("norm1", "norm2")
    return _sublayers(state, prefix, x, list(zip((self_attn, feed_forward), norms)), norm=norm,
                      residual=residual, ln=ln)


def decoder_layer(state, prefix, x, memory, tgt_mask, memory_mask, num_heads, *, norm="post", residual=None,
                  tgt_mask_mode="right", memory_mask_mode="right", cross="right", cross_first=False,
                  ln=None, ffn_kw=None, attn=None):
    """DecoderLayer.forward from `state` under `prefix`, with switches."""
    attn = attn or {}
    layer_input = x

    def self_attn(h):
        return attention(state, prefix + "self_attn.", h, h, h, _mask(tgt_mask, tgt_mask_mode), num_heads, **attn)

    def cross_attn(h):
        weights = prefix + ("self_attn." if cross == "self_weights" else "cross_attn.")
        query, kv = (layer_input if cross == "query_input" else h), memory
        if cross == "reads_x":
            kv = h
        elif cross == "queries_memory":
            query, kv = memory, h
        m = tgt_mask if cross == "tgt_mask" else _mask(memory_mask, memory_mask_mode)
        return attention(state, weights, query, kv, kv, m, num_heads, **attn)

    def feed_forward(h):
        return ffn(state, prefix + "ffn.", h, **(ffn_kw or {}))
    subs = (cross_attn, self_attn, feed_forward) if cross_first else (self_attn, cross_attn, feed_forward)
    return _sublayers(state, prefix, x, list(zip(subs, ("norm1", "norm2", "norm3"))), norm=norm,
                      residual=residual, ln=ln)


def _blocks():
    """Mistakes inside the building blocks, as switches of a whole layer (the messages name the block)."""
    # One LayerNorm mistake in every norm; a wrong eps value is invisible at the layers' variances.
    yield from ((msg, dict(ln=kw)) for msg, kw in _ln_switches(1e-5) if "eps_value" not in kw)
    yield from ((msg, dict(ffn_kw=kw)) for msg, kw in FFN_SWITCHES)
    yield from ((msg, dict(attn=kw)) for msg, kw in ATTN_SWITCHES)


def _encoder_switches(with_mask):
    yield PRE_NORM, dict(norm="pre")
    yield NORM_THEN_ADD, dict(norm="norm_then_add")
    yield NO_RESIDUAL_SELF, dict(residual=(False, True))
    yield NO_RESIDUAL_FFN, dict(residual=(True, False))
    yield NO_RESIDUALS, dict(residual=(False, False))
    yield NORMS_SWAPPED, dict(norms_swapped=True)
    if with_mask:
        yield MASK_IGNORED, dict(mask_mode="ignored")
        yield MASK_INVERTED, dict(mask_mode="inverted")


def _decoder_switches(with_tgt_mask, with_memory_mask, same_length):
    yield PRE_NORM, dict(norm="pre")
    yield NORM_THEN_ADD, dict(norm="norm_then_add")
    yield CROSS_READS_X, dict(cross="reads_x")
    yield CROSS_QUERY_INPUT, dict(cross="query_input")
    yield CROSS_SELF_WEIGHTS, dict(cross="self_weights")
    yield CROSS_FIRST, dict(cross_first=True)
    if same_length:
        # Only then do the shapes let these run (and, for the mask, be told apart from a crash).
        yield CROSS_QUERIES_MEMORY, dict(cross="queries_memory")
        if with_tgt_mask:
            yield TGT_MASK_IN_CROSS, dict(cross="tgt_mask")
    yield NO_RESIDUAL_SELF, dict(residual=(False, True, True))
    yield NO_RESIDUAL_CROSS, dict(residual=(True, False, True))
    yield NO_RESIDUAL_FFN, dict(residual=(True, True, False))
    yield NO_RESIDUALS, dict(residual=(False, False, False))
    if with_tgt_mask:
        yield TGT_MASK_IGNORED, dict(tgt_mask_mode="ignored")
        yield TGT_MASK_INVERTED, dict(tgt_mask_mode="inverted")
    if with_memory_mask:
        yield MEMORY_MASK_IGNORED, dict(memory_mask_mode="ignored")
        yield MEMORY_MASK_INVERTED, dict(memory_mask_mode="inverted")


def encoder_layer_variants(state, x, mask, num_heads):
    """{message: output} for each classic EncoderLayer mistake, its blocks' included."""
    switches = list(_encoder_switches(mask is not None)) + list(_blocks())
    return Variants({msg: (lambda kw=kw: encoder_layer(state, "", x, mask, num_heads, **kw)) for msg, kw in switches})


def decoder_layer_variants(state, x, memory, tgt_mask, memory_mask, num_heads):
    """{message: output} for each classic DecoderLayer mistake, its blocks' included."""
    switches = list(_decoder_switches(tgt_mask is not None, memory_mask is not None,
                                      x.shape[1] == memory.shape[1])) + list(_blocks())
    return Variants({msg: (lambda kw=kw: decoder_layer(state, "", x, memory, tgt_mask, memory_mask, num_heads, **kw))
                     for msg, kw in switches})


# --------------------------------------------------------------------------- the model

def positional_table(n, d_model, mode="right"):
    """Sinusoidal table (n, d_model) in float64, then float32 as the reference; or a classic variant."""
    i = torch.arange(d_model // 2, dtype=torch.float64)
    p = torch.arange(n, dtype=torch.float64)[:, None] + (1 if mode == "from_one" else 0)
    exponent = {"i": i / d_model, "2j": 4 * i / d_model}.get(mode, 2 * i / d_model)
    angle = p * 10000.0 ** -exponent
    even, odd = torch.sin(angle), torch.cos(angle)
    if mode == "column":
        odd = torch.cos(p * 10000.0 ** -((2 * i + 1) / d_model))
    if mode == "swapped":
        even, odd = odd, even
    if mode == "halves":
        return torch.cat((even, odd), dim=-1).float()
    if mode == "none":
        return torch.zeros(n, d_model)
    return torch.stack((even, odd), dim=-1).flatten(-2).float()


def _embed(weight, tokens, d_model, *, emb_scale="sqrt", pe="right"):
    factor = {"sqrt": math.sqrt(d_model), "none": 1.0, "inv_sqrt": 1 / math.sqrt(d_model),
              "d": float(d_model), "sum": 1.0}[emb_scale]
    x = weight[tokens] * factor + positional_table(tokens.shape[-1], d_model, pe)
    return x * math.sqrt(d_model) if emb_scale == "sum" else x


def transformer(state, cfg, src, tgt, *, emb_scale="sqrt", pe="right", causal="right", memory="last",
                tgt_embedding="tgt_embed", output="logits", final_norm=False, enc=None, dec=None):
    """Transformer.forward from `state` and cfg (d_model, num_heads, num_layers), with switches."""
    d, h, n = cfg["d_model"], cfg["num_heads"], cfg["num_layers"]
    x = _embed(state["src_embed.weight"], src, d, emb_scale=emb_scale, pe=pe)
    T = tgt.shape[-1]
    tril = torch.ones(T, T, dtype=torch.bool).tril()
    tgt_mask = {"none": None, "inverted": ~tril, "strict": tril.tril(-1)}.get(causal, tril)
    src_mask = torch.ones(src.shape[-1], src.shape[-1], dtype=torch.bool).tril() if causal == "encoder" else None
    outputs = [x]
    for i in range(n):
        outputs.append(encoder_layer(state, f"encoder_layers.{i}.", outputs[-1], src_mask, h, **(enc or {})))
    if final_norm:
        # The extra norms are not among the grader's weights, so they keep their initial gamma = 1, beta = 0.
        outputs[-1] = layer_norm(outputs[-1], 1.0, 0.0)
    y = _embed(state[f"{tgt_embedding}.weight"], tgt, d, emb_scale=emb_scale, pe=pe)
    for i in range(n):
        mem = {"last": outputs[-1], "per_layer": outputs[i + 1], "embeddings": outputs[0]}[memory]
        y = decoder_layer(state, f"decoder_layers.{i}.", y, mem, tgt_mask, None, h, **(dec or {}))
    if final_norm:
        y = layer_norm(y, 1.0, 0.0)
    logits = _linear(y, state, "out_proj")
    if output == "softmax":
        return torch.softmax(logits, dim=-1)
    return torch.log_softmax(logits, dim=-1) if output == "log_softmax" else logits


SHARED_LAYER_SWITCHES = (      # (message, encoder layer switches, decoder layer switches)
    (PRE_NORM, dict(norm="pre"), dict(norm="pre")),
    (NORM_THEN_ADD, dict(norm="norm_then_add"), dict(norm="norm_then_add")),
    (NO_RESIDUALS, dict(residual=(False, False)), dict(residual=(False, False, False))),
    (NO_RESIDUAL_SELF, dict(residual=(False, True)), dict(residual=(False, True, True))),
    (NO_RESIDUAL_FFN, dict(residual=(True, False)), dict(residual=(True, True, False))),
)


def _model_switches(same_length, vocab_fits):
    yield EMB_NOT_SCALED, dict(emb_scale="none")
    yield EMB_SUM_SCALED, dict(emb_scale="sum")
    yield EMB_DIVIDED, dict(emb_scale="inv_sqrt")
    yield EMB_TIMES_D, dict(emb_scale="d")
    yield CAUSAL_NONE, dict(causal="none")
    yield CAUSAL_INVERTED, dict(causal="inverted")
    yield CAUSAL_STRICT, dict(causal="strict")
    yield CAUSAL_ENCODER, dict(causal="encoder")
    yield MEMORY_PER_LAYER, dict(memory="per_layer")
    yield MEMORY_EMBEDDINGS, dict(memory="embeddings")
    yield FINAL_NORM, dict(final_norm=True)
    yield OUT_SOFTMAX, dict(output="softmax")
    yield OUT_LOG_SOFTMAX, dict(output="log_softmax")
    for msg, mode in ((PE_MISSING, "none"), (PE_SWAPPED, "swapped"), (PE_HALVES, "halves"),
                      (PE_FROM_ONE, "from_one"), (PE_EXP_I, "i"), (PE_EXP_2J, "2j"), (PE_EXP_COLUMN, "column")):
        yield msg, dict(pe=mode)
    if vocab_fits:
        yield TGT_WITH_SRC_EMBED, dict(tgt_embedding="src_embed")
    # A layer mistake is made in every layer, and usually in both stacks.
    yield from ((_every(EVERY_LAYER, msg), dict(enc=enc, dec=dec)) for msg, enc, dec in SHARED_LAYER_SWITCHES)
    yield from ((_every(EVERY_LAYER, msg), dict(enc=kw, dec=kw)) for msg, kw in _blocks())
    yield from ((_every(EVERY_DECODER_LAYER, msg), dict(dec=kw))
                for msg, kw in _decoder_switches(True, False, same_length))
    yield from ((_every(EVERY_ENCODER_LAYER, msg), dict(enc=kw)) for msg, kw in _encoder_switches(False))


EVERY_LAYER = T("in every layer: ", "모든 층에서: ")
EVERY_DECODER_LAYER = T("in every decoder layer: ", "모든 디코더 층에서: ")
EVERY_ENCODER_LAYER = T("in every encoder layer: ", "모든 인코더 층에서: ")


def _every(where, mistake):
    """A layer's mistake seen through the whole model: the same id, said of every layer."""
    return Mistake(mistake.id, where.en + mistake.en, where.ko + mistake.ko)


def transformer_variants(state, cfg, src, tgt):
    """{message: logits} for each classic Transformer mistake, its layers' and blocks' included."""
    vocab_fits = int(tgt.max()) < state["src_embed.weight"].shape[0]
    switches = _model_switches(src.shape[-1] == tgt.shape[-1], vocab_fits)
    return Variants({msg: (lambda kw=kw: transformer(state, cfg, src, tgt, **kw)) for msg, kw in switches})


# --------------------------------------------------------------------------- structure and graphs

NO_GRADIENT = Mistake(
    "transformer/detached-gradient",
    "no gradient reaches {name}: keep the computation differentiable (no .detach(), .data, no_grad)",
    "{name}까지 그래디언트가 전달되지 않습니다: 계산이 미분 가능하게 유지되어야 합니다 (.detach(), .data, "
    "no_grad 금지)")
LN_INIT = Mistake(
    "transformer/ln-init",
    "{what}: gamma must start at ones and beta at zeros, as nn.LayerNorm's weight and bias",
    "{what}: nn.LayerNorm의 weight와 bias처럼 gamma는 1로, beta는 0으로 시작해야 합니다")
MEMORY_UNUSED = Mistake(
    "transformer/cross-reads-x",
    "{what}: changing memory did not change the output; {why}",
    "{what}: memory를 바꿔도 출력이 바뀌지 않았습니다; {why}")
SOURCE_UNUSED = Mistake(
    "transformer/source-unused",
    "{what}: changing every source token left the logits at target position(s) {positions} unchanged; every "
    "decoder layer's cross-attention reads the encoder's output",
    "{what}: 소스 토큰을 모두 바꿔도 타깃 위치 {positions}의 로짓이 그대로입니다. 모든 디코더 층의 크로스 "
    "어텐션은 인코더의 출력을 읽습니다")
FUTURE_CHANGES = T("{what}: changing the target tokens after position {k} changed the logits at {where}; {why}",
                   "{what}: 위치 {k} 뒤의 타깃 토큰을 바꾸자 {where}의 로짓이 바뀌었습니다; {why}")
TARGET_UNUSED = Mistake(
    "transformer/target-unused",
    "{what}: the logits do not depend on the target tokens at all",
    "{what}: 로짓이 타깃 토큰에 전혀 의존하지 않습니다")
DROPOUT_UNUSED = Mistake(
    "transformer/dropout-unused",
    "{what}: in training mode two forward passes gave the same logits; the dropout argument is not used",
    "{what}: 학습 모드에서 forward를 두 번 했는데 로짓이 같습니다. dropout 인자를 쓰지 않았습니다")
