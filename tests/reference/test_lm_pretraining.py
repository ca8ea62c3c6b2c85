"""The lm-pretraining reference against independent computations.

mlm_mask is replayed element by element from the same random numbers it draws (two
uniform tensors, then one randint tensor, from one generator), its statistics are held
to tight binomial bounds over several seeds, and its labels are checked to be what
F.cross_entropy's default ignore_index skips. greedy_generate is compared with a
row-by-row Python loop, on a bigram table and on a model whose logits depend on the
whole prefix (so feeding only part of the sequence would show).
"""
import math

import pytest
import torch
import torch.nn.functional as F

from reference.lm_pretraining import greedy_generate, mlm_mask

SPECIALS = [0, 1, 2, 3, 4]           # [PAD], [CLS], [SEP], [MASK], [UNK]
MASK, V = 3, 1000


def _batch(gen, B=64, T=96):
    tokens = torch.randint(5, V, (B, T), generator=gen)
    tokens[:, 0] = 1
    tokens[:, T // 2] = 2
    lengths = torch.randint(T // 2 + 2, T + 1, (B,), generator=gen)
    for b, n in enumerate(lengths.tolist()):
        tokens[b, n - 1] = 2
        tokens[b, n:] = 0
    return tokens


def _replay(tokens, p, seed):
    """mlm_mask element by element, from the draws the reference makes, in its order."""
    gen = torch.Generator().manual_seed(seed)
    pick_u = torch.rand(tokens.shape, generator=gen)
    action_u = torch.rand(tokens.shape, generator=gen)
    random_ids = torch.randint(V, tokens.shape, generator=gen)
    inputs, labels = tokens.clone(), torch.full_like(tokens, -100)
    for (b, t), x in zip(torch.cartesian_prod(*map(torch.arange, tokens.shape)).tolist(), tokens.flatten().tolist()):
        if x in SPECIALS or not pick_u[b, t] < p:
            continue
        labels[b, t] = x
        a = float(action_u[b, t])
        if a < 0.8:
            inputs[b, t] = MASK
        elif a < 0.9:
            inputs[b, t] = random_ids[b, t]
    return inputs, labels


@pytest.mark.parametrize("p,seed", [(0.15, 0), (0.5, 1), (0.0, 2), (1.0, 3)])
def test_mlm_mask_matches_an_element_by_element_replay(p, seed):
    tokens = _batch(torch.Generator().manual_seed(100 + seed), B=8, T=40)
    inputs, labels = mlm_mask(tokens, MASK, V, SPECIALS, p, torch.Generator().manual_seed(seed))
    exp_inputs, exp_labels = _replay(tokens, p, seed)
    assert inputs.dtype == labels.dtype == torch.long
    assert torch.equal(inputs, exp_inputs) and torch.equal(labels, exp_labels)


@pytest.mark.parametrize("seed", range(5))
def test_mlm_mask_rates_within_four_standard_deviations(seed):
    tokens = _batch(torch.Generator().manual_seed(seed), B=256, T=256)
    inputs, labels = mlm_mask(tokens, MASK, V, SPECIALS, 0.15, torch.Generator().manual_seed(seed))
    candidates = ~torch.isin(tokens, torch.tensor(SPECIALS))
    picked = labels != -100
    n, k = int(candidates.sum()), int(picked.sum())
    assert abs(k - 0.15 * n) < 4 * math.sqrt(n * 0.15 * 0.85)
    for share, count in ((0.8, (inputs == MASK) & picked), (0.1, (inputs == tokens) & picked)):
        assert abs(int(count.sum()) - share * k) < 4 * math.sqrt(k * share * (1 - share)) + 0.002 * k
    replaced = picked & (inputs != MASK) & (inputs != tokens)
    assert inputs[replaced].min() >= 0 and inputs[replaced].max() < V
    assert abs(inputs[replaced].double().mean() - (V - 1) / 2) < 4 * V / math.sqrt(12 * int(replaced.sum()))


def test_mlm_mask_structure_and_determinism():
    tokens = _batch(torch.Generator().manual_seed(7))
    before = tokens.clone()
    inputs, labels = mlm_mask(tokens, MASK, V, tuple(SPECIALS), 0.3, torch.Generator().manual_seed(5))
    again = mlm_mask(tokens, MASK, V, SPECIALS, 0.3, torch.Generator().manual_seed(5))
    other = mlm_mask(tokens, MASK, V, SPECIALS, 0.3, torch.Generator().manual_seed(6))
    special = torch.isin(tokens, torch.tensor(SPECIALS))
    assert torch.equal(tokens, before)
    assert torch.equal(inputs, again[0]) and torch.equal(labels, again[1])
    assert not torch.equal(labels, other[1])
    assert (labels[special] == -100).all() and torch.equal(inputs[special], tokens[special])
    assert torch.equal(inputs[labels == -100], tokens[labels == -100])
    assert torch.equal(labels[labels != -100], tokens[labels != -100])
    inputs, labels = mlm_mask(tokens, MASK, V, SPECIALS)      # torch's global generator
    assert torch.equal(inputs[labels == -100], tokens[labels == -100])


def test_mlm_labels_are_what_cross_entropy_ignores_by_default():
    tokens = _batch(torch.Generator().manual_seed(8), B=4, T=32)
    _, labels = mlm_mask(tokens, MASK, V, SPECIALS, 0.4, torch.Generator().manual_seed(8))
    logits = torch.randn(4, 32, V, generator=torch.Generator().manual_seed(9), dtype=torch.float64)
    picked = labels != -100
    by_hand = -logits.log_softmax(-1)[picked].gather(1, labels[picked][:, None]).mean()
    assert torch.allclose(F.cross_entropy(logits.reshape(-1, V), labels.reshape(-1)), by_hand)


class BigramLM(torch.nn.Module):
    def __init__(self, table):
        super().__init__()
        self.table = table

    def forward(self, ids):
        return self.table[ids]


class PrefixLM(torch.nn.Module):
    """Logits depend on the whole prefix: its running sum of embeddings, causally."""

    def __init__(self, vocab, d=8, seed=0):
        super().__init__()
        gen = torch.Generator().manual_seed(seed)
        self.embed = torch.randn(vocab, d, generator=gen)
        self.out = torch.randn(d, vocab, generator=gen)

    def forward(self, ids):
        return self.embed[ids].cumsum(dim=1) @ self.out


def _by_hand(model, prompt, n, eos_id):
    """Greedy decoding of each row alone, with Python lists."""
    rows = []
    for row in prompt.tolist():
        done = False
        for _ in range(n):
            nxt = eos_id if done else int(model(torch.tensor([row]))[0, -1].argmax())
            row.append(nxt)
            done = done or (eos_id is not None and nxt == eos_id)
        rows.append(row)
    return torch.tensor(rows)


@pytest.mark.parametrize("eos_id", [None, 0, 3])
@pytest.mark.parametrize("make", ["bigram", "prefix"])
def test_greedy_generate_matches_row_by_row_decoding(make, eos_id):
    gen = torch.Generator().manual_seed(1)
    model = BigramLM(torch.randn(12, 12, generator=gen)) if make == "bigram" else PrefixLM(12)
    prompt = torch.randint(0, 12, (6, 4), generator=gen)
    before = prompt.clone()
    out = greedy_generate(model, prompt, 9, eos_id)
    full = _by_hand(model, prompt, 9, eos_id)
    assert out.dtype == torch.long and torch.equal(prompt, before)
    assert torch.equal(out, full[:, :out.shape[1]])
    if out.shape[1] < full.shape[1]:             # stopped early: every row had finished
        assert (out[:, 4:] == eos_id).any(dim=1).all()


def test_greedy_generate_with_no_new_tokens_returns_the_prompt():
    prompt = torch.tensor([[1, 2, 3]])
    out = greedy_generate(PrefixLM(5), prompt, 0, eos_id=2)
    assert torch.equal(out, prompt) and out is not prompt
