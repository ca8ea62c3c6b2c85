"""Correct, another style: attention head by head with a -1e9 fill, LayerNorm from E[x^2] - E[x]^2,
functional dropout, the positional table rebuilt in every forward from Python floats."""
import math

import torch
from torch import nn
from torch.nn import functional as F


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads, bias=True):
        super().__init__()
        self.num_heads = num_heads
        self.W_q = nn.Linear(d_model, d_model, bias=bias)
        self.W_k = nn.Linear(d_model, d_model, bias=bias)
        self.W_v = nn.Linear(d_model, d_model, bias=bias)
        self.W_o = nn.Linear(d_model, d_model, bias=bias)

    def forward(self, query, key, value, mask=None):
        q, k, v = self.W_q(query), self.W_k(key), self.W_v(value)
        d_k = q.shape[-1] // self.num_heads
        heads, all_weights = [], []
        for h in range(self.num_heads):
            cols = slice(h * d_k, (h + 1) * d_k)
            scores = q[..., cols] @ k[..., cols].transpose(1, 2) / math.sqrt(d_k)
            if mask is not None:
                scores = scores.masked_fill(mask == 0, -1e9)
            weights = scores.softmax(dim=-1)
            heads.append(weights @ v[..., cols])
            all_weights.append(weights)
        return self.W_o(torch.cat(heads, dim=-1)), torch.stack(all_weights, dim=1)


class LayerNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(d))
        self.beta = nn.Parameter(torch.zeros(d))
        self.eps = eps

    def forward(self, x):
        mean = x.mean(-1, keepdim=True)
        var = (x * x).mean(-1, keepdim=True) - mean * mean
        return self.gamma * (x - mean) / (var + self.eps).sqrt() + self.beta


class PositionwiseFFN(nn.Module):
    def __init__(self, d_model, d_ff, dropout=0.0):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.p = dropout

    def forward(self, x):
        hidden = torch.clamp(self.linear1(x), min=0)
        return self.linear2(F.dropout(hidden, self.p, training=self.training))


class EncoderLayer(nn.Module):
    def __init__(self, d_model, num_heads, d_ff, dropout=0.0):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads)
        self.ffn = PositionwiseFFN(d_model, d_ff, dropout)
        self.norm1 = LayerNorm(d_model)
        self.norm2 = LayerNorm(d_model)
        self.p = dropout

    def forward(self, x, mask=None):
        a, _ = self.self_attn(x, x, x, mask)
        x = self.norm1(x + F.dropout(a, self.p, self.training))
        f = self.ffn(x)
        return self.norm2(x + F.dropout(f, self.p, self.training))


class DecoderLayer(nn.Module):
    def __init__(self, d_model, num_heads, d_ff, dropout=0.0):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads)
        self.cross_attn = MultiHeadAttention(d_model, num_heads)
        self.ffn = PositionwiseFFN(d_model, d_ff, dropout)
        self.norm1 = LayerNorm(d_model)
        self.norm2 = LayerNorm(d_model)
        self.norm3 = LayerNorm(d_model)
        self.p = dropout

    def forward(self, x, memory, tgt_mask=None, memory_mask=None):
        a, _ = self.self_attn(x, x, x, tgt_mask)
        x = self.norm1(x + F.dropout(a, self.p, self.training))
        c, _ = self.cross_attn(x, memory, memory, memory_mask)
        x = self.norm2(x + F.dropout(c, self.p, self.training))
        return self.norm3(x + F.dropout(self.ffn(x), self.p, self.training))


def positions(n, d_model):
    rows = []
    for p in range(n):
        row = []
        for i in range(0, d_model, 2):
            angle = p / 10000 ** (i / d_model)
            row += [math.sin(angle), math.cos(angle)]
        rows.append(row)
    return torch.tensor(rows, dtype=torch.float32)


class Transformer(nn.Module):
    def __init__(self, src_vocab, tgt_vocab, d_model=512, num_heads=8, d_ff=2048, num_layers=6,
                 max_len=512, dropout=0.1):
        super().__init__()
        self.d_model, self.max_len, self.p = d_model, max_len, dropout
        self.src_embed = nn.Embedding(src_vocab, d_model)
        self.tgt_embed = nn.Embedding(tgt_vocab, d_model)
        self.encoder_layers = nn.ModuleList()
        self.decoder_layers = nn.ModuleList()
        for _ in range(num_layers):
            self.encoder_layers.append(EncoderLayer(d_model, num_heads, d_ff, dropout))
            self.decoder_layers.append(DecoderLayer(d_model, num_heads, d_ff, dropout))
        self.out_proj = nn.Linear(d_model, tgt_vocab)

    def embed(self, table, tokens):
        x = table(tokens) * math.sqrt(self.d_model) + positions(tokens.shape[1], self.d_model)
        return F.dropout(x, self.p, self.training)

    def forward(self, src, tgt):
        memory = self.embed(self.src_embed, src)
        for layer in self.encoder_layers:
            memory = layer(memory)
        T = tgt.shape[1]
        causal = torch.zeros(T, T, dtype=torch.bool)
        for i in range(T):
            causal[i, :i + 1] = True
        y = self.embed(self.tgt_embed, tgt)
        for layer in self.decoder_layers:
            y = layer(y, memory, tgt_mask=causal)
        return self.out_proj(y)
