"""Per-image ground-truth and detection sets used by the AP/mAP evaluators (seed 004 §23.4)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _column(values: np.ndarray, count: int, name: str, dtype: type) -> np.ndarray:
    array: np.ndarray = np.asarray(values, dtype=dtype).reshape(-1)
    if array.size != count:
        raise ValueError(f"{name} has {array.size} entries for {count} boxes; pass one per box")
    return array


def _boxes(values: np.ndarray) -> np.ndarray:
    boxes = np.asarray(values, dtype=np.float64)
    if boxes.size == 0:
        return np.zeros((0, 4))
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"boxes_xywh must have shape (N, 4), got {boxes.shape}")
    if np.any(boxes[:, 2:] < 0):
        raise ValueError("boxes_xywh has a negative width or height; pass (x, y, w, h) boxes with w, h >= 0")
    return boxes


@dataclass(frozen=True)
class GroundTruth:
    """Ground-truth objects of one image: boxes (G, 4) as COCO (x, y, w, h) pixels, integer labels (G,).

    ``difficult`` (G,) marks PASCAL VOC "difficult" objects, ignored by the VOC evaluator (None when
    constructed: none is; stored as a (G,) bool array either way).
    """

    image_id: int
    boxes_xywh: np.ndarray
    labels: np.ndarray
    difficult: np.ndarray = None  # type: ignore[assignment]  # None → all False in __post_init__

    def __post_init__(self) -> None:
        boxes = _boxes(self.boxes_xywh)
        object.__setattr__(self, "boxes_xywh", boxes)
        object.__setattr__(self, "labels", _column(self.labels, boxes.shape[0], "labels", np.int64))
        flags = np.zeros(boxes.shape[0], dtype=bool) if self.difficult is None else self.difficult
        object.__setattr__(self, "difficult", _column(flags, boxes.shape[0], "difficult", bool))


@dataclass(frozen=True)
class Detections:
    """Detections of one image: boxes (D, 4) COCO (x, y, w, h) pixels, confidence scores (D,), labels (D,)."""

    image_id: int
    boxes_xywh: np.ndarray
    scores: np.ndarray
    labels: np.ndarray

    def __post_init__(self) -> None:
        boxes = _boxes(self.boxes_xywh)
        object.__setattr__(self, "boxes_xywh", boxes)
        object.__setattr__(self, "scores", _column(self.scores, boxes.shape[0], "scores", np.float64))
        object.__setattr__(self, "labels", _column(self.labels, boxes.shape[0], "labels", np.int64))


def index_by_image(
    ground_truths: list[GroundTruth], detections: list[Detections]
) -> tuple[dict[int, GroundTruth], dict[int, Detections]]:
    """Map image ids to their ground truth (one entry per image) and their detections (entries of one image
    are concatenated in order)."""
    truth_by_image: dict[int, GroundTruth] = {}
    for truth in ground_truths:
        if truth.image_id in truth_by_image:
            raise ValueError(f"image {truth.image_id} has two GroundTruth entries; merge them into one")
        truth_by_image[truth.image_id] = truth
    detections_by_image: dict[int, list[Detections]] = {}
    for entry in detections:
        if entry.image_id not in truth_by_image:
            raise ValueError(
                f"detections for image {entry.image_id}, which has no GroundTruth entry; add one (it may be empty)"
            )
        detections_by_image.setdefault(entry.image_id, []).append(entry)
    merged = {
        image_id: Detections(
            image_id=image_id,
            boxes_xywh=np.concatenate([entry.boxes_xywh for entry in entries]),
            scores=np.concatenate([entry.scores for entry in entries]),
            labels=np.concatenate([entry.labels for entry in entries]),
        )
        for image_id, entries in detections_by_image.items()
    }
    return truth_by_image, merged
