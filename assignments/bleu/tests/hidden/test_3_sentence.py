"""Hidden checks of sentence_bleu: sacrebleu's defaults (exp smoothing, effective order).

Each check scores a list of sentences and compares the list with the reference's
(sacrebleu.sentence_bleu(..., tokenize="none")); a list that misses is compared with the
known mistakes' lists, so a mistake is named only if it explains every score.
"""
import random

import torch

from graders.checks import CheckFailure, check, expect_close, fail
from graders.i18n import T

HIDDEN = "after_due_date"
S = str.split
VOCAB = S("the cat sat on mat a dog ran to park big red")


def _number(value, what):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(T("{what}: expected a float, got {got}", "{what}: float여야 하는데 {got}입니다").format(
            what=what, got=type(value).__name__))
    return float(value)


def _score_sentences(student, ref, mistakes, cases, what):
    got = [_number(student.call("sentence_bleu", cand, refs), what + T(f", sentence {k}", f", 문장 {k}"))
           for k, (cand, refs) in enumerate(cases, 1)]
    expected = [ref.sentence_bleu(cand, refs) for cand, refs in cases]
    try:
        expect_close(torch.tensor(got, dtype=torch.float64), torch.tensor(expected, dtype=torch.float64), what=what)
    except CheckFailure as err:
        # The variants rerun BLEU dozens of times; only a miss pays for them.
        hint = mistakes.hint(got, mistakes.sentence_variants_many(cases), mistakes.same_scores)
        raise CheckFailure(mistakes.with_hint(err, hint)) from None


def _near(rng, ref):
    out = []
    for tok in ref:
        roll = rng.random()
        if roll < 0.12:
            continue
        out.append(rng.choice(VOCAB) if roll < 0.3 else tok)
        if rng.random() < 0.08:
            out.append(rng.choice(VOCAB))
    return out


@check(points=4, visibility=HIDDEN, target="sentence_bleu",
       ko="sentence_bleu: 참조가 1~4개인 무작위 문장 25개")
def test_random_sentences(student, ref, mistakes):
    """sentence_bleu of 25 random sentences with one to four references"""
    rng = random.Random(1002)
    cases = []
    for _ in range(25):
        refs = [[rng.choice(VOCAB) for _ in range(rng.randint(4, 14))] for _ in range(rng.randint(1, 4))]
        cases.append((_near(rng, rng.choice(refs)), refs))
    _score_sentences(student, ref, mistakes, cases, T("sentence_bleu of 25 random sentences", "무작위 문장 25개의 sentence_bleu"))


@check(points=2, visibility=HIDDEN, target="sentence_bleu",
       ko="sentence_bleu: 토큰 1~3개짜리 후보 (유효 차수)")
def test_short_candidates(student, ref, mistakes):
    """sentence_bleu of 1- to 3-token candidates (effective order)"""
    cases = [(S("cat"), [S("the cat sat")]), (S("the cat"), [S("the cat sat on the mat")]),
             (S("the cat sat"), [S("the cat sat")]), (S("cat the"), [S("the cat")]),
             (S("on the mat"), [S("the cat sat on the mat"), S("on a mat")])]
    _score_sentences(student, ref, mistakes, cases, T("sentence_bleu of candidates shorter than 4 tokens",
                                                                 "토큰이 4개보다 적은 후보의 sentence_bleu"))


@check(points=2, visibility=HIDDEN, target="sentence_bleu",
       ko="sentence_bleu: 높은 차수에 n-gram은 있지만 맞은 것이 없을 때 (exp 스무딩)")
def test_orders_without_match(student, ref, mistakes):
    """sentence_bleu when the higher orders have n-grams but no match (exp smoothing)"""
    cases = [(S("a b c x d e f"), [S("a b c d e f")]),          # no 4-gram match
             (S("a b x c d y e f"), [S("a b c d e f")]),        # no 3- or 4-gram match
             (S("a x b y c z d"), [S("a b c d")]),              # unigrams only
             (S("the cat sat on a red mat"), [S("a cat sat on the mat"), S("the red cat sat")])]
    _score_sentences(student, ref, mistakes, cases, T("sentence_bleu with orders that have no match",
                                                                 "맞은 것이 없는 차수가 있는 sentence_bleu"))


@check(points=1, visibility=HIDDEN, target="sentence_bleu",
       ko="sentence_bleu: 맞은 유니그램이 없는 후보와 빈 후보는 0")
def test_zero_scores(student, ref, mistakes):
    """sentence_bleu is 0 for a candidate with no matching unigram, and for an empty one"""
    cases = [(S("p q"), [S("w x y z")]), (S("p q r s t"), [S("v w x y z"), S("z z")]), ([], [S("a b c")])]
    _score_sentences(student, ref, mistakes, cases, T("sentence_bleu of candidates without a match",
                                                                 "맞은 것이 없는 후보의 sentence_bleu"))


@check(points=1, visibility=HIDDEN, target="sentence_bleu",
       ko="sentence_bleu: 가장 가까운 참조 길이 사용, 같으면 더 짧은 것")
def test_reference_lengths_and_ties(student, ref, mistakes):
    """sentence_bleu picks the closest reference length, ties to the shorter"""
    cand = S("the cat sat on the red mat")
    cases = [(cand, [S("the cat sat on the big red mat"), S("the cat sat on a mat")]),      # 8 and 6: tie
             (cand, [S("a cat sat on the red mat today yes"), S("the cat sat on the mat")]),  # 9 and 6
             (S("the cat sat"), [S("the cat sat on the mat"), S("the cat sat down"), S("cat sat")]),
             (S("a dog ran to the park"), [S("a dog ran to the big park today"), S("a dog ran fast"),
                                           S("the dog ran to the park now")])]
    _score_sentences(student, ref, mistakes, cases, T("sentence_bleu with references of several lengths",
                                                                 "길이가 여러 가지인 참조가 있는 sentence_bleu"))
