"""Seed 004 ch. 26 "Vision Transformers for Detection": patch arithmetic and Swin-T stage shapes."""

from __future__ import annotations

import numpy as np

from nnfoundation.detection.conv_arithmetic import conv_output_size


def test_patch_counts_and_sizes() -> None:
    assert (224 // 16) ** 2 == 196  # eq. 26.2
    assert 16 * 16 * 3 == 768  # eq. 26.12
    image = np.arange(224 * 224 * 3, dtype=float).reshape(224, 224, 3)
    patches = image.reshape(14, 16, 14, 16, 3).transpose(0, 2, 1, 3, 4).reshape(196, 768)  # eq. 26.11-26.13
    np.testing.assert_array_equal(patches[15], image[16:32, 16:32].reshape(-1))
    assert patches.shape[0] + 1 == 197  # eq. 26.17 with the class token
    assert conv_output_size(224, 16, stride=16) == 14  # patch embedding as a stride-16 convolution


def test_sinusoidal_encoding_is_bounded_and_alternates() -> None:
    i, d = np.arange(300)[:, None], 256
    j = np.arange(d // 2)[None, :]
    encoding = np.empty((300, d))
    encoding[:, 0::2] = np.sin(i / 10000 ** (2 * j / d))  # eq. 26.15 / 27.14
    encoding[:, 1::2] = np.cos(i / 10000 ** (2 * j / d))
    assert np.abs(encoding).max() <= 1.0
    np.testing.assert_allclose(encoding[0, 1::2], 1.0)


def test_swin_tiny_stage_shapes() -> None:
    resolution, dim = conv_output_size(224, 4, stride=4), 96  # 4×4 patch partition
    stages = [(resolution, dim)]
    for _ in range(3):  # patch merging: (H/2, W/2, 4d) then a linear map to 2d (eq. 26.7-26.8)
        resolution, dim = resolution // 2, 4 * dim // 2
        stages.append((resolution, dim))
    assert stages == [(56, 96), (28, 192), (14, 384), (7, 768)]  # Swin-T table §26.2.3
