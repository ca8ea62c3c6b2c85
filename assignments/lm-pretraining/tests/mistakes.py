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
        fail(f"{what} must return a pair (inputs, labels), got {type(value).__name__}"
             + (f" of length {len(value)}" if isinstance(value, (tuple, list)) else ""))
    inputs, labels = value
    for name, t in (("inputs", inputs), ("labels", labels)):
        expect_tensor(t, what=f"{what}: {name}", shape=tuple(tokens.shape))
        if t.dtype != torch.long:
            fail(f"{what}: {name} must be a LongTensor (torch.int64), got {t.dtype}")
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
            fail(f"{what}: {changed.sum().item()} positions with label -100 were changed ({share:.0%} of them): "
                 "the 80/10/10 rule was applied to every position, not only to the picked ones "
                 "(a position is changed only if it is picked, and then it gets a label)")
        fail(f"{what}: {changed.sum().item()} positions with label -100 were changed; only picked positions "
             "are masked or replaced, and every picked position has a label")
    special = torch.isin(tokens, torch.tensor(specials))
    hit = special & (inputs != tokens)
    if hit.any():
        fail(f"{what}: special tokens were picked: {hit.sum().item()} of the {special.sum().item()} positions "
             "holding an id from special_ids were changed; special positions are never picked "
             "(label -100, id unchanged)")
    hit = special & ~ignored
    if hit.any():
        fail(f"{what}: {hit.sum().item()} of the {special.sum().item()} positions holding an id from "
             "special_ids have a label; special positions are never picked, so their label is -100")
    outside = (inputs < 0) | (inputs >= vocab.size)
    if outside.any():
        fail(f"{what}: {outside.sum().item()} input ids lie outside [0, vocab_size): random replacement ids "
             "must be drawn from [0, vocab_size)")
    return inputs, labels


def _expect_labels(inputs, labels, tokens, what):
    """Labels are -100 or the original id; name the usual ways they are not."""
    stray = (labels != IGNORE) & (labels != tokens)
    # (With p = 1 and specials picked, labels equal tokens everywhere too, but then most
    # inputs are corrupted: that case is named by the special-token test instead.)
    if (labels == tokens).all() and (inputs == tokens).float().mean() > 0.5:
        fail(f"{what}: labels copy the tokens at every position; positions that were not picked must have "
             "label -100 (the ignore_index of F.cross_entropy), so that the loss skips them")
    if not stray.any():
        return
    values, counts = labels[stray].unique(return_counts=True)
    common = int(values[counts.argmax()])
    untouched = (inputs == tokens)[stray].float().mean().item()
    if untouched > 0.9 and counts.max().item() > 0.9 * stray.sum().item():
        fail(f"{what}: positions that were not picked have label {common}; they must have label -100 "
             "(the ignore_index of F.cross_entropy), so that the loss skips them")
    if (labels == inputs)[stray].all():
        fail(f"{what}: at {stray.sum().item()} picked positions the label is the corrupted input "
             "(mask_id or the random token); a label holds the original id, the one the model must recover")
    fail(f"{what}: {stray.sum().item()} labels are neither -100 nor the original id at their position")


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
            fail(f"{what}: with p = 0 nothing may be picked, but {k} positions were")
        return
    if p == 1.0 and k != n:
        fail(f"{what}: with p = 1 every non-special position is picked, but {n - k} of {n} were not")
    if k and counts.kept / k > 0.5 and k > n * p + _bound(n, p):
        fail(f"{what}: labels hold the original id at positions that were not picked too; "
             "only picked positions get a label, all others get -100")
    _expect_split(counts, vocab, what)
    if p < 1.0 and not within(k, n, p):
        if within(k, n, 1 - p):
            fail(f"{what}: {k / n:.1%} of the non-special positions were picked, about 1 - p: the comparison "
                 f"is inverted (pick a position when a uniform number is below p)")
        fail(f"{what}: {k / n:.1%} of the non-special positions were picked; each must be picked "
             f"with probability p = {p:g}")
    _expect_spread(counts, vocab, what)


def _expect_split(counts: MlmCounts, vocab: Vocab, what: str):
    k = counts.picked
    if k == 0:
        return
    q_mask, q_rand, q_keep = split_shares(vocab.size)
    m, r, s = counts.masked, counts.replaced, counts.kept
    if within(m, k, q_mask) and within(r, k, q_rand) and within(s, k, q_keep):
        return
    rule = ("of the picked positions 80% become mask_id, 10% a random id and 10% keep their id "
            "(and all of them get their original id as label)")
    if m > 0.97 * k:
        fail(f"{what}: every picked position became mask_id; {rule}")
    if s < 0.02 * k:
        fail(f"{what}: none of the picked positions kept its id; {rule}")
    if r < 0.005 * k:
        fail(f"{what}: no picked position got a random id; {rule}")
    if within(m, k, q_mask) and within(r, k, 0.02) and within(s, k, 0.18):
        fail(f"{what}: only {r / k:.1%} of the picked positions got a random id: the 10% was applied to the "
             "20% left after masking; of those, half get a random id and half keep theirs")
    fail(f"{what}: of the picked positions {m / k:.1%} became mask_id, {r / k:.1%} a random id and "
         f"{s / k:.1%} kept their id; BERT's rule is 80% / 10% / 10%")


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
        fail(f"{what}: the random replacement ids are not spread uniformly over the vocabulary: draw them "
             "from [0, vocab_size), not from the ids in the batch or a narrower range")


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
        "a row went on generating after it produced eos_id; once a row has produced eos_id, every later "
        "position of that row holds eos_id": dict(stop="never"),
        "generation stopped for every row as soon as one row produced eos_id; each row stops on its own "
        "(a finished row is filled with eos_id while the others go on)": dict(stop="any"),
        "the next token was taken from the logits of the first position (logits[:, 0]); greedy decoding "
        "uses the last position, logits[:, -1]": dict(position=0),
        "the argmax was taken over the time axis (dim=1) of the (B, T, V) logits; take it over the "
        "vocabulary, dim=-1": dict(axis=1),
        "the model was fed the prompt alone at every step; feed it the whole sequence generated so far "
        "(prompt and new tokens)": dict(feed="prompt"),
        "the model was fed the last token alone at every step; a language model's next token depends on "
        "the whole sequence so far, so feed it the prompt and every new token": dict(feed="last"),
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
        fail(f"{what}: expected a (B, T0 + new tokens) = ({B}, ...) tensor, got shape {tuple(out.shape)}")
    if out.is_floating_point() or out.dtype != torch.long:
        fail(f"{what}: token ids must be a LongTensor (torch.int64), got {out.dtype}")
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
            fail(f"{what}: {message}")
    if L <= n and torch.equal(out, full[:, T0:T0 + L]):
        fail(f"{what}: the output holds the new tokens only; it must start with the prompt, shape (B, T0 + new tokens)")
    if L < T0 or not torch.equal(out[:, :T0], prompt):
        fail(f"{what}: the first T0 = {T0} columns of the output must be the prompt, unchanged")
    if L > T0 + n:
        fail(f"{what}: {_tokens(L - T0)} for max_new_tokens = {n}; generate at most max_new_tokens tokens")
    if eos_id is not None:
        _expect_eos_rows(out, full, T0, eos_id, what)
    m = min(L, full.shape[1])
    wrong = int((out[:, T0:m] != full[:, T0:m]).sum())
    if wrong:
        fail(f"{what}: {wrong} of {B * (m - T0)} new tokens are not the greedy path: each new token is the "
             "argmax over the vocabulary of the model's logits at the last position, given the whole "
             "sequence so far")
    fail(f"{what}: the output ends after {_tokens(L - T0)}, before every row has produced eos_id "
         f"(and max_new_tokens = {n} is not reached); stop only when all rows are finished")


def _tokens(k):
    return f"{k} new token" + ("" if k == 1 else "s")


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
                fail(f"{what}: row {row} stopped without appending eos_id and was filled with {int(rest[0])}; "
                     "the eos token itself is part of the output, and every later position holds eos_id")
            continue
        if constant:
            fail(f"{what}: rows that produced eos_id are filled with {int(rest[0])}; fill them with eos_id")
        fail(f"{what}: row {row} went on after it produced eos_id; once a row has produced eos_id, every "
             "later position of that row holds eos_id")


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
