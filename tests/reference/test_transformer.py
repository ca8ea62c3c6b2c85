"""The transformer reference against PyTorch's built-ins.

nn.TransformerEncoderLayer / DecoderLayer with batch_first=True, norm_first=False,
activation="relu" and dropout=0 compute the paper's post-norm layers; their attention keeps
one in_proj_weight (3d, d) whose row blocks 0:d, d:2d, 2d:3d are our W_q, W_k, W_v, and
their masks say True = blocked, so ours (True = may attend) is passed negated. The whole
model has no built-in twin (nn.Transformer adds a final LayerNorm to both stacks), so it is
checked against those layers stacked by hand with nn.Embedding and the sinusoidal table.
"""
import math
import zlib

import pytest
import torch
from torch import nn

from reference.transformer import (DecoderLayer, EncoderLayer, LayerNorm, MultiHeadAttention,
                                   PositionwiseFFN, Transformer, sinusoidal_encoding)

TOL = dict(atol=1e-10, rtol=1e-9)


def _gen(*key):
    # crc32, not hash(): str hashes change between runs, and the cases must not
    return torch.Generator().manual_seed(zlib.crc32(repr(key).encode()))


def _randomise(module, gen):
    """Every parameter from `gen`; torch's init starts biases at 0 and LayerNorm at (1, 0),
    which would hide a swapped or missing bias."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if p.dim() == 2:
                p.copy_(torch.randn(p.shape, generator=gen, dtype=p.dtype) / math.sqrt(p.shape[1]))
            elif "norm" in name and name.endswith(("weight", "gamma")):
                p.copy_(1 + 0.3 * torch.randn(p.shape, generator=gen, dtype=p.dtype))
            else:
                p.copy_(0.3 * torch.randn(p.shape, generator=gen, dtype=p.dtype))
    return module


def _name(*parts):
    return ".".join(p for p in parts if p)


def _attention_state(theirs, prefix, ours, d):
    """Our W_q, W_k, W_v, W_o (under `ours`) from nn.MultiheadAttention's (under `prefix`)."""
    w, b = theirs[_name(prefix, "in_proj_weight")], theirs[_name(prefix, "in_proj_bias")]
    state = {}
    for i, name in enumerate(("W_q", "W_k", "W_v")):
        state[_name(ours, name, "weight")] = w[i * d:(i + 1) * d]
        state[_name(ours, name, "bias")] = b[i * d:(i + 1) * d]
    state[_name(ours, "W_o.weight")] = theirs[_name(prefix, "out_proj.weight")]
    state[_name(ours, "W_o.bias")] = theirs[_name(prefix, "out_proj.bias")]
    return state


def torch_layer_to_ours(theirs, d, *, decoder):
    """Our layer's state dict from nn.Transformer{Encoder,Decoder}Layer's."""
    state = _attention_state(theirs, "self_attn", "self_attn", d)
    if decoder:
        state |= _attention_state(theirs, "multihead_attn", "cross_attn", d)
    for k in ("linear1", "linear2"):
        state[f"ffn.{k}.weight"], state[f"ffn.{k}.bias"] = theirs[f"{k}.weight"], theirs[f"{k}.bias"]
    for k in ("norm1", "norm2", "norm3") if decoder else ("norm1", "norm2"):
        state[f"{k}.gamma"], state[f"{k}.beta"] = theirs[f"{k}.weight"], theirs[f"{k}.bias"]
    return state


def _torch_encoder(d, h, d_ff, gen):
    layer = nn.TransformerEncoderLayer(d, h, d_ff, dropout=0.0, activation="relu", batch_first=True,
                                       norm_first=False).double()
    return _randomise(layer, gen).eval()


def _torch_decoder(d, h, d_ff, gen):
    layer = nn.TransformerDecoderLayer(d, h, d_ff, dropout=0.0, activation="relu", batch_first=True,
                                       norm_first=False).double()
    return _randomise(layer, gen).eval()


def _random_mask(gen, *shape):
    mask = torch.rand(*shape, generator=gen) < 0.6
    mask[..., 0] = True            # every query keeps one key: torch's NaN rows are not compared
    return mask


# --------------------------------------------------------------------------- LayerNorm

@pytest.mark.parametrize("shape", [(3, 1), (2, 5, 8), (2, 3, 4, 16), (1, 7, 512)])
@pytest.mark.parametrize("eps", [1e-5, 1e-3, 0.5])
def test_layer_norm_matches_nn_layernorm(shape, eps):
    gen = _gen("ln", shape, eps)
    x = torch.randn(*shape, generator=gen, dtype=torch.float64) * 2 + 0.7
    theirs = _randomise(nn.LayerNorm(shape[-1], eps=eps).double(), gen)
    ours = LayerNorm(shape[-1], eps=eps).double()
    ours.load_state_dict({"gamma": theirs.weight.detach(), "beta": theirs.bias.detach()})
    torch.testing.assert_close(ours(x), theirs(x), **TOL)


def test_layer_norm_starts_as_nn_layernorm_does():
    ours, theirs = LayerNorm(6), nn.LayerNorm(6)
    assert torch.equal(ours.gamma, theirs.weight) and torch.equal(ours.beta, theirs.bias)
    assert ours.eps == theirs.eps == 1e-5


def test_layer_norm_with_tiny_variance_keeps_eps_inside_the_root():
    """At variance ~1e-6 the placement of eps is a 0.5% effect, far above float noise."""
    x = torch.randn(4, 32, generator=_gen("tiny"), dtype=torch.float64) * 1e-3
    ours = LayerNorm(32, eps=1e-5).double()
    torch.testing.assert_close(ours(x), nn.functional.layer_norm(x, (32,), eps=1e-5), **TOL)
    std = x.std(-1, unbiased=False, keepdim=True)
    eps_outside = (x - x.mean(-1, keepdim=True)) / (std + 1e-5)
    assert not torch.allclose(ours(x), eps_outside, rtol=1e-3, atol=0)


# --------------------------------------------------------------------------- FFN and attention

def test_ffn_is_linear_relu_linear():
    gen = _gen("ffn")
    ffn = _randomise(PositionwiseFFN(6, 10).double(), gen)
    x = torch.randn(2, 3, 6, generator=gen, dtype=torch.float64)
    expected = torch.relu(x @ ffn.linear1.weight.T + ffn.linear1.bias) @ ffn.linear2.weight.T + ffn.linear2.bias
    torch.testing.assert_close(ffn(x), expected, **TOL)


def test_attention_matches_nn_multiheadattention():
    gen = _gen("mha")
    d, h = 12, 3
    theirs = _randomise(nn.MultiheadAttention(d, h, batch_first=True).double(), gen)
    ours = MultiHeadAttention(d, h).double()
    ours.load_state_dict(_attention_state(theirs.state_dict(), "", "", d))
    q = torch.randn(2, 4, d, generator=gen, dtype=torch.float64)
    kv = torch.randn(2, 6, d, generator=gen, dtype=torch.float64)
    mask = _random_mask(gen, 4, 6)
    out, weights = ours(q, kv, kv, mask)
    exp_out, exp_weights = theirs(q, kv, kv, attn_mask=~mask, average_attn_weights=False)
    torch.testing.assert_close(out, exp_out, **TOL)
    torch.testing.assert_close(weights, exp_weights, **TOL)


# --------------------------------------------------------------------------- layers

@pytest.mark.parametrize("B,T,d,h,d_ff", [(2, 5, 8, 2, 16), (3, 7, 12, 3, 20), (1, 1, 16, 4, 8), (2, 9, 32, 8, 64)])
def test_encoder_layer_matches_nn_transformerencoderlayer(B, T, d, h, d_ff):
    gen = _gen("enc", B, T, d)
    theirs = _torch_encoder(d, h, d_ff, gen)
    ours = EncoderLayer(d, h, d_ff).double().eval()
    ours.load_state_dict(torch_layer_to_ours(theirs.state_dict(), d, decoder=False))
    x = torch.randn(B, T, d, generator=gen, dtype=torch.float64)
    mask = _random_mask(gen, T, T)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), theirs(x), **TOL)
        torch.testing.assert_close(ours(x, mask), theirs(x, src_mask=~mask), **TOL)


@pytest.mark.parametrize("B,T,S,d,h,d_ff", [(2, 5, 7, 8, 2, 16), (3, 4, 3, 12, 3, 20), (1, 1, 1, 16, 4, 8),
                                            (2, 9, 6, 32, 8, 64)])
def test_decoder_layer_matches_nn_transformerdecoderlayer(B, T, S, d, h, d_ff):
    gen = _gen("dec", B, T, S, d)
    theirs = _torch_decoder(d, h, d_ff, gen)
    ours = DecoderLayer(d, h, d_ff).double().eval()
    ours.load_state_dict(torch_layer_to_ours(theirs.state_dict(), d, decoder=True))
    x = torch.randn(B, T, d, generator=gen, dtype=torch.float64)
    memory = torch.randn(B, S, d, generator=gen, dtype=torch.float64)
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    memory_mask = _random_mask(gen, T, S)
    with torch.no_grad():
        torch.testing.assert_close(ours(x, memory), theirs(x, memory), **TOL)
        torch.testing.assert_close(ours(x, memory, tgt_mask=causal), theirs(x, memory, tgt_mask=~causal), **TOL)
        torch.testing.assert_close(ours(x, memory, causal, memory_mask),
                                   theirs(x, memory, tgt_mask=~causal, memory_mask=~memory_mask), **TOL)


def test_layers_are_post_norm():
    """Post-norm ends in a LayerNorm: with gamma = 1 and beta = 0 every output row has mean 0
    and (biased) variance 1 - eps/(var + eps), whatever the input; a pre-norm layer's does not."""
    gen = _gen("post")
    layer = _randomise(EncoderLayer(16, 4, 32).double(), gen)
    with torch.no_grad():
        layer.norm2.gamma.fill_(1.0)
        layer.norm2.beta.zero_()
        out = layer(torch.randn(2, 6, 16, generator=gen, dtype=torch.float64) * 5)
    zeros = torch.zeros(2, 6, dtype=torch.float64)
    torch.testing.assert_close(out.mean(-1), zeros, atol=1e-12, rtol=0)
    torch.testing.assert_close(out.var(-1, unbiased=False), zeros + 1, atol=1e-4, rtol=0)


# --------------------------------------------------------------------------- the model

def test_sinusoidal_table_by_hand():
    table = sinusoidal_encoding(7, 6)
    for p in range(7):
        for i in range(3):
            angle = p / 10000 ** (2 * i / 6)
            assert table[p, 2 * i].item() == pytest.approx(math.sin(angle), abs=1e-7)
            assert table[p, 2 * i + 1].item() == pytest.approx(math.cos(angle), abs=1e-7)


def _model(gen, src_vocab=11, tgt_vocab=13, d=16, h=4, d_ff=32, n=2, max_len=64):
    model = Transformer(src_vocab, tgt_vocab, d_model=d, num_heads=h, d_ff=d_ff, num_layers=n,
                        max_len=max_len, dropout=0.0).double()
    return _randomise(model, gen).eval()


def test_transformer_matches_torch_layers_stacked_by_hand():
    gen = _gen("model")
    d, h, d_ff = 16, 4, 32
    model = _model(gen, d=d, h=h, d_ff=d_ff)
    encoders = [_torch_encoder(d, h, d_ff, gen) for _ in range(2)]
    decoders = [_torch_decoder(d, h, d_ff, gen) for _ in range(2)]
    state = {k: v for k, v in model.state_dict().items()}
    for stack, layers in (("encoder_layers", encoders), ("decoder_layers", decoders)):
        for i, layer in enumerate(layers):
            ours = torch_layer_to_ours(layer.state_dict(), d, decoder=stack == "decoder_layers")
            state |= {f"{stack}.{i}.{k}": v for k, v in ours.items()}
    model.load_state_dict(state)
    src = torch.randint(0, 11, (3, 7), generator=gen)
    tgt = torch.randint(0, 13, (3, 5), generator=gen)
    with torch.no_grad():
        pe = sinusoidal_encoding(64, d).double()
        memory = model.src_embed(src) * math.sqrt(d) + pe[:7]
        for layer in encoders:
            memory = layer(memory)
        y = model.tgt_embed(tgt) * math.sqrt(d) + pe[:5]
        causal = nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64)
        for layer in decoders:
            y = layer(y, memory, tgt_mask=causal)
        torch.testing.assert_close(model(src, tgt), model.out_proj(y), **TOL)


def test_state_dict_holds_exactly_the_statements_names():
    model = Transformer(11, 13, d_model=8, num_heads=2, d_ff=16, num_layers=2, max_len=10)
    names = set(model.state_dict())
    assert {"src_embed.weight", "tgt_embed.weight", "out_proj.weight", "out_proj.bias",
            "encoder_layers.1.norm2.gamma", "decoder_layers.0.cross_attn.W_k.bias",
            "decoder_layers.1.ffn.linear2.weight", "decoder_layers.1.norm3.beta"} <= names
    assert not any("pe" == n.split(".")[-1] for n in names)        # the table is not a weight
    assert len(names) == 4 + 2 * 16 + 2 * 26     # embeddings and out_proj; 16 per encoder, 26 per decoder layer


def test_later_target_tokens_do_not_change_earlier_logits():
    gen = _gen("causal")
    model = _model(gen)
    src = torch.randint(0, 11, (2, 6), generator=gen)
    tgt = torch.randint(0, 13, (2, 8), generator=gen)
    changed = tgt.clone()
    changed[:, 5:] = (changed[:, 5:] + 1) % 13
    with torch.no_grad():
        a, b = model(src, tgt), model(src, changed)
    torch.testing.assert_close(a[:, :5], b[:, :5], atol=0, rtol=0)
    assert (a[:, 5:] - b[:, 5:]).abs().max() > 1e-3


def test_the_source_reaches_every_target_position():
    gen = _gen("memory")
    model = _model(gen)
    src = torch.randint(0, 11, (2, 6), generator=gen)
    tgt = torch.randint(0, 13, (2, 4), generator=gen)
    with torch.no_grad():
        a, b = model(src, tgt), model((src + 1) % 11, tgt)
    assert ((a - b).abs().amax(-1) > 1e-3).all()


def test_dropout_is_active_in_training_only():
    gen = _gen("dropout")
    model = Transformer(11, 13, d_model=16, num_heads=4, d_ff=32, num_layers=2, max_len=16, dropout=0.5).double()
    src, tgt = torch.randint(0, 11, (2, 6), generator=gen), torch.randint(0, 13, (2, 4), generator=gen)
    with torch.no_grad():
        assert not torch.allclose(model.train()(src, tgt), model.train()(src, tgt))
        torch.testing.assert_close(model.eval()(src, tgt), model.eval()(src, tgt), atol=0, rtol=0)


def test_too_long_a_sequence_is_refused():
    model = Transformer(11, 13, d_model=8, num_heads=2, d_ff=16, num_layers=1, max_len=4)
    with pytest.raises(ValueError):
        model(torch.zeros(1, 5, dtype=torch.long), torch.zeros(1, 2, dtype=torch.long))
