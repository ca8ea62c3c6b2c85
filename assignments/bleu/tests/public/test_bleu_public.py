"""Small visible checks: one of each function, on sentences you can score by hand.

The hidden checks ask the same questions on random corpora and on the edge cases: repeated
n-grams, several references of different lengths (with ties), empty candidates, candidates
too short for 4-grams, orders with no match, and max_n other than 4.
"""
from collections import Counter

from graders.checks import CheckFailure, check, expect_scalar, fail
from graders.i18n import T

S = str.split


def _expect_counts(mistakes, got, expected, variants, what):
    if not isinstance(got, Counter):
        fail(mistakes.counter_problem(got, what))
    if got == expected:
        return
    missing = sum(1 for g in expected if got[g] == 0)
    extra = sum(1 for g in got if got[g] and expected[g] == 0)
    wrong = sum(1 for g in expected if got[g] and got[g] != expected[g])
    hint = mistakes.hint(got, variants, lambda a, b: a == b)
    fail(mistakes.with_hint(mistakes.COUNTS_DIFFER.format(what=what, missing=missing, extra=extra, wrong=wrong), hint))


def _expect_score(mistakes, value, expected, variants, what):
    """A number close to the reference's; on a miss, name the known mistakes that give the same number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(mistakes.NOT_A_FLOAT.format(what=what, got=type(value).__name__))
    try:
        expect_scalar(float(value), expected, what=what)
    except CheckFailure as err:
        hint = mistakes.hint([float(value)], {m: [v] for m, v in variants.items()}, mistakes.same_scores)
        raise CheckFailure(mistakes.with_hint(err, hint)) from None


@check(points=1, visibility="visible", target="ngram_counts",
       ko="ngram_counts: 토큰 8개짜리 문장, n = 1과 n = 2")
def test_ngram_counts_small(student, ref, mistakes):
    """ngram_counts of an 8-token sentence for n = 1 and n = 2"""
    tokens = S("the cat sat on the mat the cat")
    for n in (1, 2):
        _expect_counts(mistakes, student.call("ngram_counts", tokens, n), ref.ngram_counts(tokens, n),
                       mistakes.ngram_variants(tokens, n), f"ngram_counts(tokens, {n})")


@check(points=1, visibility="visible", target="modified_precision",
       ko="modified_precision: \"the the the the the the the\" (Papineni 외, 2002)")
def test_modified_precision_papineni(student, ref, mistakes):
    """modified_precision of "the the the the the the the" (Papineni et al., 2002)"""
    candidate = ["the"] * 7
    references = [S("the cat is on the mat"), S("there is a cat on the mat")]
    got = student.call("modified_precision", candidate, references, 1)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        fail(mistakes.NOT_A_PAIR.format(what="modified_precision", got=type(got).__name__))
    if tuple(got) != ref.modified_precision(candidate, references, 1):
        variants = mistakes.precision_variants(candidate, references, 1)
        hint = mistakes.hint(tuple(got), variants, lambda a, b: a == b)
        fail(mistakes.with_hint(T("modified_precision(candidate, references, 1): not the expected pair",
                                  "modified_precision(candidate, references, 1): 기대한 쌍이 아닙니다"), hint))


@check(points=1, visibility="visible", target="brevity_penalty",
       ko="brevity_penalty: 더 짧은 후보와 더 긴 후보")
def test_brevity_penalty_short_and_long(student, ref, mistakes):
    """brevity_penalty of a shorter and of a longer candidate"""
    for c, r in ((3, 5), (6, 5)):
        _expect_score(mistakes, student.call("brevity_penalty", c, r), ref.brevity_penalty(c, r),
                      mistakes.brevity_variants(c, r), f"brevity_penalty({c}, {r})")


@check(points=2, visibility="visible", target="corpus_bleu",
       ko="corpus_bleu: 문장 세 개짜리 코퍼스")
def test_corpus_bleu_three_sentences(student, ref, mistakes):
    """corpus_bleu of a three-sentence corpus"""
    candidates = [S("the cat sat on the mat"), S("a dog ran in the park"), S("it is raining today")]
    references = [[S("a cat was sitting on the mat today"), S("the cat sat on the red mat")],
                  [S("a big dog ran in the park")],
                  [S("today it rains"), S("it is raining again today")]]
    _expect_score(mistakes, student.call("corpus_bleu", candidates, references),
                  ref.corpus_bleu(candidates, references), mistakes.corpus_variants(candidates, references),
                  "corpus_bleu(candidates, references)")


@check(points=2, visibility="visible", target="sentence_bleu",
       ko="sentence_bleu: 참조가 두 개인 문장")
def test_sentence_bleu_two_references(student, ref, mistakes):
    """sentence_bleu of a sentence with two references"""
    candidate = S("the quick brown fox jumps over a dog")
    references = [S("the quick brown fox jumped over the lazy dog"), S("a fast brown fox leaps over a dog")]
    _expect_score(mistakes, student.call("sentence_bleu", candidate, references),
                  ref.sentence_bleu(candidate, references), mistakes.sentence_variants(candidate, references),
                  "sentence_bleu(candidate, references)")
