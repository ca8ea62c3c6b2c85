"""What the transformer checks share: the grader's weights, copying them in, comparing outputs.

Parameter names are fixed by the statement (LayerNorm.gamma/beta, ffn.linear1, self_attn.W_q,
src_embed, encoder_layers.0..., out_proj), so every value check copies the same random
weights into the student's module and into the reference and compares one forward call.
Weights come from the check's `rng`, scaled so that activations stay near unit size and
every classic mistake moves the output far beyond the tolerance.

Loaded by the check files through their `_helper` (tests/ is not a package).
"""
import contextlib
import math

import torch

from graders.checks import CheckFailure, expect_close, fail
from graders.i18n import T

SEP = T("; ", "; ")


def randn(rng, *shape, scale=1.0):
    return torch.randn(*shape, generator=rng) * scale


def random_state(rng, module):
    """Random values for every parameter of `module` (a reference module), keyed by name."""
    state = {}
    for name, p in module.named_parameters():
        if p.dim() == 2:
            # Linear weights (out, in) by 1/sqrt(fan-in); embeddings (vocab, d) by 1/sqrt(d), which the
            # sqrt(d_model) of forward brings to unit size, the size of the positional table
            state[name] = randn(rng, *p.shape, scale=1 / math.sqrt(p.shape[1]))
        elif name.endswith("gamma"):
            state[name] = 1 + randn(rng, *p.shape, scale=0.3)
        else:
            state[name] = randn(rng, *p.shape, scale=0.3)
    return state


def reference(module, state):
    """`module` (the reference's) in eval mode with `state` copied in."""
    module.load_state_dict(state)
    return module.eval()


@contextlib.contextmanager
def one_thread():
    """Run the grader's own torch work on one thread, then restore the setting.

    The tensors here are tiny, so threads buy nothing, and on a busy machine the idle OpenMP/MKL
    workers of a multi-threaded grader spin and take the CPU the sandboxed submission needs:
    measured on two cores, a failing submission graded in 40 s instead of 6 s."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def run(module, *args, **kwargs):
    """module(*args, **kwargs) in eval mode, without autograd, on one grader thread."""
    with one_thread(), torch.no_grad():
        return module.eval()(*args, **kwargs)


def parameter_problems(info, expected, what):
    """Differences between a student's parameters (from structure()) and `expected` {name: shape}."""
    if not info.get("is_module"):
        return [T("{what} must be a subclass of torch.nn.Module, got {got}",
                  "{what}은(는) torch.nn.Module의 하위 클래스여야 하는데 {got}입니다").format(what=what, got=info.get("type"))]
    got = {name: tuple(shape) for name, shape in info.get("parameters", {}).items()}
    want = {name: tuple(shape) for name, shape in expected.items()}
    missing = [n for n in want if n not in got]
    extra = [n for n in got if n not in want]
    wrong = [T("{n} has shape {got}, expected {want}", "{n}의 형태가 {want}이어야 하는데 {got}입니다").format(
        n=n, got=got[n], want=want[n]) for n in want if n in got and got[n] != want[n]]
    problems = []
    if missing:
        problems.append(T("missing ", "빠진 파라미터 ") + _names(missing))
    if extra:
        problems.append(T("unexpected ", "명세에 없는 파라미터 ") + _names(extra))
    return problems + wrong


def _names(names, limit=6):
    shown = ", ".join(names[:limit])
    more = len(names) - limit
    return T(shown, shown) + (T(f" and {more} more", f" 외 {more}개") if more > 0 else "")


def parameters_message(what, problems, statement):
    """`what parameters: problems. The statement: ...` in both languages."""
    return (T("{what} parameters: ", "{what}의 파라미터: ").format(what=what) + SEP.join(problems)
            + T(". The statement: ", ". 과제 설명: ") + statement)


def expected_parameters(module):
    return {name: tuple(p.shape) for name, p in module.named_parameters()}


def copy_weights(handle, state, what):
    """Load `state` into the student's module, after checking every name and shape is there.

    strict=False, because a student's own buffers (a positional table) are not in `state`;
    the names were checked first, so nothing the grader sets is silently dropped."""
    info = handle.structure()
    problems = parameter_problems(info, {k: v.shape for k, v in state.items()}, what)
    blocking = [p for p in problems if not p.startswith("unexpected")]
    if blocking:
        fail(T("{what}: cannot copy the grader's weights into your module: ",
               "{what}: 채점기의 가중치를 제출한 모듈에 복사할 수 없습니다: ").format(what=what) + SEP.join(blocking)
             + T(". The statement fixes these names (section 'Names of submodules and parameters')",
                 ". 이 이름들은 과제 설명에 정해져 있습니다 ('하위 모듈과 파라미터의 이름' 절)")
             + _library_norm_hint(info, state))
    handle.load_state_dict(state, strict=False)
    return handle


def _library_norm_hint(info, state):
    """A norm with weight/bias where gamma/beta are expected is nn.LayerNorm instead of the student's own."""
    got = set(info.get("parameters", {}))
    norms = sorted({k[:-len(".gamma")] for k in state if k.endswith(".gamma") and k not in got
                    and k[:-len(".gamma")] + ".weight" in got})
    if not norms:
        return ""
    return LIBRARY_NORM.format(names=", ".join(norms[:3]), has="has" if len(norms) == 1 else "have")


LIBRARY_NORM = T("; {names} {has} weight and bias: use your own LayerNorm class (gamma, beta), not nn.LayerNorm",
                 "; {names}에 weight와 bias가 있습니다: nn.LayerNorm이 아니라 직접 만든 LayerNorm 클래스(gamma, beta)를 "
                 "쓰세요")


def single(value, what):
    """The one tensor a layer returns; a clear message for the (out, weights) habit of attention."""
    if isinstance(value, (tuple, list)):
        fail(T("{what} returned a {kind} of {n} items; it returns one tensor (the layer's output, without attention "
               "weights)",
               "{what}이(가) 원소 {n}개짜리 {kind}을(를) 반환했습니다. 텐서 하나(어텐션 가중치 없이 층의 출력)를 "
               "반환해야 합니다").format(what=what, kind=type(value).__name__, n=len(value)))
    return value


def tensor_of_shape(value, what, shape):
    """`value` as one tensor of `shape`, or a failure saying what it is instead."""
    from graders.checks import expect_tensor
    expect_tensor(single(value, what), what=what, shape=shape)
    return value


def expect_output(actual, expected, what, variants=None, **tolerance):
    """expect_close; the known mistakes (`variants()`, reruns of the model) are only built after a miss."""
    try:
        expect_close(actual, expected, what=what, **tolerance)
    except CheckFailure:
        if variants is None:
            raise
        with one_thread():
            expect_close(actual, expected, what=what, mistakes=variants(), **tolerance)
        raise


def tokens(rng, vocab, *shape):
    return torch.randint(0, vocab, shape, generator=rng)


def shape_text(t):
    return "(" + ", ".join(map(str, t.shape)) + ")"


def from_torch_layer(rng, layer, d_model, *, decoder):
    """Give nn.Transformer{Encoder,Decoder}Layer random weights from `rng`; return them under our names.

    torch's own init would draw on the global generator and start biases at 0 and norms at
    (1, 0), hiding a missing bias or swapped gamma and beta."""
    with torch.no_grad():
        for name, p in layer.named_parameters():
            if p.dim() == 2:
                p.copy_(randn(rng, *p.shape, scale=1 / math.sqrt(p.shape[1])))
            elif name.startswith("norm") and name.endswith("weight"):
                p.copy_(1 + randn(rng, *p.shape, scale=0.3))
            else:
                p.copy_(randn(rng, *p.shape, scale=0.3))
    theirs = {k: v.detach().clone() for k, v in layer.state_dict().items()}
    pairs = [("self_attn", "self_attn")] + ([("multihead_attn", "cross_attn")] if decoder else [])
    state = {}
    for source, target in pairs:
        weight, bias = theirs[f"{source}.in_proj_weight"], theirs[f"{source}.in_proj_bias"]
        for i, name in enumerate(("W_q", "W_k", "W_v")):
            state[f"{target}.{name}.weight"] = weight[i * d_model:(i + 1) * d_model]
            state[f"{target}.{name}.bias"] = bias[i * d_model:(i + 1) * d_model]
        state[f"{target}.W_o.weight"] = theirs[f"{source}.out_proj.weight"]
        state[f"{target}.W_o.bias"] = theirs[f"{source}.out_proj.bias"]
    for name in ("linear1", "linear2"):
        state[f"ffn.{name}.weight"], state[f"ffn.{name}.bias"] = theirs[f"{name}.weight"], theirs[f"{name}.bias"]
    for name in ("norm1", "norm2", "norm3") if decoder else ("norm1", "norm2"):
        state[f"{name}.gamma"], state[f"{name}.beta"] = theirs[f"{name}.weight"], theirs[f"{name}.bias"]
    return state


def on_x(what, shape):
    """`what` applied to x of `shape`, as a label for messages."""
    return T("{what} on x of shape {shape}", "{what}, 입력 x의 형태 {shape}").format(what=what, shape=shape)


def case(what, inputs):
    """`what` on the named inputs (text of shapes), as a label for messages."""
    return T("{what} on {inputs}", "{what}, 입력 {inputs}").format(what=what, inputs=inputs)
