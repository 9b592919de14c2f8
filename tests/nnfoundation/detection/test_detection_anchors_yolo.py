"""Anchor grids, YOLO decoding, target assignment and the seed's YOLO loss."""

from __future__ import annotations

import numpy as np
import pytest

from nnfoundation.detection.anchors import AnchorConfig, anchor_shapes, grid_anchors
from nnfoundation.detection.yolo import YoloLossWeights, assign_yolo_targets, decode_yolo_grid, yolo_loss
from nnfoundation.gradcheck import gradcheck


def test_anchor_shapes_keep_area_and_set_aspect_ratio() -> None:
    config = AnchorConfig(stride=16, base_size=32, aspect_ratios=(0.5, 1.0, 2.0), scales=(1.0, 2.0))
    shapes = anchor_shapes(config)
    assert shapes.shape == (6, 2)
    np.testing.assert_allclose(shapes[:, 1] / shapes[:, 0], [0.5, 0.5, 1, 1, 2, 2])
    np.testing.assert_allclose(shapes[:, 0] * shapes[:, 1], [32**2, 64**2] * 3)


def test_grid_anchors_centres_follow_stride_and_order() -> None:
    config = AnchorConfig(stride=8, base_size=8, aspect_ratios=(1.0, 2.0), scales=(1.0,))
    anchors = grid_anchors(2, 3, config).reshape(2, 3, 2, 4)
    for i in range(2):
        for j in range(3):
            np.testing.assert_allclose(anchors[i, j, :, :2], [[(j + 0.5) * 8, (i + 0.5) * 8]] * 2)
    np.testing.assert_allclose(anchors[0, 0, :, 2:], anchor_shapes(config))


def test_anchor_config_rejects_bad_values() -> None:
    with pytest.raises(ValueError, match="stride"):
        AnchorConfig(stride=0)
    with pytest.raises(ValueError, match="aspect_ratios"):
        AnchorConfig(aspect_ratios=())


def test_decode_then_assign_then_loss_is_zero_for_perfect_predictions() -> None:
    anchors = np.array([[10.0, 20.0], [40.0, 30.0]])
    cell = 32.0
    gt_boxes = np.array([[50.0, 70.0, 12.0, 18.0], [100.0, 20.0, 45.0, 28.0]])
    targets = assign_yolo_targets(gt_boxes, np.array([1, 0]), anchors, (4, 4), cell, num_classes=2)
    assert targets.object_mask.sum() == 2
    assert targets.object_mask[2, 1, 0] and targets.object_mask[0, 3, 1]
    # build raw outputs that decode exactly to the ground truth
    raw = np.full((4, 4, 2, 7), -40.0)
    for (cx, cy, w, h), label in zip(gt_boxes, [1, 0]):
        row, col = int(cy // cell), int(cx // cell)
        anchor = 0 if w < 20 else 1
        offset = np.array([cx / cell - col, cy / cell - row])
        raw[row, col, anchor, :2] = np.log(offset / (1 - offset))
        raw[row, col, anchor, 2:4] = np.log([w / anchors[anchor, 0], h / anchors[anchor, 1]])
        raw[row, col, anchor, 4] = 40.0
        raw[row, col, anchor, 5 + label] = 40.0
    decoded = decode_yolo_grid(raw, anchors, cell)
    np.testing.assert_allclose(decoded.boxes_cxcywh.data[2, 1, 0], gt_boxes[0])
    np.testing.assert_allclose(decoded.boxes_cxcywh.data[0, 3, 1], gt_boxes[1])
    terms = yolo_loss(decoded.boxes_cxcywh[..., 2:], decoded.objectness, decoded.class_probs, targets)
    assert terms.total.item() == pytest.approx(0.0, abs=1e-12)


def test_yolo_loss_terms_by_hand() -> None:
    targets = assign_yolo_targets(
        np.array([[16.0, 16.0, 9.0, 16.0]]), np.array([0]), np.array([[8.0, 8.0]]), (1, 2), 32.0, 2
    )
    wh = np.array([[[[4.0, 25.0]], [[1.0, 1.0]]]])
    objectness = np.array([[[0.6], [0.2]]])
    classes = np.array([[[[0.7, 0.4]], [[0.5, 0.5]]]])
    weights = YoloLossWeights(box=2.0, objectness=3.0, classification=4.0, no_object=0.5)
    terms = yolo_loss(wh, objectness, classes, targets, weights)
    assert terms.box.item() == pytest.approx((2 - 3) ** 2 + (5 - 4) ** 2)
    assert terms.objectness.item() == pytest.approx(0.4**2 + 0.5 * 0.2**2)
    assert terms.classification.item() == pytest.approx(0.3**2 + 0.4**2)
    assert terms.total.item() == pytest.approx(2 * 2 + 3 * 0.18 + 4 * 0.25)


def test_yolo_loss_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(5)
    anchors = np.array([[20.0, 30.0], [50.0, 40.0]])
    targets = assign_yolo_targets(
        np.array([[40.0, 20.0, 25.0, 35.0], [90.0, 70.0, 60.0, 30.0]]), np.array([2, 0]), anchors, (3, 3), 32.0, 3
    )
    weights = YoloLossWeights(box=5.0, objectness=1.0, classification=1.0, no_object=0.5)

    def loss_of_raw(raw):
        decoded = decode_yolo_grid(raw, anchors, 32.0)
        return yolo_loss(decoded.boxes_cxcywh[..., 2:], decoded.objectness, decoded.class_probs, targets, weights).total

    gradcheck(loss_of_raw, [rng.normal(size=(3, 3, 2, 8))], atol=1e-6, rtol=1e-5)


def test_yolo_bad_shapes_raise() -> None:
    with pytest.raises(ValueError, match="anchors_wh must have shape"):
        decode_yolo_grid(np.zeros((2, 2, 3, 7)), np.ones((2, 2)), 32.0)
    with pytest.raises(ValueError, match="gt_labels must be in"):
        assign_yolo_targets(np.array([[1.0, 1, 1, 1]]), np.array([5]), np.ones((1, 2)), (1, 1), 32.0, 2)
