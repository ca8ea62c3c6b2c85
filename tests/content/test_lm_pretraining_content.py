"""Grade every lm-pretraining content file through the real engine.

Correct submissions in any style (Hugging Face's collator, one uniform draw per position,
Google's exact count per row; a preallocated buffer, Python lists, torch.cat with an early
stop) earn full marks; each file in lm_pretraining/ with one classic mistake loses exactly
the checks that mistake should cost, and the feedback names it.
"""
from dataclasses import dataclass
from pathlib import Path

import pytest

from graders.contracts import Job
from tests.content.naming import is_named

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = ROOT / "assignments" / "lm-pretraining"
FILES = Path(__file__).resolve().parent / "lm_pretraining"
POINTS = 30

STRUCTURE = "mlm_mask: labels, untouched positions and special tokens"
RATES = "mlm_mask: about p of the positions picked, split 80/10/10"
OTHER_P = "mlm_mask with p = 0.4 and p = 0.05"
BERT = "mlm_mask with BERT's ids ([MASK] = 103, vocab 30522) and special_ids as a tuple"
EDGES = "mlm_mask with p = 0 picks nothing and with p = 1 every non-special position"
SEEDS = "mlm_mask draws from the generator: equal seeds give equal results, other seeds others"
NO_GENERATOR = "mlm_mask with generator=None draws from torch's global generator"
TOKENS_KEPT = "mlm_mask leaves tokens unchanged"
MLM = frozenset({STRUCTURE, RATES, OTHER_P, BERT, EDGES, SEEDS, NO_GENERATOR, TOKENS_KEPT})
MLM_STATS = frozenset({RATES, OTHER_P, BERT, EDGES, NO_GENERATOR})

NO_EOS = "greedy_generate without eos_id: max_new_tokens argmax tokens"
EOS = "greedy_generate stops each row after eos_id"
ROWS = "greedy_generate: rows finish at different steps, one never"
ALL_FINISH = "greedy_generate: every row finishes before max_new_tokens"
EOS_ZERO = "greedy_generate with eos_id = 0"
ZERO_NEW = "greedy_generate with max_new_tokens = 0 returns the prompt"
ARGMAX = "greedy_generate takes the argmax even when the logits are close"
PROMPT_KEPT = "greedy_generate leaves the prompt unchanged"
LONG_PROMPT = "greedy_generate with a batch of one and a long prompt"
GREEDY = frozenset({NO_EOS, EOS, ROWS, ALL_FINISH, EOS_ZERO, ZERO_NEW, ARGMAX, PROMPT_KEPT, LONG_PROMPT})
GREEDY_EOS = frozenset({EOS, ROWS, ALL_FINISH, EOS_ZERO, PROMPT_KEPT})


@dataclass(frozen=True)
class Mistake:
    failing: frozenset          # exactly the checks this mistake must cost
    named: str                  # the mistake's id, or a phrase of the feedback (tests/content/naming.py)
    named_in: frozenset = None  # the checks whose feedback must name it (default: all failing)


MISTAKES = {
    # mlm_mask: structure holds for every draw, so these cost every mlm_mask check.
    "mlm_split_on_every_position": Mistake(MLM, "lm-pretraining/mlm-rule-on-every-position"),
    "mlm_specials_picked": Mistake(MLM, "lm-pretraining/mlm-special-picked"),
    "mlm_labels_zero": Mistake(MLM, "lm-pretraining/mlm-wrong-ignore-label"),
    "mlm_labels_everywhere": Mistake(MLM, "lm-pretraining/mlm-labels-everywhere"),
    "mlm_labels_corrupted": Mistake(MLM, "lm-pretraining/mlm-label-is-corrupted"),
    "mlm_int32_labels": Mistake(MLM, "labels must be a LongTensor"),
    # Statistics: p = 0 cannot tell a wrong split, so the edge check fails on its p = 1 half.
    "mlm_mask_every_picked": Mistake(MLM_STATS, "lm-pretraining/mlm-all-masked"),
    "mlm_no_random_ids": Mistake(MLM_STATS, "lm-pretraining/mlm-no-random"),
    "mlm_random_share_of_rest": Mistake(MLM_STATS, "lm-pretraining/mlm-random-of-rest"),
    "mlm_random_from_text": Mistake(MLM_STATS, "lm-pretraining/mlm-random-not-uniform"),
    "mlm_inverted_p": Mistake(MLM_STATS, "lm-pretraining/mlm-pick-inverted", named_in=MLM_STATS - {EDGES}),
    "mlm_kept_not_labelled": Mistake(MLM_STATS, "lm-pretraining/mlm-none-kept",
                                     named_in=MLM_STATS - {EDGES}),
    "mlm_global_rng": Mistake(frozenset({SEEDS}), "lm-pretraining/mlm-not-reproducible"),
    "mlm_fixed_seed": Mistake(frozenset({SEEDS}), "lm-pretraining/mlm-generator-ignored"),
    "mlm_mutates_tokens": Mistake(frozenset({TOKENS_KEPT}), "in place"),
    # greedy_generate
    "greedy_ignores_eos": Mistake(GREEDY_EOS, "lm-pretraining/greedy-continues-after-eos"),
    "greedy_stops_every_row": Mistake(GREEDY_EOS, "lm-pretraining/greedy-stops-all-rows"),
    # Filling with 0 is filling with eos_id when eos_id = 0.
    "greedy_pads_with_zero": Mistake(GREEDY_EOS - {EOS_ZERO}, "lm-pretraining/greedy-wrong-fill"),
    "greedy_eos_falsy": Mistake(frozenset({EOS_ZERO}), "lm-pretraining/greedy-eos-zero-falsy"),
    "greedy_sampling": Mistake(GREEDY - {ZERO_NEW}, "argmax"),
    "greedy_first_position": Mistake(GREEDY - {ZERO_NEW}, "lm-pretraining/greedy-first-position"),
    # Positions taken as ids run off a 16-id table with a 40-token prompt: an IndexError there.
    "greedy_time_axis": Mistake(GREEDY - {ZERO_NEW}, "lm-pretraining/greedy-argmax-over-time",
                                named_in=GREEDY - {ZERO_NEW, LONG_PROMPT}),
    "greedy_prompt_only": Mistake(GREEDY - {ZERO_NEW}, "lm-pretraining/greedy-prompt-only"),
    # Only a model whose logits depend on the whole prefix tells the last token from the sequence.
    "greedy_last_token_only": Mistake(frozenset({NO_EOS, LONG_PROMPT}), "lm-pretraining/greedy-last-token-only"),
    "greedy_new_tokens_only": Mistake(GREEDY, "lm-pretraining/greedy-no-prompt"),
    # Its early stop once all rows are done hides the extra step when every row finishes.
    "greedy_one_token_too_many": Mistake(GREEDY - {ALL_FINISH}, "lm-pretraining/greedy-too-many"),
    "greedy_float_ids": Mistake(GREEDY, "token ids must be a LongTensor"),
}
SAMPLING_NAMED = "lm-pretraining/greedy-samples"
CORRECT = sorted(p.stem for p in FILES.glob("correct_*.py"))


def _grade(engine, path):
    return engine.grade(Job(assignment_dir=str(ASSIGNMENT), filename="lm.py", content=path.read_bytes()))


def _failed(result):
    return {t.name: t.output for t in result.tests if t.status != "passed"}


def test_every_content_file_is_covered():
    assert {p.stem for p in FILES.glob("*.py")} == set(MISTAKES) | set(CORRECT)


@pytest.mark.parametrize("name", CORRECT)
def test_correct_style_earns_full_marks(engine, name):
    result = _grade(engine, FILES / f"{name}.py")
    assert _failed(result) == {}
    assert result.score == result.max_score == POINTS


def test_reference_earns_full_marks_and_starter_nothing(engine):
    reference = _grade(engine, ROOT / "reference" / "lm_pretraining.py")
    starter = _grade(engine, ASSIGNMENT / "starter" / "lm.py")
    assert reference.score == reference.max_score == POINTS
    assert starter.score == 0
    assert all("NotImplementedError" in t.output for t in starter.tests)


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_mistake_loses_its_checks_and_is_named(engine, name):
    mistake = MISTAKES[name]
    result = _grade(engine, FILES / f"{name}.py")
    failed = _failed(result)
    assert set(failed) == mistake.failing
    tests = {t.name: t for t in result.tests}
    for check in mistake.named_in or mistake.failing:
        assert is_named(tests[check], mistake.named), f"{check}: {failed[check]}"
    assert result.score == result.max_score - sum(t.max_score for t in result.tests if t.name in mistake.failing)


def test_sampling_is_named_where_two_calls_are_compared(engine):
    tests = {t.name: t for t in _grade(engine, FILES / "greedy_sampling.py").tests}
    assert is_named(tests[ARGMAX], SAMPLING_NAMED), tests[ARGMAX].output
