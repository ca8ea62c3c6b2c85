"""Mistake: nn.Transformer's extra LayerNorm after the encoder stack and after the decoder stack.

Otherwise the reference (reference/transformer.py).
"""
import math

import torch
from torch import nn


# --------------------------------------------------------------------------- attention

def _masked_softmax(scores, mask):
    """Softmax over keys; a query row whose keys are all blocked gets zero weights, not NaN."""
    if mask is None:
        return torch.softmax(scores, dim=-1)
    blocked = ~mask
    weights = torch.softmax(scores.masked_fill(blocked, float("-inf")), dim=-1)
    return weights.masked_fill(blocked, 0.0)


def scaled_dot_product_attention(q, k, v, mask=None):
    """softmax(q k^T / sqrt(d_k)) v over the last two axes; returns (out, weights)."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    weights = _masked_softmax(scores, mask)
    return weights @ v, weights


def causal_mask(n, device=None):
    """(n, n) bool mask, True on and below the diagonal: position i may see 0..i."""
    return torch.ones(n, n, dtype=torch.bool, device=device).tril()


class MultiHeadAttention(nn.Module):
    """Multi-head attention with W_q, W_k, W_v, W_o laid out like nn.MultiheadAttention."""

    def __init__(self, d_model, num_heads, bias=True):
        super().__init__()
        if num_heads < 1 or d_model % num_heads != 0:
            raise ValueError(f"d_model ({d_model}) must be a multiple of num_heads ({num_heads})")
        self.num_heads = num_heads
        self.d_head = d_model // num_heads
        self.W_q = nn.Linear(d_model, d_model, bias=bias)
        self.W_k = nn.Linear(d_model, d_model, bias=bias)
        self.W_v = nn.Linear(d_model, d_model, bias=bias)
        self.W_o = nn.Linear(d_model, d_model, bias=bias)

    def _split_heads(self, x):
        # Head i owns features i*d_head:(i+1)*d_head of every position.
        return x.unflatten(-1, (self.num_heads, self.d_head)).transpose(-3, -2)

    def forward(self, query, key, value, mask=None):
        """query (B, n_q, d), key/value (B, n_k, d) -> (out (B, n_q, d), weights (B, h, n_q, n_k))."""
        q = self._split_heads(self.W_q(query))
        k = self._split_heads(self.W_k(key))
        v = self._split_heads(self.W_v(value))
        if mask is not None:
            mask = mask.unsqueeze(-3)   # the same mask for every head
        heads, weights = scaled_dot_product_attention(q, k, v, mask)
        return self.W_o(heads.transpose(-3, -2).flatten(-2)), weights


# --------------------------------------------------------------------------- building blocks

class LayerNorm(nn.Module):
    """Normalise over the last axis, then scale by gamma and shift by beta (as nn.LayerNorm)."""

    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.gamma = nn.Parameter(torch.ones(d))
        self.beta = nn.Parameter(torch.zeros(d))

    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        # The biased variance (divide by d, not d - 1), and eps inside the square root:
        # both exactly as nn.LayerNorm, which is what "layer normalisation" means in the paper.
        var = (x - mean).pow(2).mean(dim=-1, keepdim=True)
        return (x - mean) / torch.sqrt(var + self.eps) * self.gamma + self.beta


class PositionwiseFFN(nn.Module):
    """FFN(x) = max(0, x W1 + b1) W2 + b2, applied to every position alone."""

    def __init__(self, d_model, d_ff, dropout=0.0):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.linear2(self.dropout(torch.relu(self.linear1(x))))


class EncoderLayer(nn.Module):
    """Self-attention and FFN sub-layers, each wrapped as LayerNorm(x + Dropout(Sublayer(x)))."""

    def __init__(self, d_model, num_heads, d_ff, dropout=0.0):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads)
        self.ffn = PositionwiseFFN(d_model, d_ff, dropout)
        self.norm1 = LayerNorm(d_model)
        self.norm2 = LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, mask=None):
        """x (B, T, d_model); mask bool, broadcastable to (B, T, T) -> (B, T, d_model)."""
        attended, _ = self.self_attn(x, x, x, mask)
        x = self.norm1(x + self.dropout(attended))
        return self.norm2(x + self.dropout(self.ffn(x)))


class DecoderLayer(nn.Module):
    """Masked self-attention, cross-attention over the encoder output, FFN; post-norm each."""

    def __init__(self, d_model, num_heads, d_ff, dropout=0.0):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads)
        self.cross_attn = MultiHeadAttention(d_model, num_heads)
        self.ffn = PositionwiseFFN(d_model, d_ff, dropout)
        self.norm1 = LayerNorm(d_model)
        self.norm2 = LayerNorm(d_model)
        self.norm3 = LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, memory, tgt_mask=None, memory_mask=None):
        """x (B, T_tgt, d), memory (B, T_src, d); tgt_mask broadcastable to (B, T_tgt, T_tgt),
        memory_mask to (B, T_tgt, T_src) -> (B, T_tgt, d)."""
        attended, _ = self.self_attn(x, x, x, tgt_mask)
        x = self.norm1(x + self.dropout(attended))
        # Queries come from the decoder, keys and values from the encoder's output.
        attended, _ = self.cross_attn(x, memory, memory, memory_mask)
        x = self.norm2(x + self.dropout(attended))
        return self.norm3(x + self.dropout(self.ffn(x)))


# --------------------------------------------------------------------------- the model

def sinusoidal_encoding(max_len, d_model):
    """PE[p, 2i] = sin(p / 10000^(2i/d_model)), PE[p, 2i+1] = cos(p / 10000^(2i/d_model))."""
    if d_model % 2:
        raise ValueError(f"sinusoidal positions need an even d_model, got {d_model}")
    # float64, then one rounding to float32: the table does not depend on how the angle is computed.
    position = torch.arange(max_len, dtype=torch.float64)[:, None]
    inv_freq = torch.pow(10000.0, -torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    angle = position * inv_freq
    table = torch.empty(max_len, d_model, dtype=torch.float64)
    table[:, 0::2] = torch.sin(angle)
    table[:, 1::2] = torch.cos(angle)
    return table.float()


class Transformer(nn.Module):
    """The encoder-decoder of "Attention Is All You Need", post-norm, without weight sharing."""

    def __init__(self, src_vocab, tgt_vocab, d_model=512, num_heads=8, d_ff=2048, num_layers=6,
                 max_len=512, dropout=0.1):
        super().__init__()
        self.d_model = d_model
        self.src_embed = nn.Embedding(src_vocab, d_model)
        self.tgt_embed = nn.Embedding(tgt_vocab, d_model)
        # A fixed table, not a parameter; not persistent either, so state_dict() holds only weights.
        self.register_buffer("pe", sinusoidal_encoding(max_len, d_model), persistent=False)
        self.encoder_layers = nn.ModuleList(
            EncoderLayer(d_model, num_heads, d_ff, dropout) for _ in range(num_layers))
        self.decoder_layers = nn.ModuleList(
            DecoderLayer(d_model, num_heads, d_ff, dropout) for _ in range(num_layers))
        self.encoder_norm = LayerNorm(d_model)
        self.decoder_norm = LayerNorm(d_model)
        self.out_proj = nn.Linear(d_model, tgt_vocab)
        self.dropout = nn.Dropout(dropout)

    def _embed(self, embedding, tokens):
        n = tokens.shape[-1]
        if n > self.pe.shape[0]:
            raise ValueError(f"sequence length {n} exceeds max_len {self.pe.shape[0]}")
        # The sqrt(d_model) factor brings embeddings (initialised small) to the scale of the
        # positional table, whose entries lie in [-1, 1].
        return self.dropout(embedding(tokens) * math.sqrt(self.d_model) + self.pe[:n])

    def encode(self, src):
        """src (B, T_src) token ids -> memory (B, T_src, d_model)."""
        x = self._embed(self.src_embed, src)
        for layer in self.encoder_layers:
            x = layer(x)
        return self.encoder_norm(x)

    def decode(self, tgt, memory):
        """tgt (B, T_tgt) token ids, memory (B, T_src, d_model) -> (B, T_tgt, d_model)."""
        y = self._embed(self.tgt_embed, tgt)
        mask = causal_mask(tgt.shape[-1], device=tgt.device)
        for layer in self.decoder_layers:
            y = layer(y, memory, tgt_mask=mask)   # every decoder layer reads the last encoder output
        return self.decoder_norm(y)

    def forward(self, src, tgt):
        """src (B, T_src), tgt (B, T_tgt) token ids -> logits (B, T_tgt, tgt_vocab)."""
        return self.out_proj(self.decode(tgt, self.encode(src)))
