"""The attention reference agrees with PyTorch's own attention and with a hand computation.

F.scaled_dot_product_attention returns only the output; passing the identity as `v` makes
it return the weight matrix itself, so weights are checked against the built-in too.
nn.MultiheadAttention gives NaN for a query with no allowed key while the course defines
that row as zero, so masked-row checks compare the other rows with PyTorch and the
fully masked rows with the course's convention.
"""
import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from reference.attention import (AdditiveAttention, MultiHeadAttention, causal_mask,
                                 scaled_dot_product_attention)

TOL = dict(atol=1e-5, rtol=1e-4)


@pytest.fixture
def gen():
    return torch.Generator().manual_seed(1234)


def randn(gen, *shape, scale=1.0):
    return torch.randn(*shape, generator=gen) * scale


def random_mask(gen, *shape, p=0.6):
    return torch.rand(*shape, generator=gen) < p


def torch_sdpa(q, k, v, mask=None):
    """(out, weights) from the built-in, weights recovered with v = identity."""
    n_k = k.shape[-2]
    eye = torch.eye(n_k).expand(*k.shape[:-2], n_k, n_k)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    weights = F.scaled_dot_product_attention(q, k, eye, attn_mask=mask)
    return out, weights


def fully_masked(mask, scores_shape):
    """Bool (..., n_q): query rows of the broadcast mask with no allowed key."""
    return ~mask.expand(scores_shape).any(-1)


# ------------------------------------------------------------------ scaled dot-product

SDPA_SHAPES = [
    # batch dims, n_q, n_k, d_k, d_v
    ((), 1, 1, 1, 1),
    ((), 4, 4, 8, 8),
    ((3,), 5, 7, 8, 3),
    ((2, 3), 6, 9, 16, 5),
    ((2, 1, 3), 3, 11, 7, 13),
    ((4,), 33, 65, 64, 32),
]


@pytest.mark.parametrize("batch, n_q, n_k, d_k, d_v", SDPA_SHAPES)
def test_sdpa_without_mask_matches_torch(gen, batch, n_q, n_k, d_k, d_v):
    q, k, v = randn(gen, *batch, n_q, d_k), randn(gen, *batch, n_k, d_k), randn(gen, *batch, n_k, d_v)
    out, weights = scaled_dot_product_attention(q, k, v)
    exp_out, exp_weights = torch_sdpa(q, k, v)
    assert out.shape == (*batch, n_q, d_v) and weights.shape == (*batch, n_q, n_k)
    torch.testing.assert_close(out, exp_out, **TOL)
    torch.testing.assert_close(weights, exp_weights, **TOL)


@pytest.mark.parametrize("batch, n_q, n_k, d_k, d_v", SDPA_SHAPES[1:])
@pytest.mark.parametrize("mask_kind", ["full", "key_padding", "per_query", "2d"])
def test_sdpa_with_broadcast_mask_matches_torch(gen, batch, n_q, n_k, d_k, d_v, mask_kind):
    q, k, v = randn(gen, *batch, n_q, d_k), randn(gen, *batch, n_k, d_k), randn(gen, *batch, n_k, d_v)
    mask_shape = {"full": (*batch, n_q, n_k), "key_padding": (*batch, 1, n_k),
                  "per_query": (n_q, 1), "2d": (n_q, n_k)}[mask_kind]
    mask = random_mask(gen, *mask_shape)
    out, weights = scaled_dot_product_attention(q, k, v, mask)
    exp_out, exp_weights = torch_sdpa(q, k, v, mask)

    dead = fully_masked(mask, (*batch, n_q, n_k))
    assert not out.isnan().any() and not weights.isnan().any()
    torch.testing.assert_close(out[~dead], exp_out[~dead], **TOL)
    torch.testing.assert_close(weights[~dead], exp_weights[~dead], **TOL)
    assert (out[dead] == 0).all() and (weights[dead] == 0).all()


def test_sdpa_fully_masked_rows_are_exact_zeros_and_other_rows_sum_to_one(gen):
    q, k, v = randn(gen, 2, 5, 4), randn(gen, 2, 6, 4), randn(gen, 2, 6, 3)
    mask = random_mask(gen, 2, 5, 6)
    mask[0, 1] = False
    mask[1, 4] = False
    mask[1, 0] = True
    out, weights = scaled_dot_product_attention(q, k, v, mask)
    assert (weights[0, 1] == 0).all() and (out[0, 1] == 0).all()
    assert (weights[1, 4] == 0).all() and (out[1, 4] == 0).all()
    assert (weights[~mask] == 0).all()
    sums = weights.sum(-1)
    dead = ~mask.any(-1)
    torch.testing.assert_close(sums[~dead], torch.ones_like(sums[~dead]))


def test_sdpa_large_scores_do_not_overflow(gen):
    # Scores of several hundred overflow exp() in float32 unless softmax subtracts the max.
    q, k, v = randn(gen, 3, 17, 16, scale=10), randn(gen, 3, 19, 16, scale=10), randn(gen, 3, 19, 5)
    out, weights = scaled_dot_product_attention(q, k, v, causal_mask(19)[:17])
    exp_out, exp_weights = torch_sdpa(q, k, v, causal_mask(19)[:17])
    assert torch.isfinite(out).all()
    torch.testing.assert_close(out, exp_out, **TOL)
    torch.testing.assert_close(weights, exp_weights, **TOL)


def test_sdpa_does_not_mutate_inputs(gen):
    q, k, v = randn(gen, 2, 3, 4), randn(gen, 2, 5, 4), randn(gen, 2, 5, 6)
    mask = random_mask(gen, 2, 3, 5)
    copies = [t.clone() for t in (q, k, v, mask)]
    scaled_dot_product_attention(q, k, v, mask)
    for before, after in zip(copies, (q, k, v, mask)):
        assert torch.equal(before, after)


def test_sdpa_gradients_are_finite_with_fully_masked_rows(gen):
    q, k, v = (randn(gen, 2, 4, 3).requires_grad_(), randn(gen, 2, 5, 3).requires_grad_(),
               randn(gen, 2, 5, 2).requires_grad_())
    mask = random_mask(gen, 2, 4, 5)
    mask[0, 2] = False
    out, weights = scaled_dot_product_attention(q, k, v, mask)
    (out.sum() + weights.square().sum()).backward()
    for t in (q, k, v):
        assert torch.isfinite(t.grad).all()
    assert (q.grad[0, 2] == 0).all()


# ------------------------------------------------------------------ causal mask

@pytest.mark.parametrize("n", [1, 2, 5, 64])
def test_causal_mask_is_lower_triangular_including_diagonal(n):
    mask = causal_mask(n)
    assert mask.dtype == torch.bool and mask.shape == (n, n)
    for i in range(n):
        for j in range(n):
            assert bool(mask[i, j]) == (j <= i)


@pytest.mark.parametrize("n", [0, -1, -7])
def test_causal_mask_rejects_non_positive_sizes(n):
    with pytest.raises(ValueError):
        causal_mask(n)


def test_causal_mask_matches_torch_is_causal(gen):
    q, k, v = randn(gen, 2, 7, 4), randn(gen, 2, 7, 4), randn(gen, 2, 7, 3)
    out, _ = scaled_dot_product_attention(q, k, v, causal_mask(7))
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, is_causal=True), **TOL)


# ------------------------------------------------------------------ additive attention

def additive_by_hand(module, q, k, v, mask=None):
    """Bahdanau attention one (batch, query, key) at a time, in float64."""
    W_q, W_k = module.W_q.weight.detach().double(), module.W_k.weight.detach().double()
    w_v = module.w_v.weight.detach().double()[0]
    q, k, v = q.double(), k.double(), v.double()
    B, n_q, n_k = q.shape[0], q.shape[1], k.shape[1]
    out = torch.zeros(B, n_q, v.shape[-1], dtype=torch.float64)
    weights = torch.zeros(B, n_q, n_k, dtype=torch.float64)
    allowed = torch.ones(B, n_q, n_k, dtype=torch.bool) if mask is None else mask.expand(B, n_q, n_k)
    for b in range(B):
        for i in range(n_q):
            keys = [j for j in range(n_k) if allowed[b, i, j]]
            if not keys:
                continue
            scores = {j: float(w_v @ torch.tanh(W_q @ q[b, i] + W_k @ k[b, j])) for j in keys}
            top = max(scores.values())
            total = sum(math.exp(s - top) for s in scores.values())
            for j in keys:
                weights[b, i, j] = math.exp(scores[j] - top) / total
                out[b, i] += weights[b, i, j] * v[b, j]
    return out, weights


@pytest.mark.parametrize("B, n_q, n_k, d_q, d_k, d_hidden, d_v", [
    (1, 1, 1, 1, 1, 1, 1),
    (2, 3, 5, 4, 6, 7, 2),
    (3, 7, 4, 5, 5, 9, 11),
])
@pytest.mark.parametrize("with_mask", [False, True])
def test_additive_attention_matches_hand_computation(gen, B, n_q, n_k, d_q, d_k, d_hidden, d_v, with_mask):
    torch.manual_seed(0)
    module = AdditiveAttention(d_q, d_k, d_hidden)
    q, k, v = randn(gen, B, n_q, d_q), randn(gen, B, n_k, d_k), randn(gen, B, n_k, d_v)
    mask = None
    if with_mask:
        mask = random_mask(gen, B, n_q, n_k)
        mask[0, 0] = False
    out, weights = module(q, k, v, mask)
    exp_out, exp_weights = additive_by_hand(module, q, k, v, mask)
    assert out.shape == (B, n_q, d_v) and weights.shape == (B, n_q, n_k)
    torch.testing.assert_close(out.double(), exp_out, **TOL)
    torch.testing.assert_close(weights.double(), exp_weights, **TOL)


def test_additive_attention_has_the_contract_submodules():
    module = AdditiveAttention(3, 4, 5)
    shapes = {name: tuple(p.shape) for name, p in module.named_parameters()}
    assert shapes == {"W_q.weight": (5, 3), "W_k.weight": (5, 4), "w_v.weight": (1, 5)}


def test_additive_attention_broadcasts_a_key_padding_mask(gen):
    module = AdditiveAttention(3, 3, 4)
    q, k, v = randn(gen, 2, 4, 3), randn(gen, 2, 6, 3), randn(gen, 2, 6, 2)
    mask = torch.tensor([[True] * 6, [True] * 3 + [False] * 3])[:, None, :]
    out, weights = module(q, k, v, mask)
    exp_out, exp_weights = additive_by_hand(module, q, k, v, mask)
    torch.testing.assert_close(out.double(), exp_out, **TOL)
    torch.testing.assert_close(weights.double(), exp_weights, **TOL)


# ------------------------------------------------------------------ multi-head attention

def paired_modules(d_model, num_heads, bias=True, seed=0):
    """(ours, torch's) with the same weights copied as the contract describes."""
    torch.manual_seed(seed)
    theirs = nn.MultiheadAttention(d_model, num_heads, bias=bias, batch_first=True)
    if bias:
        # nn.MultiheadAttention initialises its biases to zero, which would hide bias bugs.
        with torch.no_grad():
            theirs.in_proj_bias.normal_()
            theirs.out_proj.bias.normal_()
    ours = MultiHeadAttention(d_model, num_heads, bias=bias)
    d = d_model
    state = {"W_q.weight": theirs.in_proj_weight[0:d], "W_k.weight": theirs.in_proj_weight[d:2 * d],
             "W_v.weight": theirs.in_proj_weight[2 * d:3 * d], "W_o.weight": theirs.out_proj.weight}
    if bias:
        state |= {"W_q.bias": theirs.in_proj_bias[0:d], "W_k.bias": theirs.in_proj_bias[d:2 * d],
                  "W_v.bias": theirs.in_proj_bias[2 * d:3 * d], "W_o.bias": theirs.out_proj.bias}
    ours.load_state_dict({name: t.detach().clone() for name, t in state.items()})
    return ours, theirs


def torch_mha(theirs, query, key, value, mask=None):
    attn_mask = None
    if mask is not None:
        # torch wants a (n_q, n_k) or (B * h, n_q, n_k) mask with True = blocked.
        B, n_q, n_k = query.shape[0], query.shape[1], key.shape[1]
        attn_mask = (~mask).expand(B, n_q, n_k).repeat_interleave(theirs.num_heads, dim=0)
    return theirs(query, key, value, attn_mask=attn_mask, average_attn_weights=False)


MHA_SHAPES = [
    # B, n_q, n_k, d_model, num_heads
    (1, 1, 1, 1, 1),
    (2, 5, 5, 8, 2),
    (3, 4, 7, 12, 3),
    (2, 9, 3, 30, 5),
    (1, 6, 6, 16, 16),
    (2, 17, 33, 64, 8),
]


@pytest.mark.parametrize("B, n_q, n_k, d_model, num_heads", MHA_SHAPES)
@pytest.mark.parametrize("bias", [True, False])
def test_mha_without_mask_matches_torch(gen, B, n_q, n_k, d_model, num_heads, bias):
    ours, theirs = paired_modules(d_model, num_heads, bias=bias)
    query, key, value = randn(gen, B, n_q, d_model), randn(gen, B, n_k, d_model), randn(gen, B, n_k, d_model)
    out, weights = ours(query, key, value)
    exp_out, exp_weights = torch_mha(theirs, query, key, value)
    assert out.shape == (B, n_q, d_model) and weights.shape == (B, num_heads, n_q, n_k)
    torch.testing.assert_close(out, exp_out, **TOL)
    torch.testing.assert_close(weights, exp_weights, **TOL)


@pytest.mark.parametrize("B, n_q, n_k, d_model, num_heads", MHA_SHAPES[1:])
@pytest.mark.parametrize("mask_kind", ["full", "key_padding", "shared"])
def test_mha_with_mask_matches_torch_on_rows_with_an_allowed_key(gen, B, n_q, n_k, d_model, num_heads, mask_kind):
    ours, theirs = paired_modules(d_model, num_heads)
    query, key, value = randn(gen, B, n_q, d_model), randn(gen, B, n_k, d_model), randn(gen, B, n_k, d_model)
    mask_shape = {"full": (B, n_q, n_k), "key_padding": (B, 1, n_k), "shared": (1, n_q, n_k)}[mask_kind]
    mask = random_mask(gen, *mask_shape)
    mask.view(-1, n_k)[0] = False   # at least one query with no allowed key
    out, weights = ours(query, key, value, mask)
    exp_out, exp_weights = torch_mha(theirs, query, key, value, mask)

    dead = fully_masked(mask, (B, n_q, n_k))                   # (B, n_q)
    torch.testing.assert_close(out[~dead], exp_out[~dead], **TOL)
    torch.testing.assert_close(weights.transpose(1, 2)[~dead], exp_weights.transpose(1, 2)[~dead], **TOL)
    # A query that sees nothing gets zero weights in every head, so its output is W_o(0).
    assert (weights.transpose(1, 2)[dead] == 0).all()
    torch.testing.assert_close(out[dead], ours.W_o.bias.expand_as(out[dead]), **TOL)


def test_mha_causal_self_attention_matches_torch(gen):
    ours, theirs = paired_modules(24, 4)
    x = randn(gen, 3, 10, 24)
    out, weights = ours(x, x, x, causal_mask(10)[None])
    exp_out, exp_weights = theirs(x, x, x, attn_mask=~causal_mask(10), average_attn_weights=False)
    torch.testing.assert_close(out, exp_out, **TOL)
    torch.testing.assert_close(weights, exp_weights, **TOL)


def test_mha_has_the_contract_submodules():
    module = MultiHeadAttention(12, 3)
    shapes = {name: tuple(p.shape) for name, p in module.named_parameters()}
    assert shapes == {f"{n}.{p}": (12, 12) if p == "weight" else (12,)
                      for n in ("W_q", "W_k", "W_v", "W_o") for p in ("weight", "bias")}
    no_bias = MultiHeadAttention(12, 3, bias=False)
    assert sorted(name for name, _ in no_bias.named_parameters()) == ["W_k.weight", "W_o.weight",
                                                                      "W_q.weight", "W_v.weight"]


@pytest.mark.parametrize("d_model, num_heads", [(10, 3), (7, 2), (8, 16)])
def test_mha_rejects_d_model_not_divisible_by_heads(d_model, num_heads):
    with pytest.raises(ValueError):
        MultiHeadAttention(d_model, num_heads)


def test_mha_gradients_match_torch(gen):
    ours, theirs = paired_modules(16, 4)
    query, key = randn(gen, 2, 5, 16), randn(gen, 2, 6, 16)
    grad_out = randn(gen, 2, 5, 16)
    ours(query, key, key)[0].backward(grad_out)
    theirs(query, key, key)[0].backward(grad_out)
    torch.testing.assert_close(ours.W_q.weight.grad, theirs.in_proj_weight.grad[:16], **TOL)
    torch.testing.assert_close(ours.W_o.weight.grad, theirs.out_proj.weight.grad, **TOL)
