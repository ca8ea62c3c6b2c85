"""Grade every rnn content file through the real engine.

Correct submissions in any style earn full marks; each file in rnn/ with one classic
mistake loses exactly the checks that mistake should cost, and the feedback names it. A
wrong rnn_cell also breaks rnn_forward and rnn_backward, which call it (as the
reference's do), and a wrong rnn_forward breaks the rnn_backward built on it.
"""
from dataclasses import dataclass
from pathlib import Path

import pytest

from graders.contracts import Job
from tests.content.naming import is_named

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = ROOT / "assignments" / "rnn"
FILES = Path(__file__).resolve().parent / "rnn"

CELL = frozenset({
    "rnn_cell on a small batch", "rnn_cell with d_in != d_h",
    "rnn_cell with d_in = d_h, where a transposed weight keeps the shapes",
    "rnn_cell with a batch of one and sizes of one, inputs unchanged",
})
FWD_T1 = "rnn_forward with T = 1"
FWD_BT = "rnn_forward reads x as (B, T, d_in) when B = T"
FWD = frozenset({
    "rnn_forward on a short sequence", "rnn_forward over 40 steps with d_in, d_h and d_out all different", FWD_T1,
    FWD_BT, "rnn_forward with d_in = d_h = d_out, where swapped weights or outputs keep the shapes",
    "rnn_forward leaves its inputs unchanged",
})
BWD_PUBLIC = "rnn_backward sends the gradient of the last step back through time"
BWD = frozenset({
    BWD_PUBLIC, "rnn_backward with d_in, d_h and d_out all different",
    "rnn_backward with d_in = d_h = d_out, where a missing transpose keeps the shapes",
    "rnn_backward with T = 1 and with a batch of one", "rnn_backward leaves its inputs unchanged",
})
CLIP_PUBLIC = "clip_grad_norm on a small list of gradients"
CLIP_GLOBAL = "clip_grad_norm scales every tensor by one coefficient from the global norm"
CLIP_BELOW = "clip_grad_norm leaves gradients whose norm is below max_norm unchanged"
CLIP_EPS = "clip_grad_norm divides by total_norm + 1e-6, as torch does (tiny norms)"
CLIP_FLOAT = "clip_grad_norm returns the norm before clipping as a Python float"
CLIP_BAD = "clip_grad_norm raises ValueError for max_norm <= 0"
CLIP_SINGLE = "clip_grad_norm with a single tensor and an int max_norm"
CLIP_COPIES = "clip_grad_norm returns clipped copies and leaves the caller's gradients unchanged"
CLIP = frozenset({CLIP_PUBLIC, CLIP_GLOBAL, CLIP_BELOW, CLIP_EPS, CLIP_FLOAT, CLIP_BAD, CLIP_SINGLE, CLIP_COPIES})
CLIPPING = frozenset({CLIP_PUBLIC, CLIP_GLOBAL, CLIP_EPS, CLIP_FLOAT, CLIP_SINGLE, CLIP_COPIES})   # they clip


@dataclass(frozen=True)
class Mistake:
    failing: frozenset          # exactly the checks this mistake must cost
    named: str                  # the mistake's id, or a phrase of the feedback (tests/content/naming.py)
    named_in: frozenset = None  # the checks whose feedback must name it (default: all failing)


def _cell(named):
    return Mistake(CELL | FWD | BWD, named, named_in=CELL | FWD)


MISTAKES = {
    "cell_no_tanh": _cell("rnn/cell-no-tanh"),
    "cell_sigmoid": _cell("rnn/cell-sigmoid"),
    "cell_whh_transposed": _cell("rnn/cell-whh-transposed"),
    "cell_no_bias": _cell("rnn/cell-no-bias"),
    "forward_hs_shifted": Mistake(FWD | BWD, "rnn/forward-hs-shifted", named_in=FWD),
    "forward_hs_includes_h0": Mistake(FWD, "rnn/forward-hs-with-h0"),
    # one step from h0 is the right step, so T = 1 cannot tell
    "forward_state_not_carried": Mistake(FWD - {FWD_T1} | BWD, "rnn/forward-state-not-carried", named_in=FWD - {FWD_T1}),
    # with B != T a time-major loop fails on shapes; only B = T runs and can be named
    "forward_time_major": Mistake(FWD | BWD, "rnn/forward-time-major", named_in=frozenset({FWD_BT})),
    "forward_y_last_only": Mistake(FWD, "rnn/forward-y-last-step-only"),
    "forward_returns_hs_y": Mistake(FWD, "rnn/forward-swapped-pair"),
    "forward_y_tanh": Mistake(FWD, "rnn/forward-output-tanh"),
    "bptt_truncated": Mistake(BWD, "rnn/backward-truncated"),
    "bptt_whh_not_transposed": Mistake(BWD, "rnn/backward-whh-not-transposed"),
    "bptt_dW_hh_current_state": Mistake(BWD, "rnn/backward-dwhh-current-state"),
    "bptt_no_h0_grad": Mistake(BWD, "rnn/backward-no-h0-gradient"),
    "bptt_no_accumulate": Mistake(BWD, "rnn/backward-not-accumulated"),
    "bptt_no_tanh_derivative": Mistake(BWD, "rnn/backward-no-tanh-derivative"),
    "bptt_tanh_twice": Mistake(BWD, "rnn/backward-double-tanh"),
    # the public check sends a gradient from the last step only, where this is right
    "bptt_last_dy_only": Mistake(BWD - {BWD_PUBLIC}, "rnn/backward-last-dy-only"),
    "bptt_sign": Mistake(BWD, "rnn/backward-sign"),
    "bptt_b_y_over_batch_only": Mistake(BWD, "rnn/backward-by-not-summed"),
    "bptt_autograd": Mistake(BWD, "Banned API: `rnn_backward` uses torch.autograd"),
    # one tensor is its own global norm
    "clip_per_tensor": Mistake(CLIPPING - {CLIP_SINGLE}, "rnn/clip-per-tensor"),
    "clip_no_eps": Mistake(frozenset({CLIP_EPS}), "rnn/clip-no-eps"),
    "clip_norm_after": Mistake(CLIPPING, "rnn/clip-norm-after"),
    "clip_mutates_input": Mistake(frozenset({CLIP_COPIES}), "rnn/clip-in-place"),
    "clip_no_value_error": Mistake(frozenset({CLIP_BAD}), "expected ValueError to be raised"),
    "clip_assert": Mistake(frozenset({CLIP_BAD}), "but it raised AssertionError"),
    "clip_tensor_norm": Mistake(frozenset({CLIP_FLOAT}), "rnn/clip-norm-not-float"),
    "clip_not_capped": Mistake(frozenset({CLIP_BELOW}), "rnn/clip-not-capped"),
    "clip_sum_of_norms": Mistake(CLIPPING - {CLIP_SINGLE} | {CLIP_BELOW}, "rnn/clip-sum-of-norms|rnn/clip-norm-sum-of-norms"),
    "clip_banned": Mistake(CLIP, "Banned API: `clip_grad_norm` uses torch.nn.utils.clip_grad_norm_"),
}
CORRECT = sorted(p.stem for p in FILES.glob("correct_*.py"))


def _grade(engine, path):
    return engine.grade(Job(assignment_dir=str(ASSIGNMENT), filename="rnn.py", content=path.read_bytes()))


def test_every_content_file_is_covered():
    assert {p.stem for p in FILES.glob("*.py")} == set(MISTAKES) | set(CORRECT)


@pytest.mark.parametrize("name", CORRECT)
def test_correct_style_earns_full_marks(engine, name):
    result = _grade(engine, FILES / f"{name}.py")
    failed = {t.name: t.output for t in result.tests if t.status != "passed"}
    assert failed == {}
    assert result.score == result.max_score == 37


def test_reference_earns_full_marks_and_starter_nothing(engine):
    reference = _grade(engine, ROOT / "reference" / "rnn.py")
    starter = _grade(engine, ASSIGNMENT / "starter" / "rnn.py")
    assert reference.score == reference.max_score == 37
    assert starter.score == 0
    assert all("NotImplementedError" in t.output for t in starter.tests)


def test_backward_feedback_shows_the_gradient_through_time(engine):
    result = _grade(engine, FILES / "bptt_truncated.py")
    pictures = [a for a in result.artifacts if a.check == BWD_PUBLIC]
    assert len(pictures) == 1 and pictures[0].data.startswith(b"\x89PNG")


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
