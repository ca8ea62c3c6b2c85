"""The optimizers reference against torch.optim and F.cross_entropy, over many steps and cases.

Both sides run the same gradients on copies of the same parameters. Gradients are fixed
in advance (not computed from a loss), so one run cannot drift into a region where the
other behaves differently; a final check also trains a small model end to end.
"""
import math

import pytest
import torch
import torch.nn.functional as F

from reference.optimizers import Adagrad, Adam, SGDMomentum, label_smoothing_cross_entropy, noam_lr

SHAPES = [(3,), (4, 5), (2, 3, 2), ()]
STEPS = 120


def _params(gen, dtype):
    return [torch.randn(s, generator=gen, dtype=dtype) for s in SHAPES]


def _grads(gen, dtype, steps, *, none_every=0):
    """A gradient per parameter per step; with none_every=k, parameter 1 has none every k-th step."""
    out = []
    for t in range(steps):
        row = [torch.randn(s, generator=gen, dtype=dtype) * (1 + t % 3) for s in SHAPES]
        if none_every and t % none_every == 0:
            row[1] = None
        out.append(row)
    return out


def _run(make, params, grads):
    params = [p.clone().requires_grad_(True) for p in params]
    opt = make(params)
    history = []
    for row in grads:
        opt.zero_grad()
        for p, g in zip(params, row):
            p.grad = None if g is None else g.clone()
        opt.step()
        history.append([p.detach().clone() for p in params])
    return history


def _assert_same_runs(ours, theirs, **tol):
    for step, (a_row, b_row) in enumerate(zip(ours, theirs), 1):
        for a, b in zip(a_row, b_row):
            torch.testing.assert_close(a, b, msg=lambda m: f"after step {step}: {m}", **tol)


TOL64 = dict(atol=1e-12, rtol=1e-12)
TOL32 = dict(atol=2e-6, rtol=2e-6)

CASES = {
    "sgd_momentum": [
        (lambda p: SGDMomentum(p, lr=0.01), lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9)),
        (lambda p: SGDMomentum(p, lr=0.1, momentum=0.5),
         lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.5, dampening=0)),
        (lambda p: SGDMomentum(p, lr=0.003, momentum=0.99), lambda p: torch.optim.SGD(p, lr=0.003, momentum=0.99)),
        (lambda p: SGDMomentum(p, lr=0.05, momentum=0.0), lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.0)),
    ],
    "adagrad": [
        (lambda p: Adagrad(p), lambda p: torch.optim.Adagrad(p)),
        (lambda p: Adagrad(p, lr=0.5, eps=0.1), lambda p: torch.optim.Adagrad(p, lr=0.5, eps=0.1)),
        (lambda p: Adagrad(p, lr=0.03, eps=1e-6), lambda p: torch.optim.Adagrad(p, lr=0.03, eps=1e-6)),
    ],
    "adam": [
        (lambda p: Adam(p), lambda p: torch.optim.Adam(p)),
        (lambda p: Adam(p, lr=0.01, betas=(0.8, 0.99)), lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99))),
        (lambda p: Adam(p, lr=0.02, weight_decay=0.1), lambda p: torch.optim.Adam(p, lr=0.02, weight_decay=0.1)),
        (lambda p: Adam(p, lr=0.003, betas=(0.0, 0.9), eps=1e-3, weight_decay=0.5),
         lambda p: torch.optim.Adam(p, lr=0.003, betas=(0.0, 0.9), eps=1e-3, weight_decay=0.5)),
        (lambda p: Adam(p, lr=1e-3, betas=(0.9, 0.98), eps=1e-9),
         lambda p: torch.optim.Adam(p, lr=1e-3, betas=(0.9, 0.98), eps=1e-9)),
    ],
}
ALL_CASES = [(name, k) for name, cases in CASES.items() for k in range(len(cases))]


@pytest.mark.parametrize("name,k", ALL_CASES)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_optimizer_matches_torch_optim_over_many_steps(name, k, dtype):
    gen = torch.Generator().manual_seed(1000 * k + len(name))
    ours_make, theirs_make = CASES[name][k]
    params, grads = _params(gen, dtype), _grads(gen, dtype, STEPS)
    _assert_same_runs(_run(ours_make, params, grads), _run(theirs_make, params, grads),
                      **(TOL64 if dtype == torch.float64 else TOL32))


@pytest.mark.parametrize("name,k", ALL_CASES)
def test_a_parameter_without_gradient_is_skipped_like_torch(name, k):
    gen = torch.Generator().manual_seed(77 + k)
    ours_make, theirs_make = CASES[name][k]
    params, grads = _params(gen, torch.float64), _grads(gen, torch.float64, 60, none_every=3)
    _assert_same_runs(_run(ours_make, params, grads), _run(theirs_make, params, grads), **TOL64)


@pytest.mark.parametrize("name", sorted(CASES))
def test_zero_grad_sets_grads_to_none(name):
    params = [torch.randn(3, requires_grad=True), torch.randn(2, requires_grad=True)]
    opt = CASES[name][0][0](params)
    for p in params:
        p.grad = torch.ones_like(p)
    opt.step()
    opt.zero_grad()
    assert all(p.grad is None for p in params)


@pytest.mark.parametrize("name", sorted(CASES))
def test_step_updates_the_given_tensors_in_place(name):
    params = [torch.randn(4, requires_grad=True)]
    alias = params[0]
    before = alias.detach().clone()
    opt = CASES[name][0][0](params)
    alias.grad = torch.ones(4)
    opt.step()
    assert params[0] is alias and not torch.equal(alias.detach(), before)


@pytest.mark.parametrize("name", sorted(CASES))
def test_training_a_model_matches_torch_optim(name):
    """End to end: the same MLP trained with ours and with torch.optim ends in the same place."""
    torch.manual_seed(0)
    x, y = torch.randn(64, 5, dtype=torch.float64), torch.randint(0, 3, (64,))
    nets = [torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).double()
            for _ in range(2)]
    nets[1].load_state_dict(nets[0].state_dict())
    ours_make, theirs_make = CASES[name][1]
    opts = [ours_make(list(nets[0].parameters())), theirs_make(list(nets[1].parameters()))]
    for _ in range(50):
        for net, opt in zip(nets, opts):
            opt.zero_grad()
            F.cross_entropy(net(x), y).backward()
            opt.step()
    for a, b in zip(nets[0].parameters(), nets[1].parameters()):
        torch.testing.assert_close(a, b, atol=1e-10, rtol=1e-10)


def test_invalid_hyperparameters_raise_value_error():
    p = [torch.zeros(2)]
    for make in (lambda: SGDMomentum(p, lr=-1.0), lambda: Adagrad(p, eps=-1.0),
                 lambda: Adam(p, betas=(1.0, 0.999)), lambda: Adam(p, weight_decay=-0.1)):
        with pytest.raises(ValueError):
            make()


# ---------------------------------------------------------------------------- noam_lr

def _noam_by_hand(step, d_model, warmup):
    """Vaswani et al. §5.3, the two branches written out separately."""
    if step <= warmup:
        return step * warmup ** -1.5 / math.sqrt(d_model)
    return 1.0 / math.sqrt(step * d_model)


@pytest.mark.parametrize("d_model,warmup", [(512, 4000), (64, 10), (1, 1), (1024, 8000), (3, 7)])
def test_noam_lr_matches_the_paper(d_model, warmup):
    for step in list(range(1, 50)) + [warmup - 1, warmup, warmup + 1, 10 * warmup, 123457]:
        if step >= 1:
            assert math.isclose(noam_lr(step, d_model, warmup), _noam_by_hand(step, d_model, warmup),
                                rel_tol=1e-12)


def test_noam_lr_peaks_at_warmup():
    values = [noam_lr(s, 512, 4000) for s in range(1, 8001)]
    assert max(range(len(values)), key=values.__getitem__) + 1 == 4000
    assert isinstance(values[0], float)


@pytest.mark.parametrize("step", [0, -1, -4000, 0.5])
def test_noam_lr_rejects_steps_below_one(step):
    with pytest.raises(ValueError):
        noam_lr(step, 512, 4000)


# ---------------------------------------------------------------------------- label smoothing

def _case(gen, n, c, *, ignore_index=-100, n_ignored=0, scale=3.0):
    logits = torch.randn(n, c, generator=gen, dtype=torch.float64) * scale
    target = torch.randint(0, c, (n,), generator=gen)
    if n_ignored:
        rows = torch.randperm(n, generator=gen)[:n_ignored]
        target[rows] = ignore_index
    return logits, target


LS_CASES = [
    # (N, C, smoothing, ignore_index, ignored rows, logit scale)
    (1, 2, 0.1, -100, 0, 3.0), (8, 5, 0.1, -100, 0, 3.0), (8, 5, 0.0, -100, 0, 3.0), (8, 5, 1.0, -100, 0, 3.0),
    (16, 7, 0.2, -100, 5, 3.0), (16, 7, 0.3, 0, 4, 3.0), (16, 7, 0.1, 6, 3, 3.0), (33, 1000, 0.1, -100, 9, 3.0),
    (12, 4, 0.25, -1, 11, 3.0), (10, 6, 0.1, -100, 0, 200.0), (4, 3, 0.05, 2, 0, 1.0),
]


@pytest.mark.parametrize("n,c,eps,ignore_index,n_ignored,scale", LS_CASES)
def test_label_smoothing_matches_f_cross_entropy(n, c, eps, ignore_index, n_ignored, scale):
    gen = torch.Generator().manual_seed(n * c + n_ignored)
    logits, target = _case(gen, n, c, ignore_index=ignore_index, n_ignored=n_ignored, scale=scale)
    ours = label_smoothing_cross_entropy(logits, target, smoothing=eps, ignore_index=ignore_index)
    theirs = F.cross_entropy(logits, target, label_smoothing=eps, ignore_index=ignore_index)
    assert ours.shape == theirs.shape == ()
    torch.testing.assert_close(ours, theirs, atol=1e-12, rtol=1e-12)


@pytest.mark.parametrize("n,c,eps,ignore_index,n_ignored,scale", LS_CASES)
def test_label_smoothing_gradient_matches_f_cross_entropy(n, c, eps, ignore_index, n_ignored, scale):
    gen = torch.Generator().manual_seed(n + c)
    logits, target = _case(gen, n, c, ignore_index=ignore_index, n_ignored=n_ignored, scale=scale)
    grads = []
    torch_loss = lambda *a, smoothing, **k: F.cross_entropy(*a, label_smoothing=smoothing, **k)  # noqa: E731
    for fn in (label_smoothing_cross_entropy, torch_loss):
        leaf = logits.clone().requires_grad_(True)
        fn(leaf, target, smoothing=eps, ignore_index=ignore_index).backward()
        grads.append(leaf.grad)
    torch.testing.assert_close(grads[0], grads[1], atol=1e-12, rtol=1e-12)


def test_label_smoothing_in_float32_matches_f_cross_entropy():
    gen = torch.Generator().manual_seed(5)
    logits, target = _case(gen, 64, 50, n_ignored=10)
    logits = logits.float()
    ours = label_smoothing_cross_entropy(logits, target, smoothing=0.1)
    theirs = F.cross_entropy(logits, target, label_smoothing=0.1)
    assert ours.dtype == torch.float32
    torch.testing.assert_close(ours, theirs, atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("ignore_index", [-100, 3])
def test_label_smoothing_is_nan_when_every_target_is_ignored(ignore_index):
    logits = torch.randn(5, 4)
    target = torch.full((5,), ignore_index)
    ours = label_smoothing_cross_entropy(logits, target, smoothing=0.1, ignore_index=ignore_index)
    theirs = F.cross_entropy(logits, target, label_smoothing=0.1, ignore_index=ignore_index)
    assert torch.isnan(theirs) and torch.isnan(ours) and ours.shape == ()


def test_label_smoothing_does_not_change_its_inputs():
    logits, target = torch.randn(6, 4), torch.tensor([0, 1, -100, 3, 2, 1])
    before = logits.clone(), target.clone()
    label_smoothing_cross_entropy(logits, target)
    assert torch.equal(logits, before[0]) and torch.equal(target, before[1])


@pytest.mark.parametrize("smoothing", [-0.1, 1.5])
def test_label_smoothing_rejects_smoothing_outside_unit_interval(smoothing):
    with pytest.raises(ValueError):
        label_smoothing_cross_entropy(torch.randn(2, 3), torch.tensor([0, 1]), smoothing=smoothing)
