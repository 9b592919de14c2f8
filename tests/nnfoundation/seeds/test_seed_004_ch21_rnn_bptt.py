"""Seed 004 §21.1 "Simple RNN - Complete Backpropagation Example", recomputed with nnfoundation.Tensor.

h_t = tanh(W_hh h_{t−1} + W_xh x_t + b_h), ŷ_t = σ(W_hy h_t + b_y), loss −log ŷ_3 (target y = 1, output loss
only at T = 3 as in §21.1.4). The seed's draft numbers drift from timestep 1 on; the correct values are
asserted (docs/seed-errata.md, seed 004 §21.1.2-21.1.4).
"""

from __future__ import annotations

import numpy as np
import pytest

from nnfoundation import Tensor

W_HH = np.array([[0.1, 0.2, 0.3], [0.4, 0.1, 0.2], [0.2, 0.3, 0.1]])  # eq. 21.1
W_XH = np.array([[0.5, 0.6], [0.3, 0.4], [0.2, 0.1]])
W_HY = np.array([0.7, 0.5, 0.3])  # eq. 21.2
B_H = np.array([0.1, 0.0, 0.1])
B_Y = 0.05
INPUTS = [np.array([0.5, 0.2]), np.array([0.3, 0.4]), np.array([0.2, 0.5])]  # eq. 21.3


def _unroll(w_hh: Tensor) -> tuple[list[Tensor], list[Tensor], list[Tensor]]:
    """Pre-activations, states (3,) and outputs (scalars) of the three timesteps; column vectors inside."""
    h = Tensor(np.zeros((3, 1)))
    pre_activations, states, outputs = [], [], []
    for x in INPUTS:
        z = w_hh @ h + (W_XH @ x + B_H)[:, None]  # eq. 21.4
        h = z.tanh()
        pre_activations.append(z[:, 0])
        states.append(h[:, 0])
        outputs.append((W_HY[None, :] @ h + B_Y).sigmoid()[0, 0])
    return pre_activations, states, outputs


def test_forward_pass() -> None:
    z, h, y_hat = _unroll(Tensor(W_HH))
    np.testing.assert_allclose(z[0].data, [0.47, 0.23, 0.22], atol=1e-12)  # eq. 21.5
    np.testing.assert_allclose(h[0].data, [0.438, 0.226, 0.217], atol=5e-4)  # seed eq. 21.6: 0.440 first
    assert float(h[0].data @ W_HY + B_Y) == pytest.approx(0.5347, abs=5e-5)  # seed eq. 21.7: 0.5358
    assert y_hat[0].item() == pytest.approx(0.631, abs=5e-4)  # eq. 21.7
    # seed eq. 21.8: z = [0.645, 0.452, 0.357], h = [0.567, 0.422, 0.343], ŷ = 0.682
    np.testing.assert_allclose(z[1].data, [0.644, 0.491, 0.377], atol=5e-4)
    np.testing.assert_allclose(h[1].data, [0.568, 0.455, 0.360], atol=5e-4)
    assert y_hat[1].item() == pytest.approx(0.686, abs=5e-4)
    # seed eq. 21.9: z = [0.812, 0.641, 0.485], h = [0.675, 0.568, 0.449], ŷ = 0.720
    np.testing.assert_allclose(z[2].data, [0.756, 0.605, 0.476], atol=5e-4)
    np.testing.assert_allclose(h[2].data, [0.639, 0.540, 0.443], atol=5e-4)
    assert y_hat[2].item() == pytest.approx(0.711, abs=5e-4)
    assert -np.log(y_hat[2].item()) == pytest.approx(0.341, abs=5e-4)  # seed eq. 21.10: 0.329


def test_backpropagation_through_time() -> None:
    w_hh = Tensor(W_HH.copy(), requires_grad=True)
    _, h, y_hat = _unroll(w_hh)
    loss = -y_hat[2].log()
    loss.backward()
    delta_y = y_hat[2].item() - 1.0  # eq. 21.11 (seed: −0.280)
    assert delta_y == pytest.approx(-0.289, abs=5e-4)
    states = [np.zeros(3)] + [state.data for state in h]
    delta_3 = W_HY * delta_y * (1 - states[3] ** 2)  # eq. 21.12
    delta_2 = (W_HH.T @ delta_3) * (1 - states[2] ** 2)  # eq. 21.14
    delta_1 = (W_HH.T @ delta_2) * (1 - states[1] ** 2)
    np.testing.assert_allclose(delta_3, [-0.120, -0.102, -0.070], atol=5e-4)  # seed eq. 21.13: [-0.107, -0.095, -0.067]
    np.testing.assert_allclose(
        delta_2, [-0.0453, -0.0437, -0.0552], atol=5e-5
    )  # seed eq. 21.15: [-0.0422, -0.0419, -0.0510]
    np.testing.assert_allclose(
        delta_1, [-0.0267, -0.0284, -0.0265], atol=5e-5
    )  # seed eq. 21.16: [-0.0252, -0.0265, -0.0157]
    summed = sum(np.outer(delta, previous) for delta, previous in zip((delta_1, delta_2, delta_3), states[:3]))
    np.testing.assert_allclose(w_hh.grad, summed, atol=1e-12)  # autodiff = Σ_t δ_t h_{t−1}ᵀ
    # seed eq. 21.17 prints [[-0.0792, -0.0547, -0.0458], [-0.0723, -0.0496, -0.0416], [-0.0604, -0.0398, -0.0340]]
    np.testing.assert_allclose(
        w_hh.grad, [[-0.0879, -0.0648, -0.0530], [-0.0772, -0.0564, -0.0463], [-0.0637, -0.0442, -0.0370]], atol=5e-5
    )


def test_lstm_cell_gradient_through_the_forget_gate() -> None:
    """§21.2.3 eq. 21.18: ∂L/∂c_t = ∂L/∂h_t ⊙ o_t ⊙ (1 − tanh² c_t) + ∂L/∂c_{t+1} ⊙ f_{t+1}."""
    rng = np.random.default_rng(0)
    f_next, o_t = rng.uniform(size=2), rng.uniform(size=2)
    c_t = Tensor(rng.normal(size=2), requires_grad=True)
    i_next, candidate_next, o_next = rng.uniform(size=2), rng.normal(size=2), rng.uniform(size=2)
    h_t = c_t.tanh() * o_t
    c_next = c_t * f_next + i_next * candidate_next
    h_next = c_next.tanh() * o_next
    (h_t.sum() + h_next.sum()).backward()
    grad_c_next = o_next * (1 - np.tanh(c_next.data) ** 2)
    np.testing.assert_allclose(c_t.grad, o_t * (1 - np.tanh(c_t.data) ** 2) + grad_c_next * f_next, atol=1e-12)
