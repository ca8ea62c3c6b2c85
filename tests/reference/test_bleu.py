"""The bleu reference against sacrebleu 2.x, on random corpora and on the edge cases by hand.

sacrebleu takes references as streams (stream k holds every sentence's k-th reference);
a sentence with fewer references gets None in the remaining streams, which sacrebleu skips.
Tokens are joined with single spaces and split back by tokenize="none".
"""
import math
import random
from collections import Counter

import pytest
import sacrebleu
from sacrebleu.metrics import BLEU

from reference.bleu import (brevity_penalty, closest_ref_length, corpus_bleu, modified_precision, ngram_counts,
                            sentence_bleu)

VOCAB = "the cat sat on mat a dog ran to park big red".split()


def _streams(references):
    depth = max(len(refs) for refs in references)
    return [[" ".join(refs[k]) if k < len(refs) else None for refs in references] for k in range(depth)]


def sacre_corpus(candidates, references, max_n=4):
    metric = BLEU(tokenize="none", smooth_method="none", max_ngram_order=max_n)
    return metric.corpus_score([" ".join(c) for c in candidates], _streams(references)).score


def sacre_sentence(candidate, references):
    return sacrebleu.sentence_bleu(" ".join(candidate), [" ".join(r) for r in references], tokenize="none").score


def _sentence(rng, lo, hi, vocab=VOCAB):
    return [rng.choice(vocab) for _ in range(rng.randint(lo, hi))]


def _near(rng, ref):
    """A candidate that shares much of `ref`: a few tokens replaced, dropped or added."""
    out = []
    for tok in ref:
        roll = rng.random()
        if roll < 0.15:
            continue
        out.append(rng.choice(VOCAB) if roll < 0.3 else tok)
        if rng.random() < 0.1:
            out.append(rng.choice(VOCAB))
    return out


def _corpus(rng, size, *, max_refs=3, lo=1, hi=14):
    candidates, references = [], []
    for _ in range(size):
        refs = [_sentence(rng, lo, hi) for _ in range(rng.randint(1, max_refs))]
        candidates.append(_near(rng, rng.choice(refs)) if rng.random() < 0.8 else _sentence(rng, 0, hi))
        references.append(refs)
    return candidates, references


# ---------------------------------------------------------------------------- random corpora

@pytest.mark.parametrize("seed", range(60))
def test_corpus_bleu_matches_sacrebleu_on_random_corpora(seed):
    rng = random.Random(seed)
    candidates, references = _corpus(rng, rng.randint(1, 12))
    for max_n in (4, 1, 2, 3, 5):
        ours, theirs = corpus_bleu(candidates, references, max_n=max_n), sacre_corpus(candidates, references, max_n)
        assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-12), (max_n, candidates, references)


@pytest.mark.parametrize("seed", range(200))
def test_sentence_bleu_matches_sacrebleu_on_random_sentences(seed):
    rng = random.Random(1000 + seed)
    refs = [_sentence(rng, 1, 10) for _ in range(rng.randint(1, 4))]
    candidate = _near(rng, rng.choice(refs)) if seed % 3 else _sentence(rng, 0, 8)
    assert sentence_bleu(candidate, refs) == pytest.approx(sacre_sentence(candidate, refs), rel=1e-12, abs=1e-12)


# ---------------------------------------------------------------------------- edge cases

EDGE_SENTENCES = {
    "empty candidate": ([], [["the", "cat"]]),
    "no match at all": (["a", "b", "c", "d", "e"], [["v", "w", "x", "y", "z"]]),
    "one token, matching": (["cat"], [["the", "cat", "sat"]]),
    "two tokens, only unigrams match": (["cat", "the"], [["the", "cat"]]),
    "three tokens, no trigram match": (["the", "cat", "the"], [["the", "cat", "sat"]]),
    "identical": ("the cat sat on the mat".split(), ["the cat sat on the mat".split()]),
    "identical, four tokens": ("the cat sat down".split(), ["the cat sat down".split()]),
    "longer than every reference": ("the cat sat on the mat today".split(), [["the", "cat"], ["on", "the", "mat"]]),
    "clipping": (["the"] * 7, ["the cat is on the mat".split(), "there is a cat on the mat".split()]),
    "tie in length, shorter wins": ("a b c d e".split(), ["a b c d".split(), "a b c d e f".split()]),
    "tie in length, longer listed first": ("a b c d e".split(), ["a b c d e f".split(), "a b c d".split()]),
    "zero 3- and 4-gram matches": ("a b x c d y".split(), ["a b c d e f".split()]),
    "repeated references": ("the cat".split(), ["the cat".split(), "the cat".split()]),
}


@pytest.mark.parametrize("name", sorted(EDGE_SENTENCES))
def test_sentence_bleu_edge_cases_match_sacrebleu(name):
    candidate, refs = EDGE_SENTENCES[name]
    assert sentence_bleu(candidate, refs) == pytest.approx(sacre_sentence(candidate, refs), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name", sorted(EDGE_SENTENCES))
def test_corpus_bleu_of_one_sentence_matches_sacrebleu(name):
    candidate, refs = EDGE_SENTENCES[name]
    expected = sacre_corpus([candidate], [refs])
    assert corpus_bleu([candidate], [refs]) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_sentence_bleu_is_zero_without_unigram_matches():
    assert sentence_bleu(["a", "b"], [["c", "d"]]) == 0.0
    assert sentence_bleu([], [["c", "d"]]) == 0.0


def test_corpus_bleu_pools_counts_instead_of_averaging_sentences():
    candidates = ["the cat sat on the mat".split(), "a dog".split()]
    references = [["the cat sat on the mat".split()], ["a big dog ran".split()]]
    pooled = corpus_bleu(candidates, references)
    assert pooled == pytest.approx(sacre_corpus(candidates, references), rel=1e-12)
    averaged = sum(corpus_bleu([c], [r]) for c, r in zip(candidates, references)) / 2
    assert not math.isclose(pooled, averaged, rel_tol=1e-3)


def test_corpus_bleu_is_zero_when_no_candidate_has_four_tokens():
    candidates, references = [["a", "b", "c"], ["d", "e"]], [[["a", "b", "c"]], [["d", "e"]]]
    assert corpus_bleu(candidates, references) == 0.0 == sacre_corpus(candidates, references)
    assert corpus_bleu(candidates, references, max_n=2) == pytest.approx(100.0)


def test_corpus_bleu_with_different_numbers_of_references_per_sentence():
    rng = random.Random(7)
    candidates, references = _corpus(rng, 25, max_refs=5, lo=3, hi=20)
    assert len({len(r) for r in references}) > 2
    assert corpus_bleu(candidates, references) == pytest.approx(sacre_corpus(candidates, references), rel=1e-12)


def test_corpus_bleu_with_a_long_corpus():
    rng = random.Random(11)
    candidates, references = _corpus(rng, 300, lo=5, hi=30)
    assert corpus_bleu(candidates, references) == pytest.approx(sacre_corpus(candidates, references), rel=1e-12)


# ---------------------------------------------------------------------------- the parts

def test_ngram_counts():
    tokens = "the cat the cat the".split()
    assert ngram_counts(tokens, 1) == Counter({("the",): 3, ("cat",): 2})
    assert ngram_counts(tokens, 2) == Counter({("the", "cat"): 2, ("cat", "the"): 2})
    assert ngram_counts(tokens, 5) == Counter({tuple(tokens): 1})
    assert ngram_counts(tokens, 6) == Counter()
    assert ngram_counts([], 1) == Counter()
    assert isinstance(ngram_counts(tokens, 3), Counter)
    with pytest.raises(ValueError):
        ngram_counts(tokens, 0)


def test_modified_precision_papineni_example():
    """Papineni et al. (2002), section 2.1: "the the the the the the the" scores 2/7."""
    candidate = ["the"] * 7
    refs = ["the cat is on the mat".split(), "there is a cat on the mat".split()]
    assert modified_precision(candidate, refs, 1) == (2, 7)
    assert modified_precision(candidate, refs, 2) == (0, 6)


def test_modified_precision_clips_by_the_maximum_over_single_references():
    refs = [["a", "a", "b"], ["a", "b", "b"]]
    assert modified_precision(["a", "a", "a", "b", "b", "b"], refs, 1) == (4, 6)   # max, not sum (which gives 6)
    assert modified_precision(["a", "b"], refs, 3) == (0, 0)


@pytest.mark.parametrize("c,r,expected", [
    (5, 4, 1.0), (4, 4, 1.0), (3, 4, math.exp(1 - 4 / 3)), (1, 10, math.exp(-9.0)), (0, 4, 0.0), (0, 0, 0.0),
])
def test_brevity_penalty(c, r, expected):
    assert brevity_penalty(c, r) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("c_len,lengths,expected", [
    (5, [4, 6], 4), (5, [6, 4], 4), (5, [2, 9, 5], 5), (5, [7], 7), (0, [3, 1], 1), (10, [8, 12, 9], 9),
])
def test_closest_reference_length_prefers_the_shorter_on_ties(c_len, lengths, expected):
    assert closest_ref_length(c_len, [["x"] * n for n in lengths]) == expected


def test_mismatched_corpus_lengths_raise_value_error():
    with pytest.raises(ValueError):
        corpus_bleu([["a"]], [])
