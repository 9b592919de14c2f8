"""COCO-style average precision for boxes (seed 004 §23.4.1-23.4.2, eq. 23.18-23.20).

Reproduces ``pycocotools.cocoeval.COCOeval`` (iouType "bbox", no crowd annotations):
- per image and class, detections are sorted by score (stable) and cut to ``max_detections``;
- at each IoU threshold t in 0.50:0.05:0.95 a detection greedily takes the unmatched ground truth of
  highest IoU ≥ t (the last one on ties, ground truths outside the area range considered last);
- per class, all images' detections are merged by score (stable), precision is made monotone
  (p(r) = max_{r' ≥ r} p(r')) and read at the 101 recall points 0:0.01:1 (the interpolated
  ∫ Precision(r) dr of eq. 23.18);
- AP of a class is the mean over thresholds and recall points; mAP the mean over classes with at least
  one ground truth (eq. 23.19-23.20). Ground-truth area is w·h.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnfoundation.detection.box_sets import Detections, GroundTruth, index_by_image

COCO_IOU_THRESHOLDS = np.linspace(0.5, 0.95, int(np.round((0.95 - 0.5) / 0.05)) + 1, endpoint=True)
COCO_RECALL_THRESHOLDS = np.linspace(0.0, 1.00, int(np.round((1.00 - 0.0) / 0.01)) + 1, endpoint=True)
COCO_AREA_RANGES = {
    "all": (0.0, 1e5**2),
    "small": (0.0, 32.0**2),
    "medium": (32.0**2, 96.0**2),
    "large": (96.0**2, 1e5**2),
}


def coco_iou_xywh(detections_xywh: np.ndarray, truths_xywh: np.ndarray) -> np.ndarray:
    """(D, G) IoU of COCO (x, y, w, h) boxes with COCO's own arithmetic (maskApi ``bbIou``), so that
    values equal to a threshold compare exactly as in pycocotools."""
    dets = np.asarray(detections_xywh, dtype=np.float64).reshape(-1, 4)
    truths = np.asarray(truths_xywh, dtype=np.float64).reshape(-1, 4)
    width = np.minimum(dets[:, None, 2] + dets[:, None, 0], truths[None, :, 2] + truths[None, :, 0]) - np.maximum(
        dets[:, None, 0], truths[None, :, 0]
    )
    height = np.minimum(dets[:, None, 3] + dets[:, None, 1], truths[None, :, 3] + truths[None, :, 1]) - np.maximum(
        dets[:, None, 1], truths[None, :, 1]
    )
    intersection = width * height
    union = (dets[:, None, 2] * dets[:, None, 3] + truths[None, :, 2] * truths[None, :, 3]) - intersection
    overlapping = (width > 0) & (height > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(overlapping, intersection / np.where(overlapping, union, 1.0), 0.0)


@dataclass(frozen=True)
class _ImageClassMatches:
    scores: np.ndarray  # (D,) sorted descending
    matched: np.ndarray  # (T, D) bool
    ignored: np.ndarray  # (T, D) bool
    truth_ignored: np.ndarray  # (G,) bool


def _match_image_class(
    det_boxes: np.ndarray,
    det_scores: np.ndarray,
    truth_boxes: np.ndarray,
    area_range: tuple[float, float],
    max_detections: int,
) -> _ImageClassMatches:
    order = np.argsort(-det_scores, kind="mergesort")[:max_detections]
    det_boxes, det_scores = det_boxes[order], det_scores[order]
    truth_area = truth_boxes[:, 2] * truth_boxes[:, 3]
    truth_ignored = (truth_area < area_range[0]) | (truth_area > area_range[1])
    truth_order = np.argsort(truth_ignored, kind="mergesort")
    truth_boxes, truth_ignored = truth_boxes[truth_order], truth_ignored[truth_order]
    ious = coco_iou_xywh(det_boxes, truth_boxes)
    num_thresholds, num_dets = COCO_IOU_THRESHOLDS.size, det_boxes.shape[0]
    matched = np.zeros((num_thresholds, num_dets), dtype=bool)
    ignored = np.zeros((num_thresholds, num_dets), dtype=bool)
    truth_taken = np.zeros((num_thresholds, truth_boxes.shape[0]), dtype=bool)
    for t, threshold in enumerate(COCO_IOU_THRESHOLDS):
        minimum = min(threshold, 1 - 1e-10)
        for d in range(num_dets):
            available = ~truth_taken[t] & (ious[d] >= minimum)
            # regular ground truths first; ignored ones only when no regular one qualifies
            for group in (~truth_ignored, truth_ignored):
                candidates = np.flatnonzero(available & group)
                if candidates.size:
                    best = ious[d, candidates].max()
                    chosen = candidates[np.flatnonzero(ious[d, candidates] == best)[-1]]
                    matched[t, d] = True
                    ignored[t, d] = truth_ignored[chosen]
                    truth_taken[t, chosen] = True
                    break
    det_area = det_boxes[:, 2] * det_boxes[:, 3]
    outside = (det_area < area_range[0]) | (det_area > area_range[1])
    ignored |= ~matched & outside[None, :]
    return _ImageClassMatches(scores=det_scores, matched=matched, ignored=ignored, truth_ignored=truth_ignored)


def _interpolated_precision(records: list[_ImageClassMatches]) -> np.ndarray | None:
    """(T, R) precision at the 101 recall points, or None when the class has no (non-ignored) ground truth."""
    num_truths = int(sum(np.count_nonzero(~record.truth_ignored) for record in records))
    if num_truths == 0:
        return None
    scores = np.concatenate([record.scores for record in records])
    order = np.argsort(-scores, kind="mergesort")
    matched = np.concatenate([record.matched for record in records], axis=1)[:, order]
    ignored = np.concatenate([record.ignored for record in records], axis=1)[:, order]
    true_positives = np.cumsum(matched & ~ignored, axis=1).astype(np.float64)
    false_positives = np.cumsum(~matched & ~ignored, axis=1).astype(np.float64)
    precision = np.zeros((COCO_IOU_THRESHOLDS.size, COCO_RECALL_THRESHOLDS.size))
    for t in range(COCO_IOU_THRESHOLDS.size):
        tp, fp = true_positives[t], false_positives[t]
        recall = tp / num_truths
        curve = tp / (fp + tp + np.spacing(1))
        curve = np.maximum.accumulate(curve[::-1])[::-1] if curve.size else curve
        positions = np.searchsorted(recall, COCO_RECALL_THRESHOLDS, side="left")
        valid = positions < curve.size
        precision[t, valid] = curve[positions[valid]]
    return precision


@dataclass(frozen=True)
class CocoAveragePrecision:
    """COCO AP results. ``precision`` is (T=10, R=101, K) with -1 for classes without ground truth."""

    class_ids: tuple[int, ...]
    precision: np.ndarray

    def _mean(self, values: np.ndarray) -> float:
        valid = values[values > -1]
        return float(valid.mean()) if valid.size else -1.0

    @property
    def map(self) -> float:
        """mAP@[.50:.05:.95] (pycocotools stats[0]); -1 when no class has ground truth."""
        return self._mean(self.precision)

    @property
    def map50(self) -> float:
        """mAP at IoU 0.50 (pycocotools stats[1])."""
        return self._mean(self.precision[0])

    @property
    def map75(self) -> float:
        """mAP at IoU 0.75 (pycocotools stats[2])."""
        return self._mean(self.precision[5])

    def per_class(self) -> dict[int, float]:
        """AP@[.50:.05:.95] per class id (-1 for a class without ground truth)."""
        return {class_id: self._mean(self.precision[:, :, k]) for k, class_id in enumerate(self.class_ids)}


def coco_average_precision(
    ground_truths: list[GroundTruth],
    detections: list[Detections],
    class_ids: list[int] | tuple[int, ...],
    area: str = "all",
    max_detections: int = 100,
) -> CocoAveragePrecision:
    """COCO box AP over IoU 0.50:0.05:0.95 and 101 recall points, per class and mean.

    ``ground_truths``: one entry per evaluated image (empty boxes allowed); ``detections``: entries for
    any of those images; ``class_ids``: the dataset's categories (classes without ground truth are
    excluded from the mean); ``area``: one of "all", "small", "medium", "large"; ``max_detections``:
    kept per image and class (COCO maxDets).
    """
    if area not in COCO_AREA_RANGES:
        raise ValueError(f"unknown area range {area!r}; use one of {tuple(COCO_AREA_RANGES)}")
    if max_detections <= 0:
        raise ValueError(f"max_detections must be >= 1, got {max_detections}")
    truth_by_image, detections_by_image = index_by_image(ground_truths, detections)
    classes = tuple(sorted(int(class_id) for class_id in class_ids))
    precision = -np.ones((COCO_IOU_THRESHOLDS.size, COCO_RECALL_THRESHOLDS.size, len(classes)))
    empty = np.zeros((0, 4))
    for k, class_id in enumerate(classes):
        records = []
        for image_id in sorted(truth_by_image):
            truth = truth_by_image[image_id]
            truth_boxes = truth.boxes_xywh[truth.labels == class_id] if truth.labels.size else empty
            dets = detections_by_image.get(image_id)
            selected = dets.labels == class_id if dets is not None else np.zeros(0, dtype=bool)
            if truth_boxes.shape[0] == 0 and not selected.any():
                continue
            det_boxes = dets.boxes_xywh[selected] if dets is not None else empty
            det_scores = dets.scores[selected] if dets is not None else np.zeros(0)
            records.append(
                _match_image_class(det_boxes, det_scores, truth_boxes, COCO_AREA_RANGES[area], max_detections)
            )
        class_precision = _interpolated_precision(records) if records else None
        if class_precision is not None:
            precision[:, :, k] = class_precision
    return CocoAveragePrecision(class_ids=classes, precision=precision)
