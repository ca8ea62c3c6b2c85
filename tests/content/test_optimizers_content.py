"""Grade every optimizers content file through the real engine.

Correct submissions in any style earn full marks; each file in optimizers/ with one classic
mistake loses exactly the checks that mistake should cost, and the feedback names it.
"""
from dataclasses import dataclass
from pathlib import Path

import pytest

from graders.contracts import Job
from tests.content.naming import is_named

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = ROOT / "assignments" / "optimizers"
FILES = Path(__file__).resolve().parent / "optimizers"
POINTS = 50

SGD_PUBLIC = "SGDMomentum: ten steps with lr=0.1, momentum=0.9"
SGD_LONG = "SGDMomentum over 40 steps (lr=0.01, momentum=0.9)"
SGD_OTHER = "SGDMomentum with momentum=0.5, and with the default momentum"
SGD_NONE = "SGDMomentum leaves parameters whose grad is None alone"
SGD_ZERO = "SGDMomentum.zero_grad sets every grad to None and keeps the momentum"
SGD = frozenset({SGD_PUBLIC, SGD_LONG, SGD_OTHER, SGD_NONE, SGD_ZERO})

ADAGRAD_PUBLIC = "Adagrad: ten steps with lr=0.1"
ADAGRAD_EPS = "Adagrad with lr=0.5 and a large eps=0.1"
ADAGRAD_ZERO = "Adagrad.zero_grad sets every grad to None and keeps the sums"
ADAGRAD = frozenset({ADAGRAD_PUBLIC, "Adagrad over 40 steps with the default lr and eps", ADAGRAD_EPS,
                     "Adagrad leaves parameters whose grad is None alone", ADAGRAD_ZERO})

ADAM_L2 = "Adam with weight_decay=0.1 (L2: added to the gradient)"
ADAM_ZERO = "Adam.zero_grad sets every grad to None and keeps the moments"
ADAM = frozenset({"Adam: ten steps with lr=0.01", "Adam over 40 steps with the default hyper-parameters",
                  "Adam with lr=0.01, betas=(0.8, 0.99), eps=1e-6", ADAM_L2,
                  "Adam leaves a parameter without gradients alone", ADAM_ZERO})

NOAM_ZERO = "noam_lr(0, 512, 4000) raises ValueError"
NOAM_BELOW_ONE = "noam_lr raises ValueError for step 0 and negative steps"
NOAM_FIRST = "noam_lr at step 1, the first training step"
NOAM_VALUES = frozenset({"noam_lr(step, 512, 4000) during warm-up and after it",
                         "noam_lr over warm-up and decay with d_model=512, warmup_steps=4000",
                         "noam_lr with small widths and short warm-ups", NOAM_FIRST})

LS_PUBLIC = "label_smoothing_cross_entropy on 6 rows and 4 classes, default smoothing"
LS_SIZES = "Label smoothing: several sizes and smoothing values"
LS_IGNORED = "Label smoothing: rows with target -100 are left out of the sum and the mean"
LS_PADDING = "Label smoothing: ignore_index=0, a padding id that is also a class (positional arguments)"
LS_ALL_IGNORED = "Label smoothing: every target ignored gives NaN, as in F.cross_entropy"
LS_EXTREMES = "Label smoothing: smoothing=0 is the plain cross-entropy, smoothing=1 the uniform one"
LS_LARGE = "Label smoothing: large logits give a finite, exact loss"
LS_GRAD = "Label smoothing: the gradient w.r.t. the logits matches F.cross_entropy's"
LS_INPUTS = "Label smoothing: logits and target are left unchanged"
LS = frozenset({LS_PUBLIC, LS_SIZES, LS_IGNORED, LS_PADDING, LS_ALL_IGNORED, LS_EXTREMES, LS_LARGE, LS_GRAD,
                LS_INPUTS})
# Every loss check but the all-ignored one compares a value that a wrong formula changes.
LS_VALUES = LS - {LS_ALL_IGNORED}
# Checks whose cases hold ignored rows.
LS_WITH_IGNORED = frozenset({LS_IGNORED, LS_PADDING, LS_EXTREMES, LS_LARGE, LS_GRAD, LS_INPUTS})


@dataclass(frozen=True)
class Mistake:
    failing: frozenset          # exactly the checks this mistake must cost
    named: str                  # the mistake's id, or a phrase of the feedback (tests/content/naming.py)
    named_in: frozenset = None  # the checks whose feedback must name it (default: all failing)


MISTAKES = {
    "sgd_dampening": Mistake(SGD, "optimizers/sgd-dampening"),
    "sgd_nesterov": Mistake(SGD, "optimizers/sgd-nesterov"),
    # Only the checks that call zero_grad() between steps can see it.
    "sgd_velocity_reset_in_zero_grad": Mistake(frozenset({SGD_PUBLIC, SGD_ZERO}), "optimizers/sgd-buffer-not-kept"),
    "sgd_none_grad_as_zero": Mistake(frozenset({SGD_NONE}), "optimizers/sgd-none-grad-updated"),
    "sgd_new_tensors": Mistake(SGD, "optimizers/params-not-updated"),
    "sgd_no_torch_no_grad": Mistake(SGD, "optimizers/leaf-in-place"),
    "sgd_crashes_on_none_grad": Mistake(frozenset({SGD_NONE}), "optimizers/none-grad-not-skipped"),
    # With the default eps = 1e-10 both placements agree to within rounding; a large eps tells.
    "adagrad_eps_inside_sqrt": Mistake(frozenset({ADAGRAD_EPS}), "optimizers/adagrad-eps-inside"),
    "adagrad_no_accumulation": Mistake(ADAGRAD, "optimizers/adagrad-not-accumulated"),
    "adagrad_rmsprop": Mistake(ADAGRAD, "optimizers/adagrad-ema"),
    "adam_no_bias_correction": Mistake(ADAM, "optimizers/adam-no-bias-correction"),
    "adam_decoupled_weight_decay": Mistake(frozenset({ADAM_L2}), "optimizers/adam-decoupled-decay"),
    "adam_bias_correction_off_by_one": Mistake(ADAM, "optimizers/adam-correction-off-by-one"),
    "adam_betas_swapped": Mistake(ADAM, "optimizers/adam-betas-swapped"),
    "zero_grad_fills_zeros": Mistake(frozenset({SGD_ZERO, ADAGRAD_ZERO, ADAM_ZERO}),
                                     "optimizers/zero-grad-fills-zeros"),
    "banned_torch_optim": Mistake(ADAM, "Banned API: `Adam` uses torch.optim"),
    "noam_step_plus_one": Mistake(NOAM_VALUES, "optimizers/noam-step-plus-one"),
    # At step 1 it computes 0 ** -0.5 and crashes; the traceback shows where.
    "noam_step_minus_one": Mistake(NOAM_VALUES, "optimizers/noam-step-minus-one",
                                   named_in=NOAM_VALUES - {NOAM_FIRST}),
    "noam_no_value_error": Mistake(frozenset({NOAM_ZERO, NOAM_BELOW_ONE}), "expected ValueError"),
    "noam_warmup_power": Mistake(NOAM_VALUES, "optimizers/noam-warmup-exponent"),
    "ls_k_minus_one": Mistake(LS_VALUES, "optimizers/ls-spread-k-minus-1"),
    "ls_kl_divergence": Mistake(LS_VALUES, "optimizers/ls-kl-divergence"),
    "ls_mean_over_all_rows": Mistake(LS_WITH_IGNORED | {LS_ALL_IGNORED}, "optimizers/ls-mean-over-all",
                                     named_in=LS_WITH_IGNORED),
    "ls_padding_not_ignored": Mistake(frozenset({LS_PADDING, LS_ALL_IGNORED}), "optimizers/ls-ignore-index-unused",
                                      named_in=frozenset({LS_PADDING})),
    "ls_log_of_softmax": Mistake(frozenset({LS_LARGE}), "optimizers/ls-unstable"),
    "ls_all_ignored_zero": Mistake(frozenset({LS_ALL_IGNORED}), "optimizers/ls-all-ignored"),
    "ls_detached": Mistake(frozenset({LS_GRAD}), "optimizers/ls-detached"),
    # The in-place subtraction also breaks backward on the leaf; the inputs check names it.
    "ls_mutates_logits": Mistake(frozenset({LS_INPUTS, LS_GRAD}), "changed its argument `logits` in place",
                                 named_in=frozenset({LS_INPUTS})),
    "banned_cross_entropy": Mistake(LS, "torch.nn.functional.cross_entropy"),
}
CORRECT = sorted(p.stem for p in FILES.glob("correct_*.py"))


def _grade(engine, path):
    return engine.grade(Job(assignment_dir=str(ASSIGNMENT), filename="optim.py", content=path.read_bytes()))


def test_every_content_file_is_covered():
    assert {p.stem for p in FILES.glob("*.py")} == set(MISTAKES) | set(CORRECT)


@pytest.mark.parametrize("name", CORRECT)
def test_correct_style_earns_full_marks(engine, name):
    result = _grade(engine, FILES / f"{name}.py")
    failed = {t.name: t.output for t in result.tests if t.status != "passed"}
    assert failed == {}
    assert result.score == result.max_score == POINTS


def test_reference_earns_full_marks_and_starter_nothing(engine):
    reference = _grade(engine, ROOT / "reference" / "optimizers.py")
    starter = _grade(engine, ASSIGNMENT / "starter" / "optim.py")
    assert reference.score == reference.max_score == POINTS
    assert starter.score == 0
    assert all("NotImplementedError" in t.output for t in starter.tests)


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_mistake_loses_its_checks_and_is_named(engine, name):
    mistake = MISTAKES[name]
    result = _grade(engine, FILES / f"{name}.py")
    failed = {t.name: t.output for t in result.tests if t.status != "passed"}
    assert set(failed) == mistake.failing
    tests = {t.name: t for t in result.tests}
    for check in mistake.named_in or mistake.failing:
        assert is_named(tests[check], mistake.named), f"{check}: {failed[check]}"
    assert result.score == result.max_score - sum(t.max_score for t in result.tests if t.name in mistake.failing)
