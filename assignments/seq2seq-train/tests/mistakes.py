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
from graders.i18n import Mistake, T, message_of

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
            fail(T("there is no trained model to evaluate: ", "평가할 학습된 모델이 없습니다: ") + (self.error or NOT_RUN))
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
        run.error = T("there is no model to train: ", "학습할 모델이 없습니다: ") + message_of(err)
        raise
    batches = make_batches(rng)
    start = time.monotonic()
    try:
        student.call("train", model, batches, device, recorder)
    except CheckFailure as err:
        run.seconds = time.monotonic() - start
        run.error = T("train() did not finish: ", "train()이 끝나지 않았습니다: ") + message_of(err)
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
    return _RUN.get("current") or TrainingRun(error=T("train() did not run (its check comes first)",
                                                       "train()이 실행되지 않았습니다 (train()의 검사가 먼저 실행됩니다)"))


def expect_module(value, what):
    """The value is a handle to an nn.Module with parameters in the sandbox."""
    from graders.sandbox.proxy import RemoteObject
    if not isinstance(value, RemoteObject):
        fail(T(
            "{v0} must return an nn.Module, got {v1}",
            "{v0}은(는) nn.Module을 반환해야 하는데 {v1}을(를) 반환했습니다").format(v0=what, v1=type(value).__name__ if value is not None else 'None'))
    info = value.structure()
    if not info.get("is_module"):
        fail(T(
            "{v0} must return an nn.Module, got {v1}",
            "{v0}은(는) nn.Module을 반환해야 하는데 {v1}을(를) 반환했습니다").format(v0=what, v1=info.get('type', 'another object')))
    if not info.get("parameters"):
        fail(Mistake("seq2seq-train/build-model-no-parameters", 
            "{v0} returned a {v1} without parameters: there is nothing to train",
            "{v0}이(가) 파라미터가 없는 {v1}을(를) 반환했습니다: 학습할 것이 없습니다").format(v0=what, v1=info.get('type')))
    return value


# =========================================================================== judging outputs

def expect_generated(out, B, max_len, vocab=VOCAB, what="generate"):
    """generate's result: a (B, n) LongTensor, 1 <= n <= max_len, ids in [0, vocab)."""
    expect_tensor(out, what=what)
    if out.dim() != 2 or out.shape[0] != B:
        fail(T(
            "{v0}: expected a (B, n) = ({v1}, n) tensor of token ids, got shape {v2}",
            "{v0}: 형태가 (B, n) = ({v1}, n)인 토큰 id 텐서여야 하는데 형태가 {v2}입니다").format(v0=what, v1=B, v2=tuple(out.shape)))
    if out.dtype != torch.long:
        fail(T(
            "{v0}: token ids must be a LongTensor (torch.int64), got {v1}",
            "{v0}: 토큰 id는 LongTensor(torch.int64)여야 하는데 {v1}입니다").format(v0=what, v1=out.dtype))
    if out.shape[1] > max_len and out.shape[0] and (out[:, 0] == BOS).all():
        fail(Mistake("seq2seq-train/generate-returns-bos", 
            "{v0}: every row starts with BOS (id 1); return only the tokens generated after BOS",
            "{v0}: 모든 행이 BOS(id 1)로 시작합니다. BOS 다음에 생성한 토큰만 반환하세요").format(v0=what))
    if not 1 <= out.shape[1] <= max_len:
        fail(Mistake("seq2seq-train/generate-length", 
            "{v0}: {v1} tokens per row for max_len = {v2}; return between 1 and max_len tokens per row",
            "{v0}: max_len = {v2}인데 행마다 토큰이 {v1}개입니다. 행마다 1개에서 max_len개 사이의 토큰을 반환하세요").format(v0=what, v1=out.shape[1], v2=max_len))
    if out.numel() and (out.min() < 0 or out.max() >= vocab):
        fail(T(
            "{v0}: ids outside [0, {v1}) (the target vocabulary)",
            "{v0}: id가 [0, {v1}) (타깃 어휘) 밖에 있습니다").format(v0=what, v1=vocab))


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
        return (Mistake("seq2seq-train/generate-no-eos",
            "almost no row contains EOS (id 2): end each answer with EOS; the grader reads a "
            "row up to its first EOS",
            "EOS(id 2)가 있는 행이 거의 없습니다: 각 답을 EOS로 끝내세요. 채점기는 행을 첫 EOS까지 읽습니다"))
    if sum(bool(r) and r[0] == BOS for r in rows) > 0.9 * n:
        return Mistake("seq2seq-train/generate-returns-bos",
            "the rows start with BOS (id 1): return only the tokens generated after BOS",
            "행이 BOS(id 1)로 시작합니다: BOS 다음에 생성한 토큰만 반환하세요")
    if sum(g == s.tolist() for g, s in zip(got, strings)) > 0.5 * n:
        return Mistake("seq2seq-train/answers-not-reversed",
            "most answers repeat the source in its order: the target is the source reversed",
            "대부분의 답이 소스를 같은 순서로 되풀이합니다: 타깃은 소스를 뒤집은 것입니다")
    if sum(g == s.flip(0).tolist()[:len(g)] and len(g) < len(s) for g, s in zip(got, strings)) > 0.5 * n:
        return Mistake("seq2seq-train/answers-cut-short",
            "most answers are cut short: generate up to max_len tokens, stopping at EOS",
            "대부분의 답이 중간에 잘렸습니다: EOS에서 멈추되 max_len개까지 생성하세요")
    return None


def band(accuracy):
    """The share of the accuracy check's points that an exact-match rate earns."""
    for threshold, points in BANDS:
        if accuracy >= threshold:
            return points / ACCURACY_POINTS
    return 0.0


TOO_FEW_REPORTS = Mistake(
    "seq2seq-train/report-too-rare",
    "report(step, loss) was called {n} time{s}; call it regularly while training (at least {min} times)",
    "report(step, loss)를 {n}번 호출했습니다. 학습하는 동안 꾸준히 호출하세요 (최소 {min}번)")
LOSS_NOT_FINITE = Mistake(
    "seq2seq-train/loss-not-finite",
    "{n} reported losses are NaN or infinite",
    "보고한 손실 {n}개가 NaN이거나 무한대입니다")
LOSS_NOT_DOWN = Mistake(
    "seq2seq-train/loss-not-decreasing",
    "the reported loss does not go down: {first} on average over the first fifth of the reports, {last} over the "
    "last fifth",
    "보고한 손실이 줄지 않습니다: 처음 1/5 보고의 평균은 {first}, 마지막 1/5은 {last}입니다")
NOTHING_TRAINED = Mistake(
    "seq2seq-train/nothing-trained",
    "train returned after {seconds} s without changing any parameter of the model: nothing was trained",
    "train이 {seconds}초 뒤에 모델의 파라미터를 하나도 바꾸지 않고 반환했습니다: 아무것도 학습하지 않았습니다")
OVER_BUDGET = Mistake(
    "seq2seq-train/over-time-budget",
    "train took {seconds} s; it must return within {budget} s (check the time inside your loop and stop early)",
    "train이 {seconds}초 걸렸습니다. {budget}초 안에 반환해야 합니다 (반복문 안에서 시간을 확인하고 일찍 멈추세요)")
NOT_RUN = T("train() did not run", "train()이 실행되지 않았습니다")


def loss_problems(records):
    """Why the reported losses do not show training, or "" when they do."""
    if len(records) < MIN_REPORTS:
        return TOO_FEW_REPORTS.format(n=len(records), s="s" if len(records) != 1 else "", min=MIN_REPORTS)
    steps = [s for s, _ in records]
    losses = [l for _, l in records]
    if not all(math.isfinite(l) for l in losses):
        bad = sum(not math.isfinite(l) for l in losses)
        return LOSS_NOT_FINITE.format(n=bad)
    if any(b <= a for a, b in zip(steps, steps[1:])):
        return Mistake("seq2seq-train/report-steps-not-increasing",
            "the reported steps do not increase: pass the number of optimizer steps taken so "
            "far",
            "보고한 step이 증가하지 않습니다: 지금까지 진행한 옵티마이저 스텝 수를 넘기세요")
    k = max(1, len(losses) // 5)
    first, last = sum(losses[:k]) / k, sum(losses[-k:]) / k
    if not last < 0.5 * first:
        return LOSS_NOT_DOWN.format(first=f"{first:.3g}", last=f"{last:.3g}")
    return ""


def accuracy_by_length(strings, hits):
    """[(length, exact-match share)] over the lengths present."""
    per = {}
    for s, hit in zip(strings, hits):
        per.setdefault(len(s), []).append(hit)
    return [(float(k), sum(v) / len(v)) for k, v in sorted(per.items())]
