"""The positional-encoding reference against independent formulations of the same maths."""
import math

import numpy as np
import pytest
import torch

from reference.positional_encoding import LearnedPositionalEmbedding, apply_rope, sinusoidal_encoding

SIZES = [(1, 2), (1, 8), (7, 2), (33, 10), (50, 64), (101, 6), (128, 512), (2048, 16)]


def paper_table(max_len: int, d_model: int) -> np.ndarray:
    """Vaswani et al. §3.5 written out with math.sin/math.cos in float64, one entry at a time."""
    table = np.empty((max_len, d_model), dtype=np.float64)
    for pos in range(max_len):
        for i in range(d_model // 2):
            angle = pos / 10000.0 ** (2 * i / d_model)
            table[pos, 2 * i] = math.sin(angle)
            table[pos, 2 * i + 1] = math.cos(angle)
    return table


def rope_complex(x: torch.Tensor, base: float = 10000.0) -> torch.Tensor:
    """RoPE as complex multiplication: the pair (x[2i], x[2i+1]) is x[2i] + i·x[2i+1], times e^{iθ}."""
    x64 = x.double()
    length, dim = x64.shape[-2:]
    pairs = torch.view_as_complex(x64.reshape(*x64.shape[:-1], dim // 2, 2).contiguous())
    theta = torch.tensor([[p / base ** (2 * i / dim) for i in range(dim // 2)] for p in range(length)],
                         dtype=torch.float64).reshape(length, dim // 2)
    return torch.view_as_real(pairs * torch.polar(torch.ones_like(theta), theta)).flatten(-2)


# ---------------------------------------------------------------------------- sinusoidal

@pytest.mark.parametrize("max_len,d_model", SIZES)
def test_sinusoidal_matches_the_paper_formula_in_float64(max_len, d_model):
    table = sinusoidal_encoding(max_len, d_model)
    assert table.shape == (max_len, d_model)
    assert table.dtype == torch.float32
    # the float32 rounding of a float64 table: far inside the assignment's atol=1e-4
    np.testing.assert_allclose(table.double().numpy(), paper_table(max_len, d_model), atol=1e-7, rtol=0)


def test_sinusoidal_first_row_is_sin_zero_cos_one():
    assert torch.equal(sinusoidal_encoding(1, 6), torch.tensor([[0.0, 1.0, 0.0, 1.0, 0.0, 1.0]]))


def test_sinusoidal_first_pair_has_unit_frequency():
    table = sinusoidal_encoding(20, 8).double()
    positions = torch.arange(20, dtype=torch.float64)
    torch.testing.assert_close(table[:, 0], positions.sin(), atol=1e-7, rtol=0)
    torch.testing.assert_close(table[:, 1], positions.cos(), atol=1e-7, rtol=0)


@pytest.mark.parametrize("max_len,d_model", [(5, 0), (5, -2), (5, 7), (5, 1), (5, 8.0), (5, 8.5),
                                             (5, True), (0, 8), (-1, 8), (2.0, 8)])
def test_sinusoidal_rejects_invalid_sizes(max_len, d_model):
    with pytest.raises(ValueError):
        sinusoidal_encoding(max_len, d_model)


# ---------------------------------------------------------------------------- learned

@pytest.mark.parametrize("max_len,d_model,batch,length", [(16, 8, 3, 5), (7, 2, 1, 7), (300, 24, 2, 1)])
def test_learned_embedding_adds_the_first_rows(max_len, d_model, batch, length):
    module = LearnedPositionalEmbedding(max_len, d_model)
    assert [(name, tuple(p.shape)) for name, p in module.named_parameters()] == [("weight", (max_len, d_model))]
    assert list(module.buffers()) == []
    x = torch.randn(batch, length, d_model)
    out = module(x)
    assert out.shape == (batch, length, d_model)
    torch.testing.assert_close(out, x + module.weight.detach()[:length])


def test_learned_embedding_loads_weights_and_passes_gradients():
    module = LearnedPositionalEmbedding(10, 4)
    weight = torch.randn(10, 4)
    module.load_state_dict({"weight": weight})
    x = torch.randn(2, 6, 4, requires_grad=True)
    grad = torch.randn(2, 6, 4)
    module(x).backward(grad)
    expected = torch.zeros(10, 4)
    expected[:6] = grad.sum(0)
    torch.testing.assert_close(module.weight.grad, expected)
    torch.testing.assert_close(x.grad, grad)


def test_learned_embedding_leaves_its_input_alone():
    module = LearnedPositionalEmbedding(10, 4)
    x = torch.randn(2, 6, 4)
    before = x.clone()
    module(x)
    assert torch.equal(x, before)


def test_learned_embedding_accepts_max_len_and_rejects_longer():
    module = LearnedPositionalEmbedding(5, 4)
    assert module(torch.zeros(1, 5, 4)).shape == (1, 5, 4)
    with pytest.raises(ValueError):
        module(torch.zeros(1, 6, 4))


# ---------------------------------------------------------------------------- RoPE

@pytest.mark.parametrize("shape,base", [((1, 2), 10000.0), ((5, 8), 10000.0), ((2, 11, 16), 10000.0),
                                        ((2, 3, 7, 64), 10000.0), ((2, 1, 2, 9, 6), 500.0),
                                        ((4, 32, 128), 10.0)])
def test_rope_matches_complex_multiplication(shape, base):
    x = torch.randn(*shape, dtype=torch.float64)
    torch.testing.assert_close(apply_rope(x, base=base), rope_complex(x, base), atol=1e-12, rtol=1e-12)


def test_rope_keeps_float32_and_is_accurate():
    x = torch.randn(3, 20, 32)
    out = apply_rope(x)
    assert out.dtype == torch.float32
    torch.testing.assert_close(out.double(), rope_complex(x), atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("dim,base", [(2, 10000.0), (8, 10000.0), (64, 10000.0), (16, 100.0)])
def test_rope_scores_depend_only_on_the_offset(dim, base):
    length = 12
    q = torch.randn(dim, dtype=torch.float64)
    k = torch.randn(dim, dtype=torch.float64)
    rq = apply_rope(q.expand(length, dim).clone(), base=base)
    rk = apply_rope(k.expand(length, dim).clone(), base=base)
    scores = rq @ rk.T            # scores[m, n] = <rope(q)_m, rope(k)_n>
    for offset in range(-length + 1, length):
        diagonal = torch.diagonal(scores, offset=-offset)   # all pairs with m - n = offset
        torch.testing.assert_close(diagonal, diagonal[:1].expand_as(diagonal), atol=1e-10, rtol=0)
    # and the scores are not trivially constant: different offsets give different values
    assert not torch.allclose(torch.diagonal(scores, 0)[0], torch.diagonal(scores, -1)[0])


def test_rope_position_zero_is_identity_and_norms_are_kept():
    x = torch.randn(4, 9, 10, dtype=torch.float64)
    out = apply_rope(x)
    torch.testing.assert_close(out[:, 0], x[:, 0])
    torch.testing.assert_close(out.norm(dim=-1), x.norm(dim=-1))


def test_rope_rotates_interleaved_pairs_not_halves():
    x = torch.zeros(2, 4, dtype=torch.float64)
    x[1, 0] = 1.0                                  # pair 0 at position 1 rotates by exactly 1 rad
    out = apply_rope(x)
    torch.testing.assert_close(out[1], torch.tensor([math.cos(1.0), math.sin(1.0), 0.0, 0.0],
                                                    dtype=torch.float64))


def test_rope_leaves_its_input_alone():
    x = torch.randn(2, 5, 8)
    before = x.clone()
    apply_rope(x)
    assert torch.equal(x, before)


@pytest.mark.parametrize("shape", [(3, 7), (2, 4, 1), (5,)])
def test_rope_rejects_odd_or_missing_dimensions(shape):
    with pytest.raises(ValueError):
        apply_rope(torch.zeros(shape))
