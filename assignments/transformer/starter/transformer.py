"""The Transformer: encoder and decoder layers and the full model (assignment `transformer`).

과제 설명은 README.ko.md, the statement is README.en.md. Submit this file as `transformer.py`,
together with `diagram.dot`.

Conventions used everywhere here:
- tensors are float32 and batch-first; token ids are int64 tensors (B, T);
- a bool mask has True where a query MAY attend to a key and broadcasts against (B, n_q, n_k);
- sub-layers are post-norm, as in the paper: x = LayerNorm(x + Dropout(Sublayer(x)));
- the names of submodules and parameters below are part of the contract: the grader copies its
  own weights into your modules by these names.

This file must be self-contained (torch and math only): copy your attention code from the
`attention` assignment into it. Banned anywhere in the file: torch.nn.Transformer and its
Encoder/Decoder(Layer) classes, torch.nn.MultiheadAttention,
torch.nn.functional.multi_head_attention_forward, torch.nn.functional.scaled_dot_product_attention
and torch.nn.LayerNorm; in LayerNorm also torch.nn.functional.layer_norm.
"""
import math

import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    """Multi-head attention from the `attention` assignment (copy yours here).

    Submodules W_q, W_k, W_v, W_o, each nn.Linear(d_model, d_model, bias=bias).
    forward(query, key, value, mask=None) -> (out (B, n_q, d_model), weights (B, h, n_q, n_k)).
    """

    def __init__(self, d_model, num_heads, bias=True):
        super().__init__()
        raise NotImplementedError

    def forward(self, query, key, value, mask=None):
        raise NotImplementedError


class LayerNorm(nn.Module):
    """Layer normalisation over the last axis, as nn.LayerNorm(d, eps).

    Parameters gamma (d,) starting at ones and beta (d,) starting at zeros.
    forward(x) for x (..., d): (x - mean) / sqrt(var + eps) * gamma + beta, with the mean and
    the biased variance (divide by d) of each x[..., :].
    """

    def __init__(self, d, eps=1e-5):
        super().__init__()
        raise NotImplementedError

    def forward(self, x):
        raise NotImplementedError


class PositionwiseFFN(nn.Module):
    """FFN(x) = linear2(dropout(relu(linear1(x)))): linear1 = nn.Linear(d_model, d_ff),
    linear2 = nn.Linear(d_ff, d_model)."""

    def __init__(self, d_model, d_ff, dropout=0.0):
        super().__init__()
        raise NotImplementedError

    def forward(self, x):
        raise NotImplementedError


class EncoderLayer(nn.Module):
    """Submodules self_attn (MultiHeadAttention), ffn (PositionwiseFFN), norm1, norm2 (LayerNorm).

    forward(x, mask=None): x (B, T, d_model), mask bool broadcastable to (B, T, T)
        x = norm1(x + dropout(self_attn(x, x, x, mask)))
        x = norm2(x + dropout(ffn(x)))
    returns x (B, T, d_model): one tensor, no attention weights.
    """

    def __init__(self, d_model, num_heads, d_ff, dropout=0.0):
        super().__init__()
        raise NotImplementedError

    def forward(self, x, mask=None):
        raise NotImplementedError


class DecoderLayer(nn.Module):
    """Submodules self_attn, cross_attn (MultiHeadAttention), ffn, norm1, norm2, norm3.

    forward(x, memory, tgt_mask=None, memory_mask=None): x (B, T_tgt, d_model),
    memory (B, T_src, d_model) the encoder's output; tgt_mask broadcastable to (B, T_tgt, T_tgt),
    memory_mask to (B, T_tgt, T_src)
        x = norm1(x + dropout(self_attn(x, x, x, tgt_mask)))
        x = norm2(x + dropout(cross_attn(x, memory, memory, memory_mask)))
        x = norm3(x + dropout(ffn(x)))
    returns x (B, T_tgt, d_model).
    """

    def __init__(self, d_model, num_heads, d_ff, dropout=0.0):
        super().__init__()
        raise NotImplementedError

    def forward(self, x, memory, tgt_mask=None, memory_mask=None):
        raise NotImplementedError


class Transformer(nn.Module):
    """The encoder-decoder model.

    Submodules src_embed = nn.Embedding(src_vocab, d_model), tgt_embed = nn.Embedding(tgt_vocab,
    d_model), encoder_layers and decoder_layers (nn.ModuleList of num_layers EncoderLayer /
    DecoderLayer), out_proj = nn.Linear(d_model, tgt_vocab). The sinusoidal table is not a
    parameter (a buffer, or computed in forward).

    forward(src, tgt): src (B, T_src), tgt (B, T_tgt) int64 token ids ->
    logits (B, T_tgt, tgt_vocab):
        x = dropout(src_embed(src) * sqrt(d_model) + PE[:T_src]); x = each encoder layer (no mask)
        y = dropout(tgt_embed(tgt) * sqrt(d_model) + PE[:T_tgt])
        y = each decoder layer (y, x, causal tgt_mask), every one reading the final encoder output
        logits = out_proj(y)
    """

    def __init__(self, src_vocab, tgt_vocab, d_model=512, num_heads=8, d_ff=2048, num_layers=6,
                 max_len=512, dropout=0.1):
        super().__init__()
        raise NotImplementedError

    def forward(self, src, tgt):
        raise NotImplementedError
