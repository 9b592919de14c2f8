"""Seed 004 ch. 15-16: vanishing/exploding gradient numbers, BPTT memory, tanh derivative bound."""

from __future__ import annotations

import numpy as np
import pytest


def test_vanishing_and_exploding_products() -> None:
    assert pytest.approx(7.9e-31, rel=1e-2) == 0.5**100  # §15.6.2 "≈ 10^-30"
    assert pytest.approx(2.7e-5, rel=2e-2) == 0.9**100  # eq. 16.2, §15.7.2
    assert pytest.approx(13_780.6, rel=1e-5) == 1.1**100  # §15.7.2 "≈ 14000"
    assert pytest.approx(100_000) == 1e8 * 0.001  # §15.7.1 exploding update
    assert pytest.approx(0.001) == 1.0 * 0.001


def test_bptt_memory() -> None:
    per_sequence = 1000 * 512 * 4  # §15.6.3: T × d_h × 4 bytes
    assert per_sequence / 1e6 == pytest.approx(2.048)
    assert 32 * per_sequence / 1e6 == pytest.approx(65.5, abs=0.05)


def test_tanh_derivative_bound() -> None:
    """§15.5.2 says tanh' peaks at 1/4 at z = 0; that is the sigmoid's peak, tanh'(0) = 1 (erratum)."""
    z = np.linspace(-6, 6, 12001)
    tanh_slope = 1 - np.tanh(z) ** 2
    sigmoid = 1 / (1 + np.exp(-z))
    assert tanh_slope.max() == pytest.approx(1.0) and z[tanh_slope.argmax()] == pytest.approx(0.0)
    assert (sigmoid * (1 - sigmoid)).max() == pytest.approx(0.25)


def test_spectral_radius_sets_the_gradient_scale() -> None:
    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.normal(size=(4, 4)))[0]
    for rho in (0.9, 1.0, 1.1):
        w_hh = basis @ np.diag([rho, 0.5, 0.3, 0.1]) @ basis.T  # symmetric, spectral radius rho (eq. 15.28)
        assert np.linalg.norm(np.linalg.matrix_power(w_hh, 100), 2) == pytest.approx(rho**100, rel=1e-9)
