"""Small visible checks: ten steps of each optimizer, a few Noam rates, one smoothed loss.

How an optimizer is run: the grader places the parameters in your process as leaf tensors
with requires_grad=True (like a model's) and builds your optimizer on them. At every step it
calls zero_grad(), sets each parameter's .grad to the gradient of a small quadratic loss at
the current parameters, and calls step(); then it reads the parameters back and compares them
with the reference (which agrees with torch.optim) run on the same problem. When they
differ, the feedback shows both loss curves.
The hidden checks run fixed gradients for up to 40 steps, with other hyper-parameters, L2
weight decay, parameters whose .grad is None and zero_grad; and test noam_lr and the loss
more widely.
"""
import torch

from graders.checks import CheckFailure, check, diagnose, expect_close, expect_raises, fail
from graders.i18n import Mistake, T, message_of
from graders.pictures import describe_curves, learning_curve
from graders.sandbox.proxy import StudentError

SHAPES = [(4,), (2, 3)]
STEPS = 10

UNCHANGED = Mistake(
    "optimizers/params-not-updated",
    "the parameters passed to the optimizer did not change: step() must update those very tensors in place "
    "(p.add_(...), p -= ... under torch.no_grad(), or p.data), not copies of them or new tensors",
    "옵티마이저에 넘긴 파라미터가 바뀌지 않았습니다: step()은 복사본이나 새 텐서가 아니라 바로 그 텐서를 "
    "제자리에서 갱신해야 합니다 (p.add_(...), torch.no_grad() 안에서 p -= ..., 또는 p.data)")
LEAF_HINT = Mistake(
    "optimizers/leaf-in-place",
    "the parameters are leaf tensors that require grad (like a model's); update them inside "
    "`with torch.no_grad():` (or through p.data)",
    "파라미터는 (모델의 파라미터처럼) grad가 필요한 리프 텐서입니다. `with torch.no_grad():` 안에서 (또는 p.data로) "
    "갱신하세요")
LIKELY = T("\nLikely mistake: ", "\n예상되는 실수: ")
AFTER_STEP = T("{what}: after step {step}, {n} of {total} parameter values differ from the expected ones",
               "{what}: {step}번째 스텝 후 파라미터 값 {total}개 중 {n}개가 기대한 값과 다릅니다")
NOT_A_FLOAT = T("{what}: expected a float, got {got}", "{what}: float여야 하는데 {got}입니다")


def _run(student, cls, params, objective, **hyper):
    """Your optimizer in the sandbox, minimising `objective`: the parameters after every step."""
    handles = [student.tensor(p, requires_grad=True) for p in params]
    opt = student.new(cls, handles, **hyper)
    rows, current = [], params
    for step in range(1, len(objective) + 1):
        opt.call("zero_grad")
        for h, g in zip(handles, objective(current)):
            h.setattr("grad", g)
        try:
            opt.call("step")
        except StudentError as err:
            if "leaf Variable" in err.exc_message:
                raise CheckFailure(message_of(err) + LIKELY + LEAF_HINT) from None
            raise
        current = [h.value() for h in handles]
        if not all(isinstance(v, torch.Tensor) and v.shape == p.shape for v, p in zip(current, params)):
            fail(T("{cls}: after step {step} a parameter is no longer a tensor of its shape",
                   "{cls}: {step}번째 스텝 후 파라미터가 더 이상 원래 형태의 텐서가 아닙니다").format(cls=cls, step=step))
        rows.append(torch.cat([v.detach().reshape(-1).double() for v in current]))
    return torch.stack(rows)


def _check_optimizer(student, ref, mistakes, rng, artifacts, cls, variants_name, **hyper):
    """Minimise a small quadratic with your optimizer and with the reference; compare every step."""
    params = [torch.randn(s, generator=rng) for s in SHAPES]
    objective = mistakes.Quadratic(rng, SHAPES, STEPS)
    got = _run(student, cls, params, objective, **hyper)
    ref_cls = getattr(ref, cls)
    checkpoints = tuple(range(1, STEPS + 1))
    expected = mistakes.trajectory(lambda ps: ref_cls(ps, **hyper), params, objective, checkpoints)
    bad = ~torch.isclose(got, expected, atol=1e-5, rtol=1e-4)
    if not bad.any():
        return
    what = f"{cls}({', '.join(f'{k}={v}' for k, v in hyper.items())})"
    series = {T("yours", "제출"): list(enumerate(objective.losses(params, got))),
              T("reference (= torch.optim)", "정답 (= torch.optim)"): list(enumerate(objective.losses(params, expected)))}
    artifacts.image(f"{cls}-loss.png",
                    learning_curve(series, title=T("{what} on a quadratic bowl", "이차 함수 그릇에서 {what}").format(
                        what=what), xlabel=T("step", "스텝"), ylabel=T("loss", "손실")),
                    caption=T("{what}: loss after each step", "{what}: 스텝마다의 손실").format(what=what),
                    alt=describe_curves(series, xlabel=T("step", "스텝"), ylabel=T("loss", "손실")))
    initial = torch.cat([p.reshape(-1).double() for p in params])
    if torch.equal(got, initial.expand_as(got)):
        fail(what + ": " + UNCHANGED)
    first = int(bad.any(dim=1).nonzero()[0])
    variants = getattr(mistakes, variants_name)(params, objective, checkpoints, **hyper)
    hint = diagnose(got, variants)
    fail(AFTER_STEP.format(what=what, step=first + 1, n=int(bad[first].sum()), total=got.shape[1])
         + ("; " + hint if hint else ""))


@check(points=2, visibility="visible", target="SGDMomentum",
       ko="SGDMomentum: lr=0.1, momentum=0.9로 10스텝")
def test_sgd_momentum_ten_steps(student, ref, rng, mistakes, artifacts):
    """SGDMomentum: ten steps with lr=0.1, momentum=0.9"""
    _check_optimizer(student, ref, mistakes, rng, artifacts, "SGDMomentum", "sgd_variants", lr=0.1, momentum=0.9)


@check(points=2, visibility="visible", target="Adagrad",
       ko="Adagrad: lr=0.1로 10스텝")
def test_adagrad_ten_steps(student, ref, rng, mistakes, artifacts):
    """Adagrad: ten steps with lr=0.1"""
    _check_optimizer(student, ref, mistakes, rng, artifacts, "Adagrad", "adagrad_variants", lr=0.1)


@check(points=2, visibility="visible", target="Adam",
       ko="Adam: lr=0.01로 10스텝")
def test_adam_ten_steps(student, ref, rng, mistakes, artifacts):
    """Adam: ten steps with lr=0.01"""
    _check_optimizer(student, ref, mistakes, rng, artifacts, "Adam", "adam_variants", lr=0.01)


@check(points=1, visibility="visible", target="noam_lr",
       ko="noam_lr(step, 512, 4000): 워밍업 중과 그 이후")
def test_noam_lr_warmup_and_decay(student, ref, mistakes):
    """noam_lr(step, 512, 4000) during warm-up and after it"""
    steps = (2, 100, 3999, 4000, 4001, 20000)
    got = torch.tensor([_number(student.call("noam_lr", s, 512, 4000), f"noam_lr({s}, 512, 4000)")
                        for s in steps], dtype=torch.float64)
    expected = torch.tensor([ref.noam_lr(s, 512, 4000) for s in steps], dtype=torch.float64)
    expect_close(got, expected, what=T("noam_lr at steps {steps}", "스텝 {steps}에서의 noam_lr").format(steps=steps),
                 atol=0.0, rtol=1e-6,
                 mistakes=mistakes.noam_variants(steps, 512, 4000))


def _number(value, what):
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(NOT_A_FLOAT.format(what=what, got=type(value).__name__))
    return float(value)


@check(points=1, visibility="visible", target="noam_lr",
       ko="noam_lr(0, 512, 4000)이면 ValueError")
def test_noam_lr_rejects_step_zero(student):
    """noam_lr(0, 512, 4000) raises ValueError"""
    expect_raises("ValueError", student.call, "noam_lr", 0, 512, 4000, what="noam_lr(0, 512, 4000)")


@check(points=2, visibility="visible", target="label_smoothing_cross_entropy",
       ko="label_smoothing_cross_entropy: 행 6개, 클래스 4개, 기본 smoothing")
def test_label_smoothing_small(student, ref, rng, mistakes):
    """label_smoothing_cross_entropy on 6 rows and 4 classes, default smoothing"""
    logits = torch.randn(6, 4, generator=rng) * 2
    target = torch.randint(0, 4, (6,), generator=rng)
    loss = student.call("label_smoothing_cross_entropy", logits, target)
    expected = ref.label_smoothing_cross_entropy(logits.double(), target)
    expect_close(loss, expected, what="label_smoothing_cross_entropy(logits, target)",
                 mistakes=mistakes.label_smoothing_variants(logits, target, 0.1, -100))
