"""Seed 004 ch. 23 "Object Detection Fundamentals": anchors, box conversion, IoU, NMS, mAP."""

from __future__ import annotations

import numpy as np
import pytest

from nnfoundation.detection.anchors import AnchorConfig, grid_anchors
from nnfoundation.detection.box_sets import Detections, GroundTruth
from nnfoundation.detection.boxes import box_convert, box_iou
from nnfoundation.detection.coco_ap import coco_average_precision
from nnfoundation.detection.nms import nms
from nnfoundation.detection.voc_ap import voc_evaluate


def test_anchor_centre_and_count_on_13x13_stride_32() -> None:
    anchors = grid_anchors(13, 13, AnchorConfig(stride=32))  # eq. 23.6 defaults: 3 ratios × 3 scales
    assert anchors.shape == (1521, 4)  # 13 × 13 × 9
    cell = anchors.reshape(13, 13, 9, 4)[5, 7]
    np.testing.assert_allclose(cell[:, :2], [[240.0, 176.0]] * 9)  # eq. 23.5


def test_center_to_corner_conversion() -> None:
    np.testing.assert_allclose(
        box_convert(np.array([150.0, 150.0, 100.0, 100.0]), "cxcywh", "xyxy"), [100, 100, 200, 200]
    )  # eq. 23.7-23.8


def test_iou_example() -> None:
    iou = box_iou(np.array([[100.0, 100, 200, 200]]), np.array([[150.0, 100, 250, 200]]))[0, 0]
    assert iou == pytest.approx(5000 / 15000)  # eq. 23.12-23.16: 0.333


def test_nms_example() -> None:
    boxes = np.array(
        [[100, 100, 200, 200], [105, 105, 205, 205], [400, 400, 500, 500], [405, 405, 505, 505], [600, 600, 700, 700]],
        dtype=float,
    )
    scores = np.array([0.95, 0.90, 0.88, 0.85, 0.75])
    # §23.3.3 prints IoU(B1, B2) ≈ 0.815 from a wrong formula: 95·95 / (2·100² − 95²) = 0.8223
    assert box_iou(boxes[:1], boxes[1:2])[0, 0] == pytest.approx(9025 / 10975)
    assert box_iou(boxes[2:3], boxes[3:4])[0, 0] == pytest.approx(9025 / 10975)
    np.testing.assert_array_equal(nms(boxes, scores, 0.5), [0, 2, 4])  # output [B1, B3, B5]


def test_map_averages_classes_and_coco_averages_thresholds() -> None:
    truths = [GroundTruth(1, [[0, 0, 10, 10], [50, 50, 20, 20]], [1, 2])]
    dets = [Detections(1, [[0, 0, 10, 10], [50, 50, 20, 26]], [0.9, 0.8], [1, 2])]  # class 2 at IoU 400/520
    voc = voc_evaluate(truths, dets, [1, 2])
    assert voc.map == pytest.approx((1.0 + 1.0) / 2)  # eq. 23.19 at IoU 0.5
    coco = coco_average_precision(truths, dets, [1, 2])
    # class 2 matches at thresholds 0.50..0.75 (IoU 0.769) only: 6 of 10 thresholds (eq. 23.20)
    assert coco.per_class()[2] == pytest.approx(0.6)
    assert coco.map == pytest.approx((1.0 + 0.6) / 2)
