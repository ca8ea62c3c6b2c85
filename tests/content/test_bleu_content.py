"""Grade every bleu content file through the real engine.

Correct submissions in any style earn full marks; each file in bleu/ with one classic
mistake loses exactly the checks that mistake should cost, and the feedback names it.
A mistake inside a helper (ngram_counts, the reference length) also costs the scores built
on it, which is what the failing sets below spell out.
"""
from dataclasses import dataclass
from pathlib import Path

import pytest

from graders.contracts import Job
from tests.content.naming import is_named

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = ROOT / "assignments" / "bleu"
FILES = Path(__file__).resolve().parent / "bleu"
POINTS = 40

NGRAM = frozenset({
    "ngram_counts of an 8-token sentence for n = 1 and n = 2",
    "ngram_counts for n = 1 .. 5 on a sentence with repeated n-grams",
    "ngram_counts when the sentence is as long as n, shorter than n, or empty",
})
PREC_PUBLIC = 'modified_precision of "the the the the the the the" (Papineni et al., 2002)'
PREC_CLIP = "modified_precision clips by the largest count in a single reference"
PREC_EMPTY = "modified_precision with no common n-gram, and with a candidate shorter than n"
BP_PUBLIC = "brevity_penalty of a shorter and of a longer candidate"
BP_CASES = "brevity_penalty at c = r, c > r and c < r (mild and severe)"
BP_EMPTY = "brevity_penalty of an empty candidate is 0"

C_PUBLIC = "corpus_bleu of a three-sentence corpus"
C_RANDOM = "corpus_bleu of random corpora with one to four references per sentence"
C_REF_LEN = "corpus_bleu uses each sentence's closest reference length, ties to the shorter"
C_MAX_N = "corpus_bleu with max_n = 1, 2, 3 and 5"
C_CLIP = "corpus_bleu clips repeated n-grams"
C_POOLED = "corpus_bleu pools counts over the corpus; it is not an average of sentence scores"
C_NO_MATCH = "corpus_bleu is 0 when no 4-gram matches (no smoothing)"
C_SHORT = "corpus_bleu of sentences shorter than four tokens: 0 for max_n = 4, not for max_n = 3 or 2"
C_EMPTY = "corpus_bleu of a corpus holding an empty candidate"
CORPUS = frozenset({C_PUBLIC, C_RANDOM, C_REF_LEN, C_MAX_N, C_CLIP, C_POOLED, C_NO_MATCH, C_SHORT, C_EMPTY})

S_PUBLIC = "sentence_bleu of a sentence with two references"
S_RANDOM = "sentence_bleu of 25 random sentences with one to four references"
S_SHORT = "sentence_bleu of 1- to 3-token candidates (effective order)"
S_NO_MATCH = "sentence_bleu when the higher orders have n-grams but no match (exp smoothing)"
S_ZERO = "sentence_bleu is 0 for a candidate with no matching unigram, and for an empty one"
S_REF_LEN = "sentence_bleu picks the closest reference length, ties to the shorter"
SENTENCE = frozenset({S_PUBLIC, S_RANDOM, S_SHORT, S_NO_MATCH, S_ZERO, S_REF_LEN})

# Scores that change with the reference length: an order without a match is 0 whatever the
# length, and so is a corpus too short for 4-grams.
C_LENGTH = CORPUS - {C_NO_MATCH}
# What a wrong clipping rule changes: scores of candidates that repeat an n-gram.
CLIPPING = frozenset({PREC_PUBLIC, PREC_CLIP, C_RANDOM, C_MAX_N, C_CLIP, C_EMPTY, S_RANDOM})


@dataclass(frozen=True)
class Mistake:
    failing: frozenset          # exactly the checks this mistake must cost
    named: str                  # the mistake's id, or a phrase of the feedback (tests/content/naming.py)
    named_in: frozenset = None  # the checks whose feedback must name it (default: all failing)


MISTAKES = {
    # ngram_counts feeds everything else; each score names it as the last n-gram missing.
    "ngram_off_by_one": Mistake(NGRAM | {PREC_PUBLIC, PREC_CLIP, PREC_EMPTY} | C_LENGTH | SENTENCE - {S_ZERO},
                                "bleu/ngram-last-missing"),
    "ngram_joined_strings": Mistake(NGRAM, "bleu/ngram-joined-strings"),
    "ngram_returns_dict": Mistake(NGRAM, "bleu/ngram-plain-dict"),
    "precision_no_clipping": Mistake(CLIPPING, "bleu/precision-no-clipping", named_in=CLIPPING - {PREC_CLIP}),
    "precision_clip_by_sum": Mistake(CLIPPING, "bleu/precision-clip-by-sum"),
    "precision_first_reference": Mistake(
        frozenset({PREC_CLIP, C_PUBLIC, C_RANDOM, C_REF_LEN, C_MAX_N, C_CLIP, C_EMPTY, S_PUBLIC, S_RANDOM,
                   S_NO_MATCH, S_REF_LEN}), "bleu/precision-clip-first-reference"),
    "precision_distinct_denominator": Mistake(
        frozenset({PREC_PUBLIC, PREC_CLIP, C_PUBLIC, C_RANDOM, C_REF_LEN, C_MAX_N, C_CLIP, C_POOLED, C_EMPTY,
                   S_RANDOM, S_REF_LEN}), "bleu/precision-distinct-denominator"),
    "bp_inverted": Mistake(frozenset({BP_PUBLIC, BP_CASES, C_PUBLIC, C_RANDOM, C_REF_LEN, C_MAX_N, C_SHORT, C_EMPTY,
                                      S_RANDOM, S_SHORT, S_REF_LEN}), "bleu/bp-inverted"),
    "bp_divides_by_zero": Mistake(frozenset({BP_EMPTY}), "ZeroDivisionError"),
    "ref_length_longest": Mistake(C_LENGTH - {C_POOLED, C_SHORT} | {S_PUBLIC, S_RANDOM, S_SHORT, S_REF_LEN},
                                  "bleu/ref-length-longest"),
    "ref_length_shortest": Mistake(frozenset({C_RANDOM, C_REF_LEN, C_MAX_N, C_SHORT, C_EMPTY, S_RANDOM, S_REF_LEN}),
                                   "bleu/ref-length-shortest"),
    "ref_length_first": Mistake(frozenset({C_PUBLIC, C_RANDOM, C_REF_LEN, C_MAX_N, C_EMPTY, S_PUBLIC, S_RANDOM,
                                           S_SHORT, S_REF_LEN}), "bleu/ref-length-first"),
    "ref_length_average": Mistake(frozenset({C_PUBLIC, C_RANDOM, C_REF_LEN, C_MAX_N, C_SHORT, C_EMPTY, S_PUBLIC,
                                             S_RANDOM, S_SHORT, S_REF_LEN}), "bleu/ref-length-average"),
    "ref_length_ties_to_longer": Mistake(frozenset({C_PUBLIC, C_REF_LEN, C_MAX_N, S_RANDOM, S_REF_LEN}),
                                         "bleu/ref-length-tie-longer"),
    "arithmetic_mean": Mistake(CORPUS - {C_NO_MATCH, C_SHORT} | SENTENCE - {S_ZERO}, "bleu/arithmetic-mean"),
    "max_n_fixed_at_3": Mistake(CORPUS, "bleu/orders-stop-at-3"),
    "max_n_ignored": Mistake(frozenset({C_MAX_N, C_SHORT}), "bleu/max-n-ignored"),
    "orders_off_by_one": Mistake(CORPUS | SENTENCE - {S_SHORT, S_ZERO}, "bleu/orders-stop-early|bleu/orders-stop-at-3|bleu/sentence-orders-stop-at-3"),
    "corpus_averages_sentences": Mistake(CORPUS - {C_NO_MATCH}, "bleu/corpus-average-of-sentences"),
    "score_zero_to_one": Mistake(CORPUS - {C_NO_MATCH} | SENTENCE - {S_ZERO}, "bleu/score-scale"),
    "corpus_smoothed": Mistake(frozenset({C_NO_MATCH, C_SHORT}), "bleu/corpus-smoothed"),
    "sentence_no_smoothing": Mistake(frozenset({S_RANDOM, S_SHORT, S_NO_MATCH}), "bleu/sentence-no-smoothing"),
    "sentence_no_effective_order": Mistake(frozenset({S_RANDOM, S_SHORT, S_REF_LEN}), "bleu/sentence-no-effective-order"),
    "sentence_flat_smoothing": Mistake(frozenset({S_RANDOM, S_NO_MATCH}), "bleu/sentence-smoothing-flat"),
    "sentence_effective_order_by_matches": Mistake(frozenset({S_RANDOM, S_SHORT, S_NO_MATCH}),
                                                   "bleu/sentence-drops-unmatched"),
    "sentence_no_zero_rule": Mistake(frozenset({S_ZERO}), "bleu/sentence-no-unigram-zero"),
    "banned_sacrebleu": Mistake(SENTENCE, "Banned API: `sentence_bleu` uses sacrebleu"),
    "banned_nltk": Mistake(CORPUS, "Banned API: `corpus_bleu` uses nltk.translate"),
}
CORRECT = sorted(p.stem for p in FILES.glob("correct_*.py"))


def _grade(engine, path):
    return engine.grade(Job(assignment_dir=str(ASSIGNMENT), filename="bleu.py", content=path.read_bytes()))


def test_every_content_file_is_covered():
    assert {p.stem for p in FILES.glob("*.py")} == set(MISTAKES) | set(CORRECT)


@pytest.mark.parametrize("name", CORRECT)
def test_correct_style_earns_full_marks(engine, name):
    result = _grade(engine, FILES / f"{name}.py")
    failed = {t.name: t.output for t in result.tests if t.status != "passed"}
    assert failed == {}
    assert result.score == result.max_score == POINTS


def test_reference_earns_full_marks_and_starter_nothing(engine):
    reference = _grade(engine, ROOT / "reference" / "bleu.py")
    starter = _grade(engine, ASSIGNMENT / "starter" / "bleu.py")
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
