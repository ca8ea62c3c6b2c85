"""Hidden checks of SGDMomentum, Adagrad and Adam: long runs, other hyper-parameters,
parameters without gradients, and zero_grad.

The parameters live in the sandbox (student.tensor), as leaf tensors that require grad,
like a model's. Every step sets each .grad from the grader and calls step(); the parameters
are read back at checkpoints and compared with the reference run on the same numbers in the
grader. Gradients vary in scale from step to step, so that momentum, running sums and bias
correction all change the trajectory visibly. Each step costs a few round trips to the
sandbox, so runs are as long as the mistakes need to show and no longer; the zero_grad
checks run it between steps, where a zero_grad that also resets the state would show.
"""
import functools

import torch

from graders.checks import CheckFailure, check, diagnose, fail
from graders.i18n import Mistake, T, message_of
from graders.sandbox.proxy import StudentError

HIDDEN = "after_due_date"
SHAPES = [(5,), (2, 3)]
ONE = [(3, 4)]           # long runs: one tensor, two round trips a step
CHECKPOINTS = (1, 2, 3, 5, 10, 20, 40)

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
VARIANTS = {"SGDMomentum": "sgd_variants", "Adagrad": "adagrad_variants", "Adam": "adam_variants"}
NONE_HINT = Mistake(
    "optimizers/none-grad-not-skipped",
    "a parameter whose .grad is None took no part in the loss; skip it, as torch.optim does "
    "(`if p.grad is None: continue`)",
    ".grad가 None인 파라미터는 손실에 관여하지 않았습니다. torch.optim처럼 건너뛰세요 (`if p.grad is None: continue`)")


def _params(rng, scale=1.0, shapes=SHAPES):
    return [torch.randn(s, generator=rng) * scale for s in shapes]


def _grads(rng, steps, scale=1.0, none=(), shapes=SHAPES):
    """grads[t][k]; (k, every) in `none` leaves parameter k without a gradient every `every` steps."""
    rows = []
    for t in range(steps):
        row = [torch.randn(s, generator=rng) * scale * (0.3, 1.0, 2.5)[t % 3] for s in shapes]
        for k, every in none:
            if t % every == 0:
                row[k] = None
        rows.append(row)
    return rows


class _Run:
    """The student's optimizer on parameters placed in the sandbox."""

    def __init__(self, student, cls, params, *args, **hyper):
        self.cls = cls
        self.handles = [student.tensor(p, requires_grad=True) for p in params]
        self.opt = student.new(cls, self.handles, *args, **hyper)

    def steps(self, grads, checkpoints, *, zero_grad=False):
        """Parameters at each checkpoint (1-based step numbers), one flattened row each."""
        rows = []
        for t, step_grads in enumerate(grads, 1):
            if zero_grad:
                self.opt.call("zero_grad")
            for h, g in zip(self.handles, step_grads):
                h.setattr("grad", g)
            self._step(step_grads)
            if t in checkpoints:
                rows.append(_flat([h.value() for h in self.handles], what=T("parameters after step {t}", "{t}번째 스텝 후의 파라미터").format(t=t)))
        return torch.stack(rows)

    def _step(self, step_grads):
        try:
            self.opt.call("step")
        except StudentError as err:
            hint = LEAF_HINT if "leaf Variable" in err.exc_message else (
                NONE_HINT if "NoneType" in err.exc_message and any(g is None for g in step_grads) else "")
            if hint:
                raise CheckFailure(message_of(err) + LIKELY + hint) from None
            raise


def _flat(values, *, what):
    for v in values:
        if not isinstance(v, torch.Tensor):
            fail(T("{what}: a parameter is no longer a tensor ({got})", "{what}: 파라미터가 더 이상 텐서가 아닙니다 ({got})"
                   ).format(what=what, got=type(v).__name__))
    return torch.cat([v.detach().reshape(-1).double() for v in values])


def _expect_run(got, expected, initial, checkpoints, variants, *, what):
    """Name the first checkpoint where the run leaves the reference; then the mistake, if known."""
    bad = ~torch.isclose(got, expected, atol=1e-5, rtol=1e-4)
    if not bad.any():
        return
    first = int(bad.any(dim=1).nonzero()[0])
    step = checkpoints[first]
    if torch.equal(got, initial.expand_as(got)):
        fail(what + ": " + UNCHANGED)
    row, n_bad = got[first], int(bad[first].sum())
    if not torch.isfinite(row).all():
        message = T("{what}: after step {step} the parameters hold NaN or inf",
                    "{what}: {step}번째 스텝 후 파라미터에 NaN이나 inf가 있습니다").format(what=what, step=step)
    else:
        err = float((row - expected[first]).abs()[bad[first]].max())
        message = AFTER_STEP.format(what=what, step=step, n=n_bad, total=row.numel()) + T(
            f" (largest error {err:.3g})", f" (최대 오차 {err:.3g})")
    hint = diagnose(got, variants())
    fail(message + ("; " + hint if hint else ""))


def _check_run(student, ref, mistakes, cls, params, grads, *args, what, zero_grad=False, **hyper):
    """Run `cls` in the sandbox and the reference here on the same numbers; compare the runs."""
    checkpoints = tuple(c for c in CHECKPOINTS if c < len(grads)) + (len(grads),)
    run = _Run(student, cls, params, *args, **hyper)
    got = run.steps(grads, checkpoints, zero_grad=zero_grad)
    ref_cls = getattr(ref, cls)
    expected = mistakes.trajectory(lambda ps: ref_cls(ps, *args, **hyper), params, grads, checkpoints)
    initial = torch.cat([p.reshape(-1).double() for p in params])
    variants_fn = getattr(mistakes, VARIANTS[cls])
    variants = functools.cache(lambda: variants_fn(params, grads, checkpoints, *args, **hyper))
    _expect_run(got, expected, initial, checkpoints, variants, what=what)
    return run


def _check_zero_grad(student, ref, mistakes, rng, cls, **hyper):
    """Steps with zero_grad() in between match the reference, and zero_grad() leaves .grad None."""
    run = _check_run(student, ref, mistakes, cls, _params(rng), _grads(rng, 6), zero_grad=True,
                     what=T("{cls} with zero_grad() before every step", "{cls}, 매 스텝 전에 zero_grad()").format(
                         cls=cls), **hyper)
    run.opt.call("zero_grad")
    for k, h in enumerate(run.handles):
        grad = h.getattr("grad")
        if grad is None:
            continue
        if isinstance(grad, torch.Tensor) and not grad.any():
            fail(ZERO_GRAD_ZEROS.format(cls=cls))
        fail(ZERO_GRAD_KEPT.format(cls=cls, k=k))


ZERO_GRAD_ZEROS = Mistake(
    "optimizers/zero-grad-fills-zeros",
    "{cls}.zero_grad() fills the gradients with zeros; like torch.optim (set_to_none=True) it must set each "
    "parameter's .grad to None",
    "{cls}.zero_grad()가 그래디언트를 0으로 채웁니다. torch.optim(set_to_none=True)처럼 각 파라미터의 .grad를 "
    "None으로 설정해야 합니다")
ZERO_GRAD_KEPT = Mistake(
    "optimizers/zero-grad-keeps-grad",
    "{cls}.zero_grad() left parameter {k}'s gradient in place; it must set .grad to None",
    "{cls}.zero_grad()가 파라미터 {k}의 그래디언트를 그대로 두었습니다. .grad를 None으로 설정해야 합니다")


# --------------------------------------------------------------------------- SGDMomentum

@check(points=3, visibility=HIDDEN, target="SGDMomentum",
       ko="SGDMomentum: 40스텝 (lr=0.01, momentum=0.9)")
def test_sgd_long_run(student, ref, rng, mistakes):
    """SGDMomentum over 40 steps (lr=0.01, momentum=0.9)"""
    _check_run(student, ref, mistakes, "SGDMomentum", _params(rng, shapes=ONE), _grads(rng, 40, shapes=ONE),
               lr=0.01, momentum=0.9, what="SGDMomentum(lr=0.01, momentum=0.9)")


@check(points=2, visibility=HIDDEN, target="SGDMomentum",
       ko="SGDMomentum: momentum=0.5와 기본 momentum")
def test_sgd_other_momentum_and_default(student, ref, rng, mistakes):
    """SGDMomentum with momentum=0.5, and with the default momentum"""
    _check_run(student, ref, mistakes, "SGDMomentum", _params(rng, shapes=ONE), _grads(rng, 15, shapes=ONE),
               lr=0.05, momentum=0.5, what="SGDMomentum(lr=0.05, momentum=0.5)")
    _check_run(student, ref, mistakes, "SGDMomentum", _params(rng, shapes=ONE), _grads(rng, 15, shapes=ONE),
               0.02, what=T("SGDMomentum(params, 0.02) with the default momentum",
                                                         "SGDMomentum(params, 0.02), 기본 momentum"))


@check(points=1, visibility=HIDDEN, target="SGDMomentum",
       ko="SGDMomentum: grad가 None인 파라미터는 그대로 둠")
def test_sgd_skips_missing_grads(student, ref, rng, mistakes):
    """SGDMomentum leaves parameters whose grad is None alone"""
    shapes = [(3,), (), (2, 2)]
    grads = _grads(rng, 12, none=((0, 1), (1, 3)), shapes=shapes)
    _check_run(student, ref, mistakes, "SGDMomentum", _params(rng, shapes=shapes), grads,
               lr=0.05, momentum=0.9, what=T("SGDMomentum with some grads None", "SGDMomentum, 일부 grad가 None"))


@check(points=1, visibility=HIDDEN, target="SGDMomentum",
       ko="SGDMomentum.zero_grad: 모든 grad를 None으로 하고 모멘텀은 유지")
def test_sgd_zero_grad(student, ref, rng, mistakes):
    """SGDMomentum.zero_grad sets every grad to None and keeps the momentum"""
    _check_zero_grad(student, ref, mistakes, rng, "SGDMomentum", lr=0.1)


# --------------------------------------------------------------------------- Adagrad

@check(points=3, visibility=HIDDEN, target="Adagrad",
       ko="Adagrad: 기본 lr과 eps로 40스텝")
def test_adagrad_long_run(student, ref, rng, mistakes):
    """Adagrad over 40 steps with the default lr and eps"""
    _check_run(student, ref, mistakes, "Adagrad", _params(rng, shapes=ONE), _grads(rng, 40, shapes=ONE),
               what="Adagrad(params)")


@check(points=2, visibility=HIDDEN, target="Adagrad",
       ko="Adagrad: lr=0.5와 큰 eps=0.1")
def test_adagrad_large_eps(student, ref, rng, mistakes):
    """Adagrad with lr=0.5 and a large eps=0.1"""
    # Gradients of size ~0.1 make sqrt(G) comparable to eps, so where eps goes shows.
    _check_run(student, ref, mistakes, "Adagrad", _params(rng, shapes=ONE), _grads(rng, 20, 0.1, shapes=ONE),
               lr=0.5, eps=0.1, what="Adagrad(lr=0.5, eps=0.1)")


@check(points=1, visibility=HIDDEN, target="Adagrad",
       ko="Adagrad: grad가 None인 파라미터는 그대로 둠")
def test_adagrad_skips_missing_grads(student, ref, rng, mistakes):
    """Adagrad leaves parameters whose grad is None alone"""
    shapes = [(3,), (), (2, 2)]
    grads = _grads(rng, 12, none=((0, 1), (2, 2)), shapes=shapes)
    _check_run(student, ref, mistakes, "Adagrad", _params(rng, shapes=shapes), grads,
               lr=0.1, what=T("Adagrad with some grads None", "Adagrad, 일부 grad가 None"))


@check(points=1, visibility=HIDDEN, target="Adagrad",
       ko="Adagrad.zero_grad: 모든 grad를 None으로 하고 누적 합은 유지")
def test_adagrad_zero_grad(student, ref, rng, mistakes):
    """Adagrad.zero_grad sets every grad to None and keeps the sums"""
    _check_zero_grad(student, ref, mistakes, rng, "Adagrad", lr=0.1)


# --------------------------------------------------------------------------- Adam

@check(points=3, visibility=HIDDEN, target="Adam",
       ko="Adam: 기본 하이퍼파라미터로 40스텝")
def test_adam_long_run(student, ref, rng, mistakes):
    """Adam over 40 steps with the default hyper-parameters"""
    _check_run(student, ref, mistakes, "Adam", _params(rng, shapes=ONE), _grads(rng, 40, shapes=ONE),
               what="Adam(params)")


@check(points=2, visibility=HIDDEN, target="Adam",
       ko="Adam: 다른 하이퍼파라미터 lr=0.01, betas=(0.8, 0.99), eps=1e-6")
def test_adam_other_betas(student, ref, rng, mistakes):
    """Adam with lr=0.01, betas=(0.8, 0.99), eps=1e-6"""
    _check_run(student, ref, mistakes, "Adam", _params(rng, shapes=ONE), _grads(rng, 20, shapes=ONE),
               lr=0.01, betas=(0.8, 0.99), eps=1e-6, what="Adam(lr=0.01, betas=(0.8, 0.99), eps=1e-6)")


@check(points=3, visibility=HIDDEN, target="Adam",
       ko="Adam: weight_decay=0.1 (L2: 그래디언트에 더함)")
def test_adam_l2_weight_decay(student, ref, rng, mistakes):
    """Adam with weight_decay=0.1 (L2: added to the gradient)"""
    # Small gradients and large parameters, so that the decay term weighs as much as the gradient.
    _check_run(student, ref, mistakes, "Adam", _params(rng, 2.0, shapes=ONE), _grads(rng, 30, 0.1, shapes=ONE),
               lr=0.01, weight_decay=0.1, what="Adam(lr=0.01, weight_decay=0.1)")


@check(points=1, visibility=HIDDEN, target="Adam",
       ko="Adam: 그래디언트가 없는 파라미터는 그대로 둠")
def test_adam_skips_missing_grads(student, ref, rng, mistakes):
    """Adam leaves a parameter without gradients alone"""
    shapes = [(3,), (), (2, 2)]
    grads = _grads(rng, 12, none=((1, 1),), shapes=shapes)
    _check_run(student, ref, mistakes, "Adam", _params(rng, shapes=shapes), grads,
               lr=0.01, what=T("Adam with a parameter whose grad is always None", "Adam, grad가 항상 None인 파라미터"))


@check(points=1, visibility=HIDDEN, target="Adam",
       ko="Adam.zero_grad: 모든 grad를 None으로 하고 모멘트는 유지")
def test_adam_zero_grad(student, ref, rng, mistakes):
    """Adam.zero_grad sets every grad to None and keeps the moments"""
    _check_zero_grad(student, ref, mistakes, rng, "Adam", lr=0.01)
