"""Correct, with plain loops and dicts: counts by hand, clipping with an explicit maximum, the
closest reference length by scanning, and the sentence score with its smoothing written out."""
import math
from collections import Counter


def ngram_counts(tokens, n):
    counts = Counter()
    for i in range(len(tokens) - n + 1):
        counts[tuple(tokens[i:i + n])] += 1
    return counts


def modified_precision(candidate, references, n):
    cand = ngram_counts(candidate, n)
    matches = 0
    for gram, count in cand.items():
        best = 0
        for ref in references:
            best = max(best, ngram_counts(ref, n)[gram])
        matches += min(count, best)
    total = max(0, len(candidate) - n + 1)
    return matches, total


def brevity_penalty(c_len, r_len):
    if c_len == 0:
        return 0.0
    if c_len > r_len:
        return 1.0
    return math.exp(1 - r_len / c_len)


def _closest(c_len, references):
    best = None
    for ref in references:
        r = len(ref)
        if best is None or abs(r - c_len) < abs(best - c_len) or (abs(r - c_len) == abs(best - c_len) and r < best):
            best = r
    return best


def corpus_bleu(candidates, references, max_n=4):
    matches = [0] * max_n
    totals = [0] * max_n
    c_total = r_total = 0
    for cand, refs in zip(candidates, references):
        for n in range(1, max_n + 1):
            m, t = modified_precision(cand, refs, n)
            matches[n - 1] += m
            totals[n - 1] += t
        c_total += len(cand)
        r_total += _closest(len(cand), refs)
    for m, t in zip(matches, totals):
        if m == 0 or t == 0:
            return 0.0
    log_mean = sum(math.log(m / t) for m, t in zip(matches, totals)) / max_n
    return 100 * brevity_penalty(c_total, r_total) * math.exp(log_mean)


def sentence_bleu(candidate, references):
    if modified_precision(candidate, references, 1)[0] == 0:
        return 0.0
    precisions = []
    k = 0
    for n in range(1, 5):
        m, t = modified_precision(candidate, references, n)
        if t == 0:
            break
        if m == 0:
            k += 1
            precisions.append(1 / (2 ** k * t))
        else:
            precisions.append(m / t)
    geo = math.exp(sum(math.log(p) for p in precisions) / len(precisions))
    return 100 * brevity_penalty(len(candidate), _closest(len(candidate), references)) * geo
