"""Seed 004 ch. 24 "YOLO: Real-Time Object Detection": grid arithmetic, decoding, loss, post-processing."""

from __future__ import annotations

import numpy as np
import pytest

from nnfoundation.detection.conv_arithmetic import conv_output_size
from nnfoundation.detection.yolo import YoloTargets, decode_yolo_grid, yolo_loss


def test_grid_output_shape_and_prediction_count() -> None:
    assert 416 / 13 == 32  # eq. 24.7 (exactly 32)
    per_cell = 3 * (5 + 80)
    assert per_cell == 255  # eq. 24.8
    raw = np.zeros((13, 13, 3, 85))
    decoded = decode_yolo_grid(raw, np.full((3, 2), 32.0), 32.0)
    assert decoded.boxes_cxcywh.shape == (13, 13, 3, 4)  # eq. 24.9
    assert raw.reshape(13, 13, 255).shape == (13, 13, 255)
    assert 13 * 13 * 3 == 507 and 507 * 85 == 43_095  # eq. 24.10


def test_coordinate_transformation() -> None:
    raw = np.zeros((4, 5, 1, 6))
    raw[2, 3, 0, :4] = [0.3, -0.2, 0.4, -0.1]
    decoded = decode_yolo_grid(raw, np.array([[10.0, 20.0]]), 32.0).boxes_cxcywh.data[2, 3, 0]
    sigmoid = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731
    # eq. 24.11-24.15: b_x = σ(t_x) + j, b_y = σ(t_y) + i (cells), times s; b_w = p_w e^{t_w}, b_h = p_h e^{t_h}
    np.testing.assert_allclose(
        decoded, [(sigmoid(0.3) + 3) * 32, (sigmoid(-0.2) + 2) * 32, 10 * np.exp(0.4), 20 * np.exp(-0.1)]
    )


def test_loss_components() -> None:
    mask = np.array([[[True, False]]])
    targets = YoloTargets(
        object_mask=mask,
        wh=np.array([[[[16.0, 36.0], [0.0, 0.0]]]]),
        class_onehot=np.array([[[[0.0, 1.0], [0.0, 0.0]]]]),
    )
    terms = yolo_loss(
        np.array([[[[25.0, 49.0], [4.0, 4.0]]]]),
        np.array([[[0.7, 0.4]]]),
        np.array([[[[0.2, 0.6], [0.5, 0.5]]]]),
        targets,
    )
    assert terms.box.item() == pytest.approx((5 - 4) ** 2 + (7 - 6) ** 2)  # eq. 24.17
    assert terms.objectness.item() == pytest.approx(0.3**2 + 0.5 * 0.4**2)  # eq. 24.18 with λ_noobj = 0.5
    assert terms.classification.item() == pytest.approx(0.2**2 + 0.4**2)  # eq. 24.19


def test_backbone_and_post_processing_counts() -> None:
    sizes = [416]
    for _ in range(5):  # eq. 24.20-24.24: five stride-2 stages
        sizes.append(conv_output_size(sizes[-1], 3, stride=2, padding=1))
    assert sizes == [416, 208, 104, 52, 26, 13]
    # §24.5.2 prints 13,182 (it lists 52²·3 as 10,647); the three heads give 10,647 boxes in total
    assert (13 * 13 + 26 * 26 + 52 * 52) * 3 == 10_647
    assert (52 * 52 * 3, 26 * 26 * 3, 13 * 13 * 3) == (8_112, 2_028, 507)
