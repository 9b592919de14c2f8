"""Seed 004 §1.2 worked derivatives, checked with nnfoundation.Tensor autodiff."""

from __future__ import annotations

import numpy as np
import pytest

from nnfoundation import Tensor


def test_chain_rule_example() -> None:
    """dy/dx of y = sin(x²) is cos(u)·du/dx with u = x² (eq. 1.18); du/dx = 2x by autodiff, the whole
    derivative against central differences."""
    x = Tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x.data)
    step = 1e-6
    numeric = (np.sin((x.data + step) ** 2) - np.sin((x.data - step) ** 2)) / (2 * step)
    np.testing.assert_allclose(numeric, np.cos(x.data**2) * x.grad, atol=1e-8)


def test_gradient_example() -> None:
    x, y = Tensor(np.array(1.0), requires_grad=True), Tensor(np.array(2.0), requires_grad=True)
    (x**2 + x * y + 3 * y**2).backward()  # f(x, y) = x² + xy + 3y² (§1.2.2)
    assert (x.grad, y.grad) == (pytest.approx(4.0), pytest.approx(13.0))  # eq. 1.24
