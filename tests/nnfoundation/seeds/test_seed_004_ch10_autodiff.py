"""Seed 004 ch. 10 "Computational Graphs and Automatic Differentiation" with nnfoundation.Tensor."""

from __future__ import annotations

import numpy as np
import pytest

import nnfoundation.functional as F
from nnfoundation import Tensor


def test_adjoints_of_y_equals_x1_plus_x2_times_x1() -> None:
    x1, x2 = Tensor(np.array(2.0), requires_grad=True), Tensor(np.array(3.0), requires_grad=True)
    v3 = x1 + x2  # §10.1.2
    y = v3 * x1
    assert (v3.item(), y.item()) == (5.0, 10.0)
    (y**2).backward()  # L = y², dL/dy = 20 (§10.2.2)
    assert x1.grad == pytest.approx(140.0)  # eq. 10.6
    assert x2.grad == pytest.approx(40.0)  # eq. 10.7
    assert x1.grad == pytest.approx(20 * (2 * 2.0 + 3.0))  # the hand check 20(2x1 + x2)


def test_softmax_backward_is_the_jacobian_transpose_product() -> None:
    rng = np.random.default_rng(0)
    z = Tensor(rng.normal(size=5), requires_grad=True)
    upstream = rng.normal(size=5)
    p = F.softmax(z)
    p.backward(upstream)
    probs = p.data
    jacobian = np.diag(probs) - np.outer(probs, probs)  # eq. 10.11: J_ij = p_i(δ_ij − p_j)
    np.testing.assert_allclose(z.grad, jacobian.T @ upstream, atol=1e-12)  # eq. 10.10
    np.testing.assert_allclose(z.grad, probs * (upstream - upstream @ probs), atol=1e-12)  # eq. 10.12


def test_cross_entropy_special_case() -> None:
    """Eq. 10.12 with the cross-entropy adjoint p̄_i = −y_i / p_i gives z̄ = p − y. The seed plugs in
    p̄ = p − y instead, which does not give p − y (docs/seed-errata.md, seed 004 §10.4.2)."""
    rng = np.random.default_rng(1)
    z = Tensor(rng.normal(size=4), requires_grad=True)
    target = np.array([0.0, 0.0, 1.0, 0.0])
    p = F.softmax(z)
    (-(Tensor(target) * p.log()).sum()).backward()
    probs = p.data
    np.testing.assert_allclose(z.grad, probs - target, atol=1e-12)
    true_adjoint = -target / probs
    np.testing.assert_allclose(probs * (true_adjoint - true_adjoint @ probs), probs - target, atol=1e-12)
    seed_adjoint = probs - target
    assert not np.allclose(probs * (seed_adjoint - seed_adjoint @ probs), probs - target)
