"""Correct, another style: the attention assignment's functions copied in (a top-level
scaled_dot_product_attention of its own), an add_norm helper, torch.where masking, std_mean."""
import math

import torch
from torch import nn


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(k.size(-1))
    if mask is not None:
        scores = torch.where(mask, scores, torch.tensor(float("-inf")))
    weights = torch.softmax(scores, dim=-1)
    if mask is not None:
        weights = torch.where(mask, weights, torch.zeros(()))
    return torch.matmul(weights, v), weights


def causal_mask(n):
    if n < 1:
        raise ValueError("n must be positive")
    return torch.arange(n)[:, None] >= torch.arange(n)[None, :]


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads, bias=True):
        super().__init__()
        if d_model % num_heads != 0:
            raise ValueError("num_heads must divide d_model")
        self.num_heads = num_heads
        self.W_q, self.W_k, self.W_v, self.W_o = (nn.Linear(d_model, d_model, bias=bias) for _ in range(4))

    def split(self, x):
        B, n, d = x.shape
        return x.reshape(B, n, self.num_heads, d // self.num_heads).permute(0, 2, 1, 3)

    def forward(self, query, key, value, mask=None):
        q, k, v = self.split(self.W_q(query)), self.split(self.W_k(key)), self.split(self.W_v(value))
        out, weights = scaled_dot_product_attention(q, k, v, None if mask is None else mask.unsqueeze(-3))
        B, h, n, d_k = out.shape
        return self.W_o(out.permute(0, 2, 1, 3).reshape(B, n, h * d_k)), weights


class LayerNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.gamma = nn.Parameter(torch.ones(d))
        self.beta = nn.Parameter(torch.zeros(d))

    def forward(self, x):
        std, mean = torch.std_mean(x, dim=-1, keepdim=True, correction=0)
        return self.gamma * (x - mean) / torch.sqrt(std ** 2 + self.eps) + self.beta


class PositionwiseFFN(nn.Module):
    def __init__(self, d_model, d_ff, dropout=0.0):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.net = nn.Sequential(self.linear1, nn.ReLU(), nn.Dropout(dropout), self.linear2)

    def forward(self, x):
        return self.net(x)


def add_norm(x, sublayer_out, norm, dropout):
    """The paper's Add & Norm: LayerNorm(x + Dropout(Sublayer(x)))."""
    return norm(x + dropout(sublayer_out))


class EncoderLayer(nn.Module):
    def __init__(self, d_model, num_heads, d_ff, dropout=0.0):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads)
        self.ffn = PositionwiseFFN(d_model, d_ff, dropout)
        self.norm1 = LayerNorm(d_model)
        self.norm2 = LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, mask=None):
        x = add_norm(x, self.self_attn(x, x, x, mask=mask)[0], self.norm1, self.dropout)
        return add_norm(x, self.ffn(x), self.norm2, self.dropout)


class DecoderLayer(nn.Module):
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
        x = add_norm(x, self.self_attn(x, x, x, mask=tgt_mask)[0], self.norm1, self.dropout)
        x = add_norm(x, self.cross_attn(x, memory, memory, mask=memory_mask)[0], self.norm2, self.dropout)
        return add_norm(x, self.ffn(x), self.norm3, self.dropout)


class Transformer(nn.Module):
    def __init__(self, src_vocab, tgt_vocab, d_model=512, num_heads=8, d_ff=2048, num_layers=6,
                 max_len=512, dropout=0.1):
        super().__init__()
        self.d_model = d_model
        self.src_embed = nn.Embedding(src_vocab, d_model)
        self.tgt_embed = nn.Embedding(tgt_vocab, d_model)
        pos = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)
        freq = 1.0 / 10000 ** (torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
        table = torch.stack([torch.sin(pos * freq), torch.cos(pos * freq)], dim=-1).flatten(1)
        self.register_buffer("positional", table.float(), persistent=False)
        self.encoder_layers = nn.ModuleList(EncoderLayer(d_model, num_heads, d_ff, dropout) for _ in range(num_layers))
        self.decoder_layers = nn.ModuleList(DecoderLayer(d_model, num_heads, d_ff, dropout) for _ in range(num_layers))
        self.out_proj = nn.Linear(d_model, tgt_vocab)
        self.dropout = nn.Dropout(dropout)

    def encode(self, src):
        x = self.dropout(self.src_embed(src) * math.sqrt(self.d_model) + self.positional[:src.shape[1]])
        for layer in self.encoder_layers:
            x = layer(x)
        return x

    def decode(self, tgt, memory):
        y = self.dropout(self.tgt_embed(tgt) * math.sqrt(self.d_model) + self.positional[:tgt.shape[1]])
        mask = causal_mask(tgt.shape[1])
        for layer in self.decoder_layers:
            y = layer(y, memory, mask)
        return y

    def forward(self, src, tgt):
        return self.out_proj(self.decode(tgt, self.encode(src)))
