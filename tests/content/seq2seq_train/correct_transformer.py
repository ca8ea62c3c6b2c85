"""Correct, in another style: a small Transformer (nn.Transformer) with sinusoidal positions,
trained until an epoch's loss is tiny or 100 s have passed."""
import math
import time

import torch
from torch import nn
import torch.nn.functional as F

PAD, BOS, EOS = 0, 1, 2


def sinusoids(n, d):
    pos = torch.arange(n)[:, None]
    div = torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
    pe = torch.zeros(n, d)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div)
    return pe


class Reverser(nn.Module):
    def __init__(self, src_vocab, tgt_vocab, d=64):
        super().__init__()
        self.d = d
        self.src_emb = nn.Embedding(src_vocab, d)
        self.tgt_emb = nn.Embedding(tgt_vocab, d)
        self.register_buffer("pe", sinusoids(64, d))
        self.core = nn.Transformer(d, 4, 2, 2, 128, dropout=0.0, batch_first=True)
        self.head = nn.Linear(d, tgt_vocab)

    def embed(self, emb, ids):
        return emb(ids) * math.sqrt(self.d) + self.pe[: ids.size(1)]

    def forward(self, src, tgt_in):
        T = tgt_in.size(1)
        causal = nn.Transformer.generate_square_subsequent_mask(T, device=src.device)
        h = self.core(self.embed(self.src_emb, src), self.embed(self.tgt_emb, tgt_in), tgt_mask=causal,
                      src_key_padding_mask=src == PAD, memory_key_padding_mask=src == PAD,
                      tgt_is_causal=True)
        return self.head(h)

    @torch.no_grad()
    def generate(self, src, max_len):
        self.eval()
        dev = self.head.weight.device
        src = src.to(dev)
        memory = self.core.encoder(self.embed(self.src_emb, src), src_key_padding_mask=src == PAD)
        ys = torch.full((src.size(0), 1), BOS, dtype=torch.long, device=dev)
        for _ in range(max_len):
            T = ys.size(1)
            causal = nn.Transformer.generate_square_subsequent_mask(T, device=dev)
            h = self.core.decoder(self.embed(self.tgt_emb, ys), memory, tgt_mask=causal,
                                  memory_key_padding_mask=src == PAD)
            ys = torch.cat([ys, self.head(h[:, -1]).argmax(-1, keepdim=True)], dim=1)
            if (ys == EOS).any(dim=1).all():
                break
        return ys[:, 1:].cpu()


def build_model(src_vocab, tgt_vocab):
    return Reverser(src_vocab, tgt_vocab)


def train(model, batches, device, report):
    t0 = time.monotonic()
    model.to(device).train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.98))
    total_steps = 1500
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=total_steps, pct_start=0.1)
    step = 0
    while step < total_steps and time.monotonic() - t0 < 100:
        epoch = []
        for src, tgt in batches:
            src, tgt = src.to(device), tgt.to(device)
            logits = model(src, tgt[:, :-1])
            loss = F.cross_entropy(logits.transpose(1, 2), tgt[:, 1:], ignore_index=PAD)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            epoch.append(loss.item())
            if step % 25 == 0:
                report(step, loss.item())
            if step >= total_steps or time.monotonic() - t0 > 100:
                break
        if sum(epoch) / len(epoch) < 1e-3:
            break
