"""Correct, in another style: a small pre-norm Transformer (nn.Transformer) with learned
positions, warm-up then cosine decay over 1,200 steps, stopping at 110 s at the latest."""
import math
import time

import torch
import torch.nn.functional as F
from torch import nn

PAD, BOS, EOS = 0, 1, 2
STEPS = 1200
DEADLINE = 110.0


class Reverser(nn.Module):
    def __init__(self, src_vocab, tgt_vocab, d=64):
        super().__init__()
        self.d = d
        self.src_emb = nn.Embedding(src_vocab, d)
        self.tgt_emb = nn.Embedding(tgt_vocab, d)
        self.pos = nn.Embedding(64, d)
        self.core = nn.Transformer(d, 4, 2, 2, 128, dropout=0.0, batch_first=True, norm_first=True)
        self.head = nn.Linear(d, tgt_vocab)

    def embed(self, emb, ids):
        return emb(ids) * math.sqrt(self.d) + self.pos(torch.arange(ids.size(1), device=ids.device))

    def forward(self, src, tgt_in):
        causal = nn.Transformer.generate_square_subsequent_mask(tgt_in.size(1), device=src.device)
        h = self.core(self.embed(self.src_emb, src), self.embed(self.tgt_emb, tgt_in), tgt_mask=causal,
                      src_key_padding_mask=src == PAD, memory_key_padding_mask=src == PAD, tgt_is_causal=True)
        return self.head(h)

    @torch.no_grad()
    def generate(self, src, max_len):
        self.eval()
        dev = self.head.weight.device
        src = src.to(dev)
        memory = self.core.encoder(self.embed(self.src_emb, src), src_key_padding_mask=src == PAD)
        ys = torch.full((src.size(0), 1), BOS, dtype=torch.long, device=dev)
        for _ in range(max_len):
            causal = nn.Transformer.generate_square_subsequent_mask(ys.size(1), device=dev)
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
    opt = torch.optim.Adam(model.parameters(), lr=2e-3, betas=(0.9, 0.98))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / 100) * 0.5 * (1 + math.cos(math.pi * min(s, STEPS) / STEPS)))
    step = 0
    while step < STEPS and time.monotonic() - t0 < DEADLINE:
        for src, tgt in batches:
            src, tgt = src.to(device), tgt.to(device)
            logits = model(src, tgt[:, :-1])
            loss = F.cross_entropy(logits.transpose(1, 2), tgt[:, 1:], ignore_index=PAD)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if step % 25 == 0:
                report(step, loss.item())
            if step >= STEPS or time.monotonic() - t0 > DEADLINE:
                break
