"""How lm-pretraining judges answers, and the classic mistakes it names. Grader side only.

`mlm_mask` draws random numbers, and a student's draws cannot be expected to match the
reference's one for one. It is judged instead on large batches: by structure (labels,
untouched positions, special tokens), which holds for every draw, and by statistics,
whose bounds are Z standard deviations wide, so that a correct implementation fails with
probability below 1e-8 while every classic mistake is many deviations away.

`greedy_generate` is judged exactly: the model is a TableLM double (logits = table[ids]),
whose greedy path the grader computes with the reference. The classic mistakes are
replayed on the same table and named when the student's output reproduces one.

Messages are shown to students: they state the contract and the student's own numbers,
never a hidden expected value.
"""
import math
from dataclasses import dataclass

import torch

from graders.checks import CheckFailure, expect_tensor, fail
from graders.i18n import Mistake, T
from graders.sandbox.doubles import TableLM

IGNORE = -100
Z = 6.0                 # width of the statistical bounds, in standard deviations
SHARES = (0.8, 0.1, 0.1)    # BERT's split of the picked positions: mask, random, keep


# =========================================================================== mlm_mask inputs

@dataclass(frozen=True)
class Vocab:
    """A tokenizer's layout: its size, its special ids and the ids text is drawn from."""
    size: int
    pad: int
    cls: int
    sep: int
    mask: int
    unk: int
    text: tuple[int, int]          # text ids are drawn from [text[0], text[1])

    @property
    def specials(self) -> list[int]:
        return [self.pad, self.cls, self.sep, self.mask, self.unk]


SMALL = Vocab(size=1000, pad=0, cls=1, sep=2, mask=3, unk=4, text=(5, 400))
BERT = Vocab(size=30522, pad=0, cls=101, sep=102, mask=103, unk=100, text=(1000, 12000))


def bert_batch(rng, vocab: Vocab, B: int, T: int) -> torch.Tensor:
    """Rows `[CLS] a [SEP] b [SEP] [PAD]...` of random lengths, like BERT's sentence pairs."""
    tokens = torch.full((B, T), vocab.pad, dtype=torch.long)
    text = torch.randint(*vocab.text, (B, T), generator=rng)
    lengths = torch.randint(T // 2, T + 1, (B,), generator=rng).tolist()
    for row, n in enumerate(lengths):
        cut = int(torch.randint(2, n - 2, (1,), generator=rng))
        tokens[row, :n] = text[row, :n]
        tokens[row, 0], tokens[row, cut], tokens[row, n - 1] = vocab.cls, vocab.sep, vocab.sep
    # Rare [UNK]s inside the text: specials are not only at the edges.
    unk = torch.rand(B, T, generator=rng) < 0.01
    tokens[unk & (tokens >= vocab.text[0])] = vocab.unk
    return tokens


# =========================================================================== mlm_mask structure

def mlm_pair(value, tokens, what="mlm_mask"):
    """The (inputs, labels) pair, each a LongTensor shaped like tokens."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        got = type(value).__name__
        if isinstance(value, (tuple, list)):
            got = T(f"{got} of length {len(value)}", f"길이가 {len(value)}인 {got}")
        fail(T("{what} must return a pair (inputs, labels), got {got}",
               "{what}: (inputs, labels) 쌍을 반환해야 하는데 반환값이 {got}입니다").format(what=what, got=got))
    inputs, labels = value
    for name, t in (("inputs", inputs), ("labels", labels)):
        expect_tensor(t, what=f"{what}: {name}", shape=tuple(tokens.shape))
        if t.dtype != torch.long:
            fail(T(
                "{v0}: {v1} must be a LongTensor (torch.int64), got {v2}",
                "{v0}: {v1}은(는) LongTensor(torch.int64)여야 하는데 {v2}입니다").format(v0=what, v1=name, v2=t.dtype))
    return inputs, labels


def expect_mlm_structure(value, tokens, vocab: Vocab, *, specials=None, what="mlm_mask"):
    """What holds for every draw: labels, untouched positions, specials, id range."""
    inputs, labels = mlm_pair(value, tokens, what)
    specials = vocab.specials if specials is None else specials
    _expect_labels(inputs, labels, tokens, what)
    ignored = labels == IGNORE
    changed = ignored & (inputs != tokens)
    if changed.any():
        share = changed.sum().item() / max(1, ignored.sum().item())
        if share > 0.3:
            fail(Mistake("lm-pretraining/mlm-rule-on-every-position", 
                "{v0}: {v1} positions with label -100 were changed ({v2:.0%} of them): the 80/10/10 rule was applied to every position, not only to the picked ones (a position is changed only if it is picked, and then it gets a label)",
                "{v0}: 레이블이 -100인 위치 {v1}개가 바뀌었습니다 (그중 {v2:.0%}): 80/10/10 규칙을 선택된 위치만이 아니라 모든 위치에 적용했습니다 (위치는 선택되었을 때만 바뀌고, 그러면 레이블을 받습니다)").format(v0=what, v1=changed.sum().item(), v2=share))
        fail(Mistake("lm-pretraining/mlm-unlabelled-changes", 
            "{v0}: {v1} positions with label -100 were changed; only picked positions are masked or replaced, and every picked position has a label",
            "{v0}: 레이블이 -100인 위치 {v1}개가 바뀌었습니다. 선택된 위치만 마스킹되거나 바뀌고, 선택된 위치는 모두 레이블을 받습니다").format(v0=what, v1=changed.sum().item()))
    special = torch.isin(tokens, torch.tensor(specials))
    hit = special & (inputs != tokens)
    if hit.any():
        fail(Mistake("lm-pretraining/mlm-special-picked", 
            "{v0}: special tokens were picked: {v1} of the {v2} positions holding an id from special_ids were changed; special positions are never picked (label -100, id unchanged)",
            "{v0}: 특수 토큰이 선택되었습니다: special_ids의 id가 있는 위치 {v2}개 중 {v1}개가 바뀌었습니다. 특수 위치는 절대 선택하지 않습니다 (레이블 -100, id 그대로)").format(v0=what, v1=hit.sum().item(), v2=special.sum().item()))
    hit = special & ~ignored
    if hit.any():
        fail(Mistake("lm-pretraining/mlm-special-labelled", 
            "{v0}: {v1} of the {v2} positions holding an id from special_ids have a label; special positions are never picked, so their label is -100",
            "{v0}: special_ids의 id가 있는 위치 {v2}개 중 {v1}개에 레이블이 있습니다. 특수 위치는 선택하지 않으므로 레이블이 -100입니다").format(v0=what, v1=hit.sum().item(), v2=special.sum().item()))
    outside = (inputs < 0) | (inputs >= vocab.size)
    if outside.any():
        fail(Mistake("lm-pretraining/mlm-ids-out-of-range", 
            "{v0}: {v1} input ids lie outside [0, vocab_size): random replacement ids must be drawn from [0, vocab_size)",
            "{v0}: 입력 id {v1}개가 [0, vocab_size) 밖에 있습니다: 무작위로 바꿀 id는 [0, vocab_size)에서 뽑아야 합니다").format(v0=what, v1=outside.sum().item()))
    return inputs, labels


def _expect_labels(inputs, labels, tokens, what):
    """Labels are -100 or the original id; name the usual ways they are not."""
    stray = (labels != IGNORE) & (labels != tokens)
    # (With p = 1 and specials picked, labels equal tokens everywhere too, but then most
    # inputs are corrupted: that case is named by the special-token test instead.)
    if (labels == tokens).all() and (inputs == tokens).float().mean() > 0.5:
        fail(Mistake("lm-pretraining/mlm-labels-everywhere", 
            "{v0}: labels copy the tokens at every position; positions that were not picked must have label -100 (the ignore_index of F.cross_entropy), so that the loss skips them",
            "{v0}: 레이블이 모든 위치에서 토큰을 그대로 복사합니다. 선택되지 않은 위치는 레이블이 -100(F.cross_entropy의 ignore_index)이어야 손실에서 빠집니다").format(v0=what))
    if not stray.any():
        return
    values, counts = labels[stray].unique(return_counts=True)
    common = int(values[counts.argmax()])
    untouched = (inputs == tokens)[stray].float().mean().item()
    if untouched > 0.9 and counts.max().item() > 0.9 * stray.sum().item():
        fail(Mistake("lm-pretraining/mlm-wrong-ignore-label", 
            "{v0}: positions that were not picked have label {v1}; they must have label -100 (the ignore_index of F.cross_entropy), so that the loss skips them",
            "{v0}: 선택되지 않은 위치의 레이블이 {v1}입니다. -100(F.cross_entropy의 ignore_index)이어야 손실에서 빠집니다").format(v0=what, v1=common))
    if (labels == inputs)[stray].all():
        fail(Mistake("lm-pretraining/mlm-label-is-corrupted", 
            "{v0}: at {v1} picked positions the label is the corrupted input (mask_id or the random token); a label holds the original id, the one the model must recover",
            "{v0}: 선택된 위치 {v1}개에서 레이블이 망가뜨린 입력(mask_id나 무작위 토큰)입니다. 레이블은 모델이 복원해야 할 원래 id입니다").format(v0=what, v1=stray.sum().item()))
    fail(T(
        "{v0}: {v1} labels are neither -100 nor the original id at their position",
        "{v0}: 레이블 {v1}개가 -100도 아니고 그 위치의 원래 id도 아닙니다").format(v0=what, v1=stray.sum().item()))


# =========================================================================== mlm_mask statistics

def _bound(n: int, q: float) -> float:
    """Half-width of the accepted interval for a count of n Bernoulli(q) trials."""
    return Z * math.sqrt(n * q * (1 - q)) + 1.0


def within(count: int, n: int, q: float) -> bool:
    return abs(count - n * q) <= _bound(n, q)


@dataclass(frozen=True)
class MlmCounts:
    candidates: int      # non-special positions
    picked: int
    masked: int          # picked, now mask_id
    kept: int            # picked, still the original id
    replaced: int        # picked, now another id
    replaced_ids: torch.Tensor

    @classmethod
    def of(cls, inputs, labels, tokens, vocab: Vocab, specials=None) -> "MlmCounts":
        special = torch.isin(tokens, torch.tensor(vocab.specials if specials is None else specials))
        picked = (labels != IGNORE) & ~special
        masked = picked & (inputs == vocab.mask)
        kept = picked & (inputs == tokens) & ~masked
        replaced = picked & ~masked & ~kept
        return cls(int((~special).sum()), int(picked.sum()), int(masked.sum()), int(kept.sum()),
                   int(replaced.sum()), inputs[replaced])


def split_shares(vocab_size: int) -> tuple[float, float, float]:
    """Expected shares of picked positions seen as masked / replaced / kept.

    A random id equals the original id, or mask_id, with chance 1/vocab_size; it is then
    counted as kept, or masked. Those corrections are below the bounds but cost nothing.
    """
    m, r, k = SHARES
    return m + r / vocab_size, r * (1 - 2 / vocab_size), k + r / vocab_size


def expect_mlm_rates(counts: MlmCounts, p: float, vocab: Vocab, what="mlm_mask"):
    """The picked share is p; the picked split 80/10/10; random ids span the vocabulary."""
    n, k = counts.candidates, counts.picked
    if p == 0.0:
        if k:
            fail(Mistake("lm-pretraining/mlm-picks-at-p-zero", 
                "{v0}: with p = 0 nothing may be picked, but {v1} positions were",
                "{v0}: p = 0이면 아무것도 선택하면 안 되는데 위치 {v1}개가 선택되었습니다").format(v0=what, v1=k))
        return
    if p == 1.0 and k != n:
        fail(Mistake("lm-pretraining/mlm-misses-at-p-one", 
            "{v0}: with p = 1 every non-special position is picked, but {v1} of {v2} were not",
            "{v0}: p = 1이면 특수 위치가 아닌 모든 위치를 선택하는데 {v2}개 중 {v1}개가 선택되지 않았습니다").format(v0=what, v1=n - k, v2=n))
    if k and counts.kept / k > 0.5 and k > n * p + _bound(n, p):
        fail(Mistake("lm-pretraining/mlm-labels-everywhere", 
            "{v0}: labels hold the original id at positions that were not picked too; only picked positions get a label, all others get -100",
            "{v0}: 선택되지 않은 위치에도 레이블에 원래 id가 있습니다. 선택된 위치만 레이블을 받고 나머지는 모두 -100입니다").format(v0=what))
    _expect_split(counts, vocab, what)
    if p < 1.0 and not within(k, n, p):
        if within(k, n, 1 - p):
            fail(Mistake("lm-pretraining/mlm-pick-inverted", 
                "{v0}: {v1:.1%} of the non-special positions were picked, about 1 - p: the comparison is inverted (pick a position when a uniform number is below p)",
                "{v0}: 특수 위치가 아닌 위치의 {v1:.1%}가 선택되었습니다(약 1 - p): 비교가 반대입니다 (균등 난수가 p보다 작을 때 선택하세요)").format(v0=what, v1=k / n))
        fail(Mistake("lm-pretraining/mlm-pick-rate", 
            "{v0}: {v1:.1%} of the non-special positions were picked; each must be picked with probability p = {v2:g}",
            "{v0}: 특수 위치가 아닌 위치의 {v1:.1%}가 선택되었습니다. 각 위치는 확률 p = {v2:g}로 선택되어야 합니다").format(v0=what, v1=k / n, v2=p))
    _expect_spread(counts, vocab, what)


def _expect_split(counts: MlmCounts, vocab: Vocab, what: str):
    k = counts.picked
    if k == 0:
        return
    q_mask, q_rand, q_keep = split_shares(vocab.size)
    m, r, s = counts.masked, counts.replaced, counts.kept
    if within(m, k, q_mask) and within(r, k, q_rand) and within(s, k, q_keep):
        return
    rule = (T("of the picked positions 80% become mask_id, 10% a random id and 10% keep their id "
        "(and all of them get their original id as label)",
        "선택된 위치 중 80%는 mask_id, 10%는 무작위 id가 되고 10%는 id를 유지합니다 (그리고 모두 원래 id를 레이블로 받습니다)"))
    if m > 0.97 * k:
        fail(Mistake("lm-pretraining/mlm-all-masked", 
            "{v0}: every picked position became mask_id; {v1}",
            "{v0}: 선택된 위치가 모두 mask_id가 되었습니다; {v1}").format(v0=what, v1=rule))
    if s < 0.02 * k:
        fail(Mistake("lm-pretraining/mlm-none-kept", 
            "{v0}: none of the picked positions kept its id; {v1}",
            "{v0}: 선택된 위치 중 id를 유지한 것이 없습니다; {v1}").format(v0=what, v1=rule))
    if r < 0.005 * k:
        fail(Mistake("lm-pretraining/mlm-no-random", 
            "{v0}: no picked position got a random id; {v1}",
            "{v0}: 선택된 위치 중 무작위 id를 받은 것이 없습니다; {v1}").format(v0=what, v1=rule))
    if within(m, k, q_mask) and within(r, k, 0.02) and within(s, k, 0.18):
        fail(Mistake("lm-pretraining/mlm-random-of-rest", 
            "{v0}: only {v1:.1%} of the picked positions got a random id: the 10% was applied to the 20% left after masking; of those, half get a random id and half keep theirs",
            "{v0}: 선택된 위치의 {v1:.1%}만 무작위 id를 받았습니다: 마스킹하고 남은 20%에 10%를 적용했습니다. 그 20% 중 절반은 무작위 id를 받고 절반은 그대로 둡니다").format(v0=what, v1=r / k))
    fail(Mistake("lm-pretraining/mlm-split", 
        "{v0}: of the picked positions {v1:.1%} became mask_id, {v2:.1%} a random id and {v3:.1%} kept their id; BERT's rule is 80% / 10% / 10%",
        "{v0}: 선택된 위치 중 {v1:.1%}가 mask_id, {v2:.1%}가 무작위 id가 되었고 {v3:.1%}가 id를 유지했습니다. BERT의 규칙은 80% / 10% / 10%입니다").format(v0=what, v1=m / k, v2=r / k, v3=s / k))


def _expect_spread(counts: MlmCounts, vocab: Vocab, what: str):
    """Random ids are uniform over [0, vocab_size); drawing them only among the non-special
    ids is accepted too. The text uses ids in vocab.text, so ids beyond it tell the range."""
    ids = counts.replaced_ids
    n = ids.numel()
    if n < 50:
        return
    above = int((ids >= vocab.text[1]).sum())
    q_all = (vocab.size - vocab.text[1]) / vocab.size
    q_text = (vocab.size - vocab.text[1]) / (vocab.size - len(vocab.specials))
    lo, hi = n * q_all - _bound(n, q_all), n * q_text + _bound(n, q_text)
    if not lo <= above <= hi:
        fail(Mistake("lm-pretraining/mlm-random-not-uniform", 
            "{v0}: the random replacement ids are not spread uniformly over the vocabulary: draw them from [0, vocab_size), not from the ids in the batch or a narrower range",
            "{v0}: 무작위로 바꾼 id가 어휘 전체에 고르게 퍼져 있지 않습니다: 배치 안의 id나 더 좁은 범위가 아니라 [0, vocab_size)에서 뽑으세요").format(v0=what))


def expect_mlm(value, tokens, vocab: Vocab, p: float, *, specials=None, what="mlm_mask"):
    inputs, labels = expect_mlm_structure(value, tokens, vocab, specials=specials, what=what)
    expect_mlm_rates(MlmCounts.of(inputs, labels, tokens, vocab, specials), p, vocab, what)
    return inputs, labels


# =========================================================================== greedy_generate

@dataclass(frozen=True)
class Chain:
    """A bigram table whose greedy successor of each id is `succ[id]`, by a clear margin."""
    succ: tuple[int, ...]
    margin: float = 1.0

    def table(self, rng) -> torch.Tensor:
        V = len(self.succ)
        table = torch.randn(V, V, generator=rng)
        rows = torch.arange(V)
        table[rows, list(self.succ)] = table.max(dim=1).values + self.margin
        return table


def greedy(table, prompt, max_new_tokens, eos_id=None, *, position=-1, axis=-1, stop="row",
           feed="all", context=None):
    """Greedy decoding on a TableLM, with switches for the classic departures from it.

    stop: "row" each row on its own (the contract), "never" eos ignored, "any" every row
    stops when one row produces eos. feed: "all" the sequence so far, "prompt" the prompt
    alone at every step, "last" the last token alone. Finished rows hold eos_id; the loop
    ends once all rows are done. `context`: the TableLM's prefix table (see prefix_case).
    """
    model = TableLM(table, context)
    ids = prompt.clone()
    done = torch.zeros(len(ids), dtype=torch.bool)
    for _ in range(max_new_tokens):
        if eos_id is not None and stop != "never" and done.all():
            break
        logits = model({"all": ids, "prompt": prompt, "last": ids[:, -1:]}[feed])
        nxt = logits.argmax(dim=1)[:, -1] if axis == 1 else logits[:, position].argmax(dim=-1)
        if eos_id is not None and stop == "row":
            nxt = torch.where(done, torch.full_like(nxt, eos_id), nxt)
        ids = torch.cat([ids, nxt[:, None]], dim=1)
        if eos_id is not None:
            done |= nxt == eos_id
            if stop == "any" and done.any():
                break
    return ids


def greedy_variants(table, prompt, n, eos_id, context=None):
    """{message: output} for the classic greedy_generate mistakes on this table (a mistake
    that would index the table out of range, e.g. positions taken as ids, is left out)."""
    switches = {
        Mistake("lm-pretraining/greedy-continues-after-eos",
            "a row went on generating after it produced eos_id; once a row has produced "
            "eos_id, every later position of that row holds eos_id",
            "행이 eos_id를 만든 뒤에도 계속 생성했습니다. 행이 eos_id를 만들면 그 행의 이후 모든 위치는 eos_id입니다"): dict(stop="never"),
        Mistake("lm-pretraining/greedy-stops-all-rows",
            "generation stopped for every row as soon as one row produced eos_id; each row "
            "stops on its own (a finished row is filled with eos_id while the others go on)",
            "한 행이 eos_id를 만들자마자 모든 행의 생성이 멈췄습니다. 각 행은 따로 멈춥니다 (끝난 행은 eos_id로 채우고 나머지 행은 계속 "
            "생성)"): dict(stop="any"),
        Mistake("lm-pretraining/greedy-first-position",
            "the next token was taken from the logits of the first position (logits[:, 0]); "
            "greedy decoding uses the last position, logits[:, -1]",
            "다음 토큰을 첫 위치의 로짓(logits[:, 0])에서 골랐습니다. 그리디 디코딩은 마지막 위치 logits[:, -1]을 씁니다"): dict(position=0),
        Mistake("lm-pretraining/greedy-argmax-over-time",
            "the argmax was taken over the time axis (dim=1) of the (B, T, V) logits; take it "
            "over the vocabulary, dim=-1",
            "(B, T, V) 로짓의 시간 축(dim=1)에 대해 argmax를 구했습니다. 어휘 축 dim=-1에 대해 구하세요"): dict(axis=1),
        Mistake("lm-pretraining/greedy-prompt-only",
            "the model was fed the prompt alone at every step; feed it the whole sequence "
            "generated so far (prompt and new tokens)",
            "매 단계 모델에 프롬프트만 넣었습니다. 지금까지 만든 시퀀스 전체(프롬프트와 새 토큰)를 넣으세요"): dict(feed="prompt"),
        Mistake("lm-pretraining/greedy-last-token-only",
            "the model was fed the last token alone at every step; a language model's next token "
            "depends on the whole sequence so far, so feed it the prompt and every new token",
            "매 단계 모델에 마지막 토큰만 넣었습니다. 언어 모델의 다음 토큰은 지금까지의 시퀀스 전체에 달려 있으니 "
            "프롬프트와 새 토큰을 모두 넣으세요"): dict(feed="last"),
    }
    found = {}
    for message, kw in switches.items():
        if kw.get("feed") == "last" and context is None:
            continue                  # a bigram table cannot tell the last token from the whole prefix
        try:
            found[message] = greedy(table, prompt, n, eos_id, context=context, **kw)
        except IndexError:
            continue
    return found


def expect_generation(out, table, prompt, n, eos_id=None, what="greedy_generate", context=None):
    """out must be the greedy path: prompt, then argmax tokens; rows finished by eos_id
    hold eos_id; it may end early once every row is finished (any length between the step
    at which the last row finished and max_new_tokens)."""
    B, T0 = prompt.shape
    expect_tensor(out, what=what)
    if out.dim() != 2 or out.shape[0] != B:
        fail(T(
            "{v0}: expected a (B, T0 + new tokens) = ({v1}, ...) tensor, got shape {v2}",
            "{v0}: 형태가 (B, T0 + 새 토큰 수) = ({v1}, ...)인 텐서여야 하는데 형태가 {v2}입니다").format(v0=what, v1=B, v2=tuple(out.shape)))
    if out.is_floating_point() or out.dtype != torch.long:
        fail(T(
            "{v0}: token ids must be a LongTensor (torch.int64), got {v1}",
            "{v0}: 토큰 id는 LongTensor(torch.int64)여야 하는데 {v1}입니다").format(v0=what, v1=out.dtype))
    full = greedy(table, prompt, n, eos_id, context=context)
    shortest = full.shape[1]
    full = torch.cat([full, torch.full((B, T0 + n - shortest), -1 if eos_id is None else eos_id)], dim=1)
    L = out.shape[1]
    if shortest <= L <= T0 + n and torch.equal(out, full[:, :L]):
        return
    _diagnose_generation(out, full, shortest, table, prompt, n, eos_id, what, context)


def is_generation(out, table, prompt, n, eos_id=None):
    """Whether `out` passes expect_generation."""
    try:
        expect_generation(out, table, prompt, n, eos_id)
    except CheckFailure:
        return False
    return True


def _diagnose_generation(out, full, shortest, table, prompt, n, eos_id, what, context=None):
    B, T0 = prompt.shape
    L = out.shape[1]
    for message, variant in greedy_variants(table, prompt, n, eos_id, context).items():
        if variant.shape == out.shape and torch.equal(variant, out):
            fail(what + ": " + message)
    if L <= n and torch.equal(out, full[:, T0:T0 + L]):
        fail(Mistake("lm-pretraining/greedy-no-prompt", 
            "{v0}: the output holds the new tokens only; it must start with the prompt, shape (B, T0 + new tokens)",
            "{v0}: 출력에 새 토큰만 있습니다. 출력은 프롬프트로 시작해야 하고 형태는 (B, T0 + 새 토큰 수)입니다").format(v0=what))
    if L < T0 or not torch.equal(out[:, :T0], prompt):
        fail(Mistake("lm-pretraining/greedy-prompt-changed", 
            "{v0}: the first T0 = {v1} columns of the output must be the prompt, unchanged",
            "{v0}: 출력의 처음 T0 = {v1}개 열은 프롬프트 그대로여야 합니다").format(v0=what, v1=T0))
    if L > T0 + n:
        fail(Mistake("lm-pretraining/greedy-too-many", 
            "{v0}: {v1} for max_new_tokens = {v2}; generate at most max_new_tokens tokens",
            "{v0}: max_new_tokens = {v2}인데 {v1}를 만들었습니다. 새 토큰은 최대 max_new_tokens개까지 만드세요").format(v0=what, v1=_tokens(L - T0), v2=n))
    if eos_id is not None:
        _expect_eos_rows(out, full, T0, eos_id, what)
    m = min(L, full.shape[1])
    wrong = int((out[:, T0:m] != full[:, T0:m]).sum())
    if wrong:
        fail(Mistake("lm-pretraining/greedy-not-argmax", 
            "{v0}: {v1} of {v2} new tokens are not the greedy path: each new token is the argmax over the vocabulary of the model's logits at the last position, given the whole sequence so far",
            "{v0}: 새 토큰 {v2}개 중 {v1}개가 그리디 경로가 아닙니다: 새 토큰은 지금까지의 시퀀스 전체를 넣었을 때 마지막 위치 로짓의 어휘에 대한 argmax입니다").format(v0=what, v1=wrong, v2=B * (m - T0)))
    fail(Mistake("lm-pretraining/greedy-stops-early", 
        "{v0}: the output ends after {v1}, before every row has produced eos_id (and max_new_tokens = {v2} is not reached); stop only when all rows are finished",
        "{v0}: 모든 행이 eos_id를 만들기 전에 {v1} 다음에서 출력이 끝났습니다 (max_new_tokens = {v2}에도 닿지 않았습니다). 모든 행이 끝났을 때만 멈추세요").format(v0=what, v1=_tokens(L - T0), v2=n))


def _tokens(k):
    return T(f"{k} new token" + ("" if k == 1 else "s"), f"새 토큰 {k}개")


def _expect_eos_rows(out, full, T0, eos_id, what):
    """Name what goes wrong at and after a row's eos: more tokens, other filling, no eos."""
    gen, exp = out[:, T0:], full[:, T0:]
    for row in range(len(gen)):
        ends = (exp[row] == eos_id).nonzero()
        if not len(ends):
            continue
        e = int(ends[0, 0])
        if e >= gen.shape[1] or not torch.equal(gen[row, :e], exp[row, :e]):
            continue
        tail = gen[row, e:]
        if (tail == eos_id).all():
            continue
        rest = tail[1:]
        constant = len(rest) > 1 and bool((rest == rest[0]).all())
        if tail[0] != eos_id:
            if constant and tail[0] == rest[0]:
                fail(Mistake("lm-pretraining/greedy-eos-not-appended", 
                    "{v0}: row {v1} stopped without appending eos_id and was filled with {v2}; the eos token itself is part of the output, and every later position holds eos_id",
                    "{v0}: 행 {v1}이(가) eos_id를 덧붙이지 않고 멈춘 뒤 {v2}(으)로 채워졌습니다. eos 토큰 자체도 출력에 들어가고, 그 뒤의 모든 위치는 eos_id입니다").format(v0=what, v1=row, v2=int(rest[0])))
            continue
        if constant:
            fail(Mistake("lm-pretraining/greedy-wrong-fill", 
                "{v0}: rows that produced eos_id are filled with {v1}; fill them with eos_id",
                "{v0}: eos_id를 만든 행이 {v1}(으)로 채워졌습니다. eos_id로 채우세요").format(v0=what, v1=int(rest[0])))
        fail(Mistake("lm-pretraining/greedy-continues-after-eos", 
            "{v0}: row {v1} went on after it produced eos_id; once a row has produced eos_id, every later position of that row holds eos_id",
            "{v0}: 행 {v1}이(가) eos_id를 만든 뒤에도 계속 생성했습니다. 행이 eos_id를 만들면 그 행의 이후 모든 위치는 eos_id입니다").format(v0=what, v1=row))


# --------------------------------------------------------------------------- greedy cases

V = 16
EOS = 3
# Greedy successors for the eos cases. From the prompts' last ids the paths are
# 5 -> 7 -> eos, 8 -> 9 -> 10 -> 11 -> 4 -> eos, 0 -> 1 -> 2 -> 0 (never ends), 6 -> eos;
# after eos the model goes on 12 -> 13 -> 14 -> 15, so ignoring eos shows.
EOS_SUCC = (1, 2, 0, 12, 3, 7, 3, 3, 9, 10, 11, 4, 13, 14, 15, 12)
EOS_PROMPT = [[12, 9, 5], [15, 0, 8], [10, 4, 0], [13, 1, 6]]


def chain_case(rng, prompt, vocab=V, margin=1.0):
    """A table with random greedy successors (a permutation) and the given prompt."""
    succ = tuple(torch.randperm(vocab, generator=rng).tolist())
    return Chain(succ, margin).table(rng), torch.as_tensor(prompt, dtype=torch.long)


def prefix_case(rng, prompt, vocab=V):
    """A chain table plus a context table (TableLM's `context`): the logits at every position
    also depend on the sequence's first token, so only code that feeds the whole sequence
    follows the greedy path."""
    table, prompt = chain_case(rng, prompt, vocab)
    context = torch.randn(vocab, vocab, generator=rng) * 2.0
    return table, context, prompt


def eos_case(rng, rows=(0, 1, 2, 3), eos_id=EOS):
    """The eos table and prompts; `eos_id` relabels the eos id (swapping it with another)."""
    swap = {EOS: eos_id, eos_id: EOS}
    succ = [0] * V
    for a, b in enumerate(EOS_SUCC):
        succ[swap.get(a, a)] = swap.get(b, b)
    prompt = [[swap.get(t, t) for t in EOS_PROMPT[r]] for r in rows]
    return Chain(tuple(succ)).table(rng), torch.tensor(prompt)


# --------------------------------------------------------------------------- randomness and eos

MLM_NOT_REPRODUCIBLE = Mistake(
    "lm-pretraining/mlm-not-reproducible",
    "two calls with generators seeded alike gave different results: draw every random number from `generator` "
    "(torch.rand(..., generator=generator), torch.randint(..., generator=generator))",
    "같은 시드의 생성기로 두 번 호출했는데 결과가 다릅니다: 모든 난수를 `generator`에서 뽑으세요 "
    "(torch.rand(..., generator=generator), torch.randint(..., generator=generator))")
MLM_SEED_FIXED = Mistake(
    "lm-pretraining/mlm-generator-ignored",
    "generators with different seeds gave the same result: the draw must come from `generator`, not from a seed "
    "fixed inside the function",
    "시드가 다른 생성기로 호출했는데 결과가 같습니다: 난수는 함수 안에 고정한 시드가 아니라 `generator`에서 "
    "뽑아야 합니다")
EOS_ZERO_FALSY = Mistake(
    "lm-pretraining/greedy-eos-zero-falsy",
    "greedy_generate: with eos_id = 0 no row stopped; 0 is a valid id, so test `eos_id is not None`, not "
    "`if eos_id:`",
    "greedy_generate: eos_id = 0일 때 멈춘 행이 없습니다. 0도 올바른 id이므로 `if eos_id:`가 아니라 "
    "`eos_id is not None`으로 확인하세요")
GREEDY_SAMPLES = Mistake(
    "lm-pretraining/greedy-samples",
    "greedy_generate: two calls with the same model and prompt gave different tokens; greedy decoding takes the "
    "argmax of the logits, it does not sample",
    "greedy_generate: 같은 모델과 프롬프트로 두 번 호출했는데 토큰이 다릅니다. 그리디 디코딩은 샘플링하지 않고 "
    "로짓의 argmax를 고릅니다")
