"""Grade every lstm-gru content file through the real engine.

Correct submissions in any style earn full marks; each file in lstm_gru/ with one classic
mistake loses exactly the checks that mistake should cost, and the feedback names it.
"""
from dataclasses import dataclass
from pathlib import Path

import pytest

from graders.contracts import Job
from tests.content.naming import is_named

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = ROOT / "assignments" / "lstm-gru"
FILES = Path(__file__).resolve().parent / "lstm_gru"

LSTM = frozenset({
    "LSTM cell on a small batch", "LSTM cell with d_in != d_h", "LSTM cell with a batch of one and sizes of one",
    "LSTM cell leaves its inputs unchanged", "LSTM cell passes gradients to every input",
})
GRU = frozenset({
    "GRU cell on a small batch", "GRU cell with d_in != d_h", "GRU cell with a batch of one and sizes of one",
    "GRU cell keeps h_prev when z = 0 and takes the candidate when z = 1", "GRU cell leaves its inputs unchanged",
    "GRU cell passes gradients to every input",
})
RUN = frozenset({
    "run_lstm on a short sequence", "run_lstm over a long sequence", "run_lstm with T = 1",
    "run_lstm with a batch of one and d_in != d_h",
    "run_lstm's final h_T equals hs[:, -1] and c_T is the last cell state",
    "run_lstm reads x as (B, T, d_in) when B = T", "run_lstm leaves its inputs unchanged",
    "run_lstm passes gradients back through time",
})
RUN_T1 = "run_lstm with T = 1"
RUN_GRAD = "run_lstm passes gradients back through time"
LSTM_GRAD = "LSTM cell passes gradients to every input"
LSTM_INPUTS = "LSTM cell leaves its inputs unchanged"
RUN_INPUTS = "run_lstm leaves its inputs unchanged"
RUN_BATCH_TIME = "run_lstm reads x as (B, T, d_in) when B = T"


@dataclass(frozen=True)
class Mistake:
    failing: frozenset          # exactly the checks this mistake must cost
    named: str                  # the mistake's id (tests/content/naming.py), else a phrase of the feedback
    named_in: frozenset = None  # the checks whose feedback must name it (default: all failing)


def _cell(named):
    """A wrong lstm_cell costs its own checks and run_lstm's, which calls it at every step."""
    return Mistake(LSTM | RUN, named)


MISTAKES = {
    "lstm_torch_gate_order": _cell("lstm-gru/lstm-torch-gate-order"),
    "lstm_ifog_gate_order": _cell("lstm-gru/lstm-gate-order"),
    "lstm_cat_x_h": _cell("lstm-gru/lstm-concat-x-first"),
    "lstm_torch_conventions": _cell("lstm-gru/lstm-torch-conventions"),
    "lstm_tanh_forget_gate": _cell("lstm-gru/lstm-tanh-on-f"),
    "lstm_tanh_output_gate": _cell("lstm-gru/lstm-tanh-on-o"),
    "lstm_sigmoid_candidate": _cell("lstm-gru/lstm-sigmoid-on-g"),
    "lstm_no_tanh_on_c": _cell("lstm-gru/lstm-no-tanh-on-c"),
    "lstm_h_from_c_prev": _cell("lstm-gru/lstm-h-from-c-prev"),
    "lstm_no_bias": _cell("lstm-gru/lstm-no-bias"),
    "lstm_returns_c_h": Mistake(LSTM | RUN, "lstm-gru/lstm-swapped-pair"),
    "lstm_mutates_c_prev": Mistake(frozenset({LSTM_INPUTS, RUN_INPUTS, LSTM_GRAD, RUN_GRAD}), "in place",
                                   named_in=frozenset({LSTM_INPUTS, RUN_INPUTS})),
    "lstm_no_grad": Mistake(frozenset({LSTM_GRAD, RUN_GRAD}), "lstm-gru/detached-gradient"),
    "banned_lstm_cell_aliased": Mistake(LSTM | RUN, "torch.lstm_cell"),
    "gru_torch_update": Mistake(GRU, "lstm-gru/gru-torch-update"),
    "gru_reset_after_U": Mistake(GRU, "lstm-gru/gru-reset-after"),
    "gru_torch_conventions": Mistake(GRU, "lstm-gru/gru-torch-conventions"),
    "gru_cat_x_h": Mistake(GRU, "lstm-gru/gru-concat-x-first"),
    "gru_swapped_gates": Mistake(GRU, "lstm-gru/gru-swapped-z-r"),
    "gru_no_reset": Mistake(GRU, "lstm-gru/gru-no-reset"),
    "gru_tanh_update_gate": Mistake(GRU, "lstm-gru/gru-tanh-on-z"),
    "gru_no_candidate_bias": Mistake(GRU, "lstm-gru/gru-no-b-h"),
    "run_hs_shifted": Mistake(RUN, "lstm-gru/run-hs-shifted"),
    "run_hs_includes_h0": Mistake(RUN, "lstm-gru/run-hs-with-h0"),
    # One step from c0 is the right step, so T = 1 cannot tell.
    "run_cell_state_not_carried": Mistake(RUN - {RUN_T1}, "lstm-gru/run-c-not-carried"),
    # With B != T a time-major loop crashes on shapes; only B = T runs and can be named.
    "run_time_major": Mistake(RUN, "lstm-gru/run-time-major", named_in=frozenset({RUN_BATCH_TIME})),
    "run_returns_initial_state": Mistake(RUN, "lstm-gru/run-final-is-initial"),
    "run_detached_each_step": Mistake(frozenset({RUN_GRAD}), "lstm-gru/run-truncated-bptt"),
}
CORRECT = sorted(p.stem for p in FILES.glob("correct_*.py"))


def _grade(engine, path):
    return engine.grade(Job(assignment_dir=str(ASSIGNMENT), filename="cells.py", content=path.read_bytes()))


def test_every_content_file_is_covered():
    assert {p.stem for p in FILES.glob("*.py")} == set(MISTAKES) | set(CORRECT)


@pytest.mark.parametrize("name", CORRECT)
def test_correct_style_earns_full_marks(engine, name):
    result = _grade(engine, FILES / f"{name}.py")
    failed = {t.name: t.output for t in result.tests if t.status != "passed"}
    assert failed == {}
    assert result.score == result.max_score == 40


def test_reference_earns_full_marks_and_starter_nothing(engine):
    reference = _grade(engine, ROOT / "reference" / "lstm_gru.py")
    starter = _grade(engine, ASSIGNMENT / "starter" / "cells.py")
    assert reference.score == reference.max_score == 40
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
