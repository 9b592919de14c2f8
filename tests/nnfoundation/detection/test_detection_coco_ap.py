"""COCO AP equals pycocotools' COCOeval (bbox) on varied synthetic cases."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from nnfoundation.detection.box_sets import Detections, GroundTruth
from nnfoundation.detection.coco_ap import coco_average_precision


def _pycocotools_stats(
    truths: list[GroundTruth], dets: list[Detections], class_ids: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """pycocotools' summary stats and its precision array (T, R, K, area "all", maxDets [1, 10, 100])."""
    annotations, results = [], []
    for truth in truths:
        for box, label in zip(truth.boxes_xywh, truth.labels):
            annotations.append(
                {
                    "id": len(annotations) + 1,
                    "image_id": truth.image_id,
                    "category_id": int(label),
                    "bbox": [float(v) for v in box],
                    "area": float(box[2] * box[3]),
                    "iscrowd": 0,
                }
            )
    for entry in dets:
        for box, score, label in zip(entry.boxes_xywh, entry.scores, entry.labels):
            results.append(
                {
                    "image_id": entry.image_id,
                    "category_id": int(label),
                    "bbox": [float(v) for v in box],
                    "score": float(score),
                }
            )
    dataset = {
        "images": [{"id": truth.image_id} for truth in truths],
        "annotations": annotations,
        "categories": [{"id": class_id} for class_id in class_ids],
    }
    with contextlib.redirect_stdout(io.StringIO()):
        coco_truth = COCO()
        coco_truth.dataset = dataset
        coco_truth.createIndex()
        coco_dets = coco_truth.loadRes(results) if results else COCO()
        evaluator = COCOeval(coco_truth, coco_dets, "bbox")
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    return evaluator.stats, evaluator.eval["precision"][:, :, :, 0, :]


def _random_case(
    seed: int, num_images: int, num_classes: int, max_truths: int, max_dets: int, jitter: float = 0.15
) -> tuple[list[GroundTruth], list[Detections]]:
    """Images with 1..max_truths objects of four sizes (small to large), jittered copies of most of them,
    duplicates of a third, random false positives, scores rounded to one decimal (ties); every fourth
    image has no ground truth and every fifth no detections."""
    rng = np.random.default_rng(seed)
    truths, dets = [], []
    for image_id in range(1, num_images + 1):
        num_truths = (
            0 if image_id % 4 == 0 else int(rng.integers(1, max_truths + 1))
        )  # every fourth image: no ground truth
        sizes = rng.choice([8.0, 20.0, 50.0, 150.0], size=(num_truths, 1)) * rng.uniform(0.6, 1.6, size=(num_truths, 2))
        truth_boxes = np.concatenate([rng.uniform(0, 500, size=(num_truths, 2)), sizes], axis=1)
        truth_labels = rng.integers(1, num_classes + 1, size=num_truths)
        truths.append(GroundTruth(image_id, truth_boxes, truth_labels))
        jittered = truth_boxes + rng.normal(0, jitter, size=truth_boxes.shape) * np.concatenate([sizes, sizes], axis=1)
        jittered[:, 2:] = np.abs(jittered[:, 2:]) + 1.0
        keep = rng.random(num_truths) < 0.8
        num_false = int(rng.integers(0, max_dets + 1))
        false_boxes = np.concatenate(
            [rng.uniform(0, 500, size=(num_false, 2)), rng.uniform(5, 120, size=(num_false, 2))], axis=1
        )
        boxes = np.concatenate([jittered[keep], jittered[keep][: num_truths // 3], false_boxes])  # duplicates too
        labels = np.concatenate(
            [
                truth_labels[keep],
                truth_labels[keep][: num_truths // 3],
                rng.integers(1, num_classes + 1, size=num_false),
            ]
        )
        scores = np.round(rng.random(boxes.shape[0]), 1)  # coarse scores create ties
        if image_id % 5 != 0:  # every fifth image has no detections
            dets.append(Detections(image_id, boxes, scores, labels))
    return truths, dets


@pytest.mark.parametrize(
    "seed,num_images,num_classes,max_truths,max_dets,jitter",
    [
        (0, 6, 2, 4, 3, 0.15),
        (1, 12, 3, 6, 8, 0.15),
        (2, 20, 4, 10, 20, 0.15),
        (3, 5, 1, 30, 150, 0.15),
        (4, 15, 3, 8, 4, 0.03),
        (5, 10, 2, 5, 0, 0.02),
    ],
)
def test_coco_ap_matches_pycocotools(
    seed: int, num_images: int, num_classes: int, max_truths: int, max_dets: int, jitter: float
) -> None:
    truths, dets = _random_case(seed, num_images, num_classes, max_truths, max_dets, jitter)
    assert any(truth.labels.size == 0 for truth in truths)  # images without ground truth
    assert {truth.image_id for truth in truths} - {entry.image_id for entry in dets}  # images without detections
    class_ids = list(range(1, num_classes + 2))  # the last class has no ground truth at all
    stats, precision = _pycocotools_stats(truths, dets, class_ids)
    ours = coco_average_precision(truths, dets, class_ids)
    np.testing.assert_allclose(ours.precision, precision[..., 2], atol=1e-12)
    for max_detections, index in ((1, 0), (10, 1)):
        limited = coco_average_precision(truths, dets, class_ids, max_detections=max_detections)
        np.testing.assert_allclose(limited.precision, precision[..., index], atol=1e-12)
    assert ours.map == pytest.approx(stats[0], abs=1e-6)
    assert ours.map50 == pytest.approx(stats[1], abs=1e-6)
    assert ours.map75 == pytest.approx(stats[2], abs=1e-6)
    for area, index in (("small", 3), ("medium", 4), ("large", 5)):
        assert coco_average_precision(truths, dets, class_ids, area=area).map == pytest.approx(stats[index], abs=1e-6)
    for k, (class_id, value) in enumerate(ours.per_class().items()):
        reference = precision[:, :, k, 2]
        expected = float(reference[reference > -1].mean()) if np.any(reference > -1) else -1.0
        assert value == pytest.approx(expected, abs=1e-12), class_id


def test_exact_duplicates_and_boundary_iou_match_pycocotools() -> None:
    truths = [GroundTruth(1, [[0, 0, 10, 10], [20, 0, 10, 10]], [1, 1]), GroundTruth(2, np.zeros((0, 4)), [])]
    # IoU exactly 0.5 and 0.75 (threshold boundaries), two identical duplicates with tied scores
    dets = [
        Detections(
            1, [[0, 0, 10, 20], [0, 0, 10, 10], [0, 0, 10, 10], [20, 0, 10, 7.5]], [0.9, 0.8, 0.8, 0.7], [1, 1, 1, 1]
        ),
        Detections(2, [[5, 5, 4, 4]], [0.95], [1]),
    ]
    stats, precision = _pycocotools_stats(truths, dets, [1])
    ours = coco_average_precision(truths, dets, [1])
    np.testing.assert_allclose(ours.precision, precision[..., 2], atol=1e-12)
    assert ours.map == pytest.approx(stats[0], abs=1e-12)


def test_no_detections_gives_zero_and_no_truth_gives_minus_one() -> None:
    truths = [GroundTruth(1, [[0, 0, 10, 10]], [1])]
    assert coco_average_precision(truths, [], [1]).map == 0.0
    assert coco_average_precision([GroundTruth(1, np.zeros((0, 4)), [])], [], [1]).map == -1.0


def test_bad_inputs_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="no GroundTruth entry"):
        coco_average_precision([], [Detections(3, [[0, 0, 1, 1]], [0.5], [1])], [1])
    with pytest.raises(ValueError, match="area range"):
        coco_average_precision([], [], [1], area="huge")
    with pytest.raises(ValueError, match="scores has 1 entries for 2 boxes"):
        Detections(1, [[0, 0, 1, 1], [0, 0, 2, 2]], [0.5], [1, 1])
