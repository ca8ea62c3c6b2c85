"""BLEU (assignment `bleu`). Submit this file as `bleu.py`.

Sentences are lists of tokens (strings); tokenisation is already done. Use plain Python
(math, collections); sacrebleu, nltk.translate, torchmetrics and evaluate are not allowed.
Scores are on 0-100, as sacrebleu reports them.
"""
import math
from collections import Counter


def ngram_counts(tokens, n):
    """Count the n-grams of a token list.

    Args:
        tokens: a list of strings, e.g. ["the", "cat", "sat"].
        n:      the n-gram order, n >= 1.

    Returns:
        a collections.Counter whose keys are tuples of n consecutive tokens, e.g.
        ngram_counts(["the", "cat", "sat"], 2) == Counter({("the", "cat"): 1, ("cat", "sat"): 1}).
        A list shorter than n has no n-grams (an empty Counter).
    """
    raise NotImplementedError


def modified_precision(candidate, references, n):
    """Clipped n-gram matches of a candidate against its references.

    Args:
        candidate:  a list of tokens.
        references: a non-empty list of token lists.
        n:          the n-gram order.

    Returns:
        (matches, total), two ints: matches is the sum over the candidate's n-grams of
        min(count in the candidate, largest count in any single reference); total is the
        number of n-grams in the candidate (repeats included).
    """
    raise NotImplementedError


def brevity_penalty(c_len, r_len):
    """The brevity penalty of a candidate of c_len tokens against a reference length r_len.

    Returns:
        a float: 1.0 if c_len > r_len, else exp(1 - r_len / c_len); 0.0 if c_len == 0.
    """
    raise NotImplementedError


def corpus_bleu(candidates, references, max_n=4):
    """Corpus-level BLEU on 0-100, as sacrebleu's BLEU(tokenize="none", smooth_method="none").

    Args:
        candidates: a list of candidate token lists.
        references: a list, one entry per candidate, of lists of reference token lists
                    (a candidate may have any number >= 1 of references).
        max_n:      the largest n-gram order; BLEU uses n = 1 .. max_n.

    Returns:
        a float in [0, 100]. Matches, totals and lengths are summed over the whole corpus
        before the precisions and the brevity penalty are computed. Each candidate's
        reference length is the length of its reference closest in length (ties: the
        shorter). No smoothing: if some order has no match (or no n-gram), BLEU is 0.
    """
    raise NotImplementedError


def sentence_bleu(candidate, references):
    """Sentence-level BLEU on 0-100, as sacrebleu.sentence_bleu(..., tokenize="none").

    Args:
        candidate:  a list of tokens.
        references: a non-empty list of token lists.

    Returns:
        a float in [0, 100], with sacrebleu's defaults: orders 1..4; orders where the
        candidate has no n-grams are dropped (effective order); the k-th order (k = 1, 2, ...)
        with n-grams but no match gets precision 1 / (2^k * total) ("exp" smoothing);
        0 when no unigram matches.
    """
    raise NotImplementedError
