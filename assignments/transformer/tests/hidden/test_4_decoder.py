"""DecoderLayer: names, causal self-attention and cross-attention, memory, masks, and PyTorch.

Cross-attention must read `memory`: the layer is run on one x with two memories, and each
output is compared with the reference's, after checking that the two differ at all.
"""
import hashlib
import importlib.util
import sys
from pathlib import Path

import torch

from graders.checks import check, fail
from graders.i18n import T


def _helper(name):
    """tests/<name>.py, loaded once per version of its text (tests/ is not a package)."""
    path = Path(__file__).resolve().parents[1] / f"{name}.py"
    key = f"seqlab_transformer_{name}_{hashlib.sha256(path.read_bytes()).hexdigest()[:12]}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, path)
        sys.modules[key] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[key])
    return sys.modules[key]


support = _helper("support")
randn = support.randn
HIDDEN = "after_due_date"

CLASS = "DecoderLayer"


def _case(rng, B, T, S, d_model):
    return randn(rng, B, T, d_model), randn(rng, B, S, d_model), torch.ones(T, T, dtype=torch.bool).tril()


def _expect_decoder(student, ref, rng, mistakes, d_model, num_heads, d_ff, x, memory, tgt_mask=None,
                    memory_mask=None, *, module=None, state=None, **call):
    expected_module = ref.DecoderLayer(d_model, num_heads, d_ff)
    state = support.random_state(rng, expected_module) if state is None else state
    what = f"{CLASS}({d_model}, {num_heads}, {d_ff})"
    if module is None:
        module = support.copy_weights(student.new(CLASS, d_model, num_heads, d_ff), state, what)
    expected = support.run(support.reference(expected_module, state), x, memory, tgt_mask, memory_mask)
    out = support.single(module(x, memory, tgt_mask, memory_mask, **call), f"{what}.forward")
    where = support.case(what, f"x {support.shape_text(x)}, memory {support.shape_text(memory)}"
                         + ("" if tgt_mask is None else f", tgt_mask {support.shape_text(tgt_mask)}")
                         + ("" if memory_mask is None else f", memory_mask {support.shape_text(memory_mask)}"))
    support.expect_output(out, expected, where, lambda: mistakes.decoder_layer_variants(
        state, x, memory, tgt_mask, memory_mask, num_heads))
    return module, state, out


@check(points=1, visibility=HIDDEN, target=CLASS,
       ko="DecoderLayer: 하위 모듈과 파라미터의 이름과 형태")
def test_decoder_parameters(student, ref):
    """DecoderLayer: submodule and parameter names and shapes"""
    expected = support.expected_parameters(ref.DecoderLayer(16, 4, 24))
    problems = support.parameter_problems(student.new(CLASS, 16, 4, 24).structure(), expected, f"{CLASS}(16, 4, 24)")
    if problems:
        fail(support.parameters_message(f"{CLASS}(16, 4, 24)", problems, T(
            "self_attn and cross_attn (W_q, W_k, W_v, W_o, with biases), ffn (linear1, linear2), norm1, norm2, "
            "norm3 (gamma, beta)",
            "self_attn과 cross_attn (W_q, W_k, W_v, W_o, 편향 포함), ffn (linear1, linear2), norm1, norm2, "
            "norm3 (gamma, beta)")))


@check(points=3, visibility=HIDDEN, target=CLASS,
       ko="DecoderLayer: 여러 크기에서 인과 셀프 어텐션 다음 크로스 어텐션")
def test_decoder_values(student, ref, rng, mistakes):
    """DecoderLayer: causal self-attention, then cross-attention, on several sizes"""
    for B, T, S, d_model, num_heads, d_ff in ((3, 4, 9, 24, 3, 40), (2, 6, 6, 16, 2, 16), (1, 1, 1, 32, 8, 64),
                                              (2, 8, 3, 20, 5, 12)):
        x, memory, causal = _case(rng, B, T, S, d_model)
        _expect_decoder(student, ref, rng, mistakes, d_model, num_heads, d_ff, x, memory, causal, check_inputs=B == 3)


@check(points=2, visibility=HIDDEN, target=CLASS,
       ko="DecoderLayer: 크로스 어텐션이 memory를 읽음")
def test_decoder_reads_memory(student, ref, rng, mistakes):
    """DecoderLayer: cross-attention reads memory"""
    d_model, num_heads, d_ff = 16, 4, 32
    x, memory, causal = _case(rng, 2, 5, 7, d_model)
    other = randn(rng, 2, 7, d_model)
    module, state, first = _expect_decoder(student, ref, rng, mistakes, d_model, num_heads, d_ff, x, memory, causal)
    second = support.tensor_of_shape(module(x, other, causal), f"{CLASS}.forward", tuple(first.shape))
    if torch.allclose(first, second, atol=1e-6, rtol=0):
        fail(mistakes.MEMORY_UNUSED.format(what=CLASS, why=mistakes.CROSS_READS_X))
    _expect_decoder(student, ref, rng, mistakes, d_model, num_heads, d_ff, x, other, causal, module=module, state=state)


@check(points=1, visibility=HIDDEN, target=CLASS,
       ko="DecoderLayer: memory 패딩 마스크 (B, 1, T_src)")
def test_decoder_memory_mask(student, ref, rng, mistakes):
    """DecoderLayer: a memory padding mask (B, 1, T_src)"""
    x, memory, causal = _case(rng, 3, 4, 6, 16)
    lengths = torch.tensor([6, 3, 1])
    padding = (torch.arange(6)[None, :] < lengths[:, None])[:, None, :]
    _expect_decoder(student, ref, rng, mistakes, 16, 4, 24, x, memory, causal, padding, check_inputs=True)


@check(points=1, visibility=HIDDEN, target=CLASS,
       ko="DecoderLayer: nn.TransformerDecoderLayer(post-norm, ReLU)와 일치")
def test_decoder_matches_torch(student, rng, mistakes):
    """DecoderLayer: agrees with nn.TransformerDecoderLayer (post-norm, ReLU)"""
    d_model, num_heads, d_ff = 16, 4, 32
    theirs = torch.nn.TransformerDecoderLayer(d_model, num_heads, d_ff, dropout=0.0, activation="relu",
                                              batch_first=True, norm_first=False)
    state = support.from_torch_layer(rng, theirs, d_model, decoder=True)
    module = support.copy_weights(student.new(CLASS, d_model, num_heads, d_ff), state, f"{CLASS}(16, 4, 32)")
    x, memory, causal = _case(rng, 2, 5, 7, d_model)
    expected = support.run(theirs, x, memory, tgt_mask=~causal)
    out = support.single(module(x, memory, causal), f"{CLASS}.forward")
    what = T("{c} with nn.TransformerDecoderLayer's weights, causal tgt_mask",
             "{c} (nn.TransformerDecoderLayer의 가중치, 인과 tgt_mask)").format(c=f"{CLASS}(16, 4, 32)")
    support.expect_output(out, expected, what,
                          lambda: mistakes.decoder_layer_variants(state, x, memory, causal, None, num_heads))
