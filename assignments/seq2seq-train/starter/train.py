"""Train a sequence-to-sequence model (assignment `seq2seq-train`). Submit as `train.py`.

The task: reverse strings of 1 to 10 digits. Token ids, in both vocabularies:
PAD = 0, BOS = 1, EOS = 2, digit d = 3 + d (13 ids). Any architecture is fine
(GRU/LSTM encoder-decoder with attention, a small Transformer, ...); use torch only.
"""
import time

import torch
from torch import nn

PAD, BOS, EOS = 0, 1, 2


def build_model(src_vocab, tgt_vocab):
    """Return a fresh, untrained nn.Module for these vocabulary sizes.

    The module must have a method generate(src, max_len):
        src:     (B, S) LongTensor of source ids, right-padded with PAD, on the CPU.
        max_len: the most tokens to generate per row (EOS included).
        returns: (B, n) LongTensor with 1 <= n <= max_len: greedy decoding from BOS,
                 the tokens after BOS (not BOS itself). The grader reads each row up to
                 its first EOS; whatever follows EOS is ignored.
    """
    raise NotImplementedError


def train(model, batches, device, report):
    """Train `model` in place.

    Args:
        model:   what build_model returned.
        batches: a list of (src, tgt) pairs of LongTensors: src (B, S) the digits,
                 right-padded with PAD; tgt (B, S + 2) = BOS, the reversed digits, EOS, PAD...
                 Loop over it as many times as you like.
        device:  "cuda" or "cpu": move the model and each batch there.
        report:  call report(step, loss) regularly (at least 10 times) with the number of
                 optimizer steps taken and the current training loss (a float).

    Must return within 120 seconds of wall-clock time; check time.monotonic() and stop
    early. The return value is ignored; afterwards the grader calls model.generate(...).
    """
    raise NotImplementedError
