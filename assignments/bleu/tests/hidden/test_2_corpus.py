"""Hidden checks of corpus_bleu: random corpora and corpora built so that one rule decides.

Each check scores one or more corpora and compares the list of scores with the reference's
(sacrebleu's BLEU(tokenize="none", smooth_method="none")); a list that misses is compared
with the known mistakes' lists, so a mistake is named only if it explains every score.
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


def _score_corpora(student, ref, mistakes, cases, what, *, by_keyword=True):
    """cases: (candidates, references, max_n) triples; compare all scores at once."""
    got, expected = [], []
    for k, (candidates, references, max_n) in enumerate(cases, 1):
        if max_n == 4 and not by_keyword:
            value = student.call("corpus_bleu", candidates, references)
        elif by_keyword:
            value = student.call("corpus_bleu", candidates, references, max_n=max_n)
        else:
            value = student.call("corpus_bleu", candidates, references, max_n)
        got.append(_number(value, what + T(f", corpus {k}", f", 코퍼스 {k}")))
        expected.append(ref.corpus_bleu(candidates, references, max_n))
    try:
        expect_close(torch.tensor(got, dtype=torch.float64), torch.tensor(expected, dtype=torch.float64), what=what)
    except CheckFailure as err:
        # The variants rerun BLEU dozens of times; only a miss pays for them.
        hint = mistakes.hint(got, mistakes.corpus_variants_many(cases), mistakes.same_scores)
        raise CheckFailure(mistakes.with_hint(err, hint)) from None


def _near(rng, ref):
    """A candidate sharing much of `ref`: some tokens replaced, dropped or added."""
    out = []
    for tok in ref:
        roll = rng.random()
        if roll < 0.12:
            continue
        out.append(rng.choice(VOCAB) if roll < 0.25 else tok)
        if rng.random() < 0.08:
            out.append(rng.choice(VOCAB))
    return out


def _random_corpus(rng, size, *, max_refs=4, lo=4, hi=16):
    candidates, references = [], []
    for _ in range(size):
        refs = [[rng.choice(VOCAB) for _ in range(rng.randint(lo, hi))] for _ in range(rng.randint(1, max_refs))]
        candidates.append(_near(rng, rng.choice(refs)))
        references.append(refs)
    return candidates, references


def _resized(rng, tokens, length):
    """`tokens` cut or padded to `length`, with one token replaced: a reference of a chosen length."""
    out = (tokens + [rng.choice(VOCAB) for _ in range(length)])[:length]
    if length > 2:
        out[rng.randrange(length)] = rng.choice(VOCAB)
    return out


@check(points=3, visibility=HIDDEN, target="corpus_bleu",
       ko="corpus_bleu: 문장마다 참조가 1~4개인 무작위 코퍼스")
def test_random_corpora(student, ref, mistakes):
    """corpus_bleu of random corpora with one to four references per sentence"""
    rng = random.Random(2002)
    cases = [(*_random_corpus(rng, size), 4) for size in (20, 7, 40)]
    _score_corpora(student, ref, mistakes, cases, T("corpus_bleu of three random corpora", "무작위 코퍼스 세 개의 corpus_bleu"), by_keyword=False)


@check(points=3, visibility=HIDDEN, target="corpus_bleu",
       ko="corpus_bleu: 문장마다 가장 가까운 참조 길이 사용, 같으면 더 짧은 것")
def test_reference_length_rule(student, ref, mistakes):
    """corpus_bleu uses each sentence's closest reference length, ties to the shorter"""
    rng = random.Random(7)
    candidates, references = [], []
    for i in range(10):
        c = rng.randint(6, 10)
        cand = [rng.choice(VOCAB) for _ in range(c)]
        # Even sentences tie (c - 1 and c + 1: the shorter counts); odd ones have a longer closest
        # reference, so that the corpus is shorter than its references and the penalty bites.
        lengths = [c + 1, c - 1, c + 6, c - 4] if i % 2 == 0 else [c + 5, c + 2, c - 4, c + 9]
        rng.shuffle(lengths)
        candidates.append(cand)
        references.append([_resized(rng, cand, n) for n in lengths])
    _score_corpora(student, ref, mistakes, [(candidates, references, 4)],
                   T("corpus_bleu of a corpus with references of several lengths",
                     "길이가 여러 가지인 참조를 가진 코퍼스의 corpus_bleu"))


@check(points=2, visibility=HIDDEN, target="corpus_bleu",
       ko="corpus_bleu: max_n이 1, 2, 3, 5일 때")
def test_other_max_n(student, ref, mistakes):
    """corpus_bleu with max_n = 1, 2, 3 and 5"""
    rng = random.Random(31)
    candidates, references = _random_corpus(rng, 25, lo=6, hi=20)
    cases = [(candidates, references, n) for n in (2, 5, 1, 3)]
    _score_corpora(student, ref, mistakes, cases, T("corpus_bleu with max_n = 2, 5, 1, 3", "max_n = 2, 5, 1, 3일 때의 corpus_bleu"))


@check(points=2, visibility=HIDDEN, target="corpus_bleu",
       ko="corpus_bleu: 반복되는 n-gram을 자름")
def test_clipping(student, ref, mistakes):
    """corpus_bleu clips repeated n-grams"""
    rng = random.Random(13)
    small = S("x y z")
    candidates, references = [], []
    for _ in range(12):
        refs = [[rng.choice(small) for _ in range(rng.randint(5, 9))] for _ in range(rng.randint(1, 3))]
        candidates.append([rng.choice(small) for _ in range(rng.randint(6, 10))])
        references.append(refs)
    _score_corpora(student, ref, mistakes, [(candidates, references, 4)],
                   T("corpus_bleu of a corpus with many repeated n-grams", "반복되는 n-gram이 많은 코퍼스의 corpus_bleu"))


@check(points=2, visibility=HIDDEN, target="corpus_bleu",
       ko="corpus_bleu: 코퍼스 전체에서 개수를 합산하며 문장 점수의 평균이 아님")
def test_pooled_not_averaged(student, ref, mistakes):
    """corpus_bleu pools counts over the corpus; it is not an average of sentence scores"""
    candidates = [S("the cat sat on the mat today"), S("a dog"), S("it ran to the big red park and back home")]
    references = [[S("the cat sat on the mat")], [S("a big dog ran")], [S("it ran to the big park and back home")]]
    _score_corpora(student, ref, mistakes, [(candidates, references, 4)],
                   T("corpus_bleu of sentences of very different lengths", "길이가 크게 다른 문장들의 corpus_bleu"))


@check(points=1, visibility=HIDDEN, target="corpus_bleu",
       ko="corpus_bleu: 맞은 4-gram이 없으면 0 (스무딩 없음)")
def test_order_without_match_gives_zero(student, ref, mistakes):
    """corpus_bleu is 0 when no 4-gram matches (no smoothing)"""
    candidates = [S("a b c x d e f"), S("g h i y j k")]
    references = [[S("a b c d e f")], [S("g h i j k"), S("g h i z j k")]]
    _score_corpora(student, ref, mistakes, [(candidates, references, 4)],
                   T("corpus_bleu of a corpus without a matching 4-gram", "일치하는 4-gram이 없는 코퍼스의 corpus_bleu"))


@check(points=1, visibility=HIDDEN, target="corpus_bleu",
       ko="corpus_bleu: 토큰 4개보다 짧은 문장은 max_n = 4이면 0, max_n = 3이나 2이면 0이 아님")
def test_short_sentences(student, ref, mistakes):
    """corpus_bleu of sentences shorter than four tokens: 0 for max_n = 4, not for max_n = 3 or 2"""
    candidates = [S("a b c"), S("d e"), S("f g h")]
    references = [[S("a b c")], [S("d e f")], [S("f g h"), S("f g")]]
    cases = [(candidates, references, n) for n in (4, 3, 2)]
    _score_corpora(student, ref, mistakes, cases, T("corpus_bleu of 2- and 3-token sentences", "토큰 2개, 3개짜리 문장의 corpus_bleu"))


@check(points=1, visibility=HIDDEN, target="corpus_bleu",
       ko="corpus_bleu: 빈 후보가 있는 코퍼스")
def test_empty_candidate_in_corpus(student, ref, mistakes):
    """corpus_bleu of a corpus holding an empty candidate"""
    rng = random.Random(3)
    candidates, references = _random_corpus(rng, 6, lo=6, hi=12)
    candidates[2] = []
    _score_corpora(student, ref, mistakes, [(candidates, references, 4)], T("corpus_bleu with an empty candidate", "빈 후보가 있는 corpus_bleu"))
