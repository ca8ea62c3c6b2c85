"""Grade every attention content file through the real engine.

Correct submissions in any style earn full marks; each file in attention/ with one classic
mistake loses exactly the checks that mistake should cost, and the feedback names it.
A mistake in scaled_dot_product_attention (or in a masked softmax shared by all three
attentions) also costs the checks of the classes that call it, as it would for a student.
"""
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from graders.contracts import Job

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = ROOT / "assignments" / "attention"
FILES = Path(__file__).resolve().parent / "attention"

SDPA_SMALL = "Scaled dot-product: small batch without a mask"
SDPA_CAUSAL = "Scaled dot-product: small batch with a causal mask"
SDPA_SHAPES = "Scaled dot-product: batch dimensions, d_k != d_v, n_q != n_k"
SDPA_BROADCAST = "Scaled dot-product: masks that broadcast against the scores"
SDPA_DEAD = "Scaled dot-product: query rows with no allowed key are zero, not NaN"
SDPA_LARGE = "Scaled dot-product: large sizes and large scores"
SDPA_INPUTS = "Scaled dot-product: inputs are not modified"
SDPA = frozenset({SDPA_SMALL, SDPA_CAUSAL, SDPA_SHAPES, SDPA_BROADCAST, SDPA_DEAD, SDPA_LARGE, SDPA_INPUTS})
SDPA_VALUES = SDPA - {SDPA_INPUTS}
SDPA_MASKED = frozenset({SDPA_CAUSAL, SDPA_BROADCAST, SDPA_DEAD, SDPA_LARGE})

CAUSAL_4 = "Causal mask: size 4"
CAUSAL_SIZES = "Causal mask: sizes 1, 2, 7 and 100"
CAUSAL_INVALID = "Causal mask: n < 1 raises ValueError"

ADD_SMALL = "Additive attention: small batch"
ADD_STRUCTURE = "Additive attention: submodules and parameter shapes"
ADD_SHAPES = "Additive attention: d_q != d_k, n_q != n_k, odd sizes"
ADD_MASKS = "Additive attention: masks, including queries with no allowed key"
ADD_INPUTS = "Additive attention: inputs are not modified"
ADD_VALUES = frozenset({ADD_SMALL, ADD_SHAPES, ADD_MASKS})

MHA_SMALL = "Multi-head attention: small self-attention"
MHA_STRUCTURE = "Multi-head attention: submodules and parameter shapes, with and without bias"
MHA_SELF = "Multi-head attention: self-attention with copied weights"
MHA_CROSS = "Multi-head attention: n_q != n_k, odd sizes, no bias, one head, d_head = 1"
MHA_MASKS = "Multi-head attention: masks, including queries with no allowed key"
MHA_LARGE = "Multi-head attention: large sizes"
MHA_TORCH = "Multi-head attention: agrees with nn.MultiheadAttention"
MHA_GRAD = "Multi-head attention: gradients reach the inputs and every projection"
MHA_INPUTS = "Multi-head attention: inputs are not modified"
MHA_INVALID = "Multi-head attention: d_model not divisible by num_heads raises ValueError"
MHA = frozenset({MHA_SMALL, MHA_STRUCTURE, MHA_SELF, MHA_CROSS, MHA_MASKS, MHA_LARGE, MHA_TORCH, MHA_GRAD,
                 MHA_INPUTS, MHA_INVALID})
MHA_VALUES = frozenset({MHA_SMALL, MHA_SELF, MHA_CROSS, MHA_MASKS, MHA_LARGE, MHA_TORCH, MHA_GRAD})
MHA_MASKED = frozenset({MHA_MASKS, MHA_LARGE, MHA_TORCH})


@dataclass(frozen=True)
class Mistake:
    failing: frozenset          # exactly the checks this mistake must cost
    named: str                  # the mistake's id (or ids, "a|b") the feedback names; else a substring
    named_in: frozenset = None  # the checks whose feedback must name it (default: all failing)

    def is_named_by(self, test):
        if "/" not in self.named or " " in self.named:
            return self.named in test.output
        return bool({m["id"] for m in test.mistakes} & set(self.named.split("|")))


def _mask(named):
    """A masking mistake in the shared softmax costs every check that passes a mask."""
    return Mistake(SDPA_MASKED | {ADD_MASKS} | MHA_MASKED, named)


MISTAKES = {
    "no_scale": Mistake(SDPA_VALUES | MHA_VALUES, "attention/no-scale|attention/mha-no-scale"),
    "scale_by_d_k": Mistake(SDPA_VALUES | MHA_VALUES, "attention/scale-by-d-k|attention/mha-scale-by-d-head"),
    # Every head has d_k == d_v, so multi-head attention cannot tell.
    "scale_by_d_v": Mistake(SDPA_VALUES, "attention/scale-by-sqrt-d-v"),
    "softmax_over_queries": Mistake(SDPA_VALUES | ADD_VALUES | MHA_VALUES, "attention/softmax-over-queries"),
    "inverted_mask": _mask("attention/mask-inverted"),
    "mask_after_softmax": _mask("attention/mask-after-softmax"),
    "mask_zero_scores": _mask("attention/mask-zero-scores"),
    # Only checks with a query that may attend nothing can tell.
    "nan_rows": Mistake(frozenset({SDPA_DEAD, ADD_MASKS, MHA_MASKS}), "attention/nan-dead-rows"),
    "uniform_dead_rows": Mistake(frozenset({SDPA_DEAD, ADD_MASKS, MHA_MASKS}), "attention/uniform-dead-rows"),
    # Boolean indexing crashes on any mask smaller than the scores, which in multi-head
    # attention is every mask; the full-shape sdpa masks of the other checks still work.
    "mask_no_broadcast": Mistake(SDPA_MASKED | {ADD_MASKS} | MHA_MASKED | {MHA_INPUTS},
                                 "attention/mask-no-broadcast",
                                 named_in=frozenset({SDPA_CAUSAL, SDPA_BROADCAST, ADD_MASKS, MHA_MASKS})),
    "naive_softmax": Mistake(frozenset({SDPA_LARGE}), "attention/softmax-overflow"),
    "mutates_inputs": Mistake(frozenset({SDPA_INPUTS}), "in place"),
    "returns_out_only": Mistake(SDPA, "attention/not-a-pair"),
    "swapped_pair": Mistake(SDPA_VALUES, "attention/swapped-pair"),
    "causal_strict": Mistake(frozenset({CAUSAL_4, CAUSAL_SIZES}), "attention/causal-no-diagonal"),
    "causal_upper": Mistake(frozenset({CAUSAL_4, CAUSAL_SIZES}), "attention/causal-upper"),
    "causal_float": Mistake(frozenset({CAUSAL_4, CAUSAL_SIZES}), "expected dtype torch.bool"),
    "causal_no_check": Mistake(frozenset({CAUSAL_INVALID}), "expected ValueError"),
    "additive_no_tanh": Mistake(ADD_VALUES, "attention/additive-no-tanh"),
    "additive_tanh_outside": Mistake(ADD_VALUES, "attention/additive-tanh-outside"),
    "additive_scaled": Mistake(ADD_VALUES, "attention/additive-scaled"),
    # Extra bias parameters make the grader's strict load_state_dict fail everywhere.
    "additive_bias": Mistake(ADD_VALUES | {ADD_STRUCTURE, ADD_INPUTS}, "W_q.bias"),
    "mha_split_no_transpose": Mistake(MHA_VALUES, "attention/mha-split-no-transpose"),
    "mha_merge_no_transpose": Mistake(MHA_VALUES, "attention/mha-merge-no-transpose"),
    "mha_interleaved_heads": Mistake(MHA_VALUES, "attention/mha-interleaved-heads"),
    "mha_scale_d_model": Mistake(MHA_VALUES, "attention/mha-scale-d-model"),
    "mha_no_out_proj": Mistake(MHA_VALUES, "attention/mha-no-out-proj"),
    "mha_key_uses_W_q": Mistake(MHA_VALUES, "attention/mha-key-uses-w-q"),
    "mha_averaged_weights": Mistake(MHA_VALUES, "attention/mha-averaged-weights"),
    "mha_no_check": Mistake(frozenset({MHA_INVALID}), "expected ValueError"),
    "mha_detached": Mistake(frozenset({MHA_GRAD}), "attention/mha-detached"),
    # A banned call costs every check of each target that reaches it (MHA calls sdpa).
    "banned_sdpa": Mistake(SDPA | MHA, "torch.nn.functional.scaled_dot_product_attention"),
}
CORRECT = sorted(p.stem for p in FILES.glob("correct_*.py"))


def _grade(engine, path):
    return engine.grade(Job(assignment_dir=str(ASSIGNMENT), filename="attention.py", content=path.read_bytes()))


def test_every_content_file_is_covered():
    assert {p.stem for p in FILES.glob("*.py")} == set(MISTAKES) | set(CORRECT)


def test_every_check_is_listed_here():
    from graders.assignment import load_assignment
    names = {c.spec.name for c in load_assignment(ASSIGNMENT).checks()}
    assert names == SDPA | MHA | ADD_VALUES | {ADD_STRUCTURE, ADD_INPUTS, CAUSAL_4, CAUSAL_SIZES, CAUSAL_INVALID}


@pytest.mark.parametrize("name", CORRECT)
def test_correct_style_earns_full_marks(engine, name):
    result = _grade(engine, FILES / f"{name}.py")
    failed = {t.name: t.output for t in result.tests if t.status != "passed"}
    assert failed == {}
    assert result.score == result.max_score == 40


def test_reference_earns_full_marks_and_starter_nothing(engine):
    reference = _grade(engine, ROOT / "reference" / "attention.py")
    starter = _grade(engine, ASSIGNMENT / "starter" / "attention.py")
    assert reference.score == reference.max_score == 40
    assert starter.score == 0
    assert all("NotImplementedError" in t.output for t in starter.tests)
    assert not any("Hint:" in t.output for t in starter.tests)   # no diagnosis for an unwritten function


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_mistake_loses_its_checks_and_is_named(engine, name):
    mistake = MISTAKES[name]
    result = _grade(engine, FILES / f"{name}.py")
    failed = {t.name: t.output for t in result.tests if t.status != "passed"}
    assert set(failed) == mistake.failing
    tests = {t.name: t for t in result.tests}
    for check in mistake.named_in or mistake.failing:
        assert mistake.is_named_by(tests[check]), f"{check}: {failed[check]}"
    assert result.score == result.max_score - sum(t.max_score for t in result.tests if t.name in mistake.failing)
    for test in result.tests:
        if test.visibility != "visible":
            # Hidden feedback may give shapes and the size of the error, never values.
            text = re.sub(r"largest error [^)]*\)", "", test.output)
            assert "tensor(" not in text and not re.search(r"\d\.\d{2,}", text), test.output

