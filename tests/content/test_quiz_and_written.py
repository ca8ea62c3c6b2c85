"""The quiz and the written practice: every auto-graded answer is the reference code's.

Each numeric answer in assignments/quiz-attention/assignment.toml is recomputed here from
reference/ (attention, optimizers, positional encoding, transformer) or from its formula, and
must match. The worked "Messi smiled brightly" example uses the matrices its statement shows;
the classic slips of that example (and the slipped values of the lecture notes) must be graded
incorrect, and an answer rounded to the 4 significant digits the statement asks for correct.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
import torch

from graders.assignment import load_assignment
from graders.cli import soundness_problems
from graders.contracts import Job
from graders.quiz import grade_question
from reference import attention, optimizers, positional_encoding, transformer

ROOT = Path(__file__).resolve().parents[2]
QUIZ = ROOT / "assignments" / "quiz-attention"
WRITTEN = ROOT / "assignments" / "written-practice"

# The worked example of the statement: rows Messi, smiled, brightly; d_k = d_v = 4.
Q = torch.tensor([[2, 1, 2, 1], [3, 1, 1, 0], [0, 3, 0, 1]], dtype=torch.float64)
K = torch.tensor([[2, 0, 1, 0], [0, 2, 0, 1], [1, 0, 0, 2]], dtype=torch.float64)
V = torch.tensor([[1, 0, 2, 3], [0, 4, 1, 0], [2, 1, 0, 5]], dtype=torch.float64)
TOKENS = ("messi", "smiled", "brightly")
EXAMPLE = re.compile(r"^(?P<m>score|A|Z)-(?P<i>\d)-(?P<j>\d)$")


def quiz():
    return load_assignment(QUIZ)


def questions(kind: str | None = None):
    return [q for q in quiz().questions if kind is None or q.type == kind]


# ------------------------------------------------------------------ the worked example
def example(*, scale=math.sqrt(4), softmax_dim=-1, transpose_weights=False):
    """(S, A, Z) of the example; the keyword arguments make the classic slips."""
    scores = Q @ K.T / scale
    weights = torch.softmax(scores, dim=softmax_dim)
    out = (weights.T if transpose_weights else weights) @ V
    return scores, weights, out


def test_the_example_helper_is_the_reference():
    out, weights = attention.scaled_dot_product_attention(Q, K, V)
    _, A, Z = example()
    assert torch.equal(weights, A) and torch.allclose(out, Z, atol=1e-12)


def example_value(qid: str, **slip) -> float:
    m = EXAMPLE.match(qid)
    scores, weights, out = example(**slip)
    matrix = {"score": scores, "A": weights, "Z": out}[m["m"]]
    return float(matrix[int(m["i"]), int(m["j"])])


# ------------------------------------------------------------------ every other numeric answer
def _adam_first_step() -> float:
    theta = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    opt = optimizers.Adam([theta], lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    theta.grad = torch.tensor([0.5], dtype=torch.float64)
    opt.step()
    return theta.item()


def _smoothed_target(num_classes: int, smoothing: float, target: int) -> float:
    """The target probability the loss uses: at uniform logits, d loss / d logit = 1/C - t."""
    logits = torch.zeros(1, num_classes, dtype=torch.float64, requires_grad=True)
    optimizers.label_smoothing_cross_entropy(logits, torch.tensor([target]), smoothing).backward()
    return 1 / num_classes - logits.grad[0, target].item()


def _mha_parameters(d_model: int, heads: int, bias: bool = True) -> int:
    return sum(p.numel() for p in attention.MultiHeadAttention(d_model, heads, bias=bias).parameters())


def _brevity_penalty(c: int, r: int) -> float:
    try:
        from reference.bleu import brevity_penalty        # once the bleu assignment's reference exists
    except ImportError:
        return 1.0 if c > r else (0.0 if c == 0 else math.exp(1 - r / c))
    return brevity_penalty(c, r)


COMPUTED = {
    "head-scale": lambda: math.sqrt(512 // 8),
    "mha-parameters": lambda: _mha_parameters(512, 8),
    "noam-1000": lambda: optimizers.noam_lr(1000, 512, 4000),
    "noam-16000": lambda: optimizers.noam_lr(16000, 512, 4000),
    "adam-first-step": _adam_first_step,
    "label-smoothing-target": lambda: _smoothed_target(5, 0.1, target=2),
    "pe-2-2": lambda: float(positional_encoding.sinusoidal_encoding(3, 4).double()[2, 2]),
    "bleu-brevity-short": lambda: _brevity_penalty(18, 20),
    "bleu-brevity-long": lambda: _brevity_penalty(25, 20),
}


def computed(qid: str) -> float:
    return example_value(qid) if EXAMPLE.match(qid) else float(COMPUTED[qid]())


@pytest.mark.parametrize("q", questions("numeric"), ids=lambda q: q.id)
def test_numeric_answer_is_the_reference_value(q):
    assert EXAMPLE.match(q.id) or q.id in COMPUTED, f"{q.id}: no reference computation for this answer"
    value = computed(q.id)
    assert grade_question(q, value) == (1.0, "correct"), f"{q.id}: the reference gives {value!r}"
    assert math.isclose(q.answer, value, rel_tol=1e-8, abs_tol=1e-9), f"{q.id}: toml {q.answer!r}, reference {value!r}"


def as_asked(qid: str, value: float) -> tuple[str, ...]:
    """The value written as the statement asks: 4 significant digits, unless the question says otherwise."""
    own = {"mha-parameters": f"{round(value)}", "adam-first-step": f"{value:.6f}"}
    return (own[qid],) if qid in own else (f"{value:.4g}", f"{value:.3e}")


@pytest.mark.parametrize("q", questions("numeric"), ids=lambda q: q.id)
def test_answer_rounded_as_the_statement_asks_is_correct(q):
    for rounded in as_asked(q.id, computed(q.id)):
        assert grade_question(q, rounded)[0] == 1.0, rounded


SLIPS = {
    "no 1/sqrt(d_k)": {"scale": 1.0},
    "divided by d_k": {"scale": 4.0},
    "softmax over the query axis": {"softmax_dim": 0},
    "A^T V instead of A V": {"transpose_weights": True},
}


# Which slips change which matrix: S only depends on the scale; A also on the softmax's axis.
CHANGES = {"score": {"scale"}, "A": {"scale", "softmax_dim"}, "Z": {"scale", "softmax_dim", "transpose_weights"}}
SLIP_CASES = [(q, slip) for q in questions("numeric") if EXAMPLE.match(q.id)
              for slip in SLIPS if set(SLIPS[slip]) & CHANGES[EXAMPLE.match(q.id)["m"]]]


@pytest.mark.parametrize("q, slip", SLIP_CASES, ids=[f"{q.id}-{slip}" for q, slip in SLIP_CASES])
def test_each_classic_slip_of_the_example_is_graded_incorrect(q, slip):
    wrong = example_value(q.id, **SLIPS[slip])
    assert grade_question(q, f"{wrong:.6g}") == (0.0, "incorrect"), f"{slip} gives {wrong} for {q.id}"


# The lecture notes' slipped values (softmax[1][0], Z[0][2], Z[1][2], Z[2][1]) and the value
# the notes should have printed for softmax[1][0]: none of them answers this quiz's example,
# so copying the notes earns nothing.
LECTURE_NUMBERS = {"A-2-0": ("0.06084", "0.00089"), "A-1-0": ("0.06084", "0.00089"),
                   "Z-0-2": ("1.7042",), "Z-1-3": ("0.2735",), "Z-2-1": ("7.4796",)}


@pytest.mark.parametrize("qid, answers", LECTURE_NUMBERS.items())
def test_the_lecture_notes_numbers_are_graded_incorrect(qid, answers):
    q = next(q for q in questions() if q.id == qid)
    for answer in answers:
        assert grade_question(q, answer) == (0.0, "incorrect"), answer


def test_the_statements_show_the_example_the_answers_use():
    def bmatrix(name, m):
        rows = r" \\ ".join(" & ".join(f"{int(x)}" for x in row) for row in m.tolist())
        return f"{name} = \\begin{{bmatrix}} {rows} \\end{{bmatrix}}"
    for lang in ("ko", "en"):
        text = (QUIZ / f"README.{lang}.md").read_text(encoding="utf-8")
        for name, m in (("Q", Q), ("K", K), ("V", V)):
            assert bmatrix(name, m) in text, f"README.{lang}.md: {name}"
        assert "d_k = d_v = 4" in text


# ------------------------------------------------------------------ choice answers
def _choice(qid: str):
    return next(q for q in questions("choice") if q.id == qid)


def _shape_of_choice(q, choice_id: str) -> tuple[int, ...]:
    label = next(c["en"] for c in q.choices if c["id"] == choice_id)
    return tuple(int(x) for x in re.findall(r"\d+", label))


def test_the_token_smiled_attends_to_most_is_the_reference_argmax():
    _, A, _ = example()
    assert _choice("smiled-looks-at").answer == TOKENS[int(A[1].argmax())]


@pytest.mark.parametrize("qid, index", [("weights-shape", 1), ("output-shape", 0)])
def test_shape_answers_are_the_shapes_the_reference_returns(qid, index):
    q = _choice(qid)
    got = attention.scaled_dot_product_attention(torch.zeros(2, 5, 64), torch.zeros(2, 7, 64), torch.zeros(2, 7, 32))
    assert _shape_of_choice(q, q.answer) == tuple(got[index].shape)
    wrong = [c["id"] for c in q.choices if c["id"] != q.answer]
    assert all(_shape_of_choice(q, c) != tuple(got[index].shape) for c in wrong)


def test_decoder_sublayers_are_those_of_the_reference_decoder_layer():
    layer = transformer.DecoderLayer(d_model=8, num_heads=2, d_ff=16)
    present = {"masked-self": hasattr(layer, "self_attn"), "cross": hasattr(layer, "cross_attn"),
               "ffn": hasattr(layer, "ffn"), "rnn": False, "conv": False}
    assert not any(isinstance(m, (torch.nn.RNNBase, torch.nn.Conv1d)) for m in layer.modules())
    assert set(_choice("decoder-sublayers").answer) == {k for k, v in present.items() if v}


def test_sqrt_dk_answer_states_the_variance_the_reference_scaling_undoes():
    g = torch.Generator().manual_seed(0)
    q, k = torch.randn(20000, 64, generator=g, dtype=torch.float64), torch.randn(20000, 64, generator=g, dtype=torch.float64)
    dots = (q * k).sum(-1)
    assert 60 < float(dots.var()) < 68 and 0.93 < float((dots / math.sqrt(64)).var()) < 1.07
    assert _choice("why-sqrt-dk").answer == "variance"


# ------------------------------------------------------------------ slips outside the example
OTHER_SLIPS = {
    "mha-parameters": (_mha_parameters(512, 8, bias=False), 3 * (512 * 512 + 512), 4 * 512 * 64),
    "head-scale": (math.sqrt(512), 64, math.sqrt(8)),
    "adam-first-step": (1 - 1e-3 * 0.05 / (math.sqrt(0.00025) + 1e-8), 1 - 0.5e-3),   # no bias correction; lr*g
    "label-smoothing-target": (0.9, 0.1 / 5),                                        # ε over the other K-1; ε/C only
    "pe-2-2": (math.cos(2 / 100), math.sin(2 / 10), math.sin(2 / 10000 ** (1 / 4))),  # cos, i/d, 2i/d with i=2
    "bleu-brevity-short": (math.exp(1 - 18 / 20), 18 / 20),
    "noam-16000": (512 ** -0.5 * 16000 * 4000 ** -1.5, 16000 ** -0.5),               # no decay; no d_model factor
}


@pytest.mark.parametrize("qid", OTHER_SLIPS)
def test_classic_slips_of_the_other_questions_are_graded_incorrect(qid):
    q = next(q for q in questions() if q.id == qid)
    for wrong in OTHER_SLIPS[qid]:
        assert grade_question(q, f"{wrong:.8g}") == (0.0, "incorrect"), (qid, wrong)


# ------------------------------------------------------------------ through the engine
def _grade(engine, folder: Path, answers: dict):
    return engine.grade(Job(str(folder), "answers.json", json.dumps(answers).encode()))


def test_a_student_who_computes_everything_earns_full_marks(engine):
    answers = {q.id: as_asked(q.id, computed(q.id))[0] for q in questions("numeric")}
    answers.update({q.id: q.answer for q in questions("choice")})
    result = _grade(engine, QUIZ, answers)
    assert result.score == result.max_score == 30, [(t.name, t.output) for t in result.tests if t.status != "passed"]


def test_the_quiz_waits_for_the_due_date_before_showing_right_and_wrong():
    assert {q.visibility for q in questions()} == {"after_due_date"}


# ------------------------------------------------------------------ the written practice
PRACTICE_TASKS = ("encoder-decoder", "why-attention", "positional-encoding", "training-techniques", "evaluation")


def test_written_practice_holds_the_lectures_five_tasks_with_bilingual_rubrics():
    written = load_assignment(WRITTEN)
    assert written.kind == "written" and tuple(q.id for q in written.questions) == PRACTICE_TASKS
    for q in written.questions:
        assert len(q.rubric) >= 4, q.id
        for criterion in q.rubric:
            assert criterion["points"] > 0 and criterion["ko"].strip() and criterion["en"].strip(), q.id
            assert re.search("[가-힣]", criterion["ko"]) and not re.search("[가-힣]", criterion["en"]), q.id


def test_written_answers_wait_for_a_ta(engine):
    result = _grade(engine, WRITTEN, {"why-attention": "The fixed-length bottleneck of RNN encoders ..."})
    assert result.score == 0 and result.max_score == 50
    assert all("manual" in t.tags and "awaiting a TA" in t.output for t in result.tests[1:2])


@pytest.mark.parametrize("folder", [QUIZ, WRITTEN], ids=["quiz-attention", "written-practice"])
def test_folder_is_sound(engine, folder):
    assert soundness_problems(engine, str(folder)) == []
