"""Correct: the Annotated Transformer's float32 table (exp and log), the learned table as an
nn.Embedding subclass, RoPE as complex multiplication (view_as_complex and polar) in float32."""
import math

import torch
import torch.nn as nn


def sinusoidal_encoding(max_len, d_model):
    if type(d_model) is not int or d_model <= 0 or d_model % 2 != 0:
        raise ValueError("d_model must be a positive even integer")
    if type(max_len) is not int or max_len <= 0:
        raise ValueError("max_len must be positive")
    pe = torch.zeros(max_len, d_model)
    position = torch.arange(0, max_len).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d_model, 2) * -(math.log(10000.0) / d_model))
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe


class LearnedPositionalEmbedding(nn.Embedding):
    def __init__(self, max_len, d_model):
        super().__init__(max_len, d_model)

    def forward(self, x):
        if x.size(-2) > self.num_embeddings:
            raise ValueError("sequence too long")
        positions = torch.arange(x.size(-2), device=x.device)
        return x + super().forward(positions)


def apply_rope(x, base=10000.0):
    if x.shape[-1] % 2:
        raise ValueError("d must be even")
    T, d = x.shape[-2:]
    freqs = 1.0 / (base ** (torch.arange(0, d, 2)[: d // 2].float() / d))
    freqs = torch.outer(torch.arange(T, device=x.device).float(), freqs)
    freqs_cis = torch.polar(torch.ones_like(freqs), freqs)
    x_c = torch.view_as_complex(x.float().reshape(*x.shape[:-1], -1, 2))
    return torch.view_as_real(x_c * freqs_cis).flatten(-2).type_as(x)
