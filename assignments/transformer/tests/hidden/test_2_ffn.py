"""PositionwiseFFN: its two layers, other sizes, and dropout switched off by eval()."""
import hashlib
import importlib.util
import sys
from pathlib import Path

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

CLASS = "PositionwiseFFN"


def _expect_ffn(student, ref, rng, mistakes, d_model, d_ff, x, *, dropout=None, evaluate=False, **call):
    expected_module = ref.PositionwiseFFN(d_model, d_ff)
    state = support.random_state(rng, expected_module)
    args = (d_model, d_ff) if dropout is None else (d_model, d_ff, dropout)
    what = f"{CLASS}({', '.join(map(str, args))})" + (T(" after .eval()", " (.eval() 다음)") if evaluate else "")
    module = support.copy_weights(student.new(CLASS, *args), state, what)
    if evaluate:
        module.call("eval")
    expected = support.run(support.reference(expected_module, state), x)
    support.expect_output(module(x, **call), expected, support.on_x(what, support.shape_text(x)),
                          lambda: mistakes.ffn_variants(state, x))
    return module


@check(points=1, visibility=HIDDEN, target=CLASS,
       ko="PositionwiseFFN: linear1과 linear2의 형태")
def test_ffn_parameters(student, ref):
    """PositionwiseFFN: linear1 and linear2 with their shapes"""
    for d_model, d_ff in ((8, 32), (6, 5)):
        problems = support.parameter_problems(student.new(CLASS, d_model, d_ff).structure(),
                                              support.expected_parameters(ref.PositionwiseFFN(d_model, d_ff)),
                                              f"{CLASS}({d_model}, {d_ff})")
        if problems:
            fail(support.parameters_message(f"{CLASS}({d_model}, {d_ff})", problems,
                                            "linear1 = nn.Linear(d_model, d_ff), linear2 = nn.Linear(d_ff, d_model)"))


@check(points=2, visibility=HIDDEN, target=CLASS,
       ko="PositionwiseFFN: d_model보다 작거나 큰 d_ff, 임의의 앞쪽 축")
def test_ffn_values(student, ref, rng, mistakes):
    """PositionwiseFFN: d_ff smaller and larger than d_model, any leading axes"""
    for d_model, d_ff, shape in ((8, 32, (3, 4)), (12, 5, (6,)), (16, 64, (1, 1)), (6, 10, (2, 2, 3))):
        x = randn(rng, *shape, d_model)
        _expect_ffn(student, ref, rng, mistakes, d_model, d_ff, x, check_inputs=shape == (3, 4))


@check(points=1, visibility=HIDDEN, target=CLASS,
       ko="PositionwiseFFN: eval()이면 dropout=0.5가 꺼짐")
def test_ffn_eval_mode(student, ref, rng, mistakes):
    """PositionwiseFFN: dropout=0.5 is switched off by eval()"""
    x = randn(rng, 2, 6, 16)
    module = _expect_ffn(student, ref, rng, mistakes, 16, 32, x, dropout=0.5, evaluate=True)
    expect_close(module(x), module(x), what=T("two calls in eval mode", "eval 모드에서 두 번 호출한 결과"))
