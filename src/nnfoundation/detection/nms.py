"""Non-maximum suppression, plain and class-aware (seed 004 §23.3, Algorithm 1).

Same semantics as ``torchvision.ops.nms`` / ``batched_nms``: boxes are visited in descending score
order (a stable sort, so equal scores keep their input order); each visited box that is not yet
suppressed is kept and suppresses every later box whose IoU with it is strictly greater than the
threshold.
"""

from __future__ import annotations

import numpy as np


def _check_inputs(boxes_xyxy: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    boxes = np.asarray(boxes_xyxy, dtype=np.float64)
    score_array = np.asarray(scores, dtype=np.float64)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"boxes must have shape (N, 4) in xyxy format, got {boxes.shape}")
    if score_array.shape != (boxes.shape[0],):
        raise ValueError(f"scores must have shape ({boxes.shape[0]},) to match boxes, got {score_array.shape}")
    return boxes, score_array


def descending_order(scores: np.ndarray) -> np.ndarray:
    """Indices sorting ``scores`` from highest to lowest; ties keep their input order (stable)."""
    return np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")


def nms(boxes_xyxy: np.ndarray, scores: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Indices (int64, by descending score) of the boxes kept by greedy NMS (seed 004 Algorithm 1).

    boxes_xyxy: (N, 4); scores: (N,); a box is suppressed when IoU(kept, box) > iou_threshold.
    """
    boxes, score_array = _check_inputs(boxes_xyxy, scores)
    order = descending_order(score_array)
    x1, y1, x2, y2 = (boxes[order, k] for k in range(4))
    areas = (x2 - x1) * (y2 - y1)
    suppressed = np.zeros(order.size, dtype=bool)
    keep: list[int] = []
    for position in range(order.size):
        if suppressed[position]:
            continue
        keep.append(int(order[position]))
        rest = slice(position + 1, None)
        width = np.maximum(0.0, np.minimum(x2[position], x2[rest]) - np.maximum(x1[position], x1[rest]))
        height = np.maximum(0.0, np.minimum(y2[position], y2[rest]) - np.maximum(y1[position], y1[rest]))
        intersection = width * height
        with np.errstate(invalid="ignore", divide="ignore"):
            overlap = intersection / (areas[position] + areas[rest] - intersection)
        suppressed[rest] |= overlap > iou_threshold
    return np.asarray(keep, dtype=np.int64)


def batched_nms(boxes_xyxy: np.ndarray, scores: np.ndarray, class_ids: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Class-aware NMS: boxes of different ``class_ids`` never suppress each other.

    Runs :func:`nms` per class and returns the kept indices (int64) sorted by descending score
    (stable), as ``torchvision.ops.batched_nms``.
    """
    boxes, score_array = _check_inputs(boxes_xyxy, scores)
    classes = np.asarray(class_ids)
    if classes.shape != score_array.shape:
        raise ValueError(f"class_ids must have shape {score_array.shape} to match scores, got {classes.shape}")
    kept = np.zeros(score_array.size, dtype=bool)
    for class_id in np.unique(classes):
        members = np.flatnonzero(classes == class_id)
        kept[members[nms(boxes[members], score_array[members], iou_threshold)]] = True
    kept_indices = np.flatnonzero(kept)
    return kept_indices[descending_order(score_array[kept_indices])].astype(np.int64)
