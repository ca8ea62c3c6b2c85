"""What seq2seq-train's checks share: the task's data, the one training run, and how
outputs are judged and their usual failures named. Loaded in the grader only.

The task: reverse a string of 1 to 10 digits. Token ids: PAD = 0, BOS = 1, EOS = 2,
digit d = 3 + d, so both vocabularies have 13 ids. A batch is a pair (src, tgt) of
LongTensors: src (B, S) the digits, right-padded with PAD; tgt (B, S + 2) BOS, the
reversed digits, EOS, then PAD.

Training costs most of the grading time, so train() runs once per submission, in the
visible check that times it; the checks after it (visible, then hidden) judge the model
and the losses that run left behind. The run is kept here, in the one module every
check file receives (the `mistakes` fixture), and is cleared before each training starts,
so a later check can only ever see the current submission's run.
"""
import math
import time
from dataclasses import dataclass
from typing import Any

import torch

from graders.checks import CheckFailure, expect_tensor, fail

PAD, BOS, EOS, DIGIT0 = 0, 1, 2, 3
VOCAB = 13
MIN_LEN, MAX_LEN = 1, 10
BATCH = 64
TRAIN_BATCHES = 200          # 12,800 training pairs
TIME_BUDGET = 120.0          # seconds train() may take, as the statement says
GRACE = 10.0                 # after this much more the call is stopped
MIN_REPORTS = 10
ACCURACY_POINTS = 13
BANDS = ((0.95, 13), (0.80, 9), (0.50, 5), (0.20, 2))   # exact match -> points of the accuracy check


# =========================================================================== data

def digit_strings(rng, n, lo=MIN_LEN, hi=MAX_LEN):
    """n random digit strings as token-id tensors, lengths uniform in [lo, hi]."""
    lengths = torch.randint(lo, hi + 1, (n,), generator=rng).tolist()
    digits = torch.randint(0, 10, (n, hi), generator=rng) + DIGIT0
    return [digits[i, :k] for i, k in enumerate(lengths)]


def make_batch(strings):
    """(src, tgt) for a list of digit strings: src padded, tgt = BOS reversed EOS PAD..."""
    S = max(len(s) for s in strings)
    src = torch.full((len(strings), S), PAD, dtype=torch.long)
    tgt = torch.full((len(strings), S + 2), PAD, dtype=torch.long)
    for i, s in enumerate(strings):
        src[i, :len(s)] = s
        tgt[i, 0] = BOS
        tgt[i, 1:len(s) + 1] = s.flip(0)
        tgt[i, len(s) + 1] = EOS
    return src, tgt


def make_batches(rng, n_batches=TRAIN_BATCHES, size=BATCH):
    strings = digit_strings(rng, n_batches * size)
    return [make_batch(strings[i:i + size]) for i in range(0, len(strings), size)]


# =========================================================================== the training run

@dataclass
class TrainingRun:
    model: Any = None            # RemoteObject of the trained model, or None
    recorder: Any = None         # RemoteObject of the Recorder passed as report
    seconds: float = 0.0
    error: str = ""              # why train() did not return, if it did not
    changed: bool = False        # whether train() changed any parameter or buffer

    def require_model(self):
        if self.model is None:
            fail("there is no trained model to evaluate: " + (self.error or "train() did not run"))
        return self.model


_RUN: dict[str, TrainingRun] = {}


def train_once(student, rng, device):
    """Build a model and call train() on fresh data, once; keep what the checks after need."""
    _RUN.clear()
    run = _RUN["current"] = TrainingRun()
    try:
        model = expect_module(student.call("build_model", VOCAB, VOCAB), "build_model(13, 13)")
        recorder = student.double("Recorder")
        before = model.state_dict()
    except CheckFailure as err:
        run.error = f"there is no model to train: {err}"
        raise
    batches = make_batches(rng)
    start = time.monotonic()
    try:
        student.call("train", model, batches, device, recorder)
    except CheckFailure as err:
        run.seconds = time.monotonic() - start
        run.error = f"train() did not finish: {err}"
        raise
    run.seconds = time.monotonic() - start
    run.model, run.recorder = model, recorder
    run.changed = _changed(before, model.state_dict())
    return run


def _changed(before, after):
    if before.keys() != after.keys():
        return True
    return any(not isinstance(v, torch.Tensor) or v.shape != after[k].shape or not torch.equal(v, after[k])
               for k, v in before.items())


def current_run():
    return _RUN.get("current") or TrainingRun(error="train() did not run (its check comes first)")


def expect_module(value, what):
    """The value is a handle to an nn.Module with parameters in the sandbox."""
    from graders.sandbox.proxy import RemoteObject
    if not isinstance(value, RemoteObject):
        fail(f"{what} must return an nn.Module, got {type(value).__name__ if value is not None else 'None'}")
    info = value.structure()
    if not info.get("is_module"):
        fail(f"{what} must return an nn.Module, got {info.get('type', 'another object')}")
    if not info.get("parameters"):
        fail(f"{what} returned a {info.get('type')} without parameters: there is nothing to train")
    return value


# =========================================================================== judging outputs

def expect_generated(out, B, max_len, vocab=VOCAB, what="generate"):
    """generate's result: a (B, n) LongTensor, 1 <= n <= max_len, ids in [0, vocab)."""
    expect_tensor(out, what=what)
    if out.dim() != 2 or out.shape[0] != B:
        fail(f"{what}: expected a (B, n) = ({B}, n) tensor of token ids, got shape {tuple(out.shape)}")
    if out.dtype != torch.long:
        fail(f"{what}: token ids must be a LongTensor (torch.int64), got {out.dtype}")
    if out.shape[1] > max_len and out.shape[0] and (out[:, 0] == BOS).all():
        fail(f"{what}: every row starts with BOS (id 1); return only the tokens generated after BOS")
    if not 1 <= out.shape[1] <= max_len:
        fail(f"{what}: {out.shape[1]} tokens per row for max_len = {max_len}; return between 1 and "
             "max_len tokens per row")
    if out.numel() and (out.min() < 0 or out.max() >= vocab):
        fail(f"{what}: ids outside [0, {vocab}) (the target vocabulary)")


def answers(out):
    """Each row's tokens before its first EOS, or None when the row has no EOS."""
    rows = []
    for row in out.tolist():
        rows.append(row[:row.index(EOS)] if EOS in row else None)
    return rows


def exact_matches(out, strings):
    """Per row: whether the answer is the reversed string (followed by EOS)."""
    return [a is not None and a == s.flip(0).tolist() for a, s in zip(answers(out), strings)]


def diagnose(outs, strings):
    """Name a systematic failure of generate's outputs, if there is one."""
    rows = [r for out in outs for r in out.tolist()]
    n = len(rows)
    got = [r[:r.index(EOS)] if EOS in r else r for r in rows]
    if sum(EOS not in r for r in rows) > 0.9 * n:
        return ("almost no row contains EOS (id 2): end each answer with EOS; the grader reads a row "
                "up to its first EOS")
    if sum(bool(r) and r[0] == BOS for r in rows) > 0.9 * n:
        return "the rows start with BOS (id 1): return only the tokens generated after BOS"
    if sum(g == s.tolist() for g, s in zip(got, strings)) > 0.5 * n:
        return "most answers repeat the source in its order: the target is the source reversed"
    if sum(g == s.flip(0).tolist()[:len(g)] and len(g) < len(s) for g, s in zip(got, strings)) > 0.5 * n:
        return "most answers are cut short: generate up to max_len tokens, stopping at EOS"
    return ""


def band(accuracy):
    """The share of the accuracy check's points that an exact-match rate earns."""
    for threshold, points in BANDS:
        if accuracy >= threshold:
            return points / ACCURACY_POINTS
    return 0.0


def loss_problems(records):
    """Why the reported losses do not show training, or "" when they do."""
    if len(records) < MIN_REPORTS:
        return (f"report(step, loss) was called {len(records)} time{'s' if len(records) != 1 else ''}; "
                f"call it regularly while training (at least {MIN_REPORTS} times)")
    steps = [s for s, _ in records]
    losses = [l for _, l in records]
    if not all(math.isfinite(l) for l in losses):
        bad = sum(not math.isfinite(l) for l in losses)
        return f"{bad} reported losses are NaN or infinite"
    if any(b <= a for a, b in zip(steps, steps[1:])):
        return "the reported steps do not increase: pass the number of optimizer steps taken so far"
    k = max(1, len(losses) // 5)
    first, last = sum(losses[:k]) / k, sum(losses[-k:]) / k
    if not last < 0.5 * first:
        return (f"the reported loss does not go down: {first:.3g} on average over the first fifth of the "
                f"reports, {last:.3g} over the last fifth")
    return ""


def accuracy_by_length(strings, hits):
    """[(length, exact-match share)] over the lengths present."""
    per = {}
    for s, hit in zip(strings, hits):
        per.setdefault(len(s), []).append(hit)
    return [(float(k), sum(v) / len(v)) for k, v in sorted(per.items())]
