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
from graders.pictures import learning_curve
from graders.sandbox.proxy import StudentError

SHAPES = [(4,), (2, 3)]
STEPS = 10

UNCHANGED = ("the parameters passed to the optimizer did not change: step() must update those very "
             "tensors in place (p.add_(...), p -= ... under torch.no_grad(), or p.data), not copies "
             "of them or new tensors")
LEAF_HINT = ("the parameters are leaf tensors that require grad (like a model's); update them inside "
             "`with torch.no_grad():` (or through p.data)")


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
                raise CheckFailure(f"{err}\nLikely mistake: {LEAF_HINT}") from None
            raise
        current = [h.value() for h in handles]
        if not all(isinstance(v, torch.Tensor) and v.shape == p.shape for v, p in zip(current, params)):
            fail(f"{cls}: after step {step} a parameter is no longer a tensor of its shape")
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
    artifacts.image(f"{cls}-loss.png", learning_curve(
        {"yours": list(enumerate(objective.losses(params, got))),
         "reference (= torch.optim)": list(enumerate(objective.losses(params, expected)))},
        title=f"{what} on a quadratic bowl", ylabel="loss"), caption=f"{what}: loss after each step")
    initial = torch.cat([p.reshape(-1).double() for p in params])
    if torch.equal(got, initial.expand_as(got)):
        fail(f"{what}: {UNCHANGED}")
    first = int(bad.any(dim=1).nonzero()[0])
    variants = getattr(mistakes, variants_name)(params, objective, checkpoints, **hyper)
    hint = diagnose(got, variants)
    fail(f"{what}: after step {first + 1}, {int(bad[first].sum())} of {got.shape[1]} parameter values differ "
         f"from the expected ones" + (f"; {hint}" if hint else ""))


@check(points=2, visibility="visible", target="SGDMomentum")
def test_sgd_momentum_ten_steps(student, ref, rng, mistakes, artifacts):
    """SGDMomentum: ten steps with lr=0.1, momentum=0.9"""
    _check_optimizer(student, ref, mistakes, rng, artifacts, "SGDMomentum", "sgd_variants", lr=0.1, momentum=0.9)


@check(points=2, visibility="visible", target="Adagrad")
def test_adagrad_ten_steps(student, ref, rng, mistakes, artifacts):
    """Adagrad: ten steps with lr=0.1"""
    _check_optimizer(student, ref, mistakes, rng, artifacts, "Adagrad", "adagrad_variants", lr=0.1)


@check(points=2, visibility="visible", target="Adam")
def test_adam_ten_steps(student, ref, rng, mistakes, artifacts):
    """Adam: ten steps with lr=0.01"""
    _check_optimizer(student, ref, mistakes, rng, artifacts, "Adam", "adam_variants", lr=0.01)


@check(points=1, visibility="visible", target="noam_lr")
def test_noam_lr_warmup_and_decay(student, ref, mistakes):
    """noam_lr(step, 512, 4000) during warm-up and after it"""
    steps = (2, 100, 3999, 4000, 4001, 20000)
    got = torch.tensor([_number(student.call("noam_lr", s, 512, 4000), f"noam_lr({s}, 512, 4000)")
                        for s in steps], dtype=torch.float64)
    expected = torch.tensor([ref.noam_lr(s, 512, 4000) for s in steps], dtype=torch.float64)
    expect_close(got, expected, what=f"noam_lr at steps {steps}", atol=0.0, rtol=1e-6,
                 mistakes=mistakes.noam_variants(steps, 512, 4000))


def _number(value, what):
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(f"{what}: expected a float, got {type(value).__name__}")
    return float(value)


@check(points=1, visibility="visible", target="noam_lr")
def test_noam_lr_rejects_step_zero(student):
    """noam_lr(0, 512, 4000) raises ValueError"""
    expect_raises("ValueError", student.call, "noam_lr", 0, 512, 4000, what="noam_lr(0, 512, 4000)")


@check(points=2, visibility="visible", target="label_smoothing_cross_entropy")
def test_label_smoothing_small(student, ref, rng, mistakes):
    """label_smoothing_cross_entropy on 6 rows and 4 classes, default smoothing"""
    logits = torch.randn(6, 4, generator=rng) * 2
    target = torch.randint(0, 4, (6,), generator=rng)
    loss = student.call("label_smoothing_cross_entropy", logits, target)
    expected = ref.label_smoothing_cross_entropy(logits.double(), target)
    expect_close(loss, expected, what="label_smoothing_cross_entropy(logits, target)",
                 mistakes=mistakes.label_smoothing_variants(logits, target, 0.1, -100))
