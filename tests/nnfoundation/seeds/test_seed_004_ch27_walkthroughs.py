"""Seed 004 ch. 27 "Implementation and Integration": YOLO and DETR numerical walkthroughs, INT8, pruning."""

from __future__ import annotations

import numpy as np
import pytest

from nnfoundation.compress import magnitude_prune_masks, minmax_quantization_params, quantize
from nnfoundation.detection.yolo import YoloTargets, decode_yolo_grid, yolo_loss


def test_yolo_decoding_of_cell_6_6() -> None:
    raw = np.zeros((13, 13, 3, 7))
    raw[6, 6, 0, :4] = [0.1, 0.2, 0.5, 0.6]  # eq. 27.2
    box = decode_yolo_grid(raw, np.full((3, 2), 16.0), 32.0).boxes_cxcywh.data[6, 6, 0]
    np.testing.assert_allclose(box[:2] / 32, [6.525, 6.550], atol=5e-4)  # eq. 27.4-27.5
    np.testing.assert_allclose(box[2:], [26.38, 29.15], atol=5e-3)  # eq. 27.6-27.7
    np.testing.assert_allclose(np.round(box), [209, 210, 26, 29])  # eq. 27.9
    # with 2 classes a 3-anchor head has 3·(5 + 2) = 21 channels; §27.1.1 says 255 (the 80-class count)
    assert raw.reshape(13, 13, -1).shape[-1] == 21


def test_yolo_loss_of_the_walkthrough() -> None:
    """Eq. 27.10-27.13 with the responsible box only (the seed leaves the background terms out)."""
    targets = YoloTargets(
        object_mask=np.ones((1, 1, 1), dtype=bool),
        wh=np.array([[[[80.0, 80.0]]]]),
        class_onehot=np.array([[[[1.0, 0.0]]]]),
    )
    rounded = yolo_loss(np.array([[[[26.0, 29.0]]]]), np.array([[[0.9]]]), np.array([[[[0.8, 0.1]]]]), targets)
    # seed eq. 27.10 prints ≈ 2.8; (√26 − √80)² + (√29 − √80)² = 14.78 + 12.67 = 27.45
    assert rounded.box.item() == pytest.approx(27.45, abs=5e-3)
    assert rounded.objectness.item() == pytest.approx(0.01)  # eq. 27.11
    assert rounded.classification.item() == pytest.approx(0.05)  # eq. 27.12
    # seed eq. 27.13 prints 14.06; with its weights 5, 1, 1: 5·27.45 + 0.01 + 0.05
    assert rounded.total.item() == pytest.approx(137.33, abs=5e-3)
    exact = yolo_loss(
        np.array([[[[16 * np.exp(0.5), 16 * np.exp(0.6)]]]]), np.array([[[0.9]]]), np.array([[[[0.8, 0.1]]]]), targets
    )
    assert exact.box.item() == pytest.approx(27.07, abs=5e-3)  # unrounded sizes 26.38 × 29.15


def test_detr_walkthrough_cost_and_loss() -> None:
    assert pytest.approx(0.2) == -0.8 + 5 * 0.2  # eq. 27.22-27.23
    focal = -((1 - 0.8) ** 2) * np.log(0.8)  # eq. 27.24-27.25
    assert focal == pytest.approx(0.009, abs=5e-4)
    assert 5 * 0.2 + 2 * focal == pytest.approx(1.018, abs=5e-4)  # eq. 27.26-27.27
    assert np.zeros((100, 3)).size == 100 * 3  # eq. 27.17: 100 queries × (2 classes + background)


def test_int8_formula_of_the_seed() -> None:
    x = np.array([-1.0, -0.25, 0.0, 0.4, 2.0])
    params = minmax_quantization_params(x, symmetric=False)
    assert params.scale == pytest.approx(3.0 / 255)
    seed_codes = np.round((x - x.min()) / ((x.max() - x.min()) / 255))  # eq. 27.28
    assert np.abs(quantize(x, params) - seed_codes).max() <= 1
    assert seed_codes.min() == 0 and seed_codes.max() == 255


def test_pruning_rule() -> None:
    w = np.array([0.05, -0.3, 0.01, 0.8, -0.02, 0.4])
    masks = magnitude_prune_masks({"w": w}, sparsity=0.5)
    tau = np.sort(np.abs(w))[2]  # the 3rd smallest magnitude
    np.testing.assert_array_equal(masks["w"], np.abs(w) > tau)  # eq. 27.30


def test_batch_size_latency_table() -> None:
    for batch, throughput, latency_ms in [(1, 10, 100), (4, 35, 114), (16, 100, 160), (64, 200, 320)]:  # §27.4.4
        assert 1000 * batch / throughput == pytest.approx(latency_ms, abs=0.5)
