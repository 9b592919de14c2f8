"""Seed 001 (formula sheet): §1.2 parameter count and §2.3 momentum in its EMA form."""

from __future__ import annotations

import numpy as np
import pytest

from nnfoundation import Tensor
from nnfoundation.optim import SGD


@pytest.mark.parametrize("hidden_width,hidden_layers", [(3, 1), (4, 2), (10, 5)])
def test_parameter_count_of_a_scalar_mlp(hidden_width: int, hidden_layers: int) -> None:
    """3D + 1 + (K − 1)D(D + 1) counts a network with ONE input and ONE output (N_in = N_out = 1)."""
    sizes = [1] + [hidden_width] * hidden_layers + [1]
    counted = sum(n_out * n_in + n_out for n_in, n_out in zip(sizes, sizes[1:]))
    d, k = hidden_width, hidden_layers
    assert counted == 3 * d + 1 + (k - 1) * d * (d + 1)


def test_ema_momentum_step() -> None:
    theta = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    optimizer = SGD([theta], lr=0.1, momentum=0.9, momentum_form="ema")
    gradients = [np.array([0.5, -1.0]), np.array([0.3, 0.2])]
    m, expected = np.zeros(2), np.array([1.0, -2.0])
    for g in gradients:
        theta.grad = g
        optimizer.step()
        m = 0.9 * m + 0.1 * g  # m_{t+1} = β m_t + (1 − β) ∇L
        expected = expected - 0.1 * m  # θ_{t+1} = θ_t − η m_{t+1}
    np.testing.assert_allclose(theta.data, expected)
    np.testing.assert_allclose(theta.data, [0.9875, -1.983], atol=1e-12)
