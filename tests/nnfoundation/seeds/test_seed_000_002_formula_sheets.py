"""Seed 000 / 002 (formula sheets): §6 PCA (2-feature closed form) and §3 CNN dimensional analysis,
on a worked example with numbers (the sheets give formulas only)."""

from __future__ import annotations

import numpy as np
import pytest

from nnfoundation.classical.pca import PrincipalComponents, pca_two_features
from nnfoundation.detection.conv_arithmetic import (
    conv2d_macs,
    conv2d_parameter_count,
    conv_output_size,
    receptive_fields,
)

DATA = np.array([[1.0, 2.0, 3.0, 4.0, 5.0], [2.0, 4.0, 5.0, 4.0, 5.0]])  # X ∈ R^{2×n}, one column per sample


def test_pca_two_feature_closed_form() -> None:
    centred = DATA - DATA.mean(axis=1, keepdims=True)
    (a, b), (_, c) = centred @ centred.T  # A = X Xᵀ = [[a, b], [b, c]]
    assert (a, b, c) == (10.0, 6.0, 6.0)
    result = pca_two_features(DATA)
    root = np.sqrt((a - c) ** 2 + 4 * b**2)
    np.testing.assert_allclose(result.eigenvalues, [(16 + root) / 2, (16 - root) / 2])  # λ1,2
    np.testing.assert_allclose(result.eigenvalues, [14.3246, 1.6754], atol=5e-5)
    np.testing.assert_allclose(result.first_component, [0.8112, 0.5847], atol=5e-5)  # v1 = u1/‖u1‖, u1 = [λ1 − c, b]
    np.testing.assert_allclose(result.scores, result.first_component @ centred)  # h1 = v1ᵀX
    assert result.explained_variance_ratio == pytest.approx(0.8953, abs=5e-5)  # EVR1 = λ1/(λ1 + λ2)
    characteristic = result.eigenvalues**2 - (a + c) * result.eigenvalues + (a * c - b**2)  # seed 002 §6
    np.testing.assert_allclose(characteristic, 0.0, atol=1e-10)


def test_pca_rank_one_reconstruction() -> None:
    means = DATA.mean(axis=1, keepdims=True) @ np.ones((1, DATA.shape[1]))  # B: row means replicated
    component = pca_two_features(DATA).first_component[:, None]  # C (d × 1)
    reconstruction = means + component @ component.T @ (DATA - means)  # B + C Cᵀ (A − B)
    np.testing.assert_allclose(PrincipalComponents.fit(DATA).reconstruct(DATA, rank=1), reconstruction, atol=1e-12)


def test_cnn_dimensional_analysis() -> None:
    out = conv_output_size(32, 5, stride=1, padding=2)  # H_out = ⌊(H_in + 2P − K)/S⌋ + 1
    assert out == 32
    assert conv_output_size(32, 3, stride=2, padding=0) == 15
    assert conv2d_parameter_count(3, 16, (5, 5)) == 16 * 3 * 5 * 5 + 16  # C_out C_in K_h K_w + C_out
    assert conv2d_macs(8, 3, 16, (32, 32), (5, 5)) == 8 * 16 * 32 * 32 * 3 * 5 * 5  # B C_out H_out W_out C_in K_h K_w
    # field_ℓ = field_{ℓ−1} + (K_ℓ − 1)·stride_{ℓ−1}, stride_ℓ = stride_{ℓ−1}·S_ℓ: conv3 → pool2/2 → conv3 → pool2/2
    fields = receptive_fields([(3, 1), (2, 2), (3, 1), (2, 2)])
    assert [(f.field, f.stride) for f in fields] == [(3, 1), (4, 2), (8, 2), (10, 4)]
    assert conv_output_size(32, 2, stride=2) == 16  # MaxPool(2, 2): (B, C, H/2, W/2)
