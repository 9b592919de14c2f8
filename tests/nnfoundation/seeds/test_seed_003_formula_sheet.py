"""Seed 003 (formula sheet): §2.4 EWA window, §2.5 bias correction, §6.1 shape/parameter equations,
§6.2 one logistic-regression step (formulas given without numbers; here with numbers)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nnfoundation import Tensor
from nnfoundation.detection.conv_arithmetic import conv2d_parameter_count, conv_output_size, dense_parameter_count
from nnfoundation.gradcheck import gradcheck


def test_ewa_window() -> None:
    assert pytest.approx(10) == 1 / (1 - 0.9)  # §2.4
    assert pytest.approx(50) == 1 / (1 - 0.98)


def test_bias_correction_example() -> None:
    v1 = 0.9 * 0.0 + (1 - 0.9) * (-0.058)  # §2.5, t = 1, β = 0.9
    assert v1 == pytest.approx(-0.0058)
    assert v1 / (1 - 0.9**1) == pytest.approx(-0.058)


def test_shape_and_parameter_equations() -> None:
    """§6.1 writes Conv = n_c(f·n_c_prev + n_c); the correct count is n_c(f²·n_c_prev + 1) (erratum)."""
    f, channels_in, channels_out = 3, 3, 8
    layer = torch.nn.Conv2d(channels_in, channels_out, f)
    correct = channels_out * (f * f * channels_in + 1)
    assert (
        correct
        == sum(p.numel() for p in layer.parameters())
        == conv2d_parameter_count(channels_in, channels_out, (f, f))
        == 224
    )
    assert channels_out * (f * channels_in + channels_out) == 136  # the sheet's formula
    assert conv_output_size(32, 5, stride=1, padding=0) == 28  # ⌊(n + 2p − f)/s + 1⌋
    assert conv_output_size(28, 2, stride=2) == 14  # pool ⌊(n − f)/s + 1⌋
    assert dense_parameter_count(14 * 14 * 8, 10) == 14 * 14 * 8 * 10 + 10  # FC: n_h n_w n_c n_neu + n_neu


def test_logistic_regression_step() -> None:
    x, y, w, b, alpha = np.array([0.5, -1.5]), 1.0, np.array([0.2, 0.4]), 0.1, 0.5
    z = x @ w + b  # z = x·wᵀ + b
    a = 1 / (1 + np.exp(-z))
    dz = a - y
    dw, db = x * dz, dz  # dw_1 = x_1 dz, dw_2 = x_2 dz, db = dz

    def loss(weights, bias):
        activation = ((weights * Tensor(x)).sum() + bias).sigmoid()
        return -(activation.log() * y + (1.0 - activation).log() * (1 - y))

    gradcheck(loss, [w, np.array(b)])
    weights, bias = Tensor(w, requires_grad=True), Tensor(np.array(b), requires_grad=True)
    loss(weights, bias).backward()
    np.testing.assert_allclose(weights.grad, dw)
    assert bias.grad == pytest.approx(db)
    np.testing.assert_allclose(w - alpha * dw, [0.2 + 0.5 * 0.5 * (1 - a), 0.4 - 0.5 * 1.5 * (1 - a)])
    assert z == pytest.approx(-0.4) and a == pytest.approx(0.4013, abs=5e-5)
    np.testing.assert_allclose(w - alpha * dw, [0.3497, -0.0490], atol=5e-5)  # one step on w1, w2
    assert b - alpha * db == pytest.approx(0.3993, abs=5e-5)
