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

from graders.i18n import Mistake, T

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
    Mistake("bleu/ngram-last-missing",
        "the last n-gram is missing: a list of L tokens has L - n + 1 n-grams, at positions 0 "
        ".. L - n (range(len(tokens) - n + 1))",
        "마지막 n-gram이 빠졌습니다: 토큰 L개의 리스트에는 위치 0 .. L - n에 n-gram이 L - n + 1개 있습니다 "
        "(range(len(tokens) - n + 1))"):
        dict(stop=0),
    Mistake("bleu/ngram-short-tail",
        "a shorter n-gram is counted at the end: the last n-gram starts at position L - n",
        "끝에서 더 짧은 n-gram을 셌습니다: 마지막 n-gram은 위치 L - n에서 시작합니다"):
        dict(stop=2),
    Mistake("bleu/ngram-joined-strings",
        "the n-grams are joined strings ('the cat'); the keys must be tuples of tokens: "
        "('the', 'cat')",
        "n-gram을 이어 붙인 문자열('the cat')로 만들었습니다. 키는 토큰의 튜플 ('the', 'cat')이어야 합니다"):
        dict(joined=True),
    Mistake("bleu/ngram-bare-unigrams",
        "1-grams are bare tokens ('the'); every key is a tuple, for n = 1 too: ('the',)",
        "1-gram을 토큰 그대로('the') 썼습니다. n = 1일 때도 모든 키는 튜플 ('the',)입니다"):
        dict(bare_unigrams=True),
}


def ngram_variants(tokens, n):
    out = {msg: ngrams(tokens, n, **kw) for msg, kw in NGRAM_SWITCHES.items()}
    out[Mistake("bleu/ngram-off-by-one",
        "these are the (n + 1)-grams; ngram_counts(tokens, n) counts runs of n tokens",
        "(n + 1)-gram을 셌습니다. ngram_counts(tokens, n)은 연속한 토큰 n개를 셉니다")] = ngrams(tokens, n + 1)
    if n > 1:
        out[Mistake("bleu/ngram-off-by-one",
            "these are the (n - 1)-grams; ngram_counts(tokens, n) counts runs of n tokens",
            "(n - 1)-gram을 셌습니다. ngram_counts(tokens, n)은 연속한 토큰 n개를 셉니다")] = ngrams(tokens, n - 1)
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
    Mistake("bleu/precision-no-clipping",
        "no clipping: a candidate n-gram may match more often than it appears in any "
        "reference; clip each count at the largest count of that n-gram in a single reference",
        "클리핑을 하지 않았습니다: 후보의 n-gram이 어느 참조에 나온 것보다 더 많이 맞을 수 있습니다. 각 개수를 참조 하나에서 그 n-gram이 나온 "
        "최대 개수로 자르세요"):
        dict(clip="none"),
    Mistake("bleu/precision-clip-by-sum",
        "counts are clipped by the sum over all references; clip by the maximum count in any "
        "single reference",
        "모든 참조에 걸친 합으로 개수를 잘랐습니다. 참조 하나에서의 최대 개수로 자르세요"):
        dict(clip="sum"),
    Mistake("bleu/precision-clip-first-reference",
        "only the first reference is used for clipping; clip by the maximum count over all "
        "references",
        "클리핑에 첫 번째 참조만 썼습니다. 모든 참조에 대한 최대 개수로 자르세요"):
        dict(clip="first"),
    Mistake("bleu/precision-distinct-matches",
        "each distinct matching n-gram counts once; a repeated n-gram counts up to its "
        "clipped count",
        "맞은 n-gram을 종류마다 한 번만 셌습니다. 반복된 n-gram은 잘린 개수까지 셉니다"):
        dict(clip="presence"),
}
DENOMINATOR_SWITCHES = {
    Mistake("bleu/precision-distinct-denominator",
        "the denominator counts distinct n-grams; it is the number of all candidate n-grams, "
        "repeats included",
        "분모에서 n-gram을 종류별로 셌습니다. 분모는 반복을 포함한 후보 n-gram 전체의 개수입니다"):
        dict(denominator="distinct"),
    Mistake("bleu/precision-length-denominator",
        "the denominator is the candidate's length for every n; a candidate of L tokens has L "
        "- n + 1 n-grams",
        "모든 n에서 분모가 후보의 길이입니다. 토큰 L개의 후보에는 n-gram이 L - n + 1개 있습니다"):
        dict(denominator="length"),
}


LAST_NGRAM = Mistake("bleu/ngram-last-missing",
    "the last n-gram of every sentence is missing (see ngram_counts: range(len(tokens) - n + "
    "1))",
    "모든 문장의 마지막 n-gram이 빠졌습니다 (ngram_counts 참고: range(len(tokens) - n + 1))")


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
    Mistake("bleu/bp-inverted",
        "the ratio is inverted: BP = exp(1 - r/c), with r the reference length and c the "
        "candidate length",
        "비율이 뒤집혔습니다: BP = exp(1 - r/c)이고 r은 참조 길이, c는 후보 길이입니다"):
        dict(rule="inverted"),
    Mistake("bleu/bp-sign",
        "the exponent has the wrong sign: BP = exp(1 - r/c) is at most 1",
        "지수의 부호가 반대입니다: BP = exp(1 - r/c)는 1 이하입니다"):
        dict(rule="sign"),
    Mistake("bleu/bp-always",
        "the penalty is applied to candidates longer than the reference too; BP = 1 when c > "
        "r",
        "참조보다 긴 후보에도 페널티를 적용했습니다. c > r이면 BP = 1입니다"):
        dict(rule="always"),
    Mistake("bleu/bp-ratio",
        "BP = c/r; the brevity penalty is exp(1 - r/c)",
        "BP = c/r를 썼습니다. 간결성 페널티는 exp(1 - r/c)입니다"):
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
    Mistake("bleu/ref-length-longest",
        "the reference length is the longest reference's; use the one closest to the "
        "candidate's length (ties: the shorter)",
        "참조 길이로 가장 긴 참조의 길이를 썼습니다. 후보의 길이에 가장 가까운 것을 쓰세요 (같으면 더 짧은 것)"): "longest",
    Mistake("bleu/ref-length-shortest",
        "the reference length is the shortest reference's; use the one closest to the "
        "candidate's length (ties: the shorter)",
        "참조 길이로 가장 짧은 참조의 길이를 썼습니다. 후보의 길이에 가장 가까운 것을 쓰세요 (같으면 더 짧은 것)"): "shortest",
    Mistake("bleu/ref-length-first",
        "the reference length is the first reference's; use the one closest to the "
        "candidate's length (ties: the shorter)",
        "참조 길이로 첫 번째 참조의 길이를 썼습니다. 후보의 길이에 가장 가까운 것을 쓰세요 (같으면 더 짧은 것)"): "first",
    Mistake("bleu/ref-length-average",
        "the reference length is the average over the references; use the one closest to the "
        "candidate's length (ties: the shorter)",
        "참조 길이로 참조들의 평균을 썼습니다. 후보의 길이에 가장 가까운 것을 쓰세요 (같으면 더 짧은 것)"): "average",
    Mistake("bleu/ref-length-tie-longer",
        "of two references equally close in length the longer one is used; ties go to the "
        "shorter",
        "길이가 똑같이 가까운 두 참조 중 더 긴 것을 썼습니다. 같으면 더 짧은 것을 씁니다"):
        "closest_longer",
}

COMMON_SWITCHES = {
    **{msg: dict(clip=kw["clip"]) for msg, kw in CLIP_SWITCHES.items()},
    **{msg: dict(ref_rule=rule) for msg, rule in REF_RULES.items()},
    Mistake("bleu/first-reference-only",
        "only the first reference is used; clipping and the reference length use every "
        "reference",
        "첫 번째 참조만 썼습니다. 클리핑과 참조 길이에는 모든 참조를 씁니다"):
        dict(clip="first_only"),
    Mistake("bleu/arithmetic-mean",
        "the arithmetic mean of the n-gram precisions; BLEU takes their geometric mean, "
        "exp((1/N) * sum(log p_n))",
        "n-gram 정밀도의 산술 평균을 썼습니다. BLEU는 기하 평균 exp((1/N) * sum(log p_n))을 씁니다"): dict(mean="arithmetic"),
    **{Mistake(msg.id, "brevity penalty: " + msg.en, "간결성 페널티: " + msg.ko): dict(bp=kw["rule"])
       for msg, kw in BP_SWITCHES.items()},
    Mistake("bleu/bp-missing",
        "the brevity penalty is missing",
        "간결성 페널티가 빠졌습니다"): dict(bp="none"),
    **{msg: dict(denominator=kw["denominator"]) for msg, kw in DENOMINATOR_SWITCHES.items()},
    LAST_NGRAM: dict(stop=0),
    Mistake("bleu/score-scale",
        "the score is on 0-1; BLEU here is on 0-100 (as sacrebleu reports it)",
        "점수가 0-1 범위입니다. 여기서 BLEU는 (sacrebleu처럼) 0-100 범위입니다"): dict(scale=1.0),
}


def corpus_variants(candidates, references, max_n=4):
    switches = {
        Mistake("bleu/corpus-smoothed",
            "corpus_bleu is smoothed; it must not be (smooth_method='none'): an order with no "
            "match makes it 0",
            "corpus_bleu에 스무딩을 적용했습니다. 적용하면 안 됩니다 (smooth_method='none'): 맞은 것이 없는 차수가 하나라도 "
            "있으면 0입니다"):
            dict(smooth="exp", effective="total"),
        Mistake("bleu/max-n-ignored",
            "max_n is ignored: the orders are always 1 .. 4",
            "max_n을 무시했습니다: 차수가 항상 1 .. 4입니다"): dict(orders=range(1, 5)),
        Mistake("bleu/orders-stop-at-3",
            "the orders stop at 3 (BLEU-3); use n = 1 .. max_n, 4 by default",
            "차수가 3에서 멈춥니다(BLEU-3). n = 1 .. max_n을 쓰세요 (기본값 4)"): dict(orders=range(1, 4)),
        Mistake("bleu/orders-stop-early",
            "the n-gram orders stop at max_n - 1: use n = 1 .. max_n (range(1, max_n + 1))",
            "n-gram 차수가 max_n - 1에서 멈춥니다: n = 1 .. max_n을 쓰세요 (range(1, max_n + 1))"):
            dict(orders=range(1, max_n)),
        Mistake("bleu/orders-go-past",
            "the n-gram orders go up to max_n + 1: use n = 1 .. max_n",
            "n-gram 차수가 max_n + 1까지 갑니다: n = 1 .. max_n을 쓰세요"): dict(orders=range(1, max_n + 2)),
        Mistake("bleu/corpus-average-of-sentences",
            "the average of per-sentence BLEU scores; corpus BLEU sums matches, totals and "
            "lengths over the corpus first and computes one score",
            "문장별 BLEU 점수의 평균을 냈습니다. 코퍼스 BLEU는 맞은 개수, 전체 개수, 길이를 코퍼스 전체에서 먼저 합한 다음 점수 하나를 "
            "계산합니다"): dict(pool="sentences"),
        Mistake("bleu/corpus-bp-per-sentence",
            "the brevity penalty is averaged over sentences; it is computed once, from the "
            "corpus totals c and r",
            "간결성 페널티를 문장별로 평균냈습니다. 코퍼스 전체의 c와 r로 한 번만 계산합니다"):
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
        Mistake("bleu/sentence-no-effective-order",
            "no effective order: orders where the candidate has no n-grams (it is shorter "
            "than 4 tokens) must be left out of the mean, not scored 0",
            "유효 차수(effective order)를 쓰지 않았습니다: 후보에 n-gram이 없는 차수(토큰이 4개보다 적을 때)는 0점이 아니라 평균에서 "
            "빼야 합니다"): dict(smooth="exp", effective=None),
        Mistake("bleu/sentence-drops-unmatched",
            "orders with n-grams but no match were left out; effective order drops only the "
            "orders where the candidate has no n-grams, and those with no match are smoothed",
            "n-gram은 있지만 맞은 것이 없는 차수를 뺐습니다. 유효 차수는 후보에 n-gram이 없는 차수만 빼고, 맞은 것이 없는 차수는 스무딩합니다"): dict(smooth="exp", effective="matches"),
        Mistake("bleu/sentence-no-smoothing",
            "no smoothing: an order with no match must get precision 1 / (2^k * total), k = "
            "1, 2, ... for the first, second, ... such order (sacrebleu's 'exp' smoothing)",
            "스무딩이 없습니다: 맞은 것이 없는 차수는 첫 번째, 두 번째, ...마다 k = 1, 2, ...로 정밀도 1 / (2^k * total)을 "
            "받아야 합니다 (sacrebleu의 'exp' 스무딩)"): dict(smooth="none", effective="total"),
        Mistake("bleu/sentence-smoothing-flat",
            "the smoothing does not double: the k-th order with no match gets 1 / (2^k * "
            "total), so the second gets 1 / (4 * total)",
            "스무딩이 두 배씩 커지지 않습니다: 맞은 것이 없는 k번째 차수는 1 / (2^k * total)을 받으므로 두 번째는 1 / (4 * "
            "total)입니다"): dict(smooth="exp_flat", effective="total"),
        Mistake("bleu/sentence-add-one",
            "add-one smoothing; sacrebleu's default is 'exp': the k-th order with no match "
            "gets 1 / (2^k * total)",
            "add-one 스무딩을 썼습니다. sacrebleu의 기본값은 'exp'입니다: 맞은 것이 없는 k번째 차수는 1 / (2^k * total)을 "
            "받습니다"): dict(smooth="add1", effective="total"),
        Mistake("bleu/sentence-floor",
            "floor smoothing (0.1 / total); sacrebleu's default is 'exp': the k-th order with "
            "no match gets 1 / (2^k * total)",
            "floor 스무딩(0.1 / total)을 썼습니다. sacrebleu의 기본값은 'exp'입니다: 맞은 것이 없는 k번째 차수는 1 / "
            "(2^k * total)을 받습니다"): dict(smooth="floor", effective="total"),
        Mistake("bleu/sentence-corpus-formula",
            "the unsmoothed corpus formula on one sentence; sentence_bleu uses exp smoothing "
            "and effective order",
            "스무딩 없는 코퍼스 공식을 문장 하나에 썼습니다. sentence_bleu는 exp 스무딩과 유효 차수를 씁니다"):
            dict(),
        Mistake("bleu/sentence-no-unigram-zero",
            "a candidate with no matching unigram must score 0",
            "맞은 유니그램이 없는 후보는 0점이어야 합니다"): dict(**SENTENCE, early_zero=False),
        Mistake("bleu/sentence-orders-stop-at-3",
            "the n-gram orders stop at 3; sentence_bleu uses n = 1 .. 4",
            "n-gram 차수가 3에서 멈춥니다. sentence_bleu는 n = 1 .. 4를 씁니다"): dict(**SENTENCE, orders=range(1, 4)),
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
    return matching[0] + T("", "").join(T(" (or: ", " (또는: ") + m + ")" for m in matching[1:3])


def same_scores(got, variant):
    """Two lists of scores agree within the grading tolerance (a None score never agrees)."""
    return len(got) == len(variant) and all(
        v is not None and math.isclose(a, v, rel_tol=1e-4, abs_tol=1e-5) for a, v in zip(got, variant))


def _safe(fn, *args, **kw):
    try:
        return float(fn(*args, **kw))
    except (ZeroDivisionError, ValueError, OverflowError):
        return None


# --------------------------------------------------------------------------- messages of the checks

PLAIN_DICT = Mistake(
    "bleu/ngram-plain-dict",
    "{what}: expected a collections.Counter, got a plain dict; return Counter(...)",
    "{what}: collections.Counter여야 하는데 일반 dict입니다. Counter(...)를 반환하세요")
NOT_A_COUNTER = T("{what}: expected a collections.Counter, got {got}", "{what}: collections.Counter여야 하는데 {got}입니다")
COUNTS_DIFFER = T("{what}: {missing} missing, {extra} unexpected and {wrong} miscounted n-grams",
                  "{what}: n-gram {missing}개가 빠졌고, {extra}개는 없어야 하며, {wrong}개는 개수가 틀렸습니다")
NOT_A_FLOAT = T("{what}: expected a float, got {got}", "{what}: float여야 하는데 {got}입니다")
NOT_A_PAIR = T("{what}: expected a pair (matches, total), got {got}",
               "{what}: (matches, total) 쌍이어야 하는데 {got}입니다")
NOT_WHOLE = T("{what}: matches and total must be whole numbers, got {a} and {b}",
              "{what}: matches와 total은 정수여야 하는데 {a}와 {b}입니다")
PAIR_DIFFERS = T("{what}: {parts} not as expected", "{what}: {parts}이(가) 기대한 값과 다릅니다")
AND = T(" and ", ", ")


def counter_problem(value, what):
    """The failure for a value that is not a Counter."""
    if isinstance(value, dict):
        return PLAIN_DICT.format(what=what)
    return NOT_A_COUNTER.format(what=what, got=type(value).__name__)


def with_hint(message, hint):
    """`message; hint` in both languages (the hint names the known mistakes)."""
    from graders.i18n import message_of
    base = message_of(message) if isinstance(message, BaseException) else message
    return base + ("; " + hint if hint else "")
