"""Hidden checks of noam_lr: both branches, the corner at warm-up, step 1, and step < 1.

The rates are tiny (1e-7 .. 1e-3), so they are compared with the contract's rtol=1e-6 and
atol=0: an absolute tolerance would accept almost anything.
"""
import torch

from graders.checks import check, expect_close, expect_raises, fail
from graders.i18n import T

HIDDEN = "after_due_date"


def _number(value, what):
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(T("{what}: expected a float, got {got}", "{what}: float여야 하는데 {got}입니다").format(
            what=what, got=type(value).__name__))
    return float(value)


CONSTANT_FACTOR = ("the rates are off by the same factor at every step: check the d_model ** -0.5 factor "
                   "and that there is no extra scale")


def _expect_rates(student, ref, mistakes, steps, d_model, warmup):
    got = torch.tensor([_number(student.call("noam_lr", s, d_model, warmup), f"noam_lr({s}, {d_model}, {warmup})")
                        for s in steps], dtype=torch.float64)
    expected = torch.tensor([ref.noam_lr(s, d_model, warmup) for s in steps], dtype=torch.float64)
    named = dict(mistakes.noam_variants(steps, d_model, warmup))
    ratio = got / expected
    # Checked after the known mistakes, which name the cause of a constant factor when they can.
    named[CONSTANT_FACTOR] = got if torch.allclose(ratio, ratio[0].expand_as(ratio), rtol=1e-6, atol=0.0) else None
    expect_close(got, expected, what=T("noam_lr(step, {d}, {w}) at steps {steps}", "스텝 {steps}에서의 noam_lr(step, {d}, {w})"
                                       ).format(d=d_model, w=warmup, steps=tuple(steps)),
                 atol=0.0, rtol=1e-6, mistakes=named)


@check(points=2, visibility=HIDDEN, target="noam_lr",
       ko="noam_lr: d_model=512, warmup_steps=4000에서 워밍업과 감소")
def test_paper_setting(student, ref, mistakes):
    """noam_lr over warm-up and decay with d_model=512, warmup_steps=4000"""
    steps = (2, 3, 10, 500, 3998, 3999, 4000, 4001, 4002, 8000, 100000, 1000000)
    _expect_rates(student, ref, mistakes, steps, 512, 4000)


@check(points=1, visibility=HIDDEN, target="noam_lr",
       ko="noam_lr: 작은 너비와 짧은 워밍업")
def test_small_settings(student, ref, mistakes):
    """noam_lr with small widths and short warm-ups"""
    for d_model, warmup in ((64, 10), (1, 1), (3, 7)):
        steps = tuple(sorted({2, warmup, warmup + 1, 2 * warmup + 1, 50}))
        _expect_rates(student, ref, mistakes, steps, d_model, warmup)


@check(points=1, visibility=HIDDEN, target="noam_lr",
       ko="noam_lr: 첫 학습 스텝인 step 1")
def test_first_step(student, ref, mistakes):
    """noam_lr at step 1, the first training step"""
    for d_model, warmup in ((512, 4000), (64, 10), (1, 1)):
        what = f"noam_lr(1, {d_model}, {warmup})"
        got = _number(student.call("noam_lr", 1, d_model, warmup), what)
        expected = ref.noam_lr(1, d_model, warmup)
        expect_close(torch.tensor([got], dtype=torch.float64), torch.tensor([expected], dtype=torch.float64),
                     what=what, atol=0.0, rtol=1e-6, mistakes=mistakes.noam_variants((1,), d_model, warmup))


@check(points=1, visibility=HIDDEN, target="noam_lr",
       ko="noam_lr: step 0과 음수 step이면 ValueError")
def test_rejects_steps_below_one(student):
    """noam_lr raises ValueError for step 0 and negative steps"""
    for step in (0, -1, -4000):
        expect_raises("ValueError", student.call, "noam_lr", step, 512, 4000, what=f"noam_lr({step}, 512, 4000)")
