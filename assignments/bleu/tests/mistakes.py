"""Known-wrong variants of bleu.py, evaluated in the grader on the checks' own inputs.

One BLEU written with switches (`bleu`) reproduces every classic departure from the
reference; each `*_variants` function returns {message: what a submission with exactly that
mistake returns}. Checks consult them only after the student's answer has missed and name
the first that matches. A variant that cannot run on an input (a division by zero, say)
yields None there and is never named. Messages are shown to students: they say what the
code does and what the contract wants, never a number. Loaded in the grader only.
"""
import math
from collections import Counter

# --------------------------------------------------------------------------- n-grams


def ngrams(tokens, n, *, stop=1, joined=False, bare_unigrams=False):
    """n-gram counts; stop=0 drops the last n-gram, stop=2 adds a shorter one at the end."""
    grams = [tuple(tokens[i:i + n]) for i in range(max(0, len(tokens) - n + stop))]
    if joined:
        return Counter(" ".join(g) for g in grams)
    if bare_unigrams and n == 1:
        return Counter(g[0] for g in grams)
    return Counter(grams)


NGRAM_SWITCHES = {
    "the last n-gram is missing: a list of L tokens has L - n + 1 n-grams, at positions 0 .. L - n "
    "(range(len(tokens) - n + 1))":
        dict(stop=0),
    "a shorter n-gram is counted at the end: the last n-gram starts at position L - n":
        dict(stop=2),
    "the n-grams are joined strings ('the cat'); the keys must be tuples of tokens: ('the', 'cat')":
        dict(joined=True),
    "1-grams are bare tokens ('the'); every key is a tuple, for n = 1 too: ('the',)":
        dict(bare_unigrams=True),
}


def ngram_variants(tokens, n):
    out = {msg: ngrams(tokens, n, **kw) for msg, kw in NGRAM_SWITCHES.items()}
    out["these are the (n + 1)-grams; ngram_counts(tokens, n) counts runs of n tokens"] = ngrams(tokens, n + 1)
    if n > 1:
        out["these are the (n - 1)-grams; ngram_counts(tokens, n) counts runs of n tokens"] = ngrams(tokens, n - 1)
    return out


# --------------------------------------------------------------------------- modified precision

def precision(candidate, references, n, *, clip="max", denominator="all", stop=1):
    cand = ngrams(candidate, n, stop=stop)
    ref_counts = [ngrams(r, n, stop=stop) for r in references]
    if clip == "max":
        limit = Counter()
        for c in ref_counts:
            limit |= c
    elif clip == "sum":
        limit = sum(ref_counts, Counter())
    elif clip == "first":
        limit = ref_counts[0]
    else:
        limit = None
    if clip == "none":
        seen = set().union(*ref_counts)
        matches = sum(c for g, c in cand.items() if g in seen)
    elif clip == "presence":
        seen = set().union(*ref_counts)
        matches = sum(1 for g in cand if g in seen)
    else:
        matches = sum(min(c, limit[g]) for g, c in cand.items())
    if denominator == "distinct":
        total = len(cand)
    elif denominator == "length":
        total = len(candidate)
    else:
        total = sum(cand.values())
    return matches, total


CLIP_SWITCHES = {
    "no clipping: a candidate n-gram may match more often than it appears in any reference; clip each "
    "count at the largest count of that n-gram in a single reference":
        dict(clip="none"),
    "counts are clipped by the sum over all references; clip by the maximum count in any single reference":
        dict(clip="sum"),
    "only the first reference is used for clipping; clip by the maximum count over all references":
        dict(clip="first"),
    "each distinct matching n-gram counts once; a repeated n-gram counts up to its clipped count":
        dict(clip="presence"),
}
DENOMINATOR_SWITCHES = {
    "the denominator counts distinct n-grams; it is the number of all candidate n-grams, repeats included":
        dict(denominator="distinct"),
    "the denominator is the candidate's length for every n; a candidate of L tokens has L - n + 1 n-grams":
        dict(denominator="length"),
}


LAST_NGRAM = "the last n-gram of every sentence is missing (see ngram_counts: range(len(tokens) - n + 1))"


def precision_variants(candidate, references, n):
    switches = {**CLIP_SWITCHES, **DENOMINATOR_SWITCHES, LAST_NGRAM: dict(stop=0)}
    return {msg: precision(candidate, references, n, **kw) for msg, kw in switches.items()}


# --------------------------------------------------------------------------- brevity penalty

def brevity(c, r, *, rule="reference"):
    if rule == "always":
        return math.exp(1 - r / c) if c else 0.0
    if c == 0:
        return 0.0
    if c > r:
        return 1.0
    return {"reference": math.exp(1 - r / c), "inverted": math.exp(1 - c / r), "sign": math.exp(r / c - 1),
            "ratio": c / r, "none": 1.0}[rule]


BP_SWITCHES = {
    "the ratio is inverted: BP = exp(1 - r/c), with r the reference length and c the candidate length":
        dict(rule="inverted"),
    "the exponent has the wrong sign: BP = exp(1 - r/c) is at most 1":
        dict(rule="sign"),
    "the penalty is applied to candidates longer than the reference too; BP = 1 when c > r":
        dict(rule="always"),
    "BP = c/r; the brevity penalty is exp(1 - r/c)":
        dict(rule="ratio"),
}


def brevity_variants(c, r):
    return {msg: _safe(brevity, c, r, **kw) for msg, kw in BP_SWITCHES.items()}


# --------------------------------------------------------------------------- BLEU

def ref_length(c, references, rule="closest"):
    lengths = [len(r) for r in references]
    if rule == "closest":
        return min(lengths, key=lambda r: (abs(r - c), r))
    if rule == "closest_longer":
        return min(lengths, key=lambda r: (abs(r - c), -r))
    return {"shortest": min(lengths), "longest": max(lengths), "first": lengths[0],
            "average": sum(lengths) / len(lengths)}[rule]


def _combine(matches, totals, c, r, *, smooth="none", effective=None, mean="geometric", bp="reference",
             early_zero=True, scale=100.0):
    """Precisions, smoothing, effective order and the mean, with the knobs for the mistakes.

    effective: None keeps every order (an order with no candidate n-grams scores 0);
    "total" drops orders with no candidate n-grams (sacrebleu); "matches" drops orders
    with no matches.
    """
    if early_zero and not any(matches):
        return 0.0
    precisions, halvings = [], 0
    for m, t in zip(matches, totals):
        if t == 0 or (effective == "matches" and m == 0):
            if effective is None:
                precisions.append(0.0)
                continue
            break
        if m > 0:
            precisions.append((m + (1 if smooth == "add1" and precisions else 0))
                              / (t + (1 if smooth == "add1" and precisions else 0)))
        elif smooth in ("exp", "exp_flat"):
            halvings = halvings + 1 if smooth == "exp" else 1
            precisions.append(1.0 / (2 ** halvings * t))
        elif smooth == "floor":
            precisions.append(0.1 / t)
        elif smooth == "add1" and precisions:
            precisions.append(1.0 / (t + 1))
        else:
            precisions.append(0.0)
    if not precisions:
        return 0.0
    if mean == "arithmetic":
        combined = sum(precisions) / len(precisions)
    elif min(precisions) <= 0:
        combined = 0.0
    else:
        combined = math.exp(sum(math.log(p) for p in precisions) / len(precisions))
    return scale * brevity(c, r, rule=bp) * combined


def statistics(candidates, references, orders, *, clip="max", ref_rule="closest", stop=1, denominator="all"):
    matches, totals, c_len, r_len = [0] * len(orders), [0] * len(orders), 0, 0
    for cand, refs in zip(candidates, references):
        used = refs[:1] if clip == "first_only" else refs
        for k, n in enumerate(orders):
            m, t = precision(cand, used, n, clip="max" if clip == "first_only" else clip, stop=stop,
                             denominator=denominator)
            matches[k] += m
            totals[k] += t
        c_len += len(cand)
        r_len += ref_length(len(cand), used, ref_rule)
    return matches, totals, c_len, r_len


def bleu(candidates, references, max_n=4, *, orders=None, pool="corpus", clip="max", ref_rule="closest", stop=1,
         denominator="all", **combine):
    """Corpus BLEU with switches; pool="sentences" averages per-sentence scores instead."""
    orders = range(1, max_n + 1) if orders is None else orders
    counting = dict(clip=clip, ref_rule=ref_rule, stop=stop, denominator=denominator)
    if pool == "sentences":
        scores = [bleu([c], [r], max_n, orders=orders, **counting, **combine)
                  for c, r in zip(candidates, references)]
        return sum(scores) / len(scores)
    m, t, c, r = statistics(candidates, references, orders, **counting)
    if pool == "sentence_bp":
        unpenalised = _combine(m, t, c, r, bp="none", **combine)
        penalties = [brevity(len(cand), ref_length(len(cand), refs, ref_rule)) for cand, refs in
                     zip(candidates, references)]
        return unpenalised * sum(penalties) / len(penalties)
    return _combine(m, t, c, r, **combine)


REF_RULES = {
    "the reference length is the longest reference's; use the one closest to the candidate's length "
    "(ties: the shorter)": "longest",
    "the reference length is the shortest reference's; use the one closest to the candidate's length "
    "(ties: the shorter)": "shortest",
    "the reference length is the first reference's; use the one closest to the candidate's length "
    "(ties: the shorter)": "first",
    "the reference length is the average over the references; use the one closest to the candidate's "
    "length (ties: the shorter)": "average",
    "of two references equally close in length the longer one is used; ties go to the shorter":
        "closest_longer",
}

COMMON_SWITCHES = {
    **{msg: dict(clip=kw["clip"]) for msg, kw in CLIP_SWITCHES.items()},
    **{msg: dict(ref_rule=rule) for msg, rule in REF_RULES.items()},
    "only the first reference is used; clipping and the reference length use every reference":
        dict(clip="first_only"),
    "the arithmetic mean of the n-gram precisions; BLEU takes their geometric mean, "
    "exp((1/N) * sum(log p_n))": dict(mean="arithmetic"),
    **{f"brevity penalty: {msg}": dict(bp=kw["rule"]) for msg, kw in BP_SWITCHES.items()},
    "the brevity penalty is missing": dict(bp="none"),
    **{msg: dict(denominator=kw["denominator"]) for msg, kw in DENOMINATOR_SWITCHES.items()},
    LAST_NGRAM: dict(stop=0),
    "the score is on 0-1; BLEU here is on 0-100 (as sacrebleu reports it)": dict(scale=1.0),
}


def corpus_variants(candidates, references, max_n=4):
    switches = {
        "corpus_bleu is smoothed; it must not be (smooth_method='none'): an order with no match makes it 0":
            dict(smooth="exp", effective="total"),
        "max_n is ignored: the orders are always 1 .. 4": dict(orders=range(1, 5)),
        "the orders stop at 3 (BLEU-3); use n = 1 .. max_n, 4 by default": dict(orders=range(1, 4)),
        "the n-gram orders stop at max_n - 1: use n = 1 .. max_n (range(1, max_n + 1))":
            dict(orders=range(1, max_n)),
        "the n-gram orders go up to max_n + 1: use n = 1 .. max_n": dict(orders=range(1, max_n + 2)),
        "the average of per-sentence BLEU scores; corpus BLEU sums matches, totals and lengths over the "
        "corpus first and computes one score": dict(pool="sentences"),
        "the brevity penalty is averaged over sentences; it is computed once, from the corpus totals c and r":
            dict(pool="sentence_bp"),
        **COMMON_SWITCHES,
    }
    return {msg: _safe(bleu, candidates, references, max_n, **kw) for msg, kw in switches.items()}


def corpus_variants_many(cases):
    """{message: [variant score per (candidates, references, max_n) case]}."""
    per_case = [corpus_variants(*case) for case in cases]
    return {msg: [v[msg] for v in per_case] for msg in per_case[0]}


SENTENCE = dict(smooth="exp", effective="total")


def sentence_variants(candidate, references):
    switches = {
        "no effective order: orders where the candidate has no n-grams (it is shorter than 4 tokens) must be "
        "left out of the mean, not scored 0": dict(smooth="exp", effective=None),
        "orders with n-grams but no match were left out; effective order drops only the orders where the "
        "candidate has no n-grams, and those with no match are smoothed": dict(smooth="exp", effective="matches"),
        "no smoothing: an order with no match must get precision 1 / (2^k * total), k = 1, 2, ... for the "
        "first, second, ... such order (sacrebleu's 'exp' smoothing)": dict(smooth="none", effective="total"),
        "the smoothing does not double: the k-th order with no match gets 1 / (2^k * total), so the second "
        "gets 1 / (4 * total)": dict(smooth="exp_flat", effective="total"),
        "add-one smoothing; sacrebleu's default is 'exp': the k-th order with no match gets "
        "1 / (2^k * total)": dict(smooth="add1", effective="total"),
        "floor smoothing (0.1 / total); sacrebleu's default is 'exp': the k-th order with no match gets "
        "1 / (2^k * total)": dict(smooth="floor", effective="total"),
        "the unsmoothed corpus formula on one sentence; sentence_bleu uses exp smoothing and effective order":
            dict(),
        "a candidate with no matching unigram must score 0": dict(**SENTENCE, early_zero=False),
        "the n-gram orders stop at 3; sentence_bleu uses n = 1 .. 4": dict(**SENTENCE, orders=range(1, 4)),
        **{msg: {**SENTENCE, **kw} for msg, kw in COMMON_SWITCHES.items()},
    }
    return {msg: _safe(bleu, [candidate], [references], 4, **kw) for msg, kw in switches.items()}


def sentence_variants_many(cases):
    per_case = [sentence_variants(*case) for case in cases]
    return {msg: [v[msg] for v in per_case] for msg in per_case[0]}


def hint(got, variants, same):
    """The message of every variant that reproduces `got` (by `same`), as one hint, or None."""
    matching = [msg for msg, v in variants.items() if v is not None and same(got, v)]
    if not matching:
        return None
    return matching[0] + "".join(f" (or: {m})" for m in matching[1:3])


def same_scores(got, variant):
    """Two lists of scores agree within the grading tolerance (a None score never agrees)."""
    return len(got) == len(variant) and all(
        v is not None and math.isclose(a, v, rel_tol=1e-4, abs_tol=1e-5) for a, v in zip(got, variant))


def _safe(fn, *args, **kw):
    try:
        return float(fn(*args, **kw))
    except (ZeroDivisionError, ValueError, OverflowError):
        return None
