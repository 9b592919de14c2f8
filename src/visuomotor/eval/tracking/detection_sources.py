"""Where the tracking evaluation gets its 2D detections: a pluggable source.

Any object with `detect(frame) -> list[Detection]` is a DetectionSource. GroundTruthDetections derives
them from the simulator's instance segmentation; DetectorDetections runs a trained 2D detector
(visuomotor.detection, e.g. the shipped YOLOv8n) on the rendered colour image.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from visuomotor.camera.frame import RGBDFrame
from visuomotor.detection.result import Detection

if TYPE_CHECKING:
    from visuomotor.detection.detector import Detector


class DetectionSource(Protocol):
    def detect(self, frame: RGBDFrame) -> list[Detection]: ...


def boxes_from_segmentation(labels: np.ndarray, min_pixels: int = 1) -> dict[int, np.ndarray]:
    """Instance label → tight xyxy box (pixels, corner convention: pixel (c, r) spans [c, c+1) × [r, r+1))
    of its mask, for labels ≠ 0 with at least min_pixels pixels."""
    flat = labels.ravel()
    present = np.flatnonzero(np.bincount(flat[flat > 0]) >= min_pixels) if np.any(flat > 0) else np.zeros(0, int)
    boxes = {}
    for label in present:
        rows, cols = np.nonzero(labels == label)
        boxes[int(label)] = np.array([cols.min(), rows.min(), cols.max() + 1.0, rows.max() + 1.0])
    return boxes


@dataclass
class GroundTruthDetections:
    """Perfect detections from the instance segmentation: one per visible object (≥ min_pixels pixels),
    its tight box, score 1, class from instance_classes (instance id → (class_id, class_name)).
    with_masks: attach the instance id as mask_label (instance-mask localization); False: boxes only,
    as a box detector (YOLO, DETR) would give."""

    instance_classes: dict[int, tuple[int, str]]
    min_pixels: int = 50
    with_masks: bool = True

    def detect(self, frame: RGBDFrame) -> list[Detection]:
        if frame.segmentation is None:
            raise ValueError("ground-truth detections need RGBDFrame.segmentation: render with segmentation")
        detections = []
        for label, box in boxes_from_segmentation(frame.segmentation, self.min_pixels).items():
            if label not in self.instance_classes:
                continue
            class_id, class_name = self.instance_classes[label]
            detections.append(Detection(class_id, class_name, 1.0, box, mask_label=label if self.with_masks else 0))
        return detections


@dataclass
class DetectorDetections:
    """A trained detector's boxes (no masks) on the frame's (H, W, 3) uint8 RGB colour image, with its
    class names and scores. Records per frame the detector's wall time (preprocess + inference +
    postprocess, Detector.last_timing) in wall_ms and this process's CPU time for the call in cpu_ms."""

    detector: Detector
    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)

    def detect(self, frame: RGBDFrame) -> list[Detection]:
        cpu_start = time.process_time()
        detections = self.detector.detect(frame.color)
        self.cpu_ms.append((time.process_time() - cpu_start) * 1000.0)
        self.wall_ms.append(self.detector.last_timing.total_ms)
        return detections
