"""Hidden checks of ngram_counts, modified_precision and brevity_penalty on the edge cases."""
import random
from collections import Counter

from graders.checks import CheckFailure, check, expect_scalar, fail
from graders.i18n import T

HIDDEN = "after_due_date"
S = str.split
VOCAB = S("the cat sat on mat a dog ran to park big red")


def _counter(value, what, mistakes):
    if isinstance(value, Counter):
        return value
    fail(mistakes.counter_problem(value, what))


def _expect_counts(student, ref, mistakes, tokens, n, what):
    got = _counter(student.call("ngram_counts", tokens, n), what, mistakes)
    expected = ref.ngram_counts(tokens, n)
    if got == expected:
        return
    missing = sum(1 for g in expected if got[g] == 0)
    extra = sum(1 for g in got if got[g] and expected[g] == 0)
    wrong = sum(1 for g in expected if got[g] and got[g] != expected[g])
    hint = mistakes.hint(got, mistakes.ngram_variants(tokens, n), lambda a, b: a == b)
    fail(mistakes.with_hint(mistakes.COUNTS_DIFFER.format(what=what, missing=missing, extra=extra, wrong=wrong), hint))


def _expect_pair(student, ref, mistakes, candidate, references, n, what):
    got = student.call("modified_precision", candidate, references, n)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        fail(mistakes.NOT_A_PAIR.format(what=what, got=type(got).__name__))
    if not all(isinstance(v, int) and not isinstance(v, bool) or isinstance(v, float) and v.is_integer()
               for v in got):
        fail(mistakes.NOT_WHOLE.format(what=what, a=type(got[0]).__name__, b=type(got[1]).__name__))
    expected = ref.modified_precision(candidate, references, n)
    got = tuple(int(v) for v in got)
    if got == expected:
        return
    parts = [name for name, a, b in zip(("matches", "total"), got, expected) if a != b]
    hint = mistakes.hint(got, mistakes.precision_variants(candidate, references, n), lambda a, b: a == b)
    fail(mistakes.with_hint(mistakes.PAIR_DIFFERS.format(what=what, parts=mistakes.AND.join(parts)), hint))


def _expect_score(mistakes, value, expected, variants, what):
    """A number close to the reference's; on a miss, name the known mistakes that give the same number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(mistakes.NOT_A_FLOAT.format(what=what, got=type(value).__name__))
    try:
        expect_scalar(float(value), expected, what=what)
    except CheckFailure as err:
        hint = mistakes.hint([float(value)], {m: [v] for m, v in variants.items()}, mistakes.same_scores)
        raise CheckFailure(mistakes.with_hint(err, hint)) from None


# --------------------------------------------------------------------------- ngram_counts

@check(points=2, visibility=HIDDEN, target="ngram_counts",
       ko="ngram_counts: 반복되는 n-gram이 있는 문장, n = 1 .. 5")
def test_ngram_orders_and_repeats(student, ref, mistakes):
    """ngram_counts for n = 1 .. 5 on a sentence with repeated n-grams"""
    tokens = S("a b a b a b c a b c a")
    for n in range(1, 6):
        _expect_counts(student, ref, mistakes, tokens, n, f"ngram_counts(tokens, {n})")


@check(points=1, visibility=HIDDEN, target="ngram_counts",
       ko="ngram_counts: 문장 길이가 n과 같거나 n보다 짧거나 비어 있을 때")
def test_ngram_short_inputs(student, ref, mistakes):
    """ngram_counts when the sentence is as long as n, shorter than n, or empty"""
    for tokens, n in ((S("x y z"), 3), (S("x y z"), 4), ([], 1), (["x"], 1)):
        _expect_counts(student, ref, mistakes, tokens, n, f"ngram_counts({tokens}, {n})")


# --------------------------------------------------------------------------- modified_precision

@check(points=2, visibility=HIDDEN, target="modified_precision",
       ko="modified_precision: 참조 하나에서의 최대 개수로 자름")
def test_clipping_with_several_references(student, ref, mistakes):
    """modified_precision clips by the largest count in a single reference"""
    candidate = S("a a a b b b c a b")
    references = [S("a a b c"), S("b b a c c"), S("c a b b b a")]
    for n in (1, 2, 3):
        _expect_pair(student, ref, mistakes, candidate, references, n, f"modified_precision(candidate, refs, {n})")
    rng = random.Random(5)
    for k in range(6):
        candidate = [rng.choice(VOCAB[:5]) for _ in range(rng.randint(3, 12))]
        references = [[rng.choice(VOCAB[:5]) for _ in range(rng.randint(2, 12))] for _ in range(rng.randint(1, 4))]
        for n in (1, 2):
            _expect_pair(student, ref, mistakes, candidate, references, n,
                         T("modified_precision on random case {k}, n = {n}",
                                                                               "modified_precision, 무작위 사례 {k}, n = {n}").format(k=k + 1, n=n))


@check(points=1, visibility=HIDDEN, target="modified_precision",
       ko="modified_precision: 공통 n-gram이 없을 때와 후보가 n보다 짧을 때")
def test_precision_without_matches_or_ngrams(student, ref, mistakes):
    """modified_precision with no common n-gram, and with a candidate shorter than n"""
    _expect_pair(student, ref, mistakes, S("p q r s"), [S("w x y z"), S("z y")], 1, T("no common unigram", "공통 유니그램 없음"))
    _expect_pair(student, ref, mistakes, S("p q"), [S("p q r s")], 3, T("a 2-token candidate, n = 3", "토큰 2개짜리 후보, n = 3"))
    _expect_pair(student, ref, mistakes, [], [S("p q")], 1, T("an empty candidate", "빈 후보"))


# --------------------------------------------------------------------------- brevity_penalty

@check(points=1, visibility=HIDDEN, target="brevity_penalty",
       ko="brevity_penalty: c = r, c > r, c < r (약한 경우와 심한 경우)")
def test_brevity_penalty_cases(student, ref, mistakes):
    """brevity_penalty at c = r, c > r and c < r (mild and severe)"""
    for c, r in ((7, 7), (12, 5), (9, 10), (2, 17), (1, 1)):
        _expect_score(mistakes, student.call("brevity_penalty", c, r), ref.brevity_penalty(c, r),
                      mistakes.brevity_variants(c, r), f"brevity_penalty({c}, {r})")


@check(points=1, visibility=HIDDEN, target="brevity_penalty",
       ko="brevity_penalty: 빈 후보는 0")
def test_brevity_penalty_empty_candidate(student, mistakes):
    """brevity_penalty of an empty candidate is 0"""
    for r in (1, 6):
        _expect_score(mistakes, student.call("brevity_penalty", 0, r), 0.0, {}, f"brevity_penalty(0, {r})")
