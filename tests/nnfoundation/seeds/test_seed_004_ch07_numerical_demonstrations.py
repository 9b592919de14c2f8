"""Seed 004 ch. 7 "Advanced Numerical Demonstrations", recomputed with nnfoundation (Tensor, optim, functional).

Uses the ch. 6 network (eq. 6.2-6.4). Wrong draft numbers are replaced by the correct ones
(docs/seed-errata.md, seed 004 §7.1.2, §7.3.2, §7.4.2).
"""

from __future__ import annotations

import numpy as np
import pytest

import nnfoundation.functional as F
from nnfoundation import Tensor
from nnfoundation.optim import SGD

X = np.array([[0.5, 0.2], [0.9, 0.8], [0.1, 0.3], [0.8, 0.9]])
Y = np.array([0.0, 1.0, 0.0, 1.0])
W1 = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
W2 = np.array([[0.7, 0.8, 0.9]])
SEED_GRADIENT = np.array([0.0289, 0.0425, 0.0568])  # the seed's (incorrect, see ch. 6) batch gradient, eq. 7.2


def test_learning_rate_scales_the_step() -> None:
    np.testing.assert_allclose(-0.1 * SEED_GRADIENT, [-0.00289, -0.00425, -0.00568], atol=1e-12)  # §7.1.1
    np.testing.assert_allclose(-0.5 * SEED_GRADIENT, [-0.01445, -0.02125, -0.02840], atol=1e-12)


def test_loss_curve_of_full_batch_gradient_descent() -> None:
    params = [Tensor(p.copy(), requires_grad=True) for p in (W1, np.array([0.01, 0.02, 0.03]), W2, np.array([0.1]))]
    optimizer = SGD(params, lr=0.1)
    losses = []
    for _ in range(6):
        optimizer.zero_grad()
        y_hat = F.sigmoid(F.linear(F.relu(F.linear(Tensor(X), params[0], params[1])), params[2], params[3])[:, 0])
        loss = F.binary_cross_entropy(y_hat, Y)
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
    # seed table 7.3 ("illustrative"): 0.6160, 0.5847, 0.5172 at t = 0, 1, 5
    np.testing.assert_allclose([losses[0], losses[1], losses[5]], [0.6166, 0.5992, 0.5480], atol=5e-5)
    assert all(later < earlier for earlier, later in zip(losses, losses[1:]))


def test_l2_penalty_and_its_gradient() -> None:
    w1, w2 = Tensor(W1.copy(), requires_grad=True), Tensor(W2.copy(), requires_grad=True)
    squared_norms = [(w**2).sum().item() for w in (w1, w2)]
    np.testing.assert_allclose(squared_norms, [0.91, 1.94])  # eq. 7.4-7.5
    penalty = ((w1**2).sum() + (w2**2).sum()) * 0.01
    assert penalty.item() == pytest.approx(0.0285)  # eq. 7.6
    assert 0.616 + penalty.item() == pytest.approx(0.6445)  # eq. 7.7
    penalty.backward()
    np.testing.assert_allclose(w1.grad, 2 * 0.01 * W1)  # eq. 7.7 (gradient form): 2λW
    np.testing.assert_allclose(w2.grad, 2 * 0.01 * W2)


def test_two_momentum_steps() -> None:
    weights = Tensor(W2[0].copy(), requires_grad=True)
    optimizer = SGD([weights], lr=0.1, momentum=0.9, momentum_form="heavy_ball")  # eq. 7.9-7.10
    weights.grad = SEED_GRADIENT.copy()
    optimizer.step()
    np.testing.assert_allclose(weights.data, [0.6971, 0.7958, 0.8943], atol=5e-5)  # eq. 7.10
    weights.grad = np.array([0.0215, 0.0318, 0.0425])
    optimizer.step()
    np.testing.assert_allclose(optimizer.state[0]["velocity"], [0.0475, 0.0701, 0.0936], atol=5e-5)  # eq. 7.12
    # seed eq. 7.13 prints [0.6919, 0.7890, 0.8758]
    np.testing.assert_allclose(weights.data, [0.6924, 0.7887, 0.8850], atol=5e-5)


def test_batch_normalisation_of_one_neuron() -> None:
    z = Tensor(np.array([[0.10], [0.26], [0.08], [0.22]]))
    assert z.data.mean() == pytest.approx(0.165)  # eq. 7.16
    assert z.data.var() == pytest.approx(0.005875)  # eq. 7.14
    out = F.batch_norm(z, np.zeros(1), np.ones(1), Tensor(np.ones(1)), Tensor(np.zeros(1)), training=True, eps=1e-5)
    assert out.data[0, 0] == pytest.approx(-0.8473, abs=5e-5)  # seed eq. 7.14'-7.15 prints -0.848


def test_dropout_mask_and_test_time_scaling() -> None:
    h = np.array([0.10, 0.25, 0.40])
    dropped = h * np.array([1.0, 0.0, 1.0])  # eq. 7.16-7.17
    np.testing.assert_allclose(dropped, [0.10, 0.0, 0.40])
    assert float(W2[0] @ dropped + 0.1) == pytest.approx(0.53)  # eq. 7.18
    np.testing.assert_allclose((1 - 0.5) * h, [0.05, 0.125, 0.20])  # eq. 7.19


def test_vectorised_batch_equals_per_sample_loop() -> None:
    b1 = np.array([0.01, 0.02, 0.03])
    batch = W1 @ X.T + b1[:, None] @ np.ones((1, 4))  # eq. 7.19 (Z = W X + b 1ᵀ)
    for i, sample in enumerate(X):
        np.testing.assert_allclose(batch[:, i], W1 @ sample + b1)
