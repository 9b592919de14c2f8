"""VOC 11-point and all-point AP on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from nnfoundation.detection.box_sets import Detections, GroundTruth
from nnfoundation.detection.voc_ap import voc_average_precision, voc_evaluate


def _scene() -> tuple[list[GroundTruth], list[Detections]]:
    truths = [GroundTruth(1, [[0, 0, 10, 10], [50, 50, 10, 10], [100, 0, 10, 10]], [0, 0, 0])]
    # by score: TP, FP (duplicate of the first), TP, FP (nowhere)
    dets = [
        Detections(
            1, [[0, 0, 10, 10], [1, 0, 10, 10], [50, 50, 10, 10], [200, 200, 5, 5]], [0.9, 0.8, 0.7, 0.6], [0, 0, 0, 0]
        )
    ]
    return truths, dets


def test_all_point_and_eleven_point_ap_by_hand() -> None:
    # recall 1/3, 1/3, 2/3, 2/3; precision 1, 1/2, 2/3, 1/2
    truths, dets = _scene()
    assert voc_evaluate(truths, dets, [0], method="all").per_class[0] == pytest.approx(1 / 3 * 1 + 1 / 3 * 2 / 3)
    # points 0, .1, .2, .3 see precision 1; .4, .5, .6 see 2/3; .7 ... 1 see 0
    assert voc_evaluate(truths, dets, [0], method="11point").per_class[0] == pytest.approx((4 * 1 + 3 * 2 / 3) / 11)


def test_eleven_point_reaches_exact_decimal_recall() -> None:
    recall = np.array([0.1, 0.2, 0.3])
    precision = np.array([1.0, 1.0, 1.0])
    assert voc_average_precision(recall, precision, "11point") == pytest.approx(4 / 11)


def test_difficult_objects_are_ignored_and_perfect_detection_scores_one() -> None:
    truths = [
        GroundTruth(1, [[0, 0, 10, 10], [30, 30, 10, 10]], [2, 2], difficult=[False, True]),
        GroundTruth(2, [[5, 5, 20, 20]], [1]),
    ]
    dets = [
        Detections(1, [[0, 0, 10, 10], [30, 30, 10, 10]], [0.9, 0.95], [2, 2]),
        Detections(2, [[5, 5, 20, 20]], [0.4], [1]),
    ]
    result = voc_evaluate(truths, dets, [1, 2, 3])
    assert result.per_class[1] == pytest.approx(1.0)
    assert result.per_class[2] == pytest.approx(1.0)
    assert np.isnan(result.per_class[3])
    assert result.map == pytest.approx(1.0)


def test_voc_threshold_is_strict() -> None:
    truths = [GroundTruth(1, [[0, 0, 10, 10]], [0])]
    half_overlap = [Detections(1, [[0, 0, 10, 20]], [0.9], [0])]  # IoU exactly 0.5
    assert voc_evaluate(truths, half_overlap, [0], iou_threshold=0.5).per_class[0] == 0.0
    assert voc_evaluate(truths, half_overlap, [0], iou_threshold=0.49).per_class[0] == pytest.approx(1.0)


def test_bad_method_raises() -> None:
    with pytest.raises(ValueError, match="unknown VOC AP method"):
        voc_average_precision(np.array([0.5]), np.array([1.0]), "101point")
