"""PASCAL VOC average precision: 11-point (VOC2007) and all-point (VOC2010+) (seed 004 §23.4.1-23.4.2).

Precision(t) = TP(t) / (TP(t) + FP(t)), Recall(t) = TP(t) / (TP + FN) (seed 004 eq. 23.17), and
AP = ∫₀¹ Precision(r) dr (eq. 23.18) evaluated on the monotone envelope p_interp(r) = max_{r' ≥ r} p(r'):
- "11point": AP = (1/11) Σ_{r ∈ {0, 0.1, ..., 1}} p_interp(r);
- "all": AP = Σ_i (r_{i+1} − r_i) p_interp(r_{i+1}) over the points where recall changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnfoundation.detection.box_sets import Detections, GroundTruth, index_by_image
from nnfoundation.detection.boxes import box_convert, box_iou

VOC_METHODS = ("11point", "all")


def voc_average_precision(recall: np.ndarray, precision: np.ndarray, method: str = "all") -> float:
    """AP from a precision/recall curve (arrays of equal length, detections in descending score order)."""
    if method not in VOC_METHODS:
        raise ValueError(f"unknown VOC AP method {method!r}; use one of {VOC_METHODS}")
    rec = np.asarray(recall, dtype=np.float64).reshape(-1)
    prec = np.asarray(precision, dtype=np.float64).reshape(-1)
    if rec.shape != prec.shape:
        raise ValueError(f"recall and precision must have the same length, got {rec.size} and {prec.size}")
    if method == "11point":
        # thresholds k/10 (exact decimals, so that a recall of 3/10 reaches the 0.3 point)
        points = np.arange(11) / 10.0
        return float(sum(prec[rec >= r].max() if np.any(rec >= r) else 0.0 for r in points) / 11.0)
    envelope_recall = np.concatenate(([0.0], rec, [1.0]))
    envelope = np.concatenate(([0.0], prec, [0.0]))
    envelope = np.maximum.accumulate(envelope[::-1])[::-1]
    steps = np.flatnonzero(envelope_recall[1:] != envelope_recall[:-1])
    return float(np.sum((envelope_recall[steps + 1] - envelope_recall[steps]) * envelope[steps + 1]))


@dataclass(frozen=True)
class VocAveragePrecision:
    """Per-class VOC AP (``nan`` for a class without non-difficult ground truth) and their mean."""

    per_class: dict[int, float]

    @property
    def map(self) -> float:
        values = [value for value in self.per_class.values() if not np.isnan(value)]
        return float(np.mean(values)) if values else float("nan")


def voc_evaluate(
    ground_truths: list[GroundTruth],
    detections: list[Detections],
    class_ids: list[int] | tuple[int, ...],
    iou_threshold: float = 0.5,
    method: str = "all",
) -> VocAveragePrecision:
    """VOC AP per class: detections of all images in descending score order each take the ground truth of
    highest IoU; it is a true positive when that IoU > ``iou_threshold`` and the object is not yet taken,
    ignored when the object is "difficult", a false positive otherwise."""
    truth_by_image, detections_by_image = index_by_image(ground_truths, detections)
    results: dict[int, float] = {}
    for class_id in sorted(int(c) for c in class_ids):
        truths: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        num_positives = 0
        for image_id, truth in truth_by_image.items():
            selected = truth.labels == class_id
            truths[image_id] = (box_convert(truth.boxes_xywh[selected], "xywh", "xyxy"), truth.difficult[selected])
            num_positives += int(np.count_nonzero(~truth.difficult[selected]))
        entries = [
            (score, image_id, box)
            for image_id, dets in sorted(detections_by_image.items())
            for score, box, label in zip(dets.scores, box_convert(dets.boxes_xywh, "xywh", "xyxy"), dets.labels)
            if label == class_id
        ]
        order = np.argsort(-np.asarray([entry[0] for entry in entries], dtype=np.float64), kind="stable")
        taken = {image_id: np.zeros(boxes.shape[0], dtype=bool) for image_id, (boxes, _) in truths.items()}
        flags: list[int | None] = []  # +1 true positive, 0 false positive, None ignored
        for index in order:
            _, image_id, box = entries[index]
            truth_boxes, difficult = truths[image_id]
            if truth_boxes.shape[0] == 0:
                flags.append(0)
                continue
            overlaps = box_iou(box[None, :], truth_boxes)[0]
            best = int(np.argmax(overlaps))
            if overlaps[best] > iou_threshold:
                if difficult[best]:
                    flags.append(None)
                elif not taken[image_id][best]:
                    taken[image_id][best] = True
                    flags.append(1)
                else:
                    flags.append(0)
            else:
                flags.append(0)
        if num_positives == 0:
            results[class_id] = float("nan")
            continue
        kept = np.asarray([flag for flag in flags if flag is not None], dtype=np.float64)
        true_positives = np.cumsum(kept)
        false_positives = np.cumsum(1.0 - kept)
        recall = true_positives / num_positives
        precision = true_positives / np.maximum(true_positives + false_positives, np.finfo(np.float64).eps)
        results[class_id] = voc_average_precision(recall, precision, method)
    return VocAveragePrecision(per_class=results)
