"""LayerNorm: parameters, agreement with nn.LayerNorm, eps where it matters, gradients.

The placement of eps changes the output only where a row's variance is near eps: rows of
ordinary inputs cannot tell (x - mean) / sqrt(var + eps) from (x - mean) / (std + eps), so
one check feeds rows whose standard deviation is 1e-3 to 1e-2.
"""
import hashlib
import importlib.util
import sys
from pathlib import Path

import torch

from graders.checks import check, expect_close, fail
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

CLASS = "LayerNorm"


def _expect_layer_norm(student, mistakes, x, d, eps, state, *, by_keyword=False, **call):
    what = f"{CLASS}({d}" + (f", eps={eps:g})" if eps != 1e-5 else ")")
    module = student.new(CLASS, d, eps=eps) if by_keyword else student.new(CLASS, d, eps)
    support.copy_weights(module, state, what)
    theirs = support.reference(torch.nn.LayerNorm(d, eps=eps), {"weight": state["gamma"], "bias": state["beta"]})
    expected = support.run(theirs, x)
    support.expect_output(module(x, **call), expected, support.on_x(what, support.shape_text(x)),
                          lambda: mistakes.layer_norm_variants(x, state["gamma"], state["beta"], eps))


def _state(rng, d):
    return {"gamma": 1 + randn(rng, d, scale=0.3), "beta": randn(rng, d, scale=0.3)}


@check(points=1, visibility=HIDDEN, target=CLASS,
       ko="LayerNorm: 1과 0에서 시작하는 파라미터 gamma와 beta")
def test_layer_norm_parameters(student, mistakes):
    """LayerNorm: parameters gamma and beta, starting at ones and zeros"""
    for d in (1, 7, 32):
        module = student.new(CLASS, d)
        problems = support.parameter_problems(module.structure(), {"gamma": (d,), "beta": (d,)}, f"{CLASS}({d})")
        if problems:
            fail(support.parameters_message(f"{CLASS}({d})", problems, "gamma (d,), beta (d,)"))
        state = module.state_dict()
        if not torch.equal(state["gamma"], torch.ones(d)) or not torch.equal(state["beta"], torch.zeros(d)):
            fail(mistakes.LN_INIT.format(what=f"{CLASS}({d})"))


@check(points=3, visibility=HIDDEN, target=CLASS,
       ko="LayerNorm: 2차원, 3차원, 4차원 입력과 지정한 eps에서 nn.LayerNorm과 일치")
def test_layer_norm_matches_torch(student, rng, mistakes):
    """LayerNorm: agrees with nn.LayerNorm on 2-D, 3-D and 4-D inputs and a custom eps"""
    cases = [((4, 6), 1e-5), ((2, 3, 17), 1e-5), ((2, 2, 3, 32), 1e-3), ((3, 5, 12), 0.5), ((3, 1), 1e-5)]
    for k, (shape, eps) in enumerate(cases):
        x = randn(rng, *shape, scale=2.0) + 0.5 * (k + 1)
        _expect_layer_norm(student, mistakes, x, shape[-1], eps, _state(rng, shape[-1]), by_keyword=k % 2 == 1,
                           check_inputs=k == 1)


@check(points=2, visibility=HIDDEN, target=CLASS,
       ko="LayerNorm: eps의 위치가 중요한, 분산이 아주 작은 행")
def test_layer_norm_tiny_variance(student, rng, mistakes):
    """LayerNorm: rows of tiny variance, where the place of eps matters"""
    for eps in (1e-5, 1e-4):
        # No offset: with the mean far from 0, E[x^2] - E[x]^2 (a right formula) loses its digits in float32.
        scales = torch.tensor([1e-3, 3e-3, 1e-2])[:, None, None]
        x = randn(rng, 3, 4, 16) * scales
        _expect_layer_norm(student, mistakes, x, 16, eps, _state(rng, 16))


@check(points=1, visibility=HIDDEN, target=CLASS,
       ko="LayerNorm: x, gamma, beta까지 그래디언트 전달")
def test_layer_norm_gradients(student, rng, mistakes):
    """LayerNorm: gradients reach x, gamma and beta"""
    d = 10
    state = _state(rng, d)
    x, grad_out = randn(rng, 2, 3, d) + 1.0, randn(rng, 2, 3, d)
    module = support.copy_weights(student.new(CLASS, d), state, f"{CLASS}({d})")
    _, input_grads, param_grads = module.call_grad(x, grad_outputs=grad_out)
    expected = support.reference(torch.nn.LayerNorm(d), {"weight": state["gamma"], "bias": state["beta"]})
    leaf = x.clone().requires_grad_()
    with support.one_thread():
        (expected(leaf) * grad_out).sum().backward()
    for name, got, want in (("x", input_grads[0], leaf.grad), ("gamma", param_grads.get("gamma"), expected.weight.grad),
                            ("beta", param_grads.get("beta"), expected.bias.grad)):
        if got is None:
            fail(mistakes.NO_GRADIENT.format(name=name))
        expect_close(got, want, what=T("{what}: gradient w.r.t. {name}", "{what}: {name}에 대한 그래디언트").format(
            what=f"{CLASS}({d})", name=name))
