"""Correct, in a functional style: zip-based n-grams, Counter union for clipping, sorted()
for the closest length, and both scores through one helper working in log space."""
import math
from collections import Counter
from functools import reduce


def ngram_counts(tokens, n):
    return Counter(zip(*(tokens[i:] for i in range(n))))


def modified_precision(candidate, references, n):
    cand = ngram_counts(candidate, n)
    clip = reduce(lambda a, b: a | b, (ngram_counts(r, n) for r in references))
    return sum((cand & clip).values()), sum(cand.values())


def brevity_penalty(c_len, r_len):
    return 0.0 if c_len == 0 else min(1.0, math.exp(1 - r_len / c_len))


def _ref_len(c_len, references):
    return sorted((abs(len(r) - c_len), len(r)) for r in references)[0][1]


def _bleu(stats, c_len, r_len, smooth):
    if sum(m for m, _ in stats) == 0:
        return 0.0
    logs, doubled = [], 1
    for m, t in stats:
        if t == 0:
            if smooth:
                break
            return 0.0
        if m:
            logs.append(math.log(m) - math.log(t))
        elif smooth:
            doubled *= 2
            logs.append(-math.log(doubled * t))
        else:
            return 0.0
    return 100.0 * brevity_penalty(c_len, r_len) * math.exp(math.fsum(logs) / len(logs))


def corpus_bleu(candidates, references, max_n=4):
    per_sentence = [[modified_precision(c, refs, n) for n in range(1, max_n + 1)]
                    for c, refs in zip(candidates, references)]
    stats = [tuple(map(sum, zip(*column))) for column in zip(*per_sentence)] if per_sentence else []
    c_len = sum(len(c) for c in candidates)
    r_len = sum(_ref_len(len(c), refs) for c, refs in zip(candidates, references))
    return _bleu(stats, c_len, r_len, smooth=False)


def sentence_bleu(candidate, references):
    stats = [modified_precision(candidate, references, n) for n in range(1, 5)]
    return _bleu(stats, len(candidate), _ref_len(len(candidate), references), smooth=True)
