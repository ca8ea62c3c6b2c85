"""Mistake: train() returns at once, so the model never learns (and nothing is reported)."""
import math
import time

import torch
from torch import nn

PAD, BOS, EOS = 0, 1, 2
TRAIN_SECONDS = 100.0    # our own deadline; the budget is 120 s
MAX_STEPS = 1000         # the learning rate decays to zero over these
TARGET_LOSS = 2e-4       # an epoch's mean loss at which the task is learnt


class Seq2Seq(nn.Module):
    """Bidirectional GRU encoder; GRU decoder whose outputs attend over the encoder states.

    The decoder runs over the whole teacher-forced target in one call (the attention reads
    the decoder's outputs, not its inputs), so a training step has no Python loop over time.
    """

    def __init__(self, src_vocab, tgt_vocab, d=64):
        super().__init__()
        self.src_embed = nn.Embedding(src_vocab, d, padding_idx=PAD)
        self.tgt_embed = nn.Embedding(tgt_vocab, d, padding_idx=PAD)
        self.encoder = nn.GRU(d, d, batch_first=True, bidirectional=True)
        self.bridge = nn.Linear(2 * d, d)
        self.decoder = nn.GRU(d, d, batch_first=True)
        self.keys = nn.Linear(2 * d, d, bias=False)
        self.values = nn.Linear(2 * d, d, bias=False)
        self.out = nn.Sequential(nn.Linear(2 * d, d), nn.Tanh(), nn.Linear(d, tgt_vocab))

    def encode(self, src):
        pad = src == PAD
        lengths = (~pad).sum(1).clamp(min=1)
        # Packing keeps the backward direction from reading the padding first, so a
        # string's encoding does not depend on how long the others in its batch are.
        packed = nn.utils.rnn.pack_padded_sequence(self.src_embed(src), lengths.cpu(), batch_first=True,
                                                   enforce_sorted=False)
        memory, _ = self.encoder(packed)
        memory, _ = nn.utils.rnn.pad_packed_sequence(memory, batch_first=True, total_length=src.shape[1])
        h0 = torch.tanh(self.bridge(memory.sum(1) / lengths[:, None]))
        return (self.keys(memory), self.values(memory), pad), h0[None].contiguous()

    def decode(self, tgt_in, memory, h):
        keys, values, pad = memory
        y, h = self.decoder(self.tgt_embed(tgt_in), h)
        scores = y @ keys.transpose(1, 2) / math.sqrt(y.shape[-1])
        weights = scores.masked_fill(pad[:, None], float("-inf")).softmax(-1)
        return self.out(torch.cat([y, weights @ values], dim=-1)), h

    def forward(self, src, tgt_in):
        """Teacher-forced logits (B, T, tgt_vocab) for the decoder inputs tgt_in."""
        memory, h = self.encode(src)
        return self.decode(tgt_in, memory, h)[0]

    @torch.no_grad()
    def generate(self, src, max_len):
        """Greedy decoding: (B, n) LongTensor of the tokens after BOS, n <= max_len.

        A row ends at its first EOS and holds PAD after it; decoding stops once every row
        has produced EOS.
        """
        was_training = self.training
        self.eval()
        device = next(self.parameters()).device
        memory, h = self.encode(src.to(device))
        token = torch.full((src.shape[0], 1), BOS, dtype=torch.long, device=device)
        done = torch.zeros(src.shape[0], dtype=torch.bool, device=device)
        out = []
        for _ in range(max_len):
            logits, h = self.decode(token, memory, h)     # the GRU state carries the prefix
            token = logits[:, -1].argmax(-1, keepdim=True)
            token = token.masked_fill(done[:, None], PAD)
            out.append(token)
            done |= token[:, 0] == EOS
            if done.all():
                break
        self.train(was_training)
        return torch.cat(out, dim=1).cpu()


def build_model(src_vocab, tgt_vocab):
    """A fresh, untrained model for the given vocabulary sizes."""
    return Seq2Seq(src_vocab, tgt_vocab)


def train(model, batches, device, report):
    """Forgot the loop: the model is moved to the device and left untrained."""
    model.to(device)
    return model
