"""Mistake: clipping by the sum of the references' counts."""
import math
from collections import Counter


def ngram_counts(tokens, n):
    """Counter of the n-grams of `tokens`, each a tuple of n tokens."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def modified_precision(candidate, references, n):
    """(clipped n-gram matches, candidate n-grams): each candidate n-gram counts at most as
    often as it appears in the single reference that has it most often."""
    if not references:
        raise ValueError("at least one reference is needed")
    cand = ngram_counts(candidate, n)
    max_ref = Counter()
    for ref in references:
        max_ref += ngram_counts(ref, n)
    matches = sum(min(count, max_ref[gram]) for gram, count in cand.items())
    return matches, sum(cand.values())


def brevity_penalty(c_len, r_len):
    """1 if the candidate is longer than the reference, else exp(1 - r/c); 0 for an empty candidate."""
    if c_len == 0:
        return 0.0
    if c_len > r_len:
        return 1.0
    return math.exp(1 - r_len / c_len)


def closest_ref_length(c_len, references):
    """The reference length closest to c_len; of two equally close, the shorter."""
    return min((len(ref) for ref in references), key=lambda r: (abs(r - c_len), r))


def _statistics(candidate, references, max_n):
    if not references:
        raise ValueError("every candidate needs at least one reference")
    pairs = [modified_precision(candidate, references, n) for n in range(1, max_n + 1)]
    c_len = len(candidate)
    return [m for m, _ in pairs], [t for _, t in pairs], c_len, closest_ref_length(c_len, references)


def _score(matches, totals, c_len, r_len, *, smooth):
    """100 * BP * geometric mean of the precisions, as sacrebleu computes it.

    Unsmoothed (corpus): an order with no candidate n-grams or no matches makes BLEU 0.
    Smoothed (sentence): orders with no candidate n-grams are dropped (effective order) and
    the k-th order with no match gets precision 1 / (2^k * total) (mteval's "exp" smoothing).
    """
    if not any(matches):
        return 0.0
    log_sum, order, halvings = 0.0, 0, 0
    for m, t in zip(matches, totals):
        if t == 0:
            if not smooth:
                return 0.0
            break
        order += 1
        if m > 0:
            log_sum += math.log(m / t)
        elif smooth:
            halvings += 1
            log_sum += math.log(1.0 / (2 ** halvings * t))
        else:
            return 0.0
    return 100.0 * brevity_penalty(c_len, r_len) * math.exp(log_sum / order)


def corpus_bleu(candidates, references, max_n=4):
    """Corpus BLEU on 0-100: n-gram matches, totals and lengths are summed over the corpus first.

    candidates[i] is a token list; references[i] is a list of token lists for candidate i.
    """
    if len(candidates) != len(references):
        raise ValueError("one list of references per candidate")
    if max_n < 1:
        raise ValueError(f"max_n must be at least 1, got {max_n}")
    matches, totals, c_len, r_len = [0] * max_n, [0] * max_n, 0, 0
    for candidate, refs in zip(candidates, references):
        m, t, c, r = _statistics(candidate, refs, max_n)
        matches = [a + b for a, b in zip(matches, m)]
        totals = [a + b for a, b in zip(totals, t)]
        c_len, r_len = c_len + c, r_len + r
    return _score(matches, totals, c_len, r_len, smooth=False)


def sentence_bleu(candidate, references):
    """Sentence BLEU on 0-100 with exp smoothing and effective order (sacrebleu's defaults)."""
    return _score(*_statistics(candidate, references, 4), smooth=True)
