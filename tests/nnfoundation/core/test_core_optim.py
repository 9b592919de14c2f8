"""Optimizers, penalties, clipping and schedules in lockstep with torch.optim (20 steps, same grads)."""

import math

import numpy as np
import pytest
import torch

import nnfoundation as nf
import nnfoundation.optim as optim

TOL = {np.float64: dict(rtol=1e-8, atol=1e-12), np.float32: dict(rtol=1e-4, atol=1e-6)}
DTYPES = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
SHAPES = [(3, 4), (5,)]


def run_lockstep(make_ours, make_theirs, dtype, steps=20, schedules=None):
    rng = np.random.default_rng(0)
    initial = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    ours = [nf.nn.Parameter(a.copy()) for a in initial]
    theirs = [torch.nn.Parameter(torch.tensor(a.copy())) for a in initial]
    our_opt, their_opt = make_ours(ours), make_theirs(theirs)
    our_sched, their_sched = schedules(our_opt, their_opt) if schedules else (None, None)
    for step in range(steps):
        for p, q in zip(ours, theirs):
            grad = rng.standard_normal(p.shape).astype(dtype)
            p.grad, q.grad = grad.copy(), torch.tensor(grad.copy())
        our_opt.step()
        their_opt.step()
        if schedules:
            our_sched.step()
            their_sched.step()
            assert math.isclose(our_opt.lr, their_opt.param_groups[0]["lr"], rel_tol=1e-12)
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(p.data, q.detach().numpy(), **TOL[dtype], err_msg=f"step {step + 1}")


OPTIMIZERS = {
    "sgd": (lambda p: optim.SGD(p, lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    "sgd_heavy_ball": (
        lambda p: optim.SGD(p, lr=0.05, momentum=0.9),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
    ),
    "sgd_nesterov": (
        lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    ),
    # v ← βv + ηg, θ ← θ - v equals heavy ball while η is constant
    "sgd_velocity": (
        lambda p: optim.SGD(p, lr=0.05, momentum=0.8, momentum_form="velocity"),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8),
    ),
    # v ← βv + (1-β)g with lr η is heavy ball with lr η(1-β) (linearity, v₀ = 0)
    "sgd_ema": (
        lambda p: optim.SGD(p, lr=0.5, momentum=0.9, momentum_form="ema"),
        lambda p: torch.optim.SGD(p, lr=0.5 * (1 - 0.9), momentum=0.9),
    ),
    "adagrad": (lambda p: optim.AdaGrad(p, lr=0.1), lambda p: torch.optim.Adagrad(p, lr=0.1)),
    "rmsprop": (lambda p: optim.RMSProp(p, lr=0.01, beta=0.9), lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9)),
    "adam": (
        lambda p: optim.Adam(p, lr=0.01, betas=(0.8, 0.99)),
        lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99)),
    ),
    "adamw": (
        lambda p: optim.AdamW(p, lr=0.01, weight_decay=0.1),
        lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1),
    ),
}


@DTYPES
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_lockstep_with_torch(name, dtype):
    run_lockstep(*OPTIMIZERS[name], dtype)


SCHEDULES = {
    "step": (
        lambda o: optim.StepDecay(0.1, step_size=4, gamma=0.5),
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=4, gamma=0.5),
    ),
    "exponential": (
        lambda o: optim.ExponentialDecay(0.1, decay_rate=0.1),
        lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=math.exp(-0.1)),
    ),
    "inverse_time": (
        lambda o: optim.InverseTimeDecay(0.1, k=0.5),
        lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda t: 1 / (1 + 0.5 * t)),
    ),
    "cosine": (
        lambda o: optim.CosineDecay(0.1, total_steps=25, lr_min=0.01),
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=25, eta_min=0.01),
    ),
    "linear_warmup": (
        lambda o: optim.LinearWarmup(optim.Constant(0.1), warmup_steps=5, lr_start=0.02),
        lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.2, total_iters=5),
    ),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedule_lockstep_with_torch(name):
    ours, theirs = SCHEDULES[name]
    run_lockstep(
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
        np.float64,
        schedules=lambda o, t: (optim.LRScheduler(o, ours(o)), theirs(t)),
    )


def test_velocity_momentum_differs_from_heavy_ball_when_lr_changes():
    """v ← βv + ηg keeps old step sizes in v; heavy ball rescales all of v by the new η."""
    finals = []
    for form in ("velocity", "heavy_ball"):
        p = nf.nn.Parameter(np.zeros(1))
        opt = optim.SGD([p], lr=1.0, momentum=0.5, momentum_form=form)
        for lr in (1.0, 0.1):
            opt.lr = lr
            p.grad = np.ones(1)
            opt.step()
        finals.append(p.data[0])
    assert finals[0] == pytest.approx(-(1.0 + 0.5 * 1.0 + 0.1))  # v₂ = 0.5·1 + 0.1
    assert finals[1] == pytest.approx(-(1.0 + 0.1 * (0.5 + 1.0)))  # θ₂ = θ₁ - 0.1 (0.5·1 + 1)


def test_l2_penalty_with_sgd_is_torch_weight_decay():
    """Adding (λ/2)‖W‖² to the loss gives torch's coupled weight_decay=λ (seed 004 eqs. 8.22–8.24)."""
    rng = np.random.default_rng(1)
    w0, x = rng.standard_normal((4, 3)), rng.standard_normal((6, 3))
    ours, theirs = nf.nn.Parameter(w0.copy()), torch.nn.Parameter(torch.tensor(w0.copy()))
    our_opt = optim.SGD([ours], lr=0.1, momentum=0.9)
    their_opt = torch.optim.SGD([theirs], lr=0.1, momentum=0.9, weight_decay=0.3)
    for _ in range(20):
        our_opt.zero_grad()
        their_opt.zero_grad()
        ((nf.Tensor(x) @ ours.T) ** 2).mean().__add__(optim.l2_penalty([ours], 0.3)).backward()
        ((torch.tensor(x) @ theirs.T) ** 2).mean().backward()
        our_opt.step()
        their_opt.step()
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-8)


def test_l1_penalty_value_and_subgradient():
    w = nf.nn.Parameter(np.array([[1.5, -2.0], [0.25, -0.5]]))
    b = nf.nn.Parameter(np.array([-3.0]))
    penalty = optim.l1_penalty([w, b], 0.1)
    assert penalty.item() == pytest.approx(0.1 * (1.5 + 2.0 + 0.25 + 0.5 + 3.0))
    penalty.backward()
    np.testing.assert_allclose(w.grad, 0.1 * np.sign(w.data))  # seed 004 eq. 8.26
    np.testing.assert_allclose(b.grad, [-0.1])


@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(max_norm):
    rng = np.random.default_rng(2)
    grads = [rng.standard_normal(s) for s in SHAPES]
    ours = [nf.nn.Parameter(np.zeros(s)) for s in SHAPES]
    theirs = [torch.nn.Parameter(torch.zeros(s, dtype=torch.float64)) for s in SHAPES]
    for p, q, g in zip(ours, theirs, grads):
        p.grad, q.grad = g.copy(), torch.tensor(g.copy())
    total = optim.clip_grad_norm(ours, max_norm)
    torch_total = torch.nn.utils.clip_grad_norm_(theirs, max_norm)
    assert total == pytest.approx(torch_total.item(), rel=1e-12)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-12)


def test_clip_grad_value_matches_torch():
    g = np.random.default_rng(3).standard_normal((4, 5)) * 2
    ours, theirs = nf.nn.Parameter(np.zeros((4, 5))), torch.nn.Parameter(torch.zeros(4, 5, dtype=torch.float64))
    ours.grad, theirs.grad = g.copy(), torch.tensor(g.copy())
    optim.clip_grad_value([ours], 0.7)
    torch.nn.utils.clip_grad_value_([theirs], 0.7)
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


def test_warmup_then_cosine_closed_form():
    schedule = optim.LinearWarmup(optim.CosineDecay(1.0, total_steps=10, lr_min=0.1), warmup_steps=4)
    assert [schedule(t) for t in range(4)] == pytest.approx([0.0, 0.25, 0.5, 0.75])  # seed 004 eq. 13.6
    assert schedule(4) == pytest.approx(1.0)
    assert schedule(9) == pytest.approx(0.1 + 0.45 * (1 + math.cos(math.pi * 5 / 10)))  # seed 004 eq. 13.4
    assert schedule(40) == pytest.approx(0.1)


def test_optimizer_rejects_empty_parameter_list():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
