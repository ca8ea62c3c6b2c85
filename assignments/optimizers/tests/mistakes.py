"""Known-wrong variants of optim.py, run in the grader on the checks' own inputs.

An optimizer variant is a small class with the reference's interface (params, step,
zero_grad) and one switch thrown; `trajectory` runs any of them, or the reference, on
the same parameters and gradients the sandbox sees. Each `*_variants` function returns
{message: output of a submission with exactly that mistake}; a check compares those
only after the student's output has missed, and names the first that matches. Messages
are shown to students: they say what the code does and what the contract wants, never
a number. Loaded in the grader only.
"""
import math

import torch

from graders.i18n import Mistake, T

# --------------------------------------------------------------------------- running an optimizer


def trajectory(make, params, grads, checkpoints):
    """Parameters after each step in `checkpoints` (1-based), flattened into one row per checkpoint.

    `make(list_of_tensors)` builds the optimizer. `grads` is either fixed, grads[t][k] being
    parameter k's gradient at step t + 1 (or None), or an objective such as Quadratic, which
    gives the gradients at the current parameters. zero_grad() runs before every step, as in
    a training loop.
    """
    live = [p.detach().clone().requires_grad_(True) for p in params]
    opt = make(live)
    rows = []
    for t in range(1, len(grads) + 1):
        opt.zero_grad()
        step_grads = grads(live) if callable(grads) else grads[t - 1]
        for p, g in zip(live, step_grads):
            p.grad = None if g is None else g.detach().clone()
        opt.step()
        if t in checkpoints:
            rows.append(flat([p.detach() for p in live]))
    return torch.stack(rows)


class Quadratic:
    """f(p) = sum_k 0.5 * sum(h_k * (p_k - c_k)^2) over `steps` steps, curvatures h from 0.1 to 10.

    An ill-conditioned bowl: plain gradient steps crawl along the flat directions, where
    momentum and per-coordinate scaling (Adagrad, Adam) show what they are for.
    """

    def __init__(self, rng, shapes, steps):
        self.h = [10 ** (2 * torch.rand(s, generator=rng) - 1) for s in shapes]
        self.c = [torch.randn(s, generator=rng) for s in shapes]
        self.steps = steps

    def __len__(self):
        return self.steps

    def __call__(self, params):
        return [h * (p.detach().to(h.dtype) - c) for p, h, c in zip(params, self.h, self.c)]

    def loss(self, params):
        return float(sum((0.5 * h * (p.detach().double() - c) ** 2).sum()
                         for p, h, c in zip(params, self.h, self.c)))

    def losses(self, params, rows):
        """The loss before the first step and after each row of flattened parameters."""
        shapes = [p.shape for p in params]
        out = [self.loss(params)]
        for row in rows:
            parts, start = [], 0
            for shape in shapes:
                size = int(torch.Size(shape).numel())
                parts.append(row[start:start + size].reshape(shape))
                start += size
            out.append(self.loss(parts))
        return out


def flat(tensors):
    return torch.cat([t.detach().reshape(-1).double() for t in tensors])


class _Variant:
    """Per-parameter state and the loop over parameters; `update` is the rule under test.

    reset_state: the state restarts at every step (kept nowhere, or wiped by zero_grad).
    none_as_zero: a parameter whose .grad is None is updated as if its gradient were 0.
    """

    def __init__(self, params, *, reset_state=False, none_as_zero=False):
        self.params = list(params)
        self.state = [{} for _ in self.params]
        self.reset_state, self.none_as_zero = reset_state, none_as_zero

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        for p, state in zip(self.params, self.state):
            if self.reset_state:
                state.clear()
            g = torch.zeros_like(p) if p.grad is None and self.none_as_zero else p.grad
            if g is not None:
                p.copy_(self.update(p.clone(), g.clone(), state))


# --------------------------------------------------------------------------- SGD with momentum

class SGDVariant(_Variant):
    def __init__(self, params, lr, momentum=0.9, *, dampening=False, nesterov=False, sign=1.0,
                 lr_in_velocity=False, **common):
        super().__init__(params, **common)
        self.lr, self.m = lr, momentum
        self.dampening, self.nesterov, self.sign, self.lr_in_v = dampening, nesterov, sign, lr_in_velocity

    def update(self, p, g, state):
        v = state.get("v")
        scale = (1 - self.m) if self.dampening else 1.0
        g_in = g * self.lr if self.lr_in_v else g
        v = g_in * scale if v is None else self.m * v + scale * g_in
        state["v"] = v
        direction = g_in + self.m * v if self.nesterov else v
        return p - self.sign * self.lr * direction


SGD_SWITCHES = {
    Mistake("optimizers/sgd-dampening",
        "momentum with dampening, v = m v + (1 - m) g; torch's SGD (dampening = 0) uses v = m "
        "v + g",
        "댐프닝이 있는 모멘텀 v = m v + (1 - m) g를 썼습니다. torch의 SGD(dampening = 0)는 v = m v + g를 씁니다"):
        dict(dampening=True),
    Mistake("optimizers/sgd-nesterov",
        "Nesterov momentum (the step uses g + m v); the contract asks for plain heavy-ball "
        "momentum, p = p - lr v",
        "네스테로프 모멘텀(스텝에 g + m v 사용)을 썼습니다. 명세는 일반 heavy-ball 모멘텀 p = p - lr v를 요구합니다"):
        dict(nesterov=True),
    Mistake("optimizers/sgd-buffer-not-kept",
        "the update equals plain SGD: the momentum buffer is not carried from one step to the "
        "next (keep it in the optimizer, across step() and zero_grad() calls)",
        "갱신이 일반 SGD와 같습니다: 모멘텀 버퍼가 다음 스텝으로 이어지지 않습니다 (step()과 zero_grad()를 호출해도 옵티마이저 안에 "
        "유지하세요)"):
        dict(reset_state=True),
    Mistake("optimizers/sgd-none-grad-updated",
        "a parameter whose .grad is None was updated as if its gradient were 0, so momentum "
        "kept moving it; skip it, as torch.optim does (no update, buffer untouched)",
        ".grad가 None인 파라미터를 그래디언트가 0인 것처럼 갱신해서 모멘텀이 계속 움직였습니다. torch.optim처럼 건너뛰세요 (갱신하지 않고 "
        "버퍼도 그대로)"):
        dict(none_as_zero=True),
    Mistake("optimizers/sgd-lr-twice",
        "the learning rate is applied twice: v accumulates lr * g and the step subtracts lr * "
        "v",
        "학습률을 두 번 곱했습니다: v에 lr * g를 누적하고 스텝에서 lr * v를 뺐습니다"):
        dict(lr_in_velocity=True),
    Mistake("optimizers/sgd-uphill",
        "the parameters move uphill: the step must subtract lr * v",
        "파라미터가 오르막으로 움직입니다: 스텝에서 lr * v를 빼야 합니다"):
        dict(sign=-1.0),
}


def sgd_variants(params, grads, checkpoints, lr, momentum=0.9):
    return {msg: trajectory(lambda ps, kw=kw: SGDVariant(ps, lr, momentum, **kw), params, grads, checkpoints)
            for msg, kw in SGD_SWITCHES.items()}


# --------------------------------------------------------------------------- Adagrad

class AdagradVariant(_Variant):
    def __init__(self, params, lr=0.01, eps=1e-10, *, eps_inside=False, accumulate=True, ema=None,
                 sum_after=False, sqrt=True, sign=1.0, **common):
        super().__init__(params, **common)
        self.lr, self.eps = lr, eps
        self.eps_inside, self.accumulate, self.ema, self.sum_after, self.sqrt, self.sign = (
            eps_inside, accumulate, ema, sum_after, sqrt, sign)

    def update(self, p, g, state):
        G_old = state.get("G", torch.zeros_like(p))
        if self.ema is not None:
            G = self.ema * G_old + (1 - self.ema) * g * g
        else:
            G = G_old + g * g if self.accumulate else g * g
        state["G"] = G
        G_used = G_old if self.sum_after else G
        if not self.sqrt:
            denom = G_used + self.eps
        elif self.eps_inside:
            denom = torch.sqrt(G_used + self.eps)
        else:
            denom = torch.sqrt(G_used) + self.eps
        return p - self.sign * self.lr * g / denom


ADAGRAD_SWITCHES = {
    Mistake("optimizers/adagrad-eps-inside",
        "eps is added inside the square root, sqrt(G + eps); Adagrad (and torch) divide by "
        "sqrt(G) + eps",
        "eps를 제곱근 안에 더했습니다(sqrt(G + eps)). Adagrad(와 torch)는 sqrt(G) + eps로 나눕니다"):
        dict(eps_inside=True),
    Mistake("optimizers/adagrad-not-accumulated",
        "the squared gradients are not accumulated: G must be the running sum of g^2 over all "
        "steps, not the current g^2 (is G re-created in step() or reset in zero_grad()?)",
        "그래디언트 제곱이 누적되지 않습니다: G는 현재의 g^2가 아니라 모든 스텝에 걸친 g^2의 누적 합이어야 합니다 (step()에서 G를 새로 만들거나 "
        "zero_grad()에서 초기화하지 않나요?)"):
        dict(accumulate=False),
    Mistake("optimizers/adagrad-ema",
        "G is an exponential moving average of g^2 (that is RMSprop); Adagrad keeps the plain "
        "running sum",
        "G가 g^2의 지수 이동 평균입니다(그것은 RMSprop입니다). Adagrad는 단순 누적 합을 씁니다"):
        dict(ema=0.99),
    Mistake("optimizers/adagrad-ema",
        "G is an exponential moving average of g^2 with decay 0.9 (that is RMSprop); Adagrad "
        "keeps the plain running sum",
        "G가 감쇠율 0.9인 g^2의 지수 이동 평균입니다(그것은 RMSprop입니다). Adagrad는 단순 누적 합을 씁니다"):
        dict(ema=0.9),
    Mistake("optimizers/adagrad-stale-sum",
        "the step divides by the sum from before this step; add g^2 to G first, then divide "
        "by sqrt(G) + eps",
        "이번 스텝 이전의 합으로 나눴습니다. 먼저 G에 g^2를 더한 다음 sqrt(G) + eps로 나누세요"):
        dict(sum_after=True),
    Mistake("optimizers/adagrad-no-sqrt",
        "the square root is missing: divide by sqrt(G) + eps, not G + eps",
        "제곱근이 빠졌습니다: G + eps가 아니라 sqrt(G) + eps로 나누세요"):
        dict(sqrt=False),
    Mistake("optimizers/adagrad-uphill",
        "the parameters move uphill: the step must subtract lr * g / (sqrt(G) + eps)",
        "파라미터가 오르막으로 움직입니다: 스텝에서 lr * g / (sqrt(G) + eps)를 빼야 합니다"):
        dict(sign=-1.0),
}


def adagrad_variants(params, grads, checkpoints, lr=0.01, eps=1e-10):
    return {msg: trajectory(lambda ps, kw=kw: AdagradVariant(ps, lr, eps, **kw), params, grads, checkpoints)
            for msg, kw in ADAGRAD_SWITCHES.items()}


# --------------------------------------------------------------------------- Adam

class AdamVariant(_Variant):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, *,
                 correct_m=True, correct_v=True, t_offset=0, swap_betas=False, sqrt=True,
                 decay="l2", sign=1.0, **common):
        super().__init__(params, **common)
        self.b1, self.b2 = betas[::-1] if swap_betas else betas
        self.lr, self.eps, self.wd = lr, eps, weight_decay
        self.correct_m, self.correct_v, self.t_offset, self.sqrt, self.decay, self.sign = (
            correct_m, correct_v, t_offset, sqrt, decay, sign)

    def update(self, p, g, state):
        if self.decay == "l2":
            g = g + self.wd * p
        elif self.decay == "l2_negative":
            g = g - self.wd * p
        elif self.decay == "decoupled":
            p = p * (1 - self.lr * self.wd)
        t = state["t"] = state.get("t", 0) + 1
        m = state["m"] = self.b1 * state.get("m", torch.zeros_like(p)) + (1 - self.b1) * g
        v = state["v"] = self.b2 * state.get("v", torch.zeros_like(p)) + (1 - self.b2) * g * g
        tc = t + self.t_offset
        m_hat = m / (1 - self.b1 ** tc) if self.correct_m else m
        v_hat = v / (1 - self.b2 ** tc) if self.correct_v else v
        denom = (torch.sqrt(v_hat) if self.sqrt else v_hat) + self.eps
        return p - self.sign * self.lr * m_hat / denom


ADAM_SWITCHES = {
    Mistake("optimizers/adam-no-bias-correction",
        "no bias correction: m and v start at 0, so early steps must divide them by (1 - "
        "beta1^t) and (1 - beta2^t)",
        "편향 보정이 없습니다: m과 v가 0에서 시작하므로 초기 스텝에서는 (1 - beta1^t)와 (1 - beta2^t)로 나눠야 합니다"):
        dict(correct_m=False, correct_v=False),
    Mistake("optimizers/adam-only-m-corrected",
        "only m is bias-corrected; v must also be divided by (1 - beta2^t)",
        "m만 편향 보정했습니다. v도 (1 - beta2^t)로 나눠야 합니다"):
        dict(correct_v=False),
    Mistake("optimizers/adam-only-v-corrected",
        "only v is bias-corrected; m must also be divided by (1 - beta1^t)",
        "v만 편향 보정했습니다. m도 (1 - beta1^t)로 나눠야 합니다"):
        dict(correct_m=False),
    Mistake("optimizers/adam-correction-off-by-one",
        "the bias correction is off by one step: at the first step t = 1, so use 1 - beta^t "
        "with t counted from 1",
        "편향 보정이 한 스텝 어긋났습니다: 첫 스텝에서 t = 1이므로 t를 1부터 세어 1 - beta^t를 쓰세요"):
        dict(t_offset=1),
    Mistake("optimizers/adam-betas-swapped",
        "beta1 and beta2 are swapped: beta1 averages the gradients (m), beta2 their squares "
        "(v)",
        "beta1과 beta2가 뒤바뀌었습니다: beta1은 그래디언트(m)를, beta2는 그래디언트 제곱(v)을 평균냅니다"):
        dict(swap_betas=True),
    Mistake("optimizers/adam-no-sqrt",
        "the square root is missing: divide by sqrt(v_hat) + eps, not v_hat + eps",
        "제곱근이 빠졌습니다: v_hat + eps가 아니라 sqrt(v_hat) + eps로 나누세요"):
        dict(sqrt=False),
    Mistake("optimizers/adam-uphill",
        "the parameters move uphill: the step must subtract lr * m_hat / (sqrt(v_hat) + eps)",
        "파라미터가 오르막으로 움직입니다: 스텝에서 lr * m_hat / (sqrt(v_hat) + eps)를 빼야 합니다"):
        dict(sign=-1.0),
    Mistake("optimizers/adam-state-reset",
        "m, v and the step count restart at every step (are they re-created in step() or "
        "reset in zero_grad()?); they must persist for the optimizer's lifetime",
        "m, v와 스텝 수가 매 스텝 다시 시작합니다 (step()에서 새로 만들거나 zero_grad()에서 초기화하지 않나요?). 옵티마이저가 살아 있는 "
        "동안 유지되어야 합니다"):
        dict(reset_state=True),
}
ADAM_DECAY_SWITCHES = {
    Mistake("optimizers/adam-decoupled-decay",
        "decoupled weight decay (AdamW: p shrinks by lr * weight_decay * p outside the "
        "moments); this Adam's weight_decay is L2: add weight_decay * p to the gradient "
        "before the moments",
        "분리된 가중치 감쇠(AdamW: 모멘트 밖에서 p를 lr * weight_decay * p만큼 줄임)를 썼습니다. 이 Adam의 "
        "weight_decay는 L2입니다: 모멘트를 구하기 전에 그래디언트에 weight_decay * p를 더하세요"):
        dict(decay="decoupled"),
    Mistake("optimizers/adam-decay-ignored",
        "weight_decay is ignored; add weight_decay * p to the gradient before updating m and "
        "v",
        "weight_decay를 무시했습니다. m과 v를 갱신하기 전에 그래디언트에 weight_decay * p를 더하세요"):
        dict(decay="none"),
    Mistake("optimizers/adam-decay-sign",
        "weight decay has the wrong sign: the gradient gets + weight_decay * p",
        "가중치 감쇠의 부호가 반대입니다: 그래디언트에 + weight_decay * p를 더합니다"):
        dict(decay="l2_negative"),
}


def adam_variants(params, grads, checkpoints, **hyper):
    switches = dict(ADAM_SWITCHES)
    if hyper.get("weight_decay", 0.0):
        switches.update(ADAM_DECAY_SWITCHES)
        # A mistake rarely comes alone: decoupled decay is often written without bias correction.
        switches[Mistake("optimizers/adam-decoupled-decay",
            "decoupled weight decay (AdamW) and no bias correction; this Adam's weight_decay "
            "is L2 (added to the gradient) and m, v must be bias-corrected",
            "분리된 가중치 감쇠(AdamW)를 쓰고 편향 보정도 없습니다. 이 Adam의 weight_decay는 L2(그래디언트에 더함)이고 m, v는 "
            "편향 보정해야 합니다")] = dict(
            decay="decoupled", correct_m=False, correct_v=False)
    return {msg: trajectory(lambda ps, kw=kw: AdamVariant(ps, **hyper, **kw), params, grads, checkpoints)
            for msg, kw in switches.items()}


# --------------------------------------------------------------------------- noam_lr

def _noam(step, d_model, warmup, *, d_power=-0.5, w_power=-1.5, combine=min, factor=1.0):
    if step < 1:
        return math.nan
    return factor * d_model ** d_power * combine(step ** -0.5, step * warmup ** w_power)


NOAM_SWITCHES = {
    Mistake("optimizers/noam-step-plus-one",
        "off by one: the rate is computed for step + 1; the first call is noam_lr(1, ...) and "
        "uses step = 1",
        "한 스텝 어긋났습니다: step + 1에 대한 학습률을 계산했습니다. 첫 호출은 noam_lr(1, ...)이고 step = 1을 씁니다"):
        dict(shift=1),
    Mistake("optimizers/noam-step-minus-one",
        "off by one: the rate is computed for step - 1; use the step number as given (steps "
        "count from 1)",
        "한 스텝 어긋났습니다: step - 1에 대한 학습률을 계산했습니다. 주어진 스텝 번호를 그대로 쓰세요 (스텝은 1부터 셉니다)"):
        dict(shift=-1),
    Mistake("optimizers/noam-warmup-exponent",
        "the warm-up term uses warmup_steps ** -0.5; it is step * warmup_steps ** -1.5",
        "워밍업 항에 warmup_steps ** -0.5를 썼습니다. 워밍업 항은 step * warmup_steps ** -1.5입니다"):
        dict(w_power=-0.5),
    Mistake("optimizers/noam-max",
        "max instead of min: the rate is the smaller of step^-0.5 and step * "
        "warmup_steps^-1.5",
        "min 대신 max를 썼습니다: 학습률은 step^-0.5와 step * warmup_steps^-1.5 중 작은 값입니다"):
        dict(combine=max),
    Mistake("optimizers/noam-no-d-model",
        "the factor d_model ** -0.5 is missing",
        "d_model ** -0.5 인자가 빠졌습니다"):
        dict(d_power=0.0),
    Mistake("optimizers/noam-d-model-sign",
        "d_model ** 0.5 instead of d_model ** -0.5",
        "d_model ** -0.5 대신 d_model ** 0.5를 썼습니다"):
        dict(d_power=0.5),
    Mistake("optimizers/noam-factor-two",
        "the rate is doubled (the Annotated Transformer's factor = 2); the contract has no "
        "extra factor",
        "학습률을 두 배로 했습니다(Annotated Transformer의 factor = 2). 명세에는 추가 인자가 없습니다"):
        dict(factor=2.0),
}


def noam_variants(steps, d_model, warmup):
    """{message: tensor of the variant's rates at `steps`} (float64)."""
    out = {}
    for msg, kw in NOAM_SWITCHES.items():
        kw = dict(kw)
        shift = kw.pop("shift", 0)
        out[msg] = torch.tensor([_noam(s + shift, d_model, warmup, **kw) for s in steps], dtype=torch.float64)
    return out


# --------------------------------------------------------------------------- label smoothing

def _smoothed_ce(logits, target, eps, ignore_index, *, spread="K", keep_ignored=False, mean_over="kept",
                 uniform=True, kl=False, dim=-1, annotated=False):
    x = logits.double()
    n, c = x.shape
    log_p = torch.log_softmax(x, dim=dim)
    keep = torch.ones(n, dtype=torch.bool) if keep_ignored else target != ignore_index
    safe = torch.where(target == ignore_index, torch.zeros_like(target), target) if not keep_ignored else target
    if keep_ignored and not (0 <= ignore_index < c):
        return None
    one_hot = torch.nn.functional.one_hot(safe, c).double()
    if annotated:
        if not 0 <= ignore_index < c or c < 3:
            return None
        q = torch.full((n, c), eps / (c - 2), dtype=torch.float64)
        q[:, ignore_index] = 0.0
        q = q * (1 - one_hot) + (1 - eps) * one_hot
    elif spread == "K-1":
        q = (1 - eps) * one_hot + eps / (c - 1) * (1 - one_hot) if c > 1 else one_hot
    elif spread == "others":
        q = (1 - eps) * one_hot + eps / c * (1 - one_hot)
    else:
        q = (1 - eps) * one_hot + (eps / c if uniform else 0.0)
    per_row = -(q * log_p).sum(-1)
    if kl:
        per_row = per_row + torch.special.xlogy(q, q).sum(-1)
    per_row = torch.where(keep, per_row, torch.zeros_like(per_row))
    if mean_over == "sum":
        return per_row.sum()
    denom = n if mean_over == "all" else keep.sum()
    return per_row.sum() / denom


LS_SWITCHES = {
    Mistake("optimizers/ls-spread-k-minus-1",
        "the smoothing mass is spread over the K - 1 wrong classes (eps / (K - 1) each); "
        "F.cross_entropy mixes in the uniform distribution over all K classes: (1 - eps) * "
        "one_hot + eps / K",
        "스무딩 질량을 틀린 클래스 K - 1개에 나눴습니다(각 eps / (K - 1)). F.cross_entropy는 K개 클래스 전체에 대한 균등 분포를 "
        "섞습니다: (1 - eps) * one_hot + eps / K"):
        dict(spread="K-1"),
    Mistake("optimizers/ls-target-mass",
        "the wrong classes get eps / K but the target keeps only 1 - eps, so the smoothed "
        "distribution sums to less than 1; the target gets 1 - eps + eps / K",
        "틀린 클래스는 eps / K를 받는데 타깃은 1 - eps만 남아서 스무딩한 분포의 합이 1보다 작습니다. 타깃은 1 - eps + eps / K를 "
        "받습니다"):
        dict(spread="others"),
    Mistake("optimizers/ls-not-applied",
        "smoothing is not applied (this is the plain cross-entropy); mix (1 - eps) * one_hot "
        "with eps / K",
        "스무딩을 적용하지 않았습니다(일반 교차 엔트로피입니다). (1 - eps) * one_hot과 eps / K를 섞으세요"):
        dict(eps_override=0.0),
    Mistake("optimizers/ls-no-uniform-part",
        "the uniform part is missing: the loss is only (1 - eps) times the negative "
        "log-likelihood; add eps times the mean of -log p over all K classes",
        "균등 분포 부분이 빠졌습니다: 손실이 음의 로그 가능도에 (1 - eps)를 곱한 것뿐입니다. K개 클래스 전체에 대한 -log p의 평균에 eps를 "
        "곱해 더하세요"):
        dict(uniform=False),
    Mistake("optimizers/ls-mean-over-all",
        "the mean is taken over all N rows, ignored ones included; divide by the number of "
        "rows whose target is not ignore_index",
        "무시할 행까지 포함해 N개 행 전체에 대해 평균냈습니다. 타깃이 ignore_index가 아닌 행의 수로 나누세요"):
        dict(mean_over="all"),
    Mistake("optimizers/ls-summed",
        "the loss is summed, not averaged over the non-ignored rows",
        "손실을 무시하지 않는 행에 대해 평균내지 않고 합했습니다"):
        dict(mean_over="sum"),
    Mistake("optimizers/ls-ignore-index-unused",
        "rows whose target equals ignore_index are not ignored (ignore_index may be a real "
        "class id, such as a padding id 0)",
        "타깃이 ignore_index인 행을 무시하지 않았습니다 (ignore_index는 패딩 id 0처럼 실제 클래스 id일 수도 있습니다)"):
        dict(keep_ignored=True),
    Mistake("optimizers/ls-kl-divergence",
        "this is the KL divergence to the smoothed distribution, which is smaller by its "
        "entropy; F.cross_entropy returns the cross-entropy",
        "스무딩한 분포에 대한 KL 발산을 구했습니다. 그 값은 분포의 엔트로피만큼 작습니다. F.cross_entropy는 교차 엔트로피를 반환합니다"):
        dict(kl=True),
    Mistake("optimizers/ls-annotated-transformer",
        "the Annotated Transformer's variant (eps / (K - 2) spread over the classes other "
        "than the target and the padding column, which gets 0); F.cross_entropy spreads eps / "
        "K over all K classes",
        "Annotated Transformer의 변형(eps / (K - 2)를 타깃과 패딩 열을 뺀 클래스에 나누고 패딩 열은 0)을 썼습니다. "
        "F.cross_entropy는 eps / K를 K개 클래스 전체에 나눕니다"):
        dict(annotated=True),
    Mistake("optimizers/ls-softmax-over-batch",
        "log-softmax over the batch axis (dim=0); normalise over the classes, dim=-1",
        "배치 축(dim=0)에 대해 log-softmax를 계산했습니다. 클래스 축 dim=-1에 대해 정규화하세요"):
        dict(dim=0),
}


def label_smoothing_variants(logits, target, smoothing, ignore_index):
    """{message: scalar tensor} for each classic mistake; None where a variant cannot apply."""
    out = {}
    for msg, kw in LS_SWITCHES.items():
        kw = dict(kw)
        eps = kw.pop("eps_override", smoothing)
        if eps == smoothing and "eps_override" in LS_SWITCHES[msg]:
            continue
        out[msg] = _smoothed_ce(logits, target, eps, ignore_index, **kw)
    return out


UNSTABLE = (Mistake("optimizers/ls-unstable",
    "the loss is not finite for large logits: log(softmax(x)) underflows to log(0) and exp(x) "
    "overflows; use torch.log_softmax (the log-sum-exp trick: subtract the row maximum)",
    "로짓이 크면 손실이 유한하지 않습니다: log(softmax(x))는 log(0)으로 언더플로하고 exp(x)는 오버플로합니다. "
    "torch.log_softmax를 쓰세요 (log-sum-exp 기법: 행의 최댓값을 빼기)"))
ALL_IGNORED = (Mistake("optimizers/ls-all-ignored",
    "when every target is ignore_index there is nothing to average: F.cross_entropy returns "
    "NaN (0 / 0), not {got}",
    "모든 타깃이 ignore_index이면 평균낼 것이 없습니다: F.cross_entropy는 {got}이 아니라 NaN(0 / 0)을 반환합니다"))


NO_GRADIENT = Mistake(
    "optimizers/ls-detached",
    "no gradient reached the logits: the loss must stay connected to the autograd graph (no .detach(), "
    "torch.no_grad(), .item() or NumPy round trips)",
    "logits까지 그래디언트가 전달되지 않았습니다: 손실이 autograd 그래프에 연결되어 있어야 합니다 "
    "(.detach(), torch.no_grad(), .item(), NumPy 변환 금지)")
