"""Seed 004 ch. 6 "Concrete Numerical Example: A Network from Scratch", recomputed with nnfoundation.Tensor.

The 2→3→1 ReLU/sigmoid network on four samples (eq. 6.1-6.4). Values the seed gets right are asserted
at its printed precision; where its draft numbers are wrong the correct value is asserted
(docs/seed-errata.md, seed 004 §6.4.5-§6.11).
"""

from __future__ import annotations

import numpy as np
import pytest

import nnfoundation.functional as F
from nnfoundation import Tensor

X = np.array([[0.5, 0.2], [0.9, 0.8], [0.1, 0.3], [0.8, 0.9]])
Y = np.array([0.0, 1.0, 0.0, 1.0])
W1 = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
B1 = np.array([0.01, 0.02, 0.03])
W2 = np.array([[0.7, 0.8, 0.9]])
B2 = np.array([0.1])


def _forward(params: list[Tensor]) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    w1, b1, w2, b2 = params
    z1 = F.linear(Tensor(X), w1, b1)  # eq. 6.5
    a1 = F.relu(z1)  # eq. 6.6
    z2 = F.linear(a1, w2, b2)[:, 0]  # eq. 6.7
    y_hat = F.sigmoid(z2)  # eq. 6.8
    return z1, z2, y_hat, -(Tensor(Y) * y_hat.log() + (1.0 - Tensor(Y)) * (1.0 - y_hat).log())  # eq. 6.9


def _params() -> list[Tensor]:
    return [Tensor(p.copy(), requires_grad=True) for p in (W1, B1, W2, B2)]


def test_forward_sample_1_and_2() -> None:
    z1, z2, y_hat, losses = _forward(_params())
    np.testing.assert_allclose(z1.data[0], [0.10, 0.25, 0.40], atol=1e-12)  # eq. 6.15
    assert z2.data[0] == pytest.approx(0.73)  # eq. 6.19
    assert y_hat.data[0] == pytest.approx(0.6748, abs=5e-5)  # eq. 6.21
    assert losses.data[0] == pytest.approx(1.1233, abs=5e-5)  # seed eq. 6.23 prints 1.1223 (erratum)
    np.testing.assert_allclose(z1.data[1], [0.26, 0.61, 0.96], atol=1e-12)  # eq. 6.28
    assert z2.data[1] == pytest.approx(1.634)  # eq. 6.30
    assert y_hat.data[1] == pytest.approx(0.8367, abs=5e-5)  # eq. 6.31
    assert losses.data[1] == pytest.approx(0.1783, abs=5e-5)  # seed eq. 6.32 prints 0.1779 (erratum)


def test_batch_loss() -> None:
    _, _, _, losses = _forward(_params())
    # seed eq. 6.33 assumes L3 ≈ 0.9502, L4 ≈ 0.2148; the network gives 0.9903 and 0.1744
    np.testing.assert_allclose(losses.data[2:], [0.9903, 0.1744], atol=5e-5)
    assert losses.data.mean() == pytest.approx(0.6166, abs=5e-5)  # seed eq. 6.36 prints 0.6163


def test_backprop_sample_1() -> None:
    params = _params()
    _forward(params)[3][0].backward()
    w1, b1, w2, b2 = params
    assert b2.grad[0] == pytest.approx(0.6748, abs=5e-5)  # eq. 6.44, 6.48
    np.testing.assert_allclose(w2.grad[0], [0.06748, 0.16870, 0.26992], atol=5e-6)  # eq. 6.47
    np.testing.assert_allclose(b1.grad, [0.47236, 0.53984, 0.60732], atol=5e-6)  # eq. 6.50, 6.54
    np.testing.assert_allclose(
        w1.grad, [[0.23618, 0.09447], [0.26992, 0.10797], [0.30366, 0.12146]], atol=5e-6
    )  # eq. 6.53


def test_minibatch_gradient_update_and_second_iteration() -> None:
    params = _params()
    _forward(params)[3].mean().backward()
    w1, b1, w2, b2 = params
    # seed eq. 6.56 prints [0.0289, 0.0425, 0.0568] (erratum)
    np.testing.assert_allclose(w2.grad[0], [0.0080, 0.0192, 0.0303], atol=5e-5)
    for p in params:  # eq. 6.57, eta = 0.1
        p.data -= 0.1 * p.grad
    np.testing.assert_allclose(
        w2.data[0], [0.6992, 0.7981, 0.8970], atol=5e-5
    )  # seed eq. 6.60: [0.6971, 0.7958, 0.8943]
    assert b2.data[0] == pytest.approx(0.0755, abs=5e-5)  # seed §6.10.1: 0.0831
    np.testing.assert_allclose(
        w1.data, [[0.0978, 0.1991], [0.2975, 0.3990], [0.4972, 0.5989]], atol=5e-5
    )  # seed eq. 6.63
    np.testing.assert_allclose(
        b1.data, [-0.0072, 0.0004, 0.0079], atol=5e-5
    )  # seed eq. 6.63: [-0.0032, 0.0094, 0.0142]
    z1, z2, y_hat, losses = _forward(params)
    np.testing.assert_allclose(
        z1.data[0], [0.0816, 0.2290, 0.3763], atol=5e-5
    )  # seed eq. 6.64: [0.0872, 0.2388, 0.3834]
    assert z2.data[0] == pytest.approx(0.6528, abs=5e-5)  # seed eq. 6.65: 0.6772
    assert y_hat.data[0] == pytest.approx(0.6576, abs=5e-5)  # seed eq. 6.65: 0.6636
    assert losses.data[0] == pytest.approx(1.0719, abs=5e-5)  # seed eq. 6.66: 1.0898
    assert losses.data[0] < 1.1233  # the seed's conclusion holds: the loss of sample 1 decreases
