"""Grade every mlp-basics content file through the real engine.

Correct submissions in any style earn full marks; each file in mlp_basics/ with one classic
mistake loses exactly the checks that mistake should cost, and the feedback names it. A
mistake in mlp_forward or mlp_backward also reaches train_xor when train_xor is built on
them (as the reference's is), so those files lose the XOR checks the broken net fails.
"""
from dataclasses import dataclass
from pathlib import Path

import pytest

from graders.contracts import Job
from tests.content.naming import is_named

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = ROOT / "assignments" / "mlp-basics"
FILES = Path(__file__).resolve().parent / "mlp_basics"

PERC_BOUNDARY = "perceptron gives 0 for points exactly on the boundary x·w + b = 0"
PERC = frozenset({
    "perceptron on a small batch", PERC_BOUNDARY, "perceptron with b as a 0-d tensor, d = 1 and a batch of one",
    "perceptron on a batch of 64 in 10 dimensions leaves its inputs unchanged",
})
BCE_SATURATED = "bce_loss with predictions of exactly 0 and 1 matches F.binary_cross_entropy"
BCE_SOFT = "bce_loss with soft targets on a (B, K) batch"
BCE_INPUTS = "bce_loss leaves its inputs unchanged"
BCE = frozenset({"bce_loss on a small batch", BCE_SATURATED, BCE_SOFT, BCE_INPUTS})
MSE = frozenset({"mse_loss on a small batch",
                 "mse_loss on (B, T, K) tensors and on a single element, inputs unchanged"})
FWD = frozenset({
    "mlp_forward on a small batch", "mlp_forward with d, H and K all different",
    "mlp_forward with a batch of one and square layers", "mlp_forward leaves its inputs unchanged",
})
BWD_SQUARE = "mlp_backward with square layers (d = H = K), where a missing transpose keeps the shapes"
BWD_ONE = "mlp_backward with a batch of one and with an upstream gradient that is zero for some outputs"
BWD_INPUTS = "mlp_backward leaves dy unchanged"
BWD = frozenset({
    "mlp_backward on a small batch", "mlp_backward with d, H and K all different", BWD_SQUARE, BWD_ONE, BWD_INPUTS,
})
XOR_DEFAULT = "train_xor() classifies XOR"
XOR_SEED = "train_xor classifies XOR with another seed, arguments by keyword"
XOR_SEEDED = "train_xor is reproducible: the same seed gives the same weights, another seed others"
XOR = frozenset({XOR_DEFAULT, XOR_SEED, XOR_SEEDED})
TRAINED = frozenset({XOR_DEFAULT, XOR_SEED})

@dataclass(frozen=True)
class Mistake:
    failing: frozenset          # exactly the checks this mistake must cost
    named: str                  # the mistake's id, or a phrase of the feedback (tests/content/naming.py)
    named_in: frozenset = None  # the checks whose feedback must name it (default: all failing)


MISTAKES = {
    "perceptron_ge": Mistake(frozenset({PERC_BOUNDARY}), "mlp-basics/perceptron-ge"),
    "perceptron_bool": Mistake(PERC, "mlp-basics/perceptron-bool"),
    "perceptron_no_bias": Mistake(PERC, "mlp-basics/perceptron-no-bias"),
    "perceptron_sign": Mistake(PERC, "mlp-basics/perceptron-sign"),
    "bce_log10": Mistake(BCE, "mlp-basics/bce-log10"),
    "bce_no_clamp": Mistake(frozenset({BCE_SATURATED, BCE_INPUTS}), "mlp-basics/bce-nan"),
    "bce_clamp_after_product": Mistake(frozenset({BCE_SATURATED, BCE_INPUTS}), "mlp-basics/bce-nan"),
    "bce_eps_clamp": Mistake(frozenset({BCE_SATURATED}), "mlp-basics/bce-eps-clamp"),
    "bce_clamps_pred_in_place": Mistake(frozenset({BCE_SATURATED, BCE_INPUTS}), "in place",
                                        named_in=frozenset({BCE_INPUTS})),
    "bce_sum": Mistake(BCE, "mlp-basics/bce-summed"),
    "bce_hard_targets": Mistake(frozenset({BCE_SOFT}), "mlp-basics/bce-hard-labels"),
    "mse_sum": Mistake(MSE, "mlp-basics/mse-summed"),
    "mse_half": Mistake(MSE, "mlp-basics/mse-halved"),
    "mse_batch_mean": Mistake(MSE, "mlp-basics/mean-over-batch-only"),
    "forward_no_output_sigmoid": Mistake(FWD | BWD | XOR, "mlp-basics/forward-no-output-sigmoid", named_in=FWD | BWD),
    "forward_tanh_hidden": Mistake(FWD | BWD | TRAINED, "mlp-basics/forward-hidden-tanh",
                                   named_in=FWD | BWD),
    # the file also adds its negated gradient in train_xor, so training still works
    "backward_sign": Mistake(BWD, "mlp-basics/backward-sign"),
    "backward_hidden_sign": Mistake(BWD | TRAINED, "mlp-basics/backward-hidden-sign", named_in=BWD),
    "backward_dW1_transposed": Mistake(BWD | XOR, "mlp-basics/backward-gradient-transposed", named_in=BWD - {BWD_SQUARE}),
    # only runs where W2 is square (H = K); elsewhere the product fails on its shapes
    "backward_dh_no_transpose": Mistake(BWD | XOR, "mlp-basics/backward-w2-not-transposed", named_in=frozenset({BWD_SQUARE, BWD_ONE})),
    "backward_batch_mean": Mistake(BWD, "mlp-basics/backward-averaged"),
    "backward_no_output_derivative": Mistake(BWD | {XOR_DEFAULT}, "mlp-basics/backward-no-output-derivative",
                                             named_in=BWD),
    "backward_sigmoid_twice": Mistake(BWD | {XOR_DEFAULT}, "mlp-basics/backward-double-sigmoid|mlp-basics/backward-double-sigmoid-output|mlp-basics/backward-double-sigmoid-hidden", named_in=BWD),
    "backward_keys_with_d": Mistake(BWD, "without a 'd'"),
    "backward_bias_not_summed": Mistake(BWD | XOR, "mlp-basics/backward-bias-not-summed", named_in=BWD),
    "backward_mutates_dy": Mistake(frozenset({BWD_INPUTS}), "changed its argument `dy` in place"),
    "backward_autograd": Mistake(BWD, "Banned API: `mlp_backward` uses torch.autograd"),
    "xor_zero_init": Mistake(XOR, "mlp-basics/xor-symmetric-init", named_in=TRAINED),
    "xor_unseeded": Mistake(frozenset({XOR_SEEDED}), "mlp-basics/xor-not-reproducible"),
    "xor_gradient_ascent": Mistake(TRAINED, "mlp-basics/xor-ascent"),
    "xor_update_not_kept": Mistake(TRAINED, "mlp-basics/xor-no-update"),
}
CORRECT = sorted(p.stem for p in FILES.glob("correct_*.py"))


def _grade(engine, path):
    return engine.grade(Job(assignment_dir=str(ASSIGNMENT), filename="mlp.py", content=path.read_bytes()))


def test_every_content_file_is_covered():
    assert {p.stem for p in FILES.glob("*.py")} == set(MISTAKES) | set(CORRECT)


@pytest.mark.parametrize("name", CORRECT)
def test_correct_style_earns_full_marks(engine, name):
    result = _grade(engine, FILES / f"{name}.py")
    failed = {t.name: t.output for t in result.tests if t.status != "passed"}
    assert failed == {}
    assert result.score == result.max_score == 40


def test_reference_earns_full_marks_and_starter_nothing(engine):
    reference = _grade(engine, ROOT / "reference" / "mlp_basics.py")
    starter = _grade(engine, ASSIGNMENT / "starter" / "mlp.py")
    assert reference.score == reference.max_score == 40
    assert starter.score == 0
    assert all("NotImplementedError" in t.output for t in starter.tests)


def test_train_xor_feedback_shows_the_decision_boundary(engine):
    result = _grade(engine, FILES / "xor_zero_init.py")
    pictures = [a for a in result.artifacts if a.check == XOR_DEFAULT]
    assert len(pictures) == 1 and pictures[0].media_type == "image/png"
    assert pictures[0].data.startswith(b"\x89PNG")


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
