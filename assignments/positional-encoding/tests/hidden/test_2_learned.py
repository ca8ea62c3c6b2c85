"""LearnedPositionalEmbedding: its parameter, forward with copied-in weights, gradients, limits."""
import torch

from graders.checks import CheckFailure, check, expect_close, expect_raises, fail
from graders.sandbox.proxy import StudentError

HIDDEN = "after_due_date"
CLASS = "LearnedPositionalEmbedding"


def build(student, rng, max_len, d_model, mistakes):
    """Construct the module and copy a known table into `weight`; return (module, table)."""
    module = student.new(CLASS, max_len, d_model)
    weight = torch.randn(max_len, d_model, generator=rng)
    # start from the module's own state so extra buffers (e.g. cached position ids) are kept
    state = module.state_dict()
    if "weight" not in state:
        fail(mistakes.NO_WEIGHT.format(module=f"{CLASS}({max_len}, {d_model})", found=sorted(state) or mistakes.NOTHING))
    state["weight"] = weight
    module.load_state_dict(state)
    return module, weight


def forward(module, x, max_len, mistakes):
    """Call forward; when it raises, name the mistake the error reveals, if any."""
    try:
        return module(x)
    except StudentError as err:
        hint = err.kind == "exception" and mistakes.learned_error(err.exc_message, tuple(err.exc_types),
                                                                  tuple(x.shape), max_len)
        if hint:
            raise CheckFailure(mistakes.with_hint(err, hint)) from None
        raise


@check(points=1, visibility=HIDDEN, target=CLASS,
       ko="학습형 위치 임베딩: 형태 (max_len, d_model)인 학습 파라미터 `weight` 하나")
def test_structure(student, mistakes):
    """Learned embedding has one trainable parameter `weight` of shape (max_len, d_model)"""
    info = student.new(CLASS, 50, 12).structure()
    if not info.get("is_module", True):
        fail(mistakes.NOT_A_MODULE.format(cls=CLASS, got=info["type"]))
    params, buffers = info["parameters"], info["buffers"]
    if "weight" not in params:
        if "weight" in buffers:
            fail(mistakes.WEIGHT_IS_BUFFER)
        nested = sorted(n for n in params if n.endswith(".weight"))
        if nested:
            fail(mistakes.WEIGHT_NESTED.format(name=nested[0]))
        fail(mistakes.NO_WEIGHT.format(module=f"{CLASS}(50, 12)", found=sorted(params) or mistakes.NOTHING))
    if tuple(params["weight"]) != (50, 12):
        fail(mistakes.WEIGHT_SHAPE.format(module=f"{CLASS}(max_len=50, d_model=12)", got=tuple(params["weight"])))
    extra = sorted(set(params) - {"weight"})
    if extra:
        fail(mistakes.EXTRA_PARAMS.format(cls=CLASS, extra=extra))


@check(points=2, visibility=HIDDEN, target=CLASS,
       ko="학습형 위치 임베딩: 여러 배치 크기와 길이에서 x + weight[:T] 반환")
def test_forward(student, rng, mistakes):
    """Learned embedding returns x + weight[:T] for several batch sizes and lengths"""
    # batch 1 first: reading T from the batch axis only broadcasts (and can be named) there
    for max_len, d_model, batch, length in ((50, 12, 1, 9), (50, 12, 3, 17), (7, 2, 4, 3)):
        module, weight = build(student, rng, max_len, d_model, mistakes)
        x = torch.randn(batch, length, d_model, generator=rng)
        expect_close(forward(module, x, max_len, mistakes), x.double() + weight.double()[:length],
                     what=mistakes.on_x(f"{CLASS}({max_len}, {d_model})", tuple(x.shape)),
                     mistakes=mistakes.learned(x, weight))


@check(points=1, visibility=HIDDEN, target=CLASS,
       ko="학습형 위치 임베딩: 길이가 정확히 max_len인 시퀀스를 받아들임")
def test_full_length(student, rng, mistakes):
    """Learned embedding accepts a sequence of exactly max_len positions"""
    module, weight = build(student, rng, 8, 4, mistakes)
    x = torch.randn(2, 8, 4, generator=rng)
    expect_close(forward(module, x, 8, mistakes), x.double() + weight.double(),
                 what=mistakes.on_x(f"{CLASS}(8, 4)", (2, 8, 4)), mistakes=mistakes.learned(x, weight))


@check(points=1, visibility=HIDDEN, target=CLASS,
       ko="학습형 위치 임베딩: T > max_len이면 ValueError")
def test_too_long(student, rng, mistakes):
    """Learned embedding raises ValueError when T > max_len"""
    module = student.new(CLASS, 8, 4)
    x = torch.randn(2, 9, 4, generator=rng)
    expect_raises("ValueError", module, x, what=mistakes.on_x(f"{CLASS}(8, 4)", (2, 9, 4)))


def backward(module, x, grad_out, max_len, mistakes):
    """call_grad; x arrives as a leaf requiring grad, which autograd refuses to update in place."""
    try:
        return module.call_grad(x, grad_outputs=grad_out)
    except StudentError as err:
        if err.kind != "exception":
            raise
        if "leaf Variable that requires grad" in err.exc_message:
            fail(mistakes.INPLACE)
        hint = mistakes.learned_error(err.exc_message, tuple(err.exc_types), tuple(x.shape), max_len)
        if hint:
            raise CheckFailure(mistakes.with_hint(err, hint)) from None
        raise


@check(points=2, visibility=HIDDEN, target=CLASS,
       ko="학습형 위치 임베딩: weight와 x에 그래디언트 전달")
def test_gradients(student, rng, mistakes):
    """Learned embedding passes gradients to weight and to x"""
    module, weight = build(student, rng, 12, 6, mistakes)
    x = torch.randn(3, 5, 6, generator=rng)
    grad_out = torch.randn(3, 5, 6, generator=rng)
    _, input_grads, param_grads = backward(module, x, grad_out, 12, mistakes)
    weight_grad = param_grads.get("weight")
    if weight_grad is None:
        fail(mistakes.NO_GRAD_WEIGHT)
    expected = torch.zeros(12, 6, dtype=torch.float64)
    expected[:5] = grad_out.double().sum(0)     # rows past T are unused, so their gradient is 0
    expect_close(weight_grad, expected, what="weight.grad", mistakes=mistakes.learned_grad(x, weight, grad_out))
    if not input_grads or input_grads[0] is None:
        fail(mistakes.NO_GRAD_X)
    expect_close(input_grads[0], grad_out.double(), what="x.grad")


@check(points=1, visibility=HIDDEN, target=CLASS,
       ko="학습형 위치 임베딩: x를 제자리(in place)에서 바꾸지 않음")
def test_input_untouched(student, rng, mistakes):
    """Learned embedding does not modify x in place"""
    module, _ = build(student, rng, 10, 4, mistakes)
    # the proxy compares arguments before and after only for plain functions (student.call);
    # for a module, the leaf-tensor rule of autograd in `backward` is what exposes `x += ...`
    backward(module, torch.randn(2, 6, 4, generator=rng), torch.ones(2, 6, 4), 10, mistakes)
