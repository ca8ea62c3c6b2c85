"""The seq2seq-train reference: its model's interface and decoding, and a short training.

Greedy decoding with the GRU state carried step by step must agree with the teacher-forced
forward pass over the same tokens; a string's output must not depend on the other strings
of its batch (packing keeps padding out of the encoder, masks keep it out of attention).
Reaching full marks within the time budget is proven where it is graded, in
tests/content/test_seq2seq_train_content.py, by training through the engine.
"""
import math
import time

import torch

import reference.seq2seq_train as ref

PAD, BOS, EOS, D0 = 0, 1, 2, 3


def _batch(strings):
    S = max(len(s) for s in strings)
    src = torch.full((len(strings), S), PAD)
    tgt = torch.full((len(strings), S + 2), PAD)
    for i, s in enumerate(strings):
        src[i, :len(s)] = torch.tensor(s)
        tgt[i, 0], tgt[i, len(s) + 1] = BOS, EOS
        tgt[i, 1:len(s) + 1] = torch.tensor(s[::-1])
    return src, tgt


def _strings(gen, n, hi=10):
    lengths = torch.randint(1, hi + 1, (n,), generator=gen).tolist()
    return [(torch.randint(0, 10, (k,), generator=gen) + D0).tolist() for k in lengths]


def _model(seed=0):
    torch.manual_seed(seed)
    return ref.build_model(13, 13).eval()


def test_generate_returns_ids_after_bos_and_pads_after_eos():
    model = _model()
    src, _ = _batch(_strings(torch.Generator().manual_seed(0), 7))
    out = model.generate(src, 12)
    assert isinstance(model, torch.nn.Module)
    assert out.dtype == torch.long and out.shape[0] == 7 and 1 <= out.shape[1] <= 12
    for row in out.tolist():
        if EOS in row:
            assert all(t == PAD for t in row[row.index(EOS) + 1:])


def test_greedy_decoding_agrees_with_the_teacher_forced_forward_pass():
    model = _model(1)
    src, _ = _batch(_strings(torch.Generator().manual_seed(1), 6))
    out = model.generate(src, 8)
    tgt_in = torch.cat([torch.full((6, 1), BOS), out[:, :-1]], dim=1)
    with torch.no_grad():
        logits = model(src, tgt_in)
    # Before a row's EOS every generated token is the argmax of the forward pass there.
    for b, row in enumerate(out.tolist()):
        end = row.index(EOS) + 1 if EOS in row else len(row)
        assert logits[b, :end].argmax(-1).tolist() == row[:end]


def test_a_strings_output_does_not_depend_on_its_batch():
    model = _model(2)
    strings = _strings(torch.Generator().manual_seed(2), 9)
    src, _ = _batch(strings)
    together = model.generate(src, src.shape[1] + 1)
    for b, s in enumerate(strings):
        alone = model.generate(_batch([s])[0], src.shape[1] + 1)
        n = min(alone.shape[1], together.shape[1])
        assert alone[0, :n].tolist() == together[b, :n].tolist()


def test_a_short_training_run_lowers_the_loss_and_reports_it():
    gen = torch.Generator().manual_seed(3)
    batches = [_batch(_strings(gen, 64, hi=4)) for _ in range(40)]
    reports = []
    model = _model(3)
    old = ref.MAX_STEPS, ref.TRAIN_SECONDS
    ref.MAX_STEPS, ref.TRAIN_SECONDS = 120, math.inf     # steps, not a busy machine's clock, decide
    try:
        ref.train(model, batches, "cpu", lambda step, loss: reports.append((step, loss)))
    finally:
        ref.MAX_STEPS, ref.TRAIN_SECONDS = old
    steps, losses = zip(*reports)
    assert list(steps) == sorted(set(steps)) and len(reports) == 12
    assert all(math.isfinite(l) for l in losses) and losses[-1] < 0.5 * losses[0]
    assert not model.training


def test_train_stops_at_its_own_deadline():
    gen = torch.Generator().manual_seed(4)
    batches = [_batch(_strings(gen, 64)) for _ in range(20)]
    old = ref.TRAIN_SECONDS
    ref.TRAIN_SECONDS = 1.0
    try:
        start = time.monotonic()
        ref.train(_model(4), batches, "cpu", lambda step, loss: None)
        took = time.monotonic() - start
    finally:
        ref.TRAIN_SECONDS = old
    # A thousand steps would take half a minute; stopping within a few steps of 1 s is the point.
    assert took < 10.0
